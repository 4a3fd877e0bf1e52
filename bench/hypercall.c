/* hypercall.c - the bare cost of one hypercall: the stub's own OUT at CPL 0,
 * the exit to the VMM, and the re-entry, with registers through sync regs as
 * the run loop does it, and no ring-3 transition and no syscall work.
 * Usage: hypercall N.  Prints "per_hypercall_us native_getppid_us". */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kvm.h"
#include "vm.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_t *rb;
    ringbox_config_init(&cfg);
    cfg.mem_bytes = 64 << 20;
    if (ringbox_create(&cfg, &rb, &err) < 0) {
        fprintf(stderr, "hypercall: %s\n", err.message);
        return 1;
    }
    uint64_t hc = rb->stub.hc_insn[RB_HC_SYSCALL];
    struct kvm_regs regs = {.rip = hc, .rsp = RB_KSTACK_TOP, .rflags = 2};
    if (ioctl(rb->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return 1;
    rb->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    double t0 = 0;
    for (long i = -100; i < n; i++) { /* 100 warm-up rounds */
        if (i == 0)
            t0 = now_us();
        if (ioctl(rb->vcpu_fd, KVM_RUN, 0) < 0 || rb->run->exit_reason != KVM_EXIT_IO ||
            rb->run->io.port != RB_HC_PORT(RB_HC_SYSCALL)) {
            fprintf(stderr, "hypercall: unexpected exit %u\n", rb->run->exit_reason);
            return 1;
        }
        vm_regs(rb)->rip = hc;
        rb->run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
    }
    double per = (now_us() - t0) / (double)n;
    t0 = now_us();
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    double native = (now_us() - t0) / (double)n;
    printf("%.2f %.3f\n", per, native);
    ringbox_destroy(rb);
    return 0;
}
