// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts.h"
#include "s2trace.h"

static const char *const km_tracefs_roots[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

/* Our probes: suffix, kprobe_events definition after "<type>:kprobes/<name> ". */
static const struct {
	const char *suffix;
	char type;
	const char *def;
	bool optional;
} km_probes[] = {
	{ "map", 'p', "kvm_pgtable_stage2_map ipa=%x1:x64 size=%x2:x64 phys=%x3:x64 prot=%x4:x64",
	  false },
	{ "mapret", 'r', "kvm_pgtable_stage2_map ret=$retval:s32", true },
	{ "relax", 'p', "kvm_pgtable_stage2_relax_perms ipa=%x1:x64 prot=%x2:x64", false },
};

static const char *const km_symbols[] = {
	"kvm_pgtable_stage2_map", "kvm_pgtable_stage2_relax_perms",
};

/* The filter of the shared probes while no tracer owns them: no process has pid < 0. */
#define KM_FILTER_NOBODY	"common_pid < 0"

/*
 * The run's shared probes (s2trace.h), in memory the harness parent maps
 * before it forks any case, so every case and its children see one copy.
 */
struct km_s2session {
	int owner;		/* pid of the tracer using the probes; 0: none */
	int state;		/* 0: not registered, 1: registered, -1: cannot be */
	int pid;		/* the parent: the tag of the probes and instance */
	int sym_state;		/* km_check_symbols(), once per run */
	unsigned int users;	/* tracers that used the probes */
	bool kretprobe;
	char sym_missing[64];
	char reason[320];	/* why state is -1 */
};
static struct km_s2session *km_sess;

static int km_write(const char *path, const char *s, bool append)
{
	int fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : (size_t)n == strlen(s) ? 0 : -EIO;
	close(fd);
	return err;
}

/*
 * The whole file into a malloc'ed string (NULL and errno on failure).  A
 * tracefs trace_pipe is opened non-blocking: what it holds now is read (and
 * consumed), then EAGAIN ends the read.
 */
static char *km_slurp_flags(const char *path, int flags)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), *tmp;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);

	if (fd < 0 || !buf) {
		int err = fd < 0 ? errno : ENOMEM;

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
	if (n < 0 && errno != EAGAIN) {
		int err = errno;

		close(fd);
		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = 0;
	close(fd);
	return buf;
}

static char *km_slurp(const char *path)
{
	return km_slurp_flags(path, 0);
}

static const char *km_find_root(void)
{
	char path[96];
	unsigned int i;

	for (i = 0; i < KM_ARRAY_SIZE(km_tracefs_roots); i++) {
		snprintf(path, sizeof(path), "%s/kprobe_events", km_tracefs_roots[i]);
		if (!access(path, F_OK))
			return km_tracefs_roots[i];
	}
	return NULL;
}

/* The last line of tracefs error_log: the kernel's reason for a refused probe. */
static void km_error_log(const char *root, char *buf, size_t len)
{
	char path[96], *log, *line, *last = NULL;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/error_log", root);
	log = km_slurp(path);
	if (!log)
		return;
	for (line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "error:") || strstr(line, "Error:"))
			last = line;
	if (last)
		snprintf(buf, len, "; tracefs error_log: %s", last);
	free(log);
}

/*
 * Does /proc/kallsyms name the functions we probe?  Read once per process
 * tree (the parent's answer is inherited by every forked case).
 */
static int km_sym_state;	/* 0 unknown, 1 present, -1 missing */
static char km_sym_missing[64];

