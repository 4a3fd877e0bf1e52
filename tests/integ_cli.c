/* integ_cli.c - the ringbox command: output, exit statuses, environment options, messages and --stats. */
#define _GNU_SOURCE
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* The one line ringbox's own failures print. */
static void assert_one_error_line(const struct proc_run *r)
{
    ck_assert_msg(strncmp(r->err, "ringbox: ", 9) == 0, "stderr: '%s'", r->err);
    ck_assert_msg(integ_lines(r->err) == 1, "want one line on stderr, got '%s'", r->err);
}

START_TEST(hello_matches_native)
{
    const char *prog = integ_prog("hello", integ_libc[_i], 0);
    struct proc_run native, boxed;
    integ_proc_run(prog, ARGS((char *)prog), NULL, &native);
    ck_assert_int_eq(native.status, 0);
    ck_assert_str_eq(native.out, "Hello from ring 3!\n");

    integ_cli_run(ARGS("run", (char *)prog), NULL, &boxed);
    ck_assert_msg(boxed.status == 0, "status %d, stderr '%s'", boxed.status, boxed.err);
    ck_assert_uint_eq(boxed.out_len, native.out_len);
    ck_assert_mem_eq(boxed.out, native.out, native.out_len);
    ck_assert_str_eq(boxed.err, "");
    integ_proc_free(&native);
    integ_proc_free(&boxed);
}
END_TEST

START_TEST(hello_static_pie)
{
    const char *prog = integ_prog("hello.spie", NULL, 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)prog), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "Hello from ring 3!\n");
    integ_proc_free(&r);
}
END_TEST

START_TEST(exit_statuses)
{
    const char *prog = integ_prog("exitcode", integ_libc[_i], 0);
    static const char *const codes[] = {"0", "1", "255", "42"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        struct proc_run r;
        integ_cli_run(ARGS("run", (char *)prog, (char *)codes[i]), NULL, &r);
        ck_assert_msg(r.status == atoi(codes[i]), "exit(%s): status %d, stderr '%s'", codes[i],
                      r.status, r.err);
        ck_assert_str_eq(r.err, "");
        integ_proc_free(&r);
    }
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)prog, "7", "raw"), NULL, &r);
    ck_assert_int_eq(r.status, 7);
    integ_proc_free(&r);
}
END_TEST

/* Options stop at PROGRAM: its own "--stats" and "--mem" are arguments. */
START_TEST(options_stop_at_program)
{
    const char *prog = integ_prog("args", integ_libc[_i], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--", (char *)prog, "--stats", "--mem", "1", "--env", "A=B"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(integ_field(r.out, "argc", 0), "6");
    ck_assert_str_eq(integ_field(r.out, "argv[1]", 0), "--stats");
    ck_assert_str_eq(integ_field(r.out, "argv[4]", 0), "--env");
    ck_assert_str_eq(integ_field(r.out, "envc", 0), "0");
    ck_assert_str_eq(r.err, ""); /* no stats were printed */
    integ_proc_free(&r);
}
END_TEST

START_TEST(env_empty_by_default)
{
    const char *prog = integ_prog("args", integ_libc[_i], 0);
    char *host_env[] = {"RB_SECRET=do-not-leak", "PATH=/usr/bin", NULL};
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)prog), host_env, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(integ_field(r.out, "envc", 0), "0");
    ck_assert_ptr_null(strstr(r.out, "RB_SECRET"));
    integ_proc_free(&r);
}
END_TEST

