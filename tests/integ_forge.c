/* integ_forge.c - a program that jumps to LSTAR itself, forging what SYSCALL
 * would have put in RCX and R11, gains nothing: IOPL/NT never reach ring 3
 * and a kernel return address becomes a #GP for the program. */
#include <check.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integ_util.h"
#include "vm.h"

/* LSTAR as the VMM programs it, read from a built (never run) sandbox. */
static const char *lstar_arg(void)
{
    static char buf[32];
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_t *rb;
    ringbox_config_init(&cfg);
    cfg.mem_bytes = RINGBOX_MIN_MEM;
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), 0);
    snprintf(buf, sizeof(buf), "%" PRIx64, rb->stub.syscall_entry);
    ringbox_destroy(rb);
    return buf;
}

START_TEST(forged_flags_are_sanitised)
{
    char *argv[] = {"forge", (char *)lstar_arg(), "iopl", NULL};
    struct lib_run r;
    integ_lib_run(integ_prog("forge", integ_libc[_i], 0), argv, NULL, 0, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_int_eq(r.res.end, RINGBOX_EXITED);
    ck_assert_str_eq(r.out, "pid=2 iopl=0 nt=0\n");
    integ_lib_free(&r);
}
END_TEST

START_TEST(forged_kernel_return_address_is_a_gp)
{
    char *argv[] = {"forge", (char *)lstar_arg(), "krip", NULL};
    struct lib_run r;
    integ_lib_run(integ_prog("forge", integ_libc[_i], 0), argv, NULL, 0, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_int_eq(r.res.end, RINGBOX_SIGNALED);
    ck_assert_int_eq(r.res.status, SIGSEGV);
    ck_assert(r.res.faulted);
    ck_assert_int_eq(r.res.fault.vector, 13);
    ck_assert_uint_eq(r.res.fault.rip, 0xffffffff80000000ULL);
    ck_assert_uint_eq(r.res.fault.insn_len, 0);
    /* The report carries the program's own stack pointer, not the stub's. */
    uint64_t rsp = strtoull(strstr(r.out, "rsp=") + 4, NULL, 16);
    ck_assert_uint_lt(r.res.fault.rsp, RB_USER_TOP);
    ck_assert_uint_lt(r.res.fault.rsp, rsp + 4096);
    ck_assert_uint_gt(r.res.fault.rsp + 4096, rsp);
    integ_lib_free(&r);
}
END_TEST

Suite *forge_suite(void)
{
    Suite *s = suite_create("forge");
    TCase *tc = tcase_create("lstar");
    tcase_add_loop_test(tc, forged_flags_are_sanitised, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, forged_kernel_return_address_is_a_gp, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
