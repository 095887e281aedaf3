// SPDX-License-Identifier: GPL-2.0
/*
 * The descriptor reader (kmod/memattr_s2desc, lib/oracle/s2desc_kmod.c) is an
 * oracle other tests trust, so its own properties are rules: it reads this
 * VM's stage 2 as the host's facts describe it (FWB, the granule, the IPA
 * size and VTCR_EL2 KVM chose), it takes nothing but a KVM VM file
 * descriptor and only from root, and under protected KVM it says that the
 * tables are out of its reach.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "agent.h"
#include "facts.h"
#include "s2desc_kmod.h"

#define NO_SLOT_IPA	0x90000000ULL	/* no memslot here */

KM_RULE_DOC(s2desc, "S2DESC-*",
	    "kmod/memattr_s2desc.c (kvm->arch.mmu.pgt under kvm->mmu_lock); "
	    "hyp/pgtable.c:stage2_set_prot_attr; kvm_main.c:kvm_dev_ioctl_create_vm "
	    "(the kvm-vm anon inode)",
	    "root; the test module (make kmod; /dev/memattr_s2desc); S2DESC-04 protected KVM",
	    "yes")

/* The device itself, whatever the oracle's verdict (it refuses pKVM). */
static int open_dev(void)
{
	int fd = open(MS2_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		SKIP(return -1, "test module not loaded: %s absent%s", MS2_DEVICE_PATH,
		     errno == ENOENT ? "" : " or unusable");
	return fd;
}

/* One MS2_IOC_WALK; 0 or -errno. */
static int walk_w(int dev, struct ms2_walk *w)
{
	return ioctl(dev, MS2_IOC_WALK, w) ? -errno : 0;
}

static int walk(int dev, int vm_fd, u64 ipa, u32 npages, struct ms2_entry *ents)
{
	struct ms2_walk w = {
		.vm_fd = vm_fd, .npages = npages, .ipa = ipa, .entries = (u64)(uintptr_t)ents,
	};

	return walk_w(dev, &w);
}

TEST_RULE(s2desc_facts, "S2DESC-01",
	  "the descriptor reader agrees with the facts: FWB as the vCPU's ID_AA64MMFR2_EL1 "
	  "and vCPU 0's HCR_EL2 say, the page size, the VM's IPA size in kvm_pgtable and "
	  "VTCR_EL2 (T0SZ, inner-shareable SH0); the agent's mailbox is mapped Normal R/W in "
	  "the host's exact MemAttr and an IPA without a memslot is not mapped")
{
	const struct ms2_info *info;
	struct km_s2desc_vm vm;
	struct km_s2desc d;
	struct km_agent a;
	char why[200], line[320];
	int want_ma;

	info = km_s2desc_info(why, sizeof(why));
	if (!info)
		SKIP(return, "%s", why);
	TH_LOG("memattr_s2desc: FWB=%u XNX=%u LPA2=%u protected=%u page %u, VM fds checked by %s",
	       info->fwb, info->xnx, info->lpa2, info->protected_kvm, info->page_size,
	       info->vm_check & MS2_CHECK_IOCTL_ADDR ? "name and kvm_vm_ioctl" : "name only");
	EXPECT_EQ(km_facts.fwb != 0, info->fwb != 0)
		TH_LOG("ID_AA64MMFR2_EL1.FWB=%u (vCPU), ARM64_HAS_STAGE2_FWB=%u", km_facts.fwb,
		       info->fwb);
	EXPECT_EQ(km_facts.env.page_size, info->page_size);
	EXPECT_NE(0, info->vm_check & MS2_CHECK_IOCTL_ADDR)
		TH_LOG("the kprobe lookup of kvm_vm_ioctl failed (see the module's log)");

	km_agent_init(&a, 0);
	km_agent_reset(&a);
	km_agent_cmd(&a, KM_OP_NOP, 0, 0, 0);
	km_agent_run_done(&a);
	ASSERT_EQ(0, km_s2desc_read(a.vm.fd, KM_AGENT_IPA + KM_MBOX_OFF, 1, &d, &vm, why,
				    sizeof(why))) TH_LOG("%s", why);
	TH_LOG("s2desc: agent mailbox: %s", km_s2desc_str(&d, line, sizeof(line)));
	TH_LOG("s2desc: VM: ia_bits %u, start level %d, VTCR_EL2 0x%llx (DS %d, SH0 %u), "
	       "HCR_EL2.FWB %d, kvm_pgtable flags 0x%x", vm.ia_bits, vm.start_level, vm.vtcr,
	       vm.ctx.ds, vm.ctx.sh0, vm.hcr_fwb, vm.pgt_flags);
	EXPECT_EQ(!!info->fwb, vm.hcr_fwb);
	EXPECT_EQ(a.vm.ipa_bits, vm.ia_bits);
	EXPECT_EQ(64 - a.vm.ipa_bits, vm.vtcr & 0x3f) TH_LOG("VTCR_EL2.T0SZ");
	EXPECT_EQ(KM_SH_ISH, vm.ctx.sh0) TH_LOG("VTCR_EL2.SH0");
	EXPECT_EQ(!!info->lpa2, vm.ctx.ds) TH_LOG("VTCR_EL2.DS against kvm_lpa2_is_enabled()");
	EXPECT_EQ(0, vm.pgt_flags) TH_LOG("a guest's stage 2 has no IDMAP/AS_S1 flags");

	ASSERT_TRUE(d.mapped) TH_LOG("the agent ran, yet its mailbox is not mapped");
	want_ma = km_s2ma_want(KM_MT_NORMAL, vm.ctx.fwb);
	EXPECT_EQ(want_ma, (int)d.ma.raw);
	EXPECT_TRUE(d.r && d.w);
	EXPECT_EQ(KM_SH_ISH, d.sh);
	EXPECT_TRUE(d.af);
	EXPECT_TRUE(d.size == (u64)km_facts.env.page_size || d.size == KM_AGENT_SIZE)
		TH_LOG("leaf of 0x%llx bytes", d.size);

	ASSERT_EQ(0, km_s2desc_read(a.vm.fd, NO_SLOT_IPA, 1, &d, NULL, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_FALSE(d.mapped) TH_LOG("%s", km_s2desc_str(&d, line, sizeof(line)));
	km_agent_fini(&a);
}

TEST_RULE(s2desc_refusals, "S2DESC-02",
	  "the descriptor reader takes only a KVM VM fd (/dev/kvm, a vCPU fd, an eventfd and "
	  "a regular file named kvm-vm: EINVAL; a closed fd: EBADF) and a range it can walk "
	  "(unaligned IPA, 0 or too many pages, a reserved field: EINVAL; beyond the IPA "
	  "size: ERANGE)")
{
	struct ms2_entry ents[4];
	struct ms2_walk w;
	char path[] = "/tmp/km-s2desc-XXXXXX", file[64];
	struct km_agent a;
	int dev, fd, efd, r;
	bool pkvm;

	dev = open_dev();
	if (dev < 0)
		return;
	pkvm = km_facts.env.mode == KM_MODE_PROTECTED;
	km_agent_init(&a, 0);

	EXPECT_EQ(-EINVAL, walk(dev, a.vm.kvm_fd, 0, 1, ents)) TH_LOG("/dev/kvm");
	EXPECT_EQ(-EINVAL, walk(dev, a.vcpu.fd, 0, 1, ents)) TH_LOG("a vCPU fd");
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	EXPECT_EQ(-EINVAL, walk(dev, efd, 0, 1, ents)) TH_LOG("an eventfd");
	close(efd);
	EXPECT_EQ(-EBADF, walk(dev, efd, 0, 1, ents)) TH_LOG("a closed fd");
	ASSERT_NE(NULL, mkdtemp(path));
	snprintf(file, sizeof(file), "%s/kvm-vm", path);
	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, walk(dev, fd, 0, 1, ents)) TH_LOG("a file named kvm-vm");
	close(fd);
	unlink(file);
	rmdir(path);

	EXPECT_EQ(-EINVAL, walk(dev, a.vm.fd, 0x800, 1, ents)) TH_LOG("unaligned IPA");
	EXPECT_EQ(-EINVAL, walk(dev, a.vm.fd, 0, 0, ents)) TH_LOG("0 pages");
	EXPECT_EQ(-EINVAL, walk(dev, a.vm.fd, 0, MS2_MAX_PAGES + 1, ents))
		TH_LOG("too many pages");
	w = (struct ms2_walk){ .vm_fd = a.vm.fd, .npages = 1, .entries = (u64)(uintptr_t)ents };
	w.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, walk_w(dev, &w)) TH_LOG("a reserved field");
	/* The last page of the IPA space walks; one beyond it does not. */
	r = walk(dev, a.vm.fd, (1ULL << a.vm.ipa_bits) - km_facts.env.page_size, 1, ents);
	EXPECT_EQ(pkvm ? -EOPNOTSUPP : 0, r) TH_LOG("the last page: %s", strerror(-r));
	r = walk(dev, a.vm.fd, 1ULL << a.vm.ipa_bits, 1, ents);
	EXPECT_EQ(pkvm ? -EOPNOTSUPP : -ERANGE, r) TH_LOG("beyond the IPA size: %s", strerror(-r));
	km_agent_fini(&a);
	close(dev);
}

TEST_RULE(s2desc_root, "S2DESC-03",
	  "the descriptor reader is root's: without CAP_SYS_ADMIN opening /dev/memattr_s2desc "
	  "fails, and a walk through a descriptor opened before fails EPERM")
{
	struct ms2_entry ent;
	struct km_agent a;
	int dev, st;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "not root: euid %u", geteuid());
	dev = open_dev();
	if (dev < 0)
		return;
	km_agent_init(&a, 0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int r, fd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(MS2_DEVICE_PATH, O_RDWR);
		if (fd >= 0)
			_exit(11);
		r = walk(dev, a.vm.fd, KM_AGENT_IPA, 1, &ent);
		_exit(r == -EPERM ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st))
		TH_LOG("%s", WEXITSTATUS(st) == 10 ? "could not drop to uid 65534" :
			     WEXITSTATUS(st) == 11 ? "uid 65534 opened the device" :
			     "the walk did not fail EPERM without CAP_SYS_ADMIN");
	km_agent_fini(&a);
	close(dev);
}

TEST_RULE(s2desc_pkvm, "S2DESC-04",
	  "under protected KVM the descriptor reader refuses every walk of a VM with "
	  "EOPNOTSUPP (the stage-2 tables live in hypervisor memory) and says so in its info")
{
	struct ms2_info info;
	struct ms2_entry ent;
	struct km_agent a;
	int dev, r;

	if (km_facts.env.mode != KM_MODE_PROTECTED)
		SKIP(return, "not protected KVM: the KVM mode is %s (%s)",
		     km_kvm_mode_str(km_facts.env.mode), km_facts.kvm_mode_src);
	dev = open_dev();
	if (dev < 0)
		return;
	ASSERT_EQ(0, ioctl(dev, MS2_IOC_INFO, &info));
	EXPECT_EQ(1, info.protected_kvm);
	km_agent_init(&a, 0);
	km_agent_reset(&a);
	km_agent_cmd(&a, KM_OP_NOP, 0, 0, 0);
	km_agent_run_done(&a);
	r = walk(dev, a.vm.fd, KM_AGENT_IPA, 1, &ent);
	EXPECT_EQ(-EOPNOTSUPP, r) TH_LOG("walk: %s", strerror(-r));
	km_agent_fini(&a);
	close(dev);
}
