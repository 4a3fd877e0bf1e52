/* integ_fds.c - the descriptor syscalls in real runs, through the ringbox
 * command so that the seccomp filter is on: dup and fcntl semantics,
 * pipes, poll and select with their time-outs and signals, lseek and
 * sendfile on a file, copies and refused changes on a --ro mount, the
 * socket denials and their trace lines, prctl and sysinfo.  Where Linux
 * and the sandbox should agree, the expected output is what
 * tests/progs/fds.c prints natively (checked on Linux 6.18). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integ_util.h"

/* What "fds file" reads: 16 bytes in a read-only file. */
#define FILE_DATA "0123456789abcdef"

static const char expect_dup[] =
    "dup=3\n"
    "via3\n"
    "write_dup=5\n"
    "dup2=10\n"
    "via10\n"
    "write_dup2=6\n"
    "dup2_same=10\n"
    "dup2_same_closed=EBADF\n"
    "dup2_closed=EBADF\n"
    "dup2_big=EBADF\n"
    "dup2_neg=EBADF\n"
    "dup3_same=EINVAL\n"
    "dup3_flags=EINVAL\n"
    "dup3_cloexec=5\n"
    "getfd5=1\n"
    "getfd10=0\n"
    "close3=0\n"
    "close3_again=EBADF\n"
    "dup_lowest=3\n"
    "dupfd20=20\n"
    "dupfd20_again=21\n"
    "dupfd_cloexec=30\n"
    "getfd30=1\n"
    "dupfd_limit=EINVAL\n"
    "setfd=0\n"
    "getfd20=1\n"
    "fionclex=0\n"
    "getfd20_after=0\n"
    "fioclex=0\n"
    "getfd21=1\n"
    "fcntl_bad_cmd=EINVAL\n"
    "fcntl_closed=EBADF\n"
    "getlk=0\n"
    "getlk_type_unlck=1\n"
    "setlk=0\n"
    "setlk_bad_type=EINVAL\n"
    "getlk_fault=EFAULT\n"
    "close_range_bad=EINVAL\n"
    "close_range_flags=EINVAL\n"
    "close_range_cloexec=0\n"
    "getfd3=1\n"
    "getfd1=0\n"
    "close_range=0\n"
    "after_close_range10=EBADF\n"
    "after_close_range3=1\n"
    "via3b\n"
    "write_dup_still=6\n";

static const char expect_pipe[] =
    "pipe=0\n"
    "fds=3,4\n"
    "getfd_r=0\n"
    "write=5\n"
    "fionread_rc=0\n"
    "fionread=5\n"
    "read=5\n"
    "data=hello\n"
    "write_again=2\n"
    "close_w=0\n"
    "read_rest=2\n"
    "read_eof=0\n"
    "close_r=0\n"
    "pipe2=0\n"
    "getfd=1\n"
    "getfl_nonblock=1\n"
    "read_empty=EAGAIN\n"
    "setfl=0\n"
    "getfl_cleared=0\n"
    "fionbio=0\n"
    "getfl_fionbio=1\n"
    "read_empty_again=EAGAIN\n"
    "getfl_w_accmode=1\n"
    "setlk_rd_on_w=EBADF\n"
    "setlk_wr_on_w=0\n"
    "fchmod_pipe=0\n"
    "lseek_pipe=ESPIPE\n"
    "write_no_reader=EPIPE\n"
    "pipe2_bad=EINVAL\n"
    "pipe2_notification=ENOPKG\n"
    "pipe_fault=EFAULT\n"
    "after_fault_lowest=3\n";

static const char expect_poll[] =
    "poll_out_only=1\n"
    "revents=0,0x4\n"
    "poll_timeout=0\n"
    "poll_waited=ok\n"
    "poll_in=2\n"
    "revents=0x1,0x4\n"
    "poll_nval=3\n"
    "revents=0x1,0x4,0,0x20\n"
    "poll_too_many=EINVAL\n"
    "poll_fault=EFAULT\n"
    "ppoll_timeout=0\n"
    "ppoll_left=ok\n"
    "ppoll_ready=1\n"
    "ppoll_left_most=ok\n"
    "ppoll_bad_sigsetsize=EINVAL\n"
    "ppoll_bad_ts=EINVAL\n"
    "ppoll_mask=1\n"
    "poll_hup=1\n"
    "revents=0x10\n";

