/* fs.c - the file view: mounts, the default view, the skeleton and guest path resolution.
 *
 * Host syscalls made here after confinement (vmm/seccomp.c allows them):
 *   openat2            every lookup and open, always RESOLVE_BENEATH |
 *                      RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
 *   fstat              the type of each looked-up node
 *   readlinkat         a symlink's target, on its O_PATH fd with ""
 *   getdents64, unlinkat, fchmodat  removing the private directory (fs_fini)
 *   fchmod             S_ISUID/S_ISGID off a file the guest may write (fs_host_strip)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"
#include "fs.h"
#include "procfs.h"
#include "vm.h"

_Static_assert(sizeof(((struct fs_walk *)0)->path) == PATH_MAX, "fs_walk.path is PATH_MAX");
_Static_assert(sizeof(((struct fs_walk *)0)->name) == NAME_MAX + 1, "fs_walk.name is NAME_MAX + 1");

/* Every host lookup: never above the starting fd, never through a symlink
 * (the walk follows them itself, in the guest namespace), never through a
 * /proc magic link. */
#define HOST_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

int fs_host_open(int dirfd, const char *name, int flags, unsigned mode)
{
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .mode = mode,
                           .resolve = HOST_RESOLVE};
    int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
    return fd < 0 ? -errno : fd;
}

static int host_mode(int fd, uint32_t *mode)
{
    struct stat st;
    if (syscall(SYS_fstat, fd, &st) < 0)
        return -errno;
    *mode = st.st_mode;
    return 0;
}

int fs_host_strip(int fd)
{
    struct stat st;
    if (syscall(SYS_fstat, fd, &st) < 0)
        return -errno;
    /* Only a regular file can be executed (execve(2), EACCES). */
    unsigned want = fs_host_mode(st.st_mode, 0);
    if (!S_ISREG(st.st_mode) || want == (st.st_mode & 07777))
        return 0;
    return fchmod(fd, want) < 0 ? -errno : 0;
}

/* ---- pure helpers ----------------------------------------------------------- */

unsigned fs_host_mode(unsigned mode, unsigned umask)
{
    return mode & ~umask & (S_IRWXU | S_IRWXG | S_IRWXO | S_ISVTX);
}

int fs_normalize(const char *base, const char *path, char *out, size_t size)
{
    size_t len = 0;
    if (size < 2)
        return -ENAMETOOLONG;
    out[len++] = '/';
    for (int pass = path[0] == '/'; pass < 2; pass++) {
        const char *p = pass == 0 ? base : path;
        while (*p) {
            while (*p == '/')
                p++;
            size_t n = strcspn(p, "/");
            if (n == 0 || (n == 1 && p[0] == '.')) {
                p += n;
                continue;
            }
            if (n == 2 && p[0] == '.' && p[1] == '.') {
                while (len > 1 && out[len - 1] != '/')
                    len--;
                if (len > 1)
                    len--;
                p += n;
                continue;
            }
            if (len > 1)
                out[len++] = '/';
            if (len + n + 1 > size)
                return -ENAMETOOLONG;
            memcpy(out + len, p, n);
            len += n;
            p += n;
        }
    }
    out[len] = '\0';
    return 0;
}

bool fs_path_within(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n == 1)
        return path[0] == '/';
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Whether a beats b for the same point: a user mount, then a later one. */
static bool wins(const struct fs_mount *a, const struct fs_mount *b)
{
    if (!b)
        return true;
    if (a->user != b->user)
        return a->user;
    return a > b;
}

const struct fs_mount *fs_mount_at(const struct fs_view *v, const char *guest)
{
    const struct fs_mount *best = NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->m[i].guest, guest) == 0 && wins(&v->m[i], best))
            best = &v->m[i];
    return best;
}

const struct fs_mount *fs_mount_of(const struct fs_view *v, const char *guest)
{
    const struct fs_mount *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < v->n; i++) {
        const struct fs_mount *m = &v->m[i];
        size_t len = strlen(m->guest);
        if (!fs_path_within(guest, m->guest))
            continue;
        if (!best || len > best_len || (len == best_len && wins(m, best))) {
            best = m;
            best_len = len;
        }
    }
    return best;
}

/* Whether some mount point lies strictly below `guest`. */
static bool mount_below(const struct fs_view *v, const char *guest)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->m[i].guest, guest) != 0 && fs_path_within(v->m[i].guest, guest))
            return true;
    return false;
}

/* ---- the private directory ---------------------------------------------------- */

/* The private directory: a tmpfs of its own where one can be made, else
 * a fresh host directory, locked for the reaper after it has removed
 * those that killed sandboxes left (disk.h). */
