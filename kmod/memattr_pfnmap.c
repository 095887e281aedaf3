// SPDX-License-Identifier: GPL-2.0
/*
 * memattr_pfnmap: the kvm-memattr "pfnmap provider" test module.
 *
 * A misc device, /dev/memattr_pfnmap, whose mmap() builds the VMAs KVM/arm64
 * tells apart when it turns a memslot into stage-2 mappings
 * (arch/arm64/kvm/mmu.c: kvm_arch_prepare_memory_region() and
 * kvm_s2_fault_pin_pfn()/kvm_s2_fault_compute_prot()): VM_PFNMAP or
 * VM_MIXEDMAP, cacheable or not, with or without VM_ALLOW_ANY_UNCACHED, over
 * RAM in the linear map or over memory that is not.  See memattr_pfnmap.h
 * for the interface.
 *
 * Memory outside the linear map: a physical range the kernel does not use.
 * With the module parameters phys_base/phys_size the administrator names
 * it (for example a no-map reserved-memory region).  Without them, on a DT
 * machine (QEMU virt, a board) the module takes the top of a DT /memory
 * range that the kernel left out of its memory map (booted with mem= below
 * the RAM size): no System RAM resource, no struct
 * page, and nobody else in /proc/iomem.  Either way the range is claimed
 * with request_mem_region() so that it shows up in /proc/iomem.
 *
 * Every buffer is reference counted by its VMAs and freed with the last
 * one; live buffers and pages are counted (MPF_IOC_INFO) so that the suite
 * can check that nothing leaks.  Bad requests fail with an errno.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kref.h>
#include <linux/memremap.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>

#include "memattr_pfnmap.h"

/*
 * Kernel API differences, from Debian's 6.1 to 7.3 (checked in each one's
 * headers; the version is the upstream release that changed it):
 *
 * - vm_flags_set() (6.3): before it, vma->vm_flags was written directly.
 * - VM_ALLOW_ANY_UNCACHED (6.8): without it MPF_F_ALLOW_ANY_UNCACHED fails
 *   with EOPNOTSUPP and MPF_IOC_INFO reports MPF_LACKS_ALLOW_ANY_UNCACHED.
 *   A macro in every version that has it.
 * - MAX_PAGE_ORDER (6.8, the renamed MAX_ORDER); MAX_ORDER itself was the
 *   number of orders, one above the largest, until 6.4.
 * - vmf_insert_mixed() took a pfn_t until pfn_t went (include/linux/pfn_t.h
 *   is there in 6.12, gone in 7.2): tested with __has_include.
 * - ZONE_DEVICE is a configuration choice (Debian 6.1 has none): without
 *   CONFIG_ZONE_DEVICE, MPF_BACKING_ZONE_DEVICE fails with EOPNOTSUPP and
 *   MPF_IOC_INFO reports MPF_LACKS_ZONE_DEVICE.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void mpf_vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}
#else
#define mpf_vm_flags_set vm_flags_set
#endif

#ifdef VM_ALLOW_ANY_UNCACHED
#define MPF_HAVE_ALLOW_ANY_UNCACHED	1
#define MPF_VM_ALLOW_ANY_UNCACHED	VM_ALLOW_ANY_UNCACHED
#else
#define MPF_HAVE_ALLOW_ANY_UNCACHED	0
#define MPF_VM_ALLOW_ANY_UNCACHED	0UL
#endif

#if defined(MAX_PAGE_ORDER)
#define MPF_MAX_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define MPF_MAX_ORDER	MAX_ORDER
#else
#define MPF_MAX_ORDER	(MAX_ORDER - 1)
#endif

#if __has_include(<linux/pfn_t.h>)
#include <linux/pfn_t.h>
#define mpf_insert_mixed(vma, addr, pfn) vmf_insert_mixed(vma, addr, pfn_to_pfn_t(pfn))
#else
#define mpf_insert_mixed(vma, addr, pfn) vmf_insert_mixed(vma, addr, pfn)
#endif

#ifdef CONFIG_ZONE_DEVICE
#define MPF_HAVE_ZONE_DEVICE	1
#else
#define MPF_HAVE_ZONE_DEVICE	0
#endif

static unsigned long long phys_base;
module_param(phys_base, ullong, 0444);
MODULE_PARM_DESC(phys_base, "physical base of memory outside the linear map that nothing uses");
static unsigned long long phys_size;
module_param(phys_size, ullong, 0444);
MODULE_PARM_DESC(phys_size, "its size in bytes (0: DT memory above a mem= limit, if any)");
static unsigned long long autodetect_size = SZ_64M;
module_param(autodetect_size, ullong, 0444);
MODULE_PARM_DESC(autodetect_size, "largest range to take above the mem= limit");

/* ZONE_DEVICE carve-out at the top of the range: subsection granular. */
#define MPF_ZDEV_MAX	SZ_16M
#define MPF_ZDEV_ALIGN	SZ_2M

