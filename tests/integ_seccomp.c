/* integ_seccomp.c - the run-phase filter kills a VMM that breaks it (through the
 * test build's hook), the shipped command has no hook, and --no-seccomp says so. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "integ_util.h"
#include "require.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

#define NO_SECCOMP_WARNING                                                                   \
    "ringbox: WARNING: --no-seccomp: the VMM runs unconfined; a compromised VMM has the host " \
    "user's full rights\n"

/* $RB_BUILD/test/ringbox, the command built with RB_TEST_HOOKS, running `args`. */
static void test_build_run(char *const args[], struct proc_run *r)
{
    char path[4096];
    char *argv[8] = {"ringbox"};
    size_t n = 1;
    snprintf(path, sizeof path, "%s/test/ringbox", integ_build());
    ck_assert_msg(access(path, X_OK) == 0, "%s is missing", path);
    for (; args[n - 1]; n++) {
        REQUIRE(n < 7, "more than 6 arguments");
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    integ_proc_run(path, argv, NULL, r);
}

START_TEST(disallowed_syscall_in_the_run_phase_kills_the_vmm)
{
    struct proc_run r;
    test_build_run(ARGS("run", (char *)integ_prog("hook", integ_libc[_i], 0)), &r);
    ck_assert_msg(r.status == 128 + SIGSYS, "status %d, stdout '%s', stderr '%s'", r.status, r.out,
                  r.err);
    ck_assert_str_eq(r.out, "");
    integ_proc_free(&r);
}
END_TEST

/* The same hook without the filter: the host socket is made and closed, so
 * it is the filter, not the hook, that killed the VMM above. */
START_TEST(hook_runs_without_the_filter)
{
    struct proc_run r;
    test_build_run(ARGS("run", "--no-seccomp", (char *)integ_prog("hook", integ_libc[_i], 0)), &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "0\n");
    ck_assert_str_eq(r.err, NO_SECCOMP_WARNING);
    integ_proc_free(&r);
}
END_TEST

/* The shipped command has no hook: the number is as unknown as any other. */
START_TEST(shipped_command_has_no_hook)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)integ_prog("hook", integ_libc[_i], 0)), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "-38\n"); /* ENOSYS */
    ck_assert_str_eq(r.err, "");
    integ_proc_free(&r);
}
END_TEST

START_TEST(no_seccomp_warns_on_stderr)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "--no-seccomp", (char *)integ_prog("hello", integ_libc[_i], 0)), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "Hello from ring 3!\n");
    ck_assert_str_eq(r.err, NO_SECCOMP_WARNING);
    integ_proc_free(&r);
}
END_TEST

START_TEST(help_lists_no_seccomp)
{
    struct proc_run r;
    integ_cli_run(ARGS("--help"), NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\n  --no-seccomp "), "--help: '%s'", r.out);
    integ_proc_free(&r);
}
END_TEST

Suite *seccomp_suite(void)
{
    Suite *s = suite_create("seccomp");
    TCase *tc = tcase_create("filter");
    tcase_add_loop_test(tc, disallowed_syscall_in_the_run_phase_kills_the_vmm, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, hook_runs_without_the_filter, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, shipped_command_has_no_hook, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, no_seccomp_warns_on_stderr, 0, INTEG_NLIBC);
    tcase_add_test(tc, help_lists_no_seccomp);
    suite_add_tcase(s, tc);
    return s;
}