static int priv_ready(struct fs_view *v, struct ringbox_error *err)
{
    if (v->priv_fd >= 0)
        return 0;
    int fd = disk_tmpfs(&v->tmpfs_via, DISK_PRIV_BYTES, 0700);
    if (fd >= 0) {
        v->priv_fd = fd;
        return 0;
    }
    if (v->tmpfs_via != DISK_VIA_NONE)
        return rb_fail(err, RINGBOX_EMOUNT, -fd, "fs: cannot make the private tmpfs");
    const char *tmp = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    if (snprintf(tmpl, sizeof tmpl, "%s/ringbox-XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
        (int)sizeof tmpl)
        return rb_fail(err, RINGBOX_EMOUNT, ENAMETOOLONG, "fs: cannot make a private directory");
    disk_reap(tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl))
        return rb_fail(err, RINGBOX_EMOUNT, errno, "fs: cannot make a private directory in %s",
                       tmp && *tmp ? tmp : "/tmp");
    v->priv_fd = open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (v->priv_fd < 0 || !(v->priv = strdup(tmpl))) {
        int e = v->priv_fd < 0 ? errno : ENOMEM;
        rmdir(tmpl);
        if (v->priv_fd >= 0)
            close(v->priv_fd);
        v->priv_fd = -1;
        return rb_fail(err, e == ENOMEM ? RINGBOX_ENOMEM : RINGBOX_EMOUNT, e,
                       "fs: cannot open the private directory %s", tmpl);
    }
    /* Best effort: without its lock the directory is only left unreaped. */
    v->lock_fd = disk_lock(v->priv_fd);
    return 0;
}

void fs_each_entry(int dirfd, int depth, void (*fn)(int fd, const char *name, int depth, void *arg),
                   void *arg)
{
    /* The guest's paths are at most PATH_MAX long, which bounds the depth
     * it can build. */
    if (depth > PATH_MAX / 2)
        return;
    int fd = fs_host_open(dirfd, ".", O_RDONLY | O_DIRECTORY, 0);
    char *buf = fd >= 0 ? malloc(4096) : NULL;
    long n;
    while (buf && (n = syscall(SYS_getdents64, fd, buf, 4096)) > 0) {
        for (long off = 0; off < n;) {
            struct linux_dirent64 {
                uint64_t d_ino;
                int64_t d_off;
                unsigned short d_reclen;
                unsigned char d_type;
                char d_name[];
            } *d = (void *)(buf + off);
            if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
                fn(fd, d->d_name, depth, arg);
            off += d->d_reclen;
        }
    }
    free(buf);
    if (fd >= 0)
        close(fd);
}

/* Best effort: the guest may have left anything in its scratch
 * directories, modes 000 included. */
static void rm_entry(int dirfd, const char *name, int depth, void *arg)
{
    if (unlinkat(dirfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
        return;
    fchmodat(dirfd, name, S_IRWXU, 0);
    int fd = fs_host_open(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
    if (fd >= 0) {
        fs_each_entry(fd, depth + 1, rm_entry, arg);
        close(fd);
    }
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

void fs_rm_tree(int dirfd, const char *name)
{
    rm_entry(dirfd, name, 0, NULL);
}

void fs_init(struct fs_view *v)
{
    memset(v, 0, sizeof(*v));
    v->priv_fd = v->lock_fd = -1;
    v->umask = 022; /* what a login shell usually hands a program */
}

void fs_fini(struct fs_view *v)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->m[i].fd >= 0)
            close(v->m[i].fd);
        free(v->m[i].guest);
        free(v->m[i].host);
        free(v->m[i].name);
    }
    free(v->m);
    /* The private directory's path is the VMM's own, never the guest's. */
    if (v->priv) {
        fs_each_entry(v->priv_fd, 0, rm_entry, NULL);
        unlinkat(AT_FDCWD, v->priv, AT_REMOVEDIR);
    }
    /* A tmpfs goes with its last fd; the lock only once its directory has. */
    if (v->priv_fd >= 0)
        close(v->priv_fd);
    if (v->lock_fd >= 0)
        close(v->lock_fd);
    free(v->priv);
    free(v->cwd);
    free(v->cmdline);
    fs_init(v);
}

/* ---- mounts --------------------------------------------------------------------- */

static int push_mount(struct fs_view *v, struct fs_mount m)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        struct fs_mount *a = realloc(v->m, cap * sizeof(*a));
        if (!a)
            return -ENOMEM;
        /* The root and proc pointers move with the array. */
        if (v->root)
            v->root = a + (v->root - v->m);
        if (v->proc)
            v->proc = a + (v->proc - v->m);
        v->m = a;
        v->cap = cap;
    }
    v->m[v->n++] = m;
    return 0;
}

