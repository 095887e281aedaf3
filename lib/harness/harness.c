// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-memattr test harness: registration, assertions and the KTAP runner.
 * See harness.h for the API, the options and the output format.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "hoststate.h"

#define KM_DEFAULT_TIMEOUT	30
#define KM_REASON_MAX		512

/*
 * Lives in a MAP_SHARED page so the verdict survives a crash or SIGKILL of
 * the child, and so failures in processes the test forks also count.
 */
struct km_shared {
	int failed;
	int outcome;		/* 0, KSFT_SKIP or KSFT_XFAIL: the first one wins */
	int known;
	char reason[KM_REASON_MAX];
	char known_reason[KM_REASON_MAX];
	char known_symptom[32];	/* the failure the known issue is: "" any */
	char symptom[32];	/* the failure the case saw (km_symptom()) */
};

struct km_case {
	struct __test_metadata *test;
	struct __fixture_variant_metadata *variant;
	char *name;
	const char *rule;
	const char *summary;
};

struct __fixture_metadata _km_fixture_global = { .name = "global" };

static struct __test_metadata *km_tests;
static struct km_rule_doc *km_docs;
static struct km_shared *km_sh;
static bool km_no_known_issues;
static char km_setup_reason[KM_REASON_MAX];

/*
 * Child state. File-scope rather than locals so it is well defined after a
 * longjmp back into km_child_run().
 */
static struct __test_metadata *km_cur;
static pid_t km_child_pid;
static void *km_self;
static const void *km_variant_data;

/* ---- Registration ---- */

/*
 * Constructors of one file normally run in definition order, but sorting by
 * (file, line) keeps the order stable whatever the toolchain does. Files are
 * ranked by first appearance, which is link order.
 */
static int km_file_rank(const char *file)
{
	static const char **files;
	static int nr_files;
	const char **tmp;
	int i;

	for (i = 0; i < nr_files; i++)
		if (!strcmp(files[i], file))
			return i;
	tmp = realloc(files, (nr_files + 1) * sizeof(*files));
	if (!tmp)
		abort();
	files = tmp;
	files[nr_files] = file;
	return nr_files++;
}

static bool km_before(int rank_a, int line_a, int rank_b, int line_b)
{
	return rank_a < rank_b || (rank_a == rank_b && line_a < line_b);
}

/* Insert item into the list at head, which stays sorted by (file, line). */
#define KM_INSERT_SORTED(head, item) do {					\
	typeof(item) *__pos = &(head);						\
										\
	(item)->file_rank = km_file_rank((item)->file);				\
	while (*__pos && !km_before((item)->file_rank, (item)->line,		\
				    (*__pos)->file_rank, (*__pos)->line))	\
		__pos = &(*__pos)->next;					\
	(item)->next = *__pos;							\
	*__pos = (item);							\
} while (0)

void km_register_test(struct __test_metadata *t)
{
	KM_INSERT_SORTED(km_tests, t);
}

void km_register_variant(struct __fixture_metadata *f, struct __fixture_variant_metadata *v)
{
	KM_INSERT_SORTED(f->variants, v);
}

void km_register_rule_doc(struct km_rule_doc *d)
{
	KM_INSERT_SORTED(km_docs, d);
}

static const struct km_rule_doc *km_find_doc(const char *rule)
{
	const struct km_rule_doc *d;

	for (d = km_docs; rule && d; d = d->next)
		if (!fnmatch(d->rule, rule, 0))
			return d;
	return NULL;
}

/* ---- Weak hooks ---- */

__attribute__((weak)) int km_harness_global_teardown(void)
{
	return 0;
}

__attribute__((weak)) int km_harness_global_setup(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

__attribute__((weak)) const char *km_harness_known_issue(const char *rule, char *symptom,
							 size_t len)
{
	return NULL;
}

__attribute__((weak)) void km_harness_header(void)
{
}

/* TAP directives and reasons must stay on one line. */
static void km_one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

static void km_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t len;

	vsnprintf(buf, size, fmt, ap);
	km_one_line(buf);
	len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
}

void km_harness_reason(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	km_vformat(km_setup_reason, sizeof(km_setup_reason), fmt, ap);
	va_end(ap);
}

/* ---- Logging and outcomes ---- */

