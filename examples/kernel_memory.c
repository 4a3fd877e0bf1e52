/* kernel_memory.c - reads, then writes, the page where the sandbox's ring-0 stub lives: both are #PF with the page present, and the error code tells the two apart. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

/* The guest's memory map is in include/ringbox_abi.h: the stub's code
 * sits at RB_STUB_TEXT_VA, at the bottom of the top 2 GiB, in a page whose
 * page-table entries have U/S = 0 (supervisor only).  Ring 0 may touch it,
 * ring 3 may not, even though it is mapped in ring 3's own page tables. */
#include "../include/ringbox_abi.h"

/* The #PF error code the CPU pushes (SDM Vol. 3A 4.7, "Page-Fault
 * Exceptions"); the sandbox hands it to the handler in REG_ERR, as Linux
 * does. */
enum {
    PF_P = 1 << 0, /* 1: the page is present (a protection violation); 0: not mapped */
    PF_W = 1 << 1, /* 1: the access was a write; 0: a read */
    PF_U = 1 << 2, /* 1: the CPU was in user mode (ring 3) */
    PF_I = 1 << 4, /* 1: an instruction fetch */
};

static sigjmp_buf back;
static int refused; /* not a local: siglongjmp may not keep a local variable's new value */
static volatile uintptr_t fault_addr, fault_err, fault_trapno;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    fault_addr = (uintptr_t)si->si_addr; /* CR2: the address the CPU could not access */
    fault_err = (uintptr_t)uc->uc_mcontext.gregs[REG_ERR];
    fault_trapno = (uintptr_t)uc->uc_mcontext.gregs[REG_TRAPNO];
    siglongjmp(back, 1);
}

static void explain(void)
{
    int p = !!(fault_err & PF_P), w = !!(fault_err & PF_W), u = !!(fault_err & PF_U), i = !!(fault_err & PF_I);
    printf("  #PF (trap %lu) at address %#lx, error code %#lx:\n"
           "    P=%d  %s\n"
           "    W=%d  %s\n"
           "    U=%d  %s\n"
           "    I=%d  %s\n"
           "%s",
           (unsigned long)fault_trapno, (unsigned long)fault_addr, (unsigned long)fault_err,
           p, p ? "the page is present: the access broke its protection" : "the page is not mapped",
           w, w ? "it was a write" : "it was a read",
           u, u ? "the access came from user mode (ring 3)" : "the access came from ring 0",
           i, i ? "an instruction fetch" : "not an instruction fetch",
           p && u ? "  present, yet refused to ring 3: the page table says supervisor-only (U/S=0)\n" : "");
}

int main(void)
{
    /* stdout is fully buffered and flushed before each access, so each
     * block of text is one write crossing, in order with the faults. */
    setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
    struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);

    volatile uint8_t *stub = (volatile uint8_t *)(uintptr_t)RB_STUB_TEXT_VA;

    printf("reading one byte at %p (RB_STUB_TEXT_VA, the stub's code) ...\n", (void *)stub);
    fflush(stdout);
    if (sigsetjmp(back, 1) == 0)
        printf("  read %#x: ring 3 can see the kernel\n", *stub);
    else {
        explain();
        refused++;
    }

    printf("writing one byte at %p ...\n", (void *)stub);
    fflush(stdout);
    if (sigsetjmp(back, 1) == 0) {
        *stub = 0xcc;
        printf("  written: ring 3 can change the kernel\n");
    } else {
        explain();
        refused++;
    }
    printf("%d of 2 accesses refused\n", refused);
    return refused == 2 ? 0 : 1;
}
