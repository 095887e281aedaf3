// SPDX-License-Identifier: GPL-2.0
/*
 * The size, alignment and address checks of KVM_SET_USER_MEMORY_REGION(2)
 * (SPEC 1.1 rows 3 and 9), each at its exact edge: the last valid value is
 * accepted, and one page (or one byte, where the unit is a byte) beyond it is
 * refused with the errno the kernel's source gives.  A value far out of range
 * proves little: a check off by one page passes it.
 *
 * Sources (the same in Linux 6.1, 6.12 and 7.3):
 *   - virt/kvm/kvm_main.c:kvm_set_memory_region (6.1: __kvm_set_memory_region):
 *     memory_size, guest_phys_addr and userspace_addr page aligned, gpa + size
 *     not wrapping 2^64, at most KVM_MEM_MAX_NR_PAGES = 2^31 - 1 pages, slot id
 *     below KVM_MEM_SLOTS_NUM, address space 0: else -EINVAL;
 *   - arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region: base_gfn + npages
 *     beyond kvm_phys_size() (the VM's IPA size) on CREATE, MOVE and
 *     FLAGS_ONLY: -EFAULT;
 *   - arch/arm64/kvm/mmu.c:kvm_init_ipa_range (6.1: reset.c:kvm_arm_setup_stage2):
 *     the IPA size in the KVM_CREATE_VM type must lie in [32, the IPA limit];
 *     under protected KVM (6.12, 7.3) every VM gets the limit, whatever it asked.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agent_abi.h"
#include "harness.h"
#include "facts.h"
#include "memslot.h"

#define EDGE_SLOT	1
#define LOW_GPA		KM_TEST_IPA	/* inside the smallest IPA space (32 bits) */
#define PARK_GPA	0x10000000ULL	/* where a slot that is moved starts */
#define MIN_IPA_BITS	32		/* ARM64_MIN_PARANGE_BITS */
/* include/linux/kvm_host.h, 6.1 to 7.3. */
#define MEM_MAX_NR_PAGES ((1ULL << 31) - 1)

/* The VM's IPA size as KVM applies it: protected KVM ignores the request. */
static unsigned int effective_ipa_bits(unsigned int asked)
{
	if (km_facts.env.mode == KM_MODE_PROTECTED)
		return km_facts.ipa_limit;
	return asked;
}

static const char *errname(int neg)
{
	return neg ? strerror(-neg) : "success";
}

/* ---- one slot at an edge ---- */
enum gpa_base {
	AT_LOW,		/* LOW_GPA */
	AT_IPA_END,	/* 2^(the VM's IPA bits) */
	AT_U64_END,	/* 2^64 */
};

FIXTURE(memslot_edge) {
	struct km_slot_vm s;
};

FIXTURE_VARIANT(memslot_edge) {
	KM_VARIANT_RULE;
	unsigned int ipa_bits;		/* the VM's; 0: KM_DEFAULT_IPA_BITS */
	enum gpa_base base;
	long long gpa_pages, gpa_bytes;	/* gpa = base + pages * PAGE_SIZE + bytes */
	long long size_pages, size_bytes;
	long long hva_bytes;		/* added to a page-aligned userspace_addr */
	bool move;			/* create at PARK_GPA, then move the slot to gpa */
	int want;			/* errno, 0: accepted */
};

#define EDGE(name, r, s, ...)							\
	FIXTURE_VARIANT_ADD(memslot_edge, name) {				\
		.rule = r, .summary = s, __VA_ARGS__				\
	}

/* memory_size: kvm_set_memory_region, `memory_size & (PAGE_SIZE - 1)`. */
EDGE(size_one_page, "MEMSLOT-SIZE-01",
     "memory_size must be page aligned: a memslot of exactly one page is accepted",
     .size_pages = 1);
EDGE(size_page_plus_byte, "MEMSLOT-SIZE-01",
     "a memslot one byte longer than a page fails EINVAL",
     .size_pages = 1, .size_bytes = 1, .want = EINVAL);
EDGE(size_page_minus_byte, "MEMSLOT-SIZE-01",
     "a memslot one byte shorter than a page fails EINVAL",
     .size_pages = 1, .size_bytes = -1, .want = EINVAL);
EDGE(size_pages_plus_byte, "MEMSLOT-SIZE-01",
     "a memslot one byte longer than 16 pages fails EINVAL",
     .size_pages = 16, .size_bytes = 1, .want = EINVAL);

