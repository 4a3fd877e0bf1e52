/* unit_sys.c - the syscall handlers called through sys_dispatch() on a
 * hand-built struct ringbox (guest memory, page tables and a zeroed
 * kvm_run, no /dev/kvm).  Host fds 0-2 are pipes or a pty for each test. */
#define _GNU_SOURCE
#include <asm/termbits.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <asm/prctl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "sys.h"
#include "sysarg.h"
#include "unit_util.h"

/* 0x10000-0x11fff RW, 0x12000 RO, 0x13000 unmapped. */
#define RW 0x10000ULL
#define RO 0x12000ULL
#define HOLE 0x13000ULL
#define MEM_SIZE (4ULL << 20)
#define BIT(sig) (1ULL << ((sig) - 1))

static struct ringbox rb;
static struct ringbox_result res;
static char exe[] = "/opt/bin/prog";
static int saved[3];

static void setup(void)
{
    for (int fd = 0; fd < 3; fd++)
        saved[fd] = dup(fd);
    unit_rb_init(&rb, &res, MEM_SIZE);
    ck_assert_int_eq(mm_map_anon(&rb.mm, RW, 2 * MEM_PAGE, PROT_READ | PROT_WRITE, MM_ANON), 0);
    ck_assert_int_eq(mm_map_anon(&rb.mm, RO, MEM_PAGE, PROT_READ, MM_ANON), 0);
    rb.proc.exe = exe;
    rb.proc.uid = 1234;
    rb.proc.gid = 5678;
}

static void teardown(void)
{
    for (int fd = 0; fd < 3; fd++) {
        dup2(saved[fd], fd);
        close(saved[fd]);
    }
    unit_rb_fini(&rb);
}

static int64_t call(long nr, const uint64_t a[6])
{
    return unit_call(&rb, nr, a);
}
#define SYS(nr, ...) call(nr, (const uint64_t[6]){__VA_ARGS__})

static void put(uint64_t va, const void *p, size_t n)
{
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, va, p, n), 0);
}

static void get(void *p, uint64_t va, size_t n)
{
    ck_assert_int_eq(mem_copy_from_user(&rb.mem, p, va, n), 0);
}

/* The guest's fds 0-2 are dups taken from the host's: retake them after a
 * test rewires the host's. */
static void restdio(void)
{
    fd_fini(&rb.fds);
    ck_assert_int_eq(fd_init_stdio(&rb.fds), 0);
}

/* Make host fd `fd` one end of a fresh pipe; return the other end. */
static int pipe_on(int fd, bool guest_reads)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    int theirs = guest_reads ? p[0] : p[1], mine = guest_reads ? p[1] : p[0];
    ck_assert_int_eq(dup2(theirs, fd), fd);
    close(theirs);
    restdio();
    return mine;
}

/* ---- dispatch ------------------------------------------------------------ */

START_TEST(unknown_numbers_are_enosys_and_counted)
{
    /* reboot: a syscall a sandbox never serves. */
    ck_assert_int_eq(SYS(__NR_reboot, 0), -ENOSYS);
    ck_assert_int_eq(SYS(100000, 0), -ENOSYS);
    ck_assert_int_eq(SYS(-1, 0), -ENOSYS);
    ck_assert_int_eq(SYS(LONG_MIN, 0), -ENOSYS);
    ck_assert_uint_eq(res.counters.unknown_syscalls, 4);
    ck_assert_uint_eq(res.counters.syscalls, 4);
    ck_assert_uint_eq(res.counters.by_syscall[__NR_reboot], 1);
}
END_TEST

START_TEST(known_numbers_are_counted_and_rseq_is_not_unknown)
{
    ck_assert_int_eq(SYS(__NR_getpid, 0), RB_GUEST_PID);
    ck_assert_int_eq(SYS(__NR_getpid, 0), RB_GUEST_PID);
    ck_assert_int_eq(SYS(__NR_rseq, 0), -ENOSYS);
    ck_assert_uint_eq(res.counters.syscalls, 3);
    ck_assert_uint_eq(res.counters.by_syscall[__NR_getpid], 2);
    ck_assert_uint_eq(res.counters.by_syscall[__NR_rseq], 1);
    ck_assert_uint_eq(res.counters.unknown_syscalls, 0);
}
END_TEST

START_TEST(dispatch_without_a_result_is_fine)
{
    rb.res = NULL;
    ck_assert_int_eq(SYS(__NR_gettid, 0), RB_GUEST_PID);
    ck_assert_int_eq(SYS(9999, 0), -ENOSYS);
}
END_TEST

START_TEST(syscall_names_cover_unserviced_ones)
{
    ck_assert_str_eq(ringbox_syscall_name(0), "read");
    ck_assert_str_eq(ringbox_syscall_name(__NR_rseq), "rseq");
    ck_assert_str_eq(ringbox_syscall_name(__NR_fork), "fork");
    ck_assert_ptr_null(ringbox_syscall_name(-1));
    ck_assert_ptr_null(ringbox_syscall_name(100000));
}
END_TEST

/* ---- read and write ------------------------------------------------------ */

START_TEST(write_reaches_the_host_fd)
{
    int rd = pipe_on(1, false);
    char buf[16] = "";
    put(RW, "hello", 5);
    ck_assert_int_eq(SYS(__NR_write, 1, RW, 5), 5);
    ck_assert_int_eq(read(rd, buf, sizeof(buf)), 5);
    ck_assert_mem_eq(buf, "hello", 5);
    ck_assert_int_eq(SYS(__NR_write, 1, RW, 0), 0);
    close(rd);
}
END_TEST

