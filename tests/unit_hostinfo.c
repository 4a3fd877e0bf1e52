/* unit_hostinfo.c - uname's strings checked, and the renaming of device and
 * inode numbers: ranges kept, injective, consistent across stat, statx
 * and getdents64 records. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hostinfo.h"
#include "ringbox.h"

static const uint64_t key[HOSTINFO_ROUNDS] = {0x0123456789abcdefULL, 2, 3, 4, 5, 6};
static struct hostinfo h;

static void setup(void)
{
    hostinfo_init(&h, NULL, NULL, key);
}

static void teardown(void)
{
    hostinfo_fini(&h);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

START_TEST(defaults_and_configured_strings)
{
    ck_assert_str_eq(h.release, RINGBOX_DEFAULT_RELEASE);
    ck_assert_str_eq(h.nodename, RINGBOX_DEFAULT_HOSTNAME);
    struct hostinfo o;
    hostinfo_init(&o, "5.10.0-test", "box", key);
    ck_assert_str_eq(o.release, "5.10.0-test");
    ck_assert_str_eq(o.nodename, "box");
    hostinfo_fini(&o);
}
END_TEST

START_TEST(releases_accepted_and_refused)
{
    const char *good[] = {RINGBOX_DEFAULT_RELEASE, "5.10.0-test", "3.2", "3.2.0", "10.0",
                          "6.18.44-fc-v1147", "4.19.0+"};
    const char *bad[] = {"", "2.0", "3.1.9", "2.6.32", "abc", "6", "6.", ".1", "6.1 x", "6.1\t",
                         "6.1\x7f", "6.1\xc3\xa9", "1234567890.1", "6.1234567890"};
    int wrong = 0;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        wrong += hostinfo_check_release(good[i]) != NULL;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        wrong += hostinfo_check_release(bad[i]) == NULL;
    ck_assert_int_eq(wrong, 0);

    char longest[HOSTINFO_UTS_LEN + 1];
    memset(longest, 'x', sizeof longest);
    memcpy(longest, "6.1.", 4);
    longest[HOSTINFO_UTS_LEN - 1] = '\0';
    ck_assert_ptr_null(hostinfo_check_release(longest));
    longest[HOSTINFO_UTS_LEN - 1] = 'x';
    longest[HOSTINFO_UTS_LEN] = '\0';
    ck_assert_str_eq(hostinfo_check_release(longest), "it is longer than 64 bytes");
    ck_assert_str_eq(hostinfo_check_release("2.0"),
                     "it is older than 3.2, which glibc before 2.36 refuses to start on");
}
END_TEST

START_TEST(hostnames_accepted_and_refused)
{
    ck_assert_ptr_null(hostinfo_check_hostname("ringbox"));
    ck_assert_ptr_null(hostinfo_check_hostname("build-7.example.org"));
    ck_assert_str_eq(hostinfo_check_hostname(""), "it is empty");
    ck_assert_ptr_nonnull(hostinfo_check_hostname("a b"));
    ck_assert_ptr_nonnull(hostinfo_check_hostname("a\nb"));
    char name[HOSTINFO_UTS_LEN + 1];
    memset(name, 'n', HOSTINFO_UTS_LEN);
    name[HOSTINFO_UTS_LEN] = '\0';
    ck_assert_str_eq(hostinfo_check_hostname(name), "it is longer than 64 bytes");
}
END_TEST

/* 0 stays 0 (no inode), a 32-bit number stays 32-bit and non-zero, a
 * larger one stays larger; the same number always gives the same result. */
START_TEST(ino_keeps_its_range)
{
    ck_assert_uint_eq(hostinfo_ino(&h, 0), 0);
    int wrong = 0, moved = 0;
    for (uint64_t i = 0; i < 100000; i++) {
        uint64_t small = 1 + i * 42929;
        uint64_t large = (1ULL << 32) + i * 0x9e3779b97f4a7c15ULL % (~0ULL >> 1);
        uint64_t s = hostinfo_ino(&h, small), l = hostinfo_ino(&h, large);
        wrong += s == 0 || s >> 32 != 0 || l >> 32 == 0;
        wrong += s != hostinfo_ino(&h, small) || l != hostinfo_ino(&h, large);
        moved += s != small && l != large;
    }
    ck_assert_int_eq(wrong, 0);
    ck_assert_int_eq(moved, 100000);
    ck_assert_uint_ne(hostinfo_ino(&h, ~0ULL) >> 32, 0);
    ck_assert_uint_ne(hostinfo_ino(&h, 0xffffffffULL), 0);
}
END_TEST

/* No two host inodes share a guest number: a dense run from 1 (where most
 * file systems number), both sides of 2^32, and the top of the range. */
START_TEST(ino_is_injective)
{
    enum { DENSE = 1 << 20, EDGE = 1 << 16 };
    size_t n = DENSE + 2 * EDGE + EDGE;
    uint64_t *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    size_t k = 0;
    for (uint64_t i = 1; i <= DENSE; i++)
        v[k++] = hostinfo_ino(&h, i);
    for (uint64_t i = 0; i < EDGE; i++) {
        v[k++] = hostinfo_ino(&h, (1ULL << 32) - 1 - i);
        v[k++] = hostinfo_ino(&h, (1ULL << 32) + i);
        v[k++] = hostinfo_ino(&h, ~0ULL - i);
    }
    qsort(v, k, sizeof *v, cmp_u64);
    size_t dups = 0;
    for (size_t i = 1; i < k; i++)
        dups += v[i] == v[i - 1];
    free(v);
    ck_assert_uint_eq(k, n);
    ck_assert_uint_eq(dups, 0);
}
END_TEST

