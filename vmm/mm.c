/* mm.c - the program's address space: regions, their page-table leaves and
 * the Linux semantics of brk, mmap (anonymous and file-backed), munmap,
 * mprotect, mremap and madvise.
 *
 * Regions are the source of truth for what is mapped; the leaves always
 * agree with them.  A page of an accessible region has a present leaf with
 * mm_prot_to_pte(prot); a page of a PROT_NONE region has either no frame
 * (leaf 0) or a non-present leaf holding its frame and MM_PTE_KEPT; a page
 * outside every region has leaf 0.
 *
 * Coherence (pt.h): kvm_pvm shadows the guest's page tables without
 * noticing the VMM's writes to them, so a present leaf is never removed or
 * narrowed in place.  Its frame is retired with mem_free_page(), whose
 * MADV_DONTNEED makes KVM's MMU notifier drop every translation of it.
 * Widening in place is safe: a stale, narrower shadow entry only faults, and
 * KVM then re-walks the guest's tables.  mem->flush is set whenever a present
 * leaf changed, so the stub reloads CR3 for real TLBs (SDM Vol. 3A
 * 4.10.4.1); a not-present leaf becoming present needs no flush (4.10.4.3).
 *
 * A file mapping is ordinary memory once mapped: its frames are filled from
 * the file when it is created and never written back, so mprotect (RELRO),
 * mremap, munmap and the coherence rule treat it like any other region.  A
 * region keeps only the file's name for /proc/self/maps.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include "mm.h"
#include "pt.h"
#include "ringbox_abi.h"
#include "x86.h"

#define PROT_KNOWN (PROT_READ | PROT_WRITE | PROT_EXEC)
#define PTE_PERM (X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_NX)
#define PT_SPAN (1ULL << X86_PT_SHIFT(2)) /* bytes one page table maps */
#define BATCH 64

static bool page_aligned(uint64_t x)
{
    return (x & (MEM_PAGE - 1)) == 0;
}

