/* sys_io.c - read/write, lseek, sendfile, copy_file_range, fstat and ioctl
 * on the guest's fds.
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   readv, writev, preadv, pwritev  on the guest's host fds, into/out of guest RAM
 *   lseek, sendfile                 on the guest's host fds
 *   copy_file_range                 on the guest's host fds, flags 0
 *   fstat                           on the guest's host fds
 *   (and disk.c's, for a write into a counted file)
 *   ioctl TCGETS, TIOCGWINSZ,       on the guest's host fds
 *         FIONREAD, FIONBIO
 */
#define _GNU_SOURCE
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "disk.h"
#include "fd.h"
#include "limit.h"
#include "sys.h"
#include "sysarg.h"

/* The x86-64 kernel's struct stat is glibc's (arch/x86/include/uapi/asm/stat.h). */
_Static_assert(sizeof(struct stat) == 144, "x86-64 struct stat");
/* The kernel's struct termios, not glibc's larger one (asm-generic/termbits.h). */
_Static_assert(sizeof(struct termios) == 36, "kernel struct termios");

/* One host call: pos < 0 means the file position. */
static ssize_t host_rw(int hfd, const struct iovec *iov, int n, bool to_guest, int64_t pos)
{
    if (pos < 0)
        return to_guest ? readv(hfd, iov, n) : writev(hfd, iov, n);
    return to_guest ? preadv(hfd, iov, n, pos) : pwritev(hfd, iov, n, pos);
}

/* The raw syscall, not glibc's fstat(), which some versions route through
 * newfstatat: the seccomp filter allows fstat alone. */
static int host_fstat(int hfd, struct stat *st)
{
    return (int)syscall(SYS_fstat, hfd, st);
}

/* Pipes, ttys and sockets can block indefinitely; regular files, block
 * devices and directories cannot (signal(7): "slow" devices). */
