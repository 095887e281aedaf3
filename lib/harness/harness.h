/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-memattr test harness.
 *
 * The macros mirror tools/testing/selftests/kselftest_harness.h so that test
 * bodies read like upstream selftests, with one project rule on top: every
 * test case carries a stable rule ID and a one-line summary.
 *
 *   TEST_RULE(name, "RULE-ID", "summary") { ... }
 *   TEST_RULE_TIMEOUT(name, "RULE-ID", "summary", seconds) { ... }
 *
 *   FIXTURE(f) { int fd; };
 *   FIXTURE_VARIANT(f) { KM_VARIANT_RULE; int attr; };
 *   FIXTURE_VARIANT_ADD(f, wb) { .rule = "MA-01", .summary = "...", .attr = 1 };
 *   FIXTURE_SETUP(f) { self->fd = open(...); ASSERT_LE(0, self->fd); }
 *   FIXTURE_TEARDOWN(f) { if (self->fd > 0) close(self->fd); }
 *   TEST_F(f, name) { EXPECT_EQ(variant->attr, read_attr(self->fd)); }
 *   TEST_F_RULE(f, name, "RULE-ID", "summary") { ... }
 *   TEST_F_RULE_TIMEOUT(f, name, "RULE-ID", "summary", seconds) { ... }
 *   TEST(name), TEST_F(f, name), TEST_F_TIMEOUT(f, name, seconds): no rule
 *   FIXTURE_ROW(f, wb, "MA-01", "summary", .attr = 1);
 *                              a variant whose rule and summary are the
 *                              harness's: no such members in the struct
 *   FIXTURE_LIKE(g, f);        g: f's data, variant struct, setup and
 *                              teardown, its own name, variants and tests
 *   TEST_RULE_ON_REQUEST(name, "RULE-ID", "summary", seconds) { ... }
 *     a case that runs (and is listed) only when a -t or -r argument is its
 *     rule ID or case name exactly: for cases other cases run on purpose,
 *     e.g. one that hangs until its timeout kills it
 *
 *   TEST_HARNESS_MAIN          (in exactly one .c file of a binary)
 *
 * Rule IDs: a FIXTURE_VARIANT struct whose rows are FIXTURE_VARIANT_ADD()s
 * must have the members `rule` and `summary` (by convention the first two);
 * FIXTURE_ROW() rows give them as arguments instead. A case's rule is the
 * variant's rule when that is non-NULL, else the test's. Plain TEST()/TEST_F() compile
 * but the case is reported "not ok ... # no rule ID" without being run.
 *
 * Case names: TEST(x) is "global.x", TEST_F(f, t) is "f.t", and with variants
 * "f.v.t". Fixtures must define both FIXTURE_SETUP and FIXTURE_TEARDOWN.
 * `self` is zeroed before FIXTURE_SETUP. FIXTURE_TEARDOWN runs even when the
 * setup or the body failed an ASSERT, or called SKIP/XFAIL, so it must cope
 * with a partially set-up `self`. After a failure, SKIP or XFAIL in
 * FIXTURE_SETUP the body is not run.
 *
 * Assertions: ASSERT_* stops the case (longjmp to teardown), EXPECT_* records
 * the failure and continues. Both print "# file:line: Expected ..." with the
 * two expressions and their values. Comparisons follow C's usual arithmetic
 * conversions (without -Wsign-compare noise); operands must be integers,
 * enums or pointers. A TH_LOG() right after an assertion prints only when it
 * failed:  ASSERT_EQ(0, ret) TH_LOG("ioctl: %s", strerror(errno));
 * These helpers need no `_metadata` in scope, so they work in plain helper
 * functions too; a forked grandchild failing an ASSERT simply _exit()s, and
 * the failure still counts because the verdict lives in shared memory.
 * A library helper's KM_CHECK() (lib/harness/util.h) fails the case the same way.
 *
 * Outcomes (set at run time, may be called from setup, body or teardown):
 *   SKIP(statement, fmt, ...)   "ok N ... # SKIP reason", then `statement`.
 *   XFAIL(statement, fmt, ...)  "ok N ... # XFAIL reason", then `statement`.
 *                               For behaviour the platform (QEMU) cannot model.
 *   KNOWN_ISSUE(fmt, ...)       The case is expected to fail here (kernel
 *                               bug). A failure (including crash or timeout)
 *                               becomes "ok N ... # XFAIL known issue: reason",
 *                               a pass becomes "ok N ... # XPASS known issue
 *                               did not reproduce: reason". Ignored with
 *                               --no-known-issues or KM_NO_KNOWN_ISSUES=1.
 * A failure always wins over SKIP/XFAIL.
 *
 * Runner: every case runs in a forked child in its own process group; the
 * parent enforces the timeout (SIGKILL to the group), reports crashes, and
 * kills any leftover processes of the group when the case ends. SIGINT or
 * SIGTERM during a run kills the running case's group, prints
 * "Bail out! interrupted by SIGxxx" and exits 1. Once the case's processes
 * are gone, whatever host setting it changed through lib/harness/hoststate.h and
 * did not put back is restored, one "# host state: ..." line each, before
 * the result line; a setting that cannot be restored fails the case.
 *
 *   usage: prog [-h] [-l [-v]] [-t PATTERN] [-r RULES|@FILE] [-x PATTERNS|@FILE]
 *               [-T SECONDS] [--no-known-issues] [-- SUITE-ARGS...]
 *   -l              list the selected cases as "RULE<TAB>name<TAB>summary", exit 0
 *   -v              with -l, three more columns from the rule's KM_RULE_DOC():
 *                   "<TAB>reference<TAB>prerequisites<TAB>tcg" ("-" when none)
 *   -t PATTERN      select cases whose name or rule ID matches the fnmatch()
 *                   glob PATTERN or contains it (repeatable)
 *   -r RULES        select cases whose rule ID matches one of the globs in
 *                   RULES, separated by commas or white space (repeatable);
 *                   "@FILE" reads them from FILE, any number a line, '#'
 *                   starting a comment; a -r that names no glob is a usage
 *                   error
 *   -x PATTERNS     exclude, each pattern matched like -t; a list or @FILE
 *                   as for -r (repeatable)
 *   -T SECONDS      timeout for every case, not scaled; 0 disables it
 *   --no-known-issues  make KNOWN_ISSUE() a no-op
 * -t and -r together select the union; -x is applied last. Without -T the
 * timeout is 30 s or the test's own, times $KM_TIMEOUT_SCALE (a float).
 *
 * Output (KTAP on stdout): "TAP version 13", the km_harness_header() lines,
 * "1..N", then per case "# RUN RULE name ...", its log lines and one result
 * line "ok|not ok N RULE name[ # directive]". Cases without a rule print
 * NO-RULE in the rule column. At the end:
 *   # Totals: pass:P fail:F xfail:X xpass:XP skip:S error:E
 *   P+XP passed, F+E failed, S skipped, X xfailed     (xfailed always printed)
 * "fail" counts assertion failures; "error" counts cases that never produced
 * a verdict (timeout, signal, unexpected exit status, missing rule ID).
 *
 * Exit status: 1 if anything failed or errored; else 4 (KSFT_SKIP) if no case
 * passed and at least one was skipped, or if nothing was selected
 * ("1..0 # SKIP no test matched"); else 0. Usage errors exit 2.
 */
