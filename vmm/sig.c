/* sig.c - signal delivery to ring 3, rt_sigreturn, default actions and the alarm.
 *
 * Follows arch/x86/kernel/signal.c and signal_64.c (frames), kernel/signal.c
 * (pending sets, dispositions) and kernel/time/itimer.c (ITIMER_REAL).
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   ioctl KVM_GET_XSAVE, KVM_SET_XSAVE  the FPU state in and out of frames
 *   ioctl KVM_GET_VCPU_EVENTS           an exception on its way in (see below)
 *   timer_settime, timer_delete         the alarm's host timer (by its id)
 *   rt_sigtimedwait                     consume a pending RINGBOX_HOST_SIGNAL
 *   rt_sigprocmask                      unblock it around blocking host calls
 *   clock_gettime, clock_nanosleep, pause   sleeps that an alarm may cut short
 * Before confinement only: sigaction, timer_create, KVM_SET_SIGNAL_MASK.
 *
 * The time limits (limit.h) send the same host signal; every place that
 * consumes it or wakes from a sleep asks limit_check() whether the run is
 * over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpu.h"
#include "kvm.h"
#include "limit.h"
#include "sig.h"
#include "sysarg.h"
#include "trace.h"
#include "vm.h"
#include "x86.h"

#define BIT(sig) (1ULL << ((sig) - 1))
#define NS 1000000000LL

/* sa_flags (include/uapi/asm-generic/signal-defs.h; SA_RESTORER from
 * arch/x86/include/uapi/asm/signal.h, which glibc does not export). */
#define K_SA_SIGINFO 0x00000004ULL
#define K_SA_RESTORER 0x04000000ULL
#define K_SA_ONSTACK 0x08000000ULL
#define K_SA_RESTART 0x10000000ULL
#define K_SA_NODEFER 0x40000000ULL
#define K_SA_RESETHAND 0x80000000ULL
#define K_SIG_DFL 0
#define K_SIG_IGN 1

/* uc_flags (arch/x86/include/uapi/asm/ucontext.h). */
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

/* The software-reserved bytes of the FXSAVE region in a signal frame and the
 * word after the XSAVE area (arch/x86/include/uapi/asm/sigcontext.h). */
#define K_FP_XSTATE_MAGIC1 0x46505853U
#define K_FP_XSTATE_MAGIC2 0x46505845U
#define K_FP_XSTATE_MAGIC2_SIZE 4
struct k_fpx_sw_bytes {
    uint32_t magic1;
    uint32_t extended_size; /* xstate_size + K_FP_XSTATE_MAGIC2_SIZE */
    uint64_t xfeatures;
    uint32_t xstate_size;
    uint32_t padding[7];
};

/* struct sigcontext, 64-bit (arch/x86/include/uapi/asm/sigcontext.h). */
struct k_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved1[8];
};

/* struct ucontext (include/uapi/asm-generic/ucontext.h) with the kernel's
 * 8-byte sigset_t. */
struct k_ucontext {
    uint64_t flags, link;
    struct rb_altstack stack;
    struct k_sigcontext mcontext;
    uint64_t sigmask;
};

/* struct rt_sigframe (arch/x86/include/asm/sigframe.h); the FPU state
 * follows it, 64-byte aligned. */
struct k_rt_sigframe {
    uint64_t pretcode;
    struct k_ucontext uc;
    struct sig_info info;
};

_Static_assert(sizeof(struct sig_info) == 128, "siginfo_t is 128 bytes");
_Static_assert(offsetof(struct sig_info, addr) == 16, "si_addr");
_Static_assert(sizeof(struct k_fpx_sw_bytes) == 48, "struct _fpx_sw_bytes");
_Static_assert(sizeof(struct k_sigcontext) == 256, "struct sigcontext");
_Static_assert(offsetof(struct k_sigcontext, eflags) == 136, "sigcontext eflags");
_Static_assert(offsetof(struct k_sigcontext, fpstate) == 184, "sigcontext fpstate");
_Static_assert(offsetof(struct k_ucontext, mcontext) == 40, "uc_mcontext");
_Static_assert(sizeof(struct k_ucontext) == 304, "struct ucontext");
_Static_assert(offsetof(struct k_rt_sigframe, info) == 312, "rt_sigframe info");
_Static_assert(X86_FXSAVE_SW_RESERVED + sizeof(struct k_fpx_sw_bytes) == X86_FXSAVE_SIZE,
               "the software bytes end the FXSAVE region");

/* Below the interrupted RSP, the psABI's red zone (signal_64.c, get_sigframe()). */
#define RED_ZONE 128
/* The most a frame takes: the frame, alignment slack, and the XSAVE area
 * that KVM_GET_XSAVE can hold, plus its trailing magic. */
#define FRAME_MAX (sizeof(struct k_rt_sigframe) + 16 + 64 + sizeof(struct kvm_xsave) + K_FP_XSTATE_MAGIC2_SIZE)

/* Linux dequeues these first (kernel/signal.c, SYNCHRONOUS_MASK). */
/* x87 and SSE: the FXSAVE region's components, which XSTATE_BV must name
 * for KVM_SET_XSAVE to load it, with or without XSAVE in the guest. */
#define FPSSE (X86_XCR0_X87 | X86_XCR0_SSE)

