// SPDX-License-Identifier: GPL-2.0
/*
 * Refusals of the memslot uAPI that the contract states and nothing else
 * here tests, and what KVM_GET_DIRTY_LOG reports for the one kind of
 * non-plain memory that may log (VM_MIXEDMAP; VM_PFNMAP may not, SPEC 1.1 row
 * 13, rules PFNMAP-MS13-*).
 *
 *   - memslot flags: virt/kvm/kvm_main.c:check_memory_region_flags (valid:
 *     LOG_DIRTY_PAGES, READONLY where kvm_arch_has_readonly_mem, GUEST_MEMFD
 *     where the kernel has guest_memfd) and kvm_vm_ioctl
 *     (KVM_SET_USER_MEMORY_REGION_V1_FLAGS: LOG_DIRTY_PAGES | READONLY);
 *     anything else is -EINVAL (SPEC 1.1 rows 1 and 2).  That includes the
 *     KVM_MEM_ENABLE_CACHEABLE_PFNMAP of "[PATCH v4 3/5] kvm: arm64: New memslot
 *     flag to indicate cacheable mapping" (Message-ID
 *     <20250518054754.5345-4-ankita@nvidia.com>, bit 3), which the series
 *     dropped in a later version: the cacheable-PFNMAP contract has no flag.
 *   - kernels without guest_memfd (arm64 before 6.18: KVM_CAP_GUEST_MEMFD=0):
 *     KVM_CREATE_GUEST_MEMFD is not a VM ioctl there (6.12: under
 *     CONFIG_KVM_PRIVATE_MEM, which arm64 does not select; 6.1: absent) and
 *     falls to arch/arm64/kvm/arm.c:kvm_arch_vm_ioctl, default -EINVAL; a
 *     KVM_MEM_GUEST_MEMFD slot fails check_memory_region_flags (6.12:
 *     kvm_arch_has_private_mem() is false) or, on 6.1, which has no
 *     KVM_SET_USER_MEMORY_REGION2, the ioctl itself is kvm_arch_vm_ioctl's
 *     -EINVAL.
 *   - dirty logging: kvm_main.c:kvm_get_dirty_log_protect; mmu.c:
 *     kvm_s2_fault_compute_prot (W on a read fault of a logging slot only
 *     for a pfn outside the linear map), kvm_s2_fault_map (a W mapping marks
 *     its page dirty).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "agent.h"
#include "facts.h"
#include "gmem.h"
#include "memslot.h"
#include "pfnmap.h"

#define REF_SLOT	1
#define REF_IPA		KM_TEST_IPA
#define REF_VA		REF_IPA

#define KM_MEM_VALID_V1	(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)
/* The NAKed flag of the cacheable-PFNMAP series, v4 patch 3/5. */
#define KM_MEM_ENABLE_CACHEABLE_PFNMAP	(1U << 3)

static const char *errname(int neg)
{
	return neg ? strerror(-neg) : "success";
}

/* ---- memslot flags ---- */
FIXTURE(mslot_flags) {
	struct km_slot_vm s;
};

FIXTURE_VARIANT(mslot_flags) {
	KM_VARIANT_RULE;
	bool v1;		/* KVM_SET_USER_MEMORY_REGION */
	u32 first, last;	/* every single bit in [first, last] ... */
	u32 flags;		/* ... or these flags (when first > last) */
	int want;
};

#define FLAGS_ONE(name, r, s, f, v, w)						\
	FIXTURE_VARIANT_ADD(mslot_flags, name) {				\
		.rule = r, .summary = s, .v1 = v, .first = 1, .last = 0,	\
		.flags = f, .want = w,						\
	}
#define FLAGS_EACH(name, r, s, a, b, v)						\
	FIXTURE_VARIANT_ADD(mslot_flags, name) {				\
		.rule = r, .summary = s, .v1 = v, .first = a, .last = b,	\
		.want = EINVAL,							\
	}
FLAGS_ONE(none, "MEMSLOT-FLAGS-01",
	  "the defined memslot flags are accepted: flags 0", 0, false, 0);
FLAGS_ONE(log_dirty, "MEMSLOT-FLAGS-01", "KVM_MEM_LOG_DIRTY_PAGES is accepted",
	  KVM_MEM_LOG_DIRTY_PAGES, false, 0);
