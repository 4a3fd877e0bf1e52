/* unit_sysarg.c - the pure argument decoders: iovec arrays and the uio walk,
 * timespecs, clock ids, signal masks and flags, and the rlimit rules. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "mm.h"
#include "ringbox_abi.h"
#include "sysarg.h"
#include "require.h"

/* 0x10000-0x12fff RW, 0x13000 RO, 0x14000 unmapped. */
#define RW 0x10000ULL
#define RO 0x13000ULL
#define HOLE 0x14000ULL

static struct guest_mem m;
static struct mm mm;

static void setup(void)
{
    ck_assert_int_eq(mem_init(&m, 4 << 20), 0);
    mm_init(&mm, &m);
    ck_assert_int_eq(mm_map_anon(&mm, RW, 3 * MEM_PAGE, PROT_READ | PROT_WRITE, MM_ANON), 0);
    ck_assert_int_eq(mm_map_anon(&mm, RO, MEM_PAGE, PROT_READ, MM_ANON), 0);
}

static void teardown(void)
{
    mm_fini(&mm);
    mem_fini(&m);
}


START_TEST(user_range_stops_at_user_top_and_never_wraps)
{
    ck_assert_int_eq(sysarg_user_range(0, 0), 0);
    ck_assert_int_eq(sysarg_user_range(RB_USER_TOP - 8, 8), 0);
    ck_assert_int_eq(sysarg_user_range(RB_USER_TOP - 8, 9), -EFAULT);
    ck_assert_int_eq(sysarg_user_range(RB_KERNEL_BASE, 1), -EFAULT);
    ck_assert_int_eq(sysarg_user_range(RW, UINT64_MAX), -EFAULT);
    ck_assert_int_eq(sysarg_user_range(UINT64_MAX, 2), -EFAULT);
}
END_TEST

static void put_iov(uint64_t at, const struct sysarg_iovec *v, size_t n)
{
    ck_assert_int_eq(mem_copy_to_user(&m, at, v, n * sizeof(*v)), 0);
}

START_TEST(iovec_counts_and_lengths)
{
    static struct sysarg_iovec out[SYSARG_IOV_MAX];
    uint64_t total = 99;
    struct sysarg_iovec v[3] = {{RW, 10}, {RW + 100, 0}, {RW + 200, 20}};
    put_iov(RW + 0x1000, v, 3);

    ck_assert_int_eq(sysarg_iovec(&m, RW + 0x1000, 3, out, &total), 0);
    ck_assert_uint_eq(total, 30);
    ck_assert_uint_eq(out[2].base, RW + 200);
    /* No array is read for a count of zero, even at a bad address. */
    ck_assert_int_eq(sysarg_iovec(&m, 0, 0, out, &total), 0);
    ck_assert_uint_eq(total, 0);
    ck_assert_int_eq(sysarg_iovec(&m, RW + 0x1000, SYSARG_IOV_MAX + 1, out, &total), -EINVAL);
    ck_assert_int_eq(sysarg_iovec(&m, RW + 0x1000, UINT64_MAX, out, &total), -EINVAL);
}
END_TEST

START_TEST(iovec_lengths_past_ssize_max_are_einval)
{
    static struct sysarg_iovec out[SYSARG_IOV_MAX];
    uint64_t total;
    struct sysarg_iovec one[1] = {{RW, (uint64_t)INT64_MAX + 1}};
    struct sysarg_iovec two[2] = {{RW, (uint64_t)INT64_MAX}, {RW, 1}};
    struct sysarg_iovec big[2] = {{RW, SYSARG_MAX_RW_COUNT}, {RW, SYSARG_MAX_RW_COUNT}};

    put_iov(RW, one, 1);
    ck_assert_int_eq(sysarg_iovec(&m, RW, 1, out, &total), -EINVAL);
    put_iov(RW, two, 2);
    ck_assert_int_eq(sysarg_iovec(&m, RW, 2, out, &total), -EINVAL);
    /* Large but representable: accepted and clamped to MAX_RW_COUNT. */
    put_iov(RW, big, 2);
    ck_assert_int_eq(sysarg_iovec(&m, RW, 2, out, &total), 0);
    ck_assert_uint_eq(total, SYSARG_MAX_RW_COUNT);
}
END_TEST

