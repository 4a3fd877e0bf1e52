/* fs.h - the file view: which host files the guest sees, at which guest
 * paths, and how a guest path is resolved without ever leaving them.
 *
 * The view is a list of mounts, each a guest path bound to a host
 * directory or a single host file, read-only or writable.  The longest
 * mount point that is a prefix of a path (at a component boundary) owns
 * it; on a tie a user mount (ringbox_mount) beats a default one, and a
 * later one an earlier.  Directories that exist only as the parents of
 * mount points (/, /usr, /dev) come from a private "skeleton" directory
 * that the VMM builds on the host and mounts read-only at "/".
 *
 * Resolution walks the guest path one component at a time in the guest's
 * namespace: `..` is applied to the guest path and never rises above the
 * guest root, and a symlink's target is spliced into the rest of the guest
 * path (absolute targets restart at the guest root), at most FS_MAXSYMLINKS
 * times.  Each component is opened on the host with openat2(O_PATH |
 * O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
 * relative to its parent's O_PATH fd, or to the mount's own fd at a mount
 * point, so the host kernel itself refuses every step outside a mount.
 *
 * The guest is one thread served synchronously by the VMM, so nothing the
 * guest does can change a path between its resolution and its use; only
 * host processes could, and they are outside the sandbox's threat model.
 */
#ifndef RB_FS_H
#define RB_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "disk.h"
#include "ringbox.h"

struct ringbox;

/* path_resolution(7): more links than this in one lookup is ELOOP. */
#define FS_MAXSYMLINKS 40

struct fs_mount {
    char *guest; /* mount point: absolute and normalised ("/" or "/a/b") */
    char *host;  /* the host path it shows (realpath), for messages; in a kernel
                  * tmpfs (disk.h) the path inside it, "/" for its root */
    int fd;      /* O_PATH: the directory, or for a file the directory holding it */
    char *name;  /* a file mount: its name inside fd's directory; NULL for a directory */
    bool rw;
    bool user;   /* from ringbox_mount: wins over a default mount at the same point */
    bool tmpfs;  /* a tmpfs mount (--tmpfs, the private /tmp): a kernel tmpfs, or the fallback's
                  * private directory */
    /* The fallback's count of a tmpfs mount (disk.h); limit 0 where the
     * kernel counts, or nothing is counted. */
    struct disk_quota quota;
};

struct fs_view {
    struct fs_mount *m;
    size_t n, cap;
    /* The private directory holding the skeleton ("root"), the synthetic
     * /proc ("proc") and /proc/self/fd listings ("fdN"): a kernel tmpfs
     * of its own (disk.h), each tmpfs mount another; or, in the fallback,
     * the host directory $TMPDIR/ringbox-XXXXXX (mode 0700, `priv` its
     * path, NULL otherwise) that also holds each tmpfs mount ("tmpN") and
     * the lock the reaper looks at ("lock", held on lock_fd), removed
     * recursively by fs_fini.  priv_fd is an O_PATH fd of it either way. */
    char *priv;
    int priv_fd, lock_fd;
    enum disk_via tmpfs_via;
    unsigned ntmp, nsnap;
    /* --max-disk, over the user's --rw mounts (disk.h). */
    struct disk_quota rw_quota;
    bool counted;    /* some mount is counted by the VMM: the write paths look */
    const struct fs_mount *root, *proc; /* the skeleton at "/", the synthetic /proc */
    char *cwd;       /* the guest's working directory: absolute, normalised, resolved */
    char *cmdline;   /* argv joined by NULs, for /proc/self/cmdline */
    size_t cmdline_len;
    unsigned umask;  /* the guest's umask(2) */
    bool ready;      /* fs_default_view has built the view */
    /* The last fs_open reopened one of the program's output streams
     * through /proc/self/fd/N (/dev/stdout...): the new fd is one too
     * (fd.h, output). */
    bool reopened_output;
};

/* Mount flags, as in include/ringbox.h (RINGBOX_MOUNT_*). */

/* An empty view: nothing resolves until fs_default_view.  Never fails. */
void fs_init(struct fs_view *v);
/* Close every mount and remove the private directory with everything in it. */
void fs_fini(struct fs_view *v);

/* Add a mount.  `host` is a directory or file (resolved with realpath);
 * NULL with RINGBOX_MOUNT_TMPFS makes a fresh tmpfs of
 * RINGBOX_DEFAULT_TMPFS_BYTES.  `guest` must be absolute; it is
 * normalised.  `user` marks a ringbox_mount one.
 * Returns 0 or RINGBOX_EMOUNT / RINGBOX_ENOMEM / RINGBOX_EINVAL, err filled. */