#ifndef KM_HARNESS_H
#define KM_HARNESS_H

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#ifndef KSFT_PASS
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_XFAIL	2
#define KSFT_XPASS	3
#define KSFT_SKIP	4
#endif

/* Exit status for usage errors and a failing global setup. */
#define KM_EXIT_ERROR	2

struct __test_metadata;

/* Type-erased entry points, generated per fixture and test by the macros. */
typedef void (*km_thunk_t)(struct __test_metadata *m, void *self, const void *variant);

struct __fixture_variant_metadata {
	const char *name;
	const void *data;
	const char *rule;
	const char *summary;
	const char *file;
	int line;
	/* Runner-private. */
	int file_rank;
	struct __fixture_variant_metadata *next;
};

struct __fixture_metadata {
	const char *name;
	km_thunk_t setup;
	km_thunk_t teardown;
	/* Runner-private. */
	struct __fixture_variant_metadata *variants;
	int emitted;
};

struct __test_metadata {
	const char *name;
	const char *rule;
	const char *summary;
	struct __fixture_metadata *fixture;
	km_thunk_t fn;
	size_t data_size;
	int timeout;			/* seconds, 0: the default */
	int on_request;			/* TEST_RULE_ON_REQUEST() */
	const char *file;
	int line;
	/* Runner-private. */
	int file_rank;
	struct __test_metadata *next;
	jmp_buf env;
};

