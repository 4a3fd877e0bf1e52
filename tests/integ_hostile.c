/* integ_hostile.c - the hostile-guest suite: each program in tests/hostile/ attacks the stub,
 * the VMM or the host one way per mode, and each attack has one precise expected end, with the
 * VMM exiting normally after it (the report line and nothing else on its stderr). */
#define _GNU_SOURCE
#include <check.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "integ_util.h"
#include "vm.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* Hand-checked encodings (SDM Vol. 3A 7.15 and 4.7). */
enum { GP = 13, PF = 14 };
enum { PF_P = 1, PF_W = 2, PF_U = 4, PF_I = 16 };

/* "$RB_BUILD/hostile/NAME.LIBC". */
static const char *hostile(const char *name, int libc)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/hostile/%s.%s", integ_build(), name, integ_libc[libc]);
    return buf;
}

/* The stub never served anything but the program's own syscalls and its
 * one fault: no port I/O of the program's became a hypercall. */
static void assert_only_own_hypercalls(const struct ringbox_result *res, uint64_t faults)
{
    ck_assert_uint_eq(res->counters.faults, faults);
    ck_assert_msg(res->counters.hypercalls == res->counters.syscalls + faults,
                  "%" PRIu64 " hypercalls for %" PRIu64 " syscalls and %" PRIu64 " faults",
                  res->counters.hypercalls, res->counters.syscalls, faults);
}

/* The VMM's own end: status 128+sig, a report whose first line is the one
 * the library formats for the result, and nothing from a sanitizer or an
 * assert.  With `what`, the report's cr2 line names that part of the map. */
static void assert_cli_report(const char *prog, char *const args[], const struct ringbox_result *res,
                              const char *what)
{
    char line[1024], want[1100];
    ringbox_format_end(res, line, sizeof line);
    snprintf(want, sizeof want, "ringbox: %s\n", line);
    struct proc_run p;
    integ_cli_run(args, NULL, &p);
    ck_assert_msg(p.status == 128 + res->status, "%s: status %d, want %d; stderr '%s'", prog, p.status,
                  128 + res->status, p.err);
    ck_assert_msg(!strncmp(p.err, want, strlen(want)), "%s: stderr '%s', want it to start '%s'", prog, p.err,
                  want);
    ck_assert_msg(!strstr(p.err, "Sanitizer") && !strstr(p.err, "runtime error") && !strstr(p.err, "Assertion"),
                  "%s: stderr '%s'", prog, p.err);
    if (what) {
        snprintf(want, sizeof want, "  cr2:  0x%" PRIx64 ": %s\n", res->fault.cr2, what);
        ck_assert_msg(strstr(p.err, want), "%s: report '%s' lacks '%s'", prog, p.err, want);
    }
    integ_proc_free(&p);
}

static uint64_t printed(const char *out, const char *key)
{
    const char *v = integ_field(out, key, 0);
    ck_assert_msg(v != NULL, "no %s= in '%s'", key, out);
    return strtoull(v, NULL, 16);
}

/* ---- the stub's tables, stacks and instructions ----------------------------- */

struct kernel_case {
    const char *mode;
    int vector;
    uint64_t error;
    uint64_t cr2;     /* #PF only */
    const char *bits; /* the decoded #PF error code in the report */
    const char *what; /* the report's name for CR2's page */
};

