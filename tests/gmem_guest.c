// SPDX-License-Identifier: GPL-2.0
/*
 * Guest accesses to guest_memfd memory (SPEC 1.2 row G1, 1.4 first row,
 * 2.4 close/memory-failure rows, 2.5).  Sources: arch/arm64/kvm/mmu.c
 * (kvm_handle_guest_abort -> gmem_abort), virt/kvm/guest_memfd.c
 * (kvm_gmem_get_pfn, kvm_gmem_release, kvm_gmem_punch_hole,
 * kvm_gmem_error_folio), include/linux/kvm_host.h:kvm_prepare_memory_fault_exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <fcntl.h>

#include "gmem_common.h"
#include "agent.h"
#include "backing.h"
#include "expect.h"
#include "pfnmap.h"
#include "s2desc_kmod.h"
#include "s2trace.h"

#define GUEST_PAGES	4
/* HPFAR reports the faulting IPA in 4 KiB units whatever the host page size. */
#define HPFAR_MASK	(~0xfffULL)

struct gguest {
	struct km_agent a;
	struct km_gmem_slot g;
	long pg;
};

static void gguest_init(struct gguest *t, u64 gflags, unsigned int pages)
{
	memset(t, 0, sizeof(*t));
	t->pg = km_facts.env.page_size;
	km_agent_init(&t->a, 0);
	km_gmem_slot_create(&t->a.vm, &t->g, GMEM_SLOT, GMEM_IPA, pages * t->pg, gflags);
	km_agent_map(&t->a, GMEM_IPA, GMEM_IPA, pages * t->pg, KM_ATTR_NORMAL_WB, KM_S1_EXEC);
}

static void gguest_fini(struct gguest *t)
{
	km_gmem_slot_unmap(&t->g);
	km_gmem_slot_close(&t->g);
	km_agent_fini(&t->a);
}

static u64 gva(struct gguest *t, unsigned int page, u64 off)
{
	return GMEM_IPA + page * t->pg + off;
}

/*
 * The descriptor oracle on page `page` of the slot after the guest touched
 * it: the leaf km_expect() gives a guest_memfd fault (gmem_abort(): Normal,
 * a page, W; X with DIC or after a fetch), with W also after a store, and
 * the host page behind the mapping when the host can read it (shared).  Not
 * loaded: a "#" note, the case's other assertions stand.
 */
static void gguest_check_desc(struct gguest *t, unsigned int page, bool stored, bool fetched,
			      bool shared)
{
	static unsigned int noted;	/* per case: each runs in its own process */
	struct km_s2want w;
	struct km_expect e;
	char why[200];

	ASSERT_EQ(0, km_expect(KM_BK_GMEM, KM_ATTR_NORMAL_WB, fetched ? KM_ACC_EXEC : KM_ACC_LOAD,
			       &km_facts.env, &e));
	w = (struct km_s2want){
		.mt = e.mt, .w = e.w || stored, .x = e.x, .size = t->pg,
		.pa = shared ? km_hva_to_phys(t->g.hva + page * t->pg) : 0, .src = e.src,
	};
	if (!km_s2desc_check(t->a.vm.fd, gva(t, page, 0), &w, NULL, NULL, why, sizeof(why)) &&
	    !noted++)
		TH_LOG("descriptor oracle unavailable: %s", why);
}

/* A KVM_RUN that failed on a guest_memfd page, as kvm_prepare_memory_fault_exit leaves it. */
static void expect_memory_fault(const struct km_exit *x, int err, u64 ipa)
{
	char buf[200];

	ASSERT_EQ(KM_X_MEMORY_FAULT, x->kind) TH_LOG("%s", km_exit_describe(x, buf, sizeof(buf)));
	EXPECT_EQ(err, x->err) TH_LOG("errno %d (%s), want %d (%s)", x->err, strerror(x->err),
				      err, strerror(err));
	EXPECT_EQ(KVM_EXIT_MEMORY_FAULT, x->reason);
	EXPECT_EQ(ipa & HPFAR_MASK, x->mf.gpa);
	EXPECT_EQ(km_facts.env.page_size, x->mf.size);
	/* RWX are not reported and arm64 never sets KVM_MEMORY_EXIT_FLAG_PRIVATE. */
	EXPECT_EQ(0, x->mf.flags);
}

