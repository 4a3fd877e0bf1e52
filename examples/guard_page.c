/* guard_page.c - a function that calls itself forever: the stack grows down 1 KiB per call until it reaches the unmapped guard page below it, and the CPU raises #PF. */
#include <stdint.h>
#include <stdio.h>

static uintptr_t top;

/* Each call pushes its return address and reserves `frame` on the stack,
 * which grows toward lower addresses.  The sandbox gives the program an
 * 8 MiB stack with 1 MiB of never-mapped guard pages below it (as Linux
 * keeps a gap below its stack), so the push or store that first lands in
 * the guard finds no page-table entry: a #PF with P=0, W=1, U=1. */
/* GCC sees the endless recursion too, and this once it is the point. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int dive(int depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth % 1024 == 0)
        printf("depth %5d: stack at %p, %4lu KiB used\n", depth, (void *)frame,
               (unsigned long)((top - (uintptr_t)frame) >> 10));
    /* Using the result after the call keeps the compiler from turning
     * the recursion into a loop. */
    return dive(depth + 1) + frame[0];
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    char here;
    top = (uintptr_t)&here;
    printf("recursing without end from a stack at %p ...\n", (void *)&here);
    return dive(0);
}
