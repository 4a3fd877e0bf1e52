/* hook.c - makes the test-only syscall RB_TEST_HOOK_SYSCALL and prints what it returned. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "../../include/ringbox_abi.h"

int main(void)
{
    long r = syscall(RB_TEST_HOOK_SYSCALL);
    printf("%ld\n", r < 0 ? -(long)errno : r);
    return 0;
}
