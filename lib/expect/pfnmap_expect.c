// SPDX-License-Identifier: GPL-2.0
/*
 * The memslot and stage-2 rules of Linux 7.3 arch/arm64/kvm/mmu.c and
 * virt/kvm/kvm_main.c as one pure function (SPEC 1.1 rows 2, 11-15, 1.2,
 * 1.3), with the older contracts where env says the kernel has them.
 */
#include <errno.h>
#include <string.h>

#include "pfnmap_expect.h"
#include "util.h"

static void fault(struct km_pfn_expect *e, int err, const char *why)
{
	e->read = e->write = err;
	e->fault_why = why;
	e->s2 = KM_S2_NONE;
	e->exec = e->unaligned = e->s2_writable = e->s2_w_read = e->s2_x_eager = false;
	e->s2_size = 0;
}

/*
 * The leaf size (SPEC 1.3): dirty logging forces pages; a hugetlb VMA maps
 * its huge page where that is a block size, a contiguous-PMD page as PMDs
 * and a contiguous-PTE page as pages (kvm_s2_resolve_vma_size(): a 2 MiB
 * huge page is a PMD with 4 KiB pages, contiguous PTEs with 16 and 64 KiB);
 * anything else is a page unless the host maps a PMD or larger there, then
 * a PMD (transparent_hugepage_adjust() never goes beyond a PMD).  The
 * memslot is assumed to allow the block (fault_supports_stage2_huge_mapping():
 * gpa and hva equally aligned).
 */
static unsigned long long s2_size(const struct km_pfn_props *p, const struct km_env *env,
				  bool logging)
{
	unsigned long long page = km_env_page(env), pmd = km_env_pmd(env);
	unsigned long long pud = pmd * (page / 8);

	if (p->gmem || logging)
		return page;
	if (p->hugetlb && p->host_leaf == pud && page == 4096)
		return pud;	/* PUD blocks: 4 KiB pages only, PMDs fold above */
	return p->host_leaf >= pmd ? pmd : page;
}

/* guest_memfd slots (SPEC 1.1 rows 2 and 11, 1.2 G1, 2.5): gmem_abort(). */
static void gmem_expect(const struct km_pfn_props *p, const struct km_env *env,
			unsigned int flags, struct km_pfn_expect *e)
{
	bool log_dirty = flags & KM_PE_LOG_DIRTY;

	if (log_dirty) {
		e->memslot = -EINVAL;
		e->memslot_why = "1.1 row 2: KVM_MEM_GUEST_MEMFD with KVM_MEM_LOG_DIRTY_PAGES";
	} else if (flags & KM_PE_MTE_VM) {
		e->memslot = -EINVAL;
		e->memslot_why = "1.1 row 11: guest_memfd slot on an MTE VM";
	} else {
		e->memslot_why = "1.1: guest_memfd slot of a GUEST_MEMFD_FLAG_MMAP file";
	}
	e->fault_why = "1.2 G1: gmem_abort maps the folio";
	e->s2 = KM_S2_NORMAL;
	e->s2_writable = e->s2_w_read = true;
	e->exec = e->unaligned = true;
	e->s2_x_eager = env->dic;
	e->s2_size = s2_size(p, env, false);
	e->s2_why = "mmu.c:gmem_abort";
}

void km_pfn_expect(const struct km_pfn_props *p, const struct km_env *env, unsigned int flags,
		   struct km_pfn_expect *e)
{
	bool log_dirty = flags & KM_PE_LOG_DIRTY, mte_vm = flags & KM_PE_MTE_VM;
	/* Before these contracts, see lib/facts/env.h and the file `contracts`. */
	bool gate = km_env_has(env, KM_C_CACHEABLE_PFNMAP);
	bool any_uc = km_env_has(env, KM_C_ALLOW_ANY_UNCACHED);
	bool noncacheable = false, writable;

	memset(e, 0, sizeof(*e));
	/* kvm_supports_cacheable_pfnmap() (kvm_mmu.h) */
	e->cpfn = gate && env->fwb && env->dic;
	if (p->gmem) {
		gmem_expect(p, env, flags, e);
		return;
	}

	/*
	 * kvm_arch_prepare_memory_region(): each VMA, checks in this order; the
	 * walk stops at the first hole, which is accepted (1.1 row 15).
	 */
	if (p->novma) {
		e->memslot_why = "1.1 row 15: a hole with no VMA is accepted";
	} else if (mte_vm && !p->mte_allowed) {
		e->memslot = -EINVAL;
		e->memslot_why = "1.1 row 12: MTE VM and a VMA without VM_MTE_ALLOWED";
	} else if (p->pfnmap && log_dirty) {
		e->memslot = -EINVAL;
		e->memslot_why = "1.1 row 13: VM_PFNMAP with KVM_MEM_LOG_DIRTY_PAGES";
	} else if (p->pfnmap && p->cacheable && gate && !e->cpfn) {
		e->memslot = -EINVAL;
		e->memslot_why = "1.1 row 14: cacheable VM_PFNMAP without FWB && DIC";
		e->contracts |= KM_BIT(KM_C_CACHEABLE_PFNMAP);
	} else if (p->pfnmap && !gate) {
		e->memslot_why = "without the cacheable-pfnmap contract only logging refuses a "
				 "VM_PFNMAP memslot";
		e->contracts |= KM_BIT(KM_C_CACHEABLE_PFNMAP);
	} else if (p->pfnmap) {
		e->memslot_why = p->cacheable ?
			"1.1 row 14: cacheable VM_PFNMAP, FWB && DIC" :
			"1.1 row 14: non-cacheable VM_PFNMAP is never refused";
	} else if (p->mixedmap) {
		e->memslot_why = "1.1 row 15: VM_MIXEDMAP is not checked at memslot time";
	} else {
		e->memslot_why = "1.1: neither VM_PFNMAP nor VM_MIXEDMAP";
	}

