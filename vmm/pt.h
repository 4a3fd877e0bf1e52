/* pt.h - the 4-level page tables the VMM writes for the guest.  Pure.
 *
 * Invariant that keeps every KVM (including shadow-paging ones such as
 * kvm_pvm, which never notices the host editing a page table) coherent:
 * tables only grow; a non-leaf entry, once present, never changes; a table
 * page is never freed before the VM.  Leaf entries are changed only by mm.c,
 * which retires the old page through mem_free_page() whenever it removes or
 * narrows access to it. */
#ifndef RB_PT_H
#define RB_PT_H

#include <stdint.h>
#include "mem.h"

/* Leaf permissions in PTE terms: X86_PTE_P | [X86_PTE_RW] | [X86_PTE_US] |
 * [X86_PTE_NX] | [X86_PTE_G]. */

/* Pointer to the leaf (level-1) entry for `va`, creating missing tables when
 * `create` (then -ENOMEM is possible, reported as NULL with *err set).
 * Returns NULL if a table is missing and !create.  Tables in the lower half
 * are P|RW|US, in the upper half P|RW: the leaf alone decides access. */
uint64_t *pt_leaf(struct guest_mem *m, uint64_t va, bool create, int *err);

/* Map one 4 KiB page.  The leaf must be empty (zero): a fresh mapping needs
 * no TLB flush (SDM Vol. 3A 4.10.4.3), and a non-zero one, even if not
 * present, may own a frame.  0, -ENOMEM or -EEXIST. */
int pt_map(struct guest_mem *m, uint64_t va, uint64_t pa, uint64_t flags);

/* Walk `va` as the MMU does.  On success sets *pa and *eff to the effective
 * permissions: P, RW and US are the AND over all levels, NX the OR.
 * -EFAULT if any level is not present. */
int pt_translate(const struct guest_mem *m, uint64_t va, uint64_t *pa, uint64_t *eff);

#endif
