/* integ_limits.c - the resource limits: --time, --cpu, --max-output, --max-fds,
 * --max-syscalls and --mem's host RSS bound, through the command and the
 * library's config fields.  Limits are small (0.3 s) so the suite stays quick;
 * no assertion is on how late a stop comes (bench/run measures that). */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})
#define MIB (UINT64_C(1) << 20)
#define MS (UINT64_C(1000000))

static const char *prog(int i)
{
    return integ_prog("limits", integ_libc[i], 0);
}

/* The command stopped the program at a limit: 137 and the one-line report. */
static void assert_stopped(const struct proc_run *r, const char *report)
{
    ck_assert_msg(r->status == 137, "status %d, stderr '%s'", r->status, r->err);
    char want[256];
    snprintf(want, sizeof want, "ringbox: %s", report);
    ck_assert_msg(strstr(r->err, want), "no '%s' in stderr '%s'", want, r->err);
}

static void cli_stopped(const char *opt, const char *val, const char *mode, int i, const char *report)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)opt, (char *)val, (char *)prog(i), (char *)mode), NULL, &r);
    assert_stopped(&r, report);
    integ_proc_free(&r);
}

/* Ring 3 without a syscall: only the host timer can end it. */
START_TEST(time_spin)
{
    cli_stopped("--time", "0.3", "spin", _i, "time limit exceeded: ");
}
END_TEST

START_TEST(cpu_spin)
{
    cli_stopped("--cpu", "0.3", "spin", _i, "CPU time limit exceeded: ");
}
END_TEST

/* SIGALRM ignored and blocked, its timer firing every 10 ms: the limit's
 * own timer is not the guest's and still stops it. */
START_TEST(time_spin_noalrm)
{
    cli_stopped("--time", "0.3", "spin-noalrm", _i, "time limit exceeded: ");
}
END_TEST

START_TEST(time_sleep)
{
    cli_stopped("--time", "0.3", "sleep", _i, "time limit exceeded: ");
}
END_TEST

/* Blocked in a host read on a pipe nobody writes. */
START_TEST(time_read)
{
    cli_stopped("--time", "0.3", "read", _i, "time limit exceeded: ");
}
END_TEST

/* Sleeping uses no CPU: --cpu does not stop it, --time does. */
START_TEST(cpu_sleep_time)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "--cpu", "0.5", "--time", "1", (char *)prog(_i), "sleep"), NULL, &r);
    assert_stopped(&r, "time limit exceeded: ");
    integ_proc_free(&r);
}
END_TEST

/* The write that crosses the limit is cut to it: exactly 2500 bytes out. */
START_TEST(output_stdout)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "--max-output", "2500", (char *)prog(_i), "write", "1", "5000"), NULL, &r);
    assert_stopped(&r, "output limit exceeded: 2500 bytes written to stdout and stderr (limit 2500)");
    ck_assert_uint_eq(r.out_len, 2500);
    ck_assert_uint_eq(strspn(r.out, "x"), 2500);
    integ_proc_free(&r);
}
END_TEST

START_TEST(output_stderr)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "--max-output", "2K", (char *)prog(_i), "write", "2", "5000"), NULL, &r);
    assert_stopped(&r, "output limit exceeded: 2048 bytes written");
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_uint_eq(strspn(r.err, "x"), 2048);
    ck_assert_str_eq(r.err + 2048, "ringbox: output limit exceeded: 2048 bytes written to stdout "
                                   "and stderr (limit 2048)\n");
    integ_proc_free(&r);
}
END_TEST

/* A dup of stdout, or stdout reopened through /dev/stdout, counts too. */
START_TEST(output_dup_reopen)
{
    static const char *const how[] = {"dup", "/dev/stdout", "/proc/self/fd/2"};
    for (size_t k = 0; k < 3; k++) {
        struct proc_run r;
        integ_cli_run(ARGS("run", "--max-output", "3000", (char *)prog(_i), "write", (char *)how[k], "5000"),
                      NULL, &r);
        assert_stopped(&r, "output limit exceeded: 3000 bytes written");
        ck_assert_uint_eq(r.out_len + strspn(r.err, "x"), 3000);
        integ_proc_free(&r);
    }
}
END_TEST

/* Up to the limit is fine: 5000 bytes and "done\n" fit in 5005. */
START_TEST(output_within)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "--max-output", "5005", (char *)prog(_i), "write", "1", "5000"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_uint_eq(r.out_len, 5005);
    ck_assert_str_eq(r.out + 5000, "done\n");
    integ_proc_free(&r);
}
END_TEST

/* RLIMIT_NOFILE semantics: fds 0-2 plus 7 opens reach 10, the 11th is
 * EMFILE, dup2 onto fd 10 is EBADF and onto fd 9 works. */
