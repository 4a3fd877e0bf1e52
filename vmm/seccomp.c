/* seccomp.c - the allowlist the VMM runs under once the guest can run.
 *
 * The policy has two phases.  Setup (opening /dev/kvm, building the VM,
 * loading the program, opening the mounts) runs unrestricted; then
 * ringbox_run() installs this filter as the last step before the first
 * KVM_RUN, with no_new_privs set (SCMP_FLTATR_CTL_NNP) so the filter needs
 * no privilege and nothing can gain any through exec.  Anything not listed
 * kills the whole process (SCMP_ACT_KILL_PROCESS, SIGSYS): a VMM that asks
 * for something else is compromised or buggy, and either way must stop.
 * The filter covers the calling thread, or with RINGBOX_CONFINE_PROCESS
 * every thread of the process (SCMP_FLTATR_CTL_TSYNC).
 *
 * Never listed: execve/execveat, fork/clone, socket and the rest of the
 * network (sys_net.c answers the guest without a host socket), ptrace,
 * process_vm_readv/writev, kill of other processes, and any path-based
 * open that is not confined beneath an fd (open, openat).
 */
#define _GNU_SOURCE /* AT_EMPTY_PATH, MFD_CLOEXEC, O_DIRECT, O_NOATIME, RUSAGE_THREAD */
#include <asm/ioctls.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

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

/* The table: one entry per allowed syscall and argument pattern, each with
 * its reason.  `rb` supplies the fds and ids the pins name. */
static size_t rules_for(const struct ringbox *rb, struct rule out[SECCOMP_RULES_MAX])
{
    const struct scmp_arg_cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
    const struct rule rules[] = {
        /* The run loop: KVM_RUN on our own vCPU and nothing else. */
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, KVM_RUN)),
        /* Signal frames (sig.c): the FPU state saved into a frame, the
         * clean state a handler starts with, and rt_sigreturn's. */
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, KVM_GET_XSAVE)),
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, KVM_SET_XSAVE)),
        /* A signal due when KVM_RUN returned EINTR waits while an
         * exception is on its way into the guest (sig.c). */
        ALLOW2(ioctl, SCMP_A0(SCMP_CMP_EQ, (uint64_t)rb->vcpu_fd), SCMP_A1(SCMP_CMP_EQ, KVM_GET_VCPU_EVENTS)),
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
         * openat2 that the host confines beneath an fd with
         * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS (a
         * filter cannot read the struct behind the pointer, so that rule
         * lives in fs_host_open).  The dirfd cannot be pinned either: the
         * walk opens one path component at a time, each beneath the O_PATH
         * fd of the step before (fs_walk), so most dirfds are made during
         * the run and their numbers are unknown when the filter is built.
         * Plain open and openat, which resolve from the host's root or
         * cwd, are not allowed.  The rest act on an fd from such a lookup
         * and one plain name, and fs_fini removes the private directory
         * with them. */
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
         * mode, then a duplicate (fs.c, open_magic).  F_GETFL also gives
         * the access mode that decides EACCES for mmap of a guest file
         * (sys_mm.c), whose contents preadv copies into the guest's frames:
         * the host never maps a file. */
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
         * for the file view and serve these too; fchmod also takes S_ISUID
         * and S_ISGID off a file the guest may write (fs.c, fs_host_strip). */
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
        /* Closing guest fds, and the KVM fds at tear-down. */
        ALLOW(close),
        /* Freeing guest frames (mem.c, mm.c): MADV_DONTNEED zeroes them
         * and revokes the guest's cached translations; glibc's malloc
         * trims its heaps with the same advice. */
        ALLOW1(madvise, SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED)),
#if defined(__SANITIZE_ADDRESS__)
        /* Sanitizer builds only: ASan remaps the shadow of a large block it
         * allocates with these two advices (sanitizer_common's MmapFixed). */
        ALLOW1(madvise, SCMP_A2(SCMP_CMP_EQ, MADV_NOHUGEPAGE)),
        ALLOW1(madvise, SCMP_A2(SCMP_CMP_EQ, MADV_DONTDUMP)),
#endif
        /* The VMM's own heap (Capstone allocates while disassembling a
         * fault): anonymous memory only, never executable, and realloc's
         * move of a large block (glibc passes exactly MREMAP_MAYMOVE; a
         * move keeps the old protection, which these rules never make
         * executable). */
        ALLOW2(mmap, no_exec, SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS)),
        ALLOW1(mprotect, no_exec),
        ALLOW(munmap),
        ALLOW1(mremap, SCMP_A3(SCMP_CMP_EQ, MREMAP_MAYMOVE)),
        ALLOW(brk),
        /* glibc's qsort (mem_free_pages, Capstone) sizes its scratch buffer
         * from sysconf(_SC_PHYS_PAGES), which reads sysinfo.  The guest's
         * sysinfo takes nothing from the host's (sys_info.c). */
        ALLOW(sysinfo),
        /* Time, sleep and randomness for the guest (sys_time.c). */
        ALLOW(clock_gettime),
        ALLOW(clock_nanosleep),
        ALLOW(getrandom),
        /* pause for a futex wait, pause(2) or sigsuspend that no alarm
         * can end (sig.c).  Not uname: the guest's is ringbox's own
         * (hostinfo.h). */
        ALLOW(pause),
        /* The host libc's own needs: futex for its locks, and what abort()
         * uses so a failed assertion is reported instead of SIGSYS: raise
         * sends SIGABRT to this process only (tgkill with our own pid;
         * kill and tkill, which could reach other processes, stay out). */
        ALLOW(futex),
        ALLOW(rt_sigprocmask),
        /* Also sig.c: RINGBOX_HOST_SIGNAL is unblocked around blocking
         * host calls, and its no-op handler returns. */
        ALLOW(rt_sigreturn),
        ALLOW(getpid),
        ALLOW(gettid),
        ALLOW2(tgkill, SCMP_A0(SCMP_CMP_EQ, (uint64_t)getpid()), SCMP_A2(SCMP_CMP_EQ, SIGABRT)),
        ALLOW(exit),
        ALLOW(exit_group),
    };
    size_t n = sizeof(rules) / sizeof(rules[0]);
    _Static_assert(sizeof(rules) / sizeof(rules[0]) <= SECCOMP_RULES_MAX, "SECCOMP_RULES_MAX is too small");
    memcpy(out, rules, sizeof(rules));
    return n;
}

int seccomp_confine(struct ringbox *rb, bool all_threads, struct ringbox_error *err)
{
    struct rule rules[SECCOMP_RULES_MAX];
    size_t n = rules_for(rb, rules);

    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!ctx)
        return rb_fail(err, RINGBOX_ESECCOMP, ENOMEM, "seccomp: cannot create a filter");
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
    if (rc == 0 && all_threads)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rules[i].nr, rules[i].n, rules[i].arg);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, -rc, "seccomp: cannot install the filter");
    return 0;
}

size_t seccomp_allowlist(int nrs[SECCOMP_RULES_MAX])
{
    static const struct ringbox none;
    struct rule rules[SECCOMP_RULES_MAX];
    size_t n = rules_for(&none, rules), distinct = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < distinct && nrs[j] != rules[i].nr)
            j++;
        if (j == distinct)
            nrs[distinct++] = rules[i].nr;
    }
    return distinct;
}

size_t seccomp_rule_count(size_t *pinned)
{
    static const struct ringbox none;
    struct rule rules[SECCOMP_RULES_MAX];
    size_t n = rules_for(&none, rules);
    *pinned = 0;
    for (size_t i = 0; i < n; i++)
        *pinned += rules[i].n > 0;
    return n;
}