void km_log(const char *fmt, ...)
{
	char *msg, *line, *nl;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return;
	/* Prefix every line so multi-line dumps stay KTAP comments. */
	for (line = msg; ; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (nl && !nl[1])
			nl = NULL;	/* a trailing newline adds no empty line */
		printf("# %s\n", line);
		if (!nl)
			break;
	}
	fflush(stdout);
	free(msg);
}

static void km_set_outcome(int outcome, const char *fmt, va_list ap)
{
	char buf[KM_REASON_MAX];

	km_vformat(buf, sizeof(buf), fmt, ap);
	if (!km_sh) {
		km_log("%s outside a test: %s", outcome == KSFT_SKIP ? "SKIP" : "XFAIL", buf);
		return;
	}
	if (km_sh->outcome)
		return;
	memcpy(km_sh->reason, buf, sizeof(buf));
	km_sh->outcome = outcome;
}

void km_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	km_set_outcome(KSFT_SKIP, fmt, ap);
	va_end(ap);
}

void km_xfail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	km_set_outcome(KSFT_XFAIL, fmt, ap);
	va_end(ap);
}

void km_symptom(const char *name)
{
	if (km_sh && !km_sh->symptom[0])
		snprintf(km_sh->symptom, sizeof(km_sh->symptom), "%s", name);
}

