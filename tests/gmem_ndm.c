// SPDX-License-Identifier: GPL-2.0
/*
 * GUEST_MEMFD_FLAG_NO_DIRECT_MAP (bit 2), from the posted series "Direct Map
 * Removal Support for guest_memfd" (Patrick Roy, Nikita Kalyazin; v12,
 * 2026-04-10).  Not in Linux 7.3 (SPEC 2.1), where the bit must be refused.
 * README "Checking a kernel series" says how to run these rules on a tree
 * with the series applied.
 *
 * What the series does, and what the rules check:
 * - kvm_gmem_get_supported_flags(kvm) adds the bit when kvm is NULL (the
 *   /dev/kvm answer: every flag the kernel knows) or when
 *   kvm_arch_gmem_supports_no_direct_map(kvm), on arm64
 *   can_set_direct_map() && ARM64_HAS_STAGE2_FWB (without FWB,
 *   kvm_pgtable_stage2_map cleans the D-cache through the direct map).
 *   Whether the kernel knows the flag is read from /dev/kvm, whether a VM
 *   advertises it from that VM's fd: never from the version;
 * - folios are removed from the direct map before the guest or the host
 *   maps them (kvm_gmem_get_pfn, kvm_gmem_fault_user_mapping);
 * - the mapping gets AS_NO_DIRECT_MAP, so GUP (check_vma_flags) refuses it
 *   with -EFAULT as it does secretmem.
 *
 * Channels, all usable from userspace on a stock kernel:
 * - can_set_direct_map(), read two ways (lib/kvm/gmem.h km_direct_map_read): a
 *   model from the boot facts (rodata=, debug_pagealloc=, KFENCE), and
 *   memfd_secret(), available iff secretmem.enable && can_set_direct_map()
 *   (mm/secretmem.c).  They must agree;
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

/* "0x7", or the error /dev/kvm gave. */
static const char *flags_str(int v, char *buf, size_t len)
{
	if (v >= 0)
		snprintf(buf, len, "0x%x", v);
	else
		snprintf(buf, len, "%s", strerror(-v));
	return buf;
}

/* /dev/kvm's KVM_CAP_GUEST_MEMFD_FLAGS has the bit: the kernel knows the flag. */
static bool ndm_known(int *sys)
{
	*sys = km_gmem_flags_known();
	return *sys >= 0 && (*sys & NDM);
}

#define REQUIRE_NDM_KNOWN()							\
	do {									\
		char __b[48];							\
		int __sys;							\
										\
		REQUIRE_GMEM();							\
		if (!ndm_known(&__sys))						\
			SKIP(return, "the kernel does not know "		\
			     "GUEST_MEMFD_FLAG_NO_DIRECT_MAP (/dev/kvm "		\
			     "KVM_CAP_GUEST_MEMFD_FLAGS=%s)",			\
			     flags_str(__sys, __b, sizeof(__b)));		\
	} while (0)

/* The rows that use the flag: known, and advertised by this host's VMs. */
#define REQUIRE_NDM()								\
	do {									\
		struct km_direct_map __d;					\
		char __b[48];							\
										\
		REQUIRE_GMEM_FLAGS(GMEM_SHARED);				\
		REQUIRE_NDM_KNOWN();						\
		if (!ndm_cap_vm()) {						\
			km_direct_map_read(&__d);				\
			SKIP(return, "the kernel knows GUEST_MEMFD_FLAG_NO_DIRECT_MAP " \
			     "(/dev/kvm KVM_CAP_GUEST_MEMFD_FLAGS=%s) but a VM does " \
			     "not advertise it (VM fd: 0x%x; FWB=%d, "		\
			     "can_set_direct_map()=%d; GMEM-NDM-02 checks that)", \
			     flags_str(km_gmem_flags_known(), __b, sizeof(__b)), \
			     km_facts.cap_gmem_flags, km_facts.env.fwb, __d.model); \
		}								\
	} while (0)

/*
 * The model GMEM-NDM-02 expects from, checked on every kernel against the
 * other reading of can_set_direct_map(): memfd_secret().
 */