START_TEST(write_faults_bad_fds_and_partial)
{
    int rd = pipe_on(1, false);
    char buf[64];
    ck_assert_int_eq(SYS(__NR_write, 7, RW, 1), -EBADF);
    ck_assert_int_eq(SYS(__NR_write, -1, RW, 1), -EBADF);
    ck_assert_int_eq(SYS(__NR_write, 1, RB_KERNEL_BASE, 1), -EFAULT);
    ck_assert_int_eq(SYS(__NR_write, 1, HOLE, 1), -EFAULT);
    ck_assert_int_eq(SYS(__NR_write, 1, RW, UINT64_MAX), -EFAULT);
    /* The read-only page is a fine source; the hole after it ends the write. */
    ck_assert_int_eq(SYS(__NR_write, 1, HOLE - 0x10, 0x20), 0x10);
    ck_assert_int_eq(read(rd, buf, sizeof(buf)), 0x10);
    close(rd);
}
END_TEST

/* The write says EPIPE and leaves SIGPIPE pending, from the process itself;
 * its default action is taken on the way back to ring 3 (sig.c). */
START_TEST(write_to_a_closed_pipe_is_epipe_and_sigpipe)
{
    signal(SIGPIPE, SIG_IGN);
    close(pipe_on(1, false));
    ck_assert_int_eq(SYS(__NR_write, 1, RW, 1), -EPIPE);
    ck_assert(!rb.ended);
    ck_assert_uint_eq(rb.proc.sigpending, BIT(SIGPIPE));
    ck_assert_int_eq(rb.sig.info[SIGPIPE].code, SI_USER);
    ck_assert_int_eq(rb.sig.info[SIGPIPE].kill.pid, RB_GUEST_PID);
}
END_TEST

START_TEST(ignored_or_blocked_sigpipe_leaves_just_epipe)
{
    struct rb_sigaction ign = {.handler = 1 /* SIG_IGN */};
    uint64_t set = BIT(SIGPIPE);
    signal(SIGPIPE, SIG_IGN);
    close(pipe_on(1, false));
    put(RW + 0x100, &ign, sizeof(ign));
    put(RW + 0x200, &set, sizeof(set));

    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGPIPE, RW + 0x100, 0, 8), 0);
    ck_assert_int_eq(SYS(__NR_write, 1, RW, 1), -EPIPE);
    ck_assert_uint_eq(rb.proc.sigpending, 0);
    rb.proc.act[SIGPIPE].handler = 0;
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, SIG_BLOCK, RW + 0x200, 0, 8), 0);
    ck_assert_int_eq(SYS(__NR_write, 1, RW, 1), -EPIPE);
    /* Blocked: pending, and not deliverable. */
    ck_assert_uint_eq(rb.proc.sigpending, BIT(SIGPIPE));
    ck_assert(!sig_work(&rb));
    ck_assert_int_eq(SYS(__NR_rt_sigpending, RW + 0x300, 8), 0);
    uint64_t pend;
    get(&pend, RW + 0x300, sizeof(pend));
    ck_assert_uint_eq(pend, BIT(SIGPIPE));
}
END_TEST

START_TEST(read_fills_guest_memory_and_stops_short)
{
    int wr = pipe_on(0, true);
    char buf[8] = "";
    ck_assert_int_eq(write(wr, "abcdefgh", 8), 8);
    /* Read-only destination: a fault before any byte, and nothing consumed. */
    ck_assert_int_eq(SYS(__NR_read, 0, RO, 4), -EFAULT);
    ck_assert_int_eq(SYS(__NR_read, 0, RB_KERNEL_BASE, 4), -EFAULT);
    ck_assert_int_eq(SYS(__NR_read, 0, RW, 1ULL << 62), -EFAULT);
    /* Two writable bytes before the read-only page. */
    ck_assert_int_eq(SYS(__NR_read, 0, RO - 2, 4), 2);
    ck_assert_int_eq(SYS(__NR_read, 0, RW, 100), 6);
    get(buf, RO - 2, 2);
    get(buf + 2, RW, 6);
    ck_assert_mem_eq(buf, "abcdefgh", 8);
    close(wr);
    ck_assert_int_eq(SYS(__NR_read, 0, RW, 100), 0);
    ck_assert_int_eq(SYS(__NR_read, 7, RW, 1), -EBADF);
}
END_TEST

START_TEST(readv_and_writev)
{
    int rd = pipe_on(1, false);
    struct sysarg_iovec v[3] = {{RW + 0x100, 3}, {RW + 0x200, 0}, {RW + 0xffe, 4}};
    char buf[16] = "";
    put(RW + 0x100, "abc", 3);
    put(RW + 0xffe, "defg", 4);
    put(RW, v, sizeof(v));
    ck_assert_int_eq(SYS(__NR_writev, 1, RW, 3), 7);
    ck_assert_int_eq(read(rd, buf, sizeof(buf)), 7);
    ck_assert_mem_eq(buf, "abcdefg", 7);
    ck_assert_int_eq(SYS(__NR_writev, 1, RW, 1025), -EINVAL);
    ck_assert_int_eq(SYS(__NR_writev, 1, RB_KERNEL_BASE, 1), -EFAULT);
    ck_assert_int_eq(SYS(__NR_writev, 1, RW, 0), 0);
    ck_assert_int_eq(SYS(__NR_writev, 5, RW, 1), -EBADF);
    struct sysarg_iovec huge[2] = {{RW, (uint64_t)INT64_MAX}, {RW, 1}};
    put(RW, huge, sizeof(huge));
    ck_assert_int_eq(SYS(__NR_writev, 1, RW, 2), -EINVAL);
    close(rd);

    int wr = pipe_on(0, true);
    struct sysarg_iovec r[2] = {{RW + 0x300, 2}, {RW + 0x400, 8}};
    put(RW, r, sizeof(r));
    ck_assert_int_eq(write(wr, "xyz", 3), 3);
    ck_assert_int_eq(SYS(__NR_readv, 0, RW, 2), 3);
    get(buf, RW + 0x300, 2);
    get(buf + 2, RW + 0x400, 1);
    ck_assert_mem_eq(buf, "xyz", 3);
    close(wr);
}
END_TEST

