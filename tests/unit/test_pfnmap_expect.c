// SPDX-License-Identifier: GPL-2.0
/*
 * km_pfn_expect() against the SPEC master table (1.2) and memslot rows 12-15
 * (1.1), written out by hand from the table, one row per case.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "pfnmap_expect.h"

static const struct km_env cpfn = { .fwb = true, .dic = true, KM_ENV_HAS_ALL };
static const struct km_env nofwb = { .fwb = false, .dic = false, KM_ENV_HAS_ALL };
static const struct km_env fwb_only = { .fwb = true, .dic = false, KM_ENV_HAS_ALL };
static const struct km_env dic_only = { .fwb = false, .dic = true, KM_ENV_HAS_ALL };
static const struct km_env old_cpfn = { .fwb = true, .dic = true, KM_ENV_HAS_6_12 };
static const struct km_env old_nofwb = { KM_ENV_HAS_6_12 };
/* Linux 6.1: before VM_ALLOW_ANY_UNCACHED too. */
static const struct km_env old_6_1 = { .fwb = true, .dic = true };

/* VMAs as the providers build them. */
#define UDMABUF	{ .pfnmap = true, .ram = true, .cacheable = true, .pte_writable = true }
#define NONRAM(c, a) { .pfnmap = true, .io = true, .cacheable = c, .allow_any_uncached = a, \
		       .pte_writable = true }
#define MIXED(g, r, c, a) { .mixedmap = true, .gup = g, .ram = r, .cacheable = c, \
			    .allow_any_uncached = a, .pte_writable = true }

FIXTURE(pfnexp) {
	struct km_pfn_expect e;
};

FIXTURE_VARIANT(pfnexp) {
	KM_VARIANT_RULE;
	struct km_pfn_props p;
	const struct km_env *h;
	bool log_dirty;
	bool mte;		/* an MTE VM */
	/* Expected. */
	int memslot;
	const char *why;	/* substring of memslot_why */
	int read, write;
	enum km_s2type s2;
	bool exec, unaligned, s2_writable;
};