FLAGS_ONE(readonly, "MEMSLOT-FLAGS-01", "KVM_MEM_READONLY is accepted", KVM_MEM_READONLY,
	  false, 0);
FLAGS_ONE(both, "MEMSLOT-FLAGS-01",
	  "KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY is accepted", KM_MEM_VALID_V1, false, 0);
FLAGS_ONE(both_v1, "MEMSLOT-FLAGS-01",
	  "KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY is accepted by the v1 ioctl",
	  KM_MEM_VALID_V1, true, 0);
FLAGS_EACH(undefined_bits, "MEMSLOT-FLAGS-02",
	   "each memslot flag bit 4..31 (none defined) fails EINVAL, "
	   "KVM_SET_USER_MEMORY_REGION2", 4, 31, false);
FLAGS_EACH(undefined_bits_v1, "MEMSLOT-FLAGS-02",
	   "each memslot flag bit 2..31 fails EINVAL through KVM_SET_USER_MEMORY_REGION "
	   "(v1 takes LOG_DIRTY_PAGES and READONLY only)", 2, 31, true);
FLAGS_ONE(enable_cacheable_pfnmap, "MEMSLOT-FLAGS-03",
	  "the NAKed KVM_MEM_ENABLE_CACHEABLE_PFNMAP (bit 3) fails EINVAL: there is no such "
	  "flag", KM_MEM_ENABLE_CACHEABLE_PFNMAP, false, EINVAL);
FLAGS_ONE(enable_cacheable_pfnmap_v1, "MEMSLOT-FLAGS-03",
	  "KVM_MEM_ENABLE_CACHEABLE_PFNMAP fails EINVAL through the v1 ioctl too",
	  KM_MEM_ENABLE_CACHEABLE_PFNMAP, true, EINVAL);
FLAGS_ONE(enable_cacheable_pfnmap_log, "MEMSLOT-FLAGS-03",
	  "KVM_MEM_ENABLE_CACHEABLE_PFNMAP with a valid flag (LOG_DIRTY_PAGES) fails EINVAL",
	  KM_MEM_ENABLE_CACHEABLE_PFNMAP | KVM_MEM_LOG_DIRTY_PAGES, false, EINVAL);

FIXTURE_SETUP(mslot_flags)
{
	km_slot_vm_create(&self->s, KM_DEFAULT_IPA_BITS, 4 * km_facts.env.page_size);
}

FIXTURE_TEARDOWN(mslot_flags)
{
	km_slot_vm_destroy(&self->s);
}

static int set_flags(struct km_vm *vm, bool v1, u32 flags, void *hva, u64 size)
{
	if (v1)
		return __km_set_memslot(vm, REF_SLOT, flags, REF_IPA, size, hva);
	return __km_set_memslot2(vm, REF_SLOT, flags, REF_IPA, size, hva, -1, 0);
}

TEST_F(mslot_flags, set)
{
	const char *ioctl_name = variant->v1 ? "KVM_SET_USER_MEMORY_REGION" :
				 "KVM_SET_USER_MEMORY_REGION2";
	u32 bit;
	int r;

	if (variant->first > variant->last) {
		r = set_flags(&self->s.vm, variant->v1, variant->flags, self->s.mem, self->s.size);
		TH_LOG("%s flags 0x%x: %s", ioctl_name, variant->flags, errname(r));
		EXPECT_EQ(-variant->want, r) TH_LOG("expected %s", errname(-variant->want));
		if (!r)
			EXPECT_EQ(0, __km_delete_memslot(&self->s.vm, REF_SLOT));
		return;
	}
	for (bit = variant->first; bit <= variant->last; bit++) {
		r = set_flags(&self->s.vm, variant->v1, 1U << bit, self->s.mem, self->s.size);
		EXPECT_EQ(-variant->want, r) TH_LOG("%s flags 0x%x (bit %u): %s", ioctl_name,
						    1U << bit, bit, errname(r));
		if (!r)
			__km_delete_memslot(&self->s.vm, REF_SLOT);
	}
	TH_LOG("%s: bits %u..%u each tried alone", ioctl_name, variant->first, variant->last);
}

/*
 * The flag on the memory it was meant for: a cacheable VM_PFNMAP of RAM.
 * Without it the slot gets what the contract says (km_pfn_expect(): accepted
 * with FWB && DIC, else EINVAL); with it, EINVAL on every host.
 */