/* Round len up to whole pages; false when that wraps. */
static bool page_round(uint64_t len, uint64_t *out)
{
    if (len > UINT64_MAX - (MEM_PAGE - 1))
        return false;
    *out = (len + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
    return true;
}

/* [addr, addr+len) lies inside the program's half. */
static bool user_range(uint64_t addr, uint64_t len)
{
    return addr >= RB_USER_MIN && addr <= RB_USER_TOP && len <= RB_USER_TOP - addr;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

uint64_t mm_prot_to_pte(int prot)
{
    /* x86 cannot express write-only or execute-only: both imply read. */
    uint64_t pte = X86_PTE_P | X86_PTE_US;
    if (prot & PROT_WRITE)
        pte |= X86_PTE_RW;
    if (!(prot & PROT_EXEC))
        pte |= X86_PTE_NX;
    return pte;
}

/* Leaf flags for a region's protection; 0 for PROT_NONE. */
static uint64_t leaf_flags(int prot)
{
    return prot == PROT_NONE ? 0 : mm_prot_to_pte(prot);
}

/* ---- Regions ---------------------------------------------------------------- */

void mm_init(struct mm *mm, struct guest_mem *mem)
{
    memset(mm, 0, sizeof *mm);
    mm->mem = mem;
    mm->mmap_top = RB_USER_TOP;
    mm->mmap_min = RB_USER_MIN;
}

struct mm_file *mm_file_new(const char *name, uint64_t dev, uint64_t ino)
{
    size_t len = strlen(name) + 1;
    struct mm_file *f = malloc(sizeof *f + len);
    if (!f)
        return NULL;
    f->refs = 1;
    f->dev = dev;
    f->ino = ino;
    memcpy(f->name, name, len);
    return f;
}

void mm_file_put(struct mm_file *f)
{
    if (f && --f->refs == 0)
        free(f);
}

static struct mm_file *file_get(struct mm_file *f)
{
    if (f)
        f->refs++;
    return f;
}

void mm_fini(struct mm *mm)
{
    for (size_t i = 0; i < mm->nregions; i++)
        mm_file_put(mm->regions[i].file);
    free(mm->regions);
    mm->regions = NULL;
    mm->nregions = mm->cap = 0;
}

/* Index of the first region ending above addr (nregions if none).  Regions
 * are sorted and disjoint, so their ends are sorted too. */
static size_t first_after(const struct mm *mm, uint64_t addr)
{
    size_t lo = 0, hi = mm->nregions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mm->regions[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

const struct mm_region *mm_find(const struct mm *mm, uint64_t addr)
{
    size_t i = first_after(mm, addr);
    if (i < mm->nregions && mm->regions[i].start <= addr)
        return &mm->regions[i];
    return NULL;
}

static bool range_free(const struct mm *mm, uint64_t a, uint64_t b)
{
    size_t i = first_after(mm, a);
    return i == mm->nregions || mm->regions[i].start >= b;
}

static bool range_mapped(const struct mm *mm, uint64_t a, uint64_t b)
{
    for (size_t i = first_after(mm, a); a < b; i++) {
        if (i == mm->nregions || mm->regions[i].start > a)
            return false;
        a = mm->regions[i].end;
    }
    return true;
}

/* Room for `extra` more regions, so that the edits after it cannot fail. */
static int reserve_regions(struct mm *mm, size_t extra)
{
    if (mm->nregions + extra <= mm->cap)
        return 0;
    size_t cap = mm->cap ? mm->cap : 16;
    while (cap < mm->nregions + extra)
        cap *= 2;
    struct mm_region *r = realloc(mm->regions, cap * sizeof *r);
    if (!r)
        return -ENOMEM;
    mm->regions = r;
    mm->cap = cap;
    return 0;
}

/* Make addr a region boundary.  Needs one slot reserved. */
static void split_at(struct mm *mm, uint64_t addr)
{
    size_t i = first_after(mm, addr);
    if (i == mm->nregions || mm->regions[i].start >= addr)
        return;
    assert(mm->nregions < mm->cap);
    memmove(&mm->regions[i + 1], &mm->regions[i], (mm->nregions - i) * sizeof *mm->regions);
    mm->nregions++;
    struct mm_region *lo = &mm->regions[i], *hi = &mm->regions[i + 1];
    lo->end = addr;
    hi->start = addr;
    file_get(hi->file);
    if (hi->file)
        hi->offset += addr - lo->start;
}

/* The same file by name and identity, as /proc/self/maps would show it. */
static bool same_file(const struct mm_file *a, const struct mm_file *b)
{
    return a == b || (a && b && a->dev == b->dev && a->ino == b->ino && !strcmp(a->name, b->name));
}

/* Linux merges file mappings only where the file offsets continue
 * (mm/vma.c, is_mergeable_vma and the pgoff checks of vma_merge). */
static bool mergeable(const struct mm_region *a, const struct mm_region *b)
{
    return a->end == b->start && a->prot == b->prot && a->kind == b->kind &&
           a->shared == b->shared && same_file(a->file, b->file) &&
           (!a->file || a->offset + (a->end - a->start) == b->offset);
}

/* Merge equal neighbours among regions lo-1 .. hi+1. */
static void coalesce(struct mm *mm, size_t lo, size_t hi)
{
    size_t i = hi + 1 < mm->nregions ? hi + 1 : mm->nregions - 1;
    size_t stop = lo > 0 ? lo - 1 : 0;
    for (; mm->nregions > 1 && i > stop; i--) {
        if (i >= mm->nregions || !mergeable(&mm->regions[i - 1], &mm->regions[i]))
            continue;
        mm->regions[i - 1].end = mm->regions[i].end;
        mm_file_put(mm->regions[i].file);
        memmove(&mm->regions[i], &mm->regions[i + 1],
                (mm->nregions - i - 1) * sizeof *mm->regions);
        mm->nregions--;
    }
}

/* Forget the regions' coverage of [a, b).  Needs two slots reserved. */
static void regions_remove(struct mm *mm, uint64_t a, uint64_t b)
{
    split_at(mm, a);
    split_at(mm, b);
    size_t i = first_after(mm, a), j = i;
    while (j < mm->nregions && mm->regions[j].end <= b)
        j++;
    for (size_t k = i; k < j; k++)
        mm_file_put(mm->regions[k].file);
    memmove(&mm->regions[i], &mm->regions[j], (mm->nregions - j) * sizeof *mm->regions);
    mm->nregions -= j - i;
}

/* Record region `r` over a free range, taking a reference to its file.
 * Needs one slot reserved. */
static void regions_insert(struct mm *mm, const struct mm_region *r)
{
    assert(range_free(mm, r->start, r->end) && mm->nregions < mm->cap);
    size_t i = first_after(mm, r->start);
    memmove(&mm->regions[i + 1], &mm->regions[i], (mm->nregions - i) * sizeof *mm->regions);
    mm->regions[i] = *r;
    file_get(r->file);
    mm->nregions++;
    coalesce(mm, i, i);
}

/* ---- Leaves and frames ------------------------------------------------------ */

/* How many page-table pages pt_leaf(create) would allocate for the leaf of
 * va: the tables missing below the first non-present entry on its path. */
static int missing_tables(const struct guest_mem *m, uint64_t va)
{
    uint64_t table = m->cr3 & X86_PTE_ADDR_MASK;
    for (int level = X86_PT_LEVELS; level > 1; level--) {
        uint64_t e = ((const uint64_t *)mem_host(m, table))[X86_PT_INDEX(va, level)];
        if (!(e & X86_PTE_P))
            return level - 1;
        table = e & X86_PTE_ADDR_MASK;
    }
    return 0;
}

/* The leaves of [va, min(end, the end of va's page table)) and their count
 * in *n; the leaves of one table are contiguous (SDM Vol. 3A 4.5).  NULL
 * when that table does not exist: then no leaf of the run is in use, and the
 * run extends to the end of whatever the highest missing table would map,
 * so sparse reservations of terabytes cost a few steps. */
static uint64_t *leaf_run(struct guest_mem *m, uint64_t va, uint64_t end, size_t *n)
{
    int err = 0;
    uint64_t *pte = pt_leaf(m, va, false, &err);
    int level = pte ? 2 : 1 + missing_tables(m, va);
    uint64_t span = 1ULL << X86_PT_SHIFT(level);
    uint64_t run_end = (va | (span - 1)) + 1;
    if (run_end == 0 || run_end > end)
        run_end = end;
    *n = (run_end - va) / MEM_PAGE;
    return pte;
}

/* A page allocation the caller has already proved possible by counting. */
static uint64_t take_page(struct guest_mem *m)
{
    uint64_t pa = 0;
    int err = mem_alloc_page(m, &pa);
    assert(err == 0);
    (void)err;
    return pa;
}

/* Frames to retire, handed to mem_free_pages() in batches. */
struct retire {
    struct guest_mem *m;
    uint64_t pa[BATCH];
    size_t n;
};

static void retire_flush(struct retire *r)
{
    mem_free_pages(r->m, r->pa, r->n);
    r->n = 0;
}

static void retire_add(struct retire *r, uint64_t pa)
{
    if (r->n == BATCH)
        retire_flush(r);
    r->pa[r->n++] = pa;
}

/* Exact count of the pages a commit costs: frames plus the page tables that
 * will be created for them.  Pages are added in ascending address order,
 * so each missing table is counted once. */
struct cost {
    uint64_t pages;
    uint64_t pt, pd, pdpt; /* last table counted at each level, by index */
};

static void cost_init(struct cost *c)
{
    c->pages = 0;
    c->pt = c->pd = c->pdpt = UINT64_MAX;
}

/* Count the page tables the leaf of va lacks that are not counted yet. */
static void cost_tables(const struct guest_mem *m, struct cost *c, uint64_t va)
{
    uint64_t pt = va >> X86_PT_SHIFT(2), pd = va >> X86_PT_SHIFT(3), pdpt = va >> X86_PT_SHIFT(4);
    if (pt == c->pt)
        return;
    int missing = missing_tables(m, va);
    if (missing >= 1) {
        c->pages++;
        c->pt = pt;
    }
    if (missing >= 2 && pd != c->pd) {
        c->pages++;
        c->pd = pd;
    }
    if (missing >= 3 && pdpt != c->pdpt) {
        c->pages++;
        c->pdpt = pdpt;
    }
}

/* One frame for the page at va, plus its tables. */
static void cost_add(const struct guest_mem *m, struct cost *c, uint64_t va)
{
    c->pages++;
    cost_tables(m, c, va);
}

/* Whether a commit of c pages fits, given `freed` pages the operation
 * returns before it allocates.  The reserve stays untouched. */
static bool cost_fits(const struct mm *mm, const struct cost *c, uint64_t freed)
{
    uint64_t avail = mem_free_bytes(mm->mem) / MEM_PAGE + freed;
    return c->pages == 0 || c->pages + MM_RESERVE_PAGES <= avail;
}

/* Pages in [a, b) that own a frame (present or kept). */
static uint64_t count_frames(struct mm *mm, uint64_t a, uint64_t b)
{
    uint64_t frames = 0;
    for (size_t i = first_after(mm, a); i < mm->nregions && mm->regions[i].start < b; i++) {
        uint64_t end = min_u64(b, mm->regions[i].end);
        for (uint64_t va = max_u64(a, mm->regions[i].start); va < end;) {
            size_t n;
            uint64_t *pte = leaf_run(mm->mem, va, end, &n);
            for (size_t k = 0; pte && k < n; k++)
                frames += (pte[k] & (X86_PTE_P | MM_PTE_KEPT)) != 0;
            va += n * MEM_PAGE;
        }
    }
    return frames;
}

/* Clear every leaf in [a, b) and retire its frame. */
static void drop_pages(struct mm *mm, uint64_t a, uint64_t b)
{
    struct retire r = { .m = mm->mem, .n = 0 };
    bool present = false;
    for (size_t i = first_after(mm, a); i < mm->nregions && mm->regions[i].start < b; i++) {
        uint64_t end = min_u64(b, mm->regions[i].end);
        for (uint64_t va = max_u64(a, mm->regions[i].start); va < end;) {
            size_t n;
            uint64_t *pte = leaf_run(mm->mem, va, end, &n);
            for (size_t k = 0; pte && k < n; k++) {
                if (!(pte[k] & (X86_PTE_P | MM_PTE_KEPT)))
                    continue;
                present |= (pte[k] & X86_PTE_P) != 0;
                retire_add(&r, pte[k] & X86_PTE_ADDR_MASK);
                pte[k] = 0;
            }
            va += n * MEM_PAGE;
        }
    }
    retire_flush(&r);
    if (present)
        mm->mem->flush = true;
}

/* Unmap [a, b): leaves, frames and regions.  Needs two slots reserved. */
static void unmap(struct mm *mm, uint64_t a, uint64_t b)
{
    if (a >= b)
        return;
    drop_pages(mm, a, b);
    regions_remove(mm, a, b);
}

/* Back every page of the unpopulated range [a, b) with a zeroed frame. */
static void commit(struct mm *mm, uint64_t a, uint64_t b, uint64_t flags)
{
    for (uint64_t va = a; flags && va < b; va += MEM_PAGE) {
        int err = pt_map(mm->mem, va, take_page(mm->mem), flags);
        assert(err == 0);
        (void)err;
    }
}

/* Pages that committing [a, b) costs, into c. */
static void cost_commit(const struct mm *mm, struct cost *c, uint64_t a, uint64_t b)
{
    c->pages += (b - a) / MEM_PAGE;
    /* One table walk per page table the range touches. */
    for (uint64_t va = a; va < b; va = (va | (PT_SPAN - 1)) + 1)
        cost_tables(mm->mem, c, va);
}

/* A fresh frame holding a copy of `pa`. */
static uint64_t copy_page(struct guest_mem *m, uint64_t pa)
{
    uint64_t fresh = take_page(m);
    memcpy(mem_host(m, fresh), mem_host(m, pa), MEM_PAGE);
    return fresh;
}

/* Zero frames while keeping them allocated and mapped.  MADV_DONTNEED on
 * the host mapping of private anonymous RAM makes the next touch read zeros
 * and, through KVM's MMU notifier, drops KVM's translations of the frame;
 * the guest's own leaf stays valid. */
static void zero_frames(struct guest_mem *m, const uint64_t *pa, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && pa[j] == pa[j - 1] + MEM_PAGE)
            j++;
        void *host = mem_host(m, pa[i]);
        size_t len = (j - i) * MEM_PAGE;
        if (madvise(host, len, MADV_DONTNEED) != 0)
            memset(host, 0, len); /* still zero, only without the host memory back */
        i = j;
    }
}

/* ---- File contents ------------------------------------------------------------ */

/* Bytes of file data a mapping of len bytes from src holds. */
static uint64_t src_data(const struct mm_src *src, uint64_t len)
{
    if (!src || src->fd < 0 || src->size <= src->off)
        return 0;
    return min_u64(src->size - src->off, len);
}

/* Frames waiting to be read into, as host iovecs merged where the frames
 * are adjacent (fresh frames usually are), read with one preadv each. */
struct fill {
    int fd;
    uint64_t off; /* file offset of iov[0] */
    struct iovec iov[BATCH];
    int n;
    bool eof;     /* the file ended early (it shrank): the rest stays zero */
};

static int fill_flush(struct fill *f)
{
    struct iovec *iov = f->iov;
    int n = f->n;
    f->n = 0;
    while (n > 0 && !f->eof) {
        ssize_t got = preadv(f->fd, iov, n, (off_t)f->off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -errno;
        f->eof = got == 0;
        f->off += (uint64_t)got;
        /* A short read: go on after what arrived. */
        for (; n > 0 && (size_t)got >= iov->iov_len; iov++, n--)
            got -= (ssize_t)iov->iov_len;
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + got;
            iov->iov_len -= (size_t)got;
        }
    }
    return 0;
}

static int fill_add(struct fill *f, void *host, size_t len)
{
    struct iovec *last = f->n ? &f->iov[f->n - 1] : NULL;
    if (last && (uint8_t *)last->iov_base + last->iov_len == host) {
        last->iov_len += len;
        return 0;
    }
    if (f->n == BATCH) {
        int err = fill_flush(f);
        if (err)
            return err;
    }
    f->iov[f->n++] = (struct iovec){.iov_base = host, .iov_len = len};
    return 0;
}

/* Back the pages of the unpopulated range [a, b) with frames: those of
 * an accessible mapping all present, the first `data` bytes read from src
 * and the rest zero; for PROT_NONE (flags 0) only the pages holding data,
 * kept.  The caller checked the cost.  0 or the read's -errno. */
static int commit_src(struct mm *mm, uint64_t a, uint64_t b, uint64_t flags,
                      const struct mm_src *src)
{
    uint64_t data = src_data(src, b - a);
    struct fill f = {.fd = src ? src->fd : -1, .off = src ? src->off : 0};
    for (uint64_t va = a; va < b && (flags || va - a < data); va += MEM_PAGE) {
        uint64_t pa = take_page(mm->mem);
        int err = 0;
        if (flags) {
            err = pt_map(mm->mem, va, pa, flags);
        } else {
            uint64_t *leaf = pt_leaf(mm->mem, va, true, &err);
            if (leaf)
                *leaf = pa | MM_PTE_KEPT;
        }
        assert(err == 0);
        if (va - a < data) {
            err = fill_add(&f, mem_host(mm->mem, pa), min_u64(MEM_PAGE, data - (va - a)));
            if (err)
                return err;
        }
    }
    return fill_flush(&f);
}

/* ---- mmap and friends ------------------------------------------------------- */

int mm_map(struct mm *mm, uint64_t addr, uint64_t len, int prot, enum mm_kind kind,
           const struct mm_src *src)
{
    if (!page_aligned(addr) || !page_aligned(len) || len == 0 || !user_range(addr, len) ||
        (prot & ~PROT_KNOWN))
        return -EINVAL;
    if (src && (!page_aligned(src->off) || src->off > UINT64_MAX - len))
        return -EINVAL;
    uint64_t end = addr + len, flags = leaf_flags(prot);
    uint64_t data_end = addr + ((src_data(src, len) + MEM_PAGE - 1) & ~(MEM_PAGE - 1));
    uint64_t commit_end = flags ? end : data_end;
    /* Insert, the unmap's two splits, and two more to undo a failed read. */
    int err = reserve_regions(mm, 5);
    if (err)
        return err;
    uint64_t freed = count_frames(mm, addr, end);
    struct cost c;
    cost_init(&c);
    /* Bound the table walk below: a range this large cannot fit anyway. */
    if ((commit_end - addr) / MEM_PAGE > mem_free_bytes(mm->mem) / MEM_PAGE + freed)
        return -ENOMEM;
    cost_commit(mm, &c, addr, commit_end);
    if (!cost_fits(mm, &c, freed))
        return -ENOMEM;
    unmap(mm, addr, end);
    struct mm_region r = {.start = addr, .end = end, .prot = prot, .kind = kind};
    if (src) {
        r.shared = src->shared;
        r.file = src->file;
        r.offset = src->file ? src->off : 0;
    }
    regions_insert(mm, &r);
    err = commit_src(mm, addr, end, flags, src);
    if (err)
        unmap(mm, addr, end);
    return err;
}

int mm_map_anon(struct mm *mm, uint64_t addr, uint64_t len, int prot, enum mm_kind kind)
{
    return mm_map(mm, addr, len, prot, kind, NULL);
}

/* Highest free range of len bytes inside [lo, hi), or 0. */
static uint64_t find_top_down(const struct mm *mm, uint64_t lo, uint64_t hi, uint64_t len)
{
    uint64_t top = hi;
    size_t i = first_after(mm, hi);
    if (i < mm->nregions && mm->regions[i].start < hi)
        i++; /* a region straddling hi bounds the first gap from above */
    for (;;) {
        uint64_t bottom = lo;
        if (i > 0 && mm->regions[i - 1].end > bottom)
            bottom = mm->regions[i - 1].end;
        if (top > bottom && top - bottom >= len)
            return top - len;
        if (i == 0)
            return 0;
        top = min_u64(top, mm->regions[i - 1].start);
        if (top <= lo)
            return 0;
        i--;
    }
}

int64_t mm_find_free(const struct mm *mm, uint64_t hint, uint64_t len)
{
    uint64_t at;
    /* Linux rounds a hint up to a page (arch_get_unmapped_area_topdown). */
    if (hint && page_round(hint, &at) && user_range(at, len) && range_free(mm, at, at + len))
        return (int64_t)at;
    uint64_t lo = max_u64(mm->mmap_min, RB_USER_MIN), hi = min_u64(mm->mmap_top, RB_USER_TOP);
    at = lo < hi ? find_top_down(mm, lo, hi, len) : 0;
    return at ? (int64_t)at : -ENOMEM;
}

/* mmap of src, or of anonymous memory when src is NULL. */
static int64_t do_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
                       const struct mm_src *src)
{
    int type = flags & (MAP_SHARED | MAP_PRIVATE);
    /* Anonymous shared memory is private memory here: one process, no fork. */
    if (type != MAP_SHARED && type != MAP_PRIVATE)
        return -EINVAL;
    if ((flags & MAP_HUGETLB) || (prot & ~PROT_KNOWN) || len == 0)
        return -EINVAL;
    bool fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
    if (fixed && !page_aligned(addr))
        return -EINVAL;
    if (!page_round(len, &len) || len > RB_USER_TOP - RB_USER_MIN)
        return -ENOMEM;
    if (fixed) {
        /* Linux: -EPERM below vm.mmap_min_addr, -ENOMEM past TASK_SIZE. */
        if (addr < RB_USER_MIN)
            return -EPERM;
        if (addr > RB_USER_TOP || len > RB_USER_TOP - addr)
            return -ENOMEM;
        if ((flags & MAP_FIXED_NOREPLACE) && !range_free(mm, addr, addr + len))
            return -EEXIST;
    } else {
        int64_t at = mm_find_free(mm, addr, len);
        if (at < 0)
            return at;
        addr = (uint64_t)at;
    }
    int err = mm_map(mm, addr, len, prot, src ? MM_FILE : MM_ANON, src);
    return err ? err : (int64_t)addr;
}

int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags)
{
    if (!(flags & MAP_ANONYMOUS))
        return -EINVAL;
    return do_mmap(mm, addr, len, prot, flags, NULL);
}

