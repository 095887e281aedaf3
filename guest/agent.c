// SPDX-License-Identifier: GPL-2.0
/*
 * The guest agent: a freestanding EL1 program that turns its MMU on with the
 * stage-1 tables the host built, then executes the host's command list from
 * the mailbox, recording per command the value read and any synchronous
 * exception taken.  It stays generic: tests are data on the host side.
 */
#include "agent_abi.h"

typedef km_u64 u64;
typedef km_u32 u32;

/* SCTLR_EL1 RES1 bits (v8.0 view) plus M, C and I; A (alignment) stays 0. */
#define SCTLR_RES1	0x30d00800UL
#define SCTLR_M		(1UL << 0)
#define SCTLR_C		(1UL << 2)
#define SCTLR_I		(1UL << 12)

struct exc_frame {
	u64 x[31];
	u64 elr;
	u64 spsr;
};

static struct km_mbox *const mbox = (struct km_mbox *)(KM_AGENT_IPA + KM_MBOX_OFF);

/* The command whose single access instruction is in flight, else NULL. */
static struct km_cmd *volatile expect;

#define read_sysreg(r) ({						\
	u64 __v;							\
	asm volatile("mrs %0, " #r : "=r"(__v));			\
	__v;								\
})
#define write_sysreg(v, r) do {						\
	asm volatile("msr " #r ", %0" : : "r"((u64)(v)));		\
} while (0)
#define isb() asm volatile("isb" : : : "memory")

static void doorbell(u32 val)
{
	/* A plain 32-bit store: ESR.ISV is valid, so KVM exits with MMIO. */
	asm volatile("str %w0, [%1]" : : "r"(val), "r"(KM_DOORBELL_IPA) : "memory");
}

static void local_tlbi(void)
{
	asm volatile("dsb ishst\n\ttlbi vmalle1\n\tdsb ish\n\tisb" : : : "memory");
}

void km_exception(u64 vector, struct exc_frame *f)
{
	struct km_cmd *c = expect;
	u64 esr = read_sysreg(esr_el1);

	/* Vector 4: synchronous, current EL, SP_ELx. */
	if (vector == 4 && c) {
		c->esr = esr;
		c->far = read_sysreg(far_el1);
		c->elr = f->elr;
		c->flags |= KM_CMD_F_EXC;
		expect = 0;
		/*
		 * An instruction abort on a KM_OP_EXEC target: return to the
		 * caller.  Anything else: step over the faulting instruction.
		 */
		if (KM_ESR_EC(esr) == KM_EC_IABT_CUR || KM_ESR_EC(esr) == KM_EC_IABT_LOW)
			f->elr = f->x[30];
		else
			f->elr += 4;
		return;
	}
	mbox->hdr.panic_esr = esr;
	mbox->hdr.panic_far = read_sysreg(far_el1);
	mbox->hdr.panic_elr = f->elr;
	mbox->hdr.panic_vector = vector;
	for (;;)
		doorbell(KM_DB_PANIC);
}

