// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "expect.h"

#define SZ_4K	0x1000ULL	/* Debian arm64 kernels: CONFIG_ARM64_4K_PAGES */
#define SZ_2M	0x200000ULL

/*
 * SPEC 1.2 master table, the columns KVM reads.  MIXEDMAP over ZONE_DEVICE
 * (M3), COW PFNMAP (C1) and secretmem (X1) would be further lines.
 */
static const struct km_backing_desc km_backings[KM_BK_NR] = {
	[KM_BK_ANON] = { "anon", "ANON", "A1", KM_VMA_PLAIN, .pfn_ram = true, .gup = true,
			 .cacheable = true, .host_block = SZ_4K },
	[KM_BK_THP] = { "thp", "THP", "A1", KM_VMA_PLAIN, .pfn_ram = true, .gup = true,
			.cacheable = true, .host_block = SZ_2M },
	[KM_BK_HUGETLB] = { "hugetlb", "HUGETLB", "A1", KM_VMA_PLAIN, .pfn_ram = true,
			    .gup = true, .cacheable = true, .hugetlb = true,
			    .host_block = SZ_2M },
	[KM_BK_GMEM] = { "gmem", "GMEM", "G1", KM_VMA_GMEM, .pfn_ram = true, .gup = true,
			 .cacheable = true, .host_block = SZ_4K },
	[KM_BK_PFNMAP_RAM] = { "pfnmap_ram", "PFNRAM", "P1", KM_VMA_PFNMAP, .pfn_ram = true,
			       .gup = true, .cacheable = true, .host_block = SZ_4K },
	[KM_BK_PFNMAP_RAM_NC] = { "pfnmap_ram_nc", "PFNRAMNC", "P2", KM_VMA_PFNMAP,
				  .pfn_ram = true, .gup = true, .host_block = SZ_4K },
	[KM_BK_PFNMAP_IO] = { "pfnmap_io", "PFNIO", "P3", KM_VMA_PFNMAP, .gup = true,
			      .cacheable = true, .host_block = SZ_4K },
	[KM_BK_PFNMAP_IO_NC] = { "pfnmap_io_nc", "PFNIONC", "P4", KM_VMA_PFNMAP, .gup = true,
				 .allow_any_uncached = true, .host_block = SZ_4K },
	[KM_BK_PFNMAP_IO_DEV] = { "pfnmap_io_dev", "PFNIODEV", "P5", KM_VMA_PFNMAP,
				  .gup = true, .host_block = SZ_4K },
	[KM_BK_MIXEDMAP_RAM] = { "mixedmap_ram", "MIXRAM", "M1", KM_VMA_MIXEDMAP,
				 .pfn_ram = true, .gup = true, .cacheable = true,
				 .host_block = SZ_4K },
	[KM_BK_MIXEDMAP_SPECIAL] = { "mixedmap_special", "MIXSPECIAL", "M2", KM_VMA_MIXEDMAP,
				     .cacheable = true, .host_block = SZ_4K },
};

const struct km_backing_desc *km_backing_desc(enum km_backing b)
{
	return (unsigned int)b < KM_BK_NR ? &km_backings[b] : NULL;
}

bool km_s1attr_is_device(unsigned int s1attr)
{
	return s1attr == KM_ATTR_DEVICE_nGnRnE || s1attr == KM_ATTR_DEVICE_nGnRE;
}

/* The stage-2 part: SPEC 1.2 (memtype, W, X) and 1.3 (size). */
static void km_expect_s2(const struct km_backing_desc *d, const struct km_hw *hw,
			 struct km_expect *e)
{
	bool cpfn = hw->fwb && hw->dic;	/* kvm_supports_cacheable_pfnmap() */
	bool special = d->vma == KM_VMA_PFNMAP || d->vma == KM_VMA_MIXEDMAP;

	e->src = d->vma == KM_VMA_GMEM ? "mmu.c:gmem_abort" :
		 "mmu.c:kvm_s2_fault_pin_pfn, kvm_s2_fault_compute_prot, kvm_s2_fault_map";
	/* kvm_arch_prepare_memory_region(): cacheable PFNMAP needs FWB+DIC. */
	if (d->vma == KM_VMA_PFNMAP && d->cacheable && !cpfn) {
		e->slot_err = -EINVAL;
		e->src = "mmu.c:kvm_arch_prepare_memory_region";
		return;
	}
	/* hva_to_pfn() resolves only VM_IO|VM_PFNMAP special PTEs. */
	if (!d->gup) {
		e->first_err = -EFAULT;
		e->src = "kvm_main.c:hva_to_pfn";
		return;
	}
	/* Cacheable non-RAM that only a fault can see (MIXEDMAP). */
	if (special && !d->pfn_ram && d->cacheable && !cpfn) {
		e->first_err = -EFAULT;
		e->src = "mmu.c:kvm_s2_fault_pin_pfn";
		return;
	}

