/* integ_signal.c - signals in ring 3: handlers for faults and self-signals, frames, rt_sigreturn, default actions, the alarm. */
#define _GNU_SOURCE
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* Run signals.LIBC MODE through the library; the program must exit 0. */
static void run_ok(const char *mode, int i, struct lib_run *r)
{
    const char *libc = integ_libc[i % INTEG_NLIBC];
    integ_lib_run(integ_prog("signals", libc, 0), ARGS("signals", (char *)mode), NULL, 0, r);
    ck_assert_msg(r->rc == 0, "%s/%s: ringbox: %s", mode, libc, r->err.message);
    char line[512];
    ringbox_format_end(&r->res, line, sizeof line);
    ck_assert_msg(r->res.end == RINGBOX_EXITED && r->res.status == 0, "%s/%s: %s; output '%s'", mode, libc,
                  line, r->out);
}

/* The value of `key` in the output, which must be there. */
static long field(const struct lib_run *r, const char *key)
{
    const char *v = integ_field(r->out, key, 0);
    ck_assert_msg(v != NULL, "no %s= in '%s'", key, r->out);
    return strtol(v, NULL, 0);
}

/* Killed by `sig` through the command: 128 + sig and the report line. */
static void killed(const char *mode, int i, int sig, bool core)
{
    struct proc_run r;
    const char *prog = integ_prog("signals", integ_libc[i % INTEG_NLIBC], 0);
    integ_cli_run(ARGS("run", (char *)prog, (char *)mode), NULL, &r);
    ck_assert_msg(r.status == 128 + sig, "%s: status %d, want %d; stderr '%s'", mode, r.status, 128 + sig, r.err);
    char want[128];
    snprintf(want, sizeof want, "ringbox: killed by %s%s\n", ringbox_signal_name(sig), core ? " (core dumped)" : "");
    ck_assert_str_eq(r.err, want);
    integ_proc_free(&r);
}

/* A SIGSEGV handler that siglongjmps out: SEGV_MAPERR at an unmapped
 * address, SEGV_ACCERR at a read-only one, si_addr = CR2; twice, since
 * siglongjmp restores the mask. */
START_TEST(segv_handler_longjmps_out)
{
    struct lib_run r;
    run_ok("segv", _i, &r);
    ck_assert_int_eq(field(&r, "code"), SEGV_MAPERR);
    ck_assert_int_eq(field(&r, "addr_ok"), 1);
    ck_assert_int_eq(field(&r, "code2"), SEGV_ACCERR);
    ck_assert_int_eq(field(&r, "addr2_ok"), 1);
    ck_assert_int_eq(field(&r, "hits"), 2);
    ck_assert(r.res.counters.faults == 2);
    ck_assert(!r.res.faulted);
    integ_lib_free(&r);
}
END_TEST

/* #DE, #UD and #BP reach their handlers with Linux's si_code and si_addr:
 * FPE_INTDIV and ILL_ILLOPN at the instruction, int3 as SI_KERNEL with no
 * address (arch/x86/kernel/traps.c, do_int3_user()). */
START_TEST(fpe_ill_trap_handlers)
{
    static const struct {
        const char *mode;
        int sig, code;
    } c[] = {{"fpe", SIGFPE, FPE_INTDIV}, {"ill", SIGILL, ILL_ILLOPN}, {"trap", SIGTRAP, SI_KERNEL}};
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        struct lib_run r;
        run_ok(c[k].mode, _i, &r);
        ck_assert_int_eq(field(&r, "sig"), c[k].sig);
        ck_assert_int_eq(field(&r, "code"), c[k].code);
        ck_assert_msg(field(&r, "addr_ok") == 1, "%s: si_addr", c[k].mode);
        ck_assert_int_eq(field(&r, "hits"), 2);
        integ_lib_free(&r);
    }
}
END_TEST

START_TEST(handler_runs_on_the_alternate_stack)
{
    struct lib_run r;
    run_ok("altstack", _i, &r);
    ck_assert_int_eq(field(&r, "hits"), 1);
    ck_assert_int_eq(field(&r, "on_alt"), 1);
    ck_assert_int_eq(field(&r, "off_alt"), 1);
    ck_assert_int_eq(field(&r, "flags"), 0);
    integ_lib_free(&r);
}
END_TEST

START_TEST(abort_is_sigabrt_with_a_core_note)
{
    killed("abort", _i, SIGABRT, true);
}
END_TEST

START_TEST(raise_reaches_the_handler)
{
    struct lib_run r;
    run_ok("raise", _i, &r);
    ck_assert_int_eq(field(&r, "hits"), 1);
    ck_assert_int_eq(field(&r, "sig"), SIGUSR1);
    ck_assert_int_eq(field(&r, "code"), SI_TKILL);
    integ_lib_free(&r);
}
END_TEST

START_TEST(blocked_signal_waits_until_unblocked)
{
    struct lib_run r;
    run_ok("pending", _i, &r);
    ck_assert_int_eq(field(&r, "before"), 0);
    ck_assert_int_eq(field(&r, "pending"), 1);
    ck_assert_int_eq(field(&r, "after"), 1);
    ck_assert_int_eq(field(&r, "pending_after"), 0);
    integ_lib_free(&r);
}
END_TEST

/* A signal sent from inside a handler runs its own handler before the
 * first one goes on. */
START_TEST(signal_sent_from_a_handler)
{
    struct lib_run r;
    run_ok("nested", _i, &r);
    ck_assert_str_eq(r.out, "outer_begin=10\ninner=12\nouter_end=10\ndone=1\n");
    integ_lib_free(&r);
}
END_TEST

/* The handler starts with a clean MXCSR and clobbers xmm0/8/15 and MXCSR;
 * after rt_sigreturn the interrupted code has its own back. */
