// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "expect.h"

#define SZ_2M	0x200000ULL

/*
 * SPEC 1.2 master table: the VMA and pfn KVM finds behind each backing.
 * remap_pfn_range() sets VM_IO|VM_PFNMAP and makes special PTEs GUP cannot
 * take (KVM resolves them with follow_pfnmap()); vm_insert_page() makes
 * normal PTEs of struct pages GUP takes; vmf_insert_mixed() of a pfn makes a
 * special PTE in a VM_MIXEDMAP VMA without VM_IO.  COW PFNMAP (C1) and
 * secretmem (X1) would be further lines.
 */
#define RAM_VMA		.ram = true, .gup = true, .cacheable = true, .pte_writable = true
#define REMAP_VMA	.pfnmap = true, .io = true, .pte_writable = true
#define ZDEV_VMA	.mixedmap = true, .gup = true, .pte_writable = true, .no_mapping = true

static const struct km_backing_desc km_backings[KM_BK_NR] = {
	[KM_BK_ANON] = { "anon", "ANON", "A1", { RAM_VMA, .mte_allowed = true } },
	[KM_BK_THP] = { "thp", "THP", "A1", { RAM_VMA, .mte_allowed = true,
					    .host_leaf = KM_HOST_LEAF_PMD } },
	[KM_BK_HUGETLB] = { "hugetlb", "HUGETLB", "A1", { RAM_VMA, .mte_allowed = true,
							.hugetlb = true, .host_leaf = SZ_2M } },
	[KM_BK_GMEM] = { "gmem", "GMEM", "G1", { RAM_VMA, .gmem = true } },
	[KM_BK_PFNMAP_RAM] = { "pfnmap_ram", "PFNRAM", "P1",
			       { REMAP_VMA, .ram = true, .cacheable = true } },
	[KM_BK_PFNMAP_RAM_NC] = { "pfnmap_ram_nc", "PFNRAMNC", "P2", { REMAP_VMA, .ram = true } },
	[KM_BK_PFNMAP_IO] = { "pfnmap_io", "PFNIO", "P3", { REMAP_VMA, .cacheable = true } },
	[KM_BK_PFNMAP_IO_NC] = { "pfnmap_io_nc", "PFNIONC", "P4",
				 { REMAP_VMA, .allow_any_uncached = true } },
	[KM_BK_PFNMAP_IO_DEV] = { "pfnmap_io_dev", "PFNIODEV", "P5", { REMAP_VMA } },
	[KM_BK_MIXEDMAP_RAM] = { "mixedmap_ram", "MIXRAM", "M1",
				 { RAM_VMA, .mixedmap = true, .no_mapping = true } },
	[KM_BK_MIXEDMAP_SPECIAL] = { "mixedmap_special", "MIXSPECIAL", "M2",
				     { .mixedmap = true, .cacheable = true,
				       .pte_writable = true } },
	[KM_BK_MIXEDMAP_ZDEV] = { "mixedmap_zdev", "MIXZDEV", "M3",
				  { ZDEV_VMA, .cacheable = true } },
	[KM_BK_MIXEDMAP_ZDEV_NC] = { "mixedmap_zdev_nc", "MIXZDEVNC", "M3",
				     { ZDEV_VMA, .allow_any_uncached = true } },
	[KM_BK_MIXEDMAP_ZDEV_DEV] = { "mixedmap_zdev_dev", "MIXZDEVDEV", "M3", { ZDEV_VMA } },
};

const struct km_backing_desc *km_backing_desc(enum km_backing b)
{
	return (unsigned int)b < KM_BK_NR ? &km_backings[b] : NULL;
}

bool km_s1attr_is_device(unsigned int s1attr)
{
	return s1attr == KM_ATTR_DEVICE_nGnRnE || s1attr == KM_ATTR_DEVICE_nGnRE;
}

enum km_memtype km_memtype_of(enum km_s2type t)
{
	switch (t) {
	case KM_S2_NORMAL: return KM_MT_NORMAL;
	case KM_S2_NORMAL_NC: return KM_MT_NORMAL_NC;
	case KM_S2_DEVICE: return KM_MT_DEVICE;
	default: return KM_MT_NONE;
	}
}

/* The stage-2 part, from km_pfn_expect(): the memslot, the first fault, the leaf. */
static void km_expect_s2(const struct km_backing_desc *d, const struct km_env *env,
			 struct km_expect *e, struct km_pfn_expect *pe)
{
	km_pfn_expect(&d->vma, env, 0, pe);
	e->src = pe->s2_why;
	e->contracts = pe->contracts;
	if (pe->memslot) {
		e->slot_err = pe->memslot;
		e->src = "mmu.c:kvm_arch_prepare_memory_region";
		return;
	}
	if (pe->read) {
		e->first_err = pe->read;
		e->src = d->vma.gup ? "mmu.c:kvm_s2_fault_pin_pfn" : "kvm_main.c:hva_to_pfn";
		return;
	}
	e->mt = km_memtype_of(pe->s2);
	e->w = pe->s2_w_read;
	e->w_on_write = pe->s2_writable;
	e->size = pe->s2_size;
}

static void km_expect_guest(unsigned int s1attr, enum km_access acc, const struct km_env *env,
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
	if (s1dev && env->fwb && e->mt == KM_MT_NORMAL) {
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
	      const struct km_env *env, struct km_expect *e)
{
	const struct km_backing_desc *d = km_backing_desc(b);
	struct km_pfn_expect pe;

	memset(e, 0, sizeof(*e));
	if (!d || s1attr > KM_ATTR_NORMAL_WB || (unsigned int)acc >= KM_ACC_NR)
		return -EINVAL;
	km_expect_s2(d, env, e, &pe);
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
	km_expect_guest(s1attr, acc, env, e);

	/*
	 * X (km_pfn_expect()): from the first fault, or never, or after an
	 * exec fault, which a fetch through a stage-1 Device mapping may not
	 * reach (the guest's result says whether it did).
	 */
	if (pe.s2_x_eager)
		e->x = KM_TRI_YES;
	else if (!pe.exec || acc != KM_ACC_EXEC)
		e->x = KM_TRI_NO;
	else
		e->x = e->guest == KM_OUT_BIT(KM_OUT_OK) ? KM_TRI_YES : KM_TRI_ANY;
	return 0;
}

unsigned int km_infer_memtypes(unsigned int s1attr, enum km_access acc, enum km_outcome obs,
			       const struct km_env *env)
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
			return acc == KM_ACC_DC_ZVA && env->tcg ? KM_MT_SET_ANY :
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
	unsigned int ec = KM_ESR_EC(esr), fsc = KM_ESR_FSC(esr);

	if (run_errno)
		return run_errno == EFAULT ? KM_OUT_RUN_EFAULT : KM_OUT_OTHER;
	if (!exc)
		return KM_OUT_OK;
	if (ec == KM_EC_DABT_CUR && fsc == KM_FSC_ALIGN)
		return KM_OUT_EL1_ALIGN;
	if (ec == KM_EC_IABT_CUR && fsc == KM_FSC_EXTABT)
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
