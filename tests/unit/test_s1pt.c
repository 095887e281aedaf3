// SPDX-License-Identifier: GPL-2.0
/* The host-built guest stage-1 tables, walked back on the host. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "agent_abi.h"
#include "env.h"
#include "s1pt.h"
#include "util.h"

#define POOL_IPA 0x40020000ULL

FIXTURE(s1pt) {
	struct km_s1pt pt;
	void *pool;
};

FIXTURE_SETUP(s1pt)
{
	self->pool = aligned_alloc(4096, 16 * 4096);
	ASSERT_NE(NULL, self->pool);
	ASSERT_EQ(0, km_s1pt_init(&self->pt, self->pool, POOL_IPA, 16 * 4096, 4096));
}

FIXTURE_TEARDOWN(s1pt)
{
	free(self->pool);
}

TEST_F_RULE(s1pt, map_and_walk, "UNIT-S1PT-01",
	    "a mapped page walks back to its IPA with the requested attributes")
{
	u64 d;

	ASSERT_EQ(0, km_s1pt_map(&self->pt, 0x80001000, 0x90002000, 0x2000, 2, KM_S1_EXEC));
	d = km_s1pt_lookup(&self->pt, 0x80002000);
	EXPECT_EQ(0x90003000ULL, d & KM_PTE_ADDR_MASK);
	EXPECT_EQ(3ULL, d & 3);
	EXPECT_EQ(2ULL, (d >> 2) & 7);
	EXPECT_EQ(0ULL, d & KM_PTE_PXN);
	EXPECT_NE(0ULL, d & KM_PTE_UXN);
	EXPECT_NE(0ULL, d & KM_PTE_AF);
	EXPECT_EQ(0ULL, km_s1pt_lookup(&self->pt, 0x80000000));
	EXPECT_EQ(0ULL, km_s1pt_lookup(&self->pt, 0x80003000));
	/* root + one level-2 + one level-3 table */
	EXPECT_EQ(3U, self->pt.used);
}

TEST_F_RULE(s1pt, ro_noexec, "UNIT-S1PT-02",
	    "read-only, non-executable pages carry AP[2] and PXN")
{
	u64 d;

	ASSERT_EQ(0, km_s1pt_map(&self->pt, 0x1000, 0x1000, 0x1000, 0, KM_S1_RO));
	d = km_s1pt_lookup(&self->pt, 0x1000);
	EXPECT_NE(0ULL, d & KM_PTE_AP_RO);
	EXPECT_NE(0ULL, d & KM_PTE_PXN);
}

TEST_F_RULE(s1pt, bad_input, "UNIT-S1PT-03",
	    "unaligned, out-of-range and pool-exhausting maps are refused")
{
	int i, r = 0;

	EXPECT_EQ(-EINVAL, km_s1pt_map(&self->pt, 0x1001, 0x1000, 0x1000, 3, 0));
	EXPECT_EQ(-EINVAL, km_s1pt_map(&self->pt, 1ULL << 39, 0x1000, 0x1000, 3, 0));
	EXPECT_EQ(-EINVAL, km_s1pt_map(&self->pt, 0x1000, 1ULL << 40, 0x1000, 3, 0));
	EXPECT_EQ(-EINVAL, km_s1pt_map(&self->pt, 0x1000, 0x1000, 0x1000, 8, 0));
	/* Each 1 GiB apart needs two new tables: the 16-page pool runs out. */
	for (i = 0; i < 16 && !r; i++)
		r = km_s1pt_map(&self->pt, (u64)i << 30, 0x1000, 0x1000, 3, 0);
	EXPECT_EQ(-ENOMEM, r);
}

TEST_RULE(s1pt_tcr, "UNIT-S1PT-04", "TCR_EL1 selects 39-bit VA, 4 KiB granule, 40-bit IPS")
{
	struct km_s1pt pt;
	static u64 pool[512];
	u64 tcr;

	ASSERT_EQ(0, km_s1pt_init(&pt, pool, POOL_IPA, sizeof(pool), 0));
	tcr = km_s1pt_tcr(&pt);

	EXPECT_EQ(25ULL, tcr & 0x3f);
	EXPECT_EQ(0ULL, (tcr >> 14) & 3);
	EXPECT_EQ(2ULL, (tcr >> 32) & 7);
	EXPECT_NE(0ULL, tcr & (1ULL << 23));
}

