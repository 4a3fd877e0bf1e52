/* pollset.c - poll and select sets between guest and host fds (see pollset.h). */
#include <errno.h>
#include <string.h>
#include "pollset.h"

#define BIT(fd) (1ULL << ((fd) % 64))
#define WORD(fd) ((fd) / 64)

size_t pollset_poll_to_host(const struct fd_table *t, const struct pollfd *guest, size_t n,
                            struct pollfd *host, size_t *idx, size_t *nval)
{
    size_t nh = 0;
    *nval = 0;
    for (size_t i = 0; i < n; i++) {
        if (guest[i].fd < 0)
            continue;
        int h = fd_host(t, guest[i].fd);
        if (h < 0) {
            (*nval)++;
            continue;
        }
        host[nh] = (struct pollfd){.fd = h, .events = guest[i].events};
        idx[nh++] = i;
    }
    return nh;
}

size_t pollset_poll_from_host(struct pollfd *guest, size_t n, const struct pollfd *host,
                              size_t nhost, const size_t *idx)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        guest[i].revents = guest[i].fd < 0 ? 0 : POLLNVAL;
    for (size_t i = 0; i < nhost; i++)
        guest[idx[i]].revents = host[i].revents;
    for (size_t i = 0; i < n; i++)
        count += guest[i].revents != 0;
    return count;
}

int pollset_select_max_fds(int last_open)
{
    const int per_kib = 1024 / 8; /* 1024 / sizeof(struct file *) */
    if (last_open < 64)
        return 64;
    int nr = last_open / per_kib + 1, pow = 1;
    while (pow < nr)
        pow *= 2;
    return pow * per_kib;
}

static bool isset(const uint64_t *set, int fd)
{
    return set && (set[WORD(fd)] & BIT(fd));
}

int pollset_select_to_host(const struct fd_table *t, int n, const uint64_t *in,
                           const uint64_t *out, const uint64_t *ex, struct pollfd *host, int *gfd)
{
    int nh = 0;
    for (int fd = 0; fd < n; fd++) {
        short ev = (isset(in, fd) ? POLLIN | POLLRDNORM | POLLRDBAND : 0) |
                   (isset(out, fd) ? POLLOUT | POLLWRNORM | POLLWRBAND : 0) |
                   (isset(ex, fd) ? POLLPRI : 0);
        if (!ev)
            continue;
        int h = fd_host(t, fd);
        if (h < 0)
            return -EBADF;
        host[nh] = (struct pollfd){.fd = h, .events = ev};
        gfd[nh++] = fd;
    }
    return nh;
}

/* Keep fd's bit in `set` if the fd was asked about there and is ready. */
static int mark(uint64_t *set, int fd, bool asked, short revents, short ready)
{
    if (!set || !asked || !(revents & ready))
        return 0;
    set[WORD(fd)] |= BIT(fd);
    return 1;
}

int pollset_select_from_host(int n, const struct pollfd *host, int nhost, const int *gfd,
                             uint64_t *in, uint64_t *out, uint64_t *ex)
{
    size_t bytes = POLLSET_WORDS(n) * sizeof(uint64_t);
    int count = 0;
    if (in)
        memset(in, 0, bytes);
    if (out)
        memset(out, 0, bytes);
    if (ex)
        memset(ex, 0, bytes);
    for (int i = 0; i < nhost; i++) {
        short ev = host[i].events, rev = host[i].revents;
        count += mark(in, gfd[i], ev & POLLIN, rev, POLLSET_IN_SET);
        count += mark(out, gfd[i], ev & POLLOUT, rev, POLLSET_OUT_SET);
        count += mark(ex, gfd[i], ev & POLLPRI, rev, POLLSET_EX_SET);
    }
    return count;
}

int pollset_timeval(int64_t sec, int64_t usec, struct timespec *ts)
{
    int64_t s;
    if (__builtin_add_overflow(sec, usec / 1000000, &s))
        return -EINVAL;
    int64_t ns = usec % 1000000 * 1000;
    if (s < 0 || ns < 0)
        return -EINVAL;
    *ts = (struct timespec){.tv_sec = s, .tv_nsec = ns};
    return 0;
}
