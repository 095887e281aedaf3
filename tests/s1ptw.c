// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's stage-1 table walk that hits a stage-2 translation fault must make
 * progress: KVM maps the table page and the walk is retried.  On CPUs with the
 * ARM erratum 834220 workaround (Cortex-A57 r0p0-r1p2), Linux 7.x re-walks
 * every stage-2 translation fault with AT S1E1R before trusting HPFAR
 * (__hpfar_valid(), arch/arm64/kvm/hyp/include/hyp/fault.h), S1PTW faults
 * included; the AT cannot succeed while the table page is unmapped, the
 * hypervisor re-enters the guest, and the guest faults again forever.
 *
 * Two triggers: tables the guest never touched, and tables whose stage-2
 * mappings the host removed later (what memory pressure does to a real guest).
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "agent.h"
#include "facts.h"
#include "memslot.h"

#define TBL_SLOT	1
#define TBL_IPA		0x50000000ULL
#define TBL_PAGES	16	/* of the host's page size, the agent's granule */
#define DATA_SLOT	2
#define DATA_IPA	KM_TEST_IPA
/* One host page each: memslots and the agent's stage-1 pages are host pages. */
#define TBL_SIZE	(TBL_PAGES * km_env_page(&km_facts.env))
#define DATA_SIZE	km_env_page(&km_facts.env)
#define PROGRESS_BOUND_MS 3000	/* the good path takes milliseconds, even under TCG */
/*
 * A livelocked guest re-faults on one instruction: after a first slice the
 * vCPU's PC is sampled every slice, and the same PC STUCK_SAMPLES times over
 * (600 ms in all) ends the wait early.  A guest still moving gets the bound.
 */
#define FIRST_SLICE_MS	300
#define SAMPLE_MS	100
#define STUCK_SAMPLES	3

static const u64 pattern = 0x5331505457ULL;	/* "S1PTW" */

FIXTURE(s1ptw) {
	struct km_agent a;
	struct km_s1pt alt;	/* second set of tables, in their own memslot */
	u8 *tbl;
	u8 *data;
};

FIXTURE_VARIANT(s1ptw) {
	KM_VARIANT_RULE;
	bool zap_after_use;
};

FIXTURE_VARIANT_ADD(s1ptw, fresh_tables) {
	.rule = "S1PTW-PROGRESS-01",
	.summary = "a stage-1 walk through table pages never mapped at stage 2 completes "
		   "(KVM maps them) within a bound",
	.zap_after_use = false,
};

FIXTURE_VARIANT_ADD(s1ptw, zapped_tables) {
	.rule = "S1PTW-PROGRESS-02",
	.summary = "a stage-1 walk through table pages whose stage-2 mappings the host "
		   "removed (MADV_DONTNEED) completes within a bound",
	.zap_after_use = true,
};

