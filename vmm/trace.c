/* trace.c - the crossing trace: events, their text and JSON renderings, the summary (see trace.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fault.h"
#include "strbuf.h"
#include "trace.h"
#include "x86.h"

#define API __attribute__((visibility("default")))

uint64_t trace_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- rendering ------------------------------------------------------------- */

/* A JSON string: quotes, backslashes and every byte outside printable
 * ASCII escaped, so any input gives valid JSON (RFC 8259 section 7). */
static void put_json_str(struct strbuf *o, const char *s)
{
    strbuf_put(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            strbuf_put(o, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            strbuf_put(o, "\\u%04x", *p);
        else
            strbuf_put(o, "%c", *p);
    }
    strbuf_put(o, "\"");
}

static const char *route_in(const struct trace_ev *e)
{
    switch (e->route) {
    case TRACE_ROUTE_SYSCALL: return "SYSCALL";
    case TRACE_ROUTE_PF: return "#PF";
    default: return "SYSCALL|#PF";
    }
}

static const char *route_back(enum trace_back b)
{
    switch (b) {
    case TRACE_BACK_SYSRET: return "SYSRET";
    case TRACE_BACK_IRET: return "IRET";
    default: return "end";
    }
}

const char trace_legend[] =
    "ringbox trace: one line per event, as it happens.  Columns:\n"
    "  [seconds]   since the program started\n"
    "  #N          the event's number (filtered-out events are numbered too)\n"
    "  exits       VM exits so far (each is one trip guest -> VMM -> guest)\n"
    "  exit ns     time inside KVM_RUN before this exit: the program's own work\n"
    "              in ring 3 plus the crossing ring 3 -> ring 0 stub -> VMM\n"
    "  vmm ns      the VMM's time to serve it, until the guest resumes\n"
    "  route       how it crossed: into ring 0 by SYSCALL (or, on kvm_pvm, by the\n"
    "              #PF that SYSCALL becomes) or an exception; the stub's OUT\n"
    "              hypercall; the VMM; back to ring 3 by SYSRET or IRET, or end\n"
    "  what        the syscall as strace shows it, or what happened\n";

static const char text_header[] = "[    seconds] #event   exits    exit ns    vmm ns  route                       what\n";

/* The fixed columns every text line starts with; costs blank when absent. */
static void put_columns(struct strbuf *o, const struct trace_ev *e, bool costs, const char *route)
{
    strbuf_put(o, "[%11.6f] #%-6llu %6llu", (double)e->t_ns / 1e9, (unsigned long long)e->seq,
        (unsigned long long)e->exits);
    if (costs)
        strbuf_put(o, " %10llu %9llu", (unsigned long long)e->exit_ns, (unsigned long long)e->vmm_ns);
    else
        strbuf_put(o, " %10s %9s", "", "");
    /* Pad by display columns: each "→" is three bytes but one column. */
    size_t cols = 0;
    for (const char *p = route; *p; p++)
        cols += ((unsigned char)*p & 0xc0) != 0x80;
    strbuf_put(o, "  %s%*s", route, cols < 26 ? (int)(26 - cols) : 0, "");
    strbuf_put(o, "  ");
}

static void put_call(struct strbuf *o, const struct trace_ev *e)
{
    size_t at = o->n < o->len ? o->n : o->len;
    o->n += (size_t)decode_format(o->buf + at, o->len - at, e->a->nr, e->call);
}

static const char *type_name(unsigned type)
{
    switch (type) {
    case RINGBOX_TRACE_SYSCALL: return "syscall";
    case RINGBOX_TRACE_FAULT: return "fault";
    case RINGBOX_TRACE_SIGNAL: return "signal";
    case RINGBOX_TRACE_LIMIT: return "limit";
    case RINGBOX_TRACE_DENIED: return "denied";
    case RINGBOX_TRACE_REJECTED: return "rejected";
    case RINGBOX_TRACE_POLICY: return "policy";
    case RINGBOX_TRACE_EXIT: return "exit";
    default: return "event";
    }
}

/* "#PF page fault, error 0x4 (user read, not present)". */
static void put_fault_what(struct strbuf *o, const struct rb_fault_frame *f)
{
    strbuf_put(o, "%s, error %#llx", ringbox_vector_name((int)f->vector), (unsigned long long)f->error_code);
    if (f->vector == X86_VEC_PF)
        strbuf_put(o, " (%s %s, %s)", f->error_code & X86_PF_U ? "user" : "kernel",
            f->error_code & X86_PF_I ? "fetch" : f->error_code & X86_PF_W ? "write" : "read",
            f->error_code & X86_PF_RSVD ? "reserved bit set"
            : f->error_code & X86_PF_P  ? "protection violation"
                                        : "page not present");
}

static void end_text(const struct ringbox_result *r, char *buf, size_t len)
{
    char why[256];
    if (r->end == RINGBOX_LIMIT) {
        ringbox_format_end(r, why, sizeof(why));
        snprintf(buf, len, "+++ %s +++", why);
    } else if (r->end == RINGBOX_EXITED)
        snprintf(buf, len, "+++ exited with %d +++", r->status);
    else
        snprintf(buf, len, "+++ killed by %s%s +++", ringbox_signal_name(r->status),
                 r->core_dumped ? " (core dumped)" : "");
}

int trace_render_text(const struct trace_ev *e, char *buf, size_t len)
{
    struct strbuf o = {.buf = buf, .len = len};
    char route[64];
    switch (e->type) {
    case RINGBOX_TRACE_SYSCALL:
        snprintf(route, sizeof(route), "%s→OUT→VMM→%s", route_in(e), route_back(e->back));
        put_columns(&o, e, true, route);
        put_call(&o, e);
        break;
    case RINGBOX_TRACE_FAULT:
        snprintf(route, sizeof(route), "%s→OUT→VMM→%s", ringbox_vector_name((int)e->f->vector),
                 e->spurious ? "IRET" : "signal");
        put_columns(&o, e, true, route);
        strbuf_put(&o, "fault ");
        put_fault_what(&o, e->f);
        strbuf_put(&o, " at rip %#llx", (unsigned long long)e->f->rip);
        if (e->f->vector == X86_VEC_PF)
            strbuf_put(&o, ", cr2 %#llx", (unsigned long long)e->f->cr2);
        if (e->disasm && *e->disasm)
            strbuf_put(&o, ": %s", e->disasm);
        if (e->spurious)
            strbuf_put(&o, " (a stale TLB entry: flushed and retried)");
        if (e->detail)
            strbuf_put(&o, "\n%s", e->detail);
        if (o.n && o.n <= o.len && o.buf[o.n - 1] == '\n')
            o.n--; /* the one newline below ends the event */
        break;
    case RINGBOX_TRACE_REJECTED:
        snprintf(route, sizeof(route), "%s→VMM→#GP", e->name);
        put_columns(&o, e, true, route);
        strbuf_put(&o, "rejected %s", e->text);
        break;
    case RINGBOX_TRACE_EXIT: {
        char t[300];
        end_text(e->res, t, sizeof(t));
        put_columns(&o, e, false, "");
        strbuf_put(&o, "%s", t);
        break;
    }
    default:
        put_columns(&o, e, false, "");
        strbuf_put(&o, "%s %s", type_name(e->type), e->text);
        break;
    }
    strbuf_put(&o, "\n");
    return (int)o.n;
}

int trace_render_json(const struct trace_ev *e, char *buf, size_t len)
{
    struct strbuf o = {.buf = buf, .len = len};
    strbuf_put(&o, "{\"type\":\"%s\",\"seq\":%llu,\"t_ns\":%llu,\"exits\":%llu", type_name(e->type),
        (unsigned long long)e->seq, (unsigned long long)e->t_ns, (unsigned long long)e->exits);
    switch (e->type) {
    case RINGBOX_TRACE_SYSCALL: {
        const struct decoded_call *c = e->call;
        char name[32];
        if (c->name)
            snprintf(name, sizeof(name), "%s", c->name);
        else
            snprintf(name, sizeof(name), "syscall_%ld", e->a->nr);
        strbuf_put(&o, ",\"nr\":%ld,\"name\":", e->a->nr);
        put_json_str(&o, name);
        strbuf_put(&o, ",\"args\":[");
        for (int i = 0; i < c->nargs; i++) {
            strbuf_put(&o, i ? "," : "");
            put_json_str(&o, c->arg[i]);
        }
        /* The raw registers: all six for a call without a known signature. */
        strbuf_put(&o, "],\"raw\":[");
        for (int i = 0; i < c->nargs; i++)
            strbuf_put(&o, "%s%lld", i ? "," : "", (long long)e->a->a[i]);
        strbuf_put(&o, "],\"ret\":");
        if (strcmp(c->ret, "?") == 0)
            strbuf_put(&o, "null");
        else
            strbuf_put(&o, "%lld", (long long)e->ret);
        strbuf_put(&o, ",\"ret_text\":");
        put_json_str(&o, c->ret);
        strbuf_put(&o, ",\"errno\":");
        if (c->errname)
            put_json_str(&o, c->errname);
        else
            strbuf_put(&o, "null");
        strbuf_put(&o, ",\"route\":\"%s\",\"back\":\"%s\"",
            e->route == TRACE_ROUTE_SYSCALL ? "syscall" : e->route == TRACE_ROUTE_PF ? "pf" : "unknown",
            e->back == TRACE_BACK_SYSRET ? "sysret" : e->back == TRACE_BACK_IRET ? "iret" : "none");
        strbuf_put(&o, ",\"exit_ns\":%llu,\"vmm_ns\":%llu", (unsigned long long)e->exit_ns,
            (unsigned long long)e->vmm_ns);
        break;
    }
    case RINGBOX_TRACE_FAULT: {
        char what[160];
        struct strbuf w = {.buf = what, .len = sizeof(what)};
        put_fault_what(&w, e->f);
        strbuf_put(&o, ",\"vector\":%llu,\"vector_name\":\"%s\",\"error_code\":%llu,\"cr2\":%llu,\"rip\":%llu",
            (unsigned long long)e->f->vector, ringbox_vector_name((int)e->f->vector),
            (unsigned long long)e->f->error_code, (unsigned long long)e->f->cr2,
            (unsigned long long)e->f->rip);
        strbuf_put(&o, ",\"spurious\":%s,\"disasm\":", e->spurious ? "true" : "false");
        put_json_str(&o, e->disasm ? e->disasm : "");
        strbuf_put(&o, ",\"text\":");
        put_json_str(&o, what);
        if (e->ft) {
            static const char *const level[4] = {"PML4E", "PDPTE", "PDE", "PTE"};
            strbuf_put(&o, ",\"explain\":");
            put_json_str(&o, e->ft->explain);
            strbuf_put(&o, ",\"walk\":[");
            for (int i = 0; i < e->ft->walk.levels && i < 4; i++) {
                uint64_t v = e->ft->walk.entry[i];
#define B(bit) ((v & (bit)) ? "true" : "false")
                strbuf_put(&o, "%s{\"level\":\"%s\",\"entry\":%llu,\"p\":%s,\"rw\":%s,\"us\":%s,\"nx\":%s}",
                    i ? "," : "", level[i], (unsigned long long)v, B(X86_PTE_P), B(X86_PTE_RW), B(X86_PTE_US),
                    B(X86_PTE_NX));
#undef B
            }
            strbuf_put(&o, "]");
        }
        if (e->detail) {
            strbuf_put(&o, ",\"detail\":");
            put_json_str(&o, e->detail);
        }
        strbuf_put(&o, ",\"exit_ns\":%llu,\"vmm_ns\":%llu", (unsigned long long)e->exit_ns,
            (unsigned long long)e->vmm_ns);
        break;
    }
    case RINGBOX_TRACE_REJECTED:
        strbuf_put(&o, ",\"port\":%u,\"rip\":%llu,\"cpl\":%d,\"name\":", e->port, (unsigned long long)e->rip,
            e->cpl);
        put_json_str(&o, e->name);
        strbuf_put(&o, ",\"text\":");
        put_json_str(&o, e->text);
        break;
    case RINGBOX_TRACE_EXIT: {
        char t[300];
        end_text(e->res, t, sizeof(t));
        bool exited = e->res->end == RINGBOX_EXITED;
        strbuf_put(&o, ",\"end\":\"%s\",\"status\":%d,\"signal\":",
            exited ? "exited" : e->res->end == RINGBOX_LIMIT ? "limit" : "killed",
            exited ? e->res->status : 128 + e->res->status);
        if (exited)
            strbuf_put(&o, "null");
        else
            put_json_str(&o, ringbox_signal_name(e->res->status));
        strbuf_put(&o, ",\"core_dumped\":%s,\"text\":", e->res->core_dumped ? "true" : "false");
        put_json_str(&o, t);
        break;
    }
    default:
        strbuf_put(&o, ",\"name\":");
        if (e->name)
            put_json_str(&o, e->name);
        else
            strbuf_put(&o, "null");
        strbuf_put(&o, ",\"text\":");
        put_json_str(&o, e->text);
        break;
    }
    strbuf_put(&o, "}\n");
    return (int)o.n;
}

/* ---- emitting -------------------------------------------------------------- */

static void emit(struct ringbox *rb, struct trace_ev *e)
{
    if (!e->seq)
        e->seq = ++rb->trace.seq;
    if (rb->cfg.trace_fd < 0 || !(rb->cfg.trace.events & e->type))
        return;
    e->t_ns = trace_now_ns() - rb->trace.t0;
    e->exits = rb->res ? rb->res->counters.exits : 0;
    static char line[8192];
    int n = rb->cfg.trace.format == RINGBOX_TRACE_JSON ? trace_render_json(e, line, sizeof(line))
                                                         : trace_render_text(e, line, sizeof(line));
    if (n <= 0)
        return;
    if ((size_t)n >= sizeof(line)) {
        n = sizeof(line) - 1;
        line[n - 1] = '\n'; /* a truncated line still ends one (JSON: only text is cut) */
    }
    /* Best effort: a full or closed trace sink must not disturb the run. */
    ssize_t w = write(rb->cfg.trace_fd, line, (size_t)n);
    (void)w;
}

static void write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void trace_run_begin(struct ringbox *rb)
{
    rb->trace.t0 = trace_now_ns();
    rb->trace.exited = 0;
    rb->trace.summed = rb->cfg.trace.summary;
    if (rb->cfg.trace_fd >= 0 && rb->cfg.trace.events && rb->cfg.trace.format == RINGBOX_TRACE_TEXT) {
        write_all(rb->cfg.trace_fd, trace_legend, sizeof(trace_legend) - 1);
        write_all(rb->cfg.trace_fd, text_header, sizeof(text_header) - 1);
    }
}

void trace_kvm_exit(struct ringbox *rb, uint64_t now)
{
    struct trace_state *t = &rb->trace;
    t->exited = now;
    t->run_ns = now - t->entered;
    t->kvm_ns += t->run_ns;
    t->last_ring3_ns = 0;
    if (!t->timed)
        return;
    /* A new entry stamp means this KVM_RUN went stub -> ring 3 -> stub:
     * the ring-3 stretch is between the two stamps, both taken inside it.
     * An exit straight from ring 3 (a host signal, rejected I/O) leaves
     * the stamps alone: its KVM_RUN counts as crossing, and the stretch
     * that spans it is capped at the KVM_RUN that closes it. */
    uint64_t stamp[3];
    if (mem_read_kernel(&rb->mem, stamp, RB_STUB_DATA_VA, sizeof(stamp)) < 0)
        return;
    uint64_t in = stamp[(RB_STUB_TSC_IN_VA - RB_STUB_DATA_VA) / 8];
    uint64_t out = stamp[(RB_STUB_TSC_OUT_VA - RB_STUB_DATA_VA) / 8];
    if (in == t->tsc_in || in < out)
        return;
    t->tsc_in = in;
    uint64_t ns = (uint64_t)((unsigned __int128)(in - out) * 1000000u / t->tsc_khz);
    t->last_ring3_ns = ns < t->run_ns ? ns : t->run_ns;
    t->ring3_ns += t->last_ring3_ns;
}

void trace_run_end(struct ringbox *rb)
{
    uint64_t now = trace_now_ns();
    if (rb->trace.exited)
        rb->trace.vmm_ns += now - rb->trace.exited;
    rb->trace.t_end = now;
}

void trace_end(struct ringbox *rb)
{
    if (trace_on(rb) && rb->ended && rb->res) {
        struct trace_ev e = {.type = RINGBOX_TRACE_EXIT, .res = rb->res};
        emit(rb, &e);
    }
}

bool trace_wants_nr(const struct ringbox_trace *t, long nr)
{
    if (nr < 0 || nr >= RINGBOX_SYSCALL_SLOTS)
        return t->other;
    return (t->syscalls[nr / 64] >> (nr % 64)) & 1;
}

/* A file syscall the view refused: its own event, naming the path. */
static bool is_denial(long nr, int64_t ret)
{
    if (ret != -EACCES && ret != -EROFS && ret != -EPERM && ret != -EXDEV)
        return false;
    switch (nr) {
    case __NR_open: case __NR_openat: case __NR_openat2: case __NR_creat:
    case __NR_mkdir: case __NR_mkdirat: case __NR_rmdir: case __NR_unlink: case __NR_unlinkat:
    case __NR_rename: case __NR_renameat: case __NR_renameat2: case __NR_link: case __NR_linkat:
    case __NR_symlink: case __NR_symlinkat: case __NR_chmod: case __NR_fchmodat:
    case __NR_chown: case __NR_lchown: case __NR_fchownat: case __NR_truncate:
    case __NR_access: case __NR_faccessat: case __NR_faccessat2: case __NR_utimensat:
    case __NR_chdir: case __NR_execve: case __NR_mknod: case __NR_mknodat:
        return true;
    default:
        return false;
    }
}

/* The guest path a file syscall names: its first string argument. */
static uint64_t path_arg(const struct sys_args *a)
{
    switch (a->nr) {
    case __NR_openat: case __NR_openat2: case __NR_mkdirat: case __NR_unlinkat: case __NR_renameat:
    case __NR_renameat2: case __NR_linkat: case __NR_fchmodat: case __NR_fchownat:
    case __NR_faccessat: case __NR_faccessat2: case __NR_utimensat: case __NR_mknodat:
        return a->a[1];
    case __NR_symlinkat:
        return a->a[2];
    case __NR_symlink:
        return a->a[1];
    default:
        return a->a[0];
    }
}

/* The denial event that follows a refused file syscall, whatever the
 * syscall filter says. */
static void trace_denial(struct ringbox *rb, const struct sys_args *a, int64_t ret)
{
    char path[256] = "?";
    if (mem_strncpy_from_user(&rb->mem, path, path_arg(a), sizeof(path)) < 0)
        snprintf(path, sizeof(path), "?");
    path[sizeof(path) - 1] = 0;
    const char *name = ringbox_syscall_name(a->nr);
    trace_event(rb, RINGBOX_TRACE_DENIED, path, "%s \"%s\": %s (%s): the file view refused it",
                name ? name : "?", path, strerrorname_np((int)-ret), strerrordesc_np((int)-ret));
}

bool trace_shows_syscall(const struct ringbox *rb, long nr)
{
    return rb->cfg.trace_fd >= 0 && (rb->cfg.trace.events & RINGBOX_TRACE_SYSCALL) &&
           trace_wants_nr(&rb->cfg.trace, nr);
}

void trace_syscall(struct ringbox *rb, const struct sys_args *a, struct decoded_call *call, int64_t ret,
                   enum trace_route route, enum trace_back back)
{
    uint64_t seq = ++rb->trace.seq;
    bool denied = back != TRACE_BACK_NONE && is_denial(a->nr, ret);
    if (!trace_wants_nr(&rb->cfg.trace, a->nr)) {
        if (denied && rb->cfg.trace_fd >= 0)
            trace_denial(rb, a, ret);
        return;
    }
    uint64_t vmm_ns = trace_now_ns() - rb->trace.exited;
    uint64_t exits = rb->res->counters.exits;
    if (rb->cfg.trace.summary) {
        struct trace_count *c = &rb->trace.by_nr[a->nr >= 0 && a->nr < RINGBOX_SYSCALL_SLOTS
                                                      ? a->nr
                                                      : RINGBOX_SYSCALL_SLOTS];
        c->calls++;
        c->errors += back != TRACE_BACK_NONE && ret < 0 && ret > -4096;
        c->exits += exits - rb->trace.exits_seen;
        /* A syscall's time is its crossing plus its service; the ring-3
         * work before it is the program's, when the stub measured it. */
        c->ns += vmm_ns + rb->trace.run_ns - rb->trace.last_ring3_ns;
    }
    rb->trace.exits_seen = exits;
    if (rb->cfg.trace_fd < 0)
        return;
    if (rb->cfg.trace.events & RINGBOX_TRACE_SYSCALL) {
        decode_exit(&rb->mem, a, ret, call);
        /* The program ended inside the call (a limit, a kill): like strace,
         * say it never returned rather than show the VMM's internal value. */
        if (back == TRACE_BACK_NONE) {
            snprintf(call->ret, sizeof(call->ret), "?");
            call->errname = call->errdesc = NULL;
        }
        struct trace_ev e = {.type = RINGBOX_TRACE_SYSCALL,
                             .seq = seq,
                             .a = a,
                             .ret = ret,
                             .call = call,
                             .route = route,
                             .back = back,
                             .exit_ns = rb->trace.run_ns,
                             .vmm_ns = vmm_ns};
        emit(rb, &e);
    }
    if (denied)
        trace_denial(rb, a, ret);
}

void trace_fault(struct ringbox *rb, const struct rb_fault_frame *f, bool spurious)
{
    /* The explanation, code and page walk cost Capstone and a walk: only
     * for a fault that is shown. */
    static struct ringbox_fault ft;
    static char detail[4096];
    bool shown = rb->cfg.trace_fd >= 0 && (rb->cfg.trace.events & RINGBOX_TRACE_FAULT) && !spurious;
    if (shown) {
        fault_describe(rb, f, &ft);
        ringbox_format_fault(rb, &ft, detail, sizeof(detail));
    }
    struct trace_ev e = {.type = RINGBOX_TRACE_FAULT,
                         .f = f,
                         .spurious = spurious,
                         .disasm = shown ? ft.disasm : NULL,
                         .ft = shown ? &ft : NULL,
                         .detail = shown ? detail : NULL,
                         .exit_ns = rb->trace.run_ns,
                         .vmm_ns = trace_now_ns() - rb->trace.exited};
    emit(rb, &e);
}

void trace_rejected(struct ringbox *rb, const char *what, unsigned port, uint64_t rip, int cpl)
{
    char text[160];
    if (port)
        snprintf(text, sizeof(text), "%s to port %#x at rip %#llx, CPL %d: not a hypercall, the program gets #GP",
                 what, port, (unsigned long long)rip, cpl);
    else
        snprintf(text, sizeof(text), "%s at rip %#llx, CPL %d: not a hypercall, the program gets #GP", what,
                 (unsigned long long)rip, cpl);
    struct trace_ev e = {.type = RINGBOX_TRACE_REJECTED,
                         .port = port,
                         .rip = rip,
                         .cpl = cpl,
                         .name = what,
                         .text = text,
                         .exit_ns = rb->trace.run_ns,
                         .vmm_ns = trace_now_ns() - rb->trace.exited};
    emit(rb, &e);
}

void trace_event(struct ringbox *rb, unsigned type, const char *name, const char *fmt, ...)
{
    if (!trace_on(rb))
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    struct trace_ev e = {.type = type, .name = name, .text = text};
    emit(rb, &e);
}

/* ---- the filter (ringbox_trace_filter) ------------------------------------- */

static long nr_by_name(const char *name)
{
    for (long nr = 0; nr < RINGBOX_SYSCALL_SLOTS; nr++) {
        const char *n = ringbox_syscall_name(nr);
        if (n && strcmp(n, name) == 0)
            return nr;
    }
    return -1;
}

static const struct {
    const char *name;
    unsigned type;
} event_names[] = {
    {"syscall", RINGBOX_TRACE_SYSCALL}, {"fault", RINGBOX_TRACE_FAULT},
    {"signal", RINGBOX_TRACE_SIGNAL},   {"limit", RINGBOX_TRACE_LIMIT},
    {"denied", RINGBOX_TRACE_DENIED},   {"rejected", RINGBOX_TRACE_REJECTED},
    {"policy", RINGBOX_TRACE_POLICY},   {"exit", RINGBOX_TRACE_EXIT},
    {"all", RINGBOX_TRACE_ALL},         {"none", 0},
};

static int filter_events(struct ringbox_trace *t, char *list, struct ringbox_error *err)
{
    unsigned mask = 0;
    for (char *save, *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
            if (strcmp(w, event_names[i].name) == 0)
                break;
        if (i == sizeof(event_names) / sizeof(event_names[0]))
            return rb_fail(err, RINGBOX_EINVAL, 0, "trace: unknown event '%s'", w);
        mask |= event_names[i].type;
    }
    /* Syscall lines stay as trace= set them: "-e fault" adds to, never
     * removes, the syscall list, as strace's -e signal does. */
    t->events = (t->events & RINGBOX_TRACE_SYSCALL) | mask;
    return 0;
}

static int filter_syscalls(struct ringbox_trace *t, char *set, struct ringbox_error *err)
{
    bool negate = set[0] == '!';
    uint64_t bits[RINGBOX_SYSCALL_SLOTS / 64] = {0};
    bool other = false;
    for (char *save, *w = strtok_r(set + negate, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "all") == 0) {
            memset(bits, 0xff, sizeof(bits));
            other = true;
        } else if (strcmp(w, "none") == 0) {
            continue;
        } else {
            if (w[0] == '%') {
                int cls = decode_class_by_name(w);
                if (cls < 0)
                    return rb_fail(err, RINGBOX_EINVAL, 0, "trace: unknown syscall class '%s'", w);
                for (long nr = 0; nr < RINGBOX_SYSCALL_SLOTS; nr++)
                    if (decode_classes(nr) & (unsigned)cls)
                        bits[nr / 64] |= UINT64_C(1) << (nr % 64);
                continue;
            }
            long nr = nr_by_name(w);
            if (nr < 0)
                return rb_fail(err, RINGBOX_EINVAL, 0, "trace: unknown syscall '%s'", w);
            bits[nr / 64] |= UINT64_C(1) << (nr % 64);
        }
    }
    for (size_t i = 0; i < RINGBOX_SYSCALL_SLOTS / 64; i++)
        t->syscalls[i] = negate ? ~bits[i] : bits[i];
    t->other = negate ? !other : other;
    t->events |= RINGBOX_TRACE_SYSCALL;
    return 0;
}

