// SPDX-License-Identifier: GPL-2.0
/*
 * The suite leaves the host as it found it: a host setting a case changed
 * (lib/harness/hoststate.h) is restored by the harness parent even when the case is
 * SIGKILLed by its timeout.  HARNESS-HOST-01 runs this very binary on the
 * on-request case HARNESS-HOST-HANG, which raises nr_hugepages through the
 * hugetlb backing (lib/mem/backing.c) and hangs, then checks the value after the
 * inner run has killed it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backing.h"
#include "harness.h"
#include "sysfs.h"
#include "util.h"

#define SZ_2M		0x200000ULL
/* Where the inner case writes nr_hugepages once it has raised it. */
#define MARK_ENV	"KM_HOST_HANG_MARK"

static long read_count(const char *path)
{
	char buf[32];

	return km_read_text(path, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : -1;
}

/*
 * A 1 s timeout: raising nr_hugepages by a page takes milliseconds, and the
 * wait for the kill is paid on every profile of every run.
 */
TEST_RULE_ON_REQUEST(hugetlb_hang, "HARNESS-HOST-HANG",
		     "(run by HARNESS-HOST-01) raises nr_hugepages for a hugetlb memslot "
		     "backing, then hangs until the timeout kills it", 1)
{
	const char *mark = getenv(MARK_ENV);
	long free_pages = read_count(KM_HUGE_2M_FREE);
	struct km_mem m;
	FILE *f;

	if (free_pages < 0)
		SKIP(return, "no 2 MiB huge pages: %s: %s", KM_HUGE_2M_FREE, strerror(errno));
	/* One page more than is free, so nr_hugepages must be raised. */
	if (km_mem_create(&m, KM_BK_HUGETLB, NULL, (free_pages + 1) * SZ_2M))
		SKIP(return, "%s", m.why);
	if (mark) {
		f = fopen(mark, "w");
		ASSERT_NONNULL(f);
		fprintf(f, "%ld\n", read_count(KM_HUGE_2M_NR));
		fclose(f);
	}
	for (;;)
		pause();
}

/* Run this binary on the hanging case, its output into out_fd; its exit status. */
static int run_hang(int out_fd, const char *mark)
{
	char exe[PATH_MAX];
	ssize_t n;
	pid_t pid;
	int status;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n) TH_LOG("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(out_fd, STDOUT_FILENO);
		setenv(MARK_ENV, mark, 1);
		execl(exe, exe, "-r", "HARNESS-HOST-HANG", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The first line of the inner run's output that starts with prefix, or NULL. */
static const char *find_line(const char *out, const char *prefix)
{
	const char *p;

	for (p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, strlen(prefix)))
			return p;
	return NULL;
}

TEST_RULE_TIMEOUT(hugetlb_restored_after_kill, "HARNESS-HOST-01",
		  "a case killed by its timeout after raising nr_hugepages for a hugetlb "
		  "backing leaves nr_hugepages as it found it (the harness restores it)", 120)
{
	char out_path[] = "/tmp/km-host-out-XXXXXX", mark_path[] = "/tmp/km-host-mark-XXXXXX";
	static char out[65536];
	char want[160];
	long before, raised, after;
	const char *skip;
	int out_fd, mark_fd, rc;

	before = read_count(KM_HUGE_2M_NR);
	if (before < 0)
		SKIP(return, "cannot read " KM_HUGE_2M_NR ": %s", strerror(errno));
	out_fd = mkstemp(out_path);
	ASSERT_LE(0, out_fd) TH_LOG("mkstemp: %s", strerror(errno));
	mark_fd = mkstemp(mark_path);
	ASSERT_LE(0, mark_fd) TH_LOG("mkstemp: %s", strerror(errno));
	close(mark_fd);

	rc = run_hang(out_fd, mark_path);
	close(out_fd);
	km_read_text(out_path, out, sizeof(out));
	raised = read_count(mark_path);
	after = read_count(KM_HUGE_2M_NR);
	unlink(out_path);
	unlink(mark_path);
	/* Its header (the facts) is this run's: from the plan on. */
	TH_LOG("inner run (exit %d):\n%s", rc, find_line(out, "1..") ?: out);

	skip = find_line(out, "ok 1 HARNESS-HOST-HANG");
	if (skip && strstr(skip, "# SKIP"))
		SKIP(return, "the hanging case skipped: %.200s", strstr(skip, "# SKIP") + 7);
	EXPECT_NONNULL(find_line(out, "not ok 1 HARNESS-HOST-HANG global.hugetlb_hang # TIMEOUT"))
		TH_LOG("the inner case was not killed by its timeout");
	EXPECT_LT(before, raised) TH_LOG("nr_hugepages was %ld, the hanging case saw %ld",
					 before, raised);
	snprintf(want, sizeof(want), "# host state: restored " KM_HUGE_2M_NR " to \"%ld\"", before);
	EXPECT_NONNULL(find_line(out, want));
	EXPECT_EQ(before, after) TH_LOG("nr_hugepages: %ld before, %ld raised, %ld after",
					before, raised, after);
}

KM_RULE_DOC(harness_host, "HARNESS-HOST-*",
	    "lib/harness/hoststate.h, lib/harness/harness.c:km_run_case",
	    "2 MiB default huge pages", "yes")
