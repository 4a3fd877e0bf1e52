/* fault.c - exceptions from ring 3: signals, names, disassembly, the report line. */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"
#include "fault.h"
#include "limit.h"
#include "sig.h"
#include "step.h"
#include "x86.h"

#define API __attribute__((visibility("default")))

static const char *const vec_mnemonic[RB_NUM_VECTORS] = {
    [X86_VEC_DE] = "#DE", [X86_VEC_DB] = "#DB", [X86_VEC_NMI] = "NMI", [X86_VEC_BP] = "#BP",
    [X86_VEC_OF] = "#OF", [X86_VEC_BR] = "#BR", [X86_VEC_UD] = "#UD", [X86_VEC_NM] = "#NM",
    [X86_VEC_DF] = "#DF", [X86_VEC_TS] = "#TS", [X86_VEC_NP] = "#NP", [X86_VEC_SS] = "#SS",
    [X86_VEC_GP] = "#GP", [X86_VEC_PF] = "#PF", [X86_VEC_MF] = "#MF", [X86_VEC_AC] = "#AC",
    [X86_VEC_MC] = "#MC", [X86_VEC_XM] = "#XM", [X86_VEC_VE] = "#VE", [X86_VEC_CP] = "#CP",
};

static const char *const vec_description[RB_NUM_VECTORS] = {
    [X86_VEC_DE] = "divide error", [X86_VEC_DB] = "debug", [X86_VEC_NMI] = "non-maskable interrupt",
    [X86_VEC_BP] = "breakpoint", [X86_VEC_OF] = "overflow", [X86_VEC_BR] = "bound range exceeded",
    [X86_VEC_UD] = "invalid opcode", [X86_VEC_NM] = "device not available",
    [X86_VEC_DF] = "double fault", [X86_VEC_TS] = "invalid TSS", [X86_VEC_NP] = "segment not present",
    [X86_VEC_SS] = "stack-segment fault", [X86_VEC_GP] = "general protection",
    [X86_VEC_PF] = "page fault", [X86_VEC_MF] = "x87 floating-point error",
    [X86_VEC_AC] = "alignment check", [X86_VEC_MC] = "machine check",
    [X86_VEC_XM] = "SIMD floating-point exception", [X86_VEC_VE] = "virtualization exception",
    [X86_VEC_CP] = "control protection",
};

API const char *ringbox_vector_name(int v)
{
    if (v < 0 || v >= RB_NUM_VECTORS || !vec_mnemonic[v])
        return "#??";
    return vec_mnemonic[v];
}