/* guest_phys_addr: `guest_phys_addr & (PAGE_SIZE - 1)`. */
EDGE(gpa_aligned, "MEMSLOT-GPA-01",
     "guest_phys_addr must be page aligned: a page-aligned one is accepted",
     .gpa_pages = 1, .size_pages = 1);
EDGE(gpa_plus_byte, "MEMSLOT-GPA-01",
     "a guest_phys_addr one byte past a page boundary fails EINVAL",
     .gpa_pages = 1, .gpa_bytes = 1, .size_pages = 1, .want = EINVAL);
EDGE(gpa_minus_byte, "MEMSLOT-GPA-01",
     "a guest_phys_addr one byte before a page boundary fails EINVAL",
     .gpa_pages = 1, .gpa_bytes = -1, .size_pages = 1, .want = EINVAL);

/* userspace_addr: `userspace_addr & (PAGE_SIZE - 1)`. */
EDGE(hva_aligned, "MEMSLOT-HVA-01",
     "userspace_addr must be page aligned: a page-aligned one is accepted",
     .size_pages = 1);
EDGE(hva_plus_byte, "MEMSLOT-HVA-01",
     "a userspace_addr one byte past a page boundary fails EINVAL",
     .size_pages = 1, .hva_bytes = 1, .want = EINVAL);
EDGE(hva_minus_byte, "MEMSLOT-HVA-01",
     "a userspace_addr one byte before a page boundary fails EINVAL",
     .size_pages = 1, .hva_bytes = -1, .want = EINVAL);

/*
 * The end of the IPA space: kvm_arch_prepare_memory_region,
 * `base_gfn + npages > kvm_phys_size >> PAGE_SHIFT` is -EFAULT (6.1, 6.12,
 * 7.3), for a new slot and for a moved one.
 */
#define IPA_EDGES(b)								\
EDGE(ipa##b##_ends_at_end, "MEMSLOT-IPA-01",					\
     "a memslot must end within the VM's IPA space: one ending exactly at 2^" #b	\
     " is accepted on a " #b "-bit IPA VM",	\
     .ipa_bits = b, .base = AT_IPA_END, .gpa_pages = -2, .size_pages = 2);	\
EDGE(ipa##b##_page_beyond, "MEMSLOT-IPA-01",					\
     "a memslot ending one page beyond 2^" #b " fails EFAULT on a " #b "-bit IPA VM", \
     .ipa_bits = b, .base = AT_IPA_END, .gpa_pages = -1, .size_pages = 2,	\
     .want = EFAULT);								\
EDGE(ipa##b##_starts_at_end, "MEMSLOT-IPA-01",				\
     "a memslot starting at 2^" #b " fails EFAULT on a " #b "-bit IPA VM",	\
     .ipa_bits = b, .base = AT_IPA_END, .size_pages = 1, .want = EFAULT);	\
EDGE(ipa##b##_move_to_end, "MEMSLOT-IPA-02",					\
     "a moved memslot must end within the IPA space: moving one to end exactly at 2^" \
     #b " is accepted",	\
     .ipa_bits = b, .base = AT_IPA_END, .gpa_pages = -2, .size_pages = 2,	\
     .move = true);								\
EDGE(ipa##b##_move_beyond, "MEMSLOT-IPA-02",					\
     "moving a memslot so that it ends one page beyond 2^" #b " fails EFAULT",	\
     .ipa_bits = b, .base = AT_IPA_END, .gpa_pages = -1, .size_pages = 2,	\
     .move = true, .want = EFAULT)
IPA_EDGES(32);
IPA_EDGES(40);

/*
 * gpa + size wrapping 2^64 is the generic EINVAL, checked before the
 * architecture's EFAULT: the last slot that does not wrap gets the arch's
 * answer, the first one that does gets EINVAL.
 */
EDGE(u64_last_page, "MEMSLOT-GPA-02",
     "gpa + size must not wrap 2^64 (EINVAL, checked before the IPA space's EFAULT): a "
     "memslot ending exactly at 2^64 fails EINVAL",
     .base = AT_U64_END, .gpa_pages = -1, .size_pages = 1, .want = EINVAL);
EDGE(u64_below_last_page, "MEMSLOT-GPA-02",
     "a memslot ending one page below 2^64 (no wrap) fails EFAULT: beyond the IPA space",
     .base = AT_U64_END, .gpa_pages = -2, .size_pages = 1, .want = EFAULT);

