// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gmem.h"
#include "memslot.h"
#include "sysfs.h"

int __km_gmem_create(int fd, u64 size, u64 flags)
{
	struct km_create_guest_memfd g = { .size = size, .flags = flags };
	int r = ioctl(fd, KM_CREATE_GUEST_MEMFD, &g);

	return r < 0 ? -errno : r;
}

int km_gmem_create(struct km_vm *vm, u64 size, u64 flags)
{
	int r = __km_gmem_create(vm->fd, size, flags);

	errno = r < 0 ? -r : 0;
	KM_CHECK(r >= 0, "KVM_CREATE_GUEST_MEMFD size 0x%llx flags 0x%llx",
		 (unsigned long long)size, (unsigned long long)flags);
	return r;
}

void km_gmem_slot_create(struct km_vm *vm, struct km_gmem_slot *g, u32 slot, u64 gpa,
			 u64 size, u64 flags)
{
	memset(g, 0, sizeof(*g));
	g->slot = slot;
	g->gpa = gpa;
	g->size = size;
	g->flags = flags;
	g->fd = km_gmem_create(vm, size, flags);
	if (flags & GUEST_MEMFD_FLAG_MMAP)
		g->hva = km_mmap_fd(g->fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	km_set_memslot2(vm, slot, KVM_MEM_GUEST_MEMFD, gpa, size, g->hva, g->fd, 0);
}

void km_gmem_slot_unmap(struct km_gmem_slot *g)
{
	if (g->hva)
		munmap(g->hva, g->size);
	g->hva = NULL;
}

void km_gmem_slot_close(struct km_gmem_slot *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

static sigjmp_buf probe_env;
static volatile int probe_code;

static void probe_handler(int sig, siginfo_t *si, void *uc)
{
	probe_code = si->si_code;
	siglongjmp(probe_env, sig);
}

/* The access itself is the only thing between sigsetjmp and the restore. */
static int probe(const void *p, u64 *val, bool store, u64 sval, int *code)
{
	struct sigaction sa = { 0 }, old_bus, old_segv;
	int sig;

	sa.sa_sigaction = probe_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	probe_code = 0;
	sig = sigsetjmp(probe_env, 1);
	if (!sig) {
		if (store)
			*(volatile u64 *)p = sval;
		else
			*val = *(const volatile u64 *)p;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	if (code)
		*code = sig ? probe_code : 0;
	return sig;
}

int km_host_load(const void *p, u64 *val, int *code)
{
	u64 v = 0x5a5a5a5a5a5a5a5aULL;
	int sig = probe(p, &v, false, 0, code);

	if (val)
		*val = v;
	return sig;
}

int km_host_store(void *p, u64 val, int *code)
{
	return probe(p, NULL, true, val, code);
}

int km_kcore_read_phys(u64 phys, void *buf, size_t len)
{
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	Elf64_Phdr *ph = NULL, *best = NULL;
	Elf64_Ehdr eh;
	size_t phsz;
	int r = 0, i;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_phentsize != sizeof(*ph)) {
		r = -EIO;
		goto out;
	}
	phsz = (size_t)eh.e_phnum * sizeof(*ph);
	ph = malloc(phsz);
	if (!ph || pread(fd, ph, phsz, eh.e_phoff) != (ssize_t)phsz) {
		r = -EIO;
		goto out;
	}
	/*
	 * RAM segments carry their physical base (text/vmalloc ones too, or
	 * -1).  When several cover phys (the kernel image lies in RAM), take
	 * the lowest virtual address: the linear map comes first on arm64.
	 */
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD || p->p_paddr == (Elf64_Addr)-1)
			continue;
		if (phys < p->p_paddr || phys + len > p->p_paddr + p->p_memsz)
			continue;
		if (!best || p->p_vaddr < best->p_vaddr)
			best = p;
	}
	if (!best) {
		r = -ENOENT;
		goto out;
	}
	errno = 0;
	if (pread(fd, buf, len, best->p_offset + (phys - best->p_paddr)) != (ssize_t)len)
		r = errno ? -errno : -EIO;
out:
	free(ph);
	close(fd);
	return r;
}

