/* integ_disk.c - disk limits through the ringbox command and the library:
 * a --tmpfs of a size and the private /tmp, filled by tests/progs/diskfill.c
 * and answering as Linux's tmpfs does; --max-disk on a --rw directory, the
 * host file checked after; and a SIGKILLed ringbox leaving no directory,
 * file or process behind.
 *
 * The tmpfs tests run both ways ringbox makes a tmpfs mount (disk.h): a
 * kernel tmpfs (this suite runs as root, so directly), and the VMM's own
 * count in the fallback, which a real condition forces: ringbox started in
 * a user namespace that may create no further one (its
 * max_user_namespaces set to 0), where the mount API is refused (the mount
 * namespace is the host's) and so is the helper child's user namespace.
 * An unprivileged run (uid 65534 with the kvm group) takes the helper
 * child's way. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})
#define NOBODY 65534
/* The child could not take the unprivileged way (no access to /dev/kvm or the build). */
#define SKIPPED 77

/* How ringbox is started: as this (root) process is, in a user namespace
 * without user namespaces, or as an unprivileged user. */
enum how { KERNEL, FALLBACK, UNPRIV };

static const char *const how_name[] = {"kernel tmpfs", "fallback", "unprivileged"};

/* A fresh $TMPDIR for ringbox, and a --rw directory. */
static char tmpdir[64], rwdir[64];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/rb-integ-disk-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    strcpy(rwdir, "/tmp/rb-integ-disk-rw-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(rwdir));
}

static void teardown(void)
{
    integ_rm_rf(tmpdir);
    integ_rm_rf(rwdir);
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In the forked child, before exec: the conditions of `how`. */
static void become(enum how how, gid_t kvm)
{
    char map[32];
    if (how == FALLBACK) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER) < 0)
            _exit(96);
        snprintf(map, sizeof map, "%u %u 1", uid, uid);
        if (write_file("/proc/self/setgroups", "deny") < 0 || write_file("/proc/self/uid_map", map) < 0)
            _exit(96);
        snprintf(map, sizeof map, "%u %u 1", gid, gid);
        if (write_file("/proc/self/gid_map", map) < 0 ||
            write_file("/proc/sys/user/max_user_namespaces", "0") < 0)
            _exit(96);
    } else if (how == UNPRIV) {
        if (setgroups(1, &kvm) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
            setresuid(NOBODY, NOBODY, NOBODY) < 0)
            _exit(96);
        if (access("/dev/kvm", R_OK | W_OK) < 0 || access(integ_ringbox(), X_OK) < 0)
            _exit(SKIPPED);
    }
}

static char *slurp(int fd)
{
    off_t len = lseek(fd, 0, SEEK_END);
    ck_assert_int_ge(len, 0);
    char *s = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(pread(fd, s, (size_t)len, 0), len);
    s[len] = '\0';
    return s;
}

/* Start `ringbox ARGS` with TMPDIR=tmpdir, stdin /dev/null, stderr into
 * *err (a memfd) and stdout into *out: a memfd, or with `piped` a pipe. */
static pid_t start(enum how how, char *const args[], bool piped, int *out, int *err)
{
    char *argv[32], env[96];
    size_t n = 0;
    argv[n++] = (char *)"ringbox";
    for (; args[n - 1]; n++) {
        ck_assert_int_lt(n, 31);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    snprintf(env, sizeof env, "TMPDIR=%s", tmpdir);
    char *envp[] = {env, NULL};
    struct group *g = getgrnam("kvm");
    gid_t kvm = g ? g->gr_gid : NOBODY;
    int p[2] = {-1, -1};
    *err = memfd_create("stderr", MFD_CLOEXEC);
    ck_assert_int_ge(*err, 0);
    if (piped)
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
    else
        ck_assert_int_ge(p[1] = memfd_create("stdout", MFD_CLOEXEC), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(p[1], 1) < 0 || dup2(*err, 2) < 0)
            _exit(99);
        become(how, kvm);
        execve(integ_ringbox(), argv, envp);
        _exit(98);
    }
    if (piped) {
        close(p[1]);
        *out = p[0];
    } else {
        *out = p[1];
    }
    return pid;
}

