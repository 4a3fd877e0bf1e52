/* stub_blob.S - embeds the linked ring-0 stub (a flat image) in the library,
 * so there is no separate file to ship. */
	.section .rodata
	.balign 4096
	.globl	rb_stub_image
	.hidden	rb_stub_image
rb_stub_image:
	.incbin	STUB_BIN
	.globl	rb_stub_image_end
	.hidden	rb_stub_image_end
rb_stub_image_end:
	.section .note.GNU-stack, "", @progbits
