/* sys_proc.c - the process and thread state of the one guest thread: exit,
 * TLS bases, ids, limits, affinity, prctl and single-threaded futexes.
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   clock_nanosleep    a futex wait (through sig_sleep(), with pause)
 */
#define _GNU_SOURCE /* struct utsname's domainname */
#include <asm/prctl.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "sig.h"
#include "sys.h"
#include "sysarg.h"

/* struct new_utsname (include/uapi/linux/utsname.h): six fields of 65. */
_Static_assert(sizeof(struct utsname) == 6 * 65, "struct new_utsname");
_Static_assert(sizeof(((struct rb_proc *)0)->rlim_cur) == SYSARG_NRLIMITS * sizeof(uint64_t),
               "one limit per RLIMIT_*");

/* struct robust_list_head (include/uapi/linux/futex.h), x86-64. */
#define ROBUST_LIST_HEAD_SIZE 24

int64_t sys_exit(struct ringbox *rb, const struct sys_args *args)
{
    int status = (int)(args->a[0] & 0xff);
    vm_exit(rb, status);
    return 0;
}

/* One thread, so ending it ends the process. */
int64_t sys_exit_group(struct ringbox *rb, const struct sys_args *args)
{
    return sys_exit(rb, args);
}

/* Addresses at or past TASK_SIZE_MAX are -EPERM
 * (arch/x86/kernel/process_64.c, do_arch_prctl_64()). */
int64_t sys_arch_prctl(struct ringbox *rb, const struct sys_args *args)
{
    int code = (int)args->a[0];
    uint64_t addr = args->a[1];
    struct kvm_sregs *sr = vm_sregs(rb);

    switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (addr >= RB_USER_TOP)
            return -EPERM;
        if (code == ARCH_SET_FS)
            sr->fs.base = addr;
        else
            sr->gs.base = addr;
        vm_sregs_dirty(rb);
        return 0;
    case ARCH_GET_FS:
        return mem_copy_to_user(&rb->mem, addr, &sr->fs.base, sizeof(sr->fs.base));
    case ARCH_GET_GS:
        return mem_copy_to_user(&rb->mem, addr, &sr->gs.base, sizeof(sr->gs.base));
    default:
        return -EINVAL;
    }
}

int64_t sys_set_tid_address(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t tidptr = args->a[0];
    rb->proc.clear_child_tid = tidptr;
    return RB_GUEST_PID;
}

int64_t sys_set_robust_list(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t head = args->a[0];
    uint64_t len = args->a[1];
    if (len != ROBUST_LIST_HEAD_SIZE)
        return -EINVAL;
    rb->proc.robust_list = head;
    rb->proc.robust_len = len;
    return 0;
}

/* Deliberately "not supported" rather than unknown: glibc (2.35+) tries to
 * register rseq at startup and, on ENOSYS, sets __rseq_size to 0 and falls
 * back to the getcpu syscall (sysdeps/unix/sysv/linux/rseq-internal.h);
 * musl never calls it.  Registering would oblige the VMM to update the
 * area's cpu_id and abort critical sections on preemption. */
int64_t sys_rseq(struct ringbox *rb, const struct sys_args *args)
{
    (void)rb;
    (void)args;
    return -ENOSYS;
}

int sys_nofile(struct ringbox *rb)
{
    uint64_t cur = rb->proc.rlim_cur[RLIMIT_NOFILE];
    return cur > INT_MAX ? INT_MAX : (int)cur;
}

/* Order as in kernel/sys.c, prlimit64: copy in, find the task, check the
 * resource and the new values, and copy out the old ones after the new
 * ones took effect. */
int64_t sys_prlimit64(struct ringbox *rb, const struct sys_args *args)
{
    int pid = (int)args->a[0];
    unsigned int res = (unsigned int)args->a[1];
    uint64_t unew = args->a[2];
    uint64_t uold = args->a[3];
    uint64_t nw[2], old[2];

    if (unew && mem_copy_from_user(&rb->mem, nw, unew, sizeof(nw)) < 0)
        return -EFAULT;
    if (pid != 0 && pid != RB_GUEST_PID)
        return -ESRCH;
    if (res >= SYSARG_NRLIMITS)
        return -EINVAL;
    old[0] = rb->proc.rlim_cur[res];
    old[1] = rb->proc.rlim_max[res];
    if (unew) {
        int rc = sysarg_rlimit_check(nw[0], nw[1], old[1]);
        if (rc < 0)
            return rc;
        rb->proc.rlim_cur[res] = nw[0];
        rb->proc.rlim_max[res] = nw[1];
    }
    return uold ? mem_copy_to_user(&rb->mem, uold, old, sizeof(old)) : 0;
}

