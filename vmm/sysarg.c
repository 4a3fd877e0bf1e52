/* sysarg.c - pure decoders for guest syscall arguments (see sysarg.h). */
#include "sysarg.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include "ringbox_abi.h"

#define SIGBIT(sig) (1ULL << ((sig) - 1))
#define SSIZE_MAX_U64 ((uint64_t)INT64_MAX)

/* x86's SA_RESTORER and the generic SA_EXPOSE_TAGBITS, which glibc's
 * <signal.h> does not define (include/uapi/asm-generic/signal-defs.h). */
#define RB_SA_RESTORER 0x04000000ULL
#define RB_SA_EXPOSE_TAGBITS 0x00000800ULL

_Static_assert(sizeof(struct sysarg_iovec) == 16, "x86-64 struct iovec");
_Static_assert(sizeof(struct sysarg_timespec) == 16, "struct __kernel_timespec");

int sysarg_user_range(uint64_t va, uint64_t len)
{
    return len <= RB_USER_TOP && va <= RB_USER_TOP - len ? 0 : -EFAULT;
}

int sysarg_iovec(const struct guest_mem *m, uint64_t uiov, uint64_t cnt,
                 struct sysarg_iovec *out, uint64_t *total)
{
    *total = 0;
    if (cnt > SYSARG_IOV_MAX)
        return -EINVAL;
    if (cnt == 0)
        return 0;
    if (mem_copy_from_user(m, out, uiov, cnt * sizeof(*out)) < 0)
        return -EFAULT;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if (out[i].len > SSIZE_MAX_U64 - sum)
            return -EINVAL;
        sum += out[i].len;
    }
    *total = sum < SYSARG_MAX_RW_COUNT ? sum : SYSARG_MAX_RW_COUNT;
    return 0;
}

void sysarg_uio_init(struct sysarg_uio *u, const struct guest_mem *m,
                     const struct sysarg_iovec *seg, int nseg, uint64_t total, bool to_guest)
{
    *u = (struct sysarg_uio){
        .mem = m, .seg = seg, .nseg = nseg, .left = total, .to_guest = to_guest,
    };
}

size_t sysarg_uio_next(struct sysarg_uio *u, struct iovec *iov, int max, int *n)
{
    size_t got = 0;
    *n = 0;
    while (u->left > 0 && u->i < u->nseg && *n < max && !u->fault) {
        const struct sysarg_iovec *s = &u->seg[u->i];
        uint64_t want = s->len - u->off;
        if (want > u->left)
            want = u->left;
        if (want == 0) {
            u->i++;
            u->off = 0;
            continue;
        }
        int k = 0;
        long r = mem_user_iov(u->mem, s->base + u->off, want, u->to_guest, iov + *n, max - *n, &k);
        if (r <= 0) {
            u->fault = true;
            break;
        }
        *n += k;
        got += (size_t)r;
        u->off += (uint64_t)r;
        u->left -= (uint64_t)r;
        /* Short with iovecs to spare means an inaccessible page. */
        if ((uint64_t)r < want && *n < max)
            u->fault = true;
    }
    return got;
}

int sysarg_timespec(const struct guest_mem *m, uint64_t uts, struct sysarg_timespec *ts)
{
    if (mem_copy_from_user(m, ts, uts, sizeof(*ts)) < 0)
        return -EFAULT;
    if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= 1000000000)
        return -EINVAL;
    return 0;
}

int sysarg_clock(int64_t clk)
{
    return clk >= CLOCK_REALTIME && clk <= CLOCK_TAI && clk != 10 ? 0 : -EINVAL;
}

int sysarg_sleep_clock(int64_t clk)
{
    switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
        return 0;
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
        return -EPERM;
    default:
        /* A CPU-time sleep of the only thread would never end. */
        return sysarg_clock(clk) < 0 ? -EINVAL : -EOPNOTSUPP;
    }
}

uint64_t sysarg_sigmask_clean(uint64_t set)
{
    return set & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
}

int sysarg_sigmask_apply(uint64_t *mask, int how, uint64_t set)
{
    set = sysarg_sigmask_clean(set);
    switch (how) {
    case SIG_BLOCK:
        *mask |= set;
        return 0;
    case SIG_UNBLOCK:
        *mask &= ~set;
        return 0;
    case SIG_SETMASK:
        *mask = set;
        return 0;
    default:
        return -EINVAL;
    }
}

uint64_t sysarg_sa_flags(uint64_t flags)
{
    return flags & (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART |
                    SA_NODEFER | SA_RESETHAND | RB_SA_EXPOSE_TAGBITS | RB_SA_RESTORER);
}

int sysarg_ss_flags(int32_t flags)
{
    uint32_t mode = (uint32_t)flags & ~SYSARG_SS_AUTODISARM;
    return mode == 0 || mode == SS_ONSTACK || mode == SS_DISABLE ? 0 : -EINVAL;
}

void sysarg_rlimit_defaults(uint64_t cur[SYSARG_NRLIMITS], uint64_t max[SYSARG_NRLIMITS],
                            uint64_t mem_size)
{
    for (int i = 0; i < SYSARG_NRLIMITS; i++)
        cur[i] = max[i] = SYSARG_RLIM_INFINITY;
    cur[RLIMIT_STACK] = 8ULL << 20;
    cur[RLIMIT_NOFILE] = 1024;
    max[RLIMIT_NOFILE] = 4096;
    cur[RLIMIT_AS] = max[RLIMIT_AS] = mem_size;
    cur[RLIMIT_DATA] = max[RLIMIT_DATA] = mem_size;
    cur[RLIMIT_CORE] = max[RLIMIT_CORE] = 0;
}

int sysarg_rlimit_check(uint64_t new_cur, uint64_t new_max, uint64_t old_max)
{
    if (new_cur > new_max)
        return -EINVAL;
    return new_max > old_max ? -EPERM : 0;
}
