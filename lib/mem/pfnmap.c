// SPDX-License-Identifier: GPL-2.0
/*
 * PFNMAP/MIXEDMAP providers.  Each source states what its VMA is from the
 * kernel code that builds it (cited per source); the VMA flags and the
 * RAM-ness of the pfn are then measured (/proc/self/smaps VmFlags,
 * /proc/self/pagemap + /proc/iomem), and the module reports its own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/udmabuf.h>
#include <linux/vfio.h>

#include "hoststate.h"
#include "pfnmap.h"
#include "procfs.h"
#include "sysfs.h"

#define IVSHMEM_VENDOR	0x1af4
#define IVSHMEM_DEVICE	0x1110
#define IVSHMEM_BAR	2
#define PCI_DEVICES	"/sys/bus/pci/devices"

static int say(char *why, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int say(char *why, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return ret;
}

/* ---- Measurements ---- */

u64 km_hva_to_phys(const void *hva)
{
	long psz = sysconf(_SC_PAGESIZE);
	u64 pfn;
	int r;

	(void)*(volatile u32 *)hva;	/* fault it in */
	r = km_hva_to_pfn(hva, &pfn);
	if (r) {
		errno = -r;
		return 0;
	}
	return pfn * psz + (uintptr_t)hva % psz;
}

