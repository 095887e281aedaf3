/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known kernel issues, as data (the file `known-issues`, embedded in the
 * suite), in the spirit of kvm-unit-tests' errata.txt.
 */
#ifndef KM_KNOWN_ISSUES_H
#define KM_KNOWN_ISSUES_H

#include <stdbool.h>
#include <stddef.h>

#include "env.h"

/*
 * The reason of the first entry of text matching rule in env, copied into
 * reason, and its SYMPTOM into symptom ("" for "-": any failure); NULL when
 * none does.  Malformed lines never match.
 */
const char *km_known_issue_lookup(const char *text, const char *rule,
				  const struct km_env *env, char *reason, size_t len,
				  char *symptom, size_t slen);

#endif /* KM_KNOWN_ISSUES_H */
