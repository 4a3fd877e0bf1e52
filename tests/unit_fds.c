/* unit_fds.c - the poll/select translation (pollset.c) and the descriptor
 * handlers through sys_dispatch() on a hand-built struct ringbox: limits
 * from RLIMIT_NOFILE, dup sharing, cloexec bookkeeping, close_range, pipe
 * clean-up after a fault, prctl's name and sysinfo's memory. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "fd.h"
#include "pollset.h"
#include "sys.h"
#include "sysarg.h"
#include "unit_util.h"
#include "require.h"

#define RW 0x10000ULL
#define MEM_SIZE (4ULL << 20)

/* ---- pollset: pure translation --------------------------------------- */

/* A table with guest fds 0-2 open and `extra` more at 3.. (host dups of 0). */
static void table(struct fd_table *t, int extra)
{
    ck_assert_int_eq(fd_init_stdio(t), 0);
    for (int i = 0; i < extra; i++)
        REQUIRE(fd_install(t, dup(0), 0, 1024, false, NULL) == 3 + i, "fd %d", 3 + i);
}

START_TEST(poll_skips_negative_and_marks_closed)
{
    struct fd_table t;
    table(&t, 0);
    struct pollfd g[4] = {{.fd = 1, .events = POLLOUT}, {.fd = -5, .events = POLLIN},
                          {.fd = 9, .events = POLLIN}, {.fd = 0, .events = POLLIN | POLLPRI}};
    struct pollfd h[4];
    size_t idx[4], nval;
    size_t nh = pollset_poll_to_host(&t, g, 4, h, idx, &nval);
    ck_assert_uint_eq(nh, 2);
    ck_assert_uint_eq(nval, 1);
    ck_assert_int_eq(h[0].fd, fd_host(&t, 1));
    ck_assert_int_eq(h[0].events, POLLOUT);
    ck_assert_int_eq(h[0].revents, 0);
    ck_assert_int_eq(h[1].fd, fd_host(&t, 0));
    ck_assert_int_eq(h[1].events, POLLIN | POLLPRI);
    ck_assert_uint_eq(idx[0], 0);
    ck_assert_uint_eq(idx[1], 3);
    h[0].revents = POLLOUT;
    h[1].revents = 0;
    g[1].revents = POLLIN; /* stale values are overwritten */
    ck_assert_uint_eq(pollset_poll_from_host(g, 4, h, nh, idx), 2);
    ck_assert_int_eq(g[0].revents, POLLOUT);
    ck_assert_int_eq(g[1].revents, 0);
    ck_assert_int_eq(g[2].revents, POLLNVAL);
    ck_assert_int_eq(g[3].revents, 0);
    fd_fini(&t);
}
END_TEST

START_TEST(select_sets_to_events_and_back)
{
    struct fd_table t;
    table(&t, 2); /* 0-4 open */
    uint64_t in[1] = {(1 << 0) | (1 << 3)}, out[1] = {(1 << 3) | (1 << 4)}, ex[1] = {1 << 4};
    struct pollfd h[8];
    int gfd[8];
    int nh = pollset_select_to_host(&t, 8, in, out, ex, h, gfd);
    ck_assert_int_eq(nh, 3);
    ck_assert_int_eq(gfd[0], 0);
    ck_assert_int_eq(h[0].events, POLLIN | POLLRDNORM | POLLRDBAND);
    ck_assert_int_eq(gfd[1], 3);
    ck_assert_int_eq(h[1].events, POLLIN | POLLRDNORM | POLLRDBAND | POLLOUT | POLLWRNORM | POLLWRBAND);
    ck_assert_int_eq(gfd[2], 4);
    ck_assert_int_eq(h[2].events, POLLOUT | POLLWRNORM | POLLWRBAND | POLLPRI);
    ck_assert_int_eq(h[2].fd, fd_host(&t, 4));
    /* fd 0 hung up: readable in select's sense.  fd 3 writable only.  fd 4
     * has urgent data and an error: POLLERR counts as writable too. */
    h[0].revents = POLLHUP;
    h[1].revents = POLLOUT;
    h[2].revents = POLLPRI | POLLERR;
    ck_assert_int_eq(pollset_select_from_host(8, h, nh, gfd, in, out, ex), 4);
    ck_assert_uint_eq(in[0], 1 << 0);
    ck_assert_uint_eq(out[0], (1 << 3) | (1 << 4));
    ck_assert_uint_eq(ex[0], 1 << 4);
    fd_fini(&t);
}
END_TEST

