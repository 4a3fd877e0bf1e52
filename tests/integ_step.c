/* integ_step.c - `ringbox trace --step` in a real terminal: tmux runs ringbox, sends keys and reads the screen back. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integ_util.h"
#include "require.h"

/* Polls of the screen before giving up on a line: a bound on waiting for
 * a slow machine, not a timing check. */
#define POLLS 600
#define POLL_US 100000

struct term {
    char sock[64], name[32];
};

static int have_tmux(void)
{
    if (system("tmux -V >/dev/null 2>&1") == 0)
        return 1;
    fprintf(stderr, "step: skipped, tmux is not installed\n");
    return 0;
}

static void tmux(const struct term *t, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "tmux -L %s %s", t->sock, args);
    ck_assert_msg(system(cmd) == 0, "'%s' failed", cmd);
}

/* The whole pane, scrollback included, into a malloc'd string. */
static char *screen(const struct term *t)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -J -S -5000 -t %s", t->sock, t->name);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (cap - n < 4096) {
            cap *= 2;
            buf = realloc(buf, cap);
            REQUIRE(buf, "out of memory");
        }
    }
    buf[n] = 0;
    pclose(p);
    return buf;
}

/* Wait until the screen shows `want`; returns the screen. */
static char *wait_for(const struct term *t, const char *want)
{
    for (int i = 0; i < POLLS; i++) {
        char *s = screen(t);
        if (strstr(s, want))
            return s;
        free(s);
        usleep(POLL_US);
    }
    char *s = screen(t);
    ck_abort_msg("the screen never showed '%s':\n%s", want, s);
    return s;
}

/* ringbox trace --step PROGRAM in a detached session of a private tmux
 * server; after it ends, the shell prints its status and the terminal's
 * icanon and echo settings. */
static void start(struct term *t, const char *prog)
{
    snprintf(t->sock, sizeof t->sock, "rbstep%d", (int)getpid());
    snprintf(t->name, sizeof t->name, "step");
    char args[2048];
    snprintf(args, sizeof args,
             "new-session -d -s %s -x 160 -y 50 \"%s trace --step %s; echo EXIT=\\$?; "
             "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | "
             "tr '\\n' ' ' | sed 's/^/TTY=/'; echo; sleep 600\"",
             t->name, integ_ringbox(), prog);
    tmux(t, args);
}

static void stop(struct term *t)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "tmux -L %s kill-server >/dev/null 2>&1", t->sock);
    if (system(cmd) != 0)
        fprintf(stderr, "step: tmux kill-server failed\n");
}

START_TEST(enter_steps_and_c_runs_to_the_end)
{
    if (!have_tmux())
        return;
    struct term t;
    start(&t, integ_prog("hello", "glibc", 0));
    free(wait_for(&t, "--- crossing 1: syscall "));
    tmux(&t, "send-keys -t step Enter");
    free(wait_for(&t, "--- crossing 2: syscall "));
    tmux(&t, "send-keys -t step Enter");
    char *s = wait_for(&t, "--- crossing 3: syscall ");
    const char *c3 = strstr(s, "--- crossing 3: syscall ");
    /* The ring path, the SYSCALL disassembled, the resume point and the
     * registers either side, RAX changed (number in, result out). */
    ck_assert_msg(strstr(c3, "\n  ring: ring 3 (the program) -> ring 0 (the stub) -> VMM -> ring 3 (the program)\n"),
                  "screen:\n%s", c3);
    ck_assert_msg(strstr(c3, "\n  insn: 0x") && strstr(c3, ": syscall\n"), "screen:\n%s", c3);
    ck_assert_msg(strstr(c3, "\n  next: 0x"), "screen:\n%s", c3);
    ck_assert_msg(strstr(c3, "before") && strstr(c3, "after"), "screen:\n%s", c3);
    const char *rax = strstr(c3, "\n  rax     0x");
    ck_assert_msg(rax && strstr(rax, "  *\n") == strchr(rax + 1, '\n') - 3, "rax unchanged?\n%s", c3);
    ck_assert_msg(strstr(c3, "\n  rip     0x") && strstr(c3, "\n  rflags  0x"), "screen:\n%s", c3);
    ck_assert_msg(strstr(c3, "[Enter] next   [c] continue to the end   [q] kill the program"), "screen:\n%s", c3);
    ck_assert_msg(!strstr(s, "Hello from ring 3!"), "the program ran ahead:\n%s", s);
    free(s);
    tmux(&t, "send-keys -t step c");
    s = wait_for(&t, "TTY=");
    ck_assert_msg(strstr(s, "Hello from ring 3!\n"), "screen:\n%s", s);
    ck_assert_msg(strstr(s, "\nEXIT=0\n"), "screen:\n%s", s);
    ck_assert_msg(strstr(s, "\nTTY=icanon echo \n"), "terminal not restored:\n%s", s);
    free(s);
    stop(&t);
}
END_TEST

