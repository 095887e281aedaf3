/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The descriptor oracle: the stage-2 descriptors KVM installed for a VM, read
 * through the test module kmod/memattr_s2desc (/dev/memattr_s2desc) and
 * decoded per the Arm ARM (lib/oracle/s2desc.h), and the checks the tests share:
 * the descriptor against the expectation (exact MemAttr for the host's FWB,
 * S2AP, XN, SH, AF, contiguous, leaf size, output address), against the
 * tracer's leaf, against the memory types the guest's observations allow,
 * and the combined memory type of the guest's stage-1 attribute with it.
 *
 * Unavailable (the module is not loaded, protected KVM, KM_NO_S2DESC=1 in
 * the environment) is not a failure: the functions return false or -errno
 * with the reason, for the caller to SKIP with, or to note ("#") where the
 * case asserts other things.  Under protected KVM the reason is "pKVM:
 * stage-2 tables live in hypervisor memory".
 */
#ifndef KM_S2DESC_KMOD_H
#define KM_S2DESC_KMOD_H

#include "s2desc.h"
#include "s2trace.h"
#include "../../kmod/memattr_s2desc.h"

#define KM_S2DESC_PKVM_REASON	"pKVM: stage-2 tables live in hypervisor memory"

/* The module's MS2_IOC_INFO, read once per process; NULL if unavailable (why set). */
const struct ms2_info *km_s2desc_info(char *why, size_t len);

/* What a read says about the VM, beside its entries. */
struct km_s2desc_vm {
	struct km_s2d_ctx ctx;	/* as decoding used it */
	unsigned int ia_bits;
	int start_level;
	u64 vtcr;
	int hcr_fwb;		/* vCPU 0's HCR_EL2.FWB, -1 without a vCPU */
	unsigned int pgt_flags;
	double usecs;		/* wall time of the read and the decoding */
};

/*
 * Read and decode the n pages from ipa (page aligned) of the VM vm_fd into
 * d[0..n-1] (any n: split into MS2_MAX_PAGES calls).  0, or -errno with why.
 */
int km_s2desc_read(int vm_fd, u64 ipa, unsigned int n, struct km_s2desc *d,
		   struct km_s2desc_vm *vm, char *why, size_t len);

/* What KVM must have installed at one IPA. */
struct km_s2want {
	enum km_memtype mt;	/* KM_MT_NONE: nothing may be mapped */
	bool w;
	enum km_tri x;		/* KM_TRI_ANY: not checked */
	u64 size;		/* leaf size, 0: not checked */
	u64 pa;			/* the host physical address behind the IPA, 0: unknown */
	const char *src;	/* the rule's kernel source, for messages */
};

/*
 * Read the IPA's descriptor, print it ("# s2desc: ..."), check it against *w
 * with EXPECT_*() and return true; *d holds it, *vm what the read said (both
 * optional).  False when the oracle is unavailable, with why.
 */
bool km_s2desc_check(int vm_fd, u64 ipa, const struct km_s2want *w, struct km_s2desc *d,
		     struct km_s2desc_vm *vm, char *why, size_t len);

/* The tracer's leaf for the same IPA must be the descriptor's: type, W, X, size. */
void km_s2desc_vs_tracer(const struct km_s2desc *d, const struct km_s2map *map);

/*
 * After a case's stage-2 checks: whether an oracle ran them.  True when the
 * tracer (traced) or the descriptor reader (desc) did, the other's absence
 * logged with its reason; false when neither could, with why in buf for the
 * case's SKIP, since its stage-2 assertions were not made.
 */
bool km_s2_oracle_ran(bool traced, const char *tracer_why, bool desc, const char *desc_why,
		      char *buf, size_t len);

/*
 * The memory types the guest's observations allow (km_infer_memtypes(), a
 * KM_MT_BIT() set) must include the descriptor's; saw describes them.
 */
void km_s2desc_vs_guest(const struct km_s2desc *d, unsigned int consistent, const char *saw);

/*
 * The combined memory type of stage-1 attribute s1attr (KM_ATTR_*) and the
 * installed descriptor, printed, and required to be the one the expected
 * MemAttr (want_mt for the host's FWB) gives.  Returns the guest outcomes
 * that combined type allows for acc (km_effective_outcomes()).
 */
unsigned int km_s2desc_effective(const struct km_s2desc *d, unsigned int s1attr,
				 enum km_memtype want_mt, bool fwb, enum km_access acc);

#endif /* KM_S2DESC_KMOD_H */
