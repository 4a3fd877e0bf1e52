/* vm.h - the sandbox handle: one KVM VM, one vCPU, one guest process. */
#ifndef RB_VM_H
#define RB_VM_H

#include <linux/kvm.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "ringbox.h"
#include "ringbox_abi.h"
#include "fd.h"
#include "fs.h"
#include "hostinfo.h"
#include "limit.h"
#include "mem.h"
#include "mm.h"
#include "sig.h"

/* What the host CPU (as KVM presents it) offers the guest. */
struct cpu_features {
    bool smep, smap, umip, xsave, mce, pge;
    uint64_t xcr0;     /* XCR0 to load: supported components ringbox enables */
    uint32_t xsave_size; /* bytes XSAVE writes for xcr0 (standard format); 0 without XSAVE */
    uint32_t hwcap;    /* AT_HWCAP: CPUID.1:EDX, as Linux reports it */
};

/* Linux's struct sigaction as the kernel ABI lays it out (x86-64). */
struct rb_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

struct rb_altstack {
    uint64_t sp;
    int32_t flags;
    uint32_t pad;
    uint64_t size;
};

#define RB_NSIG 64

/* The guest's ids: the sandbox looks like a fresh PID namespace, where the
 * program is not init (pid 1 would change how signals reach it) but its
 * child, as under `unshare --pid --fork` with a minimal init. */
#define RB_GUEST_PID 2
#define RB_GUEST_PPID 1

/* Linux-visible state of the one guest process. */
struct rb_proc {
    char *exe;                 /* host path, for AT_EXECFN and /proc/self/exe */
    uint64_t clear_child_tid;  /* set_tid_address */
    uint64_t robust_list, robust_len;
    struct rb_sigaction act[RB_NSIG + 1];
    uint64_t sigmask;
    uint64_t sigpending;       /* bit sig-1: pending (sig.h) */
    struct rb_altstack altstack;
    uint64_t rlim_cur[16], rlim_max[16]; /* by RLIMIT_* */
    uint32_t uid, gid;
    char comm[16];             /* PR_SET_NAME; the program's basename at load (TASK_COMM_LEN) */
    bool undumpable;           /* PR_SET_DUMPABLE 0 */
    bool no_new_privs;         /* PR_SET_NO_NEW_PRIVS */
    int pdeathsig;             /* PR_SET_PDEATHSIG: recorded; the parent never dies first */
};

/* Per-syscall totals for the summary (ringbox_trace_summary). */
struct trace_count {
    uint64_t calls, errors, exits, ns;
};

/* The trace's clock and totals for one run, all host CLOCK_MONOTONIC ns
 * except ring3_ns (the guest's TSC, converted). */
struct trace_state {
    bool on;              /* streaming or summing: cfg.trace_fd >= 0 or summary */
    bool timed;           /* the timed stub is loaded: ring 3 time is measured */
    uint64_t t0, t_end;   /* the run loop's start and end */
    uint64_t entered;     /* when the last KVM_RUN began */
    uint64_t exited;      /* when it returned */
    uint64_t run_ns;      /* how long it lasted */
    uint64_t kvm_ns;      /* all KVM_RUN time */
    uint64_t vmm_ns;      /* all time between KVM_RUNs */
    uint64_t ring3_ns;    /* guest ring-3 time, from the timed stub's TSC stamps */
    uint64_t last_ring3_ns; /* the ring-3 part of the last KVM_RUN */
    uint64_t tsc_khz;     /* KVM_GET_TSC_KHZ */
    uint64_t tsc_in;      /* the last RB_STUB_TSC_IN_VA stamp seen */
    uint64_t seq;         /* events so far, shown or not */
    uint64_t exits_seen;  /* counters.exits at the last syscall event */
    bool summed;          /* a run filled the summary */
    struct trace_count by_nr[RINGBOX_SYSCALL_SLOTS + 1]; /* the last: numbers beyond */
};

struct ringbox {
    struct ringbox_config cfg;
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    struct cpu_features feat;
    struct guest_mem mem;
    struct mm mm;
    struct rb_stub_header stub;
    uint64_t kstack_pa; /* guest-physical page behind RB_KSTACK_VA */

    bool loaded, load_failed, ran;
    uint64_t entry, user_sp; /* where ring 3 starts */
    struct rb_proc proc;
    struct fd_table fds;
    struct sig_state sig;
    struct fs_view fs;
    struct limit_state lim;
    struct hostinfo host; /* uname's strings, the guest's device and inode numbers */

    /* The current run. */
    bool ended;
    struct trace_state trace; /* trace.h */
    struct ringbox_result *res;
    uint64_t step_seq; /* crossings reported to on_transition */
    bool step_done;    /* it asked to run on, or to kill */
};

/* The registers KVM_CAP_SYNC_REGS mirrors after every exit. */
static inline struct kvm_regs *vm_regs(struct ringbox *rb)
{
    return &rb->run->s.regs.regs;
}
static inline struct kvm_sregs *vm_sregs(struct ringbox *rb)
{
    return &rb->run->s.regs.sregs;
}
/* Mark sregs changed so KVM loads them at the next KVM_RUN (no ioctl). */
static inline void vm_sregs_dirty(struct ringbox *rb)
{
    rb->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
}

/* Whether the next return to ring 3 has signal work (sig.h): one branch
 * on the hot path. */
static inline bool sig_work(const struct ringbox *rb)
{
    return ((rb->proc.sigpending & ~rb->proc.sigmask) | rb->sig.flags) != 0;
}

/* End the run: the program exited with `status` (0-255).  Only while a
 * run is in progress (rb->res set), as for vm_kill. */
void vm_exit(struct ringbox *rb, int status);
/* End the run: killed by `sig`, taking its default action (Term or Core:
 * res->core_dumped); handlers are sig.h's business. */
void vm_kill(struct ringbox *rb, int sig);

#endif
