/* unit_util.h - a sandbox without /dev/kvm for handler unit tests: guest
 * memory, an address space, limits, fds 0-2, tracing off and a zeroed
 * kvm_run, so sys_dispatch() runs as it would in a real VM. */
#ifndef RB_UNIT_UTIL_H
#define RB_UNIT_UTIL_H

#include <stdint.h>
#include "vm.h"

void unit_rb_init(struct ringbox *rb, struct ringbox_result *res, uint64_t mem_size);
void unit_rb_fini(struct ringbox *rb);
/* sys_dispatch() of syscall nr with these six argument registers. */
int64_t unit_call(struct ringbox *rb, long nr, const uint64_t a[6]);

#endif
