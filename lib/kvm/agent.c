// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "agent.h"
#include "facts.h"
#include "memslot.h"

extern const u8 km_agent_blob[], km_agent_blob_end[];

void km_agent_init(struct km_agent *a, unsigned int ipa_bits)
{
	size_t blob = km_agent_blob_end - km_agent_blob;
	struct km_mbox_hdr *h;

	memset(a, 0, sizeof(*a));
	a->timeout_ms = KM_RUN_TIMEOUT_MS;
	km_vm_create(&a->vm, ipa_bits ? ipa_bits : KM_DEFAULT_IPA_BITS);
	km_vcpu_create(&a->vm, &a->vcpu, 0);

	/*
	 * One 2 MiB transparent huge page where THP allows it: stage 2 then
	 * maps the whole agent (code, mailbox, stack, tables) with one block
	 * on the first fault, instead of a fault per page on every boot.
	 * Without THP it is 4 KiB pages, slower and otherwise the same.
	 */
	a->mem = __km_mmap_anon_aligned(KM_AGENT_SIZE, KM_AGENT_SIZE);
	KM_CHECK(a->mem, "mmap of the %lu-byte agent memory", (unsigned long)KM_AGENT_SIZE);
	madvise(a->mem, KM_AGENT_SIZE, MADV_HUGEPAGE);
	KM_CHECK(blob <= KM_AGENT_CODE_MAX, "agent image of %zu bytes too large", blob);
	memcpy(a->mem, km_agent_blob, blob);
	km_set_memslot2(&a->vm, KM_AGENT_SLOT, 0, KM_AGENT_IPA, KM_AGENT_SIZE, a->mem, -1, 0);

	a->mbox = (struct km_mbox *)(a->mem + KM_MBOX_OFF);
	/* The host's granule: a stage-1 page is never smaller than a stage-2 one. */
	errno = EINVAL;
	KM_CHECK(!km_s1pt_init(&a->pt, a->mem + KM_PT_POOL_OFF, KM_AGENT_IPA + KM_PT_POOL_OFF,
			       KM_PT_POOL_SIZE, km_env_page(&km_facts.env)),
		 "stage-1 tables of a %llu-byte granule", km_env_page(&km_facts.env));
	km_agent_map(a, KM_AGENT_IPA, KM_AGENT_IPA, KM_AGENT_SIZE, KM_ATTR_NORMAL_WB, KM_S1_EXEC);
	km_agent_map(a, KM_DOORBELL_IPA, KM_DOORBELL_IPA, km_s1pt_granule(&a->pt),
		     KM_ATTR_DEVICE_nGnRE, 0);

	h = &a->mbox->hdr;
	h->magic = KM_MBOX_MAGIC;
	h->ttbr0 = km_s1pt_root(&a->pt);
	h->tcr = km_s1pt_tcr(&a->pt);
	h->mair = KM_MAIR_VALUE;
	h->sctlr = 0;
	h->touch_start = KM_AGENT_IPA + KM_PT_POOL_OFF;	/* touch_pages: km_agent_run() */
	km_set_reg(&a->vcpu, KM_REG_PC, KM_AGENT_IPA);
}

void km_agent_fini(struct km_agent *a)
{
	km_vcpu_destroy(&a->vcpu);
	km_vm_destroy(&a->vm);
	if (a->mem)
		munmap(a->mem, KM_AGENT_SIZE);
	a->mem = NULL;
}

void km_agent_map(struct km_agent *a, u64 va, u64 ipa, u64 size, unsigned int attr,
		  unsigned int flags)
{
	int r = km_s1pt_map(&a->pt, va, ipa, size, attr, flags);

	errno = -r;
	KM_CHECK(r == 0, "stage-1 map va 0x%llx -> ipa 0x%llx size 0x%llx",
		 (unsigned long long)va, (unsigned long long)ipa, (unsigned long long)size);
}

void km_agent_reset(struct km_agent *a)
{
	a->ncmds = 0;
	a->mbox->hdr.ncmds = 0;
	memset(a->mbox->cmds, 0, sizeof(a->mbox->cmds));
}

struct km_cmd *km_agent_cmd(struct km_agent *a, u32 op, u64 va, u32 size, u64 value)
{
	struct km_cmd *c;

	KM_CHECK(a->ncmds < KM_MAX_CMDS, "more than %zu agent commands", (size_t)KM_MAX_CMDS);
	c = &a->mbox->cmds[a->ncmds++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->va = va;
	c->size = size;
	c->value = value;
	c->result = KM_POISON;
	a->mbox->hdr.ncmds = a->ncmds;
	return c;
}

void km_agent_run(struct km_agent *a, struct km_exit *x)
{
	/* Tables mapped since the last run: the agent reads them first. */
	a->mbox->hdr.touch_pages = a->pt.used * (km_s1pt_granule(&a->pt) / KM_S1_PAGE_4K);
	km_vcpu_run(&a->vcpu, a->timeout_ms, x);
	if (x->kind != KM_X_MMIO || x->addr != KM_DOORBELL_IPA || !x->is_write)
		return;
	switch ((u32)x->data) {
	case KM_DB_DONE:
		x->kind = KM_X_DONE;
		break;
	case KM_DB_SYNC:
		x->kind = KM_X_SYNC;
		break;
	default:
		x->kind = KM_X_PANIC;
		break;
	}
}

void km_agent_run_done(struct km_agent *a)
{
	struct km_mbox_hdr *h = &a->mbox->hdr;
	struct km_exit x;
	char buf[200];

	km_agent_run(a, &x);
	if (x.kind == KM_X_PANIC) {
		errno = 0;
		KM_FATAL("guest agent took an unexpected exception: vector %llu ESR 0x%llx FAR 0x%llx ELR 0x%llx",
			 (unsigned long long)h->panic_vector, (unsigned long long)h->panic_esr,
			 (unsigned long long)h->panic_far, (unsigned long long)h->panic_elr);
	}
	errno = x.err;
	KM_CHECK(x.kind == KM_X_DONE, "agent did not finish its commands: %s (command %llu)",
		 km_exit_describe(&x, buf, sizeof(buf)), (unsigned long long)h->cur);
}

void km_write_ret_imm(void *hva, u16 imm)
{
	u32 insn[2] = {
		0xd2800000u | ((u32)imm << 5),	/* movz x0, #imm */
		0xd65f03c0u,			/* ret */
	};

	memcpy(hva, insn, sizeof(insn));
}
