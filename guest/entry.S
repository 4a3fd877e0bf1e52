/* entry.S - the stub's header, its one syscall forwarding path and its return paths.
 *
 * Every instruction here runs in ring 0, which kvm_pvm emulates at about
 * 0.6 us each, so the paths are counted:
 *   architectural SYSCALL:  mov, mov, out | mov, sysretq               (5)
 *   kvm_pvm SYSCALL (#PF):  cmp, jne, push, pop, mov, out | mov, sysretq (8)
 * The timed build (RB_STUB_TIMED, docs/trace.md) adds a TSC stamp of 7
 * instructions on each entry from ring 3 and each return to it; the default
 * build has none.
 * Each route has its own OUT (RB_HC_SYSCALL, RB_HC_SYSCALL_PF), so the VMM
 * learns the route from the port and counts it without a single extra
 * instruction here.  The stub keeps no policy and parses nothing; the VMM
 * picks the return path by setting RIP to one of the ret_* labels after
 * each hypercall.
 */
#include "ringbox_abi.h"

/* Store the TSC at `slot` without changing a register: RDTSC is allowed
 * at CPL 0 whatever CR4.TSD says (SDM Vol. 2B RDTSC).  Needs a stack. */
	.macro	stamp slot
#ifdef RB_STUB_TIMED
	push	%rax
	push	%rdx
	rdtsc
	mov	%eax, \slot
	mov	%edx, \slot + 4
	pop	%rdx
	pop	%rax
#endif
	.endm

	.section .stub.header, "a"
	.long	RB_STUB_MAGIC, RB_ABI_VERSION
	.quad	syscall_entry
	.quad	hc_syscall, hc_fault, hc_syscall_pf
	.quad	hc_syscall_next, hc_fault_next, hc_syscall_pf_next
	.quad	ret_sysret, ret_iret, ret_flush_sysret, ret_flush_iret
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	vec\v
	.endr

	.text
	.code64

/* LSTAR.  Architectural SYSCALL: CPL 0, RSP still the user's, RCX = user
 * RIP, R11 = user RFLAGS, RFLAGS already masked by SFMASK (SDM Vol. 2B
 * SYSCALL).  Switch to the kernel stack before anything can push. */
	.globl	syscall_entry
syscall_entry:
	mov	%rsp, RB_STUB_USER_RSP_VA
	mov	$RB_KSTACK_TOP, %rsp
	stamp	RB_STUB_TSC_IN_VA
hc_syscall:
	outl	%eax, $RB_HC_PORT(RB_HC_SYSCALL)
hc_syscall_next:
ret_sysret:
	stamp	RB_STUB_TSC_OUT_VA
	mov	RB_STUB_USER_RSP_VA, %rsp
	sysretq

/* #PF.  kvm_pvm keeps CPL 3 across SYSCALL, so fetching the supervisor-only
 * LSTAR page faults (error 0x15) with the faulting RIP equal to LSTAR and
 * RCX/R11 already set as SYSCALL sets them.  That fault is a syscall,
 * forwarded through its own OUT so the VMM can count the route; every other
 * #PF is a real fault.  The CPU frame here is: error code, RIP, CS, RFLAGS,
 * RSP, SS (SDM Vol. 3A 6.14.2).  The VMM resumes at ret_sysret as for the
 * architectural route. */
	.globl	vec14
vec14:
	cmpq	$syscall_entry, 8(%rsp)
	jne	pf_fault
	pushq	32(%rsp)		/* RSP operand is read before the push */
	popq	RB_STUB_USER_RSP_VA
	mov	$RB_KSTACK_TOP, %rsp
	stamp	RB_STUB_TSC_IN_VA
hc_syscall_pf:
	outl	%eax, $RB_HC_PORT(RB_HC_SYSCALL_PF)
hc_syscall_pf_next:
	/* The VMM never resumes here; if it did, fault loudly in ring 0. */
	ud2

/* The VMM changed a present mapping: flush this CPU's TLB before going
 * back (SDM Vol. 3A 4.10.4.1: MOV to CR3 invalidates non-global entries). */
ret_flush_sysret:
	push	%rax
	mov	%cr3, %rax
	mov	%rax, %cr3
	pop	%rax
	jmp	ret_sysret

ret_flush_iret:
	push	%rax
	mov	%cr3, %rax
	mov	%rax, %cr3
	pop	%rax
/* The VMM placed a struct rb_iret_frame at RSP: the first drop to ring 3,
 * and every return that replaces the user context. */
ret_iret:
	stamp	RB_STUB_TSC_OUT_VA
	iretq

pf_fault:
	pushq	$RB_VEC_PF
/* Frame: vector, error code, then the CPU's frame.  Add CR2 on top without
 * losing the user's RAX, and hand the whole frame to the VMM. */
	.globl	fault_common
fault_common:
	push	%rax
	mov	%cr2, %rax
	xchg	%rax, (%rsp)
	stamp	RB_STUB_TSC_IN_VA
hc_fault:
	outl	%eax, $RB_HC_PORT(RB_HC_FAULT)
hc_fault_next:
	/* The VMM never resumes here; if it did, fault loudly in ring 0. */
	ud2
