// SPDX-License-Identifier: GPL-2.0
/*
 * The tracer's kprobes: their definitions, the symbols they need, and the
 * tracefs writes that register, point and remove them.  Shared and private
 * probes differ only in their tag; the session and cleanup code call these
 * to make and unmake both.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s2trace_int.h"
#include "sysfs.h"

const struct km_s2probe km_s2probes[KM_S2_NPROBES] = {
	{ "map", 'p', "kvm_pgtable_stage2_map ipa=%x1:x64 size=%x2:x64 phys=%x3:x64 prot=%x4:x64",
	  false },
	{ "mapret", 'r', "kvm_pgtable_stage2_map ret=$retval:s32", true },
	{ "relax", 'p', "kvm_pgtable_stage2_relax_perms ipa=%x1:x64 prot=%x2:x64", false },
};

static const char *const km_symbols[] = {
	"kvm_pgtable_stage2_map", "kvm_pgtable_stage2_relax_perms",
};

/* The filter of the shared probes while no tracer owns them: no process has pid < 0. */
#define KM_FILTER_NOBODY	"common_pid < 0"

/*
 * Read once per process tree: the parent's answer is inherited by every
 * forked case, and the session shares it with cases forked before it.
 */
static int km_sym_state;	/* 0 unknown, 1 present, -1 missing */
static char km_sym_missing[64];

int km_s2probe_check_symbols(const char **missing)
{
	bool found[KM_ARRAY_SIZE(km_symbols)] = { false };
	char line[512], name[256];
	unsigned int i, n = 0;
	FILE *f;

	*missing = km_sym_missing;
	if (!km_sym_state && km_sess && km_sess->sym_state) {
		km_sym_state = km_sess->sym_state;
		snprintf(km_sym_missing, sizeof(km_sym_missing), "%s", km_sess->sym_missing);
	}
	if (km_sym_state)
		return km_sym_state;
	/* Line by line: kallsyms is megabytes, and the symbols come early. */
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;	/* cannot tell: let the probe registration decide */
	while (n < KM_ARRAY_SIZE(km_symbols) && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %255s", name) != 1)
			continue;
		for (i = 0; i < KM_ARRAY_SIZE(km_symbols); i++) {
			if (!found[i] && !strcmp(name, km_symbols[i])) {
				found[i] = true;
				n++;
			}
		}
	}
	fclose(f);
	km_sym_state = 1;
	for (i = 0; i < KM_ARRAY_SIZE(km_symbols); i++) {
		if (!found[i]) {
			snprintf(km_sym_missing, sizeof(km_sym_missing), "%s", km_symbols[i]);
			km_sym_state = -1;
		}
	}
	/* Reading kallsyms takes 0.1-1 s under TCG: once per run, not per case. */
	if (km_sess) {
		snprintf(km_sess->sym_missing, sizeof(km_sess->sym_missing), "%s",
			 km_sym_missing);
		km_sess->sym_state = km_sym_state;
	}
	return km_sym_state;
}

/* Disable and remove the instance and probes of process pid. */
void km_s2probe_remove(const char *root, int pid, char *log, size_t len)
{
	char path[192], cmd[96];
	unsigned int i;
	int r;

	snprintf(path, sizeof(path), "%s/instances/km_%d", root, pid);
	if (!access(path, F_OK)) {
		snprintf(path, sizeof(path), "%s/instances/km_%d/events/enable", root, pid);
		km_write_text(path, "0");
		snprintf(path, sizeof(path), "%s/instances/km_%d", root, pid);
		r = rmdir(path) ? -errno : 0;
		if (log)
			snprintf(log + strlen(log), len - strlen(log),
				 "# s2trace: removed instance km_%d%s%s\n", pid, r ? ": " : "",
				 r ? strerror(-r) : "");
	}
	for (i = 0; i < KM_S2_NPROBES; i++) {
		/* Also disable it at the top level, in case someone enabled it there. */
		snprintf(path, sizeof(path), "%s/events/kprobes/km_%d_%s/enable", root, pid,
			 km_s2probes[i].suffix);
		if (access(path, F_OK))
			continue;
		km_write_text(path, "0");
		snprintf(path, sizeof(path), "%s/kprobe_events", root);
		snprintf(cmd, sizeof(cmd), "-:kprobes/km_%d_%s", pid, km_s2probes[i].suffix);
		r = km_append_text(path, cmd);
		if (log)
			snprintf(log + strlen(log), len - strlen(log), "# s2trace: removed kprobe "
				 "km_%d_%s%s%s\n", pid, km_s2probes[i].suffix, r ? ": " : "",
				 r ? strerror(-r) : "");
	}
}

