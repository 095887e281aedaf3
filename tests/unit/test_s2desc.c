// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/oracle/s2desc.c: stage-2 descriptors and MemAttr per the Arm
 * ARM, with and without FEAT_S2FWB, MAIR fields, and the combined memory
 * type of stage 1 and stage 2.
 */
#include "harness.h"
#include "s2desc.h"
#include "s2prot.h"

/* A leaf as stage2_set_prot_attr() and kvm_init_valid_leaf_pte() build it. */
static u64 leaf(u64 pa, int level, unsigned int memattr, bool r, bool w, unsigned int xn,
		bool lpa2)
{
	u64 d = pa | ((u64)memattr << 2) | (1ULL << 10) | (level == 3 ? 3 : 1);

	if (r)
		d |= 1ULL << 6;
	if (w)
		d |= 1ULL << 7;
	if (!lpa2)
		d |= 3ULL << 8;		/* SH inner shareable */
	return d | ((u64)xn << 53);
}

static const struct km_s2d_ctx ctx_fwb = { .fwb = true, .xnx = true, .page_shift = 12 };
static const struct km_s2d_ctx ctx_nofwb = { .fwb = false, .page_shift = 12 };

TEST_RULE(s2desc_memattr, "UNIT-S2DESC-01",
	  "every stage-2 MemAttr decodes per the Arm ARM, without and with FWB; KVM's three "
	  "encodings map back to its memory types and nothing else does")
{
	static const struct {
		unsigned int raw;
		bool fwb;
		enum km_s2ma_kind kind;
		enum km_memtype mt;
		const char *str;
	} t[] = {
		{ 0x0, false, KM_S2MA_DEVICE, KM_MT_NONE, "Device-nGnRnE (MemAttr 0b0000)" },
		{ 0x1, false, KM_S2MA_DEVICE, KM_MT_DEVICE, "Device-nGnRE (MemAttr 0b0001)" },
		{ 0x2, false, KM_S2MA_DEVICE, KM_MT_NONE, "Device-nGRE (MemAttr 0b0010)" },
		{ 0x3, false, KM_S2MA_DEVICE, KM_MT_NONE, "Device-GRE (MemAttr 0b0011)" },
		{ 0x4, false, KM_S2MA_RESERVED, KM_MT_NONE, "reserved (MemAttr 0b0100)" },
		{ 0x5, false, KM_S2MA_NORMAL, KM_MT_NORMAL_NC, "Normal-NC (MemAttr 0b0101)" },
		{ 0x6, false, KM_S2MA_NORMAL, KM_MT_NONE, "Normal iWT oNC (MemAttr 0b0110)" },
		{ 0x7, false, KM_S2MA_NORMAL, KM_MT_NONE, "Normal iWB oNC (MemAttr 0b0111)" },
		{ 0xa, false, KM_S2MA_NORMAL, KM_MT_NONE, "Normal-WT (MemAttr 0b1010)" },
		{ 0xc, false, KM_S2MA_RESERVED, KM_MT_NONE, "reserved (MemAttr 0b1100)" },
		{ 0xe, false, KM_S2MA_NORMAL, KM_MT_NONE, "Normal iWT oWB (MemAttr 0b1110)" },
		{ 0xf, false, KM_S2MA_NORMAL, KM_MT_NORMAL, "Normal-WB (MemAttr 0b1111)" },
		{ 0x0, true, KM_S2MA_DEVICE, KM_MT_NONE, "Device-nGnRnE (MemAttr 0b0000)" },
		{ 0x1, true, KM_S2MA_DEVICE, KM_MT_DEVICE, "Device-nGnRE (MemAttr 0b0001)" },
		{ 0x3, true, KM_S2MA_DEVICE, KM_MT_NONE, "Device-GRE (MemAttr 0b0011)" },
		{ 0x4, true, KM_S2MA_RESERVED, KM_MT_NONE, "reserved (FWB) (MemAttr 0b0100)" },
		{ 0x5, true, KM_S2MA_FWB_NC, KM_MT_NORMAL_NC, "FWB Normal-NC (MemAttr 0b0101)" },
		{ 0x6, true, KM_S2MA_FWB_WB, KM_MT_NORMAL, "FWB forced Normal-WB (MemAttr 0b0110)" },
		{ 0x7, true, KM_S2MA_FWB_AS_S1, KM_MT_NONE, "FWB as stage 1 (MemAttr 0b0111)" },
		{ 0xe, true, KM_S2MA_RESERVED, KM_MT_NONE, "reserved (FWB) (MemAttr 0b1110)" },
		{ 0xf, true, KM_S2MA_RESERVED, KM_MT_NONE, "reserved (FWB) (MemAttr 0b1111)" },
	};
	static const enum km_memtype types[] = { KM_MT_NORMAL, KM_MT_NORMAL_NC, KM_MT_DEVICE };
	unsigned int i, fwb;
	char buf[64];

	for (i = 0; i < KM_ARRAY_SIZE(t); i++) {
		struct km_s2ma ma = km_s2ma_decode(t[i].raw, t[i].fwb);

		EXPECT_EQ(t[i].kind, ma.kind) TH_LOG("MemAttr 0x%x FWB %d", t[i].raw, t[i].fwb);
		EXPECT_EQ(t[i].mt, ma.mt) TH_LOG("MemAttr 0x%x FWB %d", t[i].raw, t[i].fwb);
		EXPECT_STREQ(t[i].str, km_s2ma_str(&ma, buf, sizeof(buf)));
	}
	/* The encodings KVM installs (asm/memory.h). */
	EXPECT_EQ(0xf, km_s2ma_want(KM_MT_NORMAL, false));
	EXPECT_EQ(0x6, km_s2ma_want(KM_MT_NORMAL, true));
	EXPECT_EQ(0x5, km_s2ma_want(KM_MT_NORMAL_NC, false));
	EXPECT_EQ(0x5, km_s2ma_want(KM_MT_NORMAL_NC, true));
	EXPECT_EQ(0x1, km_s2ma_want(KM_MT_DEVICE, false));
	EXPECT_EQ(0x1, km_s2ma_want(KM_MT_DEVICE, true));
	EXPECT_EQ(-1, km_s2ma_want(KM_MT_NONE, true));
	/* Exactly one MemAttr per form encodes each of KVM's types. */
	for (fwb = 0; fwb < 2; fwb++)
		for (i = 0; i < KM_ARRAY_SIZE(types); i++) {
			unsigned int m, n = 0;

			for (m = 0; m < 16; m++)
				if (km_s2ma_decode(m, fwb).mt == types[i]) {
					n++;
					EXPECT_EQ(km_s2ma_want(types[i], fwb), (int)m);
				}
			EXPECT_EQ(1, n) TH_LOG("FWB %u, %s", fwb, km_memtype_str(types[i]));
		}
}