bool km_vma_has_flag(const void *hva, const char *flag)
{
	char flags[256], *p, *save = NULL;

	if (km_smaps_field(hva, "VmFlags", flags, sizeof(flags)))
		return false;
	for (p = strtok_r(flags, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (!strcmp(p, flag))
			return true;
	return false;
}

/*
 * VMA flags and the pfn's RAM-ness as the kernel shows them.  pagemap
 * reports nothing for VM_PFNMAP VMAs (mm/pagewalk.c skips them): there the
 * source's own statement stands.
 */
static void measure(struct km_pfn_map *m)
{
	m->props.pfnmap = km_vma_has_flag(m->hva, "pf");
	m->props.mixedmap = km_vma_has_flag(m->hva, "mm");
	m->props.io = km_vma_has_flag(m->hva, "io");
	if (!m->phys_known) {
		m->phys = km_hva_to_phys(m->hva);
		m->phys_known = m->phys != 0;
		if (m->phys_known)
			m->props.ram = km_phys_is_system_ram(m->phys);
	}
}

/* ---- Host access ---- */

void km_pfn_write64(struct km_pfn_map *m, size_t off, u64 v)
{
	*(volatile u64 *)(m->hva + off) = v;
}

u64 km_pfn_read64(struct km_pfn_map *m, size_t off)
{
	return *(volatile u64 *)(m->hva + off);
}

void km_pfn_write_ret_imm(struct km_pfn_map *m, size_t off, u16 imm)
{
	volatile u32 *p = (volatile u32 *)(m->hva + off);

	p[0] = 0xd2800000u | ((u32)imm << 5);	/* movz x0, #imm */
	p[1] = 0xd65f03c0u;			/* ret */
}

/* ---- Sources ---- */

static void *map_fd(const struct km_pfn_req *req, int fd, size_t size, off_t off)
{
	int flags = (req->priv ? MAP_PRIVATE : MAP_SHARED) | (req->fixed ? MAP_FIXED : 0);
	void *p = mmap(req->fixed, size, PROT_READ | PROT_WRITE, flags, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

static const char *backing_str(u32 b)
{
	switch (b) {
	case MPF_BACKING_RAM: return "RAM pages";
	case MPF_BACKING_NONLINEAR: return "memory outside the linear map";
	case MPF_BACKING_ZONE_DEVICE: return "ZONE_DEVICE pages";
	}
	return "?";
}

static const char *prot_str(u32 p)
{
	switch (p) {
	case MPF_PROT_CACHEABLE: return "cacheable";
	case MPF_PROT_WC: return "writecombine";
	case MPF_PROT_NONCACHED: return "noncached";
	case MPF_PROT_DEVICE: return "device";
	}
	return "?";
}

static const char *insert_str(u32 i)
{
	switch (i) {
	case MPF_INSERT_REMAP: return "remap_pfn_range";
	case MPF_INSERT_FAULT_PFN: return "vmf_insert_pfn";
	case MPF_INSERT_PAGE: return "vm_insert_page";
	case MPF_INSERT_FAULT_MIXED: return "vmf_insert_mixed";
	}
	return "?";
}

/*
 * Why the test module is not there, as the runner or /init found out:
 * KM_KMOD_WHY_memattr_pfnmap (its insmod failed: the message and what the
 * kernel said), else KM_KMOD_WHY (no module for this kernel, and why).
 */
static const char *kmod_absent_why(void)
{
	const char *w = getenv("KM_KMOD_WHY_" MPF_DEVICE_NAME);

	if (!w || !*w)
		w = getenv("KM_KMOD_WHY");
	return w && *w ? w : NULL;
}

int km_kmod_gup_probe(void *hva)
{
	struct mpf_gup_probe p = { .hva = (u64)(uintptr_t)hva };
	int fd = open(MPF_DEVICE_PATH, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = ioctl(fd, MPF_IOC_GUP_PROBE, &p) ? -errno : (int)p.result;
	close(fd);
	return r;
}

int km_kmod_info(struct mpf_info *info, char *why, size_t len)
{
	int fd = open(MPF_DEVICE_PATH, O_RDWR | O_CLOEXEC), r = 0;

	if (fd < 0 && errno == ENOENT && kmod_absent_why())
		return say(why, len, KM_PFN_UNAVAILABLE, "test module not loaded: %s",
			   kmod_absent_why());
	if (fd < 0)
		return say(why, len, KM_PFN_UNAVAILABLE, "test module not loaded: %s absent%s",
			   MPF_DEVICE_PATH, errno == ENOENT ? "" : " or unusable");
	if (ioctl(fd, MPF_IOC_INFO, info))
		r = say(why, len, -errno, "MPF_IOC_INFO: %s", strerror(errno));
	else if (info->abi_version != MPF_ABI_VERSION)
		r = say(why, len, KM_PFN_UNAVAILABLE, "test module ABI %u, the suite wants %u",
			info->abi_version, MPF_ABI_VERSION);
	close(fd);
	return r;
}

static int get_kmod(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len)
{
	struct mpf_config cfg = {
		.backing = req->backing, .prot = req->prot, .insert = req->insert,
		.flags = req->flags, .size = m->size,
	};
	struct mpf_query q;
	struct mpf_info info;
	int r = km_kmod_info(&info, why, len);
	bool no_flag = false;

	if (r)
		return r;
	if (req->backing == MPF_BACKING_NONLINEAR && !info.nonlinear_size)
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "test module has no memory outside the linear map: "
			   "nonlinear_size=0 (%s; README: memory outside the linear map)",
			   info.region_source);
	/* What the kernel under test does not have at all. */
	if (req->backing == MPF_BACKING_ZONE_DEVICE && (info.lacks & MPF_LACKS_ZONE_DEVICE))
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "no ZONE_DEVICE pages: the kernel under test has no CONFIG_ZONE_DEVICE "
			   "(test module: lacks=%#x)", info.lacks);
	/*
	 * A kernel before VM_ALLOW_ANY_UNCACHED has no such flag to set: the
	 * row builds its VMA without it, and its older contract (Device for
	 * every such pfn, lib/facts/env.h) is what the expectation asserts.
	 */
	if ((cfg.flags & MPF_F_ALLOW_ANY_UNCACHED) &&
	    (info.lacks & MPF_LACKS_ALLOW_ANY_UNCACHED)) {
		cfg.flags &= ~MPF_F_ALLOW_ANY_UNCACHED;
		no_flag = true;
	}
	if (req->backing == MPF_BACKING_ZONE_DEVICE && !info.zone_device_size)
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "test module has no ZONE_DEVICE range: zone_device_size=0 (%s)",
			   info.region_source);
	if (req->backing == MPF_BACKING_ZONE_DEVICE && info.zone_device_err)
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "test module: memremap_pages() of its ZONE_DEVICE range failed: %s",
			   strerror(-info.zone_device_err));

	m->fd[0] = open(MPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (m->fd[0] < 0)
		return say(why, len, -errno, "open %s: %s", MPF_DEVICE_PATH, strerror(errno));
	if (ioctl(m->fd[0], MPF_IOC_CONFIG, &cfg))
		return say(why, len, -errno, "MPF_IOC_CONFIG: %s", strerror(errno));
	m->hva = map_fd(req, m->fd[0], m->size, 0);
	if (!m->hva)
		return say(why, len, -errno, "mmap of %s: %s", MPF_DEVICE_PATH, strerror(errno));
	if (ioctl(m->fd[0], MPF_IOC_QUERY, &q))
		return say(why, len, -errno, "MPF_IOC_QUERY: %s", strerror(errno));

	m->phys = q.phys;
	m->phys_known = true;
	m->props.ram = q.pfn_is_map_memory;
	m->props.cacheable = q.cacheable;
	m->props.allow_any_uncached = q.allow_any_uncached;
	m->props.cow = q.cow;
	m->props.pte_writable = !q.cow;
	/*
	 * Only vm_insert_page() makes PTEs with a page GUP can take; those
	 * pages (alloc_pages(), ZONE_DEVICE) have no folio->mapping.
	 */
	m->props.gup = req->insert == MPF_INSERT_PAGE;
	m->props.no_mapping = m->props.gup;
	snprintf(m->what, sizeof(m->what),
		 "memattr_pfnmap: %s at %#llx, %s, %s%s%s, MT index %u", backing_str(req->backing),
		 (unsigned long long)q.phys, insert_str(req->insert), prot_str(req->prot),
		 q.allow_any_uncached ? " + VM_ALLOW_ANY_UNCACHED" :
		 no_flag ? " (no VM_ALLOW_ANY_UNCACHED in this kernel)" : "",
		 q.cow ? ", MAP_PRIVATE" : "", q.attrindx);
	/* The module's own view of the flags, cross-checked below. */
	m->props.pfnmap = q.pfnmap;
	m->props.mixedmap = q.mixedmap;
	m->props.io = q.io;
	return 0;
}

/* drivers/dma-buf/udmabuf.c: mmap_udmabuf() sets VM_PFNMAP; cacheable RAM. */
static int get_udmabuf(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = m->size };
	int dev;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return say(why, len, KM_PFN_UNAVAILABLE, "/dev/udmabuf absent: %s (CONFIG_UDMABUF)",
			   strerror(errno));
	m->fd[1] = dev;
	m->fd[2] = memfd_create("km-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (m->fd[2] < 0)
		return say(why, len, -errno, "memfd_create: %s", strerror(errno));
	if (ftruncate(m->fd[2], m->size) || fcntl(m->fd[2], F_ADD_SEALS, F_SEAL_SHRINK))
		return say(why, len, -errno, "memfd size/seal: %s", strerror(errno));
	c.memfd = m->fd[2];
	m->fd[0] = ioctl(dev, UDMABUF_CREATE, &c);
	if (m->fd[0] < 0)
		return say(why, len, -errno, "UDMABUF_CREATE: %s", strerror(errno));
	m->hva = map_fd(req, m->fd[0], m->size, 0);
	if (!m->hva)
		return say(why, len, -errno, "mmap of the udmabuf: %s", strerror(errno));
	m->props.cacheable = true;
	m->props.pte_writable = true;
	/* memfd (shmem) pages; pagemap cannot confirm it, it skips VM_PFNMAP VMAs. */
	m->props.ram = true;
	snprintf(m->what, sizeof(m->what), "udmabuf over a %zu-byte memfd", m->size);
	return 0;
}

/*
 * A sysfs write that writing undo to undo_path reverts, recorded first
 * (lib/harness/hoststate.h) so that the harness reverts it if the case cannot.
 */
static bool write_sysfs_undo(const char *path, const char *val, const char *undo_path,
			     const char *undo)
{
	int e = km_host_push_undo(undo_path, undo);

	if (e < 0) {
		errno = -e;
		return false;
	}
	if (!km_write_text(path, val))
		return true;
	km_host_drop(e);
	return false;
}

/* The driver a PCI device is bound to, "" if none. */
static void pci_driver(const char *bdf, char *drv, size_t len)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	drv[0] = 0;
	if (n > 0) {
		link[n] = 0;
		snprintf(drv, len, "%.60s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
}

/* The ivshmem devices, sorted by address; returns how many. */
static int find_ivshmem(char bdfs[][32], int max)
{
	struct dirent **list;
	int n, i, found = 0;

	n = scandir(PCI_DEVICES, &list, NULL, alphasort);
	for (i = 0; i < n; i++) {
		char path[300], buf[32];
		unsigned int ven = 0, dev = 0;

		snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", list[i]->d_name);
		if (km_read_text(path, buf, sizeof(buf)))
			ven = strtoul(buf, NULL, 0);
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", list[i]->d_name);
		if (km_read_text(path, buf, sizeof(buf)))
			dev = strtoul(buf, NULL, 0);
		if (ven == IVSHMEM_VENDOR && dev == IVSHMEM_DEVICE && found < max)
			snprintf(bdfs[found++], 32, "%.31s", list[i]->d_name);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return found;
}

/*
 * drivers/pci/mmap.c: pci_mmap_resource_range() maps a BAR with
 * pgprot_device(), or pgprot_writecombine() for resourceN_wc, through
 * io_remap_pfn_range(): VM_IO|VM_PFNMAP, no VM_ALLOW_ANY_UNCACHED.  The
 * first ivshmem device not bound to vfio-pci serves this.
 */
static int get_pci_bar(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len)
{
	bool wc = req->src == KM_SRC_PCI_BAR_WC;
	char bdfs[8][32], drv[64], path[300], res[4096];
	unsigned long long start = 0, end = 0;
	const char *bdf = NULL;
	int n, i, r;
	char *line;

	n = find_ivshmem(bdfs, 8);
	for (i = 0; i < n && !bdf; i++) {
		pci_driver(bdfs[i], drv, sizeof(drv));
		if (strcmp(drv, "vfio-pci"))
			bdf = bdfs[i];
	}
	if (!bdf)
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "no ivshmem PCI device (%04x:%04x) outside vfio-pci (%d found): QEMU "
			   "-device ivshmem-plain, as in the max-dev profile",
			   IVSHMEM_VENDOR, IVSHMEM_DEVICE, n);
	/* A BAR only decodes once the device is enabled. */
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/enable", bdf);
	r = km_host_set(path, "1");
	if (r)
		return say(why, len, r, "%s: %s", path, strerror(-r));
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource", bdf);
	if (!km_read_text(path, res, sizeof(res)))
		return say(why, len, -errno, "%s: %s", path, strerror(errno));
	for (i = 0, line = res; line && i < IVSHMEM_BAR; i++) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (!line || sscanf(line, "%llx %llx", &start, &end) != 2 || end <= start)
		return say(why, len, -ENODEV, "%s: no BAR%d", path, IVSHMEM_BAR);
	if (m->size > end - start + 1)
		m->size = end - start + 1;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource%d%s", bdf, IVSHMEM_BAR,
		 wc ? "_wc" : "");
	m->fd[0] = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (m->fd[0] < 0)
		return say(why, len, wc && errno == ENOENT ? KM_PFN_UNAVAILABLE : -errno,
			   "%s: %s", path, strerror(errno));
	m->hva = map_fd(req, m->fd[0], m->size, 0);
	if (!m->hva)
		return say(why, len, -errno, "mmap of %s: %s", path, strerror(errno));
	m->props.cacheable = false;
	m->props.pte_writable = !req->priv;
	m->props.cow = req->priv;
	snprintf(m->what, sizeof(m->what), "ivshmem %s BAR%d at %#llx via sysfs resource%d%s", bdf,
		 IVSHMEM_BAR, start, IVSHMEM_BAR, wc ? "_wc" : "");
	return 0;
}

/*
 * Bind bdf to vfio-pci (driver_override + drivers_probe), recorded to be
 * undone newest first: unbind from vfio-pci, the old driver_override, the
 * old driver.
 */
static int bind_vfio(const char *bdf, char *why, size_t len)
{
	char path[300], undo[300], drv[64], old[64];
	int rebind = -1;

	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "vfio-pci driver absent: /sys/bus/pci/drivers/vfio-pci missing "
			   "(modules vfio, vfio_iommu_type1, vfio-pci-core, vfio-pci)");
	pci_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, "vfio-pci"))
		return 0;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", bdf);
	if (!km_read_text(path, old, sizeof(old)))
		return say(why, len, -errno, "%s: %s", path, strerror(errno));
	old[strcspn(old, "\n")] = 0;
	/* The old driver only binds again once the override is gone: undone last. */
	if (drv[0]) {
		snprintf(undo, sizeof(undo), "/sys/bus/pci/drivers/%s/bind", drv);
		rebind = km_host_push_undo(undo, bdf);
		if (rebind < 0)
			return say(why, len, rebind, "%s: %s", undo, strerror(-rebind));
	}
	/* A newline clears an override: "(null)" is how none reads back. */
	if (!write_sysfs_undo(path, "vfio-pci", path, strcmp(old, "(null)") ? old : "\n")) {
		km_host_drop(rebind);
		return say(why, len, -errno, "%s: %s", path, strerror(errno));
	}
	if (drv[0]) {
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind", bdf);
		if (km_write_text(path, bdf)) {
			km_host_drop(rebind);
			return say(why, len, -errno, "%s: %s", path, strerror(errno));
		}
	}
	if (!write_sysfs_undo("/sys/bus/pci/drivers_probe", bdf,
			      "/sys/bus/pci/drivers/vfio-pci/unbind", bdf))
		return say(why, len, -errno, "drivers_probe %s: %s", bdf, strerror(errno));
	pci_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci"))
		return say(why, len, -ENODEV, "%s: bound to '%s', not vfio-pci", bdf, drv);
	return 0;
}

