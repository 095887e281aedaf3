// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd file uAPI (SPEC section 2.1, 2.4): creation flags and sizes,
 * the file operations a guest_memfd has and lacks, and fallocate.  No guest
 * runs here; every case still goes through the real KVM_CREATE_GUEST_MEMFD.
 * Sources: virt/kvm/guest_memfd.c (kvm_gmem_create, kvm_gmem_fallocate,
 * kvm_gmem_setattr, __kvm_gmem_create), fs/open.c:vfs_fallocate,
 * fs/read_write.c, fs/file_table.c:file_init_path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gmem_common.h"

#define GMEM_MAGIC	0x474d454d	/* GUEST_MEMFD_MAGIC, include/uapi/linux/magic.h */

/*
 * kvm_gmem_create(): flags & ~kvm_gmem_get_supported_flags() is -EINVAL,
 * whatever else is set.  CAP-GMEMFLAGS-01 tries each bit alone; this tries
 * every advertised combination with and without each unadvertised bit.
 */
TEST_RULE(flag_combinations, "GMEM-UAPI-01",
	  "every combination of the KVM_CAP_GUEST_MEMFD_FLAGS bits creates a guest_memfd; "
	  "adding any unadvertised bit to it fails EINVAL")
{
	u64 mask, sub, bit;
	struct km_vm vm;
	int r;

	REQUIRE_GMEM();
	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	mask = (u64)km_check_cap(vm.fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	TH_LOG("KVM_CAP_GUEST_MEMFD_FLAGS=0x%llx", mask);
	/* Walk all subsets of mask (sub = (sub - mask) & mask enumerates them). */
	sub = 0;
	do {
		r = __km_gmem_create(vm.fd, km_facts.env.page_size, sub);
		EXPECT_LE(0, r) TH_LOG("advertised flags 0x%llx refused: %d", sub, r);
		if (r >= 0)
			close(r);
		for (bit = 1; bit; bit <<= 1) {
			if (mask & bit)
				continue;
			r = __km_gmem_create(vm.fd, km_facts.env.page_size, sub | bit);
			EXPECT_EQ(-EINVAL, r) TH_LOG("flags 0x%llx (unadvertised 0x%llx) gave %d",
						     sub | bit, bit, r);
			if (r >= 0)
				close(r);
		}
		sub = (sub - mask) & mask;
	} while (sub);
	km_vm_destroy(&vm);
}

/* Sizes are computed from the page size at run time. */
enum gsize {
	GS_ZERO, GS_ONE, GS_PAGE_MINUS_1, GS_PAGE_PLUS_1, GS_NEG_MIN, GS_NEG_PAGE,
	GS_PAGE, GS_1TIB, GS_MAX_ALIGNED,
};

static u64 gsize_bytes(enum gsize s)
{
	u64 pg = km_facts.env.page_size;

	switch (s) {
	case GS_ZERO: return 0;
	case GS_ONE: return 1;
	case GS_PAGE_MINUS_1: return pg - 1;
	case GS_PAGE_PLUS_1: return pg + 1;
	case GS_NEG_MIN: return 1ULL << 63;		/* loff_t INT64_MIN */
	case GS_NEG_PAGE: return -pg;			/* page aligned, negative */
	case GS_PAGE: return pg;
	case GS_1TIB: return 1ULL << 40;
	case GS_MAX_ALIGNED: return (u64)LLONG_MAX & ~(pg - 1);
	}
	return 0;
}

FIXTURE(gmem_size) {
	struct km_vm vm;
	int fd;
};

FIXTURE_VARIANT(gmem_size) {
	KM_VARIANT_RULE;
	enum gsize size;
	bool ok;
};

#define SIZE_BAD(name, sz, what)						\
	FIXTURE_VARIANT_ADD(gmem_size, name) {					\
		.rule = "GMEM-UAPI-02",						\
		.summary = "KVM_CREATE_GUEST_MEMFD with size " what " fails EINVAL", \
		.size = sz, .ok = false,					\
	}
#define SIZE_OK(name, sz, what)							\
	FIXTURE_VARIANT_ADD(gmem_size, name) {					\
		.rule = "GMEM-UAPI-03",						\
		.summary = "KVM_CREATE_GUEST_MEMFD with size " what " succeeds (no upper "	\
			   "bound, nothing allocated) and fstat reports that size", \
		.size = sz, .ok = true,						\
	}
SIZE_BAD(zero, GS_ZERO, "0");
SIZE_BAD(one_byte, GS_ONE, "1");
SIZE_BAD(page_minus_1, GS_PAGE_MINUS_1, "PAGE_SIZE-1");
SIZE_BAD(page_plus_1, GS_PAGE_PLUS_1, "PAGE_SIZE+1");
SIZE_BAD(negative_min, GS_NEG_MIN, "2^63 (negative as loff_t)");
SIZE_BAD(negative_page, GS_NEG_PAGE, "-PAGE_SIZE (page aligned but negative as loff_t)");
SIZE_OK(one_page, GS_PAGE, "PAGE_SIZE");
SIZE_OK(one_tib, GS_1TIB, "1 TiB");
SIZE_OK(max_aligned, GS_MAX_ALIGNED, "LLONG_MAX rounded down to a page");

FIXTURE_SETUP(gmem_size)
{
	self->fd = -1;
	REQUIRE_GMEM();
	km_vm_create(&self->vm, KM_DEFAULT_IPA_BITS);
}

FIXTURE_TEARDOWN(gmem_size)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->vm.fd > 0)
		km_vm_destroy(&self->vm);
}

