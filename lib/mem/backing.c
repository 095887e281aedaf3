// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "facts.h"
#include "gmem.h"
#include "hoststate.h"
#include "memslot.h"
#include "procfs.h"
#include "sysfs.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << 26)	/* log2(2 MiB) << MAP_HUGE_SHIFT */
#endif

#define SZ_2M		0x200000ULL

/* Through the host-state record, so the old value comes back after a kill too. */
static int set_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return km_host_set(path, buf);
}

long km_anon_huge_kb(const void *addr)
{
	char val[64];
	long kb;
	int r = km_smaps_field(addr, "AnonHugePages", val, sizeof(val));

	if (r)
		return r;
	return sscanf(val, "%ld kB", &kb) == 1 ? kb : -ENOENT;
}

static void *map_aligned(struct km_mem *m, u64 size, u64 align)
{
	m->map = __km_mmap_anon_aligned(size, align);
	m->map_len = m->map ? size : 0;
	return m->map;
}

u64 km_thp_size(void)
{
	return km_env_pmd(&km_facts.env);
}

/*
 * Anonymous memory, THP-backed or kept from THPs.  A THP needs a region of
 * at least a PMD aligned to it; that is checked before anything is
 * populated, so a case that SKIPs writes nothing.
 */
static int mem_anon(struct km_mem *m, u64 size, bool thp)
{
	u64 pmd = km_env_pmd(&km_facts.env), page = km_env_page(&km_facts.env);
	char mode[96];
	long kb;

	if (thp && pmd > size) {
		snprintf(m->why, sizeof(m->why), "a transparent huge page is a PMD, %llu MiB with "
			 "%llu KiB pages: larger than the %llu KiB region", pmd >> 20,
			 page >> 10, size >> 10);
		return -ENOTSUP;
	}
	/* Only a PMD-aligned range can be a THP; 2 MiB keeps plain anon as it was. */
	m->hva = map_aligned(m, size, thp ? pmd : SZ_2M);
	if (!m->hva) {
		snprintf(m->why, sizeof(m->why), "mmap of %llu bytes: %s", size, strerror(errno));
		return -errno;
	}
	/* NOHUGEPAGE also keeps the VMA from merging with a THP-able neighbour. */
	if (madvise(m->hva, size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(m->why, sizeof(m->why), "madvise(%s): %s",
			 thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
		return -errno;
	}
	memset(m->hva, 0, size);
	if (!thp)
		return 0;
	kb = km_anon_huge_kb(m->hva);
	if (kb >= (long)(size >> 10))
		return 0;
	if (!km_read_text("/sys/kernel/mm/transparent_hugepage/enabled", mode, sizeof(mode)))
		snprintf(mode, sizeof(mode), "?");
	snprintf(m->why, sizeof(m->why), "no transparent huge page for the %llu KiB-aligned "
		 "MADV_HUGEPAGE region: AnonHugePages=%ld kB (transparent_hugepage/enabled: %s)",
		 pmd >> 10, kb, mode);
	return -ENOMEM;
}

/*
 * One free 2 MiB huge page per 2 MiB; raise nr_hugepages if needed, and put
 * it back in km_mem_destroy() (or the harness does, lib/harness/hoststate.h).
 */
static int mem_hugetlb(struct km_mem *m, u64 size)
{
	long need = size / SZ_2M, nr = km_read_long(KM_HUGE_2M_NR);
	long avail = km_read_long(KM_HUGE_2M_FREE), got;

	if (nr < 0) {
		snprintf(m->why, sizeof(m->why), "no 2 MiB huge pages: %s: %s", KM_HUGE_2M_NR,
			 strerror(errno));
		return -ENOTSUP;
	}
	if (avail < need) {
		m->host_from = km_host_mark();
		set_long(KM_HUGE_2M_NR, nr + need - avail);
		m->host_to = km_host_mark();
		got = km_read_long(KM_HUGE_2M_FREE);
		if (got < need) {
			snprintf(m->why, sizeof(m->why),
				 "no free 2 MiB huge page: free_hugepages=%ld nr_hugepages=%ld; "
				 "raising nr_hugepages to %ld left %ld free",
				 avail, nr, nr + need - avail, got);
			return -ENOMEM;
		}
	}
	m->map = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		snprintf(m->why, sizeof(m->why), "mmap(MAP_HUGETLB|MAP_HUGE_2MB): %s "
			 "(nr_hugepages=%ld free_hugepages=%ld)", strerror(errno),
			 km_read_long(KM_HUGE_2M_NR), km_read_long(KM_HUGE_2M_FREE));
		return -ENOMEM;
	}
	m->map_len = size;
	m->hva = m->map;
	memset(m->hva, 0, size);
	return 0;
}

static int mem_gmem(struct km_mem *m, struct km_vm *vm, u64 size)
{
	const u64 want = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	int caps = km_check_cap(vm->fd, KVM_CAP_GUEST_MEMFD_FLAGS);

	if (caps < 0 || (caps & want) != want) {
		snprintf(m->why, sizeof(m->why), "guest_memfd MMAP|INIT_SHARED unsupported: "
			 "KVM_CAP_GUEST_MEMFD_FLAGS=%d (KVM_CAP_GUEST_MEMFD=%d)", caps,
			 km_check_cap(vm->fd, KVM_CAP_GUEST_MEMFD));
		return -ENOTSUP;
	}
	m->gmem_fd = km_gmem_create(vm, size, want);
	m->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->gmem_fd, 0);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		snprintf(m->why, sizeof(m->why), "mmap of the guest_memfd: %s", strerror(errno));
		return -errno;
	}
	m->map_len = size;
	m->hva = m->map;
	m->slot_flags = KVM_MEM_GUEST_MEMFD;
	memset(m->hva, 0, size);
	return 0;
}

