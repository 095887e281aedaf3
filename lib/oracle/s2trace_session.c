// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership of the run's shared probes across fork(): registering kprobes
 * and an instance costs ~0.5 s a case under QEMU TCG, so the cases of one
 * run take turns with one set (s2trace.h).  The owner pid lives in memory
 * the harness parent shares with every case; a dead owner's claim lapses.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "s2trace_int.h"
#include "tracefs.h"

struct km_s2session *km_sess;

/* Give the shared probes back; their filter first, so nothing more is recorded. */
void km_s2session_release(struct km_s2trace *t)
{
	int me = t->pid;

	if (km_s2probe_set_filters(t, 0))
		km_sess->state = 0;	/* gone or broken: the next owner registers anew */
	__atomic_compare_exchange_n(&km_sess->owner, &me, 0, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	t->session = false;
}

/* Whether pid names a process that may still run (zombies count). */
static bool km_alive(int pid)
{
	return !kill(pid, 0) || errno != ESRCH;
}

/*
 * Claim the shared probes for t->pid: false if there are none, or another
 * live tracer owns them, or this process does already (a nested start).
 */
bool km_s2session_claim(struct km_s2trace *t)
{
	int cur;

	if (!km_sess || km_sess->state < 0)
		return false;
	cur = __atomic_load_n(&km_sess->owner, __ATOMIC_ACQUIRE);
	for (;;) {
		if (cur == t->pid || (cur && km_alive(cur)))
			return false;
		if (__atomic_compare_exchange_n(&km_sess->owner, &cur, t->pid, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	}
}

/* The owner points the shared probes at itself, registering them on first use. */
int km_s2session_start(struct km_s2trace *t)
{
	int r;

	t->session = true;
	t->tag = km_sess->pid;
	t->kretprobe = km_sess->kretprobe;
	snprintf(t->prefix, sizeof(t->prefix), "km_%d_", t->tag);
	km_sess->users++;
	if (km_sess->state == 1) {
		r = km_s2probe_set_filters(t, t->pid);
		/* Records of the previous owner go; nothing else can arrive now. */
		if (!r)
			r = km_s2trace_drain(t);
		if (!r)
			return 0;
		km_sess->state = 0;	/* removed behind our back: register anew */
	}
	t->kretprobe = false;
	r = km_s2probe_register(t);
	if (r)
		return r;
	km_sess->kretprobe = t->kretprobe;
	km_sess->state = 1;
	return 0;
}

int km_s2trace_session_init(void)
{
	void *p = mmap(NULL, sizeof(*km_sess), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	km_sess = p;
	memset(km_sess, 0, sizeof(*km_sess));
	km_sess->pid = getpid();
	return 0;
}

void km_s2trace_session_end(char *log, size_t len)
{
	const char *root = km_tracefs_root();

	if (log && len)
		log[0] = 0;
	if (!km_sess || km_sess->pid != getpid() || !root)
		return;
	if (km_s2trace_present(km_sess->pid)) {
		km_s2probe_remove(root, km_sess->pid, NULL, 0);
		if (log)
			snprintf(log, len, "# s2trace: removed the run's shared probes and "
				 "instance km_%d (%u tracers used them)%s\n", km_sess->pid,
				 km_sess->users,
				 km_s2trace_present(km_sess->pid) ? ": NOT all of them" : "");
	}
	km_sess->state = 0;
	km_sess->owner = 0;
}

bool km_s2trace_session_active(void)
{
	return km_sess && km_sess->state == 1 && km_s2trace_present(km_sess->pid);
}