/* kvm_gmem_create: `size <= 0 || !PAGE_ALIGNED(size)` with loff_t size. */
TEST_F(gmem_size, create)
{
	u64 size = gsize_bytes(variant->size);
	struct stat st;

	self->fd = __km_gmem_create(self->vm.fd, size, 0);
	if (!variant->ok) {
		EXPECT_EQ(-EINVAL, self->fd) TH_LOG("size 0x%llx", size);
		return;
	}
	ASSERT_LE(0, self->fd) TH_LOG("size 0x%llx refused: %d", size, self->fd);
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(size, (u64)st.st_size);
}

/*
 * kvm_gmem_fops has no read/write/llseek.  file_init_path() (fs/file_table.c)
 * then leaves FMODE_CAN_READ/CAN_WRITE clear, so read/write fail EINVAL in
 * vfs_read/vfs_write; and alloc_file_pseudo() never sets FMODE_PREAD/PWRITE,
 * nor FMODE_LSEEK, so pread/pwrite/lseek fail ESPIPE before reaching them.
 */
enum rw_op { RW_READ, RW_WRITE, RW_READV, RW_WRITEV, RW_PREAD, RW_PWRITE, RW_LSEEK };

FIXTURE(gmem_rw) {
	struct km_vm vm;
	int fd;
};

FIXTURE_VARIANT(gmem_rw) {
	KM_VARIANT_RULE;
	enum rw_op op;
	int want;
};

#define RW_EINVAL(name, o)							\
	FIXTURE_VARIANT_ADD(gmem_rw, name) {					\
		.rule = "GMEM-UAPI-04",						\
		.summary = #name "() on a guest_memfd fails EINVAL (no read/write file ops)", \
		.op = o, .want = EINVAL,					\
	}
#define RW_ESPIPE(name, o)							\
	FIXTURE_VARIANT_ADD(gmem_rw, name) {					\
		.rule = "GMEM-UAPI-05",						\
		.summary = #name "() on a guest_memfd fails ESPIPE (the file is not "	\
			   "positionable: no FMODE_PREAD/PWRITE/LSEEK)",	\
		.op = o, .want = ESPIPE,					\
	}
