/* unit_mm.c - the address space (mm.c, sys_mm.c) against Linux semantics
 * and the coherence rule, checked by walking the page tables it writes. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fd.h"
#include "mem.h"
#include "mm.h"
#include "pt.h"
#include "require.h"
#include "ringbox_abi.h"
#include "sys.h"
#include "x86.h"

#define PG 4096ULL
#define MEM_SIZE (4ULL << 20)
#define TOP 0x7f0000000000ULL /* mmap_top for the tests */
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define PERM (X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_NX)

/* The sandbox handle, so the syscall handlers can be driven too; only its
 * memory and address space are used. */
static struct ringbox rb;
static struct guest_mem *const M = &rb.mem;
static struct mm *const MM = &rb.mm;

static void setup(void)
{
    memset(&rb, 0, sizeof rb);
    ck_assert_int_eq(mem_init(M, MEM_SIZE), 0);
    mm_init(MM, M);
    MM->mmap_top = TOP;
    MM->mmap_min = 0x10000000;
}

static void teardown(void)
{
    fd_fini(&rb.fds);
    mm_fini(MM);
    mem_fini(M);
}

static uint64_t free_pages(void)
{
    return mem_free_bytes(M) / PG;
}

/* ---- The invariant ----------------------------------------------------------
 * Regions are sorted, disjoint, aligned, in range and fully merged; every
 * non-zero leaf lies in a region and has that region's form (present with
 * mm_prot_to_pte, or kept for PROT_NONE); every page of an accessible region
 * is present; and each guest frame is exactly one of: free, a page table,
 * or the frame of one leaf.  Returns the number of page-table pages. */
struct walk {
    uint8_t *owner; /* per frame: 0 unowned, 1 owned */
    uint64_t tables, present;
};

static void own(struct walk *w, uint64_t pa)
{
    REQUIRE(pa < M->size, "frame %#llx outside RAM", (unsigned long long)pa);
    REQUIRE(!w->owner[pa / PG], "frame %#llx owned twice", (unsigned long long)pa);
    w->owner[pa / PG] = 1;
}

static void walk_table(struct walk *w, uint64_t table, int level, uint64_t base)
{
    own(w, table);
    w->tables++;
    const uint64_t *t = mem_host(M, table);
    /* The PML4's upper half is the stub's, never mm's. */
    int n = level == X86_PT_LEVELS ? X86_PT_ENTRIES / 2 : X86_PT_ENTRIES;
    for (int i = 0; i < n; i++) {
        uint64_t e = t[i], va = base | ((uint64_t)i << X86_PT_SHIFT(level));
        if (level > 1) {
            if (e & X86_PTE_P)
                walk_table(w, e & X86_PTE_ADDR_MASK, level - 1, va);
            else
                REQUIRE(e == 0, "non-present table entry %#llx", (unsigned long long)e);
            continue;
        }
        if (!e)
            continue;
        const struct mm_region *r = mm_find(MM, va);
        REQUIRE(r, "leaf %#llx at %#llx outside every region", (unsigned long long)e,
                (unsigned long long)va);
        REQUIRE(!(e & ~(X86_PTE_ADDR_MASK | PERM | MM_PTE_KEPT | X86_PTE_A | X86_PTE_D)),
                "leaf %#llx at %#llx has stray bits", (unsigned long long)e, (unsigned long long)va);
        if (r->prot == PROT_NONE) {
            REQUIRE(!(e & X86_PTE_P) && (e & MM_PTE_KEPT), "PROT_NONE leaf %#llx at %#llx",
                    (unsigned long long)e, (unsigned long long)va);
        } else {
            REQUIRE((e & (PERM | MM_PTE_KEPT)) == mm_prot_to_pte(r->prot),
                    "leaf %#llx at %#llx, region prot %d", (unsigned long long)e,
                    (unsigned long long)va, r->prot);
            w->present++;
        }
        own(w, e & X86_PTE_ADDR_MASK);
    }
}

static uint64_t check_mm(void)
{
    for (size_t i = 0; i < MM->nregions; i++) {
        const struct mm_region *r = &MM->regions[i];
        REQUIRE(r->start < r->end && r->start % PG == 0 && r->end % PG == 0, "region %zu", i);
        REQUIRE(r->start >= RB_USER_MIN && r->end <= RB_USER_TOP, "region %zu out of range", i);
        REQUIRE(!(r->prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)), "region %zu prot", i);
        if (i > 0) {
            const struct mm_region *p = &MM->regions[i - 1];
            REQUIRE(p->end <= r->start, "regions %zu and %zu overlap", i - 1, i);
            bool same_file = p->file == r->file ||
                             (p->file && r->file && !strcmp(p->file->name, r->file->name) &&
                              p->file->dev == r->file->dev && p->file->ino == r->file->ino);
            REQUIRE(!(p->end == r->start && p->prot == r->prot && p->kind == r->kind &&
                      p->shared == r->shared && same_file &&
                      (!p->file || p->offset + (p->end - p->start) == r->offset)),
                    "regions %zu and %zu should have merged", i - 1, i);
        }
        REQUIRE(mm_find(MM, r->start) == r && mm_find(MM, r->end - 1) == r, "mm_find %zu", i);
        REQUIRE(!r->file || r->file->refs > 0, "region %zu names a dead file", i);
        REQUIRE(r->file || !r->offset, "unnamed region %zu has an offset", i);
    }
    struct walk w = { .owner = calloc(M->size / PG, 1) };
    ck_assert_ptr_nonnull(w.owner);
    walk_table(&w, M->cr3, X86_PT_LEVELS, 0);
    for (uint32_t i = 0; i < M->nfree; i++)
        own(&w, (uint64_t)M->free[i] * PG);
    for (uint64_t f = M->fresh; f < M->npages; f++) /* never handed out */
        own(&w, f * PG);
    for (uint64_t f = 0; f < M->size / PG; f++)
        REQUIRE(w.owner[f], "frame %#llx leaked", (unsigned long long)(f * PG));
    free(w.owner);
    uint64_t accessible = 0;
    for (size_t i = 0; i < MM->nregions; i++)
        if (MM->regions[i].prot != PROT_NONE)
            accessible += (MM->regions[i].end - MM->regions[i].start) / PG;
    REQUIRE(w.present == accessible, "%llu present leaves, %llu accessible pages",
            (unsigned long long)w.present, (unsigned long long)accessible);
    return w.tables;
}

/* ---- Helpers ---------------------------------------------------------------- */

static int64_t map(uint64_t addr, uint64_t len, int prot, int flags)
{
    int64_t r = mm_mmap(MM, addr, len, prot, flags);
    check_mm();
    return r;
}

static uint64_t leaf(uint64_t va)
{
    int err = 0;
    uint64_t *e = pt_leaf(M, va, false, &err);
    return e ? *e : 0;
}

/* The frame behind a present page. */
static uint64_t frame(uint64_t va)
{
    uint64_t pa, eff;
    ck_assert_int_eq(pt_translate(M, va, &pa, &eff), 0);
    return pa & X86_PTE_ADDR_MASK;
}

static uint64_t eff_of(uint64_t va)
{
    uint64_t pa, eff;
    ck_assert_int_eq(pt_translate(M, va, &pa, &eff), 0);
    return eff;
}

static bool translates(uint64_t va)
{
    uint64_t pa, eff;
    return pt_translate(M, va, &pa, &eff) == 0;
}

static void fill(uint64_t va, uint64_t len, int byte)
{
    uint8_t buf[PG];
    memset(buf, byte, sizeof buf);
    for (uint64_t off = 0; off < len; off += PG)
        REQUIRE(mm_poke(MM, va + off, buf, PG) == 0, "poke %#llx", (unsigned long long)(va + off));
}

/* Ring 3 would read `byte` throughout [va, va+len). */
static void expect(uint64_t va, uint64_t len, int byte)
{
    uint8_t buf[PG];
    for (uint64_t off = 0; off < len; off += PG) {
        REQUIRE(mem_copy_from_user(M, buf, va + off, PG) == 0, "%#llx unreadable",
                (unsigned long long)(va + off));
        for (size_t i = 0; i < PG; i++)
            REQUIRE(buf[i] == byte, "%#llx: %#x, wanted %#x", (unsigned long long)(va + off + i),
                    buf[i], byte);
    }
}