/* The range outside the linear map, split into a raw and a ZONE_DEVICE part. */
static struct {
	struct mutex lock;
	phys_addr_t base;		/* raw part: [base, base + size) */
	u64 size;
	unsigned long *map;		/* page allocation bitmap of the raw part */
	phys_addr_t zbase;		/* ZONE_DEVICE part: [zbase, zbase + zsize) */
	u64 zsize;
	unsigned long *zmap;
#ifdef CONFIG_ZONE_DEVICE
	struct dev_pagemap pgmap;
#endif
	bool zmapped;
	int zerr;
	struct resource *res;
	char source[64];
} rgn = { .lock = __MUTEX_INITIALIZER(rgn.lock) };

static atomic64_t live_buffers = ATOMIC64_INIT(0);
static atomic64_t live_pages = ATOMIC64_INIT(0);

struct mpf_buf {
	struct kref ref;
	struct mpf_config cfg;
	unsigned long npages;
	phys_addr_t phys;		/* contiguous for every backing */
	void *ram;			/* MPF_BACKING_RAM: alloc_pages_exact() */
};

struct mpf_file {
	struct mutex lock;
	bool configured;
	struct mpf_config cfg;
	bool mapped;
	struct mpf_query last;
};

/*
 * Clean and invalidate [va, va + size) to the point of coherency, so that a
 * later non-cacheable mapping of the same memory sees what was written and
 * no dirty line is written back over it.  dcache_clean_inval_poc() is not
 * exported, hence the loop.
 */
