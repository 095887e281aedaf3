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
 * Isolation: the probes are named km_<pid>_{map,mapret,relax} in the
 * "kprobes" group, enabled only in a private tracefs instance km_<pid> with
 * the filter "common_pid == <pid>", so neither other processes' VMs nor other
 * users of tracefs can reach the records, and nothing collides between
 * concurrent runs.  km_s2trace_stop() removes all of it; a case killed by its
 * timeout leaves it behind for km_s2trace_cleanup() in the parent, which
 * removes every km_<pid>_* probe and km_<pid> instance whose process is gone.
 *
 * Trust: a test must call km_s2trace_selfcheck() on a page it knows is
 * ordinary host-populated anonymous RAM (the agent's mailbox) before it
 * believes the other answers; on failure the reason says why, and memtype
 * assertions SKIP with it.
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
	char prefix[32];	/* "km_<pid>_" */
	struct km_s2rec *recs;
	unsigned int nrecs;
	unsigned int nbad;	/* our lines that did not parse */
};

/*
 * Install and enable the probes for the calling process.  0, or -errno with
 * t->reason saying what is missing (tracefs, the symbol, protected mode...).
 * Never fails the test by itself.
 */
int km_s2trace_start(struct km_s2trace *t);
/* Disable and remove everything start() made.  Idempotent. */
void km_s2trace_stop(struct km_s2trace *t);
/* (Re)read all records so far; 0 or -errno. */
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

#endif /* KM_S2TRACE_H */
