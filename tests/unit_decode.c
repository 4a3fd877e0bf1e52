/* unit_decode.c - syscalls rendered as strace renders them: the expected
 * lines are strace 6.1's own output for the same calls made natively,
 * except where an address had to be fixed.  Guest memory is a few hand-
 * mapped pages: user ones holding the data, a supervisor one whose bytes
 * must never show, and an unmapped one. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "decode.h"
#include "pt.h"
#include "ringbox_abi.h"
#include "x86.h"

#define USER_RW (X86_PTE_P | X86_PTE_US | X86_PTE_RW | X86_PTE_NX)
#define SUPER_RW (X86_PTE_P | X86_PTE_RW | X86_PTE_NX)
/* Two user pages, then a supervisor page, then nothing. */
#define U0 0x10000ULL
#define U1 0x11000ULL
#define SUPER 0x12000ULL
#define UNMAPPED 0x13000ULL

static struct guest_mem m;

static void map(uint64_t va, uint64_t flags)
{
    uint64_t pa;
    ck_assert_int_eq(mem_alloc_page(&m, &pa), 0);
    ck_assert_int_eq(pt_map(&m, va, pa, flags), 0);
}

static void setup(void)
{
    ck_assert_int_eq(mem_init(&m, 4 << 20), 0);
    map(U0, USER_RW);
    map(U1, USER_RW);
    map(SUPER, SUPER_RW);
    /* A secret in the stub's own memory: a decoder must not show it. */
    uint64_t pa;
    uint64_t eff;
    ck_assert_int_eq(pt_translate(&m, SUPER, &pa, &eff), 0);
    strcpy(mem_host(&m, pa), "kernel-secret");
}

static void teardown(void)
{
    mem_fini(&m);
}

static void poke(uint64_t va, const void *src, size_t len)
{
    ck_assert_int_eq(mem_copy_to_user(&m, va, src, len), 0);
}

/* The whole strace line "name(args) = ret" for one call. */
static const char *line(const struct guest_mem *mem, long nr, uint64_t a0, uint64_t a1,
                        uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, int64_t ret)
{
    static char buf[2048];
    struct sys_args a = {.nr = nr, .a = {a0, a1, a2, a3, a4, a5}};
    struct decoded_call d;
    decode_call(mem, &a, ret, &d);
    int n = decode_format(buf, sizeof(buf), nr, &d);
    ck_assert_int_eq(n, (int)strlen(buf));
    return buf;
}
#define L6(nr, ret, a0, a1, a2, a3, a4, a5) line(&m, nr, a0, a1, a2, a3, a4, a5, ret)
#define CALL(nr, ret, ...) callv(nr, ret, (const uint64_t[]){__VA_ARGS__, 0, 0, 0, 0, 0})

static const char *callv(long nr, int64_t ret, const uint64_t *a)
{
    return line(&m, nr, a[0], a[1], a[2], a[3], a[4], a[5], ret);
}

START_TEST(strings_are_escaped_as_strace_does)
{
    static const char path[] = "/nonexist\n\t\"\\\001\0018\x7f\xff";
    poke(U0, path, sizeof(path));
    ck_assert_str_eq(
        CALL(__NR_openat, -EINVAL, (uint64_t)AT_FDCWD, U0,
             O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |
                 O_ASYNC | O_DIRECT | 0100000 | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC,
             0644),
        "openat(AT_FDCWD, \"/nonexist\\n\\t\\\"\\\\\\1\\18\\177\\377\", O_WRONLY|O_CREAT|O_EXCL|"
        "O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_DSYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|"
        "O_CLOEXEC|O_DIRECTORY|FASYNC, 0644) = -1 EINVAL (Invalid argument)");
    /* Octal takes three digits only when an octal digit follows. */
    poke(U0, "\0\0011\x80", 4);
    ck_assert_str_eq(CALL(__NR_write, -EBADF, (uint64_t)-1, U0, 4),
                     "write(-1, \"\\0\\0011\\200\", 4) = -1 EBADF (Bad file descriptor)");
}
END_TEST

START_TEST(buffers_stop_at_32_bytes_and_reads_at_the_result)
{
    static const char text[] = "hello world this is a long line of text that goes on\n";
    poke(U0, text, sizeof(text) - 1);
    ck_assert_str_eq(CALL(__NR_write, 53, 1, U0, 53),
                     "write(1, \"hello world this is a long line \"..., 53) = 53");
    ck_assert_str_eq(CALL(__NR_read, 3, 8, U0, 100), "read(8, \"hel\", 100) = 3");
    ck_assert_str_eq(CALL(__NR_read, 0, 8, U0, 100), "read(8, \"\", 100) = 0");
    /* A failed read filled nothing: the address, not stale bytes. */
    ck_assert_str_eq(CALL(__NR_read, -EAGAIN, 3, U0, 16),
                     "read(3, 0x10000, 16) = -1 EAGAIN (Resource temporarily unavailable)");
    ck_assert_str_eq(CALL(__NR_getrandom, 8, U0, 8, 1),
                     "getrandom(\"\\x68\\x65\\x6c\\x6c\\x6f\\x20\\x77\\x6f\", 8, GRND_NONBLOCK) = 8");
}
END_TEST

START_TEST(paths_are_shown_whole_up_to_the_cap)
{
    char p[DECODE_PATH_MAX + 40];
    memset(p, 'a', sizeof(p) - 1);
    p[sizeof(p) - 1] = 0;
    poke(U0, p, sizeof(p));
    struct sys_args a = {.nr = __NR_chdir, .a = {U0}};
    struct decoded_call d;
    decode_call(&m, &a, 0, &d);
    ck_assert_uint_eq(strlen(d.arg[0]), DECODE_PATH_MAX + 5);
    ck_assert_str_eq(d.arg[0] + DECODE_PATH_MAX - 1, "aa\"...");
    /* Exactly at the cap: whole, no ellipsis. */
    poke(U0 + DECODE_PATH_MAX, "", 1);
    decode_call(&m, &a, 0, &d);
    ck_assert_str_eq(d.arg[0] + DECODE_PATH_MAX - 1, "aa\"");
}
END_TEST