START_TEST(iovec_array_must_be_readable)
{
    static struct sysarg_iovec out[SYSARG_IOV_MAX];
    uint64_t total;
    ck_assert_int_eq(sysarg_iovec(&m, RB_KERNEL_BASE, 1, out, &total), -EFAULT);
    ck_assert_int_eq(sysarg_iovec(&m, HOLE, 1, out, &total), -EFAULT);
    /* The array runs off the read-only page into the hole. */
    ck_assert_int_eq(sysarg_iovec(&m, HOLE - 16, 2, out, &total), -EFAULT);
    ck_assert_int_eq(sysarg_iovec(&m, HOLE - 16, 1, out, &total), 0);
}
END_TEST

START_TEST(uio_walk_covers_segments_in_order)
{
    /* The first segment crosses a page boundary; the empty one is skipped. */
    struct sysarg_iovec seg[3] = {{RW + 0xff0, 0x20}, {RW, 0}, {RW + 0x2000, 5}};
    const char *a = "0123456789abcdefghijklmnopqrstuv", *b = "hello";
    char got[0x25 + 1] = "";
    struct sysarg_uio u;
    struct iovec iov[8];
    int n;

    ck_assert_int_eq(mem_copy_to_user(&m, RW + 0xff0, a, 0x20), 0);
    ck_assert_int_eq(mem_copy_to_user(&m, RW + 0x2000, b, 5), 0);
    sysarg_uio_init(&u, &m, seg, 3, 0x25, true);
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 0x25);
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        memcpy(got + at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    ck_assert_uint_eq(at, 0x25);
    ck_assert_str_eq(got, "0123456789abcdefghijklmnopqrstuvhello");
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 0);
    ck_assert(!u.fault);
}
END_TEST

START_TEST(uio_walk_batches_when_iovecs_run_out)
{
    /* Three separate single-byte segments, one host iovec per batch. */
    struct sysarg_iovec seg[3] = {{RW, 1}, {RW + 0x1000, 1}, {RW + 0x2000, 1}};
    struct sysarg_uio u;
    struct iovec iov[1];
    int n, batches = 0;

    sysarg_uio_init(&u, &m, seg, 3, 3, false);
    while (sysarg_uio_next(&u, iov, 1, &n) > 0) {
        REQUIRE(n == 1, "batch %d holds %d iovecs", batches, n);
        batches++;
    }
    ck_assert_int_eq(batches, 3);
    ck_assert(!u.fault);
}
END_TEST

START_TEST(uio_walk_stops_at_the_first_inaccessible_page)
{
    struct sysarg_iovec seg[2] = {{RO - 0x10, 0x20}, {RW, 8}};
    struct sysarg_uio u;
    struct iovec iov[8];
    int n;

    /* Writing into the guest: the read-only page ends the walk. */
    sysarg_uio_init(&u, &m, seg, 2, 0x28, true);
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 0x10);
    ck_assert(u.fault);
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 0);
    /* Reading from the guest: the read-only page is fine. */
    sysarg_uio_init(&u, &m, seg, 2, 0x28, false);
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 0x28);
    ck_assert(!u.fault);
    /* A first byte in the kernel half is a fault with nothing handed out. */
    seg[0].base = RB_KERNEL_BASE;
    sysarg_uio_init(&u, &m, seg, 1, 0x20, false);
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 0);
    ck_assert_int_eq(n, 0);
    ck_assert(u.fault);
}
END_TEST

START_TEST(uio_walk_honours_the_total)
{
    struct sysarg_iovec seg[2] = {{RW, 100}, {RW + 0x1000, 100}};
    struct sysarg_uio u;
    struct iovec iov[8];
    int n;

    sysarg_uio_init(&u, &m, seg, 2, 150, false);
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 150);
    ck_assert_uint_eq(sysarg_uio_next(&u, iov, 8, &n), 0);
}
END_TEST

