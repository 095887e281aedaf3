/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the host tests and the guest agent: where things live
 * in guest physical memory, and the mailbox the host fills with commands.
 *
 * Shared by the freestanding guest build and the host build, so it uses only
 * fixed-width types and no libc.
 */
#ifndef KM_AGENT_ABI_H
#define KM_AGENT_ABI_H

#ifdef __ASSEMBLER__
#define KM_UL(x) (x)
#define KM_ULL(x) (x)
#else
#define KM_UL(x) (x##UL)
#define KM_ULL(x) (x##ULL)
typedef unsigned char km_u8;
typedef unsigned short km_u16;
typedef unsigned int km_u32;
typedef unsigned long long km_u64;
#endif

/*
 * Agent memory: one anonymous memslot, identity mapped at stage 1.  The
 * agent is linked to run at KM_AGENT_IPA.  2 MiB at a 2 MiB-aligned IPA, so
 * stage 2 can map it with one block.
 */
#define KM_AGENT_IPA		KM_UL(0x40000000)
#define KM_AGENT_SIZE		KM_UL(0x200000)
#define KM_AGENT_CODE_MAX	KM_UL(0x10000)
#define KM_MBOX_OFF		KM_UL(0x10000)
#define KM_MBOX_SIZE		KM_UL(0x4000)
#define KM_STACK_TOP_OFF	KM_UL(0x20000)
#define KM_PT_POOL_OFF		KM_UL(0x20000)
#define KM_PT_POOL_SIZE		(KM_AGENT_SIZE - KM_PT_POOL_OFF)

/* A store here (no memslot) is how the agent hands control to the host. */
#define KM_DOORBELL_IPA		KM_UL(0x3f000000)

/*
 * Where tests put the memory they study: above the agent, 2 MiB aligned so
 * stage 2 may map it with blocks, and below 4 GiB so it fits the smallest
 * IPA space KVM offers (32 bits).
 */
#define KM_TEST_IPA		KM_ULL(0x80000000)

/* Doorbell values (32-bit store). */
#define KM_DB_DONE		0x444f4e45	/* command list finished */
#define KM_DB_SYNC		0x53594e43	/* KM_OP_SYNC reached */
#define KM_DB_PANIC		0x50414e43	/* unexpected exception */
#define KM_DB_BOOT		0x424f4f54	/* reached main (MMU still off) */

/* MAIR_EL1 attribute indices the agent programs. */
#define KM_ATTR_DEVICE_nGnRnE	0	/* 0x00 */
#define KM_ATTR_DEVICE_nGnRE	1	/* 0x04 */
#define KM_ATTR_NORMAL_NC	2	/* 0x44 */
#define KM_ATTR_NORMAL_WB	3	/* 0xff */
#define KM_MAIR_VALUE		KM_UL(0xff440400)

/* Commands. */
#define KM_OP_END		0	/* end of list */
#define KM_OP_NOP		1
#define KM_OP_LOAD		2	/* result = load(size) from va */
#define KM_OP_STORE		3	/* store(size) value to va */
#define KM_OP_EXEC		4	/* blr va with x0 = value; result = x0 */
#define KM_OP_DC_ZVA		5	/* dc zva, va; result = DCZID_EL0 */
#define KM_OP_LDXR		6	/* result = ldxr(size) va */
#define KM_OP_LDXR_STXR		7	/* ldxr then stxr value; result = status */
#define KM_OP_AT_S1E1R		8	/* at s1e1r, va; result = PAR_EL1 */
#define KM_OP_SYNC		9	/* doorbell KM_DB_SYNC, then go on */
#define KM_OP_SYSREG		10	/* result = sysreg number value (KM_SR_*) */
#define KM_OP_TLBI		11	/* tlbi vmalle1 (after host PT edits) */
#define KM_OP_DC_CIVAC		12	/* dc civac, va */
#define KM_OP_LDP		13	/* ldp x, x, [va] (no ISV); result = first */
#define KM_OP_SET_TTBR0		14	/* switch to the tables rooted at value */