FIXTURE_SETUP(memslot_edge)
{
	long long pg = km_facts.env.page_size;
	unsigned int bits = variant->ipa_bits ? variant->ipa_bits : KM_DEFAULT_IPA_BITS;

	if ((int)bits > km_facts.ipa_limit)
		SKIP(return, "the VM needs a %u-bit IPA space: KVM_CAP_ARM_VM_IPA_SIZE=%d", bits,
		     km_facts.ipa_limit);
	/* Room for the slot and for a userspace_addr shifted either way. */
	km_slot_vm_create(&self->s, bits, (variant->size_pages + 3) * pg);
}

FIXTURE_TEARDOWN(memslot_edge)
{
	km_slot_vm_destroy(&self->s);
}

TEST_F(memslot_edge, set)
{
	long long pg = km_facts.env.page_size;
	unsigned int asked = variant->ipa_bits ? variant->ipa_bits : KM_DEFAULT_IPA_BITS;
	unsigned int bits = effective_ipa_bits(asked);
	u64 size = variant->size_pages * pg + variant->size_bytes;
	u8 *hva = self->s.mem + pg + variant->hva_bytes;
	u64 base, gpa;
	int r;

	switch (variant->base) {
	case AT_LOW: base = LOW_GPA; break;
	case AT_IPA_END: base = 1ULL << bits; break;
	default: base = 0; break;	/* 2^64, modulo 2^64 */
	}
	gpa = base + (u64)(variant->gpa_pages * pg) + (u64)variant->gpa_bytes;
	if (bits != asked)
		TH_LOG("protected KVM: the VM asked for a %u-bit IPA space and has %u bits", asked,
		       bits);
	if (variant->move) {
		r = __km_set_memslot2(&self->s.vm, EDGE_SLOT, 0, PARK_GPA, size, hva, -1, 0);
		ASSERT_EQ(0, r) TH_LOG("creating the slot to move at 0x%llx: %s", PARK_GPA,
				       errname(r));
	}
	r = __km_set_memslot2(&self->s.vm, EDGE_SLOT, 0, gpa, size, hva, -1, 0);
	TH_LOG("%u-bit IPA VM: %s gpa 0x%llx size 0x%llx (end 0x%llx) userspace_addr %p: %s",
	       bits, variant->move ? "move to" : "create at", gpa, size, gpa + size, hva,
	       errname(r));
	EXPECT_EQ(-variant->want, r) TH_LOG("expected %s", errname(-variant->want));
	if (variant->move && r)
		EXPECT_EQ(0, __km_delete_memslot(&self->s.vm, EDGE_SLOT))
			TH_LOG("the refused move left no slot to delete");
}

/*
 * KVM_MEM_MAX_NR_PAGES: the largest slot is 2^31 - 1 pages (8 TiB - 4 KiB with
 * 4 KiB pages); one page more fails EINVAL.  The userspace range is reserved
 * PROT_NONE (a memslot does not need the memory to exist), the VM's IPA space
 * just holds the slot.
 */
TEST_RULE(max_nr_pages, "MEMSLOT-NPAGES-01",
	  "a memslot of KVM_MEM_MAX_NR_PAGES (2^31 - 1) pages is accepted; one page more "
	  "fails EINVAL")
{
	u64 pg = km_facts.env.page_size;
	u64 max = MEM_MAX_NR_PAGES * pg, reserve = max + pg;
	unsigned int bits = 0;
	struct km_vm vm;
	void *hva;
	int r;

	while (bits < 64 && (1ULL << bits) < max)
		bits++;
	if ((int)bits > km_facts.ipa_limit)
		SKIP(return, "a %llu-byte slot needs a %u-bit IPA space: KVM_CAP_ARM_VM_IPA_SIZE=%d",
		     max, bits, km_facts.ipa_limit);
	hva = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hva == MAP_FAILED)
		SKIP(return, "cannot reserve %llu bytes of address space: %s", reserve,
		     strerror(errno));
	km_vm_create(&vm, bits);
	r = __km_set_memslot2(&vm, EDGE_SLOT, 0, 0, max, hva, -1, 0);
	TH_LOG("%u-bit IPA VM, %llu pages (0x%llx bytes) at gpa 0: %s", effective_ipa_bits(bits),
	       MEM_MAX_NR_PAGES, max, errname(r));
	EXPECT_EQ(0, r);
	if (!r)
		EXPECT_EQ(0, __km_delete_memslot(&vm, EDGE_SLOT));
	r = __km_set_memslot2(&vm, EDGE_SLOT, 0, 0, reserve, hva, -1, 0);
	TH_LOG("%llu pages (0x%llx bytes): %s", MEM_MAX_NR_PAGES + 1, reserve, errname(r));
	EXPECT_EQ(-EINVAL, r);
	km_vm_destroy(&vm);
	munmap(hva, reserve);
}

