// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement of guest_memfd memory (SPEC 2.7), through the memory-policy
 * system calls (lib/mem/numa.h).  guest_memfd keeps one shared mempolicy per inode
 * (kvm_gmem_set_policy/kvm_gmem_get_policy); every allocation path -- the
 * guest's fault (kvm_gmem_get_pfn), the host's fault
 * (kvm_gmem_fault_user_mapping) and fallocate -- goes through
 * kvm_gmem_get_folio, which allocates with the policy at that index.
 * Needs a host with two NUMA nodes (profile max-numa).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem_common.h"
#include "agent.h"
#include "numa.h"
#include "sysfs.h"

#define NUMA_PAGES	8
#define MASK_WORDS	16
#define MAXNODE		(MASK_WORDS * 64)

/* Two nodes with memory, or why not (with what the kernel reported). */
static int pick_nodes(int node[2], char *why, size_t len)
{
	char list[64];
	int found;

	if (!km_read_text("/sys/devices/system/node/has_memory", list, sizeof(list)))
		strcpy(list, "?");
	if (km_numa_available() < 0) {
		snprintf(why, len, "NUMA unavailable (get_mempolicy: %s)", strerror(errno));
		return -1;
	}
	found = km_parse_node_list(list, node, 2);
	if (found < 0)
		found = 0;
	if (found < 2) {
		snprintf(why, len, "single NUMA node: %d node(s) with memory "
			 "(/sys/devices/system/node/has_memory=%s)", found, list);
		return -1;
	}
	snprintf(why, len, "nodes %d and %d (has_memory=%s)", node[0], node[1], list);
	return 0;
}

static void mask_of(unsigned long *mask, int node)
{
	memset(mask, 0, MASK_WORDS * sizeof(*mask));
	mask[node / 64] |= 1UL << (node % 64);
}

enum alloc_path { BY_GUEST, BY_HOST, BY_FALLOCATE };

FIXTURE(gmem_numa) {
	struct km_agent a;
	struct km_gmem_slot g;
	int node[2];
	long pg;
	bool up;
};

FIXTURE_VARIANT(gmem_numa) {
	KM_VARIANT_RULE;
	enum alloc_path path;
};

FIXTURE_VARIANT_ADD(gmem_numa, guest_fault) {
	.rule = "GMEM-NUMA-01",
	.summary = "pages the guest faults into a guest_memfd land on the node mbind(MPOL_BIND) "
		   "chose for their range (move_pages query)",
	.path = BY_GUEST,
};
FIXTURE_VARIANT_ADD(gmem_numa, host_fault) {
	.rule = "GMEM-NUMA-01",
	.summary = "pages the host faults into a guest_memfd through its mapping land on the "
		   "node mbind(MPOL_BIND) chose for their range",
	.path = BY_HOST,
};
FIXTURE_VARIANT_ADD(gmem_numa, fallocate) {
	.rule = "GMEM-NUMA-01",
	.summary = "pages fallocate(KEEP_SIZE) preallocates in a guest_memfd land on the node "
		   "mbind(MPOL_BIND) chose for their range",
	.path = BY_FALLOCATE,
};

FIXTURE_SETUP(gmem_numa)
{
	char why[160];

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	if (pick_nodes(self->node, why, sizeof(why)))
		SKIP(return, "%s", why);
	TH_LOG("%s", why);
	self->pg = km_facts.env.page_size;
	km_agent_init(&self->a, 0);
	km_gmem_slot_create(&self->a.vm, &self->g, GMEM_SLOT, GMEM_IPA, NUMA_PAGES * self->pg,
			    GMEM_SHARED);
	km_agent_map(&self->a, GMEM_IPA, GMEM_IPA, NUMA_PAGES * self->pg, KM_ATTR_NORMAL_WB, 0);
	self->up = true;
}

FIXTURE_TEARDOWN(gmem_numa)
{
	if (!self->up)
		return;
	km_gmem_slot_unmap(&self->g);
	km_gmem_slot_close(&self->g);
	km_agent_fini(&self->a);
}

/* Which node the policy asks for page i: the first half on one, the rest on the other. */
static int want_node(const int node[2], int i)
{
	return node[i < NUMA_PAGES / 2 ? 0 : 1];
}