FIXTURE_VARIANT_ADD(pfnexp, p1) {
	.rule = "UNIT-PFNEXP-P1", .summary = "P1: cacheable PFNMAP over RAM, FWB+DIC: Normal",
	.p = UDMABUF, .h = &cpfn, .why = "row 14",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p1_allow) {
	.rule = "UNIT-PFNEXP-P1", .summary = "P1: VM_ALLOW_ANY_UNCACHED is ignored over RAM",
	.p = { .pfnmap = true, .io = true, .ram = true, .cacheable = true,
	       .allow_any_uncached = true, .pte_writable = true },
	.h = &cpfn, .s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p1r_nofwb) {
	.rule = "UNIT-PFNEXP-P1R", .summary = "P1': no FWB, no DIC: EINVAL (row 14)",
	.p = UDMABUF, .h = &nofwb, .memslot = -EINVAL, .why = "row 14",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p1r_fwb_only) {
	.rule = "UNIT-PFNEXP-P1R", .summary = "P1': FWB without DIC is not enough",
	.p = UDMABUF, .h = &fwb_only, .memslot = -EINVAL, .why = "row 14",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p1r_dic_only) {
	.rule = "UNIT-PFNEXP-P1R", .summary = "P1': DIC without FWB is not enough",
	.p = UDMABUF, .h = &dic_only, .memslot = -EINVAL, .why = "row 14",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p2) {
	.rule = "UNIT-PFNEXP-P2", .summary = "P2: non-cacheable PFNMAP over RAM: Normal anyway",
	.p = { .pfnmap = true, .io = true, .ram = true, .pte_writable = true },
	.h = &nofwb, .s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p3) {
	.rule = "UNIT-PFNEXP-P3", .summary = "P3: cacheable PFNMAP outside RAM, FWB+DIC: Normal",
	.p = NONRAM(true, false), .h = &cpfn,
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p3r) {
	.rule = "UNIT-PFNEXP-P3R",
	.summary = "P3': refused at memslot time; if the VMA turns cacheable later, EFAULT",
	.p = NONRAM(true, false), .h = &nofwb, .memslot = -EINVAL, .why = "row 14",
	.read = -EFAULT, .write = -EFAULT, .s2 = KM_S2_NONE,
};
FIXTURE_VARIANT_ADD(pfnexp, p4) {
	.rule = "UNIT-PFNEXP-P4", .summary = "P4: NC PFNMAP outside RAM + ALLOW_ANY_UNCACHED: NC",
	.p = NONRAM(false, true), .h = &nofwb,
	.s2 = KM_S2_NORMAL_NC, .exec = false, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, p5) {
	.rule = "UNIT-PFNEXP-P5", .summary = "P5: NC PFNMAP outside RAM without the flag: Device",
	.p = NONRAM(false, false), .h = &cpfn,
	.s2 = KM_S2_DEVICE, .exec = false, .unaligned = false, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, m1) {
	.rule = "UNIT-PFNEXP-M1", .summary = "M1: MIXEDMAP of RAM pages, no FWB: Normal",
	.p = MIXED(true, true, true, false), .h = &nofwb, .why = "row 15",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, m1_nc) {
	.rule = "UNIT-PFNEXP-M1", .summary = "M1: MIXEDMAP of RAM pages with an NC VMA: Normal",
	.p = MIXED(true, true, false, true), .h = &nofwb,
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, m2) {
	.rule = "UNIT-PFNEXP-M2", .summary = "M2: MIXEDMAP special PTE: memslot OK, access EFAULT",
	.p = MIXED(false, false, true, false), .h = &nofwb, .why = "row 15",
	.read = -EFAULT, .write = -EFAULT, .s2 = KM_S2_NONE,
};
FIXTURE_VARIANT_ADD(pfnexp, m3_cpfn) {
	.rule = "UNIT-PFNEXP-M3", .summary = "M3: cacheable ZONE_DEVICE MIXEDMAP, FWB+DIC: Normal",
	.p = MIXED(true, false, true, false), .h = &cpfn,
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, m3_nocpfn) {
	.rule = "UNIT-PFNEXP-M3", .summary = "M3: cacheable ZONE_DEVICE MIXEDMAP, no FWB: EFAULT",
	.p = MIXED(true, false, true, false), .h = &fwb_only, .why = "row 15",
	.read = -EFAULT, .write = -EFAULT, .s2 = KM_S2_NONE,
};
FIXTURE_VARIANT_ADD(pfnexp, m3_nc) {
	.rule = "UNIT-PFNEXP-M3", .summary = "M3: NC ZONE_DEVICE MIXEDMAP + flag: Normal-NC",
	.p = MIXED(true, false, false, true), .h = &nofwb,
	.s2 = KM_S2_NORMAL_NC, .exec = false, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, m3_dev) {
	.rule = "UNIT-PFNEXP-M3", .summary = "M3: NC ZONE_DEVICE MIXEDMAP, no flag: Device",
	.p = MIXED(true, false, false, false), .h = &cpfn,
	.s2 = KM_S2_DEVICE, .exec = false, .unaligned = false, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, c1) {
	.rule = "UNIT-PFNEXP-C1", .summary = "C1: COW PFNMAP: read maps RO by pfn, write EFAULT",
	.p = { .pfnmap = true, .io = true, .cow = true },
	.h = &nofwb, .write = -EFAULT, .s2 = KM_S2_DEVICE, .exec = false, .unaligned = false,
	.s2_writable = false,
};
FIXTURE_VARIANT_ADD(pfnexp, x1) {
	.rule = "UNIT-PFNEXP-X1", .summary = "X1: secretmem: memslot OK, access EFAULT",
	.p = { .ram = true, .cacheable = true, .pte_writable = true }, .h = &cpfn,
	.read = -EFAULT, .write = -EFAULT, .s2 = KM_S2_NONE,
};
FIXTURE_VARIANT_ADD(pfnexp, ms12_pfnmap) {
	.rule = "UNIT-PFNEXP-MS12", .summary = "row 12: MTE VM, PFNMAP VMA: EINVAL",
	.p = NONRAM(false, false), .h = &cpfn, .mte = true, .memslot = -EINVAL, .why = "row 12",
	.s2 = KM_S2_DEVICE, .exec = false, .unaligned = false, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, ms12_mixed) {
	.rule = "UNIT-PFNEXP-MS12", .summary = "row 12: MTE VM, MIXEDMAP VMA: EINVAL too",
	.p = MIXED(true, true, true, false), .h = &cpfn, .mte = true, .memslot = -EINVAL, .why = "row 12",
	.read = -EFAULT, .write = -EFAULT, .s2 = KM_S2_NONE,
};
FIXTURE_VARIANT_ADD(pfnexp, ms12_anon) {
	.rule = "UNIT-PFNEXP-MS12", .summary = "row 12: MTE VM, VMA with VM_MTE_ALLOWED: OK",
	.p = { .gup = true, .ram = true, .cacheable = true, .pte_writable = true,
	       .mte_allowed = true },
	.h = &cpfn, .mte = true, .s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, ms13) {
	.rule = "UNIT-PFNEXP-MS13", .summary = "row 13: PFNMAP + LOG_DIRTY: EINVAL on any host",
	.p = NONRAM(false, true), .h = &cpfn, .log_dirty = true, .memslot = -EINVAL,
	.why = "row 13", .s2 = KM_S2_NORMAL_NC, .exec = false, .unaligned = true,
	.s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, ms13_first) {
	.rule = "UNIT-PFNEXP-MS13", .summary = "row 13 is checked before row 14",
	.p = UDMABUF, .h = &nofwb, .log_dirty = true, .memslot = -EINVAL, .why = "row 13",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, ms13_mixed) {
	.rule = "UNIT-PFNEXP-MS13", .summary = "row 13 spares MIXEDMAP",
	.p = MIXED(true, true, true, false), .h = &nofwb, .log_dirty = true, .why = "row 15",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, ms15_hole) {
	.rule = "UNIT-PFNEXP-MS15", .summary = "row 15: a hole is accepted, even on an MTE VM",
	.p = { .novma = true }, .h = &cpfn, .mte = true, .why = "hole",
	.read = -EFAULT, .write = -EFAULT, .s2 = KM_S2_NONE,
};

