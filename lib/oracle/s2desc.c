// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "s2desc.h"

#define BITS(v, hi, lo)	(((v) >> (lo)) & ((1ULL << ((hi) - (lo) + 1)) - 1))
#define MASK(hi, lo)	((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

static const struct km_mtype mt_reserved = { .valid = false };

static struct km_mtype mt_device(enum km_devtype dev)
{
	return (struct km_mtype){ .valid = true, .device = true, .dev = dev };
}

static struct km_mtype mt_normal(enum km_cache inner, enum km_cache outer)
{
	return (struct km_mtype){ .valid = true, .inner = inner, .outer = outer };
}

/* A two-bit stage-2 cacheability field (no FWB): 01 NC, 10 WT, 11 WB, 00 none. */
static enum km_cache s2_cache(unsigned int v)
{
	static const enum km_cache c[4] = { KM_CACHE_NONE, KM_CACHE_NC, KM_CACHE_WT,
					    KM_CACHE_WB };

	return c[v & 3];
}

struct km_s2ma km_s2ma_decode(unsigned int memattr, bool fwb)
{
	struct km_s2ma ma = { .raw = memattr & 0xf, .fwb = fwb, .mt = KM_MT_NONE };
	unsigned int m = ma.raw;

	if (!fwb) {
		if (BITS(m, 3, 2) == 0) {
			ma.kind = KM_S2MA_DEVICE;
			ma.t = mt_device((enum km_devtype)BITS(m, 1, 0));
		} else if (BITS(m, 1, 0) == 0) {
			ma.kind = KM_S2MA_RESERVED;	/* Normal, inner cacheability 0b00 */
			ma.t = mt_reserved;
		} else {
			ma.kind = KM_S2MA_NORMAL;
			ma.t = mt_normal(s2_cache(BITS(m, 1, 0)), s2_cache(BITS(m, 3, 2)));
		}
	} else if (m & 0x8) {
		ma.kind = KM_S2MA_RESERVED;	/* FEAT_MTE_PERM's NoTagAccess forms */
		ma.t = mt_reserved;
	} else if (!(m & 0x4)) {
		ma.kind = KM_S2MA_DEVICE;
		ma.t = mt_device((enum km_devtype)BITS(m, 1, 0));
	} else {
		switch (BITS(m, 1, 0)) {
		case 1:
			ma.kind = KM_S2MA_FWB_NC;
			ma.t = mt_normal(KM_CACHE_NC, KM_CACHE_NC);
			break;
		case 2:
			ma.kind = KM_S2MA_FWB_WB;
			ma.t = mt_normal(KM_CACHE_WB, KM_CACHE_WB);
			break;
		case 3:
			ma.kind = KM_S2MA_FWB_AS_S1;
			ma.t = mt_reserved;	/* no type of its own */
			break;
		default:
			ma.kind = KM_S2MA_RESERVED;
			ma.t = mt_reserved;
		}
	}

	/* Which of KVM's three types this is, if any. */
	switch (ma.kind) {
	case KM_S2MA_DEVICE:
		if (ma.t.dev == KM_DEV_nGnRE)
			ma.mt = KM_MT_DEVICE;
		break;
	case KM_S2MA_NORMAL:
		if (ma.t.inner == KM_CACHE_WB && ma.t.outer == KM_CACHE_WB)
			ma.mt = KM_MT_NORMAL;
		else if (ma.t.inner == KM_CACHE_NC && ma.t.outer == KM_CACHE_NC)
			ma.mt = KM_MT_NORMAL_NC;
		break;
	case KM_S2MA_FWB_WB:
		ma.mt = KM_MT_NORMAL;
		break;
	case KM_S2MA_FWB_NC:
		ma.mt = KM_MT_NORMAL_NC;
		break;
	default:
		break;
	}
	return ma;
}

int km_s2ma_want(enum km_memtype mt, bool fwb)
{
	switch (mt) {
	case KM_MT_NORMAL: return fwb ? 0x6 : 0xf;	/* MT_S2_FWB_NORMAL, MT_S2_NORMAL */
	case KM_MT_NORMAL_NC: return 0x5;		/* MT_S2_(FWB_)NORMAL_NC */
	case KM_MT_DEVICE: return 0x1;			/* MT_S2_(FWB_)DEVICE_nGnRE */
	default: return -1;
	}
}

u64 km_s2_level_size(int level, unsigned int page_shift)
{
	unsigned int shift = (page_shift - 3) * (4 - level) + 3;

	return shift < 64 ? 1ULL << shift : 0;
}

void km_s2desc_decode(u64 raw, int level, u64 ipa, const struct km_s2d_ctx *c,
		      struct km_s2desc *d)
{
	unsigned int ps = c->page_shift ? c->page_shift : 12;
	u64 size = km_s2_level_size(level, ps);

	memset(d, 0, sizeof(*d));
	d->raw = raw;
	d->level = level;
	d->size = size;
	d->ipa = size ? ipa & ~(size - 1) : ipa;
	d->ma.mt = KM_MT_NONE;
	if (!(raw & 1) || level < 0 || level > 3 || !size)
		return;
	if (level == 3 && !(raw & 2)) {
		d->reserved = true;
		return;
	}
	if (level < 3 && (raw & 2))
		return;	/* a table descriptor, not a leaf */
	d->mapped = true;