START_TEST(unreadable_and_supervisor_pointers_show_as_addresses)
{
    /* Every kind of dereference at the supervisor page and past the end. */
    for (uint64_t bad = SUPER; bad <= UNMAPPED; bad += UNMAPPED - SUPER) {
        char want[64];
        snprintf(want, sizeof(want), "chdir(%#llx) = 0", (unsigned long long)bad);
        ck_assert_str_eq(CALL(__NR_chdir, 0, bad), want);
        snprintf(want, sizeof(want), "write(1, %#llx, 13) = 13", (unsigned long long)bad);
        ck_assert_str_eq(CALL(__NR_write, 13, 1, bad, 13), want);
        snprintf(want, sizeof(want), "fstat(1, %#llx) = 0", (unsigned long long)bad);
        ck_assert_str_eq(CALL(__NR_fstat, 0, 1, bad), want);
        snprintf(want, sizeof(want), "writev(1, %#llx, 1) = 5", (unsigned long long)bad);
        ck_assert_str_eq(CALL(__NR_writev, 5, 1, bad, 1), want);
    }
    /* An iovec in user memory pointing at the supervisor page. */
    struct iovec v = {(void *)SUPER, 13};
    poke(U0, &v, sizeof(v));
    ck_assert_str_eq(CALL(__NR_writev, 13, 1, U0, 1),
                     "writev(1, [{iov_base=0x12000, iov_len=13}], 1) = 13");
    /* A string running off user memory into the supervisor page. */
    char fill[16];
    memset(fill, 'x', sizeof(fill));
    poke(U1 + 0x1000 - sizeof(fill), fill, sizeof(fill));
    ck_assert_str_eq(CALL(__NR_chdir, -ENOENT, U1 + 0x1000 - sizeof(fill)),
                     "chdir(0x11ff0) = -1 ENOENT (No such file or directory)");
    /* The kernel half, and no memory at all. */
    ck_assert_str_eq(CALL(__NR_chdir, -EFAULT, RB_KERNEL_BASE),
                     "chdir(0xffffffff80000000) = -1 EFAULT (Bad address)");
    poke(U0, "/etc", 5);
    ck_assert_str_eq(line(NULL, __NR_chdir, U0, 0, 0, 0, 0, 0, 0), "chdir(0x10000) = 0");
    ck_assert_str_eq(CALL(__NR_chdir, 0, 0), "chdir(NULL) = 0");
}
END_TEST