/*
 * Slot ids: `id >= KVM_MEM_SLOTS_NUM` and an address space other than 0
 * (arm64 has one) fail EINVAL; KVM_CAP_NR_MEMSLOTS is KVM_USER_MEM_SLOTS, which
 * on arm64 (no internal slots) is KVM_MEM_SLOTS_NUM.
 */
TEST_RULE(slot_id, "MEMSLOT-ID-01",
	  "slot id KVM_CAP_NR_MEMSLOTS - 1 is accepted; KVM_CAP_NR_MEMSLOTS and address "
	  "space 1 fail EINVAL")
{
	long long pg = km_facts.env.page_size;
	struct km_vm vm;
	int n, r;
	u8 *mem;

	km_vm_create(&vm, KM_DEFAULT_IPA_BITS);
	mem = km_mmap_anon(pg);
	n = km_check_cap(vm.fd, KVM_CAP_NR_MEMSLOTS);
	TH_LOG("KVM_CAP_NR_MEMSLOTS=%d", n);
	ASSERT_GT(n, 1);
	r = __km_set_memslot2(&vm, n - 1, 0, LOW_GPA, pg, mem, -1, 0);
	EXPECT_EQ(0, r) TH_LOG("slot %d: %s", n - 1, errname(r));
	if (!r)
		EXPECT_EQ(0, __km_delete_memslot(&vm, n - 1));
	r = __km_set_memslot2(&vm, n, 0, LOW_GPA, pg, mem, -1, 0);
	EXPECT_EQ(-EINVAL, r) TH_LOG("slot %d: %s", n, errname(r));
	r = __km_set_memslot2(&vm, (1U << 16) | EDGE_SLOT, 0, LOW_GPA, pg, mem, -1, 0);
	EXPECT_EQ(-EINVAL, r) TH_LOG("address space 1, slot %d: %s", EDGE_SLOT, errname(r));
	munmap(mem, pg);
	km_vm_destroy(&vm);
}

/* ---- the VM's IPA size in the KVM_CREATE_VM type ---- */
enum ipa_req { IPA_LIMIT, IPA_LIMIT_PLUS_1, IPA_MIN, IPA_MIN_MINUS_1 };

FIXTURE(vm_ipa) {
	struct km_vm vm;
};

FIXTURE_VARIANT(vm_ipa) {
	KM_VARIANT_RULE;
	enum ipa_req req;
	int want;
};

FIXTURE_VARIANT_ADD(vm_ipa, limit) {
	.rule = "MEMSLOT-VMIPA-01",
	.summary = "the IPA size in the KVM_CREATE_VM type must lie in [32, "
		   "KVM_CAP_ARM_VM_IPA_SIZE]: the limit is accepted",
	.req = IPA_LIMIT,
};
FIXTURE_VARIANT_ADD(vm_ipa, limit_plus_1) {
	.rule = "MEMSLOT-VMIPA-01",
	.summary = "KVM_CREATE_VM with an IPA size one bit above KVM_CAP_ARM_VM_IPA_SIZE "
		   "fails EINVAL",
	.req = IPA_LIMIT_PLUS_1, .want = EINVAL,
};
FIXTURE_VARIANT_ADD(vm_ipa, min) {
	.rule = "MEMSLOT-VMIPA-01",
	.summary = "KVM_CREATE_VM with a 32-bit IPA size (the minimum) is accepted",
	.req = IPA_MIN,
};
FIXTURE_VARIANT_ADD(vm_ipa, min_minus_1) {
	.rule = "MEMSLOT-VMIPA-01",
	.summary = "KVM_CREATE_VM with a 31-bit IPA size fails EINVAL",
	.req = IPA_MIN_MINUS_1, .want = EINVAL,
};

