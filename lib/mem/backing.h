/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory of a chosen backing (enum km_backing, lib/expect/expect.h) for one
 * memslot: anonymous 4 KiB, THP, hugetlb, guest_memfd, and the PFNMAP and
 * MIXEDMAP rows through the test module (lib/mem/pfnmap.c, kmod/).
 *
 * A missing prerequisite (no THP, no huge page, no guest_memfd MMAP, no
 * test module or no memory outside the linear map) is not an error:
 * km_mem_create() returns -errno and says what is missing, with the raw
 * values read, for the caller to SKIP with.  A provider that built another
 * VMA than the backing's row describes (km_backing_desc()) is an error:
 * m->mismatch is set, for the caller to FAIL with.
 */
#ifndef KM_BACKING_H
#define KM_BACKING_H

#include "expect.h"
#include "pfnmap.h"
#include "vm.h"

/*
 * The 2 MiB hugetlb pool the hugetlb backing draws from, whatever the
 * default huge page size: a PMD with 4 KiB pages, contiguous PTEs with 16
 * and 64 KiB.
 */
#define KM_HUGE_2M_DIR		"/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define KM_HUGE_2M_NR		KM_HUGE_2M_DIR "nr_hugepages"
#define KM_HUGE_2M_FREE		KM_HUGE_2M_DIR "free_hugepages"

/*
 * A transparent huge page is one PMD of the granule (lib/facts/env.h
 * km_env_pmd()); for rule prerequisites.
 */
#define KM_THP_TEXT		"2, 32 or 512 MiB with 4, 16 or 64 KiB pages"

struct km_mem {
	enum km_backing kind;
	u8 *hva;		/* the memslot's userspace_addr; host view */
	u64 size;
	u32 slot_flags;		/* KVM_MEM_GUEST_MEMFD for guest_memfd */
	int gmem_fd;
	void *map;		/* what km_mem_destroy() unmaps */
	size_t map_len;
	int host_from, host_to;	/* its host changes (nr_hugepages), lib/harness/hoststate.h */
	char why[320];		/* why km_mem_create() failed */
	/* The PFNMAP/MIXEDMAP kinds: memory a provider (lib/mem/pfnmap.c) maps. */
	struct km_pfn_map pfn;	/* their mapping (pfn.hva != NULL) */
	bool mismatch;		/* the provider built another VMA than the row's */
};

/*
 * Allocate, map and populate size bytes of kind.  The host populates plain
 * memory by writing every page; PFNMAP/MIXEDMAP memory comes filled by its
 * provider, is at most km_pfn_default_size() (m->size says what it got) and
 * must be accessed by the host with aligned single accesses only
 * (km_pfn_write64()), as it may be Device memory.  The VM is needed for
 * guest_memfd.  0 or -errno with m->why set.
 */
int km_mem_create(struct km_mem *m, enum km_backing kind, struct km_vm *vm, u64 size);
void km_mem_destroy(struct km_mem *m);
/* KVM_SET_USER_MEMORY_REGION2 for it at gpa; 0 or -errno. */
int __km_mem_set_slot(struct km_mem *m, struct km_vm *vm, u32 slot, u64 gpa);

/*
 * The size of a THP-backed region that holds one transparent huge page: one
 * PMD.  Memslots and stage-1 mappings of it need the same size.
 */
u64 km_thp_size(void);

/* AnonHugePages (kB) of the VMA holding addr per /proc/self/smaps, or -errno. */
long km_anon_huge_kb(const void *addr);

#endif /* KM_BACKING_H */
