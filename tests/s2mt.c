// SPDX-License-Identifier: GPL-2.0
/*
 * The stage-1 x stage-2 memory-attribute matrix: for each memslot backing x
 * the guest's stage-1 attribute (Normal-WB, Normal-NC, Device-nGnRE,
 * Device-nGnRnE) x an access (aligned load, unaligned load, instruction
 * fetch, DC ZVA), one rule-ID'd case S2MT-<BACKING>-NN.
 *
 * Each case asks km_expect() (lib/expect/expect.c, a function of the hardware facts
 * only) what must happen, then checks it with three independent oracles:
 *   - the tracer (lib/oracle/s2trace.h): the stage-2 mapping KVM asked for at the
 *     accessed IPA: memory type, R/W/X, page or block;
 *   - the descriptor (lib/oracle/s2desc_kmod.c, kmod/memattr_s2desc): the leaf KVM
 *     actually installed, decoded per the Arm ARM: the exact MemAttr for the
 *     host's FWB, S2AP, XN, SH, AF, leaf size, output address; and the
 *     memory type the guest's stage-1 attribute combines with it to;
 *   - the architecture: what the guest (agent) or KVM_RUN observed;
 * and finally that they agree: the traced and the installed leaf are the
 * same, and both memory types are ones the guest's observation allows
 * (km_infer_memtypes()), as is the observation one the combined type allows
 * (km_effective_outcomes()).  A missing stage-2 oracle is a "#" note; with
 * neither the cell skips, the guest-visible result checked.
 *
 * Every access follows an aligned "prime" load of the same page through a
 * second, Normal-WB, stage-1 alias, so the stage-2 mapping exists before the
 * access under test (and a later exec fault exercises
 * kvm_pgtable_stage2_relax_perms()), while the access under test is the
 * first through its own stage-1 mapping.  The latter matters under QEMU TCG:
 * QEMU checks the alignment a stage-1 Device type requires while it walks
 * the tables, and the stage-2 walk of a Normal page drops that check from
 * the TLB entry it fills, so an unaligned access through a TLB entry an
 * earlier access made completes (measured with QEMU 10.0.2: it does on
 * -cpu neoverse-n1, a CPU without FWB, where the architecture requires the
 * stage-1 alignment fault).
 *
 * Rows: SPEC 1.2 master table A1 (anon, THP, hugetlb), G1 (guest_memfd),
 * and the PFNMAP/MIXEDMAP rows P1-P5, M1, M2 and M3 (cacheable, Normal-NC,
 * Device) over the test module (km_mem_create(), lib/mem/pfnmap.c), whose VMA
 * must be exactly the row's.  Where KVM refuses the row's memslot on this
 * host (cacheable PFNMAP without FWB && DIC) each cell asserts the refusal;
 * where it cannot resolve the pfn (M2; M3 cacheable without FWB && DIC) the
 * first access must fail KVM_RUN with EFAULT and leave nothing mapped.
 *
 * The host writes the accessed page with aligned 64-bit stores only (it may
 * be Device memory), and for module memory it writes back the very words
 * the module filled it with (pa ^ MPF_FILL_XOR), bar the code: what the
 * guest reads then proves it sees that pfn, and a host alias with another
 * memory type than the guest's (P2) holds nothing the guest could miss.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "agent.h"
#include "backing.h"
#include "expect.h"
#include "facts.h"
#include "s2desc_kmod.h"
#include "s2trace.h"

#define MT_SLOT		1
#define MT_IPA		KM_TEST_IPA	/* 2 GiB aligned: any PMD block fits */
#define MT_VA		MT_IPA
#define MT_ALIAS_VA	0xc0000000ULL	/* Normal-WB alias, for the prime load */
#define MT_BLOCK_SIZE	0x200000ULL	/* hugetlb: one huge page; THP: km_thp_size() */
#define MT_SMALL_SIZE	0x10000ULL	/* the rest: fewer pages to populate (one at 64 KiB) */
#define MT_OFF		0x3000ULL	/* the page every access goes to */
#define MT_PAGE		0x1000ULL
#define MT_UNALIGNED	0x101ULL	/* offset of the unaligned load in it */
#define MT_ZVA		0x800ULL	/* DC ZVA target: aligned to any ZVA block */
#define MT_EXEC_IMM	0x5a5

/* Byte i of plain backings, so any (unaligned) window has a known value. */
static u8 mt_byte(u64 i)
{
	return (u8)(i * 7 + 13);
}

/* What the host wrote at offset off (< MT_PAGE - 8) of the accessed page. */
static u64 mt_want_u64(const u8 *page, u64 off)
{
	u64 v;

	memcpy(&v, page + off, sizeof(v));
	return v;
}

/* The ZVA block size in bytes: DCZID_EL0 is readable at EL0. */
static u64 mt_zva_block(void)
{
	u64 dczid = 4;	/* BS=4: 64 bytes, if it cannot be read */

#ifdef __aarch64__
	asm volatile("mrs %0, dczid_el0" : "=r"(dczid));
#endif
	return 4ULL << (dczid & 0xf);
}