FIXTURE_SETUP(vm_ipa)
{
	self->vm.fd = self->vm.kvm_fd = -1;
	if (km_facts.env.mode == KM_MODE_PROTECTED)
		SKIP(return, "protected KVM gives every VM the IPA limit (%d bits) whatever the "
		     "type asks (kvm_init_ipa_range)", km_facts.ipa_limit);
}

FIXTURE_TEARDOWN(vm_ipa)
{
	km_vm_destroy(&self->vm);
}

/*
 * Destroying a VM walks its whole IPA space in steps of the smallest stage-2
 * block (mmu.c:stage2_destroy_range): 2^22 steps for 52 bits at 4 KiB, but
 * 2^27 at 16 KiB (32 MiB blocks), which took 108 s under TCG.
 */
TEST_F_TIMEOUT(vm_ipa, create, 300)
{
	unsigned int bits = 0;
	int r;

	switch (variant->req) {
	case IPA_LIMIT: bits = km_facts.ipa_limit; break;
	case IPA_LIMIT_PLUS_1: bits = km_facts.ipa_limit + 1; break;
	case IPA_MIN: bits = MIN_IPA_BITS; break;
	case IPA_MIN_MINUS_1: bits = MIN_IPA_BITS - 1; break;
	}
	ASSERT_GE(km_facts.ipa_limit, MIN_IPA_BITS);
	r = __km_vm_create(&self->vm, bits);
	TH_LOG("KVM_CAP_ARM_VM_IPA_SIZE=%d, KVM_CREATE_VM(KVM_VM_TYPE_ARM_IPA_SIZE(%u)): %s",
	       km_facts.ipa_limit, bits, errname(r));
	EXPECT_EQ(-variant->want, r);
	if (r)
		return;
	/* The VM has that size: a page at its very top is accepted, the next refused. */
	{
		long long pg = km_facts.env.page_size;
		u8 *mem = km_mmap_anon(pg);
		u64 top = 1ULL << bits;

		EXPECT_EQ(0, __km_set_memslot2(&self->vm, EDGE_SLOT, 0, top - pg, pg, mem, -1, 0))
			TH_LOG("the last page below 2^%u", bits);
		EXPECT_EQ(-EFAULT, __km_set_memslot2(&self->vm, EDGE_SLOT + 1, 0, top, pg, mem,
						     -1, 0))
			TH_LOG("the first page at 2^%u", bits);
		munmap(mem, pg);
	}
}

KM_RULE_DOC(memslot_size, "MEMSLOT-SIZE-01",
	    "kvm_main.c:kvm_set_memory_region (memory_size & (PAGE_SIZE - 1))", "-", "yes")
KM_RULE_DOC(memslot_gpa, "MEMSLOT-GPA-*",
	    "kvm_main.c:kvm_set_memory_region (guest_phys_addr alignment; gpa + size wrap), "
	    "mmu.c:kvm_arch_prepare_memory_region (EFAULT beyond the IPA space)", "-", "yes")
KM_RULE_DOC(memslot_hva, "MEMSLOT-HVA-01",
	    "kvm_main.c:kvm_set_memory_region (userspace_addr alignment)", "-", "yes")
KM_RULE_DOC(memslot_ipa, "MEMSLOT-IPA-*",
	    "mmu.c:kvm_arch_prepare_memory_region (base_gfn + npages > kvm_phys_size: EFAULT, "
	    "on CREATE and MOVE; the same in 6.1, 6.12, 7.3)",
	    "KVM_CAP_ARM_VM_IPA_SIZE >= the case's IPA size", "yes")
KM_RULE_DOC(memslot_npages, "MEMSLOT-NPAGES-01",
	    "kvm_main.c:kvm_set_memory_region (KVM_MEM_MAX_NR_PAGES)",
	    "an IPA limit that holds 2^31 - 1 pages (43 bits at 4 KiB)", "yes")
KM_RULE_DOC(memslot_id, "MEMSLOT-ID-01",
	    "kvm_main.c:kvm_set_memory_region (KVM_MEM_SLOTS_NUM, address spaces), "
	    "kvm_vm_ioctl_check_extension_generic (KVM_CAP_NR_MEMSLOTS)", "-", "yes")
KM_RULE_DOC(memslot_vmipa, "MEMSLOT-VMIPA-01",
	    "mmu.c:kvm_init_ipa_range (6.1: reset.c:kvm_arm_setup_stage2), "
	    "mmu.c:kvm_arch_prepare_memory_region",
	    "not protected KVM (which gives every VM the limit)", "yes")
