/* disk.c - disk limits: detached tmpfs mounts, the VMM's count where there
 * are none, and the reaper of dead sandboxes' private directories (disk.h).
 *
 * Host syscalls made here after confinement (vmm/seccomp.c allows them):
 *   fstat                    a counted file's st_blocks, before and after each call
 *   lseek SEEK_DATA/HOLE     the pages a call near the limit would allocate
 *   fcntl F_GETFL            its access mode and O_APPEND
 *   ftruncate, fallocate     the guest's calls, made here to count them
 *   openat2, getdents64      recounting a private directory
 * Before confinement only: fsopen, fsconfig, fsmount, clone (the helper
 * child), socketpair, recvmsg, wait4, flock, renameat and the reaper's
 * directory reads and removals.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "disk.h"
#include "fs.h"
#include "vm.h"

/* ---- pure parts ------------------------------------------------------------ */

static uint64_t page_down(uint64_t x)
{
    return x - x % DISK_PAGE;
}

static uint64_t page_up(uint64_t x)
{
    return page_down(x + DISK_PAGE - 1);
}

uint64_t disk_worst(uint64_t len)
{
    /* `len` bytes touch at most (len + PAGE - 2) / PAGE + 1 pages: one more
     * than their own count when they start inside a page. */
    if (len == 0)
        return 0;
    return ((len + DISK_PAGE - 2) / DISK_PAGE + 1) * DISK_PAGE;
}

uint64_t disk_fit(uint64_t pos, uint64_t len, uint64_t room, const struct disk_extent *ext, size_t n)
{
    uint64_t end = pos + len, last = page_up(end), pages = room / DISK_PAGE;
    uint64_t at = page_down(pos);
    size_t i = 0;
    while (at < last) {
        while (i < n && ext[i].end <= at)
            i++;
        if (i < n && ext[i].start < at + DISK_PAGE) {
            at = page_up(ext[i].end); /* pages holding data cost nothing */
            continue;
        }
        /* A hole from `at` to the page the next extent starts in. */
        uint64_t stop = i < n ? page_down(ext[i].start) : last;
        if (stop > last)
            stop = last;
        uint64_t hole = (stop - at) / DISK_PAGE;
        if (hole > pages) {
            uint64_t cut = at + pages * DISK_PAGE;
            return cut > pos ? cut - pos : 0;
        }
        pages -= hole;
        at = stop;
    }
    return len;
}

struct disk_quota disk_quota_of(uint64_t limit, bool root)
{
    uint64_t inodes = limit / DISK_INODE_BYTES;
    /* nr_inodes=0 would mean no limit at all to tmpfs. */
    return (struct disk_quota){.limit = limit, .inode_limit = inodes ? inodes : 1,
                               .inodes = root ? 1 : 0};
}

void disk_charge(struct disk_quota *q, uint64_t before, uint64_t after)
{
    if (after >= before)
        q->used = after - before > UINT64_MAX - q->used ? UINT64_MAX : q->used + (after - before);
    else
        q->used -= before - after < q->used ? before - after : q->used;
}