int km_klog_count(const char *needle)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *log, *p;
	int n, count = 0;

	if (len <= 0)
		return len < 0 ? -errno : 0;
	log = malloc(len + 1);
	if (!log)
		return -ENOMEM;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	if (n < 0) {
		n = -errno;
		free(log);
		return n;
	}
	log[n] = 0;
	for (p = log; (p = strstr(p, needle)); p++)
		count++;
	free(log);
	return count;
}

int km_gmem_flags_known(void)
{
	int fd = km_open_kvm(), r;

	if (fd < 0)
		return fd;
	r = km_check_cap(fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	close(fd);
	return r;
}

/* The value of the last "name=" word of cmdline (early_param: the last one wins). */
static bool cmdline_param(const char *cmdline, const char *name, char *val, size_t len)
{
	size_t nl = strlen(name);
	const char *p = cmdline;
	bool found = false;

	while ((p = strstr(p, name))) {
		if ((p == cmdline || p[-1] == ' ') && p[nl] == '=') {
			size_t n = strcspn(p + nl + 1, " \n");

			if (n >= len)
				n = len - 1;
			memcpy(val, p + nl + 1, n);
			val[n] = 0;
			found = true;
		}
		p += nl;
	}
	return found;
}

/* kstrtobool's reading of a boot parameter. */
static bool param_true(const char *v)
{
	return v[0] == '1' || v[0] == 'y' || v[0] == 'Y' || !strcmp(v, "on");
}

void km_direct_map_read(struct km_direct_map *d)
{
	char cmdline[1024] = "", rodata[16] = "", dpa[16] = "", ksi[24] = "", en[8] = "";
	bool has_kfence;
	int fd, e;

	memset(d, 0, sizeof(*d));
	km_read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	/* arm64 arch_parse_debug_rodata: "on" is full, "off" and "noalias" are not. */
	d->rodata_full = true;
	if (cmdline_param(cmdline, "rodata", rodata, sizeof(rodata)))
		d->rodata_full = !strcmp(rodata, "on") ||
				 (strcmp(rodata, "off") && strcmp(rodata, "noalias"));
	/* CONFIG_DEBUG_PAGEALLOC_ENABLE_DEFAULT is not visible from here. */
	d->debug_pagealloc = cmdline_param(cmdline, "debug_pagealloc", dpa, sizeof(dpa)) &&
			     param_true(dpa);
	/*
	 * arm64_kfence_can_set_direct_map() is !kfence_early_init: the boot value
	 * of kfence.sample_interval (cmdline, else the Kconfig default, which the
	 * parameter shows until someone writes it) is 0, or the early pool
	 * could not be allocated.
	 */
	has_kfence = access("/sys/module/kfence/parameters/sample_interval", F_OK) == 0;
	if (has_kfence) {
		if (!cmdline_param(cmdline, "kfence.sample_interval", ksi, sizeof(ksi)))
			km_read_text("/sys/module/kfence/parameters/sample_interval", ksi,
				   sizeof(ksi));
		d->kfence_late = strtol(ksi, NULL, 0) == 0 ||
				 km_klog_count("failed to allocate kfence pool") > 0;
	}
	d->model = d->rodata_full || d->debug_pagealloc || d->kfence_late;
	snprintf(d->why, sizeof(d->why),
		 "rodata=%s (rodata_full %d), debug_pagealloc=%s, KFENCE %s%s%s -> %d",
		 rodata[0] ? rodata : "(default on)", d->rodata_full, dpa[0] ? dpa : "(unset)",
		 has_kfence ? "sample_interval=" : "absent", has_kfence ? ksi : "",
		 d->kfence_late ? " (late pool: page-granular)" : "", d->model);

	fd = syscall(__NR_memfd_secret, 0);
	if (fd >= 0) {
		close(fd);
		d->secretmem = 1;
		snprintf(d->swhy, sizeof(d->swhy), "memfd_secret() works");
		return;
	}
	e = errno;
	km_read_text("/sys/module/secretmem/parameters/enable", en, sizeof(en));
	if (e == ENOSYS && en[0] == 'Y') {
		d->secretmem = 0;
		snprintf(d->swhy, sizeof(d->swhy), "memfd_secret: ENOSYS with secretmem.enable=Y");
		return;
	}
	d->secretmem = -1;
	snprintf(d->swhy, sizeof(d->swhy), "memfd_secret: %s, secretmem.enable=%s", strerror(e),
		 en[0] ? en : "(absent)");
}
