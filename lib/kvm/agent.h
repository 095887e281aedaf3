/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host side of the guest agent: a VM with one vCPU whose memslot 0 holds the
 * agent, its mailbox and its stage-1 tables.  Tests map the memory they
 * study with km_agent_map(), queue commands and run.
 */
#ifndef KM_AGENT_H
#define KM_AGENT_H

#include "agent_abi.h"
#include "s1pt.h"
#include "vm.h"

#define KM_AGENT_SLOT		0
#define KM_RUN_TIMEOUT_MS	10000

struct km_agent {
	struct km_vm vm;
	struct km_vcpu vcpu;
	u8 *mem;		/* host view of the agent memslot */
	struct km_mbox *mbox;
	struct km_s1pt pt;
	unsigned int ncmds;
	unsigned int timeout_ms;
};

/* VM (ipa_bits, 0 = default) + vCPU + agent slot + identity maps. */
void km_agent_init(struct km_agent *a, unsigned int ipa_bits);
void km_agent_fini(struct km_agent *a);

/* Stage-1 map [va, va+size) -> [ipa, ...) with a KM_ATTR_* index. */
void km_agent_map(struct km_agent *a, u64 va, u64 ipa, u64 size, unsigned int attr,
		  unsigned int flags);

/* Start a new command list; append commands (returns the slot to inspect). */
void km_agent_reset(struct km_agent *a);
struct km_cmd *km_agent_cmd(struct km_agent *a, u32 op, u64 va, u32 size, u64 value);

/* Run until the agent rings the doorbell or anything else exits. */
void km_agent_run(struct km_agent *a, struct km_exit *x);
/* Run and require KM_X_DONE; ends the test with the exit described if not. */
void km_agent_run_done(struct km_agent *a);

/* Decoders for the recorded syndrome (fields and values: agent_abi.h). */
static inline unsigned int km_esr_ec(u64 esr) { return KM_ESR_EC(esr); }
static inline unsigned int km_esr_fsc(u64 esr) { return KM_ESR_FSC(esr); }

/* Host-written code for KM_OP_EXEC targets: "mov x0, #imm16; ret". */
void km_write_ret_imm(void *hva, u16 imm);

#endif /* KM_AGENT_H */