FIXTURE(s2mt) {
	struct km_agent a;
	struct km_mem m;
	struct km_s2trace tr;
	const struct km_env *env;
	struct km_expect e;
	bool agent_up, slot_refused;
	u8 page[MT_PAGE];	/* what the host wrote to the accessed page */
};

FIXTURE_VARIANT(s2mt) {
	KM_VARIANT_RULE;
	enum km_backing backing;
	unsigned int s1;
	enum km_access acc;
};

/* ---- The table.  Summary = backing, stage-1 attribute, access: result. ---- */

/* Rule infixes (km_backing_desc()->id) of the backings whose enum name differs. */
#define KM_BK_PFNRAM		KM_BK_PFNMAP_RAM
#define KM_BK_PFNRAMNC		KM_BK_PFNMAP_RAM_NC
#define KM_BK_PFNIO		KM_BK_PFNMAP_IO
#define KM_BK_PFNIONC		KM_BK_PFNMAP_IO_NC
#define KM_BK_PFNIODEV		KM_BK_PFNMAP_IO_DEV
#define KM_BK_MIXRAM		KM_BK_MIXEDMAP_RAM
#define KM_BK_MIXSPECIAL	KM_BK_MIXEDMAP_SPECIAL
#define KM_BK_MIXZDEV		KM_BK_MIXEDMAP_ZDEV
#define KM_BK_MIXZDEVNC		KM_BK_MIXEDMAP_ZDEV_NC
#define KM_BK_MIXZDEVDEV	KM_BK_MIXEDMAP_ZDEV_DEV

#define BK_DESC_ANON	"anonymous memslot (base pages)"
#define BK_DESC_THP	"anonymous memslot on a transparent huge page (a PMD: " KM_THP_TEXT ")"
#define BK_DESC_HUGETLB	"hugetlb memslot (2 MiB pages)"
#define BK_DESC_GMEM	"guest_memfd memslot (MMAP|INIT_SHARED)"
#define BK_DESC_PFNRAM	"cacheable remap_pfn_range() PFNMAP of RAM (P1)"
#define BK_DESC_PFNRAMNC "write-combine remap_pfn_range() PFNMAP of RAM (P2)"
#define BK_DESC_PFNIO	"cacheable remap_pfn_range() PFNMAP outside the linear map (P3)"
#define BK_DESC_PFNIONC	"write-combine PFNMAP outside the linear map with " \
			"VM_ALLOW_ANY_UNCACHED (P4)"
#define BK_DESC_PFNIODEV "pgprot_device() PFNMAP outside the linear map (P5)"
#define BK_DESC_MIXRAM	"vm_insert_page() MIXEDMAP of RAM pages (M1)"
#define BK_DESC_MIXSPECIAL "vmf_insert_mixed() MIXEDMAP of a pfn without struct page (M2)"
#define BK_DESC_MIXZDEV	"cacheable vm_insert_page() MIXEDMAP of ZONE_DEVICE pages (M3)"
#define BK_DESC_MIXZDEVNC "write-combine MIXEDMAP of ZONE_DEVICE pages with " \
			  "VM_ALLOW_ANY_UNCACHED (M3)"
#define BK_DESC_MIXZDEVDEV "pgprot_device() MIXEDMAP of ZONE_DEVICE pages (M3)"

#define BK_S2_ANON	"stage 2 is Normal R/W, a 4 KiB page, X with DIC or after an exec fault"
#define BK_S2_THP	"stage 2 is Normal R/W, a PMD block, X with DIC or after an exec fault"
#define BK_S2_HUGETLB	"stage 2 is Normal R/W, a 2 MiB block, X with DIC or after an exec fault"
#define BK_S2_GMEM	BK_S2_ANON
#define BK_S2_CPFN	"without FWB && DIC KVM_SET_USER_MEMORY_REGION2 fails EINVAL; with " \
			"them " BK_S2_ANON
#define BK_S2_PFNRAM	BK_S2_CPFN
#define BK_S2_PFNRAMNC	"the VMA's attribute is ignored for RAM: " BK_S2_ANON
#define BK_S2_PFNIO	BK_S2_CPFN
#define BK_S2_NC	"stage 2 is Normal-NC R/W, a 4 KiB page, never X"
#define BK_S2_DEV	"stage 2 is Device-nGnRE R/W, a 4 KiB page, never X"
#define BK_S2_PFNIONC	BK_S2_NC
#define BK_S2_PFNIODEV	BK_S2_DEV
#define BK_S2_MIXRAM	"MIXEDMAP is not checked at memslot time; " BK_S2_ANON
#define BK_S2_MIXSPECIAL "the memslot is accepted, nothing is mapped"
#define BK_S2_MIXZDEV	"without FWB && DIC the first access fails KVM_RUN EFAULT; with " \
			"them " BK_S2_ANON
#define BK_S2_MIXZDEVNC	BK_S2_NC
#define BK_S2_MIXZDEVDEV BK_S2_DEV