/*
 * Point the instance's filters at process pid, or at no process (pid 0).
 * Only failed maps are worth a return record: a map record without one took
 * effect (km_s2_replay()), and every map record is kept, so a return record
 * still follows its own map.  That halves what the agent's boot, a few
 * hundred page maps, costs to record and read.
 */
int km_s2probe_set_filters(const struct km_s2trace *t, int pid)
{
	char path[192], filter[64];
	unsigned int i;
	int r;

	for (i = 0; i < KM_S2_NPROBES; i++) {
		if (km_s2probes[i].type == 'r' && !t->kretprobe)
			continue;
		if (!pid)
			snprintf(filter, sizeof(filter), KM_FILTER_NOBODY);
		else
			snprintf(filter, sizeof(filter), "common_pid == %d%s", pid,
				 km_s2probes[i].type == 'r' ? " && ret != 0" : "");
		snprintf(path, sizeof(path), "%s/instances/km_%d/events/kprobes/km_%d_%s/filter",
			 t->root, t->tag, t->tag, km_s2probes[i].suffix);
		r = km_write_text(path, filter);
		if (r)
			return r;
	}
	return 0;
}

/*
 * Register the probes km_<tag>_* and the instance km_<tag>, recording
 * process t->pid only, and enable them.
 */
int km_s2probe_register(struct km_s2trace *t)
{
	char path[192], def[256], base[128];
	unsigned int i;
	int r;

	/* A stale instance of a recycled pid would hold old records. */
	km_s2probe_remove(t->root, t->tag, NULL, 0);
	snprintf(base, sizeof(base), "%s/instances/km_%d", t->root, t->tag);
	if (mkdir(base, 0700))
		return km_s2trace_fail(t, -errno, "mkdir %s", base);

	snprintf(path, sizeof(path), "%s/kprobe_events", t->root);
	for (i = 0; i < KM_S2_NPROBES; i++) {
		snprintf(def, sizeof(def), "%c:kprobes/km_%d_%s %s", km_s2probes[i].type, t->tag,
			 km_s2probes[i].suffix, km_s2probes[i].def);
		r = km_append_text(path, def);
		if (r && km_s2probes[i].optional)
			continue;
		if (r)
			return km_s2trace_fail(t, r, "kprobe_events: '%s' refused", def);
		if (km_s2probes[i].type == 'r')
			t->kretprobe = true;
	}
	/* Records of several CPUs are merged by time: use one clock for all. */
	snprintf(path, sizeof(path), "%s/trace_clock", base);
	km_write_text(path, "global");
	r = km_s2probe_set_filters(t, t->pid);
	if (r)
		return km_s2trace_fail(t, r, "cannot set the filters of %s", base);
	for (i = 0; i < KM_S2_NPROBES; i++) {
		if (km_s2probes[i].type == 'r' && !t->kretprobe)
			continue;
		snprintf(path, sizeof(path), "%s/events/kprobes/km_%d_%s/enable", base, t->tag,
			 km_s2probes[i].suffix);
		r = km_write_text(path, "1");
		if (r)
			return km_s2trace_fail(t, r, "cannot enable %s", path);
	}
	return 0;
}
