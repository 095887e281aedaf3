/* SPDX-License-Identifier: GPL-2.0 */
/* The guest agent image, embedded in the suite binary. */
	.section .rodata
	.balign 16
	.global km_agent_blob, km_agent_blob_end
km_agent_blob:
	.incbin "agent.bin"
km_agent_blob_end:
	.section .note.GNU-stack, "", %progbits