TEST_RULE(cacheable_pfnmap_flag, "MEMSLOT-FLAGS-03",
	  "on a cacheable VM_PFNMAP of RAM, KVM_MEM_ENABLE_CACHEABLE_PFNMAP fails EINVAL "
	  "while the same slot without it gets what the contract says")
{
	static const struct km_pfn_req reqs[] = {
		{ .src = KM_SRC_UDMABUF },
		{ .src = KM_SRC_KMOD, .backing = MPF_BACKING_RAM, .prot = MPF_PROT_CACHEABLE,
		  .insert = MPF_INSERT_REMAP },
	};
	char why[2][320];
	struct km_pfn_expect e;
	struct km_pfn_map m;
	struct km_vm vm;
	unsigned int i;
	int r = KM_PFN_UNAVAILABLE;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < KM_ARRAY_SIZE(reqs); i++) {
		r = km_pfn_get(&reqs[i], &m, why[i], sizeof(why[i]));
		if (r != KM_PFN_UNAVAILABLE)
			break;
	}
	if (r == KM_PFN_UNAVAILABLE)
		SKIP(return, "no cacheable VM_PFNMAP of RAM here: %s; %s", why[0], why[1]);
	ASSERT_EQ(0, r) TH_LOG("%s", why[i]);
	TH_LOG("%s", m.what);
	ASSERT_TRUE(m.props.pfnmap && m.props.cacheable && m.props.ram)
		TH_LOG("not a cacheable VM_PFNMAP of RAM");
	km_pfn_expect(&m.props, &km_facts.env, 0, &e);
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	r = __km_set_memslot2(&vm, REF_SLOT, KM_MEM_ENABLE_CACHEABLE_PFNMAP, REF_IPA, m.size,
			      m.hva, -1, 0);
	EXPECT_EQ(-EINVAL, r) TH_LOG("with KVM_MEM_ENABLE_CACHEABLE_PFNMAP: %s", errname(r));
	if (!r)
		__km_delete_memslot(&vm, REF_SLOT);
	r = __km_set_memslot2(&vm, REF_SLOT, 0, REF_IPA, m.size, m.hva, -1, 0);
	TH_LOG("without it: %s; the contract: %s (%s)", errname(r), errname(e.memslot),
	       e.memslot_why);
	EXPECT_EQ(e.memslot, r);
	km_vm_destroy(&vm);
	km_pfn_put(&m);
}

/* ---- kernels without guest_memfd ---- */
#define REQUIRE_NO_GMEM()							\
	KM_REQUIRE(km_facts.cap_gmem == 0, "this kernel has guest_memfd: "		\
		   "KVM_CAP_GUEST_MEMFD=%d (GMEM-* cover it)", km_facts.cap_gmem)

TEST_RULE(no_gmem_create, "MEMSLOT-NOGMEM-01",
	  "without guest_memfd (KVM_CAP_GUEST_MEMFD=0) KVM_CREATE_GUEST_MEMFD fails EINVAL on "
	  "a VM fd and on /dev/kvm")
{
	static const u64 flags[] = { 0, GUEST_MEMFD_FLAG_MMAP,
				     GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED };
	struct km_vm vm;
	unsigned int i;
	int r;

	REQUIRE_NO_GMEM();
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	TH_LOG("kernel %s: KVM_CAP_GUEST_MEMFD=%d, KVM_CAP_GUEST_MEMFD_FLAGS=%d", km_facts.release,
	       km_facts.cap_gmem, km_check_cap(vm.fd, KVM_CAP_GUEST_MEMFD_FLAGS));
	for (i = 0; i < KM_ARRAY_SIZE(flags); i++) {
		r = __km_gmem_create(vm.fd, 4 * km_facts.env.page_size, flags[i]);
		if (r >= 0)
			close(r);
		EXPECT_EQ(-EINVAL, r) TH_LOG("VM fd, flags 0x%llx: %s", flags[i],
					     r < 0 ? strerror(-r) : "created");
		r = __km_gmem_create(vm.kvm_fd, 4 * km_facts.env.page_size, flags[i]);
		if (r >= 0)
			close(r);
		EXPECT_EQ(-EINVAL, r) TH_LOG("/dev/kvm, flags 0x%llx: %s", flags[i],
					     r < 0 ? strerror(-r) : "created");
	}
	km_vm_destroy(&vm);
}

