// SPDX-License-Identifier: GPL-2.0
/*
 * km_facts_read(): the facts come from KVM and the test module themselves,
 * so this file, alone in lib/facts/, calls layers above its own: a VM and a
 * vCPU for the ID registers and capabilities (lib/kvm/vm.h), a page of the
 * test module for the GUP-fast probe (lib/mem/pfnmap.h).  It runs once, in
 * the global setup before any case, and nothing it calls reads km_facts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "contract.h"
#include "harness.h"
#include "pfnmap.h"
#include "facts.h"
#include "sysfs.h"
#include "vm.h"

struct km_facts km_facts;

/* The runner tags the kernel command line; natively it is absent. */
static void read_cmdline(struct km_facts *f, char *cmdline, size_t len)
{
	char *p;

	if (!km_read_text("/proc/cmdline", cmdline, len))
		cmdline[0] = 0;
	f->env.tcg = strstr(cmdline, "kvm_memattr.accel=tcg") != NULL;
	p = strstr(cmdline, "kvm_memattr.profile=");
	if (p && sscanf(p + strlen("kvm_memattr.profile="), "%31s", f->profile) != 1)
		f->profile[0] = 0;
}

/*
 * The KVM mode is not in any register EL0 can read: take it from the boot
 * log KVM prints at init, else from the kvm-arm.mode parameter.
 */
static void read_kvm_mode(struct km_facts *f, const char *cmdline)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *log = len > 0 ? malloc(len + 1) : NULL;
	int n = log ? klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len) : -1;

	f->env.mode = KM_MODE_UNKNOWN;
	if (n > 0) {
		log[n] = 0;
		snprintf(f->kvm_mode_src, sizeof(f->kvm_mode_src), "boot log");
		/* arm.c prints "Protected nVHE", or "Protected hVHE" on VHE CPUs. */
		if (strstr(log, "Protected nVHE mode initialized") ||
		    strstr(log, "Protected hVHE mode initialized"))
			f->env.mode = KM_MODE_PROTECTED;
		else if (strstr(log, "nVHE mode initialized") ||
			 strstr(log, "hVHE mode initialized") ||
			 /* Linux 6.1 and older call nVHE "Hyp mode". */
			 strstr(log, "Hyp mode initialized"))
			f->env.mode = KM_MODE_NVHE;
		else if (strstr(log, "VHE mode initialized"))
			f->env.mode = KM_MODE_VHE;
	}
	free(log);
	if (f->env.mode == KM_MODE_UNKNOWN) {
		snprintf(f->kvm_mode_src, sizeof(f->kvm_mode_src), "cmdline");
		if (strstr(cmdline, "kvm-arm.mode=protected"))
			f->env.mode = KM_MODE_PROTECTED;
		else if (strstr(cmdline, "kvm-arm.mode=nvhe"))
			f->env.mode = KM_MODE_NVHE;
		else
			snprintf(f->kvm_mode_src, sizeof(f->kvm_mode_src), "not found");
	}
}

static u64 read_ctr_el0(void)
{
	u64 v = 0;

#ifdef __aarch64__
	asm volatile("mrs %0, ctr_el0" : "=r"(v));
#endif
	return v;
}

