/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vocabulary of stage-2 mappings as KVM asks for them: the prot bits of
 * kvm_pgtable_stage2_map(), their meaning (memory type, permissions), and the
 * replay of a sequence of traced map/relax calls into "the mapping of IPA X".
 * Pure logic (no KVM, no tracefs), so the host unit tests check it natively.
 */
#ifndef KM_S2PROT_H
#define KM_S2PROT_H

#include <stdbool.h>
#include <stddef.h>

#include "memtype.h"
#include "util.h"

/*
 * enum kvm_pgtable_prot (arch/arm64/include/asm/kvm_pgtable.h) of Linux 7.3,
 * where execute permission is split into PX and UX.  Older kernels number
 * the bits otherwise (struct km_s2layout): the tracer works out which
 * layout a kernel has from its self-check page, never from its version.
 */
#define KM_S2P_PX		KM_BIT(0)
#define KM_S2P_UX		KM_BIT(1)
#define KM_S2P_X		(KM_S2P_PX | KM_S2P_UX)
#define KM_S2P_W		KM_BIT(2)
#define KM_S2P_R		KM_BIT(3)
#define KM_S2P_DEVICE		KM_BIT(4)
#define KM_S2P_NORMAL_NC	KM_BIT(5)

/*
 * A numbering of enum kvm_pgtable_prot.  x is PX|UX where execute is split,
 * the single X bit where it is not (then px == ux == x); nc is 0 in kernels
 * without KVM_PGTABLE_PROT_NORMAL_NC.
 */
struct km_s2layout {
	const char *name;
	u64 px, ux, w, r, device, nc;
};

/*
 * The layouts known: [0] Linux 7.3's (split execute), [1] Linux 6.x's
 * (X 0, W 1, R 2, DEVICE 3, NORMAL_NC 4, the NC bit from 6.8 on).
 * KM_S2_NLAYOUTS of them.
 */
#define KM_S2_NLAYOUTS		2
extern const struct km_s2layout km_s2layouts[KM_S2_NLAYOUTS];

struct km_s2attr {
	enum km_memtype mt;
	bool r, w, px, ux;
	bool valid;		/* false: a combination stage2_set_prot_attr() refuses */
};

/*
 * Decode a kvm_pgtable_prot value of layout l (NULL: km_s2layouts[0]);
 * DEVICE|NORMAL_NC or X on NC/Device is invalid.
 */
struct km_s2attr km_s2_decode_as(const struct km_s2layout *l, u64 prot);
static inline struct km_s2attr km_s2_decode(u64 prot)
{
	return km_s2_decode_as(NULL, prot);
}
const char *km_memtype_str(enum km_memtype mt);
/* "Normal R W X" and the like; "-" for nothing. */
const char *km_s2attr_str(const struct km_s2attr *a, char *buf, size_t len);
/* "{Normal, Normal-NC}" */
const char *km_mtset_str(unsigned int set, char *buf, size_t len);
/* "4 KiB", "2 MiB", "0x3000 bytes" */
const char *km_size_str(u64 size, char *buf, size_t len);

/* One traced call. */
enum km_s2rec_kind {
	KM_S2R_MAP,		/* kvm_pgtable_stage2_map() entry */
	KM_S2R_MAPRET,		/* its return (kretprobe) */
	KM_S2R_RELAX,		/* kvm_pgtable_stage2_relax_perms() entry */
};

struct km_s2rec {
	enum km_s2rec_kind kind;
	u64 ipa, size, phys, prot;
	long ret;		/* KM_S2R_MAPRET */
};

/*
 * Parse one line of a tracefs "trace" file.  The probes are named
 * <prefix>map, <prefix>mapret and <prefix>relax; lines of other events are
 * not ours.  Returns 1 (parsed), 0 (not ours / a comment) or -1 (ours but
 * malformed).
 */
int km_s2rec_parse(const char *line, const char *prefix, struct km_s2rec *r);

/* The mapping covering one IPA after a sequence of records. */
struct km_s2map {
	bool valid;
	u64 ipa, size, phys;	/* the leaf: [ipa, ipa + size) */
	u64 prot;		/* map prot with relaxed permissions ORed in */
	struct km_s2attr a;
	unsigned int nmap;	/* map calls that covered the IPA and took effect */
	unsigned int nrelax;	/* relax calls applied to that leaf */
	unsigned int nfailed;	/* map calls that covered it but returned an error */
};

/*
 * Replay records in order.  A map covering ipa installs a new leaf (unless
 * its kretprobe record says it failed: an -EAGAIN "same mapping" map leaves
 * the old one); a map overlapping the current leaf without covering ipa
 * splits it away (kvm_pgtable_stage2_map() splits blocks, the rest faults
 * back lazily); a relax inside the current leaf adds R/W/X.
 */
void km_s2_replay(const struct km_s2rec *recs, unsigned int n, u64 ipa, struct km_s2map *m);
/* The same, decoding the prot values in layout l (NULL: km_s2layouts[0]). */
void km_s2_replay_as(const struct km_s2layout *l, const struct km_s2rec *recs, unsigned int n,
		     u64 ipa, struct km_s2map *m);

#endif /* KM_S2PROT_H */
