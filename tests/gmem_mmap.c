// SPDX-License-Identifier: GPL-2.0
/*
 * Host mappings of a guest_memfd (SPEC 2.4): who may mmap it, how, and what
 * a host access does.  Sources: virt/kvm/guest_memfd.c (kvm_gmem_mmap,
 * kvm_gmem_fault_user_mapping, kvm_gmem_init_mount: MNT_NOEXEC),
 * mm/mmap.c:do_mmap (path_noexec), mm/mprotect.c (VM_MAYEXEC).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem_common.h"

#define MMAP_PAGES	4

FIXTURE(gmem_mmap) {
	struct km_vm vm;
	int fd;
	void *p;
	size_t len;
};

FIXTURE_VARIANT(gmem_mmap) {
	KM_VARIANT_RULE;
	u64 gflags;
	int prot;
	int mflags;
	int want;		/* errno, 0 for success */
};

FIXTURE_VARIANT_ADD(gmem_mmap, no_mmap_flag) {
	.rule = "GMEM-MMAP-01",
	.summary = "mmap of a guest_memfd created without GUEST_MEMFD_FLAG_MMAP fails ENODEV",
	.gflags = 0, .prot = PROT_READ | PROT_WRITE, .mflags = MAP_SHARED, .want = ENODEV,
};
FIXTURE_VARIANT_ADD(gmem_mmap, init_shared_only) {
	.rule = "GMEM-MMAP-01",
	.summary = "mmap of a guest_memfd created with INIT_SHARED but without MMAP fails ENODEV",
	.gflags = GUEST_MEMFD_FLAG_INIT_SHARED, .prot = PROT_READ | PROT_WRITE,
	.mflags = MAP_SHARED, .want = ENODEV,
};
FIXTURE_VARIANT_ADD(gmem_mmap, private) {
	.rule = "GMEM-MMAP-02",
	.summary = "a MAP_PRIVATE mapping of a guest_memfd fails EINVAL",
	.gflags = GMEM_SHARED, .prot = PROT_READ | PROT_WRITE, .mflags = MAP_PRIVATE,
	.want = EINVAL,
};
FIXTURE_VARIANT_ADD(gmem_mmap, private_ro) {
	.rule = "GMEM-MMAP-02",
	.summary = "a read-only MAP_PRIVATE mapping of a guest_memfd fails EINVAL",
	.gflags = GMEM_SHARED, .prot = PROT_READ, .mflags = MAP_PRIVATE, .want = EINVAL,
};
FIXTURE_VARIANT_ADD(gmem_mmap, exec) {
	.rule = "GMEM-MMAP-03",
	.summary = "a PROT_READ|PROT_EXEC mapping of a guest_memfd fails EPERM "
		   "(its pseudo-fs is mounted noexec)",
	.gflags = GMEM_SHARED, .prot = PROT_READ | PROT_EXEC, .mflags = MAP_SHARED,
	.want = EPERM,
};
FIXTURE_VARIANT_ADD(gmem_mmap, rwx) {
	.rule = "GMEM-MMAP-03",
	.summary = "a PROT_READ|PROT_WRITE|PROT_EXEC mapping of a guest_memfd fails EPERM",
	.gflags = GMEM_SHARED, .prot = PROT_READ | PROT_WRITE | PROT_EXEC,
	.mflags = MAP_SHARED, .want = EPERM,
};
FIXTURE_VARIANT_ADD(gmem_mmap, shared) {
	.rule = "GMEM-MMAP-04",
	.summary = "a MAP_SHARED read/write mapping of an MMAP|INIT_SHARED guest_memfd succeeds",
	.gflags = GMEM_SHARED, .prot = PROT_READ | PROT_WRITE, .mflags = MAP_SHARED,
	.want = 0,
};
FIXTURE_VARIANT_ADD(gmem_mmap, shared_private_mem) {
	.rule = "GMEM-MMAP-04",
	.summary = "a MAP_SHARED mapping of an MMAP guest_memfd without INIT_SHARED succeeds",
	.gflags = GUEST_MEMFD_FLAG_MMAP, .prot = PROT_READ | PROT_WRITE, .mflags = MAP_SHARED,
	.want = 0,
};

FIXTURE_SETUP(gmem_mmap)
{
	self->fd = -1;
	self->p = MAP_FAILED;
	REQUIRE_GMEM_FLAGS(variant->gflags | GUEST_MEMFD_FLAG_MMAP);
	km_vm_create(&self->vm, KM_DEFAULT_IPA_BITS);
	self->len = MMAP_PAGES * km_facts.env.page_size;
	self->fd = km_gmem_create(&self->vm, self->len, variant->gflags);
}

FIXTURE_TEARDOWN(gmem_mmap)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, self->len);
	if (self->fd >= 0)
		close(self->fd);
	if (self->vm.fd > 0)
		km_vm_destroy(&self->vm);
}

TEST_F(gmem_mmap, map)
{
	errno = 0;
	self->p = mmap(NULL, self->len, variant->prot, variant->mflags, self->fd, 0);
	if (variant->want) {
		EXPECT_EQ(MAP_FAILED, self->p);
		EXPECT_EQ(variant->want, errno) TH_LOG("errno %d (%s)", errno, strerror(errno));
	} else {
		EXPECT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
	}
}

