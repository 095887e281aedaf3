// SPDX-License-Identifier: GPL-2.0
/*
 * The stage-2 tracer (lib/oracle/s2trace.h) is an oracle other tests trust, so its
 * own properties are rules: it sees this process's VM, only this process's
 * VM, and it leaves nothing behind in tracefs, even when its process dies.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "agent.h"
#include "s2trace.h"

KM_RULE_DOC(s2trace, "S2TRACE-*",
	    "hyp/pgtable.c:kvm_pgtable_stage2_map, kvm_pgtable_stage2_relax_perms "
	    "(called by mmu.c:user_mem_abort, gmem_abort via KVM_PGT_FN)",
	    "root; tracefs with kprobe_events; not protected KVM", "yes")

FIXTURE(tracer) {
	struct km_s2trace tr;
	struct km_agent a;
	bool agent_up;
};

FIXTURE_VARIANT(tracer) {
	KM_VARIANT_RULE;
};

FIXTURE_VARIANT_ADD(tracer, own_vm) {
	.rule = "S2TRACE-SELF-01",
	.summary = "the tracer sees the agent's own anonymous memslot: the host-written "
		   "mailbox page is stage-2 Normal R/W and the code page Normal R/X after the "
		   "agent ran",
};

FIXTURE_SETUP(tracer)
{
	if (km_s2trace_start(&self->tr))
		SKIP(return, "stage-2 tracer unavailable: %s", self->tr.reason);
	km_agent_init(&self->a, 0);
	self->agent_up = true;
}

FIXTURE_TEARDOWN(tracer)
{
	km_s2trace_stop(&self->tr);
	if (self->agent_up)
		km_agent_fini(&self->a);
}

TEST_F(tracer, selfcheck)
{
	struct km_s2map m;
	char buf[64];

	km_agent_reset(&self->a);
	km_agent_run_done(&self->a);
	EXPECT_TRUE(km_s2trace_selfcheck(&self->tr, KM_AGENT_IPA + KM_MBOX_OFF))
		TH_LOG("%s", self->tr.reason);
	if (self->tr.layout)
		TH_LOG("kvm_pgtable_prot layout: %s", self->tr.layout->name);
	km_s2trace_lookup(&self->tr, KM_AGENT_IPA, &m);
	TH_LOG("agent code page: %s (%u records)",
	       m.valid ? km_s2attr_str(&m.a, buf, sizeof(buf)) : "unmapped", self->tr.nrecs);
	ASSERT_TRUE(m.valid);
	EXPECT_EQ(KM_MT_NORMAL, m.a.mt);
	EXPECT_TRUE(m.a.r && m.a.px && m.a.ux) TH_LOG("prot 0x%llx", m.prot);
}

TEST_RULE(isolation, "S2TRACE-ISOL-01",
	  "the tracer records only its own process: another process's VM, mapping memory "
	  "while the probes are live, adds no record")
{
	struct km_s2trace tr;
	unsigned int theirs = 0;
	int fds[2], status;
	pid_t pid;

	if (km_s2trace_start(&tr))
		SKIP(return, "stage-2 tracer unavailable: %s", tr.reason);
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Another process, another VM, its own tracer as a witness. */
		struct km_s2trace t2;
		struct km_agent a;
		bool ok;

		close(fds[0]);
		ok = !km_s2trace_start(&t2);
		km_agent_init(&a, 0);
		km_agent_reset(&a);
		km_agent_run_done(&a);
		ok = ok && !km_s2trace_collect(&t2);
		if (write(fds[1], &t2.nrecs, sizeof(t2.nrecs)) < 0)
			ok = false;
		km_s2trace_stop(&t2);
		km_agent_fini(&a);
		_exit(ok ? 0 : 1);
	}
	close(fds[1]);
	ASSERT_EQ((ssize_t)sizeof(theirs), read(fds[0], &theirs, sizeof(theirs)));
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("status 0x%x", status);
	EXPECT_LT(0, theirs) TH_LOG("the other process's own tracer saw nothing");
	ASSERT_EQ(0, km_s2trace_collect(&tr));
	EXPECT_EQ(0, tr.nrecs) TH_LOG("records of process %d leaked into ours", pid);
	km_s2trace_stop(&tr);
}

TEST_RULE(stop_removes, "S2TRACE-CLEAN-01",
	  "km_s2trace_stop() removes the process's private kprobes and tracefs instance")
{
	struct km_s2trace tr;

	if (km_s2trace_start_private(&tr))
		SKIP(return, "stage-2 tracer unavailable: %s", tr.reason);
	EXPECT_TRUE(km_s2trace_present(getpid()));
	km_s2trace_stop(&tr);
	EXPECT_FALSE(km_s2trace_present(getpid()));
}

