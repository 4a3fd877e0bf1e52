/* hello.c - the smallest useful guest: one line through stdio, exit status 0. */
#include <stdio.h>

int main(void)
{
    printf("Hello from ring 3!\n");
    return 0;
}
