/* kernel.c - one attack on the stub or the CPU's ring-0 state per argv[1]; prints the attacking
 * instruction (rip=) and the address it targets (addr=) first, then must die.
 * Usage: kernel MODE [HEX], HEX an address for "stubjump". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringbox_abi.h"

/* Each probe is a function whose NAME_insn label marks the instruction that
 * must fault, so the test can compare the reported RIP with it.  The
 * arguments arrive in RDI and RSI. */
#define PROBE(name, setup, insn)                                          \
    __asm__(".text\n.globl " #name "\n.type " #name ", @function\n"       \
            #name ":\n" setup "\n.globl " #name "_insn\n" #name "_insn:\n" \
            insn "\nret\n.size " #name ", . - " #name "\n");              \
    void name(uint64_t arg, uint64_t arg2);                                              \
    extern const char name##_insn[];

#define STR_(x) #x
#define STR(x) STR_(x)

PROBE(p_jump, "", "jmp *%rdi")
PROBE(p_load, "", "movb (%rdi), %al")
PROBE(p_store, "", "movb $0, (%rdi)")
/* An IRETQ frame (SDM Vol. 2A IRET) returning to the next instruction on
 * this very stack, with RDI as CS and RSI as SS: only the selectors are
 * hostile. */
PROBE(p_iretq, "mov %rsp, %rax\npushq %rsi\npushq %rax\npushfq\npushq %rdi\n"
               "lea 1f(%rip), %rax\npushq %rax", "iretq\n1:")
PROBE(p_sysret, "lea 1f(%rip), %rcx\nmov $0x202, %r11", "sysretq\n1:")
PROBE(p_swapgs, "", "swapgs")
/* IA32_KERNEL_GS_BASE, the MSR SWAPGS exchanges (SDM Vol. 4, table 2-2). */
PROBE(p_wrmsr_kgs, "mov $0xc0000102, %ecx\nxor %eax, %eax\nxor %edx, %edx", "wrmsr")
/* The hypercall port in OUT's register form, RAX = exit. */
PROBE(p_outdx, "mov $60, %eax\nxor %edi, %edi\nmov $" STR(RB_HC_PIO_BASE) ", %edx",
      "outl %eax, %dx")
/* A string OUT of a forged fault frame to the fault hypercall's port. */
PROBE(p_outs, "mov %rdi, %rsi\nmov $" STR(RB_FF_SIZE) ", %ecx\nmov $"
              STR(RB_HC_PORT(RB_HC_FAULT)) ", %edx", "rep outsb")
/* A string IN from the syscall port into the program's memory. */
PROBE(p_ins, "mov $" STR(RB_FF_SIZE) ", %ecx\nmov $" STR(RB_HC_PORT(RB_HC_SYSCALL)) ", %edx",
      "rep insb")

static void report(const void *rip, uint64_t addr)
{
    printf("rip=%#lx addr=%#lx\n", (unsigned long)(uintptr_t)rip, (unsigned long)addr);
    fflush(stdout);
}

/* A fault frame that, if the VMM ever took it as the stub's, would claim
 * a kernel RIP. */
static uint64_t forged[RB_FF_SIZE / 8] = {0, 0, 0, RB_STUB_TEXT_VA, RB_KERNEL_CS, 0, 0, RB_KERNEL_DS};
static unsigned char sink[RB_FF_SIZE];

int main(int argc, char **argv)
{
    static const struct {
        const char *mode;
        void (*fn)(uint64_t, uint64_t);
        const char *insn;
        uint64_t arg, arg2;
    } probes[] = {
        {"gdtwrite", p_store, p_store_insn, RB_GDT_VA, 0},
        {"idtread", p_load, p_load_insn, RB_IDT_VA, 0},
        {"idtwrite", p_store, p_store_insn, RB_IDT_VA + 16 * RB_VEC_PF, 0},
        {"tsswrite", p_store, p_store_insn, RB_TSS_VA + 4, 0}, /* RSP0 (SDM Vol. 3A 8.7) */
        {"kstackread", p_load, p_load_insn, RB_KSTACK_TOP - 8, 0},
        {"kstackwrite", p_store, p_store_insn, RB_KSTACK_TOP - 8, 0},
        {"iststackwrite", p_store, p_store_insn, RB_ISTSTACK_TOP - 8, 0},
        {"stubdatawrite", p_store, p_store_insn, RB_STUB_USER_RSP_VA, 0},
        {"beyondstub", p_load, p_load_insn, RB_KERNEL_END, 0},
        {"iretq_kcs", p_iretq, p_iretq_insn, RB_KERNEL_CS, RB_USER_DS},
        {"iretq_kss", p_iretq, p_iretq_insn, RB_USER_CS, RB_KERNEL_DS},
        {"sysret", p_sysret, p_sysret_insn, 0, 0},
        {"swapgs", p_swapgs, p_swapgs_insn, 0, 0},
        {"wrmsr_kgs", p_wrmsr_kgs, p_wrmsr_kgs_insn, 0, 0},
        {"outdx", p_outdx, p_outdx_insn, 0, 0},
        {"outs", p_outs, p_outs_insn, (uint64_t)(uintptr_t)forged, 0},
        {"ins", p_ins, p_ins_insn, (uint64_t)(uintptr_t)sink, 0},
    };
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "stubjump") && argc > 2) {
        uint64_t target = strtoull(argv[2], NULL, 16);
        report((const void *)(uintptr_t)target, target);
        p_jump(target, 0);
        printf("survived %s\n", mode);
        return 1;
    }
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        if (!strcmp(mode, probes[i].mode)) {
            report(probes[i].insn, probes[i].arg);
            probes[i].fn(probes[i].arg, probes[i].arg2);
            printf("survived %s\n", mode);
            return 1;
        }
    fprintf(stderr, "usage: kernel MODE [HEX]\n");
    return 2;
}