/* Ring 3 could write va; the byte there is written back unchanged. */
static bool writable(uint64_t va)
{
    uint8_t b = 0;
    if (mem_copy_from_user(M, &b, va, 1) != 0)
        return false;
    return mem_copy_to_user(M, va, &b, 1) == 0;
}

/* ---- Tests ------------------------------------------------------------------ */

START_TEST(prot_to_pte_encodings)
{
    /* Hand-checked against SDM Vol. 3A table 4-20: P=bit 0, R/W=1, U/S=2, XD=63. */
    ck_assert_uint_eq(mm_prot_to_pte(PROT_READ), 0x8000000000000005ULL);
    ck_assert_uint_eq(mm_prot_to_pte(RW), 0x8000000000000007ULL);
    ck_assert_uint_eq(mm_prot_to_pte(PROT_WRITE), 0x8000000000000007ULL);
    ck_assert_uint_eq(mm_prot_to_pte(PROT_READ | PROT_EXEC), 0x5ULL);
    ck_assert_uint_eq(mm_prot_to_pte(PROT_EXEC), 0x5ULL);
    ck_assert_uint_eq(mm_prot_to_pte(RW | PROT_EXEC), 0x7ULL);
    ck_assert_uint_eq(MM_PTE_KEPT, 0x200ULL);
}
END_TEST

START_TEST(mmap_top_down_zeroed)
{
    int64_t a = map(0, 3 * PG, RW, ANON);
    ck_assert_int_eq(a, (int64_t)(TOP - 3 * PG));
    expect((uint64_t)a, 3 * PG, 0);
    ck_assert_uint_eq(eff_of((uint64_t)a), mm_prot_to_pte(RW));
    int64_t b = map(0, PG, PROT_READ, ANON);
    ck_assert_int_eq(b, a - (int64_t)PG);
    ck_assert(!writable((uint64_t)b));
    /* A hole is reused before going lower: the highest gap that fits. */
    ck_assert_int_eq(mm_munmap(MM, (uint64_t)a + PG, PG), 0);
    check_mm();
    ck_assert_int_eq(map(0, PG, RW, ANON), a + (int64_t)PG);
    ck_assert_int_eq(map(0, 2 * PG, RW, ANON), b - 2 * (int64_t)PG);
    ck_assert_uint_eq(MM->nregions, 3); /* RW [b-2, b), R [b], RW [a, TOP) */
}
END_TEST

START_TEST(mmap_same_prot_merges_and_kinds_do_not)
{
    int64_t a = map(0, PG, RW, ANON);
    map(0, PG, RW, ANON);
    ck_assert_uint_eq(MM->nregions, 1);
    ck_assert_int_eq(mm_map_anon(MM, (uint64_t)a - 2 * PG, PG, RW, MM_HEAP), 0);
    check_mm();
    ck_assert_uint_eq(MM->nregions, 2);
    ck_assert_int_eq(mm_find(MM, (uint64_t)a - 2 * PG)->kind, MM_HEAP);
    ck_assert_ptr_null(mm_find(MM, (uint64_t)a - 3 * PG));
}
END_TEST

START_TEST(mmap_hint)
{
    uint64_t h = 0x200000000ULL;
    ck_assert_int_eq(map(h, 2 * PG, RW, ANON), (int64_t)h);
    /* Occupied: placed top-down instead. */
    ck_assert_int_eq(map(h + PG, PG, RW, ANON), (int64_t)(TOP - PG));
    /* Unaligned: rounded up to the next page, as Linux does. */
    ck_assert_int_eq(map(h + 2 * PG + 1, PG, RW, ANON), (int64_t)(h + 3 * PG));
    /* Below vm.mmap_min_addr: ignored. */
    ck_assert_int_eq(map(0x1000, PG, RW, ANON), (int64_t)(TOP - 2 * PG));
    /* Running past the top of user space: ignored. */
    ck_assert_int_eq(map(RB_USER_TOP - PG, 2 * PG, RW, ANON), (int64_t)(TOP - 4 * PG));
    /* In the kernel half: ignored, as Linux ignores a hint past TASK_SIZE. */
    ck_assert_int_eq(map(RB_STUB_TEXT_VA, PG, RW, ANON), (int64_t)(TOP - 5 * PG));
}
END_TEST

START_TEST(mmap_fixed_replaces)
{
    uint64_t a = (uint64_t)map(0, 4 * PG, RW, ANON);
    fill(a, 4 * PG, 0xaa);
    uint64_t before = free_pages();
    M->flush = false;
    ck_assert_int_eq(map(a + PG, 2 * PG, PROT_READ, ANON | MAP_FIXED), (int64_t)(a + PG));
    ck_assert(M->flush); /* present leaves were removed */
    ck_assert_uint_eq(free_pages(), before);
    expect(a, PG, 0xaa);
    expect(a + PG, 2 * PG, 0);
    expect(a + 3 * PG, PG, 0xaa);
    ck_assert(!writable(a + PG) && writable(a) && writable(a + 3 * PG));
    ck_assert_uint_eq(MM->nregions, 3);

    ck_assert_int_eq(map(a + 1, PG, RW, ANON | MAP_FIXED), -EINVAL);
    ck_assert_int_eq(map(0x1000, PG, RW, ANON | MAP_FIXED), -EPERM);
    ck_assert_int_eq(map(RB_USER_TOP - PG, 2 * PG, RW, ANON | MAP_FIXED), -ENOMEM);
    /* Wholly above the user half: the length check alone would wrap. */
    ck_assert_int_eq(map(RB_STUB_TEXT_VA, PG, RW, ANON | MAP_FIXED), -ENOMEM);
    ck_assert_int_eq(map(RB_KERNEL_END, PG, RW, ANON | MAP_FIXED_NOREPLACE), -ENOMEM);
    ck_assert_int_eq(map(RB_USER_TOP, PG, RW, ANON | MAP_FIXED), -ENOMEM);
    ck_assert_uint_eq(free_pages(), before);
}
END_TEST

