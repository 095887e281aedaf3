// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a guest_memfd as a memslot on arm64 (SPEC 1.1 rows 2-11 and 17,
 * 2.3).  Sources: virt/kvm/kvm_main.c (check_memory_region_flags,
 * kvm_set_memory_region), virt/kvm/guest_memfd.c
 * (kvm_gmem_prepare_memory_region, kvm_gmem_commit_memory_region),
 * arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region,
 * arch/arm64/kvm/arm.c:kvm_vm_ioctl_enable_cap (KVM_CAP_ARM_MTE).
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem_common.h"
#include "memslot.h"

#define FILE_PAGES	4

enum fd_kind { FD_GMEM, FD_OTHER_VM_GMEM, FD_MEMFD, FD_VM, FD_CLOSED, FD_MINUS_ONE };
enum ua_kind { UA_GMEM_MMAP, UA_ZERO, UA_ANON };

FIXTURE(gmem_bind) {
	struct km_vm vm, other;
	int gfd, fd;
	u8 *map, *anon;
	size_t fsize;
};

FIXTURE_VARIANT(gmem_bind) {
	KM_VARIANT_RULE;
	u64 gflags;		/* creation flags of the bound guest_memfd */
	u32 extra;		/* memslot flags besides KVM_MEM_GUEST_MEMFD */
	enum fd_kind fd;
	enum ua_kind ua;
	long long off_pages, off_bytes;
	long long pages;	/* memslot size; 0: the whole file */
	bool v1;		/* KVM_SET_USER_MEMORY_REGION instead of ..._REGION2 */
	int want;		/* errno, 0 for success */
};

/* gf: the guest_memfd's creation flags.  Rows bind the whole file unless they say otherwise. */
#define BIND(name, r, s, gf, ...)						\
	FIXTURE_VARIANT_ADD(gmem_bind, name) {					\
		.rule = r, .summary = s, .gflags = gf, __VA_ARGS__		\
	}

/* kvm_arch_prepare_memory_region: gmem slot && !kvm_memslot_is_gmem_only. */
BIND(no_mmap_flag, "GMEM-BIND-01",
     "a guest_memfd created without GUEST_MEMFD_FLAG_MMAP cannot back a memslot on "
     "arm64 (EINVAL)",
     0, .ua = UA_ZERO, .want = EINVAL);
BIND(init_shared_no_mmap, "GMEM-BIND-01",
     "a guest_memfd created INIT_SHARED but without MMAP cannot back a memslot (EINVAL)",
     GUEST_MEMFD_FLAG_INIT_SHARED, .ua = UA_ZERO, .want = EINVAL);
BIND(mmap_private_mem, "GMEM-BIND-01",
     "a guest_memfd created with MMAP (private memory, no INIT_SHARED) backs a memslot",
     GUEST_MEMFD_FLAG_MMAP, .want = 0);
BIND(mmap_shared_mem, "GMEM-BIND-01",
     "a guest_memfd created with MMAP|INIT_SHARED backs a memslot",
     GMEM_SHARED, .want = 0);
/* check_memory_region_flags. */
BIND(readonly, "GMEM-BIND-02",
     "KVM_MEM_GUEST_MEMFD together with KVM_MEM_READONLY fails EINVAL",
     GMEM_SHARED, .extra = KVM_MEM_READONLY, .want = EINVAL);
BIND(log_dirty, "GMEM-BIND-02",
     "KVM_MEM_GUEST_MEMFD together with KVM_MEM_LOG_DIRTY_PAGES fails EINVAL",
     GMEM_SHARED, .extra = KVM_MEM_LOG_DIRTY_PAGES, .want = EINVAL);
/* kvm_gmem_prepare_memory_region. */
BIND(other_vm, "GMEM-BIND-03",
     "a guest_memfd created on another VM cannot back a memslot (EINVAL)",
     GMEM_SHARED, .fd = FD_OTHER_VM_GMEM, .ua = UA_ZERO, .want = EINVAL);
BIND(memfd, "GMEM-BIND-04",
     "a memfd passed as guest_memfd fails EINVAL",
     GMEM_SHARED, .fd = FD_MEMFD, .ua = UA_ZERO, .want = EINVAL);
BIND(vm_fd, "GMEM-BIND-04",
     "the VM fd passed as guest_memfd fails EINVAL",
     GMEM_SHARED, .fd = FD_VM, .ua = UA_ZERO, .want = EINVAL);
BIND(closed_fd, "GMEM-BIND-05",
     "a closed guest_memfd fd fails EBADF",
     GMEM_SHARED, .fd = FD_CLOSED, .ua = UA_ZERO, .want = EBADF);
