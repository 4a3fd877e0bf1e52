/* sys_poll.c - poll, ppoll, select and pselect6 on the guest's fds.
 *
 * All four become one host ppoll on the host fds behind the guest's
 * (pollset.h translates), so readiness is the host kernel's own.  The host
 * sees only the open fds asked about, never more than the table holds.
 * The host ppoll writes the time left back into its timespec, which is
 * what ppoll, select and pselect6 report to the guest (fs/select.c,
 * poll_select_finish(): not for a zero timeout, and a failed write-back is
 * ignored since the wait itself is done).
 *
 * A wait that can block lets the guest's signals end it (sig.h,
 * sig_wait_begin()): it then answers -ERESTARTNOHAND, which becomes EINTR
 * when a handler runs and a restart of the call otherwise (fs/select.c).
 * Linux restarts poll() through restart_syscall with the time left; here
 * it restarts with its whole time-out.  The signal mask of ppoll and
 * pselect6 is in force for the wait and put back after it, or after the
 * handler when a signal interrupted it (sig_mask_swap()).
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   ppoll   with no signal mask, on the guest's host fds
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "pollset.h"
#include "sig.h"
#include "sys.h"
#include "sysarg.h"

/* The x86-64 struct timeval. */
struct k_timeval {
    int64_t sec, usec;
};

/* pselect6's sixth argument (fs/select.c, struct sigset_argpack). */
struct sigset_argpack {
    uint64_t set;
    uint64_t size;
};

/* The time-out of one wait: none (wait forever) or `ts`, which the host
 * updates to the time left. */
struct wait_time {
    bool given;
    struct timespec ts;
};

/* The raw syscall, so the host's write-back of the time left lands in our
 * timespec; the VMM never changes its own signal mask. */
static int host_ppoll(struct pollfd *fds, size_t n, struct wait_time *wt)
{
    return (int)syscall(SYS_ppoll, fds, n, wt->given ? &wt->ts : NULL, NULL, 0);
}

/* The host wait, interruptible when it can block.  A signal already
 * pending ends the call only if no fd is ready (fs/select.c, do_poll():
 * ready fds are counted before signal_pending() is looked at). */
static int wait_host(struct ringbox *rb, struct pollfd *fds, size_t n, struct wait_time *wt)
{
    struct wait_time now = {.given = true};
    bool blocks = !wt->given || wt->ts.tv_sec || wt->ts.tv_nsec;
    int r;

    if (!blocks)
        return host_ppoll(fds, n, wt) < 0 ? -errno : 0;
    if (sig_wait_begin(rb) < 0) {
        r = host_ppoll(fds, n, &now);
        return r < 0 ? -errno : r > 0 ? r : -SIG_ERESTARTNOHAND;
    }
    r = host_ppoll(fds, n, wt);
    int e = errno;
    sig_wait_end(rb);
    if (r < 0)
        return e == EINTR ? -SIG_ERESTARTNOHAND : -e;
    return r;
}

/* A zero time-out, or none, is never written back. */
static bool write_back(const struct wait_time *wt, const struct timespec *asked)
{
    return wt->given && (asked->tv_sec || asked->tv_nsec);
}

/* set_user_sigmask() (kernel/signal.c): no set is fine, a set needs the
 * kernel's sigset size and must be readable; it replaces the mask for the
 * wait.  *masked says whether one did. */
static int mask_begin(struct ringbox *rb, uint64_t uset, uint64_t size, bool *masked)
{
    uint64_t mask;
    *masked = uset != 0;
    if (!uset)
        return 0;
    if (size != SYSARG_SIGSET_SIZE)
        return -EINVAL;
    if (mem_copy_from_user(&rb->mem, &mask, uset, sizeof(mask)) < 0)
        return -EFAULT;
    sig_mask_swap(rb, mask);
    return 0;
}

