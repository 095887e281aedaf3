// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the tracer's records and deciding whether to believe them: the
 * trace_pipe is consumed into t->recs, the buffer's losses are watched (a
 * lost record could be the mapping asked about), and the self-check finds
 * the kernel's prot numbering on a page whose mapping is known.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s2trace_int.h"
#include "sysfs.h"

/*
 * Records the instance lost so far, all CPUs: overwritten ("overrun") or
 * dropped ("dropped events") per per_cpu/cpuN/stats.
 */
unsigned long km_s2trace_losses(const struct km_s2trace *t)
{
	char path[192], *buf, *p;
	unsigned long sum = 0, v;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/instances/km_%d/per_cpu", t->root, t->tag);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (strncmp(d->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), "%s/instances/km_%d/per_cpu/%.16s/stats", t->root,
			 t->tag, d->d_name);
		buf = km_slurp(path, 0);
		for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (sscanf(p, "overrun: %lu", &v) == 1 ||
			    sscanf(p, "dropped events: %lu", &v) == 1)
				sum += v;
		free(buf);
	}
	if (dir)
		closedir(dir);
	return sum;
}

/* What the instance holds now, consumed as read: a non-blocking trace_pipe. */
static char *km_read_pipe(const struct km_s2trace *t)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/instances/km_%d/trace_pipe", t->root, t->tag);
	return km_slurp(path, O_NONBLOCK);
}

/*
 * Consume what the instance holds: the records of an earlier owner of the
 * shared probes.  A read of trace_pipe, not a truncation of trace: that
 * waits for an RCU grace period, ~45 ms a case under QEMU TCG.
 */
int km_s2trace_drain(const struct km_s2trace *t)
{
	char *buf = km_read_pipe(t);

	if (!buf)
		return -errno;
	free(buf);
	return 0;
}

int km_s2trace_collect(struct km_s2trace *t)
{
	char *buf, *line, *save = NULL;
	struct km_s2rec rec, *tmp;
	unsigned long lost;
	int r;

	if (!t->active)
		return -ENODEV;
	/* Consumed as read: each collect appends what came since the last one. */
	buf = km_read_pipe(t);
	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		r = km_s2rec_parse(line, t->prefix, &rec);
		if (r < 0)
			t->nbad++;
		if (r <= 0)
			continue;
		if (t->nrecs == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 64;
			tmp = realloc(t->recs, t->cap * sizeof(*tmp));
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			t->recs = tmp;
		}
		t->recs[t->nrecs++] = rec;
	}
	free(buf);
	lost = km_s2trace_losses(t);
	if (lost > t->losses) {
		snprintf(t->reason, sizeof(t->reason), "the trace buffer lost %lu records "
			 "(per_cpu/*/stats overrun + dropped events)", lost - t->losses);
		t->trusted = false;
		return -ENOBUFS;
	}
	return 0;
}

void km_s2trace_lookup(const struct km_s2trace *t, u64 ipa, struct km_s2map *m)
{
	km_s2_replay_as(t->layout, t->recs, t->nrecs, ipa, m);
}

bool km_s2trace_selfcheck(struct km_s2trace *t, u64 anon_ipa)
{
	struct km_s2map m;
	unsigned int i;
	char a[64];
	int r;

	t->trusted = false;
	if (!t->active)
		return false;
	r = km_s2trace_collect(t);
	if (r == -ENOBUFS)
		return false;
	if (r) {
		snprintf(t->reason, sizeof(t->reason), "cannot read the trace: %s", strerror(-r));
		return false;
	}
	if (t->nbad) {
		snprintf(t->reason, sizeof(t->reason), "%u trace lines of ours did not parse",
			 t->nbad);
		return false;
	}
	/* Which numbering of the prot bits makes the page what it is. */
	t->layout = NULL;
	for (i = 0; i < KM_S2_NLAYOUTS; i++) {
		km_s2_replay_as(&km_s2layouts[i], t->recs, t->nrecs, anon_ipa, &m);
		if (m.valid && m.a.mt == KM_MT_NORMAL && m.a.r && m.a.w && m.a.valid) {
			if (t->layout) {
				snprintf(t->reason, sizeof(t->reason), "self-check failed: prot "
					 "0x%llx of the anonymous page at IPA 0x%llx fits two "
					 "layouts (%s, %s)", m.prot, anon_ipa, t->layout->name,
					 km_s2layouts[i].name);
				t->layout = NULL;
				return false;
			}
			t->layout = &km_s2layouts[i];
		}
	}
	if (!t->layout) {
		km_s2_replay(t->recs, t->nrecs, anon_ipa, &m);
		snprintf(t->reason, sizeof(t->reason), "self-check failed: the host-written "
			 "anonymous page at IPA 0x%llx is %s (prot 0x%llx) in the trace (%u "
			 "records), not a Normal R/W mapping in any known prot layout", anon_ipa,
			 m.valid ? km_s2attr_str(&m.a, a, sizeof(a)) : "unmapped", m.prot,
			 t->nrecs);
		return false;
	}
	t->trusted = true;
	return true;
}
