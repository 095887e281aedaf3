// SPDX-License-Identifier: GPL-2.0
/*
 * GUEST_MEMFD_FLAG_NO_DIRECT_MAP (bit 2), from the posted series "KVM:
 * guest_memfd: Add flag to remove from direct map" (Patrick Roy, Nikita
 * Kalyazin; v11, 2026-03).  Not in Linux 7.3 (SPEC 2.1), where the bit must
 * be refused; the positive rules below run on a kernel that advertises it.
 *
 * What the series does, and what the rules check:
 * - kvm_gmem_get_supported_flags() adds the bit when
 *   kvm_arch_gmem_supports_no_direct_map(), on arm64
 *   can_set_direct_map() && ARM64_HAS_STAGE2_FWB (without FWB,
 *   kvm_pgtable_stage2_map cleans the D-cache through the direct map);
 * - folios are removed from the direct map before the guest or the host
 *   maps them (kvm_gmem_get_pfn, kvm_gmem_fault_user_mapping);
 * - the mapping gets AS_NO_DIRECT_MAP, so GUP (check_vma_flags) refuses it
 *   with -EFAULT as it does secretmem.
 *
 * Channels, all usable from userspace on a stock kernel:
 * - "page-granular direct map" = can_set_direct_map(): memfd_secret() is
 *   available iff secretmem.enable && can_set_direct_map() (mm/secretmem.c);
 * - "folio absent from the direct map": /proc/kcore reads RAM through the
 *   kernel's linear map with copy_from_kernel_nofault and zero-fills what
 *   faults (fs/proc/kcore.c:read_kcore_iter); the physical address comes from
 *   /proc/self/pagemap.  Both need root.  The channel is validated on every
 *   kernel by two controls: a plain guest_memfd page reads back, a secretmem
 *   page (removed from the direct map by mm/secretmem.c) reads as zeroes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gmem_common.h"
#include "agent.h"

#define NDM		GUEST_MEMFD_FLAG_NO_DIRECT_MAP
#define NDM_PAGES	4

static int ndm_cap_vm(void)
{
	return km_facts.cap_gmem_flags >= 0 && (km_facts.cap_gmem_flags & NDM);
}

#define REQUIRE_NDM()								\
	do {									\
		REQUIRE_GMEM_FLAGS(GMEM_SHARED);				\
		if (!ndm_cap_vm())						\
			SKIP(return, "GUEST_MEMFD_FLAG_NO_DIRECT_MAP not advertised: " \
			     "KVM_CAP_GUEST_MEMFD_FLAGS=0x%x (the series is not in "	\
			     "kernel %s)", km_facts.cap_gmem_flags, km_facts.release); \
	} while (0)

/* 1: can_set_direct_map() is true, 0: it is false, -1: cannot tell (why says). */
static int direct_map_page_granular(char *why, size_t len)
{
	char en[8] = "";
	int fd, e;
	FILE *f;

	fd = syscall(__NR_memfd_secret, 0);
	if (fd >= 0) {
		close(fd);
		snprintf(why, len, "memfd_secret() works");
		return 1;
	}
	e = errno;
	f = fopen("/sys/module/secretmem/parameters/enable", "r");
	if (f) {
		if (!fgets(en, sizeof(en), f))
			en[0] = 0;
		fclose(f);
	}
	if (e == ENOSYS && en[0] == 'Y') {
		snprintf(why, len, "memfd_secret: ENOSYS with secretmem.enable=Y");
		return 0;
	}
	snprintf(why, len, "memfd_secret: %s, secretmem.enable=%s", strerror(e),
		 en[0] ? en : "(absent)");
	return -1;
}

