/* trace.c - the crossing trace (see trace.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

double trace_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* How many arguments each common syscall takes (their Linux prototypes),
 * so a trace line shows those and not leftover register contents.  +1 so
 * that 0 means "not listed": then all six are shown. */
static const unsigned char arity1[] = {
#define A(n) (n) + 1
    [__NR_read] = A(3),
    [__NR_write] = A(3),
    [__NR_open] = A(3),
    [__NR_close] = A(1),
    [__NR_stat] = A(2),
    [__NR_fstat] = A(2),
    [__NR_lstat] = A(2),
    [__NR_poll] = A(3),
    [__NR_lseek] = A(3),
    [__NR_mmap] = A(6),
    [__NR_mprotect] = A(3),
    [__NR_munmap] = A(2),
    [__NR_brk] = A(1),
    [__NR_rt_sigaction] = A(4),
    [__NR_rt_sigprocmask] = A(4),
    [__NR_rt_sigreturn] = A(0),
    [__NR_ioctl] = A(3),
    [__NR_pread64] = A(4),
    [__NR_pwrite64] = A(4),
    [__NR_readv] = A(3),
    [__NR_writev] = A(3),
    [__NR_access] = A(2),
    [__NR_pipe] = A(1),
    [__NR_select] = A(5),
    [__NR_sched_yield] = A(0),
    [__NR_mremap] = A(5),
    [__NR_msync] = A(3),
    [__NR_mincore] = A(3),
    [__NR_madvise] = A(3),
    [__NR_dup] = A(1),
    [__NR_dup2] = A(2),
    [__NR_pause] = A(0),
    [__NR_nanosleep] = A(2),
    [__NR_getitimer] = A(2),
    [__NR_alarm] = A(1),
    [__NR_setitimer] = A(3),
    [__NR_getpid] = A(0),
    [__NR_sendfile] = A(4),
    [__NR_socket] = A(3),
    [__NR_connect] = A(3),
    [__NR_accept] = A(3),
    [__NR_sendto] = A(6),
    [__NR_recvfrom] = A(6),
    [__NR_sendmsg] = A(3),
    [__NR_recvmsg] = A(3),
    [__NR_shutdown] = A(2),
    [__NR_bind] = A(3),
    [__NR_listen] = A(2),
    [__NR_getsockname] = A(3),
    [__NR_getpeername] = A(3),
    [__NR_socketpair] = A(4),
    [__NR_setsockopt] = A(5),
    [__NR_getsockopt] = A(5),
    [__NR_exit] = A(1),
    [__NR_wait4] = A(4),
    [__NR_kill] = A(2),
    [__NR_uname] = A(1),
    [__NR_fcntl] = A(3),
    [__NR_flock] = A(2),
    [__NR_fsync] = A(1),
    [__NR_fdatasync] = A(1),
    [__NR_truncate] = A(2),
    [__NR_ftruncate] = A(2),
    [__NR_getdents] = A(3),
    [__NR_getcwd] = A(2),
    [__NR_chdir] = A(1),
    [__NR_fchdir] = A(1),
    [__NR_rename] = A(2),
    [__NR_mkdir] = A(2),
    [__NR_rmdir] = A(1),
    [__NR_creat] = A(2),
    [__NR_link] = A(2),
    [__NR_unlink] = A(1),
    [__NR_symlink] = A(2),
    [__NR_readlink] = A(3),
    [__NR_chmod] = A(2),
    [__NR_fchmod] = A(2),
    [__NR_chown] = A(3),
    [__NR_fchown] = A(3),
    [__NR_lchown] = A(3),
    [__NR_umask] = A(1),
    [__NR_gettimeofday] = A(2),
    [__NR_getrlimit] = A(2),
    [__NR_getrusage] = A(2),
    [__NR_sysinfo] = A(1),
    [__NR_times] = A(1),
    [__NR_getuid] = A(0),
    [__NR_getgid] = A(0),
    [__NR_geteuid] = A(0),
    [__NR_getegid] = A(0),
    [__NR_getppid] = A(0),
    [__NR_getpgrp] = A(0),
    [__NR_setsid] = A(0),
    [__NR_sigaltstack] = A(2),
    [__NR_statfs] = A(2),
    [__NR_fstatfs] = A(2),
    [__NR_getpriority] = A(2),
    [__NR_sched_getparam] = A(2),
    [__NR_sched_getscheduler] = A(1),
    [__NR_prctl] = A(5),
    [__NR_arch_prctl] = A(2),
    [__NR_gettid] = A(0),
    [__NR_tkill] = A(2),
    [__NR_time] = A(1),
    [__NR_futex] = A(6),
    [__NR_sched_getaffinity] = A(3),
    [__NR_sched_setaffinity] = A(3),
    [__NR_getdents64] = A(3),
    [__NR_set_tid_address] = A(1),
    [__NR_clock_gettime] = A(2),
    [__NR_clock_getres] = A(2),
    [__NR_clock_nanosleep] = A(4),
    [__NR_exit_group] = A(1),
    [__NR_tgkill] = A(3),
    [__NR_openat] = A(4),
    [__NR_mkdirat] = A(3),
    [__NR_newfstatat] = A(4),
    [__NR_unlinkat] = A(3),
    [__NR_renameat] = A(4),
    [__NR_linkat] = A(5),
    [__NR_symlinkat] = A(3),
    [__NR_readlinkat] = A(4),
    [__NR_fchmodat] = A(3),
    [__NR_faccessat] = A(3),
    [__NR_pselect6] = A(6),
    [__NR_ppoll] = A(5),
    [__NR_set_robust_list] = A(2),
    [__NR_get_robust_list] = A(3),
    [__NR_utimensat] = A(4),
    [__NR_fallocate] = A(4),
    [__NR_accept4] = A(4),
    [__NR_dup3] = A(3),
    [__NR_pipe2] = A(2),
    [__NR_prlimit64] = A(4),
    [__NR_getcpu] = A(3),
    [__NR_renameat2] = A(5),
    [__NR_getrandom] = A(3),
    [__NR_memfd_create] = A(2),
    [__NR_copy_file_range] = A(6),
    [__NR_statx] = A(5),
    [__NR_rseq] = A(4),
    [__NR_close_range] = A(3),
    [__NR_openat2] = A(4),
    [__NR_faccessat2] = A(4),
    [__NR_rt_sigsuspend] = A(2),
    [__NR_rt_sigpending] = A(2),
    [__NR_rt_sigtimedwait] = A(4),
#undef A
};

struct out {
    char *buf;
    size_t len, n;
};

/* Append like snprintf; o->n counts what would have been written. */
__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t at = o->n < o->len ? o->n : o->len;
    int k = vsnprintf(o->buf + at, o->len - at, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += (size_t)k;
}

/* Small values in decimal, the rest (pointers, flags) in hex. */
static void put_value(struct out *o, const char *before, uint64_t v)
{
    int64_t s = (int64_t)v;
    if (s > -4096 && s < 65536)
        put(o, "%s%lld", before, (long long)s);
    else
        put(o, "%s%#llx", before, (unsigned long long)v);
}

int trace_format_syscall(char *buf, size_t len, double t_us, const struct sys_args *a, int64_t ret,
                         double guest_us, double vmm_us)
{
    struct out o = {.buf = buf, .len = len};
    const char *name = ringbox_syscall_name(a->nr);
    int nargs = 6;
    if (a->nr >= 0 && (size_t)a->nr < sizeof(arity1) && arity1[a->nr])
        nargs = arity1[a->nr] - 1;
    put(&o, "[%12.6f] ", t_us / 1e6);
    if (name)
        put(&o, "%s(", name);
    else
        put(&o, "syscall_%ld(", a->nr);
    for (int i = 0; i < nargs; i++)
        put_value(&o, i ? ", " : "", a->a[i]);
    if (ret < 0 && ret > -4096) {
        const char *e = strerrorname_np((int)-ret);
        put(&o, ") = -1 %s", e ? e : "E?");
    } else {
        put_value(&o, ") = ", (uint64_t)ret);
    }
    put(&o, "  <guest+crossing %.1fus, vmm %.1fus>", guest_us, vmm_us);
    return (int)o.n;
}

static void emit(struct ringbox *rb, const char *line, size_t n)
{
    char out[600];
    if (n > sizeof(out) - 2)
        n = sizeof(out) - 2;
    memcpy(out, line, n);
    out[n++] = '\n';
    /* Best effort: a full or closed trace sink must not disturb the run. */
    ssize_t w = write(rb->cfg.trace_fd, out, n);
    (void)w;
}

void trace_syscall(struct ringbox *rb, const struct sys_args *a, int64_t ret, double guest_us,
                   double vmm_us)
{
    char line[512];
    int n = trace_format_syscall(line, sizeof(line), trace_now_us() - rb->trace_t0, a, ret, guest_us,
                                 vmm_us);
    emit(rb, line, n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void trace_note(struct ringbox *rb, const char *fmt, ...)
{
    if (!trace_on(rb))
        return;
    char line[512];
    int n = snprintf(line, sizeof(line), "[%12.6f] ", (trace_now_us() - rb->trace_t0) / 1e6);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t total = (size_t)n + (m > 0 ? (size_t)m : 0);
    emit(rb, line, total < sizeof(line) ? total : sizeof(line) - 1);
}
