/* fd.h - the guest's file descriptors: a table from guest fds to host fds.
 *
 * The guest never sees a host fd number, and the VMM's own fds (KVM, guest
 * memory, trace output) are never in the table, so no guest fd can reach
 * them.  Every host fd in the table is O_CLOEXEC on the host and owned by
 * the table: fd_close and fd_fini close it. */
#ifndef RB_FD_H
#define RB_FD_H

#include <stdbool.h>
#include <stdint.h>

/* The status flags F_SETFL may change (fs/fcntl.c, SETFL_MASK); Linux
 * silently ignores the rest.  O_DIRECT and O_NOATIME need _GNU_SOURCE
 * where this is used. */
#define FD_SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

struct rb_file {
    int host;     /* host fd, or -1: the slot is free */
    bool cloexec; /* the guest's FD_CLOEXEC, honoured by a later execve */
    char *path;   /* guest path it was opened by (/proc/self/fd, fchdir), or NULL */
    /* For a file without a path: the guest may change its attributes
     * (fchmod).  Set for the pipes it made; clear for the streams ringbox
     * was given, so a sandboxed program cannot chmod a host file or
     * terminal it was only lent.  A file with a path is writable as its
     * mount is (fs_fd_check_write). */
    bool attr_rw;
    /* One of the program's output streams: the host stdout or stderr
     * ringbox was given, or a dup of it, whose bytes max_output_bytes
     * counts (limit.h). */
    bool output;
};

struct fd_table {
    struct rb_file *f;
    int cap;
};

/* Guest fds 0-2 become host dups of the VMM's fds 0-2 (those that are
 * open), so the guest closing its stdout never closes the host's. 0 or -errno. */
int fd_init_stdio(struct fd_table *t);
void fd_fini(struct fd_table *t);

/* Give host fd `host` the lowest free guest fd >= min and < limit.  On
 * success the table owns `host` and the guest fd is returned; on failure
 * (-EMFILE, -ENOMEM) the caller still owns it. */
int fd_install(struct fd_table *t, int host, int min, int limit, bool cloexec, const char *path);
/* Put `host` at guest fd `fd` (< limit), closing what was there: dup2/dup3.
 * 0, -EBADF (fd out of range) or -ENOMEM; on failure the caller owns `host`. */
int fd_install_at(struct fd_table *t, int fd, int limit, int host, bool cloexec, const char *path);

/* The open file at guest fd `fd`, or NULL. */
struct rb_file *fd_get(const struct fd_table *t, int64_t fd);
/* Its host fd, or -EBADF. */
int fd_host(const struct fd_table *t, int64_t fd);
/* Close guest fd `fd`.  0 or -EBADF. */
int fd_close(struct fd_table *t, int64_t fd);
/* Highest open guest fd, or -1. */
int fd_last(const struct fd_table *t);

#endif
