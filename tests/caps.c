// SPDX-License-Identifier: GPL-2.0
/*
 * What KVM advertises must match what it does and what the hardware has.
 * (SPEC: kvm_vm_ioctl_check_extension_generic, kvm_arch_vm_ioctl_check_extension,
 * kvm_supports_cacheable_pfnmap, kvm_gmem_get_supported_flags.)
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "agent_abi.h"
#include "harness.h"
#include "facts.h"
#include "gmem.h"
#include "vm.h"

/*
 * The capability and the memslot refusal arrived together (the
 * cacheable-pfnmap contract, `contracts`).  Where the kernel lacks them the
 * capability must read 0 everywhere: its older contract is asserted too.
 */
TEST_RULE(cpfn_cap_vm, "CAP-CPFN-01",
	  "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED on a VM fd is 1 iff FWB and DIC (0 on a "
	  "kernel without the cacheable-pfnmap contract)")
{
	const struct km_facts *f = &km_facts;
	bool gate = km_env_has(&f->env, KM_C_CACHEABLE_PFNMAP);
	int cap, want = gate && f->env.fwb && f->env.dic;
	struct km_vm vm;

	TH_LOG("contract: %s", km_contract_why(KM_C_CACHEABLE_PFNMAP));
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	cap = km_check_cap(vm.fd, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	km_vm_destroy(&vm);
	TH_LOG("ID_AA64MMFR2_EL1.FWB=%u CTR_EL0.DIC=%u -> expect %d, KVM says %d",
	       f->fwb, f->dic, want, cap);
	ASSERT_EQ(want, cap);
}

/*
 * The probe of the contract is this very answer, so the rule is checked
 * against the version table instead: a kernel at or after the contract's
 * first release refuses the capability on /dev/kvm, an older one answers
 * 0 (it does not know it), and none answers 1.
 */
TEST_RULE(cpfn_cap_system, "CAP-CPFN-02",
	  "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED on /dev/kvm: EINVAL from the "
	  "cacheable-pfnmap release on (per the contracts table), 0 before it")
{
	int kvm = km_open_kvm(), r, err;
	bool by_version = km_facts.contract_by_version[KM_C_CACHEABLE_PFNMAP];

	ASSERT_GE(kvm, 0);
	r = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	err = errno;
	close(kvm);
	TH_LOG("kernel %s, by version %s the contract: /dev/kvm answers %d%s", km_facts.release,
	       by_version ? "has" : "predates", r, r < 0 ? (err == EINVAL ? " EINVAL" : " ?") : "");
	if (by_version) {
		EXPECT_EQ(-1, r);
		EXPECT_EQ(EINVAL, err);
	} else {
		EXPECT_EQ(0, r);
	}
}

/*
 * The suite takes DIC from the vCPU's CTR_EL0 (what KVM itself works from,
 * the kernel's sanitised value); user space may read another value at EL0,
 * where the kernel can trap CTR_EL0 and clear bits (e.g. DIC under the
 * Neoverse-N1 erratum 1542419 workaround).  It may hide coherency, never
 * claim coherency the system lacks.
 */
TEST_RULE(ctr_el0_view, "CAP-CTR-01",
	  "CTR_EL0 at EL0 claims DIC or IDC only where the vCPU's (the kernel's sanitised) "
	  "CTR_EL0 has it")
{
	const struct km_facts *f = &km_facts;
	unsigned int idc_el0 = KM_FIELD(f->ctr_el0, 28, 28);

	TH_LOG("CTR_EL0: EL0 %#llx (DIC=%u IDC=%u), vCPU %#llx (DIC=%u IDC=%u)",
	       (unsigned long long)f->ctr_el0, f->dic_el0, idc_el0,
	       (unsigned long long)f->ctr_vcpu, f->dic, f->idc);
	ASSERT_NE(0, f->ctr_vcpu) TH_LOG("no CTR_EL0 from KVM_GET_ONE_REG");
	EXPECT_TRUE(!f->dic_el0 || f->dic);
	EXPECT_TRUE(!idc_el0 || f->idc);
}

/* guest_memfd flags: every advertised bit creates, every other bit fails. */
FIXTURE(gmem_flags) {
	struct km_vm vm;
	int cap_fd;		/* the fd the capability is read from */
};

FIXTURE_VARIANT(gmem_flags) {
	KM_VARIANT_RULE;
	bool on_system_fd;
};

FIXTURE_VARIANT_ADD(gmem_flags, vm_fd) {
	.rule = "CAP-GMEMFLAGS-01",
	.summary = "KVM_CAP_GUEST_MEMFD_FLAGS (VM fd) lists exactly the flags "
		   "KVM_CREATE_GUEST_MEMFD accepts; other bits fail EINVAL",
	.on_system_fd = false,
};

FIXTURE_VARIANT_ADD(gmem_flags, system_fd) {
	.rule = "CAP-GMEMFLAGS-02",
	.summary = "KVM_CAP_GUEST_MEMFD_FLAGS on /dev/kvm is every flag the kernel knows "
		   "(at least MMAP|INIT_SHARED), a VM's is a subset of it, and each flag "
		   "/dev/kvm reports that a VM does not, or that /dev/kvm does not report, "
		   "fails EINVAL on that VM",
	.on_system_fd = true,
};

FIXTURE_SETUP(gmem_flags)
{
	km_vm_create(&self->vm, KM_DEFAULT_IPA_BITS);
	self->cap_fd = variant->on_system_fd ? self->vm.kvm_fd : self->vm.fd;
}

FIXTURE_TEARDOWN(gmem_flags)
{
	km_vm_destroy(&self->vm);
}

/*
 * What CAP-GMEMFLAGS-02 says.  kvm_gmem_get_supported_flags(kvm) answers
 * KVM_CAP_GUEST_MEMFD_FLAGS: on /dev/kvm with kvm == NULL, which takes every
 * flag the kernel has (MMAP always, INIT_SHARED because `!kvm ||
 * kvm_arch_supports_gmem_init_shared(kvm)`, and in the posted NO_DIRECT_MAP
 * series that flag too); on a VM fd with that VM, which may take fewer
 * (INIT_SHARED on an architecture that refuses it for the VM type,
 * NO_DIRECT_MAP without FEAT_S2FWB).  KVM_CREATE_GUEST_MEMFD on the VM checks
 * against the VM's set: a flag the kernel knows but the VM lacks is refused
 * EINVAL like one the kernel never heard of.  Both flags of Linux 6.18 to 7.3
 * exist wherever guest_memfd does on arm64, so /dev/kvm must report both.
 */
static void check_system_mask(int vm_fd, int mask_sys, int mask_vm)
{
	const u64 known = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	int bit, tried = 0;

	TH_LOG("KVM_CAP_GUEST_MEMFD_FLAGS: /dev/kvm 0x%x, VM 0x%x", mask_sys, mask_vm);
	EXPECT_EQ(known, (u64)mask_sys & known)
		TH_LOG("/dev/kvm does not report every flag of this uAPI (0x%llx)",
		       (unsigned long long)known);
	EXPECT_EQ(0, mask_vm & ~mask_sys)
		TH_LOG("the VM reports flags /dev/kvm does not: 0x%x", mask_vm & ~mask_sys);
	for (bit = 0; bit < 64; bit++) {
		u64 flag = 1ULL << bit;
		int r;

		if ((u64)mask_vm & flag)
			continue;	/* CAP-GMEMFLAGS-01: accepted */
		r = __km_gmem_create(vm_fd, 0x10000, flag);
		if (r >= 0)
			close(r);
		if ((u64)mask_sys & flag) {
			tried++;
			EXPECT_EQ(-EINVAL, r)
				TH_LOG("flag 0x%llx, known to the kernel but not to this VM: %d",
				       (unsigned long long)flag, r);
		} else {
			EXPECT_EQ(-EINVAL, r)
				TH_LOG("flag 0x%llx, unknown to the kernel: %d",
				       (unsigned long long)flag, r);
		}
	}
	TH_LOG("%d flag(s) the kernel knows and this VM does not%s", tried,
	       tried ? "" : " (the VM supports all of them)");
}

TEST_F(gmem_flags, each_bit)
{
	int cap_gmem = km_check_cap(self->vm.fd, KVM_CAP_GUEST_MEMFD);
	int mask_vm = km_check_cap(self->vm.fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	int mask = km_check_cap(self->cap_fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	int bit;

	if (cap_gmem <= 0)
		SKIP(return, "guest_memfd absent: KVM_CAP_GUEST_MEMFD=%d", cap_gmem);
	ASSERT_GE(mask, 0);
	ASSERT_GE(mask_vm, 0);
	if (variant->on_system_fd) {
		check_system_mask(self->vm.fd, mask, mask_vm);
		return;
	}
	TH_LOG("KVM_CAP_GUEST_MEMFD_FLAGS=0x%x", mask);
	for (bit = 0; bit < 64; bit++) {
		u64 flags = 1ULL << bit;
		int r = __km_gmem_create(self->vm.fd, 0x10000, flags);
		bool advertised = mask & flags;

		if (r >= 0)
			close(r);
		if (advertised)
			EXPECT_GE(r, 0) TH_LOG("advertised flag 0x%llx refused: %d",
					      (unsigned long long)flags, r);
		else
			EXPECT_EQ(-EINVAL, r) TH_LOG("unadvertised flag 0x%llx gave %d",
						     (unsigned long long)flags, r);
	}
	if (mask) {
		int r = __km_gmem_create(self->vm.fd, 0x10000, mask);

		EXPECT_GE(r, 0) TH_LOG("all advertised flags 0x%x together refused: %d", mask, r);
		if (r >= 0)
			close(r);
	}
}

TEST_RULE(gmem_create_system_fd, "CAP-GMEM-01",
	  "KVM_CREATE_GUEST_MEMFD is a VM ioctl: on /dev/kvm it fails EINVAL")
{
	int kvm = km_open_kvm(), cap, r;

	ASSERT_GE(kvm, 0);
	cap = km_check_cap(kvm, KVM_CAP_GUEST_MEMFD);
	if (cap <= 0) {
		close(kvm);
		SKIP(return, "guest_memfd absent: KVM_CAP_GUEST_MEMFD=%d", cap);
	}
	r = __km_gmem_create(kvm, 0x10000, GUEST_MEMFD_FLAG_MMAP);
	if (r >= 0)
		close(r);
	close(kvm);
	EXPECT_EQ(-EINVAL, r);
}

/* arm64 selects neither KVM_GENERIC_MEMORY_ATTRIBUTES nor ..._PRE_FAULT_MEMORY. */
TEST_RULE(memory_attributes_absent, "CAP-MEMATTR-01",
	  "KVM_CAP_MEMORY_ATTRIBUTES is 0 on arm64 and KVM_SET_MEMORY_ATTRIBUTES fails EINVAL")
{
	struct km_memory_attributes attr = {
		.address = KM_TEST_IPA, .size = 0x1000,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	struct km_vm vm;
	int r;

	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	EXPECT_EQ(0, km_check_cap(vm.fd, KVM_CAP_MEMORY_ATTRIBUTES));
	r = ioctl(vm.fd, KM_SET_MEMORY_ATTRIBUTES, &attr);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINVAL, errno);
	km_vm_destroy(&vm);
}

TEST_RULE(pre_fault_absent, "CAP-PREFAULT-01",
	  "KVM_CAP_PRE_FAULT_MEMORY is 0 on arm64 and KVM_PRE_FAULT_MEMORY fails EINVAL")
{
	struct km_pre_fault_memory pf = { .gpa = 0x40000000, .size = 0x1000 };
	struct km_vcpu vcpu;
	struct km_vm vm;
	int r;

	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	km_vcpu_create(&vm, &vcpu, 0);
	EXPECT_EQ(0, km_check_cap(vm.fd, KVM_CAP_PRE_FAULT_MEMORY));
	r = ioctl(vcpu.fd, KM_PRE_FAULT_MEMORY, &pf);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINVAL, errno);
	km_vcpu_destroy(&vcpu);
	km_vm_destroy(&vm);
}

KM_RULE_DOC(caps_cpfn, "CAP-CPFN-*",
	    "arm.c:kvm_vm_ioctl_check_extension; kvm_mmu.h:kvm_supports_cacheable_pfnmap",
	    "- (CAP-CPFN-02 reads the contracts table: Linux 6.17)", "yes")
KM_RULE_DOC(caps_ctr, "CAP-CTR-01",
	    "arch/arm64/kernel/traps.c:ctr_read_handler; sys_regs.c (CTR_EL0 of a vCPU)",
	    "-", "yes")
KM_RULE_DOC(caps_gmemflags, "CAP-GMEMFLAGS-*",
	    "kvm_main.c:kvm_vm_ioctl_check_extension_generic; guest_memfd.c:kvm_gmem_create",
	    "KVM_CAP_GUEST_MEMFD", "yes")
KM_RULE_DOC(caps_gmem, "CAP-GMEM-01", "kvm_main.c:kvm_dev_ioctl (not a /dev/kvm ioctl)",
	    "KVM_CAP_GUEST_MEMFD", "yes")
KM_RULE_DOC(caps_memattr, "CAP-MEMATTR-01",
	    "arm64 selects no KVM_GENERIC_MEMORY_ATTRIBUTES; arm.c:kvm_arch_vm_ioctl", "-", "yes")
KM_RULE_DOC(caps_prefault, "CAP-PREFAULT-01",
	    "arm64 selects no KVM_GENERIC_PRE_FAULT_MEMORY; arm.c:kvm_arch_vcpu_ioctl", "-", "yes")