void km_known_issue(const char *fmt, ...)
{
	char buf[KM_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	km_vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (km_no_known_issues || !km_sh) {
		km_log("known issue ignored: %s", buf);
		return;
	}
	memcpy(km_sh->known_reason, buf, sizeof(buf));
	km_sh->known = 1;
}

/* ---- Assertions ---- */

static void km_record_failure(void)
{
	if (km_sh)
		km_sh->failed = 1;
}

/* Compares like C's usual arithmetic conversions; returns <0, 0 or >0. */
static int km_compare(unsigned long long a, int a_type, unsigned long long b, int b_type)
{
	bool a_signed = a_type & KM_T_SIGNED, b_signed = b_type & KM_T_SIGNED;
	int a_size = a_type & 0xff, b_size = b_type & 0xff;
	int usize;

	if (a_signed && b_signed)
		return ((long long)a > (long long)b) - ((long long)a < (long long)b);
	if (a_signed != b_signed) {
		/* A wider signed type holds every value of the unsigned one. */
		if ((a_signed && a_size > b_size) || (b_signed && b_size > a_size))
			return ((long long)a > (long long)b) - ((long long)a < (long long)b);
	}
	/* Both end up unsigned, at the width of the wider (unsigned) operand. */
	usize = a_size > b_size ? a_size : b_size;
	if (usize < 8) {
		a &= (1ULL << (usize * 8)) - 1;
		b &= (1ULL << (usize * 8)) - 1;
	}
	return (a > b) - (a < b);
}

static void km_format_value(char *buf, size_t size, unsigned long long v, int type)
{
	if (type & KM_T_SIGNED)
		snprintf(buf, size, "%lld", (long long)v);
	else if (v < 10)
		snprintf(buf, size, "%llu", v);
	else
		snprintf(buf, size, "%llu / 0x%llx", v, v);
}

int km_check_cmp(const char *file, int line, int op,
		 const char *a_str, unsigned long long a, int a_type,
		 const char *b_str, unsigned long long b, int b_type)
{
	static const char * const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	char av[64], bv[64];
	int c = km_compare(a, a_type, b, b_type);
	bool ok;

	switch (op) {
	case KM_CMP_EQ: ok = c == 0; break;
	case KM_CMP_NE: ok = c != 0; break;
	case KM_CMP_LT: ok = c < 0; break;
	case KM_CMP_LE: ok = c <= 0; break;
	case KM_CMP_GT: ok = c > 0; break;
	case KM_CMP_GE: ok = c >= 0; break;
	default: ok = false; break;
	}
	if (ok)
		return 0;
	km_format_value(av, sizeof(av), a, a_type);
	km_format_value(bv, sizeof(bv), b, b_type);
	km_log("%s:%d: Expected %s (%s) %s %s (%s)", file, line, a_str, av,
	       op >= 0 && op <= KM_CMP_GE ? ops[op] : "?", b_str, bv);
	km_record_failure();
	return 1;
}

int km_check_str(const char *file, int line, int want_equal,
		 const char *a_str, const char *a, const char *b_str, const char *b)
{
	bool equal = a && b ? !strcmp(a, b) : a == b;

	if (equal == !!want_equal)
		return 0;
	km_log("%s:%d: Expected %s (\"%s\") %s %s (\"%s\")", file, line, a_str,
	       a ? a : "(null)", want_equal ? "==" : "!=", b_str, b ? b : "(null)");
	km_record_failure();
	return 1;
}

/* Unwind to the teardown of the running case, whose failure is recorded. */
static __attribute__((noreturn)) void km_stop_case(void)
{
	/* A process forked by the test has no teardown of its own to run. */
	if (getpid() != km_child_pid)
		_exit(KSFT_FAIL);
	longjmp(km_cur->env, 1);
}

int km_bail(int is_assert)
{
	if (!is_assert)
		return 0;
	fflush(stdout);
	if (!km_cur) {
		/* E.g. in km_harness_global_setup(): there is no case to stop. */
		printf("Bail out! assertion failed outside a test\n");
		fflush(stdout);
		exit(KM_EXIT_ERROR);
	}
	km_stop_case();
}

/*
 * A library helper's check failed (KM_CHECK(), lib/harness/util.h): the case fails
 * as with a failed ASSERT, so its teardown runs and it is reported "not ok"
 * with the message already logged, not as an error.
 */
void km_case_abort(void)
{
	km_record_failure();
	fflush(stdout);
	/* Outside a case (the global setup) there is nothing to unwind to. */
	if (!km_cur)
		_exit(KSFT_FAIL);
	km_stop_case();
}

/* ---- The child side of one case ---- */

static __attribute__((noreturn)) void km_child_exit(void)
{
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

static __attribute__((noreturn)) void km_child_run(struct km_case *c)
{
	const char *known;
	char symptom[32] = "";

	km_cur = c->test;
	km_child_pid = getpid();
	km_variant_data = c->variant ? c->variant->data : NULL;
	km_self = NULL;
	if (c->test->data_size) {
		km_self = calloc(1, c->test->data_size);
		if (!km_self) {
			km_log("out of memory for the fixture data");
			km_sh->failed = 1;
			km_child_exit();
		}
	}

	known = c->rule ? km_harness_known_issue(c->rule, symptom, sizeof(symptom)) : NULL;
	if (known) {
		km_known_issue("%s", known);
		if (km_sh->known)
			snprintf(km_sh->known_symptom, sizeof(km_sh->known_symptom), "%s",
				 symptom);
	}

	if (setjmp(km_cur->env) == 0) {
		if (km_cur->fixture->setup)
			km_cur->fixture->setup(km_cur, km_self, km_variant_data);
		if (!km_sh->failed && !km_sh->outcome)
			km_cur->fn(km_cur, km_self, km_variant_data);
	}
	if (getpid() != km_child_pid)
		km_child_exit();	/* a forked helper returned from the body */

	if (km_cur->fixture->teardown) {
		if (setjmp(km_cur->env) == 0)
			km_cur->fixture->teardown(km_cur, km_self, km_variant_data);
	}
	if (getpid() != km_child_pid)
		km_child_exit();
	km_child_exit();
}

/* ---- The parent side ---- */

struct km_opts {
	char **select;		/* -t */
	int nr_select;
	char **rules;		/* -r */
	int nr_rules;
	char **exclude;		/* -x */
	int nr_exclude;
	bool list;
	bool verbose;		/* -v: -l with the rule docs */
	double timeout;		/* -T, < 0 when not given */
	double scale;
};

struct km_totals {
	int pass, fail, xfail, xpass, skip, error;
};

static sigset_t km_orig_mask;

static const char *km_signame(int sig)
{
	static char buf[16];

	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGUSR1: return "SIGUSR1";
	case SIGSEGV: return "SIGSEGV";
	case SIGUSR2: return "SIGUSR2";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTERM: return "SIGTERM";
	case SIGXCPU: return "SIGXCPU";
	case SIGXFSZ: return "SIGXFSZ";
	case SIGSYS: return "SIGSYS";
	}
	snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

static void km_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [-h] [-l [-v]] [-t PATTERN] [-r RULES|@FILE] [-x PATTERNS|@FILE] "
		"[-T SECONDS] [--no-known-issues] [-- SUITE-ARGS...]\n", prog);
}

