/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * memattr_pfnmap: the kvm-memattr test module's interface.
 *
 * /dev/memattr_pfnmap hands out mappings whose VMA flags, page protection
 * and backing the caller chooses, so that the suite can build every kind of
 * VM_PFNMAP / VM_MIXEDMAP memslot KVM distinguishes.  Per open file:
 *
 *   ioctl(fd, MPF_IOC_CONFIG, &cfg)   how the next mmap()s of this fd look
 *   mmap(NULL, cfg.size, ..., fd, 0)  a new buffer, mapped as configured
 *   ioctl(fd, MPF_IOC_QUERY, &q)      what the last mmap() of this fd got
 *   ioctl(fd, MPF_IOC_INFO, &info)    ID registers, memory regions, counters
 *
 * Every buffer is freed when its last mapping goes away.  Shared by the
 * module and the suite, so only fixed-width uAPI types.
 */
#ifndef MEMATTR_PFNMAP_H
#define MEMATTR_PFNMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MPF_DEVICE_NAME		"memattr_pfnmap"
#define MPF_DEVICE_PATH		"/dev/memattr_pfnmap"
#define MPF_ABI_VERSION		2

/* Where the buffer's memory comes from. */
enum mpf_backing {
	/* Pages from the page allocator: in the linear map, with struct page. */
	MPF_BACKING_RAM = 1,
	/*
	 * Physical memory the kernel does not use (not in memblock, so not in
	 * the linear map): RAM above a mem= limit, or the phys_base/phys_size
	 * module parameters.  pfn_is_map_memory() is false for it.
	 */
	MPF_BACKING_NONLINEAR = 2,
	/*
	 * Part of that memory turned into ZONE_DEVICE (MEMORY_DEVICE_GENERIC)
	 * pages with memremap_pages(): struct pages that GUP can take, still
	 * outside memblock (pfn_is_map_memory() false).
	 */
	MPF_BACKING_ZONE_DEVICE = 3,
};

/* The VMA's vm_page_prot. */
enum mpf_prot {
	MPF_PROT_CACHEABLE = 1,	/* vm_page_prot as mmap() made it (MT_NORMAL) */
	MPF_PROT_WC = 2,	/* pgprot_writecombine(): MT_NORMAL_NC */
	MPF_PROT_NONCACHED = 3,	/* pgprot_noncached(): MT_DEVICE_nGnRnE */
	MPF_PROT_DEVICE = 4,	/* pgprot_device(): MT_DEVICE_nGnRE */
};

/* How the pages reach the VMA. */
enum mpf_insert {
	MPF_INSERT_REMAP = 1,		/* remap_pfn_range() in mmap: VM_IO|VM_PFNMAP */
	MPF_INSERT_FAULT_PFN = 2,	/* vmf_insert_pfn() at fault: VM_PFNMAP */
	MPF_INSERT_PAGE = 3,		/* vm_insert_page() in mmap: VM_MIXEDMAP */
	MPF_INSERT_FAULT_MIXED = 4,	/* vmf_insert_mixed() of the raw pfn at fault:
					 * VM_MIXEDMAP, special PTE (no struct page
					 * for GUP) */
};

/*
 * mpf_config.flags.  MPF_F_ALLOW_ANY_UNCACHED on a kernel without
 * VM_ALLOW_ANY_UNCACHED (before Linux 6.8) fails with EOPNOTSUPP.
 */
#define MPF_F_ALLOW_ANY_UNCACHED	0x1	/* vm_flags_set(VM_ALLOW_ANY_UNCACHED) */
#define MPF_F_ALL			0x1

/*
 * mpf_info.lacks: what the kernel the module was built for does not have,
 * so that the suite can name it in a SKIP.  A set bit is an absence, so
 * that 0 (what modules before this field reported in its place) means
 * everything is there.
 */
#define MPF_LACKS_ZONE_DEVICE		0x1	/* no CONFIG_ZONE_DEVICE: no
						 * MPF_BACKING_ZONE_DEVICE
						 * (EOPNOTSUPP) */
#define MPF_LACKS_ALLOW_ANY_UNCACHED	0x2	/* no VM_ALLOW_ANY_UNCACHED (Linux
						 * < 6.8): no
						 * MPF_F_ALLOW_ANY_UNCACHED
						 * (EOPNOTSUPP) */