int fs_mount_add(struct ringbox *rb, const char *host, const char *guest, unsigned flags, bool user,
                 struct ringbox_error *err);
/* Add a tmpfs mount of `size` bytes (0: RINGBOX_DEFAULT_TMPFS_BYTES) at
 * `guest`, as fs_mount_add does. */
int fs_tmpfs_add(struct ringbox *rb, const char *guest, uint64_t size, bool user,
                 struct ringbox_error *err);

/* Set the guest's starting directory (checked by fs_default_view). */
int fs_chdir_request(struct ringbox *rb, const char *guest, struct ringbox_error *err);

/* Remember argv for /proc/self/cmdline.  0 or RINGBOX_ENOMEM. */
int fs_set_cmdline(struct ringbox *rb, char *const argv[], struct ringbox_error *err);

/* Build the default view around the user's mounts: the program at its
 * absolute host path (read-only); for a dynamic program /lib, /lib64,
 * /usr/lib, /usr/lib64 and /usr/local/lib where the host has them
 * (read-only); /dev/null and /dev/zero (writable), /dev/urandom and
 * /dev/random (read-only), /dev/stdin, /dev/stdout and /dev/stderr as
 * symlinks to /proc/self/fd/0-2; a private writable /tmp; the synthetic
 * /proc (procfs.h); and nothing else.  Also checks the working directory.
 * Idempotent.  0 or a negative enum ringbox_status with err filled. */
int fs_default_view(struct ringbox *rb, const char *exe_host_path, bool dynamic,
                    struct ringbox_error *err);

/* openat(2) of a guest path relative to guest fd `dirfd` (AT_FDCWD: the
 * guest's cwd) inside the view.  On success *host_fd is a new O_CLOEXEC
 * host fd for the caller to fd_install or close, and *guest_path the
 * malloc'd absolute, normalised guest path it was opened by.  `flags` are
 * the guest's open flags (O_CLOEXEC is the caller's business); `mode` is
 * applied with the guest's umask.  Returns 0 or -errno. */
int fs_openat(struct ringbox *rb, int dirfd, const char *path, int flags, unsigned mode,
              int *host_fd, char **guest_path);
/* fs_openat with the guest's openat2 RESOLVE_* flags, honoured at least as
 * strictly as Linux does.  Through /proc/self/fd/N of a pipe or terminal,
 * *guest_path is NULL: such a file has no path. */
int fs_open(struct ringbox *rb, int dirfd, const char *path, int flags, unsigned mode,
            uint64_t resolve, int *host_fd, char **guest_path);

/* -EROFS when guest fd `fd` was opened from a read-only mount, else 0: for
 * the fd-only calls that change a file through any open fd (fchmod,
 * utimensat on an fd), which the host would otherwise allow. */
int fs_fd_check_write(struct ringbox *rb, int fd);
/* fs_fd_check_write for a change of mode, and -EPERM when the fd is a
 * mount point: the host's own directory (or file), whose mode the guest
 * may not change (see fs_host_mode). */
int fs_fd_check_mode(struct ringbox *rb, int fd);

/* A regular file the guest can now write (just created, opened for
 * writing, about to be truncated) loses S_ISUID and S_ISGID, as Linux
 * takes them off at the first write by anyone without CAP_FSETID
 * (fs/inode.c, file_remove_privs()), which ringbox run as root has.  A
 * file the host made setuid and the guest rewrites is then never a setuid
 * program with the guest's contents.  0, or -errno when the host refused
 * the fchmod (the caller fails the open with it). */
int fs_host_strip(int fd);

/* ---- resolution, for the path syscalls (sys_fs.c, procfs.c) --------------- */

/* How a step's node is reopened by name: from its parent's fd, from its
 * mount's fd (a mount point), or from the skeleton's root (a directory
 * that exists only as the parent of a mount point inside another mount). */
enum fs_via { FS_VIA_PARENT, FS_VIA_MOUNT, FS_VIA_SKELETON };

struct fs_step {
    int fd;                    /* O_PATH | O_NOFOLLOW host fd of the node */
    const struct fs_mount *m;  /* the mount it lies in */
    enum fs_via via;
    uint32_t mode;             /* its st_mode */
    size_t plen;               /* length of its guest path */
};

/* fs_walk flags. */
#define FS_FOLLOW 1u /* follow a final symlink */
#define FS_CREATE 2u /* a missing final component is not an error */