START_TEST(pread_and_pwrite_positions)
{
    close(pipe_on(0, true));
    ck_assert_int_eq(SYS(__NR_pread64, 0, RW, 1, -1), -EINVAL);
    ck_assert_int_eq(SYS(__NR_pread64, 0, RW, 1, 0), -ESPIPE);
    ck_assert_int_eq(SYS(__NR_pwrite64, 9, RW, 1, 0), -EBADF);

    /* A regular file on fd 2 takes positioned I/O. */
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(dup2(fileno(f), 2), 2);
    restdio();
    put(RW, "0123456789", 10);
    ck_assert_int_eq(SYS(__NR_pwrite64, 2, RW, 10, 100), 10);
    ck_assert_int_eq(SYS(__NR_pread64, 2, RW + 0x100, 4, 103), 4);
    char buf[4];
    get(buf, RW + 0x100, 4);
    ck_assert_mem_eq(buf, "3456", 4);
    ck_assert_int_eq(lseek(2, 0, SEEK_CUR), 0);
    fclose(f);
}
END_TEST

/* ---- stat, ioctl, readlink ----------------------------------------------- */

START_TEST(fstat_and_newfstatat_on_the_standard_fds)
{
    struct stat host, st;
    close(pipe_on(0, true));
    ck_assert_int_eq(fstat(0, &host), 0);
    ck_assert_int_eq(SYS(__NR_fstat, 0, RW), 0);
    get(&st, RW, sizeof(st));
    ck_assert(S_ISFIFO(st.st_mode));
    ck_assert_uint_eq(st.st_ino, hostinfo_ino(&rb.host, host.st_ino));
    ck_assert_uint_ne(st.st_ino, host.st_ino);
    ck_assert_int_eq(SYS(__NR_fstat, 7, RW), -EBADF);
    ck_assert_int_eq(SYS(__NR_fstat, 0, RO), -EFAULT);

    put(RW + 0x800, "", 1);
    memset(&st, 0, sizeof(st));
    put(RW, &st, sizeof(st));
    ck_assert_int_eq(SYS(__NR_newfstatat, 0, RW + 0x800, RW, AT_EMPTY_PATH), 0);
    get(&st, RW, sizeof(st));
    ck_assert_uint_eq(st.st_ino, hostinfo_ino(&rb.host, host.st_ino));
    ck_assert_int_eq(SYS(__NR_newfstatat, 0, 0, RW, AT_EMPTY_PATH), 0);
    ck_assert_int_eq(SYS(__NR_newfstatat, 0, RW + 0x800, RW, 0), -ENOENT);
    ck_assert_int_eq(SYS(__NR_newfstatat, 7, RW + 0x800, RW, AT_EMPTY_PATH), -EBADF);
    ck_assert_int_eq(SYS(__NR_newfstatat, 0, RW + 0x800, RW, 0x1), -EINVAL);
    ck_assert_int_eq(SYS(__NR_newfstatat, 0, RB_KERNEL_BASE, RW, 0), -EFAULT);
    put(RW + 0x800, "/etc/passwd", 12);
    ck_assert_int_eq(SYS(__NR_newfstatat, (uint64_t)AT_FDCWD, RW + 0x800, RW, 0), -ENOENT);
    ck_assert_int_eq(SYS(__NR_newfstatat, 7, RW + 0x800, RW, 0), -ENOENT);
}
END_TEST

START_TEST(ioctl_answers_terminal_queries_from_the_host)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(slave, 0);
    struct winsize ws = {.ws_row = 33, .ws_col = 99}, got;
    ck_assert_int_eq(ioctl(master, TIOCSWINSZ, &ws), 0);
    ck_assert_int_eq(dup2(slave, 1), 1);
    restdio();

    struct termios host, t;
    ck_assert_int_eq(ioctl(slave, TCGETS, &host), 0);
    ck_assert_int_eq(SYS(__NR_ioctl, 1, TCGETS, RW), 0);
    get(&t, RW, sizeof(t));
    ck_assert_mem_eq(&t, &host, sizeof(t));
    ck_assert_int_eq(SYS(__NR_ioctl, 1, TIOCGWINSZ, RW), 0);
    get(&got, RW, sizeof(got));
    ck_assert_uint_eq(got.ws_row, 33);
    ck_assert_uint_eq(got.ws_col, 99);
    ck_assert_int_eq(SYS(__NR_ioctl, 1, TCGETS, RO), -EFAULT);
    /* Nothing that changes the terminal gets through. */
    ck_assert_int_eq(SYS(__NR_ioctl, 1, TIOCSWINSZ, RW), -ENOTTY);
    ck_assert_int_eq(SYS(__NR_ioctl, 1, TCSETS, RW), -ENOTTY);
    ck_assert_int_eq(SYS(__NR_ioctl, 7, TCGETS, RW), -EBADF);
    close(slave);
    close(master);

    /* A pipe is no terminal, and the host says so. */
    close(pipe_on(1, false));
    ck_assert_int_eq(SYS(__NR_ioctl, 1, TCGETS, RW), -ENOTTY);
}
END_TEST

