/* integ_hostinfo.c - what the program learns about its host (docs/security.md,
 * "What the guest can learn about the host"): uname's release, version and
 * host name are ringbox's, --uname-release and --hostname change them and
 * refuse what glibc would not start on; the uptime is the sandbox's, the
 * loads its own zeros; device and inode numbers are the view's, one per
 * file in every syscall that shows them, stable within a run and not the
 * host's (tests/progs/hostinfo.c prints them; the host's are stat here). */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

static void assert_ran(const struct proc_run *r)
{
    ck_assert_msg(r->status == 0, "status %d, stdout '%s', stderr '%s'", r->status, r->out, r->err);
}

static void assert_lib_ran(const struct lib_run *r)
{
    ck_assert_msg(r->rc == 0, "ringbox: %s", r->err.message);
    ck_assert_msg(r->res.end == RINGBOX_EXITED && r->res.status == 0, "end %d status %d, out '%s'",
                  (int)r->res.end, r->res.status, r->out);
}

static const char *field(const char *out, const char *key, int slot)
{
    const char *v = integ_field(out, key, slot);
    ck_assert_msg(v, "no %s= in '%s'", key, out);
    return v;
}

START_TEST(uname_is_the_sandboxes)
{
    struct utsname host;
    ck_assert_int_eq(uname(&host), 0);
    struct lib_run r;
    const char *prog = integ_prog("hostinfo", integ_libc[_i], 0);
    integ_lib_run(prog, ARGS("hostinfo", "uname"), NULL, 0, &r);
    assert_lib_ran(&r);
    ck_assert_str_eq(field(r.out, "sysname", 0), "Linux");
    ck_assert_str_eq(field(r.out, "release", 0), RINGBOX_DEFAULT_RELEASE);
    ck_assert_str_eq(field(r.out, "version", 0), "#1 SMP ringbox " RINGBOX_VERSION);
    ck_assert_str_eq(field(r.out, "machine", 0), "x86_64");
    ck_assert_str_eq(field(r.out, "nodename", 0), RINGBOX_DEFAULT_HOSTNAME);
    ck_assert_str_eq(field(r.out, "hostname", 0), RINGBOX_DEFAULT_HOSTNAME);
    /* None of it is the host's. */
    ck_assert_str_ne(field(r.out, "release", 0), host.release);
    ck_assert_str_ne(field(r.out, "version", 0), host.version);
    ck_assert_str_ne(field(r.out, "nodename", 0), host.nodename);
    integ_lib_free(&r);
}
END_TEST

/* Through the command and through the config; a glibc program starts with
 * the release it is given, static or dynamic. */
START_TEST(uname_release_and_hostname_configured)
{
    const char *prog = integ_prog("hostinfo", integ_libc[_i], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--uname-release", "5.10.0-test", "--hostname=box1", (char *)prog,
                       "uname"),
                  NULL, &r);
    assert_ran(&r);
    ck_assert_str_eq(field(r.out, "release", 0), "5.10.0-test");
    ck_assert_str_eq(field(r.out, "nodename", 0), "box1");
    ck_assert_str_eq(field(r.out, "hostname", 0), "box1");
    integ_proc_free(&r);

    struct ringbox_config cfg;
    ringbox_config_init(&cfg);
    cfg.confine = RINGBOX_CONFINE_NONE;
    cfg.uname_release = "3.2";
    struct lib_run l;
    integ_lib_run_cfg(prog, ARGS("hostinfo", "uname"), NULL, &cfg, &l);
    assert_lib_ran(&l);
    ck_assert_str_eq(field(l.out, "release", 0), "3.2");
    ck_assert_str_eq(field(l.out, "nodename", 0), RINGBOX_DEFAULT_HOSTNAME);
    integ_lib_free(&l);

    integ_cli_run(ARGS("run", "--uname-release", "3.2.0", (char *)integ_prog("hello.dyn", NULL, 1)),
                  NULL, &r);
    ck_assert_msg(r.status == 7, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "hello from a dynamic program, argc=1\n");
    integ_proc_free(&r);
}
END_TEST

/* A release glibc 2.26-2.35 would refuse ("FATAL: kernel too old"), or one
 * no program could parse, is a usage error, and RINGBOX_EINVAL from
 * ringbox_create and ringbox_check_uname. */
