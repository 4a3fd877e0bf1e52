/* integ_privdrop.c - the confined VMM holds no capability, takes --user's ids, and
 * Landlock stops the host opens that its seccomp filter lets through (test build hooks). */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})
#define NOBODY "65534"

/* The kernel's Landlock ABI, 0 without Landlock. */
static int landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

/* Whether the tests that need Landlock (ABI 2, as ringbox does) can run. */
static bool have_landlock(const char *test)
{
    if (landlock_abi() >= 2)
        return true;
    fprintf(stderr, "%s: skipped: the kernel has no Landlock ABI 2\n", test);
    return false;
}

static bool root(const char *test)
{
    if (geteuid() == 0)
        return true;
    fprintf(stderr, "%s: skipped: needs root\n", test);
    return false;
}

/* $RB_BUILD/test/ringbox (the command with RB_TEST_HOOKS) running `args`. */
static void test_build_run(char *const args[], struct proc_run *r)
{
    char path[4096];
    char *argv[16] = {"ringbox"};
    size_t n = 1;
    snprintf(path, sizeof path, "%s/test/ringbox", integ_build());
    ck_assert_msg(access(path, X_OK) == 0, "%s is missing", path);
    for (; args[n - 1]; n++) {
        ck_assert_uint_lt(n, 15);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    integ_proc_run(path, argv, NULL, r);
}

/* A fresh host directory that anyone may write in. */
static char *scratch_dir(mode_t mode)
{
    char tmpl[] = "/tmp/ringbox-privdrop-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    ck_assert_int_eq(chmod(tmpl, mode), 0);
    char *d = strdup(tmpl);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* Entries in directory `dir` besides . and .., or -1 if it cannot be read. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ---- the hooks: what a compromised VMM could try ------------------------------ */

/* The filter allows openat2, so a compromised VMM could open any host
 * path with it.  Seccomp would kill the VMM (status 159, SIGSYS), and
 * without confinement root opens the file (the next test); root without
 * its capabilities still owns /etc/shadow (mode 0640), so the EACCES the
 * hook reports and the normal exit are Landlock's doing. */
START_TEST(landlock_refuses_the_vmm_a_host_file)
{
    struct proc_run r;
    if (!have_landlock("landlock_refuses_the_vmm_a_host_file"))
        return;
    test_build_run(ARGS("run", (char *)integ_prog("privdrop", integ_libc[_i], 0), "open", "/etc/shadow"),
                   &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "-13\n"); /* EACCES */
    integ_proc_free(&r);
}
END_TEST

START_TEST(unconfined_vmm_opens_that_file)
{
    struct proc_run r;
    if (!root("unconfined_vmm_opens_that_file") || access("/etc/shadow", R_OK) != 0)
        return;
    test_build_run(ARGS("run", "--no-seccomp", (char *)integ_prog("privdrop", integ_libc[_i], 0), "open",
                        "/etc/shadow"),
                   &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "0\n");
    integ_proc_free(&r);
}
END_TEST

/* The VMM's own lookup beneath a read-only mount's host fd, with O_CREAT:
 * the view would answer the guest EROFS before trying; Landlock answers
 * the VMM itself. */
START_TEST(landlock_refuses_a_write_under_a_read_only_mount)
{
    struct proc_run r;
    char *dir = scratch_dir(0755), spec[4200], made[4200];
    struct stat st;
    if (!have_landlock("landlock_refuses_a_write_under_a_read_only_mount")) {
        integ_rm_rf(dir);
        free(dir);
        return;
    }
    snprintf(spec, sizeof spec, "%s:/ro", dir);
    snprintf(made, sizeof made, "%s/hooked", dir);
    test_build_run(ARGS("run", "--ro", spec, (char *)integ_prog("privdrop", integ_libc[_i], 0), "create",
                        "/ro", "hooked"),
                   &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "-13\n");
    ck_assert_int_eq(stat(made, &st), -1);
    ck_assert_int_eq(errno, ENOENT);
    integ_proc_free(&r);

    /* Unconfined, the same VMM creates it: the host directory allows it. */
    test_build_run(ARGS("run", "--no-seccomp", "--ro", spec, (char *)integ_prog("privdrop", integ_libc[_i], 0),
                        "create", "/ro", "hooked"),
                   &r);
    ck_assert_str_eq(r.out, "0\n");
    ck_assert_int_eq(stat(made, &st), 0);
    integ_proc_free(&r);
    integ_rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- the VMM's credentials while the guest runs ---------------------------------- */

/* The ringbox command running `privdrop wait`, stopped in the guest's
 * read of stdin while the test reads its /proc/PID/status. */
static void status_while_waiting(char *const args[], char *status, size_t size)
{
    int in[2], out[2];
    char *argv[16] = {"ringbox"};
    size_t n = 1;
    for (; args[n - 1]; n++) {
        ck_assert_uint_lt(n, 14);
        argv[n] = args[n - 1];
    }
    argv[n++] = (char *)integ_prog("privdrop", "glibc", 0);
    argv[n++] = "wait";
    argv[n] = NULL;
    ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        static char *const empty[] = {NULL};
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
            _exit(99);
        execve(integ_ringbox(), argv, empty);
        _exit(98);
    }
    close(in[0]);
    close(out[1]);
    char ready[6] = "";
    ssize_t got = 0, k;
    while (got < 6 && (k = read(out[0], ready + got, 6 - (size_t)got)) > 0)
        got += k;
    ck_assert_msg(got == 6 && memcmp(ready, "ready\n", 6) == 0, "the guest never got ready");

    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ssize_t len = read(fd, status, size - 1);
    close(fd);
    ck_assert_int_gt(len, 0);
    status[len] = '\0';

    close(in[1]);
    close(out[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "wait status 0x%x", st);
}

/* The value of "Key:\t..." in a /proc/PID/status text, in a static buffer. */
static const char *field(const char *status, const char *key)
{
    static char buf[256];
    size_t klen = strlen(key);
    for (const char *line = status; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            const char *v = line + klen + 1 + strspn(line + klen + 1, " \t");
            snprintf(buf, sizeof buf, "%.*s", (int)strcspn(v, "\n"), v);
            return buf;
        }
    return "(missing)";
}

#define NO_CAPS "0000000000000000"

START_TEST(vmm_holds_no_capability_while_the_guest_runs)
{
    char status[8192], ids[64];
    status_while_waiting(ARGS("run"), status, sizeof status);
    ck_assert_str_eq(field(status, "CapInh"), NO_CAPS);
    ck_assert_str_eq(field(status, "CapPrm"), NO_CAPS);
    ck_assert_str_eq(field(status, "CapEff"), NO_CAPS);
    ck_assert_str_eq(field(status, "CapAmb"), NO_CAPS);
    if (geteuid() == 0) /* emptying it needs CAP_SETPCAP */
        ck_assert_str_eq(field(status, "CapBnd"), NO_CAPS);
    ck_assert_str_eq(field(status, "NoNewPrivs"), "1");
    ck_assert_str_eq(field(status, "Seccomp"), "2");
    /* No --user: the caller's own ids. */
    snprintf(ids, sizeof ids, "%u\t%u\t%u\t%u", getuid(), getuid(), getuid(), getuid());
    ck_assert_str_eq(field(status, "Uid"), ids);
}
END_TEST

START_TEST(user_option_gives_the_vmm_those_ids)
{
    char status[8192];
    if (!root("user_option_gives_the_vmm_those_ids"))
        return;
    status_while_waiting(ARGS("run", "--user", NOBODY ":" NOBODY), status, sizeof status);
    ck_assert_str_eq(field(status, "Uid"), NOBODY "\t" NOBODY "\t" NOBODY "\t" NOBODY);
    ck_assert_str_eq(field(status, "Gid"), NOBODY "\t" NOBODY "\t" NOBODY "\t" NOBODY);
    ck_assert_str_eq(field(status, "Groups"), "");
    ck_assert_str_eq(field(status, "CapEff"), NO_CAPS);
    ck_assert_str_eq(field(status, "CapPrm"), NO_CAPS);
    ck_assert_str_eq(field(status, "CapBnd"), NO_CAPS);
    ck_assert_str_eq(field(status, "NoNewPrivs"), "1");
    ck_assert_str_eq(field(status, "Seccomp"), "2");
}
END_TEST

/* A thread started before the run that, once told to, reads the status of
 * the thread that ran it and its own into `out`, NUL-separated. */
struct reader {
    sem_t go, done;
    pid_t runner;
    char out[16384];
    size_t len;
};

static void read_status(struct reader *rd, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? 0 : read(fd, rd->out + rd->len, sizeof rd->out / 2 - 1);
    rd->len += n > 0 ? (size_t)n : 0;
    rd->out[rd->len++] = '\0';
    if (fd >= 0)
        close(fd);
}

static void *read_when_told(void *arg)
{
    struct reader *rd = arg;
    char path[64];
    while (sem_wait(&rd->go) != 0)
        ;
    snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)rd->runner);
    read_status(rd, path);
    read_status(rd, "/proc/thread-self/status");
    sem_post(&rd->done);
    return NULL;
}

/* RINGBOX_CONFINE_THREAD with cfg.user: the thread that ran the sandbox
 * has the new ids and no capability; a thread that existed before keeps
 * the caller's, since credentials are per thread and the raw set*id calls
 * change only the caller's.  The run happens in a child, whose free thread
 * sends both status files back through a pipe. */
START_TEST(confine_thread_changes_only_the_running_thread)
{
    int p[2];
    char mine[8192], buf[16384];
    if (!root("confine_thread_changes_only_the_running_thread"))
        return;
    int self = open("/proc/thread-self/status", O_RDONLY);
    ssize_t n = read(self, mine, sizeof mine - 1);
    close(self);
    ck_assert_int_gt(n, 0);
    mine[n] = '\0';
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        static struct reader rd;
        struct ringbox_config cfg;
        struct ringbox_error err;
        struct ringbox_result res;
        ringbox_t *rb;
        pthread_t t;
        char *argv[] = {"hello", NULL};
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        rd.runner = (pid_t)syscall(SYS_gettid);
        if (sem_init(&rd.go, 0, 0) != 0 || sem_init(&rd.done, 0, 0) != 0 ||
            pthread_create(&t, NULL, read_when_told, &rd) != 0)
            _exit(5);
        ringbox_config_init(&cfg);
        cfg.confine = RINGBOX_CONFINE_THREAD;
        cfg.user = (struct ringbox_user){.set = true, .uid = 65534, .gid = 65534};
        if (ringbox_create(&cfg, &rb, &err) < 0 ||
            ringbox_load(rb, integ_prog("hello", "glibc", 0), argv, NULL, &err) < 0 ||
            ringbox_run(rb, &res, &err) < 0 || res.end != RINGBOX_EXITED ||
            res.confinement.uid != 65534 || !(res.confinement.applied & RINGBOX_CONFINED_USER))
            _exit(3);
        ringbox_destroy(rb);
        /* Only futex, write and exit_group from here (see integ_confine.c). */
        sem_post(&rd.go);
        while (sem_wait(&rd.done) != 0)
            ;
        struct iovec iov = {rd.out, rd.len};
        syscall(SYS_exit_group, writev(p[1], &iov, 1) == (ssize_t)rd.len ? 0 : 4);
    }
    close(p[1]);
    size_t len = 0;
    ssize_t k;
    while (len < sizeof buf - 1 && (k = read(p[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)k;
    close(p[0]);
    buf[len] = '\0';
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "wait status 0x%x", st);
    const char *runner = buf, *other = buf + strlen(buf) + 1;
    ck_assert_msg(other < buf + len, "one status came back");
    ck_assert_str_eq(field(runner, "Uid"), NOBODY "\t" NOBODY "\t" NOBODY "\t" NOBODY);
    ck_assert_str_eq(field(runner, "CapEff"), NO_CAPS);
    ck_assert_str_eq(field(runner, "CapBnd"), NO_CAPS);
    ck_assert_str_eq(field(runner, "Seccomp"), "2");
    char want[256];
    snprintf(want, sizeof want, "%s", field(mine, "Uid"));
    ck_assert_str_eq(field(other, "Uid"), want);
    snprintf(want, sizeof want, "%s", field(mine, "CapEff"));
    ck_assert_str_eq(field(other, "CapEff"), want);
    snprintf(want, sizeof want, "%s", field(mine, "CapBnd"));
    ck_assert_str_eq(field(other, "CapBnd"), want);
    ck_assert_str_eq(field(other, "Seccomp"), "0");
}
END_TEST

/* ---- files the program makes ---------------------------------------------------- */

/* `privdrop work /w` with the options `opts` and --rw DIR:/w, $TMPDIR a
 * fresh directory: the guest's line, the host owner of DIR/made, and
 * whether the private directory was removed at the end. */
static void work_in_rw(const char *const opts[], const char *libc, char *line, size_t size, uid_t *uid,
                       gid_t *gid)
{
    char *dir = scratch_dir(0777), *tmp = scratch_dir(01777);
    char spec[4200], made[4200], env[4200];
    char *args[16] = {"run"};
    size_t n = 1;
    for (; opts[n - 1]; n++)
        args[n] = (char *)opts[n - 1];
    snprintf(spec, sizeof spec, "%s:/w", dir);
    args[n++] = "--rw";
    args[n++] = spec;
    args[n++] = (char *)integ_prog("privdrop", libc, 0);
    args[n++] = "work";
    args[n++] = "/w";
    args[n] = NULL;
    snprintf(env, sizeof env, "TMPDIR=%s", tmp);
    struct proc_run r;
    integ_cli_run(args, (char *const[]){env, NULL}, &r);
    ck_assert_msg(r.status == 0, "status %d, stdout '%s', stderr '%s'", r.status, r.out, r.err);
    snprintf(line, size, "%s", r.out);
    integ_proc_free(&r);

    struct stat st;
    snprintf(made, sizeof made, "%s/made", dir);
    ck_assert_int_eq(stat(made, &st), 0);
    *uid = st.st_uid;
    *gid = st.st_gid;
    /* Landlock leaves the VMM the right to remove its private directory. */
    ck_assert_int_eq(entries(tmp), 0);
    integ_rm_rf(dir);
    integ_rm_rf(tmp);
    free(dir);
    free(tmp);
}

/* /tmp and the /proc/self/fd listing live in the private directory, which
 * the new ids must be able to write and remove. */
START_TEST(files_made_through_rw_belong_to_the_user)
{
    char line[256];
    uid_t uid;
    gid_t gid;
    if (!root("files_made_through_rw_belong_to_the_user"))
        return;
    work_in_rw((const char *const[]){"--user", NOBODY ":" NOBODY, NULL}, integ_libc[_i], line, sizeof line,
               &uid, &gid);
    ck_assert_str_eq(line, NOBODY " " NOBODY " 4\n"); /* fds 0-2 and the listing's own */
    ck_assert_uint_eq(uid, 65534);
    ck_assert_uint_eq(gid, 65534);
}
END_TEST

START_TEST(without_user_files_are_the_callers)
{
    char line[256], want[64];
    uid_t uid;
    gid_t gid;
    work_in_rw((const char *const[]){NULL}, integ_libc[_i], line, sizeof line, &uid, &gid);
    snprintf(want, sizeof want, "%u %u 4\n", getuid(), getgid());
    ck_assert_str_eq(line, want);
    ck_assert_uint_eq(uid, getuid());
    ck_assert_uint_eq(gid, getgid());
}
END_TEST

/* ---- the option ------------------------------------------------------------------- */

static const char *const bad_users[] = {
    "abc", NOBODY, NOBODY ":", ":" NOBODY, "1:2:3", "-1:0", "4294967295:0", "0:4294967295", "1 :2",
    "0x10:0", "99999999999:0", "+1:0",
};

START_TEST(bad_user_is_a_usage_error)
{
    struct proc_run r;
    char want[256];
    integ_cli_run(ARGS("run", "--user", (char *)bad_users[_i], (char *)integ_prog("hello", "glibc", 0)), NULL,
                  &r);
    snprintf(want, sizeof want,
             "ringbox: --user: bad UID:GID '%s' (two numbers from 0 to 4294967294, such as 65534:65534) "
             "(try 'ringbox --help')\n",
             bad_users[_i]);
    ck_assert_int_eq(r.status, 125);
    ck_assert_str_eq(r.err, want);
    ck_assert_str_eq(r.out, "");
    integ_proc_free(&r);
}
END_TEST

START_TEST(user_without_a_value_is_a_usage_error)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)integ_prog("hello", "glibc", 0), "--user"), NULL, &r);
    ck_assert_int_eq(r.status, 0); /* after PROGRAM: the program's argument */
    integ_proc_free(&r);
    integ_cli_run(ARGS("run", "--user"), NULL, &r);
    ck_assert_int_eq(r.status, 125);
    ck_assert_str_eq(r.err, "ringbox: --user needs UID:GID (try 'ringbox --help')\n");
    integ_proc_free(&r);
}
END_TEST

