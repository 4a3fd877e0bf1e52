/* integ_nosuid.c - a writable mount is nosuid: no call a guest can make
 * leaves a setuid or setgid file on the host, sets file capabilities, or
 * changes the mode of the host directory it was granted.  Each case checks
 * the guest's result, the mode its own stat saw and the host's stat. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

static char top[64], rw[96], rw_arg[128];
static unsigned host_umask;

/* Files the host made setuid and setgid before the run. */
static const char *const host_suid[] = {"suid_write", "suid_trunc", "suid_read"};

static void setup(void)
{
    strcpy(top, "/tmp/rb-integ-nosuid-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top));
    snprintf(rw, sizeof rw, "%s/rw", top);
    snprintf(rw_arg, sizeof rw_arg, "%s:/rw", rw);
    ck_assert_int_eq(mkdir(rw, 0755), 0);
    ck_assert_int_eq(chmod(rw, 0755), 0);
    /* ringbox's own umask applies on the host after the guest's (README). */
    host_umask = umask(022);
    umask(host_umask);
}

static void make_host_suid(void)
{
    char path[160];
    for (size_t i = 0; i < sizeof host_suid / sizeof host_suid[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", rw, host_suid[i]);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("\177ELF", f);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_int_eq(chmod(path, 06755), 0);
    }
}

static void teardown(void)
{
    integ_rm_rf(top);
}

/* What one call must give: its result, and the mode afterwards (both the
 * guest's stat and the host's), NONE when nothing may exist, ANY when the
 * mode is not this suite's business. */
#define NONE (-1)
#define ANY (-2)
struct want {
    char name[32];
    const char *result;
    int mode;
    const char *host; /* the host path to stat, relative to rw ("." the root) */
};

/* Within what Check can carry back from the test process (check_pack.c). */
static char problems[3000];

static void problem(const char *fmt, ...)
{
    size_t len = strlen(problems);
    va_list ap;
    va_start(ap, fmt);
    if (len < sizeof problems - 1)
        vsnprintf(problems + len, sizeof problems - len, fmt, ap);
    va_end(ap);
}

/* "rw/<rel>" on the host: its mode, or NONE if it does not exist. */
static int host_mode(const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", rw, rel);
    return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : NONE;
}

/* A mode as the program prints it: "%04o" or "none". */
static const char *mode_text(int mode, char buf[16])
{
    if (mode == NONE)
        return "none";
    snprintf(buf, 16, "%04o", (unsigned)mode);
    return buf;
}

static void check(const char *out, const struct want *w)
{
    char key[64], want[16], host[16];
    const char *got = integ_field(out, w->name, 0);
    if (!got || strcmp(got, w->result) != 0)
        problem("%s: want %s, got %s\n", w->name, w->result, got ? got : "(missing)");
    if (w->mode == ANY)
        return;
    snprintf(key, sizeof key, "%s.mode", w->name);
    got = integ_field(out, key, 1);
    if (!got || strcmp(got, mode_text(w->mode, want)) != 0)
        problem("%s: guest stat %s, want %s\n", w->name, got ? got : "(missing)", want);
    if (w->host && host_mode(w->host) != w->mode)
        problem("%s: host mode %s, want %s\n", w->name, mode_text(host_mode(w->host), host), want);
}

/* No entry of the mount on the host is setuid or setgid, but for the one
 * the host made so and the guest only read. */
static void check_tree(const char *dir, bool dirs_may_be_setgid)
{
    DIR *d = opendir(dir);
    if (!d) {
        problem("opendir %s: %s\n", dir, strerror(errno));
        return;
    }
    for (struct dirent *e; (e = readdir(d));) {
        char path[512];
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "suid_read"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) < 0)
            continue;
        unsigned bad = st.st_mode & (S_ISUID | S_ISGID);
        if (S_ISDIR(st.st_mode) && dirs_may_be_setgid)
            bad &= ~S_ISGID;
        if (bad)
            problem("%s: host mode %04o\n", path, (unsigned)(st.st_mode & 07777));
        if (S_ISDIR(st.st_mode))
            check_tree(path, dirs_may_be_setgid);
    }
    closedir(d);
}

static void run(const char *mode, int libc, struct proc_run *r)
{
    integ_cli_run(ARGS("run", "--rw", rw_arg, (char *)integ_prog("nosuid", integ_libc[libc], 0),
                       (char *)mode, "/rw"),
                  NULL, r);
    ck_assert_msg(r->status == 0, "status %d, stdout '%s', stderr '%s'", r->status, r->out, r->err);
}

