/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracefs, where the stage-2 tracer registers its kprobes: finding the
 * mount and reading back why the kernel refused a definition.  Kept apart
 * from the tracer so that its probe, ownership and collection code only
 * builds paths under the root found here.
 */
#ifndef KM_TRACEFS_H
#define KM_TRACEFS_H

#include <stddef.h>

/* The mount points tried, in order (for messages naming them). */
#define KM_TRACEFS_NROOTS	2
extern const char *const km_tracefs_roots[KM_TRACEFS_NROOTS];

/* The first of them with kprobe_events, or NULL. */
const char *km_tracefs_root(void);

/*
 * The kernel's reason for a refused probe, the last error line of
 * error_log, as "; tracefs error_log: <line>" in buf; "" if none.
 */
void km_tracefs_error_log(const char *root, char *buf, size_t len);

#endif /* KM_TRACEFS_H */
