/* unit_fd.c - the guest fd table: lowest-free allocation, limits, dup2
 * replacement, and that host fds are owned and closed exactly once. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fd.h"

static bool host_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

START_TEST(stdio_are_private_cloexec_dups)
{
    struct fd_table t;
    ck_assert_int_eq(fd_init_stdio(&t), 0);
    for (int fd = 0; fd < 3; fd++) {
        int h = fd_host(&t, fd);
        ck_assert_int_ge(h, 3);
        ck_assert_int_eq(fcntl(h, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    }
    int h1 = fd_host(&t, 1);
    ck_assert_int_eq(fd_close(&t, 1), 0);
    ck_assert(!host_open(h1));
    ck_assert(host_open(1)); /* the host's own stdout is untouched */
    ck_assert_int_eq(fd_close(&t, 1), -EBADF);
    fd_fini(&t);
}
END_TEST

START_TEST(lowest_free_and_limit)
{
    struct fd_table t;
    ck_assert_int_eq(fd_init_stdio(&t), 0);
    int a = dup(0), b = dup(0), c = dup(0);
    ck_assert_int_eq(fd_install(&t, a, 0, 5, false, "/a"), 3);
    ck_assert_int_eq(fd_install(&t, b, 0, 5, true, NULL), 4);
    ck_assert_int_eq(fd_install(&t, c, 0, 5, false, NULL), -EMFILE);
    ck_assert(host_open(c)); /* still the caller's */
    ck_assert_int_eq(fd_close(&t, 3), 0);
    ck_assert(!host_open(a));
    ck_assert_int_eq(fd_install(&t, c, 0, 5, false, NULL), 3);
    ck_assert_ptr_null(fd_get(&t, 3)->path);
    ck_assert(fd_get(&t, 4)->cloexec);
    ck_assert_int_eq(fd_last(&t), 4);
    ck_assert_ptr_null(fd_get(&t, -1));
    ck_assert_ptr_null(fd_get(&t, 1 << 30));
    fd_fini(&t);
    ck_assert(!host_open(b) && !host_open(c));
}
END_TEST

START_TEST(install_at_replaces_and_grows)
{
    struct fd_table t;
    ck_assert_int_eq(fd_init_stdio(&t), 0);
    int old1 = fd_host(&t, 1), x = dup(0), y = dup(0);
    ck_assert_int_eq(fd_install_at(&t, 1, 1024, x, false, "/x"), 0);
    ck_assert(!host_open(old1));
    ck_assert_str_eq(fd_get(&t, 1)->path, "/x");
    ck_assert_int_eq(fd_install_at(&t, 700, 1024, y, true, NULL), 0);
    ck_assert_int_eq(fd_host(&t, 700), y);
    ck_assert_int_eq(fd_last(&t), 700);
    ck_assert_int_eq(fd_install_at(&t, 1024, 1024, y, false, NULL), -EBADF);
    ck_assert_int_eq(fd_install(&t, dup(0), 3, 1024, false, NULL), 3);
    fd_fini(&t);
    ck_assert(!host_open(x) && !host_open(y));
}
END_TEST

Suite *fd_suite(void)
{
    Suite *s = suite_create("fd");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, stdio_are_private_cloexec_dups);
    tcase_add_test(tc, lowest_free_and_limit);
    tcase_add_test(tc, install_at_replaces_and_grows);
    suite_add_tcase(s, tc);
    return s;
}