#define SYNCHRONOUS_MASK (BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGFPE) | BIT(SIGSYS))

static int64_t ts_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * NS + t->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
    return (struct timespec){.tv_sec = ns / NS, .tv_nsec = ns % NS};
}

static int64_t now_ns(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return ts_ns(&t);
}

/* ---- dispositions and the pending set ------------------------------------ */

enum sig_default sig_default_action(int sig)
{
    switch (sig) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
        return SIG_DFL_CORE;
    case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT:
        return SIG_DFL_IGN;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return SIG_DFL_STOP;
    default:
        return SIG_DFL_TERM;
    }
}

/* kernel/signal.c, sig_task_ignored(): SIG_IGN, or SIG_DFL where the
 * default ignores.  Stop signals count as ignored too: the sandbox has no
 * job control and nothing could continue a stopped program, so they are
 * discarded, as Linux discards SIGTSTP/SIGTTIN/SIGTTOU for an orphaned
 * process group.  SIGKILL and SIGSTOP cannot be caught, so their action
 * is always the default. */
static bool ignored(const struct ringbox *rb, int sig)
{
    uint64_t h = rb->proc.act[sig].handler;
    if (sig == SIGKILL)
        return false;
    if (h == K_SIG_IGN && sig != SIGSTOP)
        return true;
    if (h == K_SIG_DFL || sig == SIGSTOP) {
        enum sig_default d = sig_default_action(sig);
        return d == SIG_DFL_IGN || d == SIG_DFL_STOP;
    }
    return false;
}

void sig_send(struct ringbox *rb, int sig, int code, int errno_value)
{
    if (sig < 1 || sig > RB_NSIG)
        return;
    /* Blocked signals are never ignored: the disposition may change
     * before they are unblocked (kernel/signal.c, sig_ignored()). */
    if (ignored(rb, sig) && !(rb->proc.sigmask & BIT(sig)) && sig != SIGKILL)
        return;
    if (rb->proc.sigpending & BIT(sig))
        return;
    struct sig_info *in = &rb->sig.info[sig];
    memset(in, 0, sizeof(*in));
    in->signo = sig;
    in->err = errno_value;
    in->code = code;
    if (code == SI_USER || code == SI_TKILL) {
        in->kill.pid = RB_GUEST_PID;
        in->kill.uid = rb->proc.uid;
    }
    rb->proc.sigpending |= BIT(sig);
}

bool sig_interrupted(const struct ringbox *rb)
{
    return (rb->proc.sigpending & ~rb->proc.sigmask) != 0;
}

void sig_set_mask(struct ringbox *rb, uint64_t mask)
{
    rb->proc.sigmask = sysarg_sigmask_clean(mask);
}

void sig_mask_swap(struct ringbox *rb, uint64_t mask)
{
    rb->sig.saved_mask = rb->proc.sigmask;
    sig_set_mask(rb, mask);
}

void sig_mask_restore(struct ringbox *rb, bool interrupted)
{
    if (interrupted)
        rb->sig.flags |= SIG_F_RESTORE_MASK;
    else
        rb->proc.sigmask = rb->sig.saved_mask;
}

/* ---- the alternate stack --------------------------------------------------- */

/* kernel/signal.c, __on_sig_stack(): the stack grows down from sp + size. */
static bool on_altstack(const struct ringbox *rb, uint64_t sp)
{
    const struct rb_altstack *a = &rb->proc.altstack;
    return a->size && sp > a->sp && sp - a->sp <= a->size;
}

void sig_altstack_get(const struct ringbox *rb, void *out, uint64_t sp)
{
    const struct rb_altstack *cur = &rb->proc.altstack;
    struct rb_altstack ss = {
        .sp = cur->sp,
        .flags = (cur->size ? (on_altstack(rb, sp) ? SS_ONSTACK : 0) : SS_DISABLE) |
                 (int32_t)(cur->flags & SYSARG_SS_AUTODISARM),
        .size = cur->size,
    };
    memcpy(out, &ss, sizeof(ss));
}

/* kernel/signal.c, do_sigaltstack(): no change while on the stack; a
 * disabled stack reads back as SS_DISABLE with size 0. */
int sig_altstack_set(struct ringbox *rb, const void *in, uint64_t sp)
{
    struct rb_altstack ss;
    memcpy(&ss, in, sizeof(ss));
    if (on_altstack(rb, sp))
        return -EPERM;
    int rc = sysarg_ss_flags(ss.flags);
    if (rc < 0)
        return rc;
    if ((ss.flags & ~(int32_t)SYSARG_SS_AUTODISARM) == SS_DISABLE)
        ss.sp = ss.size = 0;
    else if (ss.size < SYSARG_MINSIGSTKSZ)
        return -ENOMEM;
    ss.pad = 0;
    rb->proc.altstack = ss;
    return 0;
}

/* ---- FPU state -------------------------------------------------------------- */

static uint32_t fx_u32(const uint8_t *area, size_t off)
{
    uint32_t v;
    memcpy(&v, area + off, sizeof(v));
    return v;
}

static uint64_t fx_u64(const uint8_t *area, size_t off)
{
    uint64_t v;
    memcpy(&v, area + off, sizeof(v));
    return v;
}