START_TEST(uname_strings_refused)
{
    const char *prog = integ_prog("hostinfo", "glibc", 0);
    static const struct {
        const char *opt, *val, *says;
    } bad[] = {
        {"--uname-release", "2.0", "uname: release '2.0' refused: it is older than 3.2"},
        {"--uname-release", "six", "uname: release 'six' refused: it does not begin MAJOR.MINOR"},
        {"--uname-release", "", "--uname-release needs STR"},
        {"--hostname", "a b", "uname: host name 'a b' refused: it holds a space"},
    };
    int wrong = 0;
    char first[512] = "";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct proc_run r;
        integ_cli_run(ARGS("run", (char *)bad[i].opt, (char *)bad[i].val, (char *)prog, "uname"),
                      NULL, &r);
        if ((r.status != 125 || !strstr(r.err, bad[i].says) || r.out_len) && !wrong++)
            snprintf(first, sizeof first, "%s '%s': status %d, stderr '%s'", bad[i].opt, bad[i].val,
                     r.status, r.err);
        integ_proc_free(&r);
    }
    ck_assert_msg(wrong == 0, "%d refused wrongly; first %s", wrong, first);

    struct ringbox_config cfg;
    ringbox_config_init(&cfg);
    cfg.uname_release = "2.6.32";
    ringbox_t *rb = NULL;
    struct ringbox_error err;
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), RINGBOX_EINVAL);
    ck_assert_ptr_null(rb);
    ck_assert_str_eq(err.message, "uname: release '2.6.32' refused: it is older than 3.2, which "
                                  "glibc before 2.36 refuses to start on");
    ck_assert_int_eq(ringbox_check_uname(NULL, NULL, &err), 0);
    ck_assert_int_eq(ringbox_check_uname("5.10.0-test", "box1", &err), 0);
    ck_assert_int_eq(ringbox_check_uname("6.1", "", &err), RINGBOX_EINVAL);
    ck_assert_str_eq(err.message, "uname: host name '' refused: it is empty");
}
END_TEST

/* "S.CC I.CC" of /proc/uptime, in hundredths. */
static void centis(const char *s, long *up, long *idle)
{
    long us, uc, is, ic;
    ck_assert_msg(sscanf(s, "%ld.%2ld %ld.%2ld", &us, &uc, &is, &ic) == 4, "uptime '%s'", s);
    *up = us * 100 + uc;
    *idle = is * 100 + ic;
}

/* The uptime counts from the run's start, so it never exceeds the run's
 * wall time (the host's always would); it grows over a 1.2 s sleep, and
 * so does the idle part, since the sleeping vCPU thread uses no CPU. */
START_TEST(uptime_and_load_are_the_sandboxes)
{
    struct lib_run r;
    integ_lib_run(integ_prog("hostinfo", integ_libc[_i], 0), ARGS("hostinfo", "uptime"), NULL,
                  64 << 20, &r);
    assert_lib_ran(&r);
    long up1, idle1, up2, idle2;
    centis(field(r.out, "uptime1", 0), &up1, &idle1);
    centis(field(r.out, "uptime2", 0), &up2, &idle2);
    long wall = (long)(r.res.wall_ns / 10000000);
    ck_assert_msg(up1 >= 0 && up2 - up1 >= 110 && up2 <= wall, "uptimes %ld, %ld cs; run %ld cs",
                  up1, up2, wall);
    ck_assert_msg(idle1 <= up1 && idle2 <= up2 && idle2 > idle1, "idle %ld of %ld, %ld of %ld cs",
                  idle1, up1, idle2, up2);
    long si_up2 = atol(field(r.out, "si_uptime2", 0));
    ck_assert_msg(si_up2 >= 2 && si_up2 <= wall / 100 + 1, "sysinfo uptime %ld s, run %ld cs",
                  si_up2, wall);
    ck_assert_str_eq(field(r.out, "si_loads", 0), "0 0 0");
    ck_assert_str_eq(field(r.out, "si_procs", 0), "1");
    ck_assert_str_eq(field(r.out, "si_totalram", 0), "67108864");
    unsigned long long freeram = strtoull(field(r.out, "si_freeram", 0), NULL, 10);
    ck_assert(freeram > 0 && freeram < 64ULL << 20);
    ck_assert_str_eq(field(r.out, "loadavg", 0), "0.00 0.00 0.00 1/1 2");
    integ_lib_free(&r);
}
END_TEST

/* The host directory the ids case mounts: a, b (a hard link to a) and c. */
static char dir[64];

