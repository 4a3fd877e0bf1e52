/* sleeps.c - sleeps for as long as a timespec can say (2^63-1 s): "alarm" makes each one under
 * a 50 ms alarm whose handler ends it, printing "name=EINTR"; "forever" makes one with no alarm,
 * which only the sandbox's time limit ends.  Raw syscalls: no libc wrapper splits the time. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (include/uapi/linux/futex.h; musl has no linux/ headers). */
#define K_FUTEX_WAIT_PRIVATE 128

static void on_alarm(int sig)
{
    (void)sig;
}

static void show(const char *name, long r)
{
    printf("%s=%s\n", name, r == 0 ? "0" : errno == EINTR ? "EINTR" : strerror(errno));
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    struct timespec huge = {INT64_MAX, 999999999};
    if (!strcmp(mode, "forever")) {
        printf("sleeping\n");
        fflush(stdout);
        syscall(SYS_nanosleep, &huge, NULL);
        return 1;
    }
    if (strcmp(mode, "alarm")) {
        fprintf(stderr, "usage: sleeps alarm|forever\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every = {{0, 50000}, {0, 50000}};
    setitimer(ITIMER_REAL, &every, NULL);
    struct timespec left;
    show("nanosleep", syscall(SYS_nanosleep, &huge, &left));
    /* What is left of a sleep to KTIME_MAX ns, about 292 years, as Linux saturates it. */
    printf("nanosleep_left=%s\n", left.tv_sec > 9000000000 && left.tv_sec <= INT64_MAX / 1000000000 ? "ktime_max" : "other");
    show("clock_nanosleep_rel", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &huge, NULL));
    show("clock_nanosleep_abs", syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &huge, NULL));
    uint32_t word = 0;
    show("futex_wait", syscall(SYS_futex, &word, K_FUTEX_WAIT_PRIVATE, 0, &huge, NULL, 0));
    return 0;
}
