/* unit_confine.c - the Landlock rights confine.c derives from a mount, pinned against
 * include/uapi/linux/landlock.h, and the privilege calls the filter must never allow. */
#include <check.h>
#include <linux/landlock.h>
#include <sys/syscall.h>

#include "confine.h"
#include "seccomp.h"

/* landlock.h: bits 0 (EXECUTE) to 12 (MAKE_SYM) are ABI 1, REFER (bit 13)
 * ABI 2, TRUNCATE (bit 14) ABI 3. */
#define EXECUTE (1ULL << 0)
#define WRITE_FILE (1ULL << 1)
#define READ_FILE (1ULL << 2)
#define READ_DIR (1ULL << 3)
#define REFER (1ULL << 13)
#define TRUNCATE (1ULL << 14)

START_TEST(handled_rights_follow_the_abi)
{
    ck_assert_uint_eq(confine_landlock_handled(1), 0x1fff);
    ck_assert_uint_eq(confine_landlock_handled(2), 0x1fff | REFER);
    ck_assert_uint_eq(confine_landlock_handled(3), 0x1fff | REFER | TRUNCATE);
    /* Rights of later ABIs that ringbox does not know stay unhandled. */
    ck_assert_uint_eq(confine_landlock_handled(7), confine_landlock_handled(3));
}
END_TEST

START_TEST(read_only_mounts_may_only_be_read)
{
    uint64_t h = confine_landlock_handled(3);
    ck_assert_uint_eq(confine_landlock_rights(h, false, true), READ_FILE | READ_DIR);
    ck_assert_uint_eq(confine_landlock_rights(h, false, false), READ_FILE);
}
END_TEST

/* Writable: all but EXECUTE; a file carries only the file rights. */
START_TEST(writable_mounts_get_everything_but_execute)
{
    uint64_t h = confine_landlock_handled(3);
    ck_assert_uint_eq(confine_landlock_rights(h, true, true), h & ~EXECUTE);
    ck_assert_uint_eq(confine_landlock_rights(h, true, false), WRITE_FILE | READ_FILE | TRUNCATE);
    /* Never a right the ruleset does not handle: the kernel refuses that rule. */
    uint64_t h2 = confine_landlock_handled(2);
    ck_assert_uint_eq(confine_landlock_rights(h2, true, false), WRITE_FILE | READ_FILE);
    ck_assert_uint_eq(confine_landlock_rights(h2, true, true) & ~h2, 0);
}
END_TEST

START_TEST(encodings_match_the_kernel_header)
{
    ck_assert_uint_eq(LANDLOCK_ACCESS_FS_EXECUTE, EXECUTE);
    ck_assert_uint_eq(LANDLOCK_ACCESS_FS_WRITE_FILE, WRITE_FILE);
    ck_assert_uint_eq(LANDLOCK_ACCESS_FS_READ_FILE, READ_FILE);
    ck_assert_uint_eq(LANDLOCK_ACCESS_FS_READ_DIR, READ_DIR);
    ck_assert_uint_eq(LANDLOCK_ACCESS_FS_MAKE_SYM, 1ULL << 12);
}
END_TEST

/* confine.c makes these before the filter goes in, so none may be on it:
 * a VMM that could call them later could undo what they did. */
START_TEST(privilege_calls_are_never_allowed)
{
    static const long calls[] = {SYS_capset, SYS_prctl, SYS_setresuid, SYS_setresgid, SYS_setgroups,
                                 SYS_setuid, SYS_setgid, SYS_landlock_create_ruleset,
                                 SYS_landlock_add_rule, SYS_landlock_restrict_self, SYS_fchownat};
    int nrs[SECCOMP_RULES_MAX];
    size_t n = seccomp_allowlist(nrs);
    long found = -1;
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        for (size_t j = 0; j < n; j++)
            if (nrs[j] == calls[i])
                found = calls[i];
    ck_assert_msg(found < 0, "syscall %ld is on the allowlist", found);
}
END_TEST

Suite *confine_suite(void)
{
    Suite *s = suite_create("confine");
    TCase *tc = tcase_create("landlock");
    tcase_add_test(tc, handled_rights_follow_the_abi);
    tcase_add_test(tc, read_only_mounts_may_only_be_read);
    tcase_add_test(tc, writable_mounts_get_everything_but_execute);
    tcase_add_test(tc, encodings_match_the_kernel_header);
    tcase_add_test(tc, privilege_calls_are_never_allowed);
    suite_add_tcase(s, tc);
    return s;
}
