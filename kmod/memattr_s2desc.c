// SPDX-License-Identifier: GPL-2.0
/*
 * memattr_s2desc: the kvm-memattr stage-2 descriptor reader.
 *
 * A misc device, /dev/memattr_s2desc, whose one real request returns the
 * stage-2 descriptors KVM/arm64 installed for a range of a VM's IPA space:
 * the third oracle of the suite, next to the tracer (KVM's request to
 * kvm_pgtable_stage2_map()) and what the guest observes.  See
 * memattr_s2desc.h for the interface.
 *
 * The VM is named by a file descriptor of the caller, which must be a KVM
 * VM fd: file_is_kvm() is not exported to modules, so the file must be an
 * anon inode named "kvm-vm" (virt/kvm/kvm_main.c:kvm_dev_ioctl_create_vm())
 * and, where a kprobe could look the address up at load time, have
 * kvm_vm_ioctl() as its unlocked_ioctl.  Its struct kvm is private_data,
 * kept alive by the file reference we hold.
 *
 * The walk follows the architecture, not KVM's walker: from
 * kvm->arch.mmu.pgt (ia_bits, start_level, pgd with its concatenated
 * start-level tables), one table of PTRS_PER_PTE descriptors per level,
 * table descriptors (bits[1:0] = 0b11 below level 3) followed with
 * kvm_pte_to_phys() and the page-table ops' phys_to_virt(), down to a leaf
 * or an invalid entry.  It runs under read_lock(&kvm->mmu_lock) (a spinlock
 * before arm64 KVM had an rwlock) and rcu_read_lock(): KVM's shared-lock
 * fault path frees replaced tables through RCU.  Descriptors are copied
 * raw; nothing is decoded here.
 *
 * Under protected KVM the guest's stage-2 tables live in hypervisor memory
 * and kvm_pgtable holds pKVM's mapping tree instead: every walk fails with
 * EOPNOTSUPP, and only for that reason.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/magic.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <asm/cpufeature.h>
#include <asm/kvm_pgtable.h>
#include <asm/virt.h>

#include "memattr_s2desc.h"

/* kvm_pgtable.start_level: u32 until LPA2 support (6.9) made it s8 (level -1). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
typedef s8 ms2_level_t;
#else
typedef u32 ms2_level_t;
#endif

/* VTCR_EL2 moved from struct kvm_arch into struct kvm_s2_mmu in 6.8 (for NV). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define MS2_VTCR(kvm)	((kvm)->arch.mmu.vtcr)
#else
#define MS2_VTCR(kvm)	((kvm)->arch.vtcr)
#endif

/* The LPA2 descriptor format (6.9); before it, never. */
#ifdef kvm_lpa2_is_enabled
#define MS2_LPA2()	kvm_lpa2_is_enabled()
#else
#define MS2_LPA2()	false
#endif

/* FEAT_XNX support in KVM's stage 2 (generated cpucaps are #defines). */
#ifdef ARM64_HAS_XNX
#define MS2_XNX()	cpus_have_final_cap(ARM64_HAS_XNX)
#else
#define MS2_XNX()	false
#endif

#define MS2_LAST_LEVEL	3
/* Bits of IPA a descriptor at level maps: ARM64_HW_PGTABLE_LEVEL_SHIFT(). */
#define MS2_SHIFT(level) ((PAGE_SHIFT - 3) * (4 - (level)) + 3)

static unsigned int vm_check;
static unsigned long kvm_vm_ioctl_addr;

/*
 * kvm_vm_ioctl() is static: a kprobe registered and dropped at once finds it.
 * (Only called at init, so gcc treats it as cold: see ms2_init().)
 */
static void __init __aligned(8) ms2_find_kvm_vm_ioctl(void)
{
#ifdef CONFIG_KPROBES
	struct kprobe kp = { .symbol_name = "kvm_vm_ioctl" };
	int err = register_kprobe(&kp);

	if (err) {
		pr_info("no kprobe on kvm_vm_ioctl (%d): VM fds are recognised by their "
			"anon inode name only\n", err);
		return;
	}
	kvm_vm_ioctl_addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	vm_check |= MS2_CHECK_IOCTL_ADDR;
#endif
}