START_TEST(env_option)
{
    const char *prog = integ_prog("args", integ_libc[_i], 0);
    char *host_env[] = {"RB_SECRET=do-not-leak", NULL};
    struct proc_run r;
    integ_cli_run(ARGS("run", "--env", "A=1", "--env=B=two words", "--env", "A=3", "--env", "EMPTY=",
                       (char *)prog),
                  host_env, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    /* A later --env for the same name replaces the earlier one. */
    ck_assert_str_eq(integ_field(r.out, "envc", 0), "3");
    ck_assert_str_eq(integ_field(r.out, "env[0]", 0), "A=3");
    ck_assert_str_eq(integ_field(r.out, "env[1]", 0), "B=two words");
    ck_assert_str_eq(integ_field(r.out, "env[2]", 0), "EMPTY=");
    ck_assert_ptr_null(strstr(r.out, "RB_SECRET"));
    integ_proc_free(&r);
}
END_TEST

START_TEST(env_inherit)
{
    const char *prog = integ_prog("args", integ_libc[_i], 0);
    char *host_env[] = {"RB_INHERITED=yes", "RB_OVERRIDE=host", NULL};
    struct proc_run r;
    integ_cli_run(ARGS("run", "--inherit-env", "--env", "RB_OVERRIDE=cli", (char *)prog), host_env, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(integ_field(r.out, "envc", 0), "2");
    ck_assert_str_eq(integ_field(r.out, "env[0]", 0), "RB_INHERITED=yes");
    ck_assert_str_eq(integ_field(r.out, "env[1]", 0), "RB_OVERRIDE=cli");
    integ_proc_free(&r);
}
END_TEST

/* A signal death is 128+signal with the one-line report on stderr. */
START_TEST(signal_statuses)
{
    static const struct {
        const char *mode, *signame;
        int status;
    } cases[] = {
        {"hlt", "SIGSEGV", 139}, {"div0", "SIGFPE", 136}, {"ud2", "SIGILL", 132},
        {"int3", "SIGTRAP", 133}, {"kread", "SIGSEGV", 139},
    };
    const char *prog = integ_prog("fault", integ_libc[_i], 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proc_run r;
        integ_cli_run(ARGS("run", (char *)prog, (char *)cases[i].mode), NULL, &r);
        ck_assert_msg(r.status == cases[i].status, "%s: status %d, want %d, stderr '%s'", cases[i].mode,
                      r.status, cases[i].status, r.err);
        /* One summary line, then the fault report's indented lines. */
        ck_assert_msg(!strncmp(r.err, "ringbox: killed by ", 19), "%s: stderr '%s'", cases[i].mode, r.err);
        for (const char *l = strchr(r.err, '\n'); l && l[1]; l = strchr(l + 1, '\n'))
            ck_assert_msg(!strncmp(l + 1, "  ", 2), "%s: unindented report line in '%s'", cases[i].mode, r.err);
        ck_assert_msg(strstr(r.err, "\n  why:  "), "%s: no explanation in '%s'", cases[i].mode, r.err);
        ck_assert_msg(strstr(r.err, cases[i].signame), "%s: report '%s' lacks %s", cases[i].mode, r.err,
                      cases[i].signame);
        ck_assert_ptr_nonnull(strstr(r.out, "rip="));
        ck_assert_ptr_null(strstr(r.out, "survived"));
        integ_proc_free(&r);
    }
}
END_TEST

START_TEST(missing_program)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "/nonexistent/ringbox-test-program"), NULL, &r);
    ck_assert_int_eq(r.status, 127);
    assert_one_error_line(&r);
    ck_assert_str_eq(r.out, "");
    integ_proc_free(&r);
}
END_TEST

