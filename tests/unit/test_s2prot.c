// SPDX-License-Identifier: GPL-2.0
/* Unit tests of lib/oracle/s2prot.c: prot decoding, trace-line parsing, replay. */
#include "harness.h"
#include "s2prot.h"

/* A prot value and what it must decode to. */
struct decode_row {
	u64 prot;
	enum km_memtype mt;
	bool r, w, x, valid;
};

/* Each row decoded in layout l (NULL: the current one); X is PX, or PX and UX (both_x). */
static void check_decode(const struct km_s2layout *l, const struct decode_row *t,
			 unsigned int n, bool both_x)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct km_s2attr a = km_s2_decode_as(l, t[i].prot);

		EXPECT_EQ(t[i].mt, a.mt) TH_LOG("prot 0x%llx", t[i].prot);
		EXPECT_EQ(t[i].r, a.r) TH_LOG("prot 0x%llx", t[i].prot);
		EXPECT_EQ(t[i].w, a.w) TH_LOG("prot 0x%llx", t[i].prot);
		EXPECT_EQ(t[i].x, both_x ? a.px && a.ux : a.px) TH_LOG("prot 0x%llx", t[i].prot);
		EXPECT_EQ(t[i].valid, a.valid) TH_LOG("prot 0x%llx", t[i].prot);
	}
}

TEST_RULE(s2prot_decode, "UNIT-S2PROT-01",
	  "kvm_pgtable_stage2_map prot bits decode to memory type and R/W/X as "
	  "stage2_set_prot_attr() installs them; impossible combinations are invalid")
{
	static const struct decode_row t[] = {
		{ 0x0f, KM_MT_NORMAL, true, true, true, true },		/* anon RAM, DIC */
		{ 0x0c, KM_MT_NORMAL, true, true, false, true },
		{ 0x08, KM_MT_NORMAL, true, false, false, true },	/* RO slot */
		{ 0x1c, KM_MT_DEVICE, true, true, false, true },	/* ivshmem BAR */
		{ 0x2c, KM_MT_NORMAL_NC, true, true, false, true },	/* vfio-pci BAR */
		{ 0x3c, KM_MT_NONE, true, true, false, false },		/* DEVICE|NC */
		{ 0x1f, KM_MT_DEVICE, true, true, true, false },	/* Device + X */
		{ 0x2d, KM_MT_NORMAL_NC, true, true, true, false },	/* NC + PX */
		{ 0x0f | KM_BIT(55), KM_MT_NORMAL, true, true, true, true },	/* SW bit */
	};
	char buf[64];

	check_decode(NULL, t, KM_ARRAY_SIZE(t), false);
	EXPECT_STREQ("Normal R W X", km_s2attr_str(&(struct km_s2attr){ KM_MT_NORMAL, true, true,
			true, true, true }, buf, sizeof(buf)));
	EXPECT_STREQ("Device-nGnRE R W", km_s2attr_str(&(struct km_s2attr){ KM_MT_DEVICE, true,
			true, false, false, true }, buf, sizeof(buf)));
	EXPECT_STREQ("{Normal, Normal-NC}", km_mtset_str(KM_MT_SET_NOT_DEVICE, buf, sizeof(buf)));
	EXPECT_STREQ("{}", km_mtset_str(0, buf, sizeof(buf)));
	EXPECT_STREQ("2 MiB", km_size_str(0x200000, buf, sizeof(buf)));
	EXPECT_STREQ("4 KiB", km_size_str(0x1000, buf, sizeof(buf)));
}

