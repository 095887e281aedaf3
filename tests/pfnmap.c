// SPDX-License-Identifier: GPL-2.0
/*
 * VM_PFNMAP / VM_MIXEDMAP memslots: one case per row of the SPEC master
 * table (1.2: P1, P1', P2, P3, P3', P4, P5, M1, M2, M3, C1, X1) and per
 * memslot rule 12-15 of 1.1, over the test module (kmod/) and real drivers.
 *
 * Every case builds the VMA its row describes (lib/mem/pfnmap.c), computes what
 * KVM must do from the VMA's measured properties and the host facts with
 * km_pfn_expect() (lib/expect/pfnmap_expect.c, the only place the rules live), and
 * checks it against KVM:
 *   - KVM_SET_USER_MEMORY_REGION2: 0 or EINVAL
 *     (arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region);
 *   - a guest load: the data of the very pfn behind the hva, or KVM_RUN
 *     EFAULT (hva_to_pfn, kvm_s2_fault_pin_pfn);
 *   - a guest store: the host sees it, or KVM_RUN EFAULT (COW);
 *   - the stage-2 memory type through what the guest can see of it
 *     (kvm_s2_fault_compute_prot): an instruction fetch runs on Normal and
 *     takes an injected SEA instruction abort (EC 0x21, FSC 0x10) on
 *     Normal-NC and Device; an unaligned load completes on Normal and
 *     Normal-NC and fails KVM_RUN with EFAULT on Device (stage-2 alignment
 *     fault, "Unsupported FSC" in kvm_handle_guest_abort);
 *   - the stage-2 mapping itself through the tracer oracle (lib/oracle/s2trace.h):
 *     memory type, W, X and leaf size after the guest's accesses, against
 *     km_pfn_expect(); and that the memory types the guest's observations
 *     allow (km_infer_memtypes()) include the traced one: both oracles
 *     agree;
 *   - the descriptor KVM installed (lib/oracle/s2desc_kmod.c, kmod/memattr_s2desc):
 *     the exact MemAttr for the host's FWB, S2AP, XN, SH, AF, leaf size and
 *     output address (the pfn behind the hva where it is known), against
 *     km_pfn_expect(), the tracer's leaf and the guest's observations.
 *   Where the tracer or the descriptor reader is unavailable only its
 *   assertions are left out, with the reason logged; the row still stands
 *   on the guest's.
 * The guest's own stage 1 is Normal write-back and executable throughout,
 * so what it sees is stage 2's doing.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"
#include "agent.h"
#include "expect.h"
#include "facts.h"
#include "memslot.h"
#include "pfnmap.h"
#include "s2desc_kmod.h"
#include "s2trace.h"

#define SLOT		1
#define IPA		KM_TEST_IPA
#define VA		IPA

/* Where in the first page each probe goes. */
#define OFF_LOAD	0x100
#define OFF_STORE	0x200
#define OFF_CODE	0x300
#define OFF_UNALIGNED	0x400

#define PATTERN		0x0123456789abcdefULL
#define STORED		0xfeedfacecafef00dULL
#define UNAL_LO		0x1122334455667788ULL
#define UNAL_HI		0x99aabbccddeeff00ULL
#define RET_IMM		0x4b4d

/* The master table's "host features" column. */
/*
 * Which hosts a row is for: any; with the cacheable-pfnmap contract (Linux
 * 6.17) and FWB && DIC, or without FWB && DIC; or a kernel without that
 * contract (its older rule, where no memslot is refused for cacheability).
 */
enum host_req { HOST_ANY, HOST_CPFN, HOST_NO_CPFN, HOST_OLD_CPFN };

#define KMOD_PRIV(b, p, i, f) { .src = KM_SRC_KMOD, .backing = MPF_BACKING_##b, \
				.prot = MPF_PROT_##p, .insert = MPF_INSERT_##i, .flags = f, \
				.priv = true }
#define SRC(s) { .src = KM_SRC_##s }
#define ALLOW MPF_F_ALLOW_ANY_UNCACHED

static const struct km_pfn_req nonlinear_cacheable = KM_PFN_KMOD(NONLINEAR, CACHEABLE, REMAP, 0);

/* NULL if the row applies to this host, else why not (for a SKIP). */
static const char *host_mismatch(enum host_req r, char *buf, size_t len)
{
	bool cpfn = km_facts.env.fwb && km_facts.env.dic;
	bool gate = km_env_has(&km_facts.env, KM_C_CACHEABLE_PFNMAP);

	if (r == HOST_OLD_CPFN && gate)
		snprintf(buf, len, "the older rule of kernels without the cacheable-pfnmap "
			 "contract; this one has it (%s)", km_contract_why(KM_C_CACHEABLE_PFNMAP));
	else if ((r == HOST_CPFN || r == HOST_NO_CPFN) && !gate)
		snprintf(buf, len, "kernel %s has no cacheable-pfnmap contract (%s): the P1O/P3O "
			 "rows assert its older rule", km_facts.release,
			 km_contract_why(KM_C_CACHEABLE_PFNMAP));
	else if (r == HOST_CPFN && !cpfn)
		snprintf(buf, len, "row needs FEAT_S2FWB and CTR_EL0.DIC: ID_AA64MMFR2_EL1.FWB=%u "
			 "CTR_EL0.DIC=%u (the refusal row covers this host)", km_facts.fwb,
			 km_facts.dic);
	else if (r == HOST_NO_CPFN && cpfn)
		snprintf(buf, len, "row is for hosts without FEAT_S2FWB && CTR_EL0.DIC: "
			 "ID_AA64MMFR2_EL1.FWB=%u CTR_EL0.DIC=%u", km_facts.fwb, km_facts.dic);
	else
		return NULL;
	return buf;
}

static void log_mapping(const struct km_pfn_map *m)
{
	const struct km_pfn_props *p = &m->props;

	TH_LOG("%s", m->what);
	if (p->novma) {
		TH_LOG("VMA: none");
		return;
	}
	TH_LOG("VMA:%s%s%s%s %s%s; pfn %s%#llx, %s System RAM%s", p->pfnmap ? " VM_PFNMAP" : "",
	       p->mixedmap ? " VM_MIXEDMAP" : "", p->io ? " VM_IO" : "",
	       p->allow_any_uncached ? " VM_ALLOW_ANY_UNCACHED" : "",
	       p->cacheable ? "cacheable" : "non-cacheable", p->cow ? ", copy-on-write" : "",
	       m->phys_known ? "" : "unseen ", (unsigned long long)m->phys >> 12,
	       p->ram ? "in" : "outside",
	       m->phys_known ? "" : " (per the driver: pagemap skips VM_PFNMAP)");
}

static void log_expect(const struct km_pfn_expect *e)
{
	char b[32];

	km_log_contracts(e->contracts);
	TH_LOG("expect: memslot %d (%s); load %d, store %d (%s); stage 2 %s%s%s, %s: fetch %s, "
	       "unaligned load %s", e->memslot, e->memslot_why, e->read, e->write, e->fault_why,
	       km_s2type_str(e->s2), e->s2_w_read ? " W" : e->s2_writable ? " W on write" : "",
	       e->s2_x_eager ? " X" : e->exec ? " X on exec" : "",
	       km_size_str(e->s2_size, b, sizeof(b)), e->exec ? "runs" : "SEA IABT",
	       e->unaligned ? "completes" : "KVM_RUN EFAULT");
}