/* What a handler starts with: FNINIT's x87 state and MXCSR's reset value,
 * every other component in its initial configuration, as Linux's
 * fpu__clear_user_states() leaves it. */
static void fpu_init_state(struct kvm_xsave *xs)
{
    memset(xs, 0, sizeof(*xs));
    uint8_t *area = (uint8_t *)xs->region;
    uint16_t fcw = X86_FCW_INIT;
    uint32_t mxcsr = X86_MXCSR_INIT;
    uint64_t bv = FPSSE;
    memcpy(area + X86_FXSAVE_FCW, &fcw, sizeof(fcw));
    memcpy(area + X86_FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
    memcpy(area + X86_XSAVE_HDR_BV, &bv, sizeof(bv));
}

/* Bytes of FPU state in a frame: the XSAVE area and its trailing magic, or
 * the bare FXSAVE region on a CPU without XSAVE. */
static size_t fpu_frame_size(const struct ringbox *rb)
{
    return rb->feat.xsave ? rb->feat.xsave_size + K_FP_XSTATE_MAGIC2_SIZE : X86_FXSAVE_SIZE;
}

/* The state as Linux's copy_fpstate_to_sigframe() writes it: XSAVE's
 * standard format, the software bytes saying so, FP and SSE always marked
 * present in XSTATE_BV (save_xstate_epilog()), then MAGIC2. */
static int fpu_save(struct ringbox *rb, uint8_t *out)
{
    struct kvm_xsave xs;
    if (ioctl(rb->vcpu_fd, KVM_GET_XSAVE, &xs) < 0)
        return -errno;
    const uint8_t *area = (const uint8_t *)xs.region;
    if (!rb->feat.xsave) {
        memcpy(out, area, X86_FXSAVE_SIZE);
        memset(out + X86_FXSAVE_SW_RESERVED, 0, sizeof(struct k_fpx_sw_bytes));
        return 0;
    }
    uint32_t size = rb->feat.xsave_size;
    memcpy(out, area, size);
    struct k_fpx_sw_bytes sw = {
        .magic1 = K_FP_XSTATE_MAGIC1,
        .extended_size = size + K_FP_XSTATE_MAGIC2_SIZE,
        .xfeatures = rb->feat.xcr0,
        .xstate_size = size,
    };
    memcpy(out + X86_FXSAVE_SW_RESERVED, &sw, sizeof(sw));
    uint64_t bv = fx_u64(out, X86_XSAVE_HDR_BV) | FPSSE;
    memcpy(out + X86_XSAVE_HDR_BV, &bv, sizeof(bv));
    uint32_t magic2 = K_FP_XSTATE_MAGIC2;
    memcpy(out + size, &magic2, sizeof(magic2));
    return 0;
}

/* Read and check the guest's FPU state at `ufp` (arch/x86/kernel/fpu/
 * signal.c, __fpu_restore_sig() and check_xstate_in_sigframe()): with the
 * software bytes and MAGIC2 it is an XSAVE image, otherwise a bare FXSAVE
 * region.  What XRSTOR would refuse with #GP (XSTATE_BV beyond XCR0, a
 * compacted or dirty header, reserved MXCSR bits) is -EINVAL, which Linux
 * turns into SIGSEGV; components the software bytes leave out get their
 * initial state. */
static int fpu_read(struct ringbox *rb, uint64_t ufp, struct kvm_xsave *xs)
{
    memset(xs, 0, sizeof(*xs));
    uint8_t *area = (uint8_t *)xs->region;
    if (mem_copy_from_user(&rb->mem, area, ufp, X86_FXSAVE_SIZE) < 0)
        return -EFAULT;
    struct k_fpx_sw_bytes sw;
    memcpy(&sw, area + X86_FXSAVE_SW_RESERVED, sizeof(sw));
    uint32_t magic2 = 0;
    bool full = rb->feat.xsave && sw.magic1 == K_FP_XSTATE_MAGIC1 && sw.xstate_size >= X86_XSAVE_HDR_END &&
                sw.xstate_size <= rb->feat.xsave_size &&
                sw.xstate_size + K_FP_XSTATE_MAGIC2_SIZE <= sw.extended_size &&
                mem_copy_from_user(&rb->mem, &magic2, ufp + sw.xstate_size, sizeof(magic2)) == 0 &&
                magic2 == K_FP_XSTATE_MAGIC2;
    uint64_t bv;
    if (full) {
        if (mem_copy_from_user(&rb->mem, area, ufp, sw.xstate_size) < 0)
            return -EFAULT;
        bv = fx_u64(area, X86_XSAVE_HDR_BV);
        if (bv & ~rb->feat.xcr0)
            return -EINVAL;
        for (size_t off = X86_XSAVE_HDR_COMP_BV; off < X86_XSAVE_HDR_END; off += 8)
            if (fx_u64(area, off))
                return -EINVAL;
        bv &= sw.xfeatures;
    } else {
        memset(area + X86_FXSAVE_SIZE, 0, X86_XSAVE_HDR_END - X86_FXSAVE_SIZE);
        bv = FPSSE;
    }
    memcpy(area + X86_XSAVE_HDR_BV, &bv, sizeof(bv));
    uint32_t mask = rb->sig.mxcsr_mask ? rb->sig.mxcsr_mask : X86_MXCSR_MASK_DEFAULT;
    if (fx_u32(area, X86_FXSAVE_MXCSR) & ~mask)
        return -EINVAL;
    return 0;
}

/* ---- frames ------------------------------------------------------------------ */

/* arch/x86/kernel/signal.c, get_sigframe() and signal_64.c,
 * x64_setup_rt_frame().  `mask` is the blocked set the handler returns to.
 * False when the frame cannot be built, which Linux answers with SIGSEGV. */
static bool setup_frame(struct ringbox *rb, struct kvm_regs *u, int sig, const struct rb_sigaction *ka,
                        const struct sig_info *info, uint64_t mask)
{
    /* x86-64 has no vDSO return trampoline: without SA_RESTORER, Linux
     * fails the frame (x64_setup_rt_frame()). */
    if (!(ka->flags & K_SA_RESTORER) || ka->handler >= X86_USER_CANONICAL_END)
        return false;

    uint64_t sp = u->rsp - RED_ZONE;
    bool nested = on_altstack(rb, u->rsp), entering = false;
    if ((ka->flags & K_SA_ONSTACK) && rb->proc.altstack.size && !on_altstack(rb, sp)) {
        sp = rb->proc.altstack.sp + rb->proc.altstack.size;
        entering = true;
    }
    size_t fpu_size = fpu_frame_size(rb);
    uint64_t fp = (sp - fpu_size) & ~63ULL;
    sp = ((fp - sizeof(struct k_rt_sigframe)) & ~15ULL) - 8; /* (rsp + 8) % 16 == 0 at entry */
    /* An alternate stack too small for the frame is a SIGSEGV, not an
     * overflow below it. */
    if ((nested || entering) && !on_altstack(rb, sp))
        return false;
    if (sp > fp || fp - sp + fpu_size > FRAME_MAX)
        return false;

    uint8_t buf[FRAME_MAX];
    size_t len = (size_t)(fp - sp) + fpu_size;
    memset(buf, 0, len);
    struct k_rt_sigframe f = {.pretcode = ka->restorer};
    f.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (rb->feat.xsave ? UC_FP_XSTATE : 0);
    sig_altstack_get(rb, &f.uc.stack, u->rsp);
    struct k_sigcontext *mc = &f.uc.mcontext;
    *mc = (struct k_sigcontext){
        .r8 = u->r8, .r9 = u->r9, .r10 = u->r10, .r11 = u->r11,
        .r12 = u->r12, .r13 = u->r13, .r14 = u->r14, .r15 = u->r15,
        .rdi = u->rdi, .rsi = u->rsi, .rbp = u->rbp, .rbx = u->rbx,
        .rdx = u->rdx, .rax = u->rax, .rcx = u->rcx, .rsp = u->rsp,
        .rip = u->rip, .eflags = u->rflags,
        .cs = RB_USER_CS, .ss = RB_USER_DS,
        .err = rb->sig.trap_err, .trapno = rb->sig.trap_no, .cr2 = rb->sig.trap_cr2,
        .oldmask = mask, .fpstate = fp,
    };
    f.uc.sigmask = mask;
    if (ka->flags & K_SA_SIGINFO)
        f.info = *info;
    memcpy(buf, &f, sizeof(f));
    if (fpu_save(rb, buf + (fp - sp)) < 0)
        return false;
    if (mem_copy_to_user(&rb->mem, sp, buf, len) < 0)
        return false;

    /* The handler starts with a clean FPU (signal.c, handle_signal()). */
    struct kvm_xsave init;
    fpu_init_state(&init);
    if (ioctl(rb->vcpu_fd, KVM_SET_XSAVE, &init) < 0)
        return false;
    if (rb->proc.altstack.flags & SYSARG_SS_AUTODISARM)
        rb->proc.altstack = (struct rb_altstack){.flags = SS_DISABLE};

    u->rdi = (uint64_t)sig;
    u->rsi = sp + offsetof(struct k_rt_sigframe, info);
    u->rdx = sp + offsetof(struct k_rt_sigframe, uc);
    u->rax = 0;
    u->rsp = sp;
    u->rip = ka->handler;
    u->rflags &= ~(X86_RFLAGS_DF | X86_RFLAGS_RF | X86_RFLAGS_TF);
    return true;
}

/* The next signal to deliver: synchronous ones first, then the lowest. */
static int next_signal(const struct ringbox *rb)
{
    uint64_t ready = rb->proc.sigpending & ~rb->proc.sigmask;
    if (ready & SYNCHRONOUS_MASK)
        ready &= SYNCHRONOUS_MASK;
    return ready ? __builtin_ctzll(ready) + 1 : 0;
}

static bool is_restart(uint64_t rax)
{
    return rax == (uint64_t)-SIG_ERESTARTSYS || rax == (uint64_t)-SIG_ERESTARTNOHAND;
}

/* Re-execute the SYSCALL instruction (2 bytes, 0F 05) with the number in
 * RAX again (signal.c, handle_signal() and arch_do_signal_or_restart()). */
static void restart_syscall(struct kvm_regs *u, long nr)
{
    u->rax = (uint64_t)nr;
    u->rip -= 2;
}

/* The name of a si_code ringbox raises, as siginfo.h spells it; the
 * positive codes mean different things for each signal (sigaction(2)). */
static const char *si_code_name(int sig, int code)
{
    switch (code) {
    case SI_USER:
        return "SI_USER";
    case SI_KERNEL:
        return "SI_KERNEL";
    case SI_TKILL:
        return "SI_TKILL";
    }
    if (sig == SIGSEGV && code == SEGV_MAPERR)
        return "SEGV_MAPERR";
    if (sig == SIGSEGV && code == SEGV_ACCERR)
        return "SEGV_ACCERR";
    if (sig == SIGFPE && code == FPE_INTDIV)
        return "FPE_INTDIV";
    if (sig == SIGILL && code == ILL_ILLOPN)
        return "ILL_ILLOPN";
    if (sig == SIGTRAP && code == TRAP_TRACE)
        return "TRAP_TRACE";
    if (sig == SIGBUS && code == BUS_ADRALN)
        return "BUS_ADRALN";
    return "si_code ?";
}

bool sig_exit_to_user(struct ringbox *rb, struct kvm_regs *u, long nr)
{
    bool changed = false;
    if (rb->sig.flags & SIG_F_SIGRETURN) {
        /* restore_sigcontext() sets orig_ax = -1: no restart checks. */
        *u = rb->sig.ret_ctx;
        rb->sig.flags &= ~SIG_F_SIGRETURN;
        nr = -1;
        changed = true;
    }
    for (;;) {
        int sig = next_signal(rb);
        if (!sig) {
            if (nr >= 0 && is_restart(u->rax)) {
                restart_syscall(u, nr);
                changed = true;
            }
            nr = -1;
            if (!(rb->sig.flags & SIG_F_RESTORE_MASK))
                return changed;
            /* The mask goes back; what it unblocks is delivered too. */
            rb->sig.flags &= ~SIG_F_RESTORE_MASK;
            rb->proc.sigmask = rb->sig.saved_mask;
            continue;
        }
        rb->proc.sigpending &= ~BIT(sig);
        struct rb_sigaction *ka = &rb->proc.act[sig];
        if (sig != SIGKILL && ka->handler == K_SIG_IGN)
            continue;
        if (sig == SIGKILL || sig == SIGSTOP || ka->handler == K_SIG_DFL) {
            enum sig_default d = sig_default_action(sig);
            if (d == SIG_DFL_IGN || d == SIG_DFL_STOP)
                continue;
            trace_event(rb, RINGBOX_TRACE_SIGNAL, ringbox_signal_name(sig),
                        "%s (%s): no handler, default action: the program ends",
                        ringbox_signal_name(sig), si_code_name(sig, rb->sig.info[sig].code));
            vm_kill(rb, sig);
            return changed;
        }
        if (nr >= 0 && is_restart(u->rax)) {
            if (u->rax == (uint64_t)-SIG_ERESTARTSYS && (ka->flags & K_SA_RESTART))
                restart_syscall(u, nr);
            else
                u->rax = (uint64_t)-EINTR;
        }
        nr = -1;
        bool restore = rb->sig.flags & SIG_F_RESTORE_MASK;
        uint64_t mask = restore ? rb->sig.saved_mask : rb->proc.sigmask;
        uint64_t from = u->rip;
        if (!setup_frame(rb, u, sig, ka, &rb->sig.info[sig], mask)) {
            /* force_sigsegv(): the default action, whatever the handler. */
            trace_event(rb, RINGBOX_TRACE_SIGNAL, ringbox_signal_name(sig),
                        "%s: no frame fits at rsp %#llx (or no SA_RESTORER): SIGSEGV instead",
                        ringbox_signal_name(sig), (unsigned long long)u->rsp);
            vm_kill(rb, SIGSEGV);
            return changed;
        }
        trace_event(rb, RINGBOX_TRACE_SIGNAL, ringbox_signal_name(sig),
                    "%s (%s) delivered to the handler at %#llx, frame at %#llx, interrupted at %#llx",
                    ringbox_signal_name(sig), si_code_name(sig, rb->sig.info[sig].code),
                    (unsigned long long)u->rip, (unsigned long long)u->rsp, (unsigned long long)from);
        changed = true;
        rb->sig.flags &= ~SIG_F_RESTORE_MASK;
        uint64_t block = ka->mask | ((ka->flags & K_SA_NODEFER) ? 0 : BIT(sig));
        if (ka->flags & K_SA_RESETHAND)
            ka->handler = K_SIG_DFL;
        sig_set_mask(rb, rb->proc.sigmask | block);
    }
}

/* ---- faults ------------------------------------------------------------------- */

/* si_code and si_addr as arch/x86/kernel/traps.c and mm/fault.c raise
 * them.  A #GP, #BP, #NP, #SS and the rest go through force_sig() with
 * SEND_SIG_PRIV: SI_KERNEL and no address. */
static void fault_info(const struct rb_fault_frame *f, int *code, uint64_t *addr)
{
    *addr = 0;
    *code = SI_KERNEL;
    switch (f->vector) {
    case X86_VEC_DE:
        *code = FPE_INTDIV;
        *addr = f->rip;
        break;
    case X86_VEC_UD:
        *code = ILL_ILLOPN;
        *addr = f->rip;
        break;
    case X86_VEC_DB: /* only TF single-steps reach ring 3's #DB here */
        *code = TRAP_TRACE;
        *addr = f->rip;
        break;
    case X86_VEC_AC:
        *code = BUS_ADRALN;
        break;
    case X86_VEC_PF:
        *code = (f->error_code & X86_PF_P) ? SEGV_ACCERR : SEGV_MAPERR;
        *addr = f->cr2;
        break;
    }
}

bool sig_fault(struct ringbox *rb, const struct rb_fault_frame *f, int sig)
{
    /* kernel/signal.c, force_sig_info_to_task(): a blocked or ignored
     * fault signal gets its default action. */
    uint64_t h = rb->proc.act[sig].handler;
    if (h == K_SIG_DFL || h == K_SIG_IGN || (rb->proc.sigmask & BIT(sig)))
        return false;
    int code;
    uint64_t addr;
    fault_info(f, &code, &addr);
    rb->proc.sigpending &= ~BIT(sig);
    sig_send(rb, sig, code, 0);
    rb->sig.info[sig].addr = addr;
    rb->sig.trap_no = f->vector;
    rb->sig.trap_err = f->error_code;
    if (f->vector == X86_VEC_PF)
        rb->sig.trap_cr2 = f->cr2;

    struct kvm_regs u = *vm_regs(rb);
    u.rip = f->rip;
    u.rsp = f->rsp;
    u.rflags = f->rflags;
    sig_exit_to_user(rb, &u, -1);
    if (!rb->ended)
        kvm_resume_user(rb, &u);
    return true;
}

/* ---- rt_sigreturn ------------------------------------------------------------- */

int64_t sig_return(struct ringbox *rb, uint64_t uc_addr)
{
    struct k_ucontext uc;
    struct kvm_xsave xs;
    if (mem_copy_from_user(&rb->mem, &uc, uc_addr, sizeof(uc)) < 0)
        goto bad;
    const struct k_sigcontext *mc = &uc.mcontext;
    /* Only a canonical user RIP and RSP: IRETQ to anything else would
     * fault in the stub, at ring 0.  RFLAGS keeps only what ring 3 may
     * set; CS and SS are always the user selectors. */
    if (mc->rip >= X86_USER_CANONICAL_END || mc->rsp >= X86_USER_CANONICAL_END)
        goto bad;
    if (mc->fpstate) {
        if (fpu_read(rb, mc->fpstate, &xs) < 0)
            goto bad;
    } else {
        fpu_init_state(&xs); /* fpu__clear_user_states() */
    }
    if (ioctl(rb->vcpu_fd, KVM_SET_XSAVE, &xs) < 0)
        goto bad;

    struct kvm_regs *u = &rb->sig.ret_ctx;
    *u = (struct kvm_regs){
        .r8 = mc->r8, .r9 = mc->r9, .r10 = mc->r10, .r11 = mc->r11,
        .r12 = mc->r12, .r13 = mc->r13, .r14 = mc->r14, .r15 = mc->r15,
        .rdi = mc->rdi, .rsi = mc->rsi, .rbp = mc->rbp, .rbx = mc->rbx,
        .rdx = mc->rdx, .rax = mc->rax, .rcx = mc->rcx, .rsp = mc->rsp,
        .rip = mc->rip, .rflags = cpu_user_rflags(mc->eflags),
    };
    sig_set_mask(rb, uc.sigmask);
    /* restore_altstack(): errors other than EFAULT are ignored, which
     * leaves the stack alone while the handler still runs on it. */
    sig_altstack_set(rb, &uc.stack, uc_addr);
    rb->sig.flags |= SIG_F_SIGRETURN;
    return (int64_t)u->rax;
bad:
    trace_event(rb, RINGBOX_TRACE_SIGNAL, "SIGSEGV", "rt_sigreturn: bad frame at %#llx: SIGSEGV",
                (unsigned long long)uc_addr);
    /* signal_fault(): SIGSEGV.  ringbox gives it the default action even
     * when the program has a SIGSEGV handler: the context to run that
     * handler on is the one just found unusable. */
    vm_kill(rb, SIGSEGV);
    return -EFAULT;
}

/* ---- the alarm -------------------------------------------------------------- */

/* Aim the host timer at the alarm's next expiry (or disarm it). */
static void timer_program(struct ringbox *rb)
{
    if (!rb->sig.timer_made)
        return;
    struct itimerspec its = {0};
    if (rb->sig.alarm_at)
        its.it_value = ns_ts(rb->sig.alarm_at);
    syscall(SYS_timer_settime, rb->sig.timer, TIMER_ABSTIME, &its, NULL);
}

/* An expired alarm raises SIGALRM (kernel/time/itimer.c, it_real_fn():
 * SEND_SIG_PRIV, so SI_KERNEL) and re-arms by its period, skipping the
 * periods already missed as hrtimer_forward() does. */
static void alarm_check(struct ringbox *rb)
{
    if (!rb->sig.alarm_at)
        return;
    int64_t now = now_ns(CLOCK_MONOTONIC);
    if (now < rb->sig.alarm_at)
        return;
    sig_send(rb, SIGALRM, SI_KERNEL, 0);
    if (rb->sig.alarm_every)
        rb->sig.alarm_at += rb->sig.alarm_every * ((now - rb->sig.alarm_at) / rb->sig.alarm_every + 1);
    else
        rb->sig.alarm_at = 0;
    timer_program(rb);
}

void sig_alarm_set(struct ringbox *rb, int64_t value_ns, int64_t interval_ns)
{
    rb->sig.alarm_at = value_ns ? now_ns(CLOCK_MONOTONIC) + value_ns : 0;
    rb->sig.alarm_every = value_ns ? interval_ns : 0;
    timer_program(rb);
}

/* itimer.c, itimer_get_remtime(): an expiry due but not yet handled reads
 * as 1 us left. */
void sig_alarm_get(const struct ringbox *rb, int64_t *value_ns, int64_t *interval_ns)
{
    *value_ns = 0;
    *interval_ns = rb->sig.alarm_every;
    if (rb->sig.alarm_at) {
        int64_t left = rb->sig.alarm_at - now_ns(CLOCK_MONOTONIC);
        *value_ns = left > 0 ? left : 1000;
    }
}

/* The earlier of the alarm and the wall-clock limit, CLOCK_MONOTONIC; 0 for none. */
static int64_t wake_deadline(const struct ringbox *rb)
{
    int64_t a = rb->sig.alarm_at, w = rb->lim.wall_at;
    return !a ? w : !w ? a : a < w ? a : w;
}

#define KTIME_MAX INT64_MAX

struct timespec sig_sleep_end(clockid_t clk, int64_t sec, int64_t nsec, bool abs)
{
    int64_t ns = sec >= KTIME_MAX / NS ? KTIME_MAX : sec * NS + nsec;
    if (!abs) {
        int64_t now = now_ns(clk);
        ns = ns > KTIME_MAX - now ? KTIME_MAX : ns + now;
    }
    return ns_ts(ns);
}

int sig_sleep(struct ringbox *rb, clockid_t clk, const struct timespec *end)
{
    for (;;) {
        if (limit_check(rb))
            return -EINTR;
        alarm_check(rb);
        if (sig_interrupted(rb))
            return -EINTR;
        bool until_end = end != NULL;
        struct timespec wake = end ? *end : (struct timespec){0};
        int64_t deadline = wake_deadline(rb);
        if (deadline) {
            /* The deadline on the sleep's own clock. */
            int64_t at = now_ns(clk) + (deadline - now_ns(CLOCK_MONOTONIC));
            if (!end || at < ts_ns(end)) {
                wake = ns_ts(at > 0 ? at : 0);
                until_end = false;
            }
        } else if (!end) {
            pause(); /* only a host signal for the embedder ends this */
            continue;
        }
        int e = clock_nanosleep(clk, TIMER_ABSTIME, &wake, NULL);
        if (e && e != EINTR)
            return -e;
        if (!e && until_end)
            return 0;
    }
}

static void host_mask(int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIG_HOST);
    pthread_sigmask(how, &set, NULL);
}