TEST_RULE(killed_cleanup, "S2TRACE-CLEAN-02",
	  "the private kprobes of a process killed with SIGKILL outlive it until the "
	  "parent-side cleanup, which removes and names them")
{
	char log[4096], name[48], why[320] = "";
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct km_s2trace t;

		close(fds[0]);
		if (km_s2trace_start_private(&t))
			snprintf(why, sizeof(why), "%s", t.reason);
		if (write(fds[1], why, sizeof(why)) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ((ssize_t)sizeof(why), read(fds[0], why, sizeof(why)));
	close(fds[0]);
	if (why[0]) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		SKIP(return, "stage-2 tracer unavailable: %s", why);
	}
	EXPECT_TRUE(km_s2trace_present(pid));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(km_s2trace_present(pid)) TH_LOG("nothing left to clean up: vacuous");
	km_s2trace_cleanup(false, log, sizeof(log));
	EXPECT_FALSE(km_s2trace_present(pid));
	snprintf(name, sizeof(name), "km_%d_map", pid);
	EXPECT_NE_NULL(strstr(log, name)) TH_LOG("cleanup log:\n%s", log);
}

/*
 * The run's shared probes (lib/oracle/s2trace.h): one tracer after another uses
 * them, so what one leaves must not reach the next.  Another process (the
 * first tracer) owns them, traces its own VM (collects: its records are
 * there), then runs a second VM whose records it leaves in the buffer, and
 * then stops, or dies holding the probes; the case's tracer must then get
 * them and find none of that process's records, yet record its own VM.
 */
FIXTURE(session) {
	struct km_s2trace tr;
	struct km_agent a;
	bool agent_up;
	pid_t child;
};

FIXTURE_VARIANT(session) {
	KM_VARIANT_RULE;
	bool killed;		/* the first tracer is SIGKILLed instead of stopping */
};

FIXTURE_VARIANT_ADD(session, handover) {
	.rule = "S2TRACE-SESS-01",
	.summary = "a tracer started after another one stopped uses the same shared probes "
		   "and holds none of the records of the first one's VM",
};

FIXTURE_VARIANT_ADD(session, owner_killed) {
	.rule = "S2TRACE-SESS-02",
	.summary = "when the process owning the shared probes is killed, the next tracer "
		   "takes them over and holds none of the dead process's records",
	.killed = true,
};

FIXTURE_SETUP(session)
{
}

FIXTURE_TEARDOWN(session)
{
	km_s2trace_stop(&self->tr);
	if (self->agent_up)
		km_agent_fini(&self->a);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
}

/* What the first tracer tells the case. */
struct sess_report {
	bool session;
	unsigned int nrecs;
	char why[320];
};

TEST_F(session, next_owner)
{
	struct sess_report rep = { 0 };
	int fds[2], status;

	ASSERT_EQ(0, pipe(fds));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		struct km_s2trace t;
		struct km_agent a, b;

		close(fds[0]);
		if (km_s2trace_start(&t)) {
			snprintf(rep.why, sizeof(rep.why), "%s", t.reason);
		} else {
			rep.session = t.session;
			km_agent_init(&a, 0);
			km_agent_reset(&a);
			km_agent_run_done(&a);
			if (km_s2trace_collect(&t))
				snprintf(rep.why, sizeof(rep.why), "collect failed");
			rep.nrecs = t.nrecs;
			/* Left in the buffer: the next owner must not see them. */
			km_agent_init(&b, 0);
			km_agent_reset(&b);
			km_agent_run_done(&b);
			km_agent_fini(&b);
			km_agent_fini(&a);
			if (!variant->killed)
				km_s2trace_stop(&t);
		}
		if (write(fds[1], &rep, sizeof(rep)) < 0)
			_exit(1);
		if (variant->killed)
			pause();	/* dies owning the probes */
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ((ssize_t)sizeof(rep), read(fds[0], &rep, sizeof(rep)));
	close(fds[0]);
	if (variant->killed)
		kill(self->child, SIGKILL);
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	if (rep.why[0] && !rep.nrecs)
		SKIP(return, "stage-2 tracer unavailable: %s", rep.why);
	if (!rep.session)
		SKIP(return, "no shared probes in this run (km_s2trace_session_init() not "
		     "called or failed): the first tracer was private");
	EXPECT_LT(0, rep.nrecs) TH_LOG("the first tracer saw nothing of its own VM");

	ASSERT_EQ(0, km_s2trace_start(&self->tr)) TH_LOG("%s", self->tr.reason);
	ASSERT_TRUE(self->tr.session) TH_LOG("the shared probes were not handed over");
	EXPECT_TRUE(km_s2trace_session_active());
	ASSERT_EQ(0, km_s2trace_collect(&self->tr));
	EXPECT_EQ(0, self->tr.nrecs) TH_LOG("records of the first tracer's process leaked");

	/* Still recording, now for this process. */
	km_agent_init(&self->a, 0);
	self->agent_up = true;
	km_agent_reset(&self->a);
	km_agent_run_done(&self->a);
	EXPECT_TRUE(km_s2trace_selfcheck(&self->tr, KM_AGENT_IPA + KM_MBOX_OFF))
		TH_LOG("%s", self->tr.reason);
	TH_LOG("first tracer: %u records; this one: %u records after its own VM ran",
	       rep.nrecs, self->tr.nrecs);
}
