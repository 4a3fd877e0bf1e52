/* integ_mem.c - guest memory: 1 GiB through brk and mmap, and the --mem cap refusing with ENOMEM. */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})
#define MIB (UINT64_C(1) << 20)

/* 1 GiB of guest data plus the VMM and the test itself. */
#define ONE_GIB_NEEDS (1536 * MIB)

START_TEST(one_gib_twice)
{
    if (!integ_have_memory(ONE_GIB_NEEDS, "one_gib_twice"))
        return;
    const char *prog = integ_prog("mem", integ_libc[_i], 0);
    struct lib_run r;
    integ_lib_run(prog, ARGS("mem", "alloc"), NULL, 2048 * MIB, &r);
    ck_assert_msg(r.rc == 0, "ringbox: %s", r.err.message);
    if (r.res.end != RINGBOX_EXITED || r.res.status != 0) {
        char line[512];
        ringbox_format_end(&r.res, line, sizeof line);
        ck_abort_msg("%s; output:\n%s", line, r.out);
    }
    ck_assert_ptr_nonnull(strstr(r.out, "brk: 128 MiB twice, ok\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "round 0: 1024 MiB held at once, touched, checked, freed\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "round 1: 1024 MiB held at once, touched, checked, freed\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "alloc ok\n"));
    integ_lib_free(&r);
}
END_TEST

/* The same through the command with --mem 2G, the documented way. */
START_TEST(one_gib_cli)
{
    if (!integ_have_memory(ONE_GIB_NEEDS, "one_gib_cli"))
        return;
    const char *prog = integ_prog("mem", integ_libc[_i], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--mem", "2G", (char *)prog, "alloc"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s', stdout '%s'", r.status, r.err, r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "alloc ok\n"));
    integ_proc_free(&r);
}
END_TEST

START_TEST(cap_enomem)
{
    const char *prog = integ_prog("mem", integ_libc[_i], 0);
    struct lib_run r;
    integ_lib_run(prog, ARGS("mem", "cap"), NULL, 64 * MIB, &r);
    ck_assert_msg(r.rc == 0, "ringbox: %s", r.err.message);
    if (r.res.end != RINGBOX_EXITED || r.res.status != 0) {
        char line[512];
        ringbox_format_end(&r.res, line, sizeof line);
        ck_abort_msg("%s; output:\n%s", line, r.out);
    }
    ck_assert_str_eq(integ_field(r.out, "brk_refused", 0), "1");
    ck_assert_str_eq(integ_field(r.out, "mmap", 0), "ENOMEM");
    ck_assert_str_eq(integ_field(r.out, "malloc", 0), "ENOMEM");
    ck_assert_str_eq(integ_field(r.out, "chunks_end", 0), "ENOMEM");
    ck_assert_str_eq(integ_field(r.out, "again", 0), "ok");
    /* Most of the 64 MiB is usable, and no more than that was granted. */
    int chunks = atoi(integ_field(r.out, "chunks", 0));
    ck_assert_int_ge(chunks, 32);
    ck_assert_int_lt(chunks, 64);
    integ_lib_free(&r);
}
END_TEST

Suite *mem_suite(void)
{
    Suite *s = suite_create("mem");
    TCase *tc = tcase_create("mem");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, one_gib_twice, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, one_gib_cli, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, cap_enomem, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