START_TEST(help_lists_user)
{
    struct proc_run r;
    integ_cli_run(ARGS("--help"), NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\n  --user UID:GID "), "--help: '%s'", r.out);
    integ_proc_free(&r);
}
END_TEST

/* ---- --stats ------------------------------------------------------------------------- */

START_TEST(stats_show_what_confined_the_vmm)
{
    struct proc_run r;
    char want[128];
    integ_cli_run(ARGS("run", "--stats", (char *)integ_prog("hello", integ_libc[_i], 0)), NULL, &r);
    ck_assert_int_eq(r.status, 0);
    snprintf(want, sizeof want, "  identity            uid %u gid %u (the caller's)", getuid(), getgid());
    ck_assert_str_eq(integ_line_with(r.err, "  identity "), want);
    if (geteuid() == 0)
        ck_assert_str_eq(integ_line_with(r.err, "  capabilities "),
                         "  capabilities        none; bounding set empty; securebits locked");
    if (landlock_abi() >= 2) {
        snprintf(want, sizeof want, "  landlock            on (ABI %d)", landlock_abi());
        ck_assert_str_eq(integ_line_with(r.err, "  landlock "), want);
    } else if (landlock_abi() == 0) {
        ck_assert_str_eq(integ_line_with(r.err, "  landlock "),
                         "  landlock            unavailable (the kernel lacks it)");
    }
    ck_assert_str_eq(integ_line_with(r.err, "  seccomp "), "  seccomp             on");
    integ_proc_free(&r);
}
END_TEST

START_TEST(stats_without_seccomp_say_nothing_was_dropped)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", "--stats", "--no-seccomp", (char *)integ_prog("hello", "glibc", 0)), NULL, &r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(integ_line_with(r.err, "  capabilities "), "  capabilities        not dropped (--no-seccomp)");
    ck_assert_str_eq(integ_line_with(r.err, "  landlock "), "  landlock            off (--no-seccomp)");
    ck_assert_str_eq(integ_line_with(r.err, "  seccomp "), "  seccomp             off (--no-seccomp)");
    integ_proc_free(&r);
}
END_TEST

