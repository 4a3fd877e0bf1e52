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
#include <sys/socket.h>
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
