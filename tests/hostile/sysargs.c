/* sysargs.c - hostile syscall arguments by argv[1]: "kptr" (kernel-half buffers), "straddle"
 * (buffers running into an unmapped page), "hugelen" (lengths near 2^64), "negfd" (negative
 * and out-of-range fds).  Each attempt prints one "name=ok|ERRNO" line; exits 0 if the
 * program is still whole at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ringbox_abi.h"

static const char *err_name(long r, int e)
{
    if (r >= 0)
        return "ok";
    switch (e) {
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return strerror(e);
    }
}

static void show(const char *what, long r)
{
    printf("%s=%s\n", what, err_name(r, errno));
}

/* Raw syscalls throughout: libc wrappers must not see (or fix up) the arguments. */
#define SYS(...) syscall(__VA_ARGS__)

static void kptr(void)
{
    int p[2];
    if (pipe(p) < 0)
        return;
    SYS(SYS_write, p[1], "0123456789abcdef", 16);
    /* The VMM writes these: into the stub's tables and stacks. */
    show("read_into_gdt", SYS(SYS_read, p[0], RB_GDT_VA, 8));
    show("read_into_kstack", SYS(SYS_read, p[0], RB_KSTACK_TOP - 8, 8));
    show("readv_into_idt", SYS(SYS_readv, p[0], &(struct iovec){(void *)RB_IDT_VA, 8}, 1));
    show("iov_array_in_stub", SYS(SYS_readv, p[0], RB_STUB_TEXT_VA, 1));
    show("getcwd_into_tss", SYS(SYS_getcwd, RB_TSS_VA, 64));
    show("clock_gettime_into_stub_data", SYS(SYS_clock_gettime, CLOCK_MONOTONIC, RB_STUB_DATA_VA));
    show("pipe_into_kstack", SYS(SYS_pipe2, RB_KSTACK_VA, 0));
    show("open_kernel_path", SYS(SYS_openat, AT_FDCWD, RB_STUB_TEXT_VA, O_RDONLY));
    char b[16] = "";
    long n = SYS(SYS_read, p[0], b, sizeof b);
    printf("pipe_kept=%.*s\n", n > 0 ? (int)n : 0, b);
}

static void straddle(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || munmap(m + pg, pg) < 0)
        return;
    char *edge = m + pg; /* the first unmapped byte */
    int p[2];
    if (pipe(p) < 0)
        return;
    /* Whole-object copies: any byte out of reach is EFAULT and nothing lands. */
    show("uname", SYS(SYS_uname, edge - 8));
    show("clock_gettime", SYS(SYS_clock_gettime, CLOCK_MONOTONIC, edge - 8));
    show("pipe2", SYS(SYS_pipe2, edge - 4, 0));
    memset(edge - 4, 'a', 4); /* a path with no NUL before the hole */
    show("open_unterminated", SYS(SYS_openat, AT_FDCWD, edge - 4, O_RDONLY));
    show("stat_unterminated", SYS(SYS_newfstatat, AT_FDCWD, edge - 4, m, 0));
    show("iov_array", SYS(SYS_writev, p[1], edge - 8, 2));
    /* A read that finds nothing to copy cannot fault; one that does, with no
     * byte deliverable, is EFAULT. */
    SYS(SYS_write, p[1], "xyz", 3);
    show("read_past_edge", SYS(SYS_read, p[0], edge, 3));
    char b[8] = "";
    long n = SYS(SYS_read, p[0], b, sizeof b);
    printf("pipe_kept=%.*s\n", n > 0 ? (int)n : 0, b);
}

static void hugelen(void)
{
    char b[16];
    int p[2];
    if (pipe(p) < 0)
        return;
    SYS(SYS_write, p[1], "hello", 5);
    show("read_2^64-1", SYS(SYS_read, p[0], b, ~0UL));
    show("write_2^64-1", SYS(SYS_write, p[1], b, ~0UL));
    show("write_2^63", SYS(SYS_write, p[1], b, 1UL << 63));
    show("readv_len_2^64-1", SYS(SYS_readv, p[0], &(struct iovec){b, ~0UL}, 1));
    show("readv_count_2^31", SYS(SYS_readv, p[0], &(struct iovec){b, 1}, 1UL << 31));
    show("getcwd_2^64-1", SYS(SYS_getcwd, b, ~0UL));
    show("mmap_2^64-4096", SYS(SYS_mmap, 0, -4096UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    show("munmap_2^64-4096", SYS(SYS_munmap, 0x10000, -4096UL));
    show("mprotect_wrap", SYS(SYS_mprotect, 0x10000, -0x10000UL, PROT_READ));
    long n = SYS(SYS_read, p[0], b, sizeof b);
    printf("pipe_kept=%.*s\n", n > 0 ? (int)n : 0, b);
}

static void negfd(void)
{
    char b[4];
    show("read_-1", SYS(SYS_read, -1, b, 1));
    show("write_-2", SYS(SYS_write, -2, "x", 1));
    show("write_INT_MIN", SYS(SYS_write, (long)INT32_MIN, "x", 1));
    show("write_INT_MAX", SYS(SYS_write, (long)INT32_MAX, "x", 1));
    show("close_-1", SYS(SYS_close, -1));
    show("fstat_-5", SYS(SYS_fstat, -5, b));
    show("dup_-1", SYS(SYS_dup, -1));
    show("dup2_to_-1", SYS(SYS_dup2, 1, -1));
    show("dup3_to_INT_MAX", SYS(SYS_dup3, 1, INT32_MAX, 0));
    show("fcntl_dupfd_-1", SYS(SYS_fcntl, 1, F_DUPFD, -1));
    show("lseek_-3", SYS(SYS_lseek, -3, 0, SEEK_SET));
    show("openat_dirfd_-2", SYS(SYS_openat, -2, "x", O_RDONLY));
    show("mmap_fd_-2", SYS(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, -2, 0));
    show("fchdir_-1", SYS(SYS_fchdir, -1));
    /* Linux takes an fd as unsigned int: the upper half of the register is
     * ignored and this is fd 1 (include/linux/syscalls.h, __SC_CAST). */
    show("write_fd_2^32+1", SYS(SYS_write, (1L << 32) + 1, "", 0));
    show("close_fd_2^32+2^31", SYS(SYS_close, (1L << 32) + (1L << 31)));
    show("write_ok", SYS(SYS_write, 1, "", 0));
}

int main(int argc, char **argv)
{
    static const struct {
        const char *mode;
        void (*fn)(void);
    } modes[] = {{"kptr", kptr}, {"straddle", straddle}, {"hugelen", hugelen}, {"negfd", negfd}};
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(mode, modes[i].mode)) {
            modes[i].fn();
            printf("whole\n");
            return 0;
        }
    fprintf(stderr, "usage: sysargs kptr|straddle|hugelen|negfd\n");
    return 2;
}