static int km_check_symbols(void)
{
	bool found[KM_ARRAY_SIZE(km_symbols)] = { false };
	char line[512], name[256];
	unsigned int i, n = 0;
	FILE *f;

	if (!km_sym_state && km_sess && km_sess->sym_state) {
		km_sym_state = km_sess->sym_state;
		snprintf(km_sym_missing, sizeof(km_sym_missing), "%s", km_sess->sym_missing);
	}
	if (km_sym_state)
		return km_sym_state;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;	/* cannot tell: let the probe registration decide */
	while (n < KM_ARRAY_SIZE(km_symbols) && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %255s", name) != 1)
			continue;
		for (i = 0; i < KM_ARRAY_SIZE(km_symbols); i++) {
			if (!found[i] && !strcmp(name, km_symbols[i])) {
				found[i] = true;
				n++;
			}
		}
	}
	fclose(f);
	km_sym_state = 1;
	for (i = 0; i < KM_ARRAY_SIZE(km_symbols); i++) {
		if (!found[i]) {
			snprintf(km_sym_missing, sizeof(km_sym_missing), "%s", km_symbols[i]);
			km_sym_state = -1;
		}
	}
	/* Reading kallsyms takes 0.1-1 s under TCG: once per run, not per case. */
	if (km_sess) {
		snprintf(km_sess->sym_missing, sizeof(km_sess->sym_missing), "%s",
			 km_sym_missing);
		km_sess->sym_state = km_sym_state;
	}
	return km_sym_state;
}

/* Disable and remove the instance and probes of process pid. */
static void km_remove_pid(const char *root, int pid, char *log, size_t len)
{
	char path[192], cmd[96];
	unsigned int i;
	int r;

	snprintf(path, sizeof(path), "%s/instances/km_%d", root, pid);
	if (!access(path, F_OK)) {
		snprintf(path, sizeof(path), "%s/instances/km_%d/events/enable", root, pid);
		km_write(path, "0", false);
		snprintf(path, sizeof(path), "%s/instances/km_%d", root, pid);
		r = rmdir(path) ? -errno : 0;
		if (log)
			snprintf(log + strlen(log), len - strlen(log),
				 "# s2trace: removed instance km_%d%s%s\n", pid, r ? ": " : "",
				 r ? strerror(-r) : "");
	}
	for (i = 0; i < KM_ARRAY_SIZE(km_probes); i++) {
		/* Also disable it at the top level, in case someone enabled it there. */
		snprintf(path, sizeof(path), "%s/events/kprobes/km_%d_%s/enable", root, pid,
			 km_probes[i].suffix);
		if (access(path, F_OK))
			continue;
		km_write(path, "0", false);
		snprintf(path, sizeof(path), "%s/kprobe_events", root);
		snprintf(cmd, sizeof(cmd), "-:kprobes/km_%d_%s", pid, km_probes[i].suffix);
		r = km_write(path, cmd, true);
		if (log)
			snprintf(log + strlen(log), len - strlen(log), "# s2trace: removed kprobe "
				 "km_%d_%s%s%s\n", pid, km_probes[i].suffix, r ? ": " : "",
				 r ? strerror(-r) : "");
	}
}

/*
 * Point the instance's filters at process pid, or at no process (pid 0).
 * Only failed maps are worth a return record: a map record without one took
 * effect (km_s2_replay()), and every map record is kept, so a return record
 * still follows its own map.  That halves what the agent's boot, a few
 * hundred page maps, costs to record and read.
 */
static int km_set_filters(const struct km_s2trace *t, int pid)
{
	char path[192], filter[64];
	unsigned int i;
	int r;

	for (i = 0; i < KM_ARRAY_SIZE(km_probes); i++) {
		if (km_probes[i].type == 'r' && !t->kretprobe)
			continue;
		if (!pid)
			snprintf(filter, sizeof(filter), KM_FILTER_NOBODY);
		else
			snprintf(filter, sizeof(filter), "common_pid == %d%s", pid,
				 km_probes[i].type == 'r' ? " && ret != 0" : "");
		snprintf(path, sizeof(path), "%s/instances/km_%d/events/kprobes/km_%d_%s/filter",
			 t->root, t->tag, t->tag, km_probes[i].suffix);
		r = km_write(path, filter, false);
		if (r)
			return r;
	}
	return 0;
}