static u64 op_load(u64 va, u32 size)
{
	u64 v = KM_POISON;

	switch (size) {
	case 1:
		asm volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	case 2:
		asm volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	case 4:
		asm volatile("ldr %w0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	default:
		asm volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	}
	return v;
}

static void op_store(u64 va, u32 size, u64 v)
{
	switch (size) {
	case 1:
		asm volatile("strb %w0, [%1]" : : "r"(v), "r"(va) : "memory");
		break;
	case 2:
		asm volatile("strh %w0, [%1]" : : "r"(v), "r"(va) : "memory");
		break;
	case 4:
		asm volatile("str %w0, [%1]" : : "r"(v), "r"(va) : "memory");
		break;
	default:
		asm volatile("str %0, [%1]" : : "r"(v), "r"(va) : "memory");
		break;
	}
}

static u64 op_ldxr(u64 va, u32 size)
{
	u64 v = KM_POISON;

	switch (size) {
	case 1:
		asm volatile("ldxrb %w0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	case 2:
		asm volatile("ldxrh %w0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	case 4:
		asm volatile("ldxr %w0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	default:
		asm volatile("ldxr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
		break;
	}
	asm volatile("clrex" : : : "memory");
	return v;
}

static u64 op_ldxr_stxr(u64 va, u32 size, u64 val)
{
	u64 old = KM_POISON, status = KM_POISON;

	if (size == 4)
		asm volatile("ldxr %w0, [%2]\n\tstxr %w1, %w3, [%2]"
			     : "+&r"(old), "+&r"(status) : "r"(va), "r"(val) : "memory");
	else
		asm volatile("ldxr %0, [%2]\n\tstxr %w1, %3, [%2]"
			     : "+&r"(old), "+&r"(status) : "r"(va), "r"(val) : "memory");
	return status;
}

static u64 op_exec(u64 va, u64 arg)
{
	register u64 x0 asm("x0") = arg;
	register u64 target asm("x16") = va;

	/* The target is host-written code ending in RET; it may use x0-x18. */
	asm volatile("blr %1"
		     : "+r"(x0), "+r"(target)
		     :
		     : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
		       "x11", "x12", "x13", "x14", "x15", "x17", "x18", "x30",
		       "memory", "cc");
	return x0;
}

static u64 op_sysreg(u64 sel)
{
	switch (sel) {
	case KM_SR_MIDR_EL1: return read_sysreg(midr_el1);
	case KM_SR_CTR_EL0: return read_sysreg(ctr_el0);
	case KM_SR_ID_AA64MMFR0: return read_sysreg(id_aa64mmfr0_el1);
	case KM_SR_ID_AA64MMFR1: return read_sysreg(id_aa64mmfr1_el1);
	case KM_SR_ID_AA64MMFR2: return read_sysreg(s3_0_c0_c7_2);
	case KM_SR_SCTLR_EL1: return read_sysreg(sctlr_el1);
	case KM_SR_CURRENTEL: return read_sysreg(CurrentEL);
	case KM_SR_DCZID_EL0: return read_sysreg(dczid_el0);
	case KM_SR_ID_AA64PFR0: return read_sysreg(id_aa64pfr0_el1);
	case KM_SR_ID_AA64PFR1: return read_sysreg(id_aa64pfr1_el1);
	}
	return KM_POISON;
}

static void run_one(struct km_cmd *c)
{
	u64 r = KM_POISON, va = c->va;

	expect = c;
	switch (c->op) {
	case KM_OP_NOP:
		break;
	case KM_OP_LOAD:
		r = op_load(va, c->size);
		break;
	case KM_OP_STORE:
		op_store(va, c->size, c->value);
		break;
	case KM_OP_EXEC:
		r = op_exec(va, c->value);
		break;
	case KM_OP_DC_ZVA:
		asm volatile("dc zva, %0" : : "r"(va) : "memory");
		r = read_sysreg(dczid_el0);
		break;
	case KM_OP_LDXR:
		r = op_ldxr(va, c->size);
		break;
	case KM_OP_LDXR_STXR:
		r = op_ldxr_stxr(va, c->size, c->value);
		break;
	case KM_OP_AT_S1E1R:
		asm volatile("at s1e1r, %0\n\tisb" : : "r"(va) : "memory");
		r = read_sysreg(par_el1);
		break;
	case KM_OP_SYNC:
		expect = 0;
		doorbell(KM_DB_SYNC);
		break;
	case KM_OP_SYSREG:
		r = op_sysreg(c->value);
		break;
	case KM_OP_TLBI:
		local_tlbi();
		break;
	case KM_OP_SET_TTBR0:
		/* Later fetches and accesses walk the new tables. */
		write_sysreg(c->value, ttbr0_el1);
		isb();
		local_tlbi();
		break;
	case KM_OP_DC_CIVAC:
		asm volatile("dc civac, %0" : : "r"(va) : "memory");
		break;
	case KM_OP_LDP: {
		u64 a = KM_POISON, b = KM_POISON;

		asm volatile("ldp %0, %1, [%2]" : "+r"(a), "+r"(b) : "r"(va) : "memory");
		r = a;
		break;
	}
	}
	expect = 0;
	c->result = r;
	c->flags |= KM_CMD_F_DONE;
}

/*
 * Read the page-table pages the host has handed out since the last call, so
 * each has a stage-2 mapping before the stage-1 walker needs it.  On hosts
 * with the ARM erratum 834220 workaround, Linux 7.x never resolves a stage-2
 * fault taken by the walker itself (S1PTW): the guest would re-fault forever.
 * A data read resolves like any other access.  Before the MMU is on the reads
 * are physical; after, they go through the identity map of the agent memory,
 * whose own tables were read first.  Only the pages in use are read: each
 * read is a stage-2 fault, and an untouched pool page costs nothing.
 */
static void touch_tables(void)
{
	static u64 touched;
	struct km_mbox_hdr *h = &mbox->hdr;

	for (; touched < h->touch_pages; touched++)
		(void)*(volatile u64 *)(h->touch_start + touched * 4096);
}

static void mmu_on(void)
{
	struct km_mbox_hdr *h = &mbox->hdr;

	touch_tables();
	write_sysreg(h->mair, mair_el1);
	write_sysreg(h->tcr, tcr_el1);
	write_sysreg(h->ttbr0, ttbr0_el1);
	isb();
	asm volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" : : : "memory");
	write_sysreg(h->sctlr | SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_I, sctlr_el1);
	isb();
}

void agent_main(void)
{
	struct km_mbox_hdr *h = &mbox->hdr;
	u32 i;

	if (h->magic != KM_MBOX_MAGIC) {
		h->panic_vector = ~0ULL;
		for (;;)
			doorbell(KM_DB_PANIC);
	}
	mmu_on();
	for (;;) {
		/* The host may have edited the tables since the last batch. */
		touch_tables();
		local_tlbi();
		for (i = 0; i < h->ncmds && i < KM_MAX_CMDS; i++) {
			struct km_cmd *c = &mbox->cmds[i];

			if (c->op == KM_OP_END)
				break;
			h->cur = i;
			run_one(c);
		}
		h->batch++;
		doorbell(KM_DB_DONE);
	}
}