struct fs_walk {
    struct fs_step *st;       /* st[0] is "/"; st[depth-1] is the result */
    size_t depth, cap;
    char path[4096];          /* the result's guest path (PATH_MAX) */
    char name[256];           /* its last component (NAME_MAX + 1) */
    bool missing;             /* FS_CREATE: the final component does not exist; path
                               * and name are its would-be path, st[depth-1] the parent */
    bool trailing;            /* the path ended in '/' */
    int magic;                /* >= 0: the result is /proc/self/fd/<magic>, not a step */
    bool magic_followed;      /* and the walk asked to follow it */
    char rest[8192];          /* the part of the path still to walk */
};

/* Resolve `path` relative to guest fd `dirfd` (AT_FDCWD: the cwd) with
 * FS_* flags `how` and the guest's openat2 RESOLVE_* flags `resolve`.
 * 0 or -errno; fs_walk_done must follow either way. */
int fs_walk(struct ringbox *rb, int dirfd, const char *path, unsigned how, uint64_t resolve,
            struct fs_walk *w);
void fs_walk_done(struct fs_walk *w);
/* The result (a step, not missing, not magic), or NULL. */
const struct fs_step *fs_walk_node(const struct fs_walk *w);
/* The host directory fd and name that reach the result (or, when missing,
 * where it would be created) with one *at() call. */
struct fs_at {
    int fd;
    const char *name;
};
struct fs_at fs_walk_at(const struct fs_walk *w);

/* openat2(dirfd, name) confined as every lookup is: RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, O_CLOEXEC added.  fd or -errno. */
int fs_host_open(int dirfd, const char *name, int flags, unsigned mode);
/* Remove `name` in dirfd with everything below it, best effort. */
void fs_rm_tree(int dirfd, const char *name);
/* fn(fd, name, depth, arg) for each entry but . and .. of the directory
 * open (O_PATH is enough) at dirfd, with fd open on that directory: the
 * VMM's own walks of its private directories (removal, disk.c's count).
 * fn recurses with depth + 1; past PATH_MAX / 2 levels, which no guest
 * path reaches, nothing is called.  Best effort: an unreadable directory
 * has no entries. */
void fs_each_entry(int dirfd, int depth, void (*fn)(int fd, const char *name, int depth, void *arg),
                   void *arg);

/* ---- pure helpers, exported for the unit tests ---------------------------- */

/* Join `path` onto the absolute `base` (ignored when path is absolute) and
 * normalise lexically: no "", "." or ".." components, ".." stops at "/", no
 * trailing slash except for "/" itself.  0, or -ENAMETOOLONG when the
 * result does not fit in `size` bytes. */
int fs_normalize(const char *base, const char *path, char *out, size_t size);

/* Whether normalised absolute `prefix` is `path` or one of its ancestors. */
bool fs_path_within(const char *path, const char *prefix);

/* The mode a host file or directory gets from the guest: `mode` less
 * `umask` (the guest's, when creating; 0 for chmod), and never S_ISUID or
 * S_ISGID, so that nothing the guest makes or changes is a setuid or
 * setgid program on the host (it would run with the identity of the
 * file's host owner, root when ringbox runs as root).  As a nosuid mount
 * would, except that such a mount keeps the bits and the kernel ignores
 * them at execve (mount(2), MS_NOSUID); the host's own execve would not.
 * The rwx and sticky bits pass: inside a writable mount the guest may
 * remove and recreate any entry, so they give it nothing the mount does
 * not.  The mount point itself cannot be replaced, and chmod of it is
 * EPERM (fs_fd_check_mode).  Every mode the VMM passes to the host for the
 * guest goes through here: open, openat, openat2 and creat (O_CREAT,
 * O_TMPFILE), mkdir, mkdirat, chmod, fchmodat, fchmod, and fs_host_strip.
 * S_ISGID that the host itself gives a new directory in a setgid
 * directory (mkdir(2)) is kept: it only passes on the group, and a
 * directory is never executed. */
unsigned fs_host_mode(unsigned mode, unsigned umask);

/* The mount whose point is exactly `guest` (normalised), preferring user
 * mounts and then later ones, or NULL. */
const struct fs_mount *fs_mount_at(const struct fs_view *v, const char *guest);
/* The mount that owns normalised `guest`: the longest mount point within
 * which it lies, ties broken as fs_mount_at does, or NULL. */
const struct fs_mount *fs_mount_of(const struct fs_view *v, const char *guest);

#endif