static bool may_block(int hfd)
{
    struct stat st;
    return host_fstat(hfd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* One host call that a guest signal may interrupt, as it would interrupt
 * the guest's own read or write on a slow device: -SIG_ERESTARTSYS then,
 * which the signal code turns into EINTR or a restart (SA_RESTART). */
static ssize_t interruptible_rw(struct ringbox *rb, int hfd, const struct iovec *iov, int n, bool to_guest,
                                int64_t pos)
{
    int rc = sig_wait_begin(rb);
    if (rc < 0)
        return -SIG_ERESTARTSYS;
    ssize_t r = host_rw(hfd, iov, n, to_guest, pos);
    int e = errno;
    sig_wait_end(rb);
    if (r < 0)
        return e == EINTR ? -SIG_ERESTARTSYS : -e;
    return r;
}

/* Move up to `total` bytes between host fd `hfd` and the guest buffers,
 * zero-copy.  A read makes one host call, so it never blocks once data has
 * arrived (read(2) may always return short); a write continues batch after
 * batch until done or short.  Returns bytes moved, -EFAULT if the first
 * byte is inaccessible, or the host's -errno if nothing moved.  A first
 * call is made even for zero bytes: Linux still reports EBADF and ESPIPE. */
static int64_t transfer(struct ringbox *rb, int hfd, const struct sysarg_iovec *seg, int nseg,
                        uint64_t total, bool to_guest, int64_t pos)
{
    struct iovec iov[SYSARG_IOV_MAX];
    struct sysarg_uio u;
    int64_t done = 0;

    sysarg_uio_init(&u, &rb->mem, seg, nseg, total, to_guest);
    bool slow = may_block(hfd);
    for (bool first = true;; first = false) {
        int n;
        size_t want = sysarg_uio_next(&u, iov, SYSARG_IOV_MAX, &n);
        if (want == 0 && (u.fault || !first))
            return first ? -EFAULT : done;
        ssize_t r = slow ? interruptible_rw(rb, hfd, iov, n, to_guest, pos) : host_rw(hfd, iov, n, to_guest, pos);
        if (r < 0 && !slow)
            r = -errno;
        if (r < 0)
            return done > 0 ? done : r;
        done += r;
        if ((size_t)r < want || to_guest || u.left == 0)
            return done;
        if (pos >= 0)
            pos += r;
    }
}

/* A write that hit a closed pipe also raises SIGPIPE (fs/pipe.c,
 * pipe_write(): send_sig(), so SI_USER from the process itself).  Its
 * default action kills on the way back to ring 3; ignored, it is
 * discarded; caught, the handler runs and the write still says EPIPE. */
static int64_t wrote(struct ringbox *rb, int64_t r)
{
    if (r == -EPIPE)
        sig_send(rb, SIGPIPE, SI_USER, 0);
    return r;
}

/* A transfer, and for a write the output limit's share of it (limit.h)
 * and the disk limits' (disk.h). */
static int64_t limited(struct ringbox *rb, int64_t fd, const struct sysarg_iovec *seg, int nseg,
                       uint64_t total, bool to_guest, int64_t pos)
{
    const struct rb_file *f = fd_get(&rb->fds, fd);
    struct disk_op d = {0};
    bool cut = false;
    if (!to_guest) {
        total = limit_output_room(rb, f, total, &cut);
        int rc = disk_write_begin(rb, f, pos, &total, &d);
        if (rc < 0)
            return rc;
    }
    int64_t r = transfer(rb, f->host, seg, nseg, total, to_guest, pos);
    if (!to_guest) {
        limit_output_done(rb, f, r, cut);
        disk_write_end(&d);
    }
    return r;
}

static int64_t rw_one(struct ringbox *rb, int64_t fd, uint64_t buf, uint64_t count, bool to_guest,
                      int64_t pos)
{
    int hfd = fd_host(&rb->fds, fd);
    if (hfd < 0)
        return hfd;
    if (sysarg_user_range(buf, count) < 0)
        return -EFAULT;
    struct sysarg_iovec seg = {.base = buf, .len = count};
    uint64_t total = count < SYSARG_MAX_RW_COUNT ? count : SYSARG_MAX_RW_COUNT;
    return limited(rb, fd, &seg, 1, total, to_guest, pos);
}

static int64_t rw_vec(struct ringbox *rb, int64_t fd, uint64_t uiov, uint64_t cnt, bool to_guest)
{
    struct sysarg_iovec seg[SYSARG_IOV_MAX];
    uint64_t total;
    int hfd = fd_host(&rb->fds, fd);
    if (hfd < 0)
        return hfd;
    int rc = sysarg_iovec(&rb->mem, uiov, cnt, seg, &total);
    if (rc < 0)
        return rc;
    return limited(rb, fd, seg, (int)cnt, total, to_guest, -1);
}

int64_t sys_read(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    uint64_t buf = args->a[1];
    uint64_t count = args->a[2];
    return rw_one(rb, fd, buf, count, true, -1);
}

int64_t sys_write(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    uint64_t buf = args->a[1];
    uint64_t count = args->a[2];
    return wrote(rb, rw_one(rb, fd, buf, count, false, -1));
}

int64_t sys_readv(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    uint64_t uiov = args->a[1];
    uint64_t cnt = args->a[2];
    return rw_vec(rb, fd, uiov, cnt, true);
}

int64_t sys_writev(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    uint64_t uiov = args->a[1];
    uint64_t cnt = args->a[2];
    return wrote(rb, rw_vec(rb, fd, uiov, cnt, false));
}

/* A negative offset is -EINVAL (fs/read_write.c, ksys_pread64()). */
int64_t sys_pread64(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    uint64_t buf = args->a[1];
    uint64_t count = args->a[2];
    int64_t pos = (int64_t)args->a[3];
    if (fd_host(&rb->fds, fd) >= 0 && pos < 0)
        return -EINVAL;
    return rw_one(rb, fd, buf, count, true, pos);
}

int64_t sys_pwrite64(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    uint64_t buf = args->a[1];
    uint64_t count = args->a[2];
    int64_t pos = (int64_t)args->a[3];
    if (fd_host(&rb->fds, fd) >= 0 && pos < 0)
        return -EINVAL;
    return wrote(rb, rw_one(rb, fd, buf, count, false, pos));
}

int64_t sys_lseek(struct ringbox *rb, const struct sys_args *args)
{
    int hfd = fd_host(&rb->fds, (int)args->a[0]);
    int64_t offset = (int64_t)args->a[1];
    int whence = (int)args->a[2];

    if (hfd < 0)
        return hfd;
    off_t r = lseek(hfd, offset, whence);
    return r < 0 ? -errno : r;
}

/* fs/read_write.c, sendfile64: the offset is read before the fds are
 * looked at, and written back whatever the transfer did.  With an offset
 * the input file's own position is left alone, as the host does. */
int64_t sys_sendfile(struct ringbox *rb, const struct sys_args *args)
{
    int64_t out_fd = (int)args->a[0];
    int64_t in_fd = (int)args->a[1];
    uint64_t uoff = args->a[2];
    uint64_t count = args->a[3];
    off_t pos;

    if (uoff && mem_copy_from_user(&rb->mem, &pos, uoff, sizeof(pos)) < 0)
        return -EFAULT;
    int hin = fd_host(&rb->fds, in_fd);
    if (hin < 0)
        return hin;
    int hout = fd_host(&rb->fds, out_fd);
    if (hout < 0)
        return hout;
    const struct rb_file *out = fd_get(&rb->fds, out_fd);
    struct disk_op d;
    bool cut;
    count = limit_output_room(rb, out, count, &cut);
    int rc = disk_write_begin(rb, out, -1, &count, &d);
    if (rc < 0)
        return rc;
    ssize_t r = sendfile(hout, hin, uoff ? &pos : NULL, count);
    int64_t ret = r < 0 ? -errno : r;
    limit_output_done(rb, out, ret, cut);
    disk_write_end(&d);
    if (uoff && mem_copy_to_user(&rb->mem, uoff, &pos, sizeof(pos)) < 0)
        return -EFAULT;
    return wrote(rb, ret);
}

/* fs/read_write.c, copy_file_range: the fds, then the offsets, then the
 * flags (none are defined); offsets go back only after a copy that moved
 * something. */
int64_t sys_copy_file_range(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd_in = (int)args->a[0];
    uint64_t uoff_in = args->a[1];
    int64_t fd_out = (int)args->a[2];
    uint64_t uoff_out = args->a[3];
    uint64_t len = args->a[4];
    unsigned int flags = (unsigned int)args->a[5];
    off_t pos_in, pos_out;

    int hin = fd_host(&rb->fds, fd_in);
    if (hin < 0)
        return hin;
    int hout = fd_host(&rb->fds, fd_out);
    if (hout < 0)
        return hout;
    if (uoff_in && mem_copy_from_user(&rb->mem, &pos_in, uoff_in, sizeof(pos_in)) < 0)
        return -EFAULT;
    if (uoff_out && mem_copy_from_user(&rb->mem, &pos_out, uoff_out, sizeof(pos_out)) < 0)
        return -EFAULT;
    if (flags != 0)
        return -EINVAL;
    const struct rb_file *out = fd_get(&rb->fds, fd_out);
    struct disk_op d;
    bool cut;
    len = limit_output_room(rb, out, len, &cut);
    int rc = disk_write_begin(rb, out, uoff_out ? pos_out : -1, &len, &d);
    if (rc < 0)
        return rc;
    ssize_t r = copy_file_range(hin, uoff_in ? &pos_in : NULL, hout, uoff_out ? &pos_out : NULL,
                                len, 0);
    int64_t ret = r < 0 ? -errno : r;
    limit_output_done(rb, out, ret, cut);
    disk_write_end(&d);
    if (r < 0)
        return ret;
    if (r > 0 && uoff_in && mem_copy_to_user(&rb->mem, uoff_in, &pos_in, sizeof(pos_in)) < 0)
        return -EFAULT;
    if (r > 0 && uoff_out && mem_copy_to_user(&rb->mem, uoff_out, &pos_out, sizeof(pos_out)) < 0)
        return -EFAULT;
    return r;
}

/* With the guest's device and inode numbers (sys_fd_stat, sys_fs.c). */
int64_t sys_fstat(struct ringbox *rb, const struct sys_args *args)
{
    int fd = (int)args->a[0];
    uint64_t ustat = args->a[1];
    struct stat st;
    int rc = sys_fd_stat(rb, fd, &st);
    return rc < 0 ? rc : mem_copy_to_user(&rb->mem, ustat, &st, sizeof(st));
}

/* A query ioctl: the host fills `buf`, the guest gets a copy. */
static int64_t ioctl_to_user(struct ringbox *rb, int hfd, unsigned long req, uint64_t uarg, void *buf,
                             size_t len)
{
    memset(buf, 0, len);
    if (ioctl(hfd, req, buf) < 0)
        return -errno;
    return mem_copy_to_user(&rb->mem, uarg, buf, len);
}

/* Terminal queries are answered truthfully from the host so isatty() and
 * line buffering behave as they would outside; nothing that changes the
 * host terminal is passed on.  Of the generic file ioctls (fs/ioctl.c,
 * do_vfs_ioctl()), the close-on-exec pair is the table's own flag, and
 * FIONBIO and FIONREAD go to the host file, which holds the status flags
 * and the data. */
int64_t sys_ioctl(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    unsigned int req = (unsigned int)args->a[1];
    uint64_t uarg = args->a[2];
    struct rb_file *f = fd_get(&rb->fds, fd);

    if (!f)
        return -EBADF;
    int hfd = f->host;
    switch (req) {
    case FIOCLEX:
    case FIONCLEX:
        f->cloexec = req == FIOCLEX;
        return 0;
    case FIONBIO: {
        int on;
        if (mem_copy_from_user(&rb->mem, &on, uarg, sizeof(on)) < 0)
            return -EFAULT;
        return ioctl(hfd, FIONBIO, &on) < 0 ? -errno : 0;
    }
    case FIONREAD: {
        int n;
        return ioctl_to_user(rb, hfd, FIONREAD, uarg, &n, sizeof(n));
    }
    case TCGETS: {
        struct termios t;
        return ioctl_to_user(rb, hfd, TCGETS, uarg, &t, sizeof(t));
    }
    case TIOCGWINSZ: {
        struct winsize ws;
        return ioctl_to_user(rb, hfd, TIOCGWINSZ, uarg, &ws, sizeof(ws));
    }
    default:
        return -ENOTTY;
    }
}