/* A fresh directory `name` in the private one: an O_PATH fd of it, or -errno. */
static int priv_subdir(struct fs_view *v, const char *name, unsigned mode)
{
    if (mkdirat(v->priv_fd, name, 0700) < 0)
        return -errno;
    /* mkdir's mode passes through the host umask; the sticky bit not at all. */
    if (fchmodat(v->priv_fd, name, mode, 0) < 0)
        return -errno;
    int fd = openat(v->priv_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* Take mount `m`, its fd (and name) open, into the view at normalised
 * `guest`; `host` names it in messages.  On failure its fd is closed. */
static int adopt(struct fs_view *v, struct fs_mount m, const char *host, const char *guest,
                 const struct fs_mount **out)
{
    int rc = 0;
    if (!(m.guest = strdup(guest)) || !(m.host = strdup(host)))
        rc = -ENOMEM;
    if (rc == 0)
        rc = push_mount(v, m);
    if (rc < 0) {
        close(m.fd);
        free(m.guest);
        free(m.host);
        free(m.name);
        return rc;
    }
    if (out)
        *out = &v->m[v->n - 1];
    return 0;
}

/* Bind host path `real` (already resolved) at normalised `guest`. */
static int bind(struct fs_view *v, const char *real, const char *guest, bool rw, bool user,
                const struct fs_mount **out)
{
    struct fs_mount m = {.fd = -1, .rw = rw, .user = user};
    struct stat st;
    if (stat(real, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode)) {
        m.fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } else {
        const char *slash = strrchr(real, '/');
        char *dir = strndup(real, slash == real ? 1 : (size_t)(slash - real));
        if (!dir)
            return -ENOMEM;
        m.fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        free(dir);
        if (!(m.name = strdup(slash + 1))) {
            if (m.fd >= 0)
                close(m.fd);
            return -ENOMEM;
        }
    }
    if (m.fd < 0) {
        int e = errno;
        free(m.name);
        return -e;
    }
    return adopt(v, m, real, guest, out);
}

/* The host path of the private directory's `name`: in a kernel tmpfs,
 * the path inside it, as the kernel names its files (/proc/self/fd). */
static void priv_path(const struct fs_view *v, const char *name, char path[PATH_MAX])
{
    snprintf(path, PATH_MAX, "%s/%s", v->priv ? v->priv : "", name);
}

/* Bind the private directory's `name`, read-only, at normalised `guest`. */
static int bind_priv(struct fs_view *v, const char *name, const char *guest,
                     const struct fs_mount **out)
{
    char host[PATH_MAX];
    struct fs_mount m = {.fd = openat(v->priv_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (m.fd < 0)
        return -errno;
    priv_path(v, name, host);
    return adopt(v, m, host, guest, out);
}

/* A writable tmpfs mount of `size` bytes at normalised `guest`, after
 * priv_ready: a kernel tmpfs of its own, or in the fallback a fresh
 * private directory that the VMM counts as tmpfs would (disk.h). */
static int tmpfs_mount(struct fs_view *v, const char *guest, uint64_t size, bool user)
{
    struct fs_mount m = {.rw = true, .user = user, .tmpfs = true};
    char name[32], host[PATH_MAX] = "/";
    if (v->tmpfs_via != DISK_VIA_NONE) {
        m.fd = disk_tmpfs(&v->tmpfs_via, size, 01777);
    } else {
        snprintf(name, sizeof name, "tmp%u", v->ntmp++);
        priv_path(v, name, host);
        m.fd = priv_subdir(v, name, 01777);
        m.quota = disk_quota_of(size, true);
        v->counted = true;
    }
    return m.fd < 0 ? m.fd : adopt(v, m, host, guest, NULL);
}

/* A mount point: absolute, normalised into g. */
static int mount_point(const char *guest, char g[PATH_MAX], struct ringbox_error *err)
{
    if (guest[0] != '/')
        return rb_fail(err, RINGBOX_EMOUNT, 0, "fs: mount at '%s': the guest path must be absolute",
                       guest);
    if (fs_normalize("/", guest, g, PATH_MAX) < 0)
        return rb_fail(err, RINGBOX_EMOUNT, ENAMETOOLONG, "fs: mount at '%s'", guest);
    return 0;
}

int fs_tmpfs_add(struct ringbox *rb, const char *guest, uint64_t size, bool user,
                 struct ringbox_error *err)
{
    struct fs_view *v = &rb->fs;
    char g[PATH_MAX];
    if (!guest)
        return rb_fail(err, RINGBOX_EINVAL, 0, "fs: a tmpfs mount needs a guest path");
    int rc = mount_point(guest, g, err);
    if (rc == 0)
        rc = priv_ready(v, err);
    if (rc < 0)
        return rc;
    rc = tmpfs_mount(v, g, size ? size : RINGBOX_DEFAULT_TMPFS_BYTES, user);
    if (rc < 0)
        return rb_fail(err, rc == -ENOMEM ? RINGBOX_ENOMEM : RINGBOX_EMOUNT, -rc,
                       "fs: cannot make a tmpfs for %s", g);
    return 0;
}

int fs_mount_add(struct ringbox *rb, const char *host, const char *guest, unsigned flags, bool user,
                 struct ringbox_error *err)
{
    struct fs_view *v = &rb->fs;
    unsigned kind = flags & (RINGBOX_MOUNT_RO | RINGBOX_MOUNT_RW | RINGBOX_MOUNT_TMPFS);
    char g[PATH_MAX], real[PATH_MAX];

    if (!guest || (kind != RINGBOX_MOUNT_RO && kind != RINGBOX_MOUNT_RW &&
                   kind != RINGBOX_MOUNT_TMPFS) || flags != kind || (kind == RINGBOX_MOUNT_TMPFS) != !host)
        return rb_fail(err, RINGBOX_EINVAL, 0,
                       "fs: mount needs a guest path and exactly one of RO, RW (with a host "
                       "path) or TMPFS (without one)");
    if (kind == RINGBOX_MOUNT_TMPFS)
        return fs_tmpfs_add(rb, guest, 0, user, err);
    int rc = mount_point(guest, g, err);
    if (rc < 0)
        return rc;
    if (!realpath(host, real))
        return rb_fail(err, RINGBOX_EMOUNT, errno, "fs: mount %s at %s: cannot find the host path",
                       host, g);
    rc = bind(v, real, g, kind != RINGBOX_MOUNT_RO, user, NULL);
    if (rc < 0)
        return rb_fail(err, rc == -ENOMEM ? RINGBOX_ENOMEM : RINGBOX_EMOUNT, -rc,
                       "fs: mount %s at %s", host, g);
    return 0;
}

int fs_chdir_request(struct ringbox *rb, const char *guest, struct ringbox_error *err)
{
    char g[PATH_MAX];
    if (!guest || guest[0] != '/')
        return rb_fail(err, RINGBOX_EMOUNT, 0,
                       "fs: working directory '%s': the guest path must be absolute",
                       guest ? guest : "(null)");
    if (fs_normalize("/", guest, g, sizeof g) < 0)
        return rb_fail(err, RINGBOX_EMOUNT, ENAMETOOLONG, "fs: working directory '%s'", guest);
    char *c = strdup(g);
    if (!c)
        return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "fs: working directory");
    free(rb->fs.cwd);
    rb->fs.cwd = c;
    return 0;
}

int fs_set_cmdline(struct ringbox *rb, char *const argv[], struct ringbox_error *err)
{
    size_t len = 0;
    for (size_t i = 0; argv && argv[i]; i++)
        len += strlen(argv[i]) + 1;
    char *buf = malloc(len ? len : 1);
    if (!buf)
        return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "fs: cannot keep the command line");
    len = 0;
    for (size_t i = 0; argv && argv[i]; i++) {
        size_t n = strlen(argv[i]) + 1;
        memcpy(buf + len, argv[i], n);
        len += n;
    }
    free(rb->fs.cmdline);
    rb->fs.cmdline = buf;
    rb->fs.cmdline_len = len;
    return 0;
}

/* ---- the default view ------------------------------------------------------------ */

/* mkdir -p of `guest`'s directory ancestors (and, with `self`, itself) in the skeleton. */
static void skel_dirs(int root, const char *guest, bool self)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", guest + 1);
    size_t len = strlen(p);
    for (size_t i = 1; i <= len; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        if (p[i] == '\0' && !self)
            break;
        char c = p[i];
        p[i] = '\0';
        mkdirat(root, p, 0755);
        p[i] = c;
    }
}

/* Empty directories for every mount point's ancestors, and a placeholder
 * of the right type at each mount point, so that listing a parent shows
 * it; the /dev/std* links.  Placeholders that collide are skipped: a
 * lookup finds mounts before the skeleton anyway. */
static int build_skeleton(struct fs_view *v)
{
    int rc = 0, root = priv_subdir(v, "root", 0755);
    if (root < 0)
        return root;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->m[i].guest, "/") != 0)
            skel_dirs(root, v->m[i].guest, !v->m[i].name);
    for (size_t i = 0; i < v->n; i++)
        if (v->m[i].name) {
            int fd = openat(root, v->m[i].guest + 1, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd >= 0)
                close(fd);
        }
    static const char *const links[][2] = {
        {"/proc/self/fd/0", "dev/stdin"},
        {"/proc/self/fd/1", "dev/stdout"},
        {"/proc/self/fd/2", "dev/stderr"},
    };
    mkdirat(root, "dev", 0755);
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlinkat(links[i][0], root, links[i][1]) < 0 && errno != EEXIST) {
            rc = -errno;
            break;
        }
    close(root);
    return rc;
}