TEST_RULE(s2desc_decode, "UNIT-S2DESC-02",
	  "stage-2 leaves decode: page and block, output address (48-bit, LPA2, 64K), S2AP, "
	  "SH or VTCR_EL2.SH0 with DS, AF, contiguous, XN with and without FEAT_XNX; invalid, "
	  "reserved and table entries map nothing")
{
	struct km_s2d_ctx lpa2 = { .fwb = true, .xnx = true, .ds = true, .sh0 = 3,
				   .page_shift = 12 };
	struct km_s2d_ctx g64k = { .fwb = false, .page_shift = 16 };
	struct km_s2desc d;
	char buf[256];

	/* Anonymous RAM, FWB, after a read fault without DIC: R W, XN 0b10. */
	km_s2desc_decode(leaf(0x4291f000, 3, 0x6, true, true, 2, false), 3, 0x80003000,
			 &ctx_fwb, &d);
	EXPECT_TRUE(d.mapped);
	EXPECT_EQ(0x1000, d.size);
	EXPECT_EQ(0x80003000, d.ipa);
	EXPECT_EQ(0x4291f000, d.oa);
	EXPECT_EQ(KM_S2MA_FWB_WB, d.ma.kind);
	EXPECT_EQ(KM_MT_NORMAL, d.ma.mt);
	EXPECT_TRUE(d.r);
	EXPECT_TRUE(d.w);
	EXPECT_EQ(KM_SH_ISH, d.sh);
	EXPECT_TRUE(d.af);
	EXPECT_FALSE(d.contig);
	EXPECT_EQ(2, d.xn);
	EXPECT_FALSE(d.px);
	EXPECT_FALSE(d.ux);
	EXPECT_STREQ("desc 0x004000004291f7db L3 4 KiB page at IPA 0x80003000 -> PA 0x4291f000: "
		     "FWB forced Normal-WB (MemAttr 0b0110), S2AP RW, ISH, AF, not contiguous, "
		     "XN 0b10 (no X)", km_s2desc_str(&d, buf, sizeof(buf)));
	/* Bits of the descriptor are not masked out of the raw value by the string. */
	EXPECT_EQ(leaf(0x4291f000, 3, 0x6, true, true, 2, false), d.raw);

	/* A THP block, no FWB, executable: IPA and OA aligned down to 2 MiB. */
	km_s2desc_decode(leaf(0x45400000, 2, 0xf, true, true, 0, false) | (1ULL << 52), 2,
			 0x40012000, &ctx_nofwb, &d);
	EXPECT_TRUE(d.mapped);
	EXPECT_EQ(0x200000, d.size);
	EXPECT_EQ(0x40000000, d.ipa);
	EXPECT_EQ(0x45400000, d.oa);
	EXPECT_EQ(KM_MT_NORMAL, d.ma.mt);
	EXPECT_TRUE(d.px && d.ux);
	EXPECT_TRUE(d.contig);
	/* Without FEAT_XNX bit 53 is RES0: only bit 54 counts. */
	km_s2desc_decode(leaf(0x45400000, 2, 0xf, true, true, 1, false), 2, 0, &ctx_nofwb, &d);
	EXPECT_TRUE(d.px && d.ux);
	EXPECT_EQ(0, d.xn);
	/* With it, the two-bit forms. */
	km_s2desc_decode(leaf(0x1000, 3, 0x6, true, false, 1, false), 3, 0, &ctx_fwb, &d);
	EXPECT_FALSE(d.px);
	EXPECT_TRUE(d.ux);
	EXPECT_FALSE(d.w);
	km_s2desc_decode(leaf(0x1000, 3, 0x6, true, false, 3, false), 3, 0, &ctx_fwb, &d);
	EXPECT_TRUE(d.px);
	EXPECT_FALSE(d.ux);
	EXPECT_STREQ("EL1 X only)", strstr(km_s2desc_str(&d, buf, sizeof(buf)), "EL1"));
	/* A 1 GiB block at level 1. */
	km_s2desc_decode(leaf(0x40000000, 1, 0x1, true, true, 2, false), 1, 0x7fffffff,
			 &ctx_nofwb, &d);
	EXPECT_EQ(1ULL << 30, d.size);
	EXPECT_EQ(0x40000000, d.ipa);
	EXPECT_EQ(KM_MT_DEVICE, d.ma.mt);

	/* LPA2 (VTCR_EL2.DS): bits [9:8] are OA[51:50], shareability from SH0. */
	km_s2desc_decode(leaf(0x4291f000, 3, 0x5, true, true, 2, true) | (2ULL << 8) |
			 (1ULL << 48), 3, 0x80003000, &lpa2, &d);
	EXPECT_EQ((1ULL << 51) | (1ULL << 48) | 0x4291f000, d.oa);
	EXPECT_EQ(KM_SH_ISH, d.sh);
	EXPECT_TRUE(d.sh_vtcr);
	EXPECT_EQ(KM_MT_NORMAL_NC, d.ma.mt);
	EXPECT_NE(NULL, strstr(km_s2desc_str(&d, buf, sizeof(buf)), "ISH (VTCR_EL2.SH0), AF"));
	/* 64 KiB granule: OA[51:48] in bits [15:12], level 3 is 64 KiB, level 2 512 MiB. */
	km_s2desc_decode(0x40010000ULL | (0xaULL << 12) | (0xfULL << 2) | (1 << 10) | 3,
			 3, 0x20000, &g64k, &d);
	EXPECT_EQ(0x10000, d.size);
	EXPECT_EQ(0x000a000040010000ULL, d.oa);
	EXPECT_EQ(1ULL << 29, km_s2_level_size(2, 16));
	EXPECT_EQ(1ULL << 25, km_s2_level_size(2, 14));
	EXPECT_EQ(1ULL << 39, km_s2_level_size(0, 12));
	EXPECT_EQ(1ULL << 48, km_s2_level_size(-1, 12));

	/* Nothing mapped: an invalid entry (also pKVM-style annotations), a table, a reserved form. */
	km_s2desc_decode(0, 2, 0x80000000, &ctx_fwb, &d);
	EXPECT_FALSE(d.mapped);
	EXPECT_EQ(0x200000, d.size);
	EXPECT_STREQ("desc 0x0000000000000000 L2: not mapped", km_s2desc_str(&d, buf, sizeof(buf)));
	km_s2desc_decode(0x1000000000000000ULL | 0x4291f000, 3, 0, &ctx_fwb, &d);
	EXPECT_FALSE(d.mapped);
	km_s2desc_decode(0x4291f003, 2, 0, &ctx_fwb, &d);
	EXPECT_FALSE(d.mapped);
	EXPECT_FALSE(d.reserved);
	km_s2desc_decode(leaf(0x4291f000, 3, 0x6, true, true, 0, false) & ~2ULL, 3, 0, &ctx_fwb,
			 &d);
	EXPECT_FALSE(d.mapped);
	EXPECT_TRUE(d.reserved);
}

