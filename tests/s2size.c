// SPDX-License-Identifier: GPL-2.0
/*
 * The stage-2 leaf size KVM maps (SPEC 1.3) for a slot whose size does not
 * depend on what is expected: one 2 MiB-aligned 2 MiB slot whatever the
 * backing, one PMD for a THP (km_thp_size(), from the page size alone), so
 * that a block can be mapped wherever KVM would map one and a page is what
 * the check sees only where KVM maps a page.  (The S2MT matrix sizes
 * its slot from the expectation, which a wrong leaf-size expectation then
 * agrees with; these rows do not.)  The leaf comes from the stage-2 tracer,
 * the expectation from km_pfn_expect() over the backing's VMA as
 * km_backing_desc() describes it:
 *   - no logging: a page for anonymous memory, the PMD for a THP- or
 *     hugetlb-backed range where the host maps it with one PMD
 *     (mmu.c:kvm_s2_resolve_vma_size, transparent_hugepage_adjust).  With
 *     16 or 64 KiB pages a 2 MiB hugetlb page is contiguous PTEs, so a page;
 *     a THP is a PMD (32 or 512 MiB), and the THP slot is one;
 *   - dirty logging: a page whatever the backing (logging forces PTEs:
 *     kvm_s2_fault_get_vma_info, SPEC 1.2 row A3), mapped read-only by a load
 *     (kvm_s2_fault_compute_prot).
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "agent.h"
#include "backing.h"
#include "expect.h"
#include "facts.h"
#include "memslot.h"
#include "s2trace.h"

#define SZ_SLOT		1
#define SZ_IPA		KM_TEST_IPA	/* 2 GiB aligned: any PMD block fits */
#define SZ_VA		SZ_IPA
#define SZ_SIZE		0x200000ULL	/* one hugetlb page; THP: km_thp_size() */
#define SZ_OFF		0x3000ULL	/* the page the guest loads */

FIXTURE(s2size) {
	struct km_agent a;
	struct km_mem m;
	struct km_s2trace tr;
	bool agent;
};

FIXTURE_VARIANT(s2size) {
	KM_VARIANT_RULE;
	enum km_backing backing;
	bool log_dirty;
};

#define SZ_ROW(name, r, bk, log, s)						\
	FIXTURE_VARIANT_ADD(s2size, name) {					\
		.rule = r, .summary = s, .backing = KM_BK_##bk, .log_dirty = log, \
	}
SZ_ROW(anon, "S2SIZE-01", ANON, false,
       "without logging the stage-2 leaf follows the host mapping: a 2 MiB slot of 4 KiB "
       "anonymous pages maps a page");
SZ_ROW(thp, "S2SIZE-01", THP, false,
       "a one-PMD slot on a transparent huge page (2 MiB with 4 KiB pages, 32 MiB with "
       "16 KiB): a guest load maps one PMD block");
SZ_ROW(hugetlb, "S2SIZE-01", HUGETLB, false,
       "a 2 MiB slot on a 2 MiB hugetlb page: a guest load maps one 2 MiB block");
SZ_ROW(anon_log, "S2SIZE-02", ANON, true,
       "dirty logging forces stage-2 pages, mapped read-only by a load: anonymous pages");
SZ_ROW(thp_log, "S2SIZE-02", THP, true,
       "a transparent huge page in a logging slot: a page, not the block");
SZ_ROW(hugetlb_log, "S2SIZE-02", HUGETLB, true,
       "a hugetlb page in a logging slot: a page, not the block");

FIXTURE_SETUP(s2size)
{
}

FIXTURE_TEARDOWN(s2size)
{
	km_s2trace_stop(&self->tr);
	if (self->agent)
		km_agent_fini(&self->a);
	km_mem_destroy(&self->m);
}

TEST_F(s2size, leaf)
{
	const struct km_backing_desc *d = km_backing_desc(variant->backing);
	const struct km_env *env = &km_facts.env;
	u32 flags = variant->log_dirty ? KVM_MEM_LOG_DIRTY_PAGES : 0;
	u64 size = variant->backing == KM_BK_THP ? km_thp_size() : SZ_SIZE;
	struct km_pfn_expect e;
	struct km_s2map map;
	char a[64], b[32], c[32];
	int r;

	km_pfn_expect(&d->vma, env, variant->log_dirty ? KM_PE_LOG_DIRTY : 0, &e);
	TH_LOG("%s (SPEC 1.2 %s)%s: expect a %s leaf (%s)", d->name, d->row,
	       variant->log_dirty ? ", logging" : "", km_size_str(e.s2_size, b, sizeof(b)),
	       e.s2_why);
	km_agent_init(&self->a, 0);
	self->agent = true;
	r = km_mem_create(&self->m, variant->backing, &self->a.vm, size);
	ASSERT_FALSE(self->m.mismatch) TH_LOG("%s", self->m.why);
	if (r)
		SKIP(return, "%s backing unavailable: %s", d->name, self->m.why);
	ASSERT_EQ(size, self->m.size);
	if (km_s2trace_start(&self->tr))
		SKIP(return, "the stage-2 tracer, the only oracle of these rows, is unavailable: %s",
		     self->tr.reason);
	r = __km_set_memslot2(&self->a.vm, SZ_SLOT, self->m.slot_flags | flags, SZ_IPA,
			      self->m.size, self->m.hva, self->m.gmem_fd, 0);
	ASSERT_EQ(0, r) TH_LOG("memslot: %s", strerror(-r));
	km_agent_map(&self->a, SZ_VA, SZ_IPA, self->m.size, KM_ATTR_NORMAL_WB, 0);
	km_agent_reset(&self->a);
	km_agent_cmd(&self->a, KM_OP_LOAD, SZ_VA + SZ_OFF, 8, 0);
	km_agent_run_done(&self->a);

	if (!km_s2trace_selfcheck(&self->tr, KM_AGENT_IPA + KM_MBOX_OFF))
		SKIP(return, "stage-2 tracer not trusted: %s", self->tr.reason);
	km_s2trace_lookup(&self->tr, SZ_IPA + SZ_OFF, &map);
	TH_LOG("tracer: IPA 0x%llx: %s, %s at 0x%llx (%u map, %u relax calls)", SZ_IPA + SZ_OFF,
	       map.valid ? km_s2attr_str(&map.a, a, sizeof(a)) : "unmapped",
	       km_size_str(map.size, b, sizeof(b)), map.ipa, map.nmap, map.nrelax);
	ASSERT_TRUE(map.valid) TH_LOG("no stage-2 mapping of the loaded page in the trace");
	EXPECT_EQ(e.s2_size, map.size) TH_LOG("stage-2 leaf of %s, expected %s",
					      km_size_str(map.size, b, sizeof(b)),
					      km_size_str(e.s2_size, c, sizeof(c)));
	EXPECT_EQ(0, map.ipa & (map.size - 1)) TH_LOG("leaf not aligned to its size");
	/* A load: W only where a read fault maps W (not while logging RAM). */
	EXPECT_EQ(e.s2_w_read, map.a.w) TH_LOG("stage-2 W after a load");
}

KM_RULE_DOC(s2size, "S2SIZE-*",
	    "mmu.c:kvm_s2_resolve_vma_size, transparent_hugepage_adjust, "
	    "kvm_s2_fault_get_vma_info (logging forces pages) (SPEC 1.2 A1/A3, 1.3)",
	    "the stage-2 tracer (tracefs kprobes; not under protected KVM); THP rows: "
	    "transparent huge pages of one PMD (" KM_THP_TEXT "); "
	    "hugetlb rows: a free 2 MiB huge page", "yes")
