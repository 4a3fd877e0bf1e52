/* limit.c - the resource limits of struct ringbox_config (see limit.h).
 *
 * Host syscalls made here:
 *   clock_gettime                   the run's clocks (monotonic, thread CPU)
 *   timer_delete                    this run's own limit timers, at its end
 * Before confinement only: timer_create, timer_settime.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "limit.h"
#include "trace.h"
#include "vm.h"

#define NS 1000000000LL

/* After a limit's first expiry its timer fires again this often, until the
 * run ends: a signal that lands between a blocking call's last check and
 * the call itself (sig_wait_begin) is then followed by another. */
#define REFIRE_NS 10000000LL

enum { WALL, CPU };

static int64_t now_ns(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
    return (struct timespec){.tv_sec = ns / NS, .tv_nsec = ns % NS};
}

/* A timer on `clk` that sends SIG_HOST to this thread at `at` (absolute
 * when `abs`), then every REFIRE_NS.  The raw syscalls, for the kernel's
 * timer id, which the seccomp filter pins timer_delete to. */
static int arm(int *id, clockid_t clk, int64_t at, bool abs)
{
    struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIG_HOST};
    sev._sigev_un._tid = (int)syscall(SYS_gettid);
    int t;
    if (syscall(SYS_timer_create, clk, &sev, &t) < 0)
        return -errno;
    *id = t;
    struct itimerspec its = {.it_value = ns_ts(at), .it_interval = ns_ts(REFIRE_NS)};
    if (syscall(SYS_timer_settime, t, abs ? TIMER_ABSTIME : 0, &its, NULL) < 0)
        return -errno;
    return 0;
}

int limit_run_begin(struct ringbox *rb)
{
    struct limit_state *l = &rb->lim;
    l->timer[WALL] = l->timer[CPU] = -1;
    l->t0 = now_ns(CLOCK_MONOTONIC);
    l->cpu_t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    l->wall_at = rb->cfg.time_limit_ns ? l->t0 + (int64_t)rb->cfg.time_limit_ns : 0;
    int rc = 0;
    if (l->wall_at)
        rc = arm(&l->timer[WALL], CLOCK_MONOTONIC, l->wall_at, true);
    /* CLOCK_THREAD_CPUTIME_ID here is this thread's: KVM_RUN's guest time
     * is charged to it as user time (kernel/sched/cputime.c,
     * account_guest_time()). */
    if (rc == 0 && rb->cfg.cpu_limit_ns)
        rc = arm(&l->timer[CPU], CLOCK_THREAD_CPUTIME_ID, (int64_t)rb->cfg.cpu_limit_ns, false);
    return rc;
}

void limit_run_end(struct ringbox *rb)
{
    struct limit_state *l = &rb->lim;
    for (int i = 0; i < 2; i++)
        if (l->timer[i] >= 0)
            syscall(SYS_timer_delete, l->timer[i]);
    l->timer[WALL] = l->timer[CPU] = -1;
    struct ringbox_result *res = rb->res;
    if (!l->t0)
        return; /* the run failed before its clocks started */
    res->wall_ns = (uint64_t)(now_ns(CLOCK_MONOTONIC) - l->t0);
    res->cpu_ns = (uint64_t)(now_ns(CLOCK_THREAD_CPUTIME_ID) - l->cpu_t0);
    res->time_limit_ns = rb->cfg.time_limit_ns;
    res->cpu_limit_ns = rb->cfg.cpu_limit_ns;
    res->max_output_bytes = rb->cfg.max_output_bytes;
    res->max_syscalls = rb->cfg.max_syscalls;
}

static const char *const what[] = {
    [RINGBOX_LIMIT_TIME] = "time limit (wall clock)",
    [RINGBOX_LIMIT_CPU] = "CPU time limit",
    [RINGBOX_LIMIT_OUTPUT] = "output limit",
    [RINGBOX_LIMIT_SYSCALLS] = "syscall limit",
};

void limit_stop(struct ringbox *rb, enum ringbox_limit which)
{
    trace_event(rb, RINGBOX_TRACE_LIMIT, what[which], "%s exceeded: the VMM stops the program", what[which]);
    rb->ended = true;
    rb->res->end = RINGBOX_LIMIT;
    rb->res->limit = which;
    rb->res->status = SIGKILL;
    rb->res->core_dumped = false;
}

bool limit_check(struct ringbox *rb)
{
    if (rb->ended)
        return true;
    if (rb->lim.wall_at && now_ns(CLOCK_MONOTONIC) >= rb->lim.wall_at) {
        limit_stop(rb, RINGBOX_LIMIT_TIME);
        return true;
    }
    if (rb->cfg.cpu_limit_ns &&
        now_ns(CLOCK_THREAD_CPUTIME_ID) - rb->lim.cpu_t0 >= (int64_t)rb->cfg.cpu_limit_ns) {
        limit_stop(rb, RINGBOX_LIMIT_CPU);
        return true;
    }
    return false;
}

bool limit_syscall(struct ringbox *rb, uint64_t count)
{
    if (!rb->cfg.max_syscalls || count <= rb->cfg.max_syscalls)
        return true;
    limit_stop(rb, RINGBOX_LIMIT_SYSCALLS);
    return false;
}

uint64_t limit_output_room(struct ringbox *rb, const struct rb_file *f, uint64_t want, bool *cut)
{
    *cut = false;
    if (!f->output || !rb->cfg.max_output_bytes || !rb->res)
        return want;
    uint64_t used = rb->res->counters.output_bytes;
    uint64_t left = used < rb->cfg.max_output_bytes ? rb->cfg.max_output_bytes - used : 0;
    if (want <= left)
        return want;
    *cut = true;
    return left;
}

void limit_output_done(struct ringbox *rb, const struct rb_file *f, int64_t r, bool cut)
{
    if (!f->output || !rb->res)
        return;
    if (r > 0)
        rb->res->counters.output_bytes += (uint64_t)r;
    if (cut && !rb->ended)
        limit_stop(rb, RINGBOX_LIMIT_OUTPUT);
}

int limit_format(const struct ringbox_result *res, char *buf, size_t len)
{
    const double s = 1e9;
    switch (res->limit) {
    case RINGBOX_LIMIT_TIME:
        return snprintf(buf, len, "time limit exceeded: %.3f s wall clock (limit %.3f s)",
                        (double)res->wall_ns / s, (double)res->time_limit_ns / s);
    case RINGBOX_LIMIT_CPU:
        return snprintf(buf, len, "CPU time limit exceeded: %.3f s CPU time, %.3f s wall clock (limit %.3f s)",
                        (double)res->cpu_ns / s, (double)res->wall_ns / s, (double)res->cpu_limit_ns / s);
    case RINGBOX_LIMIT_OUTPUT:
        return snprintf(buf, len, "output limit exceeded: %" PRIu64 " bytes written to stdout and stderr (limit %" PRIu64 ")",
                        res->counters.output_bytes, res->max_output_bytes);
    case RINGBOX_LIMIT_SYSCALLS:
        return snprintf(buf, len, "syscall limit exceeded: %" PRIu64 " syscalls served (limit %" PRIu64 ")",
                        res->counters.syscalls, res->max_syscalls);
    case RINGBOX_LIMIT_NONE:
        break;
    }
    return snprintf(buf, len, "stopped at a limit");
}
