/* integ_sys.c - syscall boundary cases: kernel-half pointers are EFAULT, unknown numbers ENOSYS and counted. */
#define _GNU_SOURCE
#include <check.h>
#include <string.h>
#include <sys/syscall.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

static void assert_clean_exit(const struct lib_run *r)
{
    ck_assert_msg(r->rc == 0, "ringbox: %s", r->err.message);
    if (r->res.end != RINGBOX_EXITED || r->res.status != 0) {
        char line[512];
        ringbox_format_end(&r->res, line, sizeof line);
        ck_abort_msg("%s; output:\n%s", line, r->out);
    }
}

START_TEST(kernel_pointer_efault)
{
    const char *prog = integ_prog("sys", integ_libc[_i], 0);
    struct lib_run r;
    integ_lib_run(prog, ARGS("sys", "efault"), NULL, 0, &r);
    assert_clean_exit(&r);
    /* Not one byte of the stub reached stdout. */
    ck_assert_str_eq(r.out, "write_kernel=EFAULT\n"
                            "write_null=EFAULT\n"
                            "write_noncanonical=EFAULT\n"
                            "uname_kernel=EFAULT\n"
                            "x\n"
                            "write_ok=ok\n"
                            "continued\n");
    ck_assert_uint_eq(r.res.counters.faults, 0);
    integ_lib_free(&r);
}
END_TEST

START_TEST(unknown_syscalls)
{
    const char *prog = integ_prog("sys", integ_libc[_i], 0);
    struct lib_run base, r;
    integ_lib_run(prog, ARGS("sys", "none"), NULL, 0, &base);
    assert_clean_exit(&base);
    integ_lib_run(prog, ARGS("sys", "enosys"), NULL, 0, &r);
    assert_clean_exit(&r);
    ck_assert_str_eq(r.out, "nr1000=ENOSYS\nreboot=ENOSYS\n");
    ck_assert_uint_eq(r.res.counters.unknown_syscalls - base.res.counters.unknown_syscalls, 2);
    ck_assert_uint_eq(r.res.counters.by_syscall[__NR_reboot], 1);
    ck_assert_ptr_nonnull(ringbox_syscall_name(__NR_reboot));
    ck_assert_str_eq(ringbox_syscall_name(__NR_reboot), "reboot");
    ck_assert_str_eq(ringbox_syscall_name(__NR_write), "write");
    ck_assert_ptr_null(ringbox_syscall_name(1000));
    integ_lib_free(&base);
    integ_lib_free(&r);
}
END_TEST

/* Every forwarded syscall took exactly one route into the stub: on an
 * architectural KVM (the TCG lane) SYSCALL lands at CPL 0 and the kvm_pvm
 * #PF route is never taken; on kvm_pvm it is the only route. */
START_TEST(syscall_route_counted)
{
    const char *prog = integ_prog("sys", integ_libc[_i], 0);
    struct lib_run r;
    integ_lib_run(prog, ARGS("sys", "enosys"), NULL, 0, &r);
    assert_clean_exit(&r);
    const struct ringbox_counters *c = &r.res.counters;
    ck_assert_uint_gt(c->syscalls, 0);
    ck_assert_uint_eq(c->syscalls_via_syscall + c->syscalls_via_pf, c->syscalls);
    ck_assert_uint_eq(c->hypercalls, c->syscalls + c->faults);
    if (integ_is_kvm_pvm()) {
        ck_assert_uint_eq(c->syscalls_via_syscall, 0);
    } else {
        ck_assert_uint_eq(c->syscalls_via_pf, 0);
    }
    integ_lib_free(&r);
}
END_TEST

START_TEST(sysinfo_example)
{
    const char *prog = integ_prog("sysinfo", integ_libc[_i], 0);
    struct lib_run r;
    integ_lib_run(prog, ARGS("sysinfo"), NULL, 0, &r);
    assert_clean_exit(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "uname:   Linux"));
    ck_assert_ptr_nonnull(strstr(r.out, "AT_PAGESZ        0x1000"));
    ck_assert_ptr_nonnull(strstr(r.out, "AT_RANDOM"));
    integ_lib_free(&r);
}
END_TEST

Suite *sys_suite(void)
{
    Suite *s = suite_create("sys");
    TCase *tc = tcase_create("sys");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, kernel_pointer_efault, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, unknown_syscalls, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, syscall_route_counted, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, sysinfo_example, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
