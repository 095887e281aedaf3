/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc says about memory: this process's page table through pagemap,
 * a VMA's fields through smaps, the counters of meminfo, the RAM ranges of
 * iomem.  Several oracles and memory sources ask the same questions; one
 * parser per file keeps their answers (and their errors) the same.
 */
#ifndef KM_PROCFS_H
#define KM_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/*
 * The physical frame behind a mapped address of this process from
 * /proc/self/pagemap: 0, -ENOENT when no page is present, -EPERM when the
 * kernel hides frame numbers (no CAP_SYS_ADMIN), or -errno.  Does not fault
 * the page in.
 */
int km_hva_to_pfn(const void *p, u64 *pfn);

/*
 * The value of field key ("AnonHugePages", "VmFlags") of the VMA holding
 * addr in /proc/self/smaps, the blanks after "key:" skipped and the newline
 * dropped: 0, -ENOENT when there is no such VMA or field, or -errno.
 */
int km_smaps_field(const void *addr, const char *key, char *val, size_t len);

/* A /proc/meminfo field in its unit (kB or pages), or -1. */
long km_meminfo(const char *key);

/* Whether [phys, phys + 1) lies in a "System RAM" range of /proc/iomem. */
bool km_phys_is_system_ram(u64 phys);

#endif /* KM_PROCFS_H */