	/* Output address: [47:shift], and OA[51:48] / OA[51:50] per format. */
	if (c->ds && ps != 16) {
		d->oa = (raw & MASK(49, 12)) | (BITS(raw, 9, 8) << 50);
		d->sh = c->sh0 & 3;
		d->sh_vtcr = true;
	} else {
		d->oa = raw & MASK(47, 12);
		if (ps == 16)
			d->oa |= BITS(raw, 15, 12) << 48;
		d->sh = BITS(raw, 9, 8);
	}
	d->oa &= ~(size - 1);

	d->ma = km_s2ma_decode(BITS(raw, 5, 2), c->fwb);
	d->r = raw & (1ULL << 6);
	d->w = raw & (1ULL << 7);
	d->af = raw & (1ULL << 10);
	d->contig = raw & (1ULL << 52);
	if (c->xnx) {
		d->xn = BITS(raw, 54, 53);
		/* FEAT_XNX: 00 both, 01 EL0 only, 10 neither, 11 EL1 only */
		d->px = d->xn == 0 || d->xn == 3;
		d->ux = d->xn == 0 || d->xn == 1;
	} else {
		d->xn = BITS(raw, 54, 54) << 1;	/* bit 53 is RES0 */
		d->px = d->ux = !d->xn;
	}
}

unsigned int km_s1attr_mair(unsigned int s1attr)
{
	return s1attr < 8 ? (unsigned int)((KM_MAIR_VALUE >> (8 * s1attr)) & 0xff) : 0;
}

/* A four-bit MAIR cacheability half: 00RW WT transient (RW != 00), 0100 NC,
 * 01RW WB transient (RW != 00), 10RW WT, 11RW WB; 0000 none. */
static enum km_cache mair_cache(unsigned int h)
{
	switch (BITS(h, 3, 2)) {
	case 0: return BITS(h, 1, 0) ? KM_CACHE_WT : KM_CACHE_NONE;
	case 1: return BITS(h, 1, 0) ? KM_CACHE_WB : KM_CACHE_NC;
	case 2: return KM_CACHE_WT;
	default: return KM_CACHE_WB;
	}
}

struct km_mtype km_mair_decode(unsigned int attr)
{
	unsigned int hi = BITS(attr, 7, 4), lo = BITS(attr, 3, 0);
	enum km_cache in, out;

	if (!hi) {
		/* Device: 0000dd00; 0000dd01..11 are reserved (FEAT_XS: nXS forms aside) */
		if (BITS(lo, 1, 0))
			return mt_reserved;
		return mt_device((enum km_devtype)BITS(lo, 3, 2));
	}
	/* 0xf0: Tagged Normal WB (FEAT_MTE2); 0x40, 0xa0: the FEAT_XS nXS forms. */
	if (attr == 0xf0)
		return mt_normal(KM_CACHE_WB, KM_CACHE_WB);
	if (attr == 0x40)
		return mt_normal(KM_CACHE_NC, KM_CACHE_NC);
	if (attr == 0xa0)
		return mt_normal(KM_CACHE_WT, KM_CACHE_WT);
	if (!lo)
		return mt_reserved;
	out = mair_cache(hi);
	in = mair_cache(lo);
	if (out == KM_CACHE_NONE || in == KM_CACHE_NONE)
		return mt_reserved;
	return mt_normal(in, out);
}

static enum km_cache cache_min(enum km_cache a, enum km_cache b)
{
	return a < b ? a : b;
}

struct km_mtype km_s2_combine(const struct km_mtype *s1, const struct km_s2ma *s2)
{
	switch (s2->kind) {
	case KM_S2MA_FWB_WB:
		/* "Stage 2 has total control": Normal-WB whatever stage 1 is. */
		return mt_normal(KM_CACHE_WB, KM_CACHE_WB);
	case KM_S2MA_FWB_AS_S1:
		return *s1;
	case KM_S2MA_RESERVED:
		return mt_reserved;
	default:
		break;
	}
	if (!s1->valid)
		return mt_reserved;
	if (s2->kind == KM_S2MA_FWB_NC)
		return s1->device ? *s1 : mt_normal(KM_CACHE_NC, KM_CACHE_NC);
	/* Device at either stage: the more restrictive Device type. */
	if (s2->kind == KM_S2MA_DEVICE)
		return mt_device(s1->device && s1->dev < s2->t.dev ? s1->dev : s2->t.dev);
	if (s1->device)
		return *s1;
	/* Normal at both (no FWB): the less cacheable, inner and outer apart. */
	return mt_normal(cache_min(s1->inner, s2->t.inner), cache_min(s1->outer, s2->t.outer));
}

struct km_mtype km_effective(unsigned int s1attr, unsigned int memattr, bool fwb)
{
	struct km_mtype s1 = km_mair_decode(km_s1attr_mair(s1attr));
	struct km_s2ma s2 = km_s2ma_decode(memattr, fwb);

