/* sysfuzz.c - a trinity-style random-syscall fuzzer: `sysfuzz SEED CALLS [storm]` makes CALLS
 * syscalls with numbers 0-460 and hostile arguments drawn from SEED, under a SIGALRM every 20 ms
 * with "storm", and prints its totals as key=value lines.  Exit 0: it survived every call;
 * 3: a fault hit its own code, 4: a signal handler was given a frame the VMM got wrong, 5: a
 * canary in its own memory changed.  Run it only inside ringbox: natively it would call reboot,
 * kill(-1) and the rest with random arguments as whoever runs it.
 *
 * It must survive its own calls, so that a death is the sandbox's fault.  Only these are not
 * made as drawn (docs/fuzz.md has the reasons at more length):
 *   skipped:
 *     exit, exit_group          they end it, as asked
 *     rt_sigreturn              a frame it did not build: a jump to garbage or SIGSEGV (Linux's too)
 *     kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo with SIGKILL at itself, and
 *     pidfd_send_signal with SIGKILL (the fd may be /proc/self); every other signal has a handler
 *     mmap with MAP_FIXED, munmap, mprotect, pkey_mprotect, madvise, remap_file_pages, mremap
 *                               (either range) over any mapping it had at startup: its code,
 *                               data, heap and stack (the scratch arena and the rest are fair game)
 *   constrained:
 *     pointers                  no argument, nor word of the arena, points into its writable
 *                               memory; pointers go to the arena, its read-only code, the stub's
 *                               pages, the kernel half, non-canonical and unmapped addresses
 *     the report fd             no argument names it (its low 32 bits), close_range stops below it
 *     brk                       never below the break it started with (glibc's static TLS is there)
 *     rt_sigaction              made with every signal blocked; its handler is put back after
 *     rt_sigprocmask, and the masks of rt_sigsuspend, ppoll, pselect6, epoll_pwait(2)
 *                               SIGALRM stays unblocked, or a wait could never end
 *     alarm, setitimer          the fuzzer's own timer (the storm, or none) is put back after
 *     arch_prctl(ARCH_SET_FS)   made with every signal blocked; FS is put back after (errno is TLS)
 *     prlimit64, setrlimit      RLIMIT_NOFILE only read: a lowered hard limit is never raised again
 *     fallocate, sendfile, copy_file_range, splice, tee: at most 1 MiB, so the host disk holds out
 * Calls that would end it on Linux but that ringbox refuses (ENOSYS, EINVAL) are made as drawn:
 * seccomp strict mode, execve, fork, ptrace, F_SETSIG with O_ASYNC, rseq over memory later
 * unmapped, shmat SHM_REMAP, ARCH_SET_CPUID.  When ringbox serves one, it needs a line above.
 * Without the storm, a one-shot 10 ms alarm bounds each call that may block (may_block()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>

#include "ringbox_abi.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449 /* arch/x86/entry/syscalls/syscall_64.tbl; newer than musl's list */
#endif

#define NR_MAX 461
#define PAGE 4096UL
#define ARENA_VA 0x100000000000UL /* 16 TiB: far from every mapping the loader makes */
#define ARENA_SIZE (64 * 1024UL)
#define PATHS_SIZE 4096           /* the arena's first page: path strings */
#define EPOCH 128                 /* calls between clean-ups */
#define STORM_US 20000
#define WATCHDOG_US 10000
#define BULK_MAX (1UL << 20)      /* the most a bulk-writing call may ask for */
#define USER_END 0x800000000000UL /* the lower canonical half */

/* Kernel ABI (include/uapi/asm-generic/signal-defs.h, arch/x86/include/uapi/asm/
 * signal.h, prctl.h, sigcontext.h). */
#define K_SA_SIGINFO 0x4UL
#define K_SA_RESTORER 0x04000000UL
#define K_ARCH_SET_FS 0x1002
#define K_ARCH_GET_FS 0x1003
#define K_FP_XSTATE_MAGIC1 0x46505853U
#define K_FP_XSTATE_MAGIC2 0x46505845U
#define K_UC_FP_XSTATE 0x1UL
#define K_FXSAVE_SW_OFF 464
#define K_MAP_FIXED_NOREPLACE 0x100000UL
#define K_MREMAP_FIXED 2UL
#define K_CLOSE_RANGE_CLOEXEC 4U

struct k_sigaction {
    uint64_t handler, flags, restorer, mask;
};

