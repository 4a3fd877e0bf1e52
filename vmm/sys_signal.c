/* sys_signal.c - signal dispositions, the blocked mask and the alternate
 * stack, recorded in rb->proc for delivery (which comes later).
 *
 * Host syscalls made here: none.
 */
#include <errno.h>
#include <signal.h>
#include "sys.h"
#include "sysarg.h"

_Static_assert(sizeof(struct rb_sigaction) == 32, "x86-64 kernel struct sigaction");
_Static_assert(sizeof(struct rb_altstack) == 24, "x86-64 stack_t");

/* Order as in kernel/signal.c, rt_sigaction: size, copy in, validate, then
 * the old action goes out after the new one is installed.  SIGKILL and
 * SIGSTOP may be queried but not changed (do_sigaction()). */
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
    }
    return uoact ? mem_copy_to_user(&rb->mem, uoact, &old, sizeof(old)) : 0;
}

/* `how` is checked only when a new set is given (kernel/signal.c). */
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
        rb->proc.sigmask = mask;
    }
    return uoset ? mem_copy_to_user(&rb->mem, uoset, &old, sizeof(old)) : 0;
}

/* kernel/signal.c, do_sigaltstack().  No handler runs yet, so the program
 * is never on the alternate stack: no -EPERM and no SS_ONSTACK to report.
 * A stack of size 0 reads back as SS_DISABLE. */
int64_t sys_sigaltstack(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t uss = args->a[0];
    uint64_t uoss = args->a[1];
    struct rb_altstack *cur = &rb->proc.altstack;
    struct rb_altstack ss, old = {
        .sp = cur->sp,
        .flags = (cur->size ? 0 : SS_DISABLE) | (int32_t)(cur->flags & SYSARG_SS_AUTODISARM),
        .size = cur->size,
    };

    if (uss) {
        if (mem_copy_from_user(&rb->mem, &ss, uss, sizeof(ss)) < 0)
            return -EFAULT;
        int rc = sysarg_ss_flags(ss.flags);
        if (rc < 0)
            return rc;
        if ((ss.flags & ~(int32_t)SYSARG_SS_AUTODISARM) == SS_DISABLE)
            ss.sp = ss.size = 0;
        else if (ss.size < SYSARG_MINSIGSTKSZ)
            return -ENOMEM;
        ss.pad = 0;
        *cur = ss;
    }
    return uoss ? mem_copy_to_user(&rb->mem, uoss, &old, sizeof(old)) : 0;
}