START_TEST(open_flags_and_modes)
{
    poke(U0, "/x", 3);
    ck_assert_str_eq(CALL(__NR_openat, -ENOENT, (uint64_t)AT_FDCWD, U0, O_RDWR | O_SYNC | O_PATH),
                     "openat(AT_FDCWD, \"/x\", O_RDWR|O_SYNC|O_PATH) = -1 ENOENT (No such file or directory)");
    ck_assert_str_eq(CALL(__NR_openat, 3, (uint64_t)AT_FDCWD, U0, O_RDWR | O_TMPFILE, 0600),
                     "openat(AT_FDCWD, \"/x\", O_RDWR|O_TMPFILE, 0600) = 3");
    ck_assert_str_eq(CALL(__NR_openat, 4, 5, U0, 3 | O_CREAT, 01755),
                     "openat(5, \"/x\", O_ACCMODE|O_CREAT, 01755) = 4");
    ck_assert_str_eq(CALL(__NR_open, 3, U0, O_RDONLY | O_CLOEXEC, 0777),
                     "open(\"/x\", O_RDONLY|O_CLOEXEC) = 3");
    ck_assert_str_eq(CALL(__NR_umask, 022, 022), "umask(022) = 022");
    ck_assert_str_eq(CALL(__NR_mkdirat, -ENOENT, (uint64_t)AT_FDCWD, U0, 0),
                     "mkdirat(AT_FDCWD, \"/x\", 000) = -1 ENOENT (No such file or directory)");
    ck_assert_str_eq(CALL(__NR_access, 0, U0, R_OK | W_OK | X_OK), "access(\"/x\", R_OK|W_OK|X_OK) = 0");
    ck_assert_str_eq(CALL(__NR_access, 0, U0, F_OK), "access(\"/x\", F_OK) = 0");
    ck_assert_str_eq(CALL(__NR_faccessat2, 0, (uint64_t)AT_FDCWD, U0, R_OK,
                          AT_EACCESS | AT_SYMLINK_NOFOLLOW),
                     "faccessat2(AT_FDCWD, \"/x\", R_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS) = 0");
    ck_assert_str_eq(CALL(__NR_unlinkat, 0, (uint64_t)AT_FDCWD, U0, AT_REMOVEDIR),
                     "unlinkat(AT_FDCWD, \"/x\", AT_REMOVEDIR) = 0");
    int fds[2] = {3, 4};
    poke(U0 + 0x100, fds, sizeof(fds));
    ck_assert_str_eq(CALL(__NR_pipe2, 0, U0 + 0x100, O_CLOEXEC), "pipe2([3, 4], O_CLOEXEC) = 0");
    ck_assert_str_eq(CALL(__NR_pipe2, -EMFILE, U0 + 0x100, 0),
                     "pipe2(0x10100, 0) = -1 EMFILE (Too many open files)");
    ck_assert_str_eq(CALL(__NR_pipe2, -EINVAL, U0 + 0x100, O_EXCL),
                     "pipe2(0x10100, O_EXCL) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_dup3, 20, 1, 20, O_CLOEXEC), "dup3(1, 20, O_CLOEXEC) = 20");
    ck_assert_str_eq(CALL(__NR_lseek, 0, 0, 5, SEEK_END), "lseek(0, 5, SEEK_END) = 0");
    ck_assert_str_eq(CALL(__NR_lseek, -EINVAL, 0, 5, 9),
                     "lseek(0, 5, 0x9 /* SEEK_??? */) = -1 EINVAL (Invalid argument)");
}
END_TEST

START_TEST(memory_flags)
{
    ck_assert_str_eq(
        CALL(__NR_mmap, -EINVAL, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN,
             MAP_SHARED | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | MAP_DENYWRITE |
                 MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |
                 MAP_STACK | MAP_HUGETLB | MAP_FIXED_NOREPLACE | 0x80000 | 0x4000000,
             (uint64_t)-1, 0),
        "mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN, MAP_SHARED|MAP_FIXED|"
        "MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|MAP_POPULATE|MAP_NONBLOCK|MAP_GROWSDOWN|"
        "MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_STACK|MAP_HUGETLB|MAP_SYNC|"
        "MAP_FIXED_NOREPLACE|1<<MAP_HUGE_SHIFT, -1, 0) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_mmap, 0x7fed0afc9000, 0, 4096, PROT_NONE, MAP_SHARED_VALIDATE | 0x8000000, 3, 4096),
                     "mmap(NULL, 4096, PROT_NONE, MAP_SHARED_VALIDATE|2<<MAP_HUGE_SHIFT, 3, 0x1000) = 0x7fed0afc9000");
    ck_assert_str_eq(CALL(__NR_mmap, -EINVAL, 0, 4096, 0x10, 0x1000000, 3, 4096),
                     "mmap(NULL, 4096, 0x10 /* PROT_??? */, MAP_FILE|0x1000000, 3, 0x1000) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_mprotect, 0, 0x4a6000, 16384, PROT_READ), "mprotect(0x4a6000, 16384, PROT_READ) = 0");
    ck_assert_str_eq(CALL(__NR_madvise, -ENOMEM, 0, 4096, MADV_DONTNEED),
                     "madvise(NULL, 4096, MADV_DONTNEED) = -1 ENOMEM (Cannot allocate memory)");
    ck_assert_str_eq(CALL(__NR_madvise, -EINVAL, 0, 4096, 999),
                     "madvise(NULL, 4096, 0x3e7 /* MADV_??? */) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_mremap, -EFAULT, 0x10000, 4096, 8192, MREMAP_MAYMOVE),
                     "mremap(0x10000, 4096, 8192, MREMAP_MAYMOVE, NULL) = -1 EFAULT (Bad address)");
    ck_assert_str_eq(CALL(__NR_brk, 0x595000, 0), "brk(NULL) = 0x595000");
    ck_assert_str_eq(CALL(__NR_munmap, 0, 0x7ff0129e5000, 44007), "munmap(0x7ff0129e5000, 44007) = 0");
}
END_TEST

START_TEST(signals_sets_and_sigaction)
{
    /* The kernel's struct sigaction: handler, flags, restorer, mask. */
    uint64_t act[4] = {0x557214d752a9,
                       SA_RESTART | SA_SIGINFO | SA_ONSTACK | SA_NODEFER | 0x04000000,
                       0x7fed0ae19050, 1ULL << (SIGINT - 1) | 1ULL << (SIGTERM - 1) | 1ULL << 33};
    poke(U0, act, sizeof(act));
    const char *want_act = "{sa_handler=0x557214d752a9, sa_mask=[INT TERM RT_2], "
                           "sa_flags=SA_RESTORER|SA_ONSTACK|SA_RESTART|SA_NODEFER|SA_SIGINFO, "
                           "sa_restorer=0x7fed0ae19050}";
    char want[512];
    snprintf(want, sizeof(want), "rt_sigaction(SIGUSR1, %s, NULL, 8) = 0", want_act);
    ck_assert_str_eq(CALL(__NR_rt_sigaction, 0, SIGUSR1, U0, 0, 8), want);
    snprintf(want, sizeof(want), "rt_sigaction(SIGUSR1, NULL, %s, 8) = 0", want_act);
    ck_assert_str_eq(CALL(__NR_rt_sigaction, 0, SIGUSR1, 0, U0, 8), want);
    /* The old action of a failed call was not written. */
    ck_assert_str_eq(CALL(__NR_rt_sigaction, -EINVAL, SIGKILL, 0, U0, 8),
                     "rt_sigaction(SIGKILL, NULL, 0x10000, 8) = -1 EINVAL (Invalid argument)");
    uint64_t dfl[4] = {0, 0, 0, 0};
    poke(U1, dfl, sizeof(dfl));
    ck_assert_str_eq(CALL(__NR_rt_sigaction, 0, SIGSEGV, U1, 0, 8),
                     "rt_sigaction(SIGSEGV, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, NULL, 8) = 0");
    /* glibc's sigfillset leaves out 32 and 33: printed as a complement. */
    uint64_t set = ~(3ULL << 31);
    poke(U0, &set, 8);
    ck_assert_str_eq(CALL(__NR_rt_sigprocmask, 0, SIG_BLOCK, U0, 0, 8),
                     "rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], NULL, 8) = 0");
    set = 1ULL << (SIGKILL - 1) | 1ULL << 33 | 1ULL << 63;
    poke(U0, &set, 8);
    ck_assert_str_eq(CALL(__NR_rt_sigprocmask, 0, SIG_UNBLOCK, U0, 0, 8),
                     "rt_sigprocmask(SIG_UNBLOCK, [KILL RT_2 RT_32], NULL, 8) = 0");
    set = 0;
    poke(U1, &set, 8);
    ck_assert_str_eq(CALL(__NR_rt_sigprocmask, 0, SIG_SETMASK, U1, U1, 8),
                     "rt_sigprocmask(SIG_SETMASK, [], [], 8) = 0");
    ck_assert_str_eq(CALL(__NR_rt_sigprocmask, 0, 7, 0, 0, 8),
                     "rt_sigprocmask(0x7 /* SIG_??? */, NULL, NULL, 8) = 0");
    ck_assert_str_eq(CALL(__NR_tgkill, -ESRCH, 1, 2, SIGSEGV),
                     "tgkill(1, 2, SIGSEGV) = -1 ESRCH (No such process)");
    ck_assert_str_eq(CALL(__NR_kill, -EINVAL, 0, 99), "kill(0, 99) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_kill, 0, 0, 34), "kill(0, SIGRT_2) = 0");
    stack_t ss = {.ss_sp = NULL, .ss_flags = SS_DISABLE, .ss_size = 0};
    poke(U0, &ss, sizeof(ss));
    ck_assert_str_eq(CALL(__NR_sigaltstack, 0, 0, U0),
                     "sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0");
}
END_TEST

START_TEST(structs_stat_time_limits_uname)
{
    struct stat st = {.st_mode = S_IFREG | 0644, .st_size = 1221};
    poke(U0, &st, sizeof(st));
    poke(U1, "/etc/passwd", 12);
    ck_assert_str_eq(CALL(__NR_newfstatat, 0, (uint64_t)AT_FDCWD, U1, U0, 0),
                     "newfstatat(AT_FDCWD, \"/etc/passwd\", {st_mode=S_IFREG|0644, st_size=1221, ...}, 0) = 0");
    ck_assert_str_eq(CALL(__NR_newfstatat, -ENOENT, (uint64_t)AT_FDCWD, U1, U0, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT),
                     "newfstatat(AT_FDCWD, \"/etc/passwd\", 0x10000, AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT) = -1 ENOENT (No such file or directory)");
    st = (struct stat){.st_mode = S_IFCHR | 0666, .st_rdev = makedev(1, 3)};
    poke(U0, &st, sizeof(st));
    ck_assert_str_eq(CALL(__NR_fstat, 0, 3, U0),
                     "fstat(3, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0");
    st = (struct stat){.st_mode = S_IFDIR | S_ISVTX | 0777, .st_size = 4096};
    poke(U0, &st, sizeof(st));
    ck_assert_str_eq(CALL(__NR_fstat, 0, 3, U0),
                     "fstat(3, {st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}) = 0");
    struct statx sx = {.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID, .stx_mode = S_IFREG | 0644, .stx_size = 1221};
    poke(U0, &sx, sizeof(sx));
    ck_assert_str_eq(CALL(__NR_statx, 0, (uint64_t)AT_FDCWD, U1, 0, STATX_BASIC_STATS, U0),
                     "statx(AT_FDCWD, \"/etc/passwd\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, "
                     "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=1221, ...}) = 0");
    ck_assert_str_eq(CALL(__NR_statx, -ENOENT, (uint64_t)AT_FDCWD, U1, AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_ALL, U0),
                     "statx(AT_FDCWD, \"/etc/passwd\", AT_STATX_DONT_SYNC|AT_EMPTY_PATH, STATX_ALL, 0x10000) = -1 ENOENT (No such file or directory)");
    struct timespec ts = {1795230423, 203280825};
    poke(U0, &ts, sizeof(ts));
    ck_assert_str_eq(CALL(__NR_clock_gettime, 0, 11, U0),
                     "clock_gettime(CLOCK_TAI, {tv_sec=1795230423, tv_nsec=203280825}) = 0");
    ck_assert_str_eq(CALL(__NR_clock_gettime, -EINVAL, 55, U0),
                     "clock_gettime(0x37 /* CLOCK_??? */, 0x10000) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_clock_nanosleep, 0, CLOCK_REALTIME, TIMER_ABSTIME, U0, 0),
                     "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, {tv_sec=1795230423, tv_nsec=203280825}, NULL) = 0");
    uint64_t rl[2] = {8192 * 1024, UINT64_MAX};
    poke(U0, rl, sizeof(rl));
    ck_assert_str_eq(CALL(__NR_prlimit64, 0, 0, RLIMIT_STACK, 0, U0),
                     "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
    rl[0] = 1024;
    rl[1] = 2048;
    poke(U0, rl, sizeof(rl));
    ck_assert_str_eq(CALL(__NR_prlimit64, 0, 0, RLIMIT_NOFILE, U0, 0),
                     "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=2*1024}, NULL) = 0");
    ck_assert_str_eq(CALL(__NR_prlimit64, -EINVAL, 0, 77, 0, U0),
                     "prlimit64(0, 0x4d /* RLIMIT_??? */, NULL, 0x10000) = -1 EINVAL (Invalid argument)");
    struct statfs sf = {.f_type = TMPFS_MAGIC, .f_bsize = 4096, .f_blocks = 3083631, .f_bfree = 3083631,
                        .f_bavail = 3083631, .f_files = 3083631, .f_ffree = 3083517, .f_namelen = 255,
                        .f_frsize = 4096, .f_flags = 0x20 | ST_RELATIME};
    poke(U0, &sf, sizeof(sf));
    ck_assert_str_eq(CALL(__NR_fstatfs, 0, 0, U0),
                     "fstatfs(0, {f_type=TMPFS_MAGIC, f_bsize=4096, f_blocks=3083631, f_bfree=3083631, "
                     "f_bavail=3083631, f_files=3083631, f_ffree=3083517, f_fsid={val=[0, 0]}, "
                     "f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0");
    /* A sleep's remaining time exists only when a signal cut it short. */
    ts = (struct timespec){1, 900034228};
    poke(U1 + 0x800, &ts, sizeof(ts));
    ck_assert_str_eq(CALL(__NR_nanosleep, 0, U1 + 0x800, U1 + 0x800),
                     "nanosleep({tv_sec=1, tv_nsec=900034228}, 0x11800) = 0");
    ck_assert_str_eq(CALL(__NR_clock_nanosleep, -516, CLOCK_REALTIME, 0, U1 + 0x800, U1 + 0x800),
                     "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=1, tv_nsec=900034228}, "
                     "{tv_sec=1, tv_nsec=900034228}) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
    ck_assert_str_eq(CALL(__NR_sched_getscheduler, 0, 2), "sched_getscheduler(2) = 0 (SCHED_OTHER)");
    ck_assert_str_eq(CALL(__NR_getrusage, -EFAULT, (uint64_t)-1, 0),
                     "getrusage(RUSAGE_CHILDREN, NULL) = -1 EFAULT (Bad address)");
    struct utsname u;
    memset(&u, 0, sizeof(u));
    strcpy(u.sysname, "Linux");
    strcpy(u.nodename, "vm");
    poke(U0, &u, sizeof(u));
    ck_assert_str_eq(CALL(__NR_uname, 0, U0), "uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0");
}
END_TEST

START_TEST(arrays_iovecs_pollfds_sockaddrs)
{
    static const char data[] = "ab\ncd world";
    poke(U1, data, sizeof(data));
    struct iovec v[2] = {{(void *)U1, 3}, {(void *)(U1 + 3), 2}};
    poke(U0, v, sizeof(v));
    ck_assert_str_eq(CALL(__NR_writev, 5, 1, U0, 2),
                     "writev(1, [{iov_base=\"ab\\n\", iov_len=3}, {iov_base=\"cd\", iov_len=2}], 2) = 5");
    /* readv shows what the call filled: 4 of the 5 bytes. */
    ck_assert_str_eq(CALL(__NR_readv, 4, 1, U0, 2),
                     "readv(1, [{iov_base=\"ab\\n\", iov_len=3}, {iov_base=\"c\", iov_len=2}], 2) = 4");
    struct pollfd p[2] = {{0, POLLIN | POLLPRI, POLLIN}, {1, POLLOUT, POLLOUT}};
    poke(U0, p, sizeof(p));
    ck_assert_str_eq(CALL(__NR_poll, 2, U0, 2, 0),
                     "poll([{fd=0, events=POLLIN|POLLPRI}, {fd=1, events=POLLOUT}], 2, 0) = 2 "
                     "([{fd=0, revents=POLLIN}, {fd=1, revents=POLLOUT}])");
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, "/tmp/nosock");
    poke(U0, &un, sizeof(un));
    ck_assert_str_eq(CALL(__NR_connect, -ENOENT, 5, U0, sizeof(un)),
                     "connect(5, {sa_family=AF_UNIX, sun_path=\"/tmp/nosock\"}, 110) = -1 ENOENT (No such file or directory)");
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(53)};
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    poke(U0, &in, sizeof(in));
    ck_assert_str_eq(CALL(__NR_connect, 0, 6, U0, sizeof(in)),
                     "connect(6, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");
    ck_assert_str_eq(CALL(__NR_socket, 5, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0),
                     "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 5");
    ck_assert_str_eq(CALL(__NR_socket, 6, AF_INET, SOCK_DGRAM, 0), "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 6");
    ck_assert_str_eq(CALL(__NR_socket, 7, AF_INET6, SOCK_RAW, IPPROTO_TCP), "socket(AF_INET6, SOCK_RAW, IPPROTO_TCP) = 7");
    ck_assert_str_eq(CALL(__NR_socket, -EINVAL, AF_INET, SOCK_STREAM | 0x100, 0),
                     "socket(AF_INET, SOCK_STREAM|0x100 /* SOCK_??? */, IPPROTO_IP) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_socket, 5, AF_NETLINK, SOCK_RAW, 0), "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 5");
    ck_assert_str_eq(CALL(__NR_socket, -EINVAL, 99, 99, 0),
                     "socket(0x63 /* AF_??? */, SOCK_RAW|0x60 /* SOCK_??? */, 0) = -1 EINVAL (Invalid argument)");
    int fds[2] = {5, 6};
    poke(U0, fds, sizeof(fds));
    ck_assert_str_eq(CALL(__NR_socketpair, 0, AF_UNIX, SOCK_STREAM, 0, U0),
                     "socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0");
    poke(U1, "hi", 2);
    ck_assert_str_eq(CALL(__NR_sendto, 2, 5, U1, 2, MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0),
                     "sendto(5, \"hi\", 2, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = 2");
    ck_assert_str_eq(CALL(__NR_recvfrom, 2, 6, U1, 10, 0, 0, 0),
                     "recvfrom(6, \"hi\", 10, 0, NULL, NULL) = 2");
    int one = 1;
    poke(U0, &one, 4);
    ck_assert_str_eq(CALL(__NR_setsockopt, 0, 5, SOL_SOCKET, SO_REUSEADDR, U0, 4),
                     "setsockopt(5, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
}
END_TEST

/* In-out arguments show what was passed (decode_enter) and the result
 * what came back (decode_exit), as strace shows them. */
START_TEST(in_out_arguments_before_and_after)
{
    uint64_t in = 1 << 3 | 1 << 4, out = 1 << 3 | 1 << 4;
    struct timeval tv = {0, 1500000};
    poke(U0, &in, 8);
    poke(U0 + 8, &out, 8);
    poke(U0 + 16, &tv, sizeof(tv));
    struct sys_args a = {.nr = __NR_select, .a = {5, U0, U0 + 8, 0, U0 + 16}};
    struct decoded_call d;
    memset(&d, 0xa5, sizeof(d));
    decode_enter(&m, &a, &d);
    /* The VMM serves it: fd 3 readable, fd 4 writable, 1.499998 s left. */
    in = 1 << 3;
    out = 1 << 4;
    tv = (struct timeval){1, 499998};
    poke(U0, &in, 8);
    poke(U0 + 8, &out, 8);
    poke(U0 + 16, &tv, sizeof(tv));
    decode_exit(&m, &a, 2, &d);
    char buf[512];
    decode_format(buf, sizeof(buf), a.nr, &d);
    ck_assert_str_eq(buf, "select(5, [3 4], [3 4], NULL, {tv_sec=0, tv_usec=1500000}) = 2 "
                          "(in [3], out [4], left {tv_sec=1, tv_usec=499998})");
    /* Without the entry step the sets are read as they are now. */
    ck_assert_str_eq(CALL(__NR_select, 0, 5, U0, 0, 0, 0), "select(5, [3], NULL, NULL, NULL) = 0 (Timeout)");
    /* ppoll: the time-out passed, what is left, and a negative fd bare. */
    struct pollfd p[2] = {{3, POLLIN, 0}, {-1, POLLIN, 0}};
    struct timespec ts = {5, 0};
    poke(U1, p, sizeof(p));
    poke(U1 + 0x100, &ts, sizeof(ts));
    a = (struct sys_args){.nr = __NR_ppoll, .a = {U1, 2, U1 + 0x100, 0, 8}};
    decode_enter(&m, &a, &d);
    p[0].revents = POLLIN;
    ts = (struct timespec){4, 999998348};
    poke(U1, p, sizeof(p));
    poke(U1 + 0x100, &ts, sizeof(ts));
    decode_exit(&m, &a, 1, &d);
    decode_format(buf, sizeof(buf), a.nr, &d);
    ck_assert_str_eq(buf, "ppoll([{fd=3, events=POLLIN}, {fd=-1}], 2, {tv_sec=5, tv_nsec=0}, NULL, 8) = 1 "
                          "([{fd=3, revents=POLLIN}], left {tv_sec=4, tv_nsec=999998348})");
    ck_assert_str_eq(CALL(__NR_poll, 0, U1, 1, 50), "poll([{fd=3, events=POLLIN}], 1, 50) = 0 (Timeout)");
    /* An out-argument is not read at entry: a stat buffer shows what the
     * call wrote. */
    struct stat st = {.st_mode = S_IFREG | 0600, .st_size = 7};
    a = (struct sys_args){.nr = __NR_fstat, .a = {3, U0}};
    decode_enter(&m, &a, &d);
    poke(U0, &st, sizeof(st));
    decode_exit(&m, &a, 0, &d);
    ck_assert_str_eq(d.arg[1], "{st_mode=S_IFREG|0600, st_size=7, ...}");
    /* accept's address length goes in as the buffer's size and comes back
     * as the address's. */
    int len = sizeof(struct sockaddr_un);
    poke(U0 + 0x400, &len, 4);
    a = (struct sys_args){.nr = __NR_accept, .a = {3, U0 + 0x500, U0 + 0x400}};
    decode_enter(&m, &a, &d);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    poke(U0 + 0x500, &un, sizeof(un));
    len = sizeof(sa_family_t);
    poke(U0 + 0x400, &len, 4);
    decode_exit(&m, &a, 4, &d);
    decode_format(buf, sizeof(buf), a.nr, &d);
    ck_assert_str_eq(buf, "accept(3, {sa_family=AF_UNIX}, [110 => 2]) = 4");
    a.nr = __NR_getsockname;
    decode_enter(&m, &a, &d);
    decode_exit(&m, &a, 0, &d);
    decode_format(buf, sizeof(buf), a.nr, &d);
    ck_assert_str_eq(buf, "getsockname(3, {sa_family=AF_UNIX}, [2]) = 0");
    decode_enter(&m, &a, &d);
    decode_exit(&m, &a, -EBADF, &d);
    ck_assert_str_eq(d.arg[2], "[2]");
    /* pselect6's sigmask pair. */
    uint64_t mask = 1ULL << (SIGALRM - 1), sm[2] = {U0 + 0x200, 8};
    poke(U0 + 0x200, &mask, 8);
    poke(U0 + 0x300, sm, sizeof(sm));
    ck_assert_str_eq(CALL(__NR_pselect6, -EINVAL, 1, 0, 0, 0, 0, U0 + 0x300),
                     "pselect6(1, NULL, NULL, NULL, NULL, {sigmask=[ALRM], sigsetsize=8}) = -1 EINVAL (Invalid argument)");
}
END_TEST

START_TEST(fcntl_ioctl_futex_arch_prctl)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    poke(U1, &fl, sizeof(fl));
    ck_assert_str_eq(CALL(__NR_fcntl, 0, 4, F_SETLK, U1),
                     "fcntl(4, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0");
    fl = (struct flock){.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_len = 10};
    poke(U1, &fl, sizeof(fl));
    ck_assert_str_eq(CALL(__NR_fcntl, 0, 4, F_GETLK, U1),
                     "fcntl(4, F_GETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=10, l_pid=0}) = 0");
    ck_assert_str_eq(CALL(__NR_fcntl, 0x8001, 1, F_GETFL), "fcntl(1, F_GETFL) = 0x8001 (flags O_WRONLY|O_LARGEFILE)");
    ck_assert_str_eq(CALL(__NR_fcntl, 0, 1, F_GETFD), "fcntl(1, F_GETFD) = 0");
    ck_assert_str_eq(CALL(__NR_fcntl, 1, 5, F_GETFD), "fcntl(5, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
    ck_assert_str_eq(CALL(__NR_fcntl, 0, 1, F_SETFD, FD_CLOEXEC), "fcntl(1, F_SETFD, FD_CLOEXEC) = 0");
    ck_assert_str_eq(CALL(__NR_fcntl, 0, 1, F_SETFL, O_NONBLOCK | O_APPEND),
                     "fcntl(1, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0");
    ck_assert_str_eq(CALL(__NR_fcntl, 11, 1, F_DUPFD_CLOEXEC, 10), "fcntl(1, F_DUPFD_CLOEXEC, 10) = 11");
    ck_assert_str_eq(CALL(__NR_fcntl, -EINVAL, 1, 999, 5),
                     "fcntl(1, 0x3e7 /* F_??? */, 0x5) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_ioctl, -ENOTTY, 1, TIOCGWINSZ, U0),
                     "ioctl(1, TIOCGWINSZ, 0x10000) = -1 ENOTTY (Inappropriate ioctl for device)");
    unsigned short ws[4] = {24, 80, 0, 0};
    poke(U0, ws, sizeof(ws));
    ck_assert_str_eq(CALL(__NR_ioctl, 0, 1, TIOCGWINSZ, U0),
                     "ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0");
    int five = 5;
    poke(U0, &five, 4);
    ck_assert_str_eq(CALL(__NR_ioctl, 0, 3, FIONREAD, U0), "ioctl(3, FIONREAD, [5]) = 0");
    ck_assert_str_eq(CALL(__NR_ioctl, -ENOTTY, 1, 0x1234, 0),
                     "ioctl(1, _IOC(_IOC_NONE, 0x12, 0x34, 0), 0) = -1 ENOTTY (Inappropriate ioctl for device)");
    ck_assert_str_eq(CALL(__NR_ioctl, -ENOTTY, 1, TCGETS, 0),
                     "ioctl(1, TCGETS, NULL) = -1 ENOTTY (Inappropriate ioctl for device)");
    uint64_t fs = 0x7fed0adda740;
    poke(U0, &fs, 8);
    ck_assert_str_eq(CALL(__NR_arch_prctl, 0, 0x1003, U0), "arch_prctl(ARCH_GET_FS, [0x7fed0adda740]) = 0");
    ck_assert_str_eq(CALL(__NR_arch_prctl, 0, 0x1002, 0x1444380), "arch_prctl(ARCH_SET_FS, 0x1444380) = 0");
    ck_assert_str_eq(CALL(__NR_arch_prctl, -EINVAL, 0x9999, 0),
                     "arch_prctl(0x9999 /* ARCH_??? */, 0) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_futex, 0, 0x7ffc0b58b60c, FUTEX_WAKE_PRIVATE, 1),
                     "futex(0x7ffc0b58b60c, FUTEX_WAKE_PRIVATE, 1) = 0");
    struct timespec ts = {1, 5};
    poke(U0, &ts, sizeof(ts));
    ck_assert_str_eq(CALL(__NR_futex, -ETIMEDOUT, 0x7ffc0b58b60c, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1, U0),
                     "futex(0x7ffc0b58b60c, FUTEX_WAIT|FUTEX_CLOCK_REALTIME, 1, {tv_sec=1, tv_nsec=5}) = -1 ETIMEDOUT (Connection timed out)");
    ck_assert_str_eq(L6(__NR_futex, -EAGAIN, 0x7ffc0b58b60c, FUTEX_WAIT_BITSET_PRIVATE, 1, 0, 0, FUTEX_BITSET_MATCH_ANY),
                     "futex(0x7ffc0b58b60c, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)");
    ck_assert_str_eq(L6(__NR_futex, -ENOSYS, 0x7ffc0b58b60c, 99, 1, 2, 3, 4),
                     "futex(0x7ffc0b58b60c, 0x63 /* FUTEX_??? */, 0x1, 0x2, 0x3, 0x4) = -1 ENOSYS (Function not implemented)");
    poke(U0, "nm", 3);
    ck_assert_str_eq(CALL(__NR_prctl, 0, PR_SET_NAME, U0), "prctl(PR_SET_NAME, \"nm\") = 0");
    ck_assert_str_eq(CALL(__NR_prctl, 1, PR_GET_DUMPABLE), "prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)");
    ck_assert_str_eq(CALL(__NR_prctl, -EINVAL, PR_SET_DUMPABLE, 2),
                     "prctl(PR_SET_DUMPABLE, SUID_DUMP_ROOT) = -1 EINVAL (Invalid argument)");
    ck_assert_str_eq(CALL(__NR_prctl, 0, PR_SET_PDEATHSIG, SIGTERM), "prctl(PR_SET_PDEATHSIG, SIGTERM) = 0");
    int term = SIGTERM;
    poke(U0, &term, 4);
    ck_assert_str_eq(CALL(__NR_prctl, 0, PR_GET_PDEATHSIG, U0), "prctl(PR_GET_PDEATHSIG, [SIGTERM]) = 0");
    ck_assert_str_eq(CALL(__NR_prctl, 0, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
}
END_TEST

START_TEST(results_errors_and_unknown_calls)
{
    ck_assert_str_eq(CALL(__NR_exit_group, 0, 3), "exit_group(3) = ?");
    ck_assert_str_eq(CALL(__NR_getpid, 2, 0), "getpid() = 2");
    struct sys_args a = {.nr = __NR_close, .a = {9}};
    struct decoded_call d;
    decode_call(&m, &a, -EBADF, &d);
    ck_assert_str_eq(d.errname, "EBADF");
    ck_assert_str_eq(d.ret, "-1 EBADF (Bad file descriptor)");
    decode_call(&m, &a, 0, &d);
    ck_assert_ptr_null(d.errname);
    ck_assert_str_eq(CALL(__NR_close, -600, 3), "close(3) = -1 ERRNO_600 (Unknown error 600)");
    /* Restart codes a signal left: strace's "?" and the kernel's name. */
    ck_assert_str_eq(CALL(__NR_pause, -514, 0), "pause() = ? ERESTARTNOHAND (To be restarted if no handler)");
    ck_assert_str_eq(CALL(__NR_nanosleep, -516, 0, 0),
                     "nanosleep(NULL, NULL) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
    /* A number Linux names but with no signature: six registers in hex. */
    a = (struct sys_args){.nr = __NR_ptrace, .a = {1, 2, 3, 4, 5, 6}};
    decode_call(&m, &a, -ENOSYS, &d);
    ck_assert(d.raw);
    ck_assert_str_eq(d.name, "ptrace");
    ck_assert_str_eq(L6(1000, -ENOSYS, 1, 2, 3, 4, 5, 6),
                     "syscall_1000(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)");
    ck_assert_str_eq(L6(-1, -ENOSYS, 0, 0, 0, 0, 0, 0),
                     "syscall_-1(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)");
    /* decode_format truncates like snprintf. */
    char tiny[8];
    decode_call(&m, &a, 0, &d);
    int n = decode_format(tiny, sizeof(tiny), a.nr, &d);
    ck_assert_int_gt(n, (int)sizeof(tiny));
    ck_assert_str_eq(tiny, "ptrace(");
}
END_TEST

START_TEST(every_served_syscall_has_a_signature)
{
    static const long served[] = {
#define RB_SYSCALL(name) __NR_##name,
#include "syscalls.def"
#undef RB_SYSCALL
    };
    long nosig_nr = -1;
    for (size_t i = 0; i < sizeof(served) / sizeof(served[0]) && nosig_nr < 0; i++) {
        struct sys_args a = {.nr = served[i]};
        struct decoded_call d;
        decode_call(NULL, &a, 0, &d);
        if (d.raw || !d.name || d.nargs > 6)
            nosig_nr = served[i];
    }
    ck_assert_msg(nosig_nr < 0, "syscall %ld has no signature", nosig_nr);
}
END_TEST

/* Any registers, any memory: every rendering stays inside its buffer and
 * is terminated (the sanitizer build checks the first, this the second). */
START_TEST(arbitrary_registers_are_safe)
{
    static const uint64_t pool[] = {
        0, 1, 3, 8, 16, 0x7f, 0xffffffff, (uint64_t)-1, (uint64_t)-100, U0, U0 + 0xff8, U1 + 0xffc,
        SUPER, UNMAPPED, RB_KERNEL_BASE, 1ULL << 63, 0x7fffffff, 1025, 4096, 128,
    };
    /* Guest memory full of patterns that look like pointers, counts and flags. */
    uint64_t junk[512];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    long bad_nr = LONG_MIN;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < 512; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            junk[i] = pass ? pool[x % (sizeof(pool) / sizeof(pool[0]))] : x;
        }
        poke(U0, junk, sizeof(junk));
        poke(U1, junk, sizeof(junk));
        for (long nr = -1; nr < 460; nr++) {
            for (int t = 0; t < 24; t++) {
                struct sys_args a = {.nr = nr};
                for (int i = 0; i < 6; i++) {
                    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                    a.a[i] = pool[x % (sizeof(pool) / sizeof(pool[0]))];
                }
                int64_t ret = t % 3 == 0 ? -(int64_t)(x % 600) : (int64_t)(x % 5000);
                struct decoded_call d;
                memset(&d, 0xa5, sizeof(d));
                decode_enter(&m, &a, &d);
                decode_exit(&m, &a, ret, &d);
                bool ok = d.nargs <= 6 && strnlen(d.ret, DECODE_RET_MAX) < DECODE_RET_MAX;
                for (int i = 0; ok && i < d.nargs; i++)
                    ok = strnlen(d.arg[i], DECODE_ARG_MAX) < DECODE_ARG_MAX;
                if (!ok && bad_nr == LONG_MIN)
                    bad_nr = nr;
            }
        }
    }
    ck_assert_msg(bad_nr == LONG_MIN, "syscall %ld: a rendering overran its buffer", bad_nr);
}
END_TEST

START_TEST(classes)
{
    ck_assert_uint_eq(decode_classes(__NR_openat), DECODE_FILE | DECODE_DESC);
    ck_assert_uint_eq(decode_classes(__NR_mmap), DECODE_MEMORY | DECODE_DESC);
    ck_assert_uint_eq(decode_classes(__NR_brk), DECODE_MEMORY);
    ck_assert_uint_eq(decode_classes(__NR_rt_sigaction), DECODE_SIGNAL);
    ck_assert_uint_eq(decode_classes(__NR_kill), DECODE_SIGNAL | DECODE_PROCESS);
    ck_assert_uint_eq(decode_classes(__NR_exit_group), DECODE_PROCESS);
    ck_assert_uint_eq(decode_classes(__NR_connect), DECODE_NETWORK);
    ck_assert_uint_eq(decode_classes(__NR_read), DECODE_DESC);
    ck_assert(decode_classes(__NR_newfstatat) & DECODE_STAT);
    ck_assert(decode_classes(__NR_fstat) & DECODE_STAT_LIKE);
    ck_assert(!(decode_classes(__NR_fstat) & DECODE_FILE));
    ck_assert(decode_classes(__NR_clock_gettime) & DECODE_CLOCK);
    ck_assert(decode_classes(__NR_getuid) & DECODE_CREDS);
    ck_assert_uint_eq(decode_classes(__NR_futex), 0);
    ck_assert_uint_eq(decode_classes(-1), 0);
    ck_assert_uint_eq(decode_classes(100000), 0);
    ck_assert_int_eq(decode_class_by_name("file"), DECODE_FILE);
    ck_assert_int_eq(decode_class_by_name("%file"), DECODE_FILE);
    ck_assert_int_eq(decode_class_by_name("%memory"), DECODE_MEMORY);
    ck_assert_int_eq(decode_class_by_name("%signal"), DECODE_SIGNAL);
    ck_assert_int_eq(decode_class_by_name("%net"), DECODE_NETWORK);
    ck_assert_int_eq(decode_class_by_name("network"), DECODE_NETWORK);
    ck_assert_int_eq(decode_class_by_name("%%stat"), DECODE_STAT_LIKE);
    ck_assert_int_eq(decode_class_by_name("%creds"), DECODE_CREDS);
    ck_assert_int_eq(decode_class_by_name("creds"), -1);
    ck_assert_int_eq(decode_class_by_name("%bogus"), -1);
    ck_assert_int_eq(decode_class_by_name(""), -1);
}
END_TEST

Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("strace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, strings_are_escaped_as_strace_does);
    tcase_add_test(tc, buffers_stop_at_32_bytes_and_reads_at_the_result);
    tcase_add_test(tc, paths_are_shown_whole_up_to_the_cap);
    tcase_add_test(tc, unreadable_and_supervisor_pointers_show_as_addresses);
    tcase_add_test(tc, open_flags_and_modes);
    tcase_add_test(tc, memory_flags);
    tcase_add_test(tc, signals_sets_and_sigaction);
    tcase_add_test(tc, structs_stat_time_limits_uname);
    tcase_add_test(tc, arrays_iovecs_pollfds_sockaddrs);
    tcase_add_test(tc, in_out_arguments_before_and_after);
    tcase_add_test(tc, fcntl_ioctl_futex_arch_prctl);
    tcase_add_test(tc, results_errors_and_unknown_calls);
    tcase_add_test(tc, every_served_syscall_has_a_signature);
    tcase_add_test(tc, arbitrary_registers_are_safe);
    tcase_add_test(tc, classes);
    suite_add_tcase(s, tc);
    return s;
}