static void mpf_clean_inval_poc(void *va, size_t size)
{
	unsigned long line = 4UL << FIELD_GET(GENMASK(19, 16), read_sysreg(ctr_el0));
	unsigned long p = (unsigned long)va & ~(line - 1);
	unsigned long end = (unsigned long)va + size;

	for (; p < end; p += line)
		asm volatile("dc civac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

/*
 * Memory the kernel does not use: not in memblock (so not in the linear map)
 * and, for autodetection, claimed by no resource at all in /proc/iomem,
 * which also keeps NOMAP carve-outs ("reserved") and device windows out.
 * The administrator's phys_base/phys_size may name a "reserved" carve-out.
 */
static bool range_is_unused_memory(phys_addr_t start, u64 size, bool any_resource)
{
	unsigned long flags = any_resource ? IORESOURCE_MEM : IORESOURCE_SYSTEM_RAM;
	unsigned long pfn;

	if (region_intersects(start, size, flags, IORES_DESC_NONE) != REGION_DISJOINT)
		return false;
	for (pfn = PHYS_PFN(start); pfn < PHYS_PFN(start + size); pfn++)
		if (pfn_is_map_memory(pfn))
			return false;
	return true;
}

/*
 * The largest 2 MiB aligned tail of a DT /memory range that the kernel does
 * not use, up to autodetect_size: what an operator keeps from the kernel by
 * booting with mem= below the RAM size (QEMU virt, a DT board).  ACPI hosts
 * describe no memory in the DT: there it takes nothing.
 */
static void mpf_autodetect(phys_addr_t *base, u64 *size)
{
	struct device_node *np;
	struct resource res;
	int i;

	*size = 0;
	for_each_node_by_type(np, "memory") {
		for (i = 0; !of_address_to_resource(np, i, &res); i++) {
			phys_addr_t end = ALIGN_DOWN(res.end + 1, SZ_2M);
			phys_addr_t start = end;

			while (start - SZ_2M >= res.start &&
			       end - (start - SZ_2M) <= autodetect_size &&
			       range_is_unused_memory(start - SZ_2M, SZ_2M, true))
				start -= SZ_2M;
			if (end - start > *size) {
				*base = start;
				*size = end - start;
			}
		}
	}
}

static int mpf_region_init(void)
{
	phys_addr_t base = phys_base;
	u64 size = phys_size, zsize;
	unsigned long npages;

	if (size) {
		if (!PAGE_ALIGNED(base) || !PAGE_ALIGNED(size) || base + size < base) {
			pr_err("phys_base=%#llx phys_size=%#llx: not page aligned\n", phys_base,
			       phys_size);
			return -EINVAL;
		}
		if (!range_is_unused_memory(base, size, false)) {
			pr_err("phys_base=%#llx phys_size=%#llx: overlaps memory the kernel uses\n",
			       phys_base, phys_size);
			return -EINVAL;
		}
		snprintf(rgn.source, sizeof(rgn.source), "module parameters");
	} else {
		mpf_autodetect(&base, &size);
		snprintf(rgn.source, sizeof(rgn.source), size ? "DT memory above the mem= limit" :
			 "none: boot with mem= below RAM, or set phys_base/phys_size");
	}
	if (!size)
		return 0;

	rgn.res = request_mem_region(base, size, MPF_DEVICE_NAME);
	if (!rgn.res) {
		pr_err("[%pa, +%#llx) is claimed by someone else\n", &base, size);
		if (phys_size)
			return -EBUSY;
		snprintf(rgn.source, sizeof(rgn.source), "DT memory above mem=: range busy");
		return 0;
	}

	/*
	 * The top, subsection aligned, becomes ZONE_DEVICE on first use (without
	 * CONFIG_ZONE_DEVICE the whole range stays raw).
	 */
	zsize = MPF_HAVE_ZONE_DEVICE ?
		ALIGN_DOWN(min_t(u64, MPF_ZDEV_MAX, size / 4), MPF_ZDEV_ALIGN) : 0;
	rgn.zbase = ALIGN_DOWN(base + size - zsize, MPF_ZDEV_ALIGN);
	if (!zsize || rgn.zbase < base) {
		rgn.zbase = base + size;
		zsize = 0;
	}
	rgn.zsize = zsize;
	rgn.base = base;
	rgn.size = rgn.zbase - base;

	npages = rgn.size >> PAGE_SHIFT;
	rgn.map = bitmap_zalloc(npages, GFP_KERNEL);
	rgn.zmap = bitmap_zalloc(max(1UL, (unsigned long)(rgn.zsize >> PAGE_SHIFT)), GFP_KERNEL);
	if (!rgn.map || !rgn.zmap) {
		bitmap_free(rgn.map);
		bitmap_free(rgn.zmap);
		release_mem_region(base, size);
		rgn.res = NULL;
		rgn.size = rgn.zsize = 0;
		return -ENOMEM;
	}
	pr_info("outside the linear map: [%pa, +%#llx), ZONE_DEVICE [%pa, +%#llx) (%s)\n",
		&rgn.base, rgn.size, &rgn.zbase, rgn.zsize, rgn.source);
	return 0;
}

static void mpf_region_exit(void)
{
#ifdef CONFIG_ZONE_DEVICE
	if (rgn.zmapped)
		memunmap_pages(&rgn.pgmap);
#endif
	if (rgn.res)
		release_mem_region(rgn.res->start, resource_size(rgn.res));
	bitmap_free(rgn.map);
	bitmap_free(rgn.zmap);
}

/* Called with rgn.lock held. */
static int mpf_zone_device_setup(void)
{
#ifdef CONFIG_ZONE_DEVICE
	void *va;

	if (rgn.zmapped)
		return 0;
	if (!rgn.zsize)
		return -ENODEV;
	if (rgn.zerr)
		return rgn.zerr;
	rgn.pgmap.type = MEMORY_DEVICE_GENERIC;
	rgn.pgmap.range.start = rgn.zbase;
	rgn.pgmap.range.end = rgn.zbase + rgn.zsize - 1;
	rgn.pgmap.nr_range = 1;
	va = memremap_pages(&rgn.pgmap, NUMA_NO_NODE);
	if (IS_ERR(va)) {
		rgn.zerr = PTR_ERR(va);
		pr_err("memremap_pages [%pa, +%#llx): %d\n", &rgn.zbase, rgn.zsize, rgn.zerr);
		return rgn.zerr;
	}
	rgn.zmapped = true;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/* Find npages free pages in a bitmap region; the physical address or 0. */
static phys_addr_t mpf_region_alloc(unsigned long *map, phys_addr_t base, u64 size,
				    unsigned long npages)
{
	unsigned long total = size >> PAGE_SHIFT, idx;

	if (npages > total)
		return 0;
	idx = bitmap_find_next_zero_area(map, total, 0, npages, 0);
	if (idx >= total)
		return 0;
	bitmap_set(map, idx, npages);
	return base + ((phys_addr_t)idx << PAGE_SHIFT);
}

static void mpf_fill_words(void *va, phys_addr_t pa, size_t size)
{
	u64 *w = va;
	size_t i;

	for (i = 0; i < size / sizeof(u64); i++)
		w[i] = (pa + i * sizeof(u64)) ^ MPF_FILL_XOR;
	mpf_clean_inval_poc(va, size);
}

/* Fill a new buffer (see MPF_FILL_XOR) through a cacheable kernel alias. */
static int mpf_fill(struct mpf_buf *b)
{
	size_t size = b->npages << PAGE_SHIFT;
	void *va;

	switch (b->cfg.backing) {
	case MPF_BACKING_RAM:
		mpf_fill_words(b->ram, b->phys, size);
		return 0;
	case MPF_BACKING_ZONE_DEVICE:
		/* memremap_pages() gave the range a linear mapping. */
		mpf_fill_words(__va(b->phys), b->phys, size);
		return 0;
	}
	va = memremap(b->phys, size, MEMREMAP_WB);
	if (!va)
		return -ENOMEM;
	mpf_fill_words(va, b->phys, size);
	memunmap(va);
	return 0;
}

static void mpf_buf_release(struct kref *ref);

static struct mpf_buf *mpf_buf_alloc(const struct mpf_config *cfg)
{
	struct mpf_buf *b = kzalloc(sizeof(*b), GFP_KERNEL);
	int err = -ENOMEM;

	if (!b)
		return ERR_PTR(-ENOMEM);
	kref_init(&b->ref);
	b->cfg = *cfg;
	b->npages = cfg->size >> PAGE_SHIFT;

	switch (cfg->backing) {
	case MPF_BACKING_RAM:
		/* Contiguous order-0 pages: vm_insert_page() wants no compound. */
		b->ram = alloc_pages_exact(cfg->size, GFP_KERNEL | __GFP_NOWARN);
		if (!b->ram)
			goto fail;
		b->phys = virt_to_phys(b->ram);
		break;
	case MPF_BACKING_NONLINEAR:
		mutex_lock(&rgn.lock);
		b->phys = mpf_region_alloc(rgn.map, rgn.base, rgn.size, b->npages);
		mutex_unlock(&rgn.lock);
		if (!b->phys)
			goto fail;
		break;
	case MPF_BACKING_ZONE_DEVICE:
		mutex_lock(&rgn.lock);
		err = mpf_zone_device_setup();
		if (!err) {
			b->phys = mpf_region_alloc(rgn.zmap, rgn.zbase, rgn.zsize, b->npages);
			err = b->phys ? 0 : -ENOMEM;
		}
		mutex_unlock(&rgn.lock);
		if (err)
			goto fail;
		break;
	}
	atomic64_inc(&live_buffers);
	atomic64_add(b->npages, &live_pages);
	err = mpf_fill(b);
	if (err) {
		kref_put(&b->ref, mpf_buf_release);
		return ERR_PTR(err);
	}
	return b;
fail:
	kfree(b);
	return ERR_PTR(err);
}

static void mpf_buf_release(struct kref *ref)
{
	struct mpf_buf *b = container_of(ref, struct mpf_buf, ref);

	switch (b->cfg.backing) {
	case MPF_BACKING_RAM:
		free_pages_exact(b->ram, b->npages << PAGE_SHIFT);
		break;
	case MPF_BACKING_NONLINEAR:
		mutex_lock(&rgn.lock);
		bitmap_clear(rgn.map, (b->phys - rgn.base) >> PAGE_SHIFT, b->npages);
		mutex_unlock(&rgn.lock);
		break;
	case MPF_BACKING_ZONE_DEVICE:
		mutex_lock(&rgn.lock);
		bitmap_clear(rgn.zmap, (b->phys - rgn.zbase) >> PAGE_SHIFT, b->npages);
		mutex_unlock(&rgn.lock);
		break;
	}
	atomic64_dec(&live_buffers);
	atomic64_sub(b->npages, &live_pages);
	kfree(b);
}

static void mpf_vm_open(struct vm_area_struct *vma)
{
	struct mpf_buf *b = vma->vm_private_data;

	kref_get(&b->ref);
}

static void mpf_vm_close(struct vm_area_struct *vma)
{
	struct mpf_buf *b = vma->vm_private_data;

	kref_put(&b->ref, mpf_buf_release);
}

static vm_fault_t mpf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mpf_buf *b = vma->vm_private_data;
	unsigned long pfn;

	/* vm_pgoff starts at 0 and follows splits: pgoff indexes the buffer. */
	if (vmf->pgoff >= b->npages)
		return VM_FAULT_SIGBUS;
	pfn = PHYS_PFN(b->phys) + vmf->pgoff;
	switch (b->cfg.insert) {
	case MPF_INSERT_FAULT_PFN:
		return vmf_insert_pfn(vma, vmf->address, pfn);
	case MPF_INSERT_FAULT_MIXED:
		return mpf_insert_mixed(vma, vmf->address, pfn);
	}
	/* Pre-populated mappings only fault after a zap (MADV_DONTNEED). */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct mpf_vm_ops = {
	.open = mpf_vm_open,
	.close = mpf_vm_close,
	.fault = mpf_vm_fault,
};

static pgprot_t mpf_pgprot(u32 prot, pgprot_t p)
{
	switch (prot) {
	case MPF_PROT_WC:
		return pgprot_writecombine(p);
	case MPF_PROT_NONCACHED:
		return pgprot_noncached(p);
	case MPF_PROT_DEVICE:
		return pgprot_device(p);
	}
	return p;
}

/* kvm_vma_is_cacheable() (arch/arm64/kvm/mmu.c), for the report only. */
static bool mpf_attr_cacheable(u32 attrindx)
{
	return attrindx != MT_NORMAL_NC && attrindx != MT_DEVICE_nGnRnE &&
	       attrindx != MT_DEVICE_nGnRE;
}

static int mpf_populate(struct vm_area_struct *vma, struct mpf_buf *b)
{
	unsigned long i, addr;
	int err;

	switch (b->cfg.insert) {
	case MPF_INSERT_REMAP:
		/* One call for the whole VMA: COW mappings allow nothing else. */
		return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(b->phys),
				       vma->vm_end - vma->vm_start, vma->vm_page_prot);
	case MPF_INSERT_PAGE:
		for (i = 0, addr = vma->vm_start; i < b->npages; i++, addr += PAGE_SIZE) {
			err = vm_insert_page(vma, addr, pfn_to_page(PHYS_PFN(b->phys) + i));
			if (err)
				return err;
		}
		return 0;
	}
	return 0;	/* the fault handler inserts */
}

static int mpf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mpf_file *f = file->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;
	bool cow = (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
	struct mpf_config cfg;
	struct mpf_buf *b;
	int err;

	mutex_lock(&f->lock);
	cfg = f->cfg;
	err = f->configured ? 0 : -EINVAL;
	mutex_unlock(&f->lock);
	if (err)
		return err;
	if (vma->vm_pgoff || size != cfg.size)
		return -EINVAL;
	/* vmf_insert_pfn() BUG()s on COW mappings; only remap handles them. */
	if (cow && cfg.insert != MPF_INSERT_REMAP)
		return -EINVAL;

	b = mpf_buf_alloc(&cfg);
	if (IS_ERR(b))
		return PTR_ERR(b);

	vma->vm_page_prot = mpf_pgprot(cfg.prot, vma->vm_page_prot);
	mpf_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	if (cfg.flags & MPF_F_ALLOW_ANY_UNCACHED)
		mpf_vm_flags_set(vma, MPF_VM_ALLOW_ANY_UNCACHED);
	if (cfg.insert == MPF_INSERT_FAULT_PFN)
		mpf_vm_flags_set(vma, VM_PFNMAP);
	if (cfg.insert == MPF_INSERT_PAGE || cfg.insert == MPF_INSERT_FAULT_MIXED)
		mpf_vm_flags_set(vma, VM_MIXEDMAP);

	err = mpf_populate(vma, b);
	if (err) {
		/* No ->close() on a failed mmap(): drop the buffer here. */
		kref_put(&b->ref, mpf_buf_release);
		return err;
	}
	vma->vm_private_data = b;
	vma->vm_ops = &mpf_vm_ops;

	mutex_lock(&f->lock);
	memset(&f->last, 0, sizeof(f->last));
	f->last.phys = b->phys;
	f->last.size = size;
	f->last.vm_flags = vma->vm_flags;
	f->last.attrindx = FIELD_GET(PTE_ATTRINDX_MASK, pgprot_val(vma->vm_page_prot));
	f->last.cacheable = mpf_attr_cacheable(f->last.attrindx);
	f->last.pfn_is_map_memory = !!pfn_is_map_memory(PHYS_PFN(b->phys));
	f->last.pfn_valid = pfn_valid(PHYS_PFN(b->phys));
	f->last.pfnmap = !!(vma->vm_flags & VM_PFNMAP);
	f->last.mixedmap = !!(vma->vm_flags & VM_MIXEDMAP);
	f->last.io = !!(vma->vm_flags & VM_IO);
	f->last.allow_any_uncached = MPF_HAVE_ALLOW_ANY_UNCACHED &&
				     (vma->vm_flags & MPF_VM_ALLOW_ANY_UNCACHED);
	f->last.cow = cow;
	f->mapped = true;
	mutex_unlock(&f->lock);
	return 0;
}

static int mpf_check_config(const struct mpf_config *c)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c->reserved); i++)
		if (c->reserved[i])
			return -EINVAL;
	if (c->backing < MPF_BACKING_RAM || c->backing > MPF_BACKING_ZONE_DEVICE ||
	    c->prot < MPF_PROT_CACHEABLE || c->prot > MPF_PROT_DEVICE ||
	    c->insert < MPF_INSERT_REMAP || c->insert > MPF_INSERT_FAULT_MIXED ||
	    (c->flags & ~MPF_F_ALL))
		return -EINVAL;
	if (!c->size || !PAGE_ALIGNED(c->size))
		return -EINVAL;
	if (c->size > MPF_MAX_SIZE)
		return -E2BIG;
	/* Only struct pages can be vm_insert_page()d. */
	if (c->insert == MPF_INSERT_PAGE && c->backing == MPF_BACKING_NONLINEAR)
		return -EINVAL;
	/* ZONE_DEVICE pages go in as pages; a raw pfn of them is not the point. */
	if (c->backing == MPF_BACKING_ZONE_DEVICE && c->insert != MPF_INSERT_PAGE)
		return -EINVAL;
	/*
	 * A well-formed request this kernel cannot serve at all: a distinct
	 * errno (MPF_IOC_INFO's lacks says which).
	 */
	if ((c->flags & MPF_F_ALLOW_ANY_UNCACHED) && !MPF_HAVE_ALLOW_ANY_UNCACHED)
		return -EOPNOTSUPP;
	if (c->backing == MPF_BACKING_ZONE_DEVICE && !MPF_HAVE_ZONE_DEVICE)
		return -EOPNOTSUPP;
	switch (c->backing) {
	case MPF_BACKING_RAM:
		if (c->size > (PAGE_SIZE << MPF_MAX_ORDER))
			return -E2BIG;
		break;
	case MPF_BACKING_NONLINEAR:
		if (!rgn.size)
			return -ENODEV;
		if (c->size > rgn.size)
			return -E2BIG;
		break;
	case MPF_BACKING_ZONE_DEVICE:
		if (!rgn.zsize)
			return -ENODEV;
		if (c->size > rgn.zsize)
			return -E2BIG;
		break;
	}
	return 0;
}

