// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "s1pt.h"

static uint64_t granule_of(const struct km_s1pt *pt)
{
	return 1ULL << pt->shift;
}

static uint64_t *table_at(const struct km_s1pt *pt, uint64_t ipa)
{
	return (uint64_t *)(pt->pool + (ipa - pt->pool_ipa));
}

int km_s1pt_init(struct km_s1pt *pt, void *pool, uint64_t pool_ipa, uint64_t pool_size,
		 uint64_t granule)
{
	unsigned int bits;

	memset(pt, 0, sizeof(*pt));
	switch (granule ? granule : KM_S1_PAGE_4K) {
	case 4096: pt->shift = 12; break;
	case 16384: pt->shift = 14; break;
	case 65536: pt->shift = 16; break;
	default: return -EINVAL;
	}
	if (pool_ipa & (granule_of(pt) - 1) || pool_size < granule_of(pt))
		return -EINVAL;
	/*
	 * The root is the highest level whose entries still cover more than
	 * the VA: 4 and 16 KiB start at level 1, 64 KiB (13 bits a level) at 2.
	 */
	bits = pt->shift - 3;
	pt->start_level = 3;
	while (pt->shift + bits * (4 - pt->start_level) < KM_S1_VA_BITS)
		pt->start_level--;
	pt->pool = pool;
	pt->pool_ipa = pool_ipa;
	pt->npages = pool_size >> pt->shift;
	pt->used = 1;
	memset(pool, 0, granule_of(pt));
	return 0;
}

uint64_t km_s1pt_root(const struct km_s1pt *pt)
{
	return pt->pool_ipa;
}

uint64_t km_s1pt_granule(const struct km_s1pt *pt)
{
	return granule_of(pt);
}

static unsigned int index_at(const struct km_s1pt *pt, uint64_t va, int level)
{
	unsigned int bits = pt->shift - 3;

	return (va >> (pt->shift + bits * (3 - level))) & ((1U << bits) - 1);
}

/* The next-level table behind *entry, allocating it when absent. */
static uint64_t *next_table(struct km_s1pt *pt, uint64_t *entry, int alloc)
{
	uint64_t ipa;

	if (*entry & KM_PTE_VALID)
		return table_at(pt, *entry & KM_PTE_ADDR_MASK);
	if (!alloc || pt->used >= pt->npages)
		return NULL;
	ipa = pt->pool_ipa + ((uint64_t)pt->used++ << pt->shift);
	memset(table_at(pt, ipa), 0, granule_of(pt));
	*entry = ipa | KM_PTE_TABLE;
	return table_at(pt, ipa);
}

/* The level-3 table for va: walked, and built when alloc. */
static uint64_t *leaf_table(struct km_s1pt *pt, uint64_t va, int alloc)
{
	uint64_t *t = table_at(pt, pt->pool_ipa);
	int level;

	for (level = pt->start_level; level < 3 && t; level++)
		t = next_table(pt, &t[index_at(pt, va, level)], alloc);
	return t;
}

int km_s1pt_map(struct km_s1pt *pt, uint64_t va, uint64_t ipa, uint64_t size,
		unsigned int attr_idx, unsigned int flags)
{
	uint64_t off, g = granule_of(pt);

	if ((va | ipa | size) & (g - 1) || attr_idx > 7 ||
	    va + size > (1ULL << KM_S1_VA_BITS) || va + size < va ||
	    (ipa + size - 1) & ~(KM_PTE_ADDR_MASK | (g - 1)))
		return -EINVAL;
	for (off = 0; off < size; off += g) {
		uint64_t *t = leaf_table(pt, va + off, 1), desc;

		if (!t)
			return -ENOMEM;
		desc = (ipa + off) | KM_PTE_TABLE | KM_PTE_ATTRIDX(attr_idx) | KM_PTE_SH_INNER |
		       KM_PTE_AF | KM_PTE_UXN;
		if (!(flags & KM_S1_EXEC))
			desc |= KM_PTE_PXN;
		if (flags & KM_S1_RO)
			desc |= KM_PTE_AP_RO;
		t[index_at(pt, va + off, 3)] = desc;
	}
	return 0;
}

uint64_t km_s1pt_lookup(const struct km_s1pt *pt, uint64_t va)
{
	uint64_t *t;

	if (va >= (1ULL << KM_S1_VA_BITS))
		return 0;
	t = leaf_table((struct km_s1pt *)pt, va, 0);
	return t ? t[index_at(pt, va, 3)] : 0;
}

uint64_t km_s1pt_tcr(const struct km_s1pt *pt)
{
	uint64_t t0sz = 64 - KM_S1_VA_BITS;
	/* TG0 encodes 4 KiB as 0b00, 64 KiB as 0b01 and 16 KiB as 0b10. */
	uint64_t tg0 = pt->shift == 16 ? 1 : pt->shift == 14 ? 2 : 0;

	return t0sz |			/* T0SZ */
	       (1ULL << 8) |		/* IRGN0: WBWA */
	       (1ULL << 10) |		/* ORGN0: WBWA */
	       (3ULL << 12) |		/* SH0: inner shareable */
	       (tg0 << 14) |		/* TG0 */
	       (1ULL << 23) |		/* EPD1: no TTBR1 walks */
	       (2ULL << 32);		/* IPS: 40 bits */
}