FIXTURE_VARIANT_ADD(pfnexp, old_p1r) {
	.rule = "UNIT-PFNEXP-OLD", .summary = "before 6.17: cacheable RAM PFNMAP accepted, Normal",
	.p = UDMABUF, .h = &old_nofwb, .why = "cacheable-pfnmap contract",
	.s2 = KM_S2_NORMAL, .exec = true, .unaligned = true, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, old_p3) {
	.rule = "UNIT-PFNEXP-OLD",
	.summary = "before 6.17: cacheable PFNMAP outside RAM is Device even with FWB+DIC",
	.p = NONRAM(true, false), .h = &old_cpfn,
	.s2 = KM_S2_DEVICE, .exec = false, .unaligned = false, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, old_p4) {
	.rule = "UNIT-PFNEXP-OLD",
	.summary = "before VM_ALLOW_ANY_UNCACHED (6.1): a non-cacheable pfn outside RAM is "
		   "Device even when the VMA asks for any uncached type",
	.p = NONRAM(false, true), .h = &old_6_1,
	.s2 = KM_S2_DEVICE, .exec = false, .unaligned = false, .s2_writable = true,
};
FIXTURE_VARIANT_ADD(pfnexp, old_ms13) {
	.rule = "UNIT-PFNEXP-OLD", .summary = "before 6.17: PFNMAP + LOG_DIRTY is still EINVAL",
	.p = NONRAM(false, true), .h = &old_nofwb, .log_dirty = true, .memslot = -EINVAL,
	.why = "row 13", .s2 = KM_S2_NORMAL_NC, .exec = false, .unaligned = true,
	.s2_writable = true,
};