static void mpf_fill_info(struct mpf_info *in)
{
	memset(in, 0, sizeof(*in));
	in->abi_version = MPF_ABI_VERSION;
	in->page_size = PAGE_SIZE;
	in->max_order = MPF_MAX_ORDER;
	in->id_aa64mmfr2_raw = read_sysreg_s(SYS_ID_AA64MMFR2_EL1);
	in->ctr_el0_raw = read_sysreg(ctr_el0);
	in->midr_raw = read_cpuid_id();
	in->id_aa64mmfr2_sanitised = read_sanitised_ftr_reg(SYS_ID_AA64MMFR2_EL1);
	in->ctr_el0_sanitised = read_sanitised_ftr_reg(SYS_CTR_EL0);
	in->cap_stage2_fwb = cpus_have_final_cap(ARM64_HAS_STAGE2_FWB);
	in->cap_cache_dic = cpus_have_final_cap(ARM64_HAS_CACHE_DIC);
	mutex_lock(&rgn.lock);
	in->nonlinear_base = rgn.size ? rgn.base : 0;
	in->nonlinear_size = rgn.size;
	in->zone_device_base = rgn.zsize ? rgn.zbase : 0;
	in->zone_device_size = rgn.zsize;
	in->zone_device_err = rgn.zerr;
	in->lacks = (MPF_HAVE_ZONE_DEVICE ? 0 : MPF_LACKS_ZONE_DEVICE) |
		    (MPF_HAVE_ALLOW_ANY_UNCACHED ? 0 : MPF_LACKS_ALLOW_ANY_UNCACHED);
	strscpy(in->region_source, rgn.source, sizeof(in->region_source));
	mutex_unlock(&rgn.lock);
	in->live_buffers = atomic64_read(&live_buffers);
	in->live_pages = atomic64_read(&live_pages);
}

