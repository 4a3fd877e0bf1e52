/* sys_file.c - operations on an open file through its fd: size, space,
 * sync, mode and file system statistics.
 *
 * Each is the host call on the guest's host fd, so the host's checks are
 * Linux's: a file the file view opened read-only (every file on a --ro
 * mount) has no FMODE_WRITE, and ftruncate answers EINVAL and fallocate
 * EBADF for it (fs/open.c, do_ftruncate(), vfs_fallocate()), as on a
 * read-only file system.  Attributes are the exception, since the host
 * would let the VMM's user chmod any file it owns: see sys_fchmod.
 *
 * Host syscalls made here (the seccomp filter allows exactly these):
 *   fsync, fdatasync, fchmod, fstatfs  on the guest's host fds
 *   (ftruncate and fallocate through disk.c)
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "disk.h"
#include "fd.h"
#include "fs.h"
#include "sys.h"

/* The x86-64 kernel's struct statfs (include/uapi/asm-generic/statfs.h). */
_Static_assert(sizeof(struct statfs) == 120, "x86-64 struct statfs");

/* ftruncate and fallocate are made by disk.c, which counts them. */
int64_t sys_ftruncate(struct ringbox *rb, const struct sys_args *args)
{
    int fd = (int)args->a[0];
    int64_t length = (int64_t)args->a[1];
    int hfd = fd_host(&rb->fds, fd);
    if (hfd < 0)
        return hfd;
    return disk_ftruncate(rb, disk_mount_of(rb, fd_get(&rb->fds, fd)), hfd, length);
}

int64_t sys_fsync(struct ringbox *rb, const struct sys_args *args)
{
    int hfd = fd_host(&rb->fds, (int)args->a[0]);
    if (hfd < 0)
        return hfd;
    return fsync(hfd) < 0 ? -errno : 0;
}

int64_t sys_fdatasync(struct ringbox *rb, const struct sys_args *args)
{
    int hfd = fd_host(&rb->fds, (int)args->a[0]);
    if (hfd < 0)
        return hfd;
    return fdatasync(hfd) < 0 ? -errno : 0;
}

int64_t sys_fallocate(struct ringbox *rb, const struct sys_args *args)
{
    struct rb_file *f = fd_get(&rb->fds, (int)args->a[0]);
    int mode = (int)args->a[1];
    int64_t offset = (int64_t)args->a[2];
    int64_t len = (int64_t)args->a[3];
    if (!f)
        return -EBADF;
    return disk_fallocate(rb, f, mode, offset, len);
}

/* A file whose attributes the guest may not change answers as one on a
 * read-only file system does (fs/open.c, chmod_common() via
 * mnt_want_write(): EROFS): a file from a read-only mount, or one without
 * a path that the sandbox did not make (fd.h, attr_rw).  A mount point is
 * EPERM, and the mode is what fs_host_mode allows, as for chmod. */
int64_t sys_fchmod(struct ringbox *rb, const struct sys_args *args)
{
    int fd = (int)args->a[0];
    mode_t mode = (mode_t)args->a[1];
    struct rb_file *f = fd_get(&rb->fds, fd);
    if (!f)
        return -EBADF;
    int rc = f->path ? fs_fd_check_mode(rb, fd) : f->attr_rw ? 0 : -EROFS;
    if (rc < 0)
        return rc;
    return fchmod(f->host, fs_host_mode(mode, 0)) < 0 ? -errno : 0;
}

int64_t sys_fstatfs(struct ringbox *rb, const struct sys_args *args)
{
    int hfd = fd_host(&rb->fds, (int)args->a[0]);
    uint64_t ubuf = args->a[1];
    struct statfs st;
    if (hfd < 0)
        return hfd;
    if (fstatfs(hfd, &st) < 0)
        return -errno;
    /* No host file system id, as statfs (sys_fs.c). */
    memset(&st.f_fsid, 0, sizeof(st.f_fsid));
    return mem_copy_to_user(&rb->mem, ubuf, &st, sizeof(st));
}
