// SPDX-License-Identifier: GPL-2.0
/* Unit tests of lib/expect/expect.c: the expectation function and its inverse. */
#include <errno.h>

#include "harness.h"
#include "expect.h"

static const struct km_env hw_fwb_dic = { .fwb = true, .dic = true, KM_ENV_HAS_ALL };
static const struct km_env hw_none = { KM_ENV_HAS_ALL };
static const struct km_env hw_fwb_only = { .fwb = true, KM_ENV_HAS_ALL };

#define OUT(o)	KM_OUT_BIT(KM_OUT_##o)

TEST_RULE(expect_ram_rows, "UNIT-EXPECT-01",
	  "RAM backings (A1, G1): Normal, writable, X iff DIC or an exec fault, size per backing")
{
	static const struct {
		enum km_backing b;
		u64 size;
	} rows[] = {
		{ KM_BK_ANON, 0x1000 }, { KM_BK_THP, 0x200000 }, { KM_BK_HUGETLB, 0x200000 },
		{ KM_BK_GMEM, 0x1000 }, { KM_BK_MIXEDMAP_RAM, 0x1000 },
		{ KM_BK_PFNMAP_RAM_NC, 0x1000 },	/* P2: the VMA's NC is ignored */
	};
	static const struct {
		unsigned long long page, pmd;
	} granules[] = { { 0x1000, 0x200000 }, { 0x4000, 0x2000000 }, { 0x10000, 0x20000000 } };
	struct km_expect e;
	unsigned int i;

	for (i = 0; i < KM_ARRAY_SIZE(rows); i++) {
		ASSERT_EQ(0, km_expect(rows[i].b, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_none, &e));
		EXPECT_EQ(0, e.slot_err);
		EXPECT_EQ(KM_MT_NORMAL, e.mt) TH_LOG("backing %u", rows[i].b);
		EXPECT_TRUE(e.w);
		EXPECT_EQ(KM_TRI_NO, e.x);
		EXPECT_EQ(rows[i].size, e.size) TH_LOG("backing %u", rows[i].b);
		EXPECT_EQ(OUT(OK), e.guest);
		ASSERT_EQ(0, km_expect(rows[i].b, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_fwb_dic, &e));
		EXPECT_EQ(KM_TRI_YES, e.x) TH_LOG("DIC maps X eagerly");
		ASSERT_EQ(0, km_expect(rows[i].b, KM_ATTR_NORMAL_NC, KM_ACC_EXEC, &hw_none, &e));
		EXPECT_EQ(KM_TRI_YES, e.x) TH_LOG("an exec fault grants X");
		EXPECT_EQ(OUT(OK), e.guest);
	}
	ASSERT_EQ(0, km_expect(KM_BK_GMEM, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_none, &e));
	EXPECT_STREQ("mmu.c:gmem_abort", e.src);

	/* A THP is a PMD of the granule; a 2 MiB hugetlb page is contiguous PTEs there. */
	for (i = 0; i < KM_ARRAY_SIZE(granules); i++) {
		const struct km_env env = { .page_size = granules[i].page, KM_ENV_HAS_ALL };

		ASSERT_EQ(0, km_expect(KM_BK_THP, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &env, &e));
		EXPECT_EQ(granules[i].pmd, e.size) TH_LOG("THP, %llu-byte pages", granules[i].page);
		ASSERT_EQ(0, km_expect(KM_BK_HUGETLB, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &env, &e));
		EXPECT_EQ(granules[i].page == 4096 ? 0x200000 : granules[i].page, e.size)
			TH_LOG("hugetlb, %llu-byte pages", granules[i].page);
	}
}

