/* privileged.c - seven instructions only ring 0 may execute, tried from ring 3: the CPU refuses each with a #GP, which arrives as SIGSEGV, and the program carries on. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

/* Each attempt is a tiny function whose NAME_insn label marks the
 * privileged instruction, so the program can check that the CPU stopped
 * exactly there.  Nothing after the instruction runs: the CPU checks the
 * privilege level (CPL, here 3) before it does anything. */
#define ATTEMPT(name, setup, insn)                                        \
    __asm__(".text\n.globl " #name "\n.type " #name ", @function\n"       \
            #name ":\n" setup "\n.globl " #name "_insn\n" #name "_insn:\n" \
            insn "\nret\n.size " #name ", . - " #name "\n");              \
    void name(void);                                                      \
    extern const char name##_insn[];

/* SDM Vol. 2: each instruction's "Protected Mode Exceptions" say #GP(0)
 * when CPL is not 0 (for CLI, IN and OUT: when CPL > IOPL, and for IN/OUT
 * also when the TSS's I/O permission bitmap refuses the port). */
ATTEMPT(try_hlt, "", "hlt")                           /* stop the CPU until an interrupt */
ATTEMPT(try_cli, "", "cli")                           /* turn interrupts off */
ATTEMPT(try_cr3, "xor %eax, %eax", "mov %rax, %cr3")  /* switch to other page tables */
ATTEMPT(try_rdmsr, "mov $0xc0000080, %ecx", "rdmsr")  /* read a model-specific register (EFER) */
ATTEMPT(try_in, "", "in $0x60, %al")                  /* read I/O port 0x60 (the PC keyboard) */
ATTEMPT(try_out, "xor %eax, %eax", "out %al, $0x80")  /* write I/O port 0x80 (POST codes) */
ATTEMPT(try_lgdt, "", "lgdt (%rsp)")                  /* load a new descriptor table */

static const struct {
    const char *insn, *what;
    void (*attempt)(void);
    const char *at;
} attempts[] = {
    {"hlt", "halt the CPU", try_hlt, try_hlt_insn},
    {"cli", "disable interrupts", try_cli, try_cli_insn},
    {"mov cr3", "switch page tables", try_cr3, try_cr3_insn},
    {"rdmsr", "read the EFER MSR", try_rdmsr, try_rdmsr_insn},
    {"in", "read I/O port 0x60", try_in, try_in_insn},
    {"out", "write I/O port 0x80", try_out, try_out_insn},
    {"lgdt", "load a new GDT", try_lgdt, try_lgdt_insn},
};
#define NATTEMPTS (int)(sizeof attempts / sizeof attempts[0])

static sigjmp_buf back;
static volatile sig_atomic_t caught;
static volatile uintptr_t fault_rip, fault_trapno, fault_err;

/* The CPU raised #GP (vector 13); the sandbox turned it into SIGSEGV, as
 * Linux does, with the CPU's state at the fault in the ucontext.  Note
 * what it says and jump back into main: returning would run the same
 * instruction again. */
static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    caught++;
    fault_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    fault_trapno = (uintptr_t)uc->uc_mcontext.gregs[REG_TRAPNO];
    fault_err = (uintptr_t)uc->uc_mcontext.gregs[REG_ERR];
    siglongjmp(back, 1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) < 0) {
        perror("sigaction");
        return 1;
    }
    printf("ring 3 tries %d privileged instructions; the CPU should refuse each one\n", NATTEMPTS);
    int refused = 0;
    for (int i = 0; i < NATTEMPTS; i++) {
        printf("%-8s (%s) at %p ...\n", attempts[i].insn, attempts[i].what, (void *)attempts[i].at);
        /* sigsetjmp(.., 1) also saves the signal mask, so the jump back
         * unblocks SIGSEGV for the next attempt. */
        if (sigsetjmp(back, 1) == 0) {
            attempts[i].attempt();
            printf("  executed: ring 3 was NOT stopped\n");
            continue;
        }
        int exact = fault_rip == (uintptr_t)attempts[i].at;
        printf("  refused: SIGSEGV, trap %lu (%s), error code %lu, at rip %#lx%s\n", (unsigned long)fault_trapno,
               fault_trapno == 13 ? "#GP general protection" : "unexpected", (unsigned long)fault_err,
               (unsigned long)fault_rip, exact ? " (that instruction)" : " (ELSEWHERE)");
        refused += fault_trapno == 13 && exact;
    }
    printf("%d of %d refused with #GP, %d SIGSEGVs caught; still running in ring 3\n", refused, NATTEMPTS,
           (int)caught);
    return refused == NATTEMPTS ? 0 : 1;
}
