/* boundary.c - ring 3 is a real boundary: a privileged instruction (HLT) kills the program with a #GP report. */
#include <stdio.h>

int main(void)
{
    printf("about to execute HLT in ring 3; the CPU will refuse it\n");
    fflush(stdout);
    __asm__ volatile("hlt");
    printf("still running: the boundary is broken\n");
    return 1;
}
