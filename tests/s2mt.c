// SPDX-License-Identifier: GPL-2.0
/*
 * The stage-1 x stage-2 memory-attribute matrix: for each memslot backing x
 * the guest's stage-1 attribute (Normal-WB, Normal-NC, Device-nGnRE,
 * Device-nGnRnE) x an access (aligned load, unaligned load, instruction
 * fetch, DC ZVA), one rule-ID'd case S2MT-<BACKING>-NN.
 *
 * Each case asks km_expect() (lib/expect.c, a function of the hardware facts
 * only) what must happen, then checks it with two independent oracles:
 *   - the tracer (lib/s2trace.c): the stage-2 mapping KVM made for the
 *     accessed IPA: memory type, R/W/X, page or block;
 *   - the architecture: what the guest (agent) or KVM_RUN observed;
 * and finally that the two agree: the traced memory type must be one the
 * guest's observation allows (km_infer_memtypes()).
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
 * Rows: SPEC 1.2 master table A1 (anon, THP, hugetlb) and G1 (guest_memfd).
 * The PFNMAP/MIXEDMAP rows (P1-P5, M1, M2) are encoded in km_expect()
 * already; a backing for them adds one S2MT_BACKING() line and a case in
 * km_mem_create().
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "agent.h"
#include "backing.h"
#include "expect.h"
#include "facts.h"
#include "s2trace.h"

#define MT_SLOT		1
#define MT_IPA		0x80000000ULL	/* 2 MiB aligned, as blocks need */
#define MT_VA		MT_IPA
#define MT_ALIAS_VA	0xc0000000ULL	/* Normal-WB alias, for the prime load */
#define MT_SIZE		0x200000ULL
#define MT_OFF		0x3000ULL	/* the page every access goes to */
#define MT_UNALIGNED	0x101ULL	/* offset of the unaligned load in it */
#define MT_ZVA		0x800ULL	/* DC ZVA target: aligned to any ZVA block */
#define MT_EXEC_IMM	0x5a5

/* Byte i of every backing, so any (unaligned) window has a known value. */
static u8 mt_byte(u64 i)
{
	return (u8)(i * 7 + 13);
}

static u64 mt_host_u64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
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
	struct km_hw hw;
	struct km_expect e;
	bool agent_up, slot_refused;
};

FIXTURE_VARIANT(s2mt) {
	const char *rule;
	const char *summary;
	enum km_backing backing;
	unsigned int s1;
	enum km_access acc;
};

/* ---- The table.  Summary = backing, stage-1 attribute, access: result. ---- */

#define BK_DESC_ANON	"anonymous memslot (4 KiB pages)"
#define BK_DESC_THP	"anonymous memslot on a 2 MiB transparent huge page"
#define BK_DESC_HUGETLB	"hugetlb memslot (2 MiB pages)"
#define BK_DESC_GMEM	"guest_memfd memslot (MMAP|INIT_SHARED)"

#define BK_S2_ANON	"stage 2 is Normal R/W, a 4 KiB page, X with DIC or after an exec fault"
#define BK_S2_THP	"stage 2 is Normal R/W, a 2 MiB block, X with DIC or after an exec fault"
#define BK_S2_HUGETLB	BK_S2_THP
#define BK_S2_GMEM	BK_S2_ANON

#define BK_REF_ANON	"mmu.c:kvm_s2_fault_compute_prot, kvm_s2_fault_map (SPEC 1.2 A1)"
#define BK_REF_THP	"mmu.c:kvm_s2_fault_map, transparent_hugepage_adjust (SPEC 1.2 A1, 1.3)"
#define BK_REF_HUGETLB	"mmu.c:kvm_s2_resolve_vma_size, kvm_s2_fault_map (SPEC 1.2 A1, 1.3)"
#define BK_REF_GMEM	"mmu.c:gmem_abort (SPEC 1.2 G1, 2.5)"