/* A SIG_HOST that arrived while blocked would otherwise end the next
 * KVM_RUN at once, forever: KVM_RUN returns EINTR but the signal stays
 * pending under the thread's own mask. */
static void host_consume(void)
{
    sigset_t set;
    struct timespec zero = {0, 0};
    sigemptyset(&set);
    sigaddset(&set, SIG_HOST);
    while (sigtimedwait(&set, NULL, &zero) == SIG_HOST)
        ;
}

int sig_wait_begin(struct ringbox *rb)
{
    if (rb->sig.mask_set)
        host_mask(SIG_UNBLOCK);
    alarm_check(rb);
    if (limit_check(rb) || sig_interrupted(rb)) {
        sig_wait_end(rb);
        return -EINTR;
    }
    return 0;
}

void sig_wait_end(struct ringbox *rb)
{
    if (rb->sig.mask_set) {
        host_mask(SIG_BLOCK);
        host_consume();
    }
    alarm_check(rb);
    limit_check(rb);
}

/* ---- the host side -------------------------------------------------------------- */

/* The kvm_run of the sandbox running on this thread, while it runs. */
static __thread struct kvm_run *volatile host_run;

/* SIG_HOST is blocked outside KVM_RUN, so one sent just before KVM_RUN
 * stays pending and KVM_RUN returns EINTR at once.  The handler also sets
 * immediate_exit (Documentation/virt/kvm/api.rst, KVM_RUN), for the one
 * that arrives while it is unblocked around a blocking host call: the
 * next KVM_RUN then returns EINTR without entering the guest, and the
 * run loop looks at the clocks. */