START_TEST(q_kills_the_program)
{
    if (!have_tmux())
        return;
    struct term t;
    start(&t, integ_prog("hello", "musl", 0));
    free(wait_for(&t, "--- crossing 1: syscall "));
    tmux(&t, "send-keys -t step q");
    char *s = wait_for(&t, "TTY=");
    ck_assert_msg(strstr(s, "\nringbox: killed by SIGKILL\n"), "screen:\n%s", s);
    ck_assert_msg(strstr(s, "\nEXIT=137\n"), "screen:\n%s", s);
    ck_assert_msg(!strstr(s, "Hello from ring 3!"), "the program ran on:\n%s", s);
    ck_assert_msg(!strstr(s, "--- crossing 2:"), "stepping went on:\n%s", s);
    ck_assert_msg(strstr(s, "\nTTY=icanon echo \n"), "terminal not restored:\n%s", s);
    free(s);
    stop(&t);
}
END_TEST

/* A fault is a crossing too: the exception, and the program's end. */
START_TEST(a_fault_is_a_step)
{
    if (!have_tmux())
        return;
    struct term t;
    char prog[1024];
    snprintf(prog, sizeof prog, "%s hlt", integ_prog("fault", "musl", 0));
    start(&t, prog);
    free(wait_for(&t, "--- crossing 1: syscall "));
    tmux(&t, "send-keys -t step Enter Enter Enter Enter Enter Enter Enter Enter Enter Enter");
    char *s = wait_for(&t, ": exception #GP\n");
    const char *x = strstr(s, ": exception #GP\n");
    ck_assert_msg(strstr(x, "\n  ring: ring 3 (the program) -> ring 0 (the stub) -> VMM -> ended\n"), "screen:\n%s", x);
    ck_assert_msg(strstr(x, "\n  insn: 0x") && strstr(x, ": hlt\n"), "screen:\n%s", x);
    ck_assert_msg(strstr(x, "\n  why:  HLT is privileged: only ring 0 may execute it\n"), "screen:\n%s", x);
    free(s);
    tmux(&t, "send-keys -t step Enter");
    s = wait_for(&t, "TTY=");
    ck_assert_msg(strstr(s, "\nEXIT=139\n") && strstr(s, "HLT is privileged"), "screen:\n%s", s);
    free(s);
    stop(&t);
}
END_TEST

/* Stepping belongs to the trace command. */
START_TEST(step_is_a_trace_option)
{
    struct proc_run r;
    integ_cli_run((char *const[]){"run", "--step", (char *)integ_prog("hello", "glibc", 0), NULL}, NULL, &r);
    ck_assert_int_eq(r.status, 125);
    ck_assert_msg(strstr(r.err, "--step is an option of 'ringbox trace'"), "stderr '%s'", r.err);
    integ_proc_free(&r);
}
END_TEST

/* ---- the library hook, without a terminal ---- */

struct seen {
    int calls, stop_at, action;
    struct ringbox_transition first, last;
};

static int record(void *ctx, const struct ringbox_transition *t)
{
    struct seen *s = ctx;
    if (s->calls++ == 0)
        s->first = *t;
    s->last = *t;
    return s->calls == s->stop_at ? s->action : RINGBOX_STEP_NEXT;
}