/* Another key, other numbers: one handle's numbers say nothing of another's. */
START_TEST(ino_depends_on_the_key)
{
    uint64_t other[HOSTINFO_ROUNDS];
    memcpy(other, key, sizeof other);
    other[0] ^= 1;
    struct hostinfo o;
    hostinfo_init(&o, NULL, NULL, other);
    int same = 0;
    for (uint64_t i = 1; i <= 10000; i++)
        same += hostinfo_ino(&h, i) == hostinfo_ino(&o, i);
    hostinfo_fini(&o);
    ck_assert_int_le(same, 1);
}
END_TEST

START_TEST(devices_numbered_at_first_sight)
{
    uint64_t a, b, a2, c;
    ck_assert_int_eq(hostinfo_dev(&h, makedev(259, 3), &a), 0);
    ck_assert_int_eq(hostinfo_dev(&h, makedev(0, 27), &b), 0);
    ck_assert_int_eq(hostinfo_dev(&h, makedev(259, 3), &a2), 0);
    ck_assert_uint_eq(a, makedev(0, 1));
    ck_assert_uint_eq(b, makedev(0, 2));
    ck_assert_uint_eq(a2, a);
    /* The table grows past its first allocation and keeps its numbers. */
    int failed = 0;
    for (unsigned i = 0; i < 100; i++)
        failed += hostinfo_dev(&h, makedev(8, i + 100), &c) != 0;
    ck_assert_int_eq(failed, 0);
    ck_assert_uint_eq(c, makedev(0, 102));
    ck_assert_int_eq(hostinfo_dev(&h, makedev(0, 27), &b), 0);
    ck_assert_uint_eq(b, makedev(0, 2));
}
END_TEST

/* stat and statx of one host file give one guest identity. */
START_TEST(stat_and_statx_agree)
{
    struct stat st = {.st_dev = makedev(254, 1), .st_ino = 1234567, .st_rdev = makedev(1, 3)};
    struct statx sx = {.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID | 0x4000u | 0x8000u,
                       .stx_dev_major = 254, .stx_dev_minor = 1, .stx_ino = 1234567,
                       .stx_rdev_major = 1, .stx_rdev_minor = 3, .stx_mnt_id = 77};
    uint64_t subvol = 99;
    memcpy((char *)&sx + 0xa0, &subvol, sizeof subvol);
    ck_assert_int_eq(hostinfo_stat(&h, &st), 0);
    ck_assert_int_eq(hostinfo_statx(&h, &sx), 0);
    ck_assert_uint_eq(st.st_dev, makedev(0, 1));
    ck_assert_uint_eq(st.st_ino, hostinfo_ino(&h, 1234567));
    ck_assert_uint_ne(st.st_ino, 1234567);
    ck_assert_uint_eq(st.st_rdev, makedev(1, 3)); /* a device node's own number is not renamed */
    ck_assert_uint_eq(makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev);
    ck_assert_uint_eq(sx.stx_ino, st.st_ino);
    ck_assert_uint_eq(sx.stx_rdev_major, 1);
    /* The host's mount and subvolume ids are gone, and so are their bits. */
    ck_assert_uint_eq(sx.stx_mask, STATX_BASIC_STATS);
    ck_assert_uint_eq(sx.stx_mnt_id, 0);
    memcpy(&subvol, (char *)&sx + 0xa0, sizeof subvol);
    ck_assert_uint_eq(subvol, 0);
}
END_TEST

/* Two linux_dirent64 records: the inodes renamed as stat renames them,
 * everything else as the host wrote it. */
START_TEST(dirents_renamed)
{
    struct rec {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[13];
    } __attribute__((packed)) recs[2] = {
        {.ino = 2, .off = 1, .reclen = sizeof(struct rec), .type = 4, .name = "."},
        {.ino = 5000000000ULL, .off = 2, .reclen = sizeof(struct rec), .type = 8, .name = "file"},
    };
    _Static_assert(sizeof(struct rec) == 32, "records of 32 bytes");
    hostinfo_dirents(&h, recs, sizeof recs);
    ck_assert_uint_eq(recs[0].ino, hostinfo_ino(&h, 2));
    ck_assert_uint_eq(recs[1].ino, hostinfo_ino(&h, 5000000000ULL));
    ck_assert_uint_ne(recs[1].ino, 5000000000ULL);
    ck_assert_int_eq(recs[1].off, 2);
    ck_assert_int_eq(recs[1].type, 8);
    ck_assert_str_eq(recs[1].name, "file");
}
END_TEST

Suite *hostinfo_suite(void)
{
    Suite *s = suite_create("hostinfo");
    TCase *tc = tcase_create("hostinfo");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_and_configured_strings);
    tcase_add_test(tc, releases_accepted_and_refused);
    tcase_add_test(tc, hostnames_accepted_and_refused);
    tcase_add_test(tc, ino_keeps_its_range);
    tcase_add_test(tc, ino_is_injective);
    tcase_add_test(tc, ino_depends_on_the_key);
    tcase_add_test(tc, devices_numbered_at_first_sight);
    tcase_add_test(tc, stat_and_statx_agree);
    tcase_add_test(tc, dirents_renamed);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