/* What probe_guest() saw: the guest-visible oracle's input. */
struct probe_obs {
	bool loaded;		/* the load completed */
	bool stored;		/* the store completed */
	bool fetched;		/* the fetch ran, or took its abort */
	enum km_outcome fetch, unaligned;
	bool unaligned_done;	/* the unaligned load was tried */
};

/* Run one command; returns the exit. */
static struct km_cmd *run1(struct km_agent *a, struct km_exit *x, u32 op, u64 va, u32 size,
			   u64 value)
{
	struct km_cmd *c;

	km_agent_reset(a);
	c = km_agent_cmd(a, op, va, size, value);
	km_agent_run(a, x);
	return c;
}

#define ASSERT_RUN_FAILS(x, neg_errno, what)					\
	do {									\
		char __b[160];							\
		ASSERT_EQ(KM_X_ERROR, (x)->kind)				\
			TH_LOG("%s: wanted KVM_RUN to fail %s, got %s", what,	\
			       strerror(-(neg_errno)),				\
			       km_exit_describe(x, __b, sizeof(__b)));		\
		ASSERT_EQ(-(neg_errno), (x)->err);				\
	} while (0)

#define ASSERT_RUN_DONE(x, what)						\
	do {									\
		char __b[160];							\
		ASSERT_EQ(KM_X_DONE, (x)->kind)					\
			TH_LOG("%s: %s", what, km_exit_describe(x, __b, sizeof(__b))); \
	} while (0)

/*
 * The guest-visible half of a row: load, store, fetch, unaligned load, each
 * in its own KVM_RUN, stopping at the first one KVM refuses.
 */
static void probe_guest(struct km_agent *a, struct km_pfn_map *m, const struct km_pfn_expect *e,
			u64 want_load, bool have_code, struct probe_obs *o)
{
	struct km_cmd *c;
	struct km_exit x;

	memset(o, 0, sizeof(*o));
	c = run1(a, &x, KM_OP_LOAD, VA + OFF_LOAD, 8, 0);
	if (e->read) {
		ASSERT_RUN_FAILS(&x, e->read, "guest load");
		return;
	}
	ASSERT_RUN_DONE(&x, "guest load");
	ASSERT_EQ(0, c->flags & KM_CMD_F_EXC) TH_LOG("load faulted: ESR %#llx", c->esr);
	EXPECT_EQ(want_load, c->result) TH_LOG("the guest does not see the host's data");
	o->loaded = true;

	km_agent_reset(a);
	c = km_agent_cmd(a, KM_OP_STORE, VA + OFF_STORE, 8, STORED);
	/*
	 * A non-cacheable host mapping of memory the guest gets as Normal
	 * (rows P2, M1, C1 over RAM) is a mismatched-attribute alias: the
	 * guest cleans its line so that the host's uncached read sees it.
	 */
	if (!m->props.cacheable && e->s2 == KM_S2_NORMAL)
		km_agent_cmd(a, KM_OP_DC_CIVAC, VA + OFF_STORE, 8, 0);
	km_agent_run(a, &x);
	if (e->write) {
		ASSERT_RUN_FAILS(&x, e->write, "guest store");
		return;
	}
	ASSERT_RUN_DONE(&x, "guest store");
	ASSERT_EQ(0, c->flags & KM_CMD_F_EXC) TH_LOG("store faulted: ESR %#llx", c->esr);
	EXPECT_EQ(STORED, km_pfn_read64(m, OFF_STORE)) TH_LOG("the host does not see the store");
	o->stored = true;

	if (have_code) {
		c = run1(a, &x, KM_OP_EXEC, VA + OFF_CODE, 0, 0);
		ASSERT_RUN_DONE(&x, "guest fetch");
		o->fetched = true;
		o->fetch = km_outcome_classify(0, c->flags & KM_CMD_F_EXC, c->esr);
		if (e->exec) {
			ASSERT_EQ(0, c->flags & KM_CMD_F_EXC)
				TH_LOG("fetch from stage-2 %s faulted: ESR %#llx FAR %#llx",
				       km_s2type_str(e->s2), c->esr, c->far);
			EXPECT_EQ(RET_IMM, c->result);
		} else {
			ASSERT_NE(0, c->flags & KM_CMD_F_EXC)
				TH_LOG("fetch from stage-2 %s ran (x0=%#llx): no SEA injected",
				       km_s2type_str(e->s2), c->result);
			EXPECT_EQ(KM_EC_IABT_CUR, km_esr_ec(c->esr)) TH_LOG("ESR %#llx", c->esr);
			EXPECT_EQ(KM_FSC_EXTABT, km_esr_fsc(c->esr)) TH_LOG("ESR %#llx", c->esr);
			EXPECT_EQ(VA + OFF_CODE, c->far);
		}
	}

	c = run1(a, &x, KM_OP_LOAD, VA + OFF_UNALIGNED + 1, 8, 0);
	o->unaligned_done = true;
	o->unaligned = km_outcome_classify(x.kind == KM_X_ERROR ? x.err : 0,
					   x.kind == KM_X_DONE && (c->flags & KM_CMD_F_EXC),
					   c->esr);
	if (!e->unaligned) {
		/* QEMU >= 9.0 raises it under TCG too: no XFAIL (measured). */
		ASSERT_RUN_FAILS(&x, -EFAULT, "unaligned load from stage-2 Device");
		return;
	}
	ASSERT_RUN_DONE(&x, "unaligned load");
	ASSERT_EQ(0, c->flags & KM_CMD_F_EXC)
		TH_LOG("unaligned load from stage-2 %s faulted: ESR %#llx", km_s2type_str(e->s2),
		       c->esr);
	if (have_code)
		EXPECT_EQ((UNAL_LO >> 8) | (UNAL_HI << 56), c->result);
}

/* W: granted by the read fault, else by the store's write fault. */
static bool row_want_w(const struct km_pfn_expect *e, const struct probe_obs *o)
{
	return e->s2_w_read || (o->stored && e->s2_writable);
}

/* X: from the first fault, else after the fetch's exec fault, never on NC/Device. */
static bool row_want_x(const struct km_pfn_expect *e, const struct probe_obs *o)
{
	return e->s2_x_eager || (o->fetched && e->exec);
}

/* The stage-2 memory types the guest's observations allow. */
static unsigned int row_seen(const struct probe_obs *o)
{
	const struct km_env *env = &km_facts.env;
	unsigned int seen = KM_MT_SET_ANY;

	if (o->fetched)
		seen &= km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_EXEC, o->fetch, env);
	if (o->unaligned_done)
		seen &= km_infer_memtypes(KM_ATTR_NORMAL_WB, KM_ACC_LOAD_UNALIGNED, o->unaligned,
					  env);
	return seen;
}

