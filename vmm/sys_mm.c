/* sys_mm.c - the memory syscalls: unpack the registers, let mm.c decide. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "mm.h"
#include "sys.h"
#include "trace.h"

int64_t sys_brk(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t req = args->a[0];
    return (int64_t)mm_brk(&rb->mm, req);
}

/* /dev/zero (drivers/char/mem.c, minor 5 of the mem major): Linux maps it
 * as anonymous memory, shared or private alike. */
static bool is_dev_zero(const struct stat *st)
{
    return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 5;
}

/* mmap of guest fd `fd`: Linux's checks (mm/mmap.c do_mmap) in its order,
 * then the file's contents are copied into the mapping (mm_map). */
static int64_t mmap_fd(struct ringbox *rb, uint64_t addr, uint64_t len, int prot, int flags,
                       int fd, uint64_t off)
{
    int host = fd_host(&rb->fds, fd);
    if (host < 0)
        return host;
    if (len == 0)
        return -EINVAL;
    int fl = fcntl(host, F_GETFL);
    if (fl < 0)
        return -errno;
    if (fl & O_PATH)
        return -EBADF; /* an O_PATH fd is not open for I/O (open(2)) */
    struct stat st;
    /* The raw syscall: glibc's fstat is newfstatat, which the filter
     * (seccomp.c) does not allow. */
    if (syscall(SYS_fstat, host, &st) < 0)
        return -errno;
    if (is_dev_zero(&st))
        return mm_mmap(&rb->mm, addr, len, prot, flags | MAP_ANONYMOUS);
    /* file_mmap_ok: a file's offsets end at LLONG_MAX (MAX_LFS_FILESIZE),
     * checked on whole pages. */
    uint64_t pages = len > UINT64_MAX - (MEM_PAGE - 1) ? 0 : (len + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
    if (pages == 0)
        return -ENOMEM; /* do_mmap: the length wrapped when rounded up */
    if (pages > INT64_MAX || off / MEM_PAGE > (INT64_MAX - pages) / MEM_PAGE)
        return -EOVERFLOW;
    int acc = fl & O_ACCMODE;
    bool shared = (flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_SHARED;
    if (shared && (prot & PROT_WRITE) && acc != O_RDWR)
        return -EACCES;
    if (acc == O_WRONLY)
        return -EACCES;
    /* Pipes, sockets, terminals, directories and most devices have no mmap
     * (Linux: ENODEV). */
    if (!S_ISREG(st.st_mode))
        return -ENODEV;
    if (shared && (prot & PROT_WRITE)) {
        trace_note(rb, "mmap(MAP_SHARED, PROT_WRITE) of fd %d refused: writes to shared "
                       "file mappings are not supported", fd);
        return -ENODEV;
    }
    struct rb_file *f = fd_get(&rb->fds, fd);
    struct mm_file *name = mm_file_new(f->path ? f->path : "", (uint64_t)st.st_dev,
                                       (uint64_t)st.st_ino);
    if (!name)
        return -ENOMEM;
    struct mm_src src = {.fd = host, .off = off, .size = (uint64_t)st.st_size, .file = name};
    int64_t rc = mm_mmap_file(&rb->mm, addr, len, prot, flags, &src);
    mm_file_put(name);
    return rc;
}

int64_t sys_mmap(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t addr = args->a[0], len = args->a[1], off = args->a[5];
    uint64_t prot = args->a[2];
    int flags = (int)args->a[3], fd = (int)args->a[4];
    /* x86-64 sys_mmap checks the offset first; anonymous mappings ignore it. */
    if (off & (MEM_PAGE - 1))
        return -EINVAL;
    if (prot > INT_MAX)
        return -EINVAL;
    if (flags & MAP_ANONYMOUS)
        return mm_mmap(&rb->mm, addr, len, (int)prot, flags);
    return mmap_fd(rb, addr, len, (int)prot, flags, fd, off);
}

int64_t sys_munmap(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t addr = args->a[0], len = args->a[1];
    return mm_munmap(&rb->mm, addr, len);
}

int64_t sys_mprotect(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t addr = args->a[0], len = args->a[1], prot = args->a[2];
    if (prot > INT_MAX)
        return -EINVAL;
    return mm_mprotect(&rb->mm, addr, len, (int)prot);
}

int64_t sys_madvise(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t addr = args->a[0], len = args->a[1];
    int advice = (int)args->a[2];
    return mm_madvise(&rb->mm, addr, len, advice);
}

int64_t sys_mremap(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t old = args->a[0], old_len = args->a[1], new_len = args->a[2];
    uint64_t flags = args->a[3], new_addr = args->a[4];
    if (flags > INT_MAX)
        return -EINVAL;
    return mm_mremap(&rb->mm, old, old_len, new_len, (int)flags, new_addr);
}
