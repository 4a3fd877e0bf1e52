/* dyn_hello.c - a dynamically linked program (ld.so, libc.so.6): prints its
 * arguments and exits with a status of its own, to compare with a native run. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello from a dynamic program, argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    return 7;
}
