/* unit_fs.c - the file view's pure parts: lexical normalisation and which mount owns a path. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "fs.h"

START_TEST(normalize_joins_and_cleans)
{
    static const char *const cases[][3] = {
        {"/", "a/b", "/a/b"},          {"/x/y", "a", "/x/y/a"},
        {"/x/y", "/a", "/a"},          {"/x/y", "..", "/x"},
        {"/", "../../..", "/"},        {"/x", "../../a/../b/.", "/b"},
        {"/", "a//b///c/", "/a/b/c"},  {"/", ".", "/"},
        {"/a/", "./b/./", "/a/b"},     {"/", "/..a/..b/...", "/..a/..b/..."},
        {"/a/b/c", "../../../../../etc/passwd", "/etc/passwd"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(fs_normalize(cases[i][0], cases[i][1], out, sizeof out), 0);
        ck_assert_msg(strcmp(out, cases[i][2]) == 0, "%s + %s: want %s, got %s", cases[i][0],
                      cases[i][1], cases[i][2], out);
    }
    ck_assert_int_eq(fs_normalize("/", "abcdefgh", out, 9), -ENAMETOOLONG);
    ck_assert_int_eq(fs_normalize("/", "abcdefg", out, 9), 0);
    ck_assert_str_eq(out, "/abcdefg");
    ck_assert_int_eq(fs_normalize("/", "x", out, 1), -ENAMETOOLONG);
}
END_TEST

START_TEST(within_respects_component_boundaries)
{
    ck_assert(fs_path_within("/a/b", "/a"));
    ck_assert(fs_path_within("/a", "/a"));
    ck_assert(fs_path_within("/anything", "/"));
    ck_assert(!fs_path_within("/ab", "/a"));
    ck_assert(!fs_path_within("/a", "/a/b"));
    ck_assert(!fs_path_within("/b/a", "/a"));
}
END_TEST

static struct fs_mount mounts[] = {
    {.guest = "/", .fd = -1},
    {.guest = "/usr/lib", .fd = -1},
    {.guest = "/data", .fd = -1, .user = true},
    {.guest = "/data/out", .fd = -1},
    {.guest = "/tmp", .fd = -1},
    {.guest = "/tmp", .fd = -1, .user = true},
    {.guest = "/tmp", .fd = -1},
    {.guest = "/data", .fd = -1, .user = true},
};

START_TEST(longest_prefix_owns_a_path)
{
    struct fs_view v = {.m = mounts, .n = sizeof mounts / sizeof mounts[0]};
    ck_assert_ptr_eq(fs_mount_of(&v, "/"), &mounts[0]);
    ck_assert_ptr_eq(fs_mount_of(&v, "/usr"), &mounts[0]);
    ck_assert_ptr_eq(fs_mount_of(&v, "/usr/lib"), &mounts[1]);
    ck_assert_ptr_eq(fs_mount_of(&v, "/usr/lib/x86_64-linux-gnu/libc.so.6"), &mounts[1]);
    ck_assert_ptr_eq(fs_mount_of(&v, "/usr/libexec"), &mounts[0]);
    ck_assert_ptr_eq(fs_mount_of(&v, "/data/out/x"), &mounts[3]);
    ck_assert_ptr_eq(fs_mount_of(&v, "/data/outside"), &mounts[7]);
}
END_TEST

START_TEST(ties_go_to_user_mounts_then_later_ones)
{
    struct fs_view v = {.m = mounts, .n = sizeof mounts / sizeof mounts[0]};
    /* A user mount beats the defaults around it, wherever it was added. */
    ck_assert_ptr_eq(fs_mount_at(&v, "/tmp"), &mounts[5]);
    ck_assert_ptr_eq(fs_mount_of(&v, "/tmp/x"), &mounts[5]);
    /* Of two user mounts, the later. */
    ck_assert_ptr_eq(fs_mount_at(&v, "/data"), &mounts[7]);
    ck_assert_ptr_null(fs_mount_at(&v, "/usr"));
    ck_assert_ptr_null(fs_mount_at(&v, "/data/"));
    struct fs_view empty = {0};
    ck_assert_ptr_null(fs_mount_of(&empty, "/"));
}
END_TEST

Suite *fs_suite(void)
{
    Suite *s = suite_create("fs");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, normalize_joins_and_cleans);
    tcase_add_test(tc, within_respects_component_boundaries);
    tcase_add_test(tc, longest_prefix_owns_a_path);
    tcase_add_test(tc, ties_go_to_user_mounts_then_later_ones);
    suite_add_tcase(s, tc);
    return s;
}
