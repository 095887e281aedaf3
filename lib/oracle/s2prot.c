// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s2prot.h"

const struct km_s2layout km_s2layouts[KM_S2_NLAYOUTS] = {
	{ "split PX/UX (Linux 7.x)", .px = KM_S2P_PX, .ux = KM_S2P_UX, .w = KM_S2P_W,
	  .r = KM_S2P_R, .device = KM_S2P_DEVICE, .nc = KM_S2P_NORMAL_NC },
	{ "single X (Linux 6.x)", .px = KM_BIT(0), .ux = KM_BIT(0), .w = KM_BIT(1),
	  .r = KM_BIT(2), .device = KM_BIT(3), .nc = KM_BIT(4) },
};

struct km_s2attr km_s2_decode_as(const struct km_s2layout *l, u64 prot)
{
	struct km_s2attr a;
	u64 x;

	l = l ? l : &km_s2layouts[0];
	x = l->px | l->ux;
	a = (struct km_s2attr){
		.r = prot & l->r, .w = prot & l->w,
		.px = prot & l->px, .ux = prot & l->ux,
		.valid = true,
	};
	/* The cases of stage2_set_prot_attr() (arch/arm64/kvm/hyp/pgtable.c). */
	if ((prot & l->device) && (prot & l->nc)) {
		a.mt = KM_MT_NONE;
		a.valid = false;
	} else if (prot & l->device) {
		a.mt = KM_MT_DEVICE;
		a.valid = !(prot & x);
	} else if (prot & l->nc) {
		a.mt = KM_MT_NORMAL_NC;
		a.valid = !(prot & x);
	} else {
		a.mt = KM_MT_NORMAL;
	}
	return a;
}

const char *km_memtype_str(enum km_memtype mt)
{
	switch (mt) {
	case KM_MT_NORMAL: return "Normal";
	case KM_MT_NORMAL_NC: return "Normal-NC";
	case KM_MT_DEVICE: return "Device-nGnRE";
	default: return "none";
	}
}

const char *km_s2attr_str(const struct km_s2attr *a, char *buf, size_t len)
{
	if (a->mt == KM_MT_NONE && a->valid) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf, len, "%s%s%s%s%s", km_memtype_str(a->mt), a->r ? " R" : "",
		 a->w ? " W" : "", a->px && a->ux ? " X" : a->px ? " PX" : a->ux ? " UX" : "",
		 a->valid ? "" : " (invalid)");
	return buf;
}

const char *km_mtset_str(unsigned int set, char *buf, size_t len)
{
	static const enum km_memtype all[] = { KM_MT_NORMAL, KM_MT_NORMAL_NC, KM_MT_DEVICE };
	size_t off = 0;
	unsigned int i;

	off += snprintf(buf + off, len - off, "{");
	for (i = 0; i < KM_ARRAY_SIZE(all) && off < len; i++)
		if (set & KM_MT_BIT(all[i]))
			off += snprintf(buf + off, len - off, "%s%s", off > 1 ? ", " : "",
					km_memtype_str(all[i]));
	if (off < len)
		snprintf(buf + off, len - off, "}");
	return buf;
}

