/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's small text files (procfs, sysfs, tracefs): the suite reads
 * settings and facts from them and writes knobs into them from many places.
 * One way to do it here, so each caller only says which file and what to
 * make of it, and errors come back the same way everywhere (errno kept).
 */
#ifndef KM_SYSFS_H
#define KM_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The file into buf, NUL-terminated, trailing newlines and blanks dropped
 * (what one-line files end with); false, errno set, when it cannot be read.
 */
bool km_read_text(const char *path, char *buf, size_t len);
/* The number a file starts with (nr_hugepages...), or -1. */
long km_read_long(const char *path);
/*
 * The whole file, however long, into a malloc'ed string; NULL, errno set, on
 * failure.  With O_NONBLOCK (a tracefs trace_pipe) what the file holds now
 * is read, then EAGAIN ends the read.
 */
char *km_slurp(const char *path, int flags);

/*
 * Write s to the file in one write(), replacing (km_write_text) or appending
 * to (km_append_text, kprobe_events) what it holds: 0, or -errno (errno set
 * too) also when the kernel took only part of it.
 */
int km_write_text(const char *path, const char *s);
int km_append_text(const char *path, const char *s);
int km_write_long(const char *path, long v);

#endif /* KM_SYSFS_H */