/* ---- raw syscalls: no libc wrapper sees, sets errno for, or fixes up a call --- */

static long sys6(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    register uint64_t r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define SYS0(nr) sys6(nr, 0, 0, 0, 0, 0, 0)
#define SYS1(nr, a) sys6(nr, (uint64_t)(a), 0, 0, 0, 0, 0)
#define SYS2(nr, a, b) sys6(nr, (uint64_t)(a), (uint64_t)(b), 0, 0, 0, 0)
#define SYS3(nr, a, b, c) sys6(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0, 0)
#define SYS4(nr, a, b, c, d) sys6(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), 0, 0)

static int failed(long r)
{
    return (unsigned long)r > -4096UL;
}

/* The handlers return through this, as libc's __restore_rt does. */
#define STR_(x) #x
#define STR(x) STR_(x)
void fuzz_restorer(void);
__asm__(".text\n.globl fuzz_restorer\nfuzz_restorer:\n\tmov $" STR(SYS_rt_sigreturn) ", %eax\n\tsyscall\n\tud2\n");

/* ---- state ------------------------------------------------------------------- */

struct range {
    uint64_t lo, hi;
    int writable, text;
};
static struct range own[32]; /* the mappings at startup, less the arena */
static int nown;
static uint64_t stack_lo, stack_hi, brk_start, brk_initial, fs_base;
static int self, rfd;
static int storm;
static uint64_t rng;
static int arena_dirty = 1;

static unsigned long calls, skipped[4], ok, err[4096], signals[65], frames;
static unsigned char enosys[NR_MAX];
static const char *const skip_name[4] = {"ends_it", "sigreturn", "sigkill_self", "own_mapping"};
enum { SKIP_END, SKIP_SIGRETURN, SKIP_SIGKILL, SKIP_OWN };

/* Checked at every clean-up and at the end; nothing the fuzzer passes can reach either. */
static uint64_t canary_bss[512];

/* ---- reporting ------------------------------------------------------------- */

static void say(const char *s)
{
    size_t n = strlen(s);
    while (n) {
        long w = SYS3(SYS_write, rfd, s, n);
        if (failed(w))
            return;
        s += w, n -= (size_t)w;
    }
}

__attribute__((format(printf, 1, 2))) static void sayf(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say(line);
}

static void die(int status)
{
    SYS1(SYS_exit_group, status);
    __builtin_unreachable();
}

/* ---- random values ------------------------------------------------------------ */

static uint64_t rnd(void) /* xorshift64* (Vigna 2016) */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

static const uint64_t boundary[] = {
    0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000, 0x100000001, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffff00000000,
    0xfffffffffffff000, -4095UL, -4096UL, -100UL /* AT_FDCWD */, 0xdeadbeef, USER_END - 1,
    USER_END, RB_USER_TOP, RB_USER_TOP - 1, 0x0000ffffffffffff,
};

static int in_range(uint64_t v, const struct range *r)
{
    return v >= r->lo && v < r->hi;
}

static uint64_t arena_ptr(void)
{
    switch (below(4)) {
    case 0:
        return ARENA_VA + below(ARENA_SIZE / 8) * 8;
    case 1:
        return ARENA_VA + below(ARENA_SIZE);
    case 2:
        return ARENA_VA + ARENA_SIZE - 1 - below(64); /* runs off the end into nothing */
    default:
        return ARENA_VA + PATHS_SIZE + below(64) * PAGE % (ARENA_SIZE - PATHS_SIZE);
    }
}

static uint64_t path_ptr(void);

static uint64_t kernel_ptr(void)
{
    static const uint64_t stub[] = {RB_STUB_TEXT_VA, RB_STUB_DATA_VA, RB_STUB_USER_RSP_VA, RB_GDT_VA,
                                    RB_IDT_VA, RB_TSS_VA, RB_KSTACK_VA, RB_KSTACK_TOP - 8,
                                    RB_ISTSTACK_TOP - 8, RB_KERNEL_END, RB_KERNEL_BASE - 8};
    switch (below(3)) {
    case 0:
        return stub[below(sizeof stub / sizeof stub[0])] + below(16);
    case 1:
        return 0xffff800000000000UL + below(1UL << 46);
    default:
        return USER_END + below(1UL << 40); /* non-canonical */
    }
}

static uint64_t own_ro_ptr(void)
{
    for (int tries = 0; tries < 8; tries++) {
        const struct range *r = &own[below((uint64_t)nown)];
        if (!r->writable)
            return r->lo + below(r->hi - r->lo);
    }
    return own[0].lo;
}

/* Never a pointer into the fuzzer's writable memory, and never the report fd. */
static uint64_t keep_off(uint64_t v)
{
    for (int i = 0; i < nown; i++)
        if (own[i].writable && in_range(v, &own[i]))
            v ^= 1UL << 62; /* non-canonical: EFAULT, or just a big number */
    if ((uint32_t)v == (uint32_t)rfd)
        v ^= 1;
    return v;
}

static uint64_t any_value(void)
{
    switch (below(16)) {
    case 0:
    case 1:
        return below(17);
    case 2:
        return -(1 + below(16));
    case 3:
        return boundary[below(sizeof boundary / sizeof boundary[0])];
    case 4:
        return (1UL << below(64)) + below(3) - 1;
    case 5:
        return rnd() & (0xffUL << below(25));
    case 6:
        return below(24); /* an fd: the clean-up opens some of these */
    case 7:
    case 8:
    case 9:
        return arena_ptr();
    case 10:
        return path_ptr();
    case 11:
        return own_ro_ptr();
    case 12:
        return kernel_ptr();
    case 13:
        return ARENA_VA - 1 - below(1UL << 30); /* unmapped, below the arena */
    case 14:
        return rnd();
    default:
        return PAGE * below(1UL << 20);
    }
}

static uint64_t value(void)
{
    return keep_off(any_value());
}

/* ---- the arena: the one writable memory calls may be pointed at ------------ */

static const char *const paths[] = {
    "/", ".", "..", "", "/data", "/data/f", "/data/sub", "/data/sub/g", "/data/../..", "/data/link",
    "f", "g", "sub", "sub/../f", "link", "../..", "/ro", "/ro/file", "/ro/../ro/file", "/tmp",
    "/tmp/t", "/proc/self/maps", "/proc/self/fd/3", "/proc/self/exe", "/proc/self/status",
    "/proc/self/cwd", "/proc/self/root", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/stdin",
    "/etc/passwd", "../../../../etc/shadow", "/data/./././f", "//data//f/", "/data/f/",
    "\x01\xff\x7f", "/lib", "a/b/c/d/e/f/g",
};
#define NPATHS (sizeof paths / sizeof paths[0])
static uint64_t path_at[NPATHS + 1]; /* [NPATHS]: one longer than PATH_MAX */

static uint64_t path_ptr(void)
{
    return ARENA_VA + path_at[below(NPATHS + 1)];
}

/* A fresh arena: mapped again when a memory call may have changed it (it
 * may be gone, moved, read-only, sealed), then filled with paths and values. */
static void arena_fill(void)
{
    if (arena_dirty) {
        long r = sys6(SYS_mmap, ARENA_VA, ARENA_SIZE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1, 0);
        if ((uint64_t)r != ARENA_VA)
            return; /* stays dirty: pointers into it just fault */
        arena_dirty = 0;
    }
    char *a = (char *)ARENA_VA;
    size_t off = 0;
    for (size_t i = 0; i < NPATHS; i++) {
        size_t n = strlen(paths[i]) + 1;
        memcpy(a + off, paths[i], n);
        path_at[i] = off;
        off += n;
    }
    path_at[NPATHS] = off;
    memset(a + off, 'x', PATHS_SIZE - off - 1);
    for (size_t i = off + 32; i < PATHS_SIZE - 1; i += 32)
        a[i] = '/';
    a[PATHS_SIZE - 1] = 0;
    uint64_t *w = (uint64_t *)(a + PATHS_SIZE);
    for (size_t i = 0; i < (ARENA_SIZE - PATHS_SIZE) / 8; i++)
        w[i] = below(4) ? value() : below(64);
}

/* 8 writable bytes at `p` inside a clean arena, or NULL. */
static uint64_t *arena_word(uint64_t p)
{
    if (p < ARENA_VA || p > ARENA_VA + ARENA_SIZE - 8)
        return NULL;
    if (arena_dirty)
        arena_fill();
    return arena_dirty ? NULL : (uint64_t *)p;
}

/* [p, p + n) lies inside one of its own (all readable) mappings. */
static int own_bytes(uint64_t p, uint64_t n)
{
    for (int i = 0; i < nown; i++)
        if (p >= own[i].lo && p <= own[i].hi - n)
            return 1;
    return 0;
}

/* The mask a call installs for its wait, at *arg, made to leave SIGALRM
 * unblocked: changed in place in the arena, or passed as a changed copy
 * when *arg points into the fuzzer's own memory.  Anywhere else the call
 * cannot read it and fails with EFAULT. */
static void unblock_alarm_in(uint64_t *arg, uint64_t *copy)
{
    uint64_t *m = arena_word(*arg);
    if (m) {
        *m &= ~(1UL << (SIGALRM - 1));
    } else if (own_bytes(*arg, 8)) {
        memcpy(copy, (const void *)(uintptr_t)*arg, 8);
        *copy &= ~(1UL << (SIGALRM - 1));
        *arg = (uint64_t)(uintptr_t)copy;
    }
}

/* ---- signals ---------------------------------------------------------------- */

static int is_text(uint64_t a)
{
    for (int i = 0; i < nown; i++)
        if (own[i].text && in_range(a, &own[i]))
            return 1;
    return 0;
}

/* A frame the VMM built: it can be checked before anything could touch it,
 * since the fuzzer runs no fuzzed call while a handler runs. */
static const char *frame_fault(const ucontext_t *uc)
{
    const mcontext_t *mc = &uc->uc_mcontext;
    uint64_t rip = (uint64_t)mc->gregs[REG_RIP], rsp = (uint64_t)mc->gregs[REG_RSP];
    uint64_t at = (uint64_t)(uintptr_t)uc, fp = (uint64_t)(uintptr_t)mc->fpregs;
    uint64_t csgsfs = (uint64_t)mc->gregs[REG_CSGSFS];
    if (!is_text(rip))
        return "rip";
    if (rsp < stack_lo || rsp > stack_hi || at < stack_lo || at >= rsp)
        return "rsp";
    if ((csgsfs & 0xffff) != RB_USER_CS || (csgsfs >> 48) != RB_USER_DS)
        return "cs/ss";
    if (!fp || fp % 64 || fp <= at || fp >= rsp)
        return "fpstate";
    if (uc->uc_flags & K_UC_FP_XSTATE) {
        uint32_t magic1, size, magic2;
        memcpy(&magic1, (const char *)(uintptr_t)fp + K_FXSAVE_SW_OFF, 4);
        memcpy(&size, (const char *)(uintptr_t)fp + K_FXSAVE_SW_OFF + 16, 4);
        if (magic1 != K_FP_XSTATE_MAGIC1 || fp + size + 4 > rsp)
            return "xstate";
        memcpy(&magic2, (const char *)(uintptr_t)fp + size, 4);
        if (magic2 != K_FP_XSTATE_MAGIC2)
            return "xstate magic2";
    }
    return NULL;
}

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    const ucontext_t *uc = ucv;
    signals[sig]++;
    frames++;
    const char *bad = frame_fault(uc);
    if (bad) {
        sayf("bad_frame=%s\nframe_rip=%#lx\nframe_rsp=%#lx\nframe_at=%#lx\ncalls=%lu\n", bad,
             (unsigned long)uc->uc_mcontext.gregs[REG_RIP], (unsigned long)uc->uc_mcontext.gregs[REG_RSP],
             (unsigned long)(uintptr_t)uc, calls);
        die(4);
    }
    /* A fault of its own (si_code > 0: the kernel's, not kill's) means its
     * memory was changed under it; returning would fault again. */
    if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) && si->si_code > 0) {
        sayf("fault=%d\nfault_code=%d\nfault_addr=%#lx\nfault_rip=%#lx\ncalls=%lu\n", sig, si->si_code,
             (unsigned long)(uintptr_t)si->si_addr, (unsigned long)uc->uc_mcontext.gregs[REG_RIP], calls);
        die(3);
    }
}