static const char expect_select[] =
    "select_timeout=0\n"
    "select_waited=ok\n"
    "select_cleared=ok\n"
    "select_tv_left=ok\n"
    "select_ready=2\n"
    "r=1,0 w=0,1\n"
    "select_tv_carried=ok\n"
    "select_closed=EBADF\n"
    "select_past_n=0\n"
    "select_neg=EINVAL\n"
    "select_bad_tv=EINVAL\n"
    "select_fault=EFAULT\n"
    "pselect_ready=1\n"
    "pselect_set=ok\n"
    "pselect_timeout=0\n"
    "pselect_bad_sigsetsize=EINVAL\n"
    "libc_select=0\n";

/* As natively, except that fchmod of a stream ringbox was lent is EROFS. */
static const char expect_file[] =
    "lseek_end=16\n"
    "lseek_set=4\n"
    "read=4\n"
    "data=4567\n"
    "lseek_cur=8\n"
    "lseek_whence=EINVAL\n"
    "lseek_neg=EINVAL\n"
    "fionread_rc=0\n"
    "fionread=8\n"
    "fstat=0\n"
    "size=16\n"
    "ftruncate_ro=EINVAL\n"
    "fallocate_ro=EBADF\n"
    "fchmod_lent=EROFS\n"
    "fsync=0\n"
    "fdatasync=0\n"
    "ftruncate_closed=EBADF\n"
    "fstatfs=0\n"
    "fstatfs_fault=EFAULT\n"
    "234567\n"
    "sendfile=6 off=8\n"
    "pos_after=8\n"
    "89abcdef\n"
    "sendfile_pos=8\n"
    "pos_after_pos=16\n"
    "sendfile_closed=EBADF\n"
    "sendfile_fault=EFAULT\n"
    "cfr_flags=EINVAL\n"
    "cfr_closed=EBADF\n"
    "cfr_fault=EFAULT\n"
    "cfr_pipe=EINVAL\n"
    "lseek_dup=3\n"
    "dup_shares_offset=3\n";

static const char expect_socket[] =
    "inet=EAFNOSUPPORT\n"
    "inet6=EAFNOSUPPORT\n"
    "netlink=EAFNOSUPPORT\n"
    "unix=EACCES\n"
    "pair=EACCES\n"
    "sv=-1,-1\n"
    "bad_flags=EINVAL\n"
    "bad_family=EAFNOSUPPORT\n"
    "bad_type=EINVAL\n"
    "connect=ENOTSOCK\n"
    "connect_closed=EBADF\n"
    "sendto=ENOTSOCK\n"
    "recvfrom=ENOTSOCK\n"
    "accept4_flags=EINVAL\n"
    "getsockopt=ENOTSOCK\n"
    "shutdown=ENOTSOCK\n";

/* The initial name is the program file's basename, as Linux's comm. */
static const char expect_prctl_fmt[] =
    "get_name=0\n"
    "name=fds.%s\n"
    "set_name=0\n"
    "name=a-rather-long-t\n"
    "name_16th=0\n"
    "set_name_fault=EFAULT\n"
    "get_name_fault=EFAULT\n"
    "get_dumpable=1\n"
    "set_dumpable=0\n"
    "get_dumpable_after=0\n"
    "set_dumpable_bad=EINVAL\n"
    "set_pdeathsig=0\n"
    "get_pdeathsig=0\n"
    "pdeathsig=15\n"
    "set_pdeathsig_bad=EINVAL\n"
    "get_nnp=0\n"
    "set_nnp_bad=EINVAL\n"
    "set_nnp=0\n"
    "get_nnp_after=1\n"
    "capbset_read=0\n"
    "capbset_read_bad=EINVAL\n"
    "set_vma=EINVAL\n"
    "unknown=EINVAL\n";