/*
 * Records the instance lost so far, all CPUs: overwritten ("overrun") or
 * dropped ("dropped events") per per_cpu/cpuN/stats.
 */
static unsigned long km_losses(const struct km_s2trace *t)
{
	char path[192], *buf, *p;
	unsigned long sum = 0, v;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/instances/km_%d/per_cpu", t->root, t->tag);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (strncmp(d->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), "%s/instances/km_%d/per_cpu/%.16s/stats", t->root,
			 t->tag, d->d_name);
		buf = km_slurp(path);
		for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (sscanf(p, "overrun: %lu", &v) == 1 ||
			    sscanf(p, "dropped events: %lu", &v) == 1)
				sum += v;
		free(buf);
	}
	if (dir)
		closedir(dir);
	return sum;
}

/*
 * Consume what the instance holds: the records of an earlier owner of the
 * shared probes.  A read of trace_pipe, not a truncation of trace: that
 * waits for an RCU grace period, ~45 ms a case under QEMU TCG.
 */
static int km_drain(const struct km_s2trace *t)
{
	char path[192], *buf;

	snprintf(path, sizeof(path), "%s/instances/km_%d/trace_pipe", t->root, t->tag);
	buf = km_slurp_flags(path, O_NONBLOCK);
	if (!buf)
		return -errno;
	free(buf);
	return 0;
}