	if (special && !d->pfn_ram && !d->cacheable)
		e->mt = d->allow_any_uncached ? KM_MT_NORMAL_NC : KM_MT_DEVICE;
	else
		e->mt = KM_MT_NORMAL;	/* RAM, or cacheable non-RAM with CPFN */
	e->w = true;			/* every backing here is a writable VMA */

	if (d->vma == KM_VMA_GMEM)
		e->size = SZ_4K;	/* gmem_abort maps PAGE_SIZE */
	else if (d->hugetlb)
		e->size = d->host_block;	/* the VMA's huge page size */
	else			/* transparent_hugepage_adjust(): PMD at most */
		e->size = d->host_block >= SZ_2M ? SZ_2M : SZ_4K;
}

static void km_expect_guest(unsigned int s1attr, enum km_access acc, const struct km_hw *hw,
			    struct km_expect *e)
{
	bool s1dev = km_s1attr_is_device(s1attr);

	switch (acc) {
	case KM_ACC_LOAD:
		e->guest = KM_OUT_BIT(KM_OUT_OK);
		e->guest_why = "aligned loads complete on every memory type";
		return;
	case KM_ACC_EXEC:
		if (s1dev) {
			e->guest = KM_OUT_ALL;
			e->guest_why = "the suite encodes no Arm ARM rule for "
				       "instruction fetch from a stage-1 Device mapping";
		} else if (e->mt == KM_MT_NORMAL) {
			e->guest = KM_OUT_BIT(KM_OUT_OK);
			e->guest_why = "stage-2 Normal is executable: KVM grants X on the exec "
				       "fault, or eagerly with DIC";
		} else {
			e->guest = KM_OUT_BIT(KM_OUT_IABT_SEA);
			e->guest_why = "KVM never maps NC/Device executable: the exec fault "
				       "returns -ENOEXEC and KVM injects an SEA instruction abort "
				       "(kvm_s2_fault_compute_prot, kvm_handle_guest_abort)";
		}
		return;
	case KM_ACC_LOAD_UNALIGNED:
	case KM_ACC_DC_ZVA:
		break;
	default:
		return;
	}

	/* Unaligned load and DC ZVA: faults caused by a Device memory type. */
	if (s1dev && hw->fwb && e->mt == KM_MT_NORMAL) {
		e->guest = KM_OUT_ALL;
		e->guest_why = "FWB makes stage 2 force Normal-WB "
			       "(MT_S2_FWB_NORMAL; R_VRJSW/R_RHWZM cited in asm/memory.h), and "
			       "the suite encodes no Arm ARM rule on whether the stage-1 "
			       "Device type still raises the alignment fault";
		return;
	}
	if (s1dev && e->mt == KM_MT_DEVICE) {
		e->guest = KM_OUT_BIT(KM_OUT_EL1_ALIGN) | KM_OUT_BIT(KM_OUT_RUN_EFAULT);
		e->guest_why = "both stages Device: an alignment fault, reported at stage 1 "
			       "(EL1) or stage 2 (KVM_RUN EFAULT); the stage is not asserted";
	} else if (s1dev) {
		/* No FWB: the combined type is the stage-1 Device; FWB NC keeps it. */
		e->guest = KM_OUT_BIT(KM_OUT_EL1_ALIGN);
		e->guest_why = acc == KM_ACC_DC_ZVA ?
			"DC ZVA to Device memory (here from stage 1) takes an alignment fault "
			"at stage 1: EC 0x25, DFSC 0x21 at EL1" :
			"an unaligned access to Device memory (here from stage 1) takes an "
			"alignment fault at stage 1: EC 0x25, DFSC 0x21 at EL1";
	} else if (e->mt == KM_MT_DEVICE) {
		e->guest = KM_OUT_BIT(KM_OUT_RUN_EFAULT);
		e->guest_why = "the alignment fault of stage-2 Device memory goes to EL2; KVM "
			       "rejects its FSC (kvm_handle_guest_abort: \"Unsupported FSC\") and "
			       "KVM_RUN fails EFAULT";
	} else {
		e->guest = KM_OUT_BIT(KM_OUT_OK);
		e->guest_why = acc == KM_ACC_DC_ZVA ?
			"DC ZVA zeroes Normal and Normal-NC memory" :
			"Normal and Normal-NC memory permit unaligned accesses (SCTLR_EL1.A=0)";
	}
	/* QEMU applies the Device alignment check to loads/stores, not DC ZVA. */
	if (acc == KM_ACC_DC_ZVA) {
		e->tcg_unmodelled = true;
		e->tcg_why = "QEMU TCG does not model the alignment fault DC ZVA takes on "
			     "Device memory (it zeroes the block)";
	}
	if (e->guest == KM_OUT_BIT(KM_OUT_OK))
		e->tcg_unmodelled = false;
}

