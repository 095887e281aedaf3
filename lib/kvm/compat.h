/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants and structures newer than the uAPI headers the suite may be built
 * against (Debian 12's cross headers are Linux 6.1).  Everything here is
 * guarded or carries a km_ name, so newer installed headers win.  Values are
 * from include/uapi/linux/kvm.h of Linux 7.3.
 */
#ifndef KM_COMPAT_H
#define KM_COMPAT_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#ifndef KVM_CAP_ARM_NISV_TO_USER
#define KVM_CAP_ARM_NISV_TO_USER		177
#endif
#ifndef KVM_CAP_ARM_MTE
#define KVM_CAP_ARM_MTE				205
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2			231
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES		233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD			234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES			235
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY		236
#endif
#ifndef KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED
#define KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED	243
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS		244
#endif
#ifndef KVM_CAP_ARM_SEA_TO_USER
#define KVM_CAP_ARM_SEA_TO_USER			245
#endif

#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD			(1UL << 2)
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP			(1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED		(1ULL << 1)
#endif
/* Posted series, not in 7.3: the bit it would take. */
#ifndef GUEST_MEMFD_FLAG_NO_DIRECT_MAP
#define GUEST_MEMFD_FLAG_NO_DIRECT_MAP		(1ULL << 2)
#endif
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE		(1ULL << 3)
#endif

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT			39
#endif
#ifndef KVM_EXIT_ARM_SEA
#define KVM_EXIT_ARM_SEA			41
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE		(1ULL << 3)
#endif

/* Layouts the 6.1 headers lack; the ioctl numbers encode their sizes. */
struct km_userspace_memory_region2 {
	uint32_t slot;
	uint32_t flags;
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t guest_memfd_offset;
	uint32_t guest_memfd;
	uint32_t pad1;
	uint64_t pad2[14];
};
_Static_assert(sizeof(struct km_userspace_memory_region2) == 160, "region2 is 160 bytes");

struct km_create_guest_memfd {
	uint64_t size;
	uint64_t flags;
	uint64_t reserved[6];
};

struct km_memory_attributes {
	uint64_t address;
	uint64_t size;
	uint64_t attributes;
	uint64_t flags;
};

struct km_pre_fault_memory {
	uint64_t gpa;
	uint64_t size;
	uint64_t flags;
	uint64_t padding[5];
};

/* kvm_run's exit union member for KVM_EXIT_MEMORY_FAULT. */
struct km_memory_fault {
	uint64_t flags;
	uint64_t gpa;
	uint64_t size;
};

#define KM_SET_USER_MEMORY_REGION2 _IOW(KVMIO, 0x49, struct km_userspace_memory_region2)
#define KM_SET_MEMORY_ATTRIBUTES   _IOW(KVMIO, 0xd2, struct km_memory_attributes)
#define KM_CREATE_GUEST_MEMFD      _IOWR(KVMIO, 0xd4, struct km_create_guest_memfd)
#define KM_PRE_FAULT_MEMORY        _IOWR(KVMIO, 0xd5, struct km_pre_fault_memory)

/* The exit union starts after the fixed header of struct kvm_run. */
static inline struct km_memory_fault *km_run_memory_fault(struct kvm_run *run)
{
	return (struct km_memory_fault *)&run->mmio;
}

#endif /* KM_COMPAT_H */