FIXTURE_SETUP(s1ptw)
{
	int fd = memfd_create("km-s1ptw-tables", 0);

	/*
	 * Shared file memory: MADV_DONTNEED drops the host mapping (and so,
	 * through the MMU notifier, the stage-2 mapping) but keeps the tables.
	 */
	KM_CHECK(fd >= 0 && ftruncate(fd, TBL_SIZE) == 0, "memfd for the tables");
	self->tbl = km_mmap_fd(fd, TBL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	close(fd);
	self->data = km_mmap_anon(DATA_SIZE);
	memcpy(self->data, &pattern, sizeof(pattern));

	km_agent_init(&self->a, 0);
	km_set_memslot2(&self->a.vm, TBL_SLOT, 0, TBL_IPA, TBL_SIZE, self->tbl, -1, 0);
	km_set_memslot2(&self->a.vm, DATA_SLOT, 0, DATA_IPA, DATA_SIZE, self->data, -1, 0);
	km_agent_map(&self->a, DATA_IPA, DATA_IPA, DATA_SIZE, KM_ATTR_NORMAL_WB, 0);
	if (variant->zap_after_use)	/* so the guest can read the tables first */
		km_agent_map(&self->a, TBL_IPA, TBL_IPA, TBL_SIZE, KM_ATTR_NORMAL_WB, 0);

	/* The alternative tables map what the agent needs, and the data page. */
	KM_CHECK(!km_s1pt_init(&self->alt, self->tbl, TBL_IPA, TBL_SIZE,
			       km_s1pt_granule(&self->a.pt)) &&
		 !km_s1pt_map(&self->alt, KM_AGENT_IPA, KM_AGENT_IPA, KM_AGENT_SIZE,
			      KM_ATTR_NORMAL_WB, KM_S1_EXEC) &&
		 !km_s1pt_map(&self->alt, KM_DOORBELL_IPA, KM_DOORBELL_IPA,
			      km_s1pt_granule(&self->alt),
			      KM_ATTR_DEVICE_nGnRE, 0) &&
		 !km_s1pt_map(&self->alt, DATA_IPA, DATA_IPA, DATA_SIZE, KM_ATTR_NORMAL_WB, 0),
		 "build the alternative stage-1 tables");
}

FIXTURE_TEARDOWN(s1ptw)
{
	km_agent_fini(&self->a);
}

/* Say which known CPU fact makes this host special, whatever the outcome. */
static void log_cpu(struct __test_metadata *_metadata)
{
	char midr[96];

	TH_LOG("CPU: %s; erratum 834220 workaround %s; kernel %s; KVM %s",
	       km_describe_midr(km_cpu_midr(&km_facts), midr, sizeof(midr)),
	       km_has_erratum_834220(&km_facts) ? "applies" : "does not apply",
	       km_facts.release, km_kvm_mode_str(km_facts.env.mode));
}

TEST_F(s1ptw, progress)
{
	unsigned int i, waited = 0, same = 0;
	u64 pc = 0, last_pc = ~0ULL;
	struct km_cmd *ld;
	struct km_exit x;
	char buf[160];

	log_cpu(_metadata);
	km_agent_reset(&self->a);
	if (variant->zap_after_use) {
		/* Touch the tables with data loads, switch, use them, go back. */
		for (i = 0; i < self->alt.used; i++)
			km_agent_cmd(&self->a, KM_OP_LOAD,
				     TBL_IPA + i * km_s1pt_granule(&self->alt), 8, 0);
		km_agent_cmd(&self->a, KM_OP_SET_TTBR0, 0, 0, km_s1pt_root(&self->alt));
		ld = km_agent_cmd(&self->a, KM_OP_LOAD, DATA_IPA, 8, 0);
		km_agent_run_done(&self->a);
		ASSERT_EQ(pattern, ld->result);
		/* Drop the table pages from stage 2; the guest keeps using them. */
		ASSERT_EQ(0, madvise(self->tbl, TBL_SIZE, MADV_DONTNEED));
		km_agent_reset(&self->a);
	} else {
		km_agent_cmd(&self->a, KM_OP_SET_TTBR0, 0, 0, km_s1pt_root(&self->alt));
	}
	ld = km_agent_cmd(&self->a, KM_OP_LOAD, DATA_IPA, 8, 0);

	self->a.timeout_ms = FIRST_SLICE_MS;
	for (;;) {
		km_agent_run(&self->a, &x);
		if (x.kind != KM_X_TIMEOUT)
			break;
		waited += self->a.timeout_ms;
		pc = km_get_reg(&self->a.vcpu, KM_REG_PC);
		same = pc == last_pc ? same + 1 : 0;
		last_pc = pc;
		if (same >= STUCK_SAMPLES || waited >= PROGRESS_BOUND_MS)
			break;
		self->a.timeout_ms = SAMPLE_MS;
	}
	if (x.kind == KM_X_TIMEOUT) {
		TH_LOG("no exit to the host within %u ms; guest PC 0x%llx%s", waited, pc,
		       same >= STUCK_SAMPLES ? ", the same in the last samples 100 ms apart "
		       "(no progress: livelock)" : ", still moving");
		if (km_has_erratum_834220(&km_facts))
			TH_LOG("the erratum 834220 re-walk never resolves a stage-2 fault on a "
			       "stage-1 table page (S1PTW)");
		/* The one failure the known issue is (known-issues: livelock). */
		if (same >= STUCK_SAMPLES)
			km_symptom("livelock");
	}
	ASSERT_EQ(KM_X_DONE, x.kind) TH_LOG("after %u ms: %s", waited,
					    km_exit_describe(&x, buf, sizeof(buf)));
	EXPECT_EQ(0, ld->flags & KM_CMD_F_EXC);
	EXPECT_EQ(pattern, ld->result);
}

KM_RULE_DOC(s1ptw, "S1PTW-PROGRESS-*",
	    "hyp/include/hyp/fault.h:__hpfar_valid (ARM erratum 834220 re-walk)", "-",
	    "yes (-cpu cortex-a57 is r1p0, an erratum-834220 CPU)")