int64_t mm_mmap_file(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
                     const struct mm_src *src)
{
    struct mm_src s = *src;
    s.shared = (flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_SHARED;
    return do_mmap(mm, addr, len, prot, flags, &s);
}

int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len)
{
    if (!page_aligned(addr) || len == 0 || !page_round(len, &len) || addr > RB_USER_TOP ||
        len > RB_USER_TOP - addr)
        return -EINVAL;
    int err = reserve_regions(mm, 2);
    if (err)
        return err;
    unmap(mm, addr, addr + len);
    return 0;
}

/* Whether going from leaf `old` to `flags` (0: PROT_NONE) takes away
 * presence, write or execute permission. */
static bool narrows(uint64_t old, uint64_t flags)
{
    return !(flags & X86_PTE_P) || ((old & X86_PTE_RW) && !(flags & X86_PTE_RW)) ||
           (!(old & X86_PTE_NX) && (flags & X86_PTE_NX));
}

/* Give every page of the mapped range [a, b) the leaf flags `flags`,
 * following the coherence rule.  The caller checked the cost. */
static void reprotect(struct mm *mm, uint64_t a, uint64_t b, uint64_t flags)
{
    struct guest_mem *m = mm->mem;
    for (uint64_t va = a; va < b;) {
        size_t n;
        uint64_t *pte = leaf_run(m, va, b, &n);
        /* No table: nothing populated, and nothing to commit for PROT_NONE. */
        for (size_t k = 0; (pte || flags) && k < n; k++) {
            uint64_t page = va + k * MEM_PAGE, old = pte ? pte[k] : 0;
            uint64_t pa = old & X86_PTE_ADDR_MASK;
            if (!(old & (X86_PTE_P | MM_PTE_KEPT))) {
                if (flags) /* PROT_NONE -> accessible, never populated */
                    commit(mm, page, page + MEM_PAGE, flags);
            } else if (!(old & X86_PTE_P)) {
                if (flags) /* kept -> present: no flush (SDM 4.10.4.3) */
                    pte[k] = pa | flags;
            } else if ((old & PTE_PERM) != flags) {
                if (narrows(old, flags)) {
                    pte[k] = copy_page(m, pa) | (flags ? flags : MM_PTE_KEPT);
                    mem_free_page(m, pa);
                } else {
                    pte[k] = pa | flags;
                }
                m->flush = true;
            }
        }
        va += n * MEM_PAGE;
    }
}

