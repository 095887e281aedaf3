// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"

bool km_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	size_t n = 0;
	ssize_t r = 0;

	if (fd < 0)
		return false;
	/* procfs and sysfs hand out a small file in one read; tracefs may not. */
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	err = errno;
	close(fd);
	buf[n] = 0;
	if (r < 0) {
		errno = err;
		return false;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return true;
}

long km_read_long(const char *path)
{
	char buf[32], *end;
	long v;

	if (!km_read_text(path, buf, sizeof(buf)))
		return -1;
	v = strtol(buf, &end, 10);
	return end == buf ? -1 : v;
}

char *km_slurp(const char *path, int flags)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), *tmp;
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), err;
	ssize_t n = 0;

	if (fd < 0 || !buf) {
		err = fd < 0 ? errno : ENOMEM;
		if (fd >= 0)
			close(fd);
		free(buf);
		errno = err;
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			tmp = realloc(buf, cap * 2);
			if (!tmp)
				break;
			buf = tmp;
			cap *= 2;
		}
	}
	err = errno;
	close(fd);
	if (n < 0 && err != EAGAIN) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

static int write_flags(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags), err;
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	err = n < 0 ? errno : (size_t)n == len ? 0 : EIO;
	close(fd);
	errno = err;
	return -err;
}

int km_write_text(const char *path, const char *s)
{
	return write_flags(path, s, O_TRUNC);
}

int km_append_text(const char *path, const char *s)
{
	return write_flags(path, s, O_APPEND);
}

int km_write_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", v);
	return km_write_text(path, buf);
}