/*
 * The tracer oracle for a row: the stage-2 leaf of the slot's first page
 * (every probe goes there) after the accesses probe_guest() made, against
 * km_pfn_expect(), and against what the guest saw.  A tracer that is not
 * there or not trusted leaves its assertions out (its reason in tr).
 * True, with the leaf in *out, when the tracer was trusted.
 */
static bool check_tracer(struct km_s2trace *tr, const struct km_pfn_expect *e,
			 const struct probe_obs *o, struct km_s2map *out)
{
	unsigned int seen;
	struct km_s2map map;
	bool want_w, want_x;
	char a[64], b[64], c[64];

	if (!tr->active || !km_s2trace_selfcheck(tr, KM_AGENT_IPA + KM_MBOX_OFF))
		return false;
	km_s2trace_lookup(tr, IPA, &map);
	TH_LOG("tracer: IPA %#llx: %s, %s (prot %#llx; %u map, %u relax, %u failed map calls)",
	       IPA, map.valid ? km_s2attr_str(&map.a, a, sizeof(a)) : "unmapped",
	       km_size_str(map.size, b, sizeof(b)), map.prot, map.nmap, map.nrelax, map.nfailed);
	*out = map;
	if (e->read) {
		EXPECT_FALSE(map.valid) TH_LOG("KVM_RUN failed, yet the IPA is mapped");
		return true;
	}
	ASSERT_TRUE(map.valid) TH_LOG("no stage-2 mapping of IPA %#llx in the trace (%u records)",
				      IPA, tr->nrecs);
	EXPECT_TRUE(map.a.valid) TH_LOG("prot %#llx is not one KVM can install", map.prot);
	EXPECT_EQ(km_memtype_of(e->s2), map.a.mt)
		TH_LOG("stage-2 memory type %s, expected %s (%s)", km_memtype_str(map.a.mt),
		       km_s2type_str(e->s2), e->s2_why);
	EXPECT_TRUE(map.a.r);
	want_w = row_want_w(e, o);
	EXPECT_EQ(want_w, map.a.w) TH_LOG("stage-2 W (store %s)", o->stored ? "done" : "not done");
	want_x = row_want_x(e, o);
	EXPECT_EQ(want_x, map.a.px && map.a.ux)
		TH_LOG("stage-2 X (DIC=%u, fetch %s)", km_facts.dic,
		       o->fetched ? "done" : "not done");
	EXPECT_EQ(e->s2_size, map.size) TH_LOG("stage-2 leaf of %s, expected %s",
					       km_size_str(map.size, b, sizeof(b)),
					       km_size_str(e->s2_size, c, sizeof(c)));

	/* The guest-visible oracle's answer must contain the tracer's. */
	seen = row_seen(o);
	TH_LOG("oracles: the guest saw fetch %s, unaligned load %s: stage 2 in %s; the tracer "
	       "says %s", o->fetched ? km_outcome_str(o->fetch) : "not tried",
	       o->unaligned_done ? km_outcome_str(o->unaligned) : "not tried",
	       km_mtset_str(seen, a, sizeof(a)), km_memtype_str(map.a.mt));
	EXPECT_TRUE(seen & KM_MT_BIT(map.a.mt)) TH_LOG("the oracles disagree");
	return true;
}

/*
 * The descriptor oracle for a row: the leaf KVM installed at the slot's
 * first page, against km_pfn_expect() (exact MemAttr, W, X, size, and the
 * pfn when it is known and still the mapping's: pa), the tracer's leaf
 * (tmap, if trusted) and what the guest saw; the guest's stage 1 is
 * Normal-WB, so the combined type must allow the unaligned load's outcome.
 * True when it ran; false, with why, when it is unavailable.
 */
static bool check_desc(int vm_fd, const struct km_pfn_expect *e, const struct probe_obs *o,
		       u64 pa, const struct km_s2map *tmap, char *why, size_t len)
{
	const struct km_s2want w = {
		.mt = e->read ? KM_MT_NONE : km_memtype_of(e->s2), .w = row_want_w(e, o),
		.x = row_want_x(e, o) ? KM_TRI_YES : KM_TRI_NO, .size = e->s2_size,
		.pa = e->read ? 0 : pa, .src = e->s2_why,
	};
	unsigned int allowed;
	struct km_s2desc_vm vm;
	struct km_s2desc d;
	char saw[160], a[160];

	if (!km_s2desc_check(vm_fd, IPA, &w, &d, &vm, why, len))
		return false;
	if (tmap)
		km_s2desc_vs_tracer(&d, tmap);
	if (e->read)
		return true;
	snprintf(saw, sizeof(saw), "fetch %s, unaligned load %s",
		 o->fetched ? km_outcome_str(o->fetch) : "not tried",
		 o->unaligned_done ? km_outcome_str(o->unaligned) : "not tried");
	km_s2desc_vs_guest(&d, row_seen(o), saw);
	allowed = km_s2desc_effective(&d, KM_ATTR_NORMAL_WB, km_memtype_of(e->s2), vm.ctx.fwb,
				      KM_ACC_LOAD_UNALIGNED);
	if (o->unaligned_done)
		EXPECT_TRUE(allowed & KM_OUT_BIT(o->unaligned))
			TH_LOG("oracles disagree: the unaligned load %s, the combined type of "
			       "stage-1 Normal-WB with the installed descriptor allows %s (desc "
			       "0x%016llx)", km_outcome_str(o->unaligned),
			       km_outset_str(allowed, a, sizeof(a)), d.raw);
	return true;
}

FIXTURE(pfnmap) {
	struct km_agent a;
	struct km_pfn_map m;
	struct km_s2trace tr;
	bool agent, mapped;
};

FIXTURE_VARIANT(pfnmap) {
	struct km_pfn_req req;
	enum host_req host;
	bool log_dirty;		/* create the memslot with KVM_MEM_LOG_DIRTY_PAGES */
	bool log_dirty_later;	/* then turn logging on (flags-only change) */
	bool host_cow_first;	/* the host writes (breaks COW) before the guest runs */
	const struct km_pfn_req *replace;	/* after the memslot: this VMA, same hva */
};

/* ---- P1 / P1': cacheable PFNMAP over RAM ---- */
FIXTURE_ROW(pfnmap, p1_remap, "PFNMAP-P1-01",
	    "cacheable remap_pfn_range() of RAM: with FWB && DIC the memslot is accepted "
	    "and the guest gets stage-2 Normal (reads the pfn's data, writes, fetches, "
	    "unaligned loads)",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, REMAP, 0), .host = HOST_CPFN);
FIXTURE_ROW(pfnmap, p1_fault, "PFNMAP-P1-02",
	    "cacheable VM_PFNMAP of RAM filled by vmf_insert_pfn() at fault time: as "
	    "P1-01 (KVM faults the host PTE in through fixup_user_fault)",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, FAULT_PFN, 0), .host = HOST_CPFN);
FIXTURE_ROW(pfnmap, p1_allow, "PFNMAP-P1-03",
	    "VM_ALLOW_ANY_UNCACHED on a cacheable RAM PFNMAP changes nothing: Normal",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, REMAP, ALLOW), .host = HOST_CPFN);
