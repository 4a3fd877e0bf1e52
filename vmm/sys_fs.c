/* sys_fs.c - the path syscalls: open, stat, access, readlink, directories, links, cwd, umask.
 *
 * Every path goes through fs_walk (vmm/fs.c); every change is refused with
 * EROFS outside a writable mount and with EXDEV across mounts, checked in
 * the order Linux checks them (fs/namei.c).
 *
 * Host syscalls made here after confinement (vmm/seccomp.c allows them):
 *   openat2, fstat, readlinkat           through fs.c
 *   statx, faccessat2 (AT_EMPTY_PATH)    on the looked-up node's O_PATH fd
 *   fstatfs                              likewise
 *   getdents64                           on a guest directory fd
 *   mkdirat, unlinkat, renameat2, linkat, symlinkat, fchmodat, utimensat
 *                                        on (parent fd, one name)
 *   ftruncate                            truncate(2), on a fresh O_WRONLY fd (disk.c)
 *   fchmod                               on that fd too, via fs_host_strip
 *   fcntl F_GETFL                        the access of a /proc/self/fd link
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h> /* RENAME_* */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "disk.h"
#include "fs.h"
#include "procfs.h"
#include "sys.h"
#include "sysarg.h"

/* What Linux accepts in fstatat's flags (fs/stat.c, vfs_statx()). */
#define FSTATAT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)
/* include/linux/fcntl.h */
#define VALID_OPEN_FLAGS                                                                           \
    (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC | \
     O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH |           \
     TMPFILE_BIT | O_SYNC)
#define VALID_RESOLVE_FLAGS                                                                        \
    (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |             \
     RESOLVE_IN_ROOT | RESOLVE_CACHED)
#define OPEN_HOW_SIZE_VER0 24
/* The kernel's __O_TMPFILE alone (glibc's includes O_DIRECTORY). */
#define TMPFILE_BIT (O_TMPFILE & ~O_DIRECTORY)

_Static_assert(sizeof(struct open_how) == OPEN_HOW_SIZE_VER0, "struct open_how, version 0");
_Static_assert(sizeof(struct statfs) == 120, "x86-64 struct statfs");
_Static_assert(sizeof(struct statx) == 256, "struct statx");

/* A walk that has not started is safe to finish. */
static void walk_clear(struct fs_walk *w)
{
    w->st = NULL;
    w->depth = 0;
}

static long user_path(struct ringbox *rb, uint64_t upath, char *path)
{
    return mem_strncpy_from_user(&rb->mem, path, upath, PATH_MAX);
}

/* Copy the guest path in and walk it. */
static int lookup(struct ringbox *rb, int dirfd, uint64_t upath, unsigned how, struct fs_walk *w)
{
    char path[PATH_MAX];
    walk_clear(w);
    long n = user_path(rb, upath, path);
    if (n < 0)
        return (int)n;
    return fs_walk(rb, dirfd, path, how, 0, w);
}

/* How a path's last component reads (fs/namei.c, LAST_NORM and friends):
 * "." and ".." and "/" cannot be removed or renamed. */
enum last { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };

static enum last last_of(const char *path)
{
    size_t len = strlen(path);
    while (len > 0 && path[len - 1] == '/')
        len--;
    if (len == 0)
        return path[0] == '/' ? LAST_ROOT : LAST_NORM;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (len - start == 1 && path[start] == '.')
        return LAST_DOT;
    if (len - start == 2 && path[start] == '.' && path[start + 1] == '.')
        return LAST_DOTDOT;
    return LAST_NORM;
}

/* A node the caller will change or remove by name: it must be a plain
 * entry of a writable mount, not a mount point (EBUSY) or a directory of
 * the skeleton (EROFS). */
static int entry_writable(const struct fs_walk *w)
{
    const struct fs_step *s = fs_walk_node(w);
    if (w->magic >= 0)
        return -EACCES;
    if (s->via == FS_VIA_MOUNT)
        return -EBUSY;
    return s->m->rw && s->via == FS_VIA_PARENT ? 0 : -EROFS;
}

/* The mount a name would be created in (missing) or lies in. */
static const struct fs_mount *mount_of_walk(const struct fs_walk *w)
{
    return w->st[w->depth - 1].m;
}

/* ---- open -------------------------------------------------------------------------- */

