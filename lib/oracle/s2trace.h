/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracer oracle: what stage-2 mappings KVM makes for this process's VM,
 * read on a stock kernel through tracefs kprobes on the host-side page-table
 * code:
 *
 *   kvm_pgtable_stage2_map(pgt, addr, size, phys, prot, mc, flags)
 *                                   x1    x2    x3    x4     (entry)
 *   kvm_pgtable_stage2_map -> $retval                         (kretprobe)
 *   kvm_pgtable_stage2_relax_perms(pgt, addr, prot, flags)
 *                                       x1    x2
 *
 * (prototypes: arch/arm64/include/asm/kvm_pgtable.h, Linux 7.3.)  Both VHE
 * and nVHE KVM call these in the host kernel for a guest's stage 2
 * (mmu.c: KVM_PGT_FN()); under protected KVM the host calls the pkvm_*
 * variants instead and the tracer reports itself unavailable.
 *
 * Isolation: the probes are named km_<tag>_{map,mapret,relax} in the
 * "kprobes" group, enabled only in a tracefs instance km_<tag> with the
 * filter "common_pid == <pid>" (pid: the process being traced), so neither
 * other processes' VMs nor other users of tracefs can reach the records, and
 * nothing collides between concurrent runs.
 *
 * Two ways to own the probes:
 *   - shared (session): after km_s2trace_session_init() in the harness
 *     parent, the first tracer of the run registers the probes and the
 *     instance once, tagged with the parent's pid, and leaves them enabled
 *     with a filter that matches no process.  Each later tracer only points
 *     the filters at its own pid and empties the instance's buffer (a few
 *     writes instead of registering kprobes, creating an instance and
 *     undoing both, which costs ~0.5 s per case under QEMU TCG); its stop()
 *     points the filters at no process again and empties the buffer.  One
 *     tracer at a time owns them (an owner pid in memory shared across
 *     fork(); a dead owner's claim lapses); a second concurrent tracer falls
 *     back to private probes.  km_s2trace_session_end() removes them.
 *   - private: probes and instance tagged with the tracer's own pid, made by
 *     start() and removed by stop().
 * A case killed by its timeout leaves private probes behind for
 * km_s2trace_cleanup() in the parent, which removes every km_<tag>_* probe
 * and km_<tag> instance whose process is gone.
 *
 * Trust: a test must call km_s2trace_selfcheck() on a page it knows is
 * ordinary host-populated anonymous RAM (the agent's mailbox) before it
 * believes the other answers; on failure the reason says why, and memtype
 * assertions SKIP with it.  The self-check also finds the kernel's prot
 * numbering (struct km_s2layout): of the layouts known, the one page must
 * decode as Normal R/W in exactly one.
 */
#ifndef KM_S2TRACE_H
#define KM_S2TRACE_H

#include "s2prot.h"

struct km_s2trace {
	bool active;		/* probes installed and enabled */
	bool trusted;		/* self-check passed */
	bool kretprobe;		/* map return values are recorded */
	int pid;
	char reason[320];	/* why not active / not trusted */
	char root[48];		/* tracefs mount point */
	char prefix[32];	/* "km_<tag>_" */
	struct km_s2rec *recs;
	unsigned int nrecs;
	unsigned int nbad;	/* our lines that did not parse */
	/* Which probes it uses (s2trace_session.c). */
	bool session;		/* uses the run's shared probes */
	int tag;		/* the pid naming the probes and instance */
	unsigned int cap;	/* of recs */
	unsigned long losses;	/* records the buffer had lost at start */
	/* The kernel's enum kvm_pgtable_prot, as the self-check found it. */
	const struct km_s2layout *layout;
};

/*
 * Install and enable the probes for the calling process.  0, or -errno with
 * t->reason saying what is missing (tracefs, the symbol, protected mode...).
 * Never fails the test by itself.
 */
int km_s2trace_start(struct km_s2trace *t);
/* As km_s2trace_start(), but always with private probes (never the shared ones). */
int km_s2trace_start_private(struct km_s2trace *t);
/*
 * Stop recording: private probes are disabled and removed, the shared ones
 * are pointed at no process and released.  Idempotent.
 */
void km_s2trace_stop(struct km_s2trace *t);
/*
 * Read the records that came since the last call (they are consumed from
 * the buffer) and append them: afterwards recs holds every record since
 * start().  0, -ENOBUFS if the buffer lost any (reason says so), or -errno.
 */
int km_s2trace_collect(struct km_s2trace *t);
/*
 * Collect, then require that the anonymous RAM page at anon_ipa, which the
 * host wrote before the guest touched it, is mapped Normal with R and W.
 * Sets t->trusted; returns it.
 */
bool km_s2trace_selfcheck(struct km_s2trace *t, u64 anon_ipa);
/* The mapping of ipa per the records collected last. */
void km_s2trace_lookup(const struct km_s2trace *t, u64 ipa, struct km_s2map *m);

/* Whether any probe or instance of process pid is registered in tracefs. */
bool km_s2trace_present(int pid);

/*
 * Parent side.  Remove the probes and instances of processes that no longer
 * exist; each removal is described (one "# " line per item) in log when it
 * is non-NULL.  Then, if report_left is set, list whatever km_* probe or
 * instance remains.  Returns the number of km_* items remaining (0: clean),
 * or -ENOENT when there is no tracefs with kprobe_events to look at.
 */
int km_s2trace_cleanup(bool report_left, char *log, size_t len);

/*
 * Parent side, once per run: let the tracers of the processes forked from
 * here share one set of probes (see above).  Cheap: nothing is registered
 * until a tracer starts.  0 or -errno (then every tracer is private).
 */
int km_s2trace_session_init(void);
/*
 * Parent side, at the end of the run: remove the shared probes and instance
 * if a tracer made them (each removal described in log, as cleanup does).
 */
void km_s2trace_session_end(char *log, size_t len);
/* Whether the shared probes are registered now (for the tests of the tracer). */
bool km_s2trace_session_active(void);

#endif /* KM_S2TRACE_H */