/* The end ppoll and pselect6 share: put the mask back (kept until the
 * handler runs when the wait was interrupted, restore_saved_sigmask_unless())
 * and write the time left back as a timespec. */
static int64_t mask_end(struct ringbox *rb, bool masked, int64_t ret, const struct wait_time *wt,
                        const struct timespec *asked, uint64_t uts)
{
    if (masked)
        sig_mask_restore(rb, ret == -SIG_ERESTARTNOHAND);
    if (write_back(wt, asked)) {
        struct sysarg_timespec left = {.sec = wt->ts.tv_sec, .nsec = wt->ts.tv_nsec};
        mem_copy_to_user(&rb->mem, uts, &left, sizeof(left));
    }
    return ret;
}

/* A guest timespec time-out, when uts is not NULL. */
static int read_timeout(struct ringbox *rb, uint64_t uts, struct wait_time *wt)
{
    struct sysarg_timespec ts;
    *wt = (struct wait_time){.given = uts != 0};
    if (!uts)
        return 0;
    int rc = sysarg_timespec(&rb->mem, uts, &ts);
    if (rc == 0)
        wt->ts = (struct timespec){.tv_sec = ts.sec, .tv_nsec = ts.nsec};
    return rc;
}

/* fs/select.c, do_sys_poll(): the count against RLIMIT_NOFILE, then the
 * array.  Entries naming a closed fd are ready at once (POLLNVAL), so the
 * host is then only asked how the others stand right now. */
static int64_t do_poll(struct ringbox *rb, uint64_t ufds, uint64_t nfds, struct wait_time *wt)
{
    if (nfds > (uint64_t)sys_nofile(rb))
        return -EINVAL;
    size_t n = (size_t)nfds;
    struct pollfd *guest = calloc(2 * n + 1, sizeof(*guest));
    size_t *idx = calloc(n + 1, sizeof(*idx));
    int64_t ret = -ENOMEM;
    if (!guest || !idx)
        goto out;
    struct pollfd *host = guest + n;
    ret = -EFAULT;
    if (mem_copy_from_user(&rb->mem, guest, ufds, n * sizeof(*guest)) < 0)
        goto out;
    size_t nval;
    size_t nhost = pollset_poll_to_host(&rb->fds, guest, n, host, idx, &nval);
    struct wait_time now = {.given = true};
    int r = wait_host(rb, host, nhost, nval ? &now : wt);
    size_t count = pollset_poll_from_host(guest, n, host, nhost, idx);
    if (r < 0)
        ret = r;
    else if (mem_copy_to_user(&rb->mem, ufds, guest, n * sizeof(*guest)) < 0)
        ret = -EFAULT;
    else
        ret = (int64_t)count;
out:
    free(guest);
    free(idx);
    return ret;
}

/* Milliseconds; a negative time-out waits forever (poll(2)). */
int64_t sys_poll(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ufds = args->a[0];
    unsigned int nfds = (unsigned int)args->a[1];
    int timeout = (int)args->a[2];
    struct wait_time wt = {.given = timeout >= 0};

    if (wt.given)
        wt.ts = (struct timespec){.tv_sec = timeout / 1000, .tv_nsec = timeout % 1000 * 1000000L};
    return do_poll(rb, ufds, nfds, &wt);
}

/* fs/select.c, ppoll: the time-out, then the signal mask, then the poll. */
int64_t sys_ppoll(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ufds = args->a[0];
    unsigned int nfds = (unsigned int)args->a[1];
    uint64_t uts = args->a[2];
    uint64_t usigmask = args->a[3];
    uint64_t sigsetsize = args->a[4];
    struct wait_time wt;
    bool masked;

    int rc = read_timeout(rb, uts, &wt);
    if (rc == 0)
        rc = mask_begin(rb, usigmask, sigsetsize, &masked);
    if (rc < 0)
        return rc;
    struct timespec asked = wt.ts;
    return mask_end(rb, masked, do_poll(rb, ufds, nfds, &wt), &wt, &asked, uts);
}