/* do_mmap clears VM_MAYEXEC for a noexec path, so mprotect cannot add it. */
TEST_RULE(mprotect_exec, "GMEM-MMAP-05",
	  "mprotect() adding PROT_EXEC to a guest_memfd mapping fails EACCES")
{
	size_t len = MMAP_PAGES * km_facts.env.page_size;
	struct km_vm vm;
	void *p;
	int fd, r;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	fd = gmem_vm_create(&vm, len, GMEM_SHARED);
	p = km_mmap_fd(fd, len, PROT_READ, MAP_SHARED, 0);
	errno = 0;
	r = mprotect(p, len, PROT_READ | PROT_EXEC);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EACCES, errno) TH_LOG("errno %d (%s)", errno, strerror(errno));
	/* Still allowed: the write permission the file was opened with. */
	EXPECT_EQ(0, mprotect(p, len, PROT_READ | PROT_WRITE)) TH_LOG("%s", strerror(errno));
	munmap(p, len);
	close(fd);
	km_vm_destroy(&vm);
}

/*
 * kvm_gmem_fault_user_mapping(): INIT_SHARED memory is faulted in zeroed
 * (folio not uptodate -> clear_highpage) and is the page cache of the file,
 * so a second mapping sees the same data.
 */
TEST_RULE(shared_round_trip, "GMEM-MMAP-06",
	  "host access to an MMAP|INIT_SHARED guest_memfd works: fresh pages read 0, stores "
	  "are seen through a second mapping of the same file")
{
	size_t len = MMAP_PAGES * km_facts.env.page_size;
	long pg = km_facts.env.page_size;
	struct km_vm vm;
	u8 *p, *q;
	u64 v;
	int fd, i, sig;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	fd = gmem_vm_create(&vm, len, GMEM_SHARED);
	p = km_mmap_fd(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	q = km_mmap_fd(fd, len, PROT_READ, MAP_SHARED, 0);
	for (i = 0; i < MMAP_PAGES; i++) {
		sig = km_host_load(p + i * pg + 8, &v, NULL);
		ASSERT_EQ(0, sig) TH_LOG("signal %d reading page %d", sig, i);
		EXPECT_EQ(0, v) TH_LOG("fresh page %d", i);
		sig = km_host_store(p + i * pg + 8, gmem_pattern(i), NULL);
		ASSERT_EQ(0, sig) TH_LOG("signal %d writing page %d", sig, i);
	}
	for (i = 0; i < MMAP_PAGES; i++) {
		sig = km_host_load(q + i * pg + 8, &v, NULL);
		ASSERT_EQ(0, sig);
		EXPECT_EQ(gmem_pattern(i), v) TH_LOG("page %d through the second mapping", i);
	}
	munmap(q, len);
	munmap(p, len);
	close(fd);
	km_vm_destroy(&vm);
}

/* kvm_gmem_fault_user_mapping(): !kvm_gmem_is_shared_mem() -> VM_FAULT_SIGBUS. */
TEST_RULE(private_sigbus, "GMEM-MMAP-07",
	  "host loads and stores to an MMAP guest_memfd without INIT_SHARED (private "
	  "memory) raise SIGBUS")
{
	size_t len = MMAP_PAGES * km_facts.env.page_size;
	struct km_vm vm;
	int fd, sig, code;
	u8 *p;
	u64 v;

	REQUIRE_GMEM_FLAGS(GUEST_MEMFD_FLAG_MMAP);
	fd = gmem_vm_create(&vm, len, GUEST_MEMFD_FLAG_MMAP);
	p = km_mmap_fd(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	sig = km_host_load(p, &v, &code);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("load: signal %d code %d", sig, code);
	sig = km_host_store(p + km_facts.env.page_size, 1, &code);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("store: signal %d code %d", sig, code);
	munmap(p, len);
	close(fd);
	km_vm_destroy(&vm);
}

/* kvm_gmem_fault_user_mapping(): pgoff at or past i_size -> VM_FAULT_SIGBUS. */
TEST_RULE(beyond_size, "GMEM-MMAP-08",
	  "a mapping longer than the guest_memfd is allowed; host access inside i_size "
	  "works and at or past i_size raises SIGBUS")
{
	size_t len = MMAP_PAGES * km_facts.env.page_size;
	struct km_vm vm;
	int fd, sig, code;
	u8 *p;
	u64 v;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	fd = gmem_vm_create(&vm, len, GMEM_SHARED);
	p = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap twice the file size: %s", strerror(errno));
	sig = km_host_store(p + len - 8, 0x1234, &code);
	EXPECT_EQ(0, sig) TH_LOG("last word inside i_size: signal %d code %d", sig, code);
	sig = km_host_load(p + len, &v, &code);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("first byte past i_size: signal %d code %d", sig, code);
	sig = km_host_store(p + 2 * len - 8, 1, &code);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("end of the mapping: signal %d code %d", sig, code);
	munmap(p, 2 * len);
	close(fd);
	km_vm_destroy(&vm);
}

KM_RULE_DOC(gmem_mmap, "GMEM-MMAP-*",
	    "guest_memfd.c:kvm_gmem_mmap, kvm_gmem_fault_user_mapping; mm/mmap.c:do_mmap",
	    "KVM_CAP_GUEST_MEMFD_FLAGS with MMAP (and INIT_SHARED for host access)", "yes")
