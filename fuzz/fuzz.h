/* fuzz.h - what the libFuzzer harnesses share: a property check that aborts
 * with a message, and a reference page walk written from the SDM rather
 * than from vmm/pt.c, to hold the checked copies against. */
#ifndef RB_FUZZ_H
#define RB_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include "mem.h"

/* A violated property: print it and abort, which libFuzzer reports as a
 * crash and saves the input. */
#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond))                                                           \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                 \
    } while (0)
__attribute__((noreturn, format(printf, 4, 5))) void fuzz_fail(const char *file, int line,
                                                               const char *cond, const char *fmt,
                                                               ...);

/* Walk `va` through m's 4-level tables as a ring-3 (user) or ring-0
 * (!user) access of the given kind would (SDM Vol. 3A 4.5, 4.6): every
 * level present, U/S at every level for user, R/W at every level for a
 * user write; a PS bit is a fault, since ringbox maps no large pages; a
 * table or frame outside guest RAM is a fault.  User accesses also stop at
 * RB_USER_TOP.  Returns true and sets *pa when the access is allowed. */
bool fuzz_ref_walk(const struct guest_mem *m, uint64_t va, bool user, bool write, uint64_t *pa);
/* Mark in tables[m->size / 4096] every frame that the walk from CR3 reads
 * as a page table (a frame reached at two levels is marked once, so even
 * entries pointing back up the tree keep this linear). */
void fuzz_table_frames(const struct guest_mem *m, bool *tables);

/* Guest memory as mem_init makes it, but with RAM from malloc so that
 * AddressSanitizer reports any access outside it.  Made once per process;
 * fuzz_mem_reset zeroes what the last input used and starts over. */
void fuzz_mem_init(struct guest_mem *m, uint64_t size);
void fuzz_mem_reset(struct guest_mem *m);

#endif
