/* signals.c - one signal scenario chosen by argv[1]; prints key=value lines for the test to check. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* Probes whose NAME_insn label marks the instruction that faults. */
#define PROBE(name, setup, insn)                                          \
    __asm__(".text\n.globl " #name "\n.type " #name ", @function\n"       \
            #name ":\n" setup "\n.globl " #name "_insn\n" #name "_insn:\n" \
            insn "\nret\n.size " #name ", . - " #name "\n");              \
    void name(void);                                                      \
    extern const char name##_insn[];

PROBE(p_div0, "xor %edx, %edx\nmov $1, %eax\nxor %ecx, %ecx", "div %ecx")
PROBE(p_ud2, "", "ud2")
PROBE(p_int3, "", "int3")

static sigjmp_buf jb;
static volatile sig_atomic_t hits, last_sig;
static volatile int last_code;
static void *volatile last_addr;
static volatile uintptr_t handler_sp;
static volatile unsigned handler_mxcsr;

static void out(const char *key, long value)
{
    printf("%s=%ld\n", key, value);
    fflush(stdout);
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa = {.sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags};
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) < 0) {
        perror("sigaction");
        exit(99);
    }
}

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    last_addr = si->si_addr;
    int local;
    handler_sp = (uintptr_t)&local;
}

static void jump_out(int sig, siginfo_t *si, void *uc)
{
    record(sig, si, uc);
    siglongjmp(jb, 1);
}

/* A fault handled by jumping out; reports si_code and whether si_addr is
 * what Linux puts there. */
static void fault(int sig, void (*probe)(void), const void *want_addr)
{
    on(sig, jump_out, 0);
    if (sigsetjmp(jb, 1) == 0) {
        probe();
        out("survived", 1);
        return;
    }
    out("sig", last_sig);
    out("code", last_code);
    out("addr_ok", last_addr == want_addr);
    /* siglongjmp restored the mask: the same fault is caught again. */
    if (sigsetjmp(jb, 1) == 0)
        probe();
    out("hits", hits);
}

static void segv(void)
{
    on(SIGSEGV, jump_out, 0);
    volatile char *p = (char *)16;
    if (sigsetjmp(jb, 1) == 0)
        (void)*p;
    out("code", last_code);
    out("addr_ok", last_addr == (void *)p);
    static const char ro[4096] __attribute__((aligned(4096))) = {1};
    if (sigsetjmp(jb, 1) == 0)
        *(volatile char *)ro = 2;
    out("code2", last_code);
    out("addr2_ok", last_addr == (void *)ro);
    out("hits", hits);
}

static void altstack(void)
{
    static char stack[64 * 1024] __attribute__((aligned(16)));
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof(stack)}, cur;
    if (sigaltstack(&ss, NULL) < 0)
        perror("sigaltstack");
    on(SIGUSR1, record, SA_ONSTACK);
    raise(SIGUSR1);
    out("hits", hits);
    out("on_alt", handler_sp >= (uintptr_t)stack && handler_sp < (uintptr_t)stack + sizeof(stack));
    /* Without SA_ONSTACK the normal stack is used. */
    on(SIGUSR2, record, 0);
    raise(SIGUSR2);
    out("off_alt", !(handler_sp >= (uintptr_t)stack && handler_sp < (uintptr_t)stack + sizeof(stack)));
    sigaltstack(NULL, &cur);
    out("flags", cur.ss_flags);
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig)
{
    (void)sig;
    alarmed = 1;
}

static void alarm_busy(void)
{
    signal(SIGALRM, on_alarm);
    alarm(1);
    unsigned long spins = 0;
    while (!alarmed)
        spins++;
    out("alarmed", alarmed);
    out("spun", spins > 0);
}

