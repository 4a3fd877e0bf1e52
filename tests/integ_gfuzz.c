/* integ_gfuzz.c - the guest-side fuzz suite: random syscalls from inside (tests/hostile/sysfuzz.c)
 * with and without a SIGALRM storm, and the signal-frame and sleep cases it found.  A run passes
 * when ringbox exits 0 with nothing on stderr (no internal error, 120; no host signal; no
 * sanitizer report), the program's own checks held, and the host around the granted
 * directory is unchanged, byte for byte. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* "$RB_BUILD/hostile/NAME.LIBC". */
static const char *hostile(const char *name, int libc)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/hostile/%s.%s", integ_build(), name, integ_libc[libc]);
    ck_assert_msg(access(buf, R_OK) == 0, "%s is missing: run make progs", buf);
    return buf;
}

static long field(const struct proc_run *r, const char *key)
{
    const char *v = integ_field(r->out, key, 0);
    ck_assert_msg(v != NULL, "no %s= in stdout '%s' (stderr '%s')", key, r->out, r->err);
    return strtol(v, NULL, 0);
}

/* How many calls or faults a run makes: `n`, or a tenth of it when
 * RB_GFUZZ_SHORT is set.  tests/seccomp_strace sets it: there every host
 * syscall of the storms is traced, and the whole suite took 9 minutes
 * instead of 15 s; a tenth still sends every fuzzed handler past the
 * allowlist check many times. */
static const char *count(const char *n, char *buf, size_t size)
{
    long v = strtol(n, NULL, 10);
    snprintf(buf, size, "%ld", getenv("RB_GFUZZ_SHORT") ? v / 10 : v);
    return buf;
}

/* ringbox ended normally with the program's status 0 and said nothing. */
static void assert_clean(const char *what, const struct proc_run *r)
{
    ck_assert_msg(r->status != 120, "%s: ringbox failed internally (120): stderr '%s'", what, r->err);
    ck_assert_msg(r->status == 0 && r->err[0] == 0, "%s: status %d, stderr '%s', stdout '%s'", what, r->status,
                  r->err, r->out);
}

/* ---- signal frames while the vCPU is half way into the stub --------------- */

/* A SIGALRM every millisecond over getppid calls, and over #PFs that a
 * SIGSEGV handler skips: every frame names a user RIP and every fault its
 * own instruction.  On kvm_pvm the alarm often lands after SYSCALL has
 * jumped to LSTAR at CPL 3, or with a #PF taken and not yet delivered; a
 * frame built then held RIP = LSTAR (rt_sigreturn: bad frame), or the #PF
 * was delivered at the handler's first instruction. */
START_TEST(storm_frames)
{
    static const char *const modes[][2] = {{"syscalls", "10000"}, {"faults", "3000"}};
    const char *const *m = modes[_i / INTEG_NLIBC];
    const char *prog = hostile("sigstorm", _i % INTEG_NLIBC);
    char n[16];
    count(m[1], n, sizeof n);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--time", "300", (char *)prog, (char *)m[0], n), NULL, &r);
    assert_clean(m[0], &r);
    ck_assert_int_eq(field(&r, "alarm_bad"), 0);
    ck_assert_int_eq(field(&r, "fault_bad"), 0);
    ck_assert_int_gt(field(&r, "alarms"), 0);
    if (!strcmp(m[0], "faults"))
        ck_assert_int_eq(field(&r, "faults"), strtol(n, NULL, 10));
    integ_proc_free(&r);
}
END_TEST

/* ---- sleeps as long as a timespec allows ----------------------------------- */

/* tv_sec = 2^63-1 is a valid request: Linux sleeps until KTIME_MAX.  The
 * VMM's sum of it and the clock overflowed, so the sleep ended at once or
 * never, past the alarm's deadline and past --time alike. */
START_TEST(huge_sleeps_end)
{
    const char *prog = hostile("sleeps", _i);
    struct proc_run r;
    integ_cli_run(ARGS("run", "--time", "300", (char *)prog, "alarm"), NULL, &r);
    assert_clean("sleeps alarm", &r);
    ck_assert_str_eq(r.out, "nanosleep=EINTR\nnanosleep_left=ktime_max\nclock_nanosleep_rel=EINTR\n"
                            "clock_nanosleep_abs=EINTR\nfutex_wait=EINTR\n");
    integ_proc_free(&r);
    integ_cli_run(ARGS("run", "--time", "1", (char *)prog, "forever"), NULL, &r);
    ck_assert_msg(r.status == 128 + SIGKILL, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "sleeping\n");
    ck_assert_msg(!strncmp(r.err, "ringbox: time limit exceeded: ", 30), "stderr '%s'", r.err);
    integ_proc_free(&r);
}
END_TEST

/* ---- hostile arguments, from inside ------------------------------------------ */

/* The host side of one run: a parent directory whose `granted` child is
 * the program's /data, `ro` its /ro, and neighbours it must never reach. */
static char top[64], granted[96], ro[96];

