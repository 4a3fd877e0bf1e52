/* sys_signal.c - signal syscalls: dispositions, masks, the alternate stack,
 * rt_sigreturn, signals a program sends itself, waiting for one, and the
 * ITIMER_REAL alarm.  Delivery itself is sig.c's.
 *
 * Host syscalls made here: none of their own; the sleeps are sig_sleep()'s.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include "kvm.h"
#include "sig.h"
#include "sys.h"
#include "sysarg.h"

#define BIT(sig) (1ULL << ((sig) - 1))
#define US 1000LL
#define NS 1000000000LL

_Static_assert(sizeof(struct rb_sigaction) == 32, "x86-64 kernel struct sigaction");
_Static_assert(sizeof(struct rb_altstack) == 24, "x86-64 stack_t");

/* Order as in kernel/signal.c, rt_sigaction: size, copy in, validate, then
 * the old action goes out after the new one is installed.  SIGKILL and
 * SIGSTOP may be queried but not changed (do_sigaction()).  An action that
 * ignores discards the signal if pending (POSIX, as do_sigaction()). */
int64_t sys_rt_sigaction(struct ringbox *rb, const struct sys_args *args)
{
    int sig = (int)args->a[0];
    uint64_t uact = args->a[1];
    uint64_t uoact = args->a[2];
    uint64_t size = args->a[3];
    struct rb_sigaction act, old;

    if (size != SYSARG_SIGSET_SIZE)
        return -EINVAL;
    if (uact && mem_copy_from_user(&rb->mem, &act, uact, sizeof(act)) < 0)
        return -EFAULT;
    if (sig < 1 || sig > RB_NSIG || (uact && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    old = rb->proc.act[sig];
    if (uact) {
        act.flags = sysarg_sa_flags(act.flags);
        act.mask = sysarg_sigmask_clean(act.mask);
        rb->proc.act[sig] = act;
        enum sig_default d = sig_default_action(sig);
        if (act.handler == (uint64_t)(uintptr_t)SIG_IGN ||
            (act.handler == (uint64_t)(uintptr_t)SIG_DFL && (d == SIG_DFL_IGN || d == SIG_DFL_STOP)))
            rb->proc.sigpending &= ~BIT(sig);
    }
    return uoact ? mem_copy_to_user(&rb->mem, uoact, &old, sizeof(old)) : 0;
}

/* `how` is checked only when a new set is given (kernel/signal.c).  What
 * the new mask unblocks is delivered on the way back to ring 3. */
int64_t sys_rt_sigprocmask(struct ringbox *rb, const struct sys_args *args)
{
    int how = (int)args->a[0];
    uint64_t uset = args->a[1];
    uint64_t uoset = args->a[2];
    uint64_t size = args->a[3];
    uint64_t old = rb->proc.sigmask, set, mask = old;

    if (size != SYSARG_SIGSET_SIZE)
        return -EINVAL;
    if (uset) {
        if (mem_copy_from_user(&rb->mem, &set, uset, sizeof(set)) < 0)
            return -EFAULT;
        int rc = sysarg_sigmask_apply(&mask, how, set);
        if (rc < 0)
            return rc;
        sig_set_mask(rb, mask);
    }
    return uoset ? mem_copy_to_user(&rb->mem, uoset, &old, sizeof(old)) : 0;
}

/* kernel/signal.c, do_sigaltstack(), judged at the user RSP of the call. */
int64_t sys_sigaltstack(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t uss = args->a[0];
    uint64_t uoss = args->a[1];
    uint64_t sp = kvm_user_rsp(rb);
    struct rb_altstack ss, old;

    sig_altstack_get(rb, &old, sp);
    if (uss) {
        if (mem_copy_from_user(&rb->mem, &ss, uss, sizeof(ss)) < 0)
            return -EFAULT;
        int rc = sig_altstack_set(rb, &ss, sp);
        if (rc < 0)
            return rc;
    }
    return uoss ? mem_copy_to_user(&rb->mem, uoss, &old, sizeof(old)) : 0;
}

/* The handler's `ret` popped pretcode, so RSP points at the ucontext
 * (signal_64.c, rt_sigreturn: frame = sp - 8). */
int64_t sys_rt_sigreturn(struct ringbox *rb, const struct sys_args *args)
{
    (void)args;
    return sig_return(rb, kvm_user_rsp(rb));
}

/* The sandbox holds one process, RB_GUEST_PID, which leads its own process
 * group.  kill(-1) signals every process but the caller and init
 * (kernel/signal.c, kill_something_info()), which here is nobody. */
int64_t sys_kill(struct ringbox *rb, const struct sys_args *args)
{
    int pid = (int)args->a[0];
    int sig = (int)args->a[1];

    if (sig < 0 || sig > RB_NSIG)
        return -EINVAL;
    if (pid != 0 && pid != RB_GUEST_PID && pid != -RB_GUEST_PID)
        return -ESRCH;
    if (sig)
        sig_send(rb, sig, SI_USER, 0);
    return 0;
}

/* kernel/signal.c, do_send_specific(): the target is looked up before the
 * signal number is checked. */
static int64_t send_to_thread(struct ringbox *rb, int tid, int sig)
{
    if (tid != RB_GUEST_PID)
        return -ESRCH;
    if (sig < 0 || sig > RB_NSIG)
        return -EINVAL;
    if (sig)
        sig_send(rb, sig, SI_TKILL, 0);
    return 0;
}

int64_t sys_tgkill(struct ringbox *rb, const struct sys_args *args)
{
    int tgid = (int)args->a[0];
    int tid = (int)args->a[1];
    int sig = (int)args->a[2];

    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    return tgid == RB_GUEST_PID ? send_to_thread(rb, tid, sig) : -ESRCH;
}

int64_t sys_tkill(struct ringbox *rb, const struct sys_args *args)
{
    int tid = (int)args->a[0];
    int sig = (int)args->a[1];

    return tid <= 0 ? -EINVAL : send_to_thread(rb, tid, sig);
}

/* Sleep until a signal; the handler's return makes it -EINTR, and a signal
 * that runs no handler restarts it (kernel/signal.c, sys_pause). */
int64_t sys_pause(struct ringbox *rb, const struct sys_args *args)
{
    (void)args;
    sig_sleep(rb, CLOCK_MONOTONIC, NULL);
    return -SIG_ERESTARTNOHAND;
}

/* kernel/signal.c, sigsuspend(): wait under `mask`; the handler's frame
 * records the old mask, which comes back when it returns. */
int64_t sys_rt_sigsuspend(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t umask = args->a[0];
    uint64_t size = args->a[1];
    uint64_t mask;

    if (size != SYSARG_SIGSET_SIZE)
        return -EINVAL;
    if (mem_copy_from_user(&rb->mem, &mask, umask, sizeof(mask)) < 0)
        return -EFAULT;
    sig_mask_swap(rb, mask);
    sig_sleep(rb, CLOCK_MONOTONIC, NULL);
    sig_mask_restore(rb, true);
    return -SIG_ERESTARTNOHAND;
}

/* Pending and blocked; a size up to the kernel's sigset is accepted and
 * that many bytes written (kernel/signal.c, rt_sigpending). */
int64_t sys_rt_sigpending(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t uset = args->a[0];
    uint64_t size = args->a[1];
    uint64_t set = rb->proc.sigpending & rb->proc.sigmask;

    if (size > SYSARG_SIGSET_SIZE)
        return -EINVAL;
    return mem_copy_to_user(&rb->mem, uset, &set, size);
}

/* ---- ITIMER_REAL ----------------------------------------------------------- */

/* The x86-64 struct itimerval: interval first. */
struct k_timeval {
    int64_t sec, usec;
};
struct k_itimerval {
    struct k_timeval interval, value;
};

static int64_t tv_ns(const struct k_timeval *tv)
{
    return tv->sec * NS + tv->usec * US;
}

static struct k_timeval ns_tv(int64_t ns)
{
    return (struct k_timeval){.sec = ns / NS, .usec = ns % NS / US};
}

/* timeval_valid() (include/linux/time64.h), and a bound that keeps the
 * nanosecond arithmetic in range: Linux clamps at KTIME_MAX the same way. */
static bool tv_ok(const struct k_timeval *tv)
{
    return tv->sec >= 0 && tv->usec >= 0 && tv->usec < NS / US && tv->sec < INT64_MAX / NS / 2;
}

static void itimer_get(struct ringbox *rb, struct k_itimerval *it)
{
    int64_t value, interval;
    sig_alarm_get(rb, &value, &interval);
    it->value = ns_tv(value);
    it->interval = ns_tv(interval);
}

/* Only ITIMER_REAL: ITIMER_VIRTUAL and ITIMER_PROF count CPU time, which
 * the VMM does not account per guest, so they are -EINVAL rather than
 * timers that never fire. */
int64_t sys_setitimer(struct ringbox *rb, const struct sys_args *args)
{
    int which = (int)args->a[0];
    uint64_t unew = args->a[1];
    uint64_t uold = args->a[2];
    struct k_itimerval set = {0}, old;

    /* kernel/time/itimer.c: a NULL value disarms, as it always has. */
    if (unew && mem_copy_from_user(&rb->mem, &set, unew, sizeof(set)) < 0)
        return -EFAULT;
    if (which != ITIMER_REAL)
        return -EINVAL;
    if (!tv_ok(&set.value) || !tv_ok(&set.interval))
        return -EINVAL;
    itimer_get(rb, &old);
    sig_alarm_set(rb, tv_ns(&set.value), tv_ns(&set.interval));
    return uold ? mem_copy_to_user(&rb->mem, uold, &old, sizeof(old)) : 0;
}

int64_t sys_getitimer(struct ringbox *rb, const struct sys_args *args)
{
    int which = (int)args->a[0];
    uint64_t uval = args->a[1];
    struct k_itimerval it;

    if (which != ITIMER_REAL)
        return -EINVAL;
    itimer_get(rb, &it);
    return mem_copy_to_user(&rb->mem, uval, &it, sizeof(it));
}

/* kernel/time/itimer.c, alarm_setitimer(): seconds beyond INT_MAX are
 * clamped; the old value is returned in whole seconds, rounded to the
 * nearest, and at least 1 while an alarm was pending. */
int64_t sys_alarm(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t seconds = (uint32_t)args->a[0];
    struct k_itimerval old;

    if (seconds > INT32_MAX)
        seconds = INT32_MAX;
    itimer_get(rb, &old);
    sig_alarm_set(rb, (int64_t)seconds * NS, 0);
    if ((!old.value.sec && old.value.usec) || old.value.usec >= 500000)
        old.value.sec++;
    return old.value.sec;
}