int fs_default_view(struct ringbox *rb, const char *exe_host_path, bool dynamic,
                    struct ringbox_error *err)
{
    struct fs_view *v = &rb->fs;
    char real[PATH_MAX], path[PATH_MAX];
    int rc;

    if (v->ready)
        return 0;
    if ((rc = priv_ready(v, err)) < 0)
        return rc;
    if (!realpath(exe_host_path, real))
        return rb_fail(err, RINGBOX_ENOENT, errno, "fs: cannot find %s", exe_host_path);
    rc = bind(v, real, real, false, false, NULL);

    /* The loader and the libraries it may look for (ld.so(8)), as the host
     * lays them out; where /lib is a symlink (merged /usr) it shows what
     * the link points at. */
    static const char *const libdirs[] = {"/lib", "/lib64", "/usr/lib", "/usr/lib64",
                                          "/usr/local/lib"};
    for (size_t i = 0; dynamic && rc == 0 && i < sizeof libdirs / sizeof libdirs[0]; i++) {
        struct stat st;
        if (stat(libdirs[i], &st) == 0 && S_ISDIR(st.st_mode) && realpath(libdirs[i], path))
            rc = bind(v, path, libdirs[i], false, false, NULL);
    }
    static const struct {
        const char *path;
        bool rw;
    } devs[] = {{"/dev/null", true}, {"/dev/zero", true}, {"/dev/urandom", false},
                {"/dev/random", false}};
    for (size_t i = 0; rc == 0 && i < sizeof devs / sizeof devs[0]; i++)
        if (access(devs[i].path, F_OK) == 0)
            rc = bind(v, devs[i].path, devs[i].path, devs[i].rw, false, NULL);
    if (rc == 0)
        rc = tmpfs_mount(v, "/tmp", RINGBOX_DEFAULT_TMPFS_BYTES, false);
    if (rc == 0 && (rc = procfs_build(rb, real)) == 0)
        rc = bind_priv(v, "proc", "/proc", &v->proc);
    if (rc == 0 && (rc = build_skeleton(v)) == 0)
        rc = bind_priv(v, "root", "/", &v->root);
    if (rc == 0 && rb->cfg.max_disk_bytes) {
        v->rw_quota = disk_quota_of(rb->cfg.max_disk_bytes, false);
        v->counted = true;
    }
    if (rc < 0)
        return rb_fail(err, rc == -ENOMEM ? RINGBOX_ENOMEM : RINGBOX_EMOUNT, -rc,
                       "fs: cannot build the default file view");

