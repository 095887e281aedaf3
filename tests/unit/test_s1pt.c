// SPDX-License-Identifier: GPL-2.0
/* The host-built guest stage-1 tables, walked back on the host. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
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
	km_s1pt_init(&self->pt, self->pool, POOL_IPA, 16);
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
	u64 tcr = km_s1pt_tcr();

	EXPECT_EQ(25ULL, tcr & 0x3f);
	EXPECT_EQ(0ULL, (tcr >> 14) & 3);
	EXPECT_EQ(2ULL, (tcr >> 32) & 7);
	EXPECT_NE(0ULL, tcr & (1ULL << 23));
}
