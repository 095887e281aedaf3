// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the harness. Outcomes that would fail this very binary are
 * checked from the outside: tests/unit/fixtures/harness_demo.c is run as a
 * subprocess and its KTAP output and exit code are compared line by line.
 *
 * The demo is found through $KM_HARNESS_DEMO, else next to this binary.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_ARGS	16

/* The demo's arguments and extra environment ("K=V"), NULL-terminated. */
#define ARGS(...)	((const char *[]){ __VA_ARGS__, NULL })
#define ENV(...)	((const char *[]){ __VA_ARGS__, NULL })

/* Variables a developer may have set that would change the demo's output. */
static const char * const demo_env_reset[] = {
	"KM_TIMEOUT_SCALE", "KM_NO_KNOWN_ISSUES", "KM_DEMO_MARKER", "KM_DEMO_PIDFILE",
	"KM_DEMO_GLOBAL", "KM_DEMO_TEARDOWN", "KM_DEMO_SETTING",
};

FIXTURE(demo) {
	char dir[64];
	char marker[96];	/* KM_DEMO_MARKER=<path> */
	char pidfile[96];	/* KM_DEMO_PIDFILE=<path> */
	char setting[96];	/* KM_DEMO_SETTING=<path> */
	pid_t pid;
	int out_fd;
	FILE *err;
	char *out;		/* the demo's stdout */
	size_t len;
	char *errout;		/* and its stderr */
	int status;		/* exit code, or 128 + signal */
	double start, secs;	/* wall time of the run */
};

FIXTURE_SETUP(demo)
{
	strcpy(self->dir, "/tmp/km-unit-XXXXXX");
	ASSERT_NE_NULL(mkdtemp(self->dir)) TH_LOG("mkdtemp: %s", strerror(errno));
	snprintf(self->marker, sizeof(self->marker), "KM_DEMO_MARKER=%s/marker", self->dir);
	snprintf(self->pidfile, sizeof(self->pidfile), "KM_DEMO_PIDFILE=%s/pid", self->dir);
	snprintf(self->setting, sizeof(self->setting), "KM_DEMO_SETTING=%s/setting", self->dir);
	self->out_fd = -1;
}

static void demo_reset(FIXTURE_DATA(demo) *self);

FIXTURE_TEARDOWN(demo)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	demo_reset(self);
	if (self->dir[0]) {
		unlink(strchr(self->marker, '=') + 1);
		unlink(strchr(self->pidfile, '=') + 1);
		unlink(strchr(self->setting, '=') + 1);
		rmdir(self->dir);
	}
}

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void demo_path(char *buf, size_t size)
{
	const char *env = getenv("KM_HARNESS_DEMO");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n) TH_LOG("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	snprintf(buf, size, "%s/harness_demo", dirname(exe));
}

static void demo_start(FIXTURE_DATA(demo) *self, const char **env, const char **args)
{
	static char path[PATH_MAX];
	char *argv[MAX_ARGS + 2];
	size_t i;
	int fds[2];

	demo_path(path, sizeof(path));
	ASSERT_EQ(0, access(path, X_OK)) TH_LOG("%s: %s", path, strerror(errno));
	argv[0] = path;
	for (i = 0; args[i]; i++) {
		ASSERT_GT(MAX_ARGS, i);
		argv[i + 1] = (char *)args[i];
	}
	argv[i + 1] = NULL;

	ASSERT_EQ(0, pipe(fds));
	self->err = tmpfile();
	ASSERT_NE_NULL(self->err);
	fflush(stdout);
	self->start = now_secs();
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fileno(self->err), STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		for (i = 0; i < sizeof(demo_env_reset) / sizeof(demo_env_reset[0]); i++)
			unsetenv(demo_env_reset[i]);
		for (i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execv(path, argv);
		_exit(127);
	}
	close(fds[1]);
	self->out_fd = fds[0];
}

/* Reads the demo's stdout until `needle` shows up (true) or EOF (false). */
static bool demo_read_until(FIXTURE_DATA(demo) *self, const char *needle)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (self->out && needle && strstr(self->out, needle))
			return true;
		n = read(self->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		self->out = realloc(self->out, self->len + n + 1);
		ASSERT_NE_NULL(self->out);
		memcpy(self->out + self->len, buf, n);
		self->len += n;
		self->out[self->len] = '\0';
	}
}

static char *read_all(FILE *f)
{
	char *buf = NULL;
	size_t len = 0;
	int c;

	rewind(f);
	buf = calloc(1, 1);
	while (buf && (c = fgetc(f)) != EOF) {
		buf = realloc(buf, len + 2);
		if (buf) {
			buf[len++] = c;
			buf[len] = '\0';
		}
	}
	ASSERT_NE_NULL(buf);
	return buf;
}