int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
    if (prot & ~PROT_KNOWN)
        return -EINVAL; /* PROT_GROWSDOWN/UP included: no growable regions */
    if (!page_aligned(addr))
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!page_round(len, &len) || addr > RB_USER_TOP || len > RB_USER_TOP - addr)
        return -ENOMEM;
    uint64_t end = addr + len, flags = leaf_flags(prot);
    if (!range_mapped(mm, addr, end))
        return -ENOMEM;
    /* mprotect(2): EACCES for PROT_WRITE on a shared file mapping the
     * process may not write; here no shared file mapping is writable. */
    for (size_t i = first_after(mm, addr); (prot & PROT_WRITE) && i < mm->nregions &&
                                           mm->regions[i].start < end; i++)
        if (mm->regions[i].shared)
            return -EACCES;
    int err = reserve_regions(mm, 2);
    if (err)
        return err;

    /* Cost: a frame (and tables) for each never-populated page that becomes
     * accessible; a narrowing move needs one free page at a time. */
    struct cost c;
    cost_init(&c);
    bool moves = false;
    uint64_t avail = mem_free_bytes(mm->mem) / MEM_PAGE;
    for (uint64_t va = addr; va < end && c.pages <= avail;) {
        size_t n;
        uint64_t *pte = leaf_run(mm->mem, va, end, &n);
        for (size_t k = 0; (pte || flags) && k < n && c.pages <= avail; k++) {
            uint64_t old = pte ? pte[k] : 0;
            if (flags && !(old & (X86_PTE_P | MM_PTE_KEPT)))
                cost_add(mm->mem, &c, va + k * MEM_PAGE);
            else if ((old & X86_PTE_P) && (old & PTE_PERM) != flags && narrows(old, flags))
                moves = true;
        }
        va += n * MEM_PAGE;
    }
    if (!cost_fits(mm, &c, 0) || (moves && c.pages + 1 > avail))
        return -ENOMEM;

    reprotect(mm, addr, end, flags);
    split_at(mm, addr);
    split_at(mm, end);
    size_t i = first_after(mm, addr), j = i;
    for (; j < mm->nregions && mm->regions[j].start < end; j++)
        mm->regions[j].prot = prot;
    coalesce(mm, i, j - 1);
    return 0;
}