START_TEST(mmap_fixed_noreplace)
{
    uint64_t a = (uint64_t)map(0, 2 * PG, RW, ANON);
    fill(a, 2 * PG, 0x11);
    uint64_t before = free_pages();
    ck_assert_int_eq(map(a + PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST);
    ck_assert_int_eq(map(a - PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST);
    expect(a, 2 * PG, 0x11);
    ck_assert_uint_eq(free_pages(), before);
    ck_assert_int_eq(map(a - PG, PG, RW, ANON | MAP_FIXED_NOREPLACE), (int64_t)(a - PG));
    ck_assert_int_eq(map(a + 1, PG, RW, ANON | MAP_FIXED_NOREPLACE), -EINVAL);
}
END_TEST

START_TEST(mmap_argument_errors)
{
    ck_assert_int_eq(map(0, 0, RW, ANON), -EINVAL);
    ck_assert_int_eq(map(0, PG, RW, MAP_ANONYMOUS), -EINVAL);
    ck_assert_int_eq(map(0, PG, RW, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS), -EINVAL);
    ck_assert_int_eq(map(0, PG, RW, ANON | MAP_HUGETLB), -EINVAL);
    ck_assert_int_eq(map(0, PG, RW | 0x10, ANON), -EINVAL);
    ck_assert_int_eq(map(0, PG, RW, MAP_PRIVATE), -EINVAL); /* files are sys_mmap's */
    ck_assert_int_eq(map(0, UINT64_MAX, RW, ANON), -ENOMEM);
    ck_assert_int_eq(map(0, RB_USER_TOP, RW, ANON), -ENOMEM);
    ck_assert_uint_eq(MM->nregions, 0);
    /* Accepted, and meaningless under eager commit or with one process. */
    ck_assert_int_gt(map(0, PG, RW, MAP_SHARED | MAP_ANONYMOUS), 0);
    ck_assert_int_gt(map(0, PG, RW,
                         ANON | MAP_POPULATE | MAP_NORESERVE | MAP_STACK | MAP_GROWSDOWN |
                             MAP_LOCKED),
                     0);
    /* Unaligned length rounds up. */
    int64_t a = map(0, PG + 1, RW, ANON);
    ck_assert(translates((uint64_t)a + PG));
}
END_TEST

START_TEST(mmap_prot_none_takes_nothing)
{
    uint64_t before = free_pages();
    uint64_t a = (uint64_t)map(0, 1ULL << 30, PROT_NONE, ANON);
    ck_assert_uint_eq(free_pages(), before);
    ck_assert(!translates(a));
    /* NONE -> RW on never-populated pages commits zeroed frames, and a
     * not-present -> present change needs no flush (SDM 4.10.4.3). */
    M->flush = false;
    ck_assert_int_eq(mm_mprotect(MM, a + PG, 3 * PG, RW), 0);
    uint64_t tables = check_mm();
    ck_assert_uint_eq(free_pages(), before - 3 - (tables - 1));
    expect(a + PG, 3 * PG, 0);
    ck_assert(!M->flush);
    ck_assert_uint_eq(MM->nregions, 3);
    /* Whole reservations change protection without touching page slots. */
    uint64_t big = (uint64_t)map(0, 64ULL << 40, PROT_NONE, ANON);
    ck_assert_int_eq(mm_mprotect(MM, big, 64ULL << 40, PROT_READ), -ENOMEM);
    ck_assert_int_eq(mm_mprotect(MM, big, 64ULL << 40, PROT_NONE), 0);
    ck_assert_int_eq(mm_munmap(MM, big, 64ULL << 40), 0);
    check_mm();
}
END_TEST

START_TEST(munmap_frees_and_splits)
{
    /* Tables only grow, so measure after they exist. */
    uint64_t a = (uint64_t)map(0, 8 * PG, RW, ANON);
    ck_assert_int_eq(mm_munmap(MM, a, 8 * PG), 0);
    uint64_t start = free_pages();
    ck_assert_int_eq(map(a, 8 * PG, RW, ANON | MAP_FIXED), (int64_t)a);
    ck_assert_uint_eq(free_pages(), start - 8);

    M->flush = false;
    ck_assert_int_eq(mm_munmap(MM, a + 2 * PG, 2 * PG), 0);
    check_mm();
    ck_assert(M->flush);
    ck_assert_uint_eq(MM->nregions, 2);
    ck_assert(!translates(a + 2 * PG) && !translates(a + 3 * PG));
    ck_assert(translates(a + PG) && translates(a + 4 * PG));
    ck_assert_uint_eq(free_pages(), start - 6);

    /* Unmapped ranges are fine, unaligned lengths round up. */
    ck_assert_int_eq(mm_munmap(MM, 0x300000000ULL, 16 * PG), 0);
    ck_assert_int_eq(mm_munmap(MM, a, 2 * PG - 1), 0);
    ck_assert_int_eq(mm_munmap(MM, a, 8 * PG), 0);
    check_mm();
    ck_assert_uint_eq(free_pages(), start);
    ck_assert_uint_eq(MM->nregions, 0);

    ck_assert_int_eq(mm_munmap(MM, a + 1, PG), -EINVAL);
    ck_assert_int_eq(mm_munmap(MM, a, 0), -EINVAL);
    ck_assert_int_eq(mm_munmap(MM, RB_USER_TOP - PG, 2 * PG), -EINVAL);
    ck_assert_int_eq(mm_munmap(MM, a, UINT64_MAX), -EINVAL);
}
END_TEST

START_TEST(mprotect_narrowing_moves_the_frame)
{
    uint64_t a = (uint64_t)map(0, 2 * PG, RW, ANON);
    fill(a, 2 * PG, 0x5a);
    uint64_t f0 = frame(a), f1 = frame(a + PG), before = free_pages();

    M->flush = false;
    ck_assert_int_eq(mm_mprotect(MM, a, PG, PROT_READ), 0);
    check_mm();
    ck_assert(M->flush);
    ck_assert_uint_ne(frame(a), f0); /* retired, never narrowed in place */
    ck_assert_uint_eq(frame(a + PG), f1);
    ck_assert_uint_eq(free_pages(), before);
    expect(a, 2 * PG, 0x5a);
    ck_assert(!writable(a) && writable(a + PG));
    ck_assert_uint_eq(MM->nregions, 2);

    /* Widening is done in place, and still flushes. */
    uint64_t f = frame(a);
    M->flush = false;
    ck_assert_int_eq(mm_mprotect(MM, a, PG, RW), 0);
    check_mm();
    ck_assert(M->flush);
    ck_assert_uint_eq(frame(a), f);
    ck_assert(writable(a));
    ck_assert_uint_eq(MM->nregions, 1);

    /* No change, no flush. */
    M->flush = false;
    ck_assert_int_eq(mm_mprotect(MM, a, 2 * PG, RW), 0);
    ck_assert(!M->flush);
    ck_assert_uint_eq(frame(a), f);

    /* Taking execute away narrows too (X -> NX). */
    ck_assert_int_eq(mm_mprotect(MM, a, PG, RW | PROT_EXEC), 0);
    f = frame(a);
    ck_assert_uint_eq(eff_of(a) & X86_PTE_NX, 0);
    ck_assert_int_eq(mm_mprotect(MM, a, PG, RW), 0);
    check_mm();
    ck_assert_uint_ne(frame(a), f);
    ck_assert_uint_eq(eff_of(a) & X86_PTE_NX, X86_PTE_NX);
    expect(a, PG, 0x5a);
}
END_TEST

START_TEST(mprotect_none_keeps_the_data)
{
    uint64_t a = (uint64_t)map(0, 2 * PG, RW, ANON);
    fill(a, 2 * PG, 0x77);
    uint64_t f0 = frame(a), before = free_pages();
    M->flush = false;
    ck_assert_int_eq(mm_mprotect(MM, a, 2 * PG, PROT_NONE), 0);
    check_mm();
    ck_assert(M->flush);
    ck_assert(!translates(a));
    uint64_t e = leaf(a);
    ck_assert(!(e & X86_PTE_P) && (e & MM_PTE_KEPT));
    ck_assert_uint_ne(e & X86_PTE_ADDR_MASK, f0);
    ck_assert_uint_eq(free_pages(), before);
    uint8_t b;
    ck_assert_int_eq(mem_copy_from_user(M, &b, a, 1), -EFAULT);

    M->flush = false;
    ck_assert_int_eq(mm_mprotect(MM, a, 2 * PG, RW), 0);
    check_mm();
    ck_assert(!M->flush);
    ck_assert_uint_eq(frame(a), e & X86_PTE_ADDR_MASK);
    expect(a, 2 * PG, 0x77);
    ck_assert_uint_eq(free_pages(), before);
}
END_TEST

START_TEST(mprotect_errors_change_nothing)
{
    uint64_t a = (uint64_t)map(0, 2 * PG, RW, ANON);
    ck_assert_int_eq(mm_munmap(MM, a - PG, PG), 0); /* make sure of the hole */
    ck_assert_int_eq(mm_mprotect(MM, a + 1, PG, PROT_READ), -EINVAL);
    ck_assert_int_eq(mm_mprotect(MM, a, PG, 0x8), -EINVAL);
    ck_assert_int_eq(mm_mprotect(MM, a, PG, PROT_READ | PROT_GROWSDOWN), -EINVAL);
    ck_assert_int_eq(mm_mprotect(MM, a, PG, PROT_READ | PROT_GROWSUP), -EINVAL);
    ck_assert_int_eq(mm_mprotect(MM, a - PG, 2 * PG, PROT_READ), -ENOMEM);
    ck_assert_int_eq(mm_mprotect(MM, a, 3 * PG, PROT_READ), -ENOMEM);
    ck_assert_int_eq(mm_mprotect(MM, a, UINT64_MAX, PROT_READ), -ENOMEM);
    ck_assert_int_eq(mm_mprotect(MM, a, 0, PROT_READ), 0);
    check_mm();
    ck_assert(writable(a) && writable(a + PG));
    ck_assert_uint_eq(MM->nregions, 1);
    ck_assert_int_eq(mm_mprotect(MM, a, PG + 1, PROT_READ), 0);
    ck_assert(!writable(a + PG));
}
END_TEST

/* Fill memory exactly to the reserve: the cost of a commit (frames plus the
 * page tables it creates) is counted exactly, and ENOMEM changes nothing. */
START_TEST(enomem_is_exact_and_changes_nothing)
{
    uint64_t b = 0x100000000ULL; /* 4 GiB: a fresh PDPT entry, 2 MiB aligned */
    uint64_t freep = free_pages(), n = 0;
    /* n frames + their PTs (one per 512) + a PD + a PDPT. */
    while ((n + 1) + ((n + 1 + 511) / 512) + 2 + MM_RESERVE_PAGES <= freep)
        n++;
    ck_assert_int_eq(map(b, (n + 1) * PG, RW, ANON | MAP_FIXED), -ENOMEM);
    ck_assert_uint_eq(free_pages(), freep);
    ck_assert_uint_eq(MM->nregions, 0);
    ck_assert_int_eq(map(0, MEM_SIZE, RW, ANON), -ENOMEM);
    ck_assert_int_eq(map(b, n * PG, RW, ANON | MAP_FIXED), (int64_t)b);
    ck_assert_uint_eq(free_pages(), MM_RESERVE_PAGES);

    /* Full: nothing accessible can be added, and nothing half-happens. */
    fill(b, PG, 0x3c);
    ck_assert_int_eq(map(b + n * PG, PG, RW, ANON | MAP_FIXED), -ENOMEM);
    ck_assert_int_eq(map(0, PG, RW, ANON), -ENOMEM);
    uint64_t none = (uint64_t)map(0, 4 * PG, PROT_NONE, ANON);
    ck_assert_int_eq(mm_mprotect(MM, none, 4 * PG, RW), -ENOMEM);
    ck_assert_int_eq(mm_mremap(MM, b, PG, 2 * PG, MREMAP_MAYMOVE, 0), -ENOMEM);
    MM->brk_start = MM->brk = 0x40000000;
    ck_assert_uint_eq(mm_brk(MM, 0x40000000 + PG), 0x40000000);
    check_mm();
    ck_assert_uint_eq(free_pages(), MM_RESERVE_PAGES);
    ck_assert_uint_eq(MM->nregions, 2);
    ck_assert(!translates(none));

    /* The reserve still lets narrowing retire pages. */
    ck_assert_int_eq(mm_mprotect(MM, b, n * PG, PROT_READ), 0);
    check_mm();
    expect(b, PG, 0x3c);
    expect(b + PG, PG, 0);
    /* Replacing a populated range in place reuses its frames. */
    ck_assert_int_eq(map(b, n * PG, RW, ANON | MAP_FIXED), (int64_t)b);
    expect(b, PG, 0);
    ck_assert_uint_eq(free_pages(), MM_RESERVE_PAGES);

    ck_assert_int_eq(mm_munmap(MM, b, n * PG), 0);
    uint64_t tables = check_mm();
    ck_assert_uint_eq(free_pages(), freep - (tables - 1));
}
END_TEST

START_TEST(madvise_dontneed_zeroes)
{
    uint64_t a = (uint64_t)map(0, 3 * PG, RW, ANON);
    fill(a, 3 * PG, 0x42);
    uint64_t f = frame(a + PG), e = leaf(a + PG), before = free_pages();
    M->flush = false;
    ck_assert_int_eq(mm_madvise(MM, a + PG, PG, MADV_DONTNEED), 0);
    check_mm();
    expect(a, PG, 0x42);
    expect(a + PG, PG, 0);
    expect(a + 2 * PG, PG, 0x42);
    ck_assert_uint_eq(frame(a + PG), f); /* the leaf stays as it was */
    ck_assert_uint_eq(leaf(a + PG), e);
    ck_assert(!M->flush);
    ck_assert_uint_eq(free_pages(), before);

    ck_assert_int_eq(mm_madvise(MM, a, PG + 1, MADV_FREE), 0);
    expect(a, 2 * PG, 0);
    expect(a + 2 * PG, PG, 0x42);
    ck_assert_int_eq(mm_madvise(MM, a, 3 * PG, MADV_WILLNEED), 0);
    ck_assert_int_eq(mm_madvise(MM, a, 3 * PG, MADV_NOHUGEPAGE), 0);
    expect(a + 2 * PG, PG, 0x42);

    ck_assert_int_eq(mm_madvise(MM, a, PG, 12345), -EINVAL);
    ck_assert_int_eq(mm_madvise(MM, a + 1, PG, MADV_DONTNEED), -EINVAL);
    ck_assert_int_eq(mm_madvise(MM, a, 0, MADV_DONTNEED), 0);
    /* Partly unmapped: -ENOMEM, and the mapped part is left alone. */
    ck_assert_int_eq(mm_madvise(MM, a + 2 * PG, 2 * PG, MADV_DONTNEED), -ENOMEM);
    expect(a + 2 * PG, PG, 0x42);

    /* A kept PROT_NONE page is zeroed too. */
    ck_assert_int_eq(mm_mprotect(MM, a + 2 * PG, PG, PROT_NONE), 0);
    ck_assert_int_eq(mm_madvise(MM, a + 2 * PG, PG, MADV_DONTNEED), 0);
    ck_assert_int_eq(mm_mprotect(MM, a + 2 * PG, PG, RW), 0);
    expect(a + 2 * PG, PG, 0);
    check_mm();
}
END_TEST

START_TEST(mremap_grows_in_place)
{
    uint64_t h = 0x200000000ULL;
    ck_assert_int_eq(map(h, 2 * PG, RW, ANON), (int64_t)h);
    fill(h, 2 * PG, 0x21);
    uint64_t f = frame(h);
    M->flush = false;
    ck_assert_int_eq(mm_mremap(MM, h, 2 * PG, 4 * PG, 0, 0), (int64_t)h);
    check_mm();
    ck_assert(!M->flush);
    ck_assert_uint_eq(frame(h), f);
    expect(h, 2 * PG, 0x21);
    expect(h + 2 * PG, 2 * PG, 0);
    ck_assert_uint_eq(MM->nregions, 1);
    /* Same size: nothing to do. */
    ck_assert_int_eq(mm_mremap(MM, h, 4 * PG, 4 * PG, 0, 0), (int64_t)h);
    /* Shrinking unmaps the tail. */
    ck_assert_int_eq(mm_mremap(MM, h, 4 * PG, PG + 1, 0, 0), (int64_t)h);
    check_mm();
    ck_assert(translates(h + PG) && !translates(h + 2 * PG));
    expect(h, PG, 0x21);
}
END_TEST

START_TEST(mremap_moves_to_fresh_frames)
{
    uint64_t h = 0x200000000ULL;
    ck_assert_int_eq(map(h, 2 * PG, RW, ANON), (int64_t)h);
    ck_assert_int_eq(map(h + 2 * PG, PG, PROT_READ, ANON), (int64_t)(h + 2 * PG));
    fill(h, PG, 0x31);
    fill(h + PG, PG, 0x32);
    uint64_t f0 = frame(h), f1 = frame(h + PG), before = free_pages(), tables = check_mm();

    /* Blocked and not allowed to move: nothing happens. */
    ck_assert_int_eq(mm_mremap(MM, h, 2 * PG, 3 * PG, 0, 0), -ENOMEM);
    expect(h, PG, 0x31);

    M->flush = false;
    int64_t n = mm_mremap(MM, h, 2 * PG, 3 * PG, MREMAP_MAYMOVE, 0);
    check_mm();
    ck_assert_int_eq(n, (int64_t)(TOP - 3 * PG));
    ck_assert(M->flush);
    ck_assert(!translates(h) && !translates(h + PG));
    expect((uint64_t)n, PG, 0x31);
    expect((uint64_t)n + PG, PG, 0x32);
    expect((uint64_t)n + 2 * PG, PG, 0);
    ck_assert(writable((uint64_t)n + 2 * PG));
    /* The old frames were retired, so the new ones were fresh at copy time. */
    ck_assert_uint_ne(frame((uint64_t)n), f0);
    ck_assert_uint_ne(frame((uint64_t)n + PG), f1);
    /* Old frames all came back: only the new page and new tables cost. */
    ck_assert_uint_eq(free_pages(), before - 1 - (check_mm() - tables));
}
END_TEST

START_TEST(mremap_fixed_and_errors)
{
    uint64_t h = 0x200000000ULL, d = 0x300000000ULL;
    ck_assert_int_eq(map(h, 4 * PG, RW, ANON), (int64_t)h);
    ck_assert_int_eq(map(d, 2 * PG, PROT_READ, ANON), (int64_t)d);
    fill(h, 4 * PG, 0x61);
    fill(d, 2 * PG, 0x62);

    ck_assert_int_eq(mm_mremap(MM, h, PG, PG, MREMAP_FIXED, d), -EINVAL);
    ck_assert_int_eq(mm_mremap(MM, h, PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), -EINVAL);
    ck_assert_int_eq(mm_mremap(MM, h, PG, PG, 0x80, 0), -EINVAL);
    ck_assert_int_eq(mm_mremap(MM, h + 1, PG, PG, 0, 0), -EINVAL);
    ck_assert_int_eq(mm_mremap(MM, h, 0, PG, MREMAP_MAYMOVE, 0), -EINVAL);
    ck_assert_int_eq(mm_mremap(MM, h, PG, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(mm_mremap(MM, h - PG, PG, 2 * PG, 0, 0), -EFAULT);
    ck_assert_int_eq(mm_mremap(MM, h, 5 * PG, 6 * PG, MREMAP_MAYMOVE, 0), -EFAULT);
    ck_assert_int_eq(mm_mremap(MM, h, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, h + PG),
                     -EINVAL);
    ck_assert_int_eq(mm_mremap(MM, h, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, d + 1), -EINVAL);
    /* Onto the stub: above the user half, where a bare length check wraps. */
    ck_assert_int_eq(mm_mremap(MM, h, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, RB_STUB_TEXT_VA), -EINVAL);
    check_mm();
    expect(h, 4 * PG, 0x61);

    /* Move the middle two pages onto d, replacing what was there and
     * growing by one page; the source region splits around the hole. */
    M->flush = false;
    ck_assert_int_eq(mm_mremap(MM, h + PG, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, d),
                     (int64_t)d);
    check_mm();
    ck_assert(M->flush);
    expect(d, 2 * PG, 0x61);
    expect(d + 2 * PG, PG, 0);
    ck_assert(writable(d));
    ck_assert(translates(h) && !translates(h + PG) && !translates(h + 2 * PG));
    ck_assert(translates(h + 3 * PG));
    ck_assert_uint_eq(MM->nregions, 3);

    /* Shrinking move. */
    ck_assert_int_eq(mm_mremap(MM, d, 3 * PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, h + PG),
                     (int64_t)(h + PG));
    check_mm();
    ck_assert(!translates(d));
    expect(h, 2 * PG, 0x61);
    ck_assert_uint_eq(MM->nregions, 2);
}
END_TEST

START_TEST(mremap_keeps_prot_none_data)
{
    uint64_t h = 0x200000000ULL, d = 0x300000000ULL;
    ck_assert_int_eq(map(h, 2 * PG, RW, ANON), (int64_t)h);
    fill(h + PG, PG, 0x99);
    ck_assert_int_eq(mm_mprotect(MM, h, 2 * PG, PROT_NONE), 0);
    uint64_t kept = leaf(h + PG) & X86_PTE_ADDR_MASK;
    ck_assert_int_eq(mm_mremap(MM, h, 2 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, d),
                     (int64_t)d);
    check_mm();
    uint64_t e = leaf(d + PG);
    ck_assert(!(e & X86_PTE_P) && (e & MM_PTE_KEPT));
    ck_assert_uint_ne(e & X86_PTE_ADDR_MASK, kept);
    ck_assert_int_eq(mm_mprotect(MM, d, 8 * PG, PROT_READ), 0);
    check_mm();
    expect(d, PG, 0);
    expect(d + PG, PG, 0x99);
    expect(d + 2 * PG, 6 * PG, 0);
}
END_TEST

START_TEST(brk_grows_shrinks_and_fails_cleanly)
{
    uint64_t s = 0x40000000;
    MM->brk_start = MM->brk = s;
    ck_assert_uint_eq(mm_brk(MM, 0), s);
    ck_assert_uint_eq(mm_brk(MM, s - PG), s);
    ck_assert_uint_eq(mm_brk(MM, s + 100), s + 100);
    check_mm();
    ck_assert_int_eq(mm_find(MM, s)->kind, MM_HEAP);
    ck_assert_int_eq(mm_find(MM, s)->prot, RW);
    ck_assert(writable(s + PG - 1) && !translates(s + PG));
    ck_assert_uint_eq(mm_brk(MM, s + 3 * PG + 5), s + 3 * PG + 5);
    check_mm();
    ck_assert_uint_eq(MM->nregions, 1);
    fill(s, 4 * PG, 0x7e);

    M->flush = false;
    ck_assert_uint_eq(mm_brk(MM, s + 10), s + 10);
    check_mm();
    ck_assert(M->flush);
    ck_assert(translates(s) && !translates(s + PG));
    expect(s, PG, 0x7e);
    ck_assert_uint_eq(mm_brk(MM, 0), s + 10);

    /* Past memory or past user space: the old break stays. */
    uint64_t before = free_pages();
    ck_assert_uint_eq(mm_brk(MM, s + 2 * MEM_SIZE), s + 10);
    ck_assert_uint_eq(mm_brk(MM, RB_USER_TOP + PG), s + 10);
    ck_assert_uint_eq(free_pages(), before);
    check_mm();

    /* Collision with another mapping: the old break stays. */
    ck_assert_int_eq(map(s + 4 * PG, PG, RW, ANON | MAP_FIXED), (int64_t)(s + 4 * PG));
    ck_assert_uint_eq(mm_brk(MM, s + 5 * PG), s + 10);
    ck_assert_uint_eq(mm_brk(MM, s + 4 * PG), s + 4 * PG);
    check_mm();
    ck_assert_uint_eq(mm_brk(MM, s), s);
    check_mm();
    ck_assert_ptr_null(mm_find(MM, s));
}
END_TEST

START_TEST(poke_ignores_protection_but_not_holes)
{
    uint64_t a = (uint64_t)map(0, 2 * PG, PROT_READ, ANON);
    ck_assert_int_eq(mm_poke(MM, a + PG - 2, "abcd", 4), 0);
    char buf[4];
    ck_assert_int_eq(mem_copy_from_user(M, buf, a + PG - 2, 4), 0);
    ck_assert_int_eq(memcmp(buf, "abcd", 4), 0);
    /* Kept frames of PROT_NONE pages take writes; never-populated ones do not. */
    ck_assert_int_eq(mm_mprotect(MM, a, PG, PROT_NONE), 0);
    ck_assert_int_eq(mm_poke(MM, a, "x", 1), 0);
    uint64_t none = (uint64_t)map(0, PG, PROT_NONE, ANON);
    ck_assert_int_eq(mm_poke(MM, none, "x", 1), -EFAULT);
    /* Straddling into a hole: nothing is written. */
    ck_assert_int_eq(mm_poke(MM, a + 2 * PG - 1, "yz", 2), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(M, buf, a + 2 * PG - 1, 1), 0);
    ck_assert_int_eq(buf[0], 0);
    ck_assert_int_eq(mm_mprotect(MM, a, PG, PROT_READ), 0);
    ck_assert_int_eq(mem_copy_from_user(M, buf, a, 1), 0);
    ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(find_many_regions)
{
    uint64_t base = 0x500000000ULL;
    for (int i = 0; i < 200; i++)
        REQUIRE(mm_mmap(MM, base + (uint64_t)i * 2 * PG, PG, i % 2 ? PROT_READ : RW,
                        ANON | MAP_FIXED) == (int64_t)(base + (uint64_t)i * 2 * PG),
                "mmap %d", i);
    check_mm();
    ck_assert_uint_eq(MM->nregions, 200);
    for (int i = 0; i < 200; i++) {
        uint64_t at = base + (uint64_t)i * 2 * PG;
        const struct mm_region *r = mm_find(MM, at + PG - 1);
        REQUIRE(r && r->start == at && !mm_find(MM, at + PG), "region %d", i);
    }
    /* Filling the gaps with matching protections merges everything. */
    for (int i = 0; i < 199; i++)
        REQUIRE(mm_mmap(MM, base + (uint64_t)i * 2 * PG + PG, PG, RW, ANON | MAP_FIXED) > 0,
                "gap %d", i);
    ck_assert_int_eq(mm_mprotect(MM, base, 399 * PG, RW), 0);
    check_mm();
    ck_assert_uint_eq(MM->nregions, 1);
}
END_TEST

START_TEST(flush_only_when_a_present_leaf_changes)
{
    uint64_t a = (uint64_t)map(0, 4 * PG, PROT_NONE, ANON);
    M->flush = false;
    ck_assert_int_eq(mm_munmap(MM, a, PG), 0); /* never populated */
    ck_assert_int_eq(mm_mprotect(MM, a + PG, PG, RW), 0); /* new frame */
    ck_assert_int_eq(mm_mprotect(MM, a + 2 * PG, PG, PROT_READ), 0);
    ck_assert_int_eq(map(0, PG, RW, ANON) > 0, 1);
    ck_assert(!M->flush);
    ck_assert_int_eq(mm_mprotect(MM, a + PG, PG, PROT_NONE), 0);
    ck_assert(M->flush);
    M->flush = false;
    ck_assert_int_eq(mm_munmap(MM, a + PG, PG), 0); /* only a kept, not-present leaf */
    ck_assert(!M->flush);
    ck_assert_int_eq(mm_munmap(MM, a + 2 * PG, PG), 0);
    ck_assert(M->flush);
    check_mm();
}
END_TEST

START_TEST(syscall_handlers)
{
    struct sys_args args = { .nr = 0 };
#define ARGS(...) (args = (struct sys_args){ .a = { __VA_ARGS__ } }, &args)
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, RW, ANON, (uint64_t)-1, 1)), -EINVAL);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, 5, 0)), -EBADF);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, (uint64_t)-1, 0)), -EBADF);
    /* A pipe has no mmap (Linux: ENODEV). */
    int p[2];
    ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
    ck_assert_int_eq(fd_install(&rb.fds, p[0], 3, 64, false, NULL), 3);
    close(p[1]);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, 3, 0)), -ENODEV);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, (1ULL << 32) | RW, ANON, 0, 0)), -EINVAL);
    int64_t a = sys_mmap(&rb, ARGS(0, 2 * PG, RW, ANON, (uint64_t)-1, 0));
    ck_assert_int_eq(a, (int64_t)(TOP - 2 * PG));
    ck_assert_int_eq(sys_mprotect(&rb, ARGS((uint64_t)a, PG, (1ULL << 32) | PROT_READ)), -EINVAL);
    ck_assert_int_eq(sys_mprotect(&rb, ARGS((uint64_t)a, PG, PROT_READ)), 0);
    ck_assert(!writable((uint64_t)a));
    ck_assert_int_eq(sys_madvise(&rb, ARGS((uint64_t)a, PG, MADV_DONTNEED)), 0);
    ck_assert_int_eq(sys_mremap(&rb, ARGS((uint64_t)a + PG, PG, PG, 1ULL << 32, 0)), -EINVAL);
    /* Nothing follows the region, so it grows in place. */
    ck_assert_int_eq(sys_mremap(&rb, ARGS((uint64_t)a + PG, PG, 2 * PG, MREMAP_MAYMOVE, 0)),
                     a + (int64_t)PG);
    ck_assert_int_eq(sys_munmap(&rb, ARGS((uint64_t)a, PG)), 0);
    MM->brk_start = MM->brk = 0x40000000;
    ck_assert_int_eq(sys_brk(&rb, ARGS(0)), 0x40000000);
    ck_assert_int_eq(sys_brk(&rb, ARGS(0x40000000 + PG)), 0x40000000 + PG);
    check_mm();