static void set_handler(int sig)
{
    if (sig == SIGKILL || sig == SIGSTOP || sig < 1 || sig > 64)
        return;
    struct k_sigaction sa = {(uint64_t)(uintptr_t)on_signal, K_SA_SIGINFO | K_SA_RESTORER,
                             (uint64_t)(uintptr_t)fuzz_restorer, 0};
    SYS4(SYS_rt_sigaction, sig, &sa, 0, 8);
}

static uint64_t block_all(void)
{
    uint64_t all = ~0UL, old = 0;
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    return old;
}

static void set_mask(uint64_t m)
{
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &m, 0, 8);
}

static void unblock_alarm(void)
{
    uint64_t m = 1UL << (SIGALRM - 1);
    SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &m, 0, 8);
}

static void timer_set(long us, long every_us)
{
    struct itimerval it = {{0, every_us}, {0, us}};
    SYS3(SYS_setitimer, ITIMER_REAL, &it, 0);
}

/* The fuzzer's own timer: the storm, or none. */
static void timer_mode(void)
{
    timer_set(storm ? STORM_US : 0, storm ? STORM_US : 0);
}

/* Calls that can wait for ever on what the fuzzer left open (pipes,
 * futexes, sleeps, signals).  Without the storm, these run under a
 * one-shot alarm, and the handler's EINTR ends them. */
