/* sys.c - syscall edge cases by argv[1]: "efault", "enosys", "none", "writes N", "epipe", "sigpipe". */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KERNEL_ADDR 0xffffffff80000000UL /* the stub, supervisor-only */

static const char *err_name(long r, int e)
{
    if (r >= 0)
        return "ok";
    switch (e) {
    case EFAULT: return "EFAULT";
    case ENOSYS: return "ENOSYS";
    case EPIPE: return "EPIPE";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    default: return strerror(e);
    }
}

static void show(const char *what, long r)
{
    printf("%s=%s\n", what, err_name(r, errno));
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0); /* keep printf and raw writes in order */
    if (!strcmp(mode, "efault")) {
        show("write_kernel", syscall(SYS_write, 1, KERNEL_ADDR, 10));
        show("write_null", syscall(SYS_write, 1, 0UL, 10));
        show("write_noncanonical", syscall(SYS_write, 1, 0x0000800000000000UL, 10));
        show("uname_kernel", syscall(SYS_uname, KERNEL_ADDR));
        show("write_ok", syscall(SYS_write, 1, "x\n", 2));
        printf("continued\n");
        return 0;
    }
    if (!strcmp(mode, "enosys")) {
        show("nr1000", syscall(1000, 0, 0, 0));
        /* Real, but never one a sandbox offers (and bad magic anyway). */
        show("reboot", syscall(SYS_reboot, 0, 0, 0, 0));
        return 0;
    }
    if (!strcmp(mode, "none"))
        return 0;
    if (!strcmp(mode, "writes")) {
        long n = argc > 2 ? atol(argv[2]) : 0;
        for (long i = 0; i < n; i++)
            if (write(1, "w", 1) != 1)
                return 1;
        return 0;
    }
    if (!strcmp(mode, "epipe") || !strcmp(mode, "sigpipe")) {
        /* stdout's reader is gone.  As on Linux, a program that ignores
         * SIGPIPE sees EPIPE; one that does not is killed by SIGPIPE.
         * Either way ringbox itself must not die of it. */
        if (!strcmp(mode, "epipe"))
            signal(SIGPIPE, SIG_IGN);
        long r = 0;
        for (int i = 0; i < 1000 && r >= 0; i++)
            r = write(1, "p", 1);
        fprintf(stderr, "write=%s\n", err_name(r, errno));
        return r < 0 && errno == EPIPE ? 0 : 1;
    }
    fprintf(stderr, "usage: sys efault|enosys|none|writes N|epipe|sigpipe\n");
    return 2;
}
