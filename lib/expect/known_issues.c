// SPDX-License-Identifier: GPL-2.0
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "known_issues.h"
#include "kversion.h"

static bool kernel_in_range(const char *range, const unsigned int kver[3])
{
	char from[32], *to;
	unsigned int v[3];

	if (snprintf(from, sizeof(from), "%s", range) >= (int)sizeof(from) ||
	    !strchr(from, '-'))
		return false;
	to = strchr(from, '-');
	*to++ = 0;
	if (*from && (!km_kver_parse(from, v) || km_kver_cmp(kver, v) < 0))
		return false;
	if (*to && (!km_kver_parse(to, v) || km_kver_cmp(kver, v) >= 0))
		return false;
	return true;
}

static bool fact_holds(const char *name, const struct km_env *e)
{
	bool neg = *name == '!', val;

	name += neg;
	if (!strcmp(name, "any"))
		val = true;
	else if (!strcmp(name, "erratum-834220"))
		val = e->erratum_834220;
	else if (!strcmp(name, "fwb"))
		val = e->fwb;
	else if (!strcmp(name, "dic"))
		val = e->dic;
	else if (!strcmp(name, "tcg"))
		val = e->tcg;
	else if (!strcmp(name, "vhe"))
		val = e->mode == KM_MODE_VHE;
	else if (!strcmp(name, "nvhe"))
		val = e->mode == KM_MODE_NVHE;
	else if (!strcmp(name, "protected"))
		val = e->mode == KM_MODE_PROTECTED;
	else
		return false;	/* an unknown fact never holds */
	return val != neg;
}

static bool when_holds(char *when, const struct km_env *e)
{
	char *save, *tok;

	for (tok = strtok_r(when, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!fact_holds(tok, e))
			return false;
	return true;
}

const char *km_known_issue_lookup(const char *text, const char *rule,
				  const struct km_env *env, char *reason, size_t len,
				  char *symptom, size_t slen)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		char buf[1024], pat[128], kern[64], when[128], sym[32];
		int off = 0;

		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = 0;
			if (buf[0] != '#' &&
			    sscanf(buf, "%127s %63s %127s %31s %n", pat, kern, when, sym, &off) == 4 &&
			    off > 0 && buf[off] && !fnmatch(pat, rule, 0) &&
			    kernel_in_range(kern, env->kver) && when_holds(when, env)) {
				snprintf(reason, len, "%s", buf + off);
				snprintf(symptom, slen, "%s", strcmp(sym, "-") ? sym : "");
				return reason;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}