static void itimer(void)
{
    struct itimerval it = {.it_interval = {0, 20000}, .it_value = {0, 20000}};
    signal(SIGALRM, on_alarm);
    setitimer(ITIMER_REAL, &it, NULL);
    int n = 0;
    while (n < 3) {
        while (!alarmed)
            ;
        alarmed = 0;
        n++;
    }
    struct itimerval zero = {0}, old;
    setitimer(ITIMER_REAL, &zero, &old);
    out("ticks", n);
    out("interval_us", old.it_interval.tv_usec);
}

static void sleep_eintr(void)
{
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec req = {2, 0}, rem = {0, 0};
    int r = nanosleep(&req, &rem);
    out("ret", r);
    out("eintr", r < 0 && errno == EINTR);
    out("alarmed", alarmed);
    out("rem_ok", rem.tv_sec == 1 && rem.tv_nsec > 500000000);
}

/* read() on an empty pipe whose write end this program holds would block
 * for ever: a 100 ms itimer ends it with EINTR, or restarts it with
 * SA_RESTART until the handler has written a byte into the pipe. */
static int pipe_fds[2];
static void on_alarm_feed(int sig)
{
    (void)sig;
    alarmed++;
    if (write(pipe_fds[1], "x", 1) != 1)
        _exit(3);
}

