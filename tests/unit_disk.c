/* unit_disk.c - the disk limits' pure parts (what a write may allocate,
 * what fits, the quotas) and the reaper on a real scratch directory. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"

#define P DISK_PAGE

START_TEST(worst_counts_a_page_more_when_unaligned)
{
    static const uint64_t cases[][2] = {
        {0, 0}, {1, P}, {P - 1, 2 * P}, {P, 2 * P}, {P + 1, 2 * P}, {P + 2, 3 * P},
        {10 * P, 11 * P},
    };
    size_t bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad += disk_worst(cases[i][0]) != cases[i][1];
    ck_assert_uint_eq(bad, 0);
    /* Never less than any placement needs: len bytes from every offset in a page. */
    uint64_t need = 0;
    for (uint64_t off = 0; off < P; off += 511)
        for (uint64_t len = 1; len < 3 * P; len += 1021) {
            uint64_t pages = (off + len + P - 1) / P * P;
            if (pages > disk_worst(len))
                need++;
        }
    ck_assert_uint_eq(need, 0);
}
END_TEST

START_TEST(fit_charges_only_new_pages)
{
    /* An empty file: the room's pages, cut at a page boundary. */
    ck_assert_uint_eq(disk_fit(0, 100000, 1048576, NULL, 0), 100000);
    ck_assert_uint_eq(disk_fit(0, 2 * 1048576, 1048576, NULL, 0), 1048576);
    ck_assert_uint_eq(disk_fit(0, 10, 0, NULL, 0), 0);
    ck_assert_uint_eq(disk_fit(0, 0, 0, NULL, 0), 0);
    /* Less than a page of room is no page. */
    ck_assert_uint_eq(disk_fit(0, 10, P - 1, NULL, 0), 0);
    /* tmpfs's own case: 1e6 bytes written (245 pages, the last partly),
     * 11 pages free: the rest of page 244 and 11 more, 48576 bytes. */
    struct disk_extent data = {0, 1000000};
    ck_assert_uint_eq(disk_fit(1000000, 100000, 1048576 - 245 * P, &data, 1), 48576);
    /* Full: the pages with data can still be overwritten, no further. */
    struct disk_extent full = {0, 1048576};
    ck_assert_uint_eq(disk_fit(0, P, 0, &full, 1), P);
    ck_assert_uint_eq(disk_fit(1048576 - 10, 100, 0, &full, 1), 10);
    ck_assert_uint_eq(disk_fit(1048576, 100, 0, &full, 1), 0);
    /* A hole between two extents costs its pages; the second extent is free. */
    struct disk_extent two[] = {{0, P}, {3 * P, 4 * P}};
    ck_assert_uint_eq(disk_fit(0, 4 * P, 2 * P, two, 2), 4 * P);
    ck_assert_uint_eq(disk_fit(0, 4 * P, P, two, 2), 2 * P);
    ck_assert_uint_eq(disk_fit(0, 5 * P, 2 * P, two, 2), 4 * P);
    /* An extent that only touches a page's end still makes it allocated. */
    struct disk_extent tail = {2 * P - 1, 2 * P};
    ck_assert_uint_eq(disk_fit(P, P, 0, &tail, 1), P);
    /* Far into a sparse file, start mid-page. */
    ck_assert_uint_eq(disk_fit(10 * P + 100, 3 * P, 2 * P, NULL, 0), 2 * P - 100);
}
END_TEST

START_TEST(quotas_count_inodes_and_never_go_negative)
{
    struct disk_quota q = disk_quota_of(1048576, true);
    ck_assert_uint_eq(q.limit, 1048576);
    ck_assert_uint_eq(q.inode_limit, 1024);
    ck_assert_uint_eq(q.inodes, 1);
    ck_assert_uint_eq(disk_quota_of(100, false).inode_limit, 1);
    ck_assert_uint_eq(disk_quota_of(100, false).inodes, 0);
    disk_charge(&q, 0, 3 * P);
    ck_assert_uint_eq(q.used, 3 * P);
    disk_charge(&q, 2 * P, P);
    ck_assert_uint_eq(q.used, 2 * P);
    disk_charge(&q, 10 * P, 0);
    ck_assert_uint_eq(q.used, 0);
    q.used = UINT64_MAX - 1;
    disk_charge(&q, 0, 10);
    ck_assert_uint_eq(q.used, UINT64_MAX);
}
END_TEST

START_TEST(priv_names_are_mkdtemps)
{
    ck_assert(disk_is_priv_name("ringbox-aZ09xY"));
    ck_assert(!disk_is_priv_name("ringbox-aZ09x"));
    ck_assert(!disk_is_priv_name("ringbox-aZ09xYz"));
    ck_assert(!disk_is_priv_name("ringbox-integ-XYZ123"));
    ck_assert(!disk_is_priv_name("ringbox-ab.def"));
    ck_assert(!disk_is_priv_name("rb-abcdef"));
}
END_TEST

static char top[64];

static void make(const char *name, bool dir, bool lock)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", top, name);
    if (!dir) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        return;
    }
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/%s/junk", top, name);
    ck_assert_int_eq(mkdir(path, 0500), 0);
    if (lock) {
        snprintf(path, sizeof path, "%s/%s/lock", top, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
    }
}

static bool exists(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", top, name);
    return access(path, F_OK) == 0;
}

/* A dead sandbox's directory (its lock free) goes; a live one's (locked,
 * as disk_lock leaves it), one without a lock yet, and anything not named
 * as mkdtemp names them stay. */
START_TEST(reaper_takes_only_free_locks)
{
    strcpy(top, "/tmp/rb-unit-disk-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top));
    make("ringbox-dead01", true, true);
    make("ringbox-nolock", true, false);
    make("ringbox-dead02x", true, true);
    make("ringbox-file01", false, false);
    make("ringbox-live01", true, false);
    char path[128];
    snprintf(path, sizeof path, "%s/ringbox-live01", top);
    int dir = open(path, O_PATH | O_DIRECTORY);
    ck_assert_int_ge(dir, 0);
    int lock = disk_lock(dir);
    ck_assert_int_ge(lock, 0);
    /* "lock" appears locked: a second open file description cannot take it. */
    snprintf(path, sizeof path, "%s/ringbox-live01/lock", top);
    int probe = open(path, O_RDONLY);
    ck_assert_int_ge(probe, 0);
    ck_assert_int_eq(flock(probe, LOCK_EX | LOCK_NB), -1);
    close(probe);

    disk_reap(top);
    ck_assert(!exists("ringbox-dead01"));
    ck_assert(exists("ringbox-nolock"));
    ck_assert(exists("ringbox-dead02x"));
    ck_assert(exists("ringbox-file01"));
    ck_assert(exists("ringbox-live01/lock"));

    close(lock);
    close(dir);
    disk_reap(top);
    ck_assert(!exists("ringbox-live01"));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", top);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *disk_suite(void)
{
    Suite *s = suite_create("disk");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, worst_counts_a_page_more_when_unaligned);
    tcase_add_test(tc, fit_charges_only_new_pages);
    tcase_add_test(tc, quotas_count_inodes_and_never_go_negative);
    tcase_add_test(tc, priv_names_are_mkdtemps);
    suite_add_tcase(s, tc);
    tc = tcase_create("reaper");
    tcase_add_test(tc, reaper_takes_only_free_locks);
    suite_add_tcase(s, tc);
    return s;
}