static int status_of(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run it to the end; r->status SKIPPED when the unprivileged way is closed here. */
static void run(enum how how, char *const args[], struct proc_run *r)
{
    int out, err;
    memset(r, 0, sizeof *r);
    pid_t pid = start(how, args, false, &out, &err);
    r->status = status_of(pid);
    r->out = slurp(out);
    r->err = slurp(err);
    close(out);
    close(err);
    ck_assert_msg(r->status != 96, "%s: could not set up the child", how_name[how]);
}

/* Every "key=value" of `want` is a line of r's stdout, and ringbox exited 0. */
static void expect(const struct proc_run *r, enum how how, const char *what, const char *const want[])
{
    char bad[1024] = "";
    size_t len = 0;
    for (size_t i = 0; want[i]; i++) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)strcspn(want[i], "="), want[i]);
        const char *got = integ_field(r->out, key, 0);
        if (!got || strcmp(got, want[i] + strlen(key) + 1) != 0)
            len += (size_t)snprintf(bad + len, len < sizeof bad ? sizeof bad - len : 0,
                                    " want %s got %s;", want[i], got ? got : "nothing");
    }
    ck_assert_msg(r->status == 0 && !bad[0], "%s, %s: status %d,%s\nstdout:\n%s\nstderr:\n%s",
                  how_name[how], what, r->status, bad, r->out, r->err);
}

static void check(enum how how, char *const args[], const char *const want[])
{
    struct proc_run r;
    char what[512] = "ringbox";
    size_t len = strlen(what);
    for (size_t i = 0; args[i] && len < sizeof what; i++)
        len += (size_t)snprintf(what + len, sizeof what - len, " %s", args[i]);
    run(how, args, &r);
    expect(&r, how, what, want);
    integ_proc_free(&r);
}

#define WANT(...) ((const char *const[]){__VA_ARGS__, NULL})

/* _i: the libc, then the way (kernel tmpfs, fallback). */
static const char *prog(int i)
{
    return integ_prog("diskfill", integ_libc[i % INTEG_NLIBC], 0);
}

static enum how way(int i)
{
    return i / INTEG_NLIBC ? FALLBACK : KERNEL;
}

/* A write that crosses the size writes what fits (the page it started in,
 * and every free page), the next fails; an overwrite of a page already
 * there still succeeds. */
START_TEST(tmpfs_write_stops_at_its_size)
{
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "fill", "/t/f", "100000", "16777216"),
          WANT("written=1048576", "short=48576", "next=ENOSPC", "overwrite=ok", "hole=ENOSPC",
               "writev=ENOSPC", "size=1048576"));
    /* Nothing is left under $TMPDIR once ringbox is done, either way. */
    ck_assert_int_eq(integ_count_entries(tmpdir), 0);
}
END_TEST

/* fallocate is all or nothing; ftruncate (and truncate) only set the size. */
START_TEST(tmpfs_fallocate_refuses_ftruncate_is_sparse)
{
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "falloc", "/t/f", "10737418240"),
          WANT("fallocate=ENOSPC", "bytes=0"));
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "falloc", "/t/f", "524288"),
          WANT("fallocate=ok", "bytes=524288"));
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "trunc", "/t/f", "10737418240"),
          WANT("ftruncate=ok", "truncate=ok", "size=21474836480", "written=1048576", "errno=ENOSPC"));
}
END_TEST

/* 768 KiB of source leave 256 KiB: the copy stops there, the next fails. */
START_TEST(tmpfs_copy_file_range_and_sendfile)
{
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "copy", "/t", "786432"),
          WANT("copied=262144", "errno=ENOSPC"));
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "send", "/t", "786432"),
          WANT("sent=262144", "errno=ENOSPC"));
}
END_TEST