static int may_block(long nr)
{
    switch (nr) {
    case SYS_read: case SYS_write: case SYS_readv: case SYS_writev: case SYS_pread64: case SYS_pwrite64:
    case SYS_preadv: case SYS_pwritev: case SYS_preadv2: case SYS_pwritev2: case SYS_nanosleep:
    case SYS_clock_nanosleep: case SYS_pause: case SYS_rt_sigsuspend: case SYS_rt_sigtimedwait:
    case SYS_futex: case SYS_futex_waitv: case SYS_poll: case SYS_ppoll: case SYS_select:
    case SYS_pselect6: case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2: case SYS_sendfile:
    case SYS_splice: case SYS_tee: case SYS_vmsplice: case SYS_copy_file_range: case SYS_open:
    case SYS_openat: case SYS_openat2: case SYS_creat: case SYS_flock: case SYS_fcntl: case SYS_wait4:
    case SYS_waitid: case SYS_accept: case SYS_accept4: case SYS_recvfrom: case SYS_recvmsg:
    case SYS_recvmmsg: case SYS_sendto: case SYS_sendmsg: case SYS_sendmmsg: case SYS_connect:
    case SYS_msgrcv: case SYS_msgsnd: case SYS_semop: case SYS_semtimedop: case SYS_mq_timedsend:
    case SYS_mq_timedreceive: case SYS_io_getevents: case SYS_io_pgetevents: case SYS_io_uring_enter:
        return 1;
    }
    return 0;
}