static char *write_temp(const void *data, size_t len, int mode)
{
    char *path = strdup("/tmp/ringbox-integ-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    ck_assert_int_eq(fchmod(fd, (mode_t)mode), 0);
    close(fd);
    return path;
}

START_TEST(not_elf)
{
    static const char script[] = "#!/bin/sh\necho hi\n";
    char *path = write_temp(script, sizeof script - 1, 0755);
    struct proc_run r;
    integ_cli_run(ARGS("run", path), NULL, &r);
    unlink(path);
    ck_assert_msg(r.status == 126, "status %d, stderr '%s'", r.status, r.err);
    assert_one_error_line(&r);
    integ_proc_free(&r);
    free(path);
}
END_TEST

START_TEST(truncated_elf)
{
    /* The first 1000 bytes of a real program: a valid header whose
     * segments point past the end of the file. */
    const char *prog = integ_prog("hello", integ_libc[_i], 0);
    char buf[1000];
    int fd = open(prog, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(read(fd, buf, sizeof buf), (ssize_t)sizeof buf);
    close(fd);
    char *path = write_temp(buf, sizeof buf, 0755);
    struct proc_run r;
    integ_cli_run(ARGS("run", path), NULL, &r);
    unlink(path);
    ck_assert_msg(r.status == 126, "status %d, stderr '%s'", r.status, r.err);
    assert_one_error_line(&r);
    integ_proc_free(&r);
    free(path);
}
END_TEST

/* Whether the ELF file at path has a PT_INTERP program header. */
static int has_interp(const char *path)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    int fd = open(path, O_RDONLY), found = 0;
    if (fd < 0)
        return 0;
    if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && !memcmp(eh.e_ident, ELFMAG, SELFMAG))
        for (int i = 0; i < eh.e_phnum && !found; i++)
            found = pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) ==
                        (ssize_t)sizeof ph &&
                    ph.p_type == PT_INTERP;
    close(fd);
    return found;
}

START_TEST(dynamic_program)
{
    const char *dyn = integ_prog("hello.dyn", NULL, 0);
    ck_assert_msg(has_interp(dyn), "%s has no PT_INTERP", dyn);
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)dyn, "x"), NULL, &r);
    ck_assert_msg(r.status == 7, "%s: status %d, stderr '%s'", dyn, r.status, r.err);
    ck_assert_str_eq(r.out, "hello from a dynamic program, argc=2\nargv[1]=x\n");
    ck_assert_str_eq(r.err, "");
    integ_proc_free(&r);
}
END_TEST

/* A copy of a dynamic program whose PT_INTERP names a loader that is not in
 * the file view: refused as not runnable (126), saying which. */
START_TEST(dynamic_interpreter_missing)
{
    static const char ld[] = "/lib64/ld-linux-x86-64.so.2", nope[] = "/lib64/ld-nopex-x86-64.so.2";
    const char *dyn = integ_prog("hello.dyn", NULL, 0);
    char path[] = "/tmp/rb-cli-nointerp-XXXXXX";
    struct stat st;
    int in = open(dyn, O_RDONLY), out = mkstemp(path);
    ck_assert_int_ge(in, 0);
    ck_assert_int_ge(out, 0);
    ck_assert_int_eq(fstat(in, &st), 0);
    char *buf = malloc((size_t)st.st_size);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(read(in, buf, (size_t)st.st_size), st.st_size);
    char *at = memmem(buf, (size_t)st.st_size, ld, sizeof ld);
    ck_assert_ptr_nonnull(at);
    memcpy(at, nope, sizeof nope);
    ck_assert_int_eq(write(out, buf, (size_t)st.st_size), st.st_size);
    fchmod(out, 0755);
    close(in);
    close(out);
    free(buf);

    struct proc_run r;
    integ_cli_run(ARGS("run", path), NULL, &r);
    unlink(path);
    ck_assert_msg(r.status == 126, "status %d, stderr '%s'", r.status, r.err);
    assert_one_error_line(&r);
    ck_assert_msg(strstr(r.err, "interpreter /lib64/ld-nopex-x86-64.so.2 not found in the file view"),
                  "stderr '%s'", r.err);
    integ_proc_free(&r);
}
END_TEST

