/* kvm.h - the machine: VM and vCPU setup, the guest's kernel half, the run loop. */
#ifndef RB_KVM_H
#define RB_KVM_H

#include "vm.h"

/* Open /dev/kvm, create the VM, its memory and vCPU, and build the kernel
 * half (stub, GDT, IDT, TSS, stacks), control registers and syscall MSRs.
 * 0 or a negative enum ringbox_status with `err` filled. */
int kvm_build(struct ringbox *rb, struct ringbox_error *err);

/* Point the vCPU at the stub's IRETQ into ring 3 at rb->entry with
 * rb->user_sp.  The last ioctl other than KVM_RUN, so seccomp can follow. */
int kvm_prepare(struct ringbox *rb, struct ringbox_error *err);

/* Service exits until the program ends.  0, or RINGBOX_EKVM/RINGBOX_EGUEST
 * for failures of the sandbox itself. */
int kvm_loop(struct ringbox *rb, struct ringbox_error *err);

/* Release everything kvm_build acquired (safe on a partial build). */
void kvm_teardown(struct ringbox *rb);

/* Resume ring 3 in the user context `u` (every GPR, RIP, RSP, RFLAGS),
 * which replaces the interrupted one: from the stub through IRETQ, or, when
 * the vCPU is in ring 3 already, by loading the registers.  RIP must be a
 * canonical user address; RFLAGS is filtered by cpu_user_rflags(). */
void kvm_resume_user(struct ringbox *rb, const struct kvm_regs *u);

/* The user RSP saved by the stub while a syscall is being forwarded. */
uint64_t kvm_user_rsp(const struct ringbox *rb);

#endif
