/* kvm.c - the VM, the vCPU, the guest's kernel half and the run loop.
 *
 * Exits are the currency (about 25-45 us each on kvm_pvm): a forwarded
 * syscall costs exactly one KVM_RUN, and registers travel through
 * KVM_CAP_SYNC_REGS, never through GET/SET_REGS per exit.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu.h"
#include "err.h"
#include "fault.h"
#include "kvm.h"
#include "pt.h"
#include "sig.h"
#include "step.h"
#include "sys.h"
#include "trace.h"

extern const uint8_t rb_stub_image[], rb_stub_image_end[];
extern const uint8_t rb_stub_timed_image[], rb_stub_timed_image_end[];

#define SYNC_REGS (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)

/* ---- building the machine ---------------------------------------------- */

static int open_kvm(struct ringbox *rb, struct ringbox_error *err)
{
    rb->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (rb->kvm_fd < 0)
        return rb_fail(err, RINGBOX_ENOKVM, errno, "kvm: cannot open /dev/kvm");
    int version = ioctl(rb->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        return rb_fail(err, RINGBOX_ENOKVM, 0, "kvm: /dev/kvm speaks API version %d, ringbox needs %d",
                       version, KVM_API_VERSION);
    int sync = ioctl(rb->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    if (sync < 0 || (sync & SYNC_REGS) != SYNC_REGS)
        return rb_fail(err, RINGBOX_ENOKVM, 0, "kvm: KVM_CAP_SYNC_REGS for regs and sregs is missing");
    if (ioctl(rb->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0)
        return rb_fail(err, RINGBOX_ENOKVM, 0, "kvm: KVM_CAP_EXT_CPUID is missing");
    return 0;
}

static int create_vm(struct ringbox *rb, struct ringbox_error *err)
{
    rb->vm_fd = ioctl(rb->kvm_fd, KVM_CREATE_VM, 0);
    if (rb->vm_fd < 0)
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_CREATE_VM failed");
    int rc = mem_init(&rb->mem, rb->cfg.mem_bytes);
    if (rc < 0)
        return rb_fail(err, rc == -EINVAL ? RINGBOX_EINVAL : RINGBOX_ENOMEM, -rc,
                       "memory: cannot reserve %llu bytes of guest memory",
                       (unsigned long long)rb->cfg.mem_bytes);
    struct kvm_userspace_memory_region slot = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = rb->mem.size,
        .userspace_addr = (uintptr_t)rb->mem.ram,
    };
    if (ioctl(rb->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_SET_USER_MEMORY_REGION failed");
    rb->vcpu_fd = ioctl(rb->vm_fd, KVM_CREATE_VCPU, 0);
    if (rb->vcpu_fd < 0)
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_CREATE_VCPU failed");
    int size = ioctl(rb->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run))
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_GET_VCPU_MMAP_SIZE failed");
    rb->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, rb->vcpu_fd, 0);
    if (rb->run == MAP_FAILED) {
        rb->run = NULL;
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: cannot map the vCPU's kvm_run");
    }
    rb->run_size = (size_t)size;
    return 0;
}

/* The guest sees the CPU as KVM can present it; ringbox derives from the
 * same table which control-register features to turn on. */
static int setup_cpuid(struct ringbox *rb, struct ringbox_error *err)
{
    for (uint32_t n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
        if (!c)
            return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "kvm: cpuid table");
        c->nent = n;
        if (ioctl(rb->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
            int e = errno;
            free(c);
            if (e == E2BIG)
                continue;
            return rb_fail(err, RINGBOX_EKVM, e, "kvm: KVM_GET_SUPPORTED_CPUID failed");
        }
        cpu_features(&rb->feat, c->entries, c->nent);
        int rc = ioctl(rb->vcpu_fd, KVM_SET_CPUID2, c);
        int e = errno;
        free(c);
        if (rc < 0)
            return rb_fail(err, RINGBOX_EKVM, e, "kvm: KVM_SET_CPUID2 failed");
        return 0;
    }
    return rb_fail(err, RINGBOX_EKVM, E2BIG, "kvm: KVM_GET_SUPPORTED_CPUID");
}

/* One supervisor page of the kernel half, filled from src. */
static int map_kernel_page(struct ringbox *rb, uint64_t va, uint64_t flags, const void *src, size_t len,
                           uint64_t *pa_out)
{
    uint64_t pa;
    int rc = mem_alloc_page(&rb->mem, &pa);
    if (rc < 0)
        return rc;
    if (src)
        memcpy(mem_host(&rb->mem, pa), src, len);
    rc = pt_map(&rb->mem, va, pa, flags | X86_PTE_P | (rb->feat.pge ? X86_PTE_G : 0));
    if (rc == 0 && pa_out)
        *pa_out = pa;
    return rc;
}

static int build_kernel_half(struct ringbox *rb, struct ringbox_error *err)
{
    /* The summary measures the program's ring-3 time with the timed stub's
     * TSC stamps; every other run keeps the default stub's short paths. */
    const uint8_t *stub = rb->cfg.trace.summary ? rb_stub_timed_image : rb_stub_image;
    size_t image = rb->cfg.trace.summary ? (size_t)(rb_stub_timed_image_end - rb_stub_timed_image)
                                         : (size_t)(rb_stub_image_end - rb_stub_image);
    if (image < sizeof(rb->stub) || image > RB_STUB_DATA_VA - RB_STUB_TEXT_VA)
        return rb_fail(err, RINGBOX_EGUEST, 0, "stub: embedded image has size %zu", image);
    memcpy(&rb->stub, stub, sizeof(rb->stub));
    if (rb->stub.magic != RB_STUB_MAGIC || rb->stub.abi_version != RB_ABI_VERSION)
        return rb_fail(err, RINGBOX_EGUEST, 0, "stub: embedded image has the wrong magic or ABI version");

    uint64_t gdt[RB_GDT_ENTRIES], idt[2 * RB_NUM_VECTORS];
    uint8_t tss[X86_TSS64_SIZE];
    cpu_build_gdt(gdt);
    cpu_build_idt(idt, &rb->stub);
    cpu_build_tss(tss);

    /* Text is the only executable kernel page; nothing in the kernel half
     * is writable except the stub's one variable page and its stacks. */
    const uint64_t ro = X86_PTE_NX, rw = X86_PTE_RW | X86_PTE_NX;
    int rc = map_kernel_page(rb, RB_STUB_TEXT_VA, 0, stub, image, NULL);
    if (!rc)
        rc = map_kernel_page(rb, RB_STUB_DATA_VA, rw, NULL, 0, NULL);
    if (!rc)
        rc = map_kernel_page(rb, RB_GDT_VA, ro, gdt, sizeof(gdt), NULL);
    if (!rc)
        rc = map_kernel_page(rb, RB_IDT_VA, ro, idt, sizeof(idt), NULL);
    if (!rc)
        rc = map_kernel_page(rb, RB_TSS_VA, ro, tss, sizeof(tss), NULL);
    if (!rc)
        rc = map_kernel_page(rb, RB_KSTACK_VA, rw, NULL, 0, &rb->kstack_pa);
    if (!rc)
        rc = map_kernel_page(rb, RB_ISTSTACK_VA, rw, NULL, 0, NULL);
    if (rc < 0)
        return rb_fail(err, RINGBOX_ENOMEM, -rc, "memory: guest memory too small for the kernel half");
    return 0;
}

static int setup_sregs(struct ringbox *rb, struct ringbox_error *err)
{
    struct kvm_sregs s;
    if (ioctl(rb->vcpu_fd, KVM_GET_SREGS, &s) < 0)
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_GET_SREGS failed");
    uint64_t gdt[RB_GDT_ENTRIES];
    cpu_build_gdt(gdt);
    /* The hidden parts are derived from the very descriptors in the GDT,
     * so what KVM loads and what IRET/SYSRET would load cannot differ. */
    cpu_segment(&s.cs, RB_KERNEL_CS, gdt[RB_GDT_KERNEL_CS]);
    cpu_segment(&s.ss, RB_KERNEL_DS, gdt[RB_GDT_KERNEL_DS]);
    cpu_segment(&s.ds, RB_USER_DS, gdt[RB_GDT_USER_DS]);
    cpu_segment(&s.es, RB_USER_DS, gdt[RB_GDT_USER_DS]);
    cpu_segment(&s.fs, 0, 0);
    cpu_segment(&s.gs, 0, 0);
    cpu_segment(&s.ldt, 0, 0);
    cpu_segment_tss(&s.tr, RB_TSS_SEL, &gdt[RB_GDT_TSS]);
    s.gdt.base = RB_GDT_VA;
    s.gdt.limit = sizeof(gdt) - 1;
    s.idt.base = RB_IDT_VA;
    s.idt.limit = 2 * RB_NUM_VECTORS * sizeof(uint64_t) - 1;
    s.cr0 = cpu_cr0();
    s.cr3 = rb->mem.cr3;
    s.cr4 = cpu_cr4(&rb->feat);
    s.efer = cpu_efer();
    if (ioctl(rb->vcpu_fd, KVM_SET_SREGS, &s) < 0)
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_SET_SREGS failed");
    return 0;
}

static int setup_msrs(struct ringbox *rb, struct ringbox_error *err)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[6];
    } m = {.hdr.nmsrs = 6,
           .e = {
               {.index = X86_MSR_STAR, .data = cpu_star()},
               {.index = X86_MSR_LSTAR, .data = rb->stub.syscall_entry},
               /* SYSCALL from compatibility mode; unreachable, since the GDT
                * holds no 32-bit code segment, but never left at 0. */
               {.index = X86_MSR_CSTAR, .data = rb->stub.syscall_entry},
               {.index = X86_MSR_SFMASK, .data = cpu_sfmask()},
               /* 0 makes SYSENTER raise #GP (SDM Vol. 2B SYSENTER). */
               {.index = X86_MSR_SYSENTER_CS, .data = 0},
               {.index = X86_MSR_KERNEL_GS_BASE, .data = 0},
           }};
    int n = ioctl(rb->vcpu_fd, KVM_SET_MSRS, &m);
    if (n != (int)m.hdr.nmsrs)
        return rb_fail(err, RINGBOX_EKVM, n < 0 ? errno : 0, "kvm: KVM_SET_MSRS set %d of %u MSRs", n,
                       m.hdr.nmsrs);
    if (rb->feat.xcr0) {
        struct kvm_xcrs x = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = rb->feat.xcr0}}};
        if (ioctl(rb->vcpu_fd, KVM_SET_XCRS, &x) < 0)
            return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_SET_XCRS failed");
    }
    return 0;
}

/* The guest TSC's rate, to turn the timed stub's stamps into ns. */
static int setup_tsc(struct ringbox *rb, struct ringbox_error *err)
{
    int khz = ioctl(rb->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0)
        return rb_fail(err, RINGBOX_ENOKVM, khz < 0 ? errno : 0,
                       "kvm: KVM_GET_TSC_KHZ failed: the trace's summary cannot time ring 3");
    rb->trace.tsc_khz = (uint64_t)khz;
    rb->trace.timed = true;
    return 0;
}

int kvm_build(struct ringbox *rb, struct ringbox_error *err)
{
    int rc = open_kvm(rb, err);
    if (!rc)
        rc = create_vm(rb, err);
    if (!rc)
        rc = setup_cpuid(rb, err);
    if (!rc)
        rc = build_kernel_half(rb, err);
    if (!rc)
        rc = setup_sregs(rb, err);
    if (!rc)
        rc = setup_msrs(rb, err);
    if (!rc && rb->cfg.trace.summary)
        rc = setup_tsc(rb, err);
    return rc;
}

void kvm_teardown(struct ringbox *rb)
{
    if (rb->run)
        munmap(rb->run, rb->run_size);
    if (rb->vcpu_fd >= 0)
        close(rb->vcpu_fd);
    if (rb->vm_fd >= 0)
        close(rb->vm_fd);
    if (rb->kvm_fd >= 0)
        close(rb->kvm_fd);
    mem_fini(&rb->mem);
    rb->run = NULL;
    rb->vcpu_fd = rb->vm_fd = rb->kvm_fd = -1;
}

uint64_t kvm_user_rsp(const struct ringbox *rb)
{
    uint64_t rsp = 0;
    mem_read_kernel(&rb->mem, &rsp, RB_STUB_USER_RSP_VA, sizeof(rsp));
    return rsp;
}

/* ---- the run loop ------------------------------------------------------ */

static int cpl(struct ringbox *rb)
{
    return vm_sregs(rb)->cs.selector & 3;
}

/* Resume the stub at one of its return labels.  RIP is always written, so
 * it does not matter whether this KVM reported the OUT's own address (the
 * architectural KVMs) or the one after it (kvm_pvm). */
static void resume_at(struct ringbox *rb, uint64_t label, uint64_t flush_label)
{
    struct kvm_regs *r = vm_regs(rb);
    if (rb->mem.flush) {
        rb->mem.flush = false;
        rb->res->counters.tlb_flushes++;
        label = flush_label;
    }
    r->rip = label;
    rb->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

/* Replace the user context: IRETQ to rip/rsp with the given flags. */
static void resume_iret(struct ringbox *rb, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
    struct rb_iret_frame f = {
        .rip = rip, .cs = RB_USER_CS, .rflags = cpu_user_rflags(rflags), .rsp = rsp, .ss = RB_USER_DS};
    uint64_t top = RB_KSTACK_TOP - sizeof(f);
    memcpy(mem_host(&rb->mem, rb->kstack_pa) + (top - RB_KSTACK_VA), &f, sizeof(f));
    vm_regs(rb)->rsp = top;
    resume_at(rb, rb->stub.ret_iret, rb->stub.ret_flush_iret);
}

void kvm_resume_user(struct ringbox *rb, const struct kvm_regs *u)
{
    struct kvm_regs *r = vm_regs(rb);
    assert(u->rip < X86_USER_CANONICAL_END);
    if (cpl(rb) == 3) {
        *r = *u;
        r->rflags = cpu_user_rflags(u->rflags);
        rb->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
        return;
    }
    uint64_t ring0_flags = r->rflags;
    *r = *u;
    r->rflags = ring0_flags;
    resume_iret(rb, u->rip, u->rsp, u->rflags);
}

/* A #GP the program caused at rip with the given user RSP and RFLAGS: the
 * vCPU may be in the stub (a bad syscall return address), so the user
 * context is passed in, never taken from the current registers. */
static void user_gp(struct ringbox *rb, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
    struct rb_fault_frame f = {
        .vector = X86_VEC_GP,
        .rip = rip,
        .cs = RB_USER_CS,
        .rflags = rflags,
        .rsp = rsp,
        .ss = RB_USER_DS,
    };
    fault_user(rb, &f);
}

/* Serve the syscall and choose the way back; says which it chose. */
static enum trace_back serve_syscall(struct ringbox *rb, const struct sys_args *a, int64_t *retp)
{
    int64_t ret = *retp = sys_dispatch(rb, a);
    if (rb->ended)
        return TRACE_BACK_NONE;
    struct kvm_regs *r = vm_regs(rb);
    r->rax = (uint64_t)ret;
    /* RCX and R11 are what SYSRET restores.  On the kvm_pvm route a program
     * can reach LSTAR with any RCX/R11 it likes (by jumping there), so both
     * are checked: a non-user RIP would make SYSRETQ fault in ring 0, and
     * R11 must not smuggle IOPL or NT into ring 3. */
    if (r->rcx >= RB_USER_TOP) {
        user_gp(rb, r->rcx, kvm_user_rsp(rb), r->r11);
        return rb->ended ? TRACE_BACK_NONE : TRACE_BACK_IRET;
    }
    r->r11 = cpu_user_rflags(r->r11);
    if (sig_work(rb)) {
        /* Signals to deliver, a mask to restore, or rt_sigreturn's
         * context: the whole user context may change, so IRETQ. */
        struct kvm_regs u = *r;
        u.rip = r->rcx;
        u.rflags = r->r11;
        u.rsp = kvm_user_rsp(rb);
        if (sig_exit_to_user(rb, &u, a->nr)) {
            if (rb->ended)
                return TRACE_BACK_NONE;
            kvm_resume_user(rb, &u);
            return TRACE_BACK_IRET;
        }
        if (rb->ended)
            return TRACE_BACK_NONE;
    }
    resume_at(rb, rb->stub.ret_sysret, rb->stub.ret_flush_sysret);
    return TRACE_BACK_SYSRET;
}

static void traced_syscall(struct ringbox *rb, enum trace_route route)
{
    struct kvm_regs *r = vm_regs(rb);
    struct sys_args a = {.nr = (long)r->rax, .a = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9}};
    if (!trace_on(rb)) {
        int64_t ret;
        serve_syscall(rb, &a, &ret);
        return;
    }
    /* The trace reads what the program passed before the call changes it. */
    struct decoded_call call;
    if (trace_shows_syscall(rb, a.nr))
        decode_enter(&rb->mem, &a, &call);
    int64_t ret;
    enum trace_back back = serve_syscall(rb, &a, &ret);
    trace_syscall(rb, &a, &call, ret, route, back);
}

static void handle_syscall(struct ringbox *rb, enum trace_route route)
{
    if (!step_on(rb)) {
        traced_syscall(rb, route);
        return;
    }
    struct ringbox_transition t = {.kind = RINGBOX_CROSS_SYSCALL, .nr = (long)vm_regs(rb)->rax};
    step_syscall_regs(rb, &t.before);
    /* RCX is past the SYSCALL; a program that jumped to LSTAR has none. */
    uint8_t insn[2];
    t.insn_addr = t.before.rip;
    if (mem_copy_from_user(&rb->mem, insn, t.before.rip - 2, 2) == 0 && insn[0] == 0x0f && insn[1] == 0x05)
        t.insn_addr = t.before.rip - 2;
    traced_syscall(rb, route);
    step_report(rb, &t);
}

/* The access in a #PF error code is allowed by the current tables: the
 * fault came from a stale translation and the instruction is retried. */
static bool pf_spurious(struct ringbox *rb, const struct rb_fault_frame *f)
{
    uint64_t pa, eff;
    if (f->vector != X86_VEC_PF || pt_translate(&rb->mem, f->cr2, &pa, &eff) < 0)
        return false;
    if (!(eff & X86_PTE_US))
        return false;
    if ((f->error_code & X86_PF_W) && !(eff & X86_PTE_RW))
        return false;
    if ((f->error_code & X86_PF_I) && (eff & X86_PTE_NX))
        return false;
    return !(f->error_code & X86_PF_RSVD);
}

static int handle_fault(struct ringbox *rb, struct ringbox_error *err)
{
    struct rb_fault_frame f;
    uint64_t rsp = vm_regs(rb)->rsp;
    if ((rsp != RB_KSTACK_TOP - RB_FF_SIZE && rsp != RB_ISTSTACK_TOP - RB_FF_SIZE) ||
        mem_read_kernel(&rb->mem, &f, rsp, sizeof(f)) < 0)
        return rb_fail(err, RINGBOX_EGUEST, 0, "stub: fault frame at unexpected rsp 0x%llx",
                       (unsigned long long)rsp);
    if ((f.cs & 3) != 3)
        return rb_fail(err, RINGBOX_EGUEST, 0,
                       "stub: %s in ring 0 at rip 0x%llx (error 0x%llx, cr2 0x%llx)",
                       ringbox_vector_name((int)f.vector), (unsigned long long)f.rip,
                       (unsigned long long)f.error_code, (unsigned long long)f.cr2);
    bool spurious = pf_spurious(rb, &f);
    if (trace_on(rb))
        trace_fault(rb, &f, spurious);
    if (spurious) {
        /* Rewind to the CPU's own frame and IRET back to the instruction. */
        vm_regs(rb)->rsp = rsp + RB_FF_RIP;
        rb->mem.flush = true;
        resume_at(rb, rb->stub.ret_iret, rb->stub.ret_flush_iret);
        return 0;
    }
    fault_user(rb, &f);
    return 0;
}

/* kvm_pvm reports ring-3 port I/O with RIP already past the instruction;
 * the architectural KVMs never exit for it (ring 3 gets #GP from the TSS's
 * missing I/O bitmap).  Find where the IN/OUT began from its encoding
 * (SDM Vol. 2A IN, OUT, INS, OUTS) so the report names the right one. */
static uint64_t io_insn_start(struct ringbox *rb, uint64_t rip)
{
    uint8_t b[2];
    struct kvm_run *run = rb->run;
    if (mem_copy_from_user(&rb->mem, b, rip - 2, 2) < 0)
        return rip;
    uint64_t start = rip;
    if (b[0] >= 0xe4 && b[0] <= 0xe7 && b[1] == (run->io.port & 0xff))
        start = rip - 2; /* IN/OUT with an imm8 port */
    else if ((b[1] >= 0xec && b[1] <= 0xef) || (b[1] >= 0x6c && b[1] <= 0x6f))
        start = rip - 1; /* port in DX, or INS/OUTS */
    else
        return rip;
    uint8_t prefix;
    while (mem_copy_from_user(&rb->mem, &prefix, start - 1, 1) == 0 &&
           ((prefix == 0x66 && run->io.size == 2) || (prefix == 0xf3 && run->io.count > 1)))
        start--;
    return start;
}

static bool is_hypercall(struct ringbox *rb, int nr)
{
    struct kvm_run *run = rb->run;
    uint64_t rip = vm_regs(rb)->rip;
    return run->io.port == RB_HC_PORT(nr) && run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4 &&
           run->io.count == 1 && cpl(rb) == 0 && (rip == rb->stub.hc_insn[nr] || rip == rb->stub.hc_next[nr]);
}

static int handle_io(struct ringbox *rb, struct ringbox_error *err)
{
    if (is_hypercall(rb, RB_HC_SYSCALL)) {
        rb->res->counters.hypercalls++;
        rb->res->counters.syscalls_via_syscall++;
        handle_syscall(rb, TRACE_ROUTE_SYSCALL);
        return 0;
    }
    if (is_hypercall(rb, RB_HC_SYSCALL_PF)) {
        rb->res->counters.hypercalls++;
        rb->res->counters.syscalls_via_pf++;
        handle_syscall(rb, TRACE_ROUTE_PF);
        return 0;
    }
    if (is_hypercall(rb, RB_HC_FAULT)) {
        rb->res->counters.hypercalls++;
        return handle_fault(rb, err);
    }
    rb->res->counters.rejected_io++;
    if (trace_on(rb))
        trace_rejected(rb, "port I/O", rb->run->io.port, vm_regs(rb)->rip, cpl(rb));
    if (cpl(rb) != 3)
        return rb_fail(err, RINGBOX_EGUEST, 0, "stub: stray port I/O to 0x%x at rip 0x%llx",
                       rb->run->io.port, (unsigned long long)vm_regs(rb)->rip);
    user_gp(rb, io_insn_start(rb, vm_regs(rb)->rip), vm_regs(rb)->rsp, vm_regs(rb)->rflags);
    return 0;
}

static int handle_exit(struct ringbox *rb, struct ringbox_error *err)
{
    struct kvm_run *run = rb->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        return handle_io(rb, err);
    case KVM_EXIT_MMIO:
    case KVM_EXIT_HLT:
        /* Only a guest that found a way around the page tables or the
         * privilege check gets here; from ring 3 it is a #GP. */
        rb->res->counters.rejected_io++;
        if (trace_on(rb))
            trace_rejected(rb, run->exit_reason == KVM_EXIT_HLT ? "HLT" : "MMIO", 0, vm_regs(rb)->rip,
                           cpl(rb));
        if (cpl(rb) == 3) {
            user_gp(rb, vm_regs(rb)->rip, vm_regs(rb)->rsp, vm_regs(rb)->rflags);
            return 0;
        }
        return rb_fail(err, RINGBOX_EGUEST, 0, "stub: unexpected %s exit at rip 0x%llx",
                       run->exit_reason == KVM_EXIT_HLT ? "HLT" : "MMIO",
                       (unsigned long long)vm_regs(rb)->rip);
    case KVM_EXIT_SHUTDOWN:
        return rb_fail(err, RINGBOX_EGUEST, 0, "guest: triple fault at rip 0x%llx",
                       (unsigned long long)vm_regs(rb)->rip);
    case KVM_EXIT_FAIL_ENTRY:
        return rb_fail(err, RINGBOX_EGUEST, 0, "kvm: VM entry failed, reason 0x%llx",
                       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
    case KVM_EXIT_INTERNAL_ERROR:
        return rb_fail(err, RINGBOX_EGUEST, 0, "kvm: internal error, suberror %u at rip 0x%llx",
                       run->internal.suberror, (unsigned long long)vm_regs(rb)->rip);
    default:
        return rb_fail(err, RINGBOX_EGUEST, 0, "kvm: unexpected exit reason %u", run->exit_reason);
    }
}

int kvm_prepare(struct ringbox *rb, struct ringbox_error *err)
{
    /* The first entry is the stub's own IRETQ, from CPL 0 on the kernel
     * stack, into ring 3 at the program's entry with every GPR zero (the
     * psABI leaves them unspecified; Linux zeroes them, rdx included). */
    struct kvm_regs regs = {.rflags = X86_RFLAGS_FIXED};
    if (ioctl(rb->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_SET_REGS failed");
    rb->run->kvm_valid_regs = SYNC_REGS;
    rb->run->kvm_dirty_regs = 0;
    if (ioctl(rb->vcpu_fd, KVM_GET_REGS, vm_regs(rb)) < 0)
        return rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_GET_REGS failed");
    rb->mem.flush = false;
    resume_iret(rb, rb->entry, rb->user_sp, 0);
    return 0;
}

int kvm_loop(struct ringbox *rb, struct ringbox_error *err)
{
    bool tracing = trace_on(rb);
    if (tracing)
        trace_run_begin(rb);
    int status = 0;
    while (!rb->ended) {
        if (tracing)
            trace_kvm_enter(rb, trace_now_ns());
        int rc = ioctl(rb->vcpu_fd, KVM_RUN, 0);
        if (tracing)
            trace_kvm_exit(rb, trace_now_ns());
        if (rc < 0) {
            /* RINGBOX_HOST_SIGNAL: the guest's alarm expired, or a kick. */
            if (errno == EINTR) {
                sig_host_interrupt(rb);
                continue;
            }
            if (errno == EAGAIN)
                continue;
            status = rb_fail(err, RINGBOX_EKVM, errno, "kvm: KVM_RUN failed");
            break;
        }
        rb->res->counters.exits++;
        rb->run->kvm_dirty_regs = 0;
        status = handle_exit(rb, err);
        if (status < 0)
            break;
    }
    if (tracing)
        trace_run_end(rb);
    return status;
}
