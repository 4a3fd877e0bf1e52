/* unit_trace.c - the trace's event renderings (text and JSON) and its filter. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "trace.h"
#include "x86.h"

static struct trace_ev syscall_ev(const struct sys_args *a, int64_t ret, struct decoded_call *c)
{
    decode_call(NULL, a, ret, c);
    return (struct trace_ev){.type = RINGBOX_TRACE_SYSCALL,
                             .seq = 17,
                             .t_ns = 1500000000,
                             .exits = 18,
                             .a = a,
                             .ret = ret,
                             .call = c,
                             .route = TRACE_ROUTE_SYSCALL,
                             .back = TRACE_BACK_SYSRET,
                             .exit_ns = 38210,
                             .vmm_ns = 1840};
}

START_TEST(text_line_has_every_column_in_order)
{
    char line[512];
    struct sys_args a = {.nr = __NR_write, .a = {1, 0x4a3b20, 19, 0xdead, 0xbeef, 7}};
    struct decoded_call c;
    struct trace_ev e = syscall_ev(&a, 19, &c);
    trace_render_text(&e, line, sizeof(line));
    ck_assert_str_eq(line, "[   1.500000] #17         18      38210      1840  SYSCALL→OUT→VMM→SYSRET      "
                           "write(1, 0x4a3b20, 19) = 19\n");
}
END_TEST

START_TEST(errors_are_named_and_explained)
{
    char line[512];
    struct sys_args a = {.nr = __NR_write, .a = {1, 0xffffffff80000000ULL, 10}};
    struct decoded_call c;
    struct trace_ev e = syscall_ev(&a, -EFAULT, &c);
    e.route = TRACE_ROUTE_PF;
    e.back = TRACE_BACK_IRET;
    trace_render_text(&e, line, sizeof(line));
    ck_assert_ptr_nonnull(strstr(line, "#PF→OUT→VMM→IRET"));
    ck_assert_ptr_nonnull(strstr(line, "write(1, 0xffffffff80000000, 10) = -1 EFAULT (Bad address)\n"));
}
END_TEST

START_TEST(json_escapes_and_carries_raw_numbers)
{
    char line[1024];
    struct sys_args a = {.nr = __NR_openat, .a = {(uint64_t)-100, 0x1000, 0, 0}};
    struct decoded_call c;
    struct trace_ev e = syscall_ev(&a, -ENOENT, &c);
    snprintf(c.arg[1], sizeof(c.arg[1]), "\"a\\\\b\"\x01\xff");
    trace_render_json(&e, line, sizeof(line));
    ck_assert_str_eq(line, "{\"type\":\"syscall\",\"seq\":17,\"t_ns\":1500000000,\"exits\":18,\"nr\":257,"
                           "\"name\":\"openat\",\"args\":[\"AT_FDCWD\",\"\\\"a\\\\\\\\b\\\"\\u0001\\u00ff\",\"O_RDONLY\"],"
                           "\"raw\":[-100,4096,0],\"ret\":-2,\"ret_text\":\"-1 ENOENT (No such file or directory)\","
                           "\"errno\":\"ENOENT\",\"route\":\"syscall\",\"back\":\"sysret\",\"exit_ns\":38210,"
                           "\"vmm_ns\":1840}\n");
}
END_TEST

START_TEST(fault_line_decodes_the_error_code)
{
    char line[512];
    struct rb_fault_frame f = {.vector = X86_VEC_PF, .error_code = 0x6, .cr2 = 0x10, .rip = 0x401000};
    struct trace_ev e = {.type = RINGBOX_TRACE_FAULT, .f = &f, .disasm = "mov dword ptr [rax], 1"};
    trace_render_text(&e, line, sizeof(line));
    ck_assert_ptr_nonnull(strstr(line, "fault #PF, error 0x6 (user write, page not present) at rip 0x401000, "
                                       "cr2 0x10: mov dword ptr [rax], 1\n"));
}
END_TEST

START_TEST(unknown_numbers_show_all_six_and_truncation_is_safe)
{
    char line[512], tiny[16];
    struct sys_args a = {.nr = 1000, .a = {1, 2, 3, 4, 5, 6}};
    struct decoded_call c;
    struct trace_ev e = syscall_ev(&a, -ENOSYS, &c);
    int n = trace_render_text(&e, line, sizeof(line));
    ck_assert_ptr_nonnull(strstr(line, "syscall_1000(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)"));
    ck_assert_int_eq(n, (int)strlen(line));
    ck_assert_int_eq(trace_render_text(&e, tiny, sizeof(tiny)), n);
    ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
}
END_TEST

START_TEST(filter_names_negation_and_events)
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_config_init(&cfg);
    ck_assert(trace_wants_nr(&cfg.trace, __NR_write));
    ck_assert_int_eq(ringbox_trace_filter(&cfg.trace, "trace=openat,close", &err), 0);
    ck_assert(trace_wants_nr(&cfg.trace, __NR_openat));
    ck_assert(!trace_wants_nr(&cfg.trace, __NR_write));
    ck_assert(!trace_wants_nr(&cfg.trace, 1000));
    ck_assert_int_eq(ringbox_trace_filter(&cfg.trace, "trace=!write", &err), 0);
    ck_assert(trace_wants_nr(&cfg.trace, __NR_openat));
    ck_assert(!trace_wants_nr(&cfg.trace, __NR_write));
    ck_assert(trace_wants_nr(&cfg.trace, 1000));
    ck_assert_int_eq(ringbox_trace_filter(&cfg.trace, "fault,signal", &err), 0);
    ck_assert_uint_eq(cfg.trace.events, RINGBOX_TRACE_SYSCALL | RINGBOX_TRACE_FAULT | RINGBOX_TRACE_SIGNAL);
    ck_assert_int_eq(ringbox_trace_filter(&cfg.trace, "trace=nosuchcall", &err), RINGBOX_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "nosuchcall"));
    ck_assert_int_eq(ringbox_trace_filter(&cfg.trace, "bogus", &err), RINGBOX_EINVAL);
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, text_line_has_every_column_in_order);
    tcase_add_test(tc, errors_are_named_and_explained);
    tcase_add_test(tc, json_escapes_and_carries_raw_numbers);
    tcase_add_test(tc, fault_line_decodes_the_error_code);
    tcase_add_test(tc, unknown_numbers_show_all_six_and_truncation_is_safe);
    tcase_add_test(tc, filter_names_negation_and_events);
    suite_add_tcase(s, tc);
    return s;
}