/* The host's granule: 16 and 64 KiB tables (64 KiB starts at level 2). */
static const struct {
	u64 granule;
	unsigned int tg0;
	int start_level;
	unsigned int tables;	/* for two pages 1 GiB apart */
} granules[] = {
	{ 4096, 0, 1, 5 },
	{ 16384, 2, 1, 4 },
	{ 65536, 1, 2, 3 },
};

TEST_RULE(s1pt_granules, "UNIT-S1PT-05",
	  "16 and 64 KiB granules walk back, with their TG0 and root level")
{
	unsigned int i;

	for (i = 0; i < KM_ARRAY_SIZE(granules); i++) {
		u64 g = granules[i].granule, d;
		struct km_s1pt pt;
		void *pool = aligned_alloc(g, 8 * g);

		ASSERT_NE(NULL, pool);
		ASSERT_EQ(0, km_s1pt_init(&pt, pool, 0x40000000ULL, 8 * g, g));
		EXPECT_EQ(granules[i].start_level, pt.start_level);
		EXPECT_EQ(granules[i].tg0, (km_s1pt_tcr(&pt) >> 14) & 3);
		EXPECT_EQ(-EINVAL, km_s1pt_map(&pt, g / 2, g, g, 0, 0));
		ASSERT_EQ(0, km_s1pt_map(&pt, 0x80000000ULL, 0x90000000ULL, 2 * g, 1, 0));
		ASSERT_EQ(0, km_s1pt_map(&pt, 0x40000000ULL, 0x40000000ULL, g, 0, 0));
		d = km_s1pt_lookup(&pt, 0x80000000ULL + g);
		EXPECT_EQ(0x90000000ULL + g, d & KM_PTE_ADDR_MASK) TH_LOG("granule %llu", g);
		EXPECT_EQ(1ULL, (d >> 2) & 7);
		EXPECT_EQ(0ULL, km_s1pt_lookup(&pt, 0x80000000ULL + 2 * g));
		EXPECT_EQ(granules[i].tables, pt.used) TH_LOG("granule %llu", g);
		free(pool);
	}
	EXPECT_EQ(-EINVAL, km_s1pt_init(&(struct km_s1pt){ 0 }, NULL, 0, 4096, 8192));
}

/*
 * The agent's table pool holds its own mappings and the two a THP case makes
 * (tests/s2mt.c: the region and a Normal-WB alias), each one PMD of the
 * granule (512 MiB at 64 KiB), at every granule: no -ENOMEM from
 * km_agent_map().
 */
TEST_RULE(s1pt_pool, "UNIT-S1PT-06",
	  "the agent's table pool maps its own memory and two one-PMD regions, any granule")
{
	unsigned int i;

	for (i = 0; i < KM_ARRAY_SIZE(granules); i++) {
		u64 g = granules[i].granule, d;
		u64 pmd = km_env_pmd(&(struct km_env){ .page_size = g });
		struct km_s1pt pt;
		void *pool = aligned_alloc(g, KM_PT_POOL_SIZE);

		ASSERT_NE(NULL, pool);
		ASSERT_EQ(0, km_s1pt_init(&pt, pool, KM_AGENT_IPA + KM_PT_POOL_OFF,
					  KM_PT_POOL_SIZE, g));
		ASSERT_EQ(0, km_s1pt_map(&pt, KM_AGENT_IPA, KM_AGENT_IPA, KM_AGENT_SIZE, 3, 0));
		ASSERT_EQ(0, km_s1pt_map(&pt, KM_DOORBELL_IPA, KM_DOORBELL_IPA, g, 1, 0));
		ASSERT_EQ(0, km_s1pt_map(&pt, KM_TEST_IPA, KM_TEST_IPA, pmd, 3, 0))
			TH_LOG("granule %llu: %u of %u tables", g, pt.used, pt.npages);
		ASSERT_EQ(0, km_s1pt_map(&pt, 0xc0000000ULL, KM_TEST_IPA, pmd, 3, 0))
			TH_LOG("granule %llu: %u of %u tables", g, pt.used, pt.npages);
		d = km_s1pt_lookup(&pt, 0xc0000000ULL + pmd - g);
		EXPECT_EQ(KM_TEST_IPA + pmd - g, d & KM_PTE_ADDR_MASK);
		free(pool);
	}
}