FIXTURE_ROW(pfnmap, p1_udmabuf, "PFNMAP-P1-04",
	    "udmabuf (a real driver's cacheable VM_PFNMAP over RAM): with FWB && DIC "
	    "the memslot is accepted and the guest gets Normal",
	    .req = SRC(UDMABUF), .host = HOST_CPFN);
FIXTURE_ROW(pfnmap, p1r_remap, "PFNMAP-P1R-01",
	    "(row P1') cacheable remap_pfn_range() of RAM without FWB && DIC: "
	    "KVM_SET_USER_MEMORY_REGION2 fails EINVAL although the pfns are RAM",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, REMAP, 0), .host = HOST_NO_CPFN);
FIXTURE_ROW(pfnmap, p1r_udmabuf, "PFNMAP-P1R-02",
	    "(row P1') a udmabuf memslot without FWB && DIC fails EINVAL",
	    .req = SRC(UDMABUF), .host = HOST_NO_CPFN);

/* ---- P1 before the cacheable-pfnmap contract (Linux < 6.17) ---- */
FIXTURE_ROW(pfnmap, p1o_remap, "PFNMAP-P1O-01",
	    "(row P1, older contract) without the cacheable-pfnmap contract a "
	    "cacheable remap_pfn_range() of RAM is accepted on every host and maps "
	    "stage-2 Normal",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, REMAP, 0), .host = HOST_OLD_CPFN);
FIXTURE_ROW(pfnmap, p1o_udmabuf, "PFNMAP-P1O-02",
	    "(row P1, older contract) a udmabuf memslot is accepted on every host, "
	    "stage-2 Normal",
	    .req = SRC(UDMABUF), .host = HOST_OLD_CPFN);

/* ---- P2: non-cacheable PFNMAP over RAM ---- */
FIXTURE_ROW(pfnmap, p2_wc, "PFNMAP-P2-01",
	    "write-combine PFNMAP of RAM: accepted on every host, stage-2 Normal "
	    "(the VMA's attribute is ignored for RAM pfns)",
	    .req = KM_PFN_KMOD(RAM, WC, REMAP, 0));
FIXTURE_ROW(pfnmap, p2_noncached, "PFNMAP-P2-02",
	    "pgprot_noncached() PFNMAP of RAM: accepted, stage-2 Normal",
	    .req = KM_PFN_KMOD(RAM, NONCACHED, REMAP, 0));
FIXTURE_ROW(pfnmap, p2_device_fault, "PFNMAP-P2-03",
	    "pgprot_device() VM_PFNMAP of RAM by vmf_insert_pfn(): accepted, stage-2 "
	    "Normal",
	    .req = KM_PFN_KMOD(RAM, DEVICE, FAULT_PFN, 0));
FIXTURE_ROW(pfnmap, p2_wc_allow, "PFNMAP-P2-04",
	    "write-combine PFNMAP of RAM with VM_ALLOW_ANY_UNCACHED: still stage-2 "
	    "Normal (the flag only matters outside the linear map)",
	    .req = KM_PFN_KMOD(RAM, WC, REMAP, ALLOW));

/* ---- P3 / P3': cacheable PFNMAP outside the linear map ---- */
FIXTURE_ROW(pfnmap, p3_remap, "PFNMAP-P3-01",
	    "cacheable remap_pfn_range() of memory outside the linear map: with "
	    "FWB && DIC accepted, stage-2 Normal and executable",
	    .req = KM_PFN_KMOD(NONLINEAR, CACHEABLE, REMAP, 0), .host = HOST_CPFN);
FIXTURE_ROW(pfnmap, p3_fault, "PFNMAP-P3-02",
	    "cacheable vmf_insert_pfn() PFNMAP outside the linear map, FWB && DIC: "
	    "stage-2 Normal",
	    .req = KM_PFN_KMOD(NONLINEAR, CACHEABLE, FAULT_PFN, 0), .host = HOST_CPFN);
FIXTURE_ROW(pfnmap, p3r_remap, "PFNMAP-P3R-01",
	    "(row P3') cacheable PFNMAP outside the linear map without FWB && DIC: "
	    "the memslot fails EINVAL",
	    .req = KM_PFN_KMOD(NONLINEAR, CACHEABLE, REMAP, 0), .host = HOST_NO_CPFN);
FIXTURE_ROW(pfnmap, p3r_changed, "PFNMAP-P3R-02",
	    "(row P3') a memslot made over a Device PFNMAP whose VMA is then replaced by "
	    "a cacheable one outside the linear map: without FWB && DIC the guest's "
	    "access fails KVM_RUN with EFAULT (the VMA is sampled again at fault time)",
	    .req = KM_PFN_KMOD(NONLINEAR, DEVICE, REMAP, 0), .host = HOST_NO_CPFN,
	    .replace = &nonlinear_cacheable);

/* ---- P3 before the cacheable-pfnmap contract (Linux < 6.17) ---- */
FIXTURE_ROW(pfnmap, p3o_remap, "PFNMAP-P3O-01",
	    "(row P3, older contract) without the cacheable-pfnmap contract a cacheable "
	    "remap_pfn_range() outside the linear map is accepted on every host and maps "
	    "stage-2 Device-nGnRE (kvm_is_device_pfn), never executable",
	    .req = KM_PFN_KMOD(NONLINEAR, CACHEABLE, REMAP, 0), .host = HOST_OLD_CPFN);
FIXTURE_ROW(pfnmap, p3o_fault, "PFNMAP-P3O-02",
	    "(row P3, older contract) a cacheable vmf_insert_pfn() PFNMAP outside the "
	    "linear map: stage-2 Device-nGnRE on every host",
	    .req = KM_PFN_KMOD(NONLINEAR, CACHEABLE, FAULT_PFN, 0), .host = HOST_OLD_CPFN);

/* ---- P4: non-cacheable PFNMAP outside RAM with VM_ALLOW_ANY_UNCACHED ---- */
FIXTURE_ROW(pfnmap, p4_wc, "PFNMAP-P4-01",
	    "write-combine PFNMAP outside the linear map with VM_ALLOW_ANY_UNCACHED: "
	    "accepted everywhere, stage-2 Normal-NC (fetch: SEA IABT; unaligned: fine)",
	    .req = KM_PFN_KMOD(NONLINEAR, WC, REMAP, ALLOW));
FIXTURE_ROW(pfnmap, p4_noncached_fault, "PFNMAP-P4-02",
	    "pgprot_noncached() vmf_insert_pfn() PFNMAP with VM_ALLOW_ANY_UNCACHED: "
	    "Normal-NC (the exact host attribute does not matter)",
	    .req = KM_PFN_KMOD(NONLINEAR, NONCACHED, FAULT_PFN, ALLOW));
FIXTURE_ROW(pfnmap, p4_device, "PFNMAP-P4-03",
	    "pgprot_device() PFNMAP with VM_ALLOW_ANY_UNCACHED: Normal-NC",
	    .req = KM_PFN_KMOD(NONLINEAR, DEVICE, REMAP, ALLOW));
FIXTURE_ROW(pfnmap, p4_vfio, "PFNMAP-P4-04",
	    "a vfio-pci BAR mmap (VM_ALLOW_ANY_UNCACHED, pgprot_noncached): accepted, "
	    "stage-2 Normal-NC",
	    .req = SRC(VFIO));

/* ---- P5: non-cacheable PFNMAP outside RAM without the flag ---- */
FIXTURE_ROW(pfnmap, p5_device, "PFNMAP-P5-01",
	    "pgprot_device() PFNMAP outside the linear map: accepted everywhere, "
	    "stage-2 Device (fetch: SEA IABT; unaligned load: KVM_RUN EFAULT)",
	    .req = KM_PFN_KMOD(NONLINEAR, DEVICE, REMAP, 0));
FIXTURE_ROW(pfnmap, p5_noncached, "PFNMAP-P5-02",
	    "pgprot_noncached() (nGnRnE) PFNMAP outside the linear map: Device-nGnRE",
	    .req = KM_PFN_KMOD(NONLINEAR, NONCACHED, REMAP, 0));
FIXTURE_ROW(pfnmap, p5_wc, "PFNMAP-P5-03",
	    "write-combine PFNMAP outside the linear map without VM_ALLOW_ANY_UNCACHED: "
	    "Device, not Normal-NC",
	    .req = KM_PFN_KMOD(NONLINEAR, WC, REMAP, 0));
FIXTURE_ROW(pfnmap, p5_device_fault, "PFNMAP-P5-04",
	    "pgprot_device() vmf_insert_pfn() PFNMAP outside the linear map: Device",
	    .req = KM_PFN_KMOD(NONLINEAR, DEVICE, FAULT_PFN, 0));
FIXTURE_ROW(pfnmap, p5_pci_bar, "PFNMAP-P5-05",
	    "a PCI BAR mapped through sysfs resourceN (pgprot_device, no "
	    "VM_ALLOW_ANY_UNCACHED): accepted, stage-2 Device",
	    .req = SRC(PCI_BAR));
FIXTURE_ROW(pfnmap, p5_pci_bar_wc, "PFNMAP-P5-06",
	    "a prefetchable PCI BAR through sysfs resourceN_wc (write-combine): still "
	    "stage-2 Device",
	    .req = SRC(PCI_BAR_WC));

/* ---- M1-M3: VM_MIXEDMAP ---- */
FIXTURE_ROW(pfnmap, m1_page, "PFNMAP-M1-01",
	    "vm_insert_page() of RAM pages (VM_MIXEDMAP): accepted on every host, "
	    "stage-2 Normal",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, PAGE, 0));
FIXTURE_ROW(pfnmap, m1_page_wc, "PFNMAP-M1-02",
	    "vm_insert_page() of RAM pages into a write-combine VMA with "
	    "VM_ALLOW_ANY_UNCACHED: stage-2 Normal (GUP takes the page)",
	    .req = KM_PFN_KMOD(RAM, WC, PAGE, ALLOW));
FIXTURE_ROW(pfnmap, m1_bpf, "PFNMAP-M1-03",
	    "a BPF_F_MMAPABLE array map (a real VM_MIXEDMAP over vmalloc RAM): "
	    "accepted, stage-2 Normal",
	    .req = SRC(BPF_ARRAY));
FIXTURE_ROW(pfnmap, m2_nonlinear, "PFNMAP-M2-01",
	    "vmf_insert_mixed() of a pfn without struct page, cacheable VMA: the memslot "
	    "is accepted on every host (MIXEDMAP is not checked) but the access fails "
	    "KVM_RUN with EFAULT",
	    .req = KM_PFN_KMOD(NONLINEAR, CACHEABLE, FAULT_MIXED, 0));
FIXTURE_ROW(pfnmap, m2_nonlinear_dev, "PFNMAP-M2-02",
	    "vmf_insert_mixed() of a pfn without struct page, Device VMA: EFAULT",
	    .req = KM_PFN_KMOD(NONLINEAR, DEVICE, FAULT_MIXED, 0));
FIXTURE_ROW(pfnmap, m2_ram_special, "PFNMAP-M2-03",
	    "vmf_insert_mixed() of a RAM pfn makes a special PTE GUP cannot take: "
	    "EFAULT, even though the pfn is RAM",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, FAULT_MIXED, 0));
FIXTURE_ROW(pfnmap, m3_cacheable, "PFNMAP-M3-01",
	    "vm_insert_page() of ZONE_DEVICE pages (struct page, outside memblock), "
	    "cacheable: accepted; with FWB && DIC stage-2 Normal, without them KVM_RUN "
	    "fails EFAULT at fault time",
	    .req = KM_PFN_KMOD(ZONE_DEVICE, CACHEABLE, PAGE, 0));
FIXTURE_ROW(pfnmap, m3_nc, "PFNMAP-M3-02",
	    "ZONE_DEVICE pages in a write-combine VMA with VM_ALLOW_ANY_UNCACHED: "
	    "stage-2 Normal-NC",
	    .req = KM_PFN_KMOD(ZONE_DEVICE, WC, PAGE, ALLOW));
FIXTURE_ROW(pfnmap, m3_device, "PFNMAP-M3-03",
	    "ZONE_DEVICE pages in a pgprot_device() VMA: stage-2 Device",
	    .req = KM_PFN_KMOD(ZONE_DEVICE, DEVICE, PAGE, 0));

/* ---- C1: MAP_PRIVATE of a PFNMAP ---- */
FIXTURE_ROW(pfnmap, c1_device, "PFNMAP-C1-01",
	    "MAP_PRIVATE remap_pfn_range() outside the linear map: the guest reads the "
	    "original pfn (mapped read-only), its first store fails KVM_RUN with EFAULT",
	    .req = KMOD_PRIV(NONLINEAR, DEVICE, REMAP, 0));
FIXTURE_ROW(pfnmap, c1_ram, "PFNMAP-C1-02",
	    "MAP_PRIVATE write-combine remap_pfn_range() of RAM: read ok, store EFAULT",
	    .req = KMOD_PRIV(RAM, WC, REMAP, 0));
FIXTURE_ROW(pfnmap, c1_broken, "PFNMAP-C1-03",
	    "MAP_PRIVATE PFNMAP page the host has written (COW broken): the guest gets "
	    "the anonymous copy, stage-2 Normal and writable",
	    .req = KMOD_PRIV(NONLINEAR, DEVICE, REMAP, 0), .host_cow_first = true);
FIXTURE_ROW(pfnmap, c1_pci_bar, "PFNMAP-C1-04",
	    "MAP_PRIVATE of a PCI BAR through sysfs: read ok, store EFAULT",
	    .req = { .src = KM_SRC_PCI_BAR, .priv = true });

/* ---- X1: secretmem ---- */
FIXTURE_ROW(pfnmap, x1_secretmem, "PFNMAP-X1-01",
	    "memfd_secret() memory: the memslot is accepted, the guest's access fails "
	    "KVM_RUN with EFAULT (GUP refuses secretmem)",
	    .req = SRC(SECRETMEM));