/*
 * New buffers are not zeroed but filled, so that a reader can tell which
 * physical page it sees: the 64-bit word at physical address pa holds
 * pa ^ MPF_FILL_XOR.
 */
#define MPF_FILL_XOR			0x6d70666d70666d70ULL

/* Largest buffer, in bytes. */
#define MPF_MAX_SIZE			(64ULL << 20)

struct mpf_config {
	__u32 backing;		/* enum mpf_backing */
	__u32 prot;		/* enum mpf_prot */
	__u32 insert;		/* enum mpf_insert */
	__u32 flags;		/* MPF_F_* */
	__u64 size;		/* bytes, page aligned, the mmap() length */
	__u64 reserved[4];	/* must be zero */
};

/* What the last mmap() of the fd produced, as the kernel sees it. */
struct mpf_query {
	__u64 phys;		/* physical address of the first page */
	__u64 size;
	__u64 vm_flags;		/* vma->vm_flags after mmap() */
	__u32 attrindx;		/* PTE_ATTRINDX of vma->vm_page_prot (MT_*) */
	__u32 cacheable;	/* as kvm_vma_is_cacheable() judges attrindx */
	__u32 pfn_is_map_memory;	/* of the first page */
	__u32 pfn_valid;	/* the first page has a struct page */
	__u32 pfnmap;		/* VM_PFNMAP */
	__u32 mixedmap;		/* VM_MIXEDMAP */
	__u32 io;		/* VM_IO */
	__u32 allow_any_uncached;	/* VM_ALLOW_ANY_UNCACHED */
	__u32 cow;		/* a private (copy-on-write) mapping */
	__u32 pad;
	__u64 reserved[4];
};

struct mpf_info {
	__u32 abi_version;	/* MPF_ABI_VERSION */
	__u32 page_size;
	/* Read on the CPU that ran the ioctl, with MRS. */
	__u64 id_aa64mmfr2_raw;
	__u64 ctr_el0_raw;
	__u64 midr_raw;
	/* The kernel's system-wide (sanitised) view. */
	__u64 id_aa64mmfr2_sanitised;
	__u64 ctr_el0_sanitised;
	/* cpus_have_final_cap(): what KVM tests. */
	__u32 cap_stage2_fwb;	/* ARM64_HAS_STAGE2_FWB */
	__u32 cap_cache_dic;	/* ARM64_HAS_CACHE_DIC */
	/* Memory outside the linear map (MPF_BACKING_NONLINEAR). */
	__u64 nonlinear_base;
	__u64 nonlinear_size;	/* 0: none */
	/* ZONE_DEVICE part (MPF_BACKING_ZONE_DEVICE), set up on first use. */
	__u64 zone_device_base;
	__u64 zone_device_size;	/* 0: none */
	__s32 zone_device_err;	/* memremap_pages() result, 0 until tried */
	__u32 lacks;		/* MPF_LACKS_*, 0: nothing missing */
	/* Leak accounting: buffers and pages alive now. */
	__u64 live_buffers;
	__u64 live_pages;
	char region_source[64];	/* how the nonlinear range was chosen */
	__u32 max_order;	/* MPF_BACKING_RAM is at most page_size << max_order */
	__u32 pad;
	__u64 reserved[7];
};

#define MPF_IOC_MAGIC	0xb7
#define MPF_IOC_CONFIG	_IOW(MPF_IOC_MAGIC, 0x01, struct mpf_config)
#define MPF_IOC_QUERY	_IOR(MPF_IOC_MAGIC, 0x02, struct mpf_query)
#define MPF_IOC_INFO	_IOR(MPF_IOC_MAGIC, 0x03, struct mpf_info)

/*
 * Whether GUP-fast takes the page at hva (of the caller) for writing, as
 * KVM's fault path asks it to before it maps a read fault writable:
 * get_user_page_fast_only(hva, FOLL_WRITE).  result: 1 taken, 0 refused.
 */
struct mpf_gup_probe {
	__u64 hva;
	__u32 result;
	__u32 pad;
};
#define MPF_IOC_GUP_PROBE _IOWR(MPF_IOC_MAGIC, 0x04, struct mpf_gup_probe)

#endif /* MEMATTR_PFNMAP_H */