RW_EINVAL(read, RW_READ);
RW_EINVAL(write, RW_WRITE);
RW_EINVAL(readv, RW_READV);
RW_EINVAL(writev, RW_WRITEV);
RW_ESPIPE(pread, RW_PREAD);
RW_ESPIPE(pwrite, RW_PWRITE);
RW_ESPIPE(lseek, RW_LSEEK);

FIXTURE_SETUP(gmem_rw)
{
	self->fd = -1;
	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	self->fd = gmem_vm_create(&self->vm, 4 * km_facts.env.page_size, GMEM_SHARED);
}

FIXTURE_TEARDOWN(gmem_rw)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->vm.fd > 0)
		km_vm_destroy(&self->vm);
}

TEST_F(gmem_rw, fails)
{
	char buf[64] = { 1 };
	struct iovec iov = { buf, sizeof(buf) };
	long r = 0;

	errno = 0;
	switch (variant->op) {
	case RW_READ: r = read(self->fd, buf, sizeof(buf)); break;
	case RW_WRITE: r = write(self->fd, buf, sizeof(buf)); break;
	case RW_READV: r = readv(self->fd, &iov, 1); break;
	case RW_WRITEV: r = writev(self->fd, &iov, 1); break;
	case RW_PREAD: r = pread(self->fd, buf, sizeof(buf), 0); break;
	case RW_PWRITE: r = pwrite(self->fd, buf, sizeof(buf), 0); break;
	case RW_LSEEK: r = lseek(self->fd, km_facts.env.page_size, SEEK_SET); break;
	}
	EXPECT_EQ(-1, r);
	EXPECT_EQ(variant->want, errno) TH_LOG("errno %d (%s)", errno, strerror(errno));
}

