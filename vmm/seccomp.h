/* seccomp.h - the VMM confining itself before it runs untrusted code. */
#ifndef RB_SECCOMP_H
#define RB_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include "vm.h"

/* Room for the table's entries (seccomp.c asserts the table fits). */
#define SECCOMP_RULES_MAX 128

/* Install the filter on the calling thread, or with `all_threads` on every
 * thread of the process at once (TSYNC): from here on they may make only
 * the host syscalls the run loop and the syscall handlers need, and any
 * other kills the process with SIGSYS.  Irreversible.  0 or
 * RINGBOX_ESECCOMP with `err` filled. */
int seccomp_confine(struct ringbox *rb, bool all_threads, struct ringbox_error *err);

/* The distinct syscall numbers the filter allows (in any argument pattern),
 * in table order, into nrs; returns how many.  Pure: installs nothing.
 * For the tests that check what the VMM does against what it may do. */
size_t seccomp_allowlist(int nrs[SECCOMP_RULES_MAX]);

/* How many entries the table has, and in *pinned how many of them also
 * pin arguments. */
size_t seccomp_rule_count(size_t *pinned);

#endif
