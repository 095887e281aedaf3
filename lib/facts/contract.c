// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "kversion.h"
#include "util.h"

static const char *const names[KM_C_NR] = {
	[KM_C_USER_MEMORY2] = "user-memory2",
	[KM_C_GUEST_MEMFD] = "guest-memfd",
	[KM_C_ALLOW_ANY_UNCACHED] = "allow-any-uncached",
	[KM_C_CACHEABLE_PFNMAP] = "cacheable-pfnmap",
	[KM_C_GUP_FAST_UNMAPPED] = "gup-fast-unmapped",
};

const char *km_contract_name(enum km_contract c)
{
	return (unsigned int)c < KM_C_NR ? names[c] : "?";
}

bool km_contract_first(const char *text, enum km_contract c, unsigned int v[3])
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		char buf[512], name[64], first[32];

		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = 0;
			if (buf[0] != '#' && sscanf(buf, "%63s %31s", name, first) == 2 &&
			    !strcmp(name, km_contract_name(c)))
				return km_kver_parse(first, v);
		}
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

void km_contract_decide(const char *text, struct km_env *env,
			const struct km_contract_probe probe[KM_C_NR],
			char why[KM_C_NR][192], bool by_version[KM_C_NR])
{
	unsigned int c, first[3];

	for (c = 0; c < KM_C_NR; c++) {
		bool known = text && km_contract_first(text, c, first);
		bool by_table = known && km_kver_cmp(env->kver, first) >= 0;
		char tab[64];

		by_version[c] = by_table;
		if (known && first[2])
			snprintf(tab, sizeof(tab), "Linux %u.%u.%u", first[0], first[1], first[2]);
		else if (known)
			snprintf(tab, sizeof(tab), "Linux %u.%u", first[0], first[1]);
		else
			snprintf(tab, sizeof(tab), "no line in the contracts table");
		if (probe[c].has != KM_PROBE_NONE) {
			env->has[c] = probe[c].has;
			env->has_src[c] = KM_CSRC_PROBE;
			snprintf(why[c], 192, "%s: %s by probe (%s)%s%s%s", names[c],
				 env->has[c] ? "yes" : "no", probe[c].how,
				 known && by_table != env->has[c] ? "; the table says " : "",
				 known && by_table != env->has[c] ? (by_table ? "yes" : "no") : "",
				 known && by_table != env->has[c] ? ", a backport?" : "");
		} else {
			env->has[c] = by_table;
			env->has_src[c] = KM_CSRC_TABLE;
			snprintf(why[c], 192, "%s: %s by version (%u.%u.%u %s %s)", names[c],
				 by_table ? "yes" : "no", env->kver[0], env->kver[1],
				 env->kver[2], by_table ? ">=" : "<", tab);
		}
	}
}
