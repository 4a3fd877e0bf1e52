/* sig.h - Linux signals for the one guest process: pending sets, delivery
 * through rt_sigframes in ring 3, rt_sigreturn, default actions, and the
 * ITIMER_REAL alarm that interrupts the vCPU from the host.
 *
 * Signals are made pending with sig_send() and delivered at the next return
 * to ring 3 (kvm.c calls sig_exit_to_user() when vm.h's sig_work() says
 * so), as
 * Linux delivers them in exit_to_user_mode_loop().  Standard and realtime
 * signals alike are pending at most once: the sandbox has nobody to queue
 * realtime signals from but itself.
 */
#ifndef RB_SIG_H
#define RB_SIG_H

#include <linux/kvm.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "ringbox.h"

struct ringbox;
struct rb_fault_frame;

/* The host signal that interrupts KVM_RUN and blocking host calls when the
 * guest's alarm expires (RINGBOX_HOST_SIGNAL in ringbox.h). */
#define SIG_HOST RINGBOX_HOST_SIGNAL

/* Linux's restart codes (include/linux/errno.h): a handler returns them for
 * a blocking call that a signal interrupted; sig_exit_to_user() turns them
 * into -EINTR or a restart, so the guest never sees them. */
#define SIG_ERESTARTSYS 512    /* restart if the handler has SA_RESTART */
#define SIG_ERESTARTNOHAND 514 /* restart only if no handler runs */

/* struct siginfo as x86-64 Linux lays it out (include/uapi/asm-generic/siginfo.h). */
struct sig_info {
    int32_t signo, err, code, pad;
    union {
        uint64_t addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
        struct {
            int32_t pid;
            uint32_t uid;
        } kill;        /* SI_USER, SI_TKILL */
        uint8_t bytes[112];
    };
};

/* The signal half of the handle (struct ringbox.sig). */
struct sig_state {
    struct sig_info info[65];   /* by signal number, while pending */
    /* Work at the next return to ring 3 besides pending signals. */
    uint32_t flags;
    uint64_t saved_mask;        /* with SIG_F_RESTORE_MASK */
    struct kvm_regs ret_ctx;    /* with SIG_F_SIGRETURN: the context to resume */
    /* The last exception's vector, error code and #PF address, which every
     * later frame's sigcontext reports, as Linux's thread.trap_nr etc. */
    uint64_t trap_no, trap_err, trap_cr2;
    uint32_t mxcsr_mask;        /* MXCSR bits this CPU accepts (FXSAVE's) */
    /* ITIMER_REAL: the next expiry and the period, CLOCK_MONOTONIC ns; 0 when off. */
    int64_t alarm_at, alarm_every;
    /* The host side, while a run is in progress. */
    bool timer_made, mask_set, kicked;
    int timer;                  /* kernel timer id (timer_create(2)) */
    sigset_t host_mask;         /* the thread's mask before ringbox_run */
};
#define SIG_F_RESTORE_MASK 1u   /* put saved_mask back, as Linux's TIF_RESTORE_SIGMASK */
#define SIG_F_SIGRETURN 2u      /* rt_sigreturn replaced the user context */

/* Make `sig` pending with si_code `code` (SI_USER and SI_TKILL fill in the
 * sender, the process itself).  A signal that is ignored and not blocked is
 * discarded, as Linux's sig_ignored(); one already pending is not queued
 * again. */
void sig_send(struct ringbox *rb, int sig, int code, int errno_value);

/* The return to ring 3 with pending work.  `u` is the user context about to
 * be resumed (RAX holds the syscall result when `syscall_nr` >= 0, for the
 * restart rules of signal(7)); it is updated to the context to resume:
 * a handler's frame, the context rt_sigreturn restored, or a restarted
 * syscall.  The run may end (a default action).  Returns false when the
 * context did not change and may be resumed as it was. */
bool sig_exit_to_user(struct ringbox *rb, struct kvm_regs *u, long syscall_nr);

/* An exception from ring 3 that the program handles: delivers it with its
 * siginfo and returns true.  False when its signal must take the default
 * action instead (no handler, or blocked or ignored, which Linux's
 * force_sig_fault() turns into the default). */
bool sig_fault(struct ringbox *rb, const struct rb_fault_frame *f, int sig);

/* Default action of `sig` (signal(7)). */
enum sig_default { SIG_DFL_TERM, SIG_DFL_CORE, SIG_DFL_IGN, SIG_DFL_STOP };
enum sig_default sig_default_action(int sig);

