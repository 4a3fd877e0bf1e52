/* ringbox_abi.h - the contract between the ring-0 stub (guest/) and the VMM (vmm/).
 *
 * Self-contained and C99/assembler-clean: the stub includes it from .S files
 * (where __ASSEMBLER__ is defined), the VMM from C.  Every layout both sides
 * touch is pinned with _Static_assert so a change on one side cannot drift
 * silently from the other.
 */
#ifndef RINGBOX_ABI_H
#define RINGBOX_ABI_H

#ifdef __ASSEMBLER__
#define RB_U64(x) x
#else
#include <stdint.h>
#define RB_U64(x) x##ULL
#endif

#define RB_ABI_VERSION 2
#define RB_STUB_MAGIC 0x78627272 /* "rrbx" little-endian */

/* ---- Hypercalls -----------------------------------------------------------
 * A hypercall is `outl %eax, $RB_HC_PORT(nr)` executed by the stub at CPL 0.
 * Port I/O, not VMCALL/VMMCALL: VMMCALL at CPL 0 wedges the vCPU on kvm_pvm,
 * and a port exit costs the same everywhere.  Arguments travel in registers
 * (read through KVM_CAP_SYNC_REGS), so the data word is unused.  The VMM
 * honours a hypercall only at the exact instruction the stub header names
 * for that number, at CPL 0; any other port I/O is a #GP by the program.
 */
#define RB_HC_PIO_BASE 0xb0 /* imm8 form of OUT: no register is clobbered */
#define RB_HC_SYSCALL 0     /* forward the Linux syscall in the user registers */
#define RB_HC_FAULT 1       /* an exception; struct rb_fault_frame at RSP */
/* The same as RB_HC_SYSCALL, reached by kvm_pvm's route: SYSCALL kept CPL 3
 * and arrived as a #PF at LSTAR.  Its own port lets the VMM count the routes
 * at no cost to the stub; an architectural CPU never issues it. */
#define RB_HC_SYSCALL_PF 2
#define RB_HC_COUNT 3
#define RB_HC_PORT(nr) (RB_HC_PIO_BASE + (nr))

/* A guest syscall number no Linux has, answered -ENOSYS like any unknown
 * one.  Only the test build of the VMM (-DRB_TEST_HOOKS, build/test/, never
 * installed) gives it a meaning: the VMM then makes a host syscall its
 * seccomp allowlist forbids, so the tests can watch the filter kill it
 * (tests/progs/hook.c). */
#define RB_TEST_HOOK_SYSCALL 0x7262 /* "rb" */
/* Two more for the test build, host calls that the filter lets through but
 * the VMM's other layers (Landlock, the dropped capabilities) must refuse
 * (tests/progs/privdrop.c); each answers 0 or the host's -errno:
 *   OPEN:   openat2(AT_FDCWD, path, O_RDONLY), path the guest string at arg0;
 *   CREATE: openat2(the host fd of the mount at guest path arg0, the name
 *           at arg1, O_CREAT | O_WRONLY) beneath that fd, as the view's
 *           own lookups are made. */
#define RB_TEST_HOOK_OPEN (RB_TEST_HOOK_SYSCALL + 1)
#define RB_TEST_HOOK_CREATE (RB_TEST_HOOK_SYSCALL + 2)

/* ---- Guest virtual memory map ---------------------------------------------
 * The lower half is the program's.  RB_USER_TOP leaves the last page below
 * the canonical hole unmapped, as Linux's TASK_SIZE does, so SYSCALL's saved
 * RCX is always canonical and SYSRET cannot #GP in ring 0 (SDM Vol. 2B,
 * SYSRET, "Operation").  Below RB_USER_MIN nothing is ever mapped, so null
 * pointer dereferences fault (Linux's default vm.mmap_min_addr).
 *
 * The stub and its tables live in the top 2 GiB, supervisor-only.  That
 * range allows `mov $imm32, %reg` (sign-extended) addressing in the stub and
 * is where kvm_pvm requires a guest kernel.  Unlisted pages between the
 * entries are unmapped guards.
 */