/* kvm_gmem_iops.setattr = kvm_gmem_setattr, which refuses every change. */
TEST_RULE(ftruncate_refused, "GMEM-UAPI-06",
	  "ftruncate() of a guest_memfd to a smaller, larger or the same size fails "
	  "EINVAL and leaves st_size unchanged")
{
	const u64 size = 4 * km_facts.env.page_size;
	const u64 to[] = { 0, size / 2, size, 2 * size };
	struct km_vm vm;
	struct stat st;
	unsigned int i;
	int fd, r;

	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	fd = gmem_vm_create(&vm, size, GMEM_SHARED);
	for (i = 0; i < KM_ARRAY_SIZE(to); i++) {
		errno = 0;
		r = ftruncate(fd, to[i]);
		EXPECT_EQ(-1, r) TH_LOG("ftruncate to 0x%llx succeeded", to[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("ftruncate to 0x%llx: %s", to[i],
						strerror(errno));
	}
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(size, (u64)st.st_size);
	close(fd);
	km_vm_destroy(&vm);
}

/*
 * __kvm_gmem_create(): an anon inode on the guest_memfd pseudo-fs with
 * S_IFREG, i_size = size, O_RDWR, installed without O_CLOEXEC; the pseudo-fs
 * block size is PAGE_SIZE (init_pseudo) and simple_statfs reports its magic.
 */
TEST_RULE(fstat_identity, "GMEM-UAPI-07",
	  "a guest_memfd is a regular O_RDWR file without FD_CLOEXEC: st_size = size, "
	  "st_blksize = PAGE_SIZE, statfs f_type = GUEST_MEMFD_MAGIC")
{
	const u64 size = 8 * km_facts.env.page_size;
	struct statfs sfs;
	struct km_vm vm;
	struct stat st;
	int fd;

	REQUIRE_GMEM();
	fd = gmem_vm_create(&vm, size, 0);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(size, (u64)st.st_size);
	EXPECT_EQ(km_facts.env.page_size, st.st_blksize);
	EXPECT_TRUE(S_ISREG(st.st_mode)) TH_LOG("st_mode 0%o", st.st_mode);
	ASSERT_EQ(0, fstatfs(fd, &sfs));
	EXPECT_EQ(GMEM_MAGIC, (u64)sfs.f_type);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	km_vm_destroy(&vm);
}

/*
 * fallocate on a 4-page guest_memfd.  Order of the checks: vfs_fallocate
 * (offset < 0 or len <= 0: EINVAL; unknown or PUNCH_HOLE without KEEP_SIZE:
 * EOPNOTSUPP), then kvm_gmem_fallocate (no KEEP_SIZE: EOPNOTSUPP; any mode
 * but PUNCH_HOLE: EOPNOTSUPP; unaligned: EINVAL), then kvm_gmem_allocate
 * (past i_size: EINVAL) or kvm_gmem_punch_hole (never fails).
 */
#define FALLOC_PAGES	4

FIXTURE(gmem_falloc) {
	struct km_vm vm;
	int fd;
};

FIXTURE_VARIANT(gmem_falloc) {
	KM_VARIANT_RULE;
	int mode;
	long long off_pages, off_bytes;
	long long len_pages, len_bytes;
	int want;		/* errno, 0 for success */
};

#define KEEP	FALLOC_FL_KEEP_SIZE
#define PUNCH	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)

#define FALLOC_MODE(name, m)							\
	FIXTURE_VARIANT_ADD(gmem_falloc, name) {				\
		.rule = "GMEM-FALLOC-01",					\
		.summary = "fallocate mode " #m " on a guest_memfd fails EOPNOTSUPP: only "	\
			   "KEEP_SIZE and KEEP_SIZE|PUNCH_HOLE are supported",	\
		.mode = m, .len_pages = 1, .want = EOPNOTSUPP,			\
	}
FALLOC_MODE(allocate_no_keep, 0);
FALLOC_MODE(punch_no_keep, FALLOC_FL_PUNCH_HOLE);
FALLOC_MODE(zero_range, FALLOC_FL_ZERO_RANGE);
FALLOC_MODE(zero_range_keep, FALLOC_FL_ZERO_RANGE | KEEP);
FALLOC_MODE(collapse_range, FALLOC_FL_COLLAPSE_RANGE);
FALLOC_MODE(insert_range, FALLOC_FL_INSERT_RANGE);
FALLOC_MODE(unshare_range_keep, FALLOC_FL_UNSHARE_RANGE | KEEP);

FIXTURE_VARIANT_ADD(gmem_falloc, mode_before_alignment) {
	.rule = "GMEM-FALLOC-01",
	.summary = "an unsupported fallocate mode is refused EOPNOTSUPP before the range "
		   "alignment is looked at",
	.mode = 0, .off_bytes = 1, .len_pages = 1, .want = EOPNOTSUPP,
};

#define FALLOC_RANGE(name, m, op, ob, lp, lb, what)				\
	FIXTURE_VARIANT_ADD(gmem_falloc, name) {				\
		.rule = "GMEM-FALLOC-02",					\
		.summary = "fallocate " what " on a guest_memfd fails EINVAL",	\
		.mode = m, .off_pages = op, .off_bytes = ob,			\
		.len_pages = lp, .len_bytes = lb, .want = EINVAL,		\
	}
FALLOC_RANGE(unaligned_offset, KEEP, 0, 16, 1, 0, "KEEP_SIZE at an unaligned offset");
FALLOC_RANGE(unaligned_len, KEEP, 0, 0, 1, 1, "KEEP_SIZE of an unaligned length");
FALLOC_RANGE(punch_unaligned_offset, PUNCH, 1, 16, 1, 0, "PUNCH_HOLE at an unaligned offset");
FALLOC_RANGE(punch_unaligned_len, PUNCH, 1, 0, 0, 16, "PUNCH_HOLE of an unaligned length");
FALLOC_RANGE(zero_len, KEEP, 0, 0, 0, 0, "KEEP_SIZE of length 0");
FALLOC_RANGE(negative_offset, KEEP, -1, 0, 1, 0, "KEEP_SIZE at a negative offset");

#define FALLOC_PAST(name, op, lp, what)						\
	FIXTURE_VARIANT_ADD(gmem_falloc, name) {				\
		.rule = "GMEM-FALLOC-03",					\
		.summary = "fallocate KEEP_SIZE " what " fails EINVAL (the file cannot grow)", \
		.mode = KEEP, .off_pages = op, .len_pages = lp, .want = EINVAL,	\
	}
FALLOC_PAST(allocate_straddling_end, FALLOC_PAGES - 1, 2, "straddling i_size");
FALLOC_PAST(allocate_at_end, FALLOC_PAGES, 1, "starting at i_size");

#define FALLOC_OK(name, r, m, op, lp, what)					\
	FIXTURE_VARIANT_ADD(gmem_falloc, name) {				\
		.rule = r, .summary = what,					\
		.mode = m, .off_pages = op, .len_pages = lp, .want = 0,		\
	}
FALLOC_OK(allocate_within, "GMEM-FALLOC-04", KEEP, 1, 2,
	  "fallocate KEEP_SIZE inside i_size succeeds and leaves st_size unchanged");
FALLOC_OK(allocate_all, "GMEM-FALLOC-04", KEEP, 0, FALLOC_PAGES,
	  "fallocate KEEP_SIZE of the whole file succeeds and leaves st_size unchanged");
FALLOC_OK(punch_within, "GMEM-FALLOC-05", PUNCH, 1, 1,
	  "PUNCH_HOLE inside i_size succeeds and leaves st_size unchanged");
FALLOC_OK(punch_at_end, "GMEM-FALLOC-05", PUNCH, FALLOC_PAGES, 1,
	  "PUNCH_HOLE starting at i_size succeeds (a no-op)");
FALLOC_OK(punch_straddling_end, "GMEM-FALLOC-05", PUNCH, FALLOC_PAGES - 1, 4,
	  "PUNCH_HOLE straddling i_size succeeds");
FALLOC_OK(punch_far_beyond, "GMEM-FALLOC-05", PUNCH, 1024, 1,
	  "PUNCH_HOLE far beyond i_size succeeds (a no-op)");

FIXTURE_SETUP(gmem_falloc)
{
	self->fd = -1;
	REQUIRE_GMEM_FLAGS(GMEM_SHARED);
	self->fd = gmem_vm_create(&self->vm, FALLOC_PAGES * km_facts.env.page_size, GMEM_SHARED);
}

FIXTURE_TEARDOWN(gmem_falloc)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->vm.fd > 0)
		km_vm_destroy(&self->vm);
}

