/* integ_examples.c - each program in examples/ run under the trace, with the lines a reader is told to look for checked. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integ_util.h"

/* The command line: "trace OPTS... PROG ARGS...". */
static void traced(const char *name, int libc, char *const opts[], char *const args[], struct proc_run *r)
{
    char *argv[32];
    int n = 0;
    argv[n++] = "trace";
    for (; opts && *opts; opts++)
        argv[n++] = *opts;
    argv[n++] = (char *)integ_prog(name, integ_libc[libc], 0);
    for (; args && *args; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    ck_assert_int_lt(n, 32);
    integ_cli_run(argv, NULL, r);
}
#define LIST(...) ((char *const[]){__VA_ARGS__, NULL})

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* From `ringbox trace -c`'s table, the row of syscall `name`: its calls
 * and exits columns (the errors column between them is blank when 0).
 * Returns whether the row is there. */
static int summary_row(const char *s, const char *name, long *calls, long *exits)
{
    char end[48];
    snprintf(end, sizeof end, " %s\n", name);
    for (const char *p = strstr(s, end); p; p = strstr(p + 1, end)) {
        const char *line = p;
        while (line > s && line[-1] != '\n')
            line--;
        long col[8];
        int n = 0;
        char *q = (char *)line;
        while (n < 8 && q < p) {
            char *next;
            double v = strtod(q, &next);
            if (next == q)
                break;
            col[n++] = (long)v;
            q = next;
        }
        if (q != p || (n != 5 && n != 6))
            continue;
        *calls = col[3];
        *exits = col[n - 1];
        return 1;
    }
    return 0;
}

/* ---- batch_io ---------------------------------------------------------------- */

/* A host directory shown as the guest's /tmp, so the test reads the files
 * the program wrote. */
static void host_tmp(char *dir, size_t len, char *opt, size_t optlen)
{
    snprintf(dir, len, "/tmp/ringbox-examples-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(opt, optlen, "%s:/tmp", dir);
}

/* Byte i of both files is 'a' + i % 26, 1,024,000 bytes in all. */
static void check_file(const char *dir, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s was not written", path);
    /* Compare first, assert once: in Check's fork mode every assertion is
     * a message down a pipe, a million of them under strace -ff. */
    long i = 0, bad = -1;
    int c, bad_c = 0;
    while ((c = getc(f)) != EOF) {
        if (bad < 0 && c != 'a' + i % 26) {
            bad = i;
            bad_c = c;
        }
        i++;
    }
    fclose(f);
    ck_assert_msg(bad < 0, "%s: byte %ld is %#x", path, bad, bad_c);
    ck_assert_int_eq(i, 1024000);
    unlink(path);
}


static off_t file_size(const char *dir, const char *name)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_msg(stat(path, &st) == 0, "%s was not created", path);
    return st.st_size;
}

/* Loop index: phase * 2 + libc.  The chunked phase writes fd 3 a thousand
 * times, the whole phase fd 4 once; the files hold the same bytes.  The -c
 * summary counts each write as a call and an exit; glibc's printf adds
 * one write for the program's line, musl's is a writev. */
START_TEST(batch_io_crossings)
{
    static const struct {
        const char *mode, *said, *file, *other;
        int fd3, fd4;
    } ph[] = {
        {"chunked", "chunked: 1000 write() of    1024 bytes to fd 3", "chunked.out", "whole.out", 1000, 0},
        {"whole", "whole:      1 write() of 1024000 bytes to fd 4", "whole.out", "chunked.out", 0, 1},
    };
    int p = _i / INTEG_NLIBC, libc = _i % INTEG_NLIBC;
    char dir[64], opt[96];
    host_tmp(dir, sizeof dir, opt, sizeof opt);
    struct proc_run r;
    traced("batch_io", libc, LIST("--rw", opt, "-c"), LIST((char *)ph[p].mode), &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%.2000s'", r.status, r.err);
    ck_assert_msg(strstr(r.out, ph[p].said), "stdout '%s' lacks '%s'", r.out, ph[p].said);
    char want[64];
    snprintf(want, sizeof want, "/tmp/%s verified", ph[p].file);
    ck_assert_msg(strstr(r.out, want), "stdout '%s' lacks '%s'", r.out, want);
    long calls, exits;
    ck_assert_msg(summary_row(r.err, "write", &calls, &exits), "no write row in '%s'", r.err);
    long lines = strcmp(integ_libc[libc], "glibc") == 0;
    ck_assert_int_eq(calls, ph[p].fd3 + ph[p].fd4 + lines);
    ck_assert_int_eq(exits, calls);
    ck_assert_ptr_nonnull(strstr(r.err, "Where the run's "));
    check_file(dir, ph[p].file);
    ck_assert_int_eq(file_size(dir, ph[p].other), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, ph[p].other);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
    integ_proc_free(&r);

    /* The lines tell the two files apart by their fds. */
    traced("batch_io", libc, LIST("-e", "trace=write"), LIST((char *)ph[p].mode), &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%.2000s'", r.status, r.err);
    ck_assert_int_eq(count(r.err, " write(3, \""), ph[p].fd3);
    ck_assert_int_eq(count(r.err, "\"..., 1024) = 1024\n"), ph[p].fd3);
    ck_assert_int_eq(count(r.err, " write(4, \"abcdefghijklmnopqrstuvwxyzabcdef\"..., 1024000) = 1024000\n"),
                     ph[p].fd4);
    ck_assert_int_eq(count(r.err, " write(1, \""), lines);
    integ_proc_free(&r);
}
END_TEST

/* ---- privileged ---------------------------------------------------------------- */

/* Each instruction faults once with its explanation, the handler catches
 * each SIGSEGV and the program reaches its end. */
START_TEST(privileged_each_refused)
{
    static const struct {
        const char *insn, *disasm, *why;
        int pio; /* port I/O: kvm_pvm may exit to the VMM for it */
    } insns[] = {
        {"hlt", "hlt", "HLT is privileged: only ring 0 may execute it", 0},
        {"cli", "cli", "CLI is privileged: only ring 0 may execute it (it needs CPL <= IOPL, and ring 3 runs with IOPL 0)", 0},
        {"mov cr3", "mov cr3, rax", "MOV to or from a control register is privileged: only ring 0 may execute it", 0},
        {"rdmsr", "rdmsr", "RDMSR is privileged: only ring 0 may execute it", 0},
        {"in", "in al, 0x60", "IN is privileged: only ring 0 may execute it "
                                 "(it needs CPL <= IOPL or the port in the TSS's I/O bitmap; ring 3 has IOPL 0 and no bitmap)", 1},
        {"out", "out 0x80, al", "OUT is privileged: only ring 0 may execute it "
                                   "(it needs CPL <= IOPL or the port in the TSS's I/O bitmap; ring 3 has IOPL 0 and no bitmap)", 1},
        {"lgdt", "lgdt [rsp]", "LGDT is privileged: only ring 0 may execute it", 0},
    };
    struct proc_run r;
    traced("privileged", _i, NULL, NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stdout '%s', stderr '%.3000s'", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "7 of 7 refused with #GP, 7 SIGSEGVs caught"), "stdout '%s'", r.out);
    for (size_t i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        char want[320];
        snprintf(want, sizeof want, "%-8s (", insns[i].insn);
        const char *at = strstr(r.out, want);
        ck_assert_msg(at != NULL, "stdout lacks '%s': '%s'", want, r.out);
        void *addr;
        ck_assert_int_eq(sscanf(strstr(at, ") at ") + 5, "%p", &addr), 1);
        /* The next line is the handler's account of the fault. */
        static const char said[] = "  refused: SIGSEGV, trap 13 (#GP general protection), error code 0, at rip ";
        const char *next = strchr(at, '\n') + 1;
        ck_assert_msg(!strncmp(next, said, strlen(said)), "%s: '%s'", insns[i].insn, integ_line_with(next, "  "));
        ck_assert_msg(!strncmp(next + strcspn(next, "\n") - 18, "(that instruction)\n", 19), "%s: '%s'",
                      insns[i].insn, integ_line_with(next, "  "));
        /* The trace: the fault at that address, why, and the handler.  (On
         * kvm_pvm IN and OUT may reach the VMM as port I/O first, which
         * answers with the same #GP.) */
        snprintf(want, sizeof want, "fault #GP, error 0 at rip %p: %s\n  why:  %s\n", addr, insns[i].disasm,
                 insns[i].why);
        const char *f = strstr(r.err, want);
        if (!f && insns[i].pio && integ_is_kvm_pvm())
            f = strstr(r.err, "rejected port I/O");
        ck_assert_msg(f != NULL, "trace lacks '%s': '%.4000s'", want, r.err);
        ck_assert_ptr_nonnull(strstr(f, "signal SIGSEGV (SI_KERNEL) delivered to the handler"));
    }
    int gp = count(r.err, "fault #GP, error 0 at rip "), io = count(r.err, "rejected port I/O");
    ck_assert_msg(gp + io == 7 && io <= 2, "%d #GP and %d rejected: '%.3000s'", gp, io, r.err);
    ck_assert_int_eq(count(r.err, "signal SIGSEGV (SI_KERNEL) delivered to the handler"), 7);
    ck_assert_ptr_nonnull(strstr(r.err, "+++ exited with 0 +++"));
    ck_assert_ptr_null(strstr(r.err, "killed by"));
    integ_proc_free(&r);
}
END_TEST

/* ---- kernel_memory --------------------------------------------------------------- */

START_TEST(kernel_memory_read_then_write)
{
    struct proc_run r;
    traced("kernel_memory", _i, NULL, NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stdout '%s', stderr '%.3000s'", r.status, r.out, r.err);
    const char *rd = strstr(r.err, "fault #PF, error 0x5 (user read, protection violation) at rip ");
    const char *wr = strstr(r.err, "fault #PF, error 0x7 (user write, protection violation) at rip ");
    ck_assert_msg(rd && wr && rd < wr, "trace: '%.3000s'", r.err);
    ck_assert_ptr_nonnull(strstr(integ_line_with(rd, "fault #PF"), ", cr2 0xffffffff80000000: "));
    ck_assert_ptr_nonnull(strstr(rd, "  why:  ring-3 code tried to read a supervisor-only page (stub text)\n"));
    ck_assert_ptr_nonnull(strstr(integ_line_with(wr, "fault #PF"), ", cr2 0xffffffff80000000: "));
    ck_assert_ptr_nonnull(strstr(wr, "  why:  ring-3 code tried to write a supervisor-only page (stub text)\n"));
    ck_assert_int_eq(count(r.err, "signal SIGSEGV (SEGV_ACCERR) delivered to the handler"), 2);
    /* The program's own decoding: the read, then the write. */
    const char *r1 = strstr(r.out, "error code 0x5:\n    P=1");
    const char *w1 = strstr(r.out, "error code 0x7:\n    P=1");
    ck_assert_msg(r1 && w1 && r1 < w1, "stdout '%s'", r.out);
    ck_assert_ptr_nonnull(strstr(r1, "W=0  it was a read\n    U=1"));
    ck_assert_ptr_nonnull(strstr(w1, "W=1  it was a write\n    U=1"));
    ck_assert_ptr_nonnull(strstr(r.out, "2 of 2 accesses refused"));
    integ_proc_free(&r);
}
END_TEST

/* ---- the three that end by their fault ------------------------------------------- */

START_TEST(guard_page_overflow)
{
    struct proc_run r;
    traced("guard_page", _i, NULL, NULL, &r);
    ck_assert_msg(r.status == 139, "status %d, stderr '%.3000s'", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "depth  7168: stack at "));
    /* Not present, a write, from ring 3: a push or store into the guard. */
    ck_assert_msg(count(r.err, "fault #PF, error 0x6 (user write, page not present) at rip ") == 1,
                  "trace '%.3000s'", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "  why:  ring-3 code touched the stack guard page (stack overflow?)\n"));
    ck_assert_ptr_nonnull(strstr(r.err, ": stack guard page\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "ringbox: killed by SIGSEGV: #PF page fault, error 0x6 (W U)"));
    integ_proc_free(&r);
}
END_TEST

START_TEST(null_deref_cr2_zero)
{
    struct proc_run r;
    traced("null_deref", _i, NULL, NULL, &r);
    ck_assert_msg(r.status == 139, "status %d, stderr '%.3000s'", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "reading an int through a NULL pointer (address 0) ..."));
    ck_assert_ptr_null(strstr(r.out, "address 0 is mapped"));
    const char *f = integ_line_with(r.err, "fault #PF, error 0x4 (user read, page not present) at rip ");
    ck_assert_msg(f && strstr(f, ", cr2 0: "), "trace '%.3000s'", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "  why:  NULL pointer dereference: ring-3 code tried to read address 0x0"));
    ck_assert_ptr_nonnull(strstr(r.err, "killed by SIGSEGV: #PF page fault, error 0x4 (U), cr2 0x0,"));
    /* The trace already explained the fault on stderr: the crash report
     * adds only the address space, so nothing is said twice. */
    ck_assert_int_eq(count(r.err, "  why:  NULL pointer dereference"), 1);
    ck_assert_int_eq(count(r.err, "  page walk of 0x0 "), 1);
    ck_assert_int_eq(count(r.err, "  address space (from the guest page tables):"), 1);
    integ_proc_free(&r);
}
END_TEST

START_TEST(nx_stack_fetch)
{
    struct proc_run r;
    traced("nx_stack", _i, NULL, NULL, &r);
    ck_assert_msg(r.status == 139, "status %d, stderr '%.3000s'", r.status, r.err);
    void *at;
    const char *said = strstr(r.out, "onto the stack at ");
    ck_assert_msg(said && sscanf(said, "onto the stack at %p", &at) == 1, "stdout '%s'", r.out);
    /* Present, user, instruction fetch: RIP and CR2 are both the copy. */
    char want[160];
    snprintf(want, sizeof want, "fault #PF, error 0x15 (user fetch, protection violation) at rip %p, cr2 %p: ", at,
             at);
    ck_assert_msg(strstr(r.err, want), "trace lacks '%s': '%.3000s'", want, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "  why:  ring-3 code tried to execute a no-execute (NX) page (stack)\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "error 0x15 (P U I)"));
    ck_assert_ptr_nonnull(strstr(r.err, ": mov eax, 0x2a"));
    /* The listing starts at the fetch: the stack below it is data. */
    snprintf(want, sizeof want, "  code:\n    => %#018llx  b8 2a 00 00 00 ", (unsigned long long)(uintptr_t)at);
    ck_assert_msg(strstr(r.err, want), "trace lacks '%s': '%.3000s'", want, r.err);
    integ_proc_free(&r);
}
END_TEST

/* ---- syscall_storm ----------------------------------------------------------------- */

/* The -c table counts every getpid as a call and an exit, gives its cost
 * per call, and splits the run's time. */
START_TEST(syscall_storm_counts)
{
    struct proc_run r;
    traced("syscall_storm", _i, LIST("-c"), LIST("300"), &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%.3000s'", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "300 getpid() syscalls: "));
    ck_assert_ptr_nonnull(strstr(r.out, "one crossing costs as much as "));
    ck_assert_ptr_nonnull(strstr(r.err, "% time     seconds  usecs/call     calls    errors     exits syscall\n"));
    long calls, exits;
    ck_assert_msg(summary_row(r.err, "getpid", &calls, &exits), "no getpid row: '%s'", r.err);
    ck_assert_int_eq(calls, 300);
    ck_assert_int_eq(exits, 300);
    ck_assert_ptr_nonnull(strstr(r.err, "  guest ring 3 (incl. SYSCALL, SYSRET) "));
    ck_assert_ptr_nonnull(strstr(r.err, "  transitions + stub (VM exits) "));
    ck_assert_ptr_nonnull(strstr(r.err, "  VMM service "));
    integ_proc_free(&r);
}
END_TEST

/* One case per example, so that one can be run alone (CK_RUN_CASE). */
static void add(Suite *s, const char *name, const TTest *test, int loops)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test, 0, loops);
    suite_add_tcase(s, tc);
}

Suite *examples_suite(void)
{
    Suite *s = suite_create("examples");
    add(s, "batch_io", batch_io_crossings, 2 * INTEG_NLIBC);
    add(s, "privileged", privileged_each_refused, INTEG_NLIBC);
    add(s, "kernel_memory", kernel_memory_read_then_write, INTEG_NLIBC);
    add(s, "guard_page", guard_page_overflow, INTEG_NLIBC);
    add(s, "null_deref", null_deref_cr2_zero, INTEG_NLIBC);
    add(s, "nx_stack", nx_stack_fetch, INTEG_NLIBC);
    add(s, "syscall_storm", syscall_storm_counts, INTEG_NLIBC);
    return s;
}