#define RB_PAGE_SIZE 4096
#define RB_USER_MIN RB_U64(0x10000)
#define RB_USER_TOP RB_U64(0x00007ffffffff000)

#define RB_KERNEL_BASE RB_U64(0xffffffff80000000)
#define RB_STUB_TEXT_VA (RB_KERNEL_BASE + 0x0000)  /* RX: stub code, header first */
#define RB_STUB_DATA_VA (RB_KERNEL_BASE + 0x1000)  /* RW NX: stub variables */
/* The interrupted user RSP while a syscall is forwarded: one vCPU, IF clear
 * in ring 0, so one slot.  The VMM reads it here for the user context. */
#define RB_STUB_USER_RSP_VA (RB_STUB_DATA_VA + 0)
/* The timed stub only (built with RB_STUB_TIMED, loaded for the trace's
 * summary): the TSC when ring 3 last entered the stub, and just before
 * the stub last returned to ring 3.  Their difference is the guest's own
 * ring-3 time between two crossings (docs/trace.md). */
#define RB_STUB_TSC_IN_VA (RB_STUB_DATA_VA + 8)
#define RB_STUB_TSC_OUT_VA (RB_STUB_DATA_VA + 16)
#define RB_GDT_VA (RB_KERNEL_BASE + 0x2000)        /* RO NX */
#define RB_IDT_VA (RB_KERNEL_BASE + 0x3000)        /* RO NX */
#define RB_TSS_VA (RB_KERNEL_BASE + 0x4000)        /* RO NX */
#define RB_KSTACK_VA (RB_KERNEL_BASE + 0x6000)     /* RW NX, guards at 0x5000/0x7000 */
#define RB_KSTACK_TOP (RB_KSTACK_VA + RB_PAGE_SIZE)
#define RB_ISTSTACK_VA (RB_KERNEL_BASE + 0x8000)   /* RW NX, guard at 0x9000 */
#define RB_ISTSTACK_TOP (RB_ISTSTACK_VA + RB_PAGE_SIZE)
#define RB_KERNEL_END (RB_KERNEL_BASE + 0xa000)

/* The stub's text, header included, must fit this many bytes.  Each ring-0
 * instruction costs about 0.6 us on kvm_pvm, so the budget is kept tight
 * and the Makefile refuses a stub that outgrows it. */
#define RB_STUB_TEXT_BUDGET 1024

/* ---- GDT ------------------------------------------------------------------
 * Ordered for SYSCALL/SYSRET (SDM Vol. 2B SYSCALL, SYSRET; APM Vol. 2 6.1.1):
 * SYSCALL loads CS = STAR[47:32] and SS = STAR[47:32] + 8; SYSRET to 64-bit
 * mode loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8.  The slot at
 * STAR[63:48] itself is for 32-bit SYSRET, which ringbox never uses, so it
 * stays a null descriptor: far transfers to it fault, leaving no way into
 * compatibility mode.  The TSS descriptor is 16 bytes in long mode
 * (SDM Vol. 3A 7.2.3) and takes two slots.
 */
#define RB_GDT_NULL 0
#define RB_GDT_KERNEL_CS 1
#define RB_GDT_KERNEL_DS 2
#define RB_GDT_USER_CS32 3 /* never present; anchors SYSRET's arithmetic */
#define RB_GDT_USER_DS 4
#define RB_GDT_USER_CS 5
#define RB_GDT_TSS 6 /* and 7 */
#define RB_GDT_ENTRIES 8

#define RB_SEL(index, rpl) (((index) << 3) | (rpl))
#define RB_KERNEL_CS RB_SEL(RB_GDT_KERNEL_CS, 0)
#define RB_KERNEL_DS RB_SEL(RB_GDT_KERNEL_DS, 0)
#define RB_USER_CS32 RB_SEL(RB_GDT_USER_CS32, 3)
#define RB_USER_DS RB_SEL(RB_GDT_USER_DS, 3)
#define RB_USER_CS RB_SEL(RB_GDT_USER_CS, 3)
#define RB_TSS_SEL RB_SEL(RB_GDT_TSS, 0)