/*
 * drivers/vfio/pci/vfio_pci_core.c: vfio_pci_core_mmap() sets
 * VM_ALLOW_ANY_UNCACHED|VM_IO|VM_PFNMAP with pgprot_noncached(); the fault
 * handler inserts the BAR's pfns.  Uses an ivshmem device already bound to
 * vfio-pci, else binds the last one when there are two or more (the first
 * stays with sysfs for KM_SRC_PCI_BAR).
 */
static int get_vfio(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = VFIO_PCI_BAR2_REGION_INDEX };
	char bdfs[8][32], drv[64], path[300], link[256], group[300];
	const char *bdf = NULL, *g;
	int n, i, r;
	ssize_t l;

	n = find_ivshmem(bdfs, 8);
	for (i = 0; i < n && !bdf; i++) {
		pci_driver(bdfs[i], drv, sizeof(drv));
		if (!strcmp(drv, "vfio-pci"))
			bdf = bdfs[i];
	}
	if (!bdf && n < 2)
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "vfio needs a second ivshmem device (%04x:%04x), %d found: the first "
			   "serves sysfs resource2 (see the max-dev profile)",
			   IVSHMEM_VENDOR, IVSHMEM_DEVICE, n);
	if (!bdf)
		bdf = bdfs[n - 1];
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", bdf);
	l = readlink(path, link, sizeof(link) - 1);
	if (l <= 0)
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "no IOMMU group for %s: %s missing (QEMU -machine iommu=smmuv3)", bdf,
			   path);
	link[l] = 0;
	g = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	r = bind_vfio(bdf, why, len);
	if (r)
		return r;

	m->fd[1] = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (m->fd[1] < 0)
		return say(why, len, KM_PFN_UNAVAILABLE, "/dev/vfio/vfio: %s", strerror(errno));
	if (!ioctl(m->fd[1], VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU))
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU)=0 (vfio_iommu_type1 loaded?)");
	snprintf(group, sizeof(group), "/dev/vfio/%s", g);
	m->fd[2] = open(group, O_RDWR | O_CLOEXEC);
	if (m->fd[2] < 0)
		return say(why, len, -errno, "%s: %s", group, strerror(errno));
	if (ioctl(m->fd[2], VFIO_GROUP_GET_STATUS, &gs))
		return say(why, len, -errno, "VFIO_GROUP_GET_STATUS: %s", strerror(errno));
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		return say(why, len, KM_PFN_UNAVAILABLE,
			   "IOMMU group %s of %s is not viable (another device in it is bound "
			   "to a host driver)", g, bdf);
	if (ioctl(m->fd[2], VFIO_GROUP_SET_CONTAINER, &m->fd[1]))
		return say(why, len, -errno, "VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	if (ioctl(m->fd[1], VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return say(why, len, -errno, "VFIO_SET_IOMMU: %s", strerror(errno));
	m->fd[0] = ioctl(m->fd[2], VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (m->fd[0] < 0)
		return say(why, len, -errno, "VFIO_GROUP_GET_DEVICE_FD %s: %s", bdf,
			   strerror(errno));
	if (ioctl(m->fd[0], VFIO_DEVICE_GET_REGION_INFO, &ri))
		return say(why, len, -errno, "VFIO_DEVICE_GET_REGION_INFO(BAR2): %s",
			   strerror(errno));
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || !ri.size)
		return say(why, len, -ENODEV, "BAR2 of %s is not mmappable (flags %#x size %llu)",
			   bdf, ri.flags, (unsigned long long)ri.size);
	if (m->size > ri.size)
		m->size = ri.size;
	m->hva = map_fd(req, m->fd[0], m->size, ri.offset);
	if (!m->hva)
		return say(why, len, -errno, "mmap of vfio BAR2: %s", strerror(errno));
	m->props.cacheable = false;
	m->props.allow_any_uncached = true;
	m->props.pte_writable = true;
	snprintf(m->what, sizeof(m->what), "vfio-pci %.31s BAR2 (IOMMU group %.31s)", bdf, g);
	return 0;
}