/* The fixture of plain TEST()s. */
extern struct __fixture_metadata _km_fixture_global;

void km_register_test(struct __test_metadata *t);
void km_register_variant(struct __fixture_metadata *f, struct __fixture_variant_metadata *v);
int test_harness_run(int argc, char **argv);

/*
 * Optional hooks, weak no-ops in harness.c; define them once in the suite.
 *
 * km_harness_global_setup() runs once in the parent after "TAP version 13"
 * and before any case; argv[0] is the program and argv[1..] are the arguments
 * after "--". Return 0 to go on, KSFT_SKIP to print "1..0 # SKIP <reason>"
 * and exit 4, anything else to print "Bail out! <reason>" and exit 2. The
 * reason is whatever km_harness_reason() last set.
 *
 * km_harness_header() runs after the global setup and before the plan; it may
 * print "# " lines (e.g. with TH_LOG) describing the host.
 */
int km_harness_global_setup(int argc, char **argv);
/*
 * km_harness_global_teardown() runs once in the parent after the last case,
 * also when the run is interrupted, never with -l or when nothing ran. It may
 * print "# " lines. Return 0, or nonzero to make the run fail (exit 1) after
 * printing "# global teardown: <reason>" (km_harness_reason()).
 */
int km_harness_global_teardown(void);
/*
 * km_harness_known_issue() is asked, in the child before the fixture setup,
 * whether the case's rule is a known failure here; a non-NULL reason acts as
 * KNOWN_ISSUE("%s", reason) (and so is ignored under --no-known-issues),
 * limited to failures with the symptom it writes into symptom ("" for any).
 */
const char *km_harness_known_issue(const char *rule, char *symptom, size_t len);
void km_harness_header(void);
void km_harness_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Rule documentation, for docs generated from the listing (-l -v): where in
 * the kernel the rule comes from, what it needs, whether QEMU TCG can show
 * it. Optional and keyed by rule ID (an fnmatch() glob; the first match in
 * file/line order wins), so table rows and tests need no new members:
 *
 *   KM_RULE_DOC(s2mt_anon, "S2MT-ANON-*", "mmu.c:user_mem_abort", "tracefs",
 *               "yes");
 */
struct km_rule_doc {
	const char *rule;
	const char *ref;	/* kernel source reference */
	const char *prereq;	/* prerequisites */
	const char *tcg;	/* observable under QEMU TCG: "yes", "no: why", ... */
	const char *file;
	int line;
	/* Runner-private. */
	int file_rank;
	struct km_rule_doc *next;
};

void km_register_rule_doc(struct km_rule_doc *d);

