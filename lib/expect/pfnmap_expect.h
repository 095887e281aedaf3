/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What KVM/arm64 does with a memslot over a given VMA: whether
 * the memslot is accepted, whether a guest access resolves, and the stage-2
 * mapping it gets (memory type, W, X, size).  The one place these rules
 * live: the PFNMAP/MIXEDMAP tests take their expectations from it, and so
 * does km_expect() (lib/expect/expect.c) for every backing of the S2MT matrix,
 * adding only what the guest's stage 1 makes of it.  The rules are Linux
 * 7.3's; where older kernels differ, the kernel's contract (struct km_env,
 * lib/facts/env.h) says which applies.  Pure (no KVM, no I/O),
 * so the host unit tests check it against the rules of SPEC sections 1.1
 * (rows 2, 11-15), 1.2 (A1, P1-P5, M1-M3, C1, X1, G1) and 1.3 (sizes).
 */
#ifndef KM_PFNMAP_EXPECT_H
#define KM_PFNMAP_EXPECT_H

#include <stdbool.h>

#include "env.h"

/* The VMA (at the hva of the access) and the pfn behind it. */
struct km_pfn_props {
	bool novma;		/* no VMA at all: a hole in the address space */
	bool pfnmap;		/* VM_PFNMAP */
	bool mixedmap;		/* VM_MIXEDMAP */
	bool io;		/* VM_IO */
	bool ram;		/* pfn_is_map_memory(pfn): in the linear map */
	bool gup;		/* GUP can take the page (not special, not secretmem) */
	bool cacheable;		/* kvm_vma_is_cacheable(): MT_NORMAL(_TAGGED) */
	bool allow_any_uncached;	/* VM_ALLOW_ANY_UNCACHED */
	bool cow;		/* private mapping, page not yet copied */
	bool pte_writable;	/* the host PTE allows writes */
	bool mte_allowed;	/* VM_MTE_ALLOWED */
	bool no_mapping;	/* GUP's page has no folio->mapping (a driver's pages,
				 * ZONE_DEVICE): KM_C_GUP_FAST_UNMAPPED applies */
	/* What decides for plain memory (the S2MT rows): the slot kind, the mapping size. */
	bool gmem;		/* a guest_memfd slot: gmem_abort(), the VMA does not matter */
	bool hugetlb;		/* a hugetlbfs VMA: its huge page size decides the size */
	unsigned long long host_leaf;	/* leaf size of the host user mapping; 0: a page;
					 * KM_HOST_LEAF_PMD: a PMD */
};

/*
 * host_leaf of a transparent huge page: a PMD of whatever granule the
 * kernel has (2, 32 or 512 MiB), so no one size fits every kernel; as large
 * as any leaf, it is what s2_size() caps at a PMD.
 */
#define KM_HOST_LEAF_PMD	(~0ULL)

/* km_pfn_expect() flags: the memslot and the VM. */
#define KM_PE_LOG_DIRTY		0x1	/* the memslot has KVM_MEM_LOG_DIRTY_PAGES */
#define KM_PE_MTE_VM		0x2	/* the VM enabled KVM_CAP_ARM_MTE */

enum km_s2type {
	KM_S2_NONE,		/* nothing is mapped */
	KM_S2_NORMAL,		/* MT_S2_(FWB_)NORMAL */
	KM_S2_NORMAL_NC,	/* MT_S2_(FWB_)NORMAL_NC */
	KM_S2_DEVICE,		/* MT_S2_(FWB_)DEVICE_nGnRE */
};

struct km_pfn_expect {
	int memslot;		/* KVM_SET_USER_MEMORY_REGION2: 0 or -errno */
	const char *memslot_why;
	int read;		/* KVM_RUN on a guest load: 0 or -errno */
	int write;		/* KVM_RUN on a guest store (first access) */
	const char *fault_why;
	enum km_s2type s2;	/* after a successful read */
	bool s2_writable;	/* a write after the read maps W */
	bool exec;		/* a fetch runs (else KVM injects an SEA IABT) */
	bool unaligned;		/* an unaligned load completes (else KVM_RUN -EFAULT) */
	bool cpfn;		/* kvm_supports_cacheable_pfnmap() */
	/* The stage-2 leaf (when s2 != KM_S2_NONE), SPEC 1.2 and 1.3. */
	bool s2_w_read;		/* a read fault already maps W */
	bool s2_x_eager;	/* X from the first fault on (else only after an exec fault,
				 * and never when !exec) */
	unsigned long long s2_size;	/* leaf size */
	const char *s2_why;	/* the kernel functions deciding the stage-2 part */
	unsigned int contracts;	/* KM_BIT(enum km_contract) of those consulted */
};

/*
 * SPEC 1.2 row K1: under protected KVM, __pkvm_host_share_guest refuses a pfn
 * outside the linear map that KVM would otherwise map (KVM_RUN fails
 * EPERM/EINVAL).  Out of this suite's scope: callers SKIP with
 * KM_PFN_K1_REASON when this is true.  memslot and read are the expected
 * errors of the memslot and of the first guest load (0: succeed).
 */
#define KM_PFN_K1_REASON "pKVM (kvm-arm.mode=protected) and a pfn outside the linear map: " \
			 "__pkvm_host_share_guest refuses it, SPEC 1.2 row K1, out of scope here"
bool km_pfn_k1_out_of_scope(const struct km_pfn_props *p, int memslot, int read,
			    bool protected_mode);

/*
 * Fill *e for a memslot over a VMA *p on the host env, with KM_PE_* flags.
 * The fault-time fields describe the first guest access with *p being the
 * VMA at that time, whatever the memslot check said (the VMA may have
 * changed since the memslot was made).
 */
void km_pfn_expect(const struct km_pfn_props *p, const struct km_env *env, unsigned int flags,
		   struct km_pfn_expect *e);

const char *km_s2type_str(enum km_s2type t);

#endif /* KM_PFNMAP_EXPECT_H */
