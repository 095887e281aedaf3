// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "numa.h"

long km_mbind(void *addr, unsigned long len, int mode, const unsigned long *nodemask,
	      unsigned long maxnode, unsigned int flags)
{
	return syscall(SYS_mbind, addr, len, mode, nodemask, maxnode, flags);
}

long km_get_mempolicy(int *mode, unsigned long *nodemask, unsigned long maxnode, void *addr,
		      unsigned long flags)
{
	return syscall(SYS_get_mempolicy, mode, nodemask, maxnode, addr, flags);
}

long km_move_pages(int pid, unsigned long count, void **pages, const int *nodes, int *status,
		   int flags)
{
	return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

int km_numa_available(void)
{
	/* As libnuma's numa_available(): ENOSYS without CONFIG_NUMA, EPERM in some sandboxes. */
	if (km_get_mempolicy(NULL, NULL, 0, NULL, 0) < 0 && (errno == ENOSYS || errno == EPERM))
		return -1;
	return 0;
}

int km_parse_node_list(const char *list, int *nodes, int max)
{
	const char *p = list;
	long lo, hi, i;
	char *end;
	int n = 0;

	while (*p) {
		lo = strtol(p, &end, 10);
		if (end == p || lo < 0)
			return -1;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return -1;
			p = end;
		}
		for (i = lo; i <= hi && n < max; i++)
			nodes[n++] = i;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return n;
}