#define KM_RULE_DOC(tag, _rule, _ref, _prereq, _tcg)				\
	static struct km_rule_doc _km_doc_##tag = {				\
		.rule = _rule, .ref = _ref, .prereq = _prereq, .tcg = _tcg,	\
		.file = __FILE__, .line = __LINE__,				\
	};									\
	static void __attribute__((constructor)) _km_reg_doc_##tag(void)	\
	{									\
		km_register_rule_doc(&_km_doc_##tag);				\
	}

/* ---- Test definitions ---- */

#define TEST(test_name)			__KM_TEST(test_name, NULL, NULL, 0, 0)
#define TEST_RULE(test_name, rule, summary) \
	__KM_TEST(test_name, rule, summary, 0, 0)
#define TEST_RULE_TIMEOUT(test_name, rule, summary, seconds) \
	__KM_TEST(test_name, rule, summary, seconds, 0)
#define TEST_RULE_ON_REQUEST(test_name, rule, summary, seconds) \
	__KM_TEST(test_name, rule, summary, seconds, 1)

#define __KM_TEST(test_name, _rule, _summary, _timeout, _on_request)		\
	static void _km_fn_##test_name(struct __test_metadata *_metadata);	\
	static void _km_tbody_##test_name(struct __test_metadata *m,		\
			void *self, const void *variant)			\
	{									\
		_km_fn_##test_name(m);						\
	}									\
	static struct __test_metadata _km_test_##test_name = {			\
		.name = #test_name, .rule = _rule, .summary = _summary,	\
		.fixture = &_km_fixture_global,				\
		.fn = _km_tbody_##test_name, .timeout = _timeout,		\
		.on_request = _on_request,					\
		.file = __FILE__, .line = __LINE__,				\
	};									\
	static void __attribute__((constructor)) _km_reg_##test_name(void)	\
	{									\
		km_register_test(&_km_test_##test_name);			\
	}									\
	static void _km_fn_##test_name(						\
		struct __test_metadata __attribute__((unused)) *_metadata)

/*
 * FIXTURE_DATA() is a typedef, so that a FIXTURE_LIKE() fixture can name its
 * base's type; FIXTURE_VARIANT() is the struct, which the user defines.
 */
#define FIXTURE_DATA(fixture_name)	_km_data_##fixture_name
#define FIXTURE_VARIANT(fixture_name)	struct _fixture_variant_##fixture_name
#define __KM_VARIANT_T(fixture_name)	_km_variant_##fixture_name
/* The members FIXTURE_VARIANT_ADD registers each row by: every variant struct has them. */
#define KM_VARIANT_RULE			const char *rule; const char *summary

#define __KM_FIXTURE_ARGS(fixture_name)						\
	struct __test_metadata __attribute__((unused)) *_metadata,		\
	FIXTURE_DATA(fixture_name) __attribute__((unused)) *self,		\
	const __KM_VARIANT_T(fixture_name) __attribute__((unused)) *variant

/*
 * Declares setup/teardown up front so that TEST_F may precede them, and
 * wraps them in thunks so the runner can call them without knowing types.
 */
#define FIXTURE(fixture_name)							\
	typedef struct _test_data_##fixture_name FIXTURE_DATA(fixture_name);	\
	typedef FIXTURE_VARIANT(fixture_name) __KM_VARIANT_T(fixture_name);	\
	static void fixture_name##_setup(__KM_FIXTURE_ARGS(fixture_name));	\
	static void fixture_name##_teardown(__KM_FIXTURE_ARGS(fixture_name));	\
	static void _km_setup_##fixture_name(struct __test_metadata *m,	\
			void *self, const void *variant)			\
	{									\
		fixture_name##_setup(m, self, variant);				\
	}									\
	static void _km_teardown_##fixture_name(struct __test_metadata *m,	\
			void *self, const void *variant)			\
	{									\
		fixture_name##_teardown(m, self, variant);			\
	}									\
	static struct __fixture_metadata _##fixture_name##_fixture_object = {	\
		.name = #fixture_name,						\
		.setup = _km_setup_##fixture_name,				\
		.teardown = _km_teardown_##fixture_name,			\
	};									\
	struct _test_data_##fixture_name

/*
 * A fixture of its own name, variants and tests, with the data, variant
 * struct, setup and teardown of base: for tables whose rows are base's
 * kind of row, each row with its own rule ID and summary, checked by other
 * tests than base's.
 */