/* Move the populated pages of [old, old+copy) to fresh frames at dst,
 * keeping each one's state (present with its flags, or kept). */
static void move_pages(struct mm *mm, uint64_t old, uint64_t copy, uint64_t dst)
{
    struct guest_mem *m = mm->mem;
    for (uint64_t off = 0; off < copy;) {
        size_t n;
        uint64_t *pte = leaf_run(m, old + off, old + copy, &n);
        for (size_t k = 0; pte && k < n; k++) {
            uint64_t e = pte[k];
            if (!(e & (X86_PTE_P | MM_PTE_KEPT)))
                continue;
            uint64_t to = dst + off + k * MEM_PAGE;
            uint64_t fresh = copy_page(m, e & X86_PTE_ADDR_MASK);
            int err = 0;
            if (e & X86_PTE_P) {
                err = pt_map(m, to, fresh, e & PTE_PERM);
            } else {
                uint64_t *leaf = pt_leaf(m, to, true, &err);
                if (leaf)
                    *leaf = fresh | MM_PTE_KEPT;
            }
            assert(err == 0);
            (void)err;
        }
        off += n * MEM_PAGE;
    }
}

/* Cost of moving the populated pages of [old, old+copy) to dst. */
static void cost_move(struct mm *mm, struct cost *c, uint64_t old, uint64_t copy, uint64_t dst)
{
    for (uint64_t off = 0; off < copy;) {
        size_t n;
        uint64_t *pte = leaf_run(mm->mem, old + off, old + copy, &n);
        for (size_t k = 0; pte && k < n; k++)
            if (pte[k] & (X86_PTE_P | MM_PTE_KEPT))
                cost_add(mm->mem, c, dst + off + k * MEM_PAGE);
        off += n * MEM_PAGE;
    }
}

