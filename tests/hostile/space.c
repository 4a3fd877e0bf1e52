/* space.c - attacks on the address space and the fd table by argv[1]: "fixedstub" (MAP_FIXED
 * and friends over the stub's range), "brkshrink" (brk below its start), "manymaps" (10^6
 * one-page mmaps), "fds" (open fds until refused).  Each prints one "name=..." line per
 * attempt, then "whole" if a syscall still works afterwards, and exits 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ringbox_abi.h"

#define PAGE 4096UL

static const char *err_name(long r, int e)
{
    if (r >= 0)
        return "ok";
    switch (e) {
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EEXIST: return "EEXIST";
    case EPERM: return "EPERM";
    case EMFILE: return "EMFILE";
    default: return strerror(e);
    }
}

/* mmap's raw return is an address or -errno. */
static void show(const char *what, long r)
{
    printf("%s=%s\n", what, err_name(r, errno));
}

static void fixedstub(void)
{
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS, rw = PROT_READ | PROT_WRITE;
    show("mmap_fixed_stub", syscall(SYS_mmap, RB_STUB_TEXT_VA, PAGE, rw, anon | MAP_FIXED, -1, 0));
    show("mmap_fixed_gdt", syscall(SYS_mmap, RB_GDT_VA, PAGE, rw, anon | MAP_FIXED, -1, 0));
    show("mmap_fixed_kernel_half", syscall(SYS_mmap, RB_KERNEL_BASE, RB_KERNEL_END - RB_KERNEL_BASE, rw,
                                           anon | MAP_FIXED, -1, 0));
    show("mmap_fixed_noreplace_stub",
         syscall(SYS_mmap, RB_STUB_TEXT_VA, PAGE, rw, anon | MAP_FIXED_NOREPLACE, -1, 0));
    /* Straddling the top of the user half, and wrapping through the hole. */
    show("mmap_fixed_across_top", syscall(SYS_mmap, RB_USER_TOP - PAGE, 2 * PAGE, rw, anon | MAP_FIXED, -1, 0));
    show("mmap_fixed_wrap", syscall(SYS_mmap, RB_USER_TOP - PAGE, -(RB_USER_TOP - PAGE), rw,
                                    anon | MAP_FIXED, -1, 0));
    /* A hint there is only a hint: the mapping lands in the user half. */
    long hint = syscall(SYS_mmap, RB_STUB_TEXT_VA, PAGE, rw, anon, -1, 0);
    printf("mmap_hint_stub=%s\n", hint < 0 ? err_name(hint, errno)
                                           : (uint64_t)hint < RB_USER_TOP ? "user" : "KERNEL");
    show("munmap_stub", syscall(SYS_munmap, RB_STUB_TEXT_VA, PAGE));
    show("mprotect_stub", syscall(SYS_mprotect, RB_STUB_TEXT_VA, PAGE, rw | PROT_EXEC));
    show("madvise_stub", syscall(SYS_madvise, RB_STUB_TEXT_VA, PAGE, MADV_DONTNEED));
    void *own = mmap(NULL, PAGE, rw, anon, -1, 0);
    show("mremap_to_stub", syscall(SYS_mremap, own, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, RB_STUB_TEXT_VA));
    show("mremap_from_stub", syscall(SYS_mremap, RB_STUB_TEXT_VA, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
}

/* The break starts above the program's image (its bss ends at `end`), so
 * these all lie below its start, whatever the libc did with it since. */
extern char end[];

static void brkshrink(void)
{
    uint64_t cur = syscall(SYS_brk, 0);
    const struct {
        const char *what;
        uint64_t at;
    } tries[] = {
        {"brk_below_bss_end", ((uint64_t)(uintptr_t)end & ~(PAGE - 1)) - PAGE},
        {"brk_into_text", (uint64_t)(uintptr_t)brkshrink & ~(PAGE - 1)},
        {"brk_1", 1},
        {"brk_stub", RB_STUB_TEXT_VA},
    };
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++)
        printf("%s=%s\n", tries[i].what, (uint64_t)syscall(SYS_brk, tries[i].at) == cur ? "unchanged" : "MOVED");
    /* The break still works after the attempts. */
    uint64_t got = syscall(SYS_brk, cur + PAGE);
    if (got == cur + PAGE)
        *(volatile char *)cur = 1;
    printf("brk_grow=%s\n", got == cur + PAGE ? "ok" : "FAILED");
    printf("brk_back=%s\n", (uint64_t)syscall(SYS_brk, cur) == cur ? "ok" : "FAILED");
}

/* One-page mappings until refused, alternating protections so that no two
 * neighbours can merge: each is a region of its own. */
static void manymaps(void)
{
    long n = 0, r = 0;
    for (; n < 1000000; n++) {
        r = syscall(SYS_mmap, 0, PAGE, n & 1 ? PROT_READ : PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r < 0)
            break;
    }
    printf("manymaps_stopped=%s\n", n < 1000000 ? err_name(r, errno) : "NEVER");
    printf("manymaps_some=%s\n", n > 1000 ? "yes" : "no");
}

static long dup_all(void)
{
    long top = -1, r;
    while ((r = syscall(SYS_dup, 1)) >= 0)
        top = r > top ? r : top;
    printf("dup_stopped=%s\n", err_name(r, errno));
    return top;
}

/* Exhaust a small soft limit, where the count is exact, then the hard one,
 * where the host's own limit may come first: EMFILE either way. */
static void fds(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 64;
    show("setrlimit", setrlimit(RLIMIT_NOFILE, &rl));
    long top = dup_all();
    /* dup takes the lowest free fd: at EMFILE every one below the limit is in use. */
    printf("fds_used=%s\n", top + 1 == (long)rl.rlim_cur ? "nofile" : "OTHER");
    show("pipe_at_limit", syscall(SYS_pipe2, (int[2]){0, 0}, 0));
    rl.rlim_cur = rl.rlim_max;
    show("raise_to_hard", setrlimit(RLIMIT_NOFILE, &rl));
    dup_all();
    show("close_one", syscall(SYS_close, 3));
    show("dup_after_close", syscall(SYS_dup, 1));
}

int main(int argc, char **argv)
{
    static const struct {
        const char *mode;
        void (*fn)(void);
    } modes[] = {{"fixedstub", fixedstub}, {"brkshrink", brkshrink}, {"manymaps", manymaps}, {"fds", fds}};
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(mode, modes[i].mode)) {
            modes[i].fn();
            printf("%s\n", syscall(SYS_getpid) > 0 ? "whole" : "BROKEN");
            return 0;
        }
    fprintf(stderr, "usage: space fixedstub|brkshrink|manymaps|fds\n");
    return 2;
}