#define FIXTURE_LIKE(fixture_name, base)					\
	typedef FIXTURE_DATA(base) FIXTURE_DATA(fixture_name);			\
	typedef __KM_VARIANT_T(base) __KM_VARIANT_T(fixture_name);		\
	static struct __fixture_metadata _##fixture_name##_fixture_object = {	\
		.name = #fixture_name,						\
		.setup = _km_setup_##base,					\
		.teardown = _km_teardown_##base,				\
	}

#define FIXTURE_SETUP(fixture_name)						\
	static void fixture_name##_setup(__KM_FIXTURE_ARGS(fixture_name))
#define FIXTURE_TEARDOWN(fixture_name)						\
	static void fixture_name##_teardown(__KM_FIXTURE_ARGS(fixture_name))

/*
 * The variant object is declared first (a tentative definition) so the
 * constructor can copy .rule/.summary out of it: static data is initialized
 * before any constructor runs. The user's braces complete the definition.
 */
#define FIXTURE_VARIANT_ADD(fixture_name, variant_name)				\
	static const __KM_VARIANT_T(fixture_name)				\
		_##fixture_name##_##variant_name##_variant;			\
	static struct __fixture_variant_metadata				\
		_##fixture_name##_##variant_name##_object = {			\
		.name = #variant_name,						\
		.data = &_##fixture_name##_##variant_name##_variant,		\
		.file = __FILE__, .line = __LINE__,				\
	};									\
	static void __attribute__((constructor))				\
		_km_reg_##fixture_name##_##variant_name(void)			\
	{									\
		_##fixture_name##_##variant_name##_object.rule =		\
			_##fixture_name##_##variant_name##_variant.rule;	\
		_##fixture_name##_##variant_name##_object.summary =		\
			_##fixture_name##_##variant_name##_variant.summary;	\
		km_register_variant(&_##fixture_name##_fixture_object,		\
				    &_##fixture_name##_##variant_name##_object); \
	}									\
	static const __KM_VARIANT_T(fixture_name)				\
		_##fixture_name##_##variant_name##_variant =

/*
 * A row of a case table: its rule ID and summary go to the harness, the
 * remaining arguments initialize the variant struct, which then needs no
 * `rule` and `summary` members:
 *   FIXTURE_ROW(f, wb, "MA-01", "summary", .attr = 1);
 */
#define FIXTURE_ROW(fixture_name, variant_name, _rule, _summary, ...)		\
	static const __KM_VARIANT_T(fixture_name)				\
		_##fixture_name##_##variant_name##_variant = { __VA_ARGS__ };	\
	static struct __fixture_variant_metadata				\
		_##fixture_name##_##variant_name##_object = {			\
		.name = #variant_name,						\
		.data = &_##fixture_name##_##variant_name##_variant,		\
		.rule = _rule, .summary = _summary,				\
		.file = __FILE__, .line = __LINE__,				\
	};									\
	static void __attribute__((constructor))				\
		_km_reg_##fixture_name##_##variant_name(void)			\
	{									\
		km_register_variant(&_##fixture_name##_fixture_object,		\
				    &_##fixture_name##_##variant_name##_object); \
	}

#define TEST_F(fixture_name, test_name)						\
	__KM_TEST_F(fixture_name, test_name, NULL, NULL, 0)
#define TEST_F_TIMEOUT(fixture_name, test_name, seconds)			\
	__KM_TEST_F(fixture_name, test_name, NULL, NULL, seconds)
#define TEST_F_RULE(fixture_name, test_name, rule, summary)			\
	__KM_TEST_F(fixture_name, test_name, rule, summary, 0)
#define TEST_F_RULE_TIMEOUT(fixture_name, test_name, rule, summary, seconds)	\
	__KM_TEST_F(fixture_name, test_name, rule, summary, seconds)

#define __KM_TEST_F(fixture_name, test_name, _rule, _summary, _timeout)	\
	static void _km_f_##fixture_name##_##test_name(			\
		__KM_FIXTURE_ARGS(fixture_name));				\
	static void _km_fbody_##fixture_name##_##test_name(			\
		struct __test_metadata *m, void *self, const void *variant)	\
	{									\
		_km_f_##fixture_name##_##test_name(m, self, variant);		\
	}									\
	static struct __test_metadata _km_test_##fixture_name##__##test_name = { \
		.name = #test_name, .rule = _rule, .summary = _summary,	\
		.fixture = &_##fixture_name##_fixture_object,			\
		.fn = _km_fbody_##fixture_name##_##test_name,			\
		.data_size = sizeof(FIXTURE_DATA(fixture_name)),		\
		.timeout = _timeout, .file = __FILE__, .line = __LINE__,	\
	};									\
	static void __attribute__((constructor))				\
		_km_reg_##fixture_name##__##test_name(void)			\
	{									\
		km_register_test(&_km_test_##fixture_name##__##test_name);	\
	}									\
	static void _km_f_##fixture_name##_##test_name(			\
		__KM_FIXTURE_ARGS(fixture_name))