int km_expect(enum km_backing b, unsigned int s1attr, enum km_access acc,
	      const struct km_hw *hw, struct km_expect *e)
{
	const struct km_backing_desc *d = km_backing_desc(b);

	memset(e, 0, sizeof(*e));
	if (!d || s1attr > KM_ATTR_NORMAL_WB || (unsigned int)acc >= KM_ACC_NR)
		return -EINVAL;
	km_expect_s2(d, hw, e);
	if (e->slot_err) {
		e->guest = 0;
		e->guest_why = "the memslot is refused";
		return 0;
	}
	if (e->first_err) {
		e->guest = KM_OUT_BIT(KM_OUT_RUN_EFAULT);
		e->guest_why = "KVM cannot resolve the pfn: the first access fails KVM_RUN";
		return 0;
	}
	km_expect_guest(s1attr, acc, hw, e);

	/* X: never on NC/Device; eagerly with DIC; else after an exec fault. */
	if (e->mt != KM_MT_NORMAL)
		e->x = KM_TRI_NO;
	else if (hw->dic)
		e->x = KM_TRI_YES;
	else if (acc != KM_ACC_EXEC)
		e->x = KM_TRI_NO;
	else
		e->x = e->guest == KM_OUT_BIT(KM_OUT_OK) ? KM_TRI_YES : KM_TRI_ANY;
	return 0;
}

unsigned int km_infer_memtypes(unsigned int s1attr, enum km_access acc, enum km_outcome obs,
			       const struct km_hw *hw)
{
	unsigned int s1fault = km_s1attr_is_device(s1attr) ? KM_MT_SET_ANY : 0;

	switch (acc) {
	case KM_ACC_LOAD:
		return obs == KM_OUT_OK ? KM_MT_SET_ANY : 0;
	case KM_ACC_LOAD_UNALIGNED:
	case KM_ACC_DC_ZVA:
		switch (obs) {
		case KM_OUT_OK:
			/* QEMU's DC ZVA never faults: no information. */
			return acc == KM_ACC_DC_ZVA && hw->tcg ? KM_MT_SET_ANY :
			       KM_MT_SET_NOT_DEVICE;
		case KM_OUT_RUN_EFAULT:
			return KM_MT_BIT(KM_MT_DEVICE);
		case KM_OUT_EL1_ALIGN:
			return s1fault;
		default:
			return 0;
		}
	case KM_ACC_EXEC:
		switch (obs) {
		case KM_OUT_OK:
			return KM_MT_BIT(KM_MT_NORMAL);
		case KM_OUT_IABT_SEA:
			return KM_MT_SET_UNCACHED;
		default:
			return s1fault;
		}
	default:
		return 0;
	}
}

enum km_outcome km_outcome_classify(int run_errno, bool exc, u64 esr)
{
	unsigned int ec = (esr >> 26) & 0x3f, fsc = esr & 0x3f;

	if (run_errno)
		return run_errno == EFAULT ? KM_OUT_RUN_EFAULT : KM_OUT_OTHER;
	if (!exc)
		return KM_OUT_OK;
	if (ec == 0x25 && fsc == 0x21)
		return KM_OUT_EL1_ALIGN;
	if (ec == 0x21 && fsc == 0x10)
		return KM_OUT_IABT_SEA;
	return KM_OUT_OTHER;
}

const char *km_outcome_str(enum km_outcome o)
{
	static const char *const s[KM_OUT_NR] = {
		[KM_OUT_OK] = "completes",
		[KM_OUT_EL1_ALIGN] = "EL1 alignment fault (EC 0x25 DFSC 0x21)",
		[KM_OUT_IABT_SEA] = "injected SEA instruction abort (EC 0x21 IFSC 0x10)",
		[KM_OUT_RUN_EFAULT] = "KVM_RUN EFAULT",
		[KM_OUT_OTHER] = "another outcome",
	};

	return (unsigned int)o < KM_OUT_NR ? s[o] : "?";
}

const char *km_outset_str(unsigned int set, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int o;

	if (set == KM_OUT_ALL) {
		snprintf(buf, len, "anything (not asserted)");
		return buf;
	}
	buf[0] = 0;
	for (o = 0; o < KM_OUT_NR && off < len; o++)
		if (set & KM_OUT_BIT(o))
			off += snprintf(buf + off, len - off, "%s%s", off ? " or " : "",
					km_outcome_str(o));
	if (!off)
		snprintf(buf, len, "nothing");
	return buf;
}

const char *km_access_str(enum km_access acc)
{
	switch (acc) {
	case KM_ACC_LOAD: return "aligned load";
	case KM_ACC_LOAD_UNALIGNED: return "unaligned load";
	case KM_ACC_EXEC: return "instruction fetch";
	case KM_ACC_DC_ZVA: return "DC ZVA";
	default: return "?";
	}
}

const char *km_s1attr_str(unsigned int s1attr)
{
	switch (s1attr) {
	case KM_ATTR_DEVICE_nGnRnE: return "Device-nGnRnE";
	case KM_ATTR_DEVICE_nGnRE: return "Device-nGnRE";
	case KM_ATTR_NORMAL_NC: return "Normal-NC";
	case KM_ATTR_NORMAL_WB: return "Normal-WB";
	default: return "?";
	}
}
