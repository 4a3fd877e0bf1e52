/* pollset.h - poll and select on guest fds: translating the guest's sets
 * to host fds and the host's answers back.  Pure: table lookups only, no
 * host syscalls, so the unit tests run it as is. */
#ifndef RB_POLLSET_H
#define RB_POLLSET_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "fd.h"

/* What makes an fd ready for each of select's sets (fs/select.c,
 * POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
#define POLLSET_IN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLSET_OUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLSET_EX_SET (POLLPRI)

/* 64-bit words of an fd_set covering n fds: select copies whole longs
 * (fs/select.c, FDS_BYTES()). */
#define POLLSET_WORDS(n) (((size_t)(n) + 63) / 64)

/* poll: one host entry for each guest entry whose fd is open, with the
 * events asked and revents 0; idx[i] is the guest index of host entry i.
 * Entries with fd < 0 are skipped (poll(2)); *nval counts those naming a
 * closed fd, which get POLLNVAL without reaching the host.  host and idx
 * hold n entries.  Returns the number of host entries. */
size_t pollset_poll_to_host(const struct fd_table *t, const struct pollfd *guest, size_t n,
                            struct pollfd *host, size_t *idx, size_t *nval);
/* Set every guest revents from the host's answers (0 for fd < 0, POLLNVAL
 * for a closed fd) and return how many are non-zero: poll's result. */
size_t pollset_poll_from_host(struct pollfd *guest, size_t n, const struct pollfd *host,
                              size_t nhost, const size_t *idx);

/* The size of Linux's fd table when `last_open` is the highest open fd
 * (fs/file.c, alloc_fdtable(): 64 fds, then powers of two times 128).
 * select looks at no fd past it (fs/select.c, core_sys_select()).  Linux
 * never shrinks its table; this is the size it would have had if the
 * program never opened more than it has now. */
int pollset_select_max_fds(int last_open);

/* select: one host entry for each fd below n set in any of in, out, ex
 * (POLLSET_WORDS(n) words each, or NULL), asking for the events of the
 * sets it is in; gfd[i] is the guest fd of host entry i.  host and gfd
 * hold n entries.  Returns the number of host entries, or -EBADF when a
 * set names a closed fd (fs/select.c, max_select_fd()). */
int pollset_select_to_host(const struct fd_table *t, int n, const uint64_t *in,
                           const uint64_t *out, const uint64_t *ex, struct pollfd *host, int *gfd);
/* Overwrite the non-NULL sets with the result: a bit stays set where the
 * host found the fd ready in that set's sense.  Returns the number of bits
 * set in all three: select's result. */
int pollset_select_from_host(int n, const struct pollfd *host, int nhost, const int *gfd,
                             uint64_t *in, uint64_t *out, uint64_t *ex);

/* select's timeval as a timespec: whole seconds carried out of tv_usec,
 * and EINVAL for anything negative (fs/select.c, kern_select() and
 * poll_select_set_timeout()).  0 or -EINVAL. */
int pollset_timeval(int64_t sec, int64_t usec, struct timespec *ts);

#endif
