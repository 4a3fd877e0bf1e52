/* fds.c - descriptor syscalls by argv[1]: "dup", "pipe", "sigpipe", "poll",
 * "select", "poll_signal", "file" (stdin must be a read-only regular file
 * holding "0123456789abcdef"), "mount" (the same file as /data/in.txt on
 * a --ro mount), "socket", "prctl", "sysinfo".  Each prints
 * name=value lines; values that depend on timing are checked here and
 * printed as ok or what went wrong. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define KERNEL_ADDR 0xffffffff80000000UL
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* A syscall's result: the value, or the errno's name. */
static void show(const char *what, long r)
{
    const char *e;
    if (r >= 0) {
        printf("%s=%ld\n", what, r);
        return;
    }
    switch (errno) {
    case EBADF: e = "EBADF"; break;
    case EINVAL: e = "EINVAL"; break;
    case EFAULT: e = "EFAULT"; break;
    case EAGAIN: e = "EAGAIN"; break;
    case EPIPE: e = "EPIPE"; break;
    case ESPIPE: e = "ESPIPE"; break;
    case EROFS: e = "EROFS"; break;
    case ESRCH: e = "ESRCH"; break;
    case EACCES: e = "EACCES"; break;
    case EAFNOSUPPORT: e = "EAFNOSUPPORT"; break;
    case ENOTSOCK: e = "ENOTSOCK"; break;
    case EMFILE: e = "EMFILE"; break;
    case ENOSYS: e = "ENOSYS"; break;
    case ENOPKG: e = "ENOPKG"; break;
    case EXDEV: e = "EXDEV"; break;
    case EINTR: e = "EINTR"; break;
    default: e = strerror(errno); break;
    }
    printf("%s=%s\n", what, e);
}

static void check(const char *what, int ok)
{
    printf("%s=%s\n", what, ok ? "ok" : "FAIL");
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void mode_dup(void)
{
    show("dup", dup(1));                              /* lowest free: 3 */
    show("write_dup", write(3, "via3\n", 5));
    show("dup2", dup2(1, 10));
    show("write_dup2", write(10, "via10\n", 6));
    show("dup2_same", dup2(10, 10));
    show("dup2_same_closed", syscall(SYS_dup2, 11, 11));
    show("dup2_closed", dup2(11, 5));
    show("dup2_big", syscall(SYS_dup2, 1, 100000));
    show("dup2_neg", syscall(SYS_dup2, 1, -1));
    show("dup3_same", syscall(SYS_dup3, 1, 1, 0));
    show("dup3_flags", syscall(SYS_dup3, 1, 5, O_NONBLOCK));
    show("dup3_cloexec", syscall(SYS_dup3, 1, 5, O_CLOEXEC));
    show("getfd5", fcntl(5, F_GETFD));
    show("getfd10", fcntl(10, F_GETFD));
    show("close3", close(3));
    show("close3_again", close(3));
    show("dup_lowest", dup(1));                       /* 3 again */
    show("dupfd20", fcntl(1, F_DUPFD, 20));
    show("dupfd20_again", fcntl(1, F_DUPFD, 20));     /* 21 */
    show("dupfd_cloexec", fcntl(1, F_DUPFD_CLOEXEC, 30));
    show("getfd30", fcntl(30, F_GETFD));
    show("dupfd_limit", fcntl(1, F_DUPFD, 1 << 20));
    show("setfd", fcntl(20, F_SETFD, FD_CLOEXEC));
    show("getfd20", fcntl(20, F_GETFD));
    show("fionclex", ioctl(20, FIONCLEX));
    show("getfd20_after", fcntl(20, F_GETFD));
    show("fioclex", ioctl(21, FIOCLEX));
    show("getfd21", fcntl(21, F_GETFD));
    show("fcntl_bad_cmd", fcntl(1, 12345));
    show("fcntl_closed", fcntl(44, F_GETFD));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    show("getlk", fcntl(1, F_GETLK, &fl));
    show("getlk_type_unlck", fl.l_type == F_UNLCK);
    fl.l_type = F_WRLCK;
    show("setlk", fcntl(1, F_SETLK, &fl));
    fl.l_type = 99;
    show("setlk_bad_type", fcntl(1, F_SETLK, &fl));
    show("getlk_fault", syscall(SYS_fcntl, 1, F_GETLK, KERNEL_ADDR));
    show("close_range_bad", syscall(SYS_close_range, 5, 4, 0));
    show("close_range_flags", syscall(SYS_close_range, 3, 4, 0x80));
    show("close_range_cloexec", syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC));
    show("getfd3", fcntl(3, F_GETFD));
    show("getfd1", fcntl(1, F_GETFD));
    show("close_range", syscall(SYS_close_range, 4, ~0U, 0));
    show("after_close_range10", fcntl(10, F_GETFD));
    show("after_close_range3", fcntl(3, F_GETFD));
    show("write_dup_still", write(3, "via3b\n", 6));
}