/* ---- the fuzzer's own memory -------------------------------------------------- */

static uint64_t hex(const char **s)
{
    uint64_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return v;
        v = v * 16 + (uint64_t)d;
    }
}

/* Its mappings from /proc/self/maps, before the arena exists. */
static int read_maps(void)
{
    static char buf[8192];
    long fd = SYS3(SYS_open, "/proc/self/maps", O_RDONLY, 0), n = 0, r;
    if (failed(fd))
        return -1;
    while (n < (long)sizeof buf - 1 && !failed(r = SYS3(SYS_read, fd, buf + n, sizeof buf - 1 - n)) && r > 0)
        n += r;
    SYS1(SYS_close, fd);
    buf[n] = 0;
    for (const char *s = buf; *s && nown < (int)(sizeof own / sizeof own[0]);) {
        struct range *m = &own[nown++];
        m->lo = hex(&s);
        s++;
        m->hi = hex(&s);
        s++;
        m->writable = s[1] == 'w';
        m->text = s[2] == 'x';
        const char *eol = strchr(s, '\n');
        if (strstr(s, "[stack]") && (!eol || strstr(s, "[stack]") < eol))
            stack_lo = m->lo, stack_hi = m->hi;
        if (strstr(s, "[heap]") && (!eol || strstr(s, "[heap]") < eol))
            brk_start = m->lo;
        s = eol ? eol + 1 : s + strlen(s);
    }
    return stack_hi ? 0 : -1;
}

/* [lo, lo + len) as the kernel rounds it, meeting any startup mapping. */
static int hits_own(uint64_t lo, uint64_t len)
{
    uint64_t start = lo & ~(PAGE - 1), end = lo + len + PAGE - 1;
    if (end < lo)
        end = ~0UL; /* wraps: everything above */
    end &= ~(PAGE - 1);
    for (int i = 0; i < nown; i++)
        if (start < own[i].hi && end > own[i].lo)
            return 1;
    return 0;
}

static uint64_t canary(int i)
{
    return 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1) ^ 0x5ca1ab1eULL;
}