/* 1 MiB gives 1024 inodes, the root one of them; a removal frees one. */
START_TEST(tmpfs_inodes_are_limited)
{
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "files", "/t", "100000"),
          WANT("files=1023", "errno=ENOSPC", "mkdir=ENOSPC", "again=ok"));
}
END_TEST

/* Room comes back when a file is removed, and only once its last fd is closed. */
START_TEST(tmpfs_room_comes_back)
{
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "reuse", "/t/f", "65536"),
          WANT("first=1048576", "second=1048576"));
    check(way(_i), ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "unlinked", "/t", "524288"),
          WANT("held=524288", "freed=524288"));
}
END_TEST

/* The private /tmp holds RINGBOX_DEFAULT_TMPFS_BYTES; --tmpfs /tmp:SIZE replaces it. */
START_TEST(private_tmp_has_a_default_size)
{
    check(way(_i), ARGS("run", (char *)prog(_i), "fill", "/tmp/f", "1048576", "134217728"),
          WANT("written=67108864", "next=ENOSPC"));
    check(way(_i), ARGS("run", "--tmpfs", "/tmp:2M", (char *)prog(_i), "fill", "/tmp/f", "65536"),
          WANT("written=2097152", "next=ENOSPC"));
    ck_assert_int_eq(integ_count_entries(tmpdir), 0);
}
END_TEST

static void host_size(const char *name, long long *size, long long *bytes)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", rwdir, name);
    ck_assert_int_eq(stat(path, &st), 0);
    *size = (long long)st.st_size;
    *bytes = (long long)st.st_blocks * 512;
}

/* --max-disk on a --rw directory: what reaches the host file stops at it. */
START_TEST(max_disk_caps_rw_mounts)
{
    char rw[96];
    long long size, bytes;
    snprintf(rw, sizeof rw, "%s:/rw", rwdir);
    /* Without it the same fill runs to the program's own bound. */
    check(KERNEL, ARGS("run", "--rw", rw, (char *)prog(_i), "fill", "/rw/f", "100000", "4194304"),
          WANT("written=4200000", "next=ok 4096"));
    check(KERNEL, ARGS("run", "--max-disk", "1M", "--rw", rw, (char *)prog(_i), "fill", "/rw/f", "100000", "16777216"),
          WANT("written=1048576", "short=48576", "next=ENOSPC", "overwrite=ok", "size=1048576"));
    host_size("f", &size, &bytes);
    ck_assert_msg(size == 1048576 && bytes <= 1048576 + 65536, "host file: %lld bytes, %lld allocated",
                  size, bytes);
    check(KERNEL, ARGS("run", "--max-disk", "1M", "--rw", rw, (char *)prog(_i), "falloc", "/rw/g", "10737418240"),
          WANT("fallocate=ENOSPC", "bytes=0"));
    host_size("g", &size, &bytes);
    ck_assert_msg(size == 0 && bytes == 0, "host file: %lld bytes, %lld allocated", size, bytes);
    /* And its names: N / 1024 of them; removing one gives nothing back. */
    check(KERNEL, ARGS("run", "--max-disk", "1M", "--rw", rw, (char *)prog(_i), "files", "/rw", "5000"),
          WANT("files=1024", "errno=ENOSPC", "mkdir=ENOSPC", "again=ENOSPC"));
    ck_assert_int_eq(integ_count_entries(rwdir), 2 + 1023);
}
END_TEST

/* SIGKILL the command while the program sits on files in /tmp and a
 * --tmpfs: no directory, file or process remains.  In the fallback the
 * private directory has to stay (nothing runs to remove it) until the next
 * sandbox starts, which reaps it. */
