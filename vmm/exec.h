/* exec.h - turning an ELF file plus argv/envp into a ready guest process. */
#ifndef RB_EXEC_H
#define RB_EXEC_H

#include "vm.h"

/* Size of the initial stack mapping (RLIMIT_STACK's usual default) and the
 * unmapped guard gap kept below it. */
#define EXEC_STACK_SIZE (8ULL << 20)
#define EXEC_STACK_GUARD (1ULL << 20)

/* Read, validate and map the program at `path`; build the Linux initial
 * stack (argc, argv, envp, auxv) and set rb->entry, rb->user_sp,
 * rb->proc.exe and the brk/mmap layout in rb->mm.  Returns 0 or a
 * negative enum ringbox_status with `err` filled. */
int exec_load(struct ringbox *rb, const char *path, char *const argv[], char *const envp[],
              struct ringbox_error *err);

#endif