    v->ready = true;
    struct fs_walk w;
    rc = fs_walk(rb, AT_FDCWD, v->cwd ? v->cwd : "/", FS_FOLLOW, 0, &w);
    const struct fs_step *s = fs_walk_node(&w);
    if (rc == 0 && !s)
        rc = -EACCES;
    if (rc == 0 && !S_ISDIR(s->mode))
        rc = -ENOTDIR;
    char *cwd = rc == 0 ? strdup(w.path) : NULL;
    fs_walk_done(&w);
    if (!cwd) {
        v->ready = false;
        if (rc == 0)
            return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "fs: working directory");
        return rb_fail(err, RINGBOX_EMOUNT, -rc, "fs: working directory %s", v->cwd);
    }
    free(v->cwd);
    v->cwd = cwd;
    return 0;
}

/* ---- resolution ----------------------------------------------------------------- */

void fs_walk_done(struct fs_walk *w)
{
    for (size_t i = 0; i < w->depth; i++)
        close(w->st[i].fd);
    free(w->st);
    w->st = NULL;
    w->depth = w->cap = 0;
}

const struct fs_step *fs_walk_node(const struct fs_walk *w)
{
    if (w->missing || w->magic >= 0 || w->depth == 0)
        return NULL;
    return &w->st[w->depth - 1];
}

struct fs_at fs_walk_at(const struct fs_walk *w)
{
    if (w->missing)
        return (struct fs_at){w->st[w->depth - 1].fd, w->name};
    const struct fs_step *s = &w->st[w->depth - 1];
    switch (s->via) {
    case FS_VIA_MOUNT:
        return (struct fs_at){s->m->fd, s->m->name ? s->m->name : "."};
    case FS_VIA_SKELETON:
        /* The skeleton's root holds the whole guest path, minus its '/'. */
        return (struct fs_at){s->m->fd, w->path + 1};
    case FS_VIA_PARENT:
    default:
        return (struct fs_at){w->st[w->depth - 2].fd, w->name};
    }
}

static int push(struct fs_walk *w, struct fs_step s)
{
    if (w->depth == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        struct fs_step *a = realloc(w->st, cap * sizeof(*a));
        if (!a)
            return -ENOMEM;
        w->st = a;
        w->cap = cap;
    }
    w->st[w->depth++] = s;
    return 0;
}

static void pop_to(struct fs_walk *w, size_t depth)
{
    while (w->depth > depth)
        close(w->st[--w->depth].fd);
    w->path[w->st[w->depth - 1].plen] = '\0';
}

/* The last component of w->path into w->name. */
static void set_name(struct fs_walk *w)
{
    const char *slash = strrchr(w->path, '/');
    snprintf(w->name, sizeof w->name, "%s", slash[1] ? slash + 1 : "/");
}

/* /proc/self/fd/N: a magic link to the guest's own fd N. */
static int magic(struct ringbox *rb, struct fs_walk *w, const char *comp, bool last, bool slash,
                 unsigned how, uint64_t resolve)
{
    char *end;
    if (comp[0] < '0' || comp[0] > '9' || (comp[0] == '0' && comp[1]))
        return -ENOENT;
    long fd = strtol(comp, &end, 10);
    struct rb_file *f = *end || fd > INT_MAX ? NULL : fd_get(&rb->fds, fd);
    if (!f)
        return -ENOENT;
    if (last && !slash && !(how & FS_FOLLOW)) {
        w->magic = (int)fd;
        return 0;
    }
    if (resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS))
        return -ELOOP;
    uint32_t mode;
    int rc = host_mode(f->host, &mode);
    if (rc < 0)
        return rc;
    /* Never a way into a directory: that is the classic escape through a
     * directory fd, and the guest has its path if it wants one. */
    if (S_ISDIR(mode))
        return -EACCES;
    if (!last || slash)
        return -ENOTDIR;
    w->magic = (int)fd;
    w->magic_followed = true;
    return 0;
}