static int64_t do_open(struct ringbox *rb, int dirfd, uint64_t upath, int flags, unsigned mode,
                       uint64_t resolve)
{
    char path[PATH_MAX];
    long n = user_path(rb, upath, path);
    if (n < 0)
        return n;
    int hfd;
    char *gpath;
    int rc = fs_open(rb, dirfd, path, flags, mode, resolve, &hfd, &gpath);
    if (rc < 0)
        return rc;
    rc = fd_install(&rb->fds, hfd, 0, sys_nofile(rb), flags & O_CLOEXEC, gpath);
    if (rc < 0)
        close(hfd);
    else
        fd_get(&rb->fds, rc)->output = rb->fs.reopened_output;
    free(gpath);
    return rc;
}

int64_t sys_open(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    int flags = (int)args->a[1];
    unsigned mode = (unsigned)args->a[2];
    return do_open(rb, AT_FDCWD, upath, flags, mode, 0);
}

/* creat(2): "equivalent to open() with flags equal to O_CREAT|O_WRONLY|O_TRUNC". */
int64_t sys_creat(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    unsigned mode = (unsigned)args->a[1];
    return do_open(rb, AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

int64_t sys_openat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    int flags = (int)args->a[2];
    unsigned mode = (unsigned)args->a[3];
    return do_open(rb, dirfd, upath, flags, mode, 0);
}

/* Validated as fs/open.c, build_open_flags() and copy_struct_from_user()
 * do: a larger struct is fine if its extra bytes are zero. */
int64_t sys_openat2(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    uint64_t uhow = args->a[2];
    uint64_t size = args->a[3];
    struct open_how how;

    if (size < OPEN_HOW_SIZE_VER0)
        return -EINVAL;
    if (size > MEM_PAGE)
        return -E2BIG;
    int rc = mem_copy_from_user(&rb->mem, &how, uhow, sizeof how);
    if (rc < 0)
        return rc;
    for (uint64_t off = sizeof how; off < size; off++) {
        uint8_t b;
        if ((rc = mem_copy_from_user(&rb->mem, &b, uhow + off, 1)) < 0)
            return rc;
        if (b)
            return -E2BIG;
    }
    if (how.flags & ~(uint64_t)VALID_OPEN_FLAGS)
        return -EINVAL;
    if (how.resolve & ~(uint64_t)VALID_RESOLVE_FLAGS)
        return -EINVAL;
    if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
        return -EINVAL;
    if (how.mode & ~(uint64_t)07777)
        return -EINVAL;
    if (!(how.flags & (O_CREAT | TMPFILE_BIT)) && how.mode)
        return -EINVAL;
    if ((how.flags & O_PATH) && (how.flags & ~(uint64_t)(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
        return -EINVAL;
    if ((how.flags & TMPFILE_BIT) && (how.flags & O_TMPFILE) != O_TMPFILE)
        return -EINVAL;
    /* "Cannot be completed from the cache": always a correct answer. */
    if (how.resolve & RESOLVE_CACHED)
        return -EAGAIN;
    return do_open(rb, dirfd, upath, (int)how.flags, (unsigned)how.mode, how.resolve);
}

/* ---- stat -------------------------------------------------------------------------- */

static int host_fstat(int fd, struct stat *st)
{
    return syscall(SYS_fstat, fd, st) < 0 ? -errno : 0;
}

/* lstat of /proc/self/fd/N: a symlink whose permissions are the fd's access. */
static int magic_lstat(struct ringbox *rb, int fd, struct stat *st)
{
    int fl = fcntl(fd_host(&rb->fds, fd), F_GETFL);
    if (fl < 0)
        return -errno;
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFLNK | S_IXUSR;
    if ((fl & O_ACCMODE) != O_WRONLY)
        st->st_mode |= S_IRUSR;
    if ((fl & O_ACCMODE) != O_RDONLY)
        st->st_mode |= S_IWUSR;
    st->st_nlink = 1;
    st->st_uid = rb->proc.uid;
    st->st_gid = rb->proc.gid;
    st->st_size = 64;
    st->st_blksize = 1024;
    return 0;
}

/* Every stat result the guest sees names files by the guest's device and
 * inode numbers (hostinfo.h), never the host's. */
int sys_fd_stat(struct ringbox *rb, int fd, struct stat *st)
{
    struct rb_file *f = fd_get(&rb->fds, fd);
    if (!f)
        return -EBADF;
    int rc = host_fstat(f->host, st);
    if (rc == 0 && f->path)
        rc = procfs_identity(rb, f->path, st);
    return rc < 0 ? rc : hostinfo_stat(&rb->host, st);
}

/* stat of what a walk found: the node, or the fd a magic link names. */
static int walk_stat(struct ringbox *rb, const struct fs_walk *w, struct stat *st)
{
    if (w->magic >= 0)
        return w->magic_followed ? sys_fd_stat(rb, w->magic, st) : magic_lstat(rb, w->magic, st);
    int rc = host_fstat(fs_walk_node(w)->fd, st);
    return rc < 0 ? rc : hostinfo_stat(&rb->host, st);
}

/* The path or the AT_EMPTY_PATH fd; *hfd >= 0 means "this fd itself". */
static int path_or_fd(struct ringbox *rb, int dirfd, uint64_t upath, int flags, char *path, int *hfd)
{
    *hfd = -1;
    path[0] = '\0';
    /* NULL with AT_EMPTY_PATH means "" since Linux 6.11 (getname_maybe_null()). */
    if (upath != 0 || !(flags & AT_EMPTY_PATH)) {
        long r = user_path(rb, upath, path);
        if (r < 0)
            return (int)r;
    }
    if (path[0])
        return 0;
    if (!(flags & AT_EMPTY_PATH))
        return -ENOENT;
    if (dirfd == AT_FDCWD) {
        strcpy(path, ".");
        return 0;
    }
    *hfd = fd_host(&rb->fds, dirfd);
    return *hfd < 0 ? *hfd : 0;
}

static int64_t do_stat(struct ringbox *rb, int dirfd, uint64_t upath, uint64_t ustat, int flags)
{
    char path[PATH_MAX];
    struct stat st;
    struct fs_walk w;
    int hfd;

    if (flags & ~FSTATAT_FLAGS)
        return -EINVAL;
    int rc = path_or_fd(rb, dirfd, upath, flags, path, &hfd);
    if (rc < 0)
        return rc;
    if (hfd >= 0) {
        rc = sys_fd_stat(rb, dirfd, &st);
    } else {
        rc = fs_walk(rb, dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW, 0, &w);
        if (rc == 0)
            rc = walk_stat(rb, &w, &st);
        fs_walk_done(&w);
    }
    return rc < 0 ? rc : mem_copy_to_user(&rb->mem, ustat, &st, sizeof st);
}

int64_t sys_stat(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    uint64_t ustat = args->a[1];
    return do_stat(rb, AT_FDCWD, upath, ustat, 0);
}

int64_t sys_lstat(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    uint64_t ustat = args->a[1];
    return do_stat(rb, AT_FDCWD, upath, ustat, AT_SYMLINK_NOFOLLOW);
}

int64_t sys_newfstatat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    uint64_t ustat = args->a[2];
    int flags = (int)args->a[3];
    return do_stat(rb, dirfd, upath, ustat, flags);
}

static struct statx_timestamp stx_time(struct timespec ts)
{
    return (struct statx_timestamp){.tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec};
}

/* A host statx of guest fd `fd`'s file as sys_fd_stat shows it: a
 * generated /proc file takes its placeholder's identity.  0 or -errno. */
static int fd_identity(struct ringbox *rb, int fd, struct statx *sx)
{
    struct rb_file *f = fd_get(&rb->fds, fd);
    struct stat st;
    int rc = f && f->path ? procfs_identity(rb, f->path, &st) : 0;
    if (rc <= 0)
        return rc;
    sx->stx_dev_major = major(st.st_dev);
    sx->stx_dev_minor = minor(st.st_dev);
    sx->stx_ino = st.st_ino;
    sx->stx_mode = (uint16_t)st.st_mode;
    sx->stx_nlink = (uint32_t)st.st_nlink;
    sx->stx_uid = st.st_uid;
    sx->stx_gid = st.st_gid;
    return 0;
}

int64_t sys_statx(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    int flags = (int)args->a[2];
    unsigned mask = (unsigned)args->a[3];
    uint64_t ubuf = args->a[4];
    char path[PATH_MAX];
    struct statx sx;
    struct fs_walk w;
    int hfd;

    if ((flags & ~FSTATAT_FLAGS) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
        return -EINVAL;
    if (mask & STATX__RESERVED)
        return -EINVAL;
    int rc = path_or_fd(rb, dirfd, upath, flags, path, &hfd);
    if (rc < 0)
        return rc;
    int hflags = AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE);
    int gfd = hfd >= 0 ? dirfd : -1; /* the guest fd statx reads, if any */
    memset(&sx, 0, sizeof sx);
    walk_clear(&w);
    if (hfd < 0 && (rc = fs_walk(rb, dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW, 0,
                                 &w)) == 0) {
        if (w.magic >= 0 && !w.magic_followed) {
            struct stat st;
            if ((rc = magic_lstat(rb, w.magic, &st)) == 0)
                sx = (struct statx){.stx_mask = STATX_BASIC_STATS, .stx_mode = (uint16_t)st.st_mode,
                                    .stx_nlink = 1, .stx_uid = st.st_uid, .stx_gid = st.st_gid,
                                    .stx_size = (uint64_t)st.st_size, .stx_blksize = 1024,
                                    .stx_atime = stx_time(st.st_atim),
                                    .stx_mtime = stx_time(st.st_mtim),
                                    .stx_ctime = stx_time(st.st_ctim)};
        } else {
            hfd = w.magic >= 0 ? fd_host(&rb->fds, w.magic) : fs_walk_node(&w)->fd;
            gfd = w.magic;
        }
    }
    if (rc == 0 && hfd >= 0) {
        if (syscall(SYS_statx, hfd, "", hflags, mask, &sx) < 0)
            rc = -errno;
        else if (gfd < 0 || (rc = fd_identity(rb, gfd, &sx)) == 0)
            rc = hostinfo_statx(&rb->host, &sx);
    }
    fs_walk_done(&w);
    return rc < 0 ? rc : mem_copy_to_user(&rb->mem, ubuf, &sx, sizeof sx);
}

/* ---- access ------------------------------------------------------------------------ */

static int64_t do_access(struct ringbox *rb, int dirfd, uint64_t upath, int mode, int flags)
{
    char path[PATH_MAX];
    struct fs_walk w;
    int hfd;

    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    int rc = path_or_fd(rb, dirfd, upath, flags, path, &hfd);
    if (rc < 0)
        return rc;
    walk_clear(&w);
    if (hfd < 0 && (rc = fs_walk(rb, dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW, 0,
                                 &w)) == 0) {
        const struct fs_step *s = fs_walk_node(&w);
        if (w.magic >= 0) {
            hfd = w.magic_followed ? fd_host(&rb->fds, w.magic) : -1;
        } else {
            /* fs/open.c, do_faccessat(): writing is refused on a read-only
             * mount, except to special files. */
            if ((mode & W_OK) && !s->m->rw &&
                (S_ISREG(s->mode) || S_ISDIR(s->mode) || S_ISLNK(s->mode)))
                rc = -EROFS;
            hfd = s->fd;
        }
    }
    if (rc == 0 && hfd >= 0 &&
        syscall(SYS_faccessat2, hfd, "", mode, AT_EMPTY_PATH | (flags & AT_EACCESS)) < 0)
        rc = -errno;
    fs_walk_done(&w);
    return rc;
}

int64_t sys_access(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    int mode = (int)args->a[1];
    return do_access(rb, AT_FDCWD, upath, mode, 0);
}

int64_t sys_faccessat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    int mode = (int)args->a[2];
    return do_access(rb, dirfd, upath, mode, 0);
}

int64_t sys_faccessat2(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    int mode = (int)args->a[2];
    int flags = (int)args->a[3];
    return do_access(rb, dirfd, upath, mode, flags);
}

/* ---- directories ------------------------------------------------------------------- */

/* Through a bounce buffer: a linux_dirent64 stream is produced whole, and
 * its inode numbers renamed (hostinfo.h). */
int64_t sys_getdents64(struct ringbox *rb, const struct sys_args *args)
{
    int hfd = fd_host(&rb->fds, (int)args->a[0]);
    uint64_t udirp = args->a[1];
    uint64_t count = (unsigned)args->a[2];
    char buf[32768];

    if (hfd < 0)
        return hfd;
    if (sysarg_user_range(udirp, count) < 0)
        return -EFAULT;
    long n = syscall(SYS_getdents64, hfd, buf, count < sizeof buf ? count : sizeof buf);
    if (n < 0)
        return -errno;
    hostinfo_dirents(&rb->host, buf, (size_t)n);
    int rc = mem_copy_to_user(&rb->mem, udirp, buf, (size_t)n);
    return rc < 0 ? rc : n;
}

int64_t sys_getcwd(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t ubuf = args->a[0];
    uint64_t size = args->a[1];
    const char *cwd = rb->fs.cwd ? rb->fs.cwd : "/";
    size_t len = strlen(cwd) + 1;
    if (size < len)
        return -ERANGE;
    int rc = mem_copy_to_user(&rb->mem, ubuf, cwd, len);
    return rc < 0 ? rc : (int64_t)len;
}

static int set_cwd(struct ringbox *rb, const char *path)
{
    char *c = strdup(path);
    if (!c)
        return -ENOMEM;
    free(rb->fs.cwd);
    rb->fs.cwd = c;
    return 0;
}

int64_t sys_chdir(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    struct fs_walk w;
    int rc = lookup(rb, AT_FDCWD, upath, FS_FOLLOW, &w);
    const struct fs_step *s = rc == 0 ? fs_walk_node(&w) : NULL;
    if (rc == 0 && !s)
        rc = -EACCES; /* a /proc/self/fd link is never a way in */
    if (rc == 0 && !S_ISDIR(s->mode))
        rc = -ENOTDIR;
    if (rc == 0 && syscall(SYS_faccessat2, s->fd, "", X_OK, AT_EMPTY_PATH) < 0)
        rc = -errno;
    if (rc == 0)
        rc = set_cwd(rb, w.path);
    fs_walk_done(&w);
    return rc;
}

int64_t sys_fchdir(struct ringbox *rb, const struct sys_args *args)
{
    struct rb_file *f = fd_get(&rb->fds, (int)args->a[0]);
    struct stat st;
    if (!f)
        return -EBADF;
    int rc = host_fstat(f->host, &st);
    if (rc < 0)
        return rc;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    if (!f->path || f->path[0] != '/')
        return -EACCES;
    return set_cwd(rb, f->path);
}

static int64_t do_mkdir(struct ringbox *rb, int dirfd, uint64_t upath, unsigned mode)
{
    struct fs_walk w;
    int rc = lookup(rb, dirfd, upath, FS_CREATE, &w);
    if (rc == 0 && !w.missing)
        rc = -EEXIST;
    if (rc == 0 && !mount_of_walk(&w)->rw)
        rc = -EROFS;
    if (rc == 0)
        rc = disk_create(rb, mount_of_walk(&w));
    if (rc == 0 &&
        mkdirat(fs_walk_at(&w).fd, fs_walk_at(&w).name, fs_host_mode(mode, rb->fs.umask)) < 0)
        rc = -errno;
    fs_walk_done(&w);
    return rc;
}

int64_t sys_mkdir(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    unsigned mode = (unsigned)args->a[1];
    return do_mkdir(rb, AT_FDCWD, upath, mode);
}

int64_t sys_mkdirat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    unsigned mode = (unsigned)args->a[2];
    return do_mkdir(rb, dirfd, upath, mode);
}

/* unlink(2) and rmdir(2): fs/namei.c, do_unlinkat() and do_rmdir(). */
static int64_t do_unlink(struct ringbox *rb, int dirfd, uint64_t upath, int flags)
{
    char path[PATH_MAX];
    struct fs_walk w;
    bool dir = flags & AT_REMOVEDIR;

    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    long n = user_path(rb, upath, path);
    if (n < 0)
        return n;
    switch (last_of(path)) {
    case LAST_DOT: return dir ? -EINVAL : -EISDIR;
    case LAST_DOTDOT: return dir ? -ENOTEMPTY : -EISDIR;
    case LAST_ROOT: return dir ? -EBUSY : -EISDIR;
    case LAST_NORM: break;
    }
    int rc = fs_walk(rb, dirfd, path, 0, 0, &w);
    if (rc == 0)
        rc = entry_writable(&w);
    if (rc == 0 && unlinkat(fs_walk_at(&w).fd, fs_walk_at(&w).name, dir ? AT_REMOVEDIR : 0) < 0)
        rc = -errno;
    fs_walk_done(&w);
    return rc;
}

int64_t sys_unlink(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    return do_unlink(rb, AT_FDCWD, upath, 0);
}

int64_t sys_rmdir(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    return do_unlink(rb, AT_FDCWD, upath, AT_REMOVEDIR);
}

int64_t sys_unlinkat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    int flags = (int)args->a[2];
    return do_unlink(rb, dirfd, upath, flags);
}