static void km_push(char ***arr, int *nr, const char *s)
{
	char **tmp = realloc(*arr, (*nr + 1) * sizeof(**arr));

	if (!tmp || !(tmp[*nr] = strdup(s))) {
		perror("harness");
		exit(KM_EXIT_ERROR);
	}
	*arr = tmp;
	(*nr)++;
}

/* Rule lists separate their globs with commas and white space. */
#define KM_LIST_SEP	", \t\r\n"

static void km_push_list(char ***arr, int *nr, char *list)
{
	char *tok, *save;

	for (tok = strtok_r(list, KM_LIST_SEP, &save); tok;
	     tok = strtok_r(NULL, KM_LIST_SEP, &save))
		km_push(arr, nr, tok);
}

/*
 * The argument of -r or -x: a list of globs, or "@FILE" with any number of
 * them a line and '#' starting a comment. run_tests.sh hands its --rules
 * and --skip-rules through as they are, so this is their one parser.
 * Returns the number of globs added, or -1 (errno set) when FILE cannot be
 * read.
 */
static int km_push_spec(char ***arr, int *nr, const char *spec)
{
	char *line = NULL, *hash;
	int nr_before = *nr;
	size_t cap = 0;
	FILE *f;

	if (spec[0] != '@') {
		line = strdup(spec);
		if (!line) {
			perror("harness");
			exit(KM_EXIT_ERROR);
		}
		km_push_list(arr, nr, line);
		free(line);
		return *nr - nr_before;
	}
	f = fopen(spec + 1, "r");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) >= 0) {
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		km_push_list(arr, nr, line);
	}
	free(line);
	fclose(f);
	return *nr - nr_before;
}

/* The SPEC of -r or -x; -1 once what is wrong with it is said. */
static int km_parse_spec(struct km_opts *o, int opt, const char *spec, const char *prog)
{
	int n;

	if (opt == 'r')
		n = km_push_spec(&o->rules, &o->nr_rules, spec);
	else
		n = km_push_spec(&o->exclude, &o->nr_exclude, spec);
	if (n < 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, spec + 1, strerror(errno));
		return -1;
	}
	/* A -r without a glob selects nothing of its own; alone it would run every case. */
	if (!n && opt == 'r') {
		fprintf(stderr, "%s: -r '%s' names no rule\n", prog, spec);
		return -1;
	}
	return 0;
}

static bool km_match(const char *pat, const char *s)
{
	return s && (!fnmatch(pat, s, 0) || strstr(s, pat));
}

/* A TEST_RULE_ON_REQUEST() case: named exactly by a -t or -r argument. */
static bool km_requested(const struct km_opts *o, const struct km_case *c)
{
	int i;

	for (i = 0; i < o->nr_select; i++)
		if (!strcmp(o->select[i], c->name) || !strcmp(o->select[i], c->rule))
			return true;
	for (i = 0; i < o->nr_rules; i++)
		if (!strcmp(o->rules[i], c->rule))
			return true;
	return false;
}

static bool km_selected(const struct km_opts *o, const struct km_case *c)
{
	bool sel = !o->nr_select && !o->nr_rules;
	int i;

	if (c->test->on_request && !km_requested(o, c))
		return false;

	for (i = 0; !sel && i < o->nr_select; i++)
		sel = km_match(o->select[i], c->name) || km_match(o->select[i], c->rule);
	for (i = 0; !sel && i < o->nr_rules; i++)
		sel = c->rule && !fnmatch(o->rules[i], c->rule, 0);
	for (i = 0; sel && i < o->nr_exclude; i++)
		sel = !km_match(o->exclude[i], c->name) && !km_match(o->exclude[i], c->rule);
	return sel;
}

static void km_add_case(struct km_case **cases, int *nr, struct __test_metadata *t,
			struct __fixture_variant_metadata *v)
{
	struct km_case *tmp = realloc(*cases, (*nr + 1) * sizeof(**cases));
	struct km_case *c;
	int ret;

	if (!tmp) {
		perror("harness");
		exit(KM_EXIT_ERROR);
	}
	*cases = tmp;
	c = &tmp[(*nr)++];
	c->test = t;
	c->variant = v;
	if (v)
		ret = asprintf(&c->name, "%s.%s.%s", t->fixture->name, v->name, t->name);
	else
		ret = asprintf(&c->name, "%s.%s", t->fixture->name, t->name);
	if (ret < 0) {
		perror("harness");
		exit(KM_EXIT_ERROR);
	}
	c->rule = v && v->rule ? v->rule : t->rule;
	c->summary = v && v->rule ? v->summary : t->summary;
}

