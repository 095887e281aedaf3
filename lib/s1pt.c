// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "s1pt.h"

static uint64_t *table_at(const struct km_s1pt *pt, uint64_t ipa)
{
	return (uint64_t *)(pt->pool + (ipa - pt->pool_ipa));
}

void km_s1pt_init(struct km_s1pt *pt, void *pool, uint64_t pool_ipa, unsigned int npages)
{
	pt->pool = pool;
	pt->pool_ipa = pool_ipa;
	pt->npages = npages;
	pt->used = 1;
	memset(pool, 0, KM_S1_PAGE);
}

uint64_t km_s1pt_root(const struct km_s1pt *pt)
{
	return pt->pool_ipa;
}

static unsigned int index_at(uint64_t va, int level)
{
	return (va >> (12 + 9 * (3 - level))) & 511;
}

/* The next-level table behind *entry, allocating it when absent. */
static uint64_t *next_table(struct km_s1pt *pt, uint64_t *entry, int alloc)
{
	uint64_t ipa;

	if (*entry & KM_PTE_VALID)
		return table_at(pt, *entry & KM_PTE_ADDR_MASK);
	if (!alloc || pt->used >= pt->npages)
		return NULL;
	ipa = pt->pool_ipa + pt->used++ * KM_S1_PAGE;
	memset(table_at(pt, ipa), 0, KM_S1_PAGE);
	*entry = ipa | KM_PTE_TABLE;
	return table_at(pt, ipa);
}

int km_s1pt_map(struct km_s1pt *pt, uint64_t va, uint64_t ipa, uint64_t size,
		unsigned int attr_idx, unsigned int flags)
{
	uint64_t off;

	if ((va | ipa | size) & (KM_S1_PAGE - 1) || attr_idx > 7 ||
	    va + size > (1ULL << KM_S1_VA_BITS) || va + size < va ||
	    (ipa + size - 1) & ~(KM_PTE_ADDR_MASK | (KM_S1_PAGE - 1)))
		return -EINVAL;
	for (off = 0; off < size; off += KM_S1_PAGE) {
		uint64_t *t = table_at(pt, pt->pool_ipa), desc;
		int level;

		for (level = 1; level < 3; level++) {
			t = next_table(pt, &t[index_at(va + off, level)], 1);
			if (!t)
				return -ENOMEM;
		}
		desc = (ipa + off) | KM_PTE_TABLE | KM_PTE_ATTRIDX(attr_idx) | KM_PTE_SH_INNER |
		       KM_PTE_AF | KM_PTE_UXN;
		if (!(flags & KM_S1_EXEC))
			desc |= KM_PTE_PXN;
		if (flags & KM_S1_RO)
			desc |= KM_PTE_AP_RO;
		t[index_at(va + off, 3)] = desc;
	}
	return 0;
}

uint64_t km_s1pt_lookup(const struct km_s1pt *pt, uint64_t va)
{
	uint64_t *t = table_at(pt, pt->pool_ipa);
	int level;

	if (va >= (1ULL << KM_S1_VA_BITS))
		return 0;
	for (level = 1; level < 3; level++) {
		t = next_table((struct km_s1pt *)pt, &t[index_at(va, level)], 0);
		if (!t)
			return 0;
	}
	return t[index_at(va, 3)];
}

uint64_t km_s1pt_tcr(void)
{
	uint64_t t0sz = 64 - KM_S1_VA_BITS;

	return t0sz |			/* T0SZ */
	       (1ULL << 8) |		/* IRGN0: WBWA */
	       (1ULL << 10) |		/* ORGN0: WBWA */
	       (3ULL << 12) |		/* SH0: inner shareable */
	       (0ULL << 14) |		/* TG0: 4 KiB */
	       (1ULL << 23) |		/* EPD1: no TTBR1 walks */
	       (2ULL << 32);		/* IPS: 40 bits */
}
