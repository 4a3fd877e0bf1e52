/* sys_info.c - resource usage, process times, system information, the
 * current CPU and the scheduling policy, as the sandbox presents them.
 *
 * The sandbox is a machine of its own: one CPU, the guest's memory as its
 * RAM, one process, booted when its run began, with no load history.
 * What only the host can measure (CPU time) comes from the host.
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   getrusage RUSAGE_THREAD  the thread that runs the vCPU
 *   clock_gettime            times()'s clock, the uptime and its idle part
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <time.h>
#include "sys.h"

/* The x86-64 kernel's structs (include/uapi/linux/resource.h, sysinfo.h,
 * times.h): glibc's are the same. */
_Static_assert(sizeof(struct rusage) == 144, "x86-64 struct rusage");
_Static_assert(sizeof(struct sysinfo) == 112, "x86-64 struct sysinfo");
_Static_assert(sizeof(struct tms) == 32, "x86-64 struct tms");

/* clock_t ticks per second in every x86 user ABI (USER_HZ,
 * arch/x86/include/uapi/asm/param.h), whatever the kernel's HZ. */
#define USER_HZ 100

static bool is_self(int pid)
{
    return pid == 0 || pid == RB_GUEST_PID;
}

/* The guest runs on the host thread that calls KVM_RUN, and the host counts
 * guest time as that thread's user time, so the thread's usage is the
 * program's plus the VMM's work for it: an approximation from above.
 * ru_maxrss is the VMM process's peak, guest memory included.  There are
 * no children, so their usage is zero (kernel/sys.c, getrusage()). */
int64_t sys_getrusage(struct ringbox *rb, const struct sys_args *args)
{
    int who = (int)args->a[0];
    uint64_t uru = args->a[1];
    struct rusage ru;

    memset(&ru, 0, sizeof(ru));
    switch (who) {
    case RUSAGE_SELF:
    case RUSAGE_THREAD:
        if (getrusage(RUSAGE_THREAD, &ru) < 0)
            return -errno;
        break;
    case RUSAGE_CHILDREN:
        break;
    default:
        return -EINVAL;
    }
    return mem_copy_to_user(&rb->mem, uru, &ru, sizeof(ru));
}

static int64_t ticks(const struct timeval *tv)
{
    return tv->tv_sec * USER_HZ + tv->tv_usec / (1000000 / USER_HZ);
}

/* Times as getrusage measures them.  The return value counts ticks from an
 * arbitrary point, as times(2) allows: here the host's CLOCK_MONOTONIC,
 * where Linux counts from shortly before boot (kernel/sys.c, times()). */
int64_t sys_times(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ubuf = args->a[0];
    struct timespec now;

    if (ubuf) {
        struct rusage ru;
        if (getrusage(RUSAGE_THREAD, &ru) < 0)
            return -errno;
        struct tms t = {.tms_utime = ticks(&ru.ru_utime), .tms_stime = ticks(&ru.ru_stime)};
        if (mem_copy_to_user(&rb->mem, ubuf, &t, sizeof(t)) < 0)
            return -EFAULT;
    }
    if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
        return -errno;
    return now.tv_sec * USER_HZ + now.tv_nsec / (1000000000 / USER_HZ);
}

static int64_t now_ns(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void sys_uptime(struct ringbox *rb, uint64_t *up_ns, uint64_t *idle_ns)
{
    *up_ns = *idle_ns = 0;
    if (!rb->lim.t0)
        return;
    int64_t up = now_ns(CLOCK_MONOTONIC) - rb->lim.t0;
    int64_t busy = now_ns(CLOCK_THREAD_CPUTIME_ID) - rb->lim.cpu_t0;
    *up_ns = up > 0 ? (uint64_t)up : 0;
    *idle_ns = up > busy ? (uint64_t)(up - busy) : 0;
}

/* The sandbox's memory is the guest's: all of it is RAM, what the page
 * allocator has not handed out is free, and there is no swap, no shared
 * or buffer memory and no high memory.  One process.  The uptime is the
 * sandbox's in whole seconds, rounded up as Linux rounds it (kernel/sys.c,
 * do_sysinfo()); the loads are zero: no history is kept. */
int64_t sys_sysinfo(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t uinfo = args->a[0];
    uint64_t up, idle;
    struct sysinfo si;

    sys_uptime(rb, &up, &idle);
    memset(&si, 0, sizeof(si));
    si.uptime = (long)((up + 999999999) / 1000000000);
    si.totalram = rb->mem.size;
    si.freeram = mem_free_bytes(&rb->mem);
    si.procs = 1;
    si.mem_unit = 1;
    return mem_copy_to_user(&rb->mem, uinfo, &si, sizeof(si));
}

/* One vCPU: CPU 0 on node 0.  The cache argument is unused since Linux
 * 2.6.24 (getcpu(2)). */
int64_t sys_getcpu(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ucpu = args->a[0];
    uint64_t unode = args->a[1];
    const unsigned int zero = 0;
    int rc = 0;

    if (ucpu)
        rc |= mem_copy_to_user(&rb->mem, ucpu, &zero, sizeof(zero));
    if (unode)
        rc |= mem_copy_to_user(&rb->mem, unode, &zero, sizeof(zero));
    return rc ? -EFAULT : 0;
}

/* kernel/sched/syscalls.c: arguments, then the process, then the copy.
 * The program runs under SCHED_OTHER, whose static priority is 0. */
int64_t sys_sched_getparam(struct ringbox *rb, const struct sys_args *args)
{
    int pid = (int)args->a[0];
    uint64_t uparam = args->a[1];
    struct sched_param p = {.sched_priority = 0};

    if (!uparam || pid < 0)
        return -EINVAL;
    if (!is_self(pid))
        return -ESRCH;
    return mem_copy_to_user(&rb->mem, uparam, &p, sizeof(p));
}

int64_t sys_sched_getscheduler(struct ringbox *rb, const struct sys_args *args)
{
    int pid = (int)args->a[0];
    (void)rb;

    if (pid < 0)
        return -EINVAL;
    return is_self(pid) ? SCHED_OTHER : -ESRCH;
}
