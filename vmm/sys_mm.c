/* sys_mm.c - the memory syscalls: unpack the registers, let mm.c decide. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include "mm.h"
#include "sys.h"

int64_t sys_brk(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t req = args->a[0];
    return (int64_t)mm_brk(&rb->mm, req);
}

int64_t sys_mmap(struct ringbox *rb, const struct sys_args *args)
{
    uint64_t addr = args->a[0], len = args->a[1], off = args->a[5];
    uint64_t prot = args->a[2];
    int flags = (int)args->a[3], fd = (int)args->a[4];
    /* x86-64 sys_mmap checks the offset first; anonymous mappings ignore it. */
    if (off & (MEM_PAGE - 1))
        return -EINVAL;
    /* Only 0-2 can be open, and a tty or pipe has no mmap (Linux: ENODEV). */
    if (!(flags & MAP_ANONYMOUS))
        return fd >= 0 && fd <= 2 ? -ENODEV : -EBADF;
    if (prot > INT_MAX)
        return -EINVAL;
    return mm_mmap(&rb->mm, addr, len, (int)prot, flags);
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