/* The test module's configuration for each PFNMAP/MIXEDMAP row (kmod/memattr_pfnmap.h). */

static const struct km_pfn_req km_kmod_reqs[KM_BK_NR] = {
	[KM_BK_PFNMAP_RAM] = KM_PFN_KMOD(RAM, CACHEABLE, REMAP, 0),
	[KM_BK_PFNMAP_RAM_NC] = KM_PFN_KMOD(RAM, WC, REMAP, 0),
	[KM_BK_PFNMAP_IO] = KM_PFN_KMOD(NONLINEAR, CACHEABLE, REMAP, 0),
	[KM_BK_PFNMAP_IO_NC] = KM_PFN_KMOD(NONLINEAR, WC, REMAP, MPF_F_ALLOW_ANY_UNCACHED),
	[KM_BK_PFNMAP_IO_DEV] = KM_PFN_KMOD(NONLINEAR, DEVICE, REMAP, 0),
	[KM_BK_MIXEDMAP_RAM] = KM_PFN_KMOD(RAM, CACHEABLE, PAGE, 0),
	[KM_BK_MIXEDMAP_SPECIAL] = KM_PFN_KMOD(NONLINEAR, CACHEABLE, FAULT_MIXED, 0),
	[KM_BK_MIXEDMAP_ZDEV] = KM_PFN_KMOD(ZONE_DEVICE, CACHEABLE, PAGE, 0),
	[KM_BK_MIXEDMAP_ZDEV_NC] = KM_PFN_KMOD(ZONE_DEVICE, WC, PAGE, MPF_F_ALLOW_ANY_UNCACHED),
	[KM_BK_MIXEDMAP_ZDEV_DEV] = KM_PFN_KMOD(ZONE_DEVICE, DEVICE, PAGE, 0),
};

/* Append " name: row X, built Y" for each property KVM reads that differs. */
static bool km_props_differ(const struct km_pfn_props *want, const struct km_pfn_props *got,
			    char *buf, size_t len)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
