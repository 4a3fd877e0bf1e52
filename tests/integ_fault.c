/* integ_fault.c - ring 3 is a boundary: privileged instructions, bad accesses and traps end the program with the right signal, vector and report. */
#define _GNU_SOURCE
#include <check.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* Hand-checked encodings (SDM Vol. 3A 7.15 and 4.7). */
enum { DE = 0, BP = 3, UD = 6, GP = 13, PF = 14 };
enum { PF_P = 1, PF_W = 2, PF_U = 4, PF_I = 16 };

struct expect {
    const char *mode;
    int sig, vector;
    int64_t error;    /* -1: not checked */
    int rip_delta;    /* reported RIP = printed rip + this (1 for the int3 trap) */
    int cr2_is_addr;  /* #PF: CR2 equals the printed addr */
    const char *disasm;   /* prefix of Capstone's rendering */
    const char *errbits;  /* the decoded #PF error code in the report */
};

static const struct expect cases[] = {
    {"hlt", SIGSEGV, GP, 0, 0, 0, "hlt", NULL},
    {"cli", SIGSEGV, GP, 0, 0, 0, "cli", NULL},
    {"cr3", SIGSEGV, GP, 0, 0, 0, "mov cr3", NULL},
    {"rdmsr", SIGSEGV, GP, 0, 0, 0, "rdmsr", NULL},
    {"wrmsr", SIGSEGV, GP, 0, 0, 0, "wrmsr", NULL},
    {"lgdt", SIGSEGV, GP, 0, 0, 0, "lgdt", NULL},
    {"invlpg", SIGSEGV, GP, 0, 0, 0, "invlpg", NULL},
    {"in", SIGSEGV, GP, 0, 0, 0, "in al", NULL},
    {"out", SIGSEGV, GP, 0, 0, 0, "out 0xb0", NULL},
    {"div0", SIGFPE, DE, 0, 0, 0, "div ecx", NULL},
    {"ud2", SIGILL, UD, 0, 0, 0, "ud2", NULL},
    {"int3", SIGTRAP, BP, 0, 1, 0, "int3", NULL},
    {"rowrite", SIGSEGV, PF, PF_P | PF_W | PF_U, 0, 1, "mov byte ptr [rdi], 1", "(P W U)"},
    {"nx", SIGSEGV, PF, PF_P | PF_U | PF_I, 0, 1, "ret", "(P U I)"},
    {"kread", SIGSEGV, PF, PF_P | PF_U, 0, 1, "mov al, byte ptr [rdi]", "(P U)"},
    {"null", SIGSEGV, PF, PF_U, 0, 1, "mov al, byte ptr [rdi]", "(U)"},
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
    ck_assert_msg(res->fault.rip == rip + (uint64_t)e->rip_delta, "%s: rip %#" PRIx64 ", want %#" PRIx64,
                  e->mode, res->fault.rip, rip + (uint64_t)e->rip_delta);
    /* The disassembled instruction is the one that faulted or trapped. */
    ck_assert_msg(res->fault.insn_addr == rip, "%s: insn_addr %#" PRIx64 ", want %#" PRIx64, e->mode,
                  res->fault.insn_addr, rip);
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
    ck_assert_msg(integ_lines(r.err) == 1 && !strncmp(r.err, "ringbox: killed by ", 19),
                  "%s: stderr '%s'", e->mode, r.err);

    char want[128];
    snprintf(want, sizeof want, "killed by %s: %s ", ringbox_signal_name(e->sig), ringbox_vector_name(e->vector));
    ck_assert_msg(strstr(r.err, want), "%s: report '%s' lacks '%s'", e->mode, r.err, want);
    snprintf(want, sizeof want, "rip 0x%" PRIx64, rip + (uint64_t)e->rip_delta);
    ck_assert_msg(strstr(r.err, want), "%s: report '%s' lacks '%s'", e->mode, r.err, want);
    if (e->rip_delta) { /* a trap names the instruction before RIP too */
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

Suite *fault_suite(void)
{
    Suite *s = suite_create("fault");
    TCase *tc = tcase_create("fault");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, fault_result, 0, NCASES * INTEG_NLIBC);
    tcase_add_loop_test(tc, fault_report, 0, NCASES * INTEG_NLIBC);
    tcase_add_loop_test(tc, unmapped_and_readonly, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, boundary_example, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
