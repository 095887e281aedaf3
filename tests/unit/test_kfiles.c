// SPDX-License-Identifier: GPL-2.0
/* The readers of kernel files (sysfs.c, procfs.c) and the NUMA node lists, on the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "numa.h"
#include "procfs.h"
#include "sysfs.h"

/* A temporary file holding s; its path in path. */
static void tmp_file(char *path, size_t len, const char *s)
{
	int fd;

	snprintf(path, len, "/tmp/km-unit-XXXXXX");
	fd = mkstemp(path);
	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			path[0] = 0;
		close(fd);
	}
}

TEST_RULE(sysfs_read, "UNIT-KFILE-01",
	  "small kernel files read back trimmed, as numbers, whole, and rewritten")
{
	char path[64], buf[16], *all;

	tmp_file(path, sizeof(path), "42 \n\n");
	ASSERT_NE(0, path[0]);
	ASSERT_TRUE(km_read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("42", buf);
	EXPECT_EQ(42, km_read_long(path));
	all = km_slurp(path, 0);
	ASSERT_NONNULL(all);
	EXPECT_STREQ("42 \n\n", all);
	free(all);
	EXPECT_EQ(0, km_write_long(path, -7));
	EXPECT_EQ(0, km_append_text(path, "x"));
	ASSERT_TRUE(km_read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("-7\nx", buf);
	/* A value longer than the buffer is cut, still terminated. */
	EXPECT_EQ(0, km_write_text(path, "0123456789abcdefghij"));
	ASSERT_TRUE(km_read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("0123456789abcde", buf);
	EXPECT_EQ(123456789, km_read_long(path));
	unlink(path);
	errno = 0;
	EXPECT_FALSE(km_read_text(path, buf, sizeof(buf)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, km_read_long(path));
	EXPECT_NULL(km_slurp(path, 0));
	EXPECT_EQ(-ENOENT, km_write_text("/nonexistent-km/x", "1"));
}

TEST_RULE(smaps_field, "UNIT-KFILE-02",
	  "smaps fields are those of the VMA holding the address, not its neighbours'")
{
	long psz = sysconf(_SC_PAGESIZE);
	char val[256];
	u8 *p = mmap(NULL, 3 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u64 pfn;
	int r;

	ASSERT_NE(MAP_FAILED, p);
	/* Three VMAs: the middle one read-only, so the flags differ. */
	ASSERT_EQ(0, mprotect(p + psz, psz, PROT_READ));
	ASSERT_EQ(0, km_smaps_field(p + psz, "Size", val, sizeof(val)));
	EXPECT_EQ(psz / 1024, strtol(val, NULL, 10)) TH_LOG("Size: %s", val);
	ASSERT_EQ(0, km_smaps_field(p + psz, "VmFlags", val, sizeof(val)));
	EXPECT_NULL(strstr(val, "wr")) TH_LOG("VmFlags: %s", val);
	ASSERT_EQ(0, km_smaps_field(p, "VmFlags", val, sizeof(val)));
	EXPECT_NONNULL(strstr(val, "wr")) TH_LOG("VmFlags: %s", val);
	EXPECT_EQ(-ENOENT, km_smaps_field(p, "NoSuchField", val, sizeof(val)));
	munmap(p, 3 * psz);
	EXPECT_EQ(-ENOENT, km_smaps_field(p, "Size", val, sizeof(val)));

	/* pagemap: a page never touched is not present; a touched one is, frame hidden or not. */
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-ENOENT, km_hva_to_pfn(p, &pfn));
	p[0] = 1;
	r = km_hva_to_pfn(p, &pfn);
	EXPECT_TRUE(r == 0 || r == -EPERM) TH_LOG("km_hva_to_pfn: %d", r);
	munmap(p, psz);
	EXPECT_LT(0, km_meminfo("MemTotal"));
	EXPECT_EQ(-1, km_meminfo("NoSuchCounter"));
}

TEST_RULE(node_list, "UNIT-KFILE-03", "sysfs node lists parse into node numbers, capped")
{
	int n[4];

	EXPECT_EQ(1, km_parse_node_list("0", n, 4));
	EXPECT_EQ(0, n[0]);
	EXPECT_EQ(3, km_parse_node_list("0-1,3", n, 4));
	EXPECT_EQ(1, n[1]);
	EXPECT_EQ(3, n[2]);
	EXPECT_EQ(2, km_parse_node_list("2-9", n, 2));
	EXPECT_EQ(3, n[1]);
	EXPECT_EQ(0, km_parse_node_list("", n, 4));
	EXPECT_EQ(-1, km_parse_node_list("?", n, 4));
	EXPECT_EQ(-1, km_parse_node_list("3-1", n, 4));
}