static void host_handler(int sig)
{
    (void)sig;
    struct kvm_run *run = host_run;
    if (run)
        run->immediate_exit = 1;
}

static void install_handler(void)
{
    /* No SA_RESTART: the host calls it interrupts must fail with EINTR. */
    struct sigaction sa = {.sa_handler = host_handler};
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_HOST, &sa, NULL);
}

int sig_init(struct ringbox *rb)
{
    struct kvm_xsave xs;
    if (ioctl(rb->vcpu_fd, KVM_GET_XSAVE, &xs) < 0)
        return -errno;
    /* FXSAVE stores the MXCSR bits the CPU supports (SDM Vol. 1 11.6.6). */
    rb->sig.mxcsr_mask = fx_u32((const uint8_t *)xs.region, X86_FXSAVE_MXCSR_MASK);
    return 0;
}

int sig_run_begin(struct ringbox *rb)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_handler);

    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIG_HOST);
    if (pthread_sigmask(SIG_BLOCK, &block, &rb->sig.host_mask) != 0)
        return -EINVAL;
    rb->sig.mask_set = true;
    host_run = rb->run;

    /* Inside KVM_RUN the thread's own mask, less SIG_HOST: only ringbox's
     * signal changes (Documentation/virt/kvm/api.rst, KVM_SET_SIGNAL_MASK;
     * the kernel's sigset is 8 bytes). */
    sigset_t inside = rb->sig.host_mask;
    sigdelset(&inside, SIG_HOST);
    struct {
        struct kvm_signal_mask hdr;
        uint8_t set[8];
    } km = {.hdr.len = 8};
    memcpy(km.set, &inside, sizeof(km.set));
    if (ioctl(rb->vcpu_fd, KVM_SET_SIGNAL_MASK, &km) < 0)
        return -errno;

    if (!rb->sig.timer_made) {
        struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIG_HOST};
        sev._sigev_un._tid = (int)syscall(SYS_gettid);
        int id;
        /* The raw syscall, for the kernel's timer id: the seccomp filter
         * pins timer_settime to it. */
        if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) < 0)
            return -errno;
        rb->sig.timer = id;
        rb->sig.timer_made = true;
    }
    return 0;
}