/* Move region piece [old, old+old_len) of `from` to [dst, dst+new_len),
 * replacing whatever dst held: contents go to fresh frames (the old ones
 * are retired so KVM forgets them), growth is committed zeroed, old is
 * unmapped.  The new region keeps from's protection, kind and file. */
static int64_t relocate(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t dst,
                        uint64_t new_len, const struct mm_region *from)
{
    uint64_t copy = min_u64(old_len, new_len), flags = leaf_flags(from->prot);
    int err = reserve_regions(mm, 5);
    if (err)
        return err;
    uint64_t freed = count_frames(mm, dst, dst + new_len);
    if (flags && (new_len - copy) / MEM_PAGE > mem_free_bytes(mm->mem) / MEM_PAGE + freed)
        return -ENOMEM; /* bounds the table walk of cost_commit */
    struct cost c;
    cost_init(&c);
    cost_move(mm, &c, old, copy, dst);
    if (flags)
        cost_commit(mm, &c, dst + copy, dst + new_len);
    if (!cost_fits(mm, &c, freed))
        return -ENOMEM;
    struct mm_region r = *from;
    r.start = dst;
    r.end = dst + new_len;
    if (r.file)
        r.offset += old - from->start;
    /* Hold the file: unmapping old may drop the last region naming it. */
    file_get(r.file);
    unmap(mm, dst, dst + new_len);
    move_pages(mm, old, copy, dst);
    commit(mm, dst + copy, dst + new_len, flags);
    unmap(mm, old, old + old_len);
    regions_insert(mm, &r);
    mm_file_put(r.file);
    return (int64_t)dst;
}