TEST_F(gmem_falloc, mode)
{
	long long pg = km_facts.env.page_size;
	long long off = variant->off_pages * pg + variant->off_bytes;
	long long len = variant->len_pages * pg + variant->len_bytes;
	struct stat st;
	int r;

	errno = 0;
	r = fallocate(self->fd, variant->mode, off, len);
	if (variant->want) {
		EXPECT_EQ(-1, r) TH_LOG("mode 0x%x off 0x%llx len 0x%llx succeeded",
					variant->mode, off, len);
		EXPECT_EQ(variant->want, errno) TH_LOG("errno %d (%s)", errno, strerror(errno));
	} else {
		EXPECT_EQ(0, r) TH_LOG("mode 0x%x off 0x%llx len 0x%llx: %s", variant->mode,
				       off, len, strerror(errno));
	}
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(FALLOC_PAGES * pg, st.st_size);
}

KM_RULE_DOC(gmem_uapi, "GMEM-UAPI-*",
	    "guest_memfd.c:kvm_gmem_create, kvm_gmem_fops; fs/file_table.c (no read/write)",
	    "KVM_CAP_GUEST_MEMFD", "yes")
KM_RULE_DOC(gmem_falloc, "GMEM-FALLOC-*",
	    "guest_memfd.c:kvm_gmem_fallocate, kvm_gmem_allocate, kvm_gmem_punch_hole; "
	    "fs/open.c:vfs_fallocate", "KVM_CAP_GUEST_MEMFD", "yes")