#define BK_REF_ANON	"mmu.c:kvm_s2_fault_compute_prot, kvm_s2_fault_map (SPEC 1.2 A1)"
#define BK_REF_THP	"mmu.c:kvm_s2_fault_map, transparent_hugepage_adjust (SPEC 1.2 A1, 1.3)"
#define BK_REF_HUGETLB	"mmu.c:kvm_s2_resolve_vma_size, kvm_s2_fault_map (SPEC 1.2 A1, 1.3)"
#define BK_REF_GMEM	"mmu.c:gmem_abort (SPEC 1.2 G1, 2.5)"
#define BK_REF_CPFN(row) "mmu.c:kvm_arch_prepare_memory_region (kvm_supports_cacheable_" \
			 "pfnmap), kvm_s2_fault_pin_pfn, kvm_s2_fault_compute_prot (SPEC 1.1 " \
			 "row 14, 1.2 " row ")"
#define BK_REF_PIN(row)	"mmu.c:kvm_s2_fault_pin_pfn, kvm_s2_fault_compute_prot (SPEC 1.2 " \
			row ")"
#define BK_REF_PFNRAM	BK_REF_CPFN("P1")
#define BK_REF_PFNRAMNC	BK_REF_PIN("P2")
#define BK_REF_PFNIO	BK_REF_CPFN("P3")
#define BK_REF_PFNIONC	BK_REF_PIN("P4")
#define BK_REF_PFNIODEV	BK_REF_PIN("P5")
#define BK_REF_MIXRAM	BK_REF_PIN("M1")
#define BK_REF_MIXSPECIAL "kvm_main.c:hva_to_pfn (no remapped lookup without VM_IO|VM_PFNMAP; " \
			  "SPEC 1.2 M2)"
#define BK_REF_MIXZDEV	BK_REF_PIN("M3")
#define BK_REF_MIXZDEVNC BK_REF_PIN("M3")
#define BK_REF_MIXZDEVDEV BK_REF_PIN("M3")

#define TRACER_PREREQ	"a stage-2 oracle (root, not pKVM): the tracer (tracefs kprobes " \
			"on kvm_pgtable_stage2_map) or the descriptor reader (make kmod; " \
			"/dev/memattr_s2desc)"
#define BK_PRE_ANON	TRACER_PREREQ
#define BK_PRE_THP	"THP for a PMD-aligned MADV_HUGEPAGE region of one PMD " \
			"(" KM_THP_TEXT "); " TRACER_PREREQ
#define BK_PRE_HUGETLB	"a free 2 MiB huge page (nr_hugepages is raised if needed); " \
			TRACER_PREREQ
#define BK_PRE_GMEM	"KVM_CAP_GUEST_MEMFD_FLAGS has MMAP|INIT_SHARED; " TRACER_PREREQ
#define KMOD_PREREQ	"the test module (make kmod; /dev/memattr_pfnmap)"
#define NONLINEAR_PREREQ KMOD_PREREQ " with memory outside the linear map (QEMU: mem= " \
			 "below the RAM size, as run_tests.sh does)"
#define ZDEV_PREREQ	NONLINEAR_PREREQ " turned into ZONE_DEVICE (memremap_pages)"
#define BK_PRE_PFNRAM	KMOD_PREREQ "; " TRACER_PREREQ
#define BK_PRE_PFNRAMNC	BK_PRE_PFNRAM
#define BK_PRE_PFNIO	NONLINEAR_PREREQ "; " TRACER_PREREQ
#define BK_PRE_PFNIONC	BK_PRE_PFNIO
#define BK_PRE_PFNIODEV	BK_PRE_PFNIO
#define BK_PRE_MIXRAM	BK_PRE_PFNRAM
#define BK_PRE_MIXSPECIAL BK_PRE_PFNIO
#define BK_PRE_MIXZDEV	ZDEV_PREREQ "; " TRACER_PREREQ
#define BK_PRE_MIXZDEVNC BK_PRE_MIXZDEV
#define BK_PRE_MIXZDEVDEV BK_PRE_MIXZDEV

#define AT_DESC_wb	"stage-1 Normal-WB"
#define AT_DESC_nc	"stage-1 Normal-NC"
#define AT_DESC_dev	"stage-1 Device-nGnRE"
#define AT_DESC_devnr	"stage-1 Device-nGnRnE"
#define AT_wb		KM_ATTR_NORMAL_WB
#define AT_nc		KM_ATTR_NORMAL_NC
#define AT_dev		KM_ATTR_DEVICE_nGnRE
#define AT_devnr	KM_ATTR_DEVICE_nGnRnE

#define AC_DESC_load		"aligned load"
#define AC_DESC_unaligned	"unaligned load"
#define AC_DESC_exec		"instruction fetch"
#define AC_DESC_dczva		"DC ZVA"
#define AC_load			KM_ACC_LOAD
#define AC_unaligned		KM_ACC_LOAD_UNALIGNED
#define AC_exec			KM_ACC_EXEC
#define AC_dczva		KM_ACC_DC_ZVA