TEST_RULE(s2prot_decode_6x, "UNIT-S2PROT-04",
	  "the Linux 6.x numbering (X 0, W 1, R 2, DEVICE 3, NORMAL_NC 4) decodes the same "
	  "mappings, and the anonymous page of the self-check fits exactly one layout")
{
	static const struct decode_row t[] = {
		{ 0x07, KM_MT_NORMAL, true, true, true, true },		/* anon RAM, DIC */
		{ 0x06, KM_MT_NORMAL, true, true, false, true },
		{ 0x0e, KM_MT_DEVICE, true, true, false, true },
		{ 0x16, KM_MT_NORMAL_NC, true, true, false, true },
		{ 0x0f, KM_MT_DEVICE, true, true, true, false },
	};
	const struct km_s2layout *old = &km_s2layouts[1], *now = &km_s2layouts[0];
	static const u64 anon[] = { 0x07, 0x06, 0x0f, 0x0c };
	unsigned int i, j, fits;

	check_decode(old, t, KM_ARRAY_SIZE(t), true);
	/* 6.x RWX, 6.x RW, 7.x RWX, 7.x RW: each Normal R/W in one layout only. */
	for (i = 0; i < KM_ARRAY_SIZE(anon); i++) {
		for (fits = 0, j = 0; j < KM_S2_NLAYOUTS; j++) {
			struct km_s2attr a = km_s2_decode_as(&km_s2layouts[j], anon[i]);

			fits += a.valid && a.mt == KM_MT_NORMAL && a.r && a.w;
		}
		EXPECT_EQ(1, fits) TH_LOG("prot 0x%llx", anon[i]);
	}
	EXPECT_EQ(KM_MT_NORMAL, km_s2_decode_as(now, 0x0f).mt);
	EXPECT_EQ(KM_MT_DEVICE, km_s2_decode_as(old, 0x0f).mt);
}

/* Lines as the Linux 7.3.4 tracefs prints them (seen in the guest). */
#define L_MAP "           <...>-107     [000] d..1.     4.498659: km_107_map: " \
	      "(kvm_pgtable_stage2_map+0x0/0x140) ipa=0x80003000 size=0x1000 " \
	      "phys=0x4291f000 prot=0xf"
#define L_RET "           <...>-107     [000] d..2.     4.085647: km_107_mapret: " \
	      "(user_mem_abort+0x818/0xde0 <- kvm_pgtable_stage2_map) ret=0"
#define L_RETERR "           <...>-107     [001] d..2.     4.085647: km_107_mapret: " \
		 "(user_mem_abort+0x818/0xde0 <- kvm_pgtable_stage2_map) ret=-11"
#define L_RELAX "           <...>-107     [000] d..1.     4.5: km_107_relax: " \
		"(kvm_pgtable_stage2_relax_perms+0x0/0xd0) ipa=0x80003000 prot=0xb"

TEST_RULE(s2prot_parse, "UNIT-S2PROT-02",
	  "trace lines of our probes parse; other processes' probes, comments and other "
	  "events are not ours; a truncated line of ours is malformed")
{
	struct km_s2rec r;

	ASSERT_EQ(1, km_s2rec_parse(L_MAP, "km_107_", &r));
	EXPECT_EQ(KM_S2R_MAP, r.kind);
	EXPECT_EQ(0x80003000, r.ipa);
	EXPECT_EQ(0x1000, r.size);
	EXPECT_EQ(0x4291f000, r.phys);
	EXPECT_EQ(0xf, r.prot);
	ASSERT_EQ(1, km_s2rec_parse(L_RET, "km_107_", &r));
	EXPECT_EQ(KM_S2R_MAPRET, r.kind);
	EXPECT_EQ(0, r.ret);
	ASSERT_EQ(1, km_s2rec_parse(L_RETERR, "km_107_", &r));
	EXPECT_EQ(-11, r.ret);
	ASSERT_EQ(1, km_s2rec_parse(L_RELAX, "km_107_", &r));
	EXPECT_EQ(KM_S2R_RELAX, r.kind);
	EXPECT_EQ(0xb, r.prot);

	EXPECT_EQ(0, km_s2rec_parse(L_MAP, "km_10_", &r));	/* pid 10 is not 107 */
	EXPECT_EQ(0, km_s2rec_parse(L_MAP, "km_1071_", &r));
	EXPECT_EQ(0, km_s2rec_parse("# tracer: nop", "km_107_", &r));
	EXPECT_EQ(0, km_s2rec_parse("  x-1 [0] .... 1.0: sched_switch: prev=km_107_map: (",
				    "km_107_", &r));
	EXPECT_EQ(-1, km_s2rec_parse("  <...>-107 [000] d..1. 4.4: km_107_map: "
				     "(kvm_pgtable_stage2_map+0x0/0x140) "
				     "ipa=0x80003000 size=0x1000", "km_107_", &r));
	EXPECT_EQ(-1, km_s2rec_parse("  <...>-107 [000] d..1. 4.4: km_107_mapret: (cut",
				     "km_107_", &r));
}