#undef ARGS
}
END_TEST

/* ---- File mappings ------------------------------------------------------------ */

/* A temporary file of `len` bytes, byte i holding file_byte(i), open for
 * reading and writing (unlinked at once: the fd keeps it). */
static uint8_t file_byte(uint64_t i)
{
    return (uint8_t)(i % 253 + 1);
}

static int temp_file(uint64_t len)
{
    char path[] = "/tmp/rb-mm-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    uint8_t *buf = malloc(len + 1);
    ck_assert_ptr_nonnull(buf);
    for (uint64_t i = 0; i < len; i++)
        buf[i] = file_byte(i);
    ck_assert_int_eq(pwrite(fd, buf, len, 0), (ssize_t)len);
    free(buf);
    return fd;
}

static struct mm_src src_of(int fd, uint64_t off, struct mm_file *name)
{
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    return (struct mm_src){.fd = fd, .off = off, .size = (uint64_t)st.st_size, .file = name};
}

/* Ring 3 reads the file's bytes [off, off+n) at va, then zeros to the end
 * of len. */
static void expect_file(uint64_t va, uint64_t len, uint64_t off, uint64_t n)
{
    uint8_t buf[PG];
    for (uint64_t at = 0; at < len; at += PG) {
        REQUIRE(mem_copy_from_user(M, buf, va + at, PG) == 0, "%#llx unreadable",
                (unsigned long long)(va + at));
        for (uint64_t i = 0; i < PG; i++) {
            uint8_t want = at + i < n ? file_byte(off + at + i) : 0;
            REQUIRE(buf[i] == want, "%#llx: %#x, wanted %#x", (unsigned long long)(va + at + i),
                    buf[i], want);
        }
    }
}