START_TEST(select_closed_fd_and_bits_past_n)
{
    struct fd_table t;
    table(&t, 0);
    uint64_t in[1] = {1 << 6};
    struct pollfd h[8];
    int gfd[8];
    ck_assert_int_eq(pollset_select_to_host(&t, 7, in, NULL, NULL, h, gfd), -EBADF);
    ck_assert_int_eq(pollset_select_to_host(&t, 6, in, NULL, NULL, h, gfd), 0);
    ck_assert_int_eq(pollset_select_to_host(&t, 6, NULL, NULL, NULL, h, gfd), 0);
    /* The result clears whole words, bits past n included. */
    ck_assert_int_eq(pollset_select_from_host(6, h, 0, gfd, in, NULL, NULL), 0);
    ck_assert_uint_eq(in[0], 0);
    fd_fini(&t);
}
END_TEST

START_TEST(select_max_fds_follows_the_kernel_table)
{
    ck_assert_int_eq(pollset_select_max_fds(-1), 64);
    ck_assert_int_eq(pollset_select_max_fds(63), 64);
    ck_assert_int_eq(pollset_select_max_fds(64), 128);
    ck_assert_int_eq(pollset_select_max_fds(127), 128);
    ck_assert_int_eq(pollset_select_max_fds(128), 256);
    ck_assert_int_eq(pollset_select_max_fds(300), 512);
    ck_assert_int_eq(pollset_select_max_fds(4095), 4096);
}
END_TEST

START_TEST(select_timeval_carries_and_rejects)
{
    struct timespec ts;
    ck_assert_int_eq(pollset_timeval(0, 1500000, &ts), 0);
    ck_assert_int_eq(ts.tv_sec, 1);
    ck_assert_int_eq(ts.tv_nsec, 500000000);
    ck_assert_int_eq(pollset_timeval(2, 999999, &ts), 0);
    ck_assert_int_eq(ts.tv_sec, 2);
    ck_assert_int_eq(ts.tv_nsec, 999999000);
    ck_assert_int_eq(pollset_timeval(-1, 0, &ts), -EINVAL);
    ck_assert_int_eq(pollset_timeval(0, -1, &ts), -EINVAL);
    ck_assert_int_eq(pollset_timeval(INT64_MAX, 1000000, &ts), -EINVAL);
}
END_TEST

/* ---- handlers -------------------------------------------------------- */

static struct ringbox rb;
static struct ringbox_result res;

static void setup(void)
{
    unit_rb_init(&rb, &res, MEM_SIZE);
    ck_assert_int_eq(mm_map_anon(&rb.mm, RW, 2 * MEM_PAGE, PROT_READ | PROT_WRITE, MM_ANON), 0);
}

static void teardown(void)
{
    unit_rb_fini(&rb);
}

static int64_t call(long nr, const uint64_t a[6])
{
    return unit_call(&rb, nr, a);
}
#define SYS(nr, ...) call(nr, (const uint64_t[6]){__VA_ARGS__})

static void nofile(uint64_t cur)
{
    SYS(__NR_getrlimit, RLIMIT_NOFILE, RW); /* fills the defaults */
    rb.proc.rlim_cur[RLIMIT_NOFILE] = cur;
}

START_TEST(fd_limit_is_rlimit_nofile)
{
    nofile(5);
    ck_assert_int_eq(SYS(__NR_dup, 1), 3);
    ck_assert_int_eq(SYS(__NR_dup, 1), 4);
    ck_assert_int_eq(SYS(__NR_dup, 1), -EMFILE);
    ck_assert_int_eq(SYS(__NR_dup2, 1, 5), -EBADF);
    ck_assert_int_eq(SYS(__NR_dup3, 1, 5, 0), -EBADF);
    ck_assert_int_eq(SYS(__NR_fcntl, 1, F_DUPFD, 5), -EINVAL);
    ck_assert_int_eq(SYS(__NR_pipe, RW), -EMFILE);
    ck_assert_int_eq(SYS(__NR_poll, RW, 6, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_close, 4), 0);
    /* One slot: the pipe's read end would fit, its write end not, and
     * neither is left behind. */
    ck_assert_int_eq(SYS(__NR_pipe, RW), -EMFILE);
    ck_assert_int_eq(fd_last(&rb.fds), 3);
}
END_TEST

