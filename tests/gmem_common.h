/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the guest_memfd test files (tests/gmem_*.c): the prerequisites,
 * each a SKIP naming the raw capability value, and the test memory layout.
 */
#ifndef KM_TESTS_GMEM_COMMON_H
#define KM_TESTS_GMEM_COMMON_H

#include "agent_abi.h"
#include "facts.h"
#include "gmem.h"
#include "harness.h"
#include "procfs.h"

/* Test memslots: clear of the agent (0x3f000000-0x40200000). */
#define GMEM_SLOT	1
#define GMEM_IPA	KM_TEST_IPA
#define GMEM_SLOT2	2
#define GMEM_IPA2	0x90000000ULL

#define GMEM_SHARED	(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

/* guest_memfd is absent from arm64 before 6.18 (KVM_CAP_GUEST_MEMFD=0 on 6.12). */
#define REQUIRE_GMEM()								\
	KM_REQUIRE(km_facts.cap_gmem > 0, "guest_memfd absent: KVM_CAP_GUEST_MEMFD=%d",	\
		   km_facts.cap_gmem)

/* The creation flags a case uses must be advertised. */
#define REQUIRE_GMEM_FLAGS(want)						\
	do {									\
		u64 __want = (want);						\
										\
		REQUIRE_GMEM();							\
		if (km_facts.cap_gmem_flags < 0 ||				\
		    ((u64)km_facts.cap_gmem_flags & __want) != __want)		\
			SKIP(return, "guest_memfd flags 0x%llx not advertised: "	\
			     "KVM_CAP_GUEST_MEMFD_FLAGS=0x%x",			\
			     (unsigned long long)__want, km_facts.cap_gmem_flags); \
	} while (0)

/* A VM of the default IPA size and a guest_memfd of size bytes on it; the fd. */
static inline int gmem_vm_create(struct km_vm *vm, u64 size, u64 flags)
{
	km_vm_create(vm, KM_DEFAULT_IPA_BITS);
	return km_gmem_create(vm, size, flags);
}

static inline u64 gmem_pattern(u64 i)
{
	return 0x6a6d656d00000000ULL ^ (i * 0x9e3779b97f4a7c15ULL);
}

#endif /* KM_TESTS_GMEM_COMMON_H */