/* rt_sigreturn: validate the ucontext at user RSP `uc` and stage it; the
 * guest gets SIGSEGV (default action) for a frame that is unreadable or
 * names state it cannot have.  Returns the restored RAX. */
int64_t sig_return(struct ringbox *rb, uint64_t uc);

/* sigaltstack's rules (kernel/signal.c, do_sigaltstack()) with the user RSP
 * `sp`: -EPERM while running on the alternate stack. */
int sig_altstack_set(struct ringbox *rb, const void *ss, uint64_t sp);
/* The stack_t sigaltstack reports for user RSP `sp`. */
void sig_altstack_get(const struct ringbox *rb, void *ss, uint64_t sp);

/* Change the blocked mask (SIGKILL and SIGSTOP are removed). */
void sig_set_mask(struct ringbox *rb, uint64_t mask);
/* For the duration of one blocking call (rt_sigsuspend, ppoll, pselect6):
 * install `mask`; sig_mask_restore() puts the old one back, at once when
 * the call was not interrupted, or after the handler's frame records it in
 * uc_sigmask when it was (`interrupted`), as Linux's
 * restore_saved_sigmask_unless(). */
void sig_mask_swap(struct ringbox *rb, uint64_t mask);
void sig_mask_restore(struct ringbox *rb, bool interrupted);

/* A signal is pending that is not blocked: a blocking call must end. */
bool sig_interrupted(const struct ringbox *rb);

/* Sleep on `clk` until the absolute time `end` (NULL: until a signal),
 * returning 0 at the end or -EINTR as soon as a signal the guest would take
 * is pending, the alarm's included.  Race-free: the sleep stops at the
 * alarm's deadline instead of waiting for its host signal. */
int sig_sleep(struct ringbox *rb, clockid_t clk, const struct timespec *end);

/* The absolute end on `clk` of a guest's valid timespec (sec >= 0, nsec
 * below 10^9), relative unless `abs`, saturated at KTIME_MAX ns as Linux's
 * hrtimers saturate it (include/linux/time64.h, timespec64_to_ktime(); and
 * ktime_add_safe()): any sec up to INT64_MAX is a valid request, and
 * sig_sleep() needs an end whose nanoseconds fit in 64 bits. */
struct timespec sig_sleep_end(clockid_t clk, int64_t sec, int64_t nsec, bool abs);

/* Around one blocking host call made for the guest that sig_sleep() cannot
 * express (a read on a pipe or tty): sig_wait_begin() returns -EINTR if a
 * signal is already pending, and otherwise lets SIG_HOST interrupt the
 * host call (it then fails with EINTR; the caller returns
 * -SIG_ERESTARTSYS).  sig_wait_end() blocks SIG_HOST again and makes an
 * expired alarm pending.  The alarm can still expire between the two
 * checks and the host call itself; the call then waits until it ends on
 * its own. */
int sig_wait_begin(struct ringbox *rb);
void sig_wait_end(struct ringbox *rb);

/* ITIMER_REAL: arm (`value_ns` 0 disarms) and read, in ns. */
void sig_alarm_set(struct ringbox *rb, int64_t value_ns, int64_t interval_ns);
void sig_alarm_get(const struct ringbox *rb, int64_t *value_ns, int64_t *interval_ns);

/* Read what the FPU accepts, once the vCPU exists.  0 or -errno. */
int sig_init(struct ringbox *rb);

/* The host side of a run, on the thread that runs the vCPU: the handler
 * for SIG_HOST (once per process), SIG_HOST blocked outside KVM_RUN and
 * unblocked inside it (KVM_SET_SIGNAL_MASK), the POSIX timer aimed at this
 * thread.  sig_run_end() disarms it and restores the thread's mask.  The
 * timer itself is deleted by sig_fini() at ringbox_destroy. */
int sig_run_begin(struct ringbox *rb);
void sig_run_end(struct ringbox *rb);
void sig_fini(struct ringbox *rb);

/* KVM_RUN ended with EINTR.  Consume SIG_HOST, make an expired alarm
 * pending, and if the vCPU is in ring 3 or at one of the stub's return
 * labels, deliver at once; elsewhere in the stub, or with an exception on
 * its way in (kvm_pvm's SYSCALL leaves CPL 3 at LSTAR), the hypercall it
 * is heading for delivers, or a kick 100 us later. */
void sig_host_interrupt(struct ringbox *rb);

#endif