/* Guest-visible results on stage-2 Normal, by stage-1 class and access. */
#define R_norm_load	"the load returns the host's data"
#define R_norm_unaligned "the load returns the host's bytes (Normal permits unaligned access)"
#define R_norm_exec	"the host-written code runs"
#define R_norm_dczva	"DC ZVA zeroes the block"
#define R_dev_load	R_norm_load
#define R_dev_unaligned	"without FWB a stage-1 alignment fault (EC 0x25 DFSC 0x21); " \
			"with FWB not asserted"
#define R_dev_exec	"the guest's result is not asserted"
#define R_dev_dczva	"without FWB a stage-1 alignment fault (EC 0x25 DFSC 0x21, " \
			"not modelled by QEMU TCG); with FWB not asserted"

#define GREF_norm_load		"agent LDR"
#define GREF_norm_unaligned	"Arm ARM: Normal memory permits unaligned LDR (SCTLR_EL1.A=0)"
#define GREF_norm_exec		"mmu.c:kvm_s2_fault_compute_prot (X on the exec fault or DIC)"
#define GREF_norm_dczva		"Arm ARM: DC ZVA zeroes the DCZID_EL0.BS block"
#define GREF_dev_load		"agent LDR"
#define GREF_dev_unaligned	"Arm ARM: an unaligned access to Device memory takes an " \
				"alignment fault, here from the stage-1 type"
#define GREF_dev_exec		"mmu.c:kvm_s2_fault_compute_prot (stage-2 part)"
#define GREF_dev_dczva		"Arm ARM: DC ZVA to Device memory takes an alignment fault"

#define TCG_norm_load		"yes"
#define TCG_norm_unaligned	"yes"
#define TCG_norm_exec		"yes"
#define TCG_norm_dczva		"yes"
#define TCG_dev_load		"yes"
#define TCG_dev_unaligned	"yes (QEMU >= 9.0 models Device alignment faults)"
#define TCG_dev_exec		"yes (stage-2 part only)"
#define TCG_dev_dczva		"partly: QEMU does not fault DC ZVA on Device (XFAIL); " \
				"the stage-2 part is checked"

/* Stage-2 Normal-NC (P4, M3): stage-1 Normal (nc) and stage-1 Device (ncdev). */
#define R_nc_load		R_norm_load
#define R_nc_unaligned		"the load returns the host's bytes (Normal-NC permits " \
				"unaligned access)"
#define R_nc_exec		"KVM injects an SEA instruction abort (EC 0x21 IFSC 0x10): " \
				"never X on Normal-NC"
#define R_nc_dczva		R_norm_dczva
#define R_ncdev_load		R_norm_load
#define R_ncdev_unaligned	"a stage-1 alignment fault (EC 0x25 DFSC 0x21): FWB or not, " \
				"stage-2 Normal-NC keeps the stage-1 Device type"
#define R_ncdev_exec		R_dev_exec
#define R_ncdev_dczva		"a stage-1 alignment fault (EC 0x25 DFSC 0x21, not modelled " \
				"by QEMU TCG)"
#define GREF_nc_load		GREF_norm_load
#define GREF_nc_unaligned	"Arm ARM: Normal-NC permits unaligned LDR"
#define GREF_nc_exec		"mmu.c:kvm_s2_fault_compute_prot (-ENOEXEC), " \
				"kvm_handle_guest_abort (kvm_inject_sea_iabt)"
#define GREF_nc_dczva		GREF_norm_dczva
#define GREF_ncdev_load		GREF_norm_load
#define GREF_ncdev_unaligned	GREF_dev_unaligned
#define GREF_ncdev_exec		GREF_dev_exec
#define GREF_ncdev_dczva	GREF_dev_dczva
#define TCG_nc_load		"yes"
#define TCG_nc_unaligned	"yes"
#define TCG_nc_exec		"yes"
#define TCG_nc_dczva		"yes"
#define TCG_ncdev_load		"yes"
#define TCG_ncdev_unaligned	TCG_dev_unaligned
#define TCG_ncdev_exec		TCG_dev_exec
#define TCG_ncdev_dczva		TCG_dev_dczva

/* Stage-2 Device (P5, M3): stage-1 Normal (s2dev) and stage-1 Device (devdev). */
#define R_s2dev_load		R_norm_load
#define R_s2dev_unaligned	"KVM_RUN fails EFAULT (stage-2 alignment fault, \"Unsupported " \
				"FSC\")"
#define R_s2dev_exec		R_nc_exec
#define R_s2dev_dczva		"KVM_RUN fails EFAULT (stage-2 alignment fault; not " \
				"modelled by QEMU TCG)"
#define R_devdev_load		R_norm_load
#define R_devdev_unaligned	"an alignment fault, at stage 1 (EC 0x25 DFSC 0x21) or stage 2 " \
				"(KVM_RUN EFAULT)"
#define R_devdev_exec		R_dev_exec
#define R_devdev_dczva		R_devdev_unaligned " (not modelled by QEMU TCG)"
#define GREF_s2dev_load		GREF_norm_load
#define GREF_s2dev_unaligned	"mmu.c:kvm_handle_guest_abort (\"Unsupported FSC\"); SPEC 4.3"
#define GREF_s2dev_exec		GREF_nc_exec
#define GREF_s2dev_dczva	GREF_s2dev_unaligned
#define GREF_devdev_load	GREF_norm_load
#define GREF_devdev_unaligned	"Arm ARM: Device alignment fault at either stage; " \
				"mmu.c:kvm_handle_guest_abort"