START_TEST(usage_errors)
{
    const char *prog = integ_prog("hello", "glibc", 0);
    char *const *cases[] = {
        ARGS("run"),
        ARGS("bogus"),
        ARGS("run", "--bogus", (char *)prog),
        ARGS("run", "--mem", "lots", (char *)prog),
        ARGS("run", "--mem", "12Q", (char *)prog),
        ARGS("run", "--mem", "1M", (char *)prog), /* below the 16M minimum */
        ARGS("run", "--mem"),
        ARGS("run", "--env", "NOEQUALS", (char *)prog),
        ARGS("run", "--env"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proc_run r;
        integ_cli_run(cases[i], NULL, &r);
        ck_assert_msg(r.status == 125, "case %zu (%s %s): status %d, stderr '%s'", i, cases[i][0],
                      cases[i][1] ? cases[i][1] : "", r.status, r.err);
        assert_one_error_line(&r);
        ck_assert_str_eq(r.out, "");
        integ_proc_free(&r);
    }
    struct proc_run r;
    char *none[] = {"ringbox", NULL};
    integ_proc_run(integ_ringbox(), none, NULL, &r);
    ck_assert_int_eq(r.status, 125);
    assert_one_error_line(&r);
    integ_proc_free(&r);
}
END_TEST

START_TEST(mem_suffixes)
{
    const char *prog = integ_prog("hello", "musl", 0);
    static const char *const sizes[] = {"16M", "65536K", "1G", "1g", "33554432"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct proc_run r;
        integ_cli_run(ARGS("run", "--mem", (char *)sizes[i], (char *)prog), NULL, &r);
        ck_assert_msg(r.status == 0, "--mem %s: status %d, stderr '%s'", sizes[i], r.status, r.err);
        ck_assert_str_eq(r.out, "Hello from ring 3!\n");
        integ_proc_free(&r);
    }
}
END_TEST

START_TEST(version_and_help)
{
    struct proc_run r;
    integ_cli_run(ARGS("--version"), NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, RINGBOX_VERSION));
    ck_assert_str_eq(r.err, "");
    integ_proc_free(&r);

    integ_cli_run(ARGS("--help"), NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "Usage: ringbox run"));
    /* The exit statuses are documented. */
    static const char *const documented[] = {"--mem", "--env", "--inherit-env", "--stats", "120", "121",
                                             "125", "126", "127", "128+"};
    for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
        ck_assert_msg(strstr(r.out, documented[i]), "--help lacks %s", documented[i]);
    ck_assert_str_eq(r.err, "");
    integ_proc_free(&r);
}
END_TEST

START_TEST(stats_output)
{
    const char *prog = integ_prog("sys", integ_libc[_i], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--stats", (char *)prog, "writes", "50"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_uint_eq(r.out_len, 50);
    static const char *const labels[] = {"exits", "hypercalls", "syscalls", "unknown", "faults",
                                         "rejected I/O", "TLB flushes", "write", "exit_group"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        ck_assert_msg(strstr(r.err, labels[i]), "--stats output lacks '%s':\n%s", labels[i], r.err);

    /* A header, then write first: it is the most frequent syscall here. */
    const char *by = strstr(r.err, "by syscall");
    ck_assert_msg(by != NULL, "no per-syscall table:\n%s", r.err);
    const char *first = strchr(by, '\n');
    ck_assert_ptr_nonnull(first);
    char name[32];
    unsigned long nr, count;
    ck_assert_int_eq(sscanf(first + 1, "%31s %lu %lu", name, &nr, &count), 3);
    ck_assert_str_eq(name, "write");
    ck_assert_uint_eq(nr, 1);
    ck_assert_uint_ge(count, 50);
    integ_proc_free(&r);
}
END_TEST

/* Runs `sys MODE` through the command with stdout a pipe nobody reads.
 * Returns the wait status; stderr lands in err. */
static int run_into_closed_pipe(const char *prog, const char *mode, char *err, size_t errlen)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    close(p[0]);
    char errpath[] = "/tmp/ringbox-integ-err-XXXXXX";
    int errfd = mkstemp(errpath);
    ck_assert_int_ge(errfd, 0);
    unlink(errpath);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL); /* as a shell would leave it */
        dup2(p[1], 1);
        dup2(errfd, 2);
        char *argv[] = {"ringbox", "run", (char *)prog, (char *)mode, NULL};
        char *envp[] = {NULL};
        execve(integ_ringbox(), argv, envp);
        _exit(98);
    }
    close(p[1]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ssize_t n = pread(errfd, err, errlen - 1, 0);
    err[n > 0 ? n : 0] = '\0';
    close(errfd);
    return st;
}

