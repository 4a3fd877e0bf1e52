/* sys.h - the syscall table: one handler per Linux syscall, keyed by the
 * host's __NR_* and generated from syscalls.def. */
#ifndef RB_SYS_H
#define RB_SYS_H

#include <stdint.h>
#include "vm.h"

struct stat;

/* The six argument registers of the x86-64 syscall ABI: rdi, rsi, rdx,
 * r10, r8, r9.  Handlers unpack them into typed locals. */
struct sys_args {
    long nr;
    uint64_t a[6];
};

/* A handler returns the value for RAX: >= 0, or -errno for a guest error.
 * It never ends the VMM; it touches guest memory only through mem.h. */
typedef int64_t (*sys_handler)(struct ringbox *rb, const struct sys_args *args);

#define RB_SYSCALL(name) int64_t sys_##name(struct ringbox *rb, const struct sys_args *args);
#include "syscalls.def"
#undef RB_SYSCALL

/* The guest's RLIMIT_NOFILE soft limit as a bound on guest fd numbers
 * (fs/file.c: alloc_fd, dup2 and F_DUPFD all take rlimit(RLIMIT_NOFILE)). */
int sys_nofile(struct ringbox *rb);

/* fstat of guest fd `fd` as the guest sees it: the host's, with the
 * guest's device and inode numbers (hostinfo.h); a generated /proc file
 * shows the one identity stat of its path shows (procfs_identity).  0,
 * -EBADF, or another -errno (sys_fs.c). */
int sys_fd_stat(struct ringbox *rb, int fd, struct stat *st);

/* The sandbox's uptime, from the start of its run (0 before it), and the
 * part of it its one CPU was idle: neither the guest nor the VMM serving
 * it ran on the vCPU thread.  In ns (sys_info.c). */
void sys_uptime(struct ringbox *rb, uint64_t *up_ns, uint64_t *idle_ns);

/* Dispatch one syscall, counting it.  Unknown numbers get -ENOSYS. */
int64_t sys_dispatch(struct ringbox *rb, const struct sys_args *args);

#endif
