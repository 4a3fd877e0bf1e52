/* mm.h - the program's address space: regions, brk, and the anonymous
 * mmap/munmap/mprotect/mremap/madvise semantics of Linux.  Pure (no ioctls).
 *
 * Commit is eager and strict: every accessible page of a region is backed by
 * a guest page when it is mapped, so the guest's memory size is a hard cap
 * and an mmap or brk past it fails with ENOMEM instead of faulting later.
 * PROT_NONE ranges hold no new pages (but keep the ones they had).
 *
 * Coherence rule (see pt.h): a present leaf is never removed or narrowed in
 * place.  Unmapping frees the page through mem_free_page(); narrowing the
 * protection of a populated page moves its contents to a fresh page first.
 * Either way m->flush is set so the stub reloads CR3. */
#ifndef RB_MM_H
#define RB_MM_H

#include <stddef.h>
#include <stdint.h>
#include "mem.h"

enum mm_kind {
    MM_ANON,  /* mmap */
    MM_HEAP,  /* brk */
    MM_STACK, /* the initial stack */
    MM_IMAGE, /* an ELF segment */
};

struct mm_region {
    uint64_t start, end; /* page aligned, [start, end) */
    int prot;            /* PROT_READ | PROT_WRITE | PROT_EXEC, or PROT_NONE */
    enum mm_kind kind;
};

struct mm {
    struct guest_mem *mem;
    struct mm_region *regions; /* sorted by start, non-overlapping */
    size_t nregions, cap;
    uint64_t brk_start;        /* first byte of the heap, page aligned */
    uint64_t brk;              /* current break (not necessarily aligned) */
    uint64_t mmap_top;         /* top-down placement starts below this */
    uint64_t mmap_min;         /* and never goes below this */
};

/* The software-available PTE bit (ignored by the MMU when P = 0, SDM Vol. 3A
 * 4.5) marking a PROT_NONE page that still owns its frame. */
#define MM_PTE_KEPT_BIT 9
#define MM_PTE_KEPT (1ULL << MM_PTE_KEPT_BIT)

/* Free pages that commits (mmap, brk, mprotect to an accessible protection,
 * mremap) never take, so that narrowing the protection of a populated page,
 * which moves it to a fresh page, always finds one. */
#define MM_RESERVE_PAGES 4

void mm_init(struct mm *mm, struct guest_mem *mem);
void mm_fini(struct mm *mm);

/* PTE flags for a PROT_* value in the lower half. */
uint64_t mm_prot_to_pte(int prot);

/* The region containing addr, or NULL. */
const struct mm_region *mm_find(const struct mm *mm, uint64_t addr);

/* MAP_FIXED: map zeroed anonymous memory at [addr, addr+len), replacing
 * whatever was there.  addr and len page aligned, inside the user range.
 * 0, -EINVAL or -ENOMEM (then nothing changed). */
int mm_map_anon(struct mm *mm, uint64_t addr, uint64_t len, int prot, enum mm_kind kind);

/* A free, page-aligned range of len bytes: at hint if that is free and in
 * range, otherwise the highest one below mmap_top.  Returns it or -ENOMEM. */
int64_t mm_find_free(const struct mm *mm, uint64_t hint, uint64_t len);

/* Linux semantics for the anonymous, private cases; each returns 0 (or the
 * address) or -errno and leaves the address space unchanged on failure. */
int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags);
int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot);
int64_t mm_mremap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
                  uint64_t new_addr);
int mm_madvise(struct mm *mm, uint64_t addr, uint64_t len, int advice);
/* brk(2): returns the new break, or the old one if the request failed. */
uint64_t mm_brk(struct mm *mm, uint64_t req);

/* Loader access: write into mapped pages whatever their protection. */
int mm_poke(struct mm *mm, uint64_t va, const void *src, size_t len);

#endif
