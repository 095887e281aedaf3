// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/ioctl.h>

#include "gmem.h"

int __km_gmem_create(int fd, u64 size, u64 flags)
{
	struct km_create_guest_memfd g = { .size = size, .flags = flags };
	int r = ioctl(fd, KM_CREATE_GUEST_MEMFD, &g);

	return r < 0 ? -errno : r;
}

int km_gmem_create(struct km_vm *vm, u64 size, u64 flags)
{
	int r = __km_gmem_create(vm->fd, size, flags);

	errno = r < 0 ? -r : 0;
	KM_CHECK(r >= 0, "KVM_CREATE_GUEST_MEMFD size 0x%llx flags 0x%llx",
		 (unsigned long long)size, (unsigned long long)flags);
	return r;
}
