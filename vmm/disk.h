/* disk.h - disk limits: tmpfs mounts with a size, the VMM's own count where
 * the kernel cannot count, and the removal of what a killed sandbox left.
 *
 * Which mechanism applies (docs/limits.md has the whole story):
 *
 *  - A real tmpfs, where the process may make one: the private directory
 *    and every tmpfs mount (--tmpfs, the private /tmp) are kernel tmpfs
 *    instances made with the mount API (fsopen(2), fsconfig(2) with size=
 *    and nr_inodes=, fsmount(2)) and attached to no mount namespace at
 *    all: the VMM's fd is the only reference, so the kernel enforces the
 *    size and frees everything when the process ends, SIGKILL included.
 *    Made directly where the caller has CAP_SYS_ADMIN over its mount
 *    namespace (root); else by a short-lived child in a new user and mount
 *    namespace, which hands the mount back over a socket.  No thread of
 *    the caller ever changes namespace, root, cwd or fs_struct, so an
 *    embedder's threads are untouched (docs/limits.md, "Embedding").
 *  - The fallback, where neither works (no user namespaces, a seccomp
 *    policy without the mount API): host directories under
 *    $TMPDIR/ringbox-XXXXXX as before, each tmpfs mount counted by the VMM
 *    (struct disk_quota) as tmpfs counts, and a lock file whose flock(2)
 *    the process holds, so that a later start can tell a dead sandbox's
 *    directory from a live one's and remove it (disk_reap).
 *  - --max-disk: always the VMM's count, over the user's --rw mounts.
 *
 * The VMM's count, as tmpfs counts (mm/shmem.c): a write, fallocate or
 * copy into a counted file may allocate DISK_PAGE-sized pages up to the
 * limit; a write that crosses it writes what fits and returns the short
 * count, the next one fails with ENOSPC; fallocate is all or nothing;
 * ftruncate only sets the size (sparse), so it never needs room; each new
 * name (file, directory, symlink, hard link) takes one inode.  The bytes
 * are the counted files' st_blocks * 512 as the host reports them, measured
 * before and after each call; where a call could cross the limit, the
 * pages it would really allocate are found with SEEK_DATA/SEEK_HOLE and a
 * private directory is recounted exactly (so removed files give their room
 * back).  A --rw mount is never walked: --max-disk counts what the calls
 * add, and what truncation or hole punching frees, never below zero. */
#ifndef RB_DISK_H
#define RB_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ringbox;
struct rb_file;
struct fs_mount;

/* The unit of allocation the count charges, tmpfs's page. */
#define DISK_PAGE 4096u
/* Bytes of a size limit per inode: a limit of N bytes allows N / 1024
 * names, the tmpfs mounts' nr_inodes= included (BOGO_INODE_SIZE, the
 * kernel's own charge per tmpfs inode, mm/shmem.c). */
#define DISK_INODE_BYTES 1024u
/* The private directory itself (skeleton, /proc, /proc/self/fd listings). */
#define DISK_PRIV_BYTES (UINT64_C(64) << 20)
/* Data extents looked at for one call near the limit; beyond them the
 * range counts as a hole (never too little). */
#define DISK_EXTENTS 64

/* What one limit has counted. */
struct disk_quota {
    uint64_t limit;       /* bytes; 0: nothing is counted */
    uint64_t inode_limit; /* names */
    uint64_t used;        /* bytes counted so far */
    uint64_t inodes;      /* names counted so far (a private directory's root is one) */
};

/* A byte range [start, end) of a file that holds data. */
struct disk_extent {
    uint64_t start, end;
};

/* How this view makes its tmpfs mounts (struct fs_view.tmpfs_via). */
enum disk_via {
    DISK_VIA_UNTRIED, /* nothing made yet */
    DISK_VIA_DIRECT,  /* the mount API, in the calling thread */
    DISK_VIA_CHILD,   /* the mount API, in a child with its own user namespace */
    DISK_VIA_NONE,    /* neither works: the fallback */
};

/* ---- pure parts, for the unit tests --------------------------------------- */

/* The most bytes of pages a write of `len` bytes can allocate, wherever it lands. */
uint64_t disk_worst(uint64_t len);
/* Of `len` bytes at `pos`, how many can be written when `room` bytes are
 * free and every page the range touches costs DISK_PAGE unless one of the
 * `n` data extents (sorted, disjoint) overlaps it: all of them, or up to
 * the first page that does not fit. */
uint64_t disk_fit(uint64_t pos, uint64_t len, uint64_t room, const struct disk_extent *ext, size_t n);
/* A quota of `limit` bytes and its inode limit; `root`: it counts its own root directory. */
struct disk_quota disk_quota_of(uint64_t limit, bool root);
/* Count a file going from `before` to `after` bytes; never below zero. */
void disk_charge(struct disk_quota *q, uint64_t before, uint64_t after);
/* Whether `name` is one mkdtemp(3) made from "ringbox-XXXXXX". */
bool disk_is_priv_name(const char *name);

/* ---- tmpfs and the fallback's directories (setup, before confinement) ------- */

/* A tmpfs of `size` bytes and size / DISK_INODE_BYTES inodes, its root of
 * mode `mode`, nosuid, nodev, noexec, attached to no mount namespace:
 * returns an O_PATH fd of its root, or -errno.  *via says how (tried in
 * order the first time, then only the way that worked); -EPERM once
 * neither works, with *via DISK_VIA_NONE. */
int disk_tmpfs(enum disk_via *via, uint64_t size, unsigned mode);
/* Remove the ringbox-XXXXXX directories in `tmpdir` that this user owns
 * and whose lock no process holds.  Best effort. */
void disk_reap(const char *tmpdir);
/* Make and hold the lock of a fresh private directory (O_PATH fd `dirfd`):
 * the lock fd, or -errno.  It appears already locked. */
int disk_lock(int dirfd);

/* ---- the hooks, on the run's write paths --------------------------------- */

/* One counted call in progress. */
struct disk_op {
    struct disk_quota *q;      /* NULL: nothing to count */
    const struct fs_mount *m;  /* the mount the file lies in */
    int hfd;
    uint64_t before;           /* the file's bytes before the call */
};

/* Before a write of *len bytes to guest file `f` at `pos` (< 0: the file
 * position; the end with O_APPEND, always): *len is cut to what fits; -ENOSPC
 * when nothing does (and *len > 0), else 0.  disk_write_end counts it. */
int disk_write_begin(struct ringbox *rb, const struct rb_file *f, int64_t pos, uint64_t *len,
                     struct disk_op *op);
void disk_write_end(struct disk_op *op);
/* fallocate(2) and ftruncate(2) on host fd `hfd`, counted: 0 or -errno. */
int disk_fallocate(struct ringbox *rb, const struct rb_file *f, int mode, int64_t off, int64_t len);
int disk_ftruncate(struct ringbox *rb, const struct fs_mount *m, int hfd, int64_t length);
/* The mount guest file `f` lies in, or NULL (for disk_ftruncate). */
const struct fs_mount *disk_mount_of(struct ringbox *rb, const struct rb_file *f);
/* Before a new name in mount `m`: 0 (one inode counted) or -ENOSPC. */
int disk_create(struct ringbox *rb, const struct fs_mount *m);

#endif