START_TEST(readlink_proc_self_exe)
{
    /* The link lives in the file view, which needs a real program file. */
    char real[PATH_MAX], buf[PATH_MAX] = "";
    ck_assert_ptr_nonnull(realpath("/proc/self/exe", real));
    size_t len = strlen(real);
    fs_init(&rb.fs);
    ck_assert_int_eq(fs_default_view(&rb, real, false, NULL), 0);
    rb.proc.exe = real;
    put(RW, "/proc/self/exe", 15);
    ck_assert_int_eq(SYS(__NR_readlink, RW, RW + 0x100, sizeof buf), (int64_t)len);
    get(buf, RW + 0x100, len);
    ck_assert_str_eq(buf, real);
    /* Truncated without a NUL. */
    put(RW + 0x200, "xxxxxx", 6);
    ck_assert_int_eq(SYS(__NR_readlink, RW, RW + 0x200, 4), 4);
    get(buf, RW + 0x200, 6);
    ck_assert_mem_eq(buf, real, 4);
    ck_assert_mem_eq(buf + 4, "xx", 2);
    ck_assert_int_eq(SYS(__NR_readlink, RW, RW + 0x100, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_readlink, RW, RW + 0x100, (uint64_t)-5), -EINVAL);
    ck_assert_int_eq(SYS(__NR_readlink, RW, RO, sizeof buf), -EFAULT);
    ck_assert_int_eq(SYS(__NR_readlink, RB_KERNEL_BASE, RW + 0x100, 32), -EFAULT);
    ck_assert_int_eq(SYS(__NR_readlinkat, (uint64_t)AT_FDCWD, RW, RW + 0x100, sizeof buf),
                     (int64_t)len);
    /* An absolute path ignores dirfd; a relative one needs a directory fd. */
    ck_assert_int_eq(SYS(__NR_readlinkat, 5, RW, RW + 0x100, sizeof buf), (int64_t)len);
    put(RW, "proc/self/exe", 14);
    ck_assert_int_eq(SYS(__NR_readlinkat, 5, RW, RW + 0x100, 32), -EBADF);
    ck_assert_int_eq(SYS(__NR_readlinkat, (uint64_t)AT_FDCWD, RW, RW + 0x100, sizeof buf),
                     (int64_t)len);
    put(RW, "/etc/passwd", 12);
    ck_assert_int_eq(SYS(__NR_readlink, RW, RW + 0x100, 32), -ENOENT);
    /* Not a link. */
    put(RW, "/proc/self", 11);
    ck_assert_int_eq(SYS(__NR_readlink, RW, RW + 0x100, 32), -EINVAL);
    fs_fini(&rb.fs);
}
END_TEST

/* ---- process state ------------------------------------------------------- */

START_TEST(exit_group_ends_the_run_with_the_low_byte)
{
    ck_assert_int_eq(SYS(__NR_exit_group, 0x1234), 0);
    ck_assert(rb.ended);
    ck_assert_int_eq(res.end, RINGBOX_EXITED);
    ck_assert_int_eq(res.status, 0x34);
}
END_TEST

START_TEST(arch_prctl_fs_and_gs)
{
    uint64_t v = 0;
    ck_assert_int_eq(SYS(__NR_arch_prctl, ARCH_SET_FS, 0x7f0000001000), 0);
    ck_assert_uint_eq(vm_sregs(&rb)->fs.base, 0x7f0000001000);
    ck_assert(rb.run->kvm_dirty_regs & KVM_SYNC_X86_SREGS);
    ck_assert_int_eq(SYS(__NR_arch_prctl, ARCH_GET_FS, RW), 0);
    get(&v, RW, sizeof(v));
    ck_assert_uint_eq(v, 0x7f0000001000);
    ck_assert_int_eq(SYS(__NR_arch_prctl, ARCH_SET_GS, 0x5000), 0);
    ck_assert_int_eq(SYS(__NR_arch_prctl, ARCH_GET_GS, RW), 0);
    get(&v, RW, sizeof(v));
    ck_assert_uint_eq(v, 0x5000);
    ck_assert_int_eq(SYS(__NR_arch_prctl, ARCH_SET_FS, RB_USER_TOP), -EPERM);
    ck_assert_int_eq(SYS(__NR_arch_prctl, ARCH_SET_GS, RB_KERNEL_BASE), -EPERM);
    ck_assert_uint_eq(vm_sregs(&rb)->fs.base, 0x7f0000001000);
    ck_assert_int_eq(SYS(__NR_arch_prctl, ARCH_GET_FS, RO), -EFAULT);
    ck_assert_int_eq(SYS(__NR_arch_prctl, 0x9999, RW), -EINVAL);
}
END_TEST

START_TEST(thread_bookkeeping)
{
    ck_assert_int_eq(SYS(__NR_set_tid_address, RW + 8), RB_GUEST_PID);
    ck_assert_uint_eq(rb.proc.clear_child_tid, RW + 8);
    ck_assert_int_eq(SYS(__NR_set_robust_list, RW, 23), -EINVAL);
    ck_assert_int_eq(SYS(__NR_set_robust_list, RW, 24), 0);
    ck_assert_uint_eq(rb.proc.robust_list, RW);
}
END_TEST

START_TEST(ids_look_like_a_fresh_pid_namespace)
{
    ck_assert_int_eq(SYS(__NR_getpid, 0), 2);
    ck_assert_int_eq(SYS(__NR_gettid, 0), 2);
    ck_assert_int_eq(SYS(__NR_getppid, 0), 1);
    ck_assert_int_eq(SYS(__NR_getuid, 0), 1234);
    ck_assert_int_eq(SYS(__NR_geteuid, 0), 1234);
    ck_assert_int_eq(SYS(__NR_getgid, 0), 5678);
    ck_assert_int_eq(SYS(__NR_getegid, 0), 5678);
}
END_TEST