const char *km_size_str(u64 size, char *buf, size_t len)
{
	if (size && !(size & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%llu GiB", size >> 30);
	else if (size && !(size & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%llu MiB", size >> 20);
	else if (size && !(size & ((1ULL << 10) - 1)))
		snprintf(buf, len, "%llu KiB", size >> 10);
	else
		snprintf(buf, len, "0x%llx bytes", size);
	return buf;
}

/* "key=value" anywhere after the probe's "(...)" location field. */
static bool field(const char *args, const char *key, u64 *val)
{
	size_t klen = strlen(key);
	const char *p = args;
	char *end;

	while ((p = strstr(p, key))) {
		if ((p == args || p[-1] == ' ') && p[klen] == '=') {
			*val = strtoull(p + klen + 1, &end, 0);
			return end != p + klen + 1;
		}
		p += klen;
	}
	return false;
}

/*
 * A kprobe event line reads
 *   "<comm>-<pid> [cpu] flags ts: <event>: (<where>) k1=v1 k2=v2 ..."
 * where a kretprobe's <where> is "(caller+off/size <- callee)".
 */
int km_s2rec_parse(const char *line, const char *prefix, struct km_s2rec *r)
{
	static const struct { const char *name; enum km_s2rec_kind kind; } ev[] = {
		{ "map: (", KM_S2R_MAP },
		{ "mapret: (", KM_S2R_MAPRET },
		{ "relax: (", KM_S2R_RELAX },
	};
	size_t plen = strlen(prefix);
	const char *p = line, *args = NULL;
	unsigned int i;
	u64 v;

	if (line[0] == '#')
		return 0;
	while (!args && (p = strstr(p, prefix))) {
		if (p > line && p[-1] == ' ') {
			for (i = 0; i < KM_ARRAY_SIZE(ev); i++) {
				if (!strncmp(p + plen, ev[i].name, strlen(ev[i].name))) {
					args = p + plen + strlen(ev[i].name);
					break;
				}
			}
		}
		p += plen;
	}
	if (!args)
		return 0;
	memset(r, 0, sizeof(*r));
	r->kind = ev[i].kind;
	args = strchr(args, ')');
	if (!args)
		return -1;
	switch (r->kind) {
	case KM_S2R_MAP:
		if (!field(args, "ipa", &r->ipa) || !field(args, "size", &r->size) ||
		    !field(args, "phys", &r->phys) || !field(args, "prot", &r->prot))
			return -1;
		break;
	case KM_S2R_RELAX:
		if (!field(args, "ipa", &r->ipa) || !field(args, "prot", &r->prot))
			return -1;
		break;
	case KM_S2R_MAPRET:
		if (!field(args, "ret", &v))
			return -1;
		r->ret = (long)v;	/* printed as a signed decimal */
		break;
	}
	return 1;
}

static bool overlaps(u64 a, u64 asz, u64 b, u64 bsz)
{
	return a < b + bsz && b < a + asz;
}

static void apply_map(const struct km_s2rec *rec, u64 ipa, struct km_s2map *m)
{
	/* kvm_pgtable_stage2_map() ignores the offset and rounds size up. */
	u64 base = rec->ipa & ~0xfffULL, size = (rec->size + 0xfff) & ~0xfffULL;

	if (ipa >= base && ipa < base + size) {
		m->valid = true;
		m->ipa = base;
		m->size = size;
		m->phys = rec->phys & ~0xfffULL;
		m->prot = rec->prot;
		m->nmap++;
		m->nrelax = 0;
	} else if (m->valid && overlaps(base, size, m->ipa, m->size)) {
		m->valid = false;	/* the block around ipa was split */
	}
}

void km_s2_replay(const struct km_s2rec *recs, unsigned int n, u64 ipa, struct km_s2map *m)
{
	km_s2_replay_as(NULL, recs, n, ipa, m);
}

void km_s2_replay_as(const struct km_s2layout *l, const struct km_s2rec *recs, unsigned int n,
		     u64 ipa, struct km_s2map *m)
{
	const struct km_s2rec *pending = NULL;
	unsigned int i;
	u64 perms;

	l = l ? l : &km_s2layouts[0];
	perms = l->r | l->w | l->px | l->ux;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		const struct km_s2rec *r = &recs[i];

		/* A map without a return record (no kretprobe) took effect. */
		if (pending && r->kind != KM_S2R_MAPRET) {
			apply_map(pending, ipa, m);
			pending = NULL;
		}
		switch (r->kind) {
		case KM_S2R_MAP:
			pending = r;
			break;
		case KM_S2R_MAPRET:
			if (!pending)
				break;
			if (r->ret == 0)
				apply_map(pending, ipa, m);
			else if (ipa >= pending->ipa && ipa < pending->ipa + pending->size)
				m->nfailed++;
			pending = NULL;
			break;
		case KM_S2R_RELAX:
			/* stage2_relax_perms: adds R, W, X; never memtype bits. */
			if (m->valid && r->ipa >= m->ipa && r->ipa < m->ipa + m->size) {
				m->prot |= r->prot & perms;
				m->nrelax++;
			}
			break;
		}
	}
	if (pending)
		apply_map(pending, ipa, m);
	if (m->valid)
		m->a = km_s2_decode_as(l, m->prot);
}