START_TEST(fpu_state_survives_a_handler)
{
    struct lib_run r;
    run_ok("fpu", _i, &r);
    ck_assert_int_eq(field(&r, "hits"), 1);
    ck_assert_int_eq(field(&r, "xmm_kept"), 1);
    ck_assert_int_eq(field(&r, "mxcsr_kept"), 1);
    ck_assert_int_eq(field(&r, "handler_mxcsr"), 0x1f80);
    integ_lib_free(&r);
}
END_TEST

/* SA_RESETHAND: the second SIGUSR1 takes the default action (Term). */
START_TEST(resethand_then_default)
{
    killed("resethand", _i, SIGUSR1, false);
}
END_TEST

/* SIG_IGN and default-ignored SIGCHLD are discarded; SIG_DFL terminates. */
START_TEST(ignore_then_default)
{
    struct lib_run r;
    integ_lib_run(integ_prog("signals", integ_libc[_i % INTEG_NLIBC], 0), ARGS("signals", "ignore"), NULL, 0, &r);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.out, "ignored=1\n");
    ck_assert_int_eq(r.res.end, RINGBOX_SIGNALED);
    ck_assert_int_eq(r.res.status, SIGUSR1);
    ck_assert(!r.res.core_dumped);
    integ_lib_free(&r);
}
END_TEST

/* A handler that forges IOPL/NT/VM or a kernel CS in its frame still
 * returns to ring 3 with IOPL 0; a kernel or non-canonical RIP, or FPU
 * state XRSTOR would refuse, is SIGSEGV. */
START_TEST(forged_sigreturn_frames_stay_in_ring_3)
{
    for (int mode = 0; mode <= 1; mode++) {
        char arg[16];
        snprintf(arg, sizeof arg, "forge%d", mode);
        struct lib_run r;
        run_ok(arg, _i, &r);
        ck_assert_int_eq(field(&r, "iopl"), 0);
        ck_assert_int_eq(field(&r, "nt"), 0);
        ck_assert_int_eq(field(&r, "cpl"), 3);
        integ_lib_free(&r);
    }
    for (int mode = 2; mode <= 5; mode++) {
        char arg[16];
        snprintf(arg, sizeof arg, "forge%d", mode);
        struct lib_run r;
        integ_lib_run(integ_prog("signals", integ_libc[_i % INTEG_NLIBC], 0), ARGS("signals", arg), NULL, 0,
                      &r);
        ck_assert_msg(r.rc == 0, "%s: ringbox: %s", arg, r.err.message);
        ck_assert_msg(r.res.end == RINGBOX_SIGNALED && r.res.status == SIGSEGV, "%s: end %d status %d", arg,
                      r.res.end, r.res.status);
        ck_assert_str_eq(r.out, "");
        integ_lib_free(&r);
    }
}
END_TEST

/* alarm(1) interrupts a loop that makes no syscalls. */
START_TEST(alarm_interrupts_a_busy_loop)
{
    struct lib_run r;
    run_ok("alarm", _i, &r);
    ck_assert_int_eq(field(&r, "alarmed"), 1);
    ck_assert_int_eq(field(&r, "spun"), 1);
    integ_lib_free(&r);
}
END_TEST

START_TEST(periodic_itimer_ticks)
{
    struct lib_run r;
    run_ok("itimer", _i, &r);
    ck_assert_int_eq(field(&r, "ticks"), 3);
    ck_assert_int_eq(field(&r, "interval_us"), 20000);
    integ_lib_free(&r);
}
END_TEST

/* nanosleep(2 s) cut short by a 100 ms ITIMER_REAL: EINTR, the handler
 * ran, and about 1.9 s remain. */
START_TEST(nanosleep_is_interrupted_with_the_remainder)
{
    struct lib_run r;
    run_ok("sleep", _i, &r);
    ck_assert_int_eq(field(&r, "eintr"), 1);
    ck_assert_int_eq(field(&r, "alarmed"), 1);
    ck_assert_int_eq(field(&r, "rem_ok"), 1);
    integ_lib_free(&r);
}
END_TEST

/* A read blocked on a pipe (a "slow" device) is interrupted like nanosleep:
 * EINTR without SA_RESTART, restarted with it until the handler feeds it. */
START_TEST(blocked_pipe_read_is_interrupted_or_restarted)
{
    struct lib_run r;
    run_ok("piperead", _i, &r);
    ck_assert_int_eq(field(&r, "ret"), -1);
    ck_assert_int_eq(field(&r, "eintr"), 1);
    ck_assert_int_eq(field(&r, "alarmed"), 1);
    integ_lib_free(&r);
    run_ok("piperestart", _i, &r);
    ck_assert_int_eq(field(&r, "ret"), 1);
    ck_assert_int_eq(field(&r, "byte"), 'x');
    ck_assert_int_eq(field(&r, "alarmed"), 1);
    integ_lib_free(&r);
}
END_TEST

Suite *signal_suite(void)
{
    Suite *s = suite_create("signal");
    TCase *tc = tcase_create("signal");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, segv_handler_longjmps_out, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, fpe_ill_trap_handlers, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, handler_runs_on_the_alternate_stack, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, abort_is_sigabrt_with_a_core_note, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, raise_reaches_the_handler, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, blocked_signal_waits_until_unblocked, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, signal_sent_from_a_handler, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, fpu_state_survives_a_handler, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, resethand_then_default, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, ignore_then_default, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, forged_sigreturn_frames_stay_in_ring_3, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, alarm_interrupts_a_busy_loop, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, periodic_itimer_ticks, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, nanosleep_is_interrupted_with_the_remainder, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, blocked_pipe_read_is_interrupted_or_restarted, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