/* ---- rename, link, symlink --------------------------------------------------------- */

/* fs/namei.c, do_renameat2(): flags, then both lookups, then EXDEV, then
 * EROFS, then the host's own checks (a directory into itself, ENOTEMPTY). */
static int64_t do_rename(struct ringbox *rb, int olddir, uint64_t uold, int newdir, uint64_t unew,
                         unsigned flags)
{
    char oldp[PATH_MAX], newp[PATH_MAX];
    struct fs_walk ow, nw;

    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
        return -EINVAL;
    if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
        return -EINVAL;
    long n = user_path(rb, uold, oldp);
    if (n < 0)
        return n;
    if ((n = user_path(rb, unew, newp)) < 0)
        return n;
    if (last_of(oldp) != LAST_NORM || last_of(newp) != LAST_NORM)
        return -EBUSY;
    walk_clear(&nw);
    int rc = fs_walk(rb, olddir, oldp, 0, 0, &ow);
    if (rc == 0)
        rc = fs_walk(rb, newdir, newp, (flags & RENAME_EXCHANGE) ? 0 : FS_CREATE, 0, &nw);
    if (rc == 0 && (ow.magic >= 0 || nw.magic >= 0))
        rc = -EACCES;
    if (rc == 0 && mount_of_walk(&ow) != mount_of_walk(&nw))
        rc = -EXDEV;
    if (rc == 0)
        rc = entry_writable(&ow);
    if (rc == 0 && !nw.missing)
        rc = entry_writable(&nw);
    if (rc == 0 && nw.missing && !mount_of_walk(&nw)->rw)
        rc = -EROFS;
    if (rc == 0) {
        struct fs_at o = fs_walk_at(&ow), n2 = fs_walk_at(&nw);
        if (syscall(SYS_renameat2, o.fd, o.name, n2.fd, n2.name, flags) < 0)
            rc = -errno;
    }
    fs_walk_done(&ow);
    fs_walk_done(&nw);
    return rc;
}

