/* integ_gfuzz.c - the guest-side fuzz suite: the signal-frame and sleep cases random syscalls
 * found.  A run passes when ringbox exits 0 with nothing on stderr (no internal error, 120; no
 * host signal; no sanitizer report) and the program's own checks held. */
#define _GNU_SOURCE
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    struct proc_run r;
    integ_cli_run(ARGS("run", "--time", "300", (char *)prog, (char *)m[0], (char *)m[1]), NULL, &r);
    assert_clean(m[0], &r);
    ck_assert_int_eq(field(&r, "alarm_bad"), 0);
    ck_assert_int_eq(field(&r, "fault_bad"), 0);
    ck_assert_int_gt(field(&r, "alarms"), 0);
    if (!strcmp(m[0], "faults"))
        ck_assert_int_eq(field(&r, "faults"), strtol(m[1], NULL, 10));
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

/* Test cases: "frames" is the storm over the stub's entries, "sleeps" the
 * sleep arithmetic.  Generous timeouts: a regression of either fix hangs
 * rather than fails. */
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

    return s;
}