static struct km_mtype dev(enum km_devtype t)
{
	return (struct km_mtype){ .valid = true, .device = true, .dev = t };
}

static struct km_mtype nrm(enum km_cache in, enum km_cache out)
{
	return (struct km_mtype){ .valid = true, .inner = in, .outer = out };
}

TEST_RULE(s2desc_mair, "UNIT-S2DESC-03",
	  "MAIR_EL1 fields decode per the Arm ARM (Device types, Normal inner and outer "
	  "cacheability, transient forms, reserved ones); the agent's KM_ATTR_* indices are the "
	  "types their names say")
{
	static const struct {
		unsigned int attr;
		struct km_mtype t;
	} t[] = {
		{ 0x00, { true, true, KM_DEV_nGnRnE } },
		{ 0x04, { true, true, KM_DEV_nGnRE } },
		{ 0x08, { true, true, KM_DEV_nGRE } },
		{ 0x0c, { true, true, KM_DEV_GRE } },
		{ 0x01, { false } },
		{ 0x44, { true, false, 0, KM_CACHE_NC, KM_CACHE_NC } },
		{ 0xff, { true, false, 0, KM_CACHE_WB, KM_CACHE_WB } },
		{ 0xbb, { true, false, 0, KM_CACHE_WT, KM_CACHE_WT } },
		{ 0x88, { true, false, 0, KM_CACHE_WT, KM_CACHE_WT } },
		{ 0x4f, { true, false, 0, KM_CACHE_WB, KM_CACHE_NC } },
		{ 0x7f, { true, false, 0, KM_CACHE_WB, KM_CACHE_WB } },	/* WB transient */
		{ 0x2f, { true, false, 0, KM_CACHE_WB, KM_CACHE_WT } },	/* WT transient */
		{ 0xf0, { true, false, 0, KM_CACHE_WB, KM_CACHE_WB } },	/* Tagged */
		{ 0x40, { true, false, 0, KM_CACHE_NC, KM_CACHE_NC } },	/* FEAT_XS */
		{ 0x80, { false } },
		{ 0xf4, { true, false, 0, KM_CACHE_NC, KM_CACHE_WB } },
	};
	unsigned int i;
	char a[32], b[32];

	for (i = 0; i < KM_ARRAY_SIZE(t); i++) {
		struct km_mtype m = km_mair_decode(t[i].attr);

		EXPECT_TRUE(km_mtype_eq(&t[i].t, &m))
			TH_LOG("MAIR 0x%02x: %s, want %s", t[i].attr, km_mtype_str(&m, a, sizeof(a)),
			       km_mtype_str(&t[i].t, b, sizeof(b)));
	}
	EXPECT_EQ(0x00, km_s1attr_mair(KM_ATTR_DEVICE_nGnRnE));
	EXPECT_EQ(0x04, km_s1attr_mair(KM_ATTR_DEVICE_nGnRE));
	EXPECT_EQ(0x44, km_s1attr_mair(KM_ATTR_NORMAL_NC));
	EXPECT_EQ(0xff, km_s1attr_mair(KM_ATTR_NORMAL_WB));
	EXPECT_STREQ("Device-nGnRnE",
		     km_mtype_str(&(struct km_mtype){ true, true, KM_DEV_nGnRnE }, a, sizeof(a)));
	EXPECT_STREQ("Normal iWB oNC", km_mtype_str(&t[9].t, a, sizeof(a)));
	EXPECT_STREQ("reserved", km_mtype_str(&t[4].t, a, sizeof(a)));
}

