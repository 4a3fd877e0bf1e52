/* sys_xattr.c - extended attributes: every file in the view has none.
 *
 * Host xattrs can carry what the sandbox has no business showing
 * (security.selinux labels, trusted.*), and the programs that ask only ask
 * whether there are any: GNU ls -l reads security.selinux and
 * system.posix_acl_access for every file it lists (and reports any error
 * but ENODATA and ENOTSUP), cp -a and Python's shutil.copystat list them
 * to copy them.  So each file answers as one on a filesystem that supports
 * xattrs and holds none: getxattr ENODATA, listxattr an empty list.  The
 * checks Linux makes first still apply, in its order (fs/xattr.c): the
 * path resolves in the view (or the fd is open), then the name is 1 to
 * XATTR_NAME_MAX bytes (ERANGE otherwise).  Setting and removing are not
 * served (ENOSYS): security.capability would give a host file capabilities,
 * setuid by another name, and trusted.* is the host's (tests/unit_nosuid.c).
 *
 * Host syscalls: none beyond fs_walk's (vmm/fs.c), so no seccomp entry. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/limits.h>

#include "fd.h"
#include "fs.h"
#include "sys.h"

/* Resolve a guest path (following a final symlink or not) for its errors only. */
static int path_exists(struct ringbox *rb, uint64_t upath, unsigned how)
{
    char path[PATH_MAX];
    struct fs_walk w;
    long n = mem_strncpy_from_user(&rb->mem, path, upath, sizeof path);
    if (n < 0)
        return (int)n;
    int rc = fs_walk(rb, AT_FDCWD, path, how, 0, &w);
    fs_walk_done(&w);
    return rc;
}

static int fd_exists(struct ringbox *rb, int64_t fd)
{
    return fd_get(&rb->fds, fd) ? 0 : -EBADF;
}

/* fs/xattr.c, getxattr(): a name that is empty or does not fit is ERANGE. */
static int check_name(struct ringbox *rb, uint64_t uname)
{
    char name[XATTR_NAME_MAX + 1];
    long n = mem_strncpy_from_user(&rb->mem, name, uname, sizeof name);
    if (n == -ENAMETOOLONG || n == 0)
        return -ERANGE;
    return n < 0 ? (int)n : 0;
}

static int64_t no_attribute(int found, struct ringbox *rb, uint64_t uname)
{
    if (found < 0)
        return found;
    int rc = check_name(rb, uname);
    return rc < 0 ? rc : -ENODATA;
}

int64_t sys_getxattr(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0], uname = args->a[1];
    return no_attribute(path_exists(rb, upath, FS_FOLLOW), rb, uname);
}

int64_t sys_lgetxattr(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0], uname = args->a[1];
    return no_attribute(path_exists(rb, upath, 0), rb, uname);
}

int64_t sys_fgetxattr(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    uint64_t uname = args->a[1];
    return no_attribute(fd_exists(rb, fd), rb, uname);
}

/* An empty list is 0 bytes long, whatever the buffer. */
int64_t sys_listxattr(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    return path_exists(rb, upath, FS_FOLLOW);
}

int64_t sys_llistxattr(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t upath = args->a[0];
    return path_exists(rb, upath, 0);
}

int64_t sys_flistxattr(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return fd_exists(rb, fd);
}
