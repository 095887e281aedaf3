/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The expectation function: for a memslot backing, the guest's stage-1
 * attribute, an access, and the hardware facts, what stage-2 mapping KVM
 * must make (memory type, permissions, size) and what the guest must see.
 * One pure function of its inputs.  The stage-2 part (SPEC 1.1, 1.2 master
 * table, 1.3 sizes) comes from km_pfn_expect() (lib/expect/pfnmap_expect.c), the
 * one place those rules live, applied to the backing's VMA as km_backings[]
 * describes it; this file adds what the guest's stage 1 makes of it (SPEC
 * 1.4 and 4.3, guest-visible channels).  The matrix tests and both oracles
 * consume it.
 *
 * Also the reverse direction for the cross-check of the two oracles: which
 * stage-2 memory types are consistent with what the guest observed.
 */
#ifndef KM_EXPECT_H
#define KM_EXPECT_H

#include "agent_abi.h"
#include "memtype.h"
#include "pfnmap_expect.h"
#include "util.h"

/*
 * Memslot backings, one per row of the SPEC 1.2 master table.  New kinds go
 * at the end of the enum with a line in km_backings[] (expect.c).
 */
enum km_backing {
	KM_BK_ANON,		/* A1: anonymous, 4 KiB pages (MADV_NOHUGEPAGE) */
	KM_BK_THP,		/* A1: anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	KM_BK_HUGETLB,		/* A1: MAP_HUGETLB, 2 MiB pages */
	KM_BK_GMEM,		/* G1: guest_memfd MMAP|INIT_SHARED */
	KM_BK_PFNMAP_RAM,	/* P1: VM_PFNMAP over RAM, cacheable VMA */
	KM_BK_PFNMAP_RAM_NC,	/* P2: VM_PFNMAP over RAM, non-cacheable VMA */
	KM_BK_PFNMAP_IO,	/* P3: VM_PFNMAP over non-RAM, cacheable VMA */
	KM_BK_PFNMAP_IO_NC,	/* P4: non-RAM, non-cacheable, VM_ALLOW_ANY_UNCACHED */
	KM_BK_PFNMAP_IO_DEV,	/* P5: non-RAM, non-cacheable, no ALLOW_ANY_UNCACHED */
	KM_BK_MIXEDMAP_RAM,	/* M1: VM_MIXEDMAP of struct-page RAM */
	KM_BK_MIXEDMAP_SPECIAL,	/* M2: VM_MIXEDMAP of a special PTE (no struct page) */
	KM_BK_MIXEDMAP_ZDEV,	/* M3: VM_MIXEDMAP of ZONE_DEVICE pages, cacheable VMA */
	KM_BK_MIXEDMAP_ZDEV_NC,	/* M3: ZONE_DEVICE pages, WC, VM_ALLOW_ANY_UNCACHED */
	KM_BK_MIXEDMAP_ZDEV_DEV,	/* M3: ZONE_DEVICE pages, pgprot_device() */
	KM_BK_NR,
};

/* What KVM looks at when it maps the backing (SPEC 1.2 columns). */
struct km_backing_desc {
	const char *name;	/* "anon": case names */
	const char *id;		/* "ANON": the infix of its S2MT-<ID>-NN rules */
	const char *row;	/* "A1": SPEC 1.2 master-table row */
	/*
	 * The VMA and pfn as KVM reads them; a provider of the backing
	 * (lib/mem/backing.c) must produce exactly this where it can measure it.
	 */
	struct km_pfn_props vma;
};

const struct km_backing_desc *km_backing_desc(enum km_backing b);

/* Guest accesses of the matrix, each after an aligned "prime" load. */
enum km_access {
	KM_ACC_LOAD,		/* aligned 8-byte LDR */
	KM_ACC_LOAD_UNALIGNED,	/* 8-byte LDR at offset 1 mod 8 (SCTLR_EL1.A = 0) */
	KM_ACC_EXEC,		/* BLR to host-written code */
	KM_ACC_DC_ZVA,		/* DC ZVA */
	KM_ACC_NR,
};

/* What the guest, or KVM_RUN, shows for one access. */
enum km_outcome {
	KM_OUT_OK,		/* completes, no exception */
	KM_OUT_EL1_ALIGN,	/* data abort at EL1: EC 0x25, DFSC 0x21 (alignment) */
	KM_OUT_IABT_SEA,	/* instruction abort KVM injected: EC 0x21, IFSC 0x10 */
	KM_OUT_RUN_EFAULT,	/* KVM_RUN fails with EFAULT */
	KM_OUT_OTHER,		/* anything else */
	KM_OUT_NR,
};
#define KM_OUT_BIT(o)		(1U << (o))
#define KM_OUT_ALL		((1U << KM_OUT_NR) - 1)	/* not asserted */

enum km_tri { KM_TRI_NO, KM_TRI_YES, KM_TRI_ANY };

struct km_expect {
	int slot_err;		/* KVM_SET_USER_MEMORY_REGION2: 0 or -errno */
	int first_err;		/* KVM_RUN at the first (prime) access: 0 or -errno */
	/* Stage 2 of the accessed IPA after the prime load and the access. */
	enum km_memtype mt;
	bool w;			/* after the prime load (a read fault) */
	bool w_on_write;	/* after an access that writes (a write fault) */
	enum km_tri x;
	u64 size;
	/* The access under test. */
	unsigned int guest;	/* KM_OUT_BIT() set of acceptable outcomes */
	const char *guest_why;	/* the rule behind it, with its source */
	bool tcg_unmodelled;	/* QEMU TCG shows OK where hardware faults */
	const char *tcg_why;
	const char *src;	/* kernel source of the stage-2 part */
	unsigned int contracts;	/* KM_BIT(enum km_contract) the stage-2 part consulted */
};

/*
 * s1attr is a KM_ATTR_* index (guest/agent_abi.h).  Returns 0, or -EINVAL for
 * inputs outside the matrix.
 */
int km_expect(enum km_backing b, unsigned int s1attr, enum km_access acc,
	      const struct km_env *env, struct km_expect *e);

/*
 * The stage-2 memory types (KM_MT_BIT set) consistent with observing `obs`
 * for access `acc` through a stage-1 `s1attr` mapping.  0 means no stage-2
 * type explains it.  Under TCG, outcomes QEMU does not model constrain
 * nothing.
 */
unsigned int km_infer_memtypes(unsigned int s1attr, enum km_access acc, enum km_outcome obs,
			       const struct km_env *env);

/*
 * Classify an agent command: KVM_RUN failed with run_errno (0: it reached the
 * doorbell), else the command's exception flag and ESR_EL1.
 */
enum km_outcome km_outcome_classify(int run_errno, bool exc, u64 esr);

/* km_pfn_expect()'s stage-2 type as the tracer's memory type. */
enum km_memtype km_memtype_of(enum km_s2type t);

const char *km_outcome_str(enum km_outcome o);
const char *km_outset_str(unsigned int set, char *buf, size_t len);
const char *km_access_str(enum km_access acc);
const char *km_s1attr_str(unsigned int s1attr);
bool km_s1attr_is_device(unsigned int s1attr);

#endif /* KM_EXPECT_H */
