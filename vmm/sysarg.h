/* sysarg.h - decoding and validating syscall arguments from guest memory.
 * Pure: no ioctls and no host syscalls, so the unit tests run it as is.
 * Each function returns 0 (or a count) or the -errno Linux gives for the
 * same bad argument, citing where Linux decides it. */
#ifndef RB_SYSARG_H
#define RB_SYSARG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "mem.h"

/* Largest count one read/write moves (include/linux/fs.h, MAX_RW_COUNT). */
#define SYSARG_MAX_RW_COUNT 0x7ffff000ULL
/* Most iovecs one readv/writev takes (UIO_MAXIOV, include/uapi/linux/uio.h). */
#define SYSARG_IOV_MAX 1024
/* The kernel's sigset_t: 64 signals, one bit each (sig n is bit n-1). */
#define SYSARG_SIGSET_SIZE 8
/* Linux's RLIM_NLIMITS (include/uapi/asm-generic/resource.h). */
#define SYSARG_NRLIMITS 16
#define SYSARG_RLIM_INFINITY UINT64_MAX

/* The guest's struct iovec, as the x86-64 ABI lays it out. */
struct sysarg_iovec {
    uint64_t base;
    uint64_t len;
};

/* The kernel's struct __kernel_timespec. */
struct sysarg_timespec {
    int64_t sec;
    int64_t nsec;
};

/* access_ok() (arch/x86/include/asm/uaccess_64.h): does [va, va+len) stay
 * inside the user half?  Linux checks this before clamping a read/write
 * count, so read(fd, buf, huge) is -EFAULT, not a short read.  0 or -EFAULT. */
int sysarg_user_range(uint64_t va, uint64_t len);

/* Fetch `cnt` guest iovecs from `uiov` into out[SYSARG_IOV_MAX] and set
 * *total to the bytes they describe, clamped to SYSARG_MAX_RW_COUNT.
 * -EINVAL: cnt > SYSARG_IOV_MAX, or a length (or the running sum) beyond
 * SSIZE_MAX (readv(2), ERRORS); -EFAULT: the array is unreadable.  The
 * buffers themselves are checked only as they are used, like Linux. */
int sysarg_iovec(const struct guest_mem *m, uint64_t uiov, uint64_t cnt,
                 struct sysarg_iovec *out, uint64_t *total);

/* A walk over guest buffers handing out host iovecs for zero-copy host
 * readv/writev/getrandom, batch by batch.  `to_guest` is true when the host
 * writes into the guest (read), so the pages must be writable. */
struct sysarg_uio {
    const struct guest_mem *mem;
    const struct sysarg_iovec *seg;
    int nseg, i;     /* segments, and the one being walked */
    uint64_t off;    /* bytes of seg[i] already handed out */
    uint64_t left;   /* bytes still to hand out */
    bool to_guest;
    bool fault;      /* the walk stopped at an inaccessible page */
};

void sysarg_uio_init(struct sysarg_uio *u, const struct guest_mem *m,
                     const struct sysarg_iovec *seg, int nseg, uint64_t total, bool to_guest);
/* Fill up to max host iovecs with the next bytes and return how many they
 * cover; 0 when the walk is over (everything handed out, or u->fault). */
size_t sysarg_uio_next(struct sysarg_uio *u, struct iovec *iov, int max, int *n);

/* Copy in and check a timespec: -EFAULT, or -EINVAL for a negative field
 * or tv_nsec >= 1e9 (timespec64_valid(), include/linux/time64.h). */
int sysarg_timespec(const struct guest_mem *m, uint64_t uts, struct sysarg_timespec *ts);

/* Clock ids clock_gettime accepts: 0-9 and CLOCK_TAI (11); 10 was
 * CLOCK_SGI_CYCLE, removed in Linux 4.x.  Negative ids name other
 * processes' CPU clocks, which the sandbox does not have.  0 or -EINVAL. */
int sysarg_clock(int64_t clk);
/* Clocks clock_nanosleep can sleep on (kernel/time/posix-timers.c,
 * clock_nanosleep: a clock without ->nsleep is -EOPNOTSUPP; the alarm
 * clocks need CAP_WAKE_ALARM, which the guest lacks: -EPERM). */
int sysarg_sleep_clock(int64_t clk);

/* sigprocmask's arithmetic on a 64-bit mask (kernel/signal.c,
 * sigprocmask()): SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK, else -EINVAL.
 * SIGKILL and SIGSTOP are never blocked. */
int sysarg_sigmask_apply(uint64_t *mask, int how, uint64_t set);
/* A mask with SIGKILL and SIGSTOP removed. */
uint64_t sysarg_sigmask_clean(uint64_t set);
/* The sa_flags bits Linux keeps (UAPI_SA_FLAGS, include/linux/signal_types.h;
 * x86 adds SA_RESTORER).  Since Linux 5.11 unknown bits read back cleared,
 * which is how programs probe for flag support. */
uint64_t sysarg_sa_flags(uint64_t flags);
/* sigaltstack's flag bit and smallest size (include/uapi/linux/signal.h,
 * arch/x86/include/uapi/asm/signal.h); glibc's MINSIGSTKSZ may be a
 * sysconf() call, so the ABI value is spelled out. */
#define SYSARG_SS_AUTODISARM (1U << 31)
#define SYSARG_MINSIGSTKSZ 2048
/* sigaltstack's ss_flags: a mode of 0, SS_ONSTACK (accepted as 0 for old
 * programs) or SS_DISABLE, optionally with SS_AUTODISARM.  0 or -EINVAL. */
int sysarg_ss_flags(int32_t flags);

/* The initial limits of a process in the sandbox, by RLIMIT_*: STACK 8 MiB
 * soft, NOFILE 1024/4096, AS and DATA the guest memory size, CORE 0, the
 * rest unlimited. */
void sysarg_rlimit_defaults(uint64_t cur[SYSARG_NRLIMITS], uint64_t max[SYSARG_NRLIMITS],
                            uint64_t mem_size);
/* setrlimit(2) rules, unprivileged (kernel/sys.c, do_prlimit()):
 * cur > max is -EINVAL, raising max is -EPERM. */
int sysarg_rlimit_check(uint64_t new_cur, uint64_t new_max, uint64_t old_max);

#endif