FIXTURE_SETUP(pfnexp)
{
}

FIXTURE_TEARDOWN(pfnexp)
{
}

TEST_F(pfnexp, row)
{
	struct km_pfn_expect *e = &self->e;

	km_pfn_expect(&variant->p, variant->h, (variant->log_dirty ? KM_PE_LOG_DIRTY : 0) |
		      (variant->mte ? KM_PE_MTE_VM : 0), e);
	EXPECT_EQ(variant->memslot, e->memslot) TH_LOG("%s", e->memslot_why);
	if (variant->why)
		EXPECT_NE(NULL, strstr(e->memslot_why, variant->why))
			TH_LOG("reason '%s' lacks '%s'", e->memslot_why, variant->why);
	EXPECT_EQ(variant->read, e->read) TH_LOG("%s", e->fault_why);
	EXPECT_EQ(variant->write, e->write) TH_LOG("%s", e->fault_why);
	EXPECT_EQ(variant->s2, e->s2) TH_LOG("%s", km_s2type_str(e->s2));
	EXPECT_EQ(variant->exec, e->exec);
	EXPECT_EQ(variant->unaligned, e->unaligned);
	EXPECT_EQ(variant->s2_writable, e->s2_writable);
	EXPECT_EQ(km_env_has(variant->h, KM_C_CACHEABLE_PFNMAP) && variant->h->fwb &&
		  variant->h->dic, e->cpfn);
}

