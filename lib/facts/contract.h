/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which contract the kernel under test has (enum km_contract, lib/facts/env.h):
 * from a probe where the kernel can tell, else from its version and the
 * data file `contracts` (the first release of each change).  Pure: the
 * probes' answers come in as arguments.
 */
#ifndef KM_CONTRACT_H
#define KM_CONTRACT_H

#include "env.h"

/* A probe's answer: KM_PROBE_NONE when nothing of this kernel can tell. */
#define KM_PROBE_NONE	(-1)

struct km_contract_probe {
	int has;		/* 0, 1 or KM_PROBE_NONE */
	char how[96];		/* what was asked and what it answered */
};

const char *km_contract_name(enum km_contract c);

/*
 * The FIRST column of c's line in text, into v; false when the table has no
 * (well-formed) line for c.
 */
bool km_contract_first(const char *text, enum km_contract c, unsigned int v[3]);

/*
 * Decide env->has[] and env->has_src[] (env->kver must be set) from the
 * probes, else the table; why[c] says which and, where probe and table
 * disagree, both; by_version[c] is what the table alone says.
 */
void km_contract_decide(const char *text, struct km_env *env,
			const struct km_contract_probe probe[KM_C_NR],
			char why[KM_C_NR][192], bool by_version[KM_C_NR]);

#endif /* KM_CONTRACT_H */
