// SPDX-License-Identifier: GPL-2.0
/* The known-issues file format: rule globs, kernel ranges, facts. */
#include "harness.h"
#include "known_issues.h"

static const char text[] =
	"# comment\n"
	"S1PTW-*   7.0-      erratum-834220  livelock  walks livelock\n"
	"GMEM-01   6.15-7.2  !fwb,nvhe       -         two facts\n"
	"BAD-01    7.0       any             -         no dash: malformed\n"
	"ANY-01    -         any             -         every kernel\n";

static const char *look(const char *rule, struct km_env *e)
{
	static char reason[256], symptom[32];

	return km_known_issue_lookup(text, rule, e, reason, sizeof(reason), symptom,
				     sizeof(symptom));
}

TEST_RULE(known_issue_match, "UNIT-KNOWN-01",
	  "an entry matches by rule glob, kernel range and every WHEN fact")
{
	struct km_env e = { .kver = { 7, 3, 4 }, .erratum_834220 = true };

	ASSERT_NE(NULL, look("S1PTW-PROGRESS-01", &e));
	EXPECT_STREQ("walks livelock", look("S1PTW-PROGRESS-01", &e));
	e.erratum_834220 = false;
	EXPECT_EQ(NULL, look("S1PTW-PROGRESS-01", &e));
	e.erratum_834220 = true;
	e.kver[0] = 6;
	e.kver[1] = 12;
	EXPECT_EQ(NULL, look("S1PTW-PROGRESS-01", &e));
}

TEST_RULE(known_issue_range, "UNIT-KNOWN-02",
	  "FROM-TO is FROM <= version < TO; negated and combined facts")
{
	struct km_env e = { .kver = { 6, 15, 0 }, .mode = KM_MODE_NVHE };

	EXPECT_NE(NULL, look("GMEM-01", &e));
	e.kver[1] = 14;
	EXPECT_EQ(NULL, look("GMEM-01", &e));
	e.kver[0] = 7;
	e.kver[1] = 2;
	EXPECT_EQ(NULL, look("GMEM-01", &e));
	e.kver[1] = 1;
	EXPECT_NE(NULL, look("GMEM-01", &e));
	e.fwb = true;
	EXPECT_EQ(NULL, look("GMEM-01", &e));
}

TEST_RULE(known_issue_malformed, "UNIT-KNOWN-03",
	  "malformed lines never match; an open range matches every kernel")
{
	struct km_env e = { .kver = { 7, 0, 0 } };

	EXPECT_EQ(NULL, look("BAD-01", &e));
	EXPECT_NE(NULL, look("ANY-01", &e));
	EXPECT_EQ(NULL, look("NOPE-01", &e));
}