/* ---- 1.1 rows 13 and 15 ---- */
FIXTURE_ROW(pfnmap, ms13_create, "PFNMAP-MS13-01",
	    "a Device PFNMAP memslot with KVM_MEM_LOG_DIRTY_PAGES fails EINVAL on "
	    "every host",
	    .req = KM_PFN_KMOD(NONLINEAR, DEVICE, REMAP, 0), .log_dirty = true);
FIXTURE_ROW(pfnmap, ms13_later, "PFNMAP-MS13-02",
	    "turning dirty logging on for an existing PFNMAP memslot (flags-only "
	    "change) fails EINVAL",
	    .req = KM_PFN_KMOD(NONLINEAR, WC, REMAP, ALLOW), .log_dirty_later = true);
FIXTURE_ROW(pfnmap, ms13_mixed, "PFNMAP-MS13-03",
	    "dirty logging on a VM_MIXEDMAP memslot is accepted and the guest runs",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, PAGE, 0), .log_dirty = true);
FIXTURE_ROW(pfnmap, ms13_udmabuf, "PFNMAP-MS13-04",
	    "a udmabuf memslot with KVM_MEM_LOG_DIRTY_PAGES fails EINVAL on every host",
	    .req = SRC(UDMABUF), .log_dirty = true);
FIXTURE_ROW(pfnmap, ms15_hole, "PFNMAP-MS15-01",
	    "a memslot over an address range with no VMA is accepted; the guest's "
	    "access fails KVM_RUN with EFAULT",
	    .req = SRC(HOLE));

FIXTURE_SETUP(pfnmap)
{
}

FIXTURE_TEARDOWN(pfnmap)
{
	km_s2trace_stop(&self->tr);
	if (self->agent)
		km_agent_fini(&self->a);
	if (self->mapped)
		km_pfn_put(&self->m);
}

TEST_F(pfnmap, row)
{
	const struct km_env *env = &km_facts.env;
	unsigned int pe = variant->log_dirty ? KM_PE_LOG_DIRTY : 0;
	u32 flags = variant->log_dirty ? KVM_MEM_LOG_DIRTY_PAGES : 0;
	struct km_pfn_expect e;
	struct probe_obs obs;
	struct km_s2map tmap;
	bool module, have_code, may_write, traced, desc;
	u64 want_load;
	char why[320], dwhy[200], skip[600];
	int r;

	if (host_mismatch(variant->host, why, sizeof(why)))
		SKIP(return, "%s", why);
	/* The agent's memory first, so that a hole stays a hole. */
	km_agent_init(&self->a, 0);
	self->agent = true;
	r = km_pfn_get(&variant->req, &self->m, why, sizeof(why));
	if (r == KM_PFN_UNAVAILABLE)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	self->mapped = true;
	log_mapping(&self->m);
	km_pfn_expect(&self->m.props, env, pe, &e);
	log_expect(&e);

	r = __km_set_memslot2(&self->a.vm, SLOT, flags, IPA, self->m.size, self->m.hva, -1, 0);
	ASSERT_EQ(e.memslot, r) TH_LOG("KVM_SET_USER_MEMORY_REGION2: %s, expected %s (%s)",
				       strerror(-r), strerror(-e.memslot), e.memslot_why);
	if (r)
		return;

	if (variant->log_dirty_later) {
		km_pfn_expect(&self->m.props, env, KM_PE_LOG_DIRTY, &e);
		r = __km_set_memslot2(&self->a.vm, SLOT, KVM_MEM_LOG_DIRTY_PAGES, IPA,
				      self->m.size, self->m.hva, -1, 0);
		ASSERT_EQ(e.memslot, r) TH_LOG("enabling dirty logging: %s, expected %s (%s)",
					       strerror(-r), strerror(-e.memslot),
					       e.memslot_why);
		if (r)
			return;
	}
	if (variant->replace) {
		struct km_pfn_req req = *variant->replace;

		req.fixed = self->m.hva;
		km_pfn_put(&self->m);
		self->mapped = false;
		r = km_pfn_get(&req, &self->m, why, sizeof(why));
		ASSERT_EQ(0, r) TH_LOG("replacing the VMA: %s", why);
		self->mapped = true;
		ASSERT_EQ(req.fixed, self->m.hva);
		TH_LOG("VMA replaced after the memslot was made:");
		log_mapping(&self->m);
		km_pfn_expect(&self->m.props, env, pe, &e);
		log_expect(&e);
	}

	module = self->m.src == KM_SRC_KMOD;
	may_write = !self->m.props.novma && (!self->m.props.cow || variant->host_cow_first);
	/*
	 * What the guest's load must return: the module's fill of that very
	 * physical address, else what the host wrote or (read-only COW pages
	 * the host must not touch) what the host reads there.
	 */
	if (module)
		want_load = km_mpf_fill(self->m.phys + OFF_LOAD);
	else if (may_write)
		want_load = PATTERN;
	else if (!self->m.props.novma)
		want_load = km_pfn_read64(&self->m, OFF_LOAD);
	else
		want_load = 0;
	if (may_write) {
		if (!module || variant->host_cow_first)
			km_pfn_write64(&self->m, OFF_LOAD, PATTERN);
		km_pfn_write_ret_imm(&self->m, OFF_CODE, RET_IMM);
		km_pfn_write64(&self->m, OFF_UNALIGNED, UNAL_LO);
		km_pfn_write64(&self->m, OFF_UNALIGNED + 8, UNAL_HI);
	}
	if (variant->host_cow_first) {
		/*
		 * The host's write made the page its own anonymous copy
		 * (do_wp_page): RAM, writable.  pagemap cannot show it (it skips
		 * VM_PFNMAP VMAs), but the data can: the copy holds PATTERN, the
		 * original pfn still holds the module's fill.
		 */
		self->m.props.ram = true;
		self->m.props.cow = false;
		self->m.props.pte_writable = true;
		/*
		 * The guest's load tells the copy (PATTERN) from the original
		 * (its fill, pa ^ MPF_FILL_XOR, never PATTERN at this pa).
		 */
		want_load = PATTERN;
		TH_LOG("after the host's write the page is an anonymous copy:");
		km_pfn_expect(&self->m.props, env, 0, &e);
		log_expect(&e);
	}
	have_code = may_write;
	if (km_pfn_k1_out_of_scope(&self->m.props, e.memslot, e.read,
				   km_facts.env.mode == KM_MODE_PROTECTED))
		SKIP(return, KM_PFN_K1_REASON);

	/* Its failure is a reason to skip later, if the descriptor oracle fails too. */
	km_s2trace_start(&self->tr);
	km_agent_map(&self->a, VA, IPA, self->m.size, KM_ATTR_NORMAL_WB, KM_S1_EXEC);
	probe_guest(&self->a, &self->m, &e, want_load, have_code, &obs);
	traced = check_tracer(&self->tr, &e, &obs, &tmap);
	/* After the host's COW break the page is no longer the pfn it had. */
	desc = check_desc(self->a.vm.fd, &e, &obs,
			  self->m.phys_known && !variant->host_cow_first ? self->m.phys : 0,
			  traced ? &tmap : NULL, dwhy, sizeof(dwhy));
	if (!km_s2_oracle_ran(traced, self->tr.reason, desc, dwhy, skip, sizeof(skip)))
		SKIP(return, "%s; only the guest-visible result was checked", skip);
}

