// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "s2desc_kmod.h"

/* Per process (every case is a forked child): the device and its info. */
static struct {
	bool tried;
	int fd;
	int err;
	struct ms2_info info;
	char why[200];
} dev = { .fd = -1 };

static int say(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int say(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void dev_open(void)
{
	const char *off = getenv("KM_NO_S2DESC");

	dev.tried = true;
	if (off && *off && strcmp(off, "0")) {
		dev.err = say(dev.why, sizeof(dev.why), -ENODEV,
			      "descriptor oracle turned off (KM_NO_S2DESC=%s)", off);
		return;
	}
	dev.fd = open(MS2_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev.fd < 0) {
		dev.err = say(dev.why, sizeof(dev.why), -errno,
			      "test module not loaded: %s absent%s", MS2_DEVICE_PATH,
			      errno == ENOENT ? "" : " or unusable");
		return;
	}
	if (ioctl(dev.fd, MS2_IOC_INFO, &dev.info)) {
		dev.err = say(dev.why, sizeof(dev.why), -errno, "MS2_IOC_INFO: %s",
			      strerror(errno));
	} else if (dev.info.abi_version != MS2_ABI_VERSION) {
		dev.err = say(dev.why, sizeof(dev.why), -EPROTO,
			      "memattr_s2desc ABI %u, the suite wants %u", dev.info.abi_version,
			      MS2_ABI_VERSION);
	} else if (dev.info.protected_kvm) {
		dev.err = say(dev.why, sizeof(dev.why), -EOPNOTSUPP, "%s", KM_S2DESC_PKVM_REASON);
	} else {
		return;
	}
	close(dev.fd);
	dev.fd = -1;
}

const struct ms2_info *km_s2desc_info(char *why, size_t len)
{
	if (!dev.tried)
		dev_open();
	if (dev.fd < 0) {
		say(why, len, dev.err, "%s", dev.why);
		return NULL;
	}
	return &dev.info;
}

int km_s2desc_read(int vm_fd, u64 ipa, unsigned int n, struct km_s2desc *d,
		   struct km_s2desc_vm *vm, char *why, size_t len)
{
	struct ms2_entry ents[64];
	struct km_s2desc_vm v = { 0 };
	double t0 = now_us();
	unsigned int done = 0, i;

	if (!km_s2desc_info(why, len))
		return dev.err;
	v.ctx.xnx = dev.info.xnx;
	v.ctx.page_shift = __builtin_ctz(dev.info.page_size);
	while (done < n) {
		struct ms2_walk w = {
			.vm_fd = vm_fd,
			.npages = n - done < KM_ARRAY_SIZE(ents) ? n - done : KM_ARRAY_SIZE(ents),
			.ipa = ipa + (u64)done * dev.info.page_size,
			.entries = (u64)(uintptr_t)ents,
		};

		if (ioctl(dev.fd, MS2_IOC_WALK, &w)) {
			int e = errno;

			if (e == EOPNOTSUPP)
				return say(why, len, -e, "%s", KM_S2DESC_PKVM_REASON);
			return say(why, len, -e, "MS2_IOC_WALK (VM fd %d, IPA 0x%llx, %u pages): %s",
				   vm_fd, w.ipa, w.npages, strerror(e));
		}
		/* HCR_EL2.FWB as vCPU 0 runs; the system-wide cap without a vCPU. */
		v.hcr_fwb = w.hcr_fwb;
		v.ctx.fwb = w.hcr_fwb >= 0 ? w.hcr_fwb != 0 : dev.info.fwb != 0;
		/* VTCR_EL2.DS [32] with 4K/16K pages; SH0 [13:12]. */
		v.ctx.ds = ((w.vtcr >> 32) & 1) && v.ctx.page_shift != 16;
		v.ctx.sh0 = (w.vtcr >> 12) & 3;
		v.ia_bits = w.ia_bits;
		v.start_level = w.start_level;
		v.vtcr = w.vtcr;
		v.pgt_flags = w.pgt_flags;
		for (i = 0; i < w.npages; i++)
			km_s2desc_decode(ents[i].desc, ents[i].level, w.ipa + (u64)i *
					 dev.info.page_size, &v.ctx, &d[done + i]);
		done += w.npages;
	}
	v.usecs = now_us() - t0;
	if (vm)
		*vm = v;
	return 0;
}

bool km_s2desc_check(int vm_fd, u64 ipa, const struct km_s2want *w, struct km_s2desc *d,
		     struct km_s2desc_vm *vm, char *why, size_t len)
{
	struct km_s2desc_vm v;
	struct km_s2desc desc;
	char line[320], a[64];
	int want_ma;
	u64 pg, at;

	if (!d)
		d = &desc;
	if (km_s2desc_read(vm_fd, ipa, 1, d, &v, why, len))
		return false;
	if (vm)
		*vm = v;
	TH_LOG("s2desc: IPA 0x%llx: %s (FWB %d, read in %.0f us)", ipa,
	       km_s2desc_str(d, line, sizeof(line)), v.ctx.fwb, v.usecs);
	if (v.hcr_fwb >= 0)
		EXPECT_EQ(!!dev.info.fwb, v.hcr_fwb)
			TH_LOG("vCPU 0 runs with HCR_EL2.FWB=%d, but ARM64_HAS_STAGE2_FWB is %u",
			       v.hcr_fwb, dev.info.fwb);

	if (w->mt == KM_MT_NONE) {
		EXPECT_FALSE(d->mapped) TH_LOG("descriptor oracle: IPA 0x%llx is mapped (desc "
					       "0x%016llx), but nothing may be (%s)", ipa, d->raw,
					       w->src ? w->src : "-");
		return true;
	}
	EXPECT_TRUE(d->mapped) TH_LOG("descriptor oracle: no stage-2 leaf at IPA 0x%llx (desc "
				      "0x%016llx at level %d), expected %s (%s)", ipa, d->raw,
				      d->level, km_memtype_str(w->mt), w->src ? w->src : "-");
	if (!d->mapped)
		return true;

	/* The exact encoding for the host's form, not just the type. */
	want_ma = km_s2ma_want(w->mt, v.ctx.fwb);
	EXPECT_EQ(want_ma, (int)d->ma.raw)
		TH_LOG("descriptor oracle: MemAttr %s, expected 0x%x for %s %s (%s); desc "
		       "0x%016llx", km_s2ma_str(&d->ma, a, sizeof(a)), want_ma,
		       km_memtype_str(w->mt), v.ctx.fwb ? "with FWB" : "without FWB",
		       w->src ? w->src : "-", d->raw);
	EXPECT_TRUE(d->r) TH_LOG("descriptor oracle: S2AP without R; desc 0x%016llx", d->raw);
	EXPECT_EQ(w->w, d->w) TH_LOG("descriptor oracle: S2AP W; desc 0x%016llx", d->raw);
	EXPECT_EQ(d->px, d->ux) TH_LOG("descriptor oracle: XN 0b%u%u executes at one EL only; "
				       "desc 0x%016llx", d->xn >> 1, d->xn & 1, d->raw);
	if (w->x != KM_TRI_ANY)
		EXPECT_EQ(w->x == KM_TRI_YES, d->px && d->ux)
			TH_LOG("descriptor oracle: XN 0b%u%u; desc 0x%016llx", d->xn >> 1,
			       d->xn & 1, d->raw);
	if (w->size)
		EXPECT_EQ(w->size, d->size)
			TH_LOG("descriptor oracle: a level-%d leaf of 0x%llx bytes, expected 0x%llx; "
			       "desc 0x%016llx", d->level, d->size, w->size, d->raw);
	/* stage2_set_prot_attr(): inner shareable, AF; KVM never sets Contiguous. */
	EXPECT_EQ(KM_SH_ISH, d->sh) TH_LOG("descriptor oracle: shareability %u%s; desc 0x%016llx",
					   d->sh, v.ctx.ds ? " (VTCR_EL2.SH0)" : "", d->raw);
	EXPECT_TRUE(d->af) TH_LOG("descriptor oracle: AF clear; desc 0x%016llx", d->raw);
	EXPECT_FALSE(d->contig) TH_LOG("descriptor oracle: Contiguous set; desc 0x%016llx",
				       d->raw);
	if (w->pa) {
		pg = dev.info.page_size;
		at = d->oa + ((ipa - d->ipa) & ~(pg - 1));
		EXPECT_EQ(w->pa & ~(pg - 1), at)
			TH_LOG("descriptor oracle: IPA 0x%llx translates to PA 0x%llx, but the "
			       "memslot's page is at PA 0x%llx; desc 0x%016llx", ipa, at, w->pa,
			       d->raw);
	}
	return true;
}

void km_s2desc_vs_tracer(const struct km_s2desc *d, const struct km_s2map *map)
{
	char a[64], b[64];

	EXPECT_EQ(map->valid, d->mapped)
		TH_LOG("oracles disagree: the tracer says %s, the descriptor says %s (desc "
		       "0x%016llx)", map->valid ? "mapped" : "unmapped",
		       d->mapped ? "mapped" : "unmapped", d->raw);
	if (!map->valid || !d->mapped)
		return;
	EXPECT_EQ(map->a.mt, d->ma.mt)
		TH_LOG("oracles disagree: the tracer says %s (prot 0x%llx), the descriptor says "
		       "%s (desc 0x%016llx)", km_memtype_str(map->a.mt), map->prot,
		       km_s2ma_str(&d->ma, a, sizeof(a)), d->raw);
	EXPECT_EQ(map->a.w, d->w)
		TH_LOG("oracles disagree on W: the tracer says %s (prot 0x%llx), the descriptor "
		       "%s (desc 0x%016llx)", km_s2attr_str(&map->a, b, sizeof(b)), map->prot,
		       d->w ? "W" : "not W", d->raw);
	EXPECT_EQ(map->a.px && map->a.ux, d->px && d->ux)
		TH_LOG("oracles disagree on X: the tracer says %s (prot 0x%llx), the descriptor "
		       "XN 0b%u%u (desc 0x%016llx)", km_s2attr_str(&map->a, b, sizeof(b)),
		       map->prot, d->xn >> 1, d->xn & 1, d->raw);
	EXPECT_EQ(map->size, d->size)
		TH_LOG("oracles disagree on the leaf: the tracer says 0x%llx bytes at 0x%llx, the "
		       "descriptor 0x%llx bytes at 0x%llx (level %d, desc 0x%016llx)", map->size,
		       map->ipa, d->size, d->ipa, d->level, d->raw);
}

void km_s2desc_vs_guest(const struct km_s2desc *d, unsigned int consistent, const char *saw)
{
	char a[64], b[64];

	if (!d->mapped)
		return;
	EXPECT_TRUE(consistent & KM_MT_BIT(d->ma.mt))
		TH_LOG("oracles disagree: the guest saw %s, which needs stage 2 in %s, but the "
		       "descriptor says %s (desc 0x%016llx)", saw,
		       km_mtset_str(consistent, a, sizeof(a)), km_s2ma_str(&d->ma, b, sizeof(b)),
		       d->raw);
}

unsigned int km_s2desc_effective(const struct km_s2desc *d, unsigned int s1attr,
				 enum km_memtype want_mt, bool fwb, enum km_access acc)
{
	struct km_mtype eff, want;
	char a[32], b[32], c[64];
	int want_ma = km_s2ma_want(want_mt, fwb);

	if (!d->mapped)
		return KM_OUT_ALL;
	eff = km_effective(s1attr, d->ma.raw, d->ma.fwb);
	TH_LOG("s2desc: effective type: stage 1 %s (MAIR 0x%02x) with stage 2 %s: %s",
	       km_s1attr_str(s1attr), km_s1attr_mair(s1attr), km_s2ma_str(&d->ma, c, sizeof(c)),
	       km_mtype_str(&eff, a, sizeof(a)));
	EXPECT_TRUE(eff.valid) TH_LOG("descriptor oracle: the combined type is not defined (a "
				      "reserved encoding); desc 0x%016llx", d->raw);
	if (want_ma >= 0) {
		want = km_effective(s1attr, want_ma, fwb);
		EXPECT_TRUE(km_mtype_eq(&want, &eff))
			TH_LOG("descriptor oracle: the guest gets %s, the expected MemAttr 0x%x "
			       "gives %s (stage 1 %s); desc 0x%016llx",
			       km_mtype_str(&eff, a, sizeof(a)), want_ma,
			       km_mtype_str(&want, b, sizeof(b)), km_s1attr_str(s1attr), d->raw);
	}
	return km_effective_outcomes(s1attr, &d->ma, acc);
}

bool km_s2_oracle_ran(bool traced, const char *tracer_why, bool desc, const char *desc_why,
		      char *buf, size_t len)
{
	if (!traced && !desc) {
		snprintf(buf, len, "no stage-2 oracle: stage-2 tracer unavailable: %s; "
			 "descriptor oracle unavailable: %s", tracer_why, desc_why);
		return false;
	}
	if (!traced)
		TH_LOG("stage-2 tracer unavailable: %s; the descriptor oracle checked stage 2",
		       tracer_why);
	if (!desc)
		TH_LOG("descriptor oracle unavailable: %s; the tracer checked stage 2", desc_why);
	return true;
}