TEST_RULE(round_trip, "GMEM-FAULT-01",
	  "the guest reads what the host wrote through the guest_memfd mapping, and the "
	  "host reads what the guest wrote, on every page of the slot")
{
	struct km_cmd *ld[GUEST_PAGES];
	struct gguest t;
	unsigned int i;
	u64 v;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	gguest_init(&t, GMEM_SHARED, GUEST_PAGES);
	for (i = 0; i < GUEST_PAGES; i++)
		memcpy(t.g.hva + i * t.pg + 0x10, &(u64){ gmem_pattern(i) }, 8);
	km_agent_reset(&t.a);
	for (i = 0; i < GUEST_PAGES; i++) {
		ld[i] = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, i, 0x10), 8, 0);
		km_agent_cmd(&t.a, KM_OP_STORE, gva(&t, i, 0x20), 8, gmem_pattern(100 + i));
	}
	km_agent_run_done(&t.a);
	for (i = 0; i < GUEST_PAGES; i++) {
		EXPECT_EQ(0, ld[i]->flags & KM_CMD_F_EXC) TH_LOG("page %u: ESR 0x%llx", i,
								 ld[i]->esr);
		EXPECT_EQ(gmem_pattern(i), ld[i]->result) TH_LOG("guest load, page %u", i);
		memcpy(&v, t.g.hva + i * t.pg + 0x20, 8);
		EXPECT_EQ(gmem_pattern(100 + i), v) TH_LOG("host load, page %u", i);
		gguest_check_desc(&t, i, true, false, true);
	}
	gguest_fini(&t);
}

/*
 * arm64 has no KVM_GENERIC_MEMORY_ATTRIBUTES nor HAVE_KVM_ARCH_GMEM_CONVERT:
 * kvm_gmem_get_pfn serves the guest whatever the shared/private state, while
 * the host's own fault handler refuses private memory.
 */
TEST_RULE(private_mem_guest, "GMEM-FAULT-02",
	  "the guest can use an MMAP guest_memfd without INIT_SHARED (fresh pages read 0, "
	  "stores stick) while host access to it raises SIGBUS")
{
	struct km_cmd *ld0, *ld1;
	struct gguest t;
	int sig;
	u64 v;

	REQUIRE_GMEM_FLAGS(GUEST_MEMFD_FLAG_MMAP);
	gguest_init(&t, GUEST_MEMFD_FLAG_MMAP, GUEST_PAGES);
	km_agent_reset(&t.a);
	ld0 = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, 1, 0x30), 8, 0);
	km_agent_cmd(&t.a, KM_OP_STORE, gva(&t, 2, 0x30), 8, gmem_pattern(7));
	ld1 = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, 2, 0x30), 8, 0);
	km_agent_run_done(&t.a);
	EXPECT_EQ(0, ld0->flags & KM_CMD_F_EXC);
	EXPECT_EQ(0, ld0->result);
	EXPECT_EQ(gmem_pattern(7), ld1->result);
	gguest_check_desc(&t, 1, false, false, false);
	gguest_check_desc(&t, 2, true, false, false);
	sig = km_host_load(t.g.hva + 2 * t.pg + 0x30, &v, NULL);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("host load of private memory: signal %d", sig);
	gguest_fini(&t);
}

/*
 * kvm_gmem_punch_hole zaps the stage-2 of every bound slot, then truncates;
 * the next guest fault allocates a zeroed folio (FGP_CREAT) without exiting.
 */