/*
 * The memslot-only rows (1.1 rows 12 and 14): a bare VM and one mapping,
 * released in whichever order setup got to.
 */
struct slot_only {
	struct km_vm vm;
	struct km_pfn_map m;
	bool vm_made, mapped;
};

static void slot_only_vm(struct slot_only *s)
{
	km_vm_create(&s->vm, KM_DEFAULT_IPA_BITS);
	s->vm_made = true;
}

/* km_pfn_get() into s; KM_PFN_UNAVAILABLE and errors are the caller's. */
static int slot_only_map(struct slot_only *s, const struct km_pfn_req *req, char *why,
			 size_t len)
{
	int r = km_pfn_get(req, &s->m, why, len);

	if (r == 0) {
		s->mapped = true;
		log_mapping(&s->m);
	}
	return r;
}

static void slot_only_release(struct slot_only *s)
{
	if (s->vm_made)
		km_vm_destroy(&s->vm);
	if (s->mapped)
		km_pfn_put(&s->m);
}

/*
 * ---- 1.1 row 12: MTE VMs refuse every VMA without VM_MTE_ALLOWED ----
 * A row: one mapping (req) for a bare VM; pfnmap_cap's rows are the same.
 */
FIXTURE(pfnmap_mte) {
	struct slot_only s;
};

FIXTURE_VARIANT(pfnmap_mte) {
	struct km_pfn_req req;
};

FIXTURE_ROW(pfnmap_mte, pfnmap, "PFNMAP-MS12-01",
	    "on a VM with KVM_CAP_ARM_MTE a Device PFNMAP memslot fails EINVAL (no "
	    "VM_MTE_ALLOWED)",
	    .req = KM_PFN_KMOD(NONLINEAR, DEVICE, REMAP, 0));
FIXTURE_ROW(pfnmap_mte, mixedmap, "PFNMAP-MS12-02",
	    "on an MTE VM a VM_MIXEDMAP memslot of RAM pages fails EINVAL too",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, PAGE, 0));
FIXTURE_ROW(pfnmap_mte, udmabuf, "PFNMAP-MS12-03",
	    "on an MTE VM a udmabuf memslot fails EINVAL",
	    .req = SRC(UDMABUF));
FIXTURE_ROW(pfnmap_mte, anon, "PFNMAP-MS12-04",
	    "on an MTE VM an anonymous memslot (VM_MTE_ALLOWED) is accepted",
	    .req = SRC(ANON));

FIXTURE_SETUP(pfnmap_mte)
{
}

FIXTURE_TEARDOWN(pfnmap_mte)
{
	slot_only_release(&self->s);
}

TEST_F(pfnmap_mte, memslot)
{
	struct km_pfn_expect e;
	char why[320];
	int r;

	if (km_facts.cap_mte <= 0)
		SKIP(return, "MTE absent: KVM_CAP_ARM_MTE=%d (ID_AA64PFR1_EL1.MTE is hidden from "
		     "the vCPU until a VM enables it; the max-mte profile has it)",
		     km_facts.cap_mte);
	slot_only_vm(&self->s);
	/* Before any vCPU exists, as kvm_vm_ioctl_enable_cap() wants. */
	r = __km_enable_cap(self->s.vm.fd, KVM_CAP_ARM_MTE, 0);
	ASSERT_EQ(0, r) TH_LOG("KVM_ENABLE_CAP(KVM_CAP_ARM_MTE): %s", strerror(-r));
	r = slot_only_map(&self->s, &variant->req, why, sizeof(why));
	if (r == KM_PFN_UNAVAILABLE)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	km_pfn_expect(&self->s.m.props, &km_facts.env, KM_PE_MTE_VM, &e);
	r = __km_set_memslot2(&self->s.vm, SLOT, 0, IPA, self->s.m.size, self->s.m.hva, -1, 0);
	ASSERT_EQ(e.memslot, r) TH_LOG("KVM_SET_USER_MEMORY_REGION2: %s, expected %s (%s)",
				       strerror(-r), strerror(-e.memslot), e.memslot_why);
}

/* ---- 1.1 row 14 against the capability: pfnmap_mte's kind of row ---- */
FIXTURE_LIKE(pfnmap_cap, pfnmap_mte);

FIXTURE_ROW(pfnmap_cap, kmod_ram, "PFNMAP-MS14-01",
	    "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED is 1 exactly when a cacheable "
	    "PFNMAP memslot over RAM is accepted (0: EINVAL)",
	    .req = KM_PFN_KMOD(RAM, CACHEABLE, REMAP, 0));
FIXTURE_ROW(pfnmap_cap, kmod_nonlinear, "PFNMAP-MS14-02",
	    "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED agrees with the memslot check for "
	    "a cacheable PFNMAP outside the linear map",
	    .req = KM_PFN_KMOD(NONLINEAR, CACHEABLE, REMAP, 0));
FIXTURE_ROW(pfnmap_cap, udmabuf, "PFNMAP-MS14-03",
	    "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED agrees with the udmabuf memslot "
	    "check",
	    .req = SRC(UDMABUF));

