/* pt.c - building and walking the guest's 4-level page tables (SDM Vol. 3A 4.5). */
#include <errno.h>

#include "pt.h"
#include "ringbox_abi.h"
#include "x86.h"

/* Bits 63:47 must all equal bit 47 (SDM Vol. 1 3.3.7.1). */
static bool canonical(uint64_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

static uint64_t *table_at(const struct guest_mem *m, uint64_t entry)
{
    uint64_t pa = entry & X86_PTE_ADDR_MASK;
    if (pa >= m->size)
        return NULL;
    return (uint64_t *)(m->ram + pa);
}

uint64_t *pt_leaf(struct guest_mem *m, uint64_t va, bool create, int *err)
{
    if (err)
        *err = 0;
    if (!canonical(va)) {
        if (err)
            *err = -EFAULT;
        return NULL;
    }
    /* Non-leaf entries grant everything; the leaf alone restricts.  The
     * lower half's are user-accessible, the upper half's supervisor-only,
     * so no leaf mistake can expose the stub to ring 3. */
    uint64_t dir = X86_PTE_P | X86_PTE_RW | (va < RB_USER_TOP ? X86_PTE_US : 0);
    uint64_t *table = (uint64_t *)(m->ram + m->cr3);
    for (int level = X86_PT_LEVELS; level > 1; level--) {
        uint64_t *e = &table[X86_PT_INDEX(va, level)];
        if (!(*e & X86_PTE_P)) {
            uint64_t pa;
            if (!create)
                return NULL;
            if (mem_alloc_page(m, &pa) < 0) {
                if (err)
                    *err = -ENOMEM;
                return NULL;
            }
            *e = pa | dir;
        }
        table = table_at(m, *e);
        if (!table) {
            if (err)
                *err = -EFAULT;
            return NULL;
        }
    }
    return &table[X86_PT_INDEX(va, 1)];
}

int pt_map(struct guest_mem *m, uint64_t va, uint64_t pa, uint64_t flags)
{
    int err;
    uint64_t *leaf = pt_leaf(m, va, true, &err);
    if (!leaf)
        return err;
    /* Any non-zero leaf is in use, present or not: a not-present one may
     * hold a PROT_NONE page's frame (mm.h), which must not be lost. */
    if (*leaf)
        return -EEXIST;
    *leaf = (pa & X86_PTE_ADDR_MASK) | flags;
    return 0;
}

int pt_translate(const struct guest_mem *m, uint64_t va, uint64_t *pa, uint64_t *eff)
{
    if (!canonical(va))
        return -EFAULT;
    uint64_t allow = X86_PTE_P | X86_PTE_RW | X86_PTE_US, nx = 0;
    const uint64_t *table = (const uint64_t *)(m->ram + m->cr3);
    for (int level = X86_PT_LEVELS; level >= 1; level--) {
        uint64_t e = table[X86_PT_INDEX(va, level)];
        if (!(e & X86_PTE_P))
            return -EFAULT;
        allow &= e;
        nx |= e & X86_PTE_NX;
        if (level == 1) {
            uint64_t frame = e & X86_PTE_ADDR_MASK;
            if (frame >= m->size)
                return -EFAULT;
            *pa = frame | (va & (MEM_PAGE - 1));
            *eff = allow | nx;
            return 0;
        }
        /* ringbox never maps large pages; a PS bit means corruption. */
        if (e & X86_PTE_PS)
            return -EFAULT;
        table = table_at(m, e);
        if (!table)
            return -EFAULT;
    }
    return -EFAULT;
}