int64_t sys_getrlimit(struct ringbox *rb, const struct sys_args *args)
{
    unsigned int res = (unsigned int)args->a[0];
    uint64_t urlim = args->a[1];
    if (res >= SYSARG_NRLIMITS)
        return -EINVAL;
    uint64_t lim[2] = {rb->proc.rlim_cur[res], rb->proc.rlim_max[res]};
    return mem_copy_to_user(&rb->mem, urlim, lim, sizeof(lim));
}

/* The sandbox's identity, never the host's: the release and nodename are
 * the configured ones (hostinfo.h), the version ringbox's, and the domain
 * name that of a fresh UTS namespace (kernel/utsname.c copies init's,
 * "(none)"). */
int64_t sys_uname(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ubuf = args->a[0];
    struct utsname u;

    memset(&u, 0, sizeof(u));
    snprintf(u.sysname, sizeof(u.sysname), "Linux");
    snprintf(u.nodename, sizeof(u.nodename), "%s", rb->host.nodename);
    snprintf(u.release, sizeof(u.release), "%s", rb->host.release);
    snprintf(u.version, sizeof(u.version), "#1 SMP ringbox %s", RINGBOX_VERSION);
    snprintf(u.machine, sizeof(u.machine), "x86_64");
    snprintf(u.domainname, sizeof(u.domainname), "(none)");
    return mem_copy_to_user(&rb->mem, ubuf, &u, sizeof(u));
}

int64_t sys_getpid(struct ringbox *rb, const struct sys_args *args)
{
    (void)rb;
    (void)args;
    return RB_GUEST_PID;
}

/* One thread, so its tid is the pid. */
int64_t sys_gettid(struct ringbox *rb, const struct sys_args *args)
{
    return sys_getpid(rb, args);
}

int64_t sys_getppid(struct ringbox *rb, const struct sys_args *args)
{
    (void)rb;
    (void)args;
    return RB_GUEST_PPID;
}

/* Real, effective and saved ids are one: the program cannot change them. */
int64_t sys_getuid(struct ringbox *rb, const struct sys_args *args)
{
    (void)args;
    return rb->proc.uid;
}

int64_t sys_geteuid(struct ringbox *rb, const struct sys_args *args)
{
    return sys_getuid(rb, args);
}

int64_t sys_getgid(struct ringbox *rb, const struct sys_args *args)
{
    (void)args;
    return rb->proc.gid;
}

int64_t sys_getegid(struct ringbox *rb, const struct sys_args *args)
{
    return sys_getgid(rb, args);
}

/* One vCPU, so one CPU: bit 0.  Linux writes min(len, cpumask_size())
 * bytes and returns that count (kernel/sched/core.c, sched_getaffinity). */
int64_t sys_sched_getaffinity(struct ringbox *rb, const struct sys_args *args)
{
    int pid = (int)args->a[0];
    unsigned int len = (unsigned int)args->a[1];
    uint64_t umask = args->a[2];
    uint64_t mask = 1;

    if (len < sizeof(mask) || len % sizeof(mask))
        return -EINVAL;
    if (pid != 0 && pid != RB_GUEST_PID)
        return -ESRCH;
    int rc = mem_copy_to_user(&rb->mem, umask, &mask, sizeof(mask));
    return rc < 0 ? rc : (int64_t)sizeof(mask);
}

/* The only thread has nobody to yield to. */
int64_t sys_sched_yield(struct ringbox *rb, const struct sys_args *args)
{
    (void)rb;
    (void)args;
    return 0;
}

/* FUTEX_WAIT(_BITSET) with nobody else to wake us: the value check, then
 * sleep until the timeout or a signal (sig_sleep()).  Interrupted, an
 * untimed wait restarts under SA_RESTART and is -EINTR otherwise, and a
 * timed one is -EINTR (kernel/futex/waitwake.c, futex_wait()).
 * Checks in kernel/futex order: timeout, bitset, alignment, value. */
static int64_t futex_wait(struct ringbox *rb, uint64_t uaddr, uint32_t val, uint64_t utime,
                          uint32_t bitset, clockid_t clk, int abs)
{
    struct sysarg_timespec ts;
    uint32_t cur;

    if (utime) {
        int rc = sysarg_timespec(&rb->mem, utime, &ts);
        if (rc < 0)
            return rc;
    }
    if (!bitset || uaddr % sizeof(cur))
        return -EINVAL;
    if (mem_copy_from_user(&rb->mem, &cur, uaddr, sizeof(cur)) < 0)
        return -EFAULT;
    if (cur != val)
        return -EAGAIN;
    if (!utime) {
        sig_sleep(rb, clk, NULL);
        return -SIG_ERESTARTSYS;
    }
    struct timespec t = sig_sleep_end(clk, ts.sec, ts.nsec, abs);
    int rc = sig_sleep(rb, clk, &t);
    return rc == 0 ? -ETIMEDOUT : rc;
}