static void check_canaries(const volatile uint64_t *on_stack, int n)
{
    for (int i = 0; i < 512; i++)
        if (canary_bss[i] != canary(i)) {
            sayf("canary=bss\ncanary_at=%#lx\ncalls=%lu\n", (unsigned long)(uintptr_t)&canary_bss[i], calls);
            die(5);
        }
    for (int i = 0; i < n; i++)
        if (on_stack[i] != canary(i)) {
            sayf("canary=stack\ncanary_at=%#lx\ncalls=%lu\n", (unsigned long)(uintptr_t)&on_stack[i], calls);
            die(5);
        }
}

/* ---- one call ---------------------------------------------------------------------- */

/* What the calls below read in place of the fuzzer's own memory. */
static uint64_t mask_copy, pack_copy[2];

/* Why the call is not made as drawn, or -1 (then it may have been changed). */
static int constrain(long nr, uint64_t a[6])
{
    switch (nr) {
    case SYS_exit:
    case SYS_exit_group:
        return SKIP_END;
    case SYS_rt_sigreturn:
        return SKIP_SIGRETURN;
    case SYS_kill: {
        int pid = (int)a[0];
        return (int)a[1] == SIGKILL && (pid == 0 || pid == self || pid == -self) ? SKIP_SIGKILL : -1;
    }
    case SYS_tkill:
        return (int)a[0] == self && (int)a[1] == SIGKILL ? SKIP_SIGKILL : -1;
    case SYS_tgkill:
    case SYS_rt_tgsigqueueinfo:
        return (int)a[0] == self && (int)a[1] == self && (int)a[2] == SIGKILL ? SKIP_SIGKILL : -1;
    case SYS_rt_sigqueueinfo:
        return (int)a[0] == self && (int)a[1] == SIGKILL ? SKIP_SIGKILL : -1;
    case SYS_pidfd_send_signal:
        return (int)a[1] == SIGKILL ? SKIP_SIGKILL : -1;
    case SYS_mmap:
        if ((a[3] & MAP_FIXED) && !(a[3] & K_MAP_FIXED_NOREPLACE) && hits_own(a[0], a[1]))
            return SKIP_OWN;
        return -1;
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_pkey_mprotect:
    case SYS_madvise:
    case SYS_remap_file_pages:
        return hits_own(a[0], a[1]) ? SKIP_OWN : -1;
    case SYS_mremap:
        if (hits_own(a[0], a[1]) || ((a[3] & K_MREMAP_FIXED) && hits_own(a[4], a[2])))
            return SKIP_OWN;
        return -1;
    case SYS_brk:
        if (a[0] >= brk_start && a[0] < brk_initial)
            a[0] = brk_initial;
        return -1;
    case SYS_close_range:
        if ((uint32_t)a[0] <= (uint32_t)rfd && (uint32_t)a[1] >= (uint32_t)rfd &&
            !((uint32_t)a[2] & K_CLOSE_RANGE_CLOEXEC))
            a[1] = (uint64_t)rfd - 1; /* below rfd; a[0] > a[1] is EINVAL */
        return -1;
    case SYS_rt_sigsuspend:
        unblock_alarm_in(&a[0], &mask_copy);
        return -1;
    case SYS_ppoll:
        unblock_alarm_in(&a[3], &mask_copy);
        return -1;
    case SYS_epoll_pwait:
    case SYS_epoll_pwait2:
        unblock_alarm_in(&a[4], &mask_copy);
        return -1;
    case SYS_pselect6:
        /* struct { const sigset_t *ss; size_t ss_len; }, always copied: a
         * pointer to mask_copy must not be left in the arena. */
        if ((arena_word(a[5]) && arena_word(a[5] + 8)) || own_bytes(a[5], 16)) {
            memcpy(pack_copy, (const void *)(uintptr_t)a[5], 16);
            a[5] = (uint64_t)(uintptr_t)pack_copy;
            unblock_alarm_in(&pack_copy[0], &mask_copy);
        }
        return -1;
    case SYS_prlimit64:
        if ((uint32_t)a[1] == RLIMIT_NOFILE)
            a[2] = 0;
        return -1;
    case SYS_setrlimit:
        if ((uint32_t)a[0] == RLIMIT_NOFILE)
            a[1] = 0;
        return -1;
    case SYS_fallocate:
    case SYS_sendfile:
    case SYS_tee:
        if (a[3] > BULK_MAX && (int64_t)a[3] > 0)
            a[3] &= BULK_MAX - 1;
        return -1;
    case SYS_copy_file_range:
    case SYS_splice:
        if (a[4] > BULK_MAX && (int64_t)a[4] > 0)
            a[4] &= BULK_MAX - 1;
        return -1;
    }
    return -1;
}