TEST_F(gmem_numa, placement)
{
	unsigned long mask[MASK_WORDS];
	size_t half = NUMA_PAGES / 2 * self->pg;
	void *pages[NUMA_PAGES];
	int status[NUMA_PAGES];
	u8 *hva = self->g.hva;
	u64 v;
	int i;

	/* Each half bound to a different node: a policy ignored cannot pass by luck. */
	mask_of(mask, self->node[0]);
	ASSERT_EQ(0, km_mbind(hva, half, MPOL_BIND, mask, MAXNODE, 0))
		TH_LOG("%s", strerror(errno));
	mask_of(mask, self->node[1]);
	ASSERT_EQ(0, km_mbind(hva + half, half, MPOL_BIND, mask, MAXNODE, 0))
		TH_LOG("%s", strerror(errno));

	switch (variant->path) {
	case BY_GUEST:
		km_agent_reset(&self->a);
		for (i = 0; i < NUMA_PAGES; i++)
			km_agent_cmd(&self->a, KM_OP_STORE, GMEM_IPA + i * self->pg, 8,
				     gmem_pattern(i));
		km_agent_run_done(&self->a);
		break;
	case BY_HOST:
		for (i = 0; i < NUMA_PAGES; i++)
			memcpy(hva + i * self->pg, &(u64){ gmem_pattern(i) }, 8);
		break;
	case BY_FALLOCATE:
		ASSERT_EQ(0, fallocate(self->g.fd, FALLOC_FL_KEEP_SIZE, 0, NUMA_PAGES * self->pg))
			TH_LOG("%s", strerror(errno));
		break;
	}
	/*
	 * move_pages() only reports pages present in this process's page
	 * table: fault them in.  The host fault finds the folio already in the
	 * page cache (the data proves it is the one allocated above).
	 */
	for (i = 0; i < NUMA_PAGES; i++) {
		memcpy(&v, hva + i * self->pg, 8);
		EXPECT_EQ(variant->path == BY_FALLOCATE ? 0 : gmem_pattern(i), v)
			TH_LOG("page %d", i);
		pages[i] = hva + i * self->pg;
		status[i] = -1;
	}
	ASSERT_EQ(0, km_move_pages(0, NUMA_PAGES, pages, NULL, status, 0))
		TH_LOG("move_pages: %s", strerror(errno));
	for (i = 0; i < NUMA_PAGES; i++)
		EXPECT_EQ(want_node(self->node, i), status[i]) TH_LOG("page %d", i);
}

/*
 * kvm_gmem_get_policy returns the inode's shared policy at the file index,
 * or NULL (reported as MPOL_DEFAULT) where none was set; the policy belongs
 * to the file, so any mapping of it reports the same.
 */
TEST_RULE(get_mempolicy, "GMEM-NUMA-02",
	  "get_mempolicy(MPOL_F_ADDR) on a guest_memfd mapping reports MPOL_DEFAULT until "
	  "mbind, then the bound policy and node, through any mapping of the file")
{
	unsigned long mask[MASK_WORDS], got[MASK_WORDS], want[MASK_WORDS];
	size_t len = NUMA_PAGES * km_facts.env.page_size;
	int node[2], mode, fd;
	struct km_vm vm;
	char why[160];
	u8 *p, *q;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	if (pick_nodes(node, why, sizeof(why)))
		SKIP(return, "%s", why);
	fd = gmem_vm_create(&vm, len, GMEM_SHARED);
	p = km_mmap_fd(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	q = km_mmap_fd(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	mode = -1;
	ASSERT_EQ(0, km_get_mempolicy(&mode, got, MAXNODE, p, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_DEFAULT, mode);

	mask_of(mask, node[1]);
	ASSERT_EQ(0, km_mbind(p + len / 2, len / 2, MPOL_BIND, mask, MAXNODE, 0))
		TH_LOG("%s", strerror(errno));
	mask_of(want, node[1]);
	mode = -1;
	ASSERT_EQ(0, km_get_mempolicy(&mode, got, MAXNODE, p + len / 2, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_BIND, mode);
	EXPECT_EQ(0, memcmp(want, got, sizeof(want))) TH_LOG("nodemask word 0: 0x%lx", got[0]);
	/* The other mapping of the same file offsets. */
	mode = -1;
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, km_get_mempolicy(&mode, got, MAXNODE, q + len - 1, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_BIND, mode) TH_LOG("through a second mapping");
	EXPECT_EQ(0, memcmp(want, got, sizeof(want))) TH_LOG("nodemask word 0: 0x%lx", got[0]);
	/* Outside the bound range nothing changed. */
	mode = -1;
	ASSERT_EQ(0, km_get_mempolicy(&mode, got, MAXNODE, q, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_DEFAULT, mode);

	ASSERT_EQ(0, km_mbind(p, len, MPOL_DEFAULT, NULL, 0, 0)) TH_LOG("%s", strerror(errno));
	mode = -1;
	ASSERT_EQ(0, km_get_mempolicy(&mode, got, MAXNODE, q + len - 1, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_DEFAULT, mode) TH_LOG("after mbind(MPOL_DEFAULT)");
	munmap(q, len);
	munmap(p, len);
	close(fd);
	km_vm_destroy(&vm);
}

KM_RULE_DOC(gmem_numa, "GMEM-NUMA-*",
	    "guest_memfd.c:kvm_gmem_set_policy, kvm_gmem_get_policy, kvm_gmem_get_folio",
	    "two NUMA nodes with memory (profile max-numa)", "yes")
