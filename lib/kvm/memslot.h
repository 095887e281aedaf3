/* SPDX-License-Identifier: GPL-2.0 */
/* Memslots: KVM_SET_USER_MEMORY_REGION and ..._REGION2. */
#ifndef KM_MEMSLOT_H
#define KM_MEMSLOT_H

#include "vm.h"

/* v1 ioctl; 0 or -errno. */
int __km_set_memslot(struct km_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva);

/*
 * v2 ioctl (KVM_SET_USER_MEMORY_REGION2); 0 or -errno.  gmem_fd is unused
 * unless flags has KVM_MEM_GUEST_MEMFD.  On a kernel without the v2 ioctl
 * (no KVM_CAP_USER_MEMORY2, before Linux 6.8) other slots go to v1.
 */
int __km_set_memslot2(struct km_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva,
		      int gmem_fd, u64 gmem_offset);
void km_set_memslot2(struct km_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva,
		     int gmem_fd, u64 gmem_offset);

/* Delete a slot (size 0); 0 or -errno. */
int __km_delete_memslot(struct km_vm *vm, u32 slot);

/*
 * A VM and anonymous memory for memslots that are set and refused but never
 * run: what the memslot edge and flag cases start from.
 */
struct km_slot_vm {
	struct km_vm vm;
	u8 *mem;
	size_t size;
};
void km_slot_vm_create(struct km_slot_vm *s, unsigned int ipa_bits, size_t size);
/* Also for a zeroed one whose create was skipped. */
void km_slot_vm_destroy(struct km_slot_vm *s);

#endif /* KM_MEMSLOT_H */