#define GREF_devdev_exec	GREF_dev_exec
#define GREF_devdev_dczva	GREF_devdev_unaligned
#define TCG_s2dev_load		"yes"
#define TCG_s2dev_unaligned	TCG_dev_unaligned
#define TCG_s2dev_exec		"yes"
#define TCG_s2dev_dczva		TCG_dev_dczva
#define TCG_devdev_load		"yes"
#define TCG_devdev_unaligned	TCG_dev_unaligned
#define TCG_devdev_exec		TCG_dev_exec
#define TCG_devdev_dczva	TCG_dev_dczva

/* Nothing resolves (M2): every access, from the prime load on. */
#define R_efault_load		"the first access (the prime load) fails KVM_RUN with EFAULT"
#define R_efault_unaligned	R_efault_load
#define R_efault_exec		R_efault_load
#define R_efault_dczva		R_efault_load
#define GREF_efault_load	"kvm_main.c:hva_to_pfn (KVM_PFN_ERR_FAULT), " \
				"mmu.c:kvm_s2_fault_pin_pfn"
#define GREF_efault_unaligned	GREF_efault_load
#define GREF_efault_exec	GREF_efault_load
#define GREF_efault_dczva	GREF_efault_load
#define TCG_efault_load		"yes"
#define TCG_efault_unaligned	"yes"
#define TCG_efault_exec		"yes"
#define TCG_efault_dczva	"yes"