int64_t mm_mremap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
                  uint64_t new_addr)
{
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
        return -EINVAL; /* MREMAP_DONTUNMAP included: not supported yet */
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return -EINVAL;
    /* old_len 0 asks Linux to duplicate a shared mapping; there are none. */
    if (!page_aligned(old) || old_len == 0 || new_len == 0)
        return -EINVAL;
    if (!page_round(old_len, &old_len) || !page_round(new_len, &new_len))
        return -EINVAL;
    if (new_len > RB_USER_TOP - RB_USER_MIN)
        return (flags & MREMAP_FIXED) ? -EINVAL : -ENOMEM;
    const struct mm_region *r = mm_find(mm, old);
    if (!r || old_len > r->end - old)
        return -EFAULT;
    /* A copy: the region array moves when it grows. */
    struct mm_region from = *r;
    uint64_t region_end = from.end;

    if (flags & MREMAP_FIXED) {
        if (!page_aligned(new_addr) || !user_range(new_addr, new_len) ||
            (new_addr < old + old_len && old < new_addr + new_len))
            return -EINVAL;
        return relocate(mm, old, old_len, new_addr, new_len, &from);
    }
    if (new_len <= old_len) {
        int err = reserve_regions(mm, 2);
        if (err)
            return err;
        unmap(mm, old + new_len, old + old_len);
        return (int64_t)old;
    }
    /* Grow in place when old ends its region and the range after it is free. */
    uint64_t grow = new_len - old_len;
    if (old + old_len == region_end && grow <= RB_USER_TOP - region_end &&
        range_free(mm, region_end, region_end + grow)) {
        /* Zeroed, under the same name, so it merges with the region. */
        struct mm_src src = {
            .fd = -1,
            .off = from.offset + (region_end - from.start),
            .file = from.file,
            .shared = from.shared,
        };
        int err = mm_map(mm, region_end, grow, from.prot, from.kind, &src);
        return err ? err : (int64_t)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    int64_t dst = mm_find_free(mm, 0, new_len);
    if (dst < 0)
        return dst;
    return relocate(mm, old, old_len, (uint64_t)dst, new_len, &from);
}

static bool advice_known(int advice)
{
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
        return true;
    default:
        return false;
    }
}

