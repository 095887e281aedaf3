// SPDX-License-Identifier: GPL-2.0
/*
 * The plumbing every other test stands on, checked against KVM: guest RAM
 * round trips, MMIO exits for IPAs outside every memslot, and writes to a
 * read-only memslot.  (SPEC 1.2 rows A1/A2; 1.4 "data access to a GPA in no
 * memslot"; mmio.c:io_mem_abort.)  Where the guest touched RAM, the stage-2
 * descriptor KVM installed is checked too (kmod/memattr_s2desc): the leaf
 * km_expect() gives anonymous memory, without W on a read-only memslot.
 */
#include <string.h>

#include "harness.h"
#include "agent.h"
#include "expect.h"
#include "facts.h"
#include "memslot.h"
#include "pfnmap.h"
#include "s2desc_kmod.h"

#define TEST_SLOT	1
#define TEST_IPA	KM_TEST_IPA
#define TEST_VA		TEST_IPA
#define TEST_SIZE	0x10000ULL
#define HOLE_IPA	0x90000000ULL	/* no memslot here */

static const u64 pattern = 0x0123456789abcdefULL;

static u64 truncate_to(u64 v, u32 size)
{
	return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

/*
 * The descriptor oracle on the anonymous page at hva, IPA ipa, after the
 * guest's access acc: the leaf km_expect() gives (SPEC 1.2 A1), W also after
 * a store, no W on a read-only memslot (kvm_s2_fault_compute_prot:
 * writable only if the memslot is), the host page behind hva.  Module not
 * loaded: a "#" note, the case's other assertions stand.
 */
static void check_desc(struct km_agent *a, u64 ipa, void *hva, enum km_access acc, bool stored,
		       bool readonly)
{
	static unsigned int noted;	/* per case: each runs in its own process */
	struct km_s2want w;
	struct km_expect e;
	char why[200];

	ASSERT_EQ(0, km_expect(KM_BK_ANON, KM_ATTR_NORMAL_WB, acc, &km_facts.env, &e));
	w = (struct km_s2want){
		.mt = e.mt, .w = !readonly && (e.w || stored), .x = e.x, .size = e.size,
		.pa = km_hva_to_phys(hva), .src = readonly ? "mmu.c:kvm_s2_fault_compute_prot "
		"(read-only memslot)" : e.src,
	};
	if (!km_s2desc_check(a->vm.fd, ipa, &w, NULL, NULL, why, sizeof(why)) && !noted++)
		TH_LOG("descriptor oracle unavailable: %s", why);
}

TEST_RULE(anon_round_trip, "SMOKE-RAM-01",
	  "guest loads and stores of 1-8 bytes through a Normal-WB stage-1 mapping of an "
	  "anonymous memslot are coherent with the host's view")
{
	static const u32 sizes[] = { 1, 2, 4, 8 };
	struct km_cmd *st[4], *ld[4], *host_ld;
	struct km_agent a;
	u8 *mem;
	unsigned int i;

	km_agent_init(&a, 0);
	mem = km_mmap_anon(TEST_SIZE);
	km_set_memslot2(&a.vm, TEST_SLOT, 0, TEST_IPA, TEST_SIZE, mem, -1, 0);
	km_agent_map(&a, TEST_VA, TEST_IPA, TEST_SIZE, KM_ATTR_NORMAL_WB, 0);
	memcpy(mem + 0x100, &pattern, 8);

	km_agent_reset(&a);
	for (i = 0; i < 4; i++) {
		st[i] = km_agent_cmd(&a, KM_OP_STORE, TEST_VA + 0x1000 + 16 * i, sizes[i],
				     pattern + i);
		ld[i] = km_agent_cmd(&a, KM_OP_LOAD, TEST_VA + 0x1000 + 16 * i, sizes[i], 0);
	}
	host_ld = km_agent_cmd(&a, KM_OP_LOAD, TEST_VA + 0x100, 8, 0);
	km_agent_run_done(&a);

	for (i = 0; i < 4; i++) {
		u64 host = 0;

		memcpy(&host, mem + 0x1000 + 16 * i, sizes[i]);
		EXPECT_EQ(0, st[i]->flags & KM_CMD_F_EXC) TH_LOG("store size %u faulted, ESR 0x%llx",
								 sizes[i], st[i]->esr);
		EXPECT_EQ(truncate_to(pattern + i, sizes[i]), host);
		EXPECT_EQ(truncate_to(pattern + i, sizes[i]), ld[i]->result);
	}
	EXPECT_EQ(pattern, host_ld->result);
	check_desc(&a, TEST_IPA, mem, KM_ACC_LOAD, false, false);
	check_desc(&a, TEST_IPA + 0x1000, mem + 0x1000, KM_ACC_LOAD, true, false);
	km_agent_fini(&a);
}

FIXTURE(mmio) {
	struct km_agent a;
};

FIXTURE_VARIANT(mmio) {
	KM_VARIANT_RULE;
	u32 size;
	bool write;
};

#define MMIO_ROW(name, r, sz, wr)						\
	FIXTURE_VARIANT_ADD(mmio, name) {					\
		.rule = r,							\
		.summary = "a " #sz "-byte guest " #name " of an IPA in no memslot exits "	\
			   "with KVM_EXIT_MMIO carrying address, length, direction and data", \
		.size = sz, .write = wr,					\
	}
MMIO_ROW(load8, "SMOKE-MMIO-01", 1, false);
MMIO_ROW(load16, "SMOKE-MMIO-01", 2, false);
MMIO_ROW(load32, "SMOKE-MMIO-01", 4, false);
MMIO_ROW(load64, "SMOKE-MMIO-01", 8, false);
MMIO_ROW(store8, "SMOKE-MMIO-02", 1, true);
MMIO_ROW(store16, "SMOKE-MMIO-02", 2, true);
MMIO_ROW(store32, "SMOKE-MMIO-02", 4, true);
MMIO_ROW(store64, "SMOKE-MMIO-02", 8, true);

FIXTURE_SETUP(mmio)
{
	km_agent_init(&self->a, 0);
	km_agent_map(&self->a, HOLE_IPA, HOLE_IPA, km_env_page(&km_facts.env),
		     KM_ATTR_DEVICE_nGnRE, 0);
}

FIXTURE_TEARDOWN(mmio)
{
	km_agent_fini(&self->a);
}

TEST_F(mmio, exit)
{
	u64 addr = HOLE_IPA + 0x40 + variant->size;
	u64 value = truncate_to(pattern, variant->size);
	struct km_cmd *c;
	struct km_exit x;

	km_agent_reset(&self->a);
	c = km_agent_cmd(&self->a, variant->write ? KM_OP_STORE : KM_OP_LOAD, addr,
			 variant->size, value);
	km_agent_run(&self->a, &x);
	ASSERT_EQ(KM_X_MMIO, x.kind) TH_LOG("got exit kind %s", km_exit_kind_str(x.kind));
	EXPECT_EQ(addr, x.addr);
	EXPECT_EQ(variant->size, x.len);
	EXPECT_EQ(variant->write, x.is_write);
	if (variant->write)
		EXPECT_EQ(value, x.data);
	else
		km_vcpu_mmio_reply(&self->a.vcpu, value);

	km_agent_run(&self->a, &x);
	ASSERT_EQ(KM_X_DONE, x.kind) TH_LOG("got exit kind %s", km_exit_kind_str(x.kind));
	EXPECT_EQ(0, c->flags & KM_CMD_F_EXC);
	if (!variant->write)
		EXPECT_EQ(value, c->result);
}

TEST_RULE(readonly_slot, "SMOKE-RO-01",
	  "a guest store to a KVM_MEM_READONLY memslot exits with KVM_EXIT_MMIO (write, "
	  "address, data) and leaves memory unchanged; loads read the host's data")
{
	u64 addr = TEST_IPA + 0x208;
	struct km_cmd *ld, *st;
	struct km_agent a;
	struct km_exit x;
	u8 *mem;
	u64 now;

	km_agent_init(&a, 0);
	mem = km_mmap_anon(TEST_SIZE);
	memcpy(mem + 0x208, &pattern, 8);
	km_set_memslot2(&a.vm, TEST_SLOT, KVM_MEM_READONLY, TEST_IPA, TEST_SIZE, mem, -1, 0);
	km_agent_map(&a, TEST_VA, TEST_IPA, TEST_SIZE, KM_ATTR_NORMAL_WB, 0);

	km_agent_reset(&a);
	ld = km_agent_cmd(&a, KM_OP_LOAD, addr, 8, 0);
	st = km_agent_cmd(&a, KM_OP_STORE, addr, 4, 0xfeedf00d);
	km_agent_run(&a, &x);
	ASSERT_EQ(KM_X_MMIO, x.kind) TH_LOG("got exit kind %s", km_exit_kind_str(x.kind));
	EXPECT_TRUE(x.is_write);
	EXPECT_EQ(addr, x.addr);
	EXPECT_EQ(4, x.len);
	EXPECT_EQ(0xfeedf00d, x.data);
	km_agent_run(&a, &x);
	ASSERT_EQ(KM_X_DONE, x.kind) TH_LOG("got exit kind %s", km_exit_kind_str(x.kind));
	EXPECT_EQ(pattern, ld->result);
	EXPECT_EQ(0, st->flags & KM_CMD_F_EXC);
	memcpy(&now, mem + 0x208, 8);
	EXPECT_EQ(pattern, now);
	check_desc(&a, TEST_IPA, mem, KM_ACC_LOAD, false, true);
	km_agent_fini(&a);
}

/*
 * The agent's other primitives on ordinary RAM (SPEC 1.2 row A1): each must
 * complete without an exception before the attribute tests can rely on it.
 */
FIXTURE(ram_ops) {
	struct km_agent a;
	u8 *mem;
};

FIXTURE_VARIANT(ram_ops) {
	KM_VARIANT_RULE;
	u32 op;
};

FIXTURE_VARIANT_ADD(ram_ops, exec) {
	.rule = "SMOKE-RAM-02",
	.summary = "instruction fetch from an anonymous memslot runs the host-written code",
	.op = KM_OP_EXEC,
};

FIXTURE_VARIANT_ADD(ram_ops, dc_zva) {
	.rule = "SMOKE-RAM-03",
	.summary = "DC ZVA on Normal-WB RAM zeroes the block the host sees",
	.op = KM_OP_DC_ZVA,
};

FIXTURE_VARIANT_ADD(ram_ops, exclusive) {
	.rule = "SMOKE-RAM-04",
	.summary = "LDXR/STXR on Normal-WB RAM succeed and the store reaches the host",
	.op = KM_OP_LDXR_STXR,
};

FIXTURE_VARIANT_ADD(ram_ops, at_s1e1r) {
	.rule = "SMOKE-RAM-05",
	.summary = "AT S1E1R translates a mapped VA to its IPA (PAR_EL1.F=0)",
	.op = KM_OP_AT_S1E1R,
};

FIXTURE_SETUP(ram_ops)
{
	km_agent_init(&self->a, 0);
	self->mem = km_mmap_anon(TEST_SIZE);
	memset(self->mem, 0xa5, TEST_SIZE);
	km_set_memslot2(&self->a.vm, TEST_SLOT, 0, TEST_IPA, TEST_SIZE, self->mem, -1, 0);
	km_agent_map(&self->a, TEST_VA, TEST_IPA, TEST_SIZE, KM_ATTR_NORMAL_WB, KM_S1_EXEC);
}

FIXTURE_TEARDOWN(ram_ops)
{
	km_agent_fini(&self->a);
}

TEST_F(ram_ops, run)
{
	const u64 off = 0x2000;
	struct km_cmd *c;
	u64 host;
	u32 i;

	if (variant->op == KM_OP_EXEC)
		km_write_ret_imm(self->mem + off, 0x1234);
	km_agent_reset(&self->a);
	c = km_agent_cmd(&self->a, variant->op, TEST_VA + off, 8, pattern);
	km_agent_run_done(&self->a);
	ASSERT_EQ(0, c->flags & KM_CMD_F_EXC) TH_LOG("exception: ESR 0x%llx FAR 0x%llx",
						     c->esr, c->far);
	memcpy(&host, self->mem + off, 8);
	switch (variant->op) {
	case KM_OP_EXEC:
		EXPECT_EQ(0x1234, c->result);
		break;
	case KM_OP_DC_ZVA: {
		u32 block = 4U << (c->result & 0xf);	/* DCZID_EL0.BS, in words */

		ASSERT_EQ(0, c->result & 0x10) TH_LOG("DC ZVA prohibited: DCZID_EL0=0x%llx",
						      c->result);
		for (i = 0; i < block; i++)
			ASSERT_EQ(0, self->mem[off + i]) TH_LOG("byte %u of the block", i);
		EXPECT_EQ(0xa5, self->mem[off + block]);
		break;
	}
	case KM_OP_LDXR_STXR:
		EXPECT_EQ(0, c->result);
		EXPECT_EQ(pattern, host);
		break;
	case KM_OP_AT_S1E1R:
		EXPECT_EQ(0, c->result & 1) TH_LOG("PAR_EL1=0x%llx", c->result);
		EXPECT_EQ(TEST_IPA + off, c->result & 0x000ffffffffff000ULL);
		break;
	}
	/* AT walks stage 1 only: the page it names need not be mapped at stage 2. */
	if (variant->op != KM_OP_AT_S1E1R)
		check_desc(&self->a, TEST_IPA + off, self->mem + off,
			   variant->op == KM_OP_EXEC ? KM_ACC_EXEC :
			   variant->op == KM_OP_DC_ZVA ? KM_ACC_DC_ZVA : KM_ACC_LOAD,
			   variant->op != KM_OP_EXEC, false);
}

KM_RULE_DOC(smoke_ram, "SMOKE-RAM-*", "mmu.c:user_mem_abort (SPEC 1.2 A1)", "-", "yes")
KM_RULE_DOC(smoke_mmio, "SMOKE-MMIO-*", "mmio.c:io_mem_abort (SPEC 1.4)", "-", "yes")
KM_RULE_DOC(smoke_ro, "SMOKE-RO-01",
	    "mmu.c:kvm_handle_guest_abort, mmio.c:io_mem_abort (SPEC 1.2 A2)", "-", "yes")
