/* sys_time.c - clocks, sleeps and random bytes, served from the host's.
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   clock_gettime      (usually through the vDSO, but a clock it lacks falls
 *                       back to the syscall)
 *   clock_nanosleep    nanosleep and clock_nanosleep
 *   getrandom          into guest RAM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include "sig.h"
#include "sys.h"
#include "sysarg.h"

/* One getrandom call returns at most this (getrandom(2), NOTES). */
#define GETRANDOM_MAX ((1ULL << 25) - 1)
#define GETRANDOM_FLAGS (GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)
/* Host iovecs per batch: a batch covers at least this many pages. */
#define GETRANDOM_IOV 64

/* The x86-64 struct timeval and struct timezone. */
struct k_timeval {
    int64_t sec, usec;
};
struct k_timezone {
    int32_t minuteswest, dsttime;
};

int64_t sys_clock_gettime(struct ringbox *rb, const struct sys_args *args)
{
    clockid_t clk = (clockid_t)args->a[0];
    uint64_t utp = args->a[1];
    struct timespec t;

    if (sysarg_clock(clk) < 0)
        return -EINVAL;
    if (clock_gettime(clk, &t) < 0)
        return -errno;
    struct sysarg_timespec ts = {.sec = t.tv_sec, .nsec = t.tv_nsec};
    return mem_copy_to_user(&rb->mem, utp, &ts, sizeof(ts));
}

/* The timezone is always UTC (0, 0): the host's sys_tz is none of the
 * program's business. */
int64_t sys_gettimeofday(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t utv = args->a[0];
    uint64_t utz = args->a[1];
    struct timespec t;

    if (utv) {
        if (clock_gettime(CLOCK_REALTIME, &t) < 0)
            return -errno;
        struct k_timeval tv = {.sec = t.tv_sec, .usec = t.tv_nsec / 1000};
        if (mem_copy_to_user(&rb->mem, utv, &tv, sizeof(tv)) < 0)
            return -EFAULT;
    }
    if (utz) {
        struct k_timezone tz = {0, 0};
        if (mem_copy_to_user(&rb->mem, utz, &tz, sizeof(tz)) < 0)
            return -EFAULT;
    }
    return 0;
}

int64_t sys_time(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t tloc = args->a[0];
    struct timespec t;

    if (clock_gettime(CLOCK_REALTIME, &t) < 0)
        return -errno;
    int64_t now = t.tv_sec;
    if (tloc && mem_copy_to_user(&rb->mem, tloc, &now, sizeof(now)) < 0)
        return -EFAULT;
    return now;
}

/* Sleep on the host until a signal the guest takes is pending (sig.h).
 * Then the time left goes to `urem` (if given) and the guest sees -EINTR,
 * which is what Linux gives when a handler runs; an absolute sleep has no
 * remainder (clock_nanosleep(2)). */
static int64_t do_sleep(struct ringbox *rb, clockid_t clk, int flags, uint64_t ureq,
                        uint64_t urem)
{
    struct sysarg_timespec req;
    int rc = sysarg_timespec(&rb->mem, ureq, &req);
    if (rc < 0)
        return rc;
    struct timespec now;
    bool rel = !(flags & TIMER_ABSTIME);
    struct timespec end = sig_sleep_end(clk, req.sec, req.nsec, !rel);
    rc = sig_sleep(rb, clk, &end);
    if (rc != -EINTR)
        return rc;
    if (urem && rel) {
        clock_gettime(clk, &now);
        int64_t left = (int64_t)(end.tv_sec - now.tv_sec) * 1000000000 + (end.tv_nsec - now.tv_nsec);
        if (left < 0)
            left = 0;
        struct sysarg_timespec rem = {.sec = left / 1000000000, .nsec = left % 1000000000};
        if (mem_copy_to_user(&rb->mem, urem, &rem, sizeof(rem)) < 0)
            return -EFAULT;
    }
    return -EINTR;
}

/* nanosleep measures CLOCK_MONOTONIC (kernel/time/hrtimer.c). */
int64_t sys_nanosleep(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ureq = args->a[0];
    uint64_t urem = args->a[1];
    return do_sleep(rb, CLOCK_MONOTONIC, 0, ureq, urem);
}

/* Flags other than TIMER_ABSTIME are ignored, as Linux does. */
int64_t sys_clock_nanosleep(struct ringbox *rb, const struct sys_args *args)
{
    clockid_t clk = (clockid_t)args->a[0];
    int flags = (int)args->a[1];
    uint64_t ureq = args->a[2];
    uint64_t urem = args->a[3];

    int rc = sysarg_sleep_clock(clk);
    return rc < 0 ? rc : do_sleep(rb, clk, flags, ureq, urem);
}

/* Filled straight into guest RAM, one host call per host iovec, stopping
 * at the first short one (drivers/char/random.c, getrandom). */
int64_t sys_getrandom(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ubuf = args->a[0];
    uint64_t count = args->a[1];
    unsigned int flags = (unsigned int)args->a[2];
    struct iovec iov[GETRANDOM_IOV];
    struct sysarg_uio u;
    int64_t done = 0;
    int n;

    if (flags & ~GETRANDOM_FLAGS)
        return -EINVAL;
    if ((flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    struct sysarg_iovec seg = {.base = ubuf, .len = count};
    sysarg_uio_init(&u, &rb->mem, &seg, 1, count < GETRANDOM_MAX ? count : GETRANDOM_MAX, true);
    for (size_t want; (want = sysarg_uio_next(&u, iov, GETRANDOM_IOV, &n)) > 0;) {
        for (int i = 0; i < n; i++) {
            ssize_t r = getrandom(iov[i].iov_base, iov[i].iov_len, flags);
            if (r < 0)
                return done > 0 ? done : -errno;
            done += r;
            if ((size_t)r < iov[i].iov_len)
                return done;
        }
    }
    return done == 0 && u.fault ? -EFAULT : done;
}