static const struct kernel_case kcases[] = {
    /* Reading or writing the stub's tables and stacks: present and
     * supervisor-only, so #PF with P set (SDM Vol. 3A 4.6).  Writes say W. */
    {"gdtwrite", PF, PF_P | PF_W | PF_U, RB_GDT_VA, "(P W U)", "GDT"},
    {"idtread", PF, PF_P | PF_U, RB_IDT_VA, "(P U)", "IDT"},
    {"idtwrite", PF, PF_P | PF_W | PF_U, RB_IDT_VA + 16 * RB_VEC_PF, "(P W U)", "IDT"},
    {"tsswrite", PF, PF_P | PF_W | PF_U, RB_TSS_VA + 4, "(P W U)", "TSS"},
    {"kstackread", PF, PF_P | PF_U, RB_KSTACK_TOP - 8, "(P U)", "kernel stack"},
    {"kstackwrite", PF, PF_P | PF_W | PF_U, RB_KSTACK_TOP - 8, "(P W U)", "kernel stack"},
    {"iststackwrite", PF, PF_P | PF_W | PF_U, RB_ISTSTACK_TOP - 8, "(P W U)", "IST stack (#DF, NMI, #MC)"},
    {"stubdatawrite", PF, PF_P | PF_W | PF_U, RB_STUB_USER_RSP_VA, "(P W U)", "stub data"},
    /* The page tables have no guest-virtual address at all: past the
     * stub's last page nothing is present. */
    {"beyondstub", PF, PF_U, RB_KERNEL_END, "(U)", "kernel half, unmapped"},
    /* IRETQ is not privileged, but a return to a selector with RPL < CPL
     * or to an SS whose RPL differs from the new CS's is #GP(selector)
     * (SDM Vol. 2A IRET, "RETURN-FROM-PROTECTED-MODE"). */
    {"iretq_kcs", GP, RB_KERNEL_CS, 0, NULL, NULL},
    {"iretq_kss", GP, RB_KERNEL_DS, 0, NULL, NULL},
    /* CPL != 0: #GP(0) (SDM Vol. 2B SYSRET, SWAPGS; Vol. 2B WRMSR). */
    {"sysret", GP, 0, 0, NULL, NULL},
    {"swapgs", GP, 0, 0, NULL, NULL},
    {"wrmsr_kgs", GP, 0, 0, NULL, NULL},
    /* Port I/O with IOPL 0 and no I/O bitmap: #GP(0) (SDM Vol. 1 19.5.1);
     * the register form and string forms that fault.c's imm8 probes miss. */
    {"outdx", GP, 0, 0, NULL, NULL},
    {"outs", GP, 0, 0, NULL, NULL},
    {"ins", GP, 0, 0, NULL, NULL},
};
#define NKCASES (int)(sizeof kcases / sizeof kcases[0])

static int is_port_io(const char *mode)
{
    return !strcmp(mode, "outdx") || !strcmp(mode, "outs") || !strcmp(mode, "ins");
}

/* The probes are the same assembly under either libc, so each case runs
 * once, the libcs alternating: loop index = case. */
START_TEST(kernel_attack)
{
    const struct kernel_case *e = &kcases[_i];
    const char *prog = hostile("kernel", _i % INTEG_NLIBC);
    struct lib_run r;
    integ_lib_run(prog, ARGS("kernel", (char *)e->mode), NULL, 0, &r);
    ck_assert_msg(r.rc == 0, "%s: ringbox: %s", e->mode, r.err.message);
    ck_assert_msg(strstr(r.out, "survived") == NULL, "%s: the program went on: %s", e->mode, r.out);
    uint64_t rip = printed(r.out, "rip");
    const struct ringbox_result *res = &r.res;
    ck_assert_msg(res->end == RINGBOX_SIGNALED && res->status == SIGSEGV, "%s: end %d status %d", e->mode,
                  res->end, res->status);
    ck_assert(res->faulted);
    ck_assert_msg(res->fault.vector == e->vector, "%s: vector %s, want %s", e->mode,
                  ringbox_vector_name(res->fault.vector), ringbox_vector_name(e->vector));
    ck_assert_msg(res->fault.error_code == e->error, "%s: error %#" PRIx64 ", want %#" PRIx64, e->mode,
                  res->fault.error_code, e->error);
    ck_assert_msg(res->fault.rip == rip, "%s: rip %#" PRIx64 ", want %#" PRIx64, e->mode, res->fault.rip, rip);
    if (e->vector == PF)
        ck_assert_msg(res->fault.cr2 == e->cr2, "%s: cr2 %#" PRIx64 ", want %#" PRIx64, e->mode, res->fault.cr2,
                      e->cr2);
    assert_only_own_hypercalls(res, 1);
    /* kvm_pvm may let ring-3 port I/O exit to the VMM, which must refuse
     * it (counted) and raise the same #GP; hardware raises it itself. */
    if (integ_is_kvm_pvm() && is_port_io(e->mode))
        ck_assert_uint_le(res->counters.rejected_io, 1);
    else
        ck_assert_uint_eq(res->counters.rejected_io, 0);
    if (e->bits) {
        char line[512];
        ringbox_format_end(res, line, sizeof line);
        ck_assert_msg(strstr(line, e->bits), "%s: report '%s' lacks %s", e->mode, line, e->bits);
    }
    assert_cli_report(prog, ARGS("run", (char *)prog, (char *)e->mode), res, e->what);
    integ_lib_free(&r);
}
END_TEST