/*
 * KVM maps a read fault writable only when GUP-fast hands it the page for
 * writing, and whether it does for a page without a folio->mapping (ours,
 * from alloc_pages() and vm_insert_page()) changed in mm.  Ask the kernel.
 */
static long mpf_gup_probe(void __user *uarg)
{
	struct mpf_gup_probe p;
	struct page *page;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	p.result = get_user_page_fast_only(p.hva, FOLL_WRITE, &page);
	if (p.result)
		put_page(page);
	return copy_to_user(uarg, &p, sizeof(p)) ? -EFAULT : 0;
}

static long mpf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mpf_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct mpf_config cfg;
	struct mpf_query q;
	struct mpf_info *in;
	int err;

	switch (cmd) {
	case MPF_IOC_CONFIG:
		if (copy_from_user(&cfg, uarg, sizeof(cfg)))
			return -EFAULT;
		err = mpf_check_config(&cfg);
		if (err)
			return err;
		mutex_lock(&f->lock);
		f->cfg = cfg;
		f->configured = true;
		mutex_unlock(&f->lock);
		return 0;
	case MPF_IOC_QUERY:
		mutex_lock(&f->lock);
		q = f->last;
		err = f->mapped ? 0 : -ENODATA;
		mutex_unlock(&f->lock);
		if (err)
			return err;
		return copy_to_user(uarg, &q, sizeof(q)) ? -EFAULT : 0;
	case MPF_IOC_GUP_PROBE:
		return mpf_gup_probe(uarg);
	case MPF_IOC_INFO:
		in = kmalloc(sizeof(*in), GFP_KERNEL);
		if (!in)
			return -ENOMEM;
		mpf_fill_info(in);
		err = copy_to_user(uarg, in, sizeof(*in)) ? -EFAULT : 0;
		kfree(in);
		return err;
	}
	return -ENOTTY;
}

static int mpf_open(struct inode *inode, struct file *file)
{
	struct mpf_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int mpf_release(struct inode *inode, struct file *file)
{
	/* Buffers live on in their VMAs; only the per-file state goes. */
	kfree(file->private_data);
	return 0;
}

static const struct file_operations mpf_fops = {
	.owner = THIS_MODULE,
	.open = mpf_open,
	.release = mpf_release,
	.mmap = mpf_mmap,
	.unlocked_ioctl = mpf_ioctl,
};

static struct miscdevice mpf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MPF_DEVICE_NAME,
	.fops = &mpf_fops,
	.mode = 0600,
};

static int __init mpf_init(void)
{
	int err = mpf_region_init();

	if (err)
		return err;
	err = misc_register(&mpf_misc);
	if (err)
		mpf_region_exit();
	return err;
}

static void __exit mpf_exit(void)
{
	misc_deregister(&mpf_misc);
	/* Open files and VMAs pin the module, so nothing can be live here. */
	WARN_ON(atomic64_read(&live_buffers));
	mpf_region_exit();
}

module_init(mpf_init);
module_exit(mpf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvm-memattr test module: VM_PFNMAP/VM_MIXEDMAP mappings on demand");
