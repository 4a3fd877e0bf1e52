/* fault.c - ends by one exception chosen by argv[1]; prints the faulting instruction's address (rip=) and data address (addr=) first. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Each probe is a function whose NAME_insn label marks the instruction
 * that must fault, so the test can compare the reported RIP with it. */
#define PROBE(name, setup, insn)                                          \
    __asm__(".text\n.globl " #name "\n.type " #name ", @function\n"       \
            #name ":\n" setup "\n.globl " #name "_insn\n" #name "_insn:\n" \
            insn "\nret\n.size " #name ", . - " #name "\n");              \
    void name(void *arg);                                                 \
    extern const char name##_insn[];

PROBE(p_hlt, "", "hlt")
PROBE(p_cli, "", "cli")
PROBE(p_sti, "", "sti")
PROBE(p_cr3, "xor %eax, %eax", "mov %rax, %cr3")
PROBE(p_lidt, "", "lidt (%rsp)")
PROBE(p_swapgs, "", "swapgs")
PROBE(p_sysret, "", "sysretq")
PROBE(p_rdmsr, "mov $0xc0000080, %ecx", "rdmsr")                           /* EFER */
PROBE(p_wrmsr, "mov $0xc0000082, %ecx\nxor %eax, %eax\nxor %edx, %edx", "wrmsr") /* LSTAR */
PROBE(p_lgdt, "", "lgdt (%rsp)")
PROBE(p_invlpg, "", "invlpg (%rsp)")
PROBE(p_in, "", "in $0x60, %al")
/* 0xb0 is the hypercall port (RB_HC_PIO_BASE) and 60 is exit(): from ring
 * 3 this must be a #GP, never an exit. */
PROBE(p_out, "mov $60, %eax\nxor %edi, %edi", "outl %eax, $0xb0")
PROBE(p_div0, "xor %edx, %edx\nmov $1, %eax\nxor %ecx, %ecx", "div %ecx")
PROBE(p_ud2, "", "ud2")
PROBE(p_int3, "", "int3")
PROBE(p_store, "", "movb $1, (%rdi)")
PROBE(p_load, "", "movb (%rdi), %al")

static const unsigned char rodata_byte[64] = {1};
/* `ret` in a writable, non-executable data page. */
static unsigned char data_code[64] __attribute__((aligned(64))) = {0xc3};

struct probe {
    const char *name;
    void (*fn)(void *);
    const void *insn;
};

static const struct probe probes[] = {
    {"hlt", p_hlt, p_hlt_insn},       {"cli", p_cli, p_cli_insn},
    {"sti", p_sti, p_sti_insn},       {"lidt", p_lidt, p_lidt_insn},
    {"swapgs", p_swapgs, p_swapgs_insn}, {"sysret", p_sysret, p_sysret_insn},
    {"cr3", p_cr3, p_cr3_insn},       {"rdmsr", p_rdmsr, p_rdmsr_insn},
    {"wrmsr", p_wrmsr, p_wrmsr_insn}, {"lgdt", p_lgdt, p_lgdt_insn},
    {"invlpg", p_invlpg, p_invlpg_insn}, {"in", p_in, p_in_insn},
    {"out", p_out, p_out_insn},       {"div0", p_div0, p_div0_insn},
    {"ud2", p_ud2, p_ud2_insn},       {"int3", p_int3, p_int3_insn},
};

/* Each level takes 64 KiB of stack, touched at its bottom, until the
 * stack runs into its guard page. */
static int recurse(int n)
{
    volatile char frame[65536];
    if (n > 1 << 20)
        return 0;
    frame[0] = (char)n;
    return recurse(n + 1) + frame[0];
}

static void report(const void *rip, const void *addr)
{
    printf("rip=%#lx addr=%#lx\n", (unsigned long)(uintptr_t)rip, (unsigned long)(uintptr_t)addr);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        if (!strcmp(mode, probes[i].name)) {
            report(probes[i].insn, NULL);
            probes[i].fn(NULL);
            printf("survived %s\n", mode);
            return 1;
        }
    if (!strcmp(mode, "rowrite")) { /* #PF: present, write, user */
        report(p_store_insn, rodata_byte);
        p_store((void *)rodata_byte);
    } else if (!strcmp(mode, "nx")) { /* #PF: present, user, instruction fetch */
        report(data_code, data_code);
        ((void (*)(void))(uintptr_t)data_code)();
    } else if (!strcmp(mode, "kread")) { /* #PF: present, user (supervisor-only page) */
        void *stub = (void *)(uintptr_t)0xffffffff80000000ULL;
        report(p_load_insn, stub);
        p_load(stub);
    } else if (!strcmp(mode, "nxstack")) { /* #PF: present, user, fetch from the NX stack */
        volatile unsigned char code[64] = {0xc3};
        report((const void *)code, (const void *)code);
        ((void (*)(void))(uintptr_t)code)();
    } else if (!strcmp(mode, "guard")) { /* #PF: not present, write, user: below the stack */
        report(NULL, NULL);
        printf("depth=%d\n", recurse(1));
    } else if (!strcmp(mode, "null")) { /* #PF: not present, user */
        report(p_load_insn, NULL);
        p_load(NULL);
    } else {
        fprintf(stderr, "usage: fault MODE\n");
        return 2;
    }
    printf("survived %s\n", mode);
    return 1;
}
