/* mem.c - memory semantics: "alloc" (1 GiB through brk and mmap, twice), "munmap", "mprotect", "cap". */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define MIB (1UL << 20)

/* Write a tag into every page, different per page, so a page mapped twice
 * or lost would show up in check(). */
static void fill(volatile unsigned char *p, size_t len, unsigned tag)
{
    for (size_t off = 0; off < len; off += PAGE)
        p[off] = (unsigned char)(tag + off / PAGE);
}

static int check(volatile unsigned char *p, size_t len, unsigned tag)
{
    for (size_t off = 0; off < len; off += PAGE)
        if (p[off] != (unsigned char)(tag + off / PAGE))
            return -1;
    return 0;
}

static int all_zero(volatile unsigned char *p, size_t len)
{
    for (size_t off = 0; off < len; off += PAGE)
        if (p[off] != 0)
            return 0;
    return 1;
}

/* The raw syscall, not sbrk(): musl's sbrk refuses to move the break.  It
 * runs before the first malloc and restores the break exactly, so neither
 * libc's allocator notices. */
static uintptr_t brk_to(uintptr_t addr)
{
    return (uintptr_t)syscall(SYS_brk, addr);
}

static int do_brk(size_t len)
{
    uintptr_t cur = brk_to(0);
    for (int round = 0; round < 2; round++) {
        if (brk_to(cur + len) != cur + len)
            return -1;
        volatile unsigned char *p = (volatile unsigned char *)cur;
        if (!all_zero(p, len))
            return -2; /* pages handed back and forth must come back zeroed */
        fill(p, len, 0x40 + round);
        if (check(p, len, 0x40 + round))
            return -3;
        if (brk_to(cur) != cur)
            return -4;
    }
    return 0;
}

#define SMALL (64UL << 10) /* below glibc's mmap threshold: the heap (brk) */
#define NSMALL 4096UL      /* 256 MiB */
#define LARGE (32UL << 20) /* above it: mmap in both libcs */
#define NLARGE 24UL        /* 768 MiB */

static int mode_alloc(void)
{
    static unsigned char *small[NSMALL], *large[NLARGE];
    int r = do_brk(128 * MIB);
    if (r) {
        printf("brk failed (%d)\n", r);
        return 1;
    }
    printf("brk: 128 MiB twice, ok\n");

    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < NSMALL; i++) {
            if (!(small[i] = malloc(SMALL))) {
                printf("round %d: small malloc %zu failed\n", round, i);
                return 1;
            }
            fill(small[i], SMALL, (unsigned)i);
        }
        for (size_t i = 0; i < NLARGE; i++) {
            if (!(large[i] = malloc(LARGE))) {
                printf("round %d: large malloc %zu failed\n", round, i);
                return 1;
            }
            fill(large[i], LARGE, (unsigned)i * 7);
        }
        for (size_t i = 0; i < NSMALL; i++)
            if (check(small[i], SMALL, (unsigned)i)) {
                printf("round %d: small block %zu corrupted\n", round, i);
                return 1;
            }
        for (size_t i = 0; i < NLARGE; i++)
            if (check(large[i], LARGE, (unsigned)i * 7)) {
                printf("round %d: large block %zu corrupted\n", round, i);
                return 1;
            }
        for (size_t i = 0; i < NSMALL; i++)
            free(small[i]);
        for (size_t i = 0; i < NLARGE; i++)
            free(large[i]);
        printf("round %d: %lu MiB held at once, touched, checked, freed\n", round,
               (NSMALL * SMALL + NLARGE * LARGE) / MIB);
    }
    printf("alloc ok\n");
    return 0;
}

static int mode_munmap(void)
{
    unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    memset(p, 0x5a, 3 * PAGE);
    if (munmap(p + PAGE, PAGE) != 0)
        return 2;
    p[0] = 1;        /* the neighbours stay */
    p[2 * PAGE] = 1;
    printf("addr=%#lx\n", (unsigned long)(p + PAGE));
    fflush(stdout);
    ((volatile unsigned char *)p)[PAGE] = 1; /* must fault: #PF, not present */
    printf("wrote to an unmapped page\n");
    return 3;
}

static int mode_mprotect(void)
{
    unsigned char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    for (size_t i = 0; i < PAGE; i++)
        p[i] = (unsigned char)(i * 13 + 1);
    if (mprotect(p, PAGE, PROT_READ) != 0)
        return 2;
    for (size_t i = 0; i < PAGE; i++)
        if (((volatile unsigned char *)p)[i] != (unsigned char)(i * 13 + 1)) {
            printf("contents lost at %zu\n", i);
            return 4;
        }
    printf("contents kept\n");
    printf("addr=%#lx\n", (unsigned long)(p + 8));
    fflush(stdout);
    ((volatile unsigned char *)p)[8] = 0; /* must fault: #PF, present, write */
    printf("wrote to a read-only page\n");
    return 3;
}

/* Run with 64 MiB of guest memory: every way of asking for more must fail
 * with ENOMEM, and what was granted must be fully usable. */
static int mode_cap(void)
{
    uintptr_t cur = brk_to(0);
    int brk_refused = brk_to(cur + 256 * MIB) == cur;
    brk_to(cur);

    errno = 0;
    void *m = mmap(NULL, 256 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int mmap_errno = errno;
    if (m != MAP_FAILED)
        return 1;

    errno = 0;
    void *big = malloc(256 * MIB);
    int malloc_errno = errno;
    if (big)
        return 2;

    static void *chunk[128];
    size_t n = 0;
    while (n < 128 && (chunk[n] = malloc(MIB))) {
        fill(chunk[n], MIB, (unsigned)n);
        n++;
    }
    int last_errno = errno;
    for (size_t i = 0; i < n; i++)
        if (check(chunk[i], MIB, (unsigned)i))
            return 3;
    for (size_t i = 0; i < n; i++)
        free(chunk[i]);
    void *again = malloc(MIB);
    if (again)
        fill(again, MIB, 1);

    printf("brk_refused=%d\n", brk_refused);
    printf("mmap=%s\n", mmap_errno == ENOMEM ? "ENOMEM" : strerror(mmap_errno));
    printf("malloc=%s\n", malloc_errno == ENOMEM ? "ENOMEM" : strerror(malloc_errno));
    printf("chunks=%zu\n", n);
    printf("chunks_end=%s\n", last_errno == ENOMEM ? "ENOMEM" : strerror(last_errno));
    printf("again=%s\n", again ? "ok" : "null");
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "alloc"))
        return mode_alloc();
    if (!strcmp(mode, "munmap"))
        return mode_munmap();
    if (!strcmp(mode, "mprotect"))
        return mode_mprotect();
    if (!strcmp(mode, "cap"))
        return mode_cap();
    fprintf(stderr, "usage: mem alloc|munmap|mprotect|cap\n");
    return 2;
}