BIND(fd_minus_one, "GMEM-BIND-05",
     "guest_memfd = -1 fails EBADF",
     GMEM_SHARED, .fd = FD_MINUS_ONE, .ua = UA_ZERO, .want = EBADF);
/* kvm_set_memory_region (alignment, overflow), kvm_gmem_prepare_memory_region (i_size). */
BIND(offset_unaligned, "GMEM-BIND-06",
     "a guest_memfd_offset that is not page aligned fails EINVAL",
     GMEM_SHARED, .off_bytes = 512, .pages = 1, .want = EINVAL);
BIND(offset_half_page, "GMEM-BIND-06",
     "a guest_memfd_offset of one and a half pages fails EINVAL",
     GMEM_SHARED, .off_pages = 1, .off_bytes = 2048, .pages = 1, .want = EINVAL);
BIND(offset_page_plus_byte, "GMEM-BIND-06",
     "a guest_memfd_offset one byte past a page boundary fails EINVAL",
     GMEM_SHARED, .off_pages = 1, .off_bytes = 1, .pages = 1, .want = EINVAL);
BIND(offset_page_minus_byte, "GMEM-BIND-06",
     "a guest_memfd_offset one byte before a page boundary fails EINVAL",
     GMEM_SHARED, .off_pages = 1, .off_bytes = -1, .pages = 1, .want = EINVAL);
BIND(offset_aligned, "GMEM-BIND-06",
     "a page-aligned guest_memfd_offset is accepted",
     GMEM_SHARED, .off_pages = 1, .pages = 1, .want = 0);
BIND(past_end, "GMEM-BIND-07",
     "offset + size past the guest_memfd's size fails EINVAL",
     GMEM_SHARED, .off_pages = 1, .pages = FILE_PAGES, .want = EINVAL);
BIND(at_end, "GMEM-BIND-07",
     "a binding starting at the guest_memfd's size fails EINVAL",
     GMEM_SHARED, .off_pages = FILE_PAGES, .pages = 1, .want = EINVAL);
BIND(offset_overflow, "GMEM-BIND-07",
     "offset + size overflowing 64 bits fails EINVAL",
     GMEM_SHARED, .off_pages = -1, .pages = 2, .want = EINVAL);
BIND(ends_at_size, "GMEM-BIND-07",
     "a binding ending exactly at the guest_memfd's size succeeds",
     GMEM_SHARED, .off_pages = 1, .pages = FILE_PAGES - 1, .want = 0);
BIND(last_page, "GMEM-BIND-07",
     "a one-page binding of the guest_memfd's last page succeeds",
     GMEM_SHARED, .off_pages = FILE_PAGES - 1, .pages = 1, .want = 0);
BIND(last_page_plus_one, "GMEM-BIND-07",
     "a two-page binding starting at the guest_memfd's last page (one page past its "
     "size) fails EINVAL",
     GMEM_SHARED, .off_pages = FILE_PAGES - 1, .pages = 2, .want = EINVAL);
BIND(whole_file_plus_page, "GMEM-BIND-07",
     "a binding from offset 0 one page longer than the guest_memfd fails EINVAL",
     GMEM_SHARED, .pages = FILE_PAGES + 1, .want = EINVAL);
/* kvm_vm_ioctl: KVM_SET_USER_MEMORY_REGION_V1_FLAGS. */
BIND(v1_ioctl, "GMEM-BIND-08",
     "KVM_MEM_GUEST_MEMFD through the v1 KVM_SET_USER_MEMORY_REGION fails EINVAL",
     GMEM_SHARED, .v1 = true, .want = EINVAL);
/* gmem_abort never uses the hva; only alignment and access_ok are checked. */
BIND(uaddr_zero, "GMEM-BIND-09",
     "a guest_memfd memslot with userspace_addr 0 is accepted",
     GMEM_SHARED, .ua = UA_ZERO, .want = 0);
BIND(uaddr_anon, "GMEM-BIND-09",
     "a guest_memfd memslot whose userspace_addr is unrelated anonymous memory is accepted",
     GMEM_SHARED, .ua = UA_ANON, .want = 0);