TEST_RULE(no_gmem_slot, "MEMSLOT-NOGMEM-02",
	  "without guest_memfd a KVM_MEM_GUEST_MEMFD memslot fails EINVAL (the flag, not "
	  "the fd: guest_memfd = -1 would be EBADF with guest_memfd) through "
	  "KVM_SET_USER_MEMORY_REGION2 and through the v1 ioctl")
{
	long long pg = km_facts.env.page_size;
	struct km_userspace_memory_region2 r2;
	struct km_vm vm;
	int fd, r;
	u8 *mem;

	REQUIRE_NO_GMEM();
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	mem = km_mmap_anon(4 * pg);
	/*
	 * guest_memfd = -1: the flag is refused before any fd is looked at
	 * (EINVAL), where a kernel with guest_memfd would get as far as the fd
	 * (EBADF, SPEC 1.1 row 7).
	 */
	fd = -1;
	memset(&r2, 0, sizeof(r2));
	r2.slot = REF_SLOT;
	r2.flags = KVM_MEM_GUEST_MEMFD;
	r2.guest_phys_addr = REF_IPA;
	r2.memory_size = 4 * pg;
	r2.userspace_addr = (u64)(uintptr_t)mem;
	r2.guest_memfd = (u32)fd;
	/* The raw v2 ioctl, also where the kernel lacks it (6.1). */
	r = ioctl(vm.fd, KM_SET_USER_MEMORY_REGION2, &r2) < 0 ? -errno : 0;
	TH_LOG("kernel %s, KVM_CAP_USER_MEMORY2=%d: KVM_SET_USER_MEMORY_REGION2 with "
	       "KVM_MEM_GUEST_MEMFD: %s", km_facts.release, km_facts.cap_umem2, errname(r));
	EXPECT_EQ(-EINVAL, r);
	r = __km_set_memslot(&vm, REF_SLOT, KVM_MEM_GUEST_MEMFD, REF_IPA, 4 * pg, mem);
	TH_LOG("KVM_SET_USER_MEMORY_REGION with KVM_MEM_GUEST_MEMFD: %s", errname(r));
	EXPECT_EQ(-EINVAL, r);
	/* The same slot without the flag is fine: it is the flag that is refused. */
	r = __km_set_memslot2(&vm, REF_SLOT, 0, REF_IPA, 4 * pg, mem, -1, 0);
	EXPECT_EQ(0, r) TH_LOG("the slot without KVM_MEM_GUEST_MEMFD: %s", errname(r));
	munmap(mem, 4 * pg);
	km_vm_destroy(&vm);
}

/* ---- KVM_GET_DIRTY_LOG on VM_MIXEDMAP slots ---- */
enum { PG_UNTOUCHED, PG_LOAD, PG_STORE, PG_LOAD_STORE, DIRTY_PAGES };

#define STORED1		0x6469727479303031ULL
#define STORED2		0x6469727479303032ULL

FIXTURE(mixed_dirty) {
	struct km_agent a;
	struct km_pfn_map m;
	bool agent, mapped;
};

FIXTURE_VARIANT(mixed_dirty) {
	KM_VARIANT_RULE;
	struct km_pfn_req req;
	bool mixedmap;		/* the VMA must be VM_MIXEDMAP */
};