static const char expect_sysinfo[] =
    "sysinfo=0\n"
    "totalram=67108864\n"
    "procs=1\n"
    "freeram=ok\n"
    "swap=ok\n"
    "sysinfo_fault=EFAULT\n"
    "getcpu=0\n"
    "cpu=0 node=0\n"
    "getcpu_fault=EFAULT\n"
    "sched_getscheduler=0\n"
    "sched_getscheduler_self=0\n"
    "sched_getscheduler_other=ESRCH\n"
    "sched_getscheduler_neg=EINVAL\n"
    "sched_getparam=0\n"
    "priority=0\n"
    "sched_getparam_null=EINVAL\n"
    "sched_getparam_other=ESRCH\n"
    "getrusage_children=0\n"
    "children_zero=ok\n"
    "getrusage_self=0\n"
    "self_time=ok\n"
    "self_maxrss=ok\n"
    "getrusage_bad=EINVAL\n"
    "times=ok\n"
    "times_fault=EFAULT\n";

/* Run "fds MODE" confined, stdin from in_path, and compare stdout. */
static void run_mode(const char *libc, const char *mode, const char *in_path, const char *expect,
                     struct proc_run *r)
{
    char *args[] = {"run", "--mem", "64M", "--trace", (char *)integ_prog("fds", libc, 0),
                     (char *)mode, NULL};
    integ_cli_run_in(args, NULL, in_path, r);
    ck_assert_msg(r->status == 0, "fds %s (%s): status %d, stderr:\n%s", mode, libc, r->status,
                  r->err);
    ck_assert_str_eq(r->out, expect);
}

static void check_mode(const char *mode, const char *expect)
{
    struct proc_run r;
    for (int i = 0; i < INTEG_NLIBC; i++) {
        run_mode(integ_libc[i], mode, "/dev/null", expect, &r);
        integ_proc_free(&r);
    }
}

START_TEST(dup_and_fcntl)
{
    check_mode("dup", expect_dup);
}
END_TEST

START_TEST(pipes)
{
    check_mode("pipe", expect_pipe);
}
END_TEST

START_TEST(poll_readiness_and_timeouts)
{
    check_mode("poll", expect_poll);
}
END_TEST

START_TEST(select_readiness_and_timeouts)
{
    check_mode("select", expect_select);
}
END_TEST

START_TEST(signals_end_waits_and_masks_hold_them)
{
    check_mode("poll_signal", "poll_interrupted=EINTR\n"
                              "alarms=1\n"
                              "select_interrupted=EINTR\n"
                              "alarms=2\n"
                              "ppoll_masked=0\n"
                              "alarms=3\n"
                              "pselect_masked=0\n"
                              "alarms=4\n");
}
END_TEST

/* A write to a pipe nobody reads, SIGPIPE at its default: killed by it. */
START_TEST(pipe_without_reader_kills_with_sigpipe)
{
    char *args[] = {"run", (char *)integ_prog("fds", integ_libc[_i], 0), "sigpipe", NULL};
    struct proc_run r;
    integ_cli_run(args, NULL, &r);
    ck_assert_msg(r.status == 128 + 13, "status %d, stderr:\n%s", r.status, r.err);
    integ_proc_free(&r);
}
END_TEST

START_TEST(file_lseek_sendfile_and_read_only_checks)
{
    char path[] = "/tmp/ringbox-fds-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, FILE_DATA, strlen(FILE_DATA)), (int)strlen(FILE_DATA));
    close(fd);
    struct proc_run r;
    run_mode(integ_libc[_i], "file", path, expect_file, &r);
    integ_proc_free(&r);
    unlink(path);
}
END_TEST

static const char expect_mount[] =
    "open_ro=3\n"
    "open_rdwr=EROFS\n"
    "ftruncate_ro=EINVAL\n"
    "fallocate_ro=EBADF\n"
    "fchmod_ro=EROFS\n"
    "lseek=10\n"
    "open_tmp=4\n"
    "copy_file_range=8\n"
    "off_in=10\n"
    "pos_in=10\n"
    "pos_out=8\n"
    "sendfile=6\n"
    "pread=14\n"
    "copy=23456789abcdef\n"
    "fchmod_tmp=0\n"
    "ftruncate_tmp=0\n"
    "fsync_tmp=0\n"
    "mode=644 size=4\n";

/* A file on a --ro mount refuses every change with Linux's errnos, and
 * the host file keeps its bytes and mode; copies into /tmp work and move
 * the offsets as Linux does.  /tmp is a host directory here, on the same
 * file system as /data: between two file systems (into the private /tmp,
 * a tmpfs) copy_file_range is EXDEV, as on Linux. */
START_TEST(read_only_mount_refuses_changes)
{
    char dir[] = "/tmp/ringbox-fds-XXXXXX", file[64], mount[80], tmp[80];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/in.txt", dir);
    snprintf(mount, sizeof(mount), "%s:/data", dir);
    snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    snprintf(tmp, sizeof(tmp), "%s/tmp:/tmp", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fputs(FILE_DATA, f);
    fclose(f);
    ck_assert_int_eq(chmod(file, 0640), 0);
    char *args[] = {"run", "--ro", mount, "--rw", tmp, (char *)integ_prog("fds", integ_libc[_i], 0),
                    "mount", NULL};
    struct proc_run r;
    integ_cli_run(args, NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr:\n%s", r.status, r.err);
    ck_assert_str_eq(r.out, expect_mount);
    struct stat st;
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0640);
    ck_assert_int_eq(st.st_size, (off_t)strlen(FILE_DATA));
    char buf[32] = "";
    f = fopen(file, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
    fclose(f);
    ck_assert_str_eq(buf, FILE_DATA);
    integ_proc_free(&r);
    unlink(file);
    snprintf(tmp, sizeof(tmp), "%s/tmp/copy", dir);
    unlink(tmp);
    snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
    rmdir(tmp);
    rmdir(dir);
}
END_TEST

START_TEST(sockets_are_denied_with_a_trace_line)
{
    struct proc_run r;
    run_mode(integ_libc[_i], "socket", "/dev/null", expect_socket, &r);
    const char *lines[] = {
        "  policy socket(AF_INET, SOCK_STREAM) denied: no network\n",
        "  policy socket(AF_INET6, SOCK_DGRAM) denied: no network\n",
        "  policy socket(AF_NETLINK, SOCK_RAW) denied: no network\n",
        "  policy socket(AF_UNIX, SOCK_STREAM) denied: no network\n",
        "  policy socketpair(AF_UNIX, SOCK_STREAM) denied: no network\n",
    };
    const char *at = r.err;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        at = strstr(at, lines[i]);
        ck_assert_msg(at, "no '%s' in order in the trace:\n%s", lines[i], r.err);
    }
    /* Argument errors are Linux's own, not policy decisions. */
    ck_assert_ptr_null(strstr(r.err, "family 5000"));
    integ_proc_free(&r);
}
END_TEST

START_TEST(prctl_name_and_flags)
{
    char expect[sizeof(expect_prctl_fmt) + 16];
    snprintf(expect, sizeof(expect), expect_prctl_fmt, integ_libc[_i]);
    struct proc_run r;
    run_mode(integ_libc[_i], "prctl", "/dev/null", expect, &r);
    integ_proc_free(&r);
}
END_TEST

START_TEST(sysinfo_is_the_sandbox)
{
    struct proc_run r;
    run_mode(integ_libc[_i], "sysinfo", "/dev/null", expect_sysinfo, &r);
    integ_proc_free(&r);
}
END_TEST

Suite *fds_suite(void)
{
    Suite *s = suite_create("fds");
    TCase *tc = tcase_create("fds");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dup_and_fcntl);
    tcase_add_test(tc, pipes);
    tcase_add_test(tc, poll_readiness_and_timeouts);
    tcase_add_test(tc, select_readiness_and_timeouts);
    tcase_add_test(tc, signals_end_waits_and_masks_hold_them);
    tcase_add_loop_test(tc, pipe_without_reader_kills_with_sigpipe, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, file_lseek_sendfile_and_read_only_checks, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, read_only_mount_refuses_changes, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, sockets_are_denied_with_a_trace_line, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, prctl_name_and_flags, 0, INTEG_NLIBC);
    tcase_add_loop_test(tc, sysinfo_is_the_sandbox, 0, INTEG_NLIBC);
    suite_add_tcase(s, tc);
    return s;
}