TEST_RULE(direct_map_model, "GMEM-NDMCH-04",
	  "(channel check) can_set_direct_map() computed from the boot facts (rodata=, "
	  "debug_pagealloc=, KFENCE) agrees with memfd_secret() being available")
{
	struct km_direct_map d;

	km_direct_map_read(&d);
	TH_LOG("boot facts: %s", d.why);
	TH_LOG("memfd_secret: %d (%s)", d.secretmem, d.swhy);
	if (d.secretmem < 0)
		SKIP(return, "memfd_secret cannot tell: %s", d.swhy);
	EXPECT_EQ(d.model, d.secretmem);
}

/* kvm_gmem_create: unsupported flags -EINVAL; NDM is accepted iff advertised. */
TEST_RULE(refused_unless_advertised, "GMEM-NDM-01",
	  "KVM_CREATE_GUEST_MEMFD with GUEST_MEMFD_FLAG_NO_DIRECT_MAP succeeds iff "
	  "KVM_CAP_GUEST_MEMFD_FLAGS (VM fd) advertises it, else fails EINVAL "
	  "(on a kernel that does not know the flag too)")
{
	const u64 combos[] = { NDM, NDM | GUEST_MEMFD_FLAG_MMAP, NDM | GMEM_SHARED };
	struct km_vm vm;
	unsigned int i;
	int cap, sys, r;
	char b[48];

	REQUIRE_GMEM();
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	cap = km_check_cap(vm.fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	TH_LOG("/dev/kvm KVM_CAP_GUEST_MEMFD_FLAGS=%s: the kernel %s NO_DIRECT_MAP; "
	       "VM fd 0x%x: %sadvertised", flags_str(km_gmem_flags_known(), b, sizeof(b)),
	       ndm_known(&sys) ? "knows" : "does not know", cap,
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

/*
 * arm64 kvm_arch_gmem_supports_no_direct_map (series): can_set_direct_map()
 * && FWB.  Both directions: a host that has both must advertise the flag, a
 * host that lacks either must not.  The rodata feature profile (profiles)
 * boots a FWB host with rodata=noalias, where can_set_direct_map() is false.
 */
TEST_RULE(advertised_iff_fwb_and_page_map, "GMEM-NDM-02",
	  "where the kernel knows GUEST_MEMFD_FLAG_NO_DIRECT_MAP, a VM advertises it iff "
	  "the host has FEAT_S2FWB and can_set_direct_map() (rodata full, or KFENCE's "
	  "late pool, or debug_pagealloc)")
{
	struct km_direct_map d;
	bool want, adv;

	REQUIRE_NDM_KNOWN();
	km_direct_map_read(&d);
	TH_LOG("can_set_direct_map() from the boot facts: %s", d.why);
	TH_LOG("can_set_direct_map() through memfd_secret: %d (%s)", d.secretmem, d.swhy);
	if (d.secretmem >= 0)
		EXPECT_EQ(d.model, d.secretmem)
			TH_LOG("the boot facts and memfd_secret disagree on can_set_direct_map()");
	want = km_facts.env.fwb && d.model;
	adv = ndm_cap_vm();
	TH_LOG("ID_AA64MMFR2_EL1.FWB=%u, can_set_direct_map()=%d: expected %sadvertised; "
	       "VM fd KVM_CAP_GUEST_MEMFD_FLAGS=0x%x: %sadvertised", km_facts.fwb, d.model,
	       want ? "" : "not ", km_facts.cap_gmem_flags, adv ? "" : "not ");
	if (want)
		EXPECT_TRUE(adv) TH_LOG("not advertised on a host with FWB and a page-granular "
					"direct map");
	else
		EXPECT_FALSE(adv) TH_LOG("advertised without %s",
					 !km_facts.env.fwb ? "FEAT_S2FWB" :
					 "a page-granular direct map");
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
 * mapped; SRC_SECRETMEM: a memfd_secret page.  ndm_kcore rows look for it
 * in the direct map, ndm_gup rows (FIXTURE_LIKE) read it through the kernel.
 */
enum ndm_src { SRC_GMEM, SRC_GMEM_NDM, SRC_SECRETMEM };

FIXTURE(ndm_kcore) {
	struct km_agent a;
	struct km_gmem_slot g;
	bool agent_up;
	int sfd;
	u8 *page;		/* the probed page's host mapping */
	long pg;
};

FIXTURE_VARIANT(ndm_kcore) {
	enum ndm_src src;
	bool absent;		/* expected to be out of the direct map */
};

/*
 * ndm_gup: kernel accesses through the host mapping.  access_remote_vm
 * (/proc/self/mem) and process_vm_readv both pin the page with GUP, then
 * copy through the kernel's own mapping of it.  For a page without a direct
 * map, GUP must refuse (check_vma_flags: -EFAULT for secretmem, and for
 * AS_NO_DIRECT_MAP with the series) rather than let the copy fault in the
 * kernel.
 */
FIXTURE_LIKE(ndm_gup, ndm_kcore);

/*
 * A row per source of the page, whether it must be out of the direct map,
 * and its two cells: the rule and summary of ndm_kcore's case, and of
 * ndm_gup's.
 */
#define NDM_SOURCE(name, _src, _absent, kcore_rule, kcore_summary, gup_rule, gup_summary) \
	FIXTURE_ROW(ndm_kcore, name, kcore_rule, kcore_summary,			\
		    .src = _src, .absent = _absent);				\
	FIXTURE_ROW(ndm_gup, name, gup_rule, gup_summary, .src = _src, .absent = _absent)
NDM_SOURCE(gmem, SRC_GMEM, false,
	   "GMEM-NDMCH-01", "(channel check) a plain guest_memfd page is in the direct map: "
	   "/proc/kcore at its physical address reads the data",
	   "GMEM-MMAP-09", "kernel reads through the host mapping of a guest_memfd "
	   "(/proc/self/mem, process_vm_readv) return its data");
NDM_SOURCE(secretmem, SRC_SECRETMEM, true,
	   "GMEM-NDMCH-02", "(channel check) a memfd_secret page is out of the direct map: "
	   "/proc/kcore reads 0 at its physical address",
	   "GMEM-NDMCH-03", "(channel check) kernel reads through a memfd_secret mapping fail "
	   "cleanly: /proc/self/mem EIO, process_vm_readv EFAULT, no oops");
NDM_SOURCE(no_direct_map, SRC_GMEM_NDM, true,
	   "GMEM-NDM-04", "a NO_DIRECT_MAP guest_memfd page that the host and the guest mapped "
	   "is out of the direct map: /proc/kcore reads 0 at its physical address",
	   "GMEM-NDM-05", "kernel reads through the host mapping of a NO_DIRECT_MAP guest_memfd "
	   "fail cleanly: /proc/self/mem EIO, process_vm_readv EFAULT, no oops");

/* May SKIP (the harness then runs no body). */
FIXTURE_SETUP(ndm_kcore)
{
	long pg = km_facts.env.page_size;
	struct km_cmd *ld;

	self->sfd = -1;
	self->pg = pg;
	/* The channel checks only serve the guest_memfd rules: same prerequisite. */
	REQUIRE_GMEM();
	if (variant->src == SRC_SECRETMEM) {
		self->sfd = syscall(__NR_memfd_secret, 0);
		if (self->sfd < 0)
			SKIP(return, "memfd_secret: %s", strerror(errno));
		KM_CHECK(ftruncate(self->sfd, pg) == 0, "ftruncate secretmem");
		self->page = km_mmap_fd(self->sfd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		memcpy(self->page + 0x100, &(u64){ gmem_pattern(5) }, 8);
		return;
	}
	if (variant->src == SRC_GMEM_NDM)
		REQUIRE_NDM();
	else
		REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	km_agent_init(&self->a, 0);
	self->agent_up = true;
	km_gmem_slot_create(&self->a.vm, &self->g, GMEM_SLOT, GMEM_IPA, NDM_PAGES * pg,
			    GMEM_SHARED | (variant->src == SRC_GMEM_NDM ? NDM : 0));
	km_agent_map(&self->a, GMEM_IPA, GMEM_IPA, NDM_PAGES * pg, KM_ATTR_NORMAL_WB, 0);
	self->page = self->g.hva + pg;
	memcpy(self->page + 0x100, &(u64){ gmem_pattern(5) }, 8);
	km_agent_reset(&self->a);
	ld = km_agent_cmd(&self->a, KM_OP_LOAD, GMEM_IPA + pg + 0x100, 8, 0);
	km_agent_run_done(&self->a);
	ASSERT_EQ(gmem_pattern(5), ld->result) TH_LOG("guest view of the probed page");
}

FIXTURE_TEARDOWN(ndm_kcore)
{
	if (self->sfd >= 0) {
		if (self->page)
			munmap(self->page, self->pg);
		close(self->sfd);
	}
	if (self->agent_up) {
		km_gmem_slot_unmap(&self->g);
		km_gmem_slot_close(&self->g);
		km_agent_fini(&self->a);
	}
}

TEST_F(ndm_kcore, read)
{
	u64 pfn = 0, v = 0;
	int r;

	r = km_hva_to_pfn(self->page, &pfn);
	if (r == -EPERM || r == -EACCES)
		SKIP(return, "no physical address from /proc/self/pagemap: %s (needs root)",
		     strerror(-r));
	ASSERT_EQ(0, r) TH_LOG("pagemap: %s", strerror(-r));
	r = km_kcore_read_phys(pfn * self->pg + 0x100, &v, sizeof(v));
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

TEST_F(ndm_gup, read)
{
	const char *path = "/proc/self/mem";
	struct iovec local, remote;
	int fd, before, after;
	u64 v = 0;
	ssize_t n;

	before = oops_count();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", path, strerror(errno));
	errno = 0;
	n = pread(fd, &v, sizeof(v), (off_t)(uintptr_t)(self->page + 0x100));
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
	remote = (struct iovec){ self->page + 0x100, sizeof(v) };
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

/*
 * Per VM.  kvm_arch_gmem_supports_no_direct_map() takes a struct kvm but, in
 * v12, reads only host-wide state (FWB, can_set_direct_map()), and the review
 * asks for a per-VM policy.  Today every VM of a host gets the same answer;
 * when a per-VM policy lands, this rule fails and is to be rewritten for it:
 * a visible change, not a silent one.
 */
TEST_RULE(same_answer_per_vm, "GMEM-NDM-06",
	  "two VMs on one host (different IPA sizes) get the same GUEST_MEMFD_FLAG_NO_DIRECT_MAP "
	  "answer, advertised and on creation: the policy is host-wide today (a per-VM "
	  "policy shows up here as a failure)")
{
	const unsigned int ipa[2] = { KM_DEFAULT_IPA_BITS, 36 };
	int cap[2], made[2];
	struct km_vm vm[2];
	unsigned int i;

	REQUIRE_NDM_KNOWN();
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, __km_vm_create(&vm[i], ipa[i])) TH_LOG("VM %u (IPA %u bits)", i,
								    ipa[i]);
		cap[i] = km_check_cap(vm[i].fd, KVM_CAP_GUEST_MEMFD_FLAGS);
		made[i] = __km_gmem_create(vm[i].fd, NDM_PAGES * km_facts.env.page_size,
					   NDM | GMEM_SHARED);
		if (made[i] >= 0)
			close(made[i]);
		TH_LOG("VM %u (IPA %u bits): KVM_CAP_GUEST_MEMFD_FLAGS=0x%x, create with "
		       "NO_DIRECT_MAP: %s", i, ipa[i], cap[i],
		       made[i] >= 0 ? "ok" : strerror(-made[i]));
	}
	EXPECT_EQ(cap[0] & (int)NDM, cap[1] & (int)NDM) TH_LOG("per-VM advertisement");
	EXPECT_EQ(made[0] >= 0, made[1] >= 0) TH_LOG("per-VM creation");
	EXPECT_EQ(ndm_cap_vm(), !!(cap[1] & (int)NDM)) TH_LOG("differs from the first VM "
							       "the suite made");
	for (i = 0; i < 2; i++)
		km_vm_destroy(&vm[i]);
}

/*
 * Exec.  The host writes code through its mapping of a NO_DIRECT_MAP
 * guest_memfd; the guest fetches and runs it.  Page 1 is fetched first (an
 * instruction abort maps it executable), page 2 loaded first and then
 * fetched (a permission fault adds execute).  On a host without DIC, KVM
 * invalidates the I-cache for an executable stage-2 mapping through the
 * kernel's own mapping of the page (mm_ops->icache_inval_pou), which a
 * NO_DIRECT_MAP page lacks; with DIC it does not.  The QEMU CPUs with FWB
 * (max, neoverse-v1) all have DIC, so the no-DIC path is not reached here.
 * Under TCG that path, and the D-cache clean a no-FWB host does, were not
 * seen to fault on a page missing from the direct map: with the series' FWB
 * condition dropped, neoverse-n1 (no FWB, no DIC) ran this row without an
 * oops.  GMEM-NDM-02 is what catches that kernel here.
 */
TEST_RULE(exec_no_direct_map, "GMEM-NDM-07",
	  "the guest fetches and runs host-written code from a NO_DIRECT_MAP guest_memfd "
	  "(fetch first, and load then fetch), with no kernel oops")
{
	long pg = km_facts.env.page_size;
	struct km_cmd *x1, *ld, *x2;
	struct km_gmem_slot g;
	struct km_agent a;
	int before, after;

	REQUIRE_NDM();
	TH_LOG("vCPU CTR_EL0.DIC=%u: %s", km_facts.dic,
	       km_facts.env.dic ? "KVM needs no I-cache maintenance for the mapping" :
	       "KVM invalidates the I-cache through the kernel's mapping of the page");
	before = oops_count();
	km_agent_init(&a, 0);
	km_gmem_slot_create(&a.vm, &g, GMEM_SLOT, GMEM_IPA, NDM_PAGES * pg, GMEM_SHARED | NDM);
	km_agent_map(&a, GMEM_IPA, GMEM_IPA, NDM_PAGES * pg, KM_ATTR_NORMAL_WB, KM_S1_EXEC);
	km_write_ret_imm(g.hva + pg + 0x40, 0x4e44);
	km_write_ret_imm(g.hva + 2 * pg + 0x80, 0x4d58);
	km_agent_reset(&a);
	x1 = km_agent_cmd(&a, KM_OP_EXEC, GMEM_IPA + pg + 0x40, 8, 0);
	ld = km_agent_cmd(&a, KM_OP_LOAD, GMEM_IPA + 2 * pg + 0x80, 8, 0);
	x2 = km_agent_cmd(&a, KM_OP_EXEC, GMEM_IPA + 2 * pg + 0x80, 8, 0);
	km_agent_run_done(&a);
	EXPECT_EQ(0, x1->flags & KM_CMD_F_EXC) TH_LOG("fetch first: ESR 0x%llx FAR 0x%llx",
						       x1->esr, x1->far);
	EXPECT_EQ(0x4e44, x1->result);
	EXPECT_EQ(0, ld->flags & KM_CMD_F_EXC) TH_LOG("load: ESR 0x%llx", ld->esr);
	EXPECT_EQ(0, x2->flags & KM_CMD_F_EXC) TH_LOG("load then fetch: ESR 0x%llx FAR 0x%llx",
						       x2->esr, x2->far);
	EXPECT_EQ(0x4d58, x2->result);
	km_gmem_slot_unmap(&g);
	km_gmem_slot_close(&g);
	km_agent_fini(&a);
	after = oops_count();
	if (before >= 0 && after >= 0)
		EXPECT_EQ(before, after) TH_LOG("the kernel oopsed (see the console log)");
}

KM_RULE_DOC(gmem_ndm, "GMEM-NDM*",
	    "posted series GUEST_MEMFD_FLAG_NO_DIRECT_MAP v12 (not in 7.3); mm/secretmem.c; "
	    "arch/arm64/mm/pageattr.c:can_set_direct_map",
	    "the kernel knows the flag (/dev/kvm KVM_CAP_GUEST_MEMFD_FLAGS); positive rows: "
	    "a VM advertises it (FEAT_S2FWB and can_set_direct_map())", "yes")
