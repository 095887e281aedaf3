/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA for the tests that place memory on nodes: the memory-policy system
 * calls and the nodes that have memory.  Not libnuma: linked statically (as
 * the initramfs needs), every libnuma entry point pulls in its CPU-affinity
 * code and through it glibc's getaddrinfo, which the linker warns about on
 * every build, and the tests need only these few calls.
 */
#ifndef KM_NUMA_H
#define KM_NUMA_H

#include <linux/mempolicy.h>

/* The system calls (mbind(2), get_mempolicy(2), move_pages(2)): 0 or -1 and errno. */
long km_mbind(void *addr, unsigned long len, int mode, const unsigned long *nodemask,
	      unsigned long maxnode, unsigned int flags);
long km_get_mempolicy(int *mode, unsigned long *nodemask, unsigned long maxnode, void *addr,
		      unsigned long flags);
long km_move_pages(int pid, unsigned long count, void **pages, const int *nodes, int *status,
		   int flags);

/* Whether the kernel has memory policies (CONFIG_NUMA): -1 and errno if not. */
int km_numa_available(void);

/*
 * The nodes of a sysfs node list ("0-1,3") into nodes, at most max of
 * them: how many, or -1 if the list does not parse.
 */
int km_parse_node_list(const char *list, int *nodes, int max);

#endif /* KM_NUMA_H */