TEST_RULE(expect_s1_device_on_normal, "UNIT-EXPECT-02",
	  "stage-1 Device over stage-2 Normal: stage-1 alignment fault without FWB, not "
	  "asserted with FWB; DC ZVA's fault is flagged as not modelled by TCG; exec not asserted")
{
	static const unsigned int dev[] = { KM_ATTR_DEVICE_nGnRE, KM_ATTR_DEVICE_nGnRnE };
	struct km_expect e;
	unsigned int i;

	for (i = 0; i < KM_ARRAY_SIZE(dev); i++) {
		km_expect(KM_BK_ANON, dev[i], KM_ACC_LOAD_UNALIGNED, &hw_none, &e);
		EXPECT_EQ(OUT(EL1_ALIGN), e.guest);
		EXPECT_FALSE(e.tcg_unmodelled);
		km_expect(KM_BK_ANON, dev[i], KM_ACC_LOAD_UNALIGNED, &hw_fwb_only, &e);
		EXPECT_EQ(KM_OUT_ALL, e.guest);
		km_expect(KM_BK_THP, dev[i], KM_ACC_DC_ZVA, &hw_none, &e);
		EXPECT_EQ(OUT(EL1_ALIGN), e.guest);
		EXPECT_TRUE(e.tcg_unmodelled);
		km_expect(KM_BK_THP, dev[i], KM_ACC_DC_ZVA, &hw_fwb_dic, &e);
		EXPECT_EQ(KM_OUT_ALL, e.guest);
		EXPECT_FALSE(e.tcg_unmodelled);
		km_expect(KM_BK_GMEM, dev[i], KM_ACC_EXEC, &hw_none, &e);
		EXPECT_EQ(KM_OUT_ALL, e.guest);
		EXPECT_EQ(KM_TRI_ANY, e.x) TH_LOG("X depends on whether the fetch reached stage 2");
		km_expect(KM_BK_GMEM, dev[i], KM_ACC_LOAD, &hw_none, &e);
		EXPECT_EQ(OUT(OK), e.guest);
		EXPECT_EQ(KM_MT_NORMAL, e.mt);
	}
	km_expect(KM_BK_ANON, KM_ATTR_NORMAL_NC, KM_ACC_DC_ZVA, &hw_none, &e);
	EXPECT_EQ(OUT(OK), e.guest);
	EXPECT_FALSE(e.tcg_unmodelled);
}

TEST_RULE(expect_pfnmap_rows, "UNIT-EXPECT-03",
	  "PFNMAP/MIXEDMAP rows follow SPEC 1.2: cacheable PFNMAP needs FWB+DIC, non-RAM "
	  "non-cacheable is NC (ALLOW_ANY_UNCACHED) or Device, never X; MIXEDMAP special EFAULT")
{
	struct km_expect e;

	km_expect(KM_BK_PFNMAP_RAM, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_none, &e);
	EXPECT_EQ(-EINVAL, e.slot_err);
	km_expect(KM_BK_PFNMAP_RAM, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_fwb_only, &e);
	EXPECT_EQ(-EINVAL, e.slot_err) TH_LOG("CPFN needs DIC too");
	km_expect(KM_BK_PFNMAP_IO, KM_ATTR_NORMAL_WB, KM_ACC_EXEC, &hw_fwb_dic, &e);
	EXPECT_EQ(0, e.slot_err);
	EXPECT_EQ(KM_MT_NORMAL, e.mt);
	EXPECT_EQ(KM_TRI_YES, e.x);
	EXPECT_EQ(OUT(OK), e.guest);

	km_expect(KM_BK_PFNMAP_IO_DEV, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_fwb_dic, &e);
	EXPECT_EQ(KM_MT_DEVICE, e.mt);
	EXPECT_EQ(KM_TRI_NO, e.x) TH_LOG("never X on Device, DIC or not");
	EXPECT_EQ(OUT(OK), e.guest);
	km_expect(KM_BK_PFNMAP_IO_DEV, KM_ATTR_NORMAL_WB, KM_ACC_LOAD_UNALIGNED, &hw_none, &e);
	EXPECT_EQ(OUT(RUN_EFAULT), e.guest);
	EXPECT_FALSE(e.tcg_unmodelled);
	km_expect(KM_BK_PFNMAP_IO_DEV, KM_ATTR_NORMAL_NC, KM_ACC_EXEC, &hw_none, &e);
	EXPECT_EQ(OUT(IABT_SEA), e.guest);
	km_expect(KM_BK_PFNMAP_IO_DEV, KM_ATTR_NORMAL_WB, KM_ACC_DC_ZVA, &hw_fwb_dic, &e);
	EXPECT_EQ(OUT(RUN_EFAULT), e.guest);
	EXPECT_TRUE(e.tcg_unmodelled);
	km_expect(KM_BK_PFNMAP_IO_DEV, KM_ATTR_DEVICE_nGnRE, KM_ACC_LOAD_UNALIGNED, &hw_fwb_dic,
		  &e);
	EXPECT_EQ(OUT(EL1_ALIGN) | OUT(RUN_EFAULT), e.guest);

	km_expect(KM_BK_PFNMAP_IO_NC, KM_ATTR_NORMAL_WB, KM_ACC_LOAD_UNALIGNED, &hw_none, &e);
	EXPECT_EQ(KM_MT_NORMAL_NC, e.mt);
	EXPECT_EQ(OUT(OK), e.guest);
	km_expect(KM_BK_PFNMAP_IO_NC, KM_ATTR_NORMAL_WB, KM_ACC_EXEC, &hw_fwb_dic, &e);
	EXPECT_EQ(OUT(IABT_SEA), e.guest);
	EXPECT_EQ(KM_TRI_NO, e.x);
	/* FWB stage-2 NC keeps a stage-1 Device type: the stage-1 fault stays. */
	km_expect(KM_BK_PFNMAP_IO_NC, KM_ATTR_DEVICE_nGnRnE, KM_ACC_LOAD_UNALIGNED, &hw_fwb_dic,
		  &e);
	EXPECT_EQ(OUT(EL1_ALIGN), e.guest);

	km_expect(KM_BK_MIXEDMAP_SPECIAL, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_fwb_dic, &e);
	EXPECT_EQ(-EFAULT, e.first_err);
	EXPECT_EQ(OUT(RUN_EFAULT), e.guest);
	EXPECT_EQ(KM_MT_NONE, e.mt);

	EXPECT_EQ(-EINVAL, km_expect(KM_BK_NR, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_none, &e));
	EXPECT_EQ(-EINVAL, km_expect(KM_BK_ANON, 7, KM_ACC_LOAD, &hw_none, &e));
	EXPECT_EQ(-EINVAL, km_expect(KM_BK_ANON, KM_ATTR_NORMAL_WB, KM_ACC_NR, &hw_none, &e));
}