static void make_files(void)
{
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/rb-hostinfo-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs("the first file\n", f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    char b[128], c[128];
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(c, sizeof c, "%s/c", dir);
    ck_assert_int_eq(link(path, b), 0);
    f = fopen(c, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs("another\n", f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

static void remove_files(void)
{
    char path[128];
    for (const char *n = "abc"; *n; n++) {
        snprintf(path, sizeof path, "%s/%c", dir, *n);
        unlink(path);
    }
    rmdir(dir);
}

static void run_ids(const char *libc, struct proc_run *r)
{
    char mount[128];
    snprintf(mount, sizeof mount, "%s:/data", dir);
    integ_cli_run(ARGS("run", "--ro", mount, (char *)integ_prog("hostinfo", libc, 0), "ids",
                       "/data/a", "/data/b", "/data/c"),
                  NULL, r);
    assert_ran(r);
}

/* One file, one identity: stat, fstat, statx, /proc/self/fd/N, the
 * mapping in /proc/self/maps, the directory entry, and stat again at the
 * end agree; a hard link shares it, another file does not; none is the
 * host's, and another run numbers them anew. */
START_TEST(ids_are_the_views)
{
    static const char *const ways[] = {"fstat", "statx", "fd", "maps", "again"};
    struct proc_run r, r2;
    run_ids(integ_libc[_i], &r);
    int wrong = 0;
    char first[256] = "";
    for (int i = 0; i < 3; i++) {
        char key[32];
        snprintf(key, sizeof key, "id%d_stat", i);
        const char *id = field(r.out, key, 0);
        for (size_t w = 0; w < sizeof ways / sizeof ways[0]; w++) {
            snprintf(key, sizeof key, "id%d_%s", i, ways[w]);
            if (strcmp(field(r.out, key, 1), id) != 0 && !wrong++)
                snprintf(first, sizeof first, "%s=%s against %s", key, integ_field(r.out, key, 1),
                         id);
        }
        snprintf(key, sizeof key, "id%d_dirent", i);
        if (strcmp(field(r.out, key, 1), strrchr(id, ':') + 1) != 0 && !wrong++)
            snprintf(first, sizeof first, "%s=%s against %s", key, integ_field(r.out, key, 1), id);
    }
    ck_assert_msg(wrong == 0, "%d disagree; first %s\n%s", wrong, first, r.out);

    char a[64], c[64];
    snprintf(a, sizeof a, "%s", field(r.out, "id0_stat", 0));
    snprintf(c, sizeof c, "%s", field(r.out, "id2_stat", 0));
    ck_assert_str_eq(field(r.out, "id1_stat", 0), a);
    ck_assert_str_ne(a, c);

    /* The host's inode numbers for the same files appear nowhere, after
     * an id's colon or a d_ino's equals sign. */
    int seen = 0;
    for (const char *n = "ac"; *n; n++) {
        char path[128], ino[32], needle[40];
        struct stat st;
        snprintf(path, sizeof path, "%s/%c", dir, *n);
        ck_assert_int_eq(stat(path, &st), 0);
        snprintf(ino, sizeof ino, "%llu\n", (unsigned long long)st.st_ino);
        snprintf(needle, sizeof needle, ":%s", ino);
        seen += strstr(r.out, needle) != NULL;
        snprintf(needle, sizeof needle, "=%s", ino);
        seen += strstr(r.out, needle) != NULL;
    }
    ck_assert_msg(seen == 0, "a host inode number in\n%s", r.out);
    unsigned maj, min;
    ck_assert_int_eq(sscanf(a, "%u:%u:", &maj, &min), 2);
    ck_assert_msg(maj == 0 && min >= 1 && min < 16, "device %u:%u", maj, min);

    run_ids(integ_libc[_i], &r2);
    ck_assert_str_ne(field(r2.out, "id0_stat", 2), a);
    integ_proc_free(&r);
    integ_proc_free(&r2);
}
END_TEST

/* readlink of /proc/self/fd/N says "pipe:[INO]" with fstat's inode. */
START_TEST(pipe_link_matches_fstat)
{
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)integ_prog("hostinfo", integ_libc[_i], 0), "pipe"), NULL, &r);
    assert_ran(&r);
    ck_assert_str_eq(field(r.out, "pipe_link", 0), field(r.out, "pipe_fstat", 1));
    integ_proc_free(&r);
}
END_TEST

/* A generated /proc file is one file however often it is opened: each
 * open's fstat and the path's stat give one device, inode and mode. */
START_TEST(proc_files_keep_one_identity)
{
    static const char *const files[] = {"/proc/self/maps", "/proc/self/status", "/proc/uptime",
                                        "/proc/self/fd"};
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)integ_prog("hostinfo", integ_libc[_i], 0), "proc"), NULL, &r);
    assert_ran(&r);
    int wrong = 0;
    char key[64], first[256] = "";
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(key, sizeof key, "%s_stat", files[i]);
        const char *id = field(r.out, key, 0);
        for (int n = 1; n <= 2; n++) {
            snprintf(key, sizeof key, "%s_open%d", files[i], n);
            if (strcmp(field(r.out, key, 1), id) != 0 && !wrong++)
                snprintf(first, sizeof first, "%s", key);
        }
        snprintf(key, sizeof key, "%s_modes", files[i]);
        unsigned opened, named;
        if ((sscanf(field(r.out, key, 1), "%o %o", &opened, &named) != 2 || opened != named) &&
            !wrong++)
            snprintf(first, sizeof first, "%s", key);
    }
    ck_assert_msg(wrong == 0, "%d differ; first %s\n%s", wrong, first, r.out);
    integ_proc_free(&r);
}
END_TEST

Suite *hostinfo_suite(void)
{
    Suite *s = suite_create("hostinfo");
    TCase *tc = tcase_create("uname");
    tcase_add_loop_test(tc, uname_is_the_sandboxes, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, uname_release_and_hostname_configured, 0, INTEG_NLIBC);
    tcase_add_test(tc, uname_strings_refused);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("uptime");
    tcase_add_loop_test(tc, uptime_and_load_are_the_sandboxes, 0, INTEG_NLIBC);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("ids");
    tcase_add_checked_fixture(tc, make_files, remove_files);
    tcase_add_loop_test(tc, ids_are_the_views, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, pipe_link_matches_fstat, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, proc_files_keep_one_identity, 0, INTEG_NLIBC);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