static void pipe_read(bool restart)
{
    struct sigaction sa = {.sa_handler = restart ? on_alarm_feed : on_alarm, .sa_flags = restart ? SA_RESTART : 0};
    sigaction(SIGALRM, &sa, NULL);
    if (pipe(pipe_fds) < 0)
        _exit(3);
    struct itimerval it = {.it_value = {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    char c = 0;
    ssize_t r = read(pipe_fds[0], &c, 1);
    out("ret", (long)r);
    out("eintr", r < 0 && errno == EINTR);
    out("byte", c);
    out("alarmed", alarmed);
}

static void pending(void)
{
    sigset_t set, old, pend;
    on(SIGUSR1, record, 0);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    out("before", hits);
    sigpending(&pend);
    out("pending", sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    out("after", hits);
    sigpending(&pend);
    out("pending_after", sigismember(&pend, SIGUSR1));
}

static void nested_inner(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    (void)si;
    out("inner", sig);
}

static void nested_outer(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    (void)si;
    out("outer_begin", sig);
    kill(getpid(), SIGUSR2);
    out("outer_end", sig);
}

static void fpu_clobber(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    handler_mxcsr = m;
    hits++;
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n pcmpeqd %%xmm8, %%xmm8\n pcmpeqd %%xmm15, %%xmm15\n"
                     "ldmxcsr %0" ::"m"((unsigned){0x7f80})
                     : "xmm0", "xmm8", "xmm15");
}

static void fpu(void)
{
    on(SIGUSR1, fpu_clobber, 0);
    static const uint64_t pat[2] = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
    uint64_t got0[2], got8[2], got15[2];
    unsigned mx_in = 0x3f80 /* round down, all masked */, mx_out;
    __asm__ volatile("ldmxcsr %[mi]\n"
                     "movdqu %[p], %%xmm0\n movdqu %[p], %%xmm8\n movdqu %[p], %%xmm15\n"
                     "mov %[nr], %%eax\n mov %[pid], %%edi\n mov %[sig], %%esi\n syscall\n"
                     "movdqu %%xmm0, %[g0]\n movdqu %%xmm8, %[g8]\n movdqu %%xmm15, %[g15]\n"
                     "stmxcsr %[mo]\n"
                     : [g0] "=m"(got0), [g8] "=m"(got8), [g15] "=m"(got15), [mo] "=m"(mx_out)
                     : [p] "m"(pat), [mi] "m"(mx_in), [nr] "i"(SYS_kill), [pid] "r"(getpid()), [sig] "i"(SIGUSR1)
                     : "rax", "rcx", "rdx", "rdi", "rsi", "r11", "xmm0", "xmm8", "xmm15", "memory");
    out("hits", hits);
    out("xmm_kept", !memcmp(got0, pat, 16) && !memcmp(got8, pat, 16) && !memcmp(got15, pat, 16));
    out("mxcsr_kept", mx_out == mx_in);
    out("handler_mxcsr", handler_mxcsr);
}

static void resethand(void)
{
    on(SIGUSR1, record, SA_RESETHAND);
    raise(SIGUSR1);
    out("hits", hits);
    raise(SIGUSR1);
    out("survived", 1);
}

static void ignore(void)
{
    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    signal(SIGCHLD, SIG_DFL);
    raise(SIGCHLD);
    out("ignored", 1);
    signal(SIGUSR1, SIG_DFL);
    raise(SIGUSR1);
    out("survived", 1);
}

/* A handler that edits its ucontext the way an attacker would. */
static volatile int forge_mode;
static void forger(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    switch (forge_mode) {
    case 0: g[REG_EFL] |= 0x3000 | 0x4000 | 0x20000; break; /* IOPL 3, NT, VM */
    case 1: g[REG_CSGSFS] = (g[REG_CSGSFS] & ~0xffffLL) | 0x10; break; /* kernel CS */
    case 2: g[REG_RIP] = (greg_t)0xffffffff80000000ULL; break; /* the stub */
    case 3: g[REG_RIP] = (greg_t)0x0000800000000000ULL; break; /* non-canonical */
    case 4: /* a reserved MXCSR bit, which FXRSTOR/XRSTOR refuse */
        uc->uc_mcontext.fpregs->mxcsr |= 1U << 31;
        break;
    case 5: /* XSTATE_BV naming a component beyond XCR0; without XSAVE
             * state in the frame there is no header to forge */
        if (!(uc->uc_flags & 1 /* UC_FP_XSTATE */)) {
            uc->uc_mcontext.fpregs->mxcsr |= 1U << 31;
            break;
        }
        ((uint64_t *)uc->uc_mcontext.fpregs)[512 / 8] |= 1ULL << 62;
        break;
    }
}

static void forge(int mode)
{
    forge_mode = mode;
    on(SIGUSR1, forger, 0);
    raise(SIGUSR1);
    unsigned long fl;
    unsigned short cs;
    __asm__ volatile("pushfq\n pop %0\n mov %%cs, %1" : "=r"(fl), "=r"(cs));
    out("iopl", (long)((fl >> 12) & 3));
    out("nt", (long)((fl >> 14) & 1));
    out("cpl", cs & 3);
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "segv"))
        segv();
    else if (!strcmp(m, "fpe"))
        fault(SIGFPE, p_div0, p_div0_insn);
    else if (!strcmp(m, "ill"))
        fault(SIGILL, p_ud2, p_ud2_insn);
    else if (!strcmp(m, "trap"))
        fault(SIGTRAP, p_int3, NULL);
    else if (!strcmp(m, "altstack"))
        altstack();
    else if (!strcmp(m, "abort"))
        abort();
    else if (!strcmp(m, "alarm"))
        alarm_busy();
    else if (!strcmp(m, "itimer"))
        itimer();
    else if (!strcmp(m, "sleep"))
        sleep_eintr();
    else if (!strcmp(m, "piperead"))
        pipe_read(false);
    else if (!strcmp(m, "piperestart"))
        pipe_read(true);
    else if (!strcmp(m, "raise")) {
        on(SIGUSR1, record, 0);
        raise(SIGUSR1);
        out("hits", hits);
        out("sig", last_sig);
        out("code", last_code);
    } else if (!strcmp(m, "pending"))
        pending();
    else if (!strcmp(m, "nested")) {
        on(SIGUSR1, nested_outer, 0);
        on(SIGUSR2, nested_inner, 0);
        raise(SIGUSR1);
        out("done", 1);
    } else if (!strcmp(m, "fpu"))
        fpu();
    else if (!strcmp(m, "resethand"))
        resethand();
    else if (!strcmp(m, "ignore"))
        ignore();
    else if (!strncmp(m, "forge", 5))
        forge(atoi(m + 5));
    else
        return 2;
    return 0;
}