START_TEST(stats_name_the_user)
{
    struct proc_run r;
    if (!root("stats_name_the_user"))
        return;
    integ_cli_run(ARGS("run", "--stats", "--user", "1:2", (char *)integ_prog("hello", "glibc", 0)), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(integ_line_with(r.err, "  identity "), "  identity            uid 1 gid 2 (--user)");
    integ_proc_free(&r);
}
END_TEST

/* ---- a caller that is not root --------------------------------------------------------- */

/* The ringbox command as uid and gid 65534 with /dev/kvm's group, its
 * stdout and stderr captured; false (saying so) when /dev/kvm is not
 * group-accessible or the test is not root. */
static bool run_as_nobody(char *const args[], struct proc_run *r)
{
    struct stat kvm;
    if (!root("run_as_nobody") || stat("/dev/kvm", &kvm) < 0 || (kvm.st_mode & 060) != 060) {
        fprintf(stderr, "run_as_nobody: skipped: /dev/kvm is not open to its group\n");
        return false;
    }
    char *argv[16] = {"ringbox"};
    size_t n = 1;
    for (; args[n - 1]; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    memset(r, 0, sizeof *r);
    int out = memfd_create("stdout", MFD_CLOEXEC), err = memfd_create("stderr", MFD_CLOEXEC);
    ck_assert_int_ge(out, 0);
    ck_assert_int_ge(err, 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        static char *const empty[] = {NULL};
        gid_t group = kvm.st_gid;
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || setgroups(1, &group) < 0 ||
            setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
            _exit(99);
        execve(integ_ringbox(), argv, empty);
        _exit(98);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    FILE *fo = fdopen(out, "r"), *fe = fdopen(err, "r");
    ck_assert_ptr_nonnull(fo);
    ck_assert_ptr_nonnull(fe);
    r->out = calloc(1, 65536);
    r->err = calloc(1, 65536);
    ck_assert_ptr_nonnull(r->out);
    ck_assert_ptr_nonnull(r->err);
    rewind(fo);
    rewind(fe);
    r->out_len = fread(r->out, 1, 65535, fo);
    r->err_len = fread(r->err, 1, 65535, fe);
    fclose(fo);
    fclose(fe);
    return true;
}

/* Without CAP_SETPCAP the bounding set and securebits stay, and say so;
 * the rest applies to any caller. */
START_TEST(a_caller_without_privileges_is_confined_too)
{
    struct proc_run r;
    if (!run_as_nobody(ARGS("run", "--stats", (char *)integ_prog("hello", "glibc", 0)), &r))
        return;
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "Hello from ring 3!\n");
    ck_assert_str_eq(integ_line_with(r.err, "  identity "), "  identity            uid 65534 gid 65534 (the caller's)");
    ck_assert_str_eq(integ_line_with(r.err, "  capabilities "),
                     "  capabilities        none; bounding set and securebits kept (no CAP_SETPCAP)");
    ck_assert_str_eq(integ_line_with(r.err, "  seccomp "), "  seccomp             on");
    integ_proc_free(&r);
}
END_TEST

START_TEST(user_needs_the_privilege_to_change_ids)
{
    struct proc_run r;
    if (!run_as_nobody(ARGS("run", "--user", "1:1", (char *)integ_prog("hello", "glibc", 0)), &r))
        return;
    ck_assert_int_eq(r.status, 120);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "ringbox: confine: cannot become uid 1 gid 1 without CAP_SETUID, CAP_SETGID and "
                            "CAP_CHOWN: Operation not permitted\n");
    integ_proc_free(&r);
}
END_TEST

Suite *privdrop_suite(void)
{
    Suite *s = suite_create("privdrop");
    TCase *tc = tcase_create("landlock");
    tcase_add_loop_test(tc, landlock_refuses_the_vmm_a_host_file, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, unconfined_vmm_opens_that_file, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, landlock_refuses_a_write_under_a_read_only_mount, 0, INTEG_NLIBC);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("credentials");
    tcase_add_test(tc, vmm_holds_no_capability_while_the_guest_runs);
    tcase_add_test(tc, user_option_gives_the_vmm_those_ids);
    tcase_add_test(tc, confine_thread_changes_only_the_running_thread);
    tcase_add_loop_test(tc, files_made_through_rw_belong_to_the_user, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, without_user_files_are_the_callers, 0, INTEG_NLIBC);
    tcase_add_test(tc, a_caller_without_privileges_is_confined_too);
    tcase_add_test(tc, user_needs_the_privilege_to_change_ids);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli");
    tcase_add_loop_test(tc, bad_user_is_a_usage_error, 0, (int)(sizeof bad_users / sizeof bad_users[0]));
    tcase_add_test(tc, user_without_a_value_is_a_usage_error);
    tcase_add_test(tc, help_lists_user);
    tcase_add_loop_test(tc, stats_show_what_confined_the_vmm, 0, INTEG_NLIBC);
    tcase_add_test(tc, stats_without_seccomp_say_nothing_was_dropped);
    tcase_add_test(tc, stats_name_the_user);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
