/* seccomp.h - the VMM confining itself before it runs untrusted code. */
#ifndef RB_SECCOMP_H
#define RB_SECCOMP_H

#include "vm.h"

/* Install the filter on the calling thread: from here on it may make only
 * the host syscalls the run loop and the syscall handlers need.  0 or
 * RINGBOX_ESECCOMP with `err` filled. */
int seccomp_confine(struct ringbox *rb, struct ringbox_error *err);

#endif