/* The contents of the file an ENV() assignment ("K=<path>") names. */
static char *env_file_read(const char *assignment)
{
	FILE *f = fopen(strchr(assignment, '=') + 1, "r");
	char *s;

	ASSERT_NE_NULL(f) TH_LOG("%s: %s", assignment, strerror(errno));
	s = read_all(f);
	fclose(f);
	return s;
}

static void demo_finish(FIXTURE_DATA(demo) *self)
{
	int status;

	demo_read_until(self, NULL);
	if (!self->out)
		self->out = calloc(1, 1);
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->secs = now_secs() - self->start;
	self->pid = 0;
	self->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	self->errout = read_all(self->err);
}

/* Forgets a finished run so the next demo_run() starts clean. */
static void demo_reset(FIXTURE_DATA(demo) *self)
{
	free(self->out);
	free(self->errout);
	if (self->err)
		fclose(self->err);
	if (self->out_fd >= 0)
		close(self->out_fd);
	self->out = self->errout = NULL;
	self->err = NULL;
	self->out_fd = -1;
	self->len = 0;
}

static void demo_run(FIXTURE_DATA(demo) *self, const char **env, const char **args)
{
	demo_start(self, env, args);
	demo_finish(self);
}

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int count_lines(const char *out)
{
	int n = 0;

	for (; *out; out++)
		n += *out == '\n';
	return n;
}

/* Dead means gone, or a zombie nobody has reaped yet. */
static bool process_dead(pid_t pid)
{
	char path[64], buf[512], *p;
	double deadline = now_secs() + 1;
	FILE *f;

	while (now_secs() < deadline) {
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			return true;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		if (!p || p[2] == 'Z' || p[2] == 'X')
			return true;
		usleep(10000);
	}
	return false;
}