#define F(x) { #x, offsetof(struct km_pfn_props, x) }
		F(pfnmap), F(mixedmap), F(io), F(ram), F(gup), F(cacheable),
		F(allow_any_uncached), F(cow), F(pte_writable), F(no_mapping),
#undef F
	};
	size_t off = strlen(buf);
	bool differ = false;
	unsigned int i;

	for (i = 0; i < KM_ARRAY_SIZE(f); i++) {
		bool w = *(const bool *)((const char *)want + f[i].off);
		bool g = *(const bool *)((const char *)got + f[i].off);

		if (w == g)
			continue;
		differ = true;
		off += snprintf(buf + off, off < len ? len - off : 0, " %s: row %d, built %d;",
				f[i].name, w, g);
	}
	return differ;
}

/*
 * PFNMAP/MIXEDMAP through the test module.  The module reports the VMA it
 * made (flags, attribute index, whether the pfn is in the linear map) and
 * /proc/self/smaps confirms the flags (km_pfn_get()); every property KVM
 * reads must be the row's, or the row would test something else.
 */
static int mem_pfnmap(struct km_mem *m, enum km_backing kind, u64 size)
{
	const struct km_backing_desc *d = km_backing_desc(kind);
	struct km_pfn_req req = km_kmod_reqs[kind];
	size_t most = km_pfn_default_size();
	struct km_pfn_props want;
	int r;

	req.size = size < most ? size : most;
	r = km_pfn_get(&req, &m->pfn, m->why, sizeof(m->why));
	if (r == KM_PFN_UNAVAILABLE)
		return -ENODEV;
	if (r) {
		m->mismatch = true;	/* the module exists and refused: not a SKIP */
		return r;
	}
	m->hva = m->pfn.hva;
	m->size = m->pfn.size;
	snprintf(m->why, sizeof(m->why), "%s (SPEC 1.2 row %s) built as %.160s:", d->name,
		 d->row, m->pfn.what);
	want = d->vma;
	/* A kernel without the flag cannot give the VMA its row declares. */
	if (!km_env_has(&km_facts.env, KM_C_ALLOW_ANY_UNCACHED))
		want.allow_any_uncached = false;
	if (km_props_differ(&want, &m->pfn.props, m->why, sizeof(m->why))) {
		m->mismatch = true;
		return -EPROTO;
	}
	m->why[0] = 0;
	return 0;
}

int km_mem_create(struct km_mem *m, enum km_backing kind, struct km_vm *vm, u64 size)
{
	const struct km_backing_desc *d = km_backing_desc(kind);

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->size = size;
	m->gmem_fd = -1;
	switch (kind) {
	case KM_BK_ANON:
		return mem_anon(m, size, false);
	case KM_BK_THP:
		return mem_anon(m, size, true);
	case KM_BK_HUGETLB:
		return mem_hugetlb(m, size);
	case KM_BK_GMEM:
		return mem_gmem(m, vm, size);
	case KM_BK_PFNMAP_RAM ... KM_BK_MIXEDMAP_ZDEV_DEV:
		return mem_pfnmap(m, kind, size);
	default:
		snprintf(m->why, sizeof(m->why), "backing %s (SPEC 1.2 row %s) is not built by "
			 "lib/mem/backing.c", d ? d->name : "?", d ? d->row : "?");
		return -EOPNOTSUPP;
	}
}

void km_mem_destroy(struct km_mem *m)
{
	if (m->pfn.hva)
		km_pfn_put(&m->pfn);
	if (m->map)
		munmap(m->map, m->map_len);
	m->map = NULL;
	m->hva = NULL;
	if (m->gmem_fd >= 0)
		close(m->gmem_fd);
	m->gmem_fd = -1;
	km_host_undo(m->host_from, m->host_to);
	m->host_from = m->host_to = 0;
}

int __km_mem_set_slot(struct km_mem *m, struct km_vm *vm, u32 slot, u64 gpa)
{
	return __km_set_memslot2(vm, slot, m->slot_flags, gpa, m->size, m->hva, m->gmem_fd, 0);
}
