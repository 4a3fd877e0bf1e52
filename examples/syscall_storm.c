/* syscall_storm.c - calls getpid() N times (default 10,000): the work is nothing, so the time per call is the price of one trip across the boundary and back. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* An ordinary function that does as little as getpid, for comparison.
 * noinline: a real call and return, like the libc wrapper of a syscall. */
__attribute__((noinline)) static void same_work_in_ring3(void)
{
    __asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000;
    if (n <= 0) {
        fprintf(stderr, "usage: syscall_storm [COUNT]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* clock_gettime is itself a crossing here (the sandbox has no vDSO),
     * so the function calls are timed 1,000 times over for the clock's
     * own cost to vanish in the total. */
    double t = now_us();
    for (long i = 0; i < n * 1000; i++)
        same_work_in_ring3();
    double local = (now_us() - t) / 1000;

    /* syscall(SYS_getpid) rather than getpid(), so that no C library can
     * answer from a cache: every call is a SYSCALL instruction.  Each
     * one leaves ring 3 for the ring-0 stub, exits the virtual machine to
     * the VMM in host user space (which answers "1"), re-enters it and
     * returns to ring 3. */
    long pid = 0;
    t = now_us();
    for (long i = 0; i < n; i++)
        pid = syscall(SYS_getpid);
    double crossing = now_us() - t;

    printf("%ld function calls in ring 3: %10.1f us, %8.3f us each\n", n, local, local / n);
    printf("%ld getpid() syscalls:        %10.1f us, %8.3f us each\n", n, crossing, crossing / n);
    printf("one crossing costs as much as %.0f function calls (getpid said %ld)\n",
           local > 0 ? crossing / local : 0.0, pid);
    return 0;
}
