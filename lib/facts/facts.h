/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware and kernel facts, read once per run from raw registers and KVM
 * itself.  Every expectation in the suite is computed from these, never from
 * the name of a CPU profile.
 */
#ifndef KM_FACTS_H
#define KM_FACTS_H

#include "env.h"
#include "util.h"

struct km_facts {
	/* Raw values as KVM presents them to a vCPU (KVM_GET_ONE_REG). */
	u64 midr;
	u64 id_aa64mmfr0, id_aa64mmfr1, id_aa64mmfr2;
	u64 id_aa64pfr0, id_aa64pfr1;
	u64 ctr_vcpu;
	/* Raw values read by this process at EL0. */
	u64 ctr_el0;
	u64 host_midr;		/* sysfs midr_el1 of cpu0, 0 if unreadable */

	/* Fields of those, for messages that quote the raw value. */
	unsigned int fwb;	/* ID_AA64MMFR2_EL1.FWB [43:40] */
	unsigned int dic;	/* CTR_EL0.DIC [29] of the vCPU's CTR_EL0 */
	unsigned int idc;	/* CTR_EL0.IDC [28] of the vCPU's CTR_EL0 */
	unsigned int dic_el0;	/* CTR_EL0.DIC [29] as this process reads it */
	unsigned int parange;	/* ID_AA64MMFR0_EL1.PARange [3:0] */
	unsigned int mte;	/* ID_AA64PFR1_EL1.MTE [11:8] */

	/* What the expectations read: the one fact model (lib/facts/env.h). */
	struct km_env env;
	char contract_why[KM_C_NR][192];	/* how each contract was decided */
	bool contract_by_version[KM_C_NR];	/* what the contracts table alone says */

	/* KVM. */
	char kvm_mode_src[48];	/* where env.mode was read from */
	int ipa_limit;		/* KVM_CAP_ARM_VM_IPA_SIZE */
	int cap_gmem;		/* KVM_CAP_GUEST_MEMFD */
	int cap_gmem_flags;	/* KVM_CAP_GUEST_MEMFD_FLAGS on the VM fd */
	int cap_cpfn;		/* KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED, VM fd */
	int cap_cpfn_sys;	/* the same on /dev/kvm: -errno when refused */
	int cap_mte;		/* KVM_CAP_ARM_MTE */
	int cap_umem2;		/* KVM_CAP_USER_MEMORY2 */
	int kmod_lacks;		/* the test module's MPF_LACKS_* mask; -1: no module */
	int gup_fast_unmapped;	/* its GUP-fast write probe: 1, 0, -1 no module */

	/* Kernel and platform. */
	char release[65];
	bool qemu_virt;		/* DT says linux,dummy-virt */
	char profile[32];	/* runner's profile label, for reports only */
};

extern struct km_facts km_facts;

/*
 * Fill km_facts, env included; 0, or -errno when /dev/kvm or a VM cannot be
 * had.  contracts is the text of the `contracts` table (NULL: none).
 */
int km_facts_read(struct km_facts *f, const char *contracts);
/* KTAP comment lines stating what the run ran on. */
void km_facts_print(const struct km_facts *f);
const char *km_kvm_mode_str(enum km_kvm_mode m);

/* The MIDR errata decisions use: the host's (sysfs), else the vCPU's. */
u64 km_cpu_midr(const struct km_facts *f);
/* Cortex-A57 r0p0-r1p2: Linux applies the ARM erratum 834220 workaround. */
bool km_has_erratum_834220(const struct km_facts *f);
/* "Cortex-A57 r1p0 (MIDR_EL1=0x411fd070)" and the like. */
const char *km_describe_midr(u64 midr, char *buf, size_t len);

/* "cacheable-pfnmap: yes by probe (...)": how a contract was decided. */
const char *km_contract_why(enum km_contract c);
/* Log (km_log) a line per contract of mask (KM_BIT(enum km_contract)) a case applied. */
void km_log_contracts(unsigned int mask);

#endif /* KM_FACTS_H */
