/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMs and vCPUs.  Paired helpers as in the KVM selftests library: the
 * __km_*() form returns the raw result (0 or -errno) for negative tests, the
 * km_*() form ends the test case on failure, for setup.
 */
#ifndef KM_VM_H
#define KM_VM_H

#include "compat.h"
#include "util.h"

/* exit_reason before each KVM_RUN: no exit KVM reports has this number. */
#define KM_EXIT_POISON		0xdead5a5aU

/* Small by default: a 52-bit IPA VM costs seconds to destroy under TCG. */
#define KM_DEFAULT_IPA_BITS 40

struct km_vm {
	int kvm_fd;
	int fd;
	unsigned int ipa_bits;
	int run_size;
};

struct km_vcpu {
	struct km_vm *vm;
	int fd;
	unsigned int id;
	struct kvm_run *run;
};

enum km_exit_kind {
	KM_X_DONE,		/* agent: command list finished */
	KM_X_SYNC,		/* agent: KM_OP_SYNC reached */
	KM_X_PANIC,		/* agent: unexpected exception */
	KM_X_MMIO,		/* KVM_EXIT_MMIO elsewhere than the doorbell */
	KM_X_MEMORY_FAULT,	/* KVM_RUN failed with KVM_EXIT_MEMORY_FAULT */
	KM_X_SYSTEM_EVENT,
	KM_X_ERROR,		/* KVM_RUN failed (err holds errno) */
	KM_X_TIMEOUT,		/* no exit within the run bound */
	KM_X_OTHER,		/* any other exit reason */
};

struct km_exit {
	enum km_exit_kind kind;
	int err;		/* errno of a failed KVM_RUN, else 0 */
	u32 reason;		/* kvm_run.exit_reason as left by KVM */
	u64 addr;		/* MMIO: phys_addr */
	u32 len;
	bool is_write;
	u64 data;		/* MMIO: data written (little endian) */
	struct km_memory_fault mf;
	u32 sys_type;
	double secs;		/* wall time of the KVM_RUN call */
};

int km_open_kvm(void);			/* fd or -errno */
int km_check_cap(int fd, long cap);	/* raw result or -errno */

int __km_vm_create(struct km_vm *vm, unsigned int ipa_bits);
void km_vm_create(struct km_vm *vm, unsigned int ipa_bits);
void km_vm_destroy(struct km_vm *vm);
int __km_enable_cap(int fd, u32 cap, u64 arg0);

int __km_vcpu_create(struct km_vm *vm, struct km_vcpu *vcpu, unsigned int id);
void km_vcpu_create(struct km_vm *vm, struct km_vcpu *vcpu, unsigned int id);
void km_vcpu_destroy(struct km_vcpu *vcpu);

/* ONE_REG ids: core registers and system registers. */
#define KM_CORE_REG(name) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			   KVM_REG_ARM_CORE_REG(name))
#define KM_REG_PC		KM_CORE_REG(regs.pc)
#define KM_SYS_REG(op0, op1, crn, crm, op2) ARM64_SYS_REG(op0, op1, crn, crm, op2)
#define KM_REG_MIDR_EL1		KM_SYS_REG(3, 0, 0, 0, 0)
#define KM_REG_ID_AA64PFR0	KM_SYS_REG(3, 0, 0, 4, 0)
#define KM_REG_ID_AA64PFR1	KM_SYS_REG(3, 0, 0, 4, 1)
#define KM_REG_ID_AA64MMFR0	KM_SYS_REG(3, 0, 0, 7, 0)
#define KM_REG_ID_AA64MMFR1	KM_SYS_REG(3, 0, 0, 7, 1)
#define KM_REG_ID_AA64MMFR2	KM_SYS_REG(3, 0, 0, 7, 2)
#define KM_REG_CTR_EL0		KM_SYS_REG(3, 3, 0, 0, 1)

int __km_get_reg(struct km_vcpu *vcpu, u64 id, u64 *val);
u64 km_get_reg(struct km_vcpu *vcpu, u64 id);
void km_set_reg(struct km_vcpu *vcpu, u64 id, u64 val);

/*
 * One KVM_RUN, bounded by timeout_ms (0: unbounded): a timer signal kicks
 * the vCPU out so a guest that never exits gives KM_X_TIMEOUT, not a hang.
 */
void km_vcpu_run(struct km_vcpu *vcpu, unsigned int timeout_ms, struct km_exit *x);
/* Complete an MMIO read exit with the value the guest should load. */
void km_vcpu_mmio_reply(struct km_vcpu *vcpu, u64 data);

const char *km_exit_kind_str(enum km_exit_kind k);
/* One line describing an exit, for logs. */
const char *km_exit_describe(const struct km_exit *x, char *buf, size_t len);

#endif /* KM_VM_H */