START_TEST(sigkill_leaves_nothing_behind)
{
    enum how how = way(_i);
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int out, err;
    pid_t pid = start(how, ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "hold", "/t", "/tmp"), true,
                      &out, &err);
    char buf[256];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof buf - 1 && (n = read(out, buf + len, sizeof buf - 1 - len)) > 0) {
        len += (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, "ready=1\n"))
            break;
    }
    buf[len] = '\0';
    int during = integ_count_entries(tmpdir);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status = status_of(pid);
    char *e = slurp(err);
    ck_assert_msg(strstr(buf, "ready=1\n") && status == 128 + SIGKILL, "%s: status %d, stdout '%s', stderr '%s'",
                  how_name[how], status, buf, e);
    free(e);
    close(out);
    close(err);
    /* No other process of it: none is left for this subreaper to reap. */
    errno = 0;
    ck_assert_msg(waitpid(-1, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD,
                  "%s: a process outlived ringbox", how_name[how]);
    if (how == KERNEL) {
        ck_assert_msg(during == 0, "a kernel tmpfs made %d entries under $TMPDIR", during);
        ck_assert_int_eq(integ_count_entries(tmpdir), 0);
        return;
    }
    ck_assert_int_eq(during, 1);
    ck_assert_int_eq(integ_count_entries(tmpdir), 1);
    check(how, ARGS("run", (char *)prog(_i), "files", "/tmp", "1"), WANT("files=1"));
    ck_assert_int_eq(integ_count_entries(tmpdir), 0);
}
END_TEST

/* As uid 65534 the mount API needs the helper child's user namespace: a
 * kernel tmpfs still, so nothing appears under $TMPDIR, and nothing stays
 * after a SIGKILL. */
START_TEST(unprivileged_gets_a_kernel_tmpfs)
{
    struct proc_run r;
    ck_assert_int_eq(chown(tmpdir, NOBODY, NOBODY), 0);
    run(UNPRIV, ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "fill", "/t/f", "100000", "16777216"), &r);
    if (r.status == SKIPPED) {
        fprintf(stderr, "integ_disk: no /dev/kvm or build access for uid %d here; unprivileged run skipped\n",
                NOBODY);
        integ_proc_free(&r);
        return;
    }
    expect(&r, UNPRIV, "fill", WANT("written=1048576", "short=48576", "next=ENOSPC", "size=1048576"));
    integ_proc_free(&r);
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int out, err;
    pid_t pid = start(UNPRIV, ARGS("run", "--tmpfs", "/t:1M", (char *)prog(_i), "hold", "/t", "/tmp"), true,
                      &out, &err);
    char buf[64] = "";
    ssize_t n = read(out, buf, sizeof buf - 1);
    int during = integ_count_entries(tmpdir);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status = status_of(pid);
    ck_assert_msg(n > 0 && strstr(buf, "ready=1") && status == 128 + SIGKILL, "status %d, stdout '%s'",
                  status, buf);
    close(out);
    close(err);
    errno = 0;
    ck_assert_msg(waitpid(-1, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD, "a process outlived ringbox");
    ck_assert_int_eq(during, 0);
    ck_assert_int_eq(integ_count_entries(tmpdir), 0);
}
END_TEST

START_TEST(bad_sizes_are_usage_errors)
{
    static const char *const bad[][2] = {
        {"--tmpfs", "/t:0"}, {"--tmpfs", "/t:1Q"}, {"--tmpfs", ":1M"}, {"--tmpfs", "t:1M"},
        {"--max-disk", "0"}, {"--max-disk", "lots"},
    };
    char got[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct proc_run r;
        run(KERNEL, ARGS("run", (char *)bad[i][0], (char *)bad[i][1], (char *)prog(0), "files", "/tmp", "1"), &r);
        if (r.status != 125)
            len += (size_t)snprintf(got + len, len < sizeof got ? sizeof got - len : 0, " %s %s: %d;",
                                    bad[i][0], bad[i][1], r.status);
        integ_proc_free(&r);
    }
    ck_assert_msg(!got[0], "not usage errors:%s", got);
}
END_TEST

/* One in-process run of diskfill with a tmpfs of `tmpfs` bytes at /t (0:
 * none) and rwdir at /rw: what ringbox_run returned, and the guest's stdout. */