START_TEST(rlimits)
{
    uint64_t lim[2], nl[2];
    ck_assert_int_eq(SYS(__NR_getrlimit, RLIMIT_STACK, RW), 0);
    get(lim, RW, sizeof(lim));
    ck_assert_uint_eq(lim[0], 8 << 20);
    ck_assert_uint_eq(lim[1], RLIM_INFINITY);
    ck_assert_int_eq(SYS(__NR_prlimit64, 0, RLIMIT_AS, 0, RW), 0);
    get(lim, RW, sizeof(lim));
    ck_assert_uint_eq(lim[0], MEM_SIZE);

    /* Lowering works, raising the hard limit back does not. */
    nl[0] = 100;
    nl[1] = 2000;
    put(RW + 0x100, nl, sizeof(nl));
    ck_assert_int_eq(SYS(__NR_prlimit64, RB_GUEST_PID, RLIMIT_NOFILE, RW + 0x100, RW), 0);
    get(lim, RW, sizeof(lim));
    ck_assert_uint_eq(lim[0], 1024);
    ck_assert_uint_eq(lim[1], 4096);
    ck_assert_int_eq(SYS(__NR_getrlimit, RLIMIT_NOFILE, RW), 0);
    get(lim, RW, sizeof(lim));
    ck_assert_uint_eq(lim[0], 100);
    ck_assert_uint_eq(lim[1], 2000);
    nl[1] = 2001;
    put(RW + 0x100, nl, sizeof(nl));
    ck_assert_int_eq(SYS(__NR_prlimit64, 0, RLIMIT_NOFILE, RW + 0x100, 0), -EPERM);
    nl[0] = 3000;
    nl[1] = 2000;
    put(RW + 0x100, nl, sizeof(nl));
    ck_assert_int_eq(SYS(__NR_prlimit64, 0, RLIMIT_NOFILE, RW + 0x100, 0), -EINVAL);
    ck_assert_uint_eq(rb.proc.rlim_cur[RLIMIT_NOFILE], 100);

    ck_assert_int_eq(SYS(__NR_prlimit64, 3, RLIMIT_NOFILE, 0, RW), -ESRCH);
    ck_assert_int_eq(SYS(__NR_prlimit64, 0, 16, 0, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_prlimit64, 0, RLIMIT_NOFILE, RB_KERNEL_BASE, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_getrlimit, 16, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_getrlimit, RLIMIT_CORE, RO), -EFAULT);
}
END_TEST

START_TEST(uname_hides_the_host_name)
{
    struct utsname host, u;
    ck_assert_int_eq(uname(&host), 0);
    ck_assert_int_eq(SYS(__NR_uname, RW), 0);
    get(&u, RW, sizeof(u));
    ck_assert_str_eq(u.sysname, "Linux");
    ck_assert_str_eq(u.nodename, "ringbox");
    ck_assert_str_eq(u.release, RINGBOX_DEFAULT_RELEASE);
    ck_assert_str_eq(u.version, "#1 SMP ringbox " RINGBOX_VERSION);
    ck_assert_str_eq(u.machine, host.machine);
    ck_assert_str_eq(u.domainname, "(none)");
    ck_assert_int_eq(SYS(__NR_uname, RO), -EFAULT);
}
END_TEST

START_TEST(affinity_is_one_cpu)
{
    uint64_t mask[2] = {~0ULL, ~0ULL};
    put(RW, mask, sizeof(mask));
    ck_assert_int_eq(SYS(__NR_sched_getaffinity, 0, 128, RW), 8);
    get(mask, RW, sizeof(mask));
    ck_assert_uint_eq(mask[0], 1);
    ck_assert_uint_eq(mask[1], ~0ULL);
    ck_assert_int_eq(SYS(__NR_sched_getaffinity, RB_GUEST_PID, 8, RW), 8);
    ck_assert_int_eq(SYS(__NR_sched_getaffinity, 0, 4, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_sched_getaffinity, 0, 12, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_sched_getaffinity, 7, 8, RW), -ESRCH);
    ck_assert_int_eq(SYS(__NR_sched_getaffinity, 0, 8, RO), -EFAULT);
    ck_assert_int_eq(SYS(__NR_sched_yield, 0), 0);
}
END_TEST

START_TEST(futex_single_threaded)
{
    uint32_t word = 5;
    struct sysarg_timespec ms = {0, 1000000}, bad = {0, 1000000000};
    put(RW, &word, sizeof(word));
    put(RW + 0x10, &ms, sizeof(ms));
    put(RW + 0x20, &bad, sizeof(bad));

    ck_assert_int_eq(SYS(__NR_futex, RW + 1, FUTEX_WAIT, 5, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_futex, RB_KERNEL_BASE, FUTEX_WAIT, 5, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_futex, HOLE, FUTEX_WAIT_PRIVATE, 5, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAIT_PRIVATE, 6, 0), -EAGAIN);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAIT_PRIVATE, 5, RW + 0x10), -ETIMEDOUT);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAIT, 5, RW + 0x20), -EINVAL);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAIT, 5, RB_KERNEL_BASE), -EFAULT);
    /* An absolute deadline long past. */
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 5, RW + 0x10, 0,
                         FUTEX_BITSET_MATCH_ANY),
                     -ETIMEDOUT);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAIT_BITSET, 5, RW + 0x10, 0, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 5, 0), -ENOSYS);

    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAKE_PRIVATE, 1), 0);
    ck_assert_int_eq(SYS(__NR_futex, RW + 2, FUTEX_WAKE, 1), -EINVAL);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_WAKE_BITSET, 1, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_LOCK_PI, 0), -ENOSYS);
    ck_assert_int_eq(SYS(__NR_futex, RW, FUTEX_REQUEUE, 1), -ENOSYS);
    ck_assert_uint_eq(res.counters.unknown_syscalls, 0);
}
END_TEST

/* ---- time ---------------------------------------------------------------- */

START_TEST(clocks)
{
    struct sysarg_timespec ts;
    struct timespec before;
    ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &before), 0);
    ck_assert_int_eq(SYS(__NR_clock_gettime, CLOCK_MONOTONIC, RW), 0);
    get(&ts, RW, sizeof(ts));
    ck_assert_int_ge(ts.sec, before.tv_sec);
    ck_assert_int_eq(SYS(__NR_clock_gettime, 10, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_clock_gettime, 12, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_clock_gettime, (uint64_t)-1, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_clock_gettime, CLOCK_REALTIME, RO), -EFAULT);

    int64_t host = time(NULL), t = SYS(__NR_time, 0);
    ck_assert_int_ge(t, host);
    ck_assert_int_le(t, host + 5);
    ck_assert_int_eq(SYS(__NR_time, RW + 0x40), SYS(__NR_time, 0));
    ck_assert_int_eq(SYS(__NR_time, RO), -EFAULT);

    int32_t tz[2] = {77, 77};
    put(RW + 0x80, tz, sizeof(tz));
    ck_assert_int_eq(SYS(__NR_gettimeofday, 0, 0), 0);
    ck_assert_int_eq(SYS(__NR_gettimeofday, RW, RW + 0x80), 0);
    int64_t tv[2];
    get(tv, RW, sizeof(tv));
    get(tz, RW + 0x80, sizeof(tz));
    ck_assert_int_ge(tv[0], host);
    ck_assert_int_lt(tv[1], 1000000);
    ck_assert_int_eq(tz[0], 0);
    ck_assert_int_eq(tz[1], 0);
    ck_assert_int_eq(SYS(__NR_gettimeofday, RO, 0), -EFAULT);
}
END_TEST

