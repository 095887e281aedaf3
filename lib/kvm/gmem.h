/* SPDX-License-Identifier: GPL-2.0 */
/* guest_memfd: KVM_CREATE_GUEST_MEMFD, gmem memslots, host access probes. */
#ifndef KM_GMEM_H
#define KM_GMEM_H

#include "vm.h"

/* On a VM fd or /dev/kvm; returns the new fd or -errno. */
int __km_gmem_create(int fd, u64 size, u64 flags);
int km_gmem_create(struct km_vm *vm, u64 size, u64 flags);

/*
 * A guest_memfd bound as one memslot over [gpa, gpa + size) at file offset
 * 0, with its host mapping.  The slot's userspace_addr is the MAP_SHARED
 * mapping of the same file (SPEC 2.8: KVM-internal guest accesses go through
 * it), or 0 when the gmem has no GUEST_MEMFD_FLAG_MMAP.
 */
struct km_gmem_slot {
	int fd;			/* -1 once closed */
	u8 *hva;		/* NULL without MMAP or once unmapped */
	u64 size;
	u64 flags;		/* the gmem's creation flags */
	u32 slot;
	u64 gpa;
};

/* Create, map and bind; ends the test case on any failure. */
void km_gmem_slot_create(struct km_vm *vm, struct km_gmem_slot *g, u32 slot, u64 gpa,
			 u64 size, u64 flags);
/* Drop the host's references (mapping, then fd); the slot stays bound. */
void km_gmem_slot_unmap(struct km_gmem_slot *g);
void km_gmem_slot_close(struct km_gmem_slot *g);

/*
 * One host load or store of 8 bytes at p, run under a SIGBUS/SIGSEGV
 * handler (sigsetjmp): returns 0 when it completed, else the signal number;
 * *code gets the signal's si_code.  A load's value goes to *val.
 */
int km_host_load(const void *p, u64 *val, int *code);
int km_host_store(void *p, u64 val, int *code);

/*
 * Read len bytes of physical memory through /proc/kcore, i.e. through the
 * kernel's own mapping of that RAM (the linear map on arm64).  kcore zero-fills
 * what it cannot read (copy_from_kernel_nofault fails on a page that is not in
 * the direct map).  0, or -errno (-ENOENT: no kcore segment covers phys).
 */
int km_kcore_read_phys(u64 phys, void *buf, size_t len);

/* How many times needle occurs in the kernel log (klogctl), or -errno. */
int km_klog_count(const char *needle);

/*
 * KVM_CAP_GUEST_MEMFD_FLAGS on /dev/kvm: kvm_gmem_get_supported_flags(NULL),
 * every flag the kernel knows, where a VM fd reports what that VM supports.
 * The raw value, or -errno.
 */
int km_gmem_flags_known(void);

/*
 * arch/arm64/mm/pageattr.c:can_set_direct_map() is rodata_full ||
 * debug_pagealloc_enabled() || arm64_kfence_can_set_direct_map() ||
 * is_realm_world().  Two readings of it:
 * - model: from the boot facts (/proc/cmdline rodata=, debug_pagealloc=,
 *   kfence.sample_interval=; /sys/module/kfence; the "failed to allocate
 *   kfence pool" log line), the way the kernel computes it;
 * - secretmem: memfd_secret() exists iff secretmem.enable &&
 *   can_set_direct_map() (mm/secretmem.c): 1, 0, or -1 cannot tell.
 * why/swhy say what each was read from.
 */
struct km_direct_map {
	bool model;
	bool rodata_full, debug_pagealloc, kfence_late;
	int secretmem;
	char why[200];
	char swhy[96];
};
void km_direct_map_read(struct km_direct_map *d);

#endif /* KM_GMEM_H */