/* Jumping into the stub anywhere (LSTAR is forge.c's): its text is
 * supervisor-only, so the fetch itself faults, #PF(P U I) at the target,
 * and none of the stub's instructions runs at CPL 3. */
enum { J_HC_SYSCALL, J_HC_FAULT, J_HC_SYSCALL_PF, J_RET_SYSRET, J_RET_IRET, J_RET_FLUSH_IRET, NJUMPS };

START_TEST(stub_jump)
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_t *rb;
    ringbox_config_init(&cfg);
    cfg.mem_bytes = RINGBOX_MIN_MEM;
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), 0);
    const uint64_t targets[NJUMPS] = {rb->stub.hc_insn[RB_HC_SYSCALL], rb->stub.hc_insn[RB_HC_FAULT],
                                      rb->stub.hc_insn[RB_HC_SYSCALL_PF], rb->stub.ret_sysret,
                                      rb->stub.ret_iret, rb->stub.ret_flush_iret};
    uint64_t target = targets[_i];
    ringbox_destroy(rb);

    char hex[32];
    snprintf(hex, sizeof hex, "%" PRIx64, target);
    const char *prog = hostile("kernel", _i % INTEG_NLIBC);
    struct lib_run r;
    integ_lib_run(prog, ARGS("kernel", "stubjump", hex), NULL, 0, &r);
    ck_assert_msg(r.rc == 0, "ringbox: %s", r.err.message);
    ck_assert_ptr_null(strstr(r.out, "survived"));
    ck_assert_msg(r.res.end == RINGBOX_SIGNALED && r.res.status == SIGSEGV, "end %d status %d", r.res.end,
                  r.res.status);
    ck_assert(r.res.faulted);
    ck_assert_int_eq(r.res.fault.vector, PF);
    ck_assert_uint_eq(r.res.fault.error_code, PF_P | PF_U | PF_I);
    ck_assert_uint_eq(r.res.fault.cr2, target);
    ck_assert_uint_eq(r.res.fault.rip, target);
    assert_only_own_hypercalls(&r.res, 1);
    assert_cli_report(prog, ARGS("run", (char *)prog, "stubjump", hex), &r.res, "stub text");
    integ_lib_free(&r);
}
END_TEST

/* ---- syscall arguments, the address space and the fd table ------------------ */

/* Programs that attack through syscalls: they must see Linux's answer to
 * each attempt (the expected lines are what Linux 6.1 prints for the same
 * program natively) and exit 0 with the sandbox whole. */
struct output_case {
    const char *prog, *mode, *out;
};