/* fs/select.c, core_sys_select(): n < 0 is EINVAL, n past the fd table is
 * cut to it, each set present is read (whole words) and, after the wait,
 * overwritten with the fds that are ready. */
static int64_t do_select(struct ringbox *rb, int n, uint64_t uset[3], struct wait_time *wt)
{
    if (n < 0)
        return -EINVAL;
    int max = pollset_select_max_fds(fd_last(&rb->fds));
    if (n > max)
        n = max;
    size_t words = POLLSET_WORDS(n), bytes = words * sizeof(uint64_t);
    uint64_t *bits = calloc(3 * words + 1, sizeof(uint64_t));
    struct pollfd *host = calloc((size_t)n + 1, sizeof(*host));
    int *gfd = calloc((size_t)n + 1, sizeof(*gfd));
    uint64_t *set[3] = {NULL, NULL, NULL};
    int64_t ret = -ENOMEM;
    if (!bits || !host || !gfd)
        goto out;
    ret = -EFAULT;
    for (int i = 0; i < 3; i++) {
        if (!uset[i])
            continue;
        set[i] = bits + (size_t)i * words;
        if (mem_copy_from_user(&rb->mem, set[i], uset[i], bytes) < 0)
            goto out;
    }
    int nhost = pollset_select_to_host(&rb->fds, n, set[0], set[1], set[2], host, gfd);
    ret = nhost;
    if (nhost < 0)
        goto out;
    int r = wait_host(rb, host, (size_t)nhost, wt);
    ret = r;
    if (r < 0)
        goto out;
    ret = pollset_select_from_host(n, host, nhost, gfd, set[0], set[1], set[2]);
    for (int i = 0; i < 3; i++)
        if (set[i] && mem_copy_to_user(&rb->mem, uset[i], set[i], bytes) < 0)
            ret = -EFAULT;
out:
    free(bits);
    free(host);
    free(gfd);
    return ret;
}

int64_t sys_select(struct ringbox *rb, const struct sys_args *args)
{
    int n = (int)args->a[0];
    uint64_t uset[3] = {args->a[1], args->a[2], args->a[3]};
    uint64_t utv = args->a[4];
    struct k_timeval tv;
    struct wait_time wt = {.given = utv != 0};

    if (utv) {
        if (mem_copy_from_user(&rb->mem, &tv, utv, sizeof(tv)) < 0)
            return -EFAULT;
        int rc = pollset_timeval(tv.sec, tv.usec, &wt.ts);
        if (rc < 0)
            return rc;
    }
    struct timespec asked = wt.ts;
    int64_t ret = do_select(rb, n, uset, &wt);
    if (write_back(&wt, &asked)) {
        struct k_timeval left = {.sec = wt.ts.tv_sec, .usec = wt.ts.tv_nsec / 1000};
        mem_copy_to_user(&rb->mem, utv, &left, sizeof(left));
    }
    return ret;
}

/* fs/select.c, pselect6: the mask's argument pack, the time-out, the mask
 * itself, then the select. */
int64_t sys_pselect6(struct ringbox *rb, const struct sys_args *args)
{
    int n = (int)args->a[0];
    uint64_t uset[3] = {args->a[1], args->a[2], args->a[3]};
    uint64_t uts = args->a[4];
    uint64_t upack = args->a[5];
    struct sigset_argpack pack = {0, 0};
    struct wait_time wt;
    bool masked;

    if (upack && mem_copy_from_user(&rb->mem, &pack, upack, sizeof(pack)) < 0)
        return -EFAULT;
    int rc = read_timeout(rb, uts, &wt);
    if (rc == 0)
        rc = mask_begin(rb, pack.set, pack.size, &masked);
    if (rc < 0)
        return rc;
    struct timespec asked = wt.ts;
    return mask_end(rb, masked, do_select(rb, n, uset, &wt), &wt, &asked, uts);
}