static void put(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void sub(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void setup(void)
{
    strcpy(top, "/tmp/rb-integ-gfuzz-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top));
    snprintf(granted, sizeof granted, "%s/granted", top);
    snprintf(ro, sizeof ro, "%s/ro", top);
    sub(top, "granted");
    sub(top, "ro");
    sub(top, "outside");
    put(top, "canary", "the host's own file\n");
    put(top, "outside/secret", "not for the sandbox\n");
    put(ro, "file", "read-only data\n");
    put(granted, "f", "f\n");
    sub(granted, "sub");
    put(granted, "sub/g", "g\n");
    char path[256];
    snprintf(path, sizeof path, "%s/link", granted);
    ck_assert_int_eq(symlink("../canary", path), 0);
    snprintf(path, sizeof path, "%s/outside/up", top);
    ck_assert_int_eq(symlink("../granted", path), 0);
}

/* The program may leave anything in granted/, modes 000 and 07777 included. */
static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwX '%s' 2>/dev/null; rm -rf '%s'", top, top);
    ck_assert_int_eq(system(cmd), 0);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static uint64_t tree_hash;

/* Each entry's path, type, mode, size, mtime, link target and contents;
 * of granted/ only that it is there, a directory. */
static int hash_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    uint64_t h = fnv(14695981039346656037ULL, path, strlen(path));
    if (!strcmp(path, granted)) {
        tree_hash += fnv(h, "granted dir", 11) + (S_ISDIR(st->st_mode) ? 1 : 0);
        return FTW_SKIP_SUBTREE;
    }
    h = fnv(h, &type, sizeof type);
    h = fnv(h, &st->st_mode, sizeof st->st_mode);
    h = fnv(h, &st->st_size, sizeof st->st_size);
    h = fnv(h, &st->st_mtim, sizeof st->st_mtim);
    char buf[4096];
    if (type == FTW_SL) {
        ssize_t n = readlink(path, buf, sizeof buf);
        h = fnv(h, buf, n > 0 ? (size_t)n : 0);
    } else if (type == FTW_F) {
        int fd = open(path, O_RDONLY);
        ssize_t n;
        while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
            h = fnv(h, buf, (size_t)n);
        if (fd >= 0)
            close(fd);
    }
    tree_hash += h; /* the order nftw walks in does not matter */
    return FTW_CONTINUE;
}

/* The default view's own host files are writable mounts too: a chmod
 * through one once changed the host's /dev/null. */
static uint64_t hash_host(void)
{
    static const char *const devices[] = {"/dev/null", "/dev/zero"};
    tree_hash = 0;
    ck_assert_int_eq(nftw(top, hash_entry, 16, FTW_PHYS | FTW_ACTIONRETVAL), 0);
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        struct stat st;
        ck_assert_int_eq(stat(devices[i], &st), 0);
        tree_hash += fnv(fnv(14695981039346656037ULL, devices[i], strlen(devices[i])), &st.st_mode,
                         sizeof st.st_mode);
    }
    return tree_hash;
}

/* Loop index: libc, then quiet or storm.  Each run has its own seed, so
 * the suite covers four sequences; a failing one reruns by hand with
 *   ringbox run --rw G:/data --ro R:/ro --cwd /data sysfuzz.LIBC SEED CALLS [storm]. */
#define FUZZ_CALLS "10000"

START_TEST(random_syscalls)
{
    int libc = _i % INTEG_NLIBC, storm = _i / INTEG_NLIBC;
    char seed[16], rw_arg[128], ro_arg[128], calls[16];
    count(FUZZ_CALLS, calls, sizeof calls);
    snprintf(seed, sizeof seed, "%d", 1000 + _i);
    snprintf(rw_arg, sizeof rw_arg, "%s:/data", granted);
    snprintf(ro_arg, sizeof ro_arg, "%s:/ro", ro);
    const char *prog = hostile("sysfuzz", libc);
    uint64_t before = hash_host();
    struct proc_run r;
    integ_cli_run(storm ? ARGS("run", "--time", "300", "--rw", rw_arg, "--ro", ro_arg, "--cwd", "/data",
                               (char *)prog, seed, calls, "storm")
                        : ARGS("run", "--time", "300", "--rw", rw_arg, "--ro", ro_arg, "--cwd", "/data",
                               (char *)prog, seed, calls),
                  NULL, &r);
    char what[64];
    snprintf(what, sizeof what, "sysfuzz.%s %s%s", integ_libc[libc], seed, storm ? " storm" : "");
    assert_clean(what, &r);
    ck_assert_int_eq(field(&r, "calls"), strtol(calls, NULL, 10));
    ck_assert_msg(integ_field(r.out, "canaries", 0) && !strcmp(integ_field(r.out, "canaries", 0), "intact"),
                  "%s: stdout '%s'", what, r.out);
    ck_assert_int_gt(field(&r, "ok"), 0);
    ck_assert_int_gt(field(&r, "EFAULT"), 0);
    if (storm)
        ck_assert_int_gt(field(&r, "alarms"), 0);
    ck_assert_int_eq(field(&r, "frames_checked"), field(&r, "signals"));
    ck_assert_msg(hash_host() == before, "%s: the host around %s changed", what, granted);
    integ_proc_free(&r);
}
END_TEST

/* Test cases: "frames" is the storm over the stub's entries, "sleeps" the
 * sleep arithmetic, "fuzz" the random calls.  Generous timeouts: a
 * regression of either fix hangs rather than fails. */
Suite *gfuzz_suite(void)
{
    Suite *s = suite_create("gfuzz");
    TCase *frames = tcase_create("frames");
    tcase_set_timeout(frames, 300);
    tcase_add_loop_test(frames, storm_frames, 0, 2 * INTEG_NLIBC);
    suite_add_tcase(s, frames);

    TCase *sleeps = tcase_create("sleeps");
    tcase_set_timeout(sleeps, 300);
    tcase_add_loop_test(sleeps, huge_sleeps_end, 0, INTEG_NLIBC);
    suite_add_tcase(s, sleeps);

    TCase *fuzz = tcase_create("fuzz");
    tcase_set_timeout(fuzz, 600);
    tcase_add_checked_fixture(fuzz, setup, teardown);
    tcase_add_loop_test(fuzz, random_syscalls, 0, 2 * INTEG_NLIBC);
    suite_add_tcase(s, fuzz);
    return s;
}