/*
 * Plain TEST()s stay where they were defined; a fixture's cases are emitted
 * together at its first test, variants outermost as upstream does.
 */
static int km_build_cases(struct km_case **cases)
{
	struct __fixture_variant_metadata *v;
	struct __test_metadata *t, *u;
	struct __fixture_metadata *f;
	int nr = 0;

	*cases = NULL;
	for (t = km_tests; t; t = t->next) {
		f = t->fixture;
		if (f == &_km_fixture_global) {
			km_add_case(cases, &nr, t, NULL);
			continue;
		}
		if (f->emitted)
			continue;
		f->emitted = 1;
		for (v = f->variants; ; v = v->next) {
			for (u = t; u; u = u->next)
				if (u->fixture == f)
					km_add_case(cases, &nr, u, v);
			if (!v || !v->next)
				break;
		}
	}
	return nr;
}

static long long km_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static long long km_timeout_ms(const struct km_opts *o, const struct km_case *c)
{
	long long ms;

	if (o->timeout >= 0)
		return (long long)(o->timeout * 1000);
	ms = (c->test->timeout ? c->test->timeout : KM_DEFAULT_TIMEOUT) * o->scale * 1000;
	return ms > 0 ? ms : 1;		/* 0 would mean "no timeout" */
}

/* Once per run: the suite's global teardown; 1 if it failed. */
static int km_global_teardown(void)
{
	static bool done;

	if (done)
		return 0;
	done = true;
	km_setup_reason[0] = 0;
	fflush(stdout);
	if (!km_harness_global_teardown())
		return 0;
	printf("# global teardown: %s\n", km_setup_reason[0] ? km_setup_reason : "failed");
	fflush(stdout);
	return 1;
}

static __attribute__((noreturn)) void km_interrupted(int sig)
{
	printf("Bail out! interrupted by %s\n", km_signame(sig));
	fflush(stdout);
	km_global_teardown();
	exit(KSFT_FAIL);
}

/*
 * Whatever the case's end, the host settings it changed and did not put
 * back are restored now that its processes are gone; one that cannot be
 * restored fails the case.
 */
static void km_restore_host(void)
{
	char log[4096];

	if (km_host_restore(log, sizeof(log)))
		km_sh->failed = 1;
	if (log[0])
		printf("%s", log);
}

/*
 * Waits for the child to exit (without reaping it, so its pid and process
 * group cannot be recycled), or for the deadline, or for SIGINT/SIGTERM.
 * Returns true on timeout.
 */
static bool km_wait_child(pid_t pid, long long timeout_ms)
{
	long long deadline = km_now_ms() + timeout_ms, left;
	sigset_t set;
	siginfo_t si;
	struct timespec ts;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (!waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid == pid)
			return false;
		if (timeout_ms > 0) {
			left = deadline - km_now_ms();
			if (left <= 0)
				return true;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			sig = sigtimedwait(&set, NULL, &ts);
		} else {
			sig = sigwaitinfo(&set, NULL);
		}
		if (sig == SIGINT || sig == SIGTERM) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			km_restore_host();
			km_interrupted(sig);
		}
	}
}

static void km_result(int num, const struct km_case *c, bool ok, const char *directive)
{
	printf("%sok %d %s %s%s%s\n", ok ? "" : "not ", num, c->rule ? c->rule : "NO-RULE",
	       c->name, directive[0] ? " # " : "", directive);
	fflush(stdout);
}

static void km_run_case(const struct km_opts *o, struct km_case *c, int num,
			struct km_totals *tot)
{
	long long timeout_ms = km_timeout_ms(o, c);
	char bad[64] = "", dir[KM_REASON_MAX + 64];
	bool timed_out;
	int status = 0;
	pid_t pid;

	if (!c->rule) {
		km_result(num, c, false, "no rule ID");
		tot->error++;
		return;
	}
	memset(km_sh, 0, sizeof(*km_sh));
	km_host_record_reset();
	printf("# RUN %s %s ...\n", c->rule, c->name);
	fflush(stdout);
	fflush(stderr);