static pid_t read_pidfile(FIXTURE_DATA(demo) *self)
{
	int pid = 0;
	FILE *f;

	f = fopen(strchr(self->pidfile, '=') + 1, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

#define EXPECT_LINE(line)							\
	EXPECT_TRUE(has_line(self->out, line))					\
		TH_LOG("missing line \"%s\" in:\n%s", line, self->out)
#define EXPECT_NO_LINE(line)							\
	EXPECT_FALSE(has_line(self->out, line))					\
		TH_LOG("unexpected line \"%s\" in:\n%s", line, self->out)

TEST_F_RULE(demo, basic_verdicts, "UNIT-HARNESS-01",
	    "pass, fail, skip, xfail and known-issue lines, totals and the closing line")
{
	demo_run(self, NULL, ARGS("-r", "DEMO-B-*"));
	EXPECT_EQ(1, self->status);
	EXPECT_TRUE(starts_with(self->out, "TAP version 13\n# demo header: widgets=0\n1..6\n"))
		TH_LOG("header:\n%s", self->out);
	EXPECT_LINE("# RUN DEMO-B-PASS global.pass ...");
	EXPECT_LINE("# two");
	EXPECT_LINE("# lines");
	EXPECT_LINE("ok 1 DEMO-B-PASS global.pass");
	EXPECT_NO_LINE("# never printed");
	EXPECT_NONNULL(strstr(self->out, "\n# tests/unit/fixtures/harness_demo.c:"));
	EXPECT_NONNULL(strstr(self->out, ": Expected 41 (41) == 42 (42)\n"));
	EXPECT_LINE("# the answer is off");
	EXPECT_LINE("# after expect");
	EXPECT_LINE("not ok 2 DEMO-B-FAIL global.expect_fail");
	EXPECT_LINE("ok 3 DEMO-B-SKIP global.skip # SKIP no widget here");
	EXPECT_NO_LINE("# not reached");
	EXPECT_LINE("ok 4 DEMO-B-XFAIL global.xfail # XFAIL qemu cannot model it");
	EXPECT_LINE("ok 5 DEMO-B-KIFAIL global.known_fail # XFAIL known issue: bug 123");
	EXPECT_LINE("ok 6 DEMO-B-KIPASS global.known_pass"
		    " # XPASS known issue did not reproduce: bug 456");
	EXPECT_LINE("# Totals: pass:1 fail:1 xfail:2 xpass:1 skip:1 error:0");
	EXPECT_LINE("2 passed, 1 failed, 1 skipped, 2 xfailed");
	EXPECT_STREQ("", self->errout);
}

TEST_F_RULE(demo, exit_pass, "UNIT-HARNESS-02", "exit 0 when everything passed")
{
	demo_run(self, NULL, ARGS("-r", "DEMO-B-PASS"));
	EXPECT_EQ(0, self->status);
	EXPECT_LINE("1..1");
	EXPECT_LINE("1 passed, 0 failed, 0 skipped, 0 xfailed");
}

TEST_F_RULE(demo, exit_all_skipped, "UNIT-HARNESS-03", "exit 4 when every case skipped")
{
	demo_run(self, NULL, ARGS("-t", "skip"));
	EXPECT_EQ(KSFT_SKIP, self->status);
	EXPECT_LINE("ok 1 DEMO-B-SKIP global.skip # SKIP no widget here");
	EXPECT_LINE("ok 2 DEMO-FX-SKIP fx.skip_body # SKIP skipped in body");
	EXPECT_LINE("0 passed, 0 failed, 2 skipped, 0 xfailed");
}

TEST_F_RULE(demo, exit_xfail_only, "UNIT-HARNESS-04", "exit 0 when the only case xfailed")
{
	demo_run(self, NULL, ARGS("-t", "global.xfail"));
	EXPECT_EQ(0, self->status);
	EXPECT_LINE("ok 1 DEMO-B-XFAIL global.xfail # XFAIL qemu cannot model it");
}

TEST_F_RULE(demo, empty_selection, "UNIT-HARNESS-05", "no match: 1..0 # SKIP and exit 4")
{
	demo_run(self, NULL, ARGS("-t", "no-such-case"));
	EXPECT_EQ(KSFT_SKIP, self->status);
	EXPECT_STREQ("TAP version 13\n1..0 # SKIP no test matched\n", self->out);
}

TEST_F_RULE(demo, bad_option, "UNIT-HARNESS-06", "a bad option prints one usage line, exit 2")
{
	demo_run(self, NULL, ARGS("-z"));
	EXPECT_EQ(KM_EXIT_ERROR, self->status);
	EXPECT_STREQ("", self->out);
	EXPECT_TRUE(starts_with(self->errout, "usage: ")) TH_LOG("stderr: %s", self->errout);
	EXPECT_EQ(1, count_lines(self->errout)) TH_LOG("stderr: %s", self->errout);
}

TEST_F_RULE(demo, bad_arguments, "UNIT-HARNESS-07",
	    "bad -T, unreadable -r @FILE and stray arguments exit 2")
{
	demo_run(self, NULL, ARGS("-T", "soon"));
	EXPECT_EQ(KM_EXIT_ERROR, self->status);
	demo_reset(self);

	demo_run(self, NULL, ARGS("-r", "@/nonexistent/rules"));
	EXPECT_EQ(KM_EXIT_ERROR, self->status);
	demo_reset(self);

	demo_run(self, NULL, ARGS("-t", "pass", "stray"));
	EXPECT_EQ(KM_EXIT_ERROR, self->status);
}

TEST_F_RULE(demo, timeout_kills_group, "UNIT-HARNESS-08",
	    "-T 1 kills a hanging case and its grandchild")
{
	pid_t grandchild;

	demo_run(self, ENV(self->pidfile), ARGS("-T", "1", "-t", "slow.hang"));
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("not ok 1 DEMO-E-HANG slow.hang # TIMEOUT after 1s");
	EXPECT_LINE("0 passed, 1 failed, 0 skipped, 0 xfailed");
	EXPECT_GT(3.0, self->secs);
	grandchild = read_pidfile(self);
	ASSERT_LT(0, grandchild);
	EXPECT_TRUE(process_dead(grandchild)) TH_LOG("grandchild %d survived", grandchild);
}

TEST_F_RULE(demo, timeout_scale, "UNIT-HARNESS-09",
	    "KM_TIMEOUT_SCALE scales per-test timeouts but not -T")
{
	/* slow.hang asks for 60 s: 60 * 0.01 */
	demo_run(self, ENV("KM_TIMEOUT_SCALE=0.01"), ARGS("-t", "slow.hang"));
	EXPECT_LINE("not ok 1 DEMO-E-HANG slow.hang # TIMEOUT after 0.6s");
	demo_reset(self);

	demo_run(self, ENV("KM_TIMEOUT_SCALE=100"), ARGS("-T", "0.3", "-t", "slow.hang"));
	EXPECT_LINE("not ok 1 DEMO-E-HANG slow.hang # TIMEOUT after 0.3s");
	EXPECT_GT(2.0, self->secs);
}

TEST_F_RULE(demo, bad_endings, "UNIT-HARNESS-10",
	    "signals, exit statuses and grandchild ASSERTs are failures")
{
	demo_run(self, NULL, ARGS("-t", "DEMO-E-", "-x", "DEMO-E-HANG"));
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("not ok 1 DEMO-E-CRASH global.crash # killed by SIGSEGV");
	EXPECT_LINE("not ok 2 DEMO-E-EXIT global.exit3 # exited with status 3");
	EXPECT_LINE("# killed by SIGSEGV");
	EXPECT_LINE("ok 3 DEMO-E-KICRASH global.known_crash # XFAIL known issue: bug 789");
	EXPECT_LINE("# in the grandchild");
	EXPECT_LINE("not ok 4 DEMO-E-CHILD global.child_assert");
	EXPECT_LINE("# Totals: pass:0 fail:1 xfail:1 xpass:0 skip:0 error:2");
	EXPECT_LINE("0 passed, 3 failed, 0 skipped, 1 xfailed");
}

TEST_F_RULE(demo, teardown_runs, "UNIT-HARNESS-11",
	    "teardown runs after ASSERT in body or setup and after SKIP; body skipped")
{
	char *marks;

	demo_run(self, ENV(self->marker), ARGS("-r", "DEMO-FX-*"));
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("# assert message");
	EXPECT_LINE("not ok 1 DEMO-FX-ASSERT fx.assert_fail");
	EXPECT_LINE("ok 2 DEMO-FX-SKIP fx.skip_body # SKIP skipped in body");
	EXPECT_LINE("# setup failed");
	EXPECT_LINE("not ok 3 DEMO-FX-SETUP fxs.setup_fail");

	marks = env_file_read(self->marker);
	EXPECT_STREQ("body fx.assert_fail\n"
		     "teardown fx.assert_fail setup_ran=1\n"
		     "teardown fx.skip_body setup_ran=1\n"
		     "teardown fxs.setup_fail\n", marks);
	free(marks);
}

/* The demo's "host setting": a file holding value. */
static void setting_write(FIXTURE_DATA(demo) *self, const char *value)
{
	FILE *f = fopen(strchr(self->setting, '=') + 1, "w");

	ASSERT_NE_NULL(f);
	fputs(value, f);
	fclose(f);
}

TEST_F_RULE(demo, check_fails_case, "UNIT-HARNESS-23",
	    "a failed KM_CHECK is a FAIL with its message and the teardown runs; in a "
	    "forked child it fails the case")
{
	char *marks;

	demo_run(self, ENV(self->marker), ARGS("-r", "DEMO-CK-*"));
	EXPECT_EQ(1, self->status);
	EXPECT_NONNULL(strstr(self->out, ": setup failed: widget 7 (errno 2: "))
		TH_LOG("%s", self->out);
	EXPECT_LINE("not ok 1 DEMO-CK-BODY ck.check_fail");
	EXPECT_NONNULL(strstr(self->out, ": setup failed: in the grandchild"));
	EXPECT_LINE("not ok 2 DEMO-CK-CHILD ck.child_check");
	EXPECT_LINE("# Totals: pass:0 fail:2 xfail:0 xpass:0 skip:0 error:0");

	marks = env_file_read(self->marker);
	EXPECT_STREQ("teardown fx.check_fail setup_ran=1\n"
		     "parent of the child went on\n"
		     "teardown fx.child_check setup_ran=1\n", marks);
	free(marks);
}

TEST_F_RULE(demo, restore_after_kill, "UNIT-HARNESS-24",
	    "a setting a case changed is restored by the parent after the timeout's SIGKILL")
{
	char line[256], *now = NULL;
	double deadline;

	setting_write(self, "orig\n");
	demo_start(self, ENV(self->setting), ARGS("-T", "1", "-r", "DEMO-HS-HANG"));
	ASSERT_TRUE(demo_read_until(self, "# RUN DEMO-HS-HANG"));
	/* Seen changed while the case hangs, so the restore below is the parent's. */
	for (deadline = now_secs() + 2; now_secs() < deadline; usleep(5000)) {
		free(now);
		now = env_file_read(self->setting);
		if (!strcmp(now, "changed"))
			break;
	}
	EXPECT_STREQ("changed", now);
	free(now);
	demo_finish(self);
	EXPECT_LINE("not ok 1 DEMO-HS-HANG global.hs_hang # TIMEOUT after 1s");
	snprintf(line, sizeof(line), "# host state: restored %s to \"orig\" (left by the case)",
		 strchr(self->setting, '=') + 1);
	EXPECT_LINE(line);
	now = env_file_read(self->setting);
	EXPECT_STREQ("orig", now);
	free(now);
}

TEST_F_RULE(demo, restore_endings, "UNIT-HARNESS-25",
	    "restored after a failed KM_CHECK; nothing to restore after the case's own undo; "
	    "a choice file gets its bracketed word back")
{
	char *now;

	setting_write(self, "orig\n");
	demo_run(self, ENV(self->setting), ARGS("-r", "DEMO-HS-CHECK"));
	EXPECT_LINE("not ok 1 DEMO-HS-CHECK global.hs_check");
	EXPECT_NONNULL(strstr(self->out, "# host state: restored "));
	now = env_file_read(self->setting);
	EXPECT_STREQ("orig", now);
	free(now);
	demo_reset(self);

	demo_run(self, ENV(self->setting), ARGS("-r", "DEMO-HS-UNDO"));
	EXPECT_EQ(0, self->status);
	EXPECT_NULL(strstr(self->out, "# host state:")) TH_LOG("%s", self->out);
	now = env_file_read(self->setting);
	EXPECT_STREQ("orig", now);
	free(now);
	demo_reset(self);

	setting_write(self, "always [madvise] never\n");
	demo_run(self, ENV(self->setting), ARGS("-r", "DEMO-HS-CHOICE"));
	EXPECT_EQ(0, self->status) TH_LOG("%s", self->out);
	now = env_file_read(self->setting);
	EXPECT_STREQ("madvise", now);
	free(now);
}

TEST_F_RULE(demo, on_request, "UNIT-HARNESS-26",
	    "a TEST_RULE_ON_REQUEST case runs and is listed only when -t or -r names it exactly")
{
	static const struct {
		const char *args[4];
		bool listed;
	} cases[] = {
		{ { "-l" }, false },
		{ { "-l", "-t", "hidden" }, false },
		{ { "-l", "-t", "DEMO-OR" }, false },
		{ { "-l", "-r", "DEMO-OR-*" }, false },
		{ { "-l", "-r", "DEMO-OR-HIDDEN" }, true },
		{ { "-l", "-t", "DEMO-OR-HIDDEN" }, true },
		{ { "-l", "-t", "global.hidden" }, true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[5] = { NULL };

		memcpy(args, cases[i].args, sizeof(cases[i].args));
		demo_run(self, NULL, args);
		EXPECT_EQ(cases[i].listed, has_line(self->out, "DEMO-OR-HIDDEN\tglobal.hidden\t"
						    "runs only when named"))
			TH_LOG("%s %s:\n%s", cases[i].args[1], cases[i].args[2], self->out);
		demo_reset(self);
	}
	demo_run(self, NULL, ARGS("-r", "DEMO-OR-HIDDEN"));
	EXPECT_EQ(0, self->status);
	EXPECT_LINE("# hidden ran");
	EXPECT_LINE("ok 1 DEMO-OR-HIDDEN global.hidden");
}

TEST_F_RULE(demo, fixture_like, "UNIT-HARNESS-27",
	    "FIXTURE_LIKE: its own name, rows and rules, the base's setup, teardown and data; "
	    "FIXTURE_ROW rows")
{
	char *marks;

	demo_run(self, ENV(self->marker), ARGS("-r", "DEMO-LIKE-*"));
	EXPECT_EQ(0, self->status);
	EXPECT_LINE("ok 1 DEMO-LIKE-C tbl2.c.like");
	EXPECT_LINE("ok 2 DEMO-LIKE-D tbl2.d.like");
	EXPECT_LINE("ok 3 DEMO-LIKE-FX fxl.like");
	marks = env_file_read(self->marker);
	EXPECT_STREQ("body fxl.like\nteardown fx.like setup_ran=1\n", marks);
	free(marks);
	demo_reset(self);

	demo_run(self, NULL, ARGS("-l", "-r", "DEMO-LIKE-[CD]"));
	EXPECT_STREQ("DEMO-LIKE-C\ttbl2.c.like\ta row of a fixture like tbl\n"
		     "DEMO-LIKE-D\ttbl2.d.like\ta FIXTURE_ROW row\n", self->out);
}

TEST_F_RULE(demo, list, "UNIT-HARNESS-12", "-l prints RULE<TAB>name<TAB>summary, no KTAP")
{
	demo_run(self, NULL, ARGS("-l"));
	EXPECT_EQ(0, self->status);
	EXPECT_EQ(30, count_lines(self->out));
	EXPECT_NULL(strstr(self->out, "TAP version"));
	EXPECT_LINE("DEMO-B-PASS\tglobal.pass\tpasses");
	EXPECT_LINE("DEMO-TBL-A\ttbl.a.fallback\tvariant a");
	EXPECT_LINE("DEMO-TBL-FB\ttbl.norule.fallback\ttest rule when the variant has none");
	EXPECT_LINE("NO-RULE\tglobal.norule\t");
	EXPECT_LINE("DEMO-E-HANG\tslow.hang\thangs with a grandchild");
}

TEST_F_RULE(demo, list_docs, "UNIT-HARNESS-21",
	    "-l -v adds the KM_RULE_DOC reference, prerequisites and TCG columns, - when none")
{
	demo_run(self, NULL, ARGS("-l", "-v"));
	EXPECT_EQ(0, self->status);
	EXPECT_EQ(30, count_lines(self->out));
	EXPECT_LINE("DEMO-B-PASS\tglobal.pass\tpasses\tdemo.c:pass()\tnothing\tyes");
	EXPECT_LINE("DEMO-TBL-A\ttbl.a.fallback\tvariant a\tdemo.c:tbl\t-\tno: demo");
	EXPECT_LINE("DEMO-TBL-FB\ttbl.norule.fallback\ttest rule when the variant has none"
		    "\t-\t-\t-");
	EXPECT_LINE("NO-RULE\tglobal.norule\t\t-\t-\t-");
	demo_reset(self);

	/* Without -v the listing is unchanged. */
	demo_run(self, NULL, ARGS("-l", "-r", "DEMO-B-PASS"));
	EXPECT_STREQ("DEMO-B-PASS\tglobal.pass\tpasses\n", self->out);
}

TEST_F_RULE(demo, filters, "UNIT-HARNESS-13", "-t globs and substrings, -r, -r @FILE and -x")
{
	static const struct {
		const char *args[8];
		int lines;
	} cases[] = {
		{ { "-t", "global.known_*" }, 3 },	/* glob on the name */
		{ { "-t", "expect" }, 1 },		/* substring of the name */
		{ { "-t", "DEMO-B-?ASS" }, 1 },		/* glob on the rule */
		{ { "-t", "TBL-B" }, 2 },		/* substring of the rule */
		{ { "-r", "DEMO-TBL-*" }, 5 },		/* rule only: NO-RULE never matches */
		{ { "-r", "TBL" }, 0 },			/* -r is a glob, not a substring */
		{ { "-t", "exit3", "-r", "DEMO-B-PASS" }, 2 },	/* union */
		{ { "-r", "DEMO-B-*", "-x", "skip", "-x", "DEMO-B-KI*" }, 3 },
		{ { "-t", "norule" }, 3 },
	};
	char rules[128], arg[160];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[10] = { "-l" };

		memcpy(&args[1], cases[i].args, sizeof(cases[i].args));
		demo_run(self, NULL, args);
		EXPECT_EQ(0, self->status);
		EXPECT_EQ(cases[i].lines, count_lines(self->out))
			TH_LOG("%s %s:\n%s", args[1], args[2], self->out);
		demo_reset(self);
	}

	snprintf(rules, sizeof(rules), "%s/rules", self->dir);
	f = fopen(rules, "w");
	ASSERT_NE_NULL(f);
	fputs("# comment line\nDEMO-B-PASS\n\n  DEMO-TBL-*   # tables\n", f);
	fclose(f);
	snprintf(arg, sizeof(arg), "@%s", rules);
	demo_run(self, NULL, ARGS("-l", "-r", arg));
	unlink(rules);
	EXPECT_EQ(6, count_lines(self->out)) TH_LOG("%s", self->out);
	EXPECT_LINE("DEMO-B-PASS\tglobal.pass\tpasses");
}

/* Writes text to the file <dir>/name and returns "@<that path>". */
static const char *rule_file(FIXTURE_DATA(demo) *self, const char *name, const char *text,
			     char *arg, size_t size)
{
	FILE *f;

	snprintf(arg, size, "@%s/%s", self->dir, name);
	f = fopen(arg + 1, "w");
	ASSERT_NE_NULL(f) TH_LOG("%s: %s", arg + 1, strerror(errno));
	fputs(text, f);
	fclose(f);
	return arg;
}

TEST_F_RULE(demo, rule_lists, "UNIT-HARNESS-28",
	    "-r and -x take globs separated by commas or blanks, @FILE several a line; "
	    "a -r naming no rule exits 2")
{
	static const struct {
		const char *args[8];
		int lines;
	} cases[] = {
		{ { "-r", "DEMO-B-PASS,DEMO-TBL-*" }, 6 },
		{ { "-r", " DEMO-B-PASS , DEMO-TBL-A\tDEMO-TBL-B " }, 5 },
		{ { "-r", "DEMO-B-*,", "-x", "skip,DEMO-B-KI*" }, 3 },
		{ { "-r", "DEMO-B-*", "-x", "skip DEMO-B-KI*" }, 3 },
		{ { "-r", "DEMO-B-*", "-x", "" }, 6 },	/* excluding nothing is no error */
		{ { "-r", "DEMO-OR-HIDDEN,DEMO-B-PASS" }, 2 },	/* on request by a list entry */
	};
	static const char * const files[] = { "rules", "skips", "none" };
	char arg[160], xarg[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[10] = { "-l" };

		memcpy(&args[1], cases[i].args, sizeof(cases[i].args));
		demo_run(self, NULL, args);
		EXPECT_EQ(0, self->status) TH_LOG("%s", self->errout);
		EXPECT_EQ(cases[i].lines, count_lines(self->out))
			TH_LOG("%s '%s' %s '%s':\n%s", args[1], args[2], args[3] ? args[3] : "",
			       args[3] ? args[4] : "", self->out);
		demo_reset(self);
	}

	rule_file(self, "rules", "# several a line\nDEMO-B-PASS, DEMO-TBL-A  DEMO-TBL-B\n"
		  "\n\tDEMO-LIKE-C,DEMO-LIKE-D # comment, DEMO-B-FAIL\n", arg, sizeof(arg));
	rule_file(self, "skips", "DEMO-TBL-B # comment\n*.like,\n", xarg, sizeof(xarg));
	demo_run(self, NULL, ARGS("-l", "-r", arg));
	EXPECT_EQ(7, count_lines(self->out)) TH_LOG("%s", self->out);
	EXPECT_LINE("DEMO-LIKE-D\ttbl2.d.like\ta FIXTURE_ROW row");
	EXPECT_NULL(strstr(self->out, "DEMO-B-FAIL"));	/* after the '#' */
	demo_reset(self);

	demo_run(self, NULL, ARGS("-l", "-r", arg, "-x", xarg));
	EXPECT_EQ(0, self->status) TH_LOG("%s", self->errout);
	EXPECT_EQ(3, count_lines(self->out)) TH_LOG("%s", self->out);
	demo_reset(self);

	demo_run(self, NULL, ARGS("-l", "-r", ", \t"));
	EXPECT_EQ(KM_EXIT_ERROR, self->status);
	EXPECT_STREQ("", self->out);
	EXPECT_NE_NULL(strstr(self->errout, ": -r ', \t' names no rule\n"))
		TH_LOG("%s", self->errout);
	EXPECT_EQ(1, count_lines(self->errout)) TH_LOG("%s", self->errout);
	demo_reset(self);

	rule_file(self, "none", "# only a comment\n\n , \n", arg, sizeof(arg));
	demo_run(self, NULL, ARGS("-r", "DEMO-B-PASS", "-r", arg));
	EXPECT_EQ(KM_EXIT_ERROR, self->status);
	EXPECT_STREQ("", self->out);
	EXPECT_NE_NULL(strstr(self->errout, "names no rule")) TH_LOG("%s", self->errout);

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(arg, sizeof(arg), "%s/%s", self->dir, files[i]);
		unlink(arg);
	}
}

TEST_F_RULE(demo, numbering, "UNIT-HARNESS-14", "numbers and plan cover selected cases only")
{
	demo_run(self, NULL, ARGS("-t", "tbl.", "-x", "norule"));
	EXPECT_EQ(0, self->status);
	EXPECT_LINE("1..4");
	EXPECT_LINE("ok 1 DEMO-TBL-A tbl.a.positive");
	EXPECT_LINE("ok 2 DEMO-TBL-A tbl.a.fallback");
	EXPECT_LINE("ok 3 DEMO-TBL-B tbl.b.positive");
	EXPECT_LINE("ok 4 DEMO-TBL-B tbl.b.fallback");
}

TEST_F_RULE(demo, no_rule, "UNIT-HARNESS-15", "a case without a rule ID is not ok")
{
	demo_run(self, NULL, ARGS("-t", "norule"));
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("not ok 1 NO-RULE tbl.norule.positive # no rule ID");
	EXPECT_LINE("ok 2 DEMO-TBL-FB tbl.norule.fallback");
	EXPECT_LINE("not ok 3 NO-RULE global.norule # no rule ID");
	EXPECT_LINE("# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:2");
}

TEST_F_RULE(demo, no_known_issues, "UNIT-HARNESS-16",
	    "--no-known-issues and KM_NO_KNOWN_ISSUES=1 turn XFAIL into FAIL")
{
	demo_run(self, NULL, ARGS("--no-known-issues", "-r", "DEMO-B-KI*"));
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("# known issue ignored: bug 123");
	EXPECT_LINE("not ok 1 DEMO-B-KIFAIL global.known_fail");
	EXPECT_LINE("ok 2 DEMO-B-KIPASS global.known_pass");
	EXPECT_LINE("1 passed, 1 failed, 0 skipped, 0 xfailed");
	demo_reset(self);

	demo_run(self, ENV("KM_NO_KNOWN_ISSUES=1"), ARGS("-r", "DEMO-B-KI*"));
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("not ok 1 DEMO-B-KIFAIL global.known_fail");
	EXPECT_LINE("ok 2 DEMO-B-KIPASS global.known_pass");
}

TEST_F_RULE(demo, global_setup, "UNIT-HARNESS-17",
	    "global setup: suite args after --, SKIP plan with exit 4, Bail out with exit 2")
{
	demo_run(self, NULL, ARGS("-r", "DEMO-B-PASS", "--", "hello"));
	EXPECT_EQ(0, self->status);
	EXPECT_TRUE(starts_with(self->out, "TAP version 13\n# suite arg: hello\n"
				"# demo header: widgets=0\n1..1\n")) TH_LOG("%s", self->out);
	demo_reset(self);

	demo_run(self, ENV("KM_DEMO_GLOBAL=skip"), ARGS("-r", "DEMO-B-PASS"));
	EXPECT_EQ(KSFT_SKIP, self->status);
	EXPECT_STREQ("TAP version 13\n1..0 # SKIP no widget on this host\n", self->out);
	demo_reset(self);

	demo_run(self, ENV("KM_DEMO_GLOBAL=error"), ARGS("-r", "DEMO-B-PASS"));
	EXPECT_EQ(KM_EXIT_ERROR, self->status);
	EXPECT_STREQ("TAP version 13\nBail out! cannot open /dev/widget\n", self->out);
}

TEST_F_RULE(demo, global_teardown, "UNIT-HARNESS-22",
	    "global teardown runs after the last case; its failure fails the run (exit 1)")
{
	demo_run(self, ENV("KM_DEMO_TEARDOWN=ok"), ARGS("-r", "DEMO-B-PASS"));
	EXPECT_EQ(0, self->status);
	EXPECT_TRUE(strstr(self->out, "ok 1 DEMO-B-PASS global.pass\n# demo teardown ran\n"
			   "# Totals:")) TH_LOG("%s", self->out);
	demo_reset(self);

	demo_run(self, ENV("KM_DEMO_TEARDOWN=fail"), ARGS("-r", "DEMO-B-PASS"));
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("# global teardown: a widget was left behind");
	EXPECT_LINE("# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0");
	demo_reset(self);

	/* Listing runs no case, so no teardown either. */
	demo_run(self, ENV("KM_DEMO_TEARDOWN=fail"), ARGS("-l", "-r", "DEMO-B-PASS"));
	EXPECT_EQ(0, self->status);
	EXPECT_NULL(strstr(self->out, "teardown"));
}

TEST_F_RULE(demo, sigterm, "UNIT-HARNESS-18",
	    "SIGTERM to the runner kills the running case's group and exits 1")
{
	double deadline;
	pid_t grandchild = 0;

	demo_start(self, ENV(self->pidfile), ARGS("-t", "slow.hang"));
	ASSERT_TRUE(demo_read_until(self, "# RUN DEMO-E-HANG"));
	for (deadline = now_secs() + 2; !grandchild && now_secs() < deadline; usleep(5000))
		grandchild = read_pidfile(self);
	ASSERT_LT(0, grandchild);
	ASSERT_EQ(0, kill(self->pid, SIGTERM));
	demo_finish(self);
	EXPECT_EQ(1, self->status);
	EXPECT_LINE("Bail out! interrupted by SIGTERM");
	EXPECT_TRUE(process_dead(grandchild)) TH_LOG("grandchild %d survived", grandchild);
}

/* In-process: these must all pass, so they cannot use the demo. */

struct opaque;
enum color { RED, GREEN };

TEST_RULE(compare_semantics, "UNIT-HARNESS-19",
	  "comparisons follow C conversions for mixed types, pointers and bit-fields")
{
	struct { int s : 4; unsigned int u : 4; } bf = { .s = -2, .u = 15 };
	struct opaque *nothing = NULL;
	unsigned char uc = 200;
	const char *str = "abc";
	int x = 5;

	ASSERT_EQ(-1, (unsigned int)-1);	/* int converts to unsigned int */
	ASSERT_EQ(~0, ~0ULL);
	ASSERT_GT(-1, 1U);			/* as in C: -1 becomes UINT_MAX */
	ASSERT_LT(-1L, 1U);			/* long holds every unsigned int */
	ASSERT_NE(-1L, 0xffffffffU);
	ASSERT_EQ(200, uc);
	ASSERT_GT(uc, -1);			/* unsigned char promotes to int */
	ASSERT_EQ(-2, bf.s);
	ASSERT_LT(bf.s, 0);
	ASSERT_EQ(15, bf.u);
	ASSERT_EQ(GREEN, 1);
	ASSERT_NULL(nothing);
	ASSERT_NE_NULL(&x);
	ASSERT_NONNULL(str);
	ASSERT_EQ(&x, &x);
	ASSERT_LT(str, str + 1);
	ASSERT_TRUE(x == 5);
	ASSERT_FALSE(x != 5);
	ASSERT_TRUE(str);
	ASSERT_STREQ("abc", str);
	ASSERT_STRNE("abd", str);
	ASSERT_STRNE(NULL, str);
	ASSERT_STREQ(NULL, (char *)NULL);
	ASSERT_LE(5, x);
	ASSERT_GE(5, x);
	EXPECT_EQ(5, x) TH_LOG("not printed: the check passed");
}

TEST_RULE(assert_as_statement, "UNIT-HARNESS-20",
	  "assertions are single statements that nest under if/else")
{
	int taken = 0;

	if (taken)
		ASSERT_EQ(0, 1);
	else
		EXPECT_EQ(0, taken);
	if (!taken)
		ASSERT_EQ(0, taken) TH_LOG("never: %d", taken);
	else
		taken = 2;
	ASSERT_EQ(0, taken);
}