/* kernel/bpf/arraymap.c: array_map_mmap() -> remap_vmalloc_range(): VM_MIXEDMAP. */
static int get_bpf_array(const struct km_pfn_req *req, struct km_pfn_map *m, char *why,
			 size_t len)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = m->size / 8;
	attr.map_flags = BPF_F_MMAPABLE;
	m->fd[0] = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (m->fd[0] < 0)
		return say(why, len,
			   errno == EPERM || errno == ENOSYS ? KM_PFN_UNAVAILABLE : -errno,
			   "bpf(BPF_MAP_CREATE, ARRAY, BPF_F_MMAPABLE): %s", strerror(errno));
	m->hva = map_fd(req, m->fd[0], m->size, 0);
	if (!m->hva)
		return say(why, len, -errno, "mmap of the BPF array: %s", strerror(errno));
	m->props.cacheable = true;
	m->props.gup = true;
	m->props.no_mapping = true;	/* vmalloc() pages */
	m->props.pte_writable = true;
	snprintf(m->what, sizeof(m->what), "BPF_F_MMAPABLE array map, %zu bytes", m->size);
	return 0;
}

/* mm/secretmem.c: memfd_secret(); GUP refuses it (mm/gup.c:check_vma_flags). */
static int get_secretmem(const struct km_pfn_req *req, struct km_pfn_map *m, char *why,
			 size_t len)
{
#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif
	m->fd[0] = syscall(__NR_memfd_secret, O_CLOEXEC);
	if (m->fd[0] < 0)
		return say(why, len, errno == ENOSYS ? KM_PFN_UNAVAILABLE : -errno,
			   "memfd_secret: %s (CONFIG_SECRETMEM, secretmem.enable)",
			   strerror(errno));
	if (ftruncate(m->fd[0], m->size))
		return say(why, len, -errno, "ftruncate(memfd_secret): %s", strerror(errno));
	m->hva = map_fd(req, m->fd[0], m->size, 0);
	if (!m->hva)
		return say(why, len, -errno, "mmap of memfd_secret: %s", strerror(errno));
	m->props.cacheable = true;
	m->props.pte_writable = true;
	snprintf(m->what, sizeof(m->what), "memfd_secret, %zu bytes", m->size);
	return 0;
}