static const struct output_case ocases[] = {
    {"sysargs", "kptr",
     "read_into_gdt=EFAULT\nread_into_kstack=EFAULT\nreadv_into_idt=EFAULT\niov_array_in_stub=EFAULT\n"
     "getcwd_into_tss=EFAULT\nclock_gettime_into_stub_data=EFAULT\npipe_into_kstack=EFAULT\n"
     "open_kernel_path=EFAULT\npipe_kept=0123456789abcdef\nwhole\n"},
    {"sysargs", "straddle",
     "uname=EFAULT\nclock_gettime=EFAULT\npipe2=EFAULT\nopen_unterminated=EFAULT\nstat_unterminated=EFAULT\n"
     "iov_array=EFAULT\nread_past_edge=EFAULT\npipe_kept=xyz\nwhole\n"},
    {"sysargs", "hugelen",
     "read_2^64-1=EFAULT\nwrite_2^64-1=EFAULT\nwrite_2^63=EFAULT\nreadv_len_2^64-1=EINVAL\n"
     "readv_count_2^31=EINVAL\ngetcwd_2^64-1=ok\nmmap_2^64-4096=ENOMEM\nmunmap_2^64-4096=EINVAL\n"
     "mprotect_wrap=ENOMEM\npipe_kept=hello\nwhole\n"},
    {"sysargs", "negfd",
     "read_-1=EBADF\nwrite_-2=EBADF\nwrite_INT_MIN=EBADF\nwrite_INT_MAX=EBADF\nclose_-1=EBADF\n"
     "fstat_-5=EBADF\ndup_-1=EBADF\ndup2_to_-1=EBADF\ndup3_to_INT_MAX=EBADF\nfcntl_dupfd_-1=EINVAL\n"
     "lseek_-3=EBADF\nopenat_dirfd_-2=EBADF\nmmap_fd_-2=EBADF\nfchdir_-1=EBADF\nwrite_fd_2^32+1=ok\n"
     "close_fd_2^32+2^31=EBADF\nwrite_ok=ok\nwhole\n"},
    /* Linux: MAP_FIXED past TASK_SIZE is -ENOMEM (get_unmapped_area),
     * munmap there -EINVAL, mprotect and madvise of nothing -ENOMEM,
     * mremap to there -EINVAL and from nothing -EFAULT. */
    {"space", "fixedstub",
     "mmap_fixed_stub=ENOMEM\nmmap_fixed_gdt=ENOMEM\nmmap_fixed_kernel_half=ENOMEM\n"
     "mmap_fixed_noreplace_stub=ENOMEM\nmmap_fixed_across_top=ENOMEM\nmmap_fixed_wrap=ENOMEM\n"
     "mmap_hint_stub=user\nmunmap_stub=EINVAL\nmprotect_stub=ENOMEM\nmadvise_stub=ENOMEM\n"
     "mremap_to_stub=EINVAL\nmremap_from_stub=Bad address\nwhole\n"},
    /* Linux: a brk below its start is refused by returning the old break. */
    {"space", "brkshrink",
     "brk_below_bss_end=unchanged\nbrk_into_text=unchanged\nbrk_1=unchanged\nbrk_stub=unchanged\n"
     "brk_grow=ok\nbrk_back=ok\nwhole\n"},
    /* Every fd below RLIMIT_NOFILE, then EMFILE (fs/file.c alloc_fd). */
    {"space", "fds",
     "setrlimit=ok\ndup_stopped=EMFILE\nfds_used=nofile\npipe_at_limit=EMFILE\nraise_to_hard=ok\n"
     "dup_stopped=EMFILE\nclose_one=ok\ndup_after_close=ok\nwhole\n"},
    /* Both ways of rewriting code run the new version every time (the
     * "code" test case: it is architectural, the ones above are not). */
    {"code", "wx", "wx1=1,1\nwx2=2,2\nwx3=3,3\nwx4=4,4\n"},
    {"code", "rwx", "rwx1=1\nrwx2=2\nrwx3=3\nrwx4=4\n"},
};
#define NOCASES (int)(sizeof ocases / sizeof ocases[0])
#define NOCASES_CODE 2 /* the last ones */