static struct km_s2rec map(u64 ipa, u64 size, u64 prot)
{
	return (struct km_s2rec){ .kind = KM_S2R_MAP, .ipa = ipa, .size = size,
				  .phys = 0x40000000 + ipa, .prot = prot };
}

static struct km_s2rec ret(long r)
{
	return (struct km_s2rec){ .kind = KM_S2R_MAPRET, .ret = r };
}

static struct km_s2rec relax(u64 ipa, u64 prot)
{
	return (struct km_s2rec){ .kind = KM_S2R_RELAX, .ipa = ipa, .prot = prot };
}

TEST_RULE(s2prot_replay, "UNIT-S2PROT-03",
	  "replay: maps install, failed maps (kretprobe ret) do not, relax adds permissions "
	  "to the covering leaf only, a page map inside a block splits it away")
{
	struct km_s2map m;

	/* Read fault then exec fault on the same page: X via relax. */
	struct km_s2rec a[] = { map(0x80000000, 0x1000, 0xc), ret(0), relax(0x80000000, 0xb) };
	km_s2_replay(a, KM_ARRAY_SIZE(a), 0x80000010, &m);
	ASSERT_TRUE(m.valid);
	EXPECT_EQ(KM_MT_NORMAL, m.a.mt);
	EXPECT_TRUE(m.a.px && m.a.ux && m.a.w && m.a.r);
	EXPECT_EQ(1, m.nmap);
	EXPECT_EQ(1, m.nrelax);
	EXPECT_EQ(0x80000000, m.ipa);

	/* Without return records every map takes effect. */
	struct km_s2rec b[] = { map(0x80000000, 0x1000, 0x1c), map(0x80001000, 0x1000, 0xc) };
	km_s2_replay(b, KM_ARRAY_SIZE(b), 0x80000000, &m);
	ASSERT_TRUE(m.valid);
	EXPECT_EQ(KM_MT_DEVICE, m.a.mt);
	km_s2_replay(b, KM_ARRAY_SIZE(b), 0x80002000, &m);
	EXPECT_FALSE(m.valid);

	/* An -EAGAIN map leaves the old leaf; a relax elsewhere does not touch it. */
	struct km_s2rec c[] = { map(0x80000000, 0x1000, 0xc), ret(0),
				map(0x80000000, 0x1000, 0xf), ret(-11), relax(0x80001000, 0xb) };
	km_s2_replay(c, KM_ARRAY_SIZE(c), 0x80000000, &m);
	ASSERT_TRUE(m.valid);
	EXPECT_FALSE(m.a.px);
	EXPECT_EQ(1, m.nfailed);
	EXPECT_EQ(0, m.nrelax);

	/* A 2 MiB block, then a page map inside it elsewhere: the block is gone. */
	struct km_s2rec d[] = { map(0x80000000, 0x200000, 0xc), ret(0),
				relax(0x80123000, 0x3) };
	km_s2_replay(d, KM_ARRAY_SIZE(d), 0x80003000, &m);
	ASSERT_TRUE(m.valid);
	EXPECT_EQ(0x200000, m.size);
	EXPECT_TRUE(m.a.px);	/* relax anywhere in the block */
	struct km_s2rec e[] = { map(0x80000000, 0x200000, 0xc), ret(0),
				map(0x80100000, 0x1000, 0xc), ret(0) };
	km_s2_replay(e, KM_ARRAY_SIZE(e), 0x80003000, &m);
	EXPECT_FALSE(m.valid);
	km_s2_replay(e, KM_ARRAY_SIZE(e), 0x80100000, &m);
	EXPECT_TRUE(m.valid);
	EXPECT_EQ(0x1000, m.size);

	/* A relax never changes the memory type. */
	struct km_s2rec f[] = { map(0x80000000, 0x1000, 0x28), relax(0x80000000, 0x34) };
	km_s2_replay(f, KM_ARRAY_SIZE(f), 0x80000000, &m);
	EXPECT_EQ(KM_MT_NORMAL_NC, m.a.mt);
	EXPECT_TRUE(m.a.w);
	EXPECT_EQ(0x2c, m.prot);
}