static bool ms2_is_kvm_vm(struct file *f)
{
	if (file_inode(f)->i_sb->s_magic != ANON_INODE_FS_MAGIC ||
	    strcmp(f->f_path.dentry->d_name.name, "kvm-vm"))
		return false;
	if ((vm_check & MS2_CHECK_IOCTL_ADDR) &&
	    (unsigned long)f->f_op->unlocked_ioctl != kvm_vm_ioctl_addr)
		return false;
	return true;
}

static void ms2_mmu_lock(struct kvm *kvm)
{
#ifdef KVM_HAVE_MMU_RWLOCK
	read_lock(&kvm->mmu_lock);
#else
	spin_lock(&kvm->mmu_lock);
#endif
	rcu_read_lock();
}

static void ms2_mmu_unlock(struct kvm *kvm)
{
	rcu_read_unlock();
#ifdef KVM_HAVE_MMU_RWLOCK
	read_unlock(&kvm->mmu_lock);
#else
	spin_unlock(&kvm->mmu_lock);
#endif
}

static kvm_pte_t *ms2_table_va(struct kvm_pgtable *pgt, kvm_pte_t table)
{
	u64 pa = kvm_pte_to_phys(table);

	if (pgt->mm_ops && pgt->mm_ops->phys_to_virt)
		return pgt->mm_ops->phys_to_virt(pa);
	return __va(pa);
}

/* One IPA: the entry the walk ends at.  Called with the MMU lock held. */
static void ms2_walk_one(struct kvm_pgtable *pgt, u64 ipa, struct ms2_entry *e)
{
	int level = (int)(ms2_level_t)pgt->start_level;
	kvm_pte_t *table = (kvm_pte_t __force *)pgt->pgd;
	/* The concatenated start-level tables are one array. */
	u64 idx = (ipa & (BIT_ULL(pgt->ia_bits) - 1)) >> MS2_SHIFT(level);
	kvm_pte_t pte;

	for (;;) {
		pte = READ_ONCE(table[idx]);
		e->desc = pte;
		e->level = level;
		e->leaf_size = BIT_ULL(MS2_SHIFT(level));
		e->leaf_ipa = ipa & ~(e->leaf_size - 1);
		if (!(pte & BIT(0)))
			return;	/* invalid: nothing mapped */
		if (level == MS2_LAST_LEVEL || !(pte & BIT(1))) {
			/* A page (level 3, 0b11) or a block (0b01); level 3 0b01 is reserved. */
			if (level < MS2_LAST_LEVEL || (pte & BIT(1)))
				e->flags = MS2_E_LEAF;
			return;
		}
		table = ms2_table_va(pgt, pte);
		level++;
		idx = (ipa >> MS2_SHIFT(level)) & (PTRS_PER_PTE - 1);
	}
}

static long ms2_walk(struct ms2_walk __user *uarg)
{
	struct ms2_entry *ents = NULL;
	struct kvm_pgtable *pgt;
	struct kvm_vcpu *vcpu;
	struct ms2_walk w;
	struct file *vmf;
	struct kvm *kvm;
	u64 end, limit;
	unsigned int i;
	long err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(w.reserved); i++)
		if (w.reserved[i])
			return -EINVAL;
	if (!w.npages || w.npages > MS2_MAX_PAGES || !PAGE_ALIGNED(w.ipa))
		return -EINVAL;
	end = w.ipa + ((u64)w.npages << PAGE_SHIFT);
	if (end < w.ipa)
		return -EINVAL;

	vmf = fget(w.vm_fd);
	if (!vmf)
		return -EBADF;
	err = -EINVAL;
	if (!ms2_is_kvm_vm(vmf))
		goto out_put;
	/* pKVM: the host's kvm_pgtable is pKVM's mapping tree, not a table. */
	err = -EOPNOTSUPP;
	if (is_protected_kvm_enabled())
		goto out_put;
	kvm = vmf->private_data;

	ents = kvcalloc(w.npages, sizeof(*ents), GFP_KERNEL);
	err = -ENOMEM;
	if (!ents)
		goto out_put;

	ms2_mmu_lock(kvm);
	pgt = kvm->arch.mmu.pgt;
	err = -ENODEV;
	if (!pgt || !pgt->pgd)
		goto out_unlock;
	limit = BIT_ULL(pgt->ia_bits);
	err = -ERANGE;
	if (end > limit)
		goto out_unlock;
	for (i = 0; i < w.npages; i++)
		ms2_walk_one(pgt, w.ipa + ((u64)i << PAGE_SHIFT), &ents[i]);
	w.ia_bits = pgt->ia_bits;
	w.start_level = (int)(ms2_level_t)pgt->start_level;
	w.pgt_flags = pgt->flags;
	w.vtcr = MS2_VTCR(kvm);
	err = 0;