/* IST slot used for #DF, NMI and #MC so a stub fault reports cleanly
 * instead of triple-faulting (SDM Vol. 3A 6.14.5). */
#define RB_IST_CRITICAL 1

/* ---- Frames on the kernel stack -------------------------------------------
 * On an exception from ring 3 the CPU pushes SS, RSP, RFLAGS, CS, RIP and,
 * for some vectors, an error code (SDM Vol. 3A 6.14.2).  The stub pushes a
 * zero error code where the CPU does not, then the vector, then CR2, and
 * issues RB_HC_FAULT with RSP pointing at the result.
 */
#define RB_FF_CR2 0
#define RB_FF_VECTOR 8
#define RB_FF_ERROR 16
#define RB_FF_RIP 24
#define RB_FF_CS 32
#define RB_FF_RFLAGS 40
#define RB_FF_RSP 48
#define RB_FF_SS 56
#define RB_FF_SIZE 64

/* Vectors whose exceptions push an error code (SDM Vol. 3A table 6-1). */
#define RB_VEC_HAS_ERROR(v) \
    ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
#define RB_VEC_PF 14
#define RB_NUM_VECTORS 32

/* ---- Stub header ----------------------------------------------------------
 * The first bytes of the stub image, at RB_STUB_TEXT_VA.  The VMM reads every
 * address it needs from here instead of hard-coding stub offsets.
 *
 * Return labels: after a hypercall the VMM always sets RIP to one of them.
 *   ret_sysret       restore the saved user RSP and SYSRETQ (RCX, R11)
 *   ret_iret         IRETQ through a struct rb_iret_frame the VMM placed at RSP
 *   ret_flush_*      reload CR3 first, because the VMM changed a present
 *                    mapping (SDM Vol. 3A 4.10.4.1), then as above
 */
#define RB_SH_MAGIC 0
#define RB_SH_VERSION 4
#define RB_SH_SYSCALL_ENTRY 8
#define RB_SH_HC_INSN 16                          /* [RB_HC_COUNT] */
#define RB_SH_HC_NEXT (RB_SH_HC_INSN + 8 * RB_HC_COUNT) /* [RB_HC_COUNT] */
#define RB_SH_RET_SYSRET (RB_SH_HC_NEXT + 8 * RB_HC_COUNT)
#define RB_SH_RET_IRET (RB_SH_RET_SYSRET + 8)
#define RB_SH_RET_FLUSH_SYSRET (RB_SH_RET_IRET + 8)
#define RB_SH_RET_FLUSH_IRET (RB_SH_RET_FLUSH_SYSRET + 8)
#define RB_SH_VECTORS (RB_SH_RET_FLUSH_IRET + 8) /* [RB_NUM_VECTORS] */
#define RB_SH_SIZE (RB_SH_VECTORS + 8 * RB_NUM_VECTORS)

#ifndef __ASSEMBLER__

