/* limits.c - what each resource limit must stop or refuse, one mode per argv[1]:
 *   spin              spin in ring 3 without a syscall
 *   spin-noalrm       ignore SIGALRM, block it, arm a 10 ms periodic ITIMER_REAL, spin
 *   sleep             nanosleep for an hour
 *   read              block reading a pipe that nobody writes
 *   write FD N        write N bytes to FD, 1000 at a time, then print "done";
 *                     FD "dup" is dup(1), FD "/path" an open of that path
 *   fds               open /dev/null until it fails; print the count, the errno,
 *                     getrlimit(RLIMIT_NOFILE) and dup2 just past the limit
 *   syscalls          call getppid forever
 *   bomb              malloc and touch 1 MiB chunks until malloc fails; print
 *                     "bomb=ENOMEM chunks=N" and exit 0 (its own choice)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static void spin(void)
{
    for (;;)
        sink++;
}

static int fds(void)
{
    int n = 0, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        n++;
    int e = errno;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int d = dup2(0, (int)rl.rlim_cur);
    int de = errno;
    int below = dup2(0, (int)rl.rlim_cur - 1);
    printf("opened=%d\nerrno=%s\ncur=%llu\nmax=%llu\ndup2_at_limit=%d %s\ndup2_below=%d\n", n,
           e == EMFILE ? "EMFILE" : strerror(e), (unsigned long long)rl.rlim_cur,
           (unsigned long long)rl.rlim_max, d, d < 0 && de == EBADF ? "EBADF" : strerror(de), below);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "spin") == 0)
        spin();
    if (strcmp(mode, "spin-noalrm") == 0) {
        signal(SIGALRM, SIG_IGN);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGALRM);
        sigprocmask(SIG_BLOCK, &s, NULL);
        struct itimerval it = {{0, 10000}, {0, 10000}};
        setitimer(ITIMER_REAL, &it, NULL);
        spin();
    }
    if (strcmp(mode, "sleep") == 0) {
        struct timespec t = {3600, 0};
        nanosleep(&t, NULL);
        return 0;
    }
    if (strcmp(mode, "read") == 0) {
        int p[2];
        char c;
        if (pipe(p) < 0)
            return 2;
        return read(p[0], &c, 1) == 1 ? 0 : 3;
    }
    if (strcmp(mode, "write") == 0 && argc > 3) {
        int fd = argv[2][0] == '/' ? open(argv[2], O_WRONLY)
                 : strcmp(argv[2], "dup") == 0 ? dup(1)
                                               : atoi(argv[2]);
        long left = atol(argv[3]);
        char buf[1000];
        memset(buf, 'x', sizeof buf);
        while (left > 0) {
            long w = write(fd, buf, left < 1000 ? (size_t)left : sizeof buf);
            if (w <= 0)
                return 4;
            left -= w;
        }
        printf("done\n");
        return 0;
    }
    if (strcmp(mode, "fds") == 0)
        return fds();
    if (strcmp(mode, "bomb") == 0) {
        long n = 0;
        char *p;
        while ((p = malloc(1 << 20))) {
            memset(p, 1, 1 << 20);
            n++;
        }
        printf("bomb=%s chunks=%ld\n", errno == ENOMEM ? "ENOMEM" : strerror(errno), n);
        return 0;
    }
    if (strcmp(mode, "syscalls") == 0)
        for (;;)
            getppid();
    fprintf(stderr, "limits: unknown mode '%s'\n", mode);
    return 1;
}