out_unlock:
	ms2_mmu_unlock(kvm);
	if (err)
		goto out_free;

	/* vCPUs live until the VM is destroyed, which our file reference prevents. */
	vcpu = kvm_get_vcpu(kvm, 0);
	w.hcr_fwb = vcpu ? !!(vcpu->arch.hcr_el2 & HCR_FWB) : -1;

	if (copy_to_user(u64_to_user_ptr(w.entries), ents, w.npages * sizeof(*ents)) ||
	    copy_to_user(uarg, &w, sizeof(w)))
		err = -EFAULT;
out_free:
	kvfree(ents);
out_put:
	fput(vmf);
	return err;
}

static long ms2_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ms2_info info;

	switch (cmd) {
	case MS2_IOC_INFO:
		memset(&info, 0, sizeof(info));
		info.abi_version = MS2_ABI_VERSION;
		info.page_size = PAGE_SIZE;
		info.fwb = cpus_have_final_cap(ARM64_HAS_STAGE2_FWB);
		info.xnx = MS2_XNX();
		info.lpa2 = MS2_LPA2();
		info.protected_kvm = is_protected_kvm_enabled();
		info.vm_check = vm_check;
		info.max_pages = MS2_MAX_PAGES;
		info.kernel_version = LINUX_VERSION_CODE;
		return copy_to_user((void __user *)arg, &info, sizeof(info)) ? -EFAULT : 0;
	case MS2_IOC_WALK:
		return ms2_walk((struct ms2_walk __user *)arg);
	}
	return -ENOTTY;
}

static int ms2_open(struct inode *inode, struct file *file)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static const struct file_operations ms2_fops = {
	.owner = THIS_MODULE,
	.open = ms2_open,
	.unlocked_ioctl = ms2_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ms2_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MS2_DEVICE_NAME,
	.fops = &ms2_fops,
	.mode = 0600,
};

/*
 * Cold functions (__init, __exit, and what only they call) escape
 * -falign-functions: built with a gcc older than the kernel's (no
 * -fmin-function-alignment) they are only 4-byte aligned, and for a
 * misaligned ftrace CALL_OPS patch site ftrace_call_adjust() returns 0,
 * which load_module() then BUG()s on (patch_map(), seen on Debian 7.3.4).
 * Hence the explicit alignment.
 */
static int __init __aligned(8) ms2_init(void)
{
	int err;

	vm_check = MS2_CHECK_ANON_INODE;
	ms2_find_kvm_vm_ioctl();
	err = misc_register(&ms2_misc);
	if (err)
		return err;
	pr_info("ready: FWB=%d XNX=%d LPA2=%d protected=%d, VM fds checked by %s\n",
		cpus_have_final_cap(ARM64_HAS_STAGE2_FWB), MS2_XNX(), MS2_LPA2(),
		is_protected_kvm_enabled(),
		(vm_check & MS2_CHECK_IOCTL_ADDR) ? "anon inode name and kvm_vm_ioctl" :
						    "anon inode name");
	return 0;
}

static void __exit __aligned(8) ms2_exit(void)
{
	misc_deregister(&ms2_misc);
}

module_init(ms2_init);
module_exit(ms2_exit);
MODULE_DESCRIPTION("kvm-memattr: read the stage-2 descriptors KVM installed for a VM");
MODULE_LICENSE("GPL");