int mm_madvise(struct mm *mm, uint64_t addr, uint64_t len, int advice)
{
    if (!advice_known(advice) || !page_aligned(addr))
        return -EINVAL;
    if (!page_round(len, &len) || addr + len < addr)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (addr + len > RB_USER_TOP || !range_mapped(mm, addr, addr + len))
        return -ENOMEM;
    /* Commit is eager, so every advice but these is a hint with nothing to
     * do.  MADV_FREE may drop the data lazily; dropping it now is allowed. */
    if (advice != MADV_DONTNEED && advice != MADV_FREE)
        return 0;
    uint64_t batch[BATCH];
    size_t nb = 0;
    for (uint64_t va = addr; va < addr + len;) {
        size_t n;
        uint64_t *pte = leaf_run(mm->mem, va, addr + len, &n);
        for (size_t k = 0; pte && k < n; k++) {
            if (!(pte[k] & (X86_PTE_P | MM_PTE_KEPT)))
                continue;
            if (nb == BATCH) {
                zero_frames(mm->mem, batch, nb);
                nb = 0;
            }
            batch[nb++] = pte[k] & X86_PTE_ADDR_MASK;
        }
        va += n * MEM_PAGE;
    }
    zero_frames(mm->mem, batch, nb);
    return 0;
}

uint64_t mm_brk(struct mm *mm, uint64_t req)
{
    if (req < mm->brk_start || req > RB_USER_TOP)
        return mm->brk;
    /* Both are at most RB_USER_TOP, so rounding up cannot wrap. */
    uint64_t old_top = (mm->brk + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
    uint64_t new_top = (req + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
    if (new_top > old_top) {
        if (!range_free(mm, old_top, new_top) ||
            mm_map_anon(mm, old_top, new_top - old_top, PROT_READ | PROT_WRITE, MM_HEAP) != 0)
            return mm->brk;
    } else if (new_top < old_top) {
        if (reserve_regions(mm, 2) != 0)
            return mm->brk;
        unmap(mm, new_top, old_top);
    }
    mm->brk = req;
    return req;
}

int mm_poke(struct mm *mm, uint64_t va, const void *src, size_t len)
{
    if (va > RB_USER_TOP || len > RB_USER_TOP - va)
        return -EFAULT;
    /* Check every page first, so a failure writes nothing. */
    for (uint64_t p = va & ~(MEM_PAGE - 1); p < va + len; p += MEM_PAGE) {
        int err = 0;
        uint64_t *pte = pt_leaf(mm->mem, p, false, &err);
        if (!pte || !(*pte & (X86_PTE_P | MM_PTE_KEPT)))
            return -EFAULT;
    }
    const uint8_t *s = src;
    while (len) {
        int err = 0;
        uint64_t *pte = pt_leaf(mm->mem, va, false, &err);
        size_t off = va & (MEM_PAGE - 1), n = min_u64(len, MEM_PAGE - off);
        memcpy((uint8_t *)mem_host(mm->mem, *pte & X86_PTE_ADDR_MASK) + off, s, n);
        s += n;
        va += n;
        len -= n;
    }
    return 0;
}