TEST_RULE(punch_hole_refill, "GMEM-FAULT-03",
	  "after PUNCH_HOLE of a page the guest has mapped, the guest reads zeroes there "
	  "with no exit, neighbouring pages keep their data, and new stores reach the host")
{
	struct km_cmd *ld[3], *after;
	struct gguest t;
	struct km_exit x;
	unsigned int i;
	u64 v;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	gguest_init(&t, GMEM_SHARED, GUEST_PAGES);
	for (i = 0; i < 3; i++)
		memcpy(t.g.hva + i * t.pg + 0x40, &(u64){ gmem_pattern(i) }, 8);
	/* The guest maps pages 0-2 at stage 2 and sees the data. */
	km_agent_reset(&t.a);
	for (i = 0; i < 3; i++)
		ld[i] = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, i, 0x40), 8, 0);
	km_agent_run_done(&t.a);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(gmem_pattern(i), ld[i]->result) TH_LOG("before the punch, page %u", i);

	ASSERT_EQ(0, fallocate(t.g.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, t.pg, t.pg))
		TH_LOG("punch page 1: %s", strerror(errno));
	km_agent_reset(&t.a);
	for (i = 0; i < 3; i++)
		ld[i] = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, i, 0x40), 8, 0);
	km_agent_cmd(&t.a, KM_OP_STORE, gva(&t, 1, 0x48), 8, gmem_pattern(42));
	after = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, 1, 0x48), 8, 0);
	/* Exactly one exit, the agent's doorbell: the refill is silent. */
	km_agent_run(&t.a, &x);
	ASSERT_EQ(KM_X_DONE, x.kind) TH_LOG("exit %s", km_exit_kind_str(x.kind));
	EXPECT_EQ(gmem_pattern(0), ld[0]->result);
	EXPECT_EQ(0, ld[1]->result) TH_LOG("punched page after refill");
	EXPECT_EQ(0, ld[1]->flags & KM_CMD_F_EXC);
	EXPECT_EQ(gmem_pattern(2), ld[2]->result);
	EXPECT_EQ(gmem_pattern(42), after->result);
	memcpy(&v, t.g.hva + t.pg + 0x48, 8);
	EXPECT_EQ(gmem_pattern(42), v) TH_LOG("host view of the refilled page");
	memcpy(&v, t.g.hva + t.pg + 0x40, 8);
	EXPECT_EQ(0, v) TH_LOG("host view of the old data");
	/* The refilled page is mapped again, to the new folio. */
	gguest_check_desc(&t, 1, true, false, true);
	gguest_fini(&t);
}

/*
 * kvm_gmem_release (last reference: fd and every mapping gone) sets
 * slot->gmem.file = NULL and zaps the slot; kvm_gmem_get_pfn then fails
 * -EFAULT and gmem_abort prepares a KVM_EXIT_MEMORY_FAULT, for any access.
 */
FIXTURE(gmem_closed) {
	struct gguest t;
	bool up;
};

FIXTURE_VARIANT(gmem_closed) {
	KM_VARIANT_RULE;
	u32 op;
	u64 page, off;
};

#define CLOSED(name, o, p, of, what)						\
	FIXTURE_VARIANT_ADD(gmem_closed, name) {				\
		.rule = "GMEM-FAULT-04",					\
		.summary = "once the guest_memfd's fd and mappings are gone, a guest " what \
			   " of its slot fails KVM_RUN with EFAULT and KVM_EXIT_MEMORY_FAULT " \
			   "(gpa = the faulting 4K IPA, size = PAGE_SIZE, flags = 0)",	\
		.op = o, .page = p, .off = of,					\
	}
CLOSED(load_mapped_page, KM_OP_LOAD, 0, 0x238, "load of a page it had mapped");
CLOSED(load_fresh_page, KM_OP_LOAD, 2, 0x10, "load of a page it never touched");
CLOSED(store, KM_OP_STORE, 1, 0x7f8, "store");
CLOSED(exec, KM_OP_EXEC, 3, 0x100, "instruction fetch");

FIXTURE_SETUP(gmem_closed)
{
	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	gguest_init(&self->t, GMEM_SHARED, GUEST_PAGES);
	self->up = true;
}

FIXTURE_TEARDOWN(gmem_closed)
{
	if (self->up)
		gguest_fini(&self->t);
}

TEST_F(gmem_closed, access)
{
	struct gguest *t = &self->t;
	u64 addr = gva(t, variant->page, variant->off);
	struct km_exit x;

	/* Page 0 is mapped at stage 2 while the file is alive. */
	km_write_ret_imm(t->g.hva + 3 * t->pg + 0x100, 0x77);
	km_agent_reset(&t->a);
	km_agent_cmd(&t->a, KM_OP_LOAD, gva(t, 0, 0), 8, 0);
	km_agent_run_done(&t->a);

	km_gmem_slot_unmap(&t->g);
	km_gmem_slot_close(&t->g);
	km_agent_reset(&t->a);
	km_agent_cmd(&t->a, variant->op, addr, 8, 1);
	km_agent_run(&t->a, &x);
	expect_memory_fault(&x, EFAULT, addr);
	/* Nothing changes by retrying: the binding is dead for good. */
	km_agent_run(&t->a, &x);
	expect_memory_fault(&x, EFAULT, addr);
}

