/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest stage-1 page tables, built by the host in guest memory: a 4, 16 or
 * 64 KiB granule (the host's page size, so that every stage-1 page is one
 * stage-2 page), 39-bit VA, 40-bit output.  Pure logic over a buffer, so
 * the host unit tests check it natively.
 */
#ifndef KM_S1PT_H
#define KM_S1PT_H

#include <stdint.h>

#define KM_S1_VA_BITS	39
#define KM_S1_PAGE_4K	4096ULL	/* the smallest granule: the unit of touch_pages */

/* km_s1pt_map() flags */
#define KM_S1_EXEC	0x1	/* PXN clear: EL1 may execute */
#define KM_S1_RO	0x2	/* AP[2]: read-only at EL1 */

/* Descriptor fields (Arm ARM D8.3). */
#define KM_PTE_VALID		0x1ULL
#define KM_PTE_TABLE		0x3ULL	/* table (levels 1-2) or page (level 3) */
#define KM_PTE_ATTRIDX(i)	((uint64_t)(i) << 2)
#define KM_PTE_AP_RO		(1ULL << 7)
#define KM_PTE_SH_INNER		(3ULL << 8)
#define KM_PTE_AF		(1ULL << 10)
#define KM_PTE_PXN		(1ULL << 53)
#define KM_PTE_UXN		(1ULL << 54)
#define KM_PTE_ADDR_MASK	0x000000fffffff000ULL	/* 40-bit output, 4 KiB */

struct km_s1pt {
	uint8_t *pool;		/* host view of the table pages */
	uint64_t pool_ipa;	/* guest physical address of pool[0] */
	unsigned int npages;	/* table pages of the granule in the pool */
	unsigned int used;
	unsigned int shift;	/* the granule: 12, 14 or 16 */
	int start_level;	/* the root's level: 1, or 2 with 64 KiB */
};

/*
 * Take over a pool of pool_size bytes at pool_ipa (aligned to the granule);
 * its first granule becomes the root.  granule: 4096, 16384 or 65536 (0:
 * 4096); 0 or -EINVAL.
 */
int km_s1pt_init(struct km_s1pt *pt, void *pool, uint64_t pool_ipa, uint64_t pool_size,
		 uint64_t granule);
uint64_t km_s1pt_root(const struct km_s1pt *pt);
uint64_t km_s1pt_granule(const struct km_s1pt *pt);
/* Map [va, va+size) to [ipa, ...) in granule pages; 0 or -EINVAL/-ENOMEM. */
int km_s1pt_map(struct km_s1pt *pt, uint64_t va, uint64_t ipa, uint64_t size,
		unsigned int attr_idx, unsigned int flags);
/* The level-3 descriptor for va, or 0 when unmapped. */
uint64_t km_s1pt_lookup(const struct km_s1pt *pt, uint64_t va);
/* TCR_EL1 for these tables: TTBR0 only, inner-shareable WBWA walks. */
uint64_t km_s1pt_tcr(const struct km_s1pt *pt);

#endif /* KM_S1PT_H */
