/* integ_fault.c - ring 3 is a boundary: privileged instructions, bad accesses and traps end the program with the right signal, vector and report. */
#define _GNU_SOURCE
#include <check.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* Hand-checked encodings (SDM Vol. 3A 7.15 and 4.7). */
enum { DE = 0, BP = 3, UD = 6, GP = 13, PF = 14 };
enum { PF_P = 1, PF_W = 2, PF_U = 4, PF_I = 16 };
/* Hand-checked PTE bits (SDM Vol. 3A 4.5, table 4-19). */
enum { PTE_P = 1, PTE_US = 4 };
#define NO_RIP (-2)

struct expect {
    const char *mode;
    int sig, vector;
    int64_t error;    /* -1: not checked */
    int rip_delta;    /* reported RIP = printed rip + this (1 for the int3 trap); NO_RIP: unknown */
    int cr2_is_addr;  /* #PF: CR2 equals the printed addr */
    const char *disasm;   /* prefix of Capstone's rendering */
    const char *errbits;  /* the decoded #PF error code in the report */
    const char *why;      /* the start of the plain explanation */
};

static const struct expect cases[] = {
    {"hlt", SIGSEGV, GP, 0, 0, 0, "hlt", NULL, "HLT is privileged: only ring 0 may execute it"},
    {"cli", SIGSEGV, GP, 0, 0, 0, "cli", NULL, "CLI is privileged: only ring 0 may execute it"},
    {"sti", SIGSEGV, GP, 0, 0, 0, "sti", NULL, "STI is privileged: only ring 0 may execute it"},
    {"cr3", SIGSEGV, GP, 0, 0, 0, "mov cr3", NULL,
     "MOV to or from a control register is privileged: only ring 0 may execute it"},
    {"rdmsr", SIGSEGV, GP, 0, 0, 0, "rdmsr", NULL, "RDMSR is privileged: only ring 0 may execute it"},
    {"wrmsr", SIGSEGV, GP, 0, 0, 0, "wrmsr", NULL, "WRMSR is privileged: only ring 0 may execute it"},
    {"lgdt", SIGSEGV, GP, 0, 0, 0, "lgdt", NULL, "LGDT is privileged: only ring 0 may execute it"},
    {"lidt", SIGSEGV, GP, 0, 0, 0, "lidt", NULL, "LIDT is privileged: only ring 0 may execute it"},
    {"invlpg", SIGSEGV, GP, 0, 0, 0, "invlpg", NULL, "INVLPG is privileged: only ring 0 may execute it"},
    {"swapgs", SIGSEGV, GP, 0, 0, 0, "swapgs", NULL, "SWAPGS is privileged: only ring 0 may execute it"},
    {"sysret", SIGSEGV, GP, 0, 0, 0, "sysret", NULL, "SYSRET is privileged: only ring 0 may execute it"},
    {"in", SIGSEGV, GP, 0, 0, 0, "in al", NULL, "IN is privileged: only ring 0 may execute it"},
    {"out", SIGSEGV, GP, 0, 0, 0, "out 0xb0", NULL, "OUT is privileged: only ring 0 may execute it"},
    {"div0", SIGFPE, DE, 0, 0, 0, "div ecx", NULL, "integer division by zero"},
    {"ud2", SIGILL, UD, 0, 0, 0, "ud2", NULL, "invalid opcode: UD2"},
    {"int3", SIGTRAP, BP, 0, 1, 0, "int3", NULL, "breakpoint (INT3)"},
    {"rowrite", SIGSEGV, PF, PF_P | PF_W | PF_U, 0, 1, "mov byte ptr [rdi], 1", "(P W U)",
     "ring-3 code tried to write a read-only page (rodata "},
    {"nx", SIGSEGV, PF, PF_P | PF_U | PF_I, 0, 1, "ret", "(P U I)",
     "ring-3 code tried to execute a no-execute (NX) page (data "},
    {"nxstack", SIGSEGV, PF, PF_P | PF_U | PF_I, 0, 1, "ret", "(P U I)",
     "ring-3 code tried to execute a no-execute (NX) page (stack)"},
    {"kread", SIGSEGV, PF, PF_P | PF_U, 0, 1, "mov al, byte ptr [rdi]", "(P U)",
     "ring-3 code tried to read a supervisor-only page (stub text)"},
    {"null", SIGSEGV, PF, PF_U, 0, 1, "mov al, byte ptr [rdi]", "(U)",
     "NULL pointer dereference: ring-3 code tried to read address 0x0"},
    {"guard", SIGSEGV, PF, -1, NO_RIP, 0, NULL, NULL,
     "ring-3 code touched the stack guard page (stack overflow?)"},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static void printed(const char *out, uint64_t *rip, uint64_t *addr)
{
    const char *line = strstr(out, "rip=");
    ck_assert_msg(line != NULL, "the program printed no rip= line: '%s'", out);
    ck_assert_int_eq(sscanf(line, "rip=%" SCNx64 " addr=%" SCNx64, rip, addr), 2);
}

/* Loop index: case * 2 + libc. */
START_TEST(fault_result)
{
    const struct expect *e = &cases[_i / INTEG_NLIBC];
    const char *prog = integ_prog("fault", integ_libc[_i % INTEG_NLIBC], 0);
    struct lib_run r;
    integ_lib_run(prog, ARGS("fault", (char *)e->mode), NULL, 0, &r);
    ck_assert_msg(r.rc == 0, "%s: ringbox: %s", e->mode, r.err.message);
    ck_assert_msg(strstr(r.out, "survived") == NULL, "%s: the program went on: %s", e->mode, r.out);
    uint64_t rip, addr;
    printed(r.out, &rip, &addr);

    const struct ringbox_result *res = &r.res;
    ck_assert_msg(res->end == RINGBOX_SIGNALED, "%s: exited with %d", e->mode, res->status);
    ck_assert_msg(res->status == e->sig, "%s: killed by %s, want %s", e->mode,
                  ringbox_signal_name(res->status), ringbox_signal_name(e->sig));
    ck_assert(res->faulted);
    ck_assert_msg(res->fault.vector == e->vector, "%s: vector %s, want %s", e->mode,
                  ringbox_vector_name(res->fault.vector), ringbox_vector_name(e->vector));
    if (e->error >= 0)
        ck_assert_msg(res->fault.error_code == (uint64_t)e->error, "%s: error code %#" PRIx64 ", want %#" PRIx64,
                      e->mode, res->fault.error_code, (uint64_t)e->error);
    if (e->rip_delta != NO_RIP) {
        ck_assert_msg(res->fault.rip == rip + (uint64_t)e->rip_delta, "%s: rip %#" PRIx64 ", want %#" PRIx64,
                      e->mode, res->fault.rip, rip + (uint64_t)e->rip_delta);
        /* The disassembled instruction is the one that faulted or trapped. */
        ck_assert_msg(res->fault.insn_addr == rip, "%s: insn_addr %#" PRIx64 ", want %#" PRIx64, e->mode,
                      res->fault.insn_addr, rip);
    }
    ck_assert_msg(strncmp(res->fault.explain, e->why, strlen(e->why)) == 0, "%s: explanation '%s', want '%s...'",
                  e->mode, res->fault.explain, e->why);
    /* The walk is of CR2 for #PF, of the instruction otherwise: a code
     * page is present and user at every level; a supervisor page has US
     * clear somewhere; an unmapped address stops at a not-present entry. */
    const struct ringbox_walk *w = &res->fault.walk;
    ck_assert_uint_eq(w->va, e->vector == PF ? res->fault.cr2 : res->fault.insn_addr);
    ck_assert_int_gt(w->levels, 0);
    uint64_t all = PTE_P | PTE_US;
    for (int l = 0; l < w->levels; l++)
        all &= w->entry[l];
    if (e->vector != PF || (e->error >= 0 && (e->error & PF_P) && strcmp(e->mode, "kread") != 0))
        ck_assert_msg(w->levels == 4 && all == (PTE_P | PTE_US), "%s: walk of %#" PRIx64 " has %d levels, bits %#" PRIx64,
                      e->mode, w->va, w->levels, all);
    else if (!strcmp(e->mode, "kread"))
        ck_assert_msg(w->levels == 4 && all == PTE_P, "kread: walk has %d levels, bits %#" PRIx64, w->levels, all);
    else
        ck_assert_msg(!(w->entry[w->levels - 1] & PTE_P), "%s: the walk ends at a present entry", e->mode);
    if (e->cr2_is_addr)
        ck_assert_msg(res->fault.cr2 == addr, "%s: cr2 %#" PRIx64 ", want %#" PRIx64, e->mode,
                      res->fault.cr2, addr);
    if (e->disasm) {
        ck_assert_uint_gt(res->fault.insn_len, 0);
        ck_assert_msg(strncmp(res->fault.disasm, e->disasm, strlen(e->disasm)) == 0,
                      "%s: disassembly '%s', want '%s...'", e->mode, res->fault.disasm, e->disasm);
    }
    ck_assert_uint_eq(res->counters.faults, 1);
    /* IN/OUT from ring 3: hardware raises #GP itself; kvm_pvm may instead
     * exit to the VMM, which refuses the access (counted) and injects the
     * same #GP.  Nothing else is port I/O. */
    if (integ_is_kvm_pvm() && (!strcmp(e->mode, "in") || !strcmp(e->mode, "out")))
        ck_assert_uint_le(res->counters.rejected_io, 1);
    else
        ck_assert_uint_eq(res->counters.rejected_io, 0);
    integ_lib_free(&r);
}
END_TEST

/* The same programs through the command: 128+signal and one report line
 * naming the signal, the vector, the decoded error, CR2, RIP and the
 * instruction. */
START_TEST(fault_report)
{
    const struct expect *e = &cases[_i / INTEG_NLIBC];
    const char *prog = integ_prog("fault", integ_libc[_i % INTEG_NLIBC], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)prog, (char *)e->mode), NULL, &r);
    ck_assert_msg(r.status == 128 + e->sig, "%s: status %d, want %d; stderr '%s'", e->mode, r.status,
                  128 + e->sig, r.err);
    uint64_t rip, addr;
    printed(r.out, &rip, &addr);
    ck_assert_msg(!strncmp(r.err, "ringbox: killed by ", 19), "%s: stderr '%s'", e->mode, r.err);
    /* The summary line, then the explanation, the code with the faulting
     * line marked, the walk and the address space. */
    const char *nl = strchr(r.err, '\n');
    ck_assert_ptr_nonnull(nl);
    char why[256];
    snprintf(why, sizeof why, "\n  why:  %s", e->why);
    ck_assert_msg(strstr(r.err, why), "%s: report '%s' lacks '%s'", e->mode, r.err, why + 1);
    ck_assert_msg(strstr(r.err, "page walk of 0x") && strstr(r.err, "PML4E["), "%s: no walk in '%s'", e->mode, r.err);
    if (e->disasm) {
        char mark[64];
        snprintf(mark, sizeof mark, "=> 0x%016" PRIx64, rip);
        ck_assert_msg(strstr(r.err, mark), "%s: report '%s' lacks '%s'", e->mode, r.err, mark);
    }
    const char *line;
    ck_assert_msg((line = integ_line_with(r.err, "  stub text\n")) && strstr(line, " supervisor  ro  x "),
                  "%s: no supervisor-only stub text in '%s'", e->mode, r.err);
    ck_assert_msg((line = integ_line_with(r.err, "  stack guard page\n")) && strstr(line, " not present "),
                  "%s: no absent stack guard in '%s'", e->mode, r.err);

    char want[128];
    snprintf(want, sizeof want, "killed by %s: %s ", ringbox_signal_name(e->sig), ringbox_vector_name(e->vector));
    ck_assert_msg(strstr(r.err, want), "%s: report '%s' lacks '%s'", e->mode, r.err, want);
    snprintf(want, sizeof want, "rip 0x%" PRIx64, rip + (uint64_t)e->rip_delta);
    ck_assert_msg(e->rip_delta == NO_RIP || strstr(r.err, want), "%s: report '%s' lacks '%s'", e->mode, r.err, want);
    if (e->rip_delta > 0) { /* a trap names the instruction before RIP too */
        snprintf(want, sizeof want, "after 0x%" PRIx64, rip);
        ck_assert_msg(strstr(r.err, want), "%s: report '%s' lacks '%s'", e->mode, r.err, want);
    }
    if (e->cr2_is_addr) {
        snprintf(want, sizeof want, "cr2 0x%" PRIx64, addr);
        ck_assert_msg(strstr(r.err, want), "%s: report '%s' lacks '%s'", e->mode, r.err, want);
    }
    if (e->errbits)
        ck_assert_msg(strstr(r.err, e->errbits), "%s: report '%s' lacks '%s'", e->mode, r.err, e->errbits);
    if (e->disasm)
        ck_assert_msg(strstr(r.err, e->disasm), "%s: report '%s' lacks '%s'", e->mode, r.err, e->disasm);
    integ_proc_free(&r);
}
END_TEST

