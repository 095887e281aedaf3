// SPDX-License-Identifier: GPL-2.0
/*
 * Starting and stopping a tracer (s2trace.h): whether it can run here at
 * all (pKVM, tracefs, the symbols), and whether it borrows the run's shared
 * probes (s2trace_session.c) or makes its own (s2trace_probe.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facts.h"
#include "s2trace_int.h"
#include "tracefs.h"

void km_s2trace_stop(struct km_s2trace *t)
{
	if (t->session)
		km_s2session_release(t);
	else if (t->root[0] && t->tag > 0)
		km_s2probe_remove(t->root, t->tag, NULL, 0);
	t->active = false;
	free(t->recs);
	t->recs = NULL;
	t->nrecs = t->cap = 0;
}

int km_s2trace_fail(struct km_s2trace *t, int err, const char *fmt, const char *what)
{
	char elog[200];

	km_tracefs_error_log(t->root, elog, sizeof(elog));
	snprintf(t->reason, sizeof(t->reason), fmt, what);
	snprintf(t->reason + strlen(t->reason), sizeof(t->reason) - strlen(t->reason),
		 ": %s%s", strerror(-err), elog);
	if (t->session) {
		/* Half-made shared probes: remove them; the next owner starts over. */
		km_s2probe_remove(t->root, t->tag, NULL, 0);
		km_sess->state = 0;
		km_s2session_release(t);
	}
	km_s2trace_stop(t);
	return err;
}

static int km_start(struct km_s2trace *t, bool shared)
{
	const char *root, *missing;
	int r;

	memset(t, 0, sizeof(*t));
	t->pid = getpid();
	t->tag = t->pid;
	snprintf(t->prefix, sizeof(t->prefix), "km_%d_", t->tag);

	if (km_facts.env.mode == KM_MODE_PROTECTED) {
		snprintf(t->reason, sizeof(t->reason),
			 "protected KVM (kvm-arm.mode=protected, %s): the host maps guest "
			 "stage 2 through pkvm_pgtable_stage2_map() (arch/arm64/kvm/mmu.c "
			 "KVM_PGT_FN), never kvm_pgtable_stage2_map()",
			 km_facts.kvm_mode_src);
		return -EOPNOTSUPP;
	}
	root = km_tracefs_root();
	if (!root) {
		snprintf(t->reason, sizeof(t->reason), "no tracefs with kprobe_events at %s or %s "
			 "(CONFIG_KPROBE_EVENTS, tracefs mounted, root?)", km_tracefs_roots[0],
			 km_tracefs_roots[1]);
		return -ENOENT;
	}
	snprintf(t->root, sizeof(t->root), "%s", root);
	if (km_s2probe_check_symbols(&missing) < 0) {
		snprintf(t->reason, sizeof(t->reason), "%s is not in /proc/kallsyms", missing);
		return -ENOENT;
	}
	r = shared && km_s2session_claim(t) ? km_s2session_start(t) : km_s2probe_register(t);
	if (r)
		return r;
	t->losses = km_s2trace_losses(t);
	t->active = true;
	return 0;
}

int km_s2trace_start(struct km_s2trace *t)
{
	return km_start(t, true);
}

int km_s2trace_start_private(struct km_s2trace *t)
{
	return km_start(t, false);
}
