/* trace.c - the crossing trace (see trace.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "trace.h"

double trace_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

struct out {
    char *buf;
    size_t len, n;
};

/* Append like snprintf; o->n counts what would have been written. */
__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t at = o->n < o->len ? o->n : o->len;
    int k = vsnprintf(o->buf + at, o->len - at, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += (size_t)k;
}

static int format_call(char *buf, size_t len, double t_us, long nr, const struct decoded_call *d,
                       double guest_us, double vmm_us)
{
    struct out o = {.buf = buf, .len = len};
    put(&o, "[%12.6f] ", t_us / 1e6);
    size_t at = o.n < len ? o.n : len;
    o.n += (size_t)decode_format(buf + at, len - at, nr, d);
    put(&o, "  <guest+crossing %.1fus, vmm %.1fus>", guest_us, vmm_us);
    return (int)o.n;
}

int trace_format_syscall(char *buf, size_t len, double t_us, const struct guest_mem *m,
                         const struct sys_args *a, int64_t ret, double guest_us, double vmm_us)
{
    struct decoded_call d;
    decode_call(m, a, ret, &d);
    return format_call(buf, len, t_us, a->nr, &d, guest_us, vmm_us);
}

static void emit(struct ringbox *rb, const char *line, size_t n)
{
    char out[TRACE_LINE_MAX + 1];
    if (n > sizeof(out) - 2)
        n = sizeof(out) - 2;
    memcpy(out, line, n);
    out[n++] = '\n';
    /* Best effort: a full or closed trace sink must not disturb the run. */
    ssize_t w = write(rb->cfg.trace_fd, out, n);
    (void)w;
}

void trace_syscall(struct ringbox *rb, const struct sys_args *a, struct decoded_call *call,
                   int64_t ret, double guest_us, double vmm_us)
{
    char line[TRACE_LINE_MAX];
    decode_exit(&rb->mem, a, ret, call);
    int n = format_call(line, sizeof(line), trace_now_us() - rb->trace_t0, a->nr, call, guest_us,
                        vmm_us);
    emit(rb, line, n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void trace_note(struct ringbox *rb, const char *fmt, ...)
{
    if (!trace_on(rb))
        return;
    char line[TRACE_LINE_MAX];
    int n = snprintf(line, sizeof(line), "[%12.6f] ", (trace_now_us() - rb->trace_t0) / 1e6);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t total = (size_t)n + (m > 0 ? (size_t)m : 0);
    emit(rb, line, total < sizeof(line) ? total : sizeof(line) - 1);
}
