// SPDX-License-Identifier: GPL-2.0
/*
 * Stale probes: a case killed by its timeout cannot remove its private
 * probes and instance, and they would keep recording (and naming a pid
 * the kernel may give to a later case).  The harness parent finds every
 * km_<pid>* item in tracefs and removes those whose process is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s2trace_int.h"
#include "sysfs.h"
#include "tracefs.h"

/* "km_<pid>" or "km_<pid>_<suffix>": the pid, else -1. */
static int km_name_pid(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, "km_", 3) || name[3] < '0' || name[3] > '9')
		return -1;
	pid = strtol(name + 3, &end, 10);
	if (*end && *end != '_')
		return -1;
	return pid > 0 && pid < (1L << 22) ? (int)pid : -1;
}

static bool km_pid_gone(int pid)
{
	return pid != getpid() && kill(pid, 0) && errno == ESRCH;
}

/* pid into pids[*n], once, if it is one and there is room. */
static void km_add_pid(int *pids, unsigned int *n, unsigned int max, int pid)
{
	unsigned int i;

	for (i = 0; pid > 0 && i < *n; i++)
		if (pids[i] == pid)
			return;
	if (pid > 0 && *n < max)
		pids[(*n)++] = pid;
}

/* Every pid named by a km_* kprobe event or instance; returns the count. */
static unsigned int km_list_pids(const char *root, int *pids, unsigned int max)
{
	char path[96], *buf, *line, *save = NULL, *ev, *sp;
	unsigned int n = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/kprobe_events", root);
	buf = km_slurp(path, 0);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* "p:kprobes/km_123_map kvm_pgtable_stage2_map ..." */
		ev = strchr(line, '/');
		sp = strchr(line, ' ');
		if (!ev || (sp && sp < ev))
			continue;
		*strchrnul(ev, ' ') = 0;
		km_add_pid(pids, &n, max, km_name_pid(ev + 1));
	}
	free(buf);
	snprintf(path, sizeof(path), "%s/instances", root);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		/* An instance is "km_<pid>"; "km_<pid>_..." is not ours. */
		if (km_name_pid(d->d_name) > 0 && !strchr(d->d_name + 3, '_'))
			km_add_pid(pids, &n, max, km_name_pid(d->d_name));
	}
	if (dir)
		closedir(dir);
	return n;
}

bool km_s2trace_present(int pid)
{
	const char *root = km_tracefs_root();
	unsigned int n, i;
	int pids[256];

	if (!root)
		return false;
	n = km_list_pids(root, pids, KM_ARRAY_SIZE(pids));
	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

int km_s2trace_cleanup(bool report_left, char *log, size_t len)
{
	const char *root = km_tracefs_root();
	unsigned int n, i;
	int pids[256];
	int left = 0;

	if (log && len)
		log[0] = 0;
	if (!root)
		return -ENOENT;
	n = km_list_pids(root, pids, KM_ARRAY_SIZE(pids));
	for (i = 0; i < n; i++)
		if (km_pid_gone(pids[i]))
			km_s2probe_remove(root, pids[i], log, len);
	n = km_list_pids(root, pids, KM_ARRAY_SIZE(pids));
	for (i = 0; i < n; i++) {
		left++;
		if (report_left && log)
			snprintf(log + strlen(log), len - strlen(log), "# s2trace: still present: "
				 "kprobes/instance of km_%d (process %s)\n", pids[i],
				 km_pid_gone(pids[i]) ? "gone" : "alive");
	}
	return left;
}
