/* harness.c - run a command REPS times; print its median wall time (us) and peak RSS (KiB).
 * Usage: harness REPS COMMAND [ARGS...].  Output goes to stdout as "median_us max_rss_kib";
 * the command's own output is discarded.  Exits non-zero if any run fails. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: harness REPS COMMAND [ARGS...]\n");
        return 2;
    }
    int reps = atoi(argv[1]);
    if (reps < 1)
        reps = 1;
    double *t = calloc((size_t)reps, sizeof(*t));
    long max_rss = 0;
    for (int i = 0; i < reps; i++) {
        double t0 = now_us();
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        int status;
        struct rusage ru;
        if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
            fprintf(stderr, "harness: %s failed\n", argv[2]);
            return 1;
        }
        t[i] = now_us() - t0;
        if (ru.ru_maxrss > max_rss)
            max_rss = ru.ru_maxrss;
    }
    qsort(t, (size_t)reps, sizeof(*t), cmp);
    printf("%.1f %ld\n", t[reps / 2], max_rss);
    free(t);
    return 0;
}
