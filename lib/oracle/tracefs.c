// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"
#include "tracefs.h"

const char *const km_tracefs_roots[KM_TRACEFS_NROOTS] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

const char *km_tracefs_root(void)
{
	char path[96];
	unsigned int i;

	for (i = 0; i < KM_TRACEFS_NROOTS; i++) {
		snprintf(path, sizeof(path), "%s/kprobe_events", km_tracefs_roots[i]);
		if (!access(path, F_OK))
			return km_tracefs_roots[i];
	}
	return NULL;
}

void km_tracefs_error_log(const char *root, char *buf, size_t len)
{
	char path[96], *log, *line, *last = NULL;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/error_log", root);
	log = km_slurp(path, 0);
	if (!log)
		return;
	for (line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "error:") || strstr(line, "Error:"))
			last = line;
	if (last)
		snprintf(buf, len, "; tracefs error_log: %s", last);
	free(log);
}