START_TEST(sleeps)
{
    struct sysarg_timespec ms = {0, 1000000}, neg = {-1, 0}, big = {0, 1000000000}, past = {1, 0};
    put(RW, &ms, sizeof(ms));
    put(RW + 0x10, &neg, sizeof(neg));
    put(RW + 0x20, &big, sizeof(big));
    put(RW + 0x30, &past, sizeof(past));
    ck_assert_int_eq(SYS(__NR_nanosleep, RW, 0), 0);
    ck_assert_int_eq(SYS(__NR_nanosleep, RW + 0x10, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_nanosleep, RW + 0x20, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_nanosleep, RB_KERNEL_BASE, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, RW + 0x30, 0), 0);
    ck_assert_int_eq(SYS(__NR_clock_nanosleep, CLOCK_REALTIME, 0, RW, 0), 0);
    ck_assert_int_eq(SYS(__NR_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, RW, 0), -EOPNOTSUPP);
    ck_assert_int_eq(SYS(__NR_clock_nanosleep, 10, 0, RW, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_clock_nanosleep, CLOCK_BOOTTIME_ALARM, 0, RW, 0), -EPERM);
}
END_TEST

/* The guest's own alarm (setitimer) cuts a sleep short when SIGALRM has
 * a handler: -EINTR, the time left, SIGALRM pending from the kernel. */
START_TEST(interrupted_sleep_reports_the_remainder)
{
    struct rb_sigaction act = {.handler = 0x401000, .flags = 0x04000000 /* SA_RESTORER */};
    int64_t it[4] = {0, 0, 0, 50000}; /* interval 0, value 50 ms */
    struct sysarg_timespec two = {2, 0}, rem = {-1, -1};
    put(RW + 0x40, &act, sizeof(act));
    put(RW + 0x80, it, sizeof(it));
    put(RW, &two, sizeof(two));
    put(RW + 0x10, &rem, sizeof(rem));
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGALRM, RW + 0x40, 0, 8), 0);
    ck_assert_int_eq(SYS(__NR_setitimer, ITIMER_REAL, RW + 0x80, 0), 0);
    ck_assert_int_eq(SYS(__NR_nanosleep, RW, RW + 0x10), -EINTR);
    get(&rem, RW + 0x10, sizeof(rem));
    ck_assert_int_eq(rem.sec, 1);
    ck_assert_int_gt(rem.nsec, 800000000);
    ck_assert_uint_eq(rb.proc.sigpending, BIT(SIGALRM));
    ck_assert_int_eq(rb.sig.info[SIGALRM].code, SI_KERNEL);
    /* Expired and not periodic: disarmed. */
    ck_assert_int_eq(SYS(__NR_getitimer, ITIMER_REAL, RW + 0x80), 0);
    get(it, RW + 0x80, sizeof(it));
    ck_assert(it[0] == 0 && it[1] == 0 && it[2] == 0 && it[3] == 0);
}
END_TEST

/* Ignored, the alarm does not interrupt; blocked, it stays pending and
 * does not interrupt either. */
START_TEST(ignored_or_blocked_alarm_lets_the_sleep_finish)
{
    struct rb_sigaction ign = {.handler = 1};
    int64_t it[4] = {0, 0, 0, 20000};
    struct sysarg_timespec t = {0, 60000000};
    uint64_t set = BIT(SIGALRM);
    put(RW + 0x40, &ign, sizeof(ign));
    put(RW + 0x80, it, sizeof(it));
    put(RW, &t, sizeof(t));
    put(RW + 0x100, &set, sizeof(set));
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGALRM, RW + 0x40, 0, 8), 0);
    ck_assert_int_eq(SYS(__NR_setitimer, ITIMER_REAL, RW + 0x80, 0), 0);
    ck_assert_int_eq(SYS(__NR_nanosleep, RW, 0), 0);
    ck_assert_uint_eq(rb.proc.sigpending, 0);

    rb.proc.act[SIGALRM].handler = 0;
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, SIG_BLOCK, RW + 0x100, 0, 8), 0);
    ck_assert_int_eq(SYS(__NR_setitimer, ITIMER_REAL, RW + 0x80, 0), 0);
    ck_assert_int_eq(SYS(__NR_nanosleep, RW, 0), 0);
    ck_assert_uint_eq(rb.proc.sigpending, BIT(SIGALRM));
}
END_TEST

/* alarm() returns the old value rounded to whole seconds; setitimer
 * checks its timevals and knows only ITIMER_REAL. */
START_TEST(alarm_and_itimer_arguments)
{
    int64_t bad[4] = {0, 0, 0, 1000000}, it[4];
    put(RW, bad, sizeof(bad));
    ck_assert_int_eq(SYS(__NR_alarm, 10), 0);
    ck_assert_int_eq(SYS(__NR_alarm, 0), 10);
    ck_assert_int_eq(SYS(__NR_alarm, 0), 0);
    ck_assert_int_eq(SYS(__NR_setitimer, ITIMER_REAL, RW, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_setitimer, ITIMER_VIRTUAL, 0, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_setitimer, ITIMER_REAL, RB_KERNEL_BASE, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_getitimer, 3, RW), -EINVAL);
    ck_assert_int_eq(SYS(__NR_alarm, 5), 0);
    ck_assert_int_eq(SYS(__NR_getitimer, ITIMER_REAL, RW), 0);
    get(it, RW, sizeof(it));
    ck_assert_int_eq(it[2], 4);
    ck_assert_int_gt(it[3], 900000);
    ck_assert_int_eq(SYS(__NR_setitimer, ITIMER_REAL, 0, RW), 0);
    get(it, RW, sizeof(it));
    ck_assert_int_eq(it[2], 4);
    ck_assert_int_eq(SYS(__NR_alarm, 0), 0);
}
END_TEST

