/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest agent entry and exception vectors.  The vCPU starts here at EL1 with
 * the MMU off; the host sets nothing but the PC.
 */
#include "agent_abi.h"

#define FRAME_SIZE	272	/* x0-x30, elr, spsr, rounded to 16 */

	.section .text.entry, "ax"
	.global _start
_start:
	movz	x1, #((KM_AGENT_IPA + KM_STACK_TOP_OFF) >> 16), lsl #16
	mov	sp, x1
	adr	x1, km_vectors
	msr	vbar_el1, x1
	isb
	bl	agent_main
1:	wfi
	b	1b

/* Every vector saves x0/x1, puts its index in x0 and joins the common path. */
.macro ventry idx
	.balign 0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\idx
	b	km_exc_common
.endm

	.text
	.balign 0x800
km_vectors:
	.irp idx, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	ventry \idx
	.endr

km_exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #248]
	mov	x1, sp
	bl	km_exception		/* may rewrite the saved ELR */
	ldp	x1, x2, [sp, #248]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret
