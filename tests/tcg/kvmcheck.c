/* kvmcheck.c - the TCG lane's smoke test: does /dev/kvm run a guest, and is it architectural? */
/*
 * Five probes, each in a fresh VM with no in-kernel irqchip:
 *
 *   realmode  real-mode code computes 2 + 3 and writes it with OUT: one
 *             KVM_EXIT_IO carrying 5, then KVM_EXIT_HLT. Proves that KVM
 *             runs a guest at all, which tells "KVM under TCG works" apart
 *             from "ringbox fails".
 *   exits     real mode, 1000 OUTs in a loop: prints the cost of one
 *             port-I/O exit and back, for docs/tcg.md.
 *   ring3-io  64-bit long mode entered directly at CPL 3, IOPL 0, a TSS
 *             without an I/O bitmap; ring 3 executes OUT. The architecture
 *             (SDM Vol. 1 19.5.1, Vol. 2B OUT) raises #GP(0), delivered
 *             through a DPL-0 gate to a CPL-0 handler that reports the error
 *             code, the faulting RIP and the pushed CS. kvm_pvm instead exits
 *             to the VMM at CPL 3.
 *   syscall   the same machine; ring 3 executes SYSCALL. The architecture
 *             (SDM Vol. 2B SYSCALL) enters LSTAR at CPL 0 with CS from
 *             STAR[47:32] and RCX = the return RIP. kvm_pvm keeps CPL 3.
 *
 *   int3      the same machine; ring 3 executes INT3 through a DPL-0 gate:
 *             #GP. Reported only: QEMU 7.2 pushes a wrong error code.
 *
 * Usage: kvmcheck [-a]. Exits 0 if every probe ran and, with -a (require
 * architectural behaviour, as the TCG lane does), ring3-io took #GP and
 * syscall reached CPL 0. Self-contained on purpose: it shares no code with
 * ringbox, so a failure here is KVM's and a failure only in the suite is
 * ringbox's. Literal encodings are fine here, as in any test: they pin the
 * architecture, not ringbox's headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE 0x10000
#define PORT_RESULT 0x10 /* real-mode result; ring 3's OUT target */
#define PORT_ERRCODE 0x11 /* #GP handler: error code */
#define PORT_RIP 0x12 /* #GP handler: faulting RIP; SYSCALL entry: RCX */
#define PORT_CS 0x13 /* #GP handler: pushed CS; SYSCALL entry: CS */
#define PORT_BADVEC 0x1f /* any other exception: its vector */

/* Guest-physical layout of the long-mode probes. */
#define GDT_ADDR 0x0000
#define IDT_ADDR 0x0100 /* 32 gates of 16 bytes */
#define TSS_ADDR 0x0300 /* 104 bytes, I/O map base past the limit */
#define TSS_LIMIT 0x67
#define GP_HANDLER 0x1000
#define OTHER_HANDLERS 0x1100 /* 8 bytes per vector */
#define SYSCALL_ENTRY 0x1800
#define RING3_CODE 0x2000
#define PML4_ADDR 0x3000
#define PDPT_ADDR 0x4000
#define PD_ADDR 0x5000
#define RING3_STACK 0x7000
#define RING0_STACK 0x8000

/* GDT indices; a selector is index << 3 | RPL. The TSS takes two slots. */
#define GDT_CODE0 1
#define GDT_DATA0 2
#define GDT_CODE3 3
#define GDT_DATA3 4
#define GDT_TSS 5
#define SEL(idx, rpl) ((uint16_t)((idx) << 3 | (rpl)))

/* Descriptor access bytes (P | DPL | S | type) and flags (G | D/B | L | AVL). */
#define ACC_CODE0 0x9a
#define ACC_DATA0 0x92
#define ACC_CODE3 0xfa
#define ACC_DATA3 0xf2
#define ACC_TSS 0x89 /* available 64-bit TSS */
#define FLAGS_CODE64 0xa /* G, L */
#define FLAGS_DATA 0xc /* G, B */