/* munmap'd and mprotect'ed pages fault at the right address. */
START_TEST(unmapped_and_readonly)
{
    static const struct {
        const char *mode;
        uint64_t error;
        const char *bits;
    } mm[] = {{"munmap", PF_W | PF_U, "(W U)"}, {"mprotect", PF_P | PF_W | PF_U, "(P W U)"}};
    const char *prog = integ_prog("mem", integ_libc[_i], 0);
    for (int i = 0; i < 2; i++) {
        struct lib_run r;
        integ_lib_run(prog, ARGS("mem", (char *)mm[i].mode), NULL, 0, &r);
        ck_assert_msg(r.rc == 0, "ringbox: %s", r.err.message);
        const char *a = integ_field(r.out, "addr", 0);
        ck_assert_msg(a != NULL, "%s: no addr in '%s'", mm[i].mode, r.out);
        uint64_t addr = strtoull(a, NULL, 16);
        ck_assert_msg(r.res.end == RINGBOX_SIGNALED && r.res.status == SIGSEGV, "%s: end %d status %d; out '%s'",
                      mm[i].mode, r.res.end, r.res.status, r.out);
        ck_assert(r.res.faulted);
        ck_assert_int_eq(r.res.fault.vector, PF);
        ck_assert_uint_eq(r.res.fault.cr2, addr);
        ck_assert_msg(r.res.fault.error_code == mm[i].error, "%s: error %#" PRIx64 ", want %#" PRIx64,
                      mm[i].mode, r.res.fault.error_code, mm[i].error);
        if (i == 1)
            ck_assert_ptr_nonnull(strstr(r.out, "contents kept"));

        char line[512];
        ringbox_format_end(&r.res, line, sizeof line);
        ck_assert_msg(strstr(line, mm[i].bits), "%s: report '%s' lacks %s", mm[i].mode, line, mm[i].bits);
        integ_lib_free(&r);
    }
}
END_TEST

