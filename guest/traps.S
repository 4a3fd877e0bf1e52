/* traps.S - IDT entry points for vectors 0-31 (#PF lives in entry.S).
 * Each gives the frame a uniform shape - error code, then vector - and
 * joins fault_common, which forwards it to the VMM. */
#include "ringbox_abi.h"

	.text
	.code64

	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.globl	vec\v
vec\v:
	.if	!(RB_VEC_HAS_ERROR(\v))
	pushq	$0
	.endif
	pushq	$\v
	jmp	fault_common
	.endr