/* Walk w->rest from the current top of the stack; rootdepth is the
 * lowest depth `..` and absolute symlinks may go back to. */
static int walk(struct ringbox *rb, struct fs_walk *w, unsigned how, uint64_t resolve,
                size_t rootdepth, int *links)
{
    const struct fs_view *v = &rb->fs;
    char comp[NAME_MAX + 1];
    size_t pos = 0;

    for (;;) {
        while (w->rest[pos] == '/')
            pos++;
        if (!w->rest[pos])
            return 0;
        size_t n = strcspn(w->rest + pos, "/");
        size_t next = pos + n, after = next;
        while (w->rest[after] == '/')
            after++;
        bool last = !w->rest[after], slash = w->rest[next] == '/';
        if (n > NAME_MAX)
            return -ENAMETOOLONG;
        memcpy(comp, w->rest + pos, n);
        comp[n] = '\0';
        pos = next;

        struct fs_step *top = &w->st[w->depth - 1];
        if (!S_ISDIR(top->mode))
            return -ENOTDIR;
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            if (w->depth > rootdepth)
                pop_to(w, w->depth - 1);
            else if (resolve & RESOLVE_BENEATH)
                return -EXDEV;
            continue;
        }
        bool in_proc_fd = top->m == v->proc && strcmp(w->path, "/proc/self/fd") == 0;
        size_t plen = strlen(w->path);
        if (plen + 1 + n + 1 > sizeof w->path)
            return -ENAMETOOLONG;
        if (plen > 1)
            w->path[plen++] = '/';
        memcpy(w->path + plen, comp, n + 1);
        plen += n;
        set_name(w);

        if (in_proc_fd)
            return last ? magic(rb, w, comp, last, slash, how, resolve)
                        : magic(rb, w, comp, false, true, how, resolve);

        const struct fs_mount *m = fs_mount_at(v, w->path);
        struct fs_step s = {.m = top->m, .via = FS_VIA_PARENT, .plen = plen};
        if (m) {
            if (resolve & RESOLVE_NO_XDEV)
                return -EXDEV;
            s.m = m;
            s.via = FS_VIA_MOUNT;
            s.fd = fs_host_open(m->fd, m->name ? m->name : ".", O_PATH | O_NOFOLLOW, 0);
        } else {
            s.fd = fs_host_open(top->fd, comp, O_PATH | O_NOFOLLOW, 0);
            if (s.fd == -ENOENT && mount_below(v, w->path)) {
                if (resolve & RESOLVE_NO_XDEV)
                    return -EXDEV;
                s.m = v->root;
                s.via = FS_VIA_SKELETON;
                s.fd = fs_host_open(v->root->fd, w->path + 1, O_PATH | O_NOFOLLOW, 0);
            }
        }
        if (s.fd < 0) {
            if (s.fd == -ENOENT && last && (how & FS_CREATE)) {
                w->missing = true;
                w->trailing = slash;
                return 0;
            }
            return s.fd;
        }
        int rc = host_mode(s.fd, &s.mode);
        if (rc == 0 && S_ISLNK(s.mode) && (!last || slash || (how & FS_FOLLOW))) {
            char target[PATH_MAX];
            ssize_t len = -1;
            if (resolve & RESOLVE_NO_SYMLINKS)
                rc = -ELOOP;
            else if ((resolve & RESOLVE_NO_MAGICLINKS) && s.m == v->proc)
                rc = -ELOOP; /* /proc/self/exe is a magic link on Linux */
            else if (++*links > FS_MAXSYMLINKS)
                rc = -ELOOP;
            else if ((len = readlinkat(s.fd, "", target, sizeof target)) < 0)
                rc = -errno;
            else if (len == 0)
                rc = -ENOENT;
            else if ((size_t)len == sizeof target)
                rc = -ENAMETOOLONG;
            close(s.fd);
            if (rc < 0)
                return rc;
            /* Splice: the target, then whatever followed the link. */
            size_t tail = strlen(w->rest + pos);
            if ((size_t)len + tail + 1 > sizeof w->rest)
                return -ENAMETOOLONG;
            memmove(w->rest + len, w->rest + pos, tail + 1);
            memcpy(w->rest, target, (size_t)len);
            pos = 0;
            w->path[top->plen] = '\0';
            if (target[0] == '/') {
                if (resolve & RESOLVE_BENEATH)
                    return -EXDEV;
                pop_to(w, rootdepth);
            }
            continue;
        }
        if (rc == 0 && last && slash && !S_ISDIR(s.mode))
            rc = -ENOTDIR;
        if (rc == 0)
            rc = push(w, s);
        if (rc < 0) {
            close(s.fd);
            return rc;
        }
        w->trailing = last && slash;
    }
}