START_TEST(file_private_contents_and_eof)
{
    int fd = temp_file(2 * PG + 100);
    struct mm_file *name = mm_file_new("/data/f", 7, 42);
    struct mm_src src = src_of(fd, 0, name);
    uint64_t before = free_pages();

    int64_t a = mm_mmap_file(MM, 0, 4 * PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, &src);
    ck_assert_int_eq(a, (int64_t)(TOP - 4 * PG));
    check_mm();
    /* The file, zeros after EOF in its last page, zero pages past it. */
    expect_file((uint64_t)a, 4 * PG, 0, 2 * PG + 100);
    ck_assert_uint_eq(before - free_pages(), 4 + 3); /* frames and their tables */
    ck_assert(!writable((uint64_t)a));
    ck_assert(!(eff_of((uint64_t)a) & X86_PTE_NX));
    const struct mm_region *r = mm_find(MM, (uint64_t)a);
    ck_assert_int_eq(r->kind, MM_FILE);
    ck_assert_ptr_eq(r->file, name);
    ck_assert_uint_eq(name->refs, 2);
    ck_assert_uint_eq(r->offset, 0);
    ck_assert(!r->shared);

    /* An offset: the mapping starts at that file page. */
    src.off = PG;
    int64_t b = mm_mmap_file(MM, 0, 2 * PG, RW, MAP_PRIVATE, &src);
    ck_assert_int_gt(b, 0);
    expect_file((uint64_t)b, 2 * PG, PG, PG + 100);
    ck_assert_uint_eq(mm_find(MM, (uint64_t)b)->offset, PG);
    /* Private: guest writes stay in the guest. */
    fill((uint64_t)b, PG, 0xee);
    uint8_t byte;
    ck_assert_int_eq(pread(fd, &byte, 1, PG), 1);
    ck_assert_uint_eq(byte, file_byte(PG));

    /* Entirely past EOF: zeros. */
    src.off = 8 * PG;
    int64_t c = mm_mmap_file(MM, 0, PG, PROT_READ, MAP_PRIVATE, &src);
    ck_assert_int_gt(c, 0);
    expect((uint64_t)c, PG, 0);
    check_mm();

    ck_assert_int_eq(mm_munmap(MM, (uint64_t)a, 4 * PG), 0);
    ck_assert_int_eq(mm_munmap(MM, (uint64_t)b, 2 * PG), 0);
    ck_assert_int_eq(mm_munmap(MM, (uint64_t)c, PG), 0);
    ck_assert_uint_eq(name->refs, 1);
    mm_file_put(name);
    check_mm();
    close(fd);
}
END_TEST

