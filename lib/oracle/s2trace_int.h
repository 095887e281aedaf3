/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the stage-2 tracer (s2trace.h says what it does): what its files
 * share.  s2trace.c starts and stops a tracer; s2trace_probe.c registers
 * and removes the kprobes and instance; s2trace_session.c lets the cases
 * of one run share them; s2trace_collect.c reads and checks the records;
 * s2trace_cleanup.c removes what dead processes left.  Not for tests.
 */
#ifndef KM_S2TRACE_INT_H
#define KM_S2TRACE_INT_H

#include "s2trace.h"

/* A probe of ours: suffix, kprobe_events definition after "<type>:kprobes/<name> ". */
struct km_s2probe {
	const char *suffix;
	char type;		/* 'p' kprobe, 'r' kretprobe */
	const char *def;
	bool optional;		/* the tracer works without it */
};

#define KM_S2_NPROBES	3
extern const struct km_s2probe km_s2probes[KM_S2_NPROBES];

/*
 * The run's shared probes (s2trace.h), in memory the harness parent maps
 * before it forks any case, so every case and its children see one copy.
 * NULL when km_s2trace_session_init() was not called.
 */
struct km_s2session {
	int owner;		/* pid of the tracer using the probes; 0: none */
	int state;		/* 0: not registered, 1: registered, -1: cannot be */
	int pid;		/* the parent: the tag of the probes and instance */
	int sym_state;		/* km_s2probe_check_symbols(), once per run */
	unsigned int users;	/* tracers that used the probes */
	bool kretprobe;
	char sym_missing[64];
	char reason[320];	/* why state is -1 */
};
extern struct km_s2session *km_sess;

/* s2trace_probe.c */
/*
 * Does /proc/kallsyms name the functions we probe?  1 yes, -1 no (then
 * *missing names one), 0 cannot tell.
 */
int km_s2probe_check_symbols(const char **missing);
int km_s2probe_register(struct km_s2trace *t);
int km_s2probe_set_filters(const struct km_s2trace *t, int pid);
void km_s2probe_remove(const char *root, int pid, char *log, size_t len);

/* s2trace.c: a failed start, with its reason; returns err. */
int km_s2trace_fail(struct km_s2trace *t, int err, const char *fmt, const char *what);

/* s2trace_session.c */
bool km_s2session_claim(struct km_s2trace *t);
int km_s2session_start(struct km_s2trace *t);
void km_s2session_release(struct km_s2trace *t);

/* s2trace_collect.c */
unsigned long km_s2trace_losses(const struct km_s2trace *t);
int km_s2trace_drain(const struct km_s2trace *t);

#endif /* KM_S2TRACE_INT_H */