TEST_RULE(s2desc_combine, "UNIT-S2DESC-04",
	  "the combined memory type of each agent stage-1 attribute with each stage-2 MemAttr "
	  "KVM installs, without FWB (the more restrictive wins) and with it (forced WB, NC "
	  "keeping a stage-1 Device type, Device, as stage 1)")
{
	const struct km_mtype nGnRnE = dev(KM_DEV_nGnRnE), nGnRE = dev(KM_DEV_nGnRE);
	const struct km_mtype NC = nrm(KM_CACHE_NC, KM_CACHE_NC), WB = nrm(KM_CACHE_WB, KM_CACHE_WB);
	/* Per stage-1 attribute: nGnRnE, nGnRE, Normal-NC, Normal-WB. */
	const struct {
		unsigned int memattr;
		bool fwb;
		struct km_mtype want[4];
	} t[] = {
		{ 0xf, false, { nGnRnE, nGnRE, NC, WB } },
		{ 0x5, false, { nGnRnE, nGnRE, NC, NC } },
		{ 0x1, false, { nGnRnE, nGnRE, nGnRE, nGnRE } },
		{ 0x6, true, { WB, WB, WB, WB } },
		{ 0x5, true, { nGnRnE, nGnRE, NC, NC } },
		{ 0x1, true, { nGnRnE, nGnRE, nGnRE, nGnRE } },
		{ 0x7, true, { nGnRnE, nGnRE, NC, WB } },
		{ 0xe, false, { nGnRnE, nGnRE, NC, nrm(KM_CACHE_WT, KM_CACHE_WB) } },
		{ 0x3, false, { nGnRnE, nGnRE, dev(KM_DEV_GRE), dev(KM_DEV_GRE) } },
	};
	static const unsigned int s1[4] = { KM_ATTR_DEVICE_nGnRnE, KM_ATTR_DEVICE_nGnRE,
					    KM_ATTR_NORMAL_NC, KM_ATTR_NORMAL_WB };
	struct km_mtype e, s1t;
	struct km_s2ma s2;
	unsigned int i, j;
	char a[32], b[32];

	for (i = 0; i < KM_ARRAY_SIZE(t); i++)
		for (j = 0; j < 4; j++) {
			e = km_effective(s1[j], t[i].memattr, t[i].fwb);
			EXPECT_TRUE(km_mtype_eq(&t[i].want[j], &e))
				TH_LOG("stage 1 %s, MemAttr 0x%x FWB %d: %s, want %s",
				       km_s1attr_str(s1[j]), t[i].memattr, t[i].fwb,
				       km_mtype_str(&e, a, sizeof(a)),
				       km_mtype_str(&t[i].want[j], b, sizeof(b)));
		}
	/* Device at both stages: the more restrictive; reserved encodings: no type. */
	s1t = dev(KM_DEV_nGRE);
	s2 = km_s2ma_decode(0x3, false);
	e = km_s2_combine(&s1t, &s2);
	EXPECT_TRUE(km_mtype_eq(&s1t, &e));
	e = km_effective(KM_ATTR_NORMAL_WB, 0x4, false);
	EXPECT_FALSE(e.valid);
	e = km_effective(KM_ATTR_NORMAL_WB, 0xe, true);
	EXPECT_FALSE(e.valid);
	s1t = km_mair_decode(0x80);
	s2 = km_s2ma_decode(0xf, false);
	e = km_s2_combine(&s1t, &s2);
	EXPECT_FALSE(e.valid);
	/* ...unless FWB forces Normal-WB, which needs nothing from stage 1. */
	s2 = km_s2ma_decode(0x6, true);
	e = km_s2_combine(&s1t, &s2);
	EXPECT_TRUE(km_mtype_eq(&WB, &e));
}