static int set_rest(struct fs_walk *w, const char *path)
{
    size_t len = strlen(path);
    if (len + 1 > sizeof w->rest)
        return -ENAMETOOLONG;
    memcpy(w->rest, path, len + 1);
    return 0;
}

int fs_walk(struct ringbox *rb, int dirfd, const char *path, unsigned how, uint64_t resolve,
            struct fs_walk *w)
{
    const struct fs_view *v = &rb->fs;
    int links = 0, rc;

    w->st = NULL;
    w->depth = w->cap = 0;
    w->missing = w->trailing = w->magic_followed = false;
    w->magic = -1;
    strcpy(w->path, "/");
    strcpy(w->name, "/");
    if (!v->ready || !path[0])
        return -ENOENT;

    /* Where the walk starts: the cwd, or the directory dirfd was opened as. */
    const char *base = v->cwd;
    if (path[0] != '/' || (resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))) {
        if (dirfd != AT_FDCWD) {
            struct rb_file *f = fd_get(&rb->fds, dirfd);
            uint32_t mode;
            if (!f)
                return -EBADF;
            if ((rc = host_mode(f->host, &mode)) < 0)
                return rc;
            if (!S_ISDIR(mode) || !f->path || f->path[0] != '/')
                return -ENOTDIR;
            base = f->path;
        }
    }
    if (path[0] == '/' && (resolve & RESOLVE_BENEATH))
        return -EXDEV;

    /* A user mount at "/" shadows the skeleton (which still serves the
     * parents of the other mount points). */
    const struct fs_mount *top = fs_mount_at(v, "/");
    struct fs_step root = {.m = top, .via = FS_VIA_MOUNT, .plen = 1};
    root.fd = fs_host_open(top->fd, ".", O_PATH, 0);
    if (root.fd < 0)
        return root.fd;
    if ((rc = host_mode(root.fd, &root.mode)) < 0 || (rc = push(w, root)) < 0) {
        close(root.fd);
        return rc;
    }
    size_t rootdepth = 1;
    if (path[0] != '/' || (resolve & RESOLVE_IN_ROOT)) {
        if ((rc = set_rest(w, base)) < 0 || (rc = walk(rb, w, FS_FOLLOW, 0, 1, &links)) < 0)
            return rc;
        if (w->magic >= 0 || !S_ISDIR(w->st[w->depth - 1].mode))
            return -ENOTDIR;
        if (resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))
            rootdepth = w->depth;
        links = 0;
    }
    if ((rc = set_rest(w, path)) < 0)
        return rc;
    w->trailing = false;
    rc = walk(rb, w, how, resolve, rootdepth, &links);
    if (rc == 0 && w->magic < 0)
        set_name(w); /* `..` may have popped past the last name appended */
    return rc;
}

int fs_fd_check_write(struct ringbox *rb, int fd)
{
    struct rb_file *f = fd_get(&rb->fds, fd);
    if (!f)
        return -EBADF;
    if (!f->path || !rb->fs.ready || f->path[0] != '/')
        return 0;
    const struct fs_mount *m = fs_mount_of(&rb->fs, f->path);
    return m && !m->rw ? -EROFS : 0;
}

int fs_fd_check_mode(struct ringbox *rb, int fd)
{
    int rc = fs_fd_check_write(rb, fd);
    if (rc < 0)
        return rc;
    const char *path = fd_get(&rb->fds, fd)->path;
    /* chmod(2): EPERM, "the effective UID does not match the owner of the
     * file": the guest owns what is in a mount, never the mount point.
     * Mounts never change during a run, so the path the fd was opened by
     * names a mount point exactly when the fd is one. */
    return path && rb->fs.ready && path[0] == '/' && fs_mount_at(&rb->fs, path) ? -EPERM : 0;
}

/* The kernel's __O_TMPFILE alone (glibc's includes O_DIRECTORY). */
#define TMPFILE_BIT (O_TMPFILE & ~O_DIRECTORY)

/* ---- open ------------------------------------------------------------------------ */

/* The open flags the host open sees (O_CLOEXEC is always added); O_DIRECT
 * and O_ASYNC are dropped: the VMM's I/O is neither aligned nor signalled. */
#define HOST_OPEN_FLAGS                                                                            \
    (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC |          \
     O_DIRECTORY | O_NOATIME | O_PATH | TMPFILE_BIT | O_LARGEFILE)
/* fs/open.c, build_open_how(): with O_PATH only these count. */
#define PATH_OPEN_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static bool open_writes(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | TMPFILE_BIT));
}

static int open_walked(struct ringbox *rb, struct fs_walk *w, int flags, unsigned mode,
                       uint64_t resolve, int *host_fd, char **guest_path, bool again);

