// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util.h"

void km_fatal(const char *file, int line, const char *fmt, ...)
{
	int err = errno;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# %s:%d: setup failed: %s (errno %d: %s)\n", file, line, msg, err,
	       strerror(err));
	km_case_abort();
}

void *km_mmap_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KM_CHECK(p != MAP_FAILED, "mmap anonymous %zu bytes", size);
	return p;
}

void *__km_mmap_anon_aligned(size_t size, size_t align)
{
	u8 *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	u8 *a;

	if (p == MAP_FAILED)
		return NULL;
	/* Keep [a, a + size): what the caller munmap()s, as for any mapping. */
	a = (u8 *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + align - a);
	return a;
}

void *km_mmap_fd(int fd, size_t size, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, size, prot, flags, fd, off);

	KM_CHECK(p != MAP_FAILED, "mmap fd %d size %zu", fd, size);
	return p;
}

double km_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
