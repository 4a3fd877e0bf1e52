/* exitcode.c - exits with the status given as argv[1] (via exit(), or _exit() with "raw"). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : 0;
    if (argc > 2 && strcmp(argv[2], "raw") == 0)
        _exit(status);
    exit(status);
}
