/* step.h - cfg.on_transition: each crossing of the boundary shown to the
 * embedder with the registers before and after, which may go on, run to the
 * end or kill the program. */
#ifndef RB_STEP_H
#define RB_STEP_H

#include <stdbool.h>
#include "vm.h"

static inline bool step_on(const struct ringbox *rb)
{
    return rb->cfg.on_transition && !rb->step_done;
}

/* The ring-3 registers at a syscall hypercall: the GPRs as the stub left
 * them, RIP and RFLAGS from RCX and R11 (where SYSCALL put them), RSP as
 * the stub saved it. */
void step_syscall_regs(struct ringbox *rb, struct ringbox_regs *u);

/* The ring-3 registers at an exception: the GPRs (the stub preserves them)
 * with RIP, RSP and RFLAGS from its frame. */
void step_fault_regs(struct ringbox *rb, const struct rb_fault_frame *f, struct ringbox_regs *u);

/* After the crossing was served: fill in where ring 3 resumes (or that it
 * does not), call on_transition and act on its answer. */
void step_report(struct ringbox *rb, struct ringbox_transition *t);

#endif
