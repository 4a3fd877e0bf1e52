/* fault.h - what a ring-3 exception means for the program. */
#ifndef RB_FAULT_H
#define RB_FAULT_H

#include "ringbox_abi.h"
#include "vm.h"

/* The Linux signal an exception from ring 3 raises (arch/x86/kernel/traps.c). */
int fault_signal(int vector);

/* Fill *ft from an exception frame: the instruction bytes the program can
 * read at RIP, disassembled, the page walk (of CR2 for #PF, else of the
 * instruction) and the plain explanation.  Changes nothing in rb. */
void fault_describe(const struct ringbox *rb, const struct rb_fault_frame *f, struct ringbox_fault *ft);

/* Deliver the exception's signal to the program's handler (sig.h), or,
 * when it takes the default action, record the exception in the run's
 * result (with the instruction bytes the program can read at RIP,
 * disassembled) and end the run with its signal. */
void fault_user(struct ringbox *rb, const struct rb_fault_frame *f);

#endif
