/* sigstorm.c - a SIGALRM every millisecond over a loop that crosses into the stub all the time:
 * "syscalls N" makes N getppid calls, "faults N" takes N #PFs on a PROT_NONE page, each skipped
 * by a SIGSEGV handler.  Each handler checks the frame it was given: the interrupted RIP is a
 * user address, and a fault's is the faulting instruction.  Prints the counts; exits 0 when every
 * frame was right. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#define USER_END 0x800000000000UL /* the end of the lower canonical half */

extern const char fault_insn[], fault_next[];
static volatile unsigned long alarms, alarm_bad, faults, fault_bad;

static unsigned long frame_rip(void *ucv)
{
    return (unsigned long)((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP];
}

static void on_alarm(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si;
    alarms++;
    if (frame_rip(uc) >= USER_END)
        alarm_bad++;
}

/* Resume after the load, or a frame that names another instruction would
 * loop here for ever: such a fault is counted and the load skipped all the same. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si;
    faults++;
    if (frame_rip(uc) != (unsigned long)fault_insn)
        fault_bad++;
    ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP] = (long)fault_next;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 2 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct sigaction sa = {.sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_sigaction = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    struct itimerval storm = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &storm, NULL);
    if (!strcmp(mode, "syscalls") && n > 0) {
        for (long i = 0; i < n; i++)
            syscall(SYS_getppid);
    } else if (!strcmp(mode, "faults") && n > 0 && none != MAP_FAILED) {
        for (long i = 0; i < n; i++)
            __asm__ volatile("fault_insn: movb (%0), %%al\nfault_next:" : : "r"(none) : "rax", "memory");
    } else {
        fprintf(stderr, "usage: sigstorm syscalls|faults N\n");
        return 2;
    }
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    printf("alarms=%lu\nalarm_bad=%lu\nfaults=%lu\nfault_bad=%lu\n", alarms, alarm_bad, faults, fault_bad);
    return alarm_bad || fault_bad;
}
