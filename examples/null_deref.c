/* null_deref.c - reads through a NULL pointer: address 0 is never mapped, so the CPU raises #PF with CR2 = 0 and the program is killed by SIGSEGV. */
#include <stdio.h>

int main(void)
{
    /* volatile: the compiler may not drop or rewrite this read, which C
     * calls undefined behaviour and the CPU calls a page fault. */
    int *volatile p = NULL;
    printf("reading an int through a NULL pointer (address 0) ...\n");
    fflush(stdout);
    /* The sandbox never maps the lowest 64 KiB (RB_USER_MIN in
     * include/ringbox_abi.h, as Linux's vm.mmap_min_addr): the page walk
     * finds no entry for address 0, so the CPU stops this instruction,
     * stores 0 in CR2 and raises #PF with P=0 (not mapped), W=0 (a read),
     * U=1 (from ring 3). */
    int value = *p;
    printf("read %d: address 0 is mapped\n", value);
    return 1;
}