/* Nobody else can be waiting.  A private key never touches the page, so
 * only alignment and the address range are checked (get_futex_key()). */
static int64_t futex_wake(uint64_t uaddr, uint32_t bitset)
{
    if (!bitset || uaddr % sizeof(uint32_t))
        return -EINVAL;
    return sysarg_user_range(uaddr, sizeof(uint32_t)) < 0 ? -EFAULT : 0;
}

int64_t sys_futex(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t uaddr = args->a[0];
    int op = (int)args->a[1];
    uint32_t val = (uint32_t)args->a[2];
    uint64_t utime = args->a[3];
    uint32_t val3 = (uint32_t)args->a[5];
    int cmd = op & FUTEX_CMD_MASK;
    bool realtime = op & FUTEX_CLOCK_REALTIME;

    /* kernel/futex/syscalls.c, do_futex(): CLOCK_REALTIME only with the
     * absolute-timeout operations. */
    if (realtime && cmd != FUTEX_WAIT_BITSET)
        return -ENOSYS;
    switch (cmd) {
    case FUTEX_WAIT: /* a relative timeout on CLOCK_MONOTONIC */
        return futex_wait(rb, uaddr, val, utime, FUTEX_BITSET_MATCH_ANY, CLOCK_MONOTONIC, 0);
    case FUTEX_WAIT_BITSET: /* an absolute one */
        return futex_wait(rb, uaddr, val, utime, val3, realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC,
                          TIMER_ABSTIME);
    case FUTEX_WAKE:
        return futex_wake(uaddr, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAKE_BITSET:
        return futex_wake(uaddr, val3);
    default:
        return -ENOSYS;
    }
}

/* The name as PR_SET_NAME reads it: at most 15 bytes up to a NUL, the rest
 * of the 16 zero (kernel/sys.c, prctl: strncpy_from_user() of
 * TASK_COMM_LEN - 1 bytes, so a name without a NUL in those bytes is cut,
 * and a fault before the end of the name is EFAULT). */
static int set_name(struct ringbox *rb, uint64_t uname)
{
    char comm[sizeof(rb->proc.comm)];
    memset(comm, 0, sizeof(comm));
    for (size_t i = 0; i < sizeof(comm) - 1; i++) {
        if (mem_copy_from_user(&rb->mem, &comm[i], uname + i, 1) < 0)
            return -EFAULT;
        if (!comm[i])
            break;
    }
    memcpy(rb->proc.comm, comm, sizeof(comm));
    return 0;
}

/* The options libcs and runtimes ask for, each checked as kernel/sys.c's
 * prctl checks it; every other option is -EINVAL, the answer of a kernel
 * that lacks it (PR_SET_VMA, for one, without CONFIG_ANON_VMA_NAME).  The
 * sandbox holds no capabilities, so its bounding set is empty. */
int64_t sys_prctl(struct ringbox *rb, const struct sys_args *args)
{
    int option = (int)args->a[0];
    uint64_t arg2 = args->a[1];
    uint64_t arg3 = args->a[2];
    uint64_t arg4 = args->a[3];
    uint64_t arg5 = args->a[4];
    int sig;

    switch (option) {
    case PR_SET_NAME:
        return set_name(rb, arg2);
    case PR_GET_NAME:
        return mem_copy_to_user(&rb->mem, arg2, rb->proc.comm, sizeof(rb->proc.comm));
    case PR_GET_DUMPABLE:
        return rb->proc.undumpable ? 0 : 1;
    case PR_SET_DUMPABLE: /* SUID_DUMP_DISABLE or SUID_DUMP_USER */
        if (arg2 > 1)
            return -EINVAL;
        rb->proc.undumpable = arg2 == 0;
        return 0;
    case PR_SET_PDEATHSIG: /* valid_signal(): 0 to _NSIG */
        if (arg2 > RB_NSIG)
            return -EINVAL;
        rb->proc.pdeathsig = (int)arg2;
        return 0;
    case PR_GET_PDEATHSIG:
        sig = rb->proc.pdeathsig;
        return mem_copy_to_user(&rb->mem, arg2, &sig, sizeof(sig));
    case PR_SET_NO_NEW_PRIVS:
        if (arg2 != 1 || arg3 || arg4 || arg5)
            return -EINVAL;
        rb->proc.no_new_privs = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        if (arg2 || arg3 || arg4 || arg5)
            return -EINVAL;
        return rb->proc.no_new_privs;
    case PR_CAPBSET_READ: /* cap_valid() */
        return arg2 > CAP_LAST_CAP ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}
