/* integ_fs.c - the file view through the ringbox command: escape attempts
 * that must fail and leave the host untouched, --ro/--rw/--tmpfs/--cwd, the
 * default view and synthetic /proc/self, and bad mounts as usage errors. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* A scratch tree on the host: canary (outside every mount), ro/ and rw/. */
static char top[64], ro[96], rw[96], canary[96], ro_arg[128], rw_arg[128];

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void link_at(const char *target, const char *dir, const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_int_eq(symlink(target, path), 0);
}

static void setup(void)
{
    strcpy(top, "/tmp/rb-integ-fs-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top));
    snprintf(ro, sizeof ro, "%s/ro", top);
    snprintf(rw, sizeof rw, "%s/rw", top);
    snprintf(canary, sizeof canary, "%s/canary", top);
    snprintf(ro_arg, sizeof ro_arg, "%s:/ro", ro);
    snprintf(rw_arg, sizeof rw_arg, "%s:/rw", rw);
    ck_assert_int_eq(mkdir(ro, 0755), 0);
    ck_assert_int_eq(mkdir(rw, 0755), 0);
    put_file(canary, "the host's own file\n");
    char path[160];
    snprintf(path, sizeof path, "%s/data", ro);
    put_file(path, "ro data\n");
    snprintf(path, sizeof path, "%s/f", rw);
    put_file(path, "f\n");
    link_at("/etc", ro, "etc");
    link_at("../../../../../../../..", ro, "up");
    link_at("loop2", ro, "loop1");
    link_at("loop1", ro, "loop2");
    link_at(canary, ro, "canary");
    link_at(canary, rw, "canary");
}

static void teardown(void)
{
    integ_rm_rf(top);
}

/* FNV-1a over a file's bytes, and -1 if it cannot be read. */
static uint64_t hash_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return (uint64_t)-1;
    uint64_t h = 14695981039346656037ULL;
    int c;
    while ((c = fgetc(f)) != EOF)
        h = (h ^ (uint64_t)c) * 1099511628211ULL;
    fclose(f);
    return h;
}

/* A hash of a whole tree: names, link targets and file contents. */
static uint64_t hash_tree(const char *dir)
{
    uint64_t h = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[512], target[256] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint64_t one = 1469598103934665603ULL;
        for (const char *p = e->d_name; *p; p++)
            one = (one ^ (uint8_t)*p) * 1099511628211ULL;
        if (readlink(path, target, sizeof target - 1) >= 0)
            for (const char *p = target; *p; p++)
                one = (one ^ (uint8_t)*p) * 1099511628211ULL;
        else if (e->d_type == DT_REG)
            one ^= hash_file(path);
        h += one; /* order-independent */
    }
    closedir(d);
    return h;
}

static void assert_field(const struct proc_run *r, const char *key, const char *want)
{
    const char *got = integ_field(r->out, key, 0);
    ck_assert_msg(got && strcmp(got, want) == 0, "%s: want %s, got %s (stdout '%s', stderr '%s')",
                  key, want, got ? got : "(missing)", r->out, r->err);
}