API int ringbox_trace_filter(struct ringbox_trace *t, const char *expr, struct ringbox_error *err)
{
    if (!t || !expr)
        return rb_fail(err, RINGBOX_EINVAL, 0, "trace: filter needs a config and an expression");
    char *copy = strdup(expr);
    if (!copy)
        return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "trace: filter");
    int rc;
    if (strncmp(copy, "trace=", 6) == 0)
        rc = filter_syscalls(t, copy + 6, err);
    else if (strncmp(copy, "events=", 7) == 0)
        rc = filter_events(t, copy + 7, err);
    else
        rc = filter_events(t, copy, err);
    free(copy);
    return rc;
}

/* ---- the summary (ringbox_trace_summary) ----------------------------------- */

struct row {
    long nr;
    const struct trace_count *c;
};

static int by_time(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->c->ns != y->c->ns)
        return x->c->ns < y->c->ns ? 1 : -1;
    return (x->nr > y->nr) - (x->nr < y->nr);
}

static void part(struct strbuf *o, const char *what, uint64_t ns, uint64_t wall)
{
    strbuf_put(o, "  %-38s %12.6f s  %6.2f%%\n", what, (double)ns / 1e9, wall ? 100.0 * (double)ns / (double)wall : 0);
}

API int ringbox_trace_summary(const ringbox_t *rb, int fd)
{
    if (!rb || !rb->trace.summed)
        return RINGBOX_EINVAL;
    static struct row rows[RINGBOX_SYSCALL_SLOTS + 1];
    size_t n = 0;
    struct trace_count total = {0};
    for (long nr = 0; nr <= RINGBOX_SYSCALL_SLOTS; nr++) {
        const struct trace_count *c = &rb->trace.by_nr[nr];
        if (!c->calls)
            continue;
        rows[n++] = (struct row){nr, c};
        total.calls += c->calls;
        total.errors += c->errors;
        total.exits += c->exits;
        total.ns += c->ns;
    }
    qsort(rows, n, sizeof(rows[0]), by_time);
    char buf[256];
    struct strbuf o;
    const char *dash = "------ ----------- ----------- --------- --------- --------- ----------------\n";
#define FLUSH() (write_all(fd, buf, o.n < sizeof(buf) ? o.n : sizeof(buf) - 1), o.n = 0)
    o = (struct strbuf){.buf = buf, .len = sizeof(buf)};
    strbuf_put(&o, "%% time     seconds  usecs/call     calls    errors     exits syscall\n");
    FLUSH();
    write_all(fd, dash, strlen(dash));
    for (size_t i = 0; i < n; i++) {
        const struct trace_count *c = rows[i].c;
        const char *name = rows[i].nr < RINGBOX_SYSCALL_SLOTS ? ringbox_syscall_name(rows[i].nr) : NULL;
        char other[32];
        if (!name) {
            snprintf(other, sizeof(other), rows[i].nr < RINGBOX_SYSCALL_SLOTS ? "syscall_%ld" : "(others)",
                     rows[i].nr);
            name = other;
        }
        char errors[24] = "";
        if (c->errors)
            snprintf(errors, sizeof(errors), "%" PRIu64, c->errors);
        strbuf_put(&o, "%6.2f %11.6f %11" PRIu64 " %9" PRIu64 " %9s %9" PRIu64 " %s\n",
            total.ns ? 100.0 * (double)c->ns / (double)total.ns : 0.0, (double)c->ns / 1e9,
            c->ns / 1000 / c->calls, c->calls, errors, c->exits, name);
        FLUSH();
    }
    write_all(fd, dash, strlen(dash));
    strbuf_put(&o, "100.00 %11.6f %11" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " total\n",
        (double)total.ns / 1e9, total.calls ? total.ns / 1000 / total.calls : 0, total.calls, total.errors,
        total.exits);
    FLUSH();

    const struct trace_state *t = &rb->trace;
    uint64_t wall = t->t_end - t->t0;
    strbuf_put(&o, "\nWhere the run's %.6f s of wall time went (measured; docs/trace.md):\n", (double)wall / 1e9);
    FLUSH();
    if (t->timed) {
        part(&o, "guest ring 3 (incl. SYSCALL, SYSRET)", t->ring3_ns, wall);
        FLUSH();
        part(&o, "transitions + stub (VM exits)", t->kvm_ns - t->ring3_ns, wall);
        FLUSH();
    } else {
        part(&o, "guest ring 3 + transitions + stub", t->kvm_ns, wall);
        FLUSH();
    }
    part(&o, "VMM service", t->vmm_ns, wall);
    FLUSH();
    uint64_t sum = (t->timed ? t->ring3_ns + (t->kvm_ns - t->ring3_ns) : t->kvm_ns) + t->vmm_ns;
    part(&o, "sum of the parts", sum, wall);
    FLUSH();
#undef FLUSH
    return 0;
}
