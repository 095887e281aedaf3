/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The descriptor oracle, pure part: a stage-2 leaf descriptor as the Arm ARM
 * defines it (VMSAv8-64 stage-2 block and page descriptors), not as KVM's
 * prot enum names it, and the memory type a guest access gets when its
 * stage-1 attribute meets it.  No KVM, no I/O: the host unit tests check it
 * natively (tests/unit/test_s2desc.c).  Reading the descriptors is
 * lib/oracle/s2desc_kmod.c, over the test module kmod/memattr_s2desc.
 *
 * Stage-2 leaf fields decoded:
 *   [1:0]    0b01 block (levels 0-2), 0b11 page (level 3); bit 0 valid
 *   [5:2]    MemAttr, read with FEAT_S2FWB semantics when HCR_EL2.FWB is 1
 *   [7:6]    S2AP: bit 6 read, bit 7 write
 *   [9:8]    SH (or OA[51:50] when VTCR_EL2.DS = 1, 4K/16K granule: then
 *            VTCR_EL2.SH0 gives the shareability)
 *   [10]     AF
 *   [52]     Contiguous
 *   [54:53]  XN with FEAT_XNX (00 X at EL1 and EL0, 01 not at EL1, 10 at
 *            neither, 11 not at EL0); without it XN is bit 54 alone
 *   [47:n]   OA (n = the level's shift), [9:8] OA[51:50] with DS
 *
 * MemAttr without FWB: [3:2] = 0b00 is Device, [1:0] its type (nGnRnE,
 * nGnRE, nGRE, GRE); else Normal, outer cacheability [3:2] and inner [1:0]
 * (01 NC, 10 WT, 11 WB; inner 00 reserved), combined with stage 1 by "the
 * more restrictive wins".  With FWB: MemAttr[2] = 0 is Device, [1:0] its
 * type; 0b101 Normal-NC (a stage-1 Device type is kept), 0b110 Normal-WB
 * whatever stage 1 says, 0b111 stage 1's attributes, 0b100 reserved;
 * MemAttr[3] is taken as reserved (FEAT_MTE_PERM's NoTagAccess).  KVM
 * installs 0b1111 / 0b0101 / 0b0001 for Normal / Normal-NC / Device-nGnRE
 * without FWB and 0b0110 / 0b0101 / 0b0001 with it (asm/memory.h MT_S2_*,
 * MT_S2_FWB_*; hyp/pgtable.c:stage2_set_prot_attr()).  The combining rules
 * are those kvm/at.c:compute_par_s12() implements for nested AT (R_HMNDG,
 * R_TNHFM, R_GQFSF without FWB; R_VRJSW, R_RHWZM with it).
 */
#ifndef KM_S2DESC_H
#define KM_S2DESC_H

#include <stdbool.h>
#include <stddef.h>

#include "expect.h"

/* The facts decoding depends on. */
struct km_s2d_ctx {
	bool fwb;		/* HCR_EL2.FWB for the VM's vCPUs */
	bool xnx;		/* FEAT_XNX as KVM uses it (ARM64_HAS_XNX) */
	bool ds;		/* VTCR_EL2.DS with a 4K or 16K granule */
	unsigned int sh0;	/* VTCR_EL2.SH0 */
	unsigned int page_shift;	/* the granule: 12, 14 or 16 */
};

/* Cacheability, least cacheable first (the order of "more restrictive"). */
enum km_cache { KM_CACHE_NONE, KM_CACHE_NC, KM_CACHE_WT, KM_CACHE_WB };
/* Device types, most restrictive first. */
enum km_devtype { KM_DEV_nGnRnE, KM_DEV_nGnRE, KM_DEV_nGRE, KM_DEV_GRE };

/* A memory type: of a MAIR field, of a stage-2 MemAttr, or their combination. */
struct km_mtype {
	bool valid;		/* false: a reserved encoding, the result is not defined */
	bool device;
	enum km_devtype dev;	/* device */
	enum km_cache inner, outer;	/* !device */
};

/* What a stage-2 MemAttr says, per its form. */
enum km_s2ma_kind {
	KM_S2MA_DEVICE,		/* Device-<type>, with or without FWB */
	KM_S2MA_NORMAL,		/* no FWB: Normal, combined with stage 1 */
	KM_S2MA_FWB_WB,		/* FWB 0b110: Normal-WB, stage 1 overridden */
	KM_S2MA_FWB_NC,		/* FWB 0b101: Normal-NC, a stage-1 Device type is kept */
	KM_S2MA_FWB_AS_S1,	/* FWB 0b111: stage 1's attributes */
	KM_S2MA_RESERVED,
};

struct km_s2ma {
	unsigned int raw;	/* MemAttr[3:0] */
	bool fwb;		/* read with FWB semantics */
	enum km_s2ma_kind kind;
	struct km_mtype t;	/* DEVICE, NORMAL, FWB_WB, FWB_NC: the stage-2 type */
	enum km_memtype mt;	/* the KVM type it encodes, KM_MT_NONE if none */
};

struct km_s2ma km_s2ma_decode(unsigned int memattr, bool fwb);
/* The MemAttr KVM installs for mt (stage2_set_prot_attr()); -1 for KM_MT_NONE. */
int km_s2ma_want(enum km_memtype mt, bool fwb);

/* A stage-2 descriptor where a walk ended, decoded. */
struct km_s2desc {
	u64 raw;
	int level;
	u64 ipa, size;		/* what the entry covers (a valid leaf: the page or block) */
	bool mapped;		/* a valid leaf; else nothing is mapped */
	bool reserved;		/* valid bit set, but a reserved form (level 3, 0b01) */
	u64 oa;			/* output address of the leaf's first byte */
	struct km_s2ma ma;
	bool r, w;		/* S2AP */
	unsigned int sh;	/* shareability: descriptor SH, or VTCR_EL2.SH0 with DS */
	bool sh_vtcr;		/* sh is VTCR_EL2.SH0's */
	bool af, contig;
	unsigned int xn;	/* XN[54:53] (bit 53 is 0 without FEAT_XNX) */
	bool px, ux;		/* executable at EL1, at EL0 */
};

#define KM_SH_NSH	0
#define KM_SH_OSH	2
#define KM_SH_ISH	3

void km_s2desc_decode(u64 raw, int level, u64 ipa, const struct km_s2d_ctx *c,
		      struct km_s2desc *d);
/* Bytes a descriptor at level maps with the granule (4 KiB..512 GiB). */
u64 km_s2_level_size(int level, unsigned int page_shift);

/* The MAIR_EL1 field the agent programs for a KM_ATTR_* index (KM_MAIR_VALUE). */
unsigned int km_s1attr_mair(unsigned int s1attr);
/* A MAIR_ELx Attr<n> field. */
struct km_mtype km_mair_decode(unsigned int attr);
/* The memory type of an access through stage-1 type s1 and stage-2 MemAttr s2. */
struct km_mtype km_s2_combine(const struct km_mtype *s1, const struct km_s2ma *s2);
/* The same from a KM_ATTR_* index and a raw MemAttr. */
struct km_mtype km_effective(unsigned int s1attr, unsigned int memattr, bool fwb);
bool km_mtype_eq(const struct km_mtype *a, const struct km_mtype *b);

/*
 * What the guest may see for access acc through stage-1 attribute s1attr
 * where stage 2 has MemAttr s2 (KM_OUT_BIT() set), from the Arm ARM's
 * rules on the combined type alone: loads complete; an unaligned access or
 * DC ZVA to a combined Device type takes an alignment fault, at stage 1
 * (EL1) if stage 1 is Device, at stage 2 (KVM_RUN EFAULT) if stage 2 is,
 * and completes on a combined Normal type reached from a stage-1 Normal
 * type.  KM_OUT_ALL where these rules do not decide: instruction fetch
 * (stage-2 XN is KVM's choice at fault time), a stage-1 Device type that
 * FWB turns into Normal-WB, reserved encodings.
 */
unsigned int km_effective_outcomes(unsigned int s1attr, const struct km_s2ma *s2,
				   enum km_access acc);

/* "Device-nGnRE", "Normal-WB", "Normal-NC", "Normal iWT oWB", "reserved" */
const char *km_mtype_str(const struct km_mtype *t, char *buf, size_t len);
/* "FWB forced Normal-WB (MemAttr 0b0110)" and the like */
const char *km_s2ma_str(const struct km_s2ma *ma, char *buf, size_t len);
/* One line: raw, level and size, OA, type, S2AP, SH, AF, contiguous, XN. */
const char *km_s2desc_str(const struct km_s2desc *d, char *buf, size_t len);

#endif /* KM_S2DESC_H */