int64_t sys_rename(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t uold = args->a[0];
    uint64_t unew = args->a[1];
    return do_rename(rb, AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

int64_t sys_renameat(struct ringbox *rb, const struct sys_args *args)
{
    int olddir = (int)args->a[0];
    uint64_t uold = args->a[1];
    int newdir = (int)args->a[2];
    uint64_t unew = args->a[3];
    return do_rename(rb, olddir, uold, newdir, unew, 0);
}

int64_t sys_renameat2(struct ringbox *rb, const struct sys_args *args)
{
    int olddir = (int)args->a[0];
    uint64_t uold = args->a[1];
    int newdir = (int)args->a[2];
    uint64_t unew = args->a[3];
    unsigned flags = (unsigned)args->a[4];
    return do_rename(rb, olddir, uold, newdir, unew, flags);
}

/* linkat(2).  Through /proc/self/fd/N with AT_SYMLINK_FOLLOW it links the
 * open file itself (how an O_TMPFILE file gets a name), within its mount. */
static int64_t do_link(struct ringbox *rb, int olddir, uint64_t uold, int newdir, uint64_t unew,
                       int flags)
{
    char oldp[PATH_MAX];
    struct fs_walk ow, nw;

    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    long n = user_path(rb, uold, oldp);
    if (n < 0)
        return n;
    walk_clear(&nw);
    int rc = fs_walk(rb, olddir, oldp, flags & AT_SYMLINK_FOLLOW ? FS_FOLLOW : 0, 0, &ow);
    if (rc == 0)
        rc = lookup(rb, newdir, unew, FS_CREATE, &nw);
    if (rc == 0 && (!nw.missing || nw.magic >= 0))
        rc = -EEXIST;
    if (rc == 0 && ow.magic >= 0) {
        struct rb_file *f = fd_get(&rb->fds, ow.magic);
        const struct fs_mount *m =
            f->path && f->path[0] == '/' ? fs_mount_of(&rb->fs, f->path) : NULL;
        if (!ow.magic_followed)
            rc = -EPERM;
        else if (m != mount_of_walk(&nw))
            rc = -EXDEV;
        else if (!m->rw)
            rc = -EROFS;
        else if ((rc = disk_create(rb, m)) == 0 && linkat(f->host, "", fs_walk_at(&nw).fd, fs_walk_at(&nw).name, AT_EMPTY_PATH) < 0)
            rc = -errno;
    } else if (rc == 0) {
        const struct fs_step *s = fs_walk_node(&ow);
        if (S_ISDIR(s->mode))
            rc = -EPERM;
        else if (s->m != mount_of_walk(&nw))
            rc = -EXDEV;
        else if (!s->m->rw)
            rc = -EROFS;
        else if ((rc = disk_create(rb, s->m)) == 0) {
            struct fs_at o = fs_walk_at(&ow);
            if (linkat(o.fd, o.name, fs_walk_at(&nw).fd, fs_walk_at(&nw).name, 0) < 0)
                rc = -errno;
        }
    }
    fs_walk_done(&ow);
    fs_walk_done(&nw);
    return rc;
}

int64_t sys_link(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t uold = args->a[0];
    uint64_t unew = args->a[1];
    return do_link(rb, AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

int64_t sys_linkat(struct ringbox *rb, const struct sys_args *args)
{
    int olddir = (int)args->a[0];
    uint64_t uold = args->a[1];
    int newdir = (int)args->a[2];
    uint64_t unew = args->a[3];
    int flags = (int)args->a[4];
    return do_link(rb, olddir, uold, newdir, unew, flags);
}

/* The target is stored as given: every later lookup through the link
 * happens in the guest namespace, so it can only name what the view shows. */
static int64_t do_symlink(struct ringbox *rb, uint64_t utarget, int newdir, uint64_t unew)
{
    char target[PATH_MAX];
    struct fs_walk w;
    long n = user_path(rb, utarget, target);
    if (n < 0)
        return n;
    if (n == 0)
        return -ENOENT;
    int rc = lookup(rb, newdir, unew, FS_CREATE, &w);
    if (rc == 0 && (!w.missing || w.magic >= 0))
        rc = -EEXIST;
    if (rc == 0 && !mount_of_walk(&w)->rw)
        rc = -EROFS;
    if (rc == 0)
        rc = disk_create(rb, mount_of_walk(&w));
    if (rc == 0 && symlinkat(target, fs_walk_at(&w).fd, fs_walk_at(&w).name) < 0)
        rc = -errno;
    fs_walk_done(&w);
    return rc;
}

int64_t sys_symlink(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t utarget = args->a[0];
    uint64_t unew = args->a[1];
    return do_symlink(rb, utarget, AT_FDCWD, unew);
}

int64_t sys_symlinkat(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t utarget = args->a[0];
    int newdir = (int)args->a[1];
    uint64_t unew = args->a[2];
    return do_symlink(rb, utarget, newdir, unew);
}

/* readlink(2): bufsiz <= 0 is checked before the path (fs/stat.c,
 * do_readlinkat()); the result is truncated without a NUL. */
static int64_t do_readlink(struct ringbox *rb, int dirfd, uint64_t upath, uint64_t ubuf, int bufsiz)
{
    char target[PATH_MAX];
    struct fs_walk w;
    int len = 0;

    if (bufsiz <= 0)
        return -EINVAL;
    int rc = lookup(rb, dirfd, upath, 0, &w);
    if (rc == 0 && w.magic >= 0) {
        rc = len = procfs_fd_link(rb, w.magic, target, sizeof target);
    } else if (rc == 0) {
        const struct fs_step *s = fs_walk_node(&w);
        ssize_t r = S_ISLNK(s->mode) ? readlinkat(s->fd, "", target, sizeof target) : -1;
        if (!S_ISLNK(s->mode))
            rc = -EINVAL;
        else if (r < 0)
            rc = -errno;
        else
            len = (int)r;
    }
    fs_walk_done(&w);
    if (rc < 0)
        return rc;
    if (len > bufsiz)
        len = bufsiz;
    rc = mem_copy_to_user(&rb->mem, ubuf, target, (size_t)len);
    return rc < 0 ? rc : len;
}

int64_t sys_readlink(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    uint64_t ubuf = args->a[1];
    int bufsiz = (int)args->a[2];
    return do_readlink(rb, AT_FDCWD, upath, ubuf, bufsiz);
}

int64_t sys_readlinkat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    uint64_t ubuf = args->a[2];
    int bufsiz = (int)args->a[3];
    return do_readlink(rb, dirfd, upath, ubuf, bufsiz);
}

/* ---- attributes -------------------------------------------------------------------- */

/* A followed node to change in place: a step of a writable mount. */
static int attr_target(struct ringbox *rb, int dirfd, uint64_t upath, unsigned how,
                       struct fs_walk *w)
{
    int rc = lookup(rb, dirfd, upath, how, w);
    if (rc < 0)
        return rc;
    if (w->magic >= 0)
        return -EACCES;
    return fs_walk_node(w)->m->rw ? 0 : -EROFS;
}

int64_t sys_truncate(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    int64_t length = (int64_t)args->a[1];
    struct fs_walk w;

    if (length < 0)
        return -EINVAL;
    int rc = lookup(rb, AT_FDCWD, upath, FS_FOLLOW, &w);
    const struct fs_step *s = rc == 0 ? fs_walk_node(&w) : NULL;
    if (rc == 0 && !s)
        rc = -EACCES;
    else if (rc == 0 && S_ISDIR(s->mode))
        rc = -EISDIR;
    else if (rc == 0 && !S_ISREG(s->mode))
        rc = -EINVAL;
    else if (rc == 0 && !s->m->rw)
        rc = -EROFS;
    if (rc == 0) {
        int fd = fs_host_open(fs_walk_at(&w).fd, fs_walk_at(&w).name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK, 0);
        if (fd < 0)
            rc = fd;
        else if ((rc = fs_host_strip(fd)) == 0)
            rc = disk_ftruncate(rb, s->m, fd, length);
        if (fd >= 0)
            close(fd);
    }
    fs_walk_done(&w);
    return rc;
}

/* The mode as fs_host_mode allows it; a mount point's is the host's (EPERM,
 * after EROFS as in fs/open.c, chmod_common()). */
static int64_t do_chmod(struct ringbox *rb, int dirfd, uint64_t upath, unsigned mode)
{
    struct fs_walk w;
    int rc = attr_target(rb, dirfd, upath, FS_FOLLOW, &w);
    if (rc == 0 && fs_walk_node(&w)->via == FS_VIA_MOUNT)
        rc = -EPERM;
    if (rc == 0 && fchmodat(fs_walk_at(&w).fd, fs_walk_at(&w).name, fs_host_mode(mode, 0), 0) < 0)
        rc = -errno;
    fs_walk_done(&w);
    return rc;
}

int64_t sys_chmod(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    unsigned mode = (unsigned)args->a[1];
    return do_chmod(rb, AT_FDCWD, upath, mode);
}

int64_t sys_fchmodat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    unsigned mode = (unsigned)args->a[2];
    return do_chmod(rb, dirfd, upath, mode);
}

/* utimensat(2): a NULL path (or "" with AT_EMPTY_PATH) means dirfd itself. */
int64_t sys_utimensat(struct ringbox *rb, const struct sys_args *args)
{
    int dirfd = (int)args->a[0];
    uint64_t upath = args->a[1];
    uint64_t utimes = args->a[2];
    int flags = (int)args->a[3];
    struct timespec ts[2], *times = NULL;
    char path[PATH_MAX];
    struct fs_walk w;

    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (utimes) {
        int rc = mem_copy_from_user(&rb->mem, ts, utimes, sizeof ts);
        if (rc < 0)
            return rc;
        for (int i = 0; i < 2; i++)
            if (ts[i].tv_nsec != UTIME_NOW && ts[i].tv_nsec != UTIME_OMIT &&
                (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L))
                return -EINVAL;
        times = ts;
    }
    path[0] = '\0';
    if (upath) {
        long n = user_path(rb, upath, path);
        if (n < 0)
            return n;
        if (n == 0 && !(flags & AT_EMPTY_PATH))
            return -ENOENT;
    }
    if (!path[0]) {
        if (dirfd == AT_FDCWD)
            return -EFAULT;
        int hfd = fd_host(&rb->fds, dirfd);
        int rc = hfd < 0 ? hfd : fs_fd_check_write(rb, dirfd);
        if (rc == 0 && syscall(SYS_utimensat, hfd, NULL, times, 0) < 0)
            rc = -errno;
        return rc;
    }
    int rc = fs_walk(rb, dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW, 0, &w);
    if (rc == 0 && w.magic >= 0)
        rc = -EACCES;
    else if (rc == 0 && !fs_walk_node(&w)->m->rw)
        rc = -EROFS;
    if (rc == 0 &&
        syscall(SYS_utimensat, fs_walk_at(&w).fd, fs_walk_at(&w).name, times, AT_SYMLINK_NOFOLLOW) < 0)
        rc = -errno;
    fs_walk_done(&w);
    return rc;
}

int64_t sys_statfs(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    uint64_t ubuf = args->a[1];
    struct fs_walk w;
    struct statfs sf;
    int rc = lookup(rb, AT_FDCWD, upath, FS_FOLLOW, &w);
    if (rc == 0) {
        const struct fs_step *s = fs_walk_node(&w);
        int hfd = s ? s->fd : fd_host(&rb->fds, w.magic);
        if (fstatfs(hfd, &sf) < 0)
            rc = -errno;
        else if (s && !s->m->rw)
            sf.f_flags |= ST_RDONLY;
    }
    fs_walk_done(&w);
    /* f_fsid names a host file system (ext4's comes from its UUID, most
     * others' from the host's device number): the guest's has none, as a
     * file system without one reports (statfs(2)). */
    memset(&sf.f_fsid, 0, sizeof sf.f_fsid);
    return rc < 0 ? rc : mem_copy_to_user(&rb->mem, ubuf, &sf, sizeof sf);
}

int64_t sys_umask(struct ringbox *rb, const struct sys_args *args)
{
    unsigned mask = (unsigned)args->a[0];
    unsigned old = rb->fs.umask;
    rb->fs.umask = mask & 0777;
    return old;
}