bool disk_is_priv_name(const char *name)
{
    static const char prefix[] = "ringbox-";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *x = name + sizeof prefix - 1;
    size_t n = strspn(x, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    return n == 6 && x[6] == '\0';
}

/* ---- tmpfs: the mount API, directly or in a helper child ------------------------- */

/* fsconfig's strings, formatted before a child is made (which must not
 * call into libc beyond raw syscalls: another thread may hold its locks). */
struct tmpfs_opts {
    char size[24], inodes[24], mode[8];
};

/* The whole mount API sequence, raw syscalls only: an fd or -errno. */
static int mount_api(const struct tmpfs_opts *o)
{
    int fc = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fc < 0)
        return -errno;
    int fd = -1;
    if (syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING, "size", o->size, 0) == 0 &&
        syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING, "nr_inodes", o->inodes, 0) == 0 &&
        syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING, "mode", o->mode, 0) == 0 &&
        syscall(SYS_fsconfig, fc, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        fd = (int)syscall(SYS_fsmount, fc, FSMOUNT_CLOEXEC,
                          MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    int e = errno;
    syscall(SYS_close, fc);
    return fd < 0 ? -e : fd;
}

/* The one message the child sends: its errno (0), with the mount's fd attached on success. */
union fd_msg {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

static int write_file(const char *path, const char *text)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = syscall(SYS_write, fd, text, strlen(text));
    int e = errno;
    syscall(SYS_close, fd);
    return n < 0 ? -e : 0;
}

/* The child: in its own user namespace, where this user is itself
 * (user_namespaces(7): one line mapping its own ids, after setgroups
 * "deny"), and its own mount namespace, which that user namespace owns,
 * so the mount API is allowed; hands the mount back and exits. */
static __attribute__((noreturn)) void child(int sock, pid_t parent, const struct tmpfs_opts *o,
                                           const char *uid_map, const char *gid_map)
{
    /* It must not outlive a parent killed while it works. */
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (syscall(SYS_getppid) != parent)
        syscall(SYS_exit_group, 1);
    int rc = write_file("/proc/self/setgroups", "deny");
    if (rc == 0)
        rc = write_file("/proc/self/uid_map", uid_map);
    if (rc == 0)
        rc = write_file("/proc/self/gid_map", gid_map);
    int fd = rc < 0 ? rc : mount_api(o);
    int e = fd < 0 ? -fd : 0;
    struct iovec iov = {.iov_base = &e, .iov_len = sizeof e};
    union fd_msg u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        msg.msg_control = u.buf;
        msg.msg_controllen = sizeof u.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    syscall(SYS_sendmsg, sock, &msg, 0);
    syscall(SYS_exit_group, 0);
    __builtin_unreachable();
}

static int mount_in_child(const struct tmpfs_opts *o)
{
    char uid_map[32], gid_map[32];
    snprintf(uid_map, sizeof uid_map, "%u %u 1", (unsigned)geteuid(), (unsigned)geteuid());
    snprintf(gid_map, sizeof gid_map, "%u %u 1", (unsigned)getegid(), (unsigned)getegid());
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    pid_t parent = getpid();
    /* A raw clone, not fork(): no atfork handler of the embedder's runs,
     * and with no exit signal the child is invisible to a wait for any
     * child (wait4 without __WALL), so an embedder reaping its own
     * children cannot take it.  The namespaces come with the clone. */
    long pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS, NULL, NULL, NULL, 0);
    if (pid == 0)
        child(sv[1], parent, o, uid_map, gid_map);
    int e = pid < 0 ? errno : 0;
    close(sv[1]);
    int fd = -1;
    if (pid > 0) {
        int err = EIO;
        union fd_msg u;
        struct iovec iov = {.iov_base = &err, .iov_len = sizeof err};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = sizeof u.buf};
        ssize_t n;
        while ((n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
            ;
        struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
        e = fd >= 0 ? 0 : n == (ssize_t)sizeof err && err ? err : EIO;
        while (waitpid((pid_t)pid, NULL, __WALL) < 0 && errno == EINTR)
            ;
    }
    close(sv[0]);
    return fd >= 0 ? fd : -e;
}

int disk_tmpfs(enum disk_via *via, uint64_t size, unsigned mode)
{
    struct tmpfs_opts o;
    snprintf(o.size, sizeof o.size, "%llu", (unsigned long long)size);
    snprintf(o.inodes, sizeof o.inodes, "%llu",
             (unsigned long long)disk_quota_of(size, true).inode_limit);
    snprintf(o.mode, sizeof o.mode, "%o", mode);
    if (*via == DISK_VIA_UNTRIED || *via == DISK_VIA_DIRECT) {
        int fd = mount_api(&o);
        if (fd >= 0 || *via == DISK_VIA_DIRECT) {
            if (fd >= 0)
                *via = DISK_VIA_DIRECT;
            return fd;
        }
    }
    if (*via == DISK_VIA_UNTRIED || *via == DISK_VIA_CHILD) {
        int fd = mount_in_child(&o);
        if (fd >= 0 || *via == DISK_VIA_CHILD) {
            if (fd >= 0)
                *via = DISK_VIA_CHILD;
            return fd;
        }
    }
    *via = DISK_VIA_NONE;
    return -EPERM;
}

/* ---- the fallback's directories: the lock and the reaper ----------------------- */

int disk_lock(int dirfd)
{
    /* Locked under a name the reaper ignores, then renamed: "lock" is never
     * seen unlocked while its sandbox lives. */
    int fd = openat(dirfd, ".lock", O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (flock(fd, LOCK_EX) < 0 || renameat(dirfd, ".lock", dirfd, "lock") < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

void disk_reap(const char *tmpdir)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (!disk_is_priv_name(e->d_name) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        int dir = fs_host_open(dirfd(d), e->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
        int lock = dir < 0 ? -1 : fs_host_open(dir, "lock", O_RDONLY | O_NOFOLLOW, 0);
        /* A free lock: its sandbox is gone (the kernel drops a flock with
         * the last fd of its process).  No lock yet: one is being made. */
        if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0)
            fs_rm_tree(dirfd(d), e->d_name);
        if (lock >= 0)
            close(lock);
        if (dir >= 0)
            close(dir);
    }
    closedir(d);
}

/* ---- the count ------------------------------------------------------------------ */

/* The raw syscall: glibc's fstat() may be newfstatat, which the filter refuses. */
static int host_fstat(int fd, struct stat *st)
{
    return (int)syscall(SYS_fstat, fd, st);
}

static uint64_t bytes_of(const struct stat *st)
{
    return (uint64_t)st->st_blocks * 512;
}

static bool fits(const struct disk_quota *q, uint64_t n)
{
    return q->used <= q->limit && n <= q->limit - q->used;
}

static struct disk_quota *quota_for(struct ringbox *rb, const struct fs_mount *m)
{
    struct fs_view *v = &rb->fs;
    if (!v->counted || !m || !m->rw)
        return NULL;
    struct fs_mount *own = &v->m[m - v->m];
    if (own->quota.limit)
        return &own->quota;
    if (m->user && !m->tmpfs && v->rw_quota.limit)
        return &v->rw_quota;
    return NULL;
}

const struct fs_mount *disk_mount_of(struct ringbox *rb, const struct rb_file *f)
{
    if (!rb->fs.counted || !f || !f->path || f->path[0] != '/')
        return NULL;
    return fs_mount_of(&rb->fs, f->path);
}

/* A recount: every name in a private directory and the bytes of its files
 * and symlinks (not directories: tmpfs charges them no pages), each inode
 * once however many names it has, plus the removed files the guest still
 * holds open, which keep their inode and pages until closed. */
struct tally {
    uint64_t bytes, names;
    struct shared {
        uint64_t ino, bytes;
        bool unnamed;
    } *sh;
    size_t nsh, cap;
};

static void tally(struct tally *t, const struct stat *st, bool named)
{
    if (named)
        t->names++;
    if (!S_ISREG(st->st_mode) && !S_ISLNK(st->st_mode))
        return;
    if (named && st->st_nlink == 1) {
        t->bytes += bytes_of(st);
        return;
    }
    if (t->nsh == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        struct shared *sh = realloc(t->sh, cap * sizeof *sh);
        if (!sh) {
            t->bytes += bytes_of(st); /* too much, never too little */
            t->names += !named;
            return;
        }
        t->sh = sh;
        t->cap = cap;
    }
    t->sh[t->nsh++] = (struct shared){(uint64_t)st->st_ino, bytes_of(st), !named};
}

static void tally_entry(int dirfd, const char *name, int depth, void *arg)
{
    struct stat st;
    int c = fs_host_open(dirfd, name, O_PATH | O_NOFOLLOW, 0);
    if (c < 0)
        return;
    if (host_fstat(c, &st) == 0) {
        tally(arg, &st, true);
        if (S_ISDIR(st.st_mode))
            fs_each_entry(c, depth + 1, tally_entry, arg);
    }
    close(c);
}

static int by_ino(const void *a, const void *b)
{
    const struct shared *x = a, *y = b;
    return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Count a private directory's quota exactly; false for a --rw quota,
 * which is never walked. */
static bool recount(struct ringbox *rb, const struct fs_mount *m, struct disk_quota *q)
{
    if (!m->tmpfs)
        return false;
    struct tally t = {0};
    fs_each_entry(m->fd, 0, tally_entry, &t);
    for (int fd = 0; fd <= fd_last(&rb->fds); fd++) {
        const struct rb_file *f = fd_get(&rb->fds, fd);
        struct stat st;
        if (f && f->path && f->path[0] == '/' && fs_mount_of(&rb->fs, f->path) == m &&
            host_fstat(f->host, &st) == 0 && st.st_nlink == 0)
            tally(&t, &st, false);
    }
    if (t.nsh)
        qsort(t.sh, t.nsh, sizeof *t.sh, by_ino);
    for (size_t i = 0; i < t.nsh; i++)
        if (i == 0 || t.sh[i].ino != t.sh[i - 1].ino) {
            t.bytes += t.sh[i].bytes;
            t.names += t.sh[i].unnamed;
        }
    free(t.sh);
    q->used = t.bytes;
    q->inodes = t.names + 1; /* and the root */
    return true;
}

/* The data extents of [page_down(start), page_up(end)) in the file.  The
 * probes move the file position, which is put back. */
static size_t data_extents(int hfd, uint64_t start, uint64_t end, struct disk_extent *ext)
{
    off_t cur = lseek(hfd, 0, SEEK_CUR);
    uint64_t at = page_down(start), last = page_up(end);
    size_t n = 0;
    while (at < last && n < DISK_EXTENTS) {
        off_t d = lseek(hfd, (off_t)at, SEEK_DATA);
        if (d < 0 || (uint64_t)d >= last)
            break; /* ENXIO: no data beyond; EINVAL: no way to know, all holes */
        off_t h = lseek(hfd, d, SEEK_HOLE);
        if (h <= d)
            break;
        ext[n++] = (struct disk_extent){(uint64_t)d, (uint64_t)h};
        at = (uint64_t)h;
    }
    if (cur >= 0)
        lseek(hfd, cur, SEEK_SET);
    return n;
}

/* Start counting a call on host fd `hfd` of a file in mount `m`; op->q
 * stays NULL when nothing is counted.  *st is the file before the call. */
static void op_begin(struct ringbox *rb, const struct fs_mount *m, int hfd, struct disk_op *op,
                     struct stat *st)
{
    *op = (struct disk_op){.hfd = hfd};
    memset(st, 0, sizeof *st);
    struct disk_quota *q = quota_for(rb, m);
    if (!q || host_fstat(hfd, st) < 0 || !S_ISREG(st->st_mode))
        return;
    op->q = q;
    op->m = m;
    op->before = bytes_of(st);
}

/* Of `len` bytes at `pos` (< 0: the file position), how many fit; a
 * `write` lands at the end of an O_APPEND file whatever `pos` says, as
 * pwrite(2) does on Linux.  Near the limit only: a private directory is
 * recounted first, and the pages the range would allocate are looked up.
 * A file not open for writing is left to the host, which refuses it with
 * EBADF before any question of space (fs/read_write.c, vfs_write()). */
static uint64_t op_fit(struct ringbox *rb, struct disk_op *op, const struct stat *st, int64_t pos,
                       uint64_t len, bool write)
{
    if (!op->q || len == 0 || fits(op->q, disk_worst(len)))
        return len;
    int fl = fcntl(op->hfd, F_GETFL);
    if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
        return len;
    if (write && (fl & O_APPEND))
        pos = st->st_size;
    else if (pos < 0)
        pos = lseek(op->hfd, 0, SEEK_CUR);
    if (pos < 0)
        return len;
    recount(rb, op->m, op->q);
    struct disk_extent ext[DISK_EXTENTS];
    size_t n = data_extents(op->hfd, (uint64_t)pos, (uint64_t)pos + len, ext);
    uint64_t room = op->q->used < op->q->limit ? op->q->limit - op->q->used : 0;
    return disk_fit((uint64_t)pos, len, room, ext, n);
}

static void op_end(struct disk_op *op)
{
    struct stat st;
    if (op->q && host_fstat(op->hfd, &st) == 0)
        disk_charge(op->q, op->before, bytes_of(&st));
}

int disk_write_begin(struct ringbox *rb, const struct rb_file *f, int64_t pos, uint64_t *len,
                     struct disk_op *op)
{
    struct stat st;
    op_begin(rb, disk_mount_of(rb, f), f ? f->host : -1, op, &st);
    uint64_t fit = op_fit(rb, op, &st, pos, *len, true);
    if (fit == 0 && *len > 0) {
        op->q = NULL;
        return -ENOSPC;
    }
    *len = fit;
    return 0;
}

void disk_write_end(struct disk_op *op)
{
    op_end(op);
}

int disk_fallocate(struct ringbox *rb, const struct rb_file *f, int mode, int64_t off, int64_t len)
{
    struct disk_op op;
    struct stat st;
    op_begin(rb, disk_mount_of(rb, f), f->host, &op, &st);
    /* tmpfs refuses what it cannot allocate whole (mm/shmem.c,
     * shmem_fallocate()); punching a hole only frees. */
    if (off >= 0 && len > 0 && !(mode & FALLOC_FL_PUNCH_HOLE) &&
        op_fit(rb, &op, &st, off, (uint64_t)len, false) < (uint64_t)len)
        return -ENOSPC;
    int rc = fallocate(f->host, mode, off, len) < 0 ? -errno : 0;
    op_end(&op);
    return rc;
}

int disk_ftruncate(struct ringbox *rb, const struct fs_mount *m, int hfd, int64_t length)
{
    struct disk_op op;
    struct stat st, after;
    op_begin(rb, m, hfd, &op, &st);
    if (ftruncate(hfd, length) < 0)
        return -errno;
    if (!op.q || host_fstat(hfd, &after) < 0)
        return 0;
    /* Growing a file only sets its size on tmpfs; a host file system that
     * allocates for it anyway must not take the count past the limit. */
    uint64_t grow = bytes_of(&after) > op.before ? bytes_of(&after) - op.before : 0;
    if (grow && !fits(op.q, grow)) {
        bool exact = recount(rb, m, op.q); /* the grown file included */
        if (!fits(op.q, exact ? 0 : grow)) {
            ftruncate(hfd, st.st_size);
            if (exact)
                disk_charge(op.q, grow, 0);
            return -ENOSPC;
        }
        if (exact)
            return 0;
    }
    disk_charge(op.q, op.before, bytes_of(&after));
    return 0;
}

int disk_create(struct ringbox *rb, const struct fs_mount *m)
{
    struct disk_quota *q = quota_for(rb, m);
    if (!q)
        return 0;
    if (q->inodes >= q->inode_limit && (!recount(rb, m, q) || q->inodes >= q->inode_limit))
        return -ENOSPC;
    q->inodes++;
    return 0;
}