void sig_run_end(struct ringbox *rb)
{
    rb->sig.alarm_at = 0;
    timer_program(rb);
    host_run = NULL;
    if (rb->run)
        rb->run->immediate_exit = 0;
    if (rb->sig.mask_set) {
        pthread_sigmask(SIG_SETMASK, &rb->sig.host_mask, NULL);
        rb->sig.mask_set = false;
    }
}

void sig_fini(struct ringbox *rb)
{
    if (rb->sig.timer_made)
        syscall(SYS_timer_delete, rb->sig.timer);
    rb->sig.timer_made = false;
}

/* Kick the vCPU out again soon: it was interrupted inside the stub, away
 * from a return label, and may reach ring 3 without another exit. */
#define KICK_NS 100000

static void kick(struct ringbox *rb)
{
    struct itimerspec its = {.it_value = ns_ts(KICK_NS)};
    if (rb->sig.timer_made && syscall(SYS_timer_settime, rb->sig.timer, 0, &its, NULL) == 0)
        rb->sig.kicked = true;
}

/* KVM_RUN can return with an exception taken but not yet delivered: its
 * frame is pushed at the next entry, with whatever RIP the registers then
 * hold (Documentation/virt/kvm/api.rst, KVM_GET_VCPU_EVENTS: "injected",
 * or "pending" with KVM_CAP_EXCEPTION_PAYLOAD).  A handler's RIP put there
 * would take the fault in the program's place.  When it cannot tell, it
 * says so: the vCPU is left alone, as for one in flight. */
