// SPDX-License-Identifier: GPL-2.0
/*
 * The suite binary: every area under tests/ registers its cases; this file reads
 * the hardware facts once, before any case forks, and states them in the
 * KTAP header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "facts.h"
#include "known_issues.h"
#include "s2trace.h"

extern const char km_known_issues_text[];
extern const char km_contracts_text[];
static const char *known_text;
static const char *load_table(const char *var, const char *embedded);
static int s2trace_cleanup(bool at_end);

int km_harness_global_setup(int argc, char **argv)
{
	const char *contracts;
	int r;

	if (access("/dev/kvm", F_OK)) {
		km_harness_reason("/dev/kvm absent: this kernel has no KVM (or KVM failed to "
				  "initialise: no EL2?)");
		return KSFT_SKIP;
	}
	contracts = load_table("KM_CONTRACTS", km_contracts_text);
	if (!contracts)
		return 1;
	r = km_facts_read(&km_facts, contracts);
	if (r == -EACCES || r == -EPERM) {
		km_harness_reason("cannot open /dev/kvm: %s (run as root)", strerror(-r));
		return KSFT_SKIP;
	}
	known_text = load_table("KM_KNOWN_ISSUES", km_known_issues_text);
	if (!known_text)
		return 1;
	if (r) {
		km_harness_reason("cannot create a VM and vCPU to read the hardware facts: %s",
				  strerror(-r));
		return 1;
	}
	s2trace_cleanup(false);
	/* The cases' stage-2 tracers share one set of probes (lib/oracle/s2trace.h). */
	r = km_s2trace_session_init();
	if (r)
		printf("# s2trace: no shared probes (%s): each tracer registers its own\n",
		       strerror(-r));
	return 0;
}

/*
 * Stage-2 tracer probes of cases that were killed (timeout, crash) are still
 * registered: remove those of processes that are gone, at the start (left
 * by an earlier run) and at the end; anything km_* left then fails the run.
 */
static int s2trace_cleanup(bool at_end)
{
	char log[4096];
	int left = km_s2trace_cleanup(at_end, log, sizeof(log));

	if (log[0])
		printf("%s", log);
	if (at_end && left > 0) {
		km_harness_reason("%d km_* kprobe/instance set(s) still in tracefs "
				  "(kprobe_events, instances/)", left);
		return 1;
	}
	if (at_end && left == 0)
		printf("# s2trace: tracefs checked: no km_* kprobe or instance left\n");
	return 0;
}

int km_harness_global_teardown(void)
{
	char log[512];

	km_s2trace_session_end(log, sizeof(log));
	if (log[0])
		printf("%s", log);
	return s2trace_cleanup(true);
}

/*
 * An embedded data table, or the file the environment variable var names;
 * NULL, with the harness's reason set, when that file cannot be read.
 */
static const char *load_table(const char *var, const char *embedded)
{
	const char *path = getenv(var);
	char *buf = NULL;
	FILE *f;

	if (!path)
		return embedded;
	f = fopen(path, "r");
	if (f) {
		/* Zeroed, so whatever fread() leaves is terminated. */
		buf = calloc(1, 65536);
		if (buf && !fread(buf, 1, 65535, f) && ferror(f)) {
			free(buf);
			buf = NULL;
		}
		fclose(f);
	}
	if (!buf)
		km_harness_reason("cannot read %s=%s: %s", var, path, strerror(errno));
	return buf;
}

const char *km_harness_known_issue(const char *rule, char *symptom, size_t len)
{
	static char reason[512];

	if (!known_text)
		return NULL;
	return km_known_issue_lookup(known_text, rule, &km_facts.env, reason, sizeof(reason),
				     symptom, len);
}

void km_harness_header(void)
{
	km_facts_print(&km_facts);
}

TEST_HARNESS_MAIN
