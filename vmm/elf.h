/* elf.h - validating and loading x86-64 ELF executables and their
 * interpreters.  elf_validate is pure; elf_load writes only through mm. */
#ifndef RB_ELF_H
#define RB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm.h"

struct elf_image {
    bool pie;            /* ET_DYN: loaded at a chosen bias */
    uint64_t entry;      /* e_entry, before bias */
    uint64_t lo, hi;     /* page-aligned span of the PT_LOAD segments, before bias */
    uint64_t phdr_vaddr; /* where the program headers are in memory, before bias */
    uint16_t phnum, phentsize;
    bool exec_stack;     /* PT_GNU_STACK asks for PF_X (or is absent) */
    /* PT_INTERP's path (PATH_MAX bounds it, as in Linux), or "": static. */
    char interp[4096];
};

/* Check every header field of buf[0..len) (see elf.c for the list) and
 * record the interpreter path, if any.  Returns 0 or RINGBOX_EBADELF; on
 * failure writes a one-line reason into why[0..whylen). */
int elf_validate(const uint8_t *buf, size_t len, struct elf_image *img, char *why, size_t whylen);

/* Map the validated image at `bias` (0 for ET_EXEC) with each segment's own
 * protection, copy file contents, zero the rest.  The pages holding file
 * contents are named `file` (may be NULL) in /proc/self/maps.  0 or -ENOMEM. */
int elf_load(struct mm *mm, const uint8_t *buf, size_t len, const struct elf_image *img,
             uint64_t bias, struct mm_file *file);

#endif