static void mode_pipe(void)
{
    int p[2];
    char buf[16] = "";
    show("pipe", pipe(p));
    printf("fds=%d,%d\n", p[0], p[1]);
    show("getfd_r", fcntl(p[0], F_GETFD));
    show("write", write(p[1], "hello", 5));
    int n = -1;
    show("fionread_rc", ioctl(p[0], FIONREAD, &n));
    printf("fionread=%d\n", n);
    show("read", read(p[0], buf, sizeof(buf)));
    printf("data=%s\n", buf);
    show("write_again", write(p[1], "xy", 2));
    show("close_w", close(p[1]));
    show("read_rest", read(p[0], buf, sizeof(buf)));
    show("read_eof", read(p[0], buf, sizeof(buf)));
    show("close_r", close(p[0]));

    show("pipe2", pipe2(p, O_NONBLOCK | O_CLOEXEC));
    show("getfd", fcntl(p[0], F_GETFD));
    show("getfl_nonblock", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    show("read_empty", read(p[0], buf, sizeof(buf)));
    show("setfl", fcntl(p[0], F_SETFL, 0));
    show("getfl_cleared", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    int on = 1;
    show("fionbio", ioctl(p[0], FIONBIO, &on));
    show("getfl_fionbio", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    show("read_empty_again", read(p[0], buf, sizeof(buf)));
    show("getfl_w_accmode", fcntl(p[1], F_GETFL) & O_ACCMODE);
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
    show("setlk_rd_on_w", fcntl(p[1], F_SETLK, &fl));
    fl.l_type = F_WRLCK;
    show("setlk_wr_on_w", fcntl(p[1], F_SETLK, &fl));
    show("fchmod_pipe", fchmod(p[0], 0600));
    show("lseek_pipe", lseek(p[0], 0, SEEK_SET));
    signal(SIGPIPE, SIG_IGN);
    close(p[0]);
    show("write_no_reader", write(p[1], "z", 1));
    close(p[1]);

    show("pipe2_bad", syscall(SYS_pipe2, p, 0x4));
    show("pipe2_notification", syscall(SYS_pipe2, p, O_EXCL));
    show("pipe_fault", syscall(SYS_pipe, KERNEL_ADDR));
    show("after_fault_lowest", dup(0)); /* the fault left no fds behind */
}

/* A write to a pipe without a reader, SIGPIPE at its default: killed. */
static void mode_sigpipe(void)
{
    int p[2];
    if (pipe(p) < 0)
        exit(3);
    close(p[0]);
    write(p[1], "z", 1);
    exit(4);
}

static void mode_poll(void)
{
    int p[2];
    struct timespec t0;
    if (pipe(p) < 0)
        exit(3);
    struct pollfd f[4] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT},
                          {.fd = -1, .events = POLLIN}, {.fd = 40, .events = POLLIN}};
    show("poll_out_only", poll(f, 2, 0));
    printf("revents=%#x,%#x\n", f[0].revents, f[1].revents);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("poll_timeout", poll(f, 1, 50));
    long ms = ms_since(&t0);
    check("poll_waited", ms >= 45 && ms < 2000);
    write(p[1], "a", 1);
    show("poll_in", poll(f, 2, -1));
    printf("revents=%#x,%#x\n", f[0].revents, f[1].revents);
    /* A closed fd is ready at once, even with no time-out. */
    show("poll_nval", poll(f, 4, -1));
    printf("revents=%#x,%#x,%#x,%#x\n", f[0].revents, f[1].revents, f[2].revents, f[3].revents);
    show("poll_too_many", syscall(SYS_poll, f, 100000, 0));
    show("poll_fault", syscall(SYS_poll, KERNEL_ADDR, 1, 0));

    struct timespec ts = {.tv_sec = 0, .tv_nsec = 30000000};
    char c;
    read(p[0], &c, 1);
    show("ppoll_timeout", syscall(SYS_ppoll, f, 1, &ts, NULL, 8));
    check("ppoll_left", ts.tv_sec == 0 && ts.tv_nsec < 5000000);
    ts = (struct timespec){.tv_sec = 5};
    write(p[1], "b", 1);
    show("ppoll_ready", syscall(SYS_ppoll, f, 1, &ts, NULL, 8));
    check("ppoll_left_most", ts.tv_sec == 4 || (ts.tv_sec == 5 && ts.tv_nsec == 0));
    uint64_t mask = 0;
    show("ppoll_bad_sigsetsize", syscall(SYS_ppoll, f, 1, &ts, &mask, 4));
    ts.tv_nsec = 1000000000;
    show("ppoll_bad_ts", syscall(SYS_ppoll, f, 1, &ts, NULL, 8));
    show("ppoll_mask", syscall(SYS_ppoll, f, 1, NULL, &mask, 8));
    close(p[1]);
    read(p[0], &c, 1);
    show("poll_hup", poll(f, 1, 1000));
    printf("revents=%#x\n", f[0].revents);
}

static void mode_select(void)
{
    int p[2];
    fd_set r, w;
    if (pipe(p) < 0)
        exit(3);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 40000};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    show("select_timeout", syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv));
    long ms = ms_since(&t0);
    check("select_waited", ms >= 35 && ms < 2000);
    check("select_cleared", !FD_ISSET(p[0], &r));
    check("select_tv_left", tv.tv_sec == 0 && tv.tv_usec < 5000);
    write(p[1], "a", 1);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &r);
    FD_SET(p[1], &w);
    FD_SET(p[0], &w);
    /* 1.5 s in tv_usec alone: whole seconds are carried (kern_select()). */
    tv = (struct timeval){.tv_sec = 0, .tv_usec = 1500000};
    show("select_ready", syscall(SYS_select, p[1] + 1, &r, &w, NULL, &tv));
    printf("r=%d,%d w=%d,%d\n", FD_ISSET(p[0], &r), FD_ISSET(p[1], &r), FD_ISSET(p[0], &w),
           FD_ISSET(p[1], &w));
    check("select_tv_carried", tv.tv_sec == 1 && tv.tv_usec > 400000);
    FD_ZERO(&r);
    FD_SET(30, &r);
    show("select_closed", syscall(SYS_select, 31, &r, NULL, NULL, NULL));
    /* Bits past n are not looked at. */
    tv = (struct timeval){0, 0};
    show("select_past_n", syscall(SYS_select, 30, &r, NULL, NULL, &tv));
    show("select_neg", syscall(SYS_select, -1, NULL, NULL, NULL, NULL));
    tv = (struct timeval){.tv_sec = 0, .tv_usec = -1};
    show("select_bad_tv", syscall(SYS_select, 0, NULL, NULL, NULL, &tv));
    show("select_fault", syscall(SYS_select, 1, KERNEL_ADDR, NULL, NULL, NULL));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 0};
    show("pselect_ready", pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL));
    check("pselect_set", FD_ISSET(p[0], &r));
    char c;
    read(p[0], &c, 1);
    sigset_t none;
    sigemptyset(&none);
    ts.tv_nsec = 20000000;
    show("pselect_timeout", pselect(p[0] + 1, &r, NULL, NULL, &ts, &none));
    struct {
        void *set;
        size_t size;
    } pack = {&none, 4};
    show("pselect_bad_sigsetsize", syscall(SYS_pselect6, 1, NULL, NULL, NULL, NULL, &pack));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv = (struct timeval){.tv_sec = 0, .tv_usec = 10000};
    show("libc_select", select(p[0] + 1, &r, NULL, NULL, &tv));
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void arm(long ms)
{
    struct itimerval it = {.it_value = {.tv_sec = 0, .tv_usec = ms * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

/* SIGALRM (a handler, no SA_RESTART) ends a blocked poll or select with
 * EINTR; ppoll's mask keeps it out until the wait is over. */
static void mode_poll_signal(void)
{
    int p[2];
    if (pipe(p) < 0)
        exit(3);
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct pollfd f = {.fd = p[0], .events = POLLIN};
    arm(30);
    show("poll_interrupted", poll(&f, 1, -1));
    printf("alarms=%d\n", alarms);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    arm(30);
    show("select_interrupted", select(p[0] + 1, &r, NULL, NULL, NULL));
    printf("alarms=%d\n", alarms);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 120000000};
    arm(30);
    show("ppoll_masked", ppoll(&f, 1, &ts, &block));
    printf("alarms=%d\n", alarms);
    arm(30);
    ts = (struct timespec){.tv_sec = 0, .tv_nsec = 120000000};
    show("pselect_masked", pselect(p[0] + 1, &r, NULL, NULL, &ts, &block));
    printf("alarms=%d\n", alarms);
}

static void mode_file(void)
{
    char buf[32] = "";
    show("lseek_end", lseek(0, 0, SEEK_END));
    show("lseek_set", lseek(0, 4, SEEK_SET));
    show("read", read(0, buf, 4));
    printf("data=%s\n", buf);
    show("lseek_cur", lseek(0, 0, SEEK_CUR));
    show("lseek_whence", lseek(0, 0, 42));
    show("lseek_neg", lseek(0, -100, SEEK_SET));
    int n = -1;
    show("fionread_rc", ioctl(0, FIONREAD, &n));
    printf("fionread=%d\n", n);
    struct stat st;
    show("fstat", fstat(0, &st));
    printf("size=%lld\n", (long long)st.st_size);
    show("ftruncate_ro", ftruncate(0, 0));
    show("fallocate_ro", fallocate(0, 0, 0, 100));
    show("fchmod_lent", fchmod(0, 0777));
    show("fsync", fsync(0));
    show("fdatasync", fdatasync(0));
    show("ftruncate_closed", ftruncate(40, 0));
    struct statfs sfs;
    show("fstatfs", fstatfs(0, &sfs));
    show("fstatfs_fault", syscall(SYS_fstatfs, 0, KERNEL_ADDR));
    fflush(stdout);
    /* sendfile with an offset leaves the position (8) alone. */
    off_t off = 2;
    long r = sendfile(1, 0, &off, 6);
    printf("\nsendfile=%ld off=%lld\n", r, (long long)off);
    show("pos_after", lseek(0, 0, SEEK_CUR));
    fflush(stdout);
    r = sendfile(1, 0, NULL, 100);
    printf("\nsendfile_pos=%ld\n", r);
    show("pos_after_pos", lseek(0, 0, SEEK_CUR));
    show("sendfile_closed", sendfile(1, 44, NULL, 1));
    show("sendfile_fault", syscall(SYS_sendfile, 1, 0, KERNEL_ADDR, 1));
    off_t in = 0;
    show("cfr_flags", syscall(SYS_copy_file_range, 0, &in, 1, NULL, 4, 1));
    show("cfr_closed", syscall(SYS_copy_file_range, 44, &in, 1, NULL, 4, 0));
    show("cfr_fault", syscall(SYS_copy_file_range, 0, KERNEL_ADDR, 1, NULL, 4, 0));
    int p[2];
    pipe(p);
    show("cfr_pipe", syscall(SYS_copy_file_range, 0, &in, p[1], NULL, 4, 0));
    show("lseek_dup", lseek(dup(0), 3, SEEK_SET));
    show("dup_shares_offset", lseek(0, 0, SEEK_CUR));
}

/* /data/in.txt on a --ro mount holding "0123456789abcdef", and the
 * private writable /tmp. */
static void mode_mount(void)
{
    char buf[32] = "";
    int in = open("/data/in.txt", O_RDONLY);
    show("open_ro", in);
    show("open_rdwr", open("/data/in.txt", O_RDWR));
    show("ftruncate_ro", ftruncate(in, 0));
    show("fallocate_ro", fallocate(in, 0, 0, 10));
    show("fchmod_ro", fchmod(in, 0777));
    show("lseek", lseek(in, 10, SEEK_SET));
    int out = open("/tmp/copy", O_RDWR | O_CREAT | O_TRUNC, 0600);
    show("open_tmp", out);
    loff_t off_in = 2;
    show("copy_file_range", syscall(SYS_copy_file_range, in, &off_in, out, NULL, 8, 0));
    printf("off_in=%lld\n", (long long)off_in);
    show("pos_in", lseek(in, 0, SEEK_CUR));
    show("pos_out", lseek(out, 0, SEEK_CUR));
    show("sendfile", sendfile(out, in, NULL, 100));
    show("pread", pread(out, buf, sizeof(buf) - 1, 0));
    printf("copy=%s\n", buf);
    show("fchmod_tmp", fchmod(out, 0644));
    show("ftruncate_tmp", ftruncate(out, 4));
    show("fsync_tmp", fsync(out));
    struct stat st;
    fstat(out, &st);
    printf("mode=%o size=%lld\n", (unsigned)(st.st_mode & 0777), (long long)st.st_size);
}

static void mode_socket(void)
{
    int sv[2] = {-1, -1};
    show("inet", socket(AF_INET, SOCK_STREAM, 0));
    show("inet6", socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    show("netlink", socket(AF_NETLINK, SOCK_RAW, 0));
    show("unix", socket(AF_UNIX, SOCK_STREAM, 0));
    show("pair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    printf("sv=%d,%d\n", sv[0], sv[1]);
    show("bad_flags", socket(AF_INET, SOCK_STREAM | 0x100, 0));
    show("bad_family", socket(5000, SOCK_STREAM, 0));
    show("bad_type", socket(AF_UNIX, 14, 0));
    struct sockaddr sa = {.sa_family = AF_INET};
    show("connect", connect(1, &sa, sizeof(sa)));
    show("connect_closed", connect(40, &sa, sizeof(sa)));
    show("sendto", sendto(1, "x", 1, 0, NULL, 0));
    show("recvfrom", recvfrom(0, NULL, 0, 0, NULL, NULL));
    /* Raw: older musl retries a refused accept4 as accept. */
    show("accept4_flags", syscall(SYS_accept4, 1, NULL, NULL, 0x4));
    int v;
    socklen_t len = sizeof(v);
    show("getsockopt", getsockopt(1, SOL_SOCKET, SO_TYPE, &v, &len));
    show("shutdown", shutdown(2, SHUT_RDWR));
}

static void mode_prctl(void)
{
    char name[32];
    memset(name, 'x', sizeof(name));
    show("get_name", prctl(PR_GET_NAME, name));
    printf("name=%s\n", name);
    show("set_name", prctl(PR_SET_NAME, "a-rather-long-thread-name"));
    memset(name, 'x', sizeof(name));
    prctl(PR_GET_NAME, name);
    printf("name=%s\n", name);
    printf("name_16th=%d\n", name[15]);
    show("set_name_fault", prctl(PR_SET_NAME, KERNEL_ADDR));
    show("get_name_fault", prctl(PR_GET_NAME, KERNEL_ADDR));
    show("get_dumpable", prctl(PR_GET_DUMPABLE));
    show("set_dumpable", prctl(PR_SET_DUMPABLE, 0));
    show("get_dumpable_after", prctl(PR_GET_DUMPABLE));
    show("set_dumpable_bad", prctl(PR_SET_DUMPABLE, 2));
    int sig = -1;
    show("set_pdeathsig", prctl(PR_SET_PDEATHSIG, SIGTERM));
    show("get_pdeathsig", prctl(PR_GET_PDEATHSIG, &sig));
    printf("pdeathsig=%d\n", sig);
    show("set_pdeathsig_bad", prctl(PR_SET_PDEATHSIG, 65));
    show("get_nnp", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    show("set_nnp_bad", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
    show("set_nnp", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    show("get_nnp_after", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    show("capbset_read", prctl(PR_CAPBSET_READ, 0));
    show("capbset_read_bad", prctl(PR_CAPBSET_READ, 1000));
    show("set_vma", prctl(0x53564d41 /* PR_SET_VMA */, 0, 0x10000, 4096, 0));
    show("unknown", prctl(9999));
}

static void mode_sysinfo(void)
{
    struct sysinfo si;
    show("sysinfo", sysinfo(&si));
    printf("totalram=%llu\n", (unsigned long long)si.totalram * si.mem_unit);
    printf("procs=%u\n", si.procs);
    check("freeram", si.freeram > 0 && si.freeram < si.totalram);
    check("swap", si.totalswap == 0 && si.freeswap == 0);
    show("sysinfo_fault", syscall(SYS_sysinfo, KERNEL_ADDR));
    unsigned cpu = 7, node = 7;
    show("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    printf("cpu=%u node=%u\n", cpu, node);
    show("getcpu_fault", syscall(SYS_getcpu, KERNEL_ADDR, NULL, NULL));
    /* Raw calls: musl's sched_get* wrappers answer ENOSYS themselves. */
    show("sched_getscheduler", syscall(SYS_sched_getscheduler, 0));
    show("sched_getscheduler_self", syscall(SYS_sched_getscheduler, getpid()));
    show("sched_getscheduler_other", syscall(SYS_sched_getscheduler, 12345));
    show("sched_getscheduler_neg", syscall(SYS_sched_getscheduler, -1));
    struct sched_param sp = {.sched_priority = 9};
    show("sched_getparam", syscall(SYS_sched_getparam, 0, &sp));
    printf("priority=%d\n", sp.sched_priority);
    show("sched_getparam_null", syscall(SYS_sched_getparam, 0, NULL));
    show("sched_getparam_other", syscall(SYS_sched_getparam, 12345, &sp));
    struct rusage ru;
    memset(&ru, 0xff, sizeof(ru));
    show("getrusage_children", getrusage(RUSAGE_CHILDREN, &ru));
    check("children_zero", ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec == 0 && ru.ru_maxrss == 0);
    /* Burn a little CPU so user time is visible. */
    volatile unsigned long spin = 0;
    for (unsigned long i = 0; i < 50000000; i++)
        spin += i;
    show("getrusage_self", getrusage(RUSAGE_SELF, &ru));
    check("self_time", ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 0);
    check("self_maxrss", ru.ru_maxrss > 0);
    show("getrusage_bad", getrusage(7, &ru));
    struct tms t;
    long now = (long)syscall(SYS_times, &t);
    check("times", now > 0 && t.tms_cutime == 0 && t.tms_cstime == 0 && t.tms_utime >= 0);
    show("times_fault", syscall(SYS_times, KERNEL_ADDR));
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0); /* printf and raw writes in order */
    if (!strcmp(mode, "dup"))
        mode_dup();
    else if (!strcmp(mode, "pipe"))
        mode_pipe();
    else if (!strcmp(mode, "sigpipe"))
        mode_sigpipe();
    else if (!strcmp(mode, "poll"))
        mode_poll();
    else if (!strcmp(mode, "select"))
        mode_select();
    else if (!strcmp(mode, "poll_signal"))
        mode_poll_signal();
    else if (!strcmp(mode, "file"))
        mode_file();
    else if (!strcmp(mode, "mount"))
        mode_mount();
    else if (!strcmp(mode, "socket"))
        mode_socket();
    else if (!strcmp(mode, "prctl"))
        mode_prctl();
    else if (!strcmp(mode, "sysinfo"))
        mode_sysinfo();
    else {
        fprintf(stderr, "usage: fds dup|pipe|sigpipe|poll|select|poll_signal|file|mount|socket|prctl|sysinfo\n");
        return 2;
    }
    return 0;
}