#define TEST_HARNESS_MAIN							\
	int main(int argc, char **argv)						\
	{									\
		return test_harness_run(argc, argv);				\
	}

/* ---- Logging and outcomes ---- */

void km_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void km_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void km_xfail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void km_known_issue(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The case observed this failure symptom (e.g. "livelock"; the first call
 * wins).  A known issue that names a symptom turns only a failure with that
 * symptom into XFAIL; any other failure of the case stays a FAIL.
 */
void km_symptom(const char *name);

/* Prints "# " + message on stdout; each line of a multi-line message. */
#define TH_LOG(fmt, ...)	km_log(fmt, ##__VA_ARGS__)

#define SKIP(statement, fmt, ...) do {						\
	km_skip(fmt, ##__VA_ARGS__);						\
	statement;								\
} while (0)

/* A prerequisite: unless cond holds, SKIP the case saying what is missing. */
#define KM_REQUIRE(cond, fmt, ...) do {						\
	if (!(cond))								\
		SKIP(return, fmt, ##__VA_ARGS__);				\
} while (0)

#define XFAIL(statement, fmt, ...) do {						\
	km_xfail(fmt, ##__VA_ARGS__);						\
	statement;								\
} while (0)

#define KNOWN_ISSUE(fmt, ...)	km_known_issue(fmt, ##__VA_ARGS__)

/* ---- Assertions ---- */

/* The comparison an ASSERT_xx/EXPECT_xx makes (KM_OP_* are agent commands). */
enum { KM_CMP_EQ, KM_CMP_NE, KM_CMP_LT, KM_CMP_LE, KM_CMP_GT, KM_CMP_GE };

/* Operand type after integer promotion: KM_T_SIGNED | size in bytes. */
#define KM_T_SIGNED	0x100
#define KM_T_S4		(KM_T_SIGNED | 4)
#define KM_T_U4		4
#define KM_T_S8		(KM_T_SIGNED | 8)
#define KM_T_U8		8

/*
 * Bit-fields match no _Generic association; they are integers that fit in a
 * signed 64-bit value. Everything else left over is a pointer.
 */
#define __KM_TYPE(x) _Generic((x),						\
	_Bool: KM_T_S4, char: KM_T_S4, signed char: KM_T_S4,			\
	unsigned char: KM_T_S4, short: KM_T_S4, unsigned short: KM_T_S4,	\
	int: KM_T_S4, unsigned int: KM_T_U4,					\
	long: KM_T_S8, unsigned long: KM_T_U8,					\
	long long: KM_T_S8, unsigned long long: KM_T_U8,			\
	default: (__builtin_classify_type(x) == 1 ? KM_T_S8 : KM_T_U8))

int km_check_cmp(const char *file, int line, int op,
		 const char *a_str, unsigned long long a, int a_type,
		 const char *b_str, unsigned long long b, int b_type);
int km_check_str(const char *file, int line, int want_equal,
		 const char *a_str, const char *a, const char *b_str, const char *b);
int km_bail(int is_assert);
/*
 * Fail the running case as a failed ASSERT does (teardown runs); for checks
 * in library helpers that have no assertion of their own (KM_CHECK()).
 * Outside a case it ends the process with status 1.
 */
