/* integ_exec.c - through the library: exit statuses, argv/envp/auxv round-trip and the counters. */
#define _GNU_SOURCE
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "integ_util.h"
#include "require.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

static void assert_exited(const struct lib_run *r, int status)
{
    ck_assert_msg(r->rc == 0, "ringbox: %s", r->err.message);
    ck_assert_msg(r->res.end == RINGBOX_EXITED, "ended by signal %d", r->res.status);
    ck_assert_int_eq(r->res.status, status);
    ck_assert(!r->res.faulted);
}

START_TEST(exit_codes)
{
    const char *prog = integ_prog("exitcode", integ_libc[_i], 0);
    static const int codes[] = {0, 1, 255};
    for (size_t i = 0; i < 3; i++) {
        char arg[8];
        snprintf(arg, sizeof arg, "%d", codes[i]);
        struct lib_run r;
        integ_lib_run(prog, ARGS("exitcode", arg), NULL, 0, &r);
        assert_exited(&r, codes[i]);
        ck_assert_uint_ge(r.res.counters.by_syscall[__NR_exit_group], 1);
        integ_lib_free(&r);
    }
}
END_TEST

static uint64_t elf_entry(const char *path)
{
    Elf64_Ehdr eh;
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(read(fd, &eh, sizeof eh), (ssize_t)sizeof eh);
    close(fd);
    return eh.e_entry;
}

START_TEST(argv_envp_auxv)
{
    const char *prog = integ_prog("args", integ_libc[_i], 0);
    char *argv[] = {"first-is-argv0", "", "two words", "ünïcödé", "--not-an-option", NULL};
    char *envp[] = {"HOME=/nowhere", "EMPTY=", "X=a=b", NULL};
    struct lib_run r;
    integ_lib_run(prog, argv, envp, 0, &r);
    assert_exited(&r, 0);
    const char *out = r.out;

    ck_assert_str_eq(integ_field(out, "argc", 0), "5");
    ck_assert_str_eq(integ_field(out, "argc_on_stack", 0), "1");
    ck_assert_str_eq(integ_field(out, "entry_sp_mod16", 0), "0");
    for (int i = 0; argv[i]; i++) {
        char key[16];
        snprintf(key, sizeof key, "argv[%d]", i);
        const char *v = integ_field(out, key, 0);
        REQUIRE(v && !strcmp(v, argv[i]), "%s is '%s', want '%s'", key, v ? v : "(missing)", argv[i]);
    }
    ck_assert_str_eq(integ_field(out, "argv[argc]", 0), "null");
    ck_assert_str_eq(integ_field(out, "envp_follows_argv", 0), "1");
    ck_assert_str_eq(integ_field(out, "envc", 0), "3");
    ck_assert_str_eq(integ_field(out, "env[0]", 0), "HOME=/nowhere");
    ck_assert_str_eq(integ_field(out, "env[1]", 0), "EMPTY=");
    ck_assert_str_eq(integ_field(out, "env[2]", 0), "X=a=b");

    ck_assert_str_eq(integ_field(out, "AT_PAGESZ", 0), "4096");
    char want[32];
    snprintf(want, sizeof want, "%#llx", (unsigned long long)elf_entry(prog));
    ck_assert_str_eq(integ_field(out, "AT_ENTRY", 0), want);
    const char *phnum = integ_field(out, "AT_PHNUM", 0);
    ck_assert_msg(phnum && atoi(phnum) > 0, "AT_PHNUM '%s'", phnum ? phnum : "(none)");
    ck_assert_str_eq(integ_field(out, "AT_EXECFN", 0), prog);
    const char *rnd = integ_field(out, "AT_RANDOM", 0);
    ck_assert_ptr_nonnull(rnd);
    ck_assert_uint_eq(strlen(rnd), 32);
    ck_assert_uint_eq(strspn(rnd, "0123456789abcdef"), 32);
    ck_assert_str_ne(rnd, "00000000000000000000000000000000");
    char first[33];
    strcpy(first, rnd);
    integ_lib_free(&r);

    /* Another run gets other random bytes. */
    integ_lib_run(prog, argv, envp, 0, &r);
    assert_exited(&r, 0);
    ck_assert_str_ne(integ_field(r.out, "AT_RANDOM", 0), first);
    integ_lib_free(&r);
}
END_TEST

START_TEST(null_argv_envp)
{
    /* NULL means empty for both: the program sees argc 0. */
    const char *prog = integ_prog("args", integ_libc[_i], 0);
    struct lib_run r;
    integ_lib_run(prog, NULL, NULL, 0, &r);
    assert_exited(&r, 0);
    ck_assert_str_eq(integ_field(r.out, "argc", 0), "0");
    ck_assert_str_eq(integ_field(r.out, "envc", 0), "0");
    ck_assert_str_eq(integ_field(r.out, "entry_sp_mod16", 0), "0");
    integ_lib_free(&r);
}
END_TEST

START_TEST(counters)
{
    enum { N = 200 };
    const char *prog = integ_prog("sys", integ_libc[_i], 0);
    struct lib_run base, r;
    integ_lib_run(prog, ARGS("sys", "none"), NULL, 0, &base);
    assert_exited(&base, 0);
    integ_lib_run(prog, ARGS("sys", "writes", "200"), NULL, 0, &r);
    assert_exited(&r, 0);
    ck_assert_uint_eq(r.out_len, N);

    const struct ringbox_counters *c = &r.res.counters;
    ck_assert_uint_ge(c->by_syscall[__NR_write], N);
    ck_assert_uint_eq(c->by_syscall[__NR_write] - base.res.counters.by_syscall[__NR_write], N);
    ck_assert_uint_ge(c->syscalls, N);
    ck_assert_uint_ge(c->hypercalls, c->syscalls);
    ck_assert_uint_ge(c->exits, c->hypercalls);
    ck_assert_uint_eq(c->faults, 0);
    ck_assert_uint_eq(c->unknown_syscalls, base.res.counters.unknown_syscalls);
    /* Each syscall is counted once by number as well. */
    uint64_t sum = 0;
    for (int i = 0; i < RINGBOX_SYSCALL_SLOTS; i++)
        sum += c->by_syscall[i];
    ck_assert_uint_eq(sum, c->syscalls);
    integ_lib_free(&base);
    integ_lib_free(&r);
}
END_TEST

START_TEST(handle_misuse)
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    struct ringbox_result res;
    ringbox_t *rb;
    ringbox_config_init(&cfg);
    cfg.confine = false;
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), 0);
    /* Run before load. */
    ck_assert_int_eq(ringbox_run(rb, &res, &err), RINGBOX_EINVAL);
    ck_assert_int_eq(err.status, RINGBOX_EINVAL);
    ck_assert_uint_gt(strlen(err.message), 0);
    ck_assert_int_eq(ringbox_load(rb, "/nonexistent/prog", NULL, NULL, &err), RINGBOX_ENOENT);
    ringbox_destroy(rb);

    cfg.mem_bytes = RINGBOX_MIN_MEM - 4096;
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), RINGBOX_EINVAL);
    ringbox_destroy(NULL);
}
END_TEST

Suite *exec_suite(void)
{
    Suite *s = suite_create("exec");
    TCase *tc = tcase_create("exec");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, exit_codes, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, argv_envp_auxv, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, null_argv_envp, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, counters, 0, INTEG_NLIBC);
    tcase_add_test(tc, handle_misuse);
    suite_add_tcase(s, tc);
    return s;
}