API const char *ringbox_signal_name(int sig)
{
    static const char *const names[] = {
        [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",     [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
        [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",     [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
        [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
        [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
        [SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",       [SIGSYS] = "SIGSYS",
    };
    if (sig <= 0 || (size_t)sig >= sizeof(names) / sizeof(names[0]) || !names[sig])
        return "SIG??";
    return names[sig];
}

/* As Linux's do_trap/exc_* handlers raise them (arch/x86/kernel/traps.c). */
int fault_signal(int vector)
{
    switch (vector) {
    case X86_VEC_DE:
    case X86_VEC_MF:
    case X86_VEC_XM:
    case X86_VEC_NM:
        return SIGFPE;
    case X86_VEC_DB:
    case X86_VEC_BP:
        return SIGTRAP;
    case X86_VEC_UD:
        return SIGILL;
    case X86_VEC_NP:
    case X86_VEC_SS:
    case X86_VEC_AC:
    case X86_VEC_MC:
        return SIGBUS;
    default:
        return SIGSEGV;
    }
}

static void disassemble(struct ringbox_fault *ft)
{
    csh cs;
    cs_insn *insn;
    ft->disasm[0] = 0;
    if (ft->insn_len == 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
        return;
    if (cs_disasm(cs, ft->insn, ft->insn_len, ft->insn_addr, 1, &insn) == 1) {
        snprintf(ft->disasm, sizeof(ft->disasm), "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "",
                 insn->op_str);
        cs_free(insn, 1);
    }
    cs_close(&cs);
}

/* Only what the program itself could read: the bytes stop at the first
 * page it cannot access. */
static size_t read_insn(const struct guest_mem *m, uint64_t rip, uint8_t *buf, size_t max)
{
    size_t n = 0;
    while (n < max && mem_copy_from_user(m, buf + n, rip + n, 1) == 0)
        n++;
    return n;
}

void fault_describe(const struct ringbox *rb, const struct rb_fault_frame *f, struct ringbox_fault *ft)
{
    memset(ft, 0, sizeof(*ft));
    ft->vector = (int)f->vector;
    ft->error_code = f->error_code;
    ft->cr2 = f->cr2;
    ft->rip = f->rip;
    ft->rsp = f->rsp;
    ft->rflags = f->rflags;
    /* #BP is a trap: the saved RIP follows the INT3 (SDM Vol. 3A 6.5). */
    uint8_t prev;
    ft->insn_addr = f->rip;
    if (f->vector == X86_VEC_BP && mem_copy_from_user(&rb->mem, &prev, f->rip - 1, 1) == 0 && prev == 0xcc)
        ft->insn_addr = f->rip - 1;
    ft->insn_len = read_insn(&rb->mem, ft->insn_addr, ft->insn, sizeof(ft->insn));
    disassemble(ft);
    explain_walk(&rb->mem, ft->vector == X86_VEC_PF ? ft->cr2 : ft->insn_addr, &ft->walk);
    explain_fault(ft, &rb->mm, ft->explain, sizeof(ft->explain));
}

static void deliver(struct ringbox *rb, const struct rb_fault_frame *f)
{
    if (sig_fault(rb, f, fault_signal((int)f->vector))) {
        rb->res->counters.faults++;
        return;
    }
    fault_describe(rb, f, &rb->res->fault);
    rb->res->faulted = true;
    rb->res->counters.faults++;
    vm_kill(rb, fault_signal(rb->res->fault.vector));
}

void fault_user(struct ringbox *rb, const struct rb_fault_frame *f)
{
    if (!step_on(rb)) {
        deliver(rb, f);
        return;
    }
    struct ringbox_transition t = {.kind = RINGBOX_CROSS_FAULT, .vector = (int)f->vector};
    struct ringbox_fault ft;
    fault_describe(rb, f, &ft);
    t.insn_addr = ft.insn_addr;
    memcpy(t.explain, ft.explain, sizeof(t.explain));
    step_fault_regs(rb, f, &t.before);
    deliver(rb, f);
    step_report(rb, &t);
}

static int pf_bits(char *buf, size_t len, uint64_t err)
{
    static const struct {
        uint64_t bit;
        const char *name;
    } bits[] = {{X86_PF_P, "P"}, {X86_PF_W, "W"}, {X86_PF_U, "U"},
                {X86_PF_RSVD, "R"}, {X86_PF_I, "I"}, {X86_PF_PK, "PK"}};
    int n = 0;
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        if (err & bits[i].bit)
            n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0, "%s%s", n ? " " : "",
                          bits[i].name);
    if (n == 0)
        n = snprintf(buf, len, "not present, read, supervisor");
    return n;
}

API int ringbox_format_end(const struct ringbox_result *res, char *buf, size_t len)
{
    if (res->end == RINGBOX_EXITED)
        return snprintf(buf, len, "exited with status %d", res->status);
    if (res->end == RINGBOX_LIMIT)
        return limit_format(res, buf, len);
    const char *core = res->core_dumped ? " (core dumped)" : "";
    if (!res->faulted)
        return snprintf(buf, len, "killed by %s%s", ringbox_signal_name(res->status), core);
    const struct ringbox_fault *ft = &res->fault;
    char errbits[64] = "";
    if (ft->vector == X86_VEC_PF)
        pf_bits(errbits, sizeof(errbits), ft->error_code);
    const char *desc = ft->vector >= 0 && ft->vector < RB_NUM_VECTORS && vec_description[ft->vector]
                           ? vec_description[ft->vector]
                           : "exception";
    char cr2[32] = "", after[40] = "";
    if (ft->vector == X86_VEC_PF)
        snprintf(cr2, sizeof(cr2), ", cr2 0x%" PRIx64, ft->cr2);
    if (ft->insn_addr != ft->rip)
        snprintf(after, sizeof(after), ", after 0x%" PRIx64, ft->insn_addr);
    return snprintf(buf, len, "killed by %s: %s %s, error 0x%" PRIx64 "%s%s%s%s, rip 0x%" PRIx64 "%s: %s%s",
                    ringbox_signal_name(res->status), ringbox_vector_name(ft->vector), desc,
                    ft->error_code, errbits[0] ? " (" : "", errbits, errbits[0] ? ")" : "", cr2, ft->rip, after,
                    ft->disasm[0] ? ft->disasm : "(instruction unreadable)", core);
}

/* Instructions shown around the faulting one. */
#define CONTEXT_BEFORE 4
#define CONTEXT_AFTER 2

API int ringbox_format_fault(const ringbox_t *rb, const struct ringbox_fault *ft, char *buf, size_t len)
{
    char where[160], code[2048], walk[1024];
    uint64_t va = ft->walk.va;
    explain_region(&rb->mm, va, where, sizeof where);
    /* A fetch that faulted (#PF with I/D set, SDM Vol. 3A 4.7) means RIP
     * jumped somewhere that is not code the CPU ran: what lies before it
     * is data, and decoding backwards through it shows only noise. */
    bool fetch = ft->vector == X86_VEC_PF && (ft->error_code & X86_PF_I);
    explain_code(&rb->mem, ft->insn_addr, fetch ? 0 : CONTEXT_BEFORE, CONTEXT_AFTER, "    ", code, sizeof code);
    explain_format_walk(&ft->walk, "    ", walk, sizeof walk);
    return snprintf(buf, len,
                    "  why:  %s\n"
                    "  %s 0x%" PRIx64 ": %s\n"
                    "  code:\n%s"
                    "  page walk of 0x%" PRIx64 " (SDM Vol. 3A 4.5):\n%s",
                    ft->explain, ft->vector == X86_VEC_PF ? "cr2: " : "rip: ", va, where,
                    code[0] ? code : "    (the program cannot read the instruction)\n", va, walk);
}

struct buf_sink {
    char *buf;
    size_t len;
    int n;
};

static void append_line(void *ctx, const char *text)
{
    struct buf_sink *s = ctx;
    size_t at = (size_t)s->n < s->len ? (size_t)s->n : s->len;
    int k = snprintf(s->buf ? s->buf + at : NULL, s->len - at, "%s\n", text);
    if (k > 0)
        s->n += k;
}

API int ringbox_format_maps(const ringbox_t *rb, char *buf, size_t len)
{
    struct buf_sink s = {.buf = buf, .len = len};
    if (len)
        buf[0] = 0;
    explain_maps(&rb->mem, &rb->mm, append_line, &s);
    return s.n;
}
