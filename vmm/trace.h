/* trace.h - the live trace of privilege crossings: one line per forwarded
 * syscall, fault and policy decision, with what each crossing cost.
 * Written to cfg.trace_fd (never a guest fd); silent when that is -1. */
#ifndef RB_TRACE_H
#define RB_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "decode.h"
#include "sys.h"
#include "vm.h"

static inline bool trace_on(const struct ringbox *rb)
{
    return rb->cfg.trace_fd >= 0;
}

/* Monotonic microseconds, for the cost figures. */
double trace_now_us(void);

/* One forwarded syscall: its arguments (call: from decode_enter before the
 * VMM served it), result, the time the vCPU spent in KVM_RUN before this
 * exit (the program's own work plus the ring 3 -> ring 0 -> VMM crossing)
 * and the VMM's time to serve it. */
void trace_syscall(struct ringbox *rb, const struct sys_args *a, struct decoded_call *call,
                   int64_t ret, double guest_us, double vmm_us);
/* A free-form line ("policy: socket(AF_INET) denied: no network"). */
void trace_note(struct ringbox *rb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The longest line written; longer ones are cut. */
#define TRACE_LINE_MAX 2048

/* Pure: format the syscall line into buf (as snprintf), for the unit tests:
 * the call as strace shows it (decode.h), reading its strings and structs
 * from m through the checked user copies (m may be NULL: addresses only). */
int trace_format_syscall(char *buf, size_t len, double t_us, const struct guest_mem *m,
                         const struct sys_args *a, int64_t ret, double guest_us, double vmm_us);

#endif