START_TEST(file_names_split_and_merge)
{
    int fd = temp_file(8 * PG);
    struct mm_file *name = mm_file_new("/lib/x.so", 1, 2);
    struct mm_src src = src_of(fd, 0, name);
    int64_t a = mm_mmap_file(MM, 0, 8 * PG, PROT_READ, MAP_PRIVATE, &src);
    ck_assert_int_gt(a, 0);
    uint64_t va = (uint64_t)a;

    /* RELRO-style: the middle goes read-write and back; offsets follow. */
    ck_assert_int_eq(mm_mprotect(MM, va + 2 * PG, 3 * PG, RW), 0);
    check_mm();
    ck_assert_uint_eq(MM->nregions, 3);
    ck_assert_uint_eq(mm_find(MM, va + 2 * PG)->offset, 2 * PG);
    ck_assert_uint_eq(mm_find(MM, va + 5 * PG)->offset, 5 * PG);
    ck_assert_uint_eq(name->refs, 4);
    expect_file(va, 8 * PG, 0, 8 * PG);
    ck_assert_int_eq(mm_mprotect(MM, va + 2 * PG, 3 * PG, PROT_READ), 0);
    check_mm();
    ck_assert_uint_eq(MM->nregions, 1);
    ck_assert_uint_eq(name->refs, 2);

    /* A second mapping of the same file next to it merges only where the
     * file offsets continue. */
    struct mm_file *again = mm_file_new("/lib/x.so", 1, 2);
    struct mm_src s2 = src_of(fd, 0, again);
    ck_assert_int_eq(mm_mmap_file(MM, va - PG, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, &s2),
                     (int64_t)(va - PG));
    check_mm();
    ck_assert_uint_eq(MM->nregions, 2);
    ck_assert_int_eq(mm_munmap(MM, va - PG, PG), 0);
    s2.off = 8 * PG;
    ck_assert_int_eq(mm_mmap_file(MM, va + 8 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, &s2),
                     (int64_t)(va + 8 * PG));
    check_mm();
    ck_assert_uint_eq(MM->nregions, 1);
    mm_file_put(again);
    /* Anonymous memory beside it never merges with it. */
    ck_assert_int_eq(map(va - PG, PG, PROT_READ, ANON | MAP_FIXED), (int64_t)(va - PG));
    ck_assert_uint_eq(MM->nregions, 2);

    /* mremap moves the contents and keeps the name and offset. */
    int64_t m = mm_mremap(MM, va + 4 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
                          0x500000000ULL);
    ck_assert_int_eq(m, 0x500000000LL);
    check_mm();
    const struct mm_region *r = mm_find(MM, 0x500000000ULL);
    ck_assert_ptr_nonnull(r->file);
    ck_assert_str_eq(r->file->name, "/lib/x.so");
    ck_assert_uint_eq(r->offset, 4 * PG);
    expect_file(0x500000000ULL, 2 * PG, 4 * PG, 2 * PG);
    /* Growing in place keeps the name too; the growth is zero. */
    ck_assert_int_eq(mm_mremap(MM, 0x500000000ULL, 2 * PG, 3 * PG, 0, 0), 0x500000000LL);
    check_mm();
    r = mm_find(MM, 0x500000000ULL);
    ck_assert_uint_eq(r->end, 0x500000000ULL + 3 * PG);
    expect(0x500000000ULL + 2 * PG, PG, 0);

    mm_fini(MM);
    ck_assert_uint_eq(name->refs, 1);
    mm_file_put(name);
    mm_init(MM, M);
    close(fd);
}
END_TEST