#define TRACER_PREREQ	"stage-2 tracer: tracefs kprobes on kvm_pgtable_stage2_map " \
			"(root, not pKVM)"
#define BK_PRE_ANON	TRACER_PREREQ
#define BK_PRE_THP	"THP for a 2 MiB-aligned MADV_HUGEPAGE region; " TRACER_PREREQ
#define BK_PRE_HUGETLB	"a free 2 MiB huge page (nr_hugepages is raised if needed); " \
			TRACER_PREREQ
#define BK_PRE_GMEM	"KVM_CAP_GUEST_MEMFD_FLAGS has MMAP|INIT_SHARED; " TRACER_PREREQ

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

/* NN = 4 * attribute + access + 1, attributes in the order WB, NC, nGnRE, nGnRnE. */
#define S2MT_BACKING(BK, bk)								\
	S2MT_ATTR(BK, bk, 01, 02, 03, 04, wb, norm)					\
	S2MT_ATTR(BK, bk, 05, 06, 07, 08, nc, norm)					\
	S2MT_ATTR(BK, bk, 09, 10, 11, 12, dev, dev)					\
	S2MT_ATTR(BK, bk, 13, 14, 15, 16, devnr, dev)

S2MT_BACKING(ANON, anon)
S2MT_BACKING(THP, thp)
S2MT_BACKING(HUGETLB, hugetlb)
S2MT_BACKING(GMEM, gmem)

/* ---- The case ---- */

FIXTURE_SETUP(s2mt)
{
	const struct km_backing_desc *d = km_backing_desc(variant->backing);
	u64 i;
	int r;

	self->hw = (struct km_hw){
		.fwb = km_facts.fwb != 0, .dic = km_facts.dic != 0, .tcg = km_facts.tcg,
	};
	ASSERT_EQ(0, km_expect(variant->backing, variant->s1, variant->acc, &self->hw, &self->e));

	km_agent_init(&self->a, 0);
	self->agent_up = true;
	r = km_mem_create(&self->m, variant->backing, &self->a.vm, MT_SIZE);
	if (r)
		SKIP(return, "%s backing unavailable: %s", d->name, self->m.why);
	for (i = 0; i < MT_SIZE; i++)
		self->m.hva[i] = mt_byte(i);
	km_write_ret_imm(self->m.hva + MT_OFF, MT_EXEC_IMM);

	/* The tracer's failure is a reason to skip later, not now. */
	km_s2trace_start(&self->tr);

	r = __km_mem_set_slot(&self->m, &self->a.vm, MT_SLOT, MT_IPA);
	if (self->e.slot_err) {
		ASSERT_EQ(self->e.slot_err, r) TH_LOG("memslot over the %s backing: %s (%s)",
						      d->name, strerror(-r), self->e.src);
		self->slot_refused = true;
		return;
	}
	ASSERT_EQ(0, r) TH_LOG("memslot over the %s backing: %s", d->name, strerror(-r));
	km_agent_map(&self->a, MT_VA, MT_IPA, MT_SIZE, variant->s1, KM_S1_EXEC);
	km_agent_map(&self->a, MT_ALIAS_VA, MT_IPA, MT_SIZE, KM_ATTR_NORMAL_WB, 0);
}

FIXTURE_TEARDOWN(s2mt)
{
	km_s2trace_stop(&self->tr);
	if (self->agent_up)
		km_agent_fini(&self->a);
	km_mem_destroy(&self->m);
}