static int read_vcpu_regs(struct km_facts *f)
{
	struct km_vm vm;
	struct km_vcpu vcpu;
	int r;

	r = __km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	if (r)
		return r;
	f->ipa_limit = km_check_cap(vm.kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE);
	f->cap_gmem = km_check_cap(vm.fd, KVM_CAP_GUEST_MEMFD);
	f->cap_gmem_flags = km_check_cap(vm.fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	f->cap_cpfn = km_check_cap(vm.fd, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	f->cap_mte = km_check_cap(vm.fd, KVM_CAP_ARM_MTE);
	f->cap_umem2 = km_check_cap(vm.fd, KVM_CAP_USER_MEMORY2);
	/* A kernel that knows this capability refuses it on /dev/kvm. */
	f->cap_cpfn_sys = km_check_cap(vm.kvm_fd, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	r = __km_vcpu_create(&vm, &vcpu, 0);
	if (!r) {
		r = __km_get_reg(&vcpu, KM_REG_MIDR_EL1, &f->midr) ?:
		    __km_get_reg(&vcpu, KM_REG_ID_AA64MMFR0, &f->id_aa64mmfr0) ?:
		    __km_get_reg(&vcpu, KM_REG_ID_AA64MMFR1, &f->id_aa64mmfr1) ?:
		    __km_get_reg(&vcpu, KM_REG_ID_AA64MMFR2, &f->id_aa64mmfr2) ?:
		    __km_get_reg(&vcpu, KM_REG_ID_AA64PFR0, &f->id_aa64pfr0) ?:
		    __km_get_reg(&vcpu, KM_REG_ID_AA64PFR1, &f->id_aa64pfr1) ?:
		    __km_get_reg(&vcpu, KM_REG_CTR_EL0, &f->ctr_vcpu);
		km_vcpu_destroy(&vcpu);
	}
	km_vm_destroy(&vm);
	return r;
}

/*
 * GUP-fast on one of the test module's own pages (alloc_pages(), inserted
 * with vm_insert_page(): no folio->mapping): 1 taken, 0 refused, -1 no
 * module to ask.
 */
static int probe_gup_fast_unmapped(void)
{
	struct km_pfn_req req = KM_PFN_KMOD(RAM, CACHEABLE, PAGE, 0);
	struct km_pfn_map m;
	char why[256];
	int r = -1;

	req.size = 0x1000;
	memset(&m, 0, sizeof(m));
	if (!km_pfn_get(&req, &m, why, sizeof(why)))
		r = km_kmod_gup_probe(m.hva);
	km_pfn_put(&m);
	return r < 0 ? -1 : r;
}

/* The probes of lib/facts/env.h's contracts: what this kernel itself says. */
static void probe_contracts(const struct km_facts *f, struct km_contract_probe *p)
{
	unsigned int c;

	for (c = 0; c < KM_C_NR; c++)
		p[c].has = KM_PROBE_NONE;
	p[KM_C_USER_MEMORY2].has = f->cap_umem2 > 0;
	snprintf(p[KM_C_USER_MEMORY2].how, sizeof(p->how), "KVM_CAP_USER_MEMORY2=%d",
		 f->cap_umem2);
	p[KM_C_GUEST_MEMFD].has = f->cap_gmem > 0;
	snprintf(p[KM_C_GUEST_MEMFD].how, sizeof(p->how), "KVM_CAP_GUEST_MEMFD=%d",
		 f->cap_gmem);
	/*
	 * The capability arrived with the rules.  On a VM fd it is 1 only on
	 * FWB && DIC hosts; on /dev/kvm a kernel that knows it says EINVAL,
	 * one that does not says 0 (the default of check_extension).
	 */
	p[KM_C_CACHEABLE_PFNMAP].has = f->cap_cpfn > 0 || f->cap_cpfn_sys == -EINVAL;
	/*
	 * The test module is built against the kernel's own headers: it knows
	 * whether VM_ALLOW_ANY_UNCACHED exists.  Without the module only the
	 * version can tell.
	 */
	if (f->kmod_lacks >= 0) {
		p[KM_C_ALLOW_ANY_UNCACHED].has = !(f->kmod_lacks & MPF_LACKS_ALLOW_ANY_UNCACHED);
		snprintf(p[KM_C_ALLOW_ANY_UNCACHED].how, sizeof(p->how),
			 "the test module, built against this kernel: lacks=%#x", f->kmod_lacks);
	}
	if (f->gup_fast_unmapped >= 0) {
		p[KM_C_GUP_FAST_UNMAPPED].has = f->gup_fast_unmapped;
		snprintf(p[KM_C_GUP_FAST_UNMAPPED].how, sizeof(p->how),
			 "the test module: GUP-fast FOLL_WRITE on its own vm_insert_page() page "
			 "%s", f->gup_fast_unmapped ? "taken" : "refused");
	}
	snprintf(p[KM_C_CACHEABLE_PFNMAP].how, sizeof(p->how),
		 "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED: VM fd %d, /dev/kvm %s%d",
		 f->cap_cpfn, f->cap_cpfn_sys == -EINVAL ? "EINVAL " : "", f->cap_cpfn_sys);
}

int km_facts_read(struct km_facts *f, const char *contracts)
{
	struct km_contract_probe probe[KM_C_NR];
	char cmdline[1024], buf[64], why[256];
	struct mpf_info info;
	struct utsname u;
	int r;

	memset(f, 0, sizeof(*f));
	f->env.page_size = sysconf(_SC_PAGESIZE);
	if (uname(&u) == 0) {
		snprintf(f->release, sizeof(f->release), "%s", u.release);
		sscanf(u.release, "%u.%u.%u", &f->env.kver[0], &f->env.kver[1],
		       &f->env.kver[2]);
	}
	read_cmdline(f, cmdline, sizeof(cmdline));
	if (km_read_text("/proc/device-tree/compatible", buf, sizeof(buf)))
		f->qemu_virt = strcmp(buf, "linux,dummy-virt") == 0;
	if (km_read_text("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", buf,
		      sizeof(buf)))
		f->host_midr = strtoull(buf, NULL, 0);
	f->ctr_el0 = read_ctr_el0();
	read_kvm_mode(f, cmdline);

	r = read_vcpu_regs(f);
	f->kmod_lacks = km_kmod_info(&info, why, sizeof(why)) ? -1 : (int)info.lacks;
	f->gup_fast_unmapped = f->kmod_lacks >= 0 ? probe_gup_fast_unmapped() : -1;
	/*
	 * FWB is hidden from EL0 (the kernel reports 0 there), but KVM hands the
	 * sanitised host value to its vCPUs.  CTR_EL0 at EL0 may be trapped and
	 * changed by the kernel (e.g. Neoverse-N1 erratum 1542419 hides DIC),
	 * so DIC, too, is the vCPU's: the value KVM itself works from.
	 */
	f->fwb = KM_FIELD(f->id_aa64mmfr2, 43, 40);
	f->parange = KM_FIELD(f->id_aa64mmfr0, 3, 0);
	f->mte = KM_FIELD(f->id_aa64pfr1, 11, 8);
	f->dic = KM_FIELD(f->ctr_vcpu, 29, 29);
	f->idc = KM_FIELD(f->ctr_vcpu, 28, 28);
	f->dic_el0 = KM_FIELD(f->ctr_el0, 29, 29);
	f->env.fwb = f->fwb != 0;
	f->env.dic = f->dic != 0;
	f->env.erratum_834220 = km_has_erratum_834220(f);
	probe_contracts(f, probe);
	km_contract_decide(contracts, &f->env, probe, f->contract_why, f->contract_by_version);
	return r;
}

const char *km_contract_why(enum km_contract c)
{
	return (unsigned int)c < KM_C_NR ? km_facts.contract_why[c] : "?";
}

void km_log_contracts(unsigned int mask)
{
	unsigned int c;

	for (c = 0; c < KM_C_NR; c++)
		if (mask & KM_BIT(c))
			km_log("contract applied: %s", km_facts.contract_why[c]);
}

const char *km_kvm_mode_str(enum km_kvm_mode m)
{
	switch (m) {
	case KM_MODE_VHE: return "vhe";
	case KM_MODE_NVHE: return "nvhe";
	case KM_MODE_PROTECTED: return "protected";
	default: return "unknown";
	}
}

void km_facts_print(const struct km_facts *f)
{
	unsigned int c;

	printf("# kernel: %s\n", f->release);
	printf("# platform: %s, accel=%s, profile=%s\n",
	       f->qemu_virt ? "qemu-virt" : "native", f->env.tcg ? "tcg" : "hw",
	       f->profile[0] ? f->profile : "-");
	printf("# MIDR_EL1=0x%llx (vcpu) 0x%llx (host sysfs)\n",
	       (unsigned long long)f->midr, (unsigned long long)f->host_midr);
	printf("# ID_AA64MMFR2_EL1=0x%016llx FWB=%u; ID_AA64MMFR0_EL1=0x%016llx PARange=%u\n",
	       (unsigned long long)f->id_aa64mmfr2, f->fwb,
	       (unsigned long long)f->id_aa64mmfr0, f->parange);
	printf("# ID_AA64PFR1_EL1=0x%016llx MTE=%u (vcpu view: KVM hides MTE until a VM enables it)\n",
	       (unsigned long long)f->id_aa64pfr1,
	       f->mte);
	printf("# CTR_EL0=0x%llx (vcpu) DIC=%u IDC=%u; 0x%llx (EL0) DIC=%u\n",
	       (unsigned long long)f->ctr_vcpu, f->dic, f->idc, (unsigned long long)f->ctr_el0,
	       f->dic_el0);
	printf("# KVM: mode=%s (%s) ipa_limit=%d page_size=%llu\n", km_kvm_mode_str(f->env.mode),
	       f->kvm_mode_src, f->ipa_limit, f->env.page_size);
	printf("# KVM caps: USER_MEMORY2=%d GUEST_MEMFD=%d GUEST_MEMFD_FLAGS=0x%x "
	       "CACHEABLE_PFNMAP_SUPPORTED=%d (/dev/kvm %d) ARM_MTE=%d\n", f->cap_umem2,
	       f->cap_gmem, f->cap_gmem_flags, f->cap_cpfn, f->cap_cpfn_sys, f->cap_mte);
	for (c = 0; c < KM_C_NR; c++)
		printf("# contract: %s\n", f->contract_why[c]);
}

u64 km_cpu_midr(const struct km_facts *f)
{
	return f->host_midr ? f->host_midr : f->midr;
}

#define MIDR_IMPL(m)	KM_FIELD(m, 31, 24)
#define MIDR_VAR(m)	KM_FIELD(m, 23, 20)
#define MIDR_PART(m)	KM_FIELD(m, 15, 4)
#define MIDR_REV(m)	KM_FIELD(m, 3, 0)

bool km_has_erratum_834220(const struct km_facts *f)
{
	u64 m = km_cpu_midr(f);

	return MIDR_IMPL(m) == 0x41 && MIDR_PART(m) == 0xd07 &&
	       (MIDR_VAR(m) << 4 | MIDR_REV(m)) <= 0x12;
}

const char *km_describe_midr(u64 midr, char *buf, size_t len)
{
	static const struct { unsigned int part; const char *name; } arm[] = {
		{ 0xd03, "Cortex-A53" }, { 0xd07, "Cortex-A57" }, { 0xd08, "Cortex-A72" },
		{ 0xd0c, "Neoverse-N1" }, { 0xd40, "Neoverse-V1" }, { 0xd49, "Neoverse-N2" },
	};
	const char *name = NULL;
	unsigned int i;

	for (i = 0; MIDR_IMPL(midr) == 0x41 && i < KM_ARRAY_SIZE(arm); i++)
		if (arm[i].part == MIDR_PART(midr))
			name = arm[i].name;
	if (name)
		snprintf(buf, len, "%s r%llup%llu (MIDR_EL1=0x%llx)", name,
			 (unsigned long long)MIDR_VAR(midr), (unsigned long long)MIDR_REV(midr),
			 (unsigned long long)midr);
	else
		snprintf(buf, len, "implementer 0x%llx part 0x%llx r%llup%llu (MIDR_EL1=0x%llx)",
			 (unsigned long long)MIDR_IMPL(midr), (unsigned long long)MIDR_PART(midr),
			 (unsigned long long)MIDR_VAR(midr), (unsigned long long)MIDR_REV(midr),
			 (unsigned long long)midr);
	return buf;
}