	/*
	 * From here on: the first guest access, as if the memslot existed (the
	 * VMA may have been replaced after the memslot was created).
	 * hva_to_pfn(): GUP first; when it fails, only VM_IO|VM_PFNMAP VMAs get
	 * the remapped lookup (follow_pfnmap), everything else is an error pfn.
	 */
	if (p->novma) {
		fault(e, -EFAULT, "1.2: no VMA at the hva (kvm_s2_fault_get_vma_info)");
		return;
	}
	if (!p->gup && !(p->pfnmap || p->io)) {
		fault(e, -EFAULT, "1.2 M2/X1: GUP fails and the VMA is neither VM_IO nor "
				  "VM_PFNMAP (hva_to_pfn: KVM_PFN_ERR_FAULT)");
		return;
	}
	/* GUP with FOLL_WRITE breaks COW; follow_pfnmap only reports pte_write(). */
	writable = p->pte_writable || (p->gup && p->cow);

	/* kvm_s2_fault_pin_pfn(): pfns outside the linear map. */
	if ((p->pfnmap || p->mixedmap) && !p->ram) {
		e->contracts |= KM_BIT(KM_C_CACHEABLE_PFNMAP);
		if (p->cacheable && gate) {
			if (!e->cpfn) {
				fault(e, -EFAULT, "1.2 P3'/M3: cacheable pfn outside the linear "
					"map without FWB && DIC (kvm_s2_fault_pin_pfn)");
				return;
			}
		} else {
			noncacheable = true;
		}
	}
	/* kvm_s2_fault_compute_prot(): MTE VMAs are re-checked at fault time. */
	if (mte_vm && !noncacheable && !p->mte_allowed) {
		fault(e, -EFAULT, "1.2: MTE VM, VMA without VM_MTE_ALLOWED at fault time");
		return;
	}

	e->read = 0;
	e->write = writable ? 0 : -EFAULT;
	e->fault_why = writable ? "1.2: mapped" :
			"1.2 C1: write to a read-only host PTE (KVM_PFN_ERR_RO_FAULT)";
	e->s2_writable = writable;
	/*
	 * kvm_s2_fault_compute_prot(): W iff map_writable && (device ||
	 * !logging || write_fault), device being any pfn outside the linear
	 * map of a VM_PFNMAP/VM_MIXEDMAP VMA (kvm_s2_fault_pin_pfn()).
	 */
	e->s2_w_read = writable && (((p->pfnmap || p->mixedmap) && !p->ram) || !log_dirty);
	/*
	 * A read fault is mapped writable only if GUP-fast takes the page for
	 * writing (hva_to_pfn_fast(), or the slow path's second try); pages
	 * without a mapping it refused before the gup-fast-unmapped contract.
	 */
	if (p->gup && p->no_mapping) {
		e->contracts |= KM_BIT(KM_C_GUP_FAST_UNMAPPED);
		if (!km_env_has(env, KM_C_GUP_FAST_UNMAPPED))
			e->s2_w_read = false;
	}
	if (noncacheable) {
		/* Before VM_ALLOW_ANY_UNCACHED every such pfn mapped Device. */
		e->s2 = p->allow_any_uncached && any_uc ? KM_S2_NORMAL_NC : KM_S2_DEVICE;
		e->contracts |= KM_BIT(KM_C_ALLOW_ANY_UNCACHED);
	} else
		e->s2 = KM_S2_NORMAL;
	/* -ENOEXEC for an exec fault on a non-cacheable mapping: SEA IABT. */
	e->exec = !noncacheable;
	/* Normal is executable from the first fault with DIC, else after an exec fault. */
	e->s2_x_eager = !noncacheable && env->dic;
	/* Normal and Normal-NC permit unaligned accesses; Device does not. */
	e->unaligned = e->s2 != KM_S2_DEVICE;
	e->s2_size = s2_size(p, env, log_dirty);
	e->s2_why = "mmu.c:kvm_s2_fault_pin_pfn, kvm_s2_fault_compute_prot, kvm_s2_fault_map";
}

const char *km_s2type_str(enum km_s2type t)
{
	switch (t) {
	case KM_S2_NORMAL: return "Normal";
	case KM_S2_NORMAL_NC: return "Normal-NC";
	case KM_S2_DEVICE: return "Device-nGnRE";
	default: return "none";
	}
}

bool km_pfn_k1_out_of_scope(const struct km_pfn_props *p, int memslot, int read,
			    bool protected_mode)
{
	return protected_mode && !p->ram && !p->gmem && !memslot && !read;
}