START_TEST(syscall_attack)
{
    const struct output_case *e = &ocases[_i / INTEG_NLIBC];
    const char *prog = hostile(e->prog, _i % INTEG_NLIBC);
    struct lib_run r;
    integ_lib_run(prog, ARGS((char *)e->prog, (char *)e->mode), NULL, 0, &r);
    ck_assert_msg(r.rc == 0, "%s %s: ringbox: %s", e->prog, e->mode, r.err.message);
    if (r.res.end != RINGBOX_EXITED || r.res.status != 0) {
        char line[512];
        ringbox_format_end(&r.res, line, sizeof line);
        ck_abort_msg("%s %s: %s; output:\n%s", e->prog, e->mode, line, r.out);
    }
    ck_assert_str_eq(r.out, e->out);
    assert_only_own_hypercalls(&r.res, 0);
    integ_lib_free(&r);
}
END_TEST

/* 10^6 one-page mmaps in a 64 MiB guest: refused with ENOMEM at the cap
 * long before, and the VMM's peak RSS stays within the guest's size of an
 * idle run's (strict commit backs the pages, but only touched ones cost
 * host memory, and the region table is the VMM's). */
START_TEST(many_mmaps)
{
    const char *prog = hostile("space", _i);
    struct proc_run base, r;
    struct rusage ru;
    integ_cli_run(ARGS("run", "--mem", "64M", (char *)prog, "brkshrink"), NULL, &base);
    ck_assert_msg(base.status == 0, "status %d, stderr '%s'", base.status, base.err);
    ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
    long idle_kib = ru.ru_maxrss;
    integ_cli_run(ARGS("run", "--mem", "64M", (char *)prog, "manymaps"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "manymaps_stopped=ENOMEM\nmanymaps_some=yes\nwhole\n");
    ck_assert_str_eq(r.err, "");
    /* RUSAGE_CHILDREN's ru_maxrss is the largest of the waited-for children. */
    ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
    ck_assert_msg(ru.ru_maxrss < idle_kib + 64 * 1024, "peak RSS %ld KiB, an idle run's %ld KiB", ru.ru_maxrss,
                  idle_kib);
    integ_proc_free(&base);
    integ_proc_free(&r);
}
END_TEST

/* ---- code pages and the stack -------------------------------------------- */

/* Executing a page without X: one that never had it, and one whose X was
 * revoked after it ran (a stale translation would run it again). */
START_TEST(exec_without_x)
{
    static const char *const modes[] = {"rwexec", "revokex"};
    const char *mode = modes[_i / INTEG_NLIBC];
    const char *prog = hostile("code", _i % INTEG_NLIBC);
    struct lib_run r;
    integ_lib_run(prog, ARGS("code", (char *)mode), NULL, 0, &r);
    ck_assert_msg(r.rc == 0, "ringbox: %s", r.err.message);
    ck_assert_ptr_null(strstr(r.out, "survived"));
    if (!strcmp(mode, "revokex"))
        ck_assert_ptr_nonnull(strstr(r.out, "ran=7\n"));
    uint64_t addr = printed(r.out, "addr");
    ck_assert_msg(r.res.end == RINGBOX_SIGNALED && r.res.status == SIGSEGV, "end %d status %d", r.res.end,
                  r.res.status);
    ck_assert(r.res.faulted);
    ck_assert_int_eq(r.res.fault.vector, PF);
    ck_assert_uint_eq(r.res.fault.error_code, PF_P | PF_U | PF_I);
    ck_assert_uint_eq(r.res.fault.cr2, addr);
    ck_assert_uint_eq(r.res.fault.rip, addr);
    char line[512];
    ringbox_format_end(&r.res, line, sizeof line);
    ck_assert_msg(strstr(line, "(P U I)"), "report '%s'", line);
    assert_only_own_hypercalls(&r.res, 1);
    integ_lib_free(&r);
}
END_TEST

/* Recursing through the whole 8 MiB stack: the store that leaves it hits
 * the unmapped guard below, #PF(W U) with CR2 in the page under the
 * stack's lowest, and the report names the guard page. */
START_TEST(stack_overflow)
{
    const char *prog = hostile("code", _i);
    struct proc_run p;
    integ_cli_run(ARGS("run", (char *)prog, "recurse"), NULL, &p);
    ck_assert_msg(p.status == 128 + SIGSEGV, "status %d, stderr '%s'", p.status, p.err);
    uint64_t bottom = printed(p.out, "stack_bottom");
    ck_assert_ptr_null(strstr(p.out, "survived"));
    static const char head[] = "ringbox: killed by SIGSEGV: #PF page fault, error 0x6 (W U), cr2 ";
    ck_assert_msg(!strncmp(p.err, head, strlen(head)), "stderr '%s'", p.err);
    uint64_t cr2 = strtoull(p.err + strlen(head), NULL, 16);
    ck_assert_msg(cr2 < bottom && cr2 >= bottom - RB_PAGE_SIZE, "cr2 %#" PRIx64 ", stack bottom %#" PRIx64, cr2,
                  bottom);
    char want[96];
    snprintf(want, sizeof want, "  cr2:  0x%" PRIx64 ": stack guard page\n", cr2);
    ck_assert_msg(strstr(p.err, want), "report '%s' lacks '%s'", p.err, want);
    ck_assert_ptr_null(strstr(p.err, "Sanitizer"));
    integ_proc_free(&p);
}
END_TEST

/* ---- programs that never end ------------------------------------------------ */

/* A syscall-free busy loop, and one that ignores the SIGALRM it armed for
 * 1 s: the program's own signal arrives and changes nothing, and the time
 * limit still ends it at 2 s, as SIGKILL would (status 137). */
START_TEST(time_limit)
{
    static const char *const modes[] = {"busy", "noalarm"};
    const char *mode = modes[_i / INTEG_NLIBC];
    const char *prog = hostile("spin", _i % INTEG_NLIBC);
    struct proc_run p;
    integ_cli_run(ARGS("run", "--time", "2", (char *)prog, (char *)mode), NULL, &p);
    ck_assert_msg(p.status == 128 + SIGKILL, "%s: status %d, stderr '%s'", mode, p.status, p.err);
    ck_assert_str_eq(p.out, "spinning\n");
    ck_assert_msg(strstr(p.err, "time limit exceeded"), "%s: stderr '%s'", mode, p.err);
    ck_assert_msg(!strstr(p.err, "Sanitizer") && !strstr(p.err, "Assertion"), "%s: stderr '%s'", mode, p.err);
    integ_proc_free(&p);
}
END_TEST

/* Test cases: "kernel" and "code" exercise the CPU's protection and
 * paging, so the TCG lane runs them; "syscalls" is the VMM's own argument
 * checking and accounting, the same on every lane; "time" needs the host
 * timer to stop a guest that never exits. */
Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *kernel = tcase_create("kernel");
    tcase_set_timeout(kernel, 120);
    tcase_add_loop_test(kernel, kernel_attack, 0, NKCASES);
    tcase_add_loop_test(kernel, stub_jump, 0, NJUMPS);
    suite_add_tcase(s, kernel);

    TCase *code = tcase_create("code");
    tcase_set_timeout(code, 120);
    tcase_add_loop_test(code, syscall_attack, (NOCASES - NOCASES_CODE) * INTEG_NLIBC, NOCASES * INTEG_NLIBC);
    tcase_add_loop_test(code, exec_without_x, 0, 2 * INTEG_NLIBC);
    tcase_add_loop_test(code, stack_overflow, 0, INTEG_NLIBC);
    suite_add_tcase(s, code);

    TCase *sys = tcase_create("syscalls");
    tcase_set_timeout(sys, 120);
    tcase_add_loop_test(sys, syscall_attack, 0, (NOCASES - NOCASES_CODE) * INTEG_NLIBC);
    tcase_add_loop_test(sys, many_mmaps, 0, INTEG_NLIBC);
    suite_add_tcase(s, sys);

    TCase *time = tcase_create("time");
    tcase_set_timeout(time, 60);
    tcase_add_loop_test(time, time_limit, 0, 2 * INTEG_NLIBC);
    suite_add_tcase(s, time);
    return s;
}