	pid = fork();
	if (pid < 0) {
		snprintf(bad, sizeof(bad), "fork failed: %s", strerror(errno));
	} else if (pid == 0) {
		setpgid(0, 0);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &km_orig_mask, NULL);
		km_child_run(c);
	} else {
		/* Also here, so kill(-pid) works even before the child runs. */
		setpgid(pid, pid);
		timed_out = km_wait_child(pid, timeout_ms);
		/* Whatever the test left behind in its group goes too. */
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (timed_out)
			snprintf(bad, sizeof(bad), "TIMEOUT after %gs", timeout_ms / 1000.0);
		else if (WIFSIGNALED(status))
			snprintf(bad, sizeof(bad), "killed by %s", km_signame(WTERMSIG(status)));
		else if (WEXITSTATUS(status))
			snprintf(bad, sizeof(bad), "exited with status %d", WEXITSTATUS(status));
		km_restore_host();
	}

	if ((bad[0] || km_sh->failed) && km_sh->known && km_sh->known_symptom[0] &&
	    strcmp(km_sh->known_symptom, km_sh->symptom)) {
		/* A known issue is one failure, not any: anything else fails. */
		printf("# known issue not matched: it is a %s, this failure showed %s: %s\n",
		       km_sh->known_symptom, km_sh->symptom[0] ? km_sh->symptom : "no symptom",
		       km_sh->known_reason);
		km_sh->known = 0;
	}
	if ((bad[0] || km_sh->failed) && km_sh->known) {
		if (bad[0])
			printf("# %s\n", bad);
		snprintf(dir, sizeof(dir), "XFAIL known issue: %s", km_sh->known_reason);
		km_result(num, c, true, dir);
		tot->xfail++;
	} else if (bad[0]) {
		km_result(num, c, false, bad);
		tot->error++;
	} else if (km_sh->failed) {
		km_result(num, c, false, "");
		tot->fail++;
	} else if (km_sh->outcome == KSFT_SKIP) {
		snprintf(dir, sizeof(dir), "SKIP %s", km_sh->reason);
		km_result(num, c, true, dir);
		tot->skip++;
	} else if (km_sh->outcome == KSFT_XFAIL) {
		snprintf(dir, sizeof(dir), "XFAIL %s", km_sh->reason);
		km_result(num, c, true, dir);
		tot->xfail++;
	} else if (km_sh->known) {
		snprintf(dir, sizeof(dir), "XPASS known issue did not reproduce: %s",
			 km_sh->known_reason);
		km_result(num, c, true, dir);
		tot->xpass++;
	} else {
		km_result(num, c, true, "");
		tot->pass++;
	}
}

static int km_parse_args(int argc, char **argv, struct km_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-known-issues", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env;
	char *end;
	int opt;

	memset(o, 0, sizeof(*o));
	o->timeout = -1;
	o->scale = 1;
	env = getenv("KM_TIMEOUT_SCALE");
	if (env && *env) {
		o->scale = strtod(env, &end);
		if (*end || !(o->scale > 0)) {
			fprintf(stderr, "harness: ignoring bad KM_TIMEOUT_SCALE=%s\n", env);
			o->scale = 1;
		}
	}
	env = getenv("KM_NO_KNOWN_ISSUES");
	if (env && *env && strcmp(env, "0"))
		km_no_known_issues = true;

	opterr = 0;
	/* "+": stop at the first non-option, which must follow "--". */
	while ((opt = getopt_long(argc, argv, "+hlvt:r:x:T:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			km_usage(stdout, argv[0]);
			exit(0);
		case 'l':
			o->list = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 't':
			km_push(&o->select, &o->nr_select, optarg);
			break;
		case 'r':
		case 'x':
			if (km_parse_spec(o, opt, optarg, argv[0]))
				return -1;
			break;
		case 'T':
			o->timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(o->timeout >= 0)) {
				km_usage(stderr, argv[0]);
				return -1;
			}
			break;
		case 'K':
			km_no_known_issues = true;
			break;
		default:
			km_usage(stderr, argv[0]);
			return -1;
		}
	}
	if (optind < argc && strcmp(argv[optind - 1], "--")) {
		km_usage(stderr, argv[0]);
		return -1;
	}
	return optind;
}