START_TEST(fds_limit)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "--max-fds", "10", (char *)prog(_i), "fds"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(integ_field(r.out, "opened", 0), "7");
    ck_assert_str_eq(integ_field(r.out, "errno", 0), "EMFILE");
    ck_assert_str_eq(integ_field(r.out, "cur", 0), "10");
    ck_assert_str_eq(integ_field(r.out, "max", 0), "10");
    ck_assert_str_eq(integ_field(r.out, "dup2_at_limit", 0), "-1 EBADF");
    ck_assert_str_eq(integ_field(r.out, "dup2_below", 0), "9");
    ck_assert_ptr_nonnull(strstr(r.err, "ringbox: fd limit reached: 1 call(s) failed with EMFILE (--max-fds 10)"));
    integ_proc_free(&r);
}
END_TEST

START_TEST(syscalls_cli)
{
    cli_stopped("--max-syscalls", "40", "syscalls", _i,
                "syscall limit exceeded: 40 syscalls served (limit 40)");
}
END_TEST

/* The library's fields: a limit's end, which limit, and the figures. */
static void lib_limited(const struct ringbox_config *cfg, const char *mode, int i, struct lib_run *r)
{
    integ_lib_run_cfg(prog(i), ARGS("limits", (char *)mode, "1", "5000"), NULL, cfg, r);
    ck_assert_msg(r->rc == 0, "ringbox: %s", r->err.message);
}

static void lib_config(struct ringbox_config *cfg)
{
    ringbox_config_init(cfg);
    cfg->confine = false;
}

static void assert_lib_stopped(const struct lib_run *r, enum ringbox_limit which, const char *report)
{
    char line[512];
    ringbox_format_end(&r->res, line, sizeof line);
    ck_assert_msg(r->res.end == RINGBOX_LIMIT && r->res.limit == which, "ended: %s", line);
    ck_assert_int_eq(r->res.status, SIGKILL);
    ck_assert_msg(strncmp(line, report, strlen(report)) == 0, "report '%s'", line);
}

START_TEST(lib_time)
{
    struct ringbox_config cfg;
    struct lib_run r;
    lib_config(&cfg);
    cfg.time_limit_ns = 300 * MS;
    lib_limited(&cfg, "spin", _i, &r);
    assert_lib_stopped(&r, RINGBOX_LIMIT_TIME, "time limit exceeded: ");
    ck_assert_uint_ge(r.res.wall_ns, 300 * MS);
    ck_assert_uint_eq(r.res.time_limit_ns, 300 * MS);
    integ_lib_free(&r);
}
END_TEST

START_TEST(lib_cpu)
{
    struct ringbox_config cfg;
    struct lib_run r;
    lib_config(&cfg);
    cfg.cpu_limit_ns = 300 * MS;
    lib_limited(&cfg, "spin", _i, &r);
    assert_lib_stopped(&r, RINGBOX_LIMIT_CPU, "CPU time limit exceeded: ");
    ck_assert_uint_ge(r.res.cpu_ns, 300 * MS);
    ck_assert_uint_ge(r.res.wall_ns, r.res.cpu_ns / 2);
    integ_lib_free(&r);
}
END_TEST

START_TEST(lib_output)
{
    struct ringbox_config cfg;
    struct lib_run r;
    lib_config(&cfg);
    cfg.max_output_bytes = 1000;
    lib_limited(&cfg, "write", _i, &r);
    assert_lib_stopped(&r, RINGBOX_LIMIT_OUTPUT, "output limit exceeded: 1000 bytes");
    ck_assert_uint_eq(r.out_len, 1000);
    ck_assert_uint_eq(r.res.counters.output_bytes, 1000);
    integ_lib_free(&r);
}
END_TEST

/* Exactly N syscalls served, the next one not. */
START_TEST(lib_syscalls)
{
    struct ringbox_config cfg;
    struct lib_run r;
    lib_config(&cfg);
    cfg.max_syscalls = 25;
    lib_limited(&cfg, "syscalls", _i, &r);
    assert_lib_stopped(&r, RINGBOX_LIMIT_SYSCALLS, "syscall limit exceeded: 25 syscalls served");
    ck_assert_uint_eq(r.res.counters.syscalls, 25);
    uint64_t sum = 0;
    for (int nr = 0; nr < RINGBOX_SYSCALL_SLOTS; nr++)
        sum += r.res.counters.by_syscall[nr];
    ck_assert_uint_eq(sum, 25);
    integ_lib_free(&r);
}
END_TEST