TEST_RULE(s2desc_outcomes, "UNIT-S2DESC-05",
	  "the guest outcomes the combined type allows agree with km_expect() for every S2MT "
	  "backing, stage-1 attribute and access, with and without FWB; where the combined "
	  "type decides nothing km_expect() asserts nothing")
{
	unsigned int b, s1, fwb, dic, n = 0;
	enum km_access acc;
	struct km_expect e;
	char x[160], y[160];

	for (b = 0; b < KM_BK_NR; b++)
		for (s1 = 0; s1 <= KM_ATTR_NORMAL_WB; s1++)
			for (acc = 0; acc < KM_ACC_NR; acc++)
				for (fwb = 0; fwb < 2; fwb++)
					for (dic = 0; dic < 2; dic++) {
		const struct km_env hw = { .fwb = fwb, .dic = dic, KM_ENV_HAS_ALL };
		struct km_s2ma ma;
		unsigned int got;

		ASSERT_EQ(0, km_expect(b, s1, acc, &hw, &e));
		if (e.slot_err || e.first_err)
			continue;
		ma = km_s2ma_decode(km_s2ma_want(e.mt, fwb), fwb);
		got = km_effective_outcomes(s1, &ma, acc);
		if (acc == KM_ACC_EXEC) {
			EXPECT_EQ(KM_OUT_ALL, got);
			continue;
		}
		n++;
		EXPECT_EQ(e.guest, got)
			TH_LOG("%s, stage 1 %s, %s, FWB %u: km_expect() says %s, the combined "
			       "type %s", km_backing_desc(b)->name, km_s1attr_str(s1),
			       km_access_str(acc), fwb, km_outset_str(e.guest, x, sizeof(x)),
			       km_outset_str(got, y, sizeof(y)));
	}
	EXPECT_LT(100, n);
}
