/* SPDX-License-Identifier: GPL-2.0 */
/* Files embedded in the suite binary: the guest agent and the data tables. */
	.section .rodata
	.balign 16
	.global km_agent_blob, km_agent_blob_end
km_agent_blob:
	.incbin "agent.bin"
km_agent_blob_end:

	.global km_known_issues_text
km_known_issues_text:
	.incbin "known-issues"
	.byte 0

	.global km_contracts_text
km_contracts_text:
	.incbin "contracts"
	.byte 0

	.section .note.GNU-stack, "", %progbits