START_TEST(timespec_validation)
{
    struct sysarg_timespec ts, bad[4] = {{-1, 0}, {0, -1}, {0, 1000000000}, {INT64_MIN, 0}};
    struct sysarg_timespec good = {INT64_MAX, 999999999};

    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(mem_copy_to_user(&m, RW, &bad[i], sizeof(bad[i])), 0);
        ck_assert_int_eq(sysarg_timespec(&m, RW, &ts), -EINVAL);
    }
    ck_assert_int_eq(mem_copy_to_user(&m, RW, &good, sizeof(good)), 0);
    ck_assert_int_eq(sysarg_timespec(&m, RW, &ts), 0);
    ck_assert_int_eq(ts.nsec, 999999999);
    ck_assert_int_eq(sysarg_timespec(&m, 0, &ts), -EFAULT);
    ck_assert_int_eq(sysarg_timespec(&m, HOLE - 8, &ts), -EFAULT);
}
END_TEST

START_TEST(clock_ids)
{
    for (int c = 0; c <= 9; c++)
        ck_assert_int_eq(sysarg_clock(c), 0);
    ck_assert_int_eq(sysarg_clock(CLOCK_TAI), 0);
    ck_assert_int_eq(sysarg_clock(10), -EINVAL);
    ck_assert_int_eq(sysarg_clock(12), -EINVAL);
    ck_assert_int_eq(sysarg_clock(-1), -EINVAL);
    ck_assert_int_eq(sysarg_clock(INT64_MAX), -EINVAL);

    ck_assert_int_eq(sysarg_sleep_clock(CLOCK_MONOTONIC), 0);
    ck_assert_int_eq(sysarg_sleep_clock(CLOCK_REALTIME), 0);
    ck_assert_int_eq(sysarg_sleep_clock(CLOCK_BOOTTIME), 0);
    ck_assert_int_eq(sysarg_sleep_clock(CLOCK_TAI), 0);
    ck_assert_int_eq(sysarg_sleep_clock(CLOCK_REALTIME_ALARM), -EPERM);
    ck_assert_int_eq(sysarg_sleep_clock(CLOCK_MONOTONIC_RAW), -EOPNOTSUPP);
    ck_assert_int_eq(sysarg_sleep_clock(CLOCK_THREAD_CPUTIME_ID), -EOPNOTSUPP);
    ck_assert_int_eq(sysarg_sleep_clock(10), -EINVAL);
    ck_assert_int_eq(sysarg_sleep_clock(-6), -EINVAL);
}
END_TEST

#define BIT(sig) (1ULL << ((sig) - 1))

START_TEST(sigmask_arithmetic_never_blocks_kill_or_stop)
{
    uint64_t mask = 0;
    ck_assert_int_eq(sysarg_sigmask_apply(&mask, SIG_BLOCK, BIT(SIGINT) | BIT(SIGKILL)), 0);
    ck_assert_uint_eq(mask, BIT(SIGINT));
    ck_assert_int_eq(sysarg_sigmask_apply(&mask, SIG_BLOCK, BIT(SIGUSR1) | BIT(SIGSTOP)), 0);
    ck_assert_uint_eq(mask, BIT(SIGINT) | BIT(SIGUSR1));
    ck_assert_int_eq(sysarg_sigmask_apply(&mask, SIG_UNBLOCK, BIT(SIGINT)), 0);
    ck_assert_uint_eq(mask, BIT(SIGUSR1));
    ck_assert_int_eq(sysarg_sigmask_apply(&mask, SIG_SETMASK, UINT64_MAX), 0);
    ck_assert_uint_eq(mask, UINT64_MAX & ~(BIT(SIGKILL) | BIT(SIGSTOP)));
    ck_assert_int_eq(sysarg_sigmask_apply(&mask, 3, 0), -EINVAL);
    ck_assert_int_eq(sysarg_sigmask_apply(&mask, -1, 0), -EINVAL);
    ck_assert_uint_eq(mask, UINT64_MAX & ~(BIT(SIGKILL) | BIT(SIGSTOP)));
}
END_TEST

