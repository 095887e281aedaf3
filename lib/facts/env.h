/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one fact model.  Everything an expectation depends on, in one shape:
 * the expectation functions (lib/expect/expect.c, lib/expect/pfnmap_expect.c), the
 * known-issues table and the skip decisions all read a struct km_env.
 * km_facts_read() (lib/facts/facts.c) builds it once per run from raw ID
 * registers, KVM capabilities and probes; the host unit tests build it by
 * hand.  Pure data: no I/O here.
 */
#ifndef KM_ENV_H
#define KM_ENV_H

#include <stdbool.h>
#include <stddef.h>

enum km_kvm_mode { KM_MODE_UNKNOWN, KM_MODE_VHE, KM_MODE_NVHE, KM_MODE_PROTECTED };

/*
 * Changes of KVM/arm64's contract the rules branch on.  Each kernel is
 * checked against its own contract: a probe decides where one can tell, else
 * the first release that has the change, from the data file `contracts`
 * (lib/facts/contract.c).  Names are the table's first column.
 */
enum km_contract {
	KM_C_USER_MEMORY2,	/* "user-memory2": KVM_SET_USER_MEMORY_REGION2 */
	KM_C_GUEST_MEMFD,	/* "guest-memfd": KVM_CREATE_GUEST_MEMFD on arm64 */
	KM_C_ALLOW_ANY_UNCACHED,	/* "allow-any-uncached": VM_ALLOW_ANY_UNCACHED pfns
				 * outside the linear map map Normal-NC (before: Device) */
	KM_C_CACHEABLE_PFNMAP,	/* "cacheable-pfnmap": a cacheable VM_PFNMAP needs FWB &&
				 * DIC (memslot EINVAL), cacheable pfns outside the linear
				 * map map Normal; before: always Device/Normal-NC */
	KM_C_GUP_FAST_UNMAPPED,	/* "gup-fast-unmapped": GUP-fast takes an order-0 page
				 * without a folio->mapping (a driver's vm_insert_page(),
				 * ZONE_DEVICE), so KVM maps a read fault on it writable;
				 * before: only a write fault maps such a page W */
	KM_C_NR,
};

/* Where a contract decision came from. */
enum km_contract_src {
	KM_CSRC_NONE,		/* not decided (unit tests: the value as given) */
	KM_CSRC_PROBE,		/* a capability or an ioctl of the kernel under test */
	KM_CSRC_TABLE,		/* the `contracts` table and the kernel version */
};

struct km_env {
	/* The hardware, as KVM itself uses it. */
	bool fwb;		/* FEAT_S2FWB (ID_AA64MMFR2_EL1.FWB as KVM gives a vCPU) */
	bool dic;		/* CTR_EL0.DIC as KVM gives a vCPU (not the EL0 view) */
	bool erratum_834220;	/* Cortex-A57 r0p0-r1p2: Linux's workaround applies */
	bool tcg;		/* under QEMU TCG: some architected faults are not modelled */
	enum km_kvm_mode mode;
	unsigned long long page_size;	/* the kernel's PAGE_SIZE; 0 means 4 KiB */

	/* The kernel under test. */
	unsigned int kver[3];	/* from uname -r */
	bool has[KM_C_NR];	/* its contract */
	unsigned char has_src[KM_C_NR];	/* enum km_contract_src */
};

/* Initialisers of has[] for hand-built environments (host unit tests). */
#define KM_ENV_HAS_ALL	.has = { [KM_C_USER_MEMORY2] = true, [KM_C_GUEST_MEMFD] = true, \
				 [KM_C_ALLOW_ANY_UNCACHED] = true, \
				 [KM_C_CACHEABLE_PFNMAP] = true, \
				 [KM_C_GUP_FAST_UNMAPPED] = true }
/* Linux 6.12: everything but guest_memfd on arm64 and the cacheable-pfnmap rules. */
#define KM_ENV_HAS_6_12	.has = { [KM_C_USER_MEMORY2] = true, [KM_C_ALLOW_ANY_UNCACHED] = true }

static inline bool km_env_has(const struct km_env *e, enum km_contract c)
{
	return e->has[c];
}

static inline unsigned long long km_env_page(const struct km_env *e)
{
	return e->page_size ? e->page_size : 4096;
}

/*
 * The PMD (level-2 block) size of the granule: a table page of 8-byte
 * entries maps page / 8 pages (2 MiB at 4K, 32 MiB at 16K, 512 MiB at 64K).
 */
static inline unsigned long long km_env_pmd(const struct km_env *e)
{
	return km_env_page(e) * (km_env_page(e) / 8);
}

#endif /* KM_ENV_H */