/* Make the call, with whatever it needs around it, and put back what it may have broken. */
static long call(long nr, const uint64_t a[6])
{
    long r;
    if (nr == SYS_rt_sigaction && a[1]) {
        uint64_t old = block_all();
        r = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        set_handler((int)a[0]);
        set_mask(old);
    } else if (nr == SYS_arch_prctl && (int)a[0] == K_ARCH_SET_FS) {
        uint64_t old = block_all();
        r = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        SYS2(SYS_arch_prctl, K_ARCH_SET_FS, fs_base);
        set_mask(old);
    } else if (!storm && may_block(nr)) {
        timer_set(WATCHDOG_US, 0);
        r = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        timer_set(0, 0);
    } else {
        r = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    switch (nr) {
    case SYS_rt_sigprocmask:
        unblock_alarm();
        break;
    case SYS_alarm:
    case SYS_setitimer:
        timer_mode();
        break;
    case SYS_mmap:
    case SYS_mremap:
        /* What it made outside the arena goes at once, or the guest's memory runs out. */
        if (!failed(r) && ((uint64_t)r < ARENA_VA || (uint64_t)r >= ARENA_VA + ARENA_SIZE))
            SYS2(SYS_munmap, r, nr == SYS_mmap ? a[1] : a[2]);
        arena_dirty = 1;
        break;
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_pkey_mprotect:
    case SYS_madvise:
    case SYS_remap_file_pages:
        arena_dirty = 1;
        break;
    }
    return r;
}

/* Every EPOCH calls: canaries checked, a fresh fd table with something
 * behind the small numbers, the arena refilled, cwd, brk, mask and
 * altstack back to where they started.  Not the timer: arming it again
 * would restart its period. */
static void clean_up(const volatile uint64_t *on_stack, int n)
{
    check_canaries(on_stack, n);
    SYS3(SYS_close_range, 3, rfd - 1, 0);
    static const struct {
        const char *path;
        int flags;
    } open_these[] = {
        {"/dev/null", O_RDWR}, {"/dev/zero", O_RDONLY}, {"/dev/urandom", O_RDONLY},
        {"/data/f", O_RDWR | O_CREAT}, {"/data", O_RDONLY | O_DIRECTORY}, {"/proc/self/maps", O_RDONLY},
        {"/ro/file", O_RDONLY}, {"/tmp", O_RDONLY | O_DIRECTORY}, {"/", O_RDONLY | O_DIRECTORY},
    };
    for (size_t i = 0; i < sizeof open_these / sizeof open_these[0]; i++)
        SYS4(SYS_openat, AT_FDCWD, open_these[i].path, open_these[i].flags, 0644);
    int p[2];
    SYS2(SYS_pipe2, p, 0);
    SYS2(SYS_pipe2, p, O_NONBLOCK);
    SYS1(SYS_chdir, "/data");
    SYS1(SYS_brk, brk_initial);
    stack_t ss = {.ss_flags = SS_DISABLE};
    SYS2(SYS_sigaltstack, &ss, 0);
    set_mask(0);
    arena_fill();
}

static long draw_nr(void)
{
    long nr = (long)below(NR_MAX);
    /* Mostly the calls ringbox serves: an unknown number takes one path. */
    for (int tries = 0; tries < 8 && enosys[nr] && below(16); tries++)
        nr = (long)below(NR_MAX);
    return nr;
}

static int64_t now_ns(void)
{
    struct timespec t;
    SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static const char *errno_name(int e)
{
    static const char *const names[] = {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR", [EIO] = "EIO",
        [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN",
        [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
        [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR",
        [EINVAL] = "EINVAL", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY", [EFBIG] = "EFBIG",
        [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EMLINK] = "EMLINK", [EPIPE] = "EPIPE",
        [ERANGE] = "ERANGE", [ENAMETOOLONG] = "ENAMETOOLONG", [ENOSYS] = "ENOSYS",
        [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [ENODATA] = "ENODATA", [EOVERFLOW] = "EOVERFLOW",
        [ENOTSOCK] = "ENOTSOCK", [EOPNOTSUPP] = "EOPNOTSUPP", [EAFNOSUPPORT] = "EAFNOSUPPORT",
        [ETIMEDOUT] = "ETIMEDOUT",
    };
    return e > 0 && e < (int)(sizeof names / sizeof names[0]) ? names[e] : NULL;
}

static void report(int64_t ns)
{
    unsigned long made = calls - skipped[0] - skipped[1] - skipped[2] - skipped[3];
    sayf("calls=%lu\nmade=%lu\nok=%lu\n", calls, made, ok);
    for (int i = 0; i < 4; i++)
        if (skipped[i])
            sayf("skipped_%s=%lu\n", skip_name[i], skipped[i]);
    for (int e = 1; e < 4096; e++)
        if (err[e] && errno_name(e))
            sayf("%s=%lu\n", errno_name(e), err[e]);
        else if (err[e])
            sayf("errno_%d=%lu\n", e, err[e]);
    unsigned long sigs = 0;
    for (int s = 1; s <= 64; s++)
        sigs += signals[s];
    sayf("signals=%lu\nalarms=%lu\nframes_checked=%lu\n", sigs, signals[SIGALRM], frames);
    sayf("ms=%lu\ncalls_per_s=%lu\ncanaries=intact\n", (unsigned long)(ns / 1000000),
         ns > 0 ? (unsigned long)((double)calls * 1e9 / (double)ns) : 0);
}

int main(int argc, char **argv)
{
    volatile uint64_t on_stack[256];
    if (argc < 3 || (argc > 3 && strcmp(argv[3], "storm"))) {
        fprintf(stderr, "usage: sysfuzz SEED CALLS [storm]\n");
        return 2;
    }
    rng = strtoull(argv[1], NULL, 0) * 2 + 1; /* xorshift needs a non-zero state */
    unsigned long n = strtoul(argv[2], NULL, 0);
    storm = argc > 3;
    self = (int)SYS0(SYS_getpid);
    struct rlimit nofile;
    if (read_maps() < 0 || failed(SYS2(SYS_getrlimit, RLIMIT_NOFILE, &nofile)) || nofile.rlim_cur < 64) {
        fprintf(stderr, "sysfuzz: cannot read /proc/self/maps or RLIMIT_NOFILE\n");
        return 2;
    }
    brk_initial = (uint64_t)SYS1(SYS_brk, 0);
    if (!brk_start)
        brk_start = brk_initial;
    SYS2(SYS_arch_prctl, K_ARCH_GET_FS, &fs_base);
    long m = sys6(SYS_mmap, ARENA_VA, ARENA_SIZE, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | K_MAP_FIXED_NOREPLACE, (uint64_t)-1, 0);
    /* The report goes to stdout kept at the top fd; 0-2 become /dev/null,
     * so fuzzed writes to them go nowhere. */
    rfd = (int)nofile.rlim_cur - 1;
    long null = SYS2(SYS_open, "/dev/null", O_RDWR);
    if ((uint64_t)m != ARENA_VA || SYS2(SYS_dup2, 1, rfd) != rfd || failed(null)) {
        fprintf(stderr, "sysfuzz: cannot set up the arena or the report fd\n");
        return 2;
    }
    for (int fd = 0; fd < 3; fd++)
        SYS2(SYS_dup2, null, fd);
    for (int i = 0; i < 512; i++)
        canary_bss[i] = canary(i);
    for (int i = 0; i < 256; i++)
        on_stack[i] = canary(i);
    for (int sig = 1; sig <= 64; sig++)
        set_handler(sig);
    sayf("seed=%s\nmode=%s\n", argv[1], storm ? "storm" : "quiet");

    int64_t t0 = now_ns();
    clean_up(on_stack, 256);
    timer_mode();
    for (calls = 0; calls < n; calls++) {
        if (calls && calls % EPOCH == 0)
            clean_up(on_stack, 256);
        long nr = draw_nr();
        uint64_t a[6];
        for (int i = 0; i < 6; i++)
            a[i] = value();
        /* Most calls take an fd first: often one the clean-up opened (3-15). */
        if (!below(4))
            a[0] = 3 + below(13);
        /* The size of a kernel sigset, right half the time, for the calls that take one. */
        if (below(2) && (nr == SYS_rt_sigaction || nr == SYS_rt_sigprocmask))
            a[3] = 8;
        int why = constrain(nr, a);
        if (why >= 0) {
            skipped[why]++;
            continue;
        }
        long r = call(nr, a);
        if (!failed(r))
            ok++;
        else
            err[-r]++;
        if (r == -ENOSYS)
            enosys[nr] = 1;
    }
    timer_set(0, 0);
    block_all();
    check_canaries(on_stack, 256);
    report(now_ns() - t0);
    return 0;
}