static bool event_in_flight(struct ringbox *rb)
{
    struct kvm_vcpu_events ev;
    if (ioctl(rb->vcpu_fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
        return true;
    return ev.exception.injected || ev.exception.pending || ev.nmi.injected || ev.interrupt.injected;
}

void sig_host_interrupt(struct ringbox *rb)
{
    host_consume();
    rb->run->immediate_exit = 0;
    if (limit_check(rb))
        return;
    if (rb->sig.kicked) {
        rb->sig.kicked = false;
        timer_program(rb);
    }
    alarm_check(rb);
    if (!sig_work(rb))
        return;

    struct kvm_regs *r = vm_regs(rb);
    struct kvm_regs u = *r;
    uint64_t rip = r->rip;
    bool flush = false;
    if (event_in_flight(rb)) {
        /* The hypercall the exception leads to delivers, or the kick. */
        kick(rb);
        return;
    }
    if ((vm_sregs(rb)->cs.selector & 3) == 3 && rip < X86_USER_CANONICAL_END) {
        /* In ring 3: the registers are the user context. */
    } else if (rip == rb->stub.ret_sysret || rip == rb->stub.ret_flush_sysret) {
        u.rip = r->rcx;
        u.rflags = r->r11;
        u.rsp = kvm_user_rsp(rb);
        flush = rip == rb->stub.ret_flush_sysret;
    } else if (rip == rb->stub.ret_iret || rip == rb->stub.ret_flush_iret) {
        struct rb_iret_frame f;
        if (mem_read_kernel(&rb->mem, &f, r->rsp, sizeof(f)) < 0)
            return;
        u.rip = f.rip;
        u.rflags = f.rflags;
        u.rsp = f.rsp;
        flush = rip == rb->stub.ret_flush_iret;
    } else {
        /* In the stub, or in ring 3 at a kernel-half RIP: kvm_pvm's SYSCALL
         * keeps CPL 3 and jumps to LSTAR (README, "Two routes"), so the
         * syscall is half made and its #PF into the stub comes next, maybe
         * already injected.  A frame built here would hold RIP = LSTAR,
         * which rt_sigreturn refuses, and a pending #PF would be delivered
         * at the handler's first instruction instead. */
        kick(rb);
        return;
    }
    if (!sig_exit_to_user(rb, &u, -1) || rb->ended)
        return;
    if (flush)
        rb->mem.flush = true;
    kvm_resume_user(rb, &u);
}