FIXTURE_SETUP(gmem_bind)
{
	self->gfd = self->fd = -1;
	REQUIRE_GMEM_FLAGS(variant->gflags | GUEST_MEMFD_FLAG_MMAP);
	self->fsize = FILE_PAGES * km_facts.env.page_size;
	self->gfd = gmem_vm_create(&self->vm, self->fsize, variant->gflags);
	if (variant->gflags & GUEST_MEMFD_FLAG_MMAP)
		self->map = km_mmap_fd(self->gfd, self->fsize, PROT_READ | PROT_WRITE,
				       MAP_SHARED, 0);
	self->anon = km_mmap_anon(self->fsize);

	switch (variant->fd) {
	case FD_GMEM:
		self->fd = self->gfd;
		break;
	case FD_OTHER_VM_GMEM:
		self->fd = gmem_vm_create(&self->other, self->fsize, variant->gflags);
		break;
	case FD_MEMFD:
		self->fd = memfd_create("km-not-gmem", MFD_CLOEXEC);
		KM_CHECK(self->fd >= 0 && ftruncate(self->fd, self->fsize) == 0, "memfd");
		break;
	case FD_VM:
		self->fd = self->vm.fd;
		break;
	case FD_CLOSED:
		/* The number stays free: nothing opens a file after this. */
		self->fd = km_gmem_create(&self->vm, self->fsize, variant->gflags);
		close(self->fd);
		break;
	case FD_MINUS_ONE:
		self->fd = -1;
		break;
	}
}

FIXTURE_TEARDOWN(gmem_bind)
{
	if (variant->fd == FD_OTHER_VM_GMEM || variant->fd == FD_MEMFD)
		if (self->fd >= 0)
			close(self->fd);
	if (self->map)
		munmap(self->map, self->fsize);
	if (self->anon)
		munmap(self->anon, self->fsize);
	if (self->gfd >= 0)
		close(self->gfd);
	if (self->other.fd > 0)
		km_vm_destroy(&self->other);
	if (self->vm.fd > 0)
		km_vm_destroy(&self->vm);
}

TEST_F(gmem_bind, set)
{
	u64 off = variant->off_pages * km_facts.env.page_size + variant->off_bytes;
	u64 size = (variant->pages ? variant->pages : FILE_PAGES) * km_facts.env.page_size;
	u32 flags = KVM_MEM_GUEST_MEMFD | variant->extra;
	void *ua = NULL;
	int r;

	switch (variant->ua) {
	case UA_GMEM_MMAP: ua = self->map; break;
	case UA_ZERO: ua = NULL; break;
	case UA_ANON: ua = self->anon; break;
	}
	if (variant->v1)
		r = __km_set_memslot(&self->vm, GMEM_SLOT, flags, GMEM_IPA, size, ua);
	else
		r = __km_set_memslot2(&self->vm, GMEM_SLOT, flags, GMEM_IPA, size, ua,
				      self->fd, off);
	EXPECT_EQ(-variant->want, r)
		TH_LOG("flags 0x%x gflags 0x%llx fd %d offset 0x%llx size 0x%llx uaddr %p",
		       flags, variant->gflags, self->fd, off, size, ua);
}