static int lib_run(const struct ringbox_config *cfg, uint64_t tmpfs, char *const argv[], int i, char **out)
{
    struct ringbox_error err = {0};
    struct ringbox_result res;
    ringbox_t *rb;
    /* The handle takes its stdout at ringbox_create. */
    int fd = memfd_create("guest-stdout", MFD_CLOEXEC), saved = dup(1);
    ck_assert_int_ge(fd, 0);
    fflush(stdout);
    ck_assert_int_eq(dup2(fd, 1), 1);
    int rc = ringbox_create(cfg, &rb, &err);
    if (rc == 0 && tmpfs)
        rc = ringbox_mount_tmpfs(rb, "/t", tmpfs, &err);
    if (rc == 0)
        rc = ringbox_mount(rb, rwdir, "/rw", RINGBOX_MOUNT_RW, &err);
    if (rc == 0)
        rc = ringbox_load(rb, prog(i), argv, NULL, &err);
    if (rc == 0)
        rc = ringbox_run(rb, &res, &err);
    if (rc == 0 && (res.end != RINGBOX_EXITED || res.status != 0))
        rc = -100;
    ringbox_destroy(rb);
    ck_assert_int_eq(dup2(saved, 1), 1);
    close(saved);
    *out = slurp(fd);
    close(fd);
    if (rc < 0)
        fprintf(stderr, "integ_disk: %s\n", err.message);
    return rc;
}

/* The library: ringbox_mount_tmpfs and cfg.max_disk_bytes. */
START_TEST(library_tmpfs_and_max_disk)
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_t *rb;
    char *s;
    ringbox_config_init(&cfg);
    cfg.confine = RINGBOX_CONFINE_NONE;
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), 0);
    ck_assert_int_eq(ringbox_mount_tmpfs(rb, "t", 0, &err), RINGBOX_EMOUNT);
    ck_assert_int_eq(ringbox_mount_tmpfs(rb, NULL, 0, &err), RINGBOX_EINVAL);
    ringbox_destroy(rb);
    /* 192 KiB of source leave 64 KiB of a 256 KiB tmpfs. */
    int rc = lib_run(&cfg, 256 << 10, (char *[]){"diskfill", "copy", "/t", "196608", NULL}, _i, &s);
    ck_assert_msg(rc == 0 && strstr(s, "copied=65536\n") && strstr(s, "errno=ENOSPC\n"), "rc %d, stdout '%s'",
                  rc, s);
    free(s);
    cfg.max_disk_bytes = 512 << 10;
    rc = lib_run(&cfg, 0, (char *[]){"diskfill", "fill", "/rw/h", "65536", "4194304", NULL}, _i, &s);
    ck_assert_msg(rc == 0 && strstr(s, "written=524288\n") && strstr(s, "next=ENOSPC\n"), "rc %d, stdout '%s'",
                  rc, s);
    free(s);
    long long size, bytes;
    host_size("h", &size, &bytes);
    ck_assert_int_eq(size, 524288);
}
END_TEST

Suite *disk_suite(void)
{
    Suite *s = suite_create("disk");
    TCase *tc = tcase_create("tmpfs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    /* Each libc, each way: 2 * INTEG_NLIBC. */
    tcase_add_loop_test(tc, tmpfs_write_stops_at_its_size, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(tc, tmpfs_fallocate_refuses_ftruncate_is_sparse, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(tc, tmpfs_copy_file_range_and_sendfile, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(tc, tmpfs_inodes_are_limited, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(tc, tmpfs_room_comes_back, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(tc, private_tmp_has_a_default_size, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(tc, sigkill_leaves_nothing_behind, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(tc, unprivileged_gets_a_kernel_tmpfs, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    tc = tcase_create("max_disk");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, max_disk_caps_rw_mounts, 0, INTEG_NLIBC);
    tcase_add_test(tc, bad_sizes_are_usage_errors);
    tcase_add_loop_test(tc, library_tmpfs_and_max_disk, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
