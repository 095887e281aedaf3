/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * memattr_s2desc: the kvm-memattr stage-2 descriptor reader's interface.
 *
 * /dev/memattr_s2desc (root only: CAP_SYS_ADMIN) reads, for a KVM VM the
 * caller holds a file descriptor of, the stage-2 descriptors KVM installed
 * for a range of IPAs, as they sit in the VM's page tables
 * (kvm->arch.mmu.pgt), walked in the architectural format with the kernel's
 * PAGE_SIZE granule:
 *
 *   ioctl(fd, MS2_IOC_INFO, &info)   what decoding the descriptors needs
 *   ioctl(fd, MS2_IOC_WALK, &walk)   one entry per page of [ipa, ipa + n pages)
 *
 * Nothing is decoded here: the suite decodes the raw descriptors per the
 * Arm ARM (lib/oracle/s2desc.c).  Errors of MS2_IOC_WALK:
 *   EPERM       not CAP_SYS_ADMIN
 *   EBADF       vm_fd is not an open file descriptor
 *   EINVAL      vm_fd is not a KVM VM, or a bad range / reserved field
 *   EOPNOTSUPP  protected KVM: the stage-2 tables live in hypervisor memory
 *               (only ever this reason)
 *   ENODEV      the VM has no stage-2 page table (yet, or any more)
 *   ERANGE      the range goes beyond the VM's IPA size
 *
 * Shared by the module and the suite, so only fixed-width uAPI types.
 */
#ifndef MEMATTR_S2DESC_H
#define MEMATTR_S2DESC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MS2_DEVICE_NAME		"memattr_s2desc"
#define MS2_DEVICE_PATH		"/dev/memattr_s2desc"
#define MS2_ABI_VERSION		1

/* Pages per MS2_IOC_WALK call. */
#define MS2_MAX_PAGES		1024

/* ms2_info.vm_check: how a VM fd is recognised (all set ones must hold). */
#define MS2_CHECK_ANON_INODE	0x1	/* an anon inode file named "kvm-vm" */
#define MS2_CHECK_IOCTL_ADDR	0x2	/* f_op->unlocked_ioctl == kvm_vm_ioctl (kprobe lookup) */

struct ms2_info {
	__u32 abi_version;	/* MS2_ABI_VERSION */
	__u32 page_size;	/* PAGE_SIZE: the stage-2 granule */
	/* cpus_have_final_cap(): what KVM itself tests. */
	__u32 fwb;		/* ARM64_HAS_STAGE2_FWB: KVM sets HCR_EL2.FWB for guests */
	__u32 xnx;		/* ARM64_HAS_XNX: XN is the two-bit field [54:53] */
	__u32 lpa2;		/* kvm_lpa2_is_enabled(): VTCR_EL2.DS, OA[51:50] in [9:8] */
	__u32 protected_kvm;	/* is_protected_kvm_enabled() */
	__u32 vm_check;		/* MS2_CHECK_* */
	__u32 max_pages;	/* MS2_MAX_PAGES */
	__u32 kernel_version;	/* LINUX_VERSION_CODE the module was built for */
	__u32 pad;
	__u64 reserved[6];
};

/* ms2_entry.flags */
#define MS2_E_LEAF		0x1	/* desc is a valid leaf (page or block) */

/* One page of the range. */
struct ms2_entry {
	/*
	 * The descriptor where the walk ended: a valid leaf (MS2_E_LEAF), or
	 * the invalid entry that maps nothing (0, or a software encoding).
	 */
	__u64 desc;
	__u64 leaf_ipa;		/* first IPA the entry covers */
	__u64 leaf_size;	/* bytes it covers: the page or block size at level */
	__s32 level;		/* translation level of the entry (-1..3) */
	__u32 flags;		/* MS2_E_* */
};

struct ms2_walk {
	/* In. */
	__s32 vm_fd;		/* a KVM VM file descriptor of the caller */
	__u32 npages;		/* 1..MS2_MAX_PAGES */
	__u64 ipa;		/* first IPA, PAGE_SIZE aligned */
	__u64 entries;		/* user pointer to npages struct ms2_entry */
	/* Out: the VM's stage 2. */
	__u32 ia_bits;		/* kvm_pgtable.ia_bits */
	__s32 start_level;	/* kvm_pgtable.start_level */
	__u64 vtcr;		/* VTCR_EL2 KVM uses for the VM */
	__u32 pgt_flags;	/* kvm_pgtable.flags (KVM_PGTABLE_S2_*) */
	/*
	 * HCR_EL2.FWB of vCPU 0 as KVM will run it (vcpu->arch.hcr_el2):
	 * 1 or 0; -1 when the VM has no vCPU 0.
	 */
	__s32 hcr_fwb;
	__u64 reserved[4];	/* must be zero */
};

#define MS2_IOC_MAGIC	0xb8
#define MS2_IOC_INFO	_IOR(MS2_IOC_MAGIC, 0x01, struct ms2_info)
#define MS2_IOC_WALK	_IOWR(MS2_IOC_MAGIC, 0x02, struct ms2_walk)

#endif /* MEMATTR_S2DESC_H */