/* Give the shared probes back; their filter first, so nothing more is recorded. */
static void km_session_release(struct km_s2trace *t)
{
	int me = t->pid;

	if (km_set_filters(t, 0))
		km_sess->state = 0;	/* gone or broken: the next owner registers anew */
	__atomic_compare_exchange_n(&km_sess->owner, &me, 0, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	t->session = false;
}

void km_s2trace_stop(struct km_s2trace *t)
{
	if (t->session)
		km_session_release(t);
	else if (t->root[0] && t->tag > 0)
		km_remove_pid(t->root, t->tag, NULL, 0);
	t->active = false;
	free(t->recs);
	t->recs = NULL;
	t->nrecs = t->cap = 0;
}

static int km_fail(struct km_s2trace *t, int err, const char *fmt, const char *what)
{
	char elog[200];

	km_error_log(t->root, elog, sizeof(elog));
	snprintf(t->reason, sizeof(t->reason), fmt, what);
	snprintf(t->reason + strlen(t->reason), sizeof(t->reason) - strlen(t->reason),
		 ": %s%s", strerror(-err), elog);
	if (t->session) {
		/* Half-made shared probes: remove them; the next owner starts over. */
		km_remove_pid(t->root, t->tag, NULL, 0);
		km_sess->state = 0;
		km_session_release(t);
	}
	km_s2trace_stop(t);
	return err;
}

/*
 * Register the probes km_<tag>_* and the instance km_<tag>, recording
 * process t->pid only, and enable them.
 */
static int km_register(struct km_s2trace *t)
{
	char path[192], def[256], base[128];
	unsigned int i;
	int r;

	/* A stale instance of a recycled pid would hold old records. */
	km_remove_pid(t->root, t->tag, NULL, 0);
	snprintf(base, sizeof(base), "%s/instances/km_%d", t->root, t->tag);
	if (mkdir(base, 0700))
		return km_fail(t, -errno, "mkdir %s", base);

	snprintf(path, sizeof(path), "%s/kprobe_events", t->root);
	for (i = 0; i < KM_ARRAY_SIZE(km_probes); i++) {
		snprintf(def, sizeof(def), "%c:kprobes/km_%d_%s %s", km_probes[i].type, t->tag,
			 km_probes[i].suffix, km_probes[i].def);
		r = km_write(path, def, true);
		if (r && km_probes[i].optional)
			continue;
		if (r)
			return km_fail(t, r, "kprobe_events: '%s' refused", def);
		if (km_probes[i].type == 'r')
			t->kretprobe = true;
	}
	/* Records of several CPUs are merged by time: use one clock for all. */
	snprintf(path, sizeof(path), "%s/trace_clock", base);
	km_write(path, "global", false);
	r = km_set_filters(t, t->pid);
	if (r)
		return km_fail(t, r, "cannot set the filters of %s", base);
	for (i = 0; i < KM_ARRAY_SIZE(km_probes); i++) {
		if (km_probes[i].type == 'r' && !t->kretprobe)
			continue;
		snprintf(path, sizeof(path), "%s/events/kprobes/km_%d_%s/enable", base, t->tag,
			 km_probes[i].suffix);
		r = km_write(path, "1", false);
		if (r)
			return km_fail(t, r, "cannot enable %s", path);
	}
	return 0;
}

/* Whether pid names a process that may still run (zombies count). */
static bool km_alive(int pid)
{
	return !kill(pid, 0) || errno != ESRCH;
}

/*
 * Claim the shared probes for t->pid: false if there are none, or another
 * live tracer owns them, or this process does already (a nested start).
 */
static bool km_session_claim(struct km_s2trace *t)
{
	int cur;

	if (!km_sess || km_sess->state < 0)
		return false;
	cur = __atomic_load_n(&km_sess->owner, __ATOMIC_ACQUIRE);
	for (;;) {
		if (cur == t->pid || (cur && km_alive(cur)))
			return false;
		if (__atomic_compare_exchange_n(&km_sess->owner, &cur, t->pid, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	}
}

/* The owner points the shared probes at itself, registering them on first use. */
static int km_session_start(struct km_s2trace *t)
{
	int r;

	t->session = true;
	t->tag = km_sess->pid;
	t->kretprobe = km_sess->kretprobe;
	snprintf(t->prefix, sizeof(t->prefix), "km_%d_", t->tag);
	km_sess->users++;
	if (km_sess->state == 1) {
		r = km_set_filters(t, t->pid);
		/* Records of the previous owner go; nothing else can arrive now. */
		if (!r)
			r = km_drain(t);
		if (!r)
			return 0;
		km_sess->state = 0;	/* removed behind our back: register anew */
	}
	t->kretprobe = false;
	r = km_register(t);
	if (r)
		return r;
	km_sess->kretprobe = t->kretprobe;
	km_sess->state = 1;
	return 0;
}

static int km_start(struct km_s2trace *t, bool shared)
{
	const char *root;
	int r;

	memset(t, 0, sizeof(*t));
	t->pid = getpid();
	t->tag = t->pid;
	snprintf(t->prefix, sizeof(t->prefix), "km_%d_", t->tag);

	if (km_facts.env.mode == KM_MODE_PROTECTED) {
		snprintf(t->reason, sizeof(t->reason),
			 "protected KVM (kvm-arm.mode=protected, %s): the host maps guest "
			 "stage 2 through pkvm_pgtable_stage2_map() (arch/arm64/kvm/mmu.c "
			 "KVM_PGT_FN), never kvm_pgtable_stage2_map()",
			 km_facts.kvm_mode_src);
		return -EOPNOTSUPP;
	}
	root = km_find_root();
	if (!root) {
		snprintf(t->reason, sizeof(t->reason), "no tracefs with kprobe_events at %s or %s "
			 "(CONFIG_KPROBE_EVENTS, tracefs mounted, root?)", km_tracefs_roots[0],
			 km_tracefs_roots[1]);
		return -ENOENT;
	}
	snprintf(t->root, sizeof(t->root), "%s", root);
	if (km_check_symbols() < 0) {
		snprintf(t->reason, sizeof(t->reason), "%s is not in /proc/kallsyms",
			 km_sym_missing);
		return -ENOENT;
	}
	r = shared && km_session_claim(t) ? km_session_start(t) : km_register(t);
	if (r)
		return r;
	t->losses = km_losses(t);
	t->active = true;
	return 0;
}

int km_s2trace_start(struct km_s2trace *t)
{
	return km_start(t, true);
}

int km_s2trace_start_private(struct km_s2trace *t)
{
	return km_start(t, false);
}

int km_s2trace_session_init(void)
{
	void *p = mmap(NULL, sizeof(*km_sess), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	km_sess = p;
	memset(km_sess, 0, sizeof(*km_sess));
	km_sess->pid = getpid();
	return 0;
}

void km_s2trace_session_end(char *log, size_t len)
{
	const char *root = km_find_root();

	if (log && len)
		log[0] = 0;
	if (!km_sess || km_sess->pid != getpid() || !root)
		return;
	if (km_s2trace_present(km_sess->pid)) {
		km_remove_pid(root, km_sess->pid, NULL, 0);
		if (log)
			snprintf(log, len, "# s2trace: removed the run's shared probes and "
				 "instance km_%d (%u tracers used them)%s\n", km_sess->pid,
				 km_sess->users,
				 km_s2trace_present(km_sess->pid) ? ": NOT all of them" : "");
	}
	km_sess->state = 0;
	km_sess->owner = 0;
}

bool km_s2trace_session_active(void)
{
	return km_sess && km_sess->state == 1 && km_s2trace_present(km_sess->pid);
}

int km_s2trace_collect(struct km_s2trace *t)
{
	char path[192], *buf, *line, *save = NULL;
	struct km_s2rec rec, *tmp;
	unsigned long lost;
	int r;

	if (!t->active)
		return -ENODEV;
	/* Consumed as read: each collect appends what came since the last one. */
	snprintf(path, sizeof(path), "%s/instances/km_%d/trace_pipe", t->root, t->tag);
	buf = km_slurp_flags(path, O_NONBLOCK);
	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		r = km_s2rec_parse(line, t->prefix, &rec);
		if (r < 0)
			t->nbad++;
		if (r <= 0)
			continue;
		if (t->nrecs == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 64;
			tmp = realloc(t->recs, t->cap * sizeof(*tmp));
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			t->recs = tmp;
		}
		t->recs[t->nrecs++] = rec;
	}
	free(buf);
	lost = km_losses(t);
	if (lost > t->losses) {
		snprintf(t->reason, sizeof(t->reason), "the trace buffer lost %lu records "
			 "(per_cpu/*/stats overrun + dropped events)", lost - t->losses);
		t->trusted = false;
		return -ENOBUFS;
	}
	return 0;
}

void km_s2trace_lookup(const struct km_s2trace *t, u64 ipa, struct km_s2map *m)
{
	km_s2_replay_as(t->layout, t->recs, t->nrecs, ipa, m);
}

bool km_s2trace_selfcheck(struct km_s2trace *t, u64 anon_ipa)
{
	struct km_s2map m;
	unsigned int i;
	char a[64];
	int r;

	t->trusted = false;
	if (!t->active)
		return false;
	r = km_s2trace_collect(t);
	if (r == -ENOBUFS)
		return false;
	if (r) {
		snprintf(t->reason, sizeof(t->reason), "cannot read the trace: %s", strerror(-r));
		return false;
	}
	if (t->nbad) {
		snprintf(t->reason, sizeof(t->reason), "%u trace lines of ours did not parse",
			 t->nbad);
		return false;
	}
	/* Which numbering of the prot bits makes the page what it is. */
	t->layout = NULL;
	for (i = 0; i < KM_S2_NLAYOUTS; i++) {
		km_s2_replay_as(&km_s2layouts[i], t->recs, t->nrecs, anon_ipa, &m);
		if (m.valid && m.a.mt == KM_MT_NORMAL && m.a.r && m.a.w && m.a.valid) {
			if (t->layout) {
				snprintf(t->reason, sizeof(t->reason), "self-check failed: prot "
					 "0x%llx of the anonymous page at IPA 0x%llx fits two "
					 "layouts (%s, %s)", m.prot, anon_ipa, t->layout->name,
					 km_s2layouts[i].name);
				t->layout = NULL;
				return false;
			}
			t->layout = &km_s2layouts[i];
		}
	}
	if (!t->layout) {
		km_s2_replay(t->recs, t->nrecs, anon_ipa, &m);
		snprintf(t->reason, sizeof(t->reason), "self-check failed: the host-written "
			 "anonymous page at IPA 0x%llx is %s (prot 0x%llx) in the trace (%u "
			 "records), not a Normal R/W mapping in any known prot layout", anon_ipa,
			 m.valid ? km_s2attr_str(&m.a, a, sizeof(a)) : "unmapped", m.prot,
			 t->nrecs);
		return false;
	}
	t->trusted = true;
	return true;
}

/* "km_<pid>" or "km_<pid>_<suffix>": the pid, else -1. */
static int km_name_pid(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, "km_", 3) || name[3] < '0' || name[3] > '9')
		return -1;
	pid = strtol(name + 3, &end, 10);
	if (*end && *end != '_')
		return -1;
	return pid > 0 && pid < (1L << 22) ? (int)pid : -1;
}

static bool km_pid_gone(int pid)
{
	return pid != getpid() && kill(pid, 0) && errno == ESRCH;
}

/* Every pid named by a km_* kprobe event or instance; returns the count. */
static unsigned int km_list_pids(const char *root, int *pids, unsigned int max)
{
	char path[96], *buf, *line, *save = NULL, *ev, *sp;
	unsigned int n = 0, i;
	struct dirent *d;
	DIR *dir;
	int pid;

	snprintf(path, sizeof(path), "%s/kprobe_events", root);
	buf = km_slurp(path);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* "p:kprobes/km_123_map kvm_pgtable_stage2_map ..." */
		ev = strchr(line, '/');
		sp = strchr(line, ' ');
		if (!ev || (sp && sp < ev))
			continue;
		*strchrnul(ev, ' ') = 0;
		pid = km_name_pid(ev + 1);
		for (i = 0; pid > 0 && i < n; i++)
			if (pids[i] == pid)
				pid = -1;
		if (pid > 0 && n < max)
			pids[n++] = pid;
	}
	free(buf);
	snprintf(path, sizeof(path), "%s/instances", root);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		pid = km_name_pid(d->d_name);
		if (strchr(d->d_name + 3, '_'))
			pid = -1;
		for (i = 0; pid > 0 && i < n; i++)
			if (pids[i] == pid)
				pid = -1;
		if (pid > 0 && n < max)
			pids[n++] = pid;
	}
	if (dir)
		closedir(dir);
	return n;
}

bool km_s2trace_present(int pid)
{
	const char *root = km_find_root();
	unsigned int n, i;
	int pids[256];

	if (!root)
		return false;
	n = km_list_pids(root, pids, KM_ARRAY_SIZE(pids));
	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

int km_s2trace_cleanup(bool report_left, char *log, size_t len)
{
	const char *root = km_find_root();
	unsigned int n, i;
	int pids[256];
	int left = 0;

	if (log && len)
		log[0] = 0;
	if (!root)
		return -ENOENT;
	n = km_list_pids(root, pids, KM_ARRAY_SIZE(pids));
	for (i = 0; i < n; i++)
		if (km_pid_gone(pids[i]))
			km_remove_pid(root, pids[i], log, len);
	n = km_list_pids(root, pids, KM_ARRAY_SIZE(pids));
	for (i = 0; i < n; i++) {
		left++;
		if (report_left && log)
			snprintf(log + strlen(log), len - strlen(log), "# s2trace: still present: "
				 "kprobes/instance of km_%d (process %s)\n", pids[i],
				 km_pid_gone(pids[i]) ? "gone" : "alive");
	}
	return left;
}