/* Run hello.glibc with on_transition; its stdout goes to /dev/null. */
static void run_hooked(struct seen *s, struct ringbox_result *res)
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_t *rb;
    ringbox_config_init(&cfg);
    cfg.confine = false;
    cfg.on_transition = record;
    cfg.on_transition_ctx = s;
    const char *prog = integ_prog("hello", "glibc", 0);
    char *argv[] = {(char *)prog, NULL};
    int null = open("/dev/null", O_WRONLY);
    ck_assert_int_ge(null, 0);
    ck_assert_int_eq(dup2(null, 1), 1);
    close(null);
    ck_assert_msg(ringbox_create(&cfg, &rb, &err) == 0, "%s", err.message);
    ck_assert_msg(ringbox_load(rb, prog, argv, NULL, &err) == 0, "%s", err.message);
    ck_assert_msg(ringbox_run(rb, res, &err) == 0, "%s", err.message);
    ringbox_destroy(rb);
}

START_TEST(hook_sees_every_crossing_with_registers)
{
    struct seen s = {0};
    struct ringbox_result res;
    run_hooked(&s, &res);
    ck_assert_int_eq(res.end, RINGBOX_EXITED);
    ck_assert_int_eq(res.status, 0);
    /* Every syscall is one crossing. */
    ck_assert_uint_eq((uint64_t)s.calls, res.counters.syscalls);
    ck_assert_uint_eq(s.first.seq, 1);
    ck_assert_int_eq(s.first.kind, RINGBOX_CROSS_SYSCALL);
    ck_assert_int_eq(s.first.ring_before, 3);
    ck_assert_int_eq(s.first.ring_during, 0);
    ck_assert_int_eq(s.first.ring_after, 3);
    /* RAX carries the number in and the result out; RIP resumes past the
     * SYSCALL, which is what crossed. */
    ck_assert_uint_eq(s.first.before.rax, (uint64_t)s.first.nr);
    ck_assert_uint_eq(s.first.after.rip, s.first.before.rip);
    ck_assert_uint_eq(s.first.insn_addr, s.first.before.rip - 2);
    ck_assert_str_eq(s.first.insn, "syscall");
    ck_assert_uint_eq(s.first.before.rsp, s.first.after.rsp);
    ck_assert(s.first.next[0] != 0);
    /* The last one is exit_group, which ends the program. */
    ck_assert_int_eq(s.last.nr, 231);
    ck_assert_int_eq(s.last.ring_after, -1);
    ck_assert_uint_eq((uint64_t)s.calls, s.last.seq);
}
END_TEST

START_TEST(hook_can_run_on_or_kill)
{
    struct seen s = {.stop_at = 1, .action = RINGBOX_STEP_RUN};
    struct ringbox_result res;
    run_hooked(&s, &res);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_int_eq(res.end, RINGBOX_EXITED);
    ck_assert_int_eq(res.status, 0);

    struct seen k = {.stop_at = 2, .action = RINGBOX_STEP_KILL};
    run_hooked(&k, &res);
    ck_assert_int_eq(k.calls, 2);
    ck_assert_int_eq(res.end, RINGBOX_SIGNALED);
    ck_assert_int_eq(res.status, SIGKILL);
    ck_assert(!res.faulted);
    ck_assert_uint_eq(res.counters.syscalls, 2);
}
END_TEST

Suite *step_suite(void)
{
    Suite *s = suite_create("step");
    TCase *tc = tcase_create("step");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, enter_steps_and_c_runs_to_the_end);
    tcase_add_test(tc, q_kills_the_program);
    tcase_add_test(tc, a_fault_is_a_step);
    tcase_add_test(tc, step_is_a_trace_option);
    tcase_add_test(tc, hook_sees_every_crossing_with_registers);
    tcase_add_test(tc, hook_can_run_on_or_kill);
    suite_add_tcase(s, tc);
    return s;
}