/* KM_OP_SYSREG selectors. */
#define KM_SR_MIDR_EL1		0
#define KM_SR_CTR_EL0		1
#define KM_SR_ID_AA64MMFR0	2
#define KM_SR_ID_AA64MMFR1	3
#define KM_SR_ID_AA64MMFR2	4
#define KM_SR_SCTLR_EL1		5
#define KM_SR_CURRENTEL		6
#define KM_SR_DCZID_EL0		7
#define KM_SR_ID_AA64PFR0	8
#define KM_SR_ID_AA64PFR1	9

/*
 * The syndrome the agent records (km_cmd.esr, ESR_EL1) and the host
 * classifies (Arm ARM, ESR_EL1): EC in [31:26], and the fault status
 * code in ISS [5:0] (DFSC for data aborts, IFSC for instruction aborts).
 */
#define KM_ESR_EC_SHIFT		26
#define KM_ESR_EC_MASK		0x3f
#define KM_ESR_FSC_MASK		0x3f
#define KM_ESR_EC(esr)		(((esr) >> KM_ESR_EC_SHIFT) & KM_ESR_EC_MASK)
#define KM_ESR_FSC(esr)		((esr) & KM_ESR_FSC_MASK)
#define KM_EC_IABT_LOW		0x20	/* instruction abort from a lower EL */
#define KM_EC_IABT_CUR		0x21	/* instruction abort, same EL */
#define KM_EC_DABT_LOW		0x24	/* data abort from a lower EL */
#define KM_EC_DABT_CUR		0x25	/* data abort, same EL */
#define KM_FSC_EXTABT		0x10	/* synchronous external abort (SEA) */
#define KM_FSC_ALIGN		0x21	/* alignment fault */

/* km_cmd.flags */
#define KM_CMD_F_EXC		0x1	/* a synchronous exception was taken */
#define KM_CMD_F_DONE		0x2	/* the agent executed this command */

#define KM_MBOX_MAGIC		KM_UL(0x4b4d2d4d424f5831)	/* "KM-MBOX1" */
#define KM_POISON		KM_UL(0x5a5a5a5a5a5a5a5a)

#ifndef __ASSEMBLER__
struct km_cmd {
	km_u32 op;
	km_u32 size;		/* access size in bytes: 1, 2, 4 or 8 */
	km_u64 va;
	km_u64 value;
	km_u64 result;
	km_u64 esr;		/* ESR_EL1 of the exception, if any */
	km_u64 far;		/* FAR_EL1 of the exception, if any */
	km_u64 elr;		/* ELR_EL1 of the exception, if any */
	km_u32 flags;
	km_u32 pad;
};

struct km_mbox_hdr {
	km_u64 magic;
	km_u64 ttbr0;		/* stage-1 root table IPA */
	km_u64 tcr;
	km_u64 mair;
	km_u64 sctlr;
	km_u64 touch_start;	/* stage-1 table pool the agent reads */
	km_u64 touch_pages;	/* (pages in use) before the walker does */
	km_u32 ncmds;
	km_u32 batch;		/* bumped by the agent per command list */
	km_u64 cur;		/* index of the command being executed */
	km_u64 panic_esr;	/* unexpected exception, reported via */
	km_u64 panic_far;	/* KM_DB_PANIC */
	km_u64 panic_elr;
	km_u64 panic_vector;
	km_u64 reserved[19];
};

#define KM_MAX_CMDS ((KM_MBOX_SIZE - sizeof(struct km_mbox_hdr)) / sizeof(struct km_cmd))

struct km_mbox {
	struct km_mbox_hdr hdr;
	struct km_cmd cmds[KM_MAX_CMDS];
};

_Static_assert(sizeof(struct km_cmd) == 64, "km_cmd layout");
_Static_assert(sizeof(struct km_mbox_hdr) == 256, "km_mbox_hdr layout");
_Static_assert(sizeof(struct km_mbox) <= KM_MBOX_SIZE, "mailbox fits");
#endif

#endif /* KM_AGENT_ABI_H */