/* Checks the stage-2 mapping of the accessed IPA; false if the tracer cannot be trusted. */
static bool mt_check_tracer(FIXTURE_DATA(s2mt) *self, const FIXTURE_VARIANT(s2mt) *variant,
			    enum km_outcome obs, u64 ipa)
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

	if (e->first_err) {
		EXPECT_FALSE(map.valid) TH_LOG("KVM_RUN failed, yet the IPA is mapped");
		return true;
	}
	ASSERT_TRUE(map.valid) TH_LOG("no stage-2 mapping of IPA 0x%llx in the trace", ipa);
	EXPECT_TRUE(map.a.valid) TH_LOG("prot 0x%llx is not one KVM can install", map.prot);
	EXPECT_EQ(e->mt, map.a.mt) TH_LOG("stage-2 memory type %s, expected %s (%s)",
					  km_memtype_str(map.a.mt), km_memtype_str(e->mt), e->src);
	EXPECT_TRUE(map.a.r);
	EXPECT_EQ(e->w, map.a.w) TH_LOG("stage-2 W");
	if (e->x != KM_TRI_ANY)
		EXPECT_EQ(e->x == KM_TRI_YES, map.a.px && map.a.ux)
			TH_LOG("stage-2 X (DIC=%d, access: %s)", self->hw.dic,
			       km_access_str(variant->acc));
	EXPECT_EQ(e->size, map.size) TH_LOG("stage-2 leaf of %s, expected %s",
					    km_size_str(map.size, b, sizeof(b)),
					    km_size_str(e->size, c, sizeof(c)));

	/* The cross-check: the traced type must explain what the guest saw. */
	consistent = km_infer_memtypes(variant->s1, variant->acc, obs, &self->hw);
	EXPECT_TRUE(consistent & KM_MT_BIT(map.a.mt))
		TH_LOG("oracles disagree: the guest saw \"%s\", which needs stage 2 in %s, but "
		       "the tracer says %s", km_outcome_str(obs),
		       km_mtset_str(consistent, a, sizeof(a)), km_memtype_str(map.a.mt));
	return true;
}

TEST_F(s2mt, cell)
{
	const struct km_expect *e = &self->e;
	u64 va = MT_VA + MT_OFF, ipa = MT_IPA + MT_OFF, zblock = mt_zva_block();
	struct km_cmd *prime, *c = NULL, *z0 = NULL, *z1 = NULL;
	const u8 *host = self->m.hva + MT_OFF;
	char want[200], buf[160];
	enum km_outcome obs;
	struct km_exit x;
	bool xfail = false;

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
	} else {
		ASSERT_TRUE(prime->flags & KM_CMD_F_DONE)
			TH_LOG("the prime load did not complete: %s",
			       km_exit_describe(&x, buf, sizeof(buf)));
		ASSERT_FALSE(prime->flags & KM_CMD_F_EXC)
			TH_LOG("the prime load faulted: ESR 0x%llx", prime->esr);
		EXPECT_EQ(mt_host_u64(host), prime->result);
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
		} else if (!(e->guest & KM_OUT_BIT(obs)) && self->hw.tcg && e->tcg_unmodelled) {
			xfail = true;
		} else {
			EXPECT_TRUE(e->guest & KM_OUT_BIT(obs))
				TH_LOG("expected %s: %s", want, e->guest_why);
		}

		/* The data when it completed. */
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_LOAD)
			EXPECT_EQ(mt_host_u64(host), c->result);
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_LOAD_UNALIGNED)
			EXPECT_EQ(mt_host_u64(host + MT_UNALIGNED), c->result);
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_EXEC)
			EXPECT_EQ(MT_EXEC_IMM, c->result);
		if (obs == KM_OUT_OK && variant->acc == KM_ACC_DC_ZVA && !xfail) {
			ASSERT_EQ(0, c->result & 0x10) TH_LOG("DC ZVA prohibited: DCZID_EL0=0x%llx",
							      c->result);
			EXPECT_EQ(zblock, 4ULL << (c->result & 0xf));
			EXPECT_EQ(0, z0->result);
			EXPECT_EQ(0, z1->result);
		}
	}

	if (!self->tr.active || !mt_check_tracer(self, variant, obs, ipa))
		SKIP(return, "stage-2 tracer unavailable: %s; only the guest-visible result was "
		     "checked", self->tr.reason);
	if (xfail)
		XFAIL(return, "%s: expected %s, saw %s", e->tcg_why, want, km_outcome_str(obs));
}