/* kill, tgkill and tkill reach only the process itself. */
START_TEST(self_signals)
{
    ck_assert_int_eq(SYS(__NR_kill, RB_GUEST_PID, 0), 0);
    ck_assert_int_eq(SYS(__NR_kill, 1, 0), -ESRCH);
    ck_assert_int_eq(SYS(__NR_kill, (uint64_t)-1, SIGUSR1), -ESRCH);
    ck_assert_int_eq(SYS(__NR_kill, RB_GUEST_PID, 65), -EINVAL);
    ck_assert_uint_eq(rb.proc.sigpending, 0);
    ck_assert_int_eq(SYS(__NR_kill, 0, SIGUSR1), 0);
    ck_assert_uint_eq(rb.proc.sigpending, BIT(SIGUSR1));
    ck_assert_int_eq(rb.sig.info[SIGUSR1].code, SI_USER);
    ck_assert(sig_work(&rb));
    ck_assert_int_eq(SYS(__NR_tgkill, RB_GUEST_PID, RB_GUEST_PID, SIGUSR2), 0);
    ck_assert_int_eq(rb.sig.info[SIGUSR2].code, SI_TKILL);
    ck_assert_int_eq(SYS(__NR_tgkill, 0, RB_GUEST_PID, SIGUSR2), -EINVAL);
    ck_assert_int_eq(SYS(__NR_tgkill, 3, RB_GUEST_PID, SIGUSR2), -ESRCH);
    ck_assert_int_eq(SYS(__NR_tkill, 3, SIGUSR2), -ESRCH);
    ck_assert_int_eq(SYS(__NR_tkill, RB_GUEST_PID, 99), -EINVAL);
    /* Default-ignored and ignored signals are discarded at once. */
    ck_assert_int_eq(SYS(__NR_tkill, RB_GUEST_PID, SIGCHLD), 0);
    ck_assert_int_eq(SYS(__NR_tkill, RB_GUEST_PID, SIGTSTP), 0);
    ck_assert_uint_eq(rb.proc.sigpending, BIT(SIGUSR1) | BIT(SIGUSR2));
}
END_TEST

START_TEST(getrandom_fills_guest_memory)
{
    uint8_t buf[64], zero[64] = {0};
    ck_assert_int_eq(SYS(__NR_getrandom, RW, 64, 0), 64);
    get(buf, RW, 64);
    ck_assert_int_ne(memcmp(buf, zero, 64), 0);
    ck_assert_int_eq(SYS(__NR_getrandom, RW, 64, GRND_NONBLOCK | GRND_INSECURE), 64);
    ck_assert_int_eq(SYS(__NR_getrandom, RW, 0, 0), 0);
    ck_assert_int_eq(SYS(__NR_getrandom, RW, 64, 0x8), -EINVAL);
    ck_assert_int_eq(SYS(__NR_getrandom, RW, 64, GRND_RANDOM | GRND_INSECURE), -EINVAL);
    ck_assert_int_eq(SYS(__NR_getrandom, RO, 64, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_getrandom, RB_KERNEL_BASE, 64, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_getrandom, RO - 10, 64, 0), 10);
    /* Across both RW pages, then short at the read-only one. */
    ck_assert_int_eq(SYS(__NR_getrandom, RW, UINT64_MAX, 0), 2 * MEM_PAGE);
}
END_TEST

/* ---- signals ------------------------------------------------------------- */

START_TEST(rt_sigaction_round_trip)
{
    struct rb_sigaction act = {
        .handler = 0x401000,
        .flags = SA_SIGINFO | 0x04000000 | 0x400, /* SA_RESTORER | SA_UNSUPPORTED */
        .restorer = 0x402000,
        .mask = BIT(SIGINT) | BIT(SIGKILL),
    }, old;
    put(RW, &act, sizeof(act));
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGUSR1, RW, 0, 8), 0);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGUSR1, 0, RW + 0x100, 8), 0);
    get(&old, RW + 0x100, sizeof(old));
    ck_assert_uint_eq(old.handler, 0x401000);
    ck_assert_uint_eq(old.flags, SA_SIGINFO | 0x04000000);
    ck_assert_uint_eq(old.restorer, 0x402000);
    ck_assert_uint_eq(old.mask, BIT(SIGINT));
    /* Setting and fetching at once returns the previous action. */
    act.handler = 1; /* SIG_IGN */
    put(RW, &act, sizeof(act));
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGUSR1, RW, RW + 0x100, 8), 0);
    get(&old, RW + 0x100, sizeof(old));
    ck_assert_uint_eq(old.handler, 0x401000);
    ck_assert_uint_eq(rb.proc.act[SIGUSR1].handler, 1);
}
END_TEST

START_TEST(rt_sigaction_rejects)
{
    struct rb_sigaction act = {.handler = 1};
    put(RW, &act, sizeof(act));
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGKILL, RW, 0, 8), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGSTOP, RW, 0, 8), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGKILL, 0, RW + 0x100, 8), 0);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, 0, RW, 0, 8), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, 65, RW, 0, 8), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, (uint64_t)-1, RW, 0, 8), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, 64, RW, 0, 8), 0);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGINT, RW, 0, 4), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGINT, RB_KERNEL_BASE, 0, 8), -EFAULT);
    ck_assert_int_eq(SYS(__NR_rt_sigaction, SIGINT, 0, RO, 8), -EFAULT);
    ck_assert_uint_eq(rb.proc.act[SIGKILL].handler, 0);
}
END_TEST

