/* sys_fd.c - the descriptor table syscalls: close, close_range, dup*,
 * fcntl and pipe*.
 *
 * Every guest fd owns its own host fd (fd.h), so a guest dup is a host dup:
 * the two host fds share one open file description, exactly as the two
 * guest fds must (offset, status flags).  The close-on-exec flag is the
 * guest's own, kept in the table; every host fd stays O_CLOEXEC.
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   fcntl F_DUPFD_CLOEXEC  dup, dup2, dup3, F_DUPFD(_CLOEXEC)
 *   fcntl F_GETFL, F_SETFL status flags, and the access mode for locks
 *   pipe2 with O_CLOEXEC   pipe, pipe2
 *   close                  closing guest fds
 */
#define _GNU_SOURCE /* F_OFD_*, O_DIRECT, O_NOATIME, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>
#include "fd.h"
#include "sys.h"

/* pipe2's flags (fs/pipe.c, __do_pipe_flags()).  O_NOTIFICATION_PIPE is
 * O_EXCL: it asks for a watch queue. */
#define PIPE2_FLAGS (O_CLOEXEC | O_NONBLOCK | O_DIRECT)
#define O_NOTIFICATION_PIPE O_EXCL

/* The kernel's struct flock on x86-64 (include/uapi/asm-generic/fcntl.h). */
_Static_assert(sizeof(struct flock) == 32, "x86-64 struct flock");

/* A new guest fd sharing guest fd `fd`'s open file: the lowest free one
 * >= min (dup, F_DUPFD), or exactly `at` (dup2/dup3 once their own checks
 * passed, fs/file.c, do_dup2()) when at >= 0. */
static int64_t dup_fd(struct ringbox *rb, int64_t fd, int min, int at, bool cloexec)
{
    struct rb_file *f = fd_get(&rb->fds, fd);
    if (!f)
        return -EBADF;
    bool attr_rw = f->attr_rw, output = f->output;
    int host = fcntl(f->host, F_DUPFD_CLOEXEC, 0);
    if (host < 0)
        return -errno;
    int rc = at >= 0 ? fd_install_at(&rb->fds, at, sys_nofile(rb), host, cloexec, f->path)
                     : fd_install(&rb->fds, host, min, sys_nofile(rb), cloexec, f->path);
    if (rc < 0) {
        close(host);
        return rc;
    }
    int newfd = at >= 0 ? at : rc;
    /* f may have moved as the table grew */
    fd_get(&rb->fds, newfd)->attr_rw = attr_rw;
    fd_get(&rb->fds, newfd)->output = output;
    return newfd;
}

int64_t sys_close(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return fd_close(&rb->fds, fd);
}

/* fs/file.c, close_range(): flags first, then the range; fds past the last
 * open one are simply absent.  CLOSE_RANGE_UNSHARE asks for a private copy
 * of a shared table: with one process the table is always private. */
int64_t sys_close_range(struct ringbox *rb, const struct sys_args *args)
{
    unsigned int first = (unsigned int)args->a[0];
    unsigned int last = (unsigned int)args->a[1];
    unsigned int flags = (unsigned int)args->a[2];

    if (flags & ~(unsigned int)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
        return -EINVAL;
    if (first > last)
        return -EINVAL;
    int top = fd_last(&rb->fds);
    for (int64_t fd = first; fd <= (int64_t)last && fd <= top; fd++) {
        struct rb_file *f = fd_get(&rb->fds, fd);
        if (!f)
            continue;
        if (flags & CLOSE_RANGE_CLOEXEC)
            f->cloexec = true;
        else
            fd_close(&rb->fds, fd);
    }
    return 0;
}

int64_t sys_dup(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return dup_fd(rb, fd, 0, -1, false);
}

/* dup2(fd, fd) only checks that fd is open (fs/file.c, dup2). */
int64_t sys_dup2(struct ringbox *rb, const struct sys_args *args)
{
    int64_t oldfd = (int)args->a[0];
    uint32_t newfd = (uint32_t)args->a[1];

    if (oldfd == newfd)
        return fd_get(&rb->fds, oldfd) ? oldfd : -EBADF;
    if (newfd >= (uint32_t)sys_nofile(rb))
        return -EBADF;
    return dup_fd(rb, oldfd, 0, (int)newfd, false);
}

/* fs/file.c, ksys_dup3(): flags, then oldfd == newfd, then the limit on
 * newfd, and only then whether oldfd is open. */
int64_t sys_dup3(struct ringbox *rb, const struct sys_args *args)
{
    int64_t oldfd = (int)args->a[0];
    uint32_t newfd = (uint32_t)args->a[1];
    int flags = (int)args->a[2];

    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    if (oldfd == newfd)
        return -EINVAL;
    if (newfd >= (uint32_t)sys_nofile(rb))
        return -EBADF;
    return dup_fd(rb, oldfd, 0, (int)newfd, flags & O_CLOEXEC);
}

/* Record locks.  One process holds every lock there is, so nothing can
 * conflict: setting and clearing always succeed at once (F_SETLKW never
 * waits) and F_GETLK always answers F_UNLCK.  The request is still checked
 * as fs/locks.c checks it: the type (fcntl_getlk(), flock_to_posix_lock()),
 * the whence, l_pid == 0 for the OFD commands, and F_SETLK's need for the
 * file to be open for reading (F_RDLCK) or writing (F_WRLCK), else EBADF. */
static int64_t fcntl_lock(struct ringbox *rb, int host, int cmd, uint64_t ufl)
{
    struct flock fl;
    bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
    bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;

    if (mem_copy_from_user(&rb->mem, &fl, ufl, sizeof(fl)) < 0)
        return -EFAULT;
    if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && (get || fl.l_type != F_UNLCK))
        return -EINVAL;
    if (ofd && fl.l_pid != 0)
        return -EINVAL;
    if (fl.l_whence != SEEK_SET && fl.l_whence != SEEK_CUR && fl.l_whence != SEEK_END)
        return -EINVAL;
    if (get) {
        fl.l_type = F_UNLCK;
        return mem_copy_to_user(&rb->mem, ufl, &fl, sizeof(fl));
    }
    int fl_flags = fcntl(host, F_GETFL);
    if (fl_flags < 0)
        return -errno;
    int acc = fl_flags & O_ACCMODE;
    if ((fl.l_type == F_RDLCK && acc == O_WRONLY) || (fl.l_type == F_WRLCK && acc == O_RDONLY))
        return -EBADF;
    return 0;
}

/* Commands not listed here are -EINVAL, as Linux answers an unknown one
 * (fs/fcntl.c, do_fcntl()): leases, owners, signals, seals and pipe sizes
 * are not offered. */
int64_t sys_fcntl(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    unsigned int cmd = (unsigned int)args->a[1];
    uint64_t arg = args->a[2];
    struct rb_file *f = fd_get(&rb->fds, fd);
    int r;

    if (!f)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        /* fs/fcntl.c, f_dupfd(): a start at or past the limit is EINVAL. */
        if (arg >= (uint64_t)sys_nofile(rb))
            return -EINVAL;
        return dup_fd(rb, fd, (int)arg, -1, cmd == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return f->cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
        f->cloexec = arg & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        r = fcntl(f->host, F_GETFL);
        return r < 0 ? -errno : r;
    case F_SETFL:
        r = fcntl(f->host, F_SETFL, (int)(arg & FD_SETFL_MASK));
        return r < 0 ? -errno : 0;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return fcntl_lock(rb, f->host, (int)cmd, arg);
    default:
        return -EINVAL;
    }
}

/* fs/pipe.c, do_pipe2(): both fds exist before the array is written, and
 * a failed write takes them back.  A watch queue (O_NOTIFICATION_PIPE) is
 * answered as a kernel built without CONFIG_WATCH_QUEUE answers it. */
static int64_t do_pipe(struct ringbox *rb, uint64_t ufds, int flags)
{
    int host[2], fds[2];

    if (flags & ~(PIPE2_FLAGS | O_NOTIFICATION_PIPE))
        return -EINVAL;
    if (flags & O_NOTIFICATION_PIPE)
        return -ENOPKG;
    if (pipe2(host, O_CLOEXEC | (flags & (O_NONBLOCK | O_DIRECT))) < 0)
        return -errno;
    bool cloexec = flags & O_CLOEXEC;
    int limit = sys_nofile(rb);
    fds[0] = fd_install(&rb->fds, host[0], 0, limit, cloexec, NULL);
    if (fds[0] < 0) {
        close(host[0]);
        close(host[1]);
        return fds[0];
    }
    fds[1] = fd_install(&rb->fds, host[1], 0, limit, cloexec, NULL);
    if (fds[1] < 0) {
        fd_close(&rb->fds, fds[0]);
        close(host[1]);
        return fds[1];
    }
    /* The pipe is the sandbox's own: fchmod may change its mode. */
    fd_get(&rb->fds, fds[0])->attr_rw = true;
    fd_get(&rb->fds, fds[1])->attr_rw = true;
    if (mem_copy_to_user(&rb->mem, ufds, fds, sizeof(fds)) < 0) {
        fd_close(&rb->fds, fds[0]);
        fd_close(&rb->fds, fds[1]);
        return -EFAULT;
    }
    return 0;
}

int64_t sys_pipe(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ufds = args->a[0];
    return do_pipe(rb, ufds, 0);
}

int64_t sys_pipe2(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ufds = args->a[0];
    int flags = (int)args->a[1];
    return do_pipe(rb, ufds, flags);
}