struct rb_fault_frame {
    uint64_t cr2;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

/* What IRETQ pops in 64-bit mode (SDM Vol. 2A IRET). */
struct rb_iret_frame {
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

struct rb_stub_header {
    uint32_t magic;
    uint32_t abi_version;
    uint64_t syscall_entry;           /* LSTAR */
    uint64_t hc_insn[RB_HC_COUNT];    /* address of each hypercall's OUT */
    uint64_t hc_next[RB_HC_COUNT];    /* address just past it */
    uint64_t ret_sysret;
    uint64_t ret_iret;
    uint64_t ret_flush_sysret;
    uint64_t ret_flush_iret;
    uint64_t vectors[RB_NUM_VECTORS]; /* IDT handler for each exception */
};

#define RB_ABI_OFF(type, field) __builtin_offsetof(struct type, field)

_Static_assert(RB_KERNEL_DS == RB_KERNEL_CS + 8, "SYSCALL loads SS = CS + 8");
_Static_assert(RB_USER_DS == RB_USER_CS32 + 8, "SYSRET loads SS = STAR[63:48] + 8");
_Static_assert(RB_USER_CS == RB_USER_CS32 + 16, "SYSRETQ loads CS = STAR[63:48] + 16");
_Static_assert(RB_GDT_TSS + 2 <= RB_GDT_ENTRIES, "the long-mode TSS descriptor takes two slots");
_Static_assert(RB_HC_PORT(RB_HC_COUNT - 1) <= 0xff, "hypercall ports must fit OUT's imm8 form");
_Static_assert(RB_STUB_DATA_VA - RB_STUB_TEXT_VA >= RB_STUB_TEXT_BUDGET, "stub text overlaps its data");
_Static_assert(RB_SH_SIZE < RB_STUB_TEXT_BUDGET, "stub header alone exceeds the stub budget");
_Static_assert((RB_KERNEL_BASE >> 31) == 0x1ffffffffULL, "stub must sit in the sign-extended imm32 range");
_Static_assert(sizeof(struct rb_fault_frame) == RB_FF_SIZE, "fault frame size");
_Static_assert(RB_ABI_OFF(rb_fault_frame, cr2) == RB_FF_CR2, "fault frame cr2");
_Static_assert(RB_ABI_OFF(rb_fault_frame, vector) == RB_FF_VECTOR, "fault frame vector");
_Static_assert(RB_ABI_OFF(rb_fault_frame, error_code) == RB_FF_ERROR, "fault frame error");
_Static_assert(RB_ABI_OFF(rb_fault_frame, rip) == RB_FF_RIP, "fault frame rip");
_Static_assert(RB_ABI_OFF(rb_fault_frame, cs) == RB_FF_CS, "fault frame cs");
_Static_assert(RB_ABI_OFF(rb_fault_frame, rflags) == RB_FF_RFLAGS, "fault frame rflags");
_Static_assert(RB_ABI_OFF(rb_fault_frame, rsp) == RB_FF_RSP, "fault frame rsp");
_Static_assert(RB_ABI_OFF(rb_fault_frame, ss) == RB_FF_SS, "fault frame ss");
_Static_assert(RB_ABI_OFF(rb_fault_frame, rip) - RB_ABI_OFF(rb_fault_frame, error_code) == 8,
               "the CPU's frame follows the error code");
_Static_assert(sizeof(struct rb_iret_frame) == 40, "IRETQ pops five quadwords");
_Static_assert(RB_ABI_OFF(rb_stub_header, magic) == RB_SH_MAGIC, "stub header magic");
_Static_assert(RB_ABI_OFF(rb_stub_header, abi_version) == RB_SH_VERSION, "stub header version");
_Static_assert(RB_ABI_OFF(rb_stub_header, syscall_entry) == RB_SH_SYSCALL_ENTRY, "stub header lstar");
_Static_assert(RB_ABI_OFF(rb_stub_header, hc_insn) == RB_SH_HC_INSN, "stub header hc_insn");
_Static_assert(RB_ABI_OFF(rb_stub_header, hc_next) == RB_SH_HC_NEXT, "stub header hc_next");
_Static_assert(RB_ABI_OFF(rb_stub_header, ret_sysret) == RB_SH_RET_SYSRET, "stub header sysret");
_Static_assert(RB_ABI_OFF(rb_stub_header, ret_iret) == RB_SH_RET_IRET, "stub header iret");
_Static_assert(RB_ABI_OFF(rb_stub_header, ret_flush_sysret) == RB_SH_RET_FLUSH_SYSRET,
               "stub header flush sysret");
_Static_assert(RB_ABI_OFF(rb_stub_header, ret_flush_iret) == RB_SH_RET_FLUSH_IRET,
               "stub header flush iret");
_Static_assert(RB_ABI_OFF(rb_stub_header, vectors) == RB_SH_VECTORS, "stub header vectors");
_Static_assert(sizeof(struct rb_stub_header) == RB_SH_SIZE, "stub header size");

#endif /* !__ASSEMBLER__ */
#endif /* RINGBOX_ABI_H */
