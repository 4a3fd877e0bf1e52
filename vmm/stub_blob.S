/* stub_blob.S - embeds the linked ring-0 stub (a flat image) in the library,
 * so there is no separate file to ship; and its timed build, which the VMM
 * loads only for the trace's summary (docs/trace.md). */
	.section .rodata
	.balign 4096
	.globl	rb_stub_image
	.hidden	rb_stub_image
rb_stub_image:
	.incbin	STUB_BIN
	.globl	rb_stub_image_end
	.hidden	rb_stub_image_end
rb_stub_image_end:

	.balign 4096
	.globl	rb_stub_timed_image
	.hidden	rb_stub_timed_image
rb_stub_timed_image:
	.incbin	STUB_TIMED_BIN
	.globl	rb_stub_timed_image_end
	.hidden	rb_stub_timed_image_end
rb_stub_timed_image_end:
	.section .note.GNU-stack, "", @progbits
