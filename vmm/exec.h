/* exec.h - turning an ELF file plus argv/envp into a ready guest process. */
#ifndef RB_EXEC_H
#define RB_EXEC_H

#include <stdint.h>
#include "mem.h"
#include "vm.h"

/* Size of the initial stack mapping (RLIMIT_STACK's usual default) and the
 * unmapped guard gap kept below it. */
#define EXEC_STACK_SIZE (8ULL << 20)
#define EXEC_STACK_GUARD (1ULL << 20)

/* Read, validate and map the program at `path`; set up the file view
 * (fs_default_view); for a program with PT_INTERP, load the interpreter
 * found at that path in the file view and start there; build the Linux
 * initial stack (argc, argv, envp, auxv) and set rb->entry, rb->user_sp,
 * rb->proc.exe and the brk/mmap layout in rb->mm.  Returns 0 or a
 * negative enum ringbox_status with `err` filled (RINGBOX_EDYNAMIC when
 * the interpreter is missing from the view or unusable). */
int exec_load(struct ringbox *rb, const char *path, char *const argv[], char *const envp[],
              struct ringbox_error *err);

/* What the auxiliary vector reports, addresses already biased. */
struct exec_auxv {
    uint64_t phdr, phent, phnum; /* AT_PHDR, AT_PHENT, AT_PHNUM */
    uint64_t base;               /* AT_BASE: the interpreter's load address, or 0 */
    uint64_t entry;              /* AT_ENTRY: the program's entry */
    uint64_t hwcap;              /* AT_HWCAP */
    uint32_t uid, gid;           /* AT_UID and AT_EUID, AT_GID and AT_EGID */
    const char *execfn;          /* AT_EXECFN's string */
    uint8_t random[16];          /* AT_RANDOM's bytes */
};

/* Write the Linux initial stack into the mapped, writable user pages
 * [top - size, top): strings and AT_RANDOM's bytes at the top, then argc,
 * argv, NULL, envp, NULL and the auxv pairs ending in AT_NULL (x86-64 psABI
 * 3.4.1).  argv and envp may be NULL, meaning empty.  Sets *sp to argc's
 * address, 16-byte aligned.  The part exec_load needs that runs without
 * /dev/kvm.  0, -E2BIG when the strings and pointers exceed size / 4
 * (Linux's limit), or -EFAULT. */
int exec_build_stack(const struct guest_mem *mem, uint64_t top, uint64_t size,
                     const struct exec_auxv *aux, char *const argv[], char *const envp[],
                     uint64_t *sp);

#endif