FIXTURE_VARIANT_ADD(mixed_dirty, anon) {
	.rule = "MEMSLOT-DIRTY-01",
	.summary = "(contrast) a logging anonymous memslot: KVM_GET_DIRTY_LOG reports the pages "
		   "the guest stored to, not those it only loaded, then nothing until the next "
		   "store",
	.req = { .src = KM_SRC_ANON },
};
FIXTURE_VARIANT_ADD(mixed_dirty, m1_page) {
	.rule = "MEMSLOT-DIRTY-02",
	.summary = "a logging VM_MIXEDMAP memslot of RAM pages (vm_insert_page): KVM_GET_DIRTY_LOG "
		   "reports the stored pages only, and a store after the log is reported again",
	.req = KM_PFN_KMOD(RAM, CACHEABLE, PAGE, 0), .mixedmap = true,
};
FIXTURE_VARIANT_ADD(mixed_dirty, m1_bpf) {
	.rule = "MEMSLOT-DIRTY-02",
	.summary = "a logging BPF_F_MMAPABLE array map (VM_MIXEDMAP over vmalloc RAM): "
		   "KVM_GET_DIRTY_LOG reports the stored pages only",
	.req = { .src = KM_SRC_BPF_ARRAY }, .mixedmap = true,
};
FIXTURE_VARIANT_ADD(mixed_dirty, m3_device) {
	.rule = "MEMSLOT-DIRTY-03",
	.summary = "a logging VM_MIXEDMAP of ZONE_DEVICE pages (outside the linear map, Device): "
		   "a load alone maps W and is reported dirty",
	.req = KM_PFN_KMOD(ZONE_DEVICE, DEVICE, PAGE, 0), .mixedmap = true,
};
FIXTURE_VARIANT_ADD(mixed_dirty, m3_nc) {
	.rule = "MEMSLOT-DIRTY-03",
	.summary = "a logging VM_MIXEDMAP of ZONE_DEVICE pages, write-combine with "
		   "VM_ALLOW_ANY_UNCACHED: a load alone is reported dirty",
	.req = KM_PFN_KMOD(ZONE_DEVICE, WC, PAGE, MPF_F_ALLOW_ANY_UNCACHED), .mixedmap = true,
};
FIXTURE_VARIANT_ADD(mixed_dirty, m3_cacheable) {
	.rule = "MEMSLOT-DIRTY-03",
	.summary = "a logging cacheable VM_MIXEDMAP of ZONE_DEVICE pages: with FWB && DIC a "
		   "load alone is reported dirty; without, the access fails and nothing is",
	.req = KM_PFN_KMOD(ZONE_DEVICE, CACHEABLE, PAGE, 0), .mixedmap = true,
};

FIXTURE_SETUP(mixed_dirty)
{
}

FIXTURE_TEARDOWN(mixed_dirty)
{
	if (self->agent)
		km_agent_fini(&self->a);
	if (self->mapped)
		km_pfn_put(&self->m);
}

static int get_dirty_log(struct km_vm *vm, u32 slot, u64 *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	return ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log) < 0 ? -errno : 0;
}

/* Fetch the log of the slot's npages pages and compare it with want. */
#define EXPECT_DIRTY(vm, npages, want, when)					\
	do {									\
		u64 __bm[8] = { 0 };						\
		int __r = get_dirty_log(vm, REF_SLOT, __bm);			\
										\
		ASSERT_EQ(0, __r) TH_LOG("KVM_GET_DIRTY_LOG %s: %s", when,	\
					 strerror(-__r));			\
		TH_LOG("dirty log %s: 0x%llx, expected 0x%llx", when, __bm[0],	\
		       (u64)(want));						\
		EXPECT_EQ((u64)(want), __bm[0]);				\
		for (unsigned int __i = 1; __i < KM_ARRAY_SIZE(__bm); __i++)	\
			EXPECT_EQ(0, __bm[__i]);				\
		(void)(npages);							\
	} while (0)