TEST_RULE(expect_infer, "UNIT-EXPECT-04",
	  "observations narrow the stage-2 memory type: exec runs only on Normal, unaligned "
	  "EFAULT only on Device, DC ZVA under TCG tells nothing, impossible ones give {}")
{
	EXPECT_EQ(KM_MT_BIT(KM_MT_NORMAL),
		  km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_EXEC, KM_OUT_OK, &hw_none));
	EXPECT_EQ(KM_MT_SET_UNCACHED,
		  km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_EXEC, KM_OUT_IABT_SEA, &hw_none));
	EXPECT_EQ(KM_MT_SET_NOT_DEVICE,
		  km_infer_memtypes(KM_ATTR_NORMAL_NC, KM_ACC_LOAD_UNALIGNED, KM_OUT_OK, &hw_none));
	EXPECT_EQ(KM_MT_BIT(KM_MT_DEVICE),
		  km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_LOAD_UNALIGNED, KM_OUT_RUN_EFAULT,
				    &hw_none));
	EXPECT_EQ(0, km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_LOAD_UNALIGNED,
				       KM_OUT_EL1_ALIGN, &hw_none));
	EXPECT_EQ(KM_MT_SET_ANY, km_infer_memtypes(KM_ATTR_DEVICE_nGnRE, KM_ACC_LOAD_UNALIGNED,
						   KM_OUT_EL1_ALIGN, &hw_none));
	EXPECT_EQ(KM_MT_SET_NOT_DEVICE,
		  km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_DC_ZVA, KM_OUT_OK, &hw_none));
	EXPECT_EQ(KM_MT_SET_ANY, km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_DC_ZVA, KM_OUT_OK,
						   &(struct km_env){ .tcg = true, KM_ENV_HAS_ALL }));
	EXPECT_EQ(0, km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_LOAD, KM_OUT_RUN_EFAULT,
				       &hw_none));
}

/* Outcomes e accepts that the inference cannot explain with e->mt; counts the checked ones. */
static unsigned int inconsistent(unsigned int b, unsigned int s1, unsigned int acc,
				 const struct km_env *hw, unsigned int *checked)
{
	unsigned int o, bad = 0;
	struct km_expect e;

	if (km_expect(b, s1, acc, hw, &e) || e.slot_err || e.first_err)
		return 0;
	if (!e.guest)
		return 1;
	for (o = 0; o < KM_OUT_NR && e.guest != KM_OUT_ALL; o++) {
		if (!(e.guest & KM_OUT_BIT(o)))
			continue;
		(*checked)++;
		if (!(km_infer_memtypes(s1, acc, o, hw) & KM_MT_BIT(e.mt))) {
			TH_LOG("backing %u s1 %u access %u outcome %u fwb %d dic %d tcg %d", b, s1,
			       acc, o, hw->fwb, hw->dic, hw->tcg);
			bad++;
		}
	}
	return bad;
}