#define S2MT_ROW(BK, bk, NN, at, cls, ac)						\
	FIXTURE_VARIANT_ADD(s2mt, bk##_##at##_##ac) {					\
		.rule = "S2MT-" #BK "-" #NN,						\
		.summary = BK_DESC_##BK ", " AT_DESC_##at ", " AC_DESC_##ac ": "	\
			   BK_S2_##BK "; " R_##cls##_##ac,				\
		.backing = KM_BK_##BK, .s1 = AT_##at, .acc = AC_##ac,			\
	};										\
	KM_RULE_DOC(s2mt_##bk##_##at##_##ac, "S2MT-" #BK "-" #NN,			\
		    BK_REF_##BK "; " GREF_##cls##_##ac, BK_PRE_##BK, TCG_##cls##_##ac)

#define S2MT_ATTR(BK, bk, N1, N2, N3, N4, at, cls)					\
	S2MT_ROW(BK, bk, N1, at, cls, load)						\
	S2MT_ROW(BK, bk, N2, at, cls, unaligned)					\
	S2MT_ROW(BK, bk, N3, at, cls, exec)						\
	S2MT_ROW(BK, bk, N4, at, cls, dczva)

/*
 * NN = 4 * attribute + access + 1, attributes in the order WB, NC, nGnRE,
 * nGnRnE; ncls/dcls: the result classes (R_, GREF_, TCG_ strings) of the
 * stage-1 Normal and Device attributes, by the backing's stage-2 type.
 */
#define S2MT_BACKING_CLS(BK, bk, ncls, dcls)						\
	S2MT_ATTR(BK, bk, 01, 02, 03, 04, wb, ncls)					\
	S2MT_ATTR(BK, bk, 05, 06, 07, 08, nc, ncls)					\
	S2MT_ATTR(BK, bk, 09, 10, 11, 12, dev, dcls)					\
	S2MT_ATTR(BK, bk, 13, 14, 15, 16, devnr, dcls)
#define S2MT_BACKING(BK, bk)	S2MT_BACKING_CLS(BK, bk, norm, dev)

S2MT_BACKING(ANON, anon)
S2MT_BACKING(THP, thp)
S2MT_BACKING(HUGETLB, hugetlb)
S2MT_BACKING(GMEM, gmem)
S2MT_BACKING(PFNRAM, pfnmap_ram)
S2MT_BACKING(PFNRAMNC, pfnmap_ram_nc)
S2MT_BACKING(PFNIO, pfnmap_io)
S2MT_BACKING_CLS(PFNIONC, pfnmap_io_nc, nc, ncdev)
S2MT_BACKING_CLS(PFNIODEV, pfnmap_io_dev, s2dev, devdev)
S2MT_BACKING(MIXRAM, mixedmap_ram)
S2MT_BACKING_CLS(MIXSPECIAL, mixedmap_special, efault, efault)
S2MT_BACKING(MIXZDEV, mixedmap_zdev)
S2MT_BACKING_CLS(MIXZDEVNC, mixedmap_zdev_nc, nc, ncdev)
S2MT_BACKING_CLS(MIXZDEVDEV, mixedmap_zdev_dev, s2dev, devdev)

/* ---- The case ---- */

FIXTURE_SETUP(s2mt)
{
	const struct km_backing_desc *d = km_backing_desc(variant->backing);
	u64 i, size = MT_SMALL_SIZE;
	int r;

	self->env = &km_facts.env;
	ASSERT_EQ(0, km_expect(variant->backing, variant->s1, variant->acc, self->env, &self->e));
	km_log_contracts(self->e.contracts);
	/* Known from the row alone: no VM to build (pKVM VM teardown is slow). */
	if (km_pfn_k1_out_of_scope(&d->vma, self->e.slot_err, self->e.first_err,
				   km_facts.env.mode == KM_MODE_PROTECTED))
		SKIP(return, KM_PFN_K1_REASON);

	km_agent_init(&self->a, 0);
	self->agent_up = true;
	/* A slot that can hold the leaf expected; smaller is quicker to populate. */
	if (variant->backing == KM_BK_THP)
		size = km_thp_size();
	else if (self->e.size > MT_SMALL_SIZE || d->vma.host_leaf)
		size = MT_BLOCK_SIZE;
	r = km_mem_create(&self->m, variant->backing, &self->a.vm, size);
	ASSERT_FALSE(self->m.mismatch) TH_LOG("%s", self->m.why);
	if (r)
		SKIP(return, "%s backing unavailable: %s", d->name, self->m.why);
	if (self->m.pfn.hva)
		TH_LOG("backing: %s", self->m.pfn.what);
	ASSERT_LE(MT_OFF + MT_PAGE, self->m.size);

	/* The accessed page: module memory keeps its fill, plain memory a pattern. */
	for (i = 0; i < MT_PAGE; i += 8) {
		u64 w = 0, k;

		if (self->m.pfn.src == KM_SRC_KMOD)
			w = km_mpf_fill(self->m.pfn.phys + MT_OFF + i);
		else
			for (k = 0; k < 8; k++)
				w |= (u64)mt_byte(MT_OFF + i + k) << (8 * k);
		memcpy(self->page + i, &w, 8);
	}
	km_write_ret_imm(self->page, MT_EXEC_IMM);
	for (i = 0; i < MT_PAGE; i += 8)
		*(volatile u64 *)(self->m.hva + MT_OFF + i) = mt_want_u64(self->page, i);

	/* The tracer's failure is a reason to skip later, not now. */
	km_s2trace_start(&self->tr);

	r = __km_mem_set_slot(&self->m, &self->a.vm, MT_SLOT, MT_IPA);
	if (self->e.slot_err) {
		ASSERT_EQ(self->e.slot_err, r) TH_LOG("memslot over the %s backing: %s (%s)",
						      d->name, strerror(-r), self->e.src);
		TH_LOG("memslot refused as expected: %s (%s; FWB=%u DIC=%u)", strerror(-r),
		       self->e.src, km_facts.fwb, km_facts.dic);
		self->slot_refused = true;
		return;
	}
	ASSERT_EQ(0, r) TH_LOG("memslot over the %s backing: %s", d->name, strerror(-r));
	km_agent_map(&self->a, MT_VA, MT_IPA, self->m.size, variant->s1, KM_S1_EXEC);
	km_agent_map(&self->a, MT_ALIAS_VA, MT_IPA, self->m.size, KM_ATTR_NORMAL_WB, 0);
}

FIXTURE_TEARDOWN(s2mt)
{
	km_s2trace_stop(&self->tr);
	if (self->agent_up)
		km_agent_fini(&self->a);
	km_mem_destroy(&self->m);
}

/* Stage-2 W: from the read fault, else a DC ZVA that zeroed took a write fault. */
static bool mt_want_w(const struct km_expect *e, enum km_access acc, enum km_outcome obs)
{
	return e->w || (acc == KM_ACC_DC_ZVA && obs == KM_OUT_OK && e->w_on_write);
}

/*
 * Checks the stage-2 mapping of the accessed IPA; false if the tracer cannot
 * be trusted.  *out: the traced leaf.
 */
static bool mt_check_tracer(FIXTURE_DATA(s2mt) *self, const FIXTURE_VARIANT(s2mt) *variant,
			    enum km_outcome obs, u64 ipa, struct km_s2map *out)
{
	const struct km_expect *e = &self->e;
	unsigned int consistent;
	struct km_s2map map;
	char a[64], b[64], c[64];

	if (!km_s2trace_selfcheck(&self->tr, KM_AGENT_IPA + KM_MBOX_OFF))
		return false;
	km_s2trace_lookup(&self->tr, ipa, &map);
	TH_LOG("tracer: IPA 0x%llx: %s, %s at 0x%llx (prot 0x%llx; %u map, %u relax, %u failed "
	       "map calls; %u records)", ipa, map.valid ? km_s2attr_str(&map.a, a, sizeof(a)) :
	       "unmapped", km_size_str(map.size, b, sizeof(b)), map.ipa, map.prot, map.nmap,
	       map.nrelax, map.nfailed, self->tr.nrecs);
	*out = map;

	if (e->first_err) {
		EXPECT_FALSE(map.valid) TH_LOG("KVM_RUN failed, yet the IPA is mapped");
		return true;
	}
	ASSERT_TRUE(map.valid) TH_LOG("no stage-2 mapping of IPA 0x%llx in the trace", ipa);
	EXPECT_TRUE(map.a.valid) TH_LOG("prot 0x%llx is not one KVM can install", map.prot);
	EXPECT_EQ(e->mt, map.a.mt) TH_LOG("stage-2 memory type %s, expected %s (%s)",
					  km_memtype_str(map.a.mt), km_memtype_str(e->mt), e->src);
	EXPECT_TRUE(map.a.r);
	EXPECT_EQ(mt_want_w(e, variant->acc, obs), map.a.w)
		TH_LOG("stage-2 W (access: %s, %s)", km_access_str(variant->acc),
		       km_outcome_str(obs));
	if (e->x != KM_TRI_ANY)
		EXPECT_EQ(e->x == KM_TRI_YES, map.a.px && map.a.ux)
			TH_LOG("stage-2 X (DIC=%d, access: %s)", self->env->dic,
			       km_access_str(variant->acc));
	EXPECT_EQ(e->size, map.size) TH_LOG("stage-2 leaf of %s, expected %s",
					    km_size_str(map.size, b, sizeof(b)),
					    km_size_str(e->size, c, sizeof(c)));

	/* The cross-check: the traced type must explain what the guest saw. */
	consistent = km_infer_memtypes(variant->s1, variant->acc, obs, self->env);
	EXPECT_TRUE(consistent & KM_MT_BIT(map.a.mt))
		TH_LOG("oracles disagree: the guest saw \"%s\", which needs stage 2 in %s, but "
		       "the tracer says %s", km_outcome_str(obs),
		       km_mtset_str(consistent, a, sizeof(a)), km_memtype_str(map.a.mt));
	return true;
}

/* The host physical address of the accessed page, 0 if it cannot be read. */
static u64 mt_host_pa(FIXTURE_DATA(s2mt) *self)
{
	if (self->m.pfn.hva)
		return self->m.pfn.phys_known ? self->m.pfn.phys + MT_OFF : 0;
	return km_hva_to_phys(self->m.hva + MT_OFF);
}

/*
 * The descriptor oracle for the accessed IPA: the installed leaf against
 * km_expect(), the tracer's leaf (tmap, when it is trusted) and the guest's
 * observation; the combined type of the cell's stage-1 attribute with it.
 * False, with why, if the descriptor cannot be read.
 */
static bool mt_check_desc(FIXTURE_DATA(s2mt) *self, const FIXTURE_VARIANT(s2mt) *variant,
			  enum km_outcome obs, bool xfail, u64 ipa, const struct km_s2map *tmap,
			  char *why, size_t len)
{
	const struct km_expect *e = &self->e;
	const struct km_s2want w = {
		.mt = e->first_err ? KM_MT_NONE : e->mt, .w = mt_want_w(e, variant->acc, obs),
		.x = e->x, .size = e->size,
		.pa = e->first_err ? 0 : mt_host_pa(self), .src = e->src,
	};
	unsigned int allowed;
	struct km_s2desc_vm vm;
	struct km_s2desc d;
	char saw[96], a[160];

	if (!km_s2desc_check(self->a.vm.fd, ipa, &w, &d, &vm, why, len))
		return false;
	if (tmap)
		km_s2desc_vs_tracer(&d, tmap);
	if (e->first_err)
		return true;
	snprintf(saw, sizeof(saw), "\"%s\" for the %s", km_outcome_str(obs),
		 km_access_str(variant->acc));
	km_s2desc_vs_guest(&d, km_infer_memtypes(variant->s1, variant->acc, obs, self->env), saw);
	allowed = km_s2desc_effective(&d, variant->s1, e->mt, vm.ctx.fwb, variant->acc);
	/* An observation QEMU is known not to model (the XFAIL) constrains nothing. */
	if (!xfail)
		EXPECT_TRUE(allowed & KM_OUT_BIT(obs))
			TH_LOG("oracles disagree: the guest saw %s, the combined type of stage 1 "
			       "%s with the installed descriptor allows %s (desc 0x%016llx)", saw,
			       km_s1attr_str(variant->s1), km_outset_str(allowed, a, sizeof(a)),
			       d.raw);
	return true;
}

TEST_F(s2mt, cell)
{
	const struct km_expect *e = &self->e;
	u64 va = MT_VA + MT_OFF, ipa = MT_IPA + MT_OFF, zblock = mt_zva_block();
	struct km_cmd *prime, *c = NULL, *z0 = NULL, *z1 = NULL;
	const u8 *host = self->page;
	char want[200], buf[160], dwhy[200], skip[600];
	enum km_outcome obs;
	struct km_s2map tmap;
	struct km_exit x;
	bool xfail = false, traced, desc;

	/*
	 * A refused memslot is one verdict, not 16: the backing's first cell
	 * (Normal-WB, aligned load) reports it; the others had nothing to
	 * access (their setup still checked the refusal).
	 */
	if (self->slot_refused && (variant->s1 != KM_ATTR_NORMAL_WB || variant->acc != KM_ACC_LOAD))
		SKIP(return, "the memslot over this backing is refused (%s, %s): no access to "
		     "make; the backing's Normal-WB load cell reports the refusal",
		     strerror(-self->e.slot_err), self->e.src);
	if (self->slot_refused)
		return;

	km_agent_reset(&self->a);
	prime = km_agent_cmd(&self->a, KM_OP_LOAD, MT_ALIAS_VA + MT_OFF, 8, 0);
	switch (variant->acc) {
	case KM_ACC_LOAD:
		c = km_agent_cmd(&self->a, KM_OP_LOAD, va, 8, 0);
		break;
	case KM_ACC_LOAD_UNALIGNED:
		c = km_agent_cmd(&self->a, KM_OP_LOAD, va + MT_UNALIGNED, 8, 0);
		break;
	case KM_ACC_EXEC:
		c = km_agent_cmd(&self->a, KM_OP_EXEC, va, 8, 0);
		break;
	case KM_ACC_DC_ZVA:
		c = km_agent_cmd(&self->a, KM_OP_DC_ZVA, va + MT_ZVA, 8, 0);
		/* Read back through the same mapping: no host cache in the way. */
		z0 = km_agent_cmd(&self->a, KM_OP_LOAD, va + MT_ZVA, 8, 0);
		z1 = km_agent_cmd(&self->a, KM_OP_LOAD, va + MT_ZVA + zblock - 8, 8, 0);
		break;
	default:
		ASSERT_TRUE(0) TH_LOG("access %d", variant->acc);
	}
	km_agent_run(&self->a, &x);

	/* The prime load, and the outcome of the access under test. */
	if (e->first_err) {
		obs = km_outcome_classify(x.kind == KM_X_ERROR ? x.err : 0, false, 0);
		EXPECT_EQ(KM_OUT_RUN_EFAULT, obs)
			TH_LOG("first access: %s, expected KVM_RUN %s (%s)",
			       km_exit_describe(&x, buf, sizeof(buf)), strerror(-e->first_err),
			       e->src);
		TH_LOG("guest: the prime load -> %s (expected: %s)", km_outcome_str(obs),
		       e->src);
	} else {
		ASSERT_TRUE(prime->flags & KM_CMD_F_DONE)
			TH_LOG("the prime load did not complete: %s",
			       km_exit_describe(&x, buf, sizeof(buf)));
		ASSERT_FALSE(prime->flags & KM_CMD_F_EXC)
			TH_LOG("the prime load faulted: ESR 0x%llx", prime->esr);
		EXPECT_EQ(mt_want_u64(host, 0), prime->result);
		if (x.kind == KM_X_ERROR)
			obs = km_outcome_classify(x.err, false, 0);
		else if (x.kind == KM_X_DONE)
			obs = km_outcome_classify(0, c->flags & KM_CMD_F_EXC, c->esr);
		else
			obs = KM_OUT_OTHER;
		TH_LOG("guest: %s -> %s%s%s", km_access_str(variant->acc), km_outcome_str(obs),
		       obs == KM_OUT_OTHER ? ": " : "",
		       obs == KM_OUT_OTHER ? km_exit_describe(&x, buf, sizeof(buf)) : "");
		if (c->flags & KM_CMD_F_EXC)
			TH_LOG("guest: ESR_EL1 0x%llx FAR_EL1 0x%llx", c->esr, c->far);

		km_outset_str(e->guest, want, sizeof(want));
		if (e->guest == KM_OUT_ALL) {
			TH_LOG("guest result not asserted: %s", e->guest_why);
		} else if (!(e->guest & KM_OUT_BIT(obs)) && self->env->tcg && e->tcg_unmodelled &&
			   obs == KM_OUT_OK) {
			/*
			 * The one outcome QEMU is known to give (the DC ZVA
			 * completes and zeroes, checked below); a wrong
			 * exception or a KVM_RUN error stays a FAIL.
			 */
			xfail = true;
		} else {
			EXPECT_TRUE(e->guest & KM_OUT_BIT(obs))
				TH_LOG("expected %s: %s", want, e->guest_why);
		}

		/* The data when it completed. */
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_LOAD)
			EXPECT_EQ(mt_want_u64(host, 0), c->result);
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_LOAD_UNALIGNED)
			EXPECT_EQ(mt_want_u64(host, MT_UNALIGNED), c->result);
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_EXEC)
			EXPECT_EQ(MT_EXEC_IMM, c->result);
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_DC_ZVA) {
			ASSERT_EQ(0, c->result & 0x10) TH_LOG("DC ZVA prohibited: DCZID_EL0=0x%llx",
							      c->result);
			EXPECT_EQ(zblock, 4ULL << (c->result & 0xf));
			EXPECT_EQ(0, z0->result);
			EXPECT_EQ(0, z1->result);
		}
	}

	traced = self->tr.active && mt_check_tracer(self, variant, obs, ipa, &tmap);
	desc = mt_check_desc(self, variant, obs, xfail, ipa, traced ? &tmap : NULL, dwhy,
			     sizeof(dwhy));
	if (!km_s2_oracle_ran(traced, self->tr.reason, desc, dwhy, skip, sizeof(skip)))
		SKIP(return, "%s; only the guest-visible result was checked", skip);
	if (xfail)
		XFAIL(return, "%s: expected %s, saw %s", e->tcg_why, want, km_outcome_str(obs));
}