static void km_block_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	/*
	 * An inherited SIG_IGN would make the kernel reap our children behind
	 * our back; with SIG_DFL a blocked SIGCHLD is queued for sigtimedwait().
	 */
	memset(&sa, 0, sizeof(sa));
	sigaction(SIGCHLD, NULL, &sa);
	if (sa.sa_handler == SIG_IGN) {
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &km_orig_mask);
}

int test_harness_run(int argc, char **argv)
{
	struct km_totals tot = { 0 };
	struct km_case *cases, **sel;
	int nr_cases, nr_sel = 0, first_arg, i, ret, teardown_failed;
	struct km_opts o;
	sigset_t pending;
	char **sargv;

	/* Pipes would otherwise buffer fully and reorder parent/child output. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	first_arg = km_parse_args(argc, argv, &o);
	if (first_arg < 0)
		return KM_EXIT_ERROR;

	nr_cases = km_build_cases(&cases);
	sel = calloc(nr_cases + 1, sizeof(*sel));
	if (!sel) {
		perror("harness");
		return KM_EXIT_ERROR;
	}
	for (i = 0; i < nr_cases; i++)
		if (km_selected(&o, &cases[i]))
			sel[nr_sel++] = &cases[i];

	if (o.list) {
		for (i = 0; i < nr_sel; i++) {
			const struct km_rule_doc *d = o.verbose ? km_find_doc(sel[i]->rule) : NULL;

			printf("%s\t%s\t%s", sel[i]->rule ? sel[i]->rule : "NO-RULE",
			       sel[i]->name, sel[i]->summary ? sel[i]->summary : "");
			if (o.verbose)
				printf("\t%s\t%s\t%s", d && d->ref ? d->ref : "-",
				       d && d->prereq ? d->prereq : "-",
				       d && d->tcg ? d->tcg : "-");
			printf("\n");
		}
		return 0;
	}

	printf("TAP version 13\n");
	if (!nr_sel) {
		printf("1..0 # SKIP no test matched\n");
		return KSFT_SKIP;
	}

	sargv = calloc(argc - first_arg + 2, sizeof(*sargv));
	if (!sargv) {
		perror("harness");
		return KM_EXIT_ERROR;
	}
	sargv[0] = argv[0];
	for (i = first_arg; i < argc; i++)
		sargv[i - first_arg + 1] = argv[i];
	fflush(stdout);
	ret = km_harness_global_setup(argc - first_arg + 1, sargv);
	if (ret == KSFT_SKIP) {
		printf("1..0 # SKIP %s\n", km_setup_reason[0] ? km_setup_reason :
		       "global setup skipped");
		return KSFT_SKIP;
	} else if (ret) {
		printf("Bail out! %s\n", km_setup_reason[0] ? km_setup_reason :
		       "global setup failed");
		return KM_EXIT_ERROR;
	}
	km_harness_header();
	printf("1..%d\n", nr_sel);
	fflush(stdout);
	/* From here on SIGINT/SIGTERM are taken by km_wait_child(). */
	km_block_signals();

	km_sh = mmap(NULL, sizeof(*km_sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (km_sh == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return KM_EXIT_ERROR;
	}
	ret = km_host_record_init();
	if (ret)
		printf("# host state: no shared record (%s): a killed case's changes stay\n",
		       strerror(-ret));
	for (i = 0; i < nr_sel; i++)
		km_run_case(&o, sel[i], i + 1, &tot);
	teardown_failed = km_global_teardown();
	/* A signal that arrived after the last case still means "interrupted". */
	sigpending(&pending);
	if (sigismember(&pending, SIGINT))
		km_interrupted(SIGINT);
	if (sigismember(&pending, SIGTERM))
		km_interrupted(SIGTERM);

	printf("# Totals: pass:%d fail:%d xfail:%d xpass:%d skip:%d error:%d\n",
	       tot.pass, tot.fail, tot.xfail, tot.xpass, tot.skip, tot.error);
	printf("%d passed, %d failed, %d skipped, %d xfailed\n", tot.pass + tot.xpass,
	       tot.fail + tot.error, tot.skip, tot.xfail);
	fflush(stdout);

	if (tot.fail || tot.error || teardown_failed)
		return KSFT_FAIL;
	if (!tot.pass && !tot.xpass && tot.skip)
		return KSFT_SKIP;
	return 0;
}
