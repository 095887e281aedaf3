/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host settings a case changes (nr_hugepages, the THP mode, a PCI device's
 * driver binding or enable bit, ...), put back whatever way the case ends.
 *
 * Every change is an entry "write VALUE to PATH undoes it", recorded before
 * the change is made, in memory the harness parent maps shared before it
 * forks the case (km_host_record_init()).  The case undoes its own entries
 * when it is done with them (km_host_undo()); after reaping the case, the
 * parent writes back, newest first, whatever is still recorded
 * (km_host_restore()): after a failed check, a crash or the SIGKILL of a
 * timeout alike.  Without the shared record (a program that is not the
 * harness) entries are kept in the process and only km_host_undo() applies.
 *
 * Values are written as one write() of the whole string, as sysfs and
 * procfs want; a value read back has its trailing newline dropped.
 */
#ifndef KM_HOSTSTATE_H
#define KM_HOSTSTATE_H

#include <stddef.h>

#define KM_HOST_MAX		32	/* entries per case */
#define KM_HOST_PATH_MAX	160
#define KM_HOST_VALUE_MAX	96

/* ---- In the case ---- */

/*
 * Write value to path, recording its current value first; nothing is
 * written or recorded when the file holds value already.  0, or -errno
 * (nothing changed).
 */
int km_host_set(const char *path, const char *value);
/*
 * Record that writing value to path undoes a change the caller is about
 * to make some other way (e.g. unbind through a write-only file).  The
 * entry (>= 0) or -errno (-ENOSPC: the record is full; make no change).
 */
int km_host_push_undo(const char *path, const char *value);
/* The change of entry e was not made after all: forget it. */
void km_host_drop(int e);
/*
 * The next entry's number: the changes of a step are the entries between
 * the marks taken before and after it, for km_host_undo().
 */
int km_host_mark(void);
/*
 * Undo the entries [from, to) still recorded, newest first, and forget
 * them.  0, or the first -errno (every entry is tried; one that failed is
 * left for the parent, which reports it).
 */
int km_host_undo(int from, int to);

/* ---- In the harness parent ---- */

/* Map the shared record; 0 or -errno (then entries stay per process). */
int km_host_record_init(void);
/* Before each case: an empty record. */
void km_host_record_reset(void);
/*
 * After reaping the case: undo what it left recorded, newest first, each
 * described by a "# host state: ..." line in log.  The number of entries
 * that could not be undone (0: the host is as the case found it).
 */
int km_host_restore(char *log, size_t len);

#endif /* KM_HOSTSTATE_H */
