/* nx_stack.c - copies six bytes of machine code onto the stack and calls them: the stack is data, marked no-execute, so the CPU refuses to fetch the first instruction. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    /* mov $42, %eax; ret: a function that returns 42. */
    static const unsigned char code[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};
    unsigned char on_stack[sizeof code];
    memcpy(on_stack, code, sizeof code);

    /* Calling data as a function is not C, but it is what an exploit that
     * injects code into a stack buffer does. */
    int (*fn)(void) = (int (*)(void))(void *)on_stack;
    printf("calling %zu bytes of code copied onto the stack at %p ...\n", sizeof code, (void *)on_stack);
    fflush(stdout);
    /* The sandbox maps the stack with the NX bit set in its page-table
     * entries (EFER.NXE is on, and the program's PT_GNU_STACK asks for a
     * non-executable stack).  The page is present and ring 3 may read and
     * write it, but fetching an instruction from it raises #PF with P=1,
     * U=1 and I=1 (the instruction-fetch bit, SDM Vol. 3A 4.7), and CR2
     * and RIP both hold the stack address. */
    int r = fn();
    printf("the stack ran code and returned %d\n", r);
    return 1;
}