START_TEST(file_prot_none_keeps_contents)
{
    int fd = temp_file(PG + 10);
    struct mm_src src = src_of(fd, 0, NULL);
    uint64_t before = free_pages();
    /* Only the pages with file data take frames. */
    int64_t a = mm_mmap_file(MM, 0, 16 * PG, PROT_NONE, MAP_PRIVATE, &src);
    ck_assert_int_gt(a, 0);
    check_mm();
    ck_assert_uint_eq(before - free_pages(), 2 + 3);
    ck_assert(!translates((uint64_t)a));
    ck_assert_int_eq(mm_mprotect(MM, (uint64_t)a, 16 * PG, PROT_READ), 0);
    check_mm();
    expect_file((uint64_t)a, 16 * PG, 0, PG + 10);
    close(fd);
}
END_TEST

START_TEST(file_shared_is_a_readonly_snapshot)
{
    int fd = temp_file(PG);
    struct mm_src src = src_of(fd, 0, NULL);
    int64_t a = mm_mmap_file(MM, 0, PG, PROT_READ, MAP_SHARED, &src);
    ck_assert_int_gt(a, 0);
    ck_assert(mm_find(MM, (uint64_t)a)->shared);
    /* Writes could not reach the file, so the mapping never becomes writable. */
    ck_assert_int_eq(mm_mprotect(MM, (uint64_t)a, PG, RW), -EACCES);
    ck_assert_int_eq(mm_mprotect(MM, (uint64_t)a, PG, PROT_READ | PROT_EXEC), 0);
    check_mm();
    /* A snapshot: later writes to the file are not seen. */
    uint8_t x = 0x77;
    ck_assert_int_eq(pwrite(fd, &x, 1, 0), 1);
    expect_file((uint64_t)a, PG, 0, PG);
    close(fd);
}
END_TEST

START_TEST(file_read_error_leaves_nothing)
{
    int fd = temp_file(PG);
    struct mm_src src = src_of(fd, 0, NULL);
    close(fd); /* preadv now fails with EBADF */
    uint64_t before = free_pages();
    ck_assert_int_eq(mm_mmap_file(MM, 0x600000000ULL, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, &src),
                     -EBADF);
    check_mm();
    ck_assert_ptr_null(mm_find(MM, 0x600000000ULL));
    /* Only page tables remain allocated. */
    ck_assert_uint_le(before - free_pages(), 3);
    /* A misaligned offset never reaches the file. */
    src.off = 1;
    ck_assert_int_eq(mm_mmap_file(MM, 0, PG, PROT_READ, MAP_PRIVATE, &src), -EINVAL);
}
END_TEST

/* sys_mmap's checks on the guest's fd, in Linux's terms (mmap(2)). */
START_TEST(file_syscall_errors)
{
    struct sys_args args = { .nr = 0 };
#define ARGS(...) (args = (struct sys_args){ .a = { __VA_ARGS__ } }, &args)
    int fd = temp_file(PG);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int ro = open(path, O_RDONLY | O_CLOEXEC), wo = open(path, O_WRONLY | O_CLOEXEC);
    int op = open(path, O_PATH | O_CLOEXEC), zero = open("/dev/zero", O_RDWR | O_CLOEXEC);
    ck_assert_int_ge(ro, 0);
    ck_assert_int_ge(wo, 0);
    ck_assert_int_ge(op, 0);
    ck_assert_int_ge(zero, 0);
    ck_assert_int_eq(fd_install(&rb.fds, ro, 3, 64, false, "/f"), 3);
    ck_assert_int_eq(fd_install(&rb.fds, wo, 3, 64, false, "/f"), 4);
    ck_assert_int_eq(fd_install(&rb.fds, op, 3, 64, false, "/f"), 5);
    ck_assert_int_eq(fd_install(&rb.fds, zero, 3, 64, false, "/dev/zero"), 6);
    ck_assert_int_eq(fd_install(&rb.fds, fd, 3, 64, false, "/f"), 7);

    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, 3, 1)), -EINVAL);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, 0, PROT_READ, MAP_PRIVATE, 3, 0)), -EINVAL);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, 9, 0)), -EBADF);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, 5, 0)), -EBADF);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, 4, 0)), -EACCES);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_SHARED, 3, 0)) > 0, 1);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, RW, MAP_SHARED, 3, 0)), -EACCES);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, RW, MAP_PRIVATE, 3, 0)) > 0, 1);
    /* Writable shared mappings would need guest writes to reach the file. */
    rb.cfg.trace_fd = -1;
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, RW, MAP_SHARED, 7, 0)), -ENODEV);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_SHARED, 7, 0)) > 0, 1);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, 2 * PG, PROT_READ, MAP_PRIVATE, 3,
                                        0x7ffffffffffff000ULL)), -EOVERFLOW);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, PG, PROT_READ, MAP_PRIVATE, 3,
                                        0x8000000000000000ULL)), -EOVERFLOW);
    /* Checked on whole pages, as Linux does: one byte in the last page fails. */
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, 1, PROT_READ, MAP_PRIVATE, 3, 0x7ffffffffffff000ULL)),
                     -EOVERFLOW);
    ck_assert_int_eq(sys_mmap(&rb, ARGS(0, 1, PROT_READ, MAP_PRIVATE, 3, 0x7fffffffffffe000ULL)) > 0,
                     1);
    /* /dev/zero maps as anonymous memory. */
    int64_t z = sys_mmap(&rb, ARGS(0, PG, RW, MAP_SHARED, 6, 0));
    ck_assert_int_gt(z, 0);
    ck_assert_int_eq(mm_find(MM, (uint64_t)z)->kind, MM_ANON);
    ck_assert(writable((uint64_t)z));
    check_mm();