TEST_RULE(expect_self_consistent, "UNIT-EXPECT-05",
	  "for every backing, attribute, access and FWB/DIC combination, every outcome the "
	  "expectation accepts is one the inference explains with the expected memory type")
{
	unsigned int b, s1, acc, f, bad = 0, checked = 0;

	for (f = 0; f < 8; f++) {
		struct km_env hw = { .fwb = f & 1, .dic = f & 2, .tcg = f & 4, KM_ENV_HAS_ALL };

		for (b = 0; b < KM_BK_NR; b++)
			for (s1 = 0; s1 <= KM_ATTR_NORMAL_WB; s1++)
				for (acc = 0; acc < KM_ACC_NR; acc++)
					bad += inconsistent(b, s1, acc, &hw, &checked);
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(500, checked);
}

TEST_RULE(expect_classify, "UNIT-EXPECT-06",
	  "agent observations classify by KVM_RUN errno, then ESR_EL1 EC and FSC")
{
	char buf[200];

	EXPECT_EQ(KM_OUT_OK, km_outcome_classify(0, false, 0));
	EXPECT_EQ(KM_OUT_RUN_EFAULT, km_outcome_classify(EFAULT, false, 0));
	EXPECT_EQ(KM_OUT_OTHER, km_outcome_classify(ENOSYS, false, 0));
	EXPECT_EQ(KM_OUT_EL1_ALIGN, km_outcome_classify(0, true, 0x96000021));
	EXPECT_EQ(KM_OUT_IABT_SEA, km_outcome_classify(0, true, 0x86000010));
	EXPECT_EQ(KM_OUT_OTHER, km_outcome_classify(0, true, 0x9600000f));	/* permission */
	EXPECT_STREQ("anything (not asserted)", km_outset_str(KM_OUT_ALL, buf, sizeof(buf)));
	EXPECT_STREQ("EL1 alignment fault (EC 0x25 DFSC 0x21) or KVM_RUN EFAULT",
		     km_outset_str(OUT(EL1_ALIGN) | OUT(RUN_EFAULT), buf, sizeof(buf)));
}

TEST_RULE(expect_zone_device, "UNIT-EXPECT-07",
	  "ZONE_DEVICE MIXEDMAP rows (M3): cacheable is Normal with FWB+DIC and EFAULT at the "
	  "first access without; NC with ALLOW_ANY_UNCACHED, else Device; the memslot is "
	  "never refused")
{
	struct km_expect e;

	km_expect(KM_BK_MIXEDMAP_ZDEV, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_fwb_dic, &e);
	EXPECT_EQ(0, e.slot_err);
	EXPECT_EQ(0, e.first_err);
	EXPECT_EQ(KM_MT_NORMAL, e.mt);
	EXPECT_EQ(KM_TRI_YES, e.x);
	km_expect(KM_BK_MIXEDMAP_ZDEV, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &hw_fwb_only, &e);
	EXPECT_EQ(0, e.slot_err) TH_LOG("MIXEDMAP is not checked at memslot time");
	EXPECT_EQ(-EFAULT, e.first_err);
	EXPECT_EQ(OUT(RUN_EFAULT), e.guest);
	km_expect(KM_BK_MIXEDMAP_ZDEV_NC, KM_ATTR_NORMAL_WB, KM_ACC_EXEC, &hw_none, &e);
	EXPECT_EQ(KM_MT_NORMAL_NC, e.mt);
	EXPECT_EQ(OUT(IABT_SEA), e.guest);
	EXPECT_EQ(KM_TRI_NO, e.x);
	km_expect(KM_BK_MIXEDMAP_ZDEV_DEV, KM_ATTR_NORMAL_NC, KM_ACC_LOAD_UNALIGNED, &hw_fwb_dic,
		  &e);
	EXPECT_EQ(KM_MT_DEVICE, e.mt);
	EXPECT_EQ(OUT(RUN_EFAULT), e.guest);
	EXPECT_EQ(0x1000, e.size);
}

TEST_RULE(expect_old_kernels, "UNIT-EXPECT-08",
	  "without the cacheable-pfnmap contract (Linux 6.12) no cacheable PFNMAP memslot is refused and a "
	  "cacheable pfn outside the linear map is Device, as km_pfn_expect() says")
{
	const struct km_env old = { KM_ENV_HAS_6_12 };
	struct km_expect e;

	km_expect(KM_BK_PFNMAP_RAM, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &old, &e);
	EXPECT_EQ(0, e.slot_err);
	EXPECT_EQ(KM_MT_NORMAL, e.mt);
	km_expect(KM_BK_PFNMAP_IO, KM_ATTR_NORMAL_WB, KM_ACC_LOAD, &old, &e);
	EXPECT_EQ(0, e.slot_err);
	EXPECT_EQ(KM_MT_DEVICE, e.mt);
}