TEST_F(pfnmap_cap, agrees)
{
	char why[320];
	int cap, r;

	bool gate = km_env_has(&km_facts.env, KM_C_CACHEABLE_PFNMAP);

	TH_LOG("contract: %s", km_contract_why(KM_C_CACHEABLE_PFNMAP));
	slot_only_vm(&self->s);
	r = slot_only_map(&self->s, &variant->req, why, sizeof(why));
	if (r == KM_PFN_UNAVAILABLE)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	ASSERT_TRUE(self->s.m.props.pfnmap && self->s.m.props.cacheable);
	cap = km_check_cap(self->s.vm.fd, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	r = __km_set_memslot2(&self->s.vm, SLOT, 0, IPA, self->s.m.size, self->s.m.hva, -1, 0);
	TH_LOG("KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED=%d, memslot: %s", cap, strerror(-r));
	ASSERT_TRUE(cap == 0 || cap == 1);
	if (gate) {
		EXPECT_EQ(cap ? 0 : -EINVAL, r);
	} else {
		/* The older contract: no capability, nothing refused for it. */
		EXPECT_EQ(0, cap);
		EXPECT_EQ(0, r);
	}
}

/* ---- docs/RULES.md: reference, prerequisites, observable under QEMU TCG ---- */
#define TRACER_OPT	"the stage-2 tracer for the stage-2 leaf assertions (without it they " \
			"are logged as skipped, the row stands on the guest-visible ones)"
#define KMOD_PRE	"the test module (make kmod)"
#define CPFN_PRE	"the cacheable-pfnmap contract (contracts: Linux 6.17)"
#define NONLIN_PRE	KMOD_PRE " with memory outside the linear map (QEMU: mem= below " \
			"the RAM size, as run_tests.sh does)"

KM_RULE_DOC(pfnmap_p1, "PFNMAP-P1-*",
	    "mmu.c:kvm_arch_prepare_memory_region (kvm_supports_cacheable_pfnmap), "
	    "kvm_s2_fault_pin_pfn, kvm_s2_fault_compute_prot (SPEC 1.1 row 14, 1.2 P1)",
	    "FEAT_S2FWB and CTR_EL0.DIC (else P1R applies); " CPFN_PRE "; " KMOD_PRE
	    ", or /dev/udmabuf (P1-04); " TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_p1r, "PFNMAP-P1R-*",
	    "mmu.c:kvm_arch_prepare_memory_region (SPEC 1.1 row 14, 1.2 P1')",
	    "no FEAT_S2FWB or no CTR_EL0.DIC (else P1 applies); " CPFN_PRE "; " KMOD_PRE
	    ", or /dev/udmabuf (P1R-02)", "yes")
KM_RULE_DOC(pfnmap_p1o, "PFNMAP-P1O-*",
	    "mmu.c:kvm_arch_prepare_memory_region, user_mem_abort (before the cacheable-pfnmap "
	    "contract: no cacheability check; RAM pfns map Normal) (SPEC 1.2 P1, older contract)",
	    "a kernel without the cacheable-pfnmap contract (probe: /dev/kvm answers 0 for "
	    "KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED); " KMOD_PRE ", or /dev/udmabuf (P1O-02); "
	    TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_p3o, "PFNMAP-P3O-*",
	    "mmu.c:user_mem_abort (kvm_is_device_pfn: every pfn outside the linear map is "
	    "Device, or Normal-NC with VM_ALLOW_ANY_UNCACHED) (SPEC 1.2 P3, older contract)",
	    "a kernel without the cacheable-pfnmap contract; " NONLIN_PRE "; " TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_p2, "PFNMAP-P2-*",
	    "mmu.c:kvm_s2_fault_pin_pfn (pfn_is_map_memory), kvm_s2_fault_compute_prot "
	    "(SPEC 1.2 P2)", KMOD_PRE "; " TRACER_OPT,
	    "yes (not the cache effects of the host's non-cacheable alias)")
KM_RULE_DOC(pfnmap_p3, "PFNMAP-P3-*",
	    "mmu.c:kvm_arch_prepare_memory_region, kvm_s2_fault_pin_pfn, "
	    "kvm_s2_fault_compute_prot (SPEC 1.1 row 14, 1.2 P3)",
	    "FEAT_S2FWB and CTR_EL0.DIC (else P3R applies); " CPFN_PRE "; " NONLIN_PRE
	    "; "
	    TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_p3r, "PFNMAP-P3R-*",
	    "mmu.c:kvm_arch_prepare_memory_region; kvm_s2_fault_pin_pfn for a VMA replaced "
	    "after the memslot was made (SPEC 1.2 P3', 7.5)",
	    "no FEAT_S2FWB or no CTR_EL0.DIC (else P3 applies); " CPFN_PRE "; " NONLIN_PRE,
	    "yes")
KM_RULE_DOC(pfnmap_p4, "PFNMAP-P4-*",
	    "mmu.c:kvm_s2_fault_pin_pfn, kvm_s2_fault_compute_prot (VM_ALLOW_ANY_UNCACHED: "
	    "KVM_PGTABLE_PROT_NORMAL_NC), kvm_handle_guest_abort (SEA IABT) (SPEC 1.2 P4)",
	    NONLIN_PRE ", or vfio-pci on an ivshmem BAR with an SMMUv3 (P4-04: max-dev, "
	    "n1-dev); " TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_p5, "PFNMAP-P5-*",
	    "mmu.c:kvm_s2_fault_compute_prot (KVM_PGTABLE_PROT_DEVICE), "
	    "kvm_handle_guest_abort (SEA IABT; \"Unsupported FSC\" for the stage-2 alignment "
	    "fault) (SPEC 1.2 P5, 4.3)",
	    NONLIN_PRE ", or an ivshmem BAR through sysfs (P5-05/06: max-dev, n1-dev); "
	    TRACER_OPT, "yes (QEMU >= 9.0 models the Device alignment fault)")
KM_RULE_DOC(pfnmap_m1, "PFNMAP-M1-*",
	    "mmu.c:kvm_arch_prepare_memory_region (VM_MIXEDMAP not checked), "
	    "kvm_s2_fault_pin_pfn (SPEC 1.1 row 15, 1.2 M1)",
	    KMOD_PRE ", or bpf(2) with BPF_F_MMAPABLE (M1-03); " TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_m2, "PFNMAP-M2-*",
	    "kvm_main.c:hva_to_pfn (no remapped lookup without VM_IO|VM_PFNMAP) (SPEC 1.2 M2)",
	    NONLIN_PRE " (M2-01/02)", "yes")
KM_RULE_DOC(pfnmap_m3, "PFNMAP-M3-*",
	    "mmu.c:kvm_s2_fault_pin_pfn (cacheable pfn outside the linear map without FWB && "
	    "DIC: -EFAULT), kvm_s2_fault_compute_prot (SPEC 1.2 M3)",
	    NONLIN_PRE ", part of it ZONE_DEVICE (memremap_pages); " TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_c1, "PFNMAP-C1-*",
	    "kvm_main.c:hva_to_pfn_remapped (writable = pte_write), kvm_follow_pfn "
	    "(KVM_PFN_ERR_RO_FAULT) (SPEC 1.2 C1)",
	    NONLIN_PRE ", or an ivshmem BAR through sysfs (C1-04: max-dev, n1-dev); "
	    TRACER_OPT, "yes")
KM_RULE_DOC(pfnmap_x1, "PFNMAP-X1-*",
	    "mm/gup.c:check_vma_flags (secretmem), kvm_main.c:hva_to_pfn (SPEC 1.2 X1)",
	    "memfd_secret(2) (CONFIG_SECRETMEM, rodata_full)", "yes")
KM_RULE_DOC(pfnmap_ms12, "PFNMAP-MS12-*",
	    "mmu.c:kvm_arch_prepare_memory_region (VM_MTE_ALLOWED) (SPEC 1.1 row 12)",
	    "KVM_CAP_ARM_MTE (max-mte profile); " KMOD_PRE " or /dev/udmabuf", "yes")
KM_RULE_DOC(pfnmap_ms13, "PFNMAP-MS13-*",
	    "mmu.c:kvm_arch_prepare_memory_region (VM_PFNMAP with KVM_MEM_LOG_DIRTY_PAGES) "
	    "(SPEC 1.1 row 13)", KMOD_PRE " (or /dev/udmabuf for MS13-04)", "yes")
KM_RULE_DOC(pfnmap_ms14, "PFNMAP-MS14-*",
	    "arm.c:kvm_vm_ioctl_check_extension (KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED), "
	    "mmu.c:kvm_arch_prepare_memory_region (SPEC 1.1 row 14)",
	    CPFN_PRE "; " KMOD_PRE " or /dev/udmabuf", "yes")
KM_RULE_DOC(pfnmap_ms15, "PFNMAP-MS15-*",
	    "mmu.c:kvm_arch_prepare_memory_region (a hole ends the VMA walk), "
	    "kvm_s2_fault_get_vma_info (SPEC 1.1 row 15)", "-", "yes")
