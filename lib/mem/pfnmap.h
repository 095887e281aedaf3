/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One provider API over every source of VM_PFNMAP / VM_MIXEDMAP memory the
 * suite uses: the test module (kmod/, /dev/memattr_pfnmap) and real drivers
 * (udmabuf, an ivshmem BAR through sysfs, vfio-pci, a BPF_F_MMAPABLE array
 * map, memfd_secret).  "Give me a mapping of kind K": the hva, its size,
 * what it is (struct km_pfn_props, measured where the kernel lets us), or
 * the reason it cannot be had here (a SKIP naming what is missing).
 */
#ifndef KM_PFNMAP_H
#define KM_PFNMAP_H

#include <unistd.h>

#include "pfnmap_expect.h"
#include "util.h"
#include "../../kmod/memattr_pfnmap.h"

enum km_pfn_src {
	KM_SRC_KMOD,		/* /dev/memattr_pfnmap, configured by the request */
	KM_SRC_UDMABUF,		/* /dev/udmabuf over a memfd: VM_PFNMAP, RAM, cacheable */
	KM_SRC_PCI_BAR,		/* ivshmem BAR2, sysfs resource2: VM_IO|VM_PFNMAP, Device */
	KM_SRC_PCI_BAR_WC,	/* ivshmem BAR2, sysfs resource2_wc: write-combine */
	KM_SRC_VFIO,		/* vfio-pci BAR2 of an ivshmem: VM_ALLOW_ANY_UNCACHED */
	KM_SRC_BPF_ARRAY,	/* BPF_F_MMAPABLE array map: VM_MIXEDMAP over vmalloc RAM */
	KM_SRC_SECRETMEM,	/* memfd_secret(): RAM taken out of the direct map */
	KM_SRC_ANON,		/* anonymous memory, the control */
	KM_SRC_HOLE,		/* an address range with no VMA */
};

/*
 * What a request of size 0 gets: 64 KiB, and at least 16 pages, so that a
 * case can split, offset and dirty-log a buffer on any granule.
 */
static inline size_t km_pfn_default_size(void)
{
	size_t sixteen_pages = 16 * (size_t)getpagesize();

	return sixteen_pages > 0x10000 ? sixteen_pages : 0x10000;
}

/*
 * A request for the test module: backing, prot and insert are the suffixes of
 * MPF_BACKING_*, MPF_PROT_* and MPF_INSERT_*, f the MPF_F_* flags.
 */
#define KM_PFN_KMOD(b, p, i, f) { .src = KM_SRC_KMOD, .backing = MPF_BACKING_##b, \
				  .prot = MPF_PROT_##p, .insert = MPF_INSERT_##i, .flags = (f) }

struct km_pfn_req {
	enum km_pfn_src src;
	/* KM_SRC_KMOD: the module's configuration (enum mpf_*, MPF_F_*). */
	u32 backing, prot, insert, flags;
	bool priv;		/* MAP_PRIVATE instead of MAP_SHARED */
	size_t size;		/* 0: km_pfn_default_size() */
	void *fixed;		/* map at this address (MAP_FIXED), else anywhere */
};

struct km_pfn_map {
	u8 *hva;
	size_t size;
	struct km_pfn_props props;
	u64 phys;		/* of the first page; 0 if unknown */
	bool phys_known;
	char what[384];		/* one line: source, backing, attributes, flags */
	/* Private. */
	enum km_pfn_src src;
	int fd[3];
	int host_from, host_to;	/* its PCI enable/binding changes, lib/harness/hoststate.h */
};

/* km_pfn_get() results besides 0 and -errno. */
#define KM_PFN_UNAVAILABLE	1

/*
 * Map what *req asks for.  0: *m describes the mapping; KM_PFN_UNAVAILABLE:
 * the source does not exist here and why[] says what is missing (raw
 * values), for a SKIP; -errno: the source exists but refused (why[] says
 * which step).
 */
int km_pfn_get(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len);
/* Unmap and close everything km_pfn_get() opened; safe on a zeroed *m. */
void km_pfn_put(struct km_pfn_map *m);

/* Host accesses that are safe on Device memory: aligned, single, volatile. */
void km_pfn_write64(struct km_pfn_map *m, size_t off, u64 v);
u64 km_pfn_read64(struct km_pfn_map *m, size_t off);
/* "mov x0, #imm; ret" at off, with two 32-bit stores. */
void km_pfn_write_ret_imm(struct km_pfn_map *m, size_t off, u16 imm);

/* The word the module fills its buffers with at physical address pa. */
static inline u64 km_mpf_fill(u64 pa) { return pa ^ MPF_FILL_XOR; }

/*
 * The physical address behind hva (faulting it in with a read) from
 * /proc/self/pagemap; 0 and errno set if unreadable.
 */
u64 km_hva_to_phys(const void *hva);
/* VmFlags of the VMA containing hva (/proc/self/smaps): "pf", "mm", "io". */
bool km_vma_has_flag(const void *hva, const char *flag);

/* The module: open /dev/memattr_pfnmap and read MPF_IOC_INFO. */
int km_kmod_info(struct mpf_info *info, char *why, size_t len);
/* The test module's GUP-fast write probe of hva: 1 taken, 0 refused, or -errno. */
int km_kmod_gup_probe(void *hva);

#endif /* KM_PFNMAP_H */
