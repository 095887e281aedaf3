// SPDX-License-Identifier: GPL-2.0
/*
 * The test module itself (kmod/memattr_pfnmap.c): it must refuse bad
 * requests with an errno, free every buffer with its last mapping, and its
 * reading of the hardware must agree with the facts the suite computes its
 * expectations from (ID_AA64MMFR2_EL1.FWB, CTR_EL0.DIC, and the cpucaps
 * KVM itself tests: kvm_supports_cacheable_pfnmap()).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "agent.h"
#include "facts.h"
#include "memslot.h"
#include "pfnmap.h"

#define REQUIRE_KMOD(info)							\
	do {									\
		char __why[200];						\
		int __r = km_kmod_info(info, __why, sizeof(__why));		\
		if (__r == KM_PFN_UNAVAILABLE)					\
			SKIP(return, "%s", __why);				\
		ASSERT_EQ(0, __r) TH_LOG("%s", __why);				\
	} while (0)

/* The module's live buffers and pages are what *before counted: nothing leaked. */
#define EXPECT_NO_LEAK(before)							\
	do {									\
		struct mpf_info __after;					\
		REQUIRE_KMOD(&__after);						\
		EXPECT_EQ((before)->live_buffers, __after.live_buffers);	\
		EXPECT_EQ((before)->live_pages, __after.live_pages);		\
	} while (0)

static int config(int fd, const struct mpf_config *c)
{
	return ioctl(fd, MPF_IOC_CONFIG, c) ? -errno : 0;
}

static int try_mmap(int fd, size_t size, int flags, off_t off)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, size);
	return 0;
}