/* A MAP_SHARED mapping holds a file reference, so kvm_gmem_release waits for it. */
TEST_RULE(mapping_keeps_file, "GMEM-FAULT-05",
	  "closing the guest_memfd fd while a host mapping of it exists keeps the slot "
	  "working; unmapping the last mapping then makes guest faults fail EFAULT")
{
	struct km_cmd *ld;
	struct gguest t;
	struct km_exit x;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	gguest_init(&t, GMEM_SHARED, GUEST_PAGES);
	memcpy(t.g.hva + 2 * t.pg, &(u64){ gmem_pattern(2) }, 8);
	km_gmem_slot_close(&t.g);
	/* Page 2 has never been mapped at stage 2: this is a fresh gmem_abort. */
	km_agent_reset(&t.a);
	ld = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, 2, 0), 8, 0);
	km_agent_run_done(&t.a);
	EXPECT_EQ(gmem_pattern(2), ld->result);

	km_gmem_slot_unmap(&t.g);
	km_agent_reset(&t.a);
	km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, 3, 0x18), 8, 0);
	km_agent_run(&t.a, &x);
	expect_memory_fault(&x, EFAULT, gva(&t, 3, 0x18));
	gguest_fini(&t);
}

/* memory_failure() may send this process SIGBUS (BUS_MCEERR_AR) for its mapping. */
static volatile sig_atomic_t mce_signals, mce_code;

static void mce_handler(int sig, siginfo_t *si, void *uc)
{
	mce_signals++;
	mce_code = si->si_code;
}

/*
 * memory_failure -> kvm_gmem_error_folio zaps the stage-2 but keeps the folio;
 * kvm_gmem_get_pfn then sees folio_test_hwpoison and returns -EHWPOISON.
 * Needs root and CONFIG_MEMORY_FAILURE.  It retires a page of the kernel under
 * test for good: fine in the throwaway QEMU guest (one fresh page per run),
 * an explicit opt-in (KM_ALLOW_HWPOISON=1) on a real host.
 */
TEST_RULE(hwpoison, "GMEM-FAULT-06",
	  "after MADV_HWPOISON of a guest_memfd page, a guest access to it fails KVM_RUN "
	  "with EHWPOISON and KVM_EXIT_MEMORY_FAULT (gpa, size = PAGE_SIZE, flags = 0)")
{
	struct sigaction sa = { 0 };
	struct km_cmd *ld;
	struct gguest t;
	struct km_exit x;
	int r, err;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	if (!km_facts.env.tcg && !(getenv("KM_ALLOW_HWPOISON") &&
			       !strcmp(getenv("KM_ALLOW_HWPOISON"), "1")))
		SKIP(return, "MADV_HWPOISON retires a host page for good: not under the QEMU "
		     "runner, and KM_ALLOW_HWPOISON=1 is not set");
	gguest_init(&t, GMEM_SHARED, GUEST_PAGES);
	memcpy(t.g.hva + t.pg, &(u64){ gmem_pattern(1) }, 8);
	km_agent_reset(&t.a);
	ld = km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, 1, 0), 8, 0);
	km_agent_run_done(&t.a);
	ASSERT_EQ(gmem_pattern(1), ld->result);

	sa.sa_sigaction = mce_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	errno = 0;
	r = madvise(t.g.hva + t.pg, t.pg, MADV_HWPOISON);
	err = errno;
	if (r && (err == EPERM || err == EINVAL)) {
		gguest_fini(&t);
		SKIP(return, "MADV_HWPOISON refused: %s (needs CAP_SYS_ADMIN and "
		     "CONFIG_MEMORY_FAILURE)", strerror(err));
	}
	/* What mm does for the host mapping is not KVM's contract: log it only. */
	TH_LOG("madvise(MADV_HWPOISON) = %d (%s); SIGBUS received %d time(s), si_code %d",
	       r, r ? strerror(err) : "ok", (int)mce_signals, (int)mce_code);

	km_agent_reset(&t.a);
	km_agent_cmd(&t.a, KM_OP_LOAD, gva(&t, 1, 0x2c8), 8, 0);
	km_agent_run(&t.a, &x);
	expect_memory_fault(&x, EHWPOISON, gva(&t, 1, 0x2c8));
	gguest_fini(&t);
}

