/* forge.c - reaches the stub's LSTAR by a plain jump, with forged RCX/R11, as any program can.
 * Usage: forge LSTAR_HEX iopl|krip */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    uint64_t lstar = strtoull(argv[1], NULL, 16);
    uint64_t flags = 0, rax = SYS_getpid;
    if (!strcmp(argv[2], "iopl")) {
        /* "Return" to the label with IOPL 3 and NT in R11: the stub's
         * SYSRET would load them unless the VMM sanitises R11. */
        __asm__ volatile("lea 1f(%%rip), %%rcx\n"
                         "mov $0x7202, %%r11\n"
                         "jmp *%[lstar]\n"
                         "1: pushfq\n"
                         "pop %[flags]\n"
                         : [flags] "=r"(flags), "+a"(rax)
                         : [lstar] "r"(lstar)
                         : "rcx", "r11", "memory");
        printf("pid=%llu iopl=%llu nt=%llu\n", (unsigned long long)rax, (unsigned long long)(flags >> 12) & 3,
               (unsigned long long)(flags >> 14) & 1);
        return 0;
    }
    if (!strcmp(argv[2], "krip")) {
        printf("rsp=%p\n", (void *)__builtin_frame_address(0));
        fflush(stdout);
        /* A kernel return address: SYSRETQ must never see it. */
        __asm__ volatile("mov $0xffffffff80000000, %%rcx\n"
                         "jmp *%[lstar]\n"
                         : "+a"(rax)
                         : [lstar] "r"(lstar)
                         : "rcx", "r11", "memory");
        printf("returned to a kernel address?\n");
        return 1;
    }
    return 2;
}