#define X86_CR0_PE 0x1u
#define X86_CR0_ET 0x10u
#define X86_CR0_PG 0x80000000u
#define X86_CR4_PAE 0x20u
#define X86_EFER_SCE 0x1u
#define X86_EFER_LME 0x100u
#define X86_EFER_LMA 0x400u
#define X86_MSR_STAR 0xc0000081u
#define X86_MSR_LSTAR 0xc0000082u
#define X86_MSR_SFMASK 0xc0000084u
#define PTE_P 0x1u
#define PTE_RW 0x2u
#define PTE_US 0x4u
#define PTE_PS 0x80u
#define X86_EFLAGS_FIXED 0x2u /* bit 1 is always set; IOPL 0, IF 0 */
#define X86_GP_VECTOR 13

static int kvm_fd = -1;

struct vm {
    int fd, vcpu;
    uint8_t *mem;
    struct kvm_run *run;
};

static void die(const char *what)
{
    fprintf(stderr, "kvmcheck: %s: %s\n", what, strerror(errno));
    exit(2);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void vm_create(struct vm *vm)
{
    vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (vm->fd < 0)
        die("KVM_CREATE_VM");
    vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (vm->mem == MAP_FAILED)
        die("mmap guest memory");
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (uintptr_t)vm->mem,
    };
    if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        die("KVM_SET_USER_MEMORY_REGION");
    vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu < 0)
        die("KVM_CREATE_VCPU");
    int size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < 0)
        die("KVM_GET_VCPU_MMAP_SIZE");
    vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
    if (vm->run == MAP_FAILED)
        die("mmap kvm_run");
}

static void vm_destroy(struct vm *vm)
{
    close(vm->vcpu);
    close(vm->fd);
    munmap(vm->mem, MEM_SIZE);
}