TEST_RULE(kmod_refusals, "PFNMAP-KMOD-01",
	  "the test module refuses malformed or impossible requests with an errno and leaks "
	  "nothing doing so")
{
	const u64 pg = km_env_page(&km_facts.env);
	struct mpf_info before;
	struct {
		const char *what;
		struct mpf_config c;
		int err;
	} cases[] = {
		{ "backing 0", { 0, 1, 1, 0, pg }, -EINVAL },
		{ "backing 4", { 4, 1, 1, 0, pg }, -EINVAL },
		{ "prot 0", { 1, 0, 1, 0, pg }, -EINVAL },
		{ "prot 5", { 1, 5, 1, 0, pg }, -EINVAL },
		{ "insert 0", { 1, 1, 0, 0, pg }, -EINVAL },
		{ "insert 5", { 1, 1, 5, 0, pg }, -EINVAL },
		{ "unknown flag", { 1, 1, 1, 0x2, pg }, -EINVAL },
		{ "size 0", { 1, 1, 1, 0, 0 }, -EINVAL },
		{ "size not page aligned", { 1, 1, 1, 0, 100 }, -EINVAL },
		{ "size over MPF_MAX_SIZE", { 1, 1, 1, 0, MPF_MAX_SIZE + pg }, -E2BIG },
		{ "reserved[2] set", { 1, 1, 1, 0, pg, { 0, 0, 1, 0 } }, -EINVAL },
		{ "vm_insert_page of memory without struct page",
		  { MPF_BACKING_NONLINEAR, 1, MPF_INSERT_PAGE, 0, pg }, -EINVAL },
		{ "ZONE_DEVICE by remap_pfn_range",
		  { MPF_BACKING_ZONE_DEVICE, 1, MPF_INSERT_REMAP, 0, pg }, -EINVAL },
	};
	struct mpf_config ok = {
		.backing = MPF_BACKING_RAM, .prot = MPF_PROT_CACHEABLE,
		.insert = MPF_INSERT_FAULT_PFN, .size = 2 * pg,
	};
	struct mpf_query q;
	unsigned int i;
	u64 ram_max;
	int fd, r;

	REQUIRE_KMOD(&before);
	fd = open(MPF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	/* Before any configuration: no mmap, nothing to query. */
	EXPECT_EQ(-EINVAL, try_mmap(fd, pg, MAP_SHARED, 0));
	EXPECT_EQ(-1, ioctl(fd, MPF_IOC_QUERY, &q));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(MPF_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);

	for (i = 0; i < KM_ARRAY_SIZE(cases); i++) {
		r = config(fd, &cases[i].c);
		EXPECT_EQ(cases[i].err, r) TH_LOG("%s: %s", cases[i].what, strerror(-r));
	}
	EXPECT_EQ(pg, before.page_size) TH_LOG("the module's PAGE_SIZE");
	/* RAM is one allocation: at most PAGE_SIZE << MAX_PAGE_ORDER. */
	ram_max = pg << before.max_order;
	if (ram_max < MPF_MAX_SIZE) {
		struct mpf_config c = { 1, 1, 1, 0, 2 * ram_max };

		EXPECT_EQ(-E2BIG, config(fd, &c)) TH_LOG("RAM larger than one allocation");
	} else {
		TH_LOG("not tried: RAM larger than one allocation (%llu bytes) is over "
		       "MPF_MAX_SIZE", (unsigned long long)ram_max);
	}
	if (before.nonlinear_size) {
		struct mpf_config c = { MPF_BACKING_NONLINEAR, 1, 1, 0,
					before.nonlinear_size + pg };

		if (c.size <= MPF_MAX_SIZE)
			EXPECT_EQ(-E2BIG, config(fd, &c)) TH_LOG("larger than the region");
	} else {
		struct mpf_config c = { MPF_BACKING_NONLINEAR, 1, 1, 0, pg };

		EXPECT_EQ(-ENODEV, config(fd, &c)) TH_LOG("no memory outside the linear map");
	}

	/* A good configuration, then mappings that do not fit it. */
	ASSERT_EQ(0, config(fd, &ok));
	EXPECT_EQ(-EINVAL, try_mmap(fd, pg, MAP_SHARED, 0)) TH_LOG("size mismatch");
	EXPECT_EQ(-EINVAL, try_mmap(fd, 2 * pg, MAP_SHARED, pg)) TH_LOG("offset");
	EXPECT_EQ(-EINVAL, try_mmap(fd, 2 * pg, MAP_PRIVATE, 0))
		TH_LOG("MAP_PRIVATE with vmf_insert_pfn");
	ok.insert = MPF_INSERT_PAGE;
	ASSERT_EQ(0, config(fd, &ok));
	EXPECT_EQ(-EINVAL, try_mmap(fd, 2 * pg, MAP_PRIVATE, 0))
		TH_LOG("MAP_PRIVATE with vm_insert_page");
	EXPECT_EQ(0, try_mmap(fd, 2 * pg, MAP_SHARED, 0));
	close(fd);

	EXPECT_NO_LEAK(&before);
}

/* Room for one default-sized buffer on any granule. */
#define SLOT_STRIDE	(16ULL << 20)

/* One buffer of every kind, touched by the host and, through a memslot, a guest. */
TEST_RULE(kmod_no_leak, "PFNMAP-KMOD-02",
	  "every buffer of the test module is freed with its last mapping: after VMA "
	  "splits, COW copies, guest faults and KVM teardown the live counts are back")
{
	static const struct km_pfn_req reqs[] = {
		{ KM_SRC_KMOD, MPF_BACKING_RAM, MPF_PROT_CACHEABLE, MPF_INSERT_REMAP, 0 },
		{ KM_SRC_KMOD, MPF_BACKING_RAM, MPF_PROT_WC, MPF_INSERT_FAULT_PFN, 0 },
		{ KM_SRC_KMOD, MPF_BACKING_RAM, MPF_PROT_CACHEABLE, MPF_INSERT_PAGE, 0 },
		{ KM_SRC_KMOD, MPF_BACKING_RAM, MPF_PROT_CACHEABLE, MPF_INSERT_FAULT_MIXED, 0 },
		{ KM_SRC_KMOD, MPF_BACKING_NONLINEAR, MPF_PROT_DEVICE, MPF_INSERT_REMAP, 0 },
		{ KM_SRC_KMOD, MPF_BACKING_NONLINEAR, MPF_PROT_DEVICE, MPF_INSERT_REMAP, 0,
		  .priv = true },
		{ KM_SRC_KMOD, MPF_BACKING_NONLINEAR, MPF_PROT_WC, MPF_INSERT_FAULT_MIXED, 0 },
		{ KM_SRC_KMOD, MPF_BACKING_ZONE_DEVICE, MPF_PROT_CACHEABLE, MPF_INSERT_PAGE, 0 },
	};
	const u64 pg = km_env_page(&km_facts.env);
	struct km_pfn_map m[KM_ARRAY_SIZE(reqs)];
	struct mpf_info before, during;
	bool got[KM_ARRAY_SIZE(reqs)] = { 0 };
	unsigned int i, n = 0;
	struct km_agent a;
	char why[320];
	u64 pages = 0;

	REQUIRE_KMOD(&before);
	km_agent_init(&a, 0);
	for (i = 0; i < KM_ARRAY_SIZE(reqs); i++) {
		int r = km_pfn_get(&reqs[i], &m[i], why, sizeof(why));

		if (r == KM_PFN_UNAVAILABLE) {
			TH_LOG("not tried: %s", why);
			continue;
		}
		ASSERT_EQ(0, r) TH_LOG("%s", why);
		got[i] = true;
		n++;
		pages += m[i].size / pg;
		/* Host touch: faults in the fault-time kinds, copies a COW page. */
		if (!m[i].props.cow)
			km_pfn_write64(&m[i], pg, i);
		else
			*(volatile u64 *)(m[i].hva + pg) = i;
		/* A guest read through a memslot where KVM can map it. */
		if (!__km_set_memslot2(&a.vm, 1 + i, 0, KM_TEST_IPA + i * SLOT_STRIDE,
				       m[i].size, m[i].hva, -1, 0)) {
			struct km_exit x;

			km_agent_map(&a, KM_TEST_IPA + i * SLOT_STRIDE,
				     KM_TEST_IPA + i * SLOT_STRIDE, m[i].size, KM_ATTR_NORMAL_WB, 0);
			km_agent_reset(&a);
			km_agent_cmd(&a, KM_OP_LOAD, KM_TEST_IPA + i * SLOT_STRIDE + 2 * pg, 8, 0);
			km_agent_run(&a, &x);
			if (x.kind != KM_X_DONE) {
				/* A refused access wedges the vCPU: start a new VM. */
				km_agent_fini(&a);
				km_agent_init(&a, 0);
			}
		}
		/* Split the VMA: the module's open() must take a reference. */
		munmap(m[i].hva + m[i].size - pg, pg);
	}
	REQUIRE_KMOD(&during);
	TH_LOG("%u buffers of %llu pages alive while mapped (%llu buffers before)", n,
	       (unsigned long long)pages, (unsigned long long)before.live_buffers);
	EXPECT_EQ(before.live_buffers + n, during.live_buffers);
	EXPECT_EQ(before.live_pages + pages, during.live_pages);

	/* The fds go first: buffers live on in their (split) VMAs. */
	for (i = 0; i < KM_ARRAY_SIZE(reqs); i++)
		if (got[i] && m[i].fd[0] >= 0) {
			close(m[i].fd[0]);
			m[i].fd[0] = -1;
		}
	REQUIRE_KMOD(&during);
	EXPECT_EQ(before.live_buffers + n, during.live_buffers);

	km_agent_fini(&a);
	for (i = 0; i < KM_ARRAY_SIZE(reqs); i++)
		if (got[i]) {
			m[i].size -= pg;
			km_pfn_put(&m[i]);
		}
	EXPECT_NO_LEAK(&before);
}

TEST_RULE(kmod_facts, "PFNMAP-KMOD-03",
	  "the kernel's ID_AA64MMFR2_EL1.FWB, CTR_EL0.DIC and its FWB/DIC cpucaps agree with "
	  "the vCPU's and EL0's view the suite's expectations use")
{
	const struct km_facts *f = &km_facts;
	struct mpf_info in;

	REQUIRE_KMOD(&in);
	TH_LOG("kernel: ID_AA64MMFR2_EL1 raw %#llx sanitised %#llx; CTR_EL0 raw %#llx "
	       "sanitised %#llx; MIDR_EL1 %#llx; cpucaps STAGE2_FWB=%u CACHE_DIC=%u",
	       (unsigned long long)in.id_aa64mmfr2_raw,
	       (unsigned long long)in.id_aa64mmfr2_sanitised, (unsigned long long)in.ctr_el0_raw,
	       (unsigned long long)in.ctr_el0_sanitised, (unsigned long long)in.midr_raw,
	       in.cap_stage2_fwb, in.cap_cache_dic);
	TH_LOG("suite: vCPU ID_AA64MMFR2_EL1 %#llx (FWB=%u), EL0 CTR_EL0 %#llx (DIC=%u), vCPU "
	       "CTR_EL0 %#llx", (unsigned long long)f->id_aa64mmfr2, f->fwb,
	       (unsigned long long)f->ctr_el0, f->dic, (unsigned long long)f->ctr_vcpu);
	TH_LOG("memory outside the linear map: [%#llx, +%#llx), ZONE_DEVICE [%#llx, +%#llx) "
	       "(%s)", (unsigned long long)in.nonlinear_base,
	       (unsigned long long)in.nonlinear_size, (unsigned long long)in.zone_device_base,
	       (unsigned long long)in.zone_device_size, in.region_source);
	EXPECT_EQ(f->fwb, KM_FIELD(in.id_aa64mmfr2_sanitised, 43, 40));
	EXPECT_EQ(KM_FIELD(in.id_aa64mmfr2_raw, 43, 40),
		  KM_FIELD(in.id_aa64mmfr2_sanitised, 43, 40));
	EXPECT_EQ(f->fwb != 0, in.cap_stage2_fwb);
	EXPECT_EQ(f->dic, KM_FIELD(in.ctr_el0_sanitised, 29, 29));
	EXPECT_EQ(f->dic, KM_FIELD(in.ctr_el0_raw, 29, 29));
	EXPECT_EQ(f->dic, in.cap_cache_dic);
	EXPECT_EQ(KM_FIELD(f->ctr_vcpu, 29, 29), in.cap_cache_dic);
	/* The capability exists only with the cacheable-pfnmap contract. */
	if (f->cap_cpfn >= 0)
		EXPECT_EQ(km_env_has(&f->env, KM_C_CACHEABLE_PFNMAP) && in.cap_stage2_fwb &&
			  in.cap_cache_dic, f->cap_cpfn) TH_LOG("%s",
			  km_contract_why(KM_C_CACHEABLE_PFNMAP));
}

KM_RULE_DOC(pfnmap_kmod, "PFNMAP-KMOD-*",
	    "kmod/memattr_pfnmap.c (the suite's test module); KMOD-03: "
	    "arch/arm64/kernel/cpufeature.c ARM64_HAS_STAGE2_FWB, ARM64_HAS_CACHE_DIC",
	    "the test module loaded (make kmod)", "yes")
