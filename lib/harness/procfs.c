// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

/* Documentation/admin-guide/mm/pagemap.rst: bit 63 present, bits 0-54 the pfn. */
#define PM_PRESENT	KM_BIT(63)
#define PM_PFN_MASK	(KM_BIT(55) - 1)

int km_hva_to_pfn(const void *p, u64 *pfn)
{
	long psz = sysconf(_SC_PAGESIZE);
	u64 ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, &ent, sizeof(ent), (off_t)((uintptr_t)p / psz) * sizeof(ent));
	close(fd);
	if (n != sizeof(ent))
		return n < 0 ? -errno : -EIO;
	if (!(ent & PM_PRESENT))
		return -ENOENT;
	*pfn = ent & PM_PFN_MASK;
	/* Without CAP_SYS_ADMIN the kernel reports PFN 0. */
	return *pfn ? 0 : -EPERM;
}

/* "lo-hi perms offset dev inode path": the first line of a VMA's block. */
static bool vma_header(const char *line, unsigned long long *lo, unsigned long long *hi)
{
	return sscanf(line, "%llx-%llx ", lo, hi) == 2 && strchr(line, '-') < strchr(line, ' ');
}

int km_smaps_field(const void *addr, const char *key, char *val, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	unsigned long long lo, hi, a = (uintptr_t)addr;
	size_t klen = strlen(key);
	char line[512], *v;
	bool in = false;
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (vma_header(line, &lo, &hi)) {
			/* Past the VMA holding addr: its block had no such field. */
			if (in)
				break;
			in = a >= lo && a < hi;
			continue;
		}
		if (!in || strncmp(line, key, klen) || line[klen] != ':')
			continue;
		for (v = line + klen + 1; *v == ' ' || *v == '\t'; v++)
			;
		v[strcspn(v, "\n")] = 0;
		snprintf(val, len, "%s", v);
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

long km_meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t klen = strlen(key);
	char line[128];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

bool km_phys_is_system_ram(u64 phys)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];
	bool ram = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		int n = 0;

		/* Top-level entries only: no leading blanks. */
		if (line[0] == ' ' || sscanf(line, "%llx-%llx : %n", &s, &e, &n) != 2 || !n)
			continue;
		if (phys >= s && phys <= e && !strncmp(line + n, "System RAM", 10))
			ram = true;
	}
	fclose(f);
	return ram;
}
