/* SPDX-License-Identifier: GPL-2.0 */
/* guest_memfd: KVM_CREATE_GUEST_MEMFD. */
#ifndef KM_GMEM_H
#define KM_GMEM_H

#include "vm.h"

/* On a VM fd or /dev/kvm; returns the new fd or -errno. */
int __km_gmem_create(int fd, u64 size, u64 flags);
int km_gmem_create(struct km_vm *vm, u64 size, u64 flags);

#endif /* KM_GMEM_H */
