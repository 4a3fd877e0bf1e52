/* trace.h - the live trace of privilege crossings: one event per forwarded
 * syscall, fault, signal, limit, denial, rejected I/O and the program's end,
 * with what each crossing cost, rendered as aligned text or JSON Lines to
 * cfg.trace_fd (never a guest fd); and the sums behind ringbox_trace_summary.
 * Everything here is off (one branch per exit) unless rb->trace.on. */
#ifndef RB_TRACE_H
#define RB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "decode.h"
#include "sys.h"
#include "vm.h"

static inline bool trace_on(const struct ringbox *rb)
{
    return rb->trace.on;
}

/* Monotonic host nanoseconds. */
uint64_t trace_now_ns(void);

/* How a syscall came from ring 3 into the stub. */
enum trace_route {
    TRACE_ROUTE_ANY,     /* this KVM does not say which */
    TRACE_ROUTE_SYSCALL, /* SYSCALL landed at CPL 0 (the architectural route) */
    TRACE_ROUTE_PF,      /* kvm_pvm: SYSCALL kept CPL 3 and became #PF at LSTAR */
};

/* How the VMM sent the program back to ring 3. */
enum trace_back {
    TRACE_BACK_NONE,   /* it did not: the program ended */
    TRACE_BACK_SYSRET, /* the stub's SYSRETQ */
    TRACE_BACK_IRET,   /* the stub's IRETQ (a new user context: signal, sigreturn, #GP) */
};

/* The run loop's clock: around the loop and around each KVM_RUN. */
void trace_run_begin(struct ringbox *rb);
void trace_run_end(struct ringbox *rb);
/* The exit event, once the result is complete (limits included). */
void trace_end(struct ringbox *rb);
static inline void trace_kvm_enter(struct ringbox *rb, uint64_t now)
{
    if (rb->trace.exited)
        rb->trace.vmm_ns += now - rb->trace.exited;
    rb->trace.entered = now;
}
void trace_kvm_exit(struct ringbox *rb, uint64_t now);

/* Whether the syscall will be shown: then decode_enter (decode.h) reads
 * what the program passes before the VMM serves the call. */
bool trace_shows_syscall(const struct ringbox *rb, long nr);
/* One forwarded syscall, after it was served and the way back chosen;
 * call is decode_enter's rendering when trace_shows_syscall said so. */
void trace_syscall(struct ringbox *rb, const struct sys_args *a, struct decoded_call *call, int64_t ret,
                   enum trace_route route, enum trace_back back);
/* An exception from ring 3; spurious: a stale TLB entry, retried. */
void trace_fault(struct ringbox *rb, const struct rb_fault_frame *f, bool spurious);
/* Port I/O (or MMIO, HLT) that was not the stub's hypercall. */
void trace_rejected(struct ringbox *rb, const char *what, unsigned port, uint64_t rip, int cpl);
/* A typed one-line event: type is RINGBOX_TRACE_SIGNAL, _LIMIT, _DENIED or
 * _POLICY; name a short key (the signal's or limit's name, the path) or
 * NULL; the rest a sentence for people. */
void trace_event(struct ringbox *rb, unsigned type, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A policy decision ("socket(AF_INET) denied: no network"). */
#define trace_note(rb, ...) trace_event((rb), RINGBOX_TRACE_POLICY, NULL, __VA_ARGS__)

/* ---- pure: the event model and its two renderings (unit-tested) ---------- */

struct trace_ev {
    unsigned type; /* RINGBOX_TRACE_* */
    uint64_t seq, t_ns, exits;
    /* RINGBOX_TRACE_SYSCALL */
    const struct sys_args *a;
    int64_t ret;
    const struct decoded_call *call; /* decode.h: name, arguments, result as strace shows them */
    enum trace_route route;
    enum trace_back back;
    uint64_t exit_ns, vmm_ns; /* the KVM_RUN before the exit; the VMM's service */
    /* RINGBOX_TRACE_FAULT */
    const struct rb_fault_frame *f;
    bool spurious;
    const char *disasm; /* the faulting instruction, or NULL */
    const struct ringbox_fault *ft; /* fault.c's description (explanation, walk), or NULL */
    const char *detail; /* text only: ringbox_format_fault's lines (why, code, walk), or NULL */
    /* RINGBOX_TRACE_REJECTED */
    unsigned port;
    uint64_t rip;
    int cpl;
    /* every type but SYSCALL: a key and a sentence */
    const char *name, *text;
    /* RINGBOX_TRACE_EXIT */
    const struct ringbox_result *res;
};

/* Render one event as a line with its newline, into buf (as snprintf). */
int trace_render_text(const struct trace_ev *e, char *buf, size_t len);
int trace_render_json(const struct trace_ev *e, char *buf, size_t len);
/* The legend text printed once before a text trace. */
extern const char trace_legend[];

/* Whether syscall nr passes the filter. */
bool trace_wants_nr(const struct ringbox_trace *t, long nr);

#endif
