/* fuzz.c - the harnesses' shared checks and fake guest memory (see fuzz.h). */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringbox_abi.h"

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: property violated: %s: ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define ENTRY_P 0x1ULL
#define ENTRY_RW 0x2ULL
#define ENTRY_US 0x4ULL
#define ENTRY_PS 0x80ULL
#define ENTRY_FRAME 0x000ffffffffff000ULL

static bool entry_at(const struct guest_mem *m, uint64_t table, unsigned idx, uint64_t *e)
{
    if (table > m->size || m->size - table < RB_PAGE_SIZE)
        return false;
    memcpy(e, m->ram + table + 8ULL * idx, 8);
    return true;
}

bool fuzz_ref_walk(const struct guest_mem *m, uint64_t va, bool user, bool write, uint64_t *pa)
{
    uint64_t top = va >> 47;
    if (top != 0 && top != 0x1ffff)
        return false;
    if (user && va >= RB_USER_TOP)
        return false;
    uint64_t table = m->cr3, acc = ENTRY_RW | ENTRY_US;
    for (int level = 4; level >= 1; level--) {
        uint64_t e;
        if (!entry_at(m, table, (va >> (12 + 9 * (level - 1))) & 511, &e) || !(e & ENTRY_P))
            return false;
        if (level > 1 && (e & ENTRY_PS))
            return false;
        acc &= e;
        table = e & ENTRY_FRAME;
    }
    if (table > m->size || m->size - table < RB_PAGE_SIZE)
        return false;
    if (user && (!(acc & ENTRY_US) || (write && !(acc & ENTRY_RW))))
        return false;
    *pa = table | (va & (RB_PAGE_SIZE - 1));
    return true;
}

/* seen[frame * 4 + level - 1]: a frame read as a table at two levels has
 * different children at each, so both are walked, but each only once. */
static void mark_tables(const struct guest_mem *m, uint64_t table, int level, bool *tables,
                        bool *seen)
{
    if (table > m->size || m->size - table < RB_PAGE_SIZE)
        return;
    uint64_t f = table / RB_PAGE_SIZE;
    if (seen[f * 4 + level - 1])
        return;
    seen[f * 4 + level - 1] = true;
    tables[f] = true;
    if (level == 1)
        return;
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e;
        if (entry_at(m, table, i, &e) && (e & ENTRY_P) && !(e & ENTRY_PS))
            mark_tables(m, e & ENTRY_FRAME, level - 1, tables, seen);
    }
}

void fuzz_table_frames(const struct guest_mem *m, bool *tables)
{
    size_t n = m->size / RB_PAGE_SIZE;
    bool *seen = calloc(n * 4, 1);
    if (!seen)
        abort();
    memset(tables, 0, n);
    mark_tables(m, m->cr3, 4, tables, seen);
    free(seen);
}

void fuzz_mem_init(struct guest_mem *m, uint64_t size)
{
    memset(m, 0, sizeof(*m));
    /* Page aligned: mem_free_pages zeroes frames with madvise. */
    m->ram = aligned_alloc(MEM_PAGE, size);
    m->free = malloc(sizeof(*m->free) * (size / MEM_PAGE));
    if (!m->ram || !m->free)
        abort();
    memset(m->ram, 0, size);
    m->size = size;
    m->npages = (uint32_t)(size / MEM_PAGE);
    if (mem_alloc_page(m, &m->cr3) < 0)
        abort();
}

void fuzz_mem_reset(struct guest_mem *m)
{
    /* Only frames below `fresh` were ever handed out (mem.h). */
    memset(m->ram, 0, (uint64_t)m->fresh * MEM_PAGE);
    m->fresh = 0;
    m->nfree = 0;
    m->flush = false;
    if (mem_alloc_page(m, &m->cr3) < 0)
        abort();
}