START_TEST(dups_share_the_open_file)
{
    int p[2];
    ck_assert_int_eq(SYS(__NR_pipe2, RW, O_CLOEXEC), 0);
    ck_assert_int_eq(mem_copy_from_user(&rb.mem, p, RW, sizeof(p)), 0);
    ck_assert_int_eq(p[0], 3);
    ck_assert_int_eq(p[1], 4);
    ck_assert(fd_get(&rb.fds, 3)->cloexec);
    ck_assert(fd_get(&rb.fds, 3)->attr_rw);
    ck_assert_int_eq(SYS(__NR_fcntl, 3, F_DUPFD, 10), 10);
    ck_assert(!fd_get(&rb.fds, 10)->cloexec);
    ck_assert(fd_get(&rb.fds, 10)->attr_rw);
    ck_assert_int_ne(fd_host(&rb.fds, 10), fd_host(&rb.fds, 3));
    /* Status flags live in the shared open file. */
    ck_assert_int_eq(SYS(__NR_fcntl, 10, F_SETFL, O_NONBLOCK | O_RDWR), 0);
    ck_assert_int_eq(SYS(__NR_fcntl, 3, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_NONBLOCK);
    ck_assert_int_eq(SYS(__NR_dup2, 4, 1), 1);
    ck_assert(!fd_get(&rb.fds, 1)->cloexec);
    ck_assert_int_eq(SYS(__NR_fcntl, 1, F_GETFL) & O_ACCMODE, O_WRONLY);
    ck_assert_int_eq(SYS(__NR_close, 10), 0);
    ck_assert_int_eq(SYS(__NR_close, 10), -EBADF);
    ck_assert_int_eq(SYS(__NR_fcntl, 10, F_GETFD), -EBADF);
}
END_TEST

START_TEST(close_range_closes_or_marks)
{
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(SYS(__NR_dup, 0), 3 + i);
    ck_assert_int_eq(SYS(__NR_close_range, 4, 5, CLOSE_RANGE_CLOEXEC), 0);
    ck_assert(!fd_get(&rb.fds, 3)->cloexec);
    ck_assert(fd_get(&rb.fds, 4)->cloexec && fd_get(&rb.fds, 5)->cloexec);
    ck_assert(!fd_get(&rb.fds, 6)->cloexec);
    ck_assert_int_eq(SYS(__NR_close_range, 5, UINT32_MAX, CLOSE_RANGE_UNSHARE), 0);
    ck_assert_int_eq(fd_last(&rb.fds), 4);
    ck_assert_int_eq(SYS(__NR_close_range, 2, 1, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_close_range, 0, 1, 1 << 5), -EINVAL);
}
END_TEST

START_TEST(pipe_fault_leaves_no_fds)
{
    ck_assert_int_eq(SYS(__NR_pipe, RB_KERNEL_BASE), -EFAULT);
    ck_assert_int_eq(fd_last(&rb.fds), 2);
    ck_assert_int_eq(SYS(__NR_pipe2, RW, O_NONBLOCK | O_DIRECT), 0);
    ck_assert_int_eq(SYS(__NR_pipe2, RW, O_RDWR), -EINVAL);
    ck_assert_int_eq(SYS(__NR_pipe2, RW, O_EXCL), -ENOPKG);
}
END_TEST

START_TEST(fcntl_locks_never_conflict)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_END, .l_len = 5, .l_pid = 0};
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, RW, &fl, sizeof(fl)), 0);
    ck_assert_int_eq(SYS(__NR_fcntl, 0, F_OFD_GETLK, RW), 0);
    ck_assert_int_eq(mem_copy_from_user(&rb.mem, &fl, RW, sizeof(fl)), 0);
    ck_assert_int_eq(fl.l_type, F_UNLCK);
    ck_assert_int_eq(fl.l_len, 5);
    ck_assert_int_eq(SYS(__NR_fcntl, 0, F_GETLK, RW), -EINVAL); /* F_UNLCK asked */
    fl.l_type = F_UNLCK;
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, RW, &fl, sizeof(fl)), 0);
    ck_assert_int_eq(SYS(__NR_fcntl, 0, F_SETLKW, RW), 0);
    fl.l_pid = 7;
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, RW, &fl, sizeof(fl)), 0);
    ck_assert_int_eq(SYS(__NR_fcntl, 0, F_OFD_SETLK, RW), -EINVAL);
    fl.l_pid = 0;
    fl.l_whence = 9;
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, RW, &fl, sizeof(fl)), 0);
    ck_assert_int_eq(SYS(__NR_fcntl, 0, F_SETLK, RW), -EINVAL);
}
END_TEST