START_TEST(sa_flags_keep_only_what_linux_knows)
{
    uint64_t known = SA_SIGINFO | SA_RESTART | SA_ONSTACK | SA_NODEFER | SA_RESETHAND |
                     SA_NOCLDSTOP | SA_NOCLDWAIT | 0x04000000 /* SA_RESTORER */;
    ck_assert_uint_eq(sysarg_sa_flags(known), known);
    /* SA_UNSUPPORTED (0x400) reads back clear: the probe Linux 5.11 added. */
    ck_assert_uint_eq(sysarg_sa_flags(0x400 | SA_SIGINFO), SA_SIGINFO);
    ck_assert_uint_eq(sysarg_sa_flags(1ULL << 40), 0);
}
END_TEST

START_TEST(ss_flags_modes)
{
    ck_assert_int_eq(sysarg_ss_flags(0), 0);
    ck_assert_int_eq(sysarg_ss_flags(SS_DISABLE), 0);
    ck_assert_int_eq(sysarg_ss_flags(SS_ONSTACK), 0);
    ck_assert_int_eq(sysarg_ss_flags((int32_t)SYSARG_SS_AUTODISARM), 0);
    ck_assert_int_eq(sysarg_ss_flags((int32_t)SYSARG_SS_AUTODISARM | SS_DISABLE), 0);
    ck_assert_int_eq(sysarg_ss_flags(SS_ONSTACK | SS_DISABLE), -EINVAL);
    ck_assert_int_eq(sysarg_ss_flags(4), -EINVAL);
}
END_TEST

START_TEST(rlimit_defaults_and_rules)
{
    uint64_t cur[SYSARG_NRLIMITS], max[SYSARG_NRLIMITS];
    sysarg_rlimit_defaults(cur, max, 64 << 20);
    ck_assert_uint_eq(cur[RLIMIT_STACK], 8 << 20);
    ck_assert_uint_eq(max[RLIMIT_STACK], RLIM_INFINITY);
    ck_assert_uint_eq(cur[RLIMIT_NOFILE], 1024);
    ck_assert_uint_eq(max[RLIMIT_NOFILE], 4096);
    ck_assert_uint_eq(cur[RLIMIT_AS], 64 << 20);
    ck_assert_uint_eq(max[RLIMIT_DATA], 64 << 20);
    ck_assert_uint_eq(max[RLIMIT_CORE], 0);
    ck_assert_uint_eq(cur[RLIMIT_CPU], RLIM_INFINITY);
    ck_assert_uint_eq(SYSARG_RLIM_INFINITY, RLIM_INFINITY);

    ck_assert_int_eq(sysarg_rlimit_check(10, 20, 30), 0);
    ck_assert_int_eq(sysarg_rlimit_check(20, 20, 20), 0);
    ck_assert_int_eq(sysarg_rlimit_check(21, 20, 20), -EINVAL);
    ck_assert_int_eq(sysarg_rlimit_check(10, 31, 30), -EPERM);
}
END_TEST

Suite *sysarg_suite(void)
{
    Suite *s = suite_create("sysarg");
    TCase *tc = tcase_create("decoders");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, user_range_stops_at_user_top_and_never_wraps);
    tcase_add_test(tc, iovec_counts_and_lengths);
    tcase_add_test(tc, iovec_lengths_past_ssize_max_are_einval);
    tcase_add_test(tc, iovec_array_must_be_readable);
    tcase_add_test(tc, uio_walk_covers_segments_in_order);
    tcase_add_test(tc, uio_walk_batches_when_iovecs_run_out);
    tcase_add_test(tc, uio_walk_stops_at_the_first_inaccessible_page);
    tcase_add_test(tc, uio_walk_honours_the_total);
    tcase_add_test(tc, timespec_validation);
    tcase_add_test(tc, clock_ids);
    tcase_add_test(tc, sigmask_arithmetic_never_blocks_kill_or_stop);
    tcase_add_test(tc, sa_flags_keep_only_what_linux_knows);
    tcase_add_test(tc, ss_flags_modes);
    tcase_add_test(tc, rlimit_defaults_and_rules);
    suite_add_tcase(s, tc);
    return s;
}
