/* unit_trace.c - the crossing trace's line format. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

#include "trace.h"

START_TEST(known_syscall_shows_its_own_arguments)
{
    char line[256];
    struct sys_args a = {.nr = __NR_write, .a = {1, 0x4a3b20, 19, 0xdead, 0xbeef, 7}};
    trace_format_syscall(line, sizeof(line), 1500000.0, NULL, &a, 19, 45.25, 2.5);
    ck_assert_str_eq(line, "[    1.500000] write(1, 0x4a3b20, 19) = 19  <guest+crossing 45.2us, vmm 2.5us>");
}
END_TEST

START_TEST(errors_are_named_and_addresses_are_hex)
{
    char line[256];
    struct sys_args a = {.nr = __NR_brk, .a = {0x594d00}};
    trace_format_syscall(line, sizeof(line), 0, NULL, &a, 0x595000, 1, 1);
    ck_assert_ptr_nonnull(strstr(line, "brk(0x594d00) = 0x595000"));
    struct sys_args w = {.nr = __NR_write, .a = {1, 0xffffffff80000000ULL, 10}};
    trace_format_syscall(line, sizeof(line), 0, NULL, &w, -EFAULT, 1, 1);
    ck_assert_ptr_nonnull(strstr(line, "write(1, 0xffffffff80000000, 10) = -1 EFAULT (Bad address)"));
}
END_TEST

START_TEST(unknown_numbers_show_all_six_and_truncation_is_safe)
{
    char line[256], tiny[16];
    struct sys_args a = {.nr = 1000, .a = {1, 2, 3, 4, 5, 6}};
    int n = trace_format_syscall(line, sizeof(line), 0, NULL, &a, -ENOSYS, 1, 1);
    ck_assert_ptr_nonnull(strstr(line, "syscall_1000(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)"));
    ck_assert_int_eq(n, (int)strlen(line));
    ck_assert_int_eq(trace_format_syscall(tiny, sizeof(tiny), 0, NULL, &a, -ENOSYS, 1, 1), n);
    ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, known_syscall_shows_its_own_arguments);
    tcase_add_test(tc, errors_are_named_and_addresses_are_hex);
    tcase_add_test(tc, unknown_numbers_show_all_six_and_truncation_is_safe);
    suite_add_tcase(s, tc);
    return s;
}