/* The guest ignores SIGPIPE: it sees EPIPE, and ringbox lives. */
START_TEST(epipe_reaches_guest)
{
    char err[512];
    int st = run_into_closed_pipe(integ_prog("sys", integ_libc[_i], 0), "epipe", err, sizeof err);
    ck_assert_msg(WIFEXITED(st), "ringbox died of signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    ck_assert_msg(WEXITSTATUS(st) == 0, "status %d, stderr '%s'", WEXITSTATUS(st), err);
    ck_assert_str_eq(err, "write=EPIPE\n");
}
END_TEST

/* The guest keeps SIGPIPE's default: it is killed (141, as a shell says),
 * but ringbox itself exits normally and reports it. */
START_TEST(sigpipe_kills_guest_only)
{
    char err[512];
    int st = run_into_closed_pipe(integ_prog("sys", integ_libc[_i], 0), "sigpipe", err, sizeof err);
    ck_assert_msg(WIFEXITED(st), "ringbox died of signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    ck_assert_msg(WEXITSTATUS(st) == 128 + SIGPIPE, "status %d, stderr '%s'", WEXITSTATUS(st), err);
    ck_assert_str_eq(err, "ringbox: killed by SIGPIPE\n");
}
END_TEST

/* Without /dev/kvm (hidden under an empty /dev in a private mount
 * namespace): 121 and one line naming it. */
START_TEST(no_kvm)
{
    const char *prog = integ_prog("hello", "glibc", 0);
    const char *rbx = integ_ringbox();
    int errp[2];
    ck_assert_int_eq(pipe(errp), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(errp[0]);
        if (unshare(CLONE_NEWNS) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
            _exit(77);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("none", "/dev", "tmpfs", 0, NULL) < 0)
            _exit(77);
        dup2(errp[1], 2);
        char *argv[] = {"ringbox", "run", (char *)prog, NULL};
        char *envp[] = {NULL};
        execve(rbx, argv, envp);
        _exit(98);
    }
    close(errp[1]);
    char err[512];
    ssize_t n, got = 0;
    while ((n = read(errp[0], err + got, sizeof err - 1 - (size_t)got)) > 0)
        got += n;
    err[got] = '\0';
    close(errp[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    if (WEXITSTATUS(st) == 77) {
        fprintf(stderr, "no_kvm: skipped, cannot hide /dev/kvm here (no mount namespace)\n");
        return;
    }
    ck_assert_msg(WEXITSTATUS(st) == 121, "status %d, stderr '%s'", WEXITSTATUS(st), err);
    ck_assert_msg(!strncmp(err, "ringbox: ", 9) && integ_lines(err) == 1, "stderr '%s'", err);
    ck_assert_msg(strstr(err, "/dev/kvm"), "stderr '%s'", err);
}
END_TEST

/* Guest memory the host cannot reserve is ringbox's own failure: 120. */
START_TEST(internal_failure)
{
    const char *prog = integ_prog("hello", "glibc", 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--mem", "200000G", (char *)prog), NULL, &r);
    ck_assert_msg(r.status == 120, "status %d, stderr '%s'", r.status, r.err);
    assert_one_error_line(&r);
    ck_assert_str_eq(r.out, "");
    integ_proc_free(&r);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, hello_matches_native, 0, INTEG_NLIBC);
    tcase_add_test(tc, hello_static_pie);
    tcase_add_loop_test(tc, exit_statuses, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, options_stop_at_program, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, env_empty_by_default, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, env_option, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, env_inherit, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, signal_statuses, 0, INTEG_NLIBC);
    tcase_add_test(tc, missing_program);
    tcase_add_test(tc, not_elf);
    tcase_add_loop_test(tc, truncated_elf, 0, INTEG_NLIBC);
    tcase_add_test(tc, dynamic_program);
    tcase_add_test(tc, dynamic_interpreter_missing);
    tcase_add_test(tc, usage_errors);
    tcase_add_test(tc, no_kvm);
    tcase_add_test(tc, internal_failure);
    tcase_add_test(tc, mem_suffixes);
    tcase_add_test(tc, version_and_help);
    tcase_add_loop_test(tc, stats_output, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, epipe_reaches_guest, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, sigpipe_kills_guest_only, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