/* Real mode, CS:IP = 0:entry, flat data segments at 0. */
static void set_realmode(struct vm *vm, uint16_t entry)
{
    struct kvm_sregs sregs;
    if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    struct kvm_regs regs = { .rip = entry, .rflags = X86_EFLAGS_FIXED, .rsp = 0x8000 };
    if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs) < 0)
        die("KVM_SET_SREGS");
    if (ioctl(vm->vcpu, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS");
}

static int run_once(struct vm *vm)
{
    if (ioctl(vm->vcpu, KVM_RUN, 0) < 0)
        die("KVM_RUN");
    return (int)vm->run->exit_reason;
}

static uint32_t io_value(const struct vm *vm)
{
    uint32_t v = 0;
    memcpy(&v, (const uint8_t *)vm->run + vm->run->io.data_offset, vm->run->io.size);
    return v;
}

static int is_out(const struct vm *vm, uint16_t port)
{
    return vm->run->exit_reason == KVM_EXIT_IO && vm->run->io.direction == KVM_EXIT_IO_OUT &&
           vm->run->io.port == port;
}

static const char *exit_name(int reason)
{
    switch (reason) {
    case KVM_EXIT_IO: return "IO";
    case KVM_EXIT_HLT: return "HLT";
    case KVM_EXIT_MMIO: return "MMIO";
    case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
    case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
    case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
    default: return "other";
    }
}

static int probe_realmode(void)
{
    static const uint8_t code[] = {
        0xb0, 0x02,       /* mov al, 2 */
        0x04, 0x03,       /* add al, 3 */
        0xe6, PORT_RESULT, /* out PORT_RESULT, al */
        0xf4,             /* hlt */
    };
    struct vm vm;
    vm_create(&vm);
    memcpy(vm.mem + 0x1000, code, sizeof(code));
    set_realmode(&vm, 0x1000);
    int ok = 0;
    int r = run_once(&vm);
    if (!is_out(&vm, PORT_RESULT) || vm.run->io.size != 1 || io_value(&vm) != 5) {
        printf("kvmcheck: realmode: FAIL: first exit %s (%d), wanted OUT 5 to port 0x%x\n", exit_name(r), r,
               PORT_RESULT);
    } else if ((r = run_once(&vm)) != KVM_EXIT_HLT) {
        printf("kvmcheck: realmode: FAIL: second exit %s (%d), wanted HLT\n", exit_name(r), r);
    } else {
        printf("kvmcheck: realmode: ok (OUT 0x%x = 5, then HLT)\n", PORT_RESULT);
        ok = 1;
    }
    vm_destroy(&vm);
    return ok;
}

static int probe_exits(void)
{
    enum { N = 1000 };
    static const uint8_t code[] = {
        0xb9, N & 0xff, N >> 8, /* mov cx, N */
        0xe6, PORT_RESULT,      /* 1: out PORT_RESULT, al */
        0xe2, 0xfc,             /* loop 1b */
        0xf4,                   /* hlt */
    };
    struct vm vm;
    double t0 = now_us();
    vm_create(&vm);
    memcpy(vm.mem + 0x1000, code, sizeof(code));
    set_realmode(&vm, 0x1000);
    int n = 0, r;
    double t1 = 0;
    while ((r = run_once(&vm)) == KVM_EXIT_IO && is_out(&vm, PORT_RESULT))
        if (n++ == 0)
            t1 = now_us();
    double t2 = now_us();
    vm_destroy(&vm);
    if (r != KVM_EXIT_HLT || n != N) {
        printf("kvmcheck: exits: FAIL: %d port-I/O exits then %s (%d), wanted %d then HLT\n", n, exit_name(r), r, N);
        return 0;
    }
    printf("kvmcheck: exits: ok (create VM to first exit %.0f us; %d port-I/O exits, %.1f us each)\n", t1 - t0, N,
           (t2 - t1) / (N - 1));
    return 1;
}

static void gdt_set(uint8_t *mem, int idx, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint8_t *d = mem + GDT_ADDR + 8 * idx;
    d[0] = limit & 0xff;
    d[1] = (limit >> 8) & 0xff;
    d[2] = base & 0xff;
    d[3] = (base >> 8) & 0xff;
    d[4] = (base >> 16) & 0xff;
    d[5] = access;
    d[6] = (uint8_t)((flags << 4) | ((limit >> 16) & 0xf));
    d[7] = (base >> 24) & 0xff;
}

/* The same descriptor as KVM_SET_SREGS wants it. */
static struct kvm_segment seg(int idx, int rpl, uint8_t access, uint8_t flags)
{
    return (struct kvm_segment){
        .base = 0, .limit = 0xffffffff, .selector = SEL(idx, rpl), .type = access & 0xf,
        .present = (access >> 7) & 1, .dpl = (access >> 5) & 3, .s = (access >> 4) & 1,
        .l = (flags >> 1) & 1, .db = (flags >> 2) & 1, .g = (flags >> 3) & 1,
    };
}

/*
 * 64-bit long mode, entered directly at CPL 3 with IOPL 0: identity-mapped
 * first 2 MiB (user pages), GDT, 64-bit TSS without an I/O bitmap, an IDT
 * sending #GP to GP_HANDLER and every other exception to a stub reporting
 * its vector, and SYSCALL to SYSCALL_ENTRY with CS 0x08.
 */
static void setup_long_mode(struct vm *vm, uint64_t rip)
{
    uint8_t *m = vm->mem;
    gdt_set(m, GDT_CODE0, 0, 0xfffff, ACC_CODE0, FLAGS_CODE64);
    gdt_set(m, GDT_DATA0, 0, 0xfffff, ACC_DATA0, FLAGS_DATA);
    gdt_set(m, GDT_CODE3, 0, 0xfffff, ACC_CODE3, FLAGS_CODE64);
    gdt_set(m, GDT_DATA3, 0, 0xfffff, ACC_DATA3, FLAGS_DATA);
    gdt_set(m, GDT_TSS, TSS_ADDR, TSS_LIMIT, ACC_TSS, 0); /* upper 8 bytes: base 63:32 = 0 */

    /* 64-bit TSS: RSP0 at 4; I/O map base at 0x66 past the limit: no bitmap. */
    uint64_t rsp0 = RING0_STACK;
    uint16_t iomap = TSS_LIMIT + 1;
    memcpy(m + TSS_ADDR + 4, &rsp0, 8);
    memcpy(m + TSS_ADDR + 0x66, &iomap, 2);

    for (int v = 0; v < 32; v++) {
        uint32_t off = v == X86_GP_VECTOR ? GP_HANDLER : OTHER_HANDLERS + 8u * v;
        uint8_t *g = m + IDT_ADDR + 16 * v;
        memset(g, 0, 16);
        g[0] = off & 0xff;
        g[1] = (off >> 8) & 0xff;
        g[2] = SEL(GDT_CODE0, 0);
        g[5] = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
        g[6] = (off >> 16) & 0xff;
        g[7] = (off >> 24) & 0xff;
        const uint8_t other[] = { 0xb0, (uint8_t)v, 0xe6, PORT_BADVEC, 0xf4 }; /* mov al, v; out; hlt */
        memcpy(m + OTHER_HANDLERS + 8 * v, other, sizeof(other));
    }
    static const uint8_t gp[] = {
        0x58,                         /* pop rax: error code */
        0xe7, PORT_ERRCODE,           /* out PORT_ERRCODE, eax */
        0x48, 0x8b, 0x04, 0x24,       /* mov rax, [rsp]: RIP */
        0xe7, PORT_RIP,               /* out PORT_RIP, eax */
        0x48, 0x8b, 0x44, 0x24, 0x08, /* mov rax, [rsp+8]: CS */
        0xe7, PORT_CS,                /* out PORT_CS, eax */
        0xf4,                         /* hlt */
    };
    memcpy(m + GP_HANDLER, gp, sizeof(gp));
    static const uint8_t sys[] = {
        0x8c, 0xc8,        /* mov eax, cs */
        0xe7, PORT_CS,     /* out PORT_CS, eax */
        0x89, 0xc8,        /* mov eax, ecx: return RIP */
        0xe7, PORT_RIP,    /* out PORT_RIP, eax */
        0xf4,              /* hlt */
    };
    memcpy(m + SYSCALL_ENTRY, sys, sizeof(sys));

    /* One 2 MiB page at 0, present, writable, user. */
    uint64_t pml4e = PDPT_ADDR | PTE_P | PTE_RW | PTE_US, pdpte = PD_ADDR | PTE_P | PTE_RW | PTE_US;
    uint64_t pde = 0 | PTE_P | PTE_RW | PTE_US | PTE_PS;
    memcpy(m + PML4_ADDR, &pml4e, 8);
    memcpy(m + PDPT_ADDR, &pdpte, 8);
    memcpy(m + PD_ADDR, &pde, 8);

    struct kvm_sregs sregs;
    if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS");
    sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
    sregs.cr3 = PML4_ADDR;
    sregs.cr4 = X86_CR4_PAE;
    sregs.efer = X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA;
    sregs.gdt.base = GDT_ADDR;
    sregs.gdt.limit = 8 * (GDT_TSS + 2) - 1;
    sregs.idt.base = IDT_ADDR;
    sregs.idt.limit = 16 * 32 - 1;
    sregs.cs = seg(GDT_CODE3, 3, ACC_CODE3, FLAGS_CODE64);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg(GDT_DATA3, 3, ACC_DATA3, FLAGS_DATA);
    sregs.tr = (struct kvm_segment){
        .base = TSS_ADDR, .limit = TSS_LIMIT, .selector = SEL(GDT_TSS, 0), .type = 0xb, /* busy, as after LTR */
        .present = 1,
    };
    if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs) < 0)
        die("KVM_SET_SREGS (long mode)");

    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[3];
    } msrs = {
        .hdr.nmsrs = 3,
        .e = {
            { .index = X86_MSR_STAR, .data = (uint64_t)SEL(GDT_CODE0, 0) << 32 },
            { .index = X86_MSR_LSTAR, .data = SYSCALL_ENTRY },
            { .index = X86_MSR_SFMASK, .data = 0 },
        },
    };
    if (ioctl(vm->vcpu, KVM_SET_MSRS, &msrs) != 3)
        die("KVM_SET_MSRS");

    struct kvm_regs regs = { .rip = rip, .rsp = RING3_STACK, .rflags = X86_EFLAGS_FIXED };
    if (ioctl(vm->vcpu, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS");
}

static int exit_cpl(const struct vm *vm)
{
    struct kvm_sregs sregs;
    if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS");
    return sregs.cs.selector & 3;
}

/* The exit that is not the one wanted: say what it was. */
static void report_other(const char *probe, const struct vm *vm, int r)
{
    if (is_out(vm, PORT_BADVEC))
        printf("kvmcheck: %s: FAIL: exception vector %u\n", probe, io_value(vm));
    else if (r == KVM_EXIT_IO)
        printf("kvmcheck: %s: FAIL: port-I/O exit, port 0x%x\n", probe, vm->run->io.port);
    else
        printf("kvmcheck: %s: FAIL: exit %s (%d)\n", probe, exit_name(r), r);
}

static int probe_ring3_io(int *architectural)
{
    static const uint8_t ring3[] = {
        0xb0, 0x42,        /* mov al, 0x42 */
        0xe6, PORT_RESULT, /* out PORT_RESULT, al: #GP, CPL 3 > IOPL 0 */
        0xf4,              /* hlt */
    };
    const uint32_t fault_rip = RING3_CODE + 2;
    struct vm vm;
    vm_create(&vm);
    memcpy(vm.mem + RING3_CODE, ring3, sizeof(ring3));
    setup_long_mode(&vm, RING3_CODE);

    int ok = 0;
    *architectural = 0;
    int r = run_once(&vm);
    if (is_out(&vm, PORT_RESULT)) {
        printf("kvmcheck: ring3-io: port-I/O exit to the VMM at CPL %d (kvm_pvm behaviour, not architectural)\n",
               exit_cpl(&vm));
        ok = 1;
    } else if (is_out(&vm, PORT_ERRCODE)) {
        uint32_t err = io_value(&vm), rip = 0, cs = 0;
        int cpl = exit_cpl(&vm);
        if ((r = run_once(&vm)) == KVM_EXIT_IO && is_out(&vm, PORT_RIP))
            rip = io_value(&vm);
        if ((r = run_once(&vm)) == KVM_EXIT_IO && is_out(&vm, PORT_CS))
            cs = io_value(&vm);
        r = run_once(&vm);
        if (err == 0 && cpl == 0 && rip == fault_rip && (cs & 0xffff) == SEL(GDT_CODE3, 3) && r == KVM_EXIT_HLT) {
            printf("kvmcheck: ring3-io: #GP(0) taken at CPL 0 from RIP 0x%x, CS 0x%x (architectural)\n", rip, cs);
            *architectural = ok = 1;
        } else {
            printf("kvmcheck: ring3-io: FAIL: #GP handler saw error 0x%x at CPL %d, RIP 0x%x, CS 0x%x, then %s;"
                   " wanted 0, CPL 0, 0x%x, 0x%x, HLT\n",
                   err, cpl, rip, cs, exit_name(r), fault_rip, SEL(GDT_CODE3, 3));
        }
    } else {
        report_other("ring3-io", &vm, r);
    }
    vm_destroy(&vm);
    return ok;
}

/*
 * INT3 in ring 3 through a DPL-0 gate: #GP with error code (3 << 3) | 2, the
 * IDT flag set and the gate's index (SDM Vol. 3A 6.12.1.1 and 6.13). Only
 * reported, never failed: QEMU 7.2 pushes 3 * 16 + 2 (it scales by the 16-byte
 * long-mode gate size), and ringbox's tests must not depend on the code.
 */
static void probe_int3(void)
{
    static const uint8_t ring3[] = {
        0xcc, /* int3 */
        0xf4, /* hlt */
    };
    const uint32_t want = 3 << 3 | 2;
    struct vm vm;
    vm_create(&vm);
    memcpy(vm.mem + RING3_CODE, ring3, sizeof(ring3));
    setup_long_mode(&vm, RING3_CODE);
    int r = run_once(&vm);
    if (is_out(&vm, PORT_ERRCODE)) {
        uint32_t err = io_value(&vm);
        printf("kvmcheck: int3: #GP(0x%x) through the DPL-0 gate (%s; architectural is 0x%x)\n", err,
               err == want ? "architectural" : err == (3 << 4 | 2) ? "QEMU 7.2's known wrong code" : "unexpected code",
               want);
    } else if (is_out(&vm, PORT_BADVEC)) {
        printf("kvmcheck: int3: vector %u instead of #GP (kvm_pvm behaviour, not architectural)\n", io_value(&vm));
    } else {
        printf("kvmcheck: int3: exit %s (%d) instead of #GP\n", exit_name(r), r);
    }
    vm_destroy(&vm);
}

static int probe_syscall(int *architectural)
{
    static const uint8_t ring3[] = {
        0x0f, 0x05, /* syscall */
        0xf4,       /* hlt */
    };
    struct vm vm;
    vm_create(&vm);
    memcpy(vm.mem + RING3_CODE, ring3, sizeof(ring3));
    setup_long_mode(&vm, RING3_CODE);

    int ok = 0;
    *architectural = 0;
    int r = run_once(&vm);
    if (is_out(&vm, PORT_CS)) {
        uint32_t cs = io_value(&vm), rcx = 0;
        int cpl = exit_cpl(&vm);
        if ((r = run_once(&vm)) == KVM_EXIT_IO && is_out(&vm, PORT_RIP))
            rcx = io_value(&vm);
        if (cpl == 0 && cs == SEL(GDT_CODE0, 0) && rcx == RING3_CODE + 2) {
            printf("kvmcheck: syscall: LSTAR entered at CPL 0, CS 0x%x, RCX 0x%x (architectural)\n", cs, rcx);
            *architectural = ok = 1;
        } else if (cpl == 3 && rcx == RING3_CODE + 2) {
            printf("kvmcheck: syscall: LSTAR entered at CPL 3, CS 0x%x (kvm_pvm behaviour, not architectural)\n", cs);
            ok = 1;
        } else {
            printf("kvmcheck: syscall: FAIL: LSTAR entered at CPL %d, CS 0x%x, RCX 0x%x\n", cpl, cs, rcx);
        }
    } else if (is_out(&vm, PORT_ERRCODE)) {
        /* The entry's OUT faulted: it ran at CPL 3. The #GP handler reports where. */
        uint32_t err = io_value(&vm), rip = 0, cs = 0;
        if ((r = run_once(&vm)) == KVM_EXIT_IO && is_out(&vm, PORT_RIP))
            rip = io_value(&vm);
        if ((r = run_once(&vm)) == KVM_EXIT_IO && is_out(&vm, PORT_CS))
            cs = io_value(&vm);
        if (rip == SYSCALL_ENTRY + 2 && (cs & 3) == 3) {
            printf("kvmcheck: syscall: LSTAR entered at CPL 3, its OUT raised #GP(0x%x), CS 0x%x"
                   " (kvm_pvm behaviour, not architectural)\n", err, cs);
            ok = 1;
        } else {
            printf("kvmcheck: syscall: FAIL: #GP(0x%x) from RIP 0x%x, CS 0x%x\n", err, rip, cs);
        }
    } else {
        report_other("syscall", &vm, r);
    }
    vm_destroy(&vm);
    return ok;
}

int main(int argc, char **argv)
{
    int require_arch = argc > 1 && strcmp(argv[1], "-a") == 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0)
        die("open /dev/kvm");
    int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        printf("kvmcheck: FAIL: KVM_GET_API_VERSION is %d, wanted %d\n", api, KVM_API_VERSION);
        return 1;
    }
    printf("kvmcheck: API version %d, KVM_CAP_SYNC_REGS %d\n", api,
           ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS));

    int io_arch = 0, sys_arch = 0;
    int ok = probe_realmode();
    ok &= probe_exits();
    ok &= probe_ring3_io(&io_arch);
    ok &= probe_syscall(&sys_arch);
    probe_int3();
    if (require_arch && !(io_arch && sys_arch)) {
        printf("kvmcheck: FAIL: -a given and this KVM is not architectural (see above)\n");
        ok = 0;
    }
    printf("kvmcheck: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
