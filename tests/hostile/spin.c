/* spin.c - never ends by itself: "busy" spins with no syscall at all, "noalarm" ignores
 * SIGALRM, arms it, and spins.  Only the sandbox's time limit stops either. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "noalarm")) {
        signal(SIGALRM, SIG_IGN);
        alarm(1);
    } else if (strcmp(mode, "busy")) {
        fprintf(stderr, "usage: spin busy|noalarm\n");
        return 2;
    }
    printf("spinning\n");
    fflush(stdout);
    for (volatile unsigned long n = 0;; n++)
        ;
}