/* The stage-2 leaf (W, X, size) that the tracer oracle checks, SPEC 1.2 and 1.3. */
TEST_RULE(pfnexp_leaf, "UNIT-PFNEXP-LEAF",
	  "the stage-2 leaf: W on the read fault unless logging a RAM pfn or COW; X from the "
	  "first fault iff DIC and not NC/Device; a page, a PMD over a host PMD, hugetlb's "
	  "block (a PUD, a PMD, or pages for contiguous PTEs), a page when logging or for "
	  "guest_memfd")
{
	static const struct km_pfn_props anon = { .gup = true, .ram = true, .cacheable = true,
						  .pte_writable = true };
	struct km_pfn_props p;
	struct km_pfn_expect e;

	km_pfn_expect(&anon, &nofwb, 0, &e);
	EXPECT_TRUE(e.s2_w_read);
	EXPECT_FALSE(e.s2_x_eager) TH_LOG("no DIC: X only after an exec fault");
	EXPECT_TRUE(e.exec);
	EXPECT_EQ(0x1000, e.s2_size);
	km_pfn_expect(&anon, &dic_only, 0, &e);
	EXPECT_TRUE(e.s2_x_eager) TH_LOG("DIC: X from the first fault");

	p = anon;
	p.host_leaf = 0x200000;		/* THP */
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_EQ(0x200000, e.s2_size);
	p.host_leaf = 0x40000000;	/* a PUD leaf is adjusted to a PMD at most */
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_EQ(0x200000, e.s2_size);
	p.hugetlb = true;		/* hugetlb maps its own page size */
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_EQ(0x40000000, e.s2_size);
	km_pfn_expect(&p, &cpfn, KM_PE_LOG_DIRTY, &e);
	EXPECT_EQ(0x1000, e.s2_size) TH_LOG("logging forces pages");
	EXPECT_FALSE(e.s2_w_read) TH_LOG("logging: a read maps RAM read-only");
	EXPECT_TRUE(e.s2_writable);
	km_pfn_expect(&p, &(struct km_env){ .page_size = 0x10000, KM_ENV_HAS_ALL }, KM_PE_LOG_DIRTY,
		      &e);
	EXPECT_EQ(0x10000, e.s2_size) TH_LOG("the page is PAGE_SIZE");
	p.host_leaf = 0x200000;		/* 2 MiB hugetlb: contiguous PTEs at 16/64 KiB */
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_EQ(0x200000, e.s2_size) TH_LOG("4 KiB pages: a PMD");
	km_pfn_expect(&p, &(struct km_env){ .page_size = 0x10000, KM_ENV_HAS_ALL }, 0, &e);
	EXPECT_EQ(0x10000, e.s2_size) TH_LOG("64 KiB pages: CONT_PTE_SHIFT maps pages");
	km_pfn_expect(&p, &(struct km_env){ .page_size = 0x4000, KM_ENV_HAS_ALL }, 0, &e);
	EXPECT_EQ(0x4000, e.s2_size) TH_LOG("16 KiB pages: CONT_PTE_SHIFT maps pages");
	p.host_leaf = 0x20000000;	/* 512 MiB hugetlb, the PMD of 64 KiB pages */
	km_pfn_expect(&p, &(struct km_env){ .page_size = 0x10000, KM_ENV_HAS_ALL }, 0, &e);
	EXPECT_EQ(0x20000000, e.s2_size);
	p.host_leaf = 0x2000000;	/* 32 MiB: contiguous PMDs with 4 KiB pages */
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_EQ(0x200000, e.s2_size) TH_LOG("CONT_PMD_SHIFT maps PMDs");

	p = (struct km_pfn_props)MIXED(true, false, false, true);	/* M3 Normal-NC */
	km_pfn_expect(&p, &cpfn, KM_PE_LOG_DIRTY, &e);
	EXPECT_TRUE(e.s2_w_read) TH_LOG("a pfn outside the linear map is W even when logging");
	EXPECT_FALSE(e.s2_x_eager) TH_LOG("never X on Normal-NC, DIC or not");
	EXPECT_FALSE(e.exec);

	p = (struct km_pfn_props){ .pfnmap = true, .io = true, .cow = true };	/* C1 */
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_FALSE(e.s2_w_read);
	EXPECT_FALSE(e.s2_writable);

	p = (struct km_pfn_props){ .gmem = true };
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_EQ(0, e.memslot);
	EXPECT_EQ(KM_S2_NORMAL, e.s2);
	EXPECT_TRUE(e.s2_w_read && e.s2_x_eager);
	EXPECT_EQ(0x1000, e.s2_size);
	EXPECT_STREQ("mmu.c:gmem_abort", e.s2_why);
	km_pfn_expect(&p, &nofwb, KM_PE_LOG_DIRTY, &e);
	EXPECT_EQ(-EINVAL, e.memslot) TH_LOG("guest_memfd + LOG_DIRTY (1.1 row 2)");
	km_pfn_expect(&p, &cpfn, KM_PE_MTE_VM, &e);
	EXPECT_EQ(-EINVAL, e.memslot) TH_LOG("guest_memfd on an MTE VM (1.1 row 11)");

	p = (struct km_pfn_props)MIXED(false, false, true, false);	/* M2 */
	km_pfn_expect(&p, &cpfn, 0, &e);
	EXPECT_EQ(0, e.s2_size) TH_LOG("nothing mapped, no leaf");
}

TEST_RULE(pfn_k1_scope, "UNIT-PFNEXP-K1",
	  "SPEC K1: only a non-RAM, non-gmem pfn whose slot and load should succeed is out of "
	  "scope, and only under pKVM")
{
	struct km_pfn_props io = { .pfnmap = true }, ram = { .pfnmap = true, .ram = true };

	EXPECT_TRUE(km_pfn_k1_out_of_scope(&io, 0, 0, true));
	EXPECT_FALSE(km_pfn_k1_out_of_scope(&io, 0, 0, false));
	EXPECT_FALSE(km_pfn_k1_out_of_scope(&ram, 0, 0, true));
	EXPECT_FALSE(km_pfn_k1_out_of_scope(&io, -EINVAL, 0, true));
	EXPECT_FALSE(km_pfn_k1_out_of_scope(&io, 0, -EFAULT, true));
}
