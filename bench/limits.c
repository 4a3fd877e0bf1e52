/* limits.c - how late a limit stops a ring-3 spin: for --time, from the
 * limit's expiry to ringbox_run() returning and to the handle being gone
 * (the VMM's exit, less the process's own); for --cpu, how far past the
 * limit the vCPU thread's CPU clock got (the kernel checks CPU timers at
 * its tick).  Usage: limits PROG REPS LIMIT_S.  Prints, in ms, medians:
 * "time_to_return time_to_destroyed cpu_overshoot cpu_to_destroyed", the
 * last being the overshoot plus the time from ringbox_run()'s return to
 * the handle being gone (the CPU clock's expiry has no wall-clock time of
 * its own to measure from). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ringbox.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One stopped run: [0] ms from start to return less the limit, [1] to
 * destroyed, [2] the CPU clock past the limit. */
static int one(const char *prog, uint64_t limit_ns, int cpu, double out[3])
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    struct ringbox_result res;
    ringbox_t *rb;
    char *argv[] = {(char *)prog, "spin", NULL};
    ringbox_config_init(&cfg);
    cfg.mem_bytes = 64 << 20;
    cfg.confine = 0; /* the next run needs a new VM */
    if (cpu)
        cfg.cpu_limit_ns = limit_ns;
    else
        cfg.time_limit_ns = limit_ns;
    if (ringbox_create(&cfg, &rb, &err) < 0 || ringbox_load(rb, prog, argv, NULL, &err) < 0) {
        fprintf(stderr, "limits: %s\n", err.message);
        return -1;
    }
    double t0 = now_ms();
    int rc = ringbox_run(rb, &res, &err);
    double t1 = now_ms();
    ringbox_destroy(rb);
    double t2 = now_ms();
    if (rc < 0 || res.end != RINGBOX_LIMIT) {
        fprintf(stderr, "limits: the run was not stopped at its limit\n");
        return -1;
    }
    double lim = (double)limit_ns / 1e6;
    out[0] = t1 - t0 - lim;
    out[1] = t2 - t0 - lim;
    out[2] = (double)res.cpu_ns / 1e6 - lim;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: limits PROG REPS LIMIT_S\n");
        return 2;
    }
    int reps = atoi(argv[2]);
    if (reps < 1)
        reps = 1;
    uint64_t limit_ns = (uint64_t)(atof(argv[3]) * 1e9);
    double *m[4];
    for (int k = 0; k < 4; k++)
        m[k] = calloc((size_t)reps, sizeof(double));
    for (int i = 0; i < reps; i++) {
        double t[3], c[3];
        if (one(argv[1], limit_ns, 0, t) < 0 || one(argv[1], limit_ns, 1, c) < 0)
            return 1;
        m[0][i] = t[0];
        m[1][i] = t[1];
        m[2][i] = c[2];
        m[3][i] = c[1] - c[0] + c[2];
    }
    for (int k = 0; k < 4; k++) {
        qsort(m[k], (size_t)reps, sizeof(double), cmp);
        printf("%.3f%c", m[k][reps / 2], k == 3 ? '\n' : ' ');
    }
    return 0;
}