TEST_RULE(exec_from_gmem, "GMEM-FAULT-07",
	  "the guest executes code the host wrote into guest_memfd memory")
{
	struct km_cmd *c;
	struct gguest t;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	gguest_init(&t, GMEM_SHARED, GUEST_PAGES);
	km_write_ret_imm(t.g.hva + 2 * t.pg + 0x80, 0x4d47);
	km_agent_reset(&t.a);
	c = km_agent_cmd(&t.a, KM_OP_EXEC, gva(&t, 2, 0x80), 8, 0);
	km_agent_run_done(&t.a);
	EXPECT_EQ(0, c->flags & KM_CMD_F_EXC) TH_LOG("ESR 0x%llx FAR 0x%llx", c->esr, c->far);
	EXPECT_EQ(0x4d47, c->result);
	gguest_check_desc(&t, 2, false, true, true);
	gguest_fini(&t);
}

/*
 * gmem_abort() maps PAGE_SIZE whatever the layout (folios are order 0), where
 * user_mem_abort() would use a PMD block for a THP-backed slot laid out the
 * same way.  The THP row is the control: it shows the oracles do see blocks,
 * so "every map was a page" is not an artefact of them.  Both rows use one
 * THP's size (km_thp_size(): a PMD, 32 MiB with 16 KiB pages, 512 MiB with
 * 64 KiB), so the layout would allow a block for both.  Both stage-2
 * oracles look at every page, the tracer and the installed descriptors;
 * without either the case skips.
 */
#define S2SZ_SLOT	3
#define S2SZ_IPA	0xc0000000ULL	/* 1 GiB aligned, like the file offset */

FIXTURE(gmem_s2size) {
	struct km_agent a;
	struct km_mem m;
	struct km_s2trace tr;
	struct km_s2desc *d;	/* one a page, freed in the teardown */
	bool agent_up;
};

FIXTURE_VARIANT(gmem_s2size) {
	KM_VARIANT_RULE;
	enum km_backing backing;
};

FIXTURE_VARIANT_ADD(gmem_s2size, gmem) {
	.rule = "GMEM-FAULT-08",
	.summary = "guest_memfd memory is mapped at stage 2 with PAGE_SIZE mappings only, "
		   "even where the layout would allow a PMD block",
	.backing = KM_BK_GMEM,
};

FIXTURE_VARIANT_ADD(gmem_s2size, thp_control) {
	.rule = "GMEM-FAULT-08C",
	.summary = "control for GMEM-FAULT-08: an anonymous THP slot with the same layout is "
		   "mapped with PMD blocks, as the tracer reports",
	.backing = KM_BK_THP,
};

FIXTURE_SETUP(gmem_s2size)
{
	int r;

	if (variant->backing == KM_BK_GMEM)
		REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	km_agent_init(&self->a, 0);
	self->agent_up = true;
	r = km_mem_create(&self->m, variant->backing, &self->a.vm, km_thp_size());
	if (r)
		SKIP(return, "backing unavailable: %s", self->m.why);
	/* Its failure is a reason to skip later, if the descriptor oracle fails too. */
	km_s2trace_start(&self->tr);
	ASSERT_EQ(0, __km_mem_set_slot(&self->m, &self->a.vm, S2SZ_SLOT, S2SZ_IPA));
	km_agent_map(&self->a, S2SZ_IPA, S2SZ_IPA, self->m.size, KM_ATTR_NORMAL_WB, 0);
}

FIXTURE_TEARDOWN(gmem_s2size)
{
	km_s2trace_stop(&self->tr);
	free(self->d);
	if (self->agent_up)
		km_agent_fini(&self->a);
	km_mem_destroy(&self->m);
}

