/* syscall.c - the syscall table, dispatch with counting, and syscall names. */
#include <asm/unistd.h>
#include <errno.h>
#include <stddef.h>
#include "limit.h"
#include "sys.h"
#include "trace.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Keyed by the host's __NR_*: a name missing from the host headers fails
 * the build instead of landing in the wrong slot. */
static const sys_handler table[] = {
#define RB_SYSCALL(name) [__NR_##name] = sys_##name,
#include "syscalls.def"
#undef RB_SYSCALL
};

/* Every syscall the host headers know, serviced or not, so that traces
 * name the ones the program tried and did not get. */
static const char *const names[] = {
#include "sysnames.h"
};

#ifdef RB_TEST_HOOKS
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
/* Test builds only (see RB_TEST_HOOK_SYSCALL): a host socket, which the
 * run-phase filter must answer with SIGSYS. */
static int64_t test_hook(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    close(fd);
    return 0;
}

/* Test builds only (RB_TEST_HOOK_OPEN, RB_TEST_HOOK_CREATE): host opens a
 * compromised VMM could make with the calls the filter allows. */
static int64_t test_hook_open(struct ringbox *rb, const struct sys_args *a)
{
    char path[PATH_MAX], name[NAME_MAX + 1];
    long n = mem_strncpy_from_user(&rb->mem, path, a->a[0], sizeof path);
    if (n < 0)
        return n;
    int fd;
    if (a->nr == RB_TEST_HOOK_OPEN) {
        struct open_how how = {.flags = O_RDONLY | O_CLOEXEC};
        fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
        fd = fd < 0 ? -errno : fd;
    } else {
        const struct fs_mount *m = fs_mount_at(&rb->fs, path);
        if (!m)
            return -ENOENT;
        if ((n = mem_strncpy_from_user(&rb->mem, name, a->a[1], sizeof name)) < 0)
            return n;
        fd = fs_host_open(m->fd, name, O_CREAT | O_WRONLY, 0644);
    }
    if (fd < 0)
        return fd;
    close(fd);
    return 0;
}
#endif

/* The number is checked before it indexes anything.  Linux reads only
 * EAX (entry_64.S); ringbox treats a number with upper bits set as
 * unknown, which no real program notices. */
int64_t sys_dispatch(struct ringbox *rb, const struct sys_args *args)
{
    long nr = args->nr;
    struct ringbox_counters *c = rb->res ? &rb->res->counters : NULL;
    sys_handler h = nr >= 0 && (unsigned long)nr < ARRAY_LEN(table) ? table[nr] : NULL;

    if (c) {
        if (!limit_syscall(rb, c->syscalls + 1))
            return -EINTR; /* never seen: the run is over */
        c->syscalls++;
        if (nr >= 0 && nr < RINGBOX_SYSCALL_SLOTS)
            c->by_syscall[nr]++;
        if (!h)
            c->unknown_syscalls++;
    }
#ifdef RB_TEST_HOOKS
    if (nr == RB_TEST_HOOK_SYSCALL)
        return test_hook();
    if (nr == RB_TEST_HOOK_OPEN || nr == RB_TEST_HOOK_CREATE)
        return test_hook_open(rb, args);
#endif
    int64_t ret = h ? h(rb, args) : -ENOSYS;
    if (ret == -EMFILE && c) {
        c->emfile++;
        trace_note(rb, "limit: fd limit of %d reached: EMFILE", sys_nofile(rb));
    }
    return ret;
}

__attribute__((visibility("default"))) const char *ringbox_syscall_name(long nr)
{
    return nr >= 0 && (unsigned long)nr < ARRAY_LEN(names) ? names[nr] : NULL;
}
