/* seccomp.c - the allowlist the VMM runs under once the guest can run.
 *
 * Installed by ringbox_run() as the last step before the first KVM_RUN, on
 * the calling thread only (no TSYNC), so an embedder's other threads keep
 * their freedom.  Anything not listed kills the process: a VMM that asks for
 * something else is compromised or buggy, and either way must stop.
 */
#define _GNU_SOURCE /* AT_EMPTY_PATH, MFD_CLOEXEC, O_DIRECT, O_NOATIME, RUSAGE_THREAD */
#include <asm/ioctls.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "err.h"
#include "fd.h"
#include "seccomp.h"

struct rule {
    int nr;
    unsigned n;
    struct scmp_arg_cmp arg[2];
};

#define ALLOW(name) {.nr = SCMP_SYS(name)}
#define ALLOW1(name, a) {.nr = SCMP_SYS(name), .n = 1, .arg = {a}}
#define ALLOW2(name, a, b) {.nr = SCMP_SYS(name), .n = 2, .arg = {a, b}}

int seccomp_confine(struct ringbox *rb, struct ringbox_error *err)
{
    const struct scmp_arg_cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
    const struct rule rules[] = {
        /* The run loop: KVM_RUN on our own vCPU and nothing else. */
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, KVM_RUN)),
        /* Signal frames (sig.c): the FPU state saved into a frame, the
         * clean state a handler starts with, and rt_sigreturn's. */
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, KVM_GET_XSAVE)),
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, KVM_SET_XSAVE)),
        /* The guest's alarm (sig.c): re-aiming and, at ringbox_destroy,
         * deleting this sandbox's own host timer; consuming its signal
         * after KVM_RUN returns EINTR (an 8-byte kernel sigset). */
        ALLOW1(timer_settime, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->sig.timer)),
        ALLOW1(timer_delete, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->sig.timer)),
        ALLOW1(rt_sigtimedwait, SCMP_A3(SCMP_CMP_EQ, 8)),
        /* The time limits (limit.c): deleting this run's own two timers
         * when it ends (-1 for a limit not set: no timer has that id). */
        ALLOW1(timer_delete, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->lim.timer[0])),
        ALLOW1(timer_delete, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->lim.timer[1])),
        /* The guest's files (sys_io.c): zero-copy vectored I/O on the host
         * fds in its table, fstat made as the raw syscall, and the two
         * terminal queries it may make. */
        ALLOW(readv),
        ALLOW(preadv),
        ALLOW(writev),
        ALLOW(pwritev),
        ALLOW(fstat),
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_NE, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, TCGETS)),
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_NE, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ)),
        /* The file view (fs.c, sys_fs.c, procfs.c).  Every lookup is an
         * openat2 that the host confines beneath a mount's fd with
         * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS (a
         * filter cannot read the struct, so that rule lives in fs_host_open);
         * the rest act on an fd from such a lookup and one plain name, and
         * fs_fini removes the private directory with them. */
        ALLOW(openat2),
        ALLOW(readlinkat),
        ALLOW1(statx, SCMP_A2(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH)),
        ALLOW1(faccessat2, SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH)),
        ALLOW(fstatfs),
        ALLOW(getdents64),
        ALLOW(mkdirat),
        ALLOW(unlinkat),
        ALLOW(renameat2),
        ALLOW(linkat),
        ALLOW(symlinkat),
        ALLOW(fchmodat),
        ALLOW(utimensat),
        ALLOW(ftruncate),
        /* /proc/self files are generated into a memfd (written with pwritev). */
        ALLOW1(memfd_create, SCMP_A1(SCMP_CMP_EQ, MFD_CLOEXEC)),
        /* Reopening a pipe or terminal through /proc/self/fd/N: its access
         * mode, then a duplicate (fs.c, open_magic). */
        ALLOW1(fcntl, SCMP_A1(SCMP_CMP_EQ, F_GETFL)),
        ALLOW1(fcntl, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC)),
        /* The guest's descriptors (sys_fd.c, sys_io.c, sys_file.c,
         * sys_poll.c): a guest dup is a host F_DUPFD_CLOEXEC; status flags
         * through F_GETFL and F_SETFL, only the bits F_SETFL may change
         * (tested in the low 32 bits, since glibc passes fcntl's third
         * argument as an int through varargs); pipes always O_CLOEXEC on
         * the host; the ioctls for pending bytes and non-blocking mode;
         * ppoll without a signal mask, the VMM's own never changes.
         * F_DUPFD_CLOEXEC, F_GETFL, ftruncate and fstatfs are allowed above
         * for the file view and serve these too. */
        ALLOW2(fcntl, SCMP_A1(SCMP_CMP_EQ, F_SETFL),
               SCMP_A2(SCMP_CMP_MASKED_EQ, (uint32_t)~FD_SETFL_MASK, 0)),
        ALLOW1(pipe2, SCMP_A1(SCMP_CMP_MASKED_EQ, (uint32_t) ~(O_NONBLOCK | O_DIRECT), O_CLOEXEC)),
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_NE, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, FIONREAD)),
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_NE, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, FIONBIO)),
        ALLOW(lseek),
        ALLOW(sendfile),
        ALLOW1(copy_file_range, SCMP_A5(SCMP_CMP_EQ, 0)),
        ALLOW(fsync),
        ALLOW(fdatasync),
        ALLOW(fallocate),
        ALLOW(fchmod),
        ALLOW1(ppoll, SCMP_A3(SCMP_CMP_EQ, 0)),
        /* getrusage and times for the guest (sys_info.c): the usage of
         * this thread, which runs the vCPU. */
        ALLOW1(getrusage, SCMP_A0(SCMP_CMP_EQ, RUSAGE_THREAD)),
        /* Not used by ringbox itself: the host libc's assert/abort message
         * and sanitizer reports go to stderr through write(2). */
        ALLOW1(write, SCMP_A0(SCMP_CMP_EQ, 2)),
        /* The crossing trace (trace.c), when it is on (else stderr again). */
        ALLOW1(write, SCMP_A0(SCMP_CMP_EQ, (uint64_t)(rb->cfg.trace_fd >= 0 ? rb->cfg.trace_fd : 2))),
        /* mmap of a guest file (sys_mm.c): its access mode decides EACCES,
         * and preadv above copies its contents into the guest's frames. */
        ALLOW1(fcntl, SCMP_A1(SCMP_CMP_EQ, F_GETFL)),
        /* Closing guest fds, and the KVM fds at tear-down. */
        ALLOW(close),
        /* Freeing guest frames (mem.c), and the VMM's own heap (Capstone
         * allocates while disassembling a fault); never executable memory. */
        ALLOW(madvise),
        ALLOW1(mmap, no_exec),
        ALLOW1(mprotect, no_exec),
        ALLOW(munmap),
        ALLOW(mremap),
        ALLOW(brk),
        /* glibc's qsort (mem_free_pages, Capstone) sizes its scratch buffer
         * from sysconf(_SC_PHYS_PAGES), which reads sysinfo; the guest's
         * sysinfo takes the host's uptime and loads from it (sys_info.c). */
        ALLOW(sysinfo),
        /* Time, sleep and randomness for the guest (sys_time.c). */
        ALLOW(clock_gettime),
        ALLOW(clock_nanosleep),
        ALLOW(getrandom),
        /* uname for the guest's release string; pause for a futex wait,
         * pause(2) or sigsuspend that no alarm can end (sig.c). */
        ALLOW(uname),
        ALLOW(pause),
        /* The host libc's own needs: futex for its locks, and what abort()
         * uses so a failed assertion is reported instead of SIGSYS. */
        ALLOW(futex),
        ALLOW(rt_sigprocmask),
        /* Also sig.c: RINGBOX_HOST_SIGNAL is unblocked around blocking
         * host calls, and its no-op handler returns. */
        ALLOW(rt_sigreturn),
        ALLOW(getpid),
        ALLOW(gettid),
        ALLOW(tgkill),
        ALLOW(exit),
        ALLOW(exit_group),
    };

    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!ctx)
        return rb_fail(err, RINGBOX_ESECCOMP, ENOMEM, "seccomp: cannot create a filter");
    int rc = 0;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && rc == 0; i++)
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rules[i].nr, rules[i].n, rules[i].arg);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, -rc, "seccomp: cannot install the filter");
    return 0;
}
