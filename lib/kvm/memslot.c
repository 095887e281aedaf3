// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "facts.h"
#include "memslot.h"

int __km_set_memslot(struct km_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (u64)(uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

int __km_set_memslot2(struct km_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva,
		      int gmem_fd, u64 gmem_offset)
{
	struct km_userspace_memory_region2 r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (u64)(uintptr_t)hva,
		.guest_memfd_offset = gmem_offset, .guest_memfd = (u32)gmem_fd,
	};

	/*
	 * Without the v2 ioctl a slot that needs none of its fields is the v1
	 * ioctl's; a guest_memfd slot still goes to v2, so that its refusal
	 * is what the caller sees.
	 */
	if (!(flags & KVM_MEM_GUEST_MEMFD) && !km_env_has(&km_facts.env, KM_C_USER_MEMORY2))
		return __km_set_memslot(vm, slot, flags, gpa, size, hva);
	return ioctl(vm->fd, KM_SET_USER_MEMORY_REGION2, &r) < 0 ? -errno : 0;
}

void km_set_memslot2(struct km_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva,
		     int gmem_fd, u64 gmem_offset)
{
	int r = __km_set_memslot2(vm, slot, flags, gpa, size, hva, gmem_fd, gmem_offset);

	errno = -r;
	KM_CHECK(r == 0, "set memslot %u flags 0x%x gpa 0x%llx size 0x%llx", slot, flags,
		 (unsigned long long)gpa, (unsigned long long)size);
}

int __km_delete_memslot(struct km_vm *vm, u32 slot)
{
	return __km_set_memslot2(vm, slot, 0, 0, 0, NULL, -1, 0);
}

void km_slot_vm_create(struct km_slot_vm *s, unsigned int ipa_bits, size_t size)
{
	km_vm_create(&s->vm, ipa_bits);
	s->size = size;
	s->mem = km_mmap_anon(size);
}

void km_slot_vm_destroy(struct km_slot_vm *s)
{
	if (s->mem)
		munmap(s->mem, s->size);
	s->mem = NULL;
	/* A zeroed VM was never created: its fd 0 is not ours to close. */
	if (s->vm.fd > 0)
		km_vm_destroy(&s->vm);
}
