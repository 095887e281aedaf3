/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware and kernel facts, read once per run from raw registers and KVM
 * itself.  Every expectation in the suite is computed from these, never from
 * the name of a CPU profile.
 */
#ifndef KM_FACTS_H
#define KM_FACTS_H

#include "util.h"

enum km_kvm_mode { KM_MODE_UNKNOWN, KM_MODE_VHE, KM_MODE_NVHE, KM_MODE_PROTECTED };

struct km_facts {
	/* Raw values as KVM presents them to a vCPU (KVM_GET_ONE_REG). */
	u64 midr;
	u64 id_aa64mmfr0, id_aa64mmfr1, id_aa64mmfr2;
	u64 id_aa64pfr0, id_aa64pfr1;
	u64 ctr_vcpu;
	/* Raw values read by this process at EL0. */
	u64 ctr_el0;
	u64 host_midr;		/* sysfs midr_el1 of cpu0, 0 if unreadable */

	/* Decoded. */
	unsigned int fwb;	/* ID_AA64MMFR2_EL1.FWB [43:40] */
	unsigned int dic;	/* CTR_EL0.DIC [29] */
	unsigned int idc;	/* CTR_EL0.IDC [28] */
	unsigned int parange;	/* ID_AA64MMFR0_EL1.PARange [3:0] */
	unsigned int mte;	/* ID_AA64PFR1_EL1.MTE [11:8] */
	long page_size;

	/* KVM. */
	enum km_kvm_mode kvm_mode;
	char kvm_mode_src[48];	/* where the mode was read from */
	int ipa_limit;		/* KVM_CAP_ARM_VM_IPA_SIZE */
	int cap_gmem;		/* KVM_CAP_GUEST_MEMFD */
	int cap_gmem_flags;	/* KVM_CAP_GUEST_MEMFD_FLAGS on the VM fd */
	int cap_cpfn;		/* KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED, VM fd */
	int cap_mte;		/* KVM_CAP_ARM_MTE */

	/* Kernel and platform. */
	char release[65];
	unsigned int kver[3];	/* major, minor, patch from uname -r */
	bool qemu_virt;		/* DT says linux,dummy-virt */
	bool tcg;		/* the runner booted us under QEMU TCG */
	char profile[32];	/* runner's profile label, for reports only */
};

extern struct km_facts km_facts;

/* Fill km_facts; 0, or -errno when /dev/kvm or a VM cannot be had. */
int km_facts_read(struct km_facts *f);
/* KTAP comment lines stating what the run ran on. */
void km_facts_print(const struct km_facts *f);
const char *km_kvm_mode_str(enum km_kvm_mode m);

/* The MIDR errata decisions use: the host's (sysfs), else the vCPU's. */
u64 km_cpu_midr(const struct km_facts *f);
/* Cortex-A57 r0p0-r1p2: Linux applies the ARM erratum 834220 workaround. */
bool km_has_erratum_834220(const struct km_facts *f);
/* "Cortex-A57 r1p0 (MIDR_EL1=0x411fd070)" and the like. */
const char *km_describe_midr(u64 midr, char *buf, size_t len);

/* kernel version at least maj.min.patch */
bool km_kernel_at_least(const struct km_facts *f, unsigned int maj, unsigned int min,
			unsigned int patch);

#endif /* KM_FACTS_H */