/* kvm_gmem_commit_memory_region: xa_find over the file's bindings. */
TEST_RULE(overlap_same_file, "GMEM-BIND-10",
	  "two memslots may not bind overlapping ranges of one guest_memfd (EEXIST); "
	  "adjacent ranges may, and deleting a slot frees its range")
{
	long pg = km_facts.env.page_size;
	struct km_vm vm;
	u8 *map;
	int fd, r;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	fd = gmem_vm_create(&vm, 8 * pg, GMEM_SHARED);
	map = km_mmap_fd(fd, 8 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	/* Slot 1: file pages [0, 4) at GMEM_IPA. */
	km_set_memslot2(&vm, GMEM_SLOT, KVM_MEM_GUEST_MEMFD, GMEM_IPA, 4 * pg, map, fd, 0);

	/* Slot 2 elsewhere in the IPA space, file pages [2, 6): overlaps [2, 4). */
	r = __km_set_memslot2(&vm, GMEM_SLOT2, KVM_MEM_GUEST_MEMFD, GMEM_IPA2, 4 * pg,
			      map + 2 * pg, fd, 2 * pg);
	EXPECT_EQ(-EEXIST, r) TH_LOG("file range [2,6) over [0,4)");
	/* The very same range in a second slot. */
	r = __km_set_memslot2(&vm, GMEM_SLOT2, KVM_MEM_GUEST_MEMFD, GMEM_IPA2, 4 * pg, map,
			      fd, 0);
	EXPECT_EQ(-EEXIST, r) TH_LOG("file range [0,4) twice");
	/* One page of overlap at the end: [3, 4). */
	r = __km_set_memslot2(&vm, GMEM_SLOT2, KVM_MEM_GUEST_MEMFD, GMEM_IPA2, pg,
			      map + 3 * pg, fd, 3 * pg);
	EXPECT_EQ(-EEXIST, r) TH_LOG("file page 3 again");
	/* Adjacent: [4, 8). */
	r = __km_set_memslot2(&vm, GMEM_SLOT2, KVM_MEM_GUEST_MEMFD, GMEM_IPA2, 4 * pg,
			      map + 4 * pg, fd, 4 * pg);
	EXPECT_EQ(0, r) TH_LOG("adjacent file range [4,8)");
	EXPECT_EQ(0, __km_delete_memslot(&vm, GMEM_SLOT2));

	/* Deleting slot 1 unbinds [0, 4): now [2, 6) binds. */
	EXPECT_EQ(0, __km_delete_memslot(&vm, GMEM_SLOT));
	r = __km_set_memslot2(&vm, GMEM_SLOT2, KVM_MEM_GUEST_MEMFD, GMEM_IPA2, 4 * pg,
			      map + 2 * pg, fd, 2 * pg);
	EXPECT_EQ(0, r) TH_LOG("[2,6) after deleting the [0,4) slot");
	munmap(map, 8 * pg);
	close(fd);
	km_vm_destroy(&vm);
}

/*
 * kvm_set_memory_region, "Modify an existing slot": KVM_MEM_GUEST_MEMFD in
 * the new flags is -EINVAL before the "nothing to change" shortcut, and
 * toggling it off is -EINVAL too; LOG_DIRTY is refused by
 * check_memory_region_flags.  Only delete (size 0) works.
 */
enum modify { MOD_SAME, MOD_MOVE, MOD_DROP_FLAG, MOD_LOG_DIRTY, MOD_DELETE_RECREATE };

FIXTURE(gmem_modify) {
	struct km_vm vm;
	int fd;
	u8 *map, *anon;
	size_t size;
};

FIXTURE_VARIANT(gmem_modify) {
	KM_VARIANT_RULE;
	bool gmem;		/* false: an anonymous slot, for contrast */
	enum modify op;
	int want;
};

#define MODIFY(name, g, o, w, s)						\
	FIXTURE_VARIANT_ADD(gmem_modify, name) {				\
		.rule = "GMEM-BIND-11", .summary = s, .gmem = g, .op = o, .want = w, \
	}
MODIFY(same, true, MOD_SAME, EINVAL,
       "re-setting a guest_memfd memslot with identical arguments fails EINVAL");
MODIFY(move, true, MOD_MOVE, EINVAL, "moving a guest_memfd memslot fails EINVAL");
MODIFY(drop_flag, true, MOD_DROP_FLAG, EINVAL,
       "re-setting a guest_memfd memslot without KVM_MEM_GUEST_MEMFD fails EINVAL");
MODIFY(log_dirty, true, MOD_LOG_DIRTY, EINVAL,
       "enabling dirty logging on a guest_memfd memslot fails EINVAL");
MODIFY(delete_recreate, true, MOD_DELETE_RECREATE, 0,
       "a guest_memfd memslot can be deleted and created again over the same range");
MODIFY(anon_same, false, MOD_SAME, 0,
       "(contrast) re-setting an anonymous memslot with identical arguments succeeds");
MODIFY(anon_move, false, MOD_MOVE, 0, "(contrast) moving an anonymous memslot succeeds");

FIXTURE_SETUP(gmem_modify)
{
	self->fd = -1;
	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	self->size = FILE_PAGES * km_facts.env.page_size;
	km_vm_create(&self->vm, KM_DEFAULT_IPA_BITS);
	if (variant->gmem) {
		self->fd = km_gmem_create(&self->vm, self->size, GMEM_SHARED);
		self->map = km_mmap_fd(self->fd, self->size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, 0);
		km_set_memslot2(&self->vm, GMEM_SLOT, KVM_MEM_GUEST_MEMFD, GMEM_IPA, self->size,
				self->map, self->fd, 0);
	} else {
		self->anon = km_mmap_anon(self->size);
		km_set_memslot2(&self->vm, GMEM_SLOT, 0, GMEM_IPA, self->size, self->anon,
				-1, 0);
	}
}

FIXTURE_TEARDOWN(gmem_modify)
{
	if (self->map)
		munmap(self->map, self->size);
	if (self->anon)
		munmap(self->anon, self->size);
	if (self->fd >= 0)
		close(self->fd);
	if (self->vm.fd > 0)
		km_vm_destroy(&self->vm);
}

TEST_F(gmem_modify, set)
{
	u32 flags = variant->gmem ? KVM_MEM_GUEST_MEMFD : 0;
	void *ua = variant->gmem ? self->map : self->anon;
	u64 gpa = GMEM_IPA;
	int r;

	switch (variant->op) {
	case MOD_SAME:
		break;
	case MOD_MOVE:
		gpa = GMEM_IPA2;
		break;
	case MOD_DROP_FLAG:
		flags &= ~KVM_MEM_GUEST_MEMFD;
		break;
	case MOD_LOG_DIRTY:
		flags |= KVM_MEM_LOG_DIRTY_PAGES;
		break;
	case MOD_DELETE_RECREATE:
		ASSERT_EQ(0, __km_delete_memslot(&self->vm, GMEM_SLOT));
		/* A second delete finds no slot. */
		EXPECT_EQ(-EINVAL, __km_delete_memslot(&self->vm, GMEM_SLOT));
		break;
	}
	r = __km_set_memslot2(&self->vm, GMEM_SLOT, flags, gpa, self->size, ua, self->fd, 0);
	EXPECT_EQ(-variant->want, r) TH_LOG("flags 0x%x gpa 0x%llx", flags, gpa);
	/* Whatever was refused, the slot is still there and can be deleted. */
	EXPECT_EQ(0, __km_delete_memslot(&self->vm, GMEM_SLOT));
}

/*
 * MTE.  kvm_arch_prepare_memory_region refuses a gmem slot on an MTE VM
 * before it looks at VMAs; userspace_addr 0 (no VMA) keeps the VM_MTE_ALLOWED
 * VMA check (SPEC 1.1 row 12) out of the picture, so EINVAL can only be the
 * gmem+MTE rule.  KVM_CAP_ARM_MTE must be enabled before any vCPU exists.
 */
#define REQUIRE_MTE()								\
	KM_REQUIRE(km_facts.cap_mte > 0, "MTE absent: KVM_CAP_ARM_MTE=%d", km_facts.cap_mte)

TEST_RULE(mte_vm_refuses_gmem, "GMEM-BIND-12",
	  "on a VM with KVM_CAP_ARM_MTE enabled a guest_memfd memslot fails EINVAL, while "
	  "an ordinary memslot at the same userspace_addr is accepted")
{
	size_t size = FILE_PAGES * km_facts.env.page_size;
	struct km_vm vm;
	int fd, r;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	REQUIRE_MTE();
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	ASSERT_EQ(0, __km_enable_cap(vm.fd, KVM_CAP_ARM_MTE, 0));
	fd = km_gmem_create(&vm, size, GMEM_SHARED);
	r = __km_set_memslot2(&vm, GMEM_SLOT, KVM_MEM_GUEST_MEMFD, GMEM_IPA, size, NULL, fd, 0);
	EXPECT_EQ(-EINVAL, r);
	r = __km_set_memslot2(&vm, GMEM_SLOT2, 0, GMEM_IPA2, size, NULL, -1, 0);
	EXPECT_EQ(0, r) TH_LOG("plain memslot with userspace_addr 0 on the MTE VM");
	close(fd);
	km_vm_destroy(&vm);
}

/* kvm_vm_ioctl_enable_cap(KVM_CAP_ARM_MTE): -EINVAL if any slot has gmem. */
TEST_RULE(mte_enable_after_gmem, "GMEM-BIND-13",
	  "enabling KVM_CAP_ARM_MTE fails EINVAL while a guest_memfd memslot exists and "
	  "succeeds once it is deleted")
{
	size_t size = FILE_PAGES * km_facts.env.page_size;
	struct km_vm vm;
	u8 *map;
	int fd;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	REQUIRE_MTE();
	fd = gmem_vm_create(&vm, size, GMEM_SHARED);
	map = km_mmap_fd(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	km_set_memslot2(&vm, GMEM_SLOT, KVM_MEM_GUEST_MEMFD, GMEM_IPA, size, map, fd, 0);
	EXPECT_EQ(-EINVAL, __km_enable_cap(vm.fd, KVM_CAP_ARM_MTE, 0));
	ASSERT_EQ(0, __km_delete_memslot(&vm, GMEM_SLOT));
	EXPECT_EQ(0, __km_enable_cap(vm.fd, KVM_CAP_ARM_MTE, 0));
	munmap(map, size);
	close(fd);
	km_vm_destroy(&vm);
}

KM_RULE_DOC(gmem_bind, "GMEM-BIND-*",
	    "kvm_main.c:kvm_set_memory_region, check_memory_region_flags; "
	    "guest_memfd.c:kvm_gmem_prepare_memory_region, kvm_gmem_commit_memory_region; "
	    "mmu.c:kvm_arch_prepare_memory_region",
	    "KVM_CAP_GUEST_MEMFD; MTE rows: KVM_CAP_ARM_MTE (profile max-mte)", "yes")
