/* step.c - the on_transition hook: every crossing, with the registers either side. */
#include <signal.h>
#include <string.h>

#include "explain.h"
#include "kvm.h"
#include "step.h"

static void gprs(const struct kvm_regs *r, struct ringbox_regs *u)
{
    *u = (struct ringbox_regs){
        .rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx, .rsi = r->rsi, .rdi = r->rdi,
        .rbp = r->rbp, .rsp = r->rsp, .r8 = r->r8,   .r9 = r->r9,   .r10 = r->r10, .r11 = r->r11,
        .r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15, .rip = r->rip, .rflags = r->rflags,
    };
}

void step_syscall_regs(struct ringbox *rb, struct ringbox_regs *u)
{
    gprs(vm_regs(rb), u);
    u->rip = u->rcx;
    u->rflags = u->r11;
    u->rsp = kvm_user_rsp(rb);
}

void step_fault_regs(struct ringbox *rb, const struct rb_fault_frame *f, struct ringbox_regs *u)
{
    gprs(vm_regs(rb), u);
    u->rip = f->rip;
    u->rsp = f->rsp;
    u->rflags = f->rflags;
}

/* Where ring 3 resumes, from wherever the VMM left the vCPU: in ring 3
 * itself, at the stub's IRETQ with its frame on the kernel stack, or at its
 * SYSRETQ (RIP from RCX, RFLAGS from R11, the saved RSP). */
static void resume_regs(struct ringbox *rb, struct ringbox_regs *u)
{
    const struct kvm_regs *r = vm_regs(rb);
    gprs(r, u);
    if ((vm_sregs(rb)->cs.selector & 3) == 3)
        return;
    if (r->rip == rb->stub.ret_iret || r->rip == rb->stub.ret_flush_iret) {
        struct rb_iret_frame f;
        if (mem_read_kernel(&rb->mem, &f, r->rsp, sizeof(f)) == 0) {
            u->rip = f.rip;
            u->rsp = f.rsp;
            u->rflags = f.rflags;
        }
        return;
    }
    u->rip = r->rcx;
    u->rflags = r->r11;
    u->rsp = kvm_user_rsp(rb);
}

void step_report(struct ringbox *rb, struct ringbox_transition *t)
{
    t->seq = ++rb->step_seq;
    t->ring_before = 3;
    t->ring_during = 0;
    explain_insn(&rb->mem, t->insn_addr, t->insn, sizeof(t->insn));
    if (rb->ended) {
        t->ring_after = -1;
        t->after = t->before;
        t->next[0] = 0;
    } else {
        t->ring_after = 3;
        resume_regs(rb, &t->after);
        explain_insn(&rb->mem, t->after.rip, t->next, sizeof(t->next));
    }
    int act = rb->cfg.on_transition(rb->cfg.on_transition_ctx, t);
    if (act == RINGBOX_STEP_RUN || act == RINGBOX_STEP_KILL)
        rb->step_done = true;
    if (act == RINGBOX_STEP_KILL && !rb->ended)
        vm_kill(rb, SIGKILL);
}