static int get_anon(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len)
{
	int flags = MAP_ANONYMOUS | (req->priv ? MAP_PRIVATE : MAP_SHARED) |
		    (req->fixed ? MAP_FIXED : 0);

	m->hva = mmap(req->fixed, m->size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (m->hva == MAP_FAILED) {
		m->hva = NULL;
		return say(why, len, -errno, "mmap anon: %s", strerror(errno));
	}
	m->props.cacheable = true;
	m->props.gup = true;
	m->props.pte_writable = true;
	/* arch_calc_vm_flag_bits(): anonymous VMAs may take MTE tags. */
	m->props.mte_allowed = true;
	snprintf(m->what, sizeof(m->what), "anonymous memory, %zu bytes", m->size);
	return 0;
}

/* Reserve a range, then unmap it: nothing maps there until someone mmap()s. */
static int get_hole(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len)
{
	void *p = mmap(NULL, m->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return say(why, len, -errno, "mmap PROT_NONE: %s", strerror(errno));
	munmap(p, m->size);
	m->hva = p;
	m->props.novma = true;
	m->phys_known = true;
	snprintf(m->what, sizeof(m->what), "a %zu-byte hole with no VMA", m->size);
	return 0;
}

int km_pfn_get(const struct km_pfn_req *req, struct km_pfn_map *m, char *why, size_t len)
{
	int r;

	memset(m, 0, sizeof(*m));
	m->fd[0] = m->fd[1] = m->fd[2] = -1;
	m->host_from = km_host_mark();
	m->src = req->src;
	m->size = req->size ? req->size : km_pfn_default_size();
	why[0] = 0;
	switch (req->src) {
	case KM_SRC_KMOD: r = get_kmod(req, m, why, len); break;
	case KM_SRC_UDMABUF: r = get_udmabuf(req, m, why, len); break;
	case KM_SRC_PCI_BAR:
	case KM_SRC_PCI_BAR_WC: r = get_pci_bar(req, m, why, len); break;
	case KM_SRC_VFIO: r = get_vfio(req, m, why, len); break;
	case KM_SRC_BPF_ARRAY: r = get_bpf_array(req, m, why, len); break;
	case KM_SRC_SECRETMEM: r = get_secretmem(req, m, why, len); break;
	case KM_SRC_ANON: r = get_anon(req, m, why, len); break;
	case KM_SRC_HOLE: r = get_hole(req, m, why, len); break;
	default: r = say(why, len, -EINVAL, "unknown source %d", req->src);
	}
	m->host_to = km_host_mark();
	if (r) {
		km_pfn_put(m);
		return r;
	}
	if (req->src != KM_SRC_HOLE)
		measure(m);
	return 0;
}

void km_pfn_put(struct km_pfn_map *m)
{
	int i;

	if (m->hva && m->src != KM_SRC_HOLE)
		munmap(m->hva, m->size);
	m->hva = NULL;
	for (i = 0; i < 3; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
	/* Last: vfio-pci lets a device go only once its fds are closed. */
	km_host_undo(m->host_from, m->host_to);
	m->host_from = m->host_to = 0;
}
