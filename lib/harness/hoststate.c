// SPDX-License-Identifier: GPL-2.0
/* The record of host settings changed by a case (hoststate.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hoststate.h"
#include "sysfs.h"
#include "util.h"

enum {
	KM_HOST_FREE,		/* never used, or being filled in */
	KM_HOST_PENDING,	/* to be undone */
	KM_HOST_DONE,		/* undone, or dropped */
};

struct km_host_entry {
	int state;
	char path[KM_HOST_PATH_MAX];
	char value[KM_HOST_VALUE_MAX];
};

/*
 * Entries are only ever appended, by the case and the processes it forks
 * (hence the atomic slot count), and read by the parent once they are all
 * gone.
 */
struct km_host_record {
	unsigned int nr;	/* slots handed out; may pass KM_HOST_MAX */
	struct km_host_entry e[KM_HOST_MAX];
};

static struct km_host_record km_host_local;
static struct km_host_record *km_rec = &km_host_local;

static unsigned int km_host_used(void)
{
	unsigned int nr = __atomic_load_n(&km_rec->nr, __ATOMIC_ACQUIRE);

	return nr < KM_HOST_MAX ? nr : KM_HOST_MAX;
}

static int km_host_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	err = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/*
 * What to write back to restore path: its contents, or for a sysfs choice
 * file ("always [madvise] never") the word in brackets.
 */
static int km_host_read(const char *path, char *buf, size_t len)
{
	char raw[256], *open_b, *close_b;

	if (!km_read_text(path, raw, sizeof(raw)))
		return -errno;
	open_b = strchr(raw, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (close_b) {
		*close_b = '\0';
		memmove(raw, open_b + 1, close_b - open_b);
	}
	if (strlen(raw) >= len)
		return -EOVERFLOW;
	strcpy(buf, raw);
	return 0;
}

int km_host_push_undo(const char *path, const char *value)
{
	struct km_host_entry *e;
	unsigned int i;

	if (strlen(path) >= KM_HOST_PATH_MAX || strlen(value) >= KM_HOST_VALUE_MAX)
		return -ENAMETOOLONG;
	i = __atomic_fetch_add(&km_rec->nr, 1, __ATOMIC_ACQ_REL);
	if (i >= KM_HOST_MAX)
		return -ENOSPC;
	e = &km_rec->e[i];
	strcpy(e->path, path);
	strcpy(e->value, value);
	/* Only a complete entry is ever undone. */
	__atomic_store_n(&e->state, KM_HOST_PENDING, __ATOMIC_RELEASE);
	return i;
}

int km_host_set(const char *path, const char *value)
{
	char old[KM_HOST_VALUE_MAX];
	int e, r;

	r = km_host_read(path, old, sizeof(old));
	if (r)
		return r;
	if (!strcmp(old, value))
		return 0;
	e = km_host_push_undo(path, old);
	if (e < 0)
		return e;
	r = km_host_write(path, value);
	if (r)
		km_host_drop(e);
	return r;
}

void km_host_drop(int e)
{
	if (e >= 0 && e < KM_HOST_MAX)
		__atomic_store_n(&km_rec->e[e].state, KM_HOST_DONE, __ATOMIC_RELEASE);
}

int km_host_mark(void)
{
	return km_host_used();
}

/*
 * Undo entry i if it is still pending: 0, or -errno.  A failed undo stays
 * pending, so the parent tries again and reports it.
 */
static int km_host_undo_one(unsigned int i)
{
	struct km_host_entry *e = &km_rec->e[i];
	int r;

	if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) != KM_HOST_PENDING)
		return 0;
	r = km_host_write(e->path, e->value);
	if (!r)
		__atomic_store_n(&e->state, KM_HOST_DONE, __ATOMIC_RELEASE);
	return r;
}

int km_host_undo(int from, int to)
{
	int i, r, err = 0;

	if (from < 0)
		from = 0;
	if (to > (int)km_host_used())
		to = km_host_used();
	for (i = to - 1; i >= from; i--) {
		r = km_host_undo_one(i);
		if (r && !err)
			err = r;
	}
	return err;
}

int km_host_record_init(void)
{
	struct km_host_record *rec;

	rec = mmap(NULL, sizeof(*rec), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (rec == MAP_FAILED)
		return -errno;
	km_rec = rec;
	return 0;
}

void km_host_record_reset(void)
{
	memset(km_rec, 0, sizeof(*km_rec));
}

/* value for a log line: a newline (driver_override's "none") shows as \n. */
static const char *km_host_show(const char *value, char *buf, size_t len)
{
	size_t o = 0;

	for (; *value && o + 3 < len; value++) {
		if (*value == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *value;
		}
	}
	buf[o] = '\0';
	return buf;
}

int km_host_restore(char *log, size_t len)
{
	char shown[2 * KM_HOST_VALUE_MAX];
	struct km_host_entry *e;
	int i, r, failed = 0;
	size_t o;

	log[0] = '\0';
	for (i = km_host_used() - 1; i >= 0; i--) {
		e = &km_rec->e[i];
		if (e->state != KM_HOST_PENDING)
			continue;
		r = km_host_undo_one(i);
		failed += !!r;
		o = strlen(log);
		snprintf(log + o, len - o, "# host state: %s %s to \"%s\"%s%s\n",
			 r ? "cannot restore" : "restored", e->path,
			 km_host_show(e->value, shown, sizeof(shown)), r ? ": " : " (left by the case)",
			 r ? strerror(-r) : "");
	}
	return failed;
}