START_TEST(no_call_makes_a_setuid_file_or_changes_the_mount_root)
{
    struct want w[96];
    size_t n = 0;
    static const unsigned modes[] = {04000, 02000, 06777};
    static const char *const chmods[] = {"chmod", "fchmod", "fchmodat"};
    static const char *const creates[] = {"open", "openat", "openat2", "creat", "tmpfile",
                                          "mkdir", "mkdirat"};
    static const char *const absent[] = {"mknod", "mknodat"};
    /* The program makes its files 0755 with umask 0; the host's umask follows. */
    int made = (int)(0755 & ~host_umask);
#define ADD(res, m, fmt, ...)                                                                     \
    do {                                                                                          \
        snprintf(w[n].name, sizeof w[n].name, fmt, __VA_ARGS__);                                  \
        w[n].result = res;                                                                        \
        w[n].mode = m;                                                                            \
        w[n].host = w[n].name;                                                                    \
        n++;                                                                                      \
    } while (0)
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        /* Stripped silently, as Linux strips S_ISGID for a caller outside the group (chmod(2)). */
        int keep = (int)(modes[i] & 01777);
        for (size_t j = 0; j < sizeof chmods / sizeof chmods[0]; j++)
            ADD("ok", keep, "%s_%o", chmods[j], modes[i]);
        ADD("ENOSYS", made, "fchmodat2_%o", modes[i]);
        for (size_t j = 0; j < sizeof creates / sizeof creates[0]; j++)
            ADD("ok", keep & ~(int)host_umask, "%s_%o", creates[j], modes[i]);
        for (size_t j = 0; j < sizeof absent / sizeof absent[0]; j++)
            ADD("ENOSYS", NONE, "%s_%o", absent[j], modes[i]);
    }
    static const char *const chowns[] = {"chown", "lchown", "fchown", "fchownat"};
    for (size_t j = 0; j < sizeof chowns / sizeof chowns[0]; j++) {
        ADD("ENOSYS", 0777, "%s", chowns[j]);
        w[n - 1].host = "chown";
    }
    ADD("ok", 0755, "%s", "suid_write");
    ADD("ok", 0755, "%s", "suid_trunc");
    ADD("ok", 06755, "%s", "suid_read");
    static const char *const xattrs[] = {"setxattr_cap", "lsetxattr_cap", "fsetxattr_cap",
                                         "setxattr_trusted"};
    for (size_t j = 0; j < sizeof xattrs / sizeof xattrs[0]; j++) {
        ADD("ENOSYS", made, "%s", xattrs[j]);
        w[n - 1].host = "xattr";
    }
    static const char *const roots[] = {"root_chmod", "root_chmod_dot", "root_chmod_dotdot",
                                        "root_fchmod", "root_fchmodat"};
    for (size_t j = 0; j < sizeof roots / sizeof roots[0]; j++) {
        ADD("EPERM", 0755, "%s", roots[j]);
        w[n - 1].host = ".";
    }
    ADD("ENOSYS", 0755, "%s", "root_fchmodat2");
    w[n - 1].host = ".";
    /* The default view's writable mounts are mount points too.  The host's
     * /dev/null is not this suite's to stat: others may run beside it. */
    static const char *const others[] = {"tmp_chmod", "devnull_chmod", "devnull_fchmod"};
    for (size_t j = 0; j < sizeof others / sizeof others[0]; j++) {
        ADD("EPERM", ANY, "%s", others[j]);
        w[n - 1].host = NULL;
    }
    ADD("ok", 01777, "%s", "plain");
#undef ADD

    struct proc_run r;
    make_host_suid();
    run("calls", _i, &r);
    problems[0] = '\0';
    for (size_t i = 0; i < n; i++)
        check(r.out, &w[i]);
    check_tree(rw, false);
    /* Nothing that would be file capabilities or a trusted.* attribute. */
    char path[160], value[64];
    snprintf(path, sizeof path, "%s/xattr", rw);
    if (getxattr(path, "security.capability", value, sizeof value) >= 0)
        problem("xattr: the host file has security.capability\n");
    if (getxattr(path, "trusted.x", value, sizeof value) >= 0)
        problem("xattr: the host file has trusted.x\n");
    ck_assert_msg(problems[0] == '\0', "%s", problems);
    /* Every line of the program's was expected: two per case. */
    ck_assert_int_eq(integ_lines(r.out), (int)(2 * n));
    integ_proc_free(&r);
}
END_TEST

/* A setgid host directory: files created in it are never setgid; a new
 * directory inherits S_ISGID from the host (mkdir(2)), as README says. */
START_TEST(a_setgid_directory_passes_its_bit_to_directories_only)
{
    ck_assert_int_eq(chmod(rw, 02775), 0);
    int file = (int)(0755 & ~host_umask), dir = (int)(02000 | (0755 & ~host_umask));
    const struct want w[] = {
        {"sg_file", "ok", file, "sg_file"},
        {"sg_file_6777", "ok", (int)(0777 & ~host_umask), "sg_file_6777"},
        {"sg_tmpfile", "ok", (int)(0777 & ~host_umask), "sg_tmpfile"},
        {"sg_dir", "ok", dir, "sg_dir"},
        {"sg_dir_6777", "ok", (int)(02000 | (0777 & ~host_umask)), "sg_dir_6777"},
        {"sg_inner", "ok", file, "sg_dir/inner"},
        {"sg_chmod", "ok", 0755, "sg_chmod"},
    };
    struct proc_run r;
    run("setgid", _i, &r);
    problems[0] = '\0';
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        check(r.out, &w[i]);
    check_tree(rw, true);
    if (host_mode(".") != 02775)
        problem("the mount root is %04o, want 2775\n", (unsigned)host_mode("."));
    ck_assert_msg(problems[0] == '\0', "%s", problems);
    ck_assert_int_eq(integ_lines(r.out), (int)(2 * (sizeof w / sizeof w[0])));
    integ_proc_free(&r);
}
END_TEST

Suite *nosuid_suite(void)
{
    Suite *s = suite_create("nosuid");
    TCase *tc = tcase_create("nosuid");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, no_call_makes_a_setuid_file_or_changes_the_mount_root, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, a_setgid_directory_passes_its_bit_to_directories_only, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
