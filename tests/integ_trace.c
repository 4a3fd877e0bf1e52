/* integ_trace.c - --trace shows every crossing of a real run, in order. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integ_util.h"

START_TEST(trace_lists_each_syscall_and_the_fault)
{
    char path[] = "/tmp/ringbox-trace-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char opt[64];
    snprintf(opt, sizeof(opt), "--trace=%s", path);
    char *args[] = {"run", opt, (char *)integ_prog("fault", "musl", 0), "null", NULL};
    struct proc_run r;
    integ_cli_run(args, NULL, &r);
    ck_assert_int_eq(r.status, 139);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char text[16384];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = 0;
    fclose(f);
    unlink(path);
    /* musl's stdout write, decoded as strace shows it (the iovec's data
     * read from guest memory), then the fault; every syscall line has its
     * cost. */
    ck_assert_msg(strstr(text, "] arch_prctl(ARCH_SET_FS, 0x"), "trace was:\n%s", text);
    const char *w = strstr(text, "] writev(1, [{iov_base=\"rip=0x");
    const char *pf = strstr(text, "] fault: #PF error 0x4 at rip ");
    ck_assert_msg(w && pf && w < pf, "trace was:\n%s", text);
    ck_assert_ptr_nonnull(strstr(w, "<guest+crossing "));
    /* Exactly one fault, and it is the last crossing. */
    ck_assert_ptr_null(strstr(pf + strlen("] fault:"), "fault:"));
    ck_assert_ptr_null(strchr(strchr(pf, '\n') + 1, '['));
    integ_proc_free(&r);
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("cli");
    tcase_add_test(tc, trace_lists_each_syscall_and_the_fault);
    suite_add_tcase(s, tc);
    return s;
}