START_TEST(prctl_name_is_cut_and_padded)
{
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, RW, "0123456789abcdefgh", 19), 0);
    ck_assert_int_eq(SYS(__NR_prctl, PR_SET_NAME, RW), 0);
    ck_assert_str_eq(rb.proc.comm, "0123456789abcde");
    /* A name ending right before an unmapped page needs no NUL there. */
    uint64_t end = RW + 2 * MEM_PAGE;
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, end - 3, "xyz", 3), 0);
    ck_assert_int_eq(SYS(__NR_prctl, PR_SET_NAME, end - 3), -EFAULT);
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, end - 3, "xy", 3), 0);
    ck_assert_int_eq(SYS(__NR_prctl, PR_SET_NAME, end - 3), 0);
    char out[16];
    memset(out, 'q', sizeof(out));
    ck_assert_int_eq(SYS(__NR_prctl, PR_GET_NAME, RW), 0);
    ck_assert_int_eq(mem_copy_from_user(&rb.mem, out, RW, sizeof(out)), 0);
    ck_assert_mem_eq(out, "xy\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}
END_TEST

START_TEST(sysinfo_reports_guest_memory)
{
    struct sysinfo si;
    ck_assert_int_eq(SYS(__NR_sysinfo, RW), 0);
    ck_assert_int_eq(mem_copy_from_user(&rb.mem, &si, RW, sizeof(si)), 0);
    ck_assert_uint_eq(si.totalram, MEM_SIZE);
    ck_assert_uint_eq(si.freeram, mem_free_bytes(&rb.mem));
    ck_assert_uint_eq(si.procs, 1);
    ck_assert_uint_eq(si.mem_unit, 1);
    ck_assert_int_eq(SYS(__NR_sysinfo, RB_KERNEL_BASE), -EFAULT);
}
END_TEST

START_TEST(socket_calls_find_no_socket)
{
    ck_assert_int_eq(SYS(__NR_socket, AF_INET, SOCK_STREAM, 0), -EAFNOSUPPORT);
    ck_assert_int_eq(SYS(__NR_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), -EACCES);
    ck_assert_int_eq(SYS(__NR_socketpair, AF_UNIX, SOCK_STREAM, 0, RW), -EACCES);
    ck_assert_int_eq(SYS(__NR_socket, AF_UNIX, SOCK_STREAM | 0x100, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_socket, -1, SOCK_STREAM, 0), -EAFNOSUPPORT);
    ck_assert_int_eq(SYS(__NR_connect, 1, RW, 16), -ENOTSOCK);
    ck_assert_int_eq(SYS(__NR_recvmsg, 9, RW, 0), -EBADF);
    ck_assert_int_eq(SYS(__NR_accept4, 1, 0, 0, 1), -EINVAL);
    ck_assert_uint_eq(res.counters.unknown_syscalls, 0);
}
END_TEST

Suite *fds_unit_suite(void)
{
    Suite *s = suite_create("fds");
    TCase *tc = tcase_create("pollset");
    tcase_add_test(tc, poll_skips_negative_and_marks_closed);
    tcase_add_test(tc, select_sets_to_events_and_back);
    tcase_add_test(tc, select_closed_fd_and_bits_past_n);
    tcase_add_test(tc, select_max_fds_follows_the_kernel_table);
    tcase_add_test(tc, select_timeval_carries_and_rejects);
    suite_add_tcase(s, tc);
    tc = tcase_create("handlers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fd_limit_is_rlimit_nofile);
    tcase_add_test(tc, dups_share_the_open_file);
    tcase_add_test(tc, close_range_closes_or_marks);
    tcase_add_test(tc, pipe_fault_leaves_no_fds);
    tcase_add_test(tc, fcntl_locks_never_conflict);
    tcase_add_test(tc, prctl_name_is_cut_and_padded);
    tcase_add_test(tc, sysinfo_reports_guest_memory);
    tcase_add_test(tc, socket_calls_find_no_socket);
    suite_add_tcase(s, tc);
    return s;
}