void km_case_abort(void) __attribute__((noreturn));

/*
 * A single for statement, so it nests under if/else, and whatever follows
 * (";" or a TH_LOG()) is its body, run once and only on failure before
 * km_bail() either stops the case (ASSERT) or ends the loop (EXPECT).
 */
#define __KM_CMP(_expected, _seen, _op, _assert)				\
	for (int __km_fail = km_check_cmp(__FILE__, __LINE__, _op,		\
			#_expected, (unsigned long long)(_expected),		\
			__KM_TYPE(_expected),					\
			#_seen, (unsigned long long)(_seen), __KM_TYPE(_seen)); \
	     __km_fail; __km_fail = km_bail(_assert))

#define __KM_STR(_expected, _seen, _equal, _assert)				\
	for (int __km_fail = km_check_str(__FILE__, __LINE__, _equal,		\
			#_expected, (_expected), #_seen, (_seen));		\
	     __km_fail; __km_fail = km_bail(_assert))

#define ASSERT_EQ(expected, seen)	__KM_CMP(expected, seen, KM_CMP_EQ, 1)
#define ASSERT_NE(expected, seen)	__KM_CMP(expected, seen, KM_CMP_NE, 1)
#define ASSERT_LT(expected, seen)	__KM_CMP(expected, seen, KM_CMP_LT, 1)
#define ASSERT_LE(expected, seen)	__KM_CMP(expected, seen, KM_CMP_LE, 1)
#define ASSERT_GT(expected, seen)	__KM_CMP(expected, seen, KM_CMP_GT, 1)
#define ASSERT_GE(expected, seen)	__KM_CMP(expected, seen, KM_CMP_GE, 1)
#define ASSERT_TRUE(seen)		__KM_CMP(0, seen, KM_CMP_NE, 1)
#define ASSERT_FALSE(seen)		__KM_CMP(0, seen, KM_CMP_EQ, 1)
#define ASSERT_NULL(seen)		__KM_CMP(NULL, seen, KM_CMP_EQ, 1)
#define ASSERT_NE_NULL(seen)		__KM_CMP(NULL, seen, KM_CMP_NE, 1)
#define ASSERT_NONNULL(seen)		__KM_CMP(NULL, seen, KM_CMP_NE, 1)
#define ASSERT_STREQ(expected, seen)	__KM_STR(expected, seen, 1, 1)
#define ASSERT_STRNE(expected, seen)	__KM_STR(expected, seen, 0, 1)

#define EXPECT_EQ(expected, seen)	__KM_CMP(expected, seen, KM_CMP_EQ, 0)
#define EXPECT_NE(expected, seen)	__KM_CMP(expected, seen, KM_CMP_NE, 0)
#define EXPECT_LT(expected, seen)	__KM_CMP(expected, seen, KM_CMP_LT, 0)
#define EXPECT_LE(expected, seen)	__KM_CMP(expected, seen, KM_CMP_LE, 0)
#define EXPECT_GT(expected, seen)	__KM_CMP(expected, seen, KM_CMP_GT, 0)
#define EXPECT_GE(expected, seen)	__KM_CMP(expected, seen, KM_CMP_GE, 0)
#define EXPECT_TRUE(seen)		__KM_CMP(0, seen, KM_CMP_NE, 0)
#define EXPECT_FALSE(seen)		__KM_CMP(0, seen, KM_CMP_EQ, 0)
#define EXPECT_NULL(seen)		__KM_CMP(NULL, seen, KM_CMP_EQ, 0)
#define EXPECT_NE_NULL(seen)		__KM_CMP(NULL, seen, KM_CMP_NE, 0)
#define EXPECT_NONNULL(seen)		__KM_CMP(NULL, seen, KM_CMP_NE, 0)
#define EXPECT_STREQ(expected, seen)	__KM_STR(expected, seen, 1, 0)
#define EXPECT_STRNE(expected, seen)	__KM_STR(expected, seen, 0, 0)

#endif /* KM_HARNESS_H */