START_TEST(boundary_example)
{
    const char *prog = integ_prog("boundary", integ_libc[_i], 0);
    struct proc_run r;
    integ_cli_run(ARGS("run", (char *)prog), NULL, &r);
    ck_assert_msg(r.status == 139, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "#GP"));
    ck_assert_ptr_nonnull(strstr(r.err, "hlt"));
    ck_assert_ptr_null(strstr(r.out, "still running"));
    integ_proc_free(&r);
}
END_TEST

/* `ringbox maps` shows the address space from the page tables before the
 * program runs: its text user and executable, the stub supervisor-only,
 * the guard pages not present; a dynamic program's ld.so too. */
START_TEST(maps_command)
{
    static const char *const progs[][2] = {{"hello", "glibc"}, {"hello", "musl"}, {"hello.dyn", NULL}};
    const char *prog = integ_prog(progs[_i][0], progs[_i][1], 0);
    struct proc_run r;
    integ_cli_run(ARGS("maps", (char *)prog), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    ck_assert_msg(strstr(r.out, "hello from") == NULL, "the program ran: '%s'", r.out);
    const char *line;
    char *real = realpath(prog, NULL), want[PATH_MAX + 16];
    ck_assert_ptr_nonnull(real);
    snprintf(want, sizeof want, "  text %s\n", real);
    ck_assert_msg((line = integ_line_with(r.out, want)) && strstr(line, " user        ro  x "),
                  "no user text line for %s in '%s'", real, r.out);
    free(real);
    ck_assert_msg((line = integ_line_with(r.out, "  stub text\n")) && strstr(line, " supervisor  ro  x "),
                  "maps '%s'", r.out);
    ck_assert_msg((line = integ_line_with(r.out, "  GDT\n")) && strstr(line, " supervisor  ro  nx "),
                  "maps '%s'", r.out);
    ck_assert_msg((line = integ_line_with(r.out, "  stack guard page\n")) && strstr(line, " not present "),
                  "maps '%s'", r.out);
    ck_assert_msg((line = integ_line_with(r.out, "  stack\n")) && strstr(line, " user        rw  nx "),
                  "maps '%s'", r.out);
    ck_assert_msg((line = integ_line_with(r.out, "  kernel stack guard page\n")) && strstr(line, " not present "),
                  "maps '%s'", r.out);
    if (!progs[_i][1])
        ck_assert_msg((line = integ_line_with(r.out, "ld-linux")) && strstr(line, " user "), "maps '%s'", r.out);
    integ_proc_free(&r);
}
END_TEST

Suite *fault_suite(void)
{
    Suite *s = suite_create("fault");
    TCase *tc = tcase_create("fault");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, fault_result, 0, NCASES * INTEG_NLIBC);
    tcase_add_loop_test(tc, fault_report, 0, NCASES * INTEG_NLIBC);
    tcase_add_loop_test(tc, unmapped_and_readonly, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, boundary_example, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, maps_command, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