	return km_s2_combine(&s1, &s2);
}

bool km_mtype_eq(const struct km_mtype *a, const struct km_mtype *b)
{
	if (a->valid != b->valid)
		return false;
	if (!a->valid)
		return true;
	if (a->device != b->device)
		return false;
	return a->device ? a->dev == b->dev : a->inner == b->inner && a->outer == b->outer;
}

unsigned int km_effective_outcomes(unsigned int s1attr, const struct km_s2ma *s2,
				   enum km_access acc)
{
	struct km_mtype s1 = km_mair_decode(km_s1attr_mair(s1attr)), eff;
	unsigned int set = 0;

	if (acc == KM_ACC_LOAD)
		return KM_OUT_BIT(KM_OUT_OK);
	if (acc != KM_ACC_LOAD_UNALIGNED && acc != KM_ACC_DC_ZVA)
		return KM_OUT_ALL;
	eff = km_s2_combine(&s1, s2);
	if (!eff.valid || !s1.valid)
		return KM_OUT_ALL;
	if (!eff.device)
		return s1.device ? KM_OUT_ALL : KM_OUT_BIT(KM_OUT_OK);
	/* A Device type: the alignment fault of whichever stage makes it Device. */
	if (s1.device)
		set |= KM_OUT_BIT(KM_OUT_EL1_ALIGN);
	if (s2->kind == KM_S2MA_DEVICE)
		set |= KM_OUT_BIT(KM_OUT_RUN_EFAULT);
	return set;
}

static const char *cache_str(enum km_cache c)
{
	switch (c) {
	case KM_CACHE_NC: return "NC";
	case KM_CACHE_WT: return "WT";
	case KM_CACHE_WB: return "WB";
	default: return "??";
	}
}

static const char *dev_str(enum km_devtype d)
{
	static const char *const s[] = { "nGnRnE", "nGnRE", "nGRE", "GRE" };

	return (unsigned int)d < 4 ? s[d] : "?";
}

const char *km_mtype_str(const struct km_mtype *t, char *buf, size_t len)
{
	if (!t->valid)
		snprintf(buf, len, "reserved");
	else if (t->device)
		snprintf(buf, len, "Device-%s", dev_str(t->dev));
	else if (t->inner == t->outer)
		snprintf(buf, len, "Normal-%s", cache_str(t->inner));
	else
		snprintf(buf, len, "Normal i%s o%s", cache_str(t->inner), cache_str(t->outer));
	return buf;
}

const char *km_s2ma_str(const struct km_s2ma *ma, char *buf, size_t len)
{
	char t[32];
	const char *what;

	switch (ma->kind) {
	case KM_S2MA_DEVICE:
	case KM_S2MA_NORMAL:
		what = km_mtype_str(&ma->t, t, sizeof(t));
		break;
	case KM_S2MA_FWB_WB: what = "FWB forced Normal-WB"; break;
	case KM_S2MA_FWB_NC: what = "FWB Normal-NC"; break;
	case KM_S2MA_FWB_AS_S1: what = "FWB as stage 1"; break;
	default: what = ma->fwb ? "reserved (FWB)" : "reserved"; break;
	}
	snprintf(buf, len, "%s (MemAttr 0b%u%u%u%u)", what, (ma->raw >> 3) & 1,
		 (ma->raw >> 2) & 1, (ma->raw >> 1) & 1, ma->raw & 1);
	return buf;
}

const char *km_s2desc_str(const struct km_s2desc *d, char *buf, size_t len)
{
	static const char *const sh[] = { "NSH", "SH-reserved", "OSH", "ISH" };
	char sz[32], ma[64];

	if (d->size >= (1ULL << 30))
		snprintf(sz, sizeof(sz), "%llu GiB", d->size >> 30);
	else if (d->size >= (1ULL << 20))
		snprintf(sz, sizeof(sz), "%llu MiB", d->size >> 20);
	else
		snprintf(sz, sizeof(sz), "%llu KiB", d->size >> 10);
	if (!d->mapped) {
		snprintf(buf, len, "desc 0x%016llx L%d: %s", d->raw, d->level,
			 d->reserved ? "reserved form (level 3, bits[1:0]=0b01)" : "not mapped");
		return buf;
	}
	snprintf(buf, len, "desc 0x%016llx L%d %s %s at IPA 0x%llx -> PA 0x%llx: %s, S2AP %s%s, "
		 "%s%s, %s, %s, XN 0b%u%u (%s)", d->raw, d->level, sz,
		 d->level == 3 ? "page" : "block", d->ipa, d->oa, km_s2ma_str(&d->ma, ma, sizeof(ma)),
		 d->r ? "R" : "-", d->w ? "W" : "-", sh[d->sh & 3],
		 d->sh_vtcr ? " (VTCR_EL2.SH0)" : "", d->af ? "AF" : "no AF",
		 d->contig ? "contiguous" : "not contiguous", (d->xn >> 1) & 1, d->xn & 1,
		 d->px && d->ux ? "X" : d->px ? "EL1 X only" : d->ux ? "EL0 X only" : "no X");
	return buf;
}