TEST_F(mixed_dirty, log)
{
	const struct km_env *env = &km_facts.env;
	u64 pg = km_facts.env.page_size, want;
	struct km_pfn_expect e;
	struct km_cmd *st1, *st2;
	struct km_exit x;
	char why[320], b[160];
	unsigned int npages;
	int r;

	km_agent_init(&self->a, 0);
	self->agent = true;
	r = km_pfn_get(&variant->req, &self->m, why, sizeof(why));
	if (r == KM_PFN_UNAVAILABLE)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	self->mapped = true;
	TH_LOG("%s", self->m.what);
	if (variant->mixedmap)
		ASSERT_TRUE(self->m.props.mixedmap && !self->m.props.pfnmap)
			TH_LOG("the VMA is not VM_MIXEDMAP");
	npages = self->m.size / pg;
	ASSERT_GE(npages, DIRTY_PAGES);
	ASSERT_LE(npages, 8 * 64);
	km_pfn_expect(&self->m.props, env, KM_PE_LOG_DIRTY, &e);
	km_log_contracts(e.contracts);
	TH_LOG("expect with logging: memslot %s (%s); load %s, store %s (%s); a read fault "
	       "maps %s", errname(e.memslot), e.memslot_why, errname(e.read), errname(e.write),
	       e.fault_why, e.s2_w_read ? "W" : "read-only");
	if (km_pfn_k1_out_of_scope(&self->m.props, e.memslot, e.read,
				   env->mode == KM_MODE_PROTECTED))
		SKIP(return, KM_PFN_K1_REASON);

	r = __km_set_memslot2(&self->a.vm, REF_SLOT, KVM_MEM_LOG_DIRTY_PAGES, REF_IPA,
			      self->m.size, self->m.hva, -1, 0);
	ASSERT_EQ(e.memslot, r) TH_LOG("memslot with KVM_MEM_LOG_DIRTY_PAGES: %s", errname(r));
	if (r)
		return;
	km_agent_map(&self->a, REF_VA, REF_IPA, self->m.size, KM_ATTR_NORMAL_WB, 0);
	EXPECT_DIRTY(&self->a.vm, npages, 0, "before the guest ran");

	/* Round 1: a load, a store, a load then a store, one page each. */
	km_agent_reset(&self->a);
	km_agent_cmd(&self->a, KM_OP_LOAD, REF_VA + PG_LOAD * pg, 8, 0);
	st1 = km_agent_cmd(&self->a, KM_OP_STORE, REF_VA + PG_STORE * pg, 8, STORED1);
	km_agent_cmd(&self->a, KM_OP_LOAD, REF_VA + PG_LOAD_STORE * pg, 8, 0);
	st2 = km_agent_cmd(&self->a, KM_OP_STORE, REF_VA + PG_LOAD_STORE * pg + 8, 8, STORED1);
	km_agent_run(&self->a, &x);
	if (e.read) {
		EXPECT_EQ(KM_X_ERROR, x.kind) TH_LOG("%s", km_exit_describe(&x, b, sizeof(b)));
		EXPECT_EQ(-e.read, x.err);
		EXPECT_DIRTY(&self->a.vm, npages, 0, "after the refused access");
		return;
	}
	ASSERT_EQ(KM_X_DONE, x.kind) TH_LOG("%s", km_exit_describe(&x, b, sizeof(b)));
	ASSERT_EQ(0, st1->flags & KM_CMD_F_EXC) TH_LOG("store faulted: ESR %#llx", st1->esr);
	ASSERT_EQ(0, st2->flags & KM_CMD_F_EXC) TH_LOG("store faulted: ESR %#llx", st2->esr);
	ASSERT_EQ(0, e.write) TH_LOG("the stores completed, the contract said %s",
				     errname(e.write));
	EXPECT_EQ(STORED1, km_pfn_read64(&self->m, PG_STORE * pg));
	EXPECT_EQ(STORED1, km_pfn_read64(&self->m, PG_LOAD_STORE * pg + 8));
	want = KM_BIT(PG_STORE) | KM_BIT(PG_LOAD_STORE) | (e.s2_w_read ? KM_BIT(PG_LOAD) : 0);
	EXPECT_DIRTY(&self->a.vm, npages, want, "after round 1");
	/* The log was taken and cleared; nothing ran since. */
	EXPECT_DIRTY(&self->a.vm, npages, 0, "again, nothing run since");

	/*
	 * Round 2: taking the log write-protected the dirty pages.  A load of
	 * one of them finds its read-only mapping (no fault, not dirty); a store
	 * to another write-faults and is reported again.
	 */
	km_agent_reset(&self->a);
	km_agent_cmd(&self->a, KM_OP_LOAD, REF_VA + PG_STORE * pg, 8, 0);
	st1 = km_agent_cmd(&self->a, KM_OP_STORE, REF_VA + PG_LOAD_STORE * pg + 16, 8, STORED2);
	km_agent_run(&self->a, &x);
	ASSERT_EQ(KM_X_DONE, x.kind) TH_LOG("%s", km_exit_describe(&x, b, sizeof(b)));
	ASSERT_EQ(0, st1->flags & KM_CMD_F_EXC) TH_LOG("store faulted: ESR %#llx", st1->esr);
	EXPECT_EQ(STORED2, km_pfn_read64(&self->m, PG_LOAD_STORE * pg + 16));
	EXPECT_DIRTY(&self->a.vm, npages, KM_BIT(PG_LOAD_STORE), "after round 2");
}

