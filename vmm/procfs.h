/* procfs.h - the synthetic /proc: the files programs read about themselves. */
#ifndef RB_PROCFS_H
#define RB_PROCFS_H

#include <stddef.h>

struct ringbox;
struct stat;

/* Make the host directory behind the guest's /proc in the private
 * directory: self/ with exe (a symlink to the program's guest path `exe`),
 * the placeholders cmdline, maps and status, and an empty fd/; and the
 * placeholders uptime and loadavg, as "proc" in the private directory.
 * 0 or -errno. */
int procfs_build(struct ringbox *rb, const char *exe);

/* Opening guest path `guest` of the synthetic /proc: cmdline, maps,
 * status, uptime and loadavg are generated now into a sealed-in-spirit
 * memfd (read, lseek and fstat then work on it as on any file), and
 * /proc/self/fd becomes a fresh host directory listing the open guest fds,
 * one symlink each.  Returns 1 with *host_fd set, 0 if `guest` is not
 * generated (open the placeholder as is), or -errno. */
int procfs_open(struct ringbox *rb, const char *guest, int *host_fd);

/* For the fstat of an fd opened by guest path `guest`: when procfs_open
 * generates that path, put its placeholder's device, inode, mode, link
 * count and owner in *st (still the host's numbers), so that every open
 * of it shows one file, as stat of the path does.  1 if it did, 0 if
 * `guest` is not generated, or -errno. */
int procfs_identity(struct ringbox *rb, const char *guest, struct stat *st);

/* What readlink(/proc/self/fd/N) says: the guest path fd N was opened by,
 * or "pipe:[ino]", "socket:[ino]", "anon_inode:[ino]".  Returns the
 * length written into buf (not NUL-terminated beyond size), or -errno. */
int procfs_fd_link(struct ringbox *rb, int fd, char *buf, size_t size);

#endif
