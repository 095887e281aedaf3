/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel release numbers: "6.12.117" as {6, 12, 117}.  Pure. */
#ifndef KM_KVERSION_H
#define KM_KVERSION_H

#include <stdbool.h>

/* "7.3.4" -> {7, 3, 4}; missing parts are 0.  False when not a version. */
bool km_kver_parse(const char *s, unsigned int v[3]);
/* <0, 0, >0 as a is older than, the same as, newer than b. */
int km_kver_cmp(const unsigned int a[3], const unsigned int b[3]);

#endif /* KM_KVERSION_H */