START_TEST(escapes_are_denied_and_the_host_untouched)
{
    const char *prog = integ_prog("escape", integ_libc[_i], 0);
    uint64_t canary0 = hash_file(canary), ro0 = hash_tree(ro);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--ro", ro_arg, "--rw", rw_arg, (char *)prog, "escape"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    static const char *const want[][2] = {
        {"dotdot", "ENOENT"},          {"abs_symlink", "ENOENT"},
        {"rel_symlink", "ENOENT"},     {"loop", "ELOOP"},
        {"canary_link", "ENOENT"},     {"canary_write", "ENOENT"},
        {"canary_create", "ENOENT"},   {"proc_root", "ENOENT"},
        {"proc_fd_dir_walk", "EACCES"}, {"proc_fd_dir", "EACCES"},
        {"openat_dotdot", "ENOENT"},   {"beneath", "EXDEV"},
        /* /ro/etc links to "/etc", which IN_ROOT reads as /ro/etc again: a loop. */
        {"in_root", "ELOOP"},          {"no_symlinks", "ELOOP"},
        {"rename_xmount", "EXDEV"},    {"rename_into_ro", "EXDEV"},
        {"rename_ro", "EROFS"},        {"link_xmount", "EXDEV"},
        {"link_out", "EXDEV"},         {"write_ro", "EROFS"},
        {"create_ro", "EROFS"},        {"unlink_ro", "EROFS"},
        {"mkdir_ro", "EROFS"},         {"unlink_mount", "EBUSY"},
        {"symlink_make", "ok"},        {"symlink_follow", "ENOENT"},
        {"chmod_ro", "EROFS"},         {"truncate_ro", "EROFS"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_field(&r, want[i][0], want[i][1]);
    ck_assert_int_eq(integ_lines(r.out), (int)(sizeof want / sizeof want[0]));
    ck_assert_uint_eq(hash_file(canary), canary0);
    ck_assert_uint_eq(hash_tree(ro), ro0);
    /* The rw mount still has f: the cross-mount renames and links failed. */
    char path[160];
    snprintf(path, sizeof path, "%s/f", rw);
    ck_assert_int_eq(access(path, F_OK), 0);
    integ_proc_free(&r);
}
END_TEST

START_TEST(rw_changes_reach_the_host)
{
    const char *prog = integ_prog("escape", integ_libc[_i], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--rw", rw_arg, (char *)prog, "rw"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    static const char *const steps[] = {"create", "write", "rename", "mkdir", "move",
                                        "link", "unlink", "symlink", "read_via_symlink"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        assert_field(&r, steps[i], "ok");
    assert_field(&r, "content", "hello");
    char path[160], target[64] = "";
    snprintf(path, sizeof path, "%s/sub/moved", rw);
    FILE *f = fopen(path, "r");
    char buf[16] = "";
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
    fclose(f);
    ck_assert_str_eq(buf, "hello\n");
    snprintf(path, sizeof path, "%s/hard", rw);
    ck_assert_int_eq(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/soft", rw);
    ck_assert_int_gt(readlink(path, target, sizeof target - 1), 0);
    ck_assert_str_eq(target, "sub/moved");
    snprintf(path, sizeof path, "%s/f", rw);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/new", rw);
    ck_assert_int_ne(access(path, F_OK), 0);
    integ_proc_free(&r);
}
END_TEST

START_TEST(tmpfs_is_writable_and_gone_after_the_run)
{
    const char *prog = integ_prog("escape", integ_libc[_i], 0);
    char env[128];
    snprintf(env, sizeof env, "TMPDIR=%s", rw);
    char path[160];
    snprintf(path, sizeof path, "%s/f", rw);
    ck_assert_int_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/canary", rw);
    ck_assert_int_eq(unlink(path), 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--tmpfs", "/scratch", (char *)prog, "tmpfs", "/scratch"),
                  ARGS(env), &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    assert_field(&r, "create", "ok");
    assert_field(&r, "write", "ok");
    assert_field(&r, "content", "scratch");
    /* The private directory ringbox made under $TMPDIR is gone. */
    ck_assert_int_eq(integ_count_entries(rw), 0);
    integ_proc_free(&r);
}
END_TEST

START_TEST(cwd_starts_the_program_there)
{
    const char *prog = integ_prog("escape", integ_libc[_i], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--ro", ro_arg, "--cwd", "/ro/", (char *)prog, "cwd"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    assert_field(&r, "cwd", "/ro");
    assert_field(&r, "open_relative", "ok");
    assert_field(&r, "content", "ro data");
    integ_proc_free(&r);
}
END_TEST

START_TEST(default_view_has_exactly_the_listed_entries)
{
    const char *prog = integ_prog("escape", integ_libc[_i], 0);
    char exe[4096], want[4200], root[4200] = "";
    ck_assert_ptr_nonnull(realpath(prog, exe));
    /* "/" holds dev, proc, tmp and the first directory of the program's path. */
    *strchr(exe + 1, '/') = '\0';
    const char *names[] = {"dev", "proc", "tmp"};
    bool placed = false;
    for (size_t i = 0; i < 3; i++) {
        if (!placed && strcmp(exe + 1, names[i]) <= 0) {
            placed = true;
            if (strcmp(exe + 1, names[i]) < 0)
                strcat(strcat(root, " "), exe + 1);
        }
        strcat(strcat(root, " "), names[i]);
    }
    if (!placed)
        strcat(strcat(root, " "), exe + 1);
    snprintf(want, sizeof want,
             "/:%s\n"
             "/dev: null random stderr stdin stdout urandom zero\n"
             "/proc: loadavg self uptime\n"
             "/proc/self: cmdline exe fd maps status\n"
             "/tmp:\n",
             root);
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)prog, "ls", "/", "/dev", "/proc", "/proc/self", "/tmp"),
                  NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, want);
    integ_proc_free(&r);
}
END_TEST

START_TEST(proc_self_describes_the_program)
{
    const char *prog = integ_prog("escape", integ_libc[_i], 0);
    char exe[4096], cmdline[4200];
    ck_assert_ptr_nonnull(realpath(prog, exe));
    snprintf(cmdline, sizeof cmdline, "%s proc a b ", prog);
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)prog, "proc", "a", "b"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    assert_field(&r, "exe", exe);
    assert_field(&r, "cmdline", cmdline);
    assert_field(&r, "maps_stack", "yes");
    assert_field(&r, "status_pid", "yes");
    assert_field(&r, "dev_stdout", "/proc/self/fd/1");
    assert_field(&r, "open_dev_stdout", "ok");
    assert_field(&r, "write_dev_stdout", "ok");
    ck_assert_ptr_nonnull(strstr(r.out, "\nvia /dev/stdout\n"));
    integ_proc_free(&r);
}
END_TEST

START_TEST(bad_mounts_are_usage_errors)
{
    const char *prog = integ_prog("escape", "glibc", 0);
    char *const cases[][4] = {
        {"--ro", "/nonexistent/rb-host:/x", NULL},
        {"--rw", "/tmp:relative", NULL},
        {"--tmpfs", "relative", NULL},
        {"--cwd", "/not/in/the/view", NULL},
        {"--ro", "", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct proc_run r;
        integ_cli_run(ARGS("run", cases[i][0], cases[i][1], (char *)prog, "ls"), NULL, &r);
        ck_assert_msg(r.status == 125, "%s %s: status %d", cases[i][0], cases[i][1], r.status);
        ck_assert_msg(strncmp(r.err, "ringbox: ", 9) == 0 && integ_lines(r.err) == 1,
                      "stderr '%s'", r.err);
        ck_assert_str_eq(r.out, "");
        integ_proc_free(&r);
    }
}
END_TEST

Suite *fs_suite(void)
{
    Suite *s = suite_create("fs");
    TCase *tc = tcase_create("view");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, escapes_are_denied_and_the_host_untouched, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, rw_changes_reach_the_host, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, tmpfs_is_writable_and_gone_after_the_run, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, cwd_starts_the_program_there, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, default_view_has_exactly_the_listed_entries, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, proc_self_describes_the_program, 0, INTEG_NLIBC);
    tcase_add_test(tc, bad_mounts_are_usage_errors);
    suite_add_tcase(s, tc);
    return s;
}
