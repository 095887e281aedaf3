// SPDX-License-Identifier: GPL-2.0
/* The contracts table: probes decide, else the kernel's version. */
#include <string.h>

#include "harness.h"
#include "contract.h"

static const char text[] =
	"# comment\n"
	"user-memory2       6.8   KVM_CAP_USER_MEMORY2  v2 ioctl\n"
	"allow-any-uncached 6.8   -                     NC\n"
	"cacheable-pfnmap   6.17  /dev/kvm              gate\n";

static void decide(struct km_env *e, int cpfn_probe)
{
	struct km_contract_probe p[KM_C_NR];
	char why[KM_C_NR][192];
	bool by_version[KM_C_NR];
	unsigned int c;

	for (c = 0; c < KM_C_NR; c++)
		p[c].has = KM_PROBE_NONE;
	p[KM_C_CACHEABLE_PFNMAP].has = cpfn_probe;
	strcpy(p[KM_C_CACHEABLE_PFNMAP].how, "test probe");
	km_contract_decide(text, e, p, why, by_version);
	EXPECT_EQ(by_version[KM_C_CACHEABLE_PFNMAP],
		  e->kver[0] > 6 || (e->kver[0] == 6 && e->kver[1] >= 17));
}

TEST_RULE(contract_version, "UNIT-CONTRACT-01",
	  "without a probe the kernel's version against FIRST decides; no line: no contract")
{
	struct km_env e = { .kver = { 6, 12, 117 } };

	decide(&e, KM_PROBE_NONE);
	EXPECT_TRUE(e.has[KM_C_USER_MEMORY2]);
	EXPECT_TRUE(e.has[KM_C_ALLOW_ANY_UNCACHED]);
	EXPECT_FALSE(e.has[KM_C_CACHEABLE_PFNMAP]);
	EXPECT_FALSE(e.has[KM_C_GUEST_MEMFD]);	/* the table has no line for it */
	EXPECT_EQ(KM_CSRC_TABLE, e.has_src[KM_C_CACHEABLE_PFNMAP]);
	e.kver[0] = 6, e.kver[1] = 1, e.kver[2] = 176;
	decide(&e, KM_PROBE_NONE);
	EXPECT_FALSE(e.has[KM_C_ALLOW_ANY_UNCACHED]);
	e.kver[0] = 7, e.kver[1] = 3, e.kver[2] = 4;
	decide(&e, KM_PROBE_NONE);
	EXPECT_TRUE(e.has[KM_C_CACHEABLE_PFNMAP]);
}

TEST_RULE(contract_probe, "UNIT-CONTRACT-02",
	  "a probe's answer wins over the table, either way (a backport, a revert)")
{
	struct km_env e = { .kver = { 6, 12, 117 } };
	unsigned int v[3];

	decide(&e, 1);
	EXPECT_TRUE(e.has[KM_C_CACHEABLE_PFNMAP]);
	EXPECT_EQ(KM_CSRC_PROBE, e.has_src[KM_C_CACHEABLE_PFNMAP]);
	e.kver[0] = 7;
	decide(&e, 0);
	EXPECT_FALSE(e.has[KM_C_CACHEABLE_PFNMAP]);
	ASSERT_TRUE(km_contract_first(text, KM_C_CACHEABLE_PFNMAP, v));
	EXPECT_EQ(6, v[0]);
	EXPECT_EQ(17, v[1]);
	EXPECT_FALSE(km_contract_first(text, KM_C_GUEST_MEMFD, v));
}
