/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the library modules. */
#ifndef KM_UTIL_H
#define KM_UTIL_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;	/* as the kernel's, so %llx fits */

#define KM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KM_BIT(n) (1ULL << (n))
/* Extract the unsigned field [hi:lo] of a register value. */
#define KM_FIELD(v, hi, lo) (((v) >> (lo)) & ((1ULL << ((hi) - (lo) + 1)) - 1))

/*
 * A setup step that cannot fail in a working environment failed: report
 * where and why, and fail the test case as a failed ASSERT would, its
 * teardown included (km_case_abort()).
 */
void km_fatal(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
#define KM_FATAL(...) km_fatal(__FILE__, __LINE__, __VA_ARGS__)
#define KM_CHECK(cond, ...) do { if (!(cond)) KM_FATAL(__VA_ARGS__); } while (0)

/* mmap helpers that die on failure. */
void *km_mmap_anon(size_t size);
/* Anonymous private memory at an align-aligned address; NULL (errno) on failure. */
void *__km_mmap_anon_aligned(size_t size, size_t align);
void *km_mmap_fd(int fd, size_t size, int prot, int flags, off_t off);

/* Monotonic time in seconds. */
double km_now(void);

#endif /* KM_UTIL_H */