static int open_at(struct ringbox *rb, int dirfd, const char *path, int flags, unsigned mode,
                   uint64_t resolve, int *host_fd, char **guest_path, bool again)
{
    struct fs_walk w;
    bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
    unsigned how = 0;

    if (flags & O_PATH)
        flags &= PATH_OPEN_FLAGS;
    /* O_CREAT | O_EXCL never follows a final symlink (open(2)). */
    if (!(flags & O_NOFOLLOW) && !excl)
        how |= FS_FOLLOW;
    if ((flags & O_CREAT) && !(flags & TMPFILE_BIT))
        how |= FS_CREATE;
    int rc = fs_walk(rb, dirfd, path, how, resolve, &w);
    if (rc == 0)
        rc = open_walked(rb, &w, flags, mode, resolve, host_fd, guest_path, again);
    fs_walk_done(&w);
    return rc;
}

/* /proc/self/fd/N followed: the file the guest path of fd N names,
 * resolved again through the view; a pipe or terminal without one is
 * duplicated, if the access asked for is one the fd has. */
static int open_magic(struct ringbox *rb, const struct fs_walk *w, int flags, unsigned mode,
                      uint64_t resolve, int *host_fd, char **guest_path, bool again)
{
    struct rb_file *f = fd_get(&rb->fds, w->magic);
    if (!w->magic_followed || again)
        return -ELOOP;
    if (f->path && f->path[0] == '/')
        return open_at(rb, AT_FDCWD, f->path, flags, mode, resolve, host_fd, guest_path, true);
    int have = fcntl(f->host, F_GETFL);
    if (have < 0)
        return -errno;
    int acc = flags & O_ACCMODE;
    if (((acc == O_RDONLY || acc == O_RDWR) && (have & O_ACCMODE) == O_WRONLY) ||
        ((acc == O_WRONLY || acc == O_RDWR) && (have & O_ACCMODE) == O_RDONLY))
        return -EACCES;
    int fd = fcntl(f->host, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    *host_fd = fd;
    *guest_path = NULL;
    rb->fs.reopened_output = f->output;
    return 0;
}

static int open_walked(struct ringbox *rb, struct fs_walk *w, int flags, unsigned mode,
                       uint64_t resolve, int *host_fd, char **guest_path, bool again)
{
    const struct fs_view *v = &rb->fs;
    int hflags = (flags & HOST_OPEN_FLAGS) | O_NOFOLLOW;
    unsigned cmode = fs_host_mode(mode, v->umask);
    const struct fs_step *s = fs_walk_node(w);
    int fd;

    if (!(flags & O_PATH))
        hflags |= O_NOCTTY; /* the VMM never takes a controlling terminal */
    if (w->magic >= 0)
        return open_magic(rb, w, flags, mode, resolve, host_fd, guest_path, again);
    if (w->missing) {
        const struct fs_step *parent = &w->st[w->depth - 1];
        if (w->trailing)
            return -EISDIR;
        if (!parent->m->rw)
            return -EROFS;
        int rc = disk_create(rb, parent->m);
        if (rc < 0)
            return rc;
        fd = fs_host_open(parent->fd, w->name, hflags | O_CREAT, cmode);
    } else {
        if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
            return -EEXIST;
        if (S_ISLNK(s->mode) && !(flags & O_PATH))
            return -ELOOP;
        if ((flags & O_DIRECTORY) && !S_ISDIR(s->mode))
            return -ENOTDIR;
        if (!(flags & O_PATH)) {
            if (open_writes(flags) && !s->m->rw)
                return -EROFS;
            if ((flags & TMPFILE_BIT) && (fd = disk_create(rb, s->m)) < 0)
                return fd;
            if (S_ISSOCK(s->mode))
                return -ENXIO;
            /* A FIFO's other end could only be a host process: never wait. */
            if (S_ISFIFO(s->mode))
                hflags |= O_NONBLOCK;
            if (s->m == v->proc) {
                int rc = procfs_open(rb, w->path, host_fd);
                if (rc < 0)
                    return rc;
                if (rc > 0)
                    goto opened;
            }
        }
        struct fs_at at = fs_walk_at(w);
        fd = fs_host_open(at.fd, at.name, hflags, (flags & TMPFILE_BIT) ? cmode : 0);
    }
    if (fd < 0)
        return fd;
    if (!(flags & O_PATH) && (w->missing || open_writes(flags))) {
        int rc = fs_host_strip(fd);
        if (rc < 0) {
            close(fd);
            return rc;
        }
    }
    *host_fd = fd;
opened:
    if (!(*guest_path = strdup(w->path))) {
        close(*host_fd);
        return -ENOMEM;
    }
    return 0;
}

int fs_open(struct ringbox *rb, int dirfd, const char *path, int flags, unsigned mode,
            uint64_t resolve, int *host_fd, char **guest_path)
{
    rb->fs.reopened_output = false;
    return open_at(rb, dirfd, path, flags, mode, resolve, host_fd, guest_path, false);
}

int fs_openat(struct ringbox *rb, int dirfd, const char *path, int flags, unsigned mode,
              int *host_fd, char **guest_path)
{
    return fs_open(rb, dirfd, path, flags, mode, 0, host_fd, guest_path);
}