#undef ARGS
}
END_TEST

/* ---- A random walk against a model of 64 pages ------------------------------
 * The model is what Linux promises: per page, whether it is mapped, its
 * protection, whether it has been populated, and the byte it holds.  Regions
 * are the maximal runs of mapped pages with equal protection. */
#define W 64
#define WBASE 0x600000000ULL

struct model {
    bool mapped[W], populated[W];
    int prot[W];
    uint8_t byte[W];
};

static uint64_t wva(int i)
{
    return WBASE + (uint64_t)i * PG;
}

static bool model_one_region(const struct model *md, int i, int n)
{
    for (int k = i; k < i + n; k++)
        if (!md->mapped[k] || md->prot[k] != md->prot[i])
            return false;
    /* Within one run; mremap also needs it not to straddle a run boundary,
     * which equal protections over [i, i+n) already guarantee. */
    return true;
}

static void model_check(const struct model *md)
{
    for (int i = 0; i < W; i++) {
        const struct mm_region *r = mm_find(MM, wva(i));
        REQUIRE((r != NULL) == md->mapped[i], "page %d mapped: %d", i, r != NULL);
        if (!md->mapped[i])
            continue;
        REQUIRE(r->prot == md->prot[i], "page %d prot %d, wanted %d", i, r->prot, md->prot[i]);
        if (md->prot[i] == PROT_NONE) {
            uint64_t pa, eff;
            REQUIRE(pt_translate(M, wva(i), &pa, &eff) != 0, "page %d PROT_NONE translates", i);
            REQUIRE(((leaf(wva(i)) & MM_PTE_KEPT) != 0) == md->populated[i], "page %d kept", i);
            continue;
        }
        uint8_t b = 0;
        REQUIRE(mem_copy_from_user(M, &b, wva(i) + 123, 1) == 0, "page %d unreadable", i);
        REQUIRE(b == md->byte[i], "page %d holds %#x, wanted %#x", i, b, md->byte[i]);
        REQUIRE(writable(wva(i)) == ((md->prot[i] & PROT_WRITE) != 0), "page %d writable", i);
    }
}

START_TEST(random_walk_matches_model)
{
    static const int prots[] = { PROT_NONE, PROT_READ, RW, PROT_READ | PROT_EXEC };
    struct model md = { .mapped = { false } };
    unsigned seed = 12345;
    for (int step = 0; step < 3000; step++) {
        int op = rand_r(&seed) % 6, i = rand_r(&seed) % W, n = 1 + rand_r(&seed) % 8;
        int prot = prots[rand_r(&seed) % 4];
        if (i + n > W)
            n = W - i;
        if (op == 0) {
            REQUIRE(mm_mmap(MM, wva(i), n * PG, prot, ANON | MAP_FIXED) == (int64_t)wva(i),
                    "step %d: mmap", step);
            for (int k = i; k < i + n; k++) {
                md.mapped[k] = true;
                md.prot[k] = prot;
                md.populated[k] = prot != PROT_NONE;
                md.byte[k] = 0;
            }
        } else if (op == 1) {
            REQUIRE(mm_munmap(MM, wva(i), n * PG) == 0, "step %d: munmap", step);
            for (int k = i; k < i + n; k++)
                md.mapped[k] = false;
        } else if (op == 2) {
            bool ok = true;
            for (int k = i; k < i + n; k++)
                ok &= md.mapped[k];
            REQUIRE(mm_mprotect(MM, wva(i), n * PG, prot) == (ok ? 0 : -ENOMEM),
                    "step %d: mprotect", step);
            for (int k = i; ok && k < i + n; k++) {
                md.populated[k] |= prot != PROT_NONE;
                md.prot[k] = prot;
            }
        } else if (op == 3) {
            if (!md.mapped[i] || !md.populated[i])
                continue;
            uint8_t b = (uint8_t)(1 + rand_r(&seed) % 255);
            fill(wva(i), PG, b);
            md.byte[i] = b;
        } else if (op == 4) {
            bool ok = true;
            for (int k = i; k < i + n; k++)
                ok &= md.mapped[k];
            REQUIRE(mm_madvise(MM, wva(i), n * PG, MADV_DONTNEED) == (ok ? 0 : -ENOMEM),
                    "step %d: madvise", step);
            for (int k = i; ok && k < i + n; k++)
                md.byte[k] = 0;
        } else {
            /* mremap a piece of one region to a disjoint place in the window. */
            int j = rand_r(&seed) % W, m = 1 + rand_r(&seed) % 8;
            if (j + m > W || (j < i + n && i < j + m))
                continue;
            int64_t want = model_one_region(&md, i, n) ? (int64_t)wva(j) : -EFAULT;
            REQUIRE(mm_mremap(MM, wva(i), n * PG, m * PG, MREMAP_MAYMOVE | MREMAP_FIXED, wva(j)) ==
                        want,
                    "step %d: mremap", step);
            if (want < 0)
                continue;
            struct model old = md;
            for (int k = 0; k < m; k++) {
                md.mapped[j + k] = true;
                md.prot[j + k] = old.prot[i];
                md.populated[j + k] = k < n ? old.populated[i + k] : old.prot[i] != PROT_NONE;
                md.byte[j + k] = k < n ? old.byte[i + k] : 0;
            }
            for (int k = i; k < i + n; k++)
                md.mapped[k] = false;
        }
        check_mm();
        model_check(&md);
    }
}
END_TEST

Suite *mm_suite(void)
{
    Suite *s = suite_create("mm");
    TCase *tc = tcase_create("mm");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, prot_to_pte_encodings);
    tcase_add_test(tc, mmap_top_down_zeroed);
    tcase_add_test(tc, mmap_same_prot_merges_and_kinds_do_not);
    tcase_add_test(tc, mmap_hint);
    tcase_add_test(tc, mmap_fixed_replaces);
    tcase_add_test(tc, mmap_fixed_noreplace);
    tcase_add_test(tc, mmap_argument_errors);
    tcase_add_test(tc, mmap_prot_none_takes_nothing);
    tcase_add_test(tc, munmap_frees_and_splits);
    tcase_add_test(tc, mprotect_narrowing_moves_the_frame);
    tcase_add_test(tc, mprotect_none_keeps_the_data);
    tcase_add_test(tc, mprotect_errors_change_nothing);
    tcase_add_test(tc, enomem_is_exact_and_changes_nothing);
    tcase_add_test(tc, madvise_dontneed_zeroes);
    tcase_add_test(tc, mremap_grows_in_place);
    tcase_add_test(tc, mremap_moves_to_fresh_frames);
    tcase_add_test(tc, mremap_fixed_and_errors);
    tcase_add_test(tc, mremap_keeps_prot_none_data);
    tcase_add_test(tc, brk_grows_shrinks_and_fails_cleanly);
    tcase_add_test(tc, poke_ignores_protection_but_not_holes);
    tcase_add_test(tc, find_many_regions);
    tcase_add_test(tc, flush_only_when_a_present_leaf_changes);
    tcase_add_test(tc, syscall_handlers);
    tcase_add_test(tc, file_private_contents_and_eof);
    tcase_add_test(tc, file_names_split_and_merge);
    tcase_add_test(tc, file_prot_none_keeps_contents);
    tcase_add_test(tc, file_shared_is_a_readonly_snapshot);
    tcase_add_test(tc, file_read_error_leaves_nothing);
    tcase_add_test(tc, file_syscall_errors);
    tcase_add_test(tc, random_walk_matches_model);
    suite_add_tcase(s, tc);
    return s;
}