TEST_F(gmem_s2size, every_page)
{
	u64 pg = km_env_page(&km_facts.env), size = self->m.size, want, off;
	unsigned int n = 0, bad = 0, differ = 0, i, npages = size / pg;
	struct km_pfn_expect pe;
	struct km_s2desc_vm vm;
	struct km_s2desc *d;
	bool traced, desc;
	struct km_s2map map;
	char a[64], b[64], c[64], why[200], line[320], skip[600];

	/* The leaf lib/expect/ gives the backing at this page size: a page, a PMD. */
	km_pfn_expect(&km_backing_desc(variant->backing)->vma, &km_facts.env, 0, &pe);
	want = pe.s2_size;
	/* One descriptor a page: 2048 at 16 KiB, too many for the stack. */
	d = calloc(npages, sizeof(*d));
	ASSERT_NE(NULL, d) TH_LOG("%u descriptors", npages);
	self->d = d;

	/* One load per page, in batches that fit the mailbox. */
	for (off = 0; off < size; off += pg) {
		if (!n)
			km_agent_reset(&self->a);
		km_agent_cmd(&self->a, KM_OP_LOAD, S2SZ_IPA + off, 8, 0);
		if (++n == KM_MAX_CMDS || off + pg == size) {
			km_agent_run_done(&self->a);
			n = 0;
		}
	}
	traced = self->tr.active && km_s2trace_selfcheck(&self->tr, KM_AGENT_IPA + KM_MBOX_OFF);
	desc = !km_s2desc_read(self->a.vm.fd, S2SZ_IPA, npages, d, &vm, why, sizeof(why));
	if (!km_s2_oracle_ran(traced, self->tr.reason, desc, why, skip, sizeof(skip)))
		SKIP(return, "%s", skip);
	for (i = 0, off = 0; traced && off < size; i++, off += pg) {
		km_s2trace_lookup(&self->tr, S2SZ_IPA + off, &map);
		/* The two leaves must be the same; the first few differences in full. */
		if (desc && (map.valid != d[i].mapped || map.a.mt != d[i].ma.mt ||
			     map.size != d[i].size || map.a.w != d[i].w) && differ++ < 4)
			km_s2desc_vs_tracer(&d[i], &map);
		if (map.valid && map.a.mt == KM_MT_NORMAL && map.size == want)
			continue;
		if (bad++ < 4)
			TH_LOG("tracer: IPA 0x%llx: %s, %s (want Normal, %s)", S2SZ_IPA + off,
			       map.valid ? km_s2attr_str(&map.a, a, sizeof(a)) : "unmapped",
			       km_size_str(map.size, b, sizeof(b)), km_size_str(want, c, sizeof(c)));
	}
	EXPECT_EQ(0, bad) TH_LOG("tracer: %u of %u pages not mapped as expected (%u records)", bad,
				 npages, self->tr.nrecs);
	EXPECT_EQ(0, differ) TH_LOG("oracles disagree on %u of %u pages", differ, npages);
	if (!desc)
		return;
	/* Every page: a leaf of the expected size, Normal in the host's exact encoding. */
	TH_LOG("s2desc: IPA 0x%llx: %s (FWB %d; %u pages read in %.0f us)", S2SZ_IPA,
	       km_s2desc_str(&d[0], line, sizeof(line)), vm.ctx.fwb, npages, vm.usecs);
	for (i = 0, bad = 0; i < npages; i++) {
		if (d[i].mapped && d[i].size == want &&
		    (int)d[i].ma.raw == km_s2ma_want(KM_MT_NORMAL, vm.ctx.fwb) && d[i].r && d[i].w)
			continue;
		if (bad++ < 4)
			TH_LOG("s2desc: IPA 0x%llx: %s (want Normal R W, %s)", S2SZ_IPA + i * pg,
			       km_s2desc_str(&d[i], line, sizeof(line)),
			       km_size_str(want, c, sizeof(c)));
	}
	EXPECT_EQ(0, bad) TH_LOG("descriptor oracle: %u of %u pages not mapped as expected", bad,
				 npages);
}

KM_RULE_DOC(gmem_fault, "GMEM-FAULT-*",
	    "mmu.c:gmem_abort; guest_memfd.c:kvm_gmem_get_pfn, kvm_gmem_release, "
	    "kvm_gmem_error_folio; kvm_host.h:kvm_prepare_memory_fault_exit",
	    "KVM_CAP_GUEST_MEMFD_FLAGS with MMAP|INIT_SHARED; FAULT-06 root and "
	    "CONFIG_MEMORY_FAILURE; FAULT-08 a stage-2 oracle (the tracer or the "
	    "descriptor reader, make kmod)", "yes")