START_TEST(lib_fds)
{
    struct ringbox_config cfg;
    struct lib_run r;
    lib_config(&cfg);
    cfg.max_fds = 5;
    lib_limited(&cfg, "fds", _i, &r);
    ck_assert_msg(r.res.end == RINGBOX_EXITED && r.res.status == 0, "end %d status %d", r.res.end,
                  r.res.status);
    ck_assert_str_eq(integ_field(r.out, "opened", 0), "2");
    ck_assert_str_eq(integ_field(r.out, "cur", 0), "5");
    ck_assert_str_eq(integ_field(r.out, "dup2_at_limit", 0), "-1 EBADF");
    ck_assert_uint_eq(r.res.counters.emfile, 1);
    integ_lib_free(&r);
}
END_TEST

/* Without limits nothing is stopped and the result says none were set. */
START_TEST(lib_unlimited)
{
    struct ringbox_config cfg;
    struct lib_run r;
    lib_config(&cfg);
    lib_limited(&cfg, "write", _i, &r);
    ck_assert_msg(r.res.end == RINGBOX_EXITED && r.res.status == 0, "end %d status %d", r.res.end,
                  r.res.status);
    ck_assert_int_eq(r.res.limit, RINGBOX_LIMIT_NONE);
    ck_assert_uint_eq(r.res.time_limit_ns + r.res.cpu_limit_ns + r.res.max_output_bytes + r.res.max_syscalls, 0);
    ck_assert_uint_eq(r.res.counters.output_bytes, 5005);
    ck_assert_uint_gt(r.res.wall_ns, 0);
    integ_lib_free(&r);
}
END_TEST

/* The host's peak RSS for a guest that fills its memory: the guest's
 * memory plus the VMM's own (about 6 MiB: libc, Capstone, page tables,
 * the fd table).  A sanitizer build's VMM holds some 500 MiB of shadow and
 * allocator state of its own, so there the bound is not checked. */
#define RSS_SLACK (16 * MIB)
#if defined(__SANITIZE_ADDRESS__)
#define RSS_CHECKED 0
#else
#define RSS_CHECKED 1
#endif

START_TEST(mem_bomb_rss)
{
    const uint64_t mem = 64 * MIB;
    int out = open("/tmp", O_TMPFILE | O_RDWR, 0600);
    ck_assert_int_ge(out, 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(out, 1);
        execl(integ_ringbox(), "ringbox", "run", "--mem", "64M", prog(_i), "bomb", (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
    char buf[256] = "";
    ck_assert_int_ge(pread(out, buf, sizeof buf - 1, 0), 0);
    close(out);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x, output '%s'", status, buf);
    ck_assert_msg(strncmp(buf, "bomb=ENOMEM chunks=", 19) == 0, "output '%s'", buf);
    ck_assert_int_ge(atoi(buf + 19), 40);
    uint64_t rss = (uint64_t)ru.ru_maxrss * 1024;
    ck_assert_msg(!RSS_CHECKED || rss <= mem + RSS_SLACK, "peak RSS %llu KiB over %llu MiB + %llu MiB",
                  (unsigned long long)ru.ru_maxrss, (unsigned long long)(mem / MIB),
                  (unsigned long long)(RSS_SLACK / MIB));
}
END_TEST

/* Each bad value is a usage error with one line. */
START_TEST(usage)
{
    static const char *const bad[][2] = {
        {"--time", "0"},       {"--time", "-1"},      {"--time", "nan"},   {"--time", "1s"},
        {"--cpu", "inf"},      {"--cpu", ""},         {"--max-output", "0"}, {"--max-output", "1Q"},
        {"--max-fds", "0"},    {"--max-fds", "2000000"}, {"--max-syscalls", "-3"}, {"--max-syscalls", "x"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct proc_run r;
        integ_cli_run(ARGS("run", (char *)bad[k][0], (char *)bad[k][1], (char *)prog(0), "spin"), NULL, &r);
        ck_assert_msg(r.status == 125, "%s '%s': status %d", bad[k][0], bad[k][1], r.status);
        ck_assert_int_eq(integ_lines(r.err), 1);
        ck_assert_ptr_nonnull(strstr(r.err, bad[k][0]));
        integ_proc_free(&r);
    }
}
END_TEST

Suite *limits_suite(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, time_spin, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, cpu_spin, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, time_spin_noalrm, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, time_sleep, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, time_read, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, cpu_sleep_time, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, output_stdout, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, output_stderr, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, output_within, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, output_dup_reopen, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, fds_limit, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, syscalls_cli, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, lib_time, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, lib_cpu, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, lib_output, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, lib_syscalls, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, lib_fds, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, lib_unlimited, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, mem_bomb_rss, 0, INTEG_NLIBC);
    tcase_add_test(tc, usage);
    suite_add_tcase(s, tc);
    return s;
}
