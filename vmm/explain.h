/* explain.h - what a fault and an address space mean, in words: page walks,
 * region names, disassembly with context, the one-line explanation and the
 * map of the address space from the real page tables.
 * Pure: no ioctls; reads guest-physical memory and the mm state only. */
#ifndef RB_EXPLAIN_H
#define RB_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mem.h"
#include "mm.h"
#include "ringbox.h"

/* Walk `va` through the 4 levels of m's tables as the MMU does (SDM Vol. 3A
 * 4.5), recording each entry read; stops at a not-present entry or a large
 * page (PS), or reads nothing for a non-canonical address. */
void explain_walk(const struct guest_mem *m, uint64_t va, struct ringbox_walk *w);

/* Effective permissions of a complete walk: X86_PTE_P, RW and US as the AND
 * over the levels, X86_PTE_NX as the OR (SDM Vol. 3A 4.6); 0 when some level
 * was not present. */
uint64_t explain_walk_eff(const struct ringbox_walk *w);

/* The walk, one line per level ("PML4E[255] 0x... P=1 RW=1 US=1 NX=0 A=1
 * D=0"), each line starting with `indent`.  As snprintf. */
int explain_format_walk(const struct ringbox_walk *w, const char *indent, char *buf, size_t len);

/* Name of what lies at `va`: a piece of the stub's kernel half ("stub
 * text", "GDT", "kernel stack guard page"), a program region ("text
 * /bin/prog", "heap", "stack"), the "stack guard page" below the stack,
 * the "never-mapped low 64 KiB" or "unmapped".  `mm` may be NULL. */
void explain_region(const struct mm *mm, uint64_t va, char *buf, size_t len);

/* va lies in the gap left unmapped below the program's stack. */
bool explain_in_stack_guard(const struct mm *mm, uint64_t va);

/* The one plain line on why the fault happened, from its vector, error
 * code, instruction bytes and ft->walk ("ring-3 code tried to write a
 * read-only page", "HLT is privileged: only ring 0 may execute it"). */
void explain_fault(const struct ringbox_fault *ft, const struct mm *mm, char *buf, size_t len);

/* Disassembly of up to `before` instructions ending just before `addr`,
 * the one at `addr` (marked "=>") and up to `after` following it, from
 * the bytes the program itself can read.  One line each, starting with
 * `indent`.  As snprintf; "" when addr is unreadable. */
int explain_code(const struct guest_mem *m, uint64_t addr, int before, int after, const char *indent,
                 char *buf, size_t len);

/* Capstone's rendering of the one instruction at `addr` ("mov eax, 1"),
 * from the bytes the program can read.  Its length, or 0 (buf "") when
 * unreadable or undecodable. */
size_t explain_insn(const struct guest_mem *m, uint64_t addr, char *buf, size_t len);

/* The address space as the page tables map it: contiguous pages with equal
 * effective permissions and name coalesced into ranges, in address order,
 * with the guard pages (stack guard, kernel stack guards) shown as not
 * present.  Calls line(ctx, text) once per line (no newline). */
void explain_maps(const struct guest_mem *m, const struct mm *mm, void (*line)(void *ctx, const char *text),
                  void *ctx);

#endif
