/* mm.h - the program's address space: regions, brk, and the Linux semantics
 * of mmap/munmap/mprotect/mremap/madvise, anonymous and file-backed.  Pure
 * (no ioctls; a file mapping reads its host fd with preadv).
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mem.h"

enum mm_kind {
    MM_ANON,  /* mmap, anonymous */
    MM_HEAP,  /* brk */
    MM_STACK, /* the initial stack */
    MM_IMAGE, /* an ELF segment (the program's or the interpreter's) */
    MM_FILE,  /* mmap of a file */
};

/* The file a region shows in /proc/self/maps, shared by reference among the
 * regions that map it (a split region's two halves, say).  Only a name:
 * contents are copied into guest frames at map time. */
struct mm_file {
    unsigned refs;
    uint64_t dev, ino; /* the host file's st_dev and st_ino */
    char name[];       /* its absolute guest path */
};

/* A new name with one reference, or NULL when out of memory. */
struct mm_file *mm_file_new(const char *name, uint64_t dev, uint64_t ino);
void mm_file_put(struct mm_file *f);

struct mm_region {
    uint64_t start, end; /* page aligned, [start, end) */
    int prot;            /* PROT_READ | PROT_WRITE | PROT_EXEC, or PROT_NONE */
    enum mm_kind kind;
    /* MAP_SHARED of a file: a read-only snapshot that never becomes
     * writable, since guest writes could not reach the file. */
    bool shared;
    struct mm_file *file; /* what it maps, or NULL: anonymous */
    uint64_t offset;      /* the file offset at start, when file is set */
};

/* Where a mapping's contents come from. */
struct mm_src {
    int fd;               /* host fd read with preadv, or -1: none, zeros */
    uint64_t off;         /* file offset of the mapping's first byte, page aligned */
    uint64_t size;        /* file size at map time; bytes past it read as zero */
    struct mm_file *file; /* the region's name (a reference is taken), or NULL */
    bool shared;          /* MAP_SHARED: refuse PROT_WRITE later */
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

/* As mm_map_anon, filled from `src` (NULL: anonymous).  The file's bytes
 * [off, off+len) are read into fresh frames eagerly; the rest of the page
 * holding EOF and whole pages past it are zero, where Linux would raise
 * SIGBUS on touching a page wholly past EOF.  A PROT_NONE mapping still
 * gets (kept) frames for the pages holding file data, so a later mprotect
 * shows them.  The guest's writes stay in its frames: private copy-on-write
 * semantics, and a snapshot for MAP_SHARED.  0, -EINVAL, -ENOMEM (nothing
 * changed) or the read's -errno (then [addr, addr+len) is left unmapped). */
int mm_map(struct mm *mm, uint64_t addr, uint64_t len, int prot, enum mm_kind kind,
           const struct mm_src *src);

/* A free, page-aligned range of len bytes: at hint if that is free and in
 * range, otherwise the highest one below mmap_top.  Returns it or -ENOMEM. */
int64_t mm_find_free(const struct mm *mm, uint64_t hint, uint64_t len);

/* Linux semantics; each returns 0 (or the address) or -errno and leaves the
 * address space unchanged on failure (except mm_mmap_file's read errors,
 * see mm_map).  mm_mmap serves MAP_ANONYMOUS only; mm_mmap_file maps `src`
 * and ignores MAP_ANONYMOUS.  mprotect refuses PROT_WRITE on a shared file
 * region with -EACCES.  mremap keeps a file region's name; the part a
 * mapping grows by is zeroed, not read from the file.  madvise(DONTNEED)
 * zeroes pages, where Linux would re-read a file mapping's pages. */
int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags);
int64_t mm_mmap_file(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
                     const struct mm_src *src);
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