/* kvm_get_dirty_log_protect: the slot must exist, be a user slot and log. */
TEST_RULE(dirty_log_refusals, "MEMSLOT-DIRTY-04",
	  "KVM_GET_DIRTY_LOG fails ENOENT on a VM_MIXEDMAP (or anonymous) memslot without "
	  "KVM_MEM_LOG_DIRTY_PAGES and on a missing slot, EINVAL on a slot id past "
	  "KVM_CAP_NR_MEMSLOTS")
{
	static const struct km_pfn_req reqs[] = {
		{ .src = KM_SRC_KMOD, .backing = MPF_BACKING_RAM, .prot = MPF_PROT_CACHEABLE,
		  .insert = MPF_INSERT_PAGE },
		{ .src = KM_SRC_BPF_ARRAY },
		{ .src = KM_SRC_ANON },
	};
	u64 bm[8];
	struct km_pfn_map m;
	struct km_vm vm;
	char why[320];
	unsigned int i;
	int r = KM_PFN_UNAVAILABLE, n;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < KM_ARRAY_SIZE(reqs); i++) {
		r = km_pfn_get(&reqs[i], &m, why, sizeof(why));
		if (r != KM_PFN_UNAVAILABLE)
			break;
	}
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	TH_LOG("%s%s", m.what, m.props.mixedmap ? " (VM_MIXEDMAP)" : "");
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	ASSERT_EQ(0, __km_set_memslot2(&vm, REF_SLOT, 0, REF_IPA, m.size, m.hva, -1, 0));
	r = get_dirty_log(&vm, REF_SLOT, bm);
	EXPECT_EQ(-ENOENT, r) TH_LOG("slot without logging: %s", errname(r));
	r = get_dirty_log(&vm, REF_SLOT + 1, bm);
	EXPECT_EQ(-ENOENT, r) TH_LOG("no such slot: %s", errname(r));
	n = km_check_cap(vm.fd, KVM_CAP_NR_MEMSLOTS);
	ASSERT_GT(n, 0);
	r = get_dirty_log(&vm, n, bm);
	EXPECT_EQ(-EINVAL, r) TH_LOG("slot %d (KVM_CAP_NR_MEMSLOTS): %s", n, errname(r));
	/* Logging turned on (a flags-only change), the log is there; off again, gone. */
	ASSERT_EQ(0, __km_set_memslot2(&vm, REF_SLOT, KVM_MEM_LOG_DIRTY_PAGES, REF_IPA, m.size,
				       m.hva, -1, 0));
	r = get_dirty_log(&vm, REF_SLOT, bm);
	EXPECT_EQ(0, r) TH_LOG("after enabling logging: %s", errname(r));
	ASSERT_EQ(0, __km_set_memslot2(&vm, REF_SLOT, 0, REF_IPA, m.size, m.hva, -1, 0));
	r = get_dirty_log(&vm, REF_SLOT, bm);
	EXPECT_EQ(-ENOENT, r) TH_LOG("after disabling logging: %s", errname(r));
	km_vm_destroy(&vm);
	km_pfn_put(&m);
}

KM_RULE_DOC(memslot_flags, "MEMSLOT-FLAGS-*",
	    "kvm_main.c:check_memory_region_flags, kvm_vm_ioctl "
	    "(KVM_SET_USER_MEMORY_REGION_V1_FLAGS) (SPEC 1.1 rows 1-2); the NAKed flag: "
	    "<20250518054754.5345-4-ankita@nvidia.com>",
	    "MEMSLOT-FLAGS-03's PFNMAP case: /dev/udmabuf or the test module", "yes")
KM_RULE_DOC(memslot_nogmem, "MEMSLOT-NOGMEM-*",
	    "6.12 kvm_main.c:kvm_vm_ioctl (KVM_CREATE_GUEST_MEMFD under CONFIG_KVM_PRIVATE_MEM), "
	    "check_memory_region_flags (kvm_arch_has_private_mem); 6.1: no such ioctls; "
	    "arm.c:kvm_arch_vm_ioctl, kvm_arch_dev_ioctl (-EINVAL)",
	    "a kernel without guest_memfd (KVM_CAP_GUEST_MEMFD=0: arm64 before 6.18)", "yes")
KM_RULE_DOC(memslot_dirty, "MEMSLOT-DIRTY-*",
	    "kvm_main.c:kvm_get_dirty_log_protect; mmu.c:kvm_s2_fault_compute_prot (W on a read "
	    "fault only for pfns outside the linear map), kvm_s2_fault_map "
	    "(mark_page_dirty_in_slot) (SPEC 1.2 A3, M1, M3)",
	    "the test module (make kmod), or bpf(2) with BPF_F_MMAPABLE (MEMSLOT-DIRTY-02's "
	    "m1_bpf); ZONE_DEVICE rows: memory outside the linear map", "yes")