START_TEST(rt_sigprocmask_updates_the_mask)
{
    uint64_t set = BIT(SIGINT) | BIT(SIGKILL) | BIT(SIGSTOP), old;
    put(RW, &set, sizeof(set));
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, SIG_BLOCK, RW, RW + 8, 8), 0);
    get(&old, RW + 8, sizeof(old));
    ck_assert_uint_eq(old, 0);
    ck_assert_uint_eq(rb.proc.sigmask, BIT(SIGINT));
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, SIG_UNBLOCK, RW, RW + 8, 8), 0);
    get(&old, RW + 8, sizeof(old));
    ck_assert_uint_eq(old, BIT(SIGINT));
    ck_assert_uint_eq(rb.proc.sigmask, 0);
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, 7, RW, 0, 8), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, 7, 0, RW + 8, 8), 0);
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, SIG_SETMASK, RW, 0, 16), -EINVAL);
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, SIG_SETMASK, HOLE, 0, 8), -EFAULT);
    ck_assert_int_eq(SYS(__NR_rt_sigprocmask, SIG_SETMASK, RW, RO, 8), -EFAULT);
    ck_assert_uint_eq(rb.proc.sigmask, BIT(SIGINT));
}
END_TEST

START_TEST(sigaltstack_set_get_disable)
{
    struct rb_altstack ss = {.sp = RW, .flags = 0, .size = 1024}, old;
    put(RW + 0x100, &ss, sizeof(ss));
    ck_assert_int_eq(SYS(__NR_sigaltstack, 0, RW + 0x200), 0);
    get(&old, RW + 0x200, sizeof(old));
    ck_assert_int_eq(old.flags, SS_DISABLE);
    ck_assert_int_eq(SYS(__NR_sigaltstack, RW + 0x100, 0), -ENOMEM);

    ss.size = 16384;
    ss.flags = (int32_t)SYSARG_SS_AUTODISARM;
    put(RW + 0x100, &ss, sizeof(ss));
    ck_assert_int_eq(SYS(__NR_sigaltstack, RW + 0x100, 0), 0);
    ck_assert_int_eq(SYS(__NR_sigaltstack, 0, RW + 0x200), 0);
    get(&old, RW + 0x200, sizeof(old));
    ck_assert_uint_eq(old.sp, RW);
    ck_assert_uint_eq(old.size, 16384);
    ck_assert_int_eq(old.flags, (int32_t)SYSARG_SS_AUTODISARM);

    ss.flags = 5;
    put(RW + 0x100, &ss, sizeof(ss));
    ck_assert_int_eq(SYS(__NR_sigaltstack, RW + 0x100, 0), -EINVAL);
    ck_assert_int_eq(SYS(__NR_sigaltstack, RB_KERNEL_BASE, 0), -EFAULT);
    ck_assert_int_eq(SYS(__NR_sigaltstack, 0, RO), -EFAULT);

    ss.flags = SS_DISABLE;
    ss.size = 0;
    put(RW + 0x100, &ss, sizeof(ss));
    ck_assert_int_eq(SYS(__NR_sigaltstack, RW + 0x100, RW + 0x200), 0);
    get(&old, RW + 0x200, sizeof(old));
    ck_assert_uint_eq(old.size, 16384);
    ck_assert_int_eq(SYS(__NR_sigaltstack, 0, RW + 0x200), 0);
    get(&old, RW + 0x200, sizeof(old));
    ck_assert_int_eq(old.flags, SS_DISABLE);
    ck_assert_uint_eq(old.size, 0);
}
END_TEST

Suite *sys_suite(void)
{
    Suite *s = suite_create("sys");
    TCase *tc = tcase_create("handlers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, unknown_numbers_are_enosys_and_counted);
    tcase_add_test(tc, known_numbers_are_counted_and_rseq_is_not_unknown);
    tcase_add_test(tc, dispatch_without_a_result_is_fine);
    tcase_add_test(tc, syscall_names_cover_unserviced_ones);
    tcase_add_test(tc, write_reaches_the_host_fd);
    tcase_add_test(tc, write_faults_bad_fds_and_partial);
    tcase_add_test(tc, write_to_a_closed_pipe_is_epipe_and_sigpipe);
    tcase_add_test(tc, ignored_or_blocked_sigpipe_leaves_just_epipe);
    tcase_add_test(tc, read_fills_guest_memory_and_stops_short);
    tcase_add_test(tc, readv_and_writev);
    tcase_add_test(tc, pread_and_pwrite_positions);
    tcase_add_test(tc, fstat_and_newfstatat_on_the_standard_fds);
    tcase_add_test(tc, ioctl_answers_terminal_queries_from_the_host);
    tcase_add_test(tc, readlink_proc_self_exe);
    tcase_add_test(tc, exit_group_ends_the_run_with_the_low_byte);
    tcase_add_test(tc, arch_prctl_fs_and_gs);
    tcase_add_test(tc, thread_bookkeeping);
    tcase_add_test(tc, ids_look_like_a_fresh_pid_namespace);
    tcase_add_test(tc, rlimits);
    tcase_add_test(tc, uname_hides_the_host_name);
    tcase_add_test(tc, affinity_is_one_cpu);
    tcase_add_test(tc, futex_single_threaded);
    tcase_add_test(tc, clocks);
    tcase_add_test(tc, sleeps);
    tcase_add_test(tc, interrupted_sleep_reports_the_remainder);
    tcase_add_test(tc, ignored_or_blocked_alarm_lets_the_sleep_finish);
    tcase_add_test(tc, alarm_and_itimer_arguments);
    tcase_add_test(tc, self_signals);
    tcase_add_test(tc, getrandom_fills_guest_memory);
    tcase_add_test(tc, rt_sigaction_round_trip);
    tcase_add_test(tc, rt_sigaction_rejects);
    tcase_add_test(tc, rt_sigprocmask_updates_the_mask);
    tcase_add_test(tc, sigaltstack_set_get_disable);
    suite_add_tcase(s, tc);
    return s;
}