/* kvm_gmem_create: unsupported flags -EINVAL; NDM is accepted iff advertised. */
TEST_RULE(refused_unless_advertised, "GMEM-NDM-01",
	  "KVM_CREATE_GUEST_MEMFD with GUEST_MEMFD_FLAG_NO_DIRECT_MAP succeeds iff "
	  "KVM_CAP_GUEST_MEMFD_FLAGS (VM fd) advertises it, else fails EINVAL")
{
	const u64 combos[] = { NDM, NDM | GUEST_MEMFD_FLAG_MMAP, NDM | GMEM_SHARED };
	struct km_vm vm;
	unsigned int i;
	int cap, r;

	REQUIRE_GMEM();
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	cap = km_check_cap(vm.fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	TH_LOG("KVM_CAP_GUEST_MEMFD_FLAGS=0x%x: NO_DIRECT_MAP %sadvertised", cap,
	       cap >= 0 && (cap & NDM) ? "" : "not ");
	for (i = 0; i < KM_ARRAY_SIZE(combos); i++) {
		u64 fl = combos[i];
		bool ok = cap >= 0 && ((u64)cap & fl) == fl;

		r = __km_gmem_create(vm.fd, NDM_PAGES * km_facts.env.page_size, fl);
		if (r >= 0)
			close(r);
		if (ok)
			EXPECT_LE(0, r) TH_LOG("flags 0x%llx refused: %d", fl, r);
		else
			EXPECT_EQ(-EINVAL, r) TH_LOG("flags 0x%llx gave %d", fl, r);
	}
	km_vm_destroy(&vm);
}

/* arm64 kvm_arch_gmem_supports_no_direct_map (series): FWB and can_set_direct_map(). */
TEST_RULE(advertised_needs_fwb_and_page_map, "GMEM-NDM-02",
	  "a VM advertises GUEST_MEMFD_FLAG_NO_DIRECT_MAP only when the host has FEAT_S2FWB "
	  "and a page-granular direct map")
{
	char why[128];
	int pgmap;

	REQUIRE_GMEM();
	pgmap = direct_map_page_granular(why, sizeof(why));
	TH_LOG("ID_AA64MMFR2_EL1.FWB=%u; page-granular direct map: %d (%s)", km_facts.fwb,
	       pgmap, why);
	if (!ndm_cap_vm())
		SKIP(return, "GUEST_MEMFD_FLAG_NO_DIRECT_MAP not advertised: "
		     "KVM_CAP_GUEST_MEMFD_FLAGS=0x%x (FWB=%u, %s)", km_facts.cap_gmem_flags,
		     km_facts.fwb, why);
	EXPECT_NE(0, km_facts.fwb) TH_LOG("advertised without FWB");
	if (pgmap < 0)
		SKIP(return, "cannot tell whether the direct map is page granular: %s", why);
	EXPECT_EQ(1, pgmap) TH_LOG("advertised without a page-granular direct map");
}

TEST_RULE(access_works, "GMEM-NDM-03",
	  "a NO_DIRECT_MAP guest_memfd slot works: the guest reads what the host wrote "
	  "through the mapping and the host reads what the guest wrote")
{
	struct km_gmem_slot g;
	struct km_agent a;
	struct km_cmd *ld;
	long pg = km_facts.env.page_size;
	u64 v;

	REQUIRE_NDM();
	km_agent_init(&a, 0);
	km_gmem_slot_create(&a.vm, &g, GMEM_SLOT, GMEM_IPA, NDM_PAGES * pg, GMEM_SHARED | NDM);
	km_agent_map(&a, GMEM_IPA, GMEM_IPA, NDM_PAGES * pg, KM_ATTR_NORMAL_WB, 0);
	memcpy(g.hva + 0x10, &(u64){ gmem_pattern(0) }, 8);
	km_agent_reset(&a);
	ld = km_agent_cmd(&a, KM_OP_LOAD, GMEM_IPA + 0x10, 8, 0);
	km_agent_cmd(&a, KM_OP_STORE, GMEM_IPA + 2 * pg + 0x18, 8, gmem_pattern(2));
	km_agent_run_done(&a);
	EXPECT_EQ(gmem_pattern(0), ld->result);
	memcpy(&v, g.hva + 2 * pg + 0x18, 8);
	EXPECT_EQ(gmem_pattern(2), v);
	km_gmem_slot_unmap(&g);
	km_gmem_slot_close(&g);
	km_agent_fini(&a);
}

/*
 * Where a page lives, probed through its host mapping.  SRC_GMEM*: a page of
 * a guest_memfd slot that both the host (store) and the guest (load) have
 * mapped; SRC_SECRETMEM: a memfd_secret page.
 */
enum ndm_src { SRC_GMEM, SRC_GMEM_NDM, SRC_SECRETMEM };

struct ndm_page {
	struct km_agent a;
	struct km_gmem_slot g;
	bool agent_up;
	int sfd;
	u8 *page;		/* the probed page's host mapping */
	long pg;
};

/* May SKIP (the harness then runs no body). */
static void ndm_page_setup(struct ndm_page *p, enum ndm_src src)
{
	long pg = km_facts.env.page_size;
	struct km_cmd *ld;

	p->sfd = -1;
	p->pg = pg;
	/* The channel checks only serve the guest_memfd rules: same prerequisite. */
	REQUIRE_GMEM();
	if (src == SRC_SECRETMEM) {
		p->sfd = syscall(__NR_memfd_secret, 0);
		if (p->sfd < 0)
			SKIP(return, "memfd_secret: %s", strerror(errno));
		KM_CHECK(ftruncate(p->sfd, pg) == 0, "ftruncate secretmem");
		p->page = km_mmap_fd(p->sfd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		memcpy(p->page + 0x100, &(u64){ gmem_pattern(5) }, 8);
		return;
	}
	if (src == SRC_GMEM_NDM)
		REQUIRE_NDM();
	else
		REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	km_agent_init(&p->a, 0);
	p->agent_up = true;
	km_gmem_slot_create(&p->a.vm, &p->g, GMEM_SLOT, GMEM_IPA, NDM_PAGES * pg,
			    GMEM_SHARED | (src == SRC_GMEM_NDM ? NDM : 0));
	km_agent_map(&p->a, GMEM_IPA, GMEM_IPA, NDM_PAGES * pg, KM_ATTR_NORMAL_WB, 0);
	p->page = p->g.hva + pg;
	memcpy(p->page + 0x100, &(u64){ gmem_pattern(5) }, 8);
	km_agent_reset(&p->a);
	ld = km_agent_cmd(&p->a, KM_OP_LOAD, GMEM_IPA + pg + 0x100, 8, 0);
	km_agent_run_done(&p->a);
	ASSERT_EQ(gmem_pattern(5), ld->result) TH_LOG("guest view of the probed page");
}

static void ndm_page_teardown(struct ndm_page *p)
{
	if (p->sfd >= 0) {
		if (p->page)
			munmap(p->page, p->pg);
		close(p->sfd);
	}
	if (p->agent_up) {
		km_gmem_slot_unmap(&p->g);
		km_gmem_slot_close(&p->g);
		km_agent_fini(&p->a);
	}
}

FIXTURE(ndm_kcore) {
	struct ndm_page p;
};

FIXTURE_VARIANT(ndm_kcore) {
	const char *rule;
	const char *summary;
	enum ndm_src src;
	bool absent;		/* expected to be out of the direct map */
};

FIXTURE_VARIANT_ADD(ndm_kcore, gmem) {
	.rule = "GMEM-NDMCH-01",
	.summary = "(channel check) a plain guest_memfd page is in the direct map: /proc/kcore "
		   "at its physical address reads the data",
	.src = SRC_GMEM, .absent = false,
};
FIXTURE_VARIANT_ADD(ndm_kcore, secretmem) {
	.rule = "GMEM-NDMCH-02",
	.summary = "(channel check) a memfd_secret page is out of the direct map: /proc/kcore "
		   "reads 0 at its physical address",
	.src = SRC_SECRETMEM, .absent = true,
};
FIXTURE_VARIANT_ADD(ndm_kcore, no_direct_map) {
	.rule = "GMEM-NDM-04",
	.summary = "a NO_DIRECT_MAP guest_memfd page that the host and the guest mapped is out "
		   "of the direct map: /proc/kcore reads 0 at its physical address",
	.src = SRC_GMEM_NDM, .absent = true,
};

FIXTURE_SETUP(ndm_kcore)
{
	ndm_page_setup(&self->p, variant->src);
}

FIXTURE_TEARDOWN(ndm_kcore)
{
	ndm_page_teardown(&self->p);
}

TEST_F(ndm_kcore, read)
{
	struct ndm_page *p = &self->p;
	u64 pfn = 0, v = 0;
	int r;

	r = km_hva_to_pfn(p->page, &pfn);
	if (r == -EPERM || r == -EACCES)
		SKIP(return, "no physical address from /proc/self/pagemap: %s (needs root)",
		     strerror(-r));
	ASSERT_EQ(0, r) TH_LOG("pagemap: %s", strerror(-r));
	r = km_kcore_read_phys(pfn * p->pg + 0x100, &v, sizeof(v));
	if (r == -EPERM || r == -EACCES || r == -ENOENT)
		SKIP(return, "cannot read /proc/kcore: %s (needs root and CONFIG_PROC_KCORE)",
		     strerror(-r));
	ASSERT_EQ(0, r) TH_LOG("kcore: %s", strerror(-r));
	TH_LOG("pfn 0x%llx: kcore reads 0x%llx, the page holds 0x%llx", pfn, v,
	       gmem_pattern(5));
	if (variant->absent)
		EXPECT_EQ(0, v);
	else
		EXPECT_EQ(gmem_pattern(5), v);
}

static int oops_count(void)
{
	int a = km_klog_count("Unable to handle kernel");
	int b = km_klog_count("Internal error:");

	return a < 0 || b < 0 ? -1 : a + b;
}

/*
 * Kernel accesses through the host mapping: access_remote_vm (/proc/self/mem)
 * and process_vm_readv both pin the page with GUP, then copy through the
 * kernel's own mapping of it.  For a page without a direct map, GUP must
 * refuse (check_vma_flags: -EFAULT for secretmem, and for AS_NO_DIRECT_MAP
 * with the series) rather than let the copy fault in the kernel.
 */
FIXTURE(ndm_gup) {
	struct ndm_page p;
};

FIXTURE_VARIANT(ndm_gup) {
	const char *rule;
	const char *summary;
	enum ndm_src src;
	bool absent;
};

FIXTURE_VARIANT_ADD(ndm_gup, gmem) {
	.rule = "GMEM-MMAP-09",
	.summary = "kernel reads through the host mapping of a guest_memfd (/proc/self/mem, "
		   "process_vm_readv) return its data",
	.src = SRC_GMEM, .absent = false,
};
FIXTURE_VARIANT_ADD(ndm_gup, secretmem) {
	.rule = "GMEM-NDMCH-03",
	.summary = "(channel check) kernel reads through a memfd_secret mapping fail cleanly: "
		   "/proc/self/mem EIO, process_vm_readv EFAULT, no oops",
	.src = SRC_SECRETMEM, .absent = true,
};
FIXTURE_VARIANT_ADD(ndm_gup, no_direct_map) {
	.rule = "GMEM-NDM-05",
	.summary = "kernel reads through the host mapping of a NO_DIRECT_MAP guest_memfd fail "
		   "cleanly: /proc/self/mem EIO, process_vm_readv EFAULT, no oops",
	.src = SRC_GMEM_NDM, .absent = true,
};

FIXTURE_SETUP(ndm_gup)
{
	ndm_page_setup(&self->p, variant->src);
}

FIXTURE_TEARDOWN(ndm_gup)
{
	ndm_page_teardown(&self->p);
}

TEST_F(ndm_gup, read)
{
	const char *path = "/proc/self/mem";
	struct ndm_page *p = &self->p;
	struct iovec local, remote;
	int fd, before, after;
	u64 v = 0;
	ssize_t n;

	before = oops_count();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", path, strerror(errno));
	errno = 0;
	n = pread(fd, &v, sizeof(v), (off_t)(uintptr_t)(p->page + 0x100));
	if (variant->absent) {
		EXPECT_EQ(-1, n) TH_LOG("/proc/self/mem read %zd bytes: 0x%llx", n, v);
		EXPECT_EQ(EIO, errno) TH_LOG("/proc/self/mem: %s", strerror(errno));
	} else {
		EXPECT_EQ(8, n) TH_LOG("/proc/self/mem: %s", strerror(errno));
		EXPECT_EQ(gmem_pattern(5), v);
	}
	close(fd);

	v = 0;
	local = (struct iovec){ &v, sizeof(v) };
	remote = (struct iovec){ p->page + 0x100, sizeof(v) };
	errno = 0;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (variant->absent) {
		EXPECT_EQ(-1, n) TH_LOG("process_vm_readv read %zd bytes", n);
		EXPECT_EQ(EFAULT, errno) TH_LOG("process_vm_readv: %s", strerror(errno));
	} else {
		EXPECT_EQ(8, n) TH_LOG("process_vm_readv: %s", strerror(errno));
		EXPECT_EQ(gmem_pattern(5), v);
	}
	after = oops_count();
	if (before >= 0 && after >= 0)
		EXPECT_EQ(before, after) TH_LOG("the kernel oopsed (see the console log)");
}

KM_RULE_DOC(gmem_ndm, "GMEM-NDM*",
	    "posted series GUEST_MEMFD_FLAG_NO_DIRECT_MAP (not in 7.3); mm/secretmem.c; "
	    "arch/arm64/mm/pageattr.c:can_set_direct_map",
	    "positive rows: the flag advertised (needs FEAT_S2FWB and a page-granular "
	    "direct map)", "yes")
