/* procfs.c - the synthetic /proc: self/ (exe, cmdline, maps, status, fd/),
 * uptime and loadavg (proc(5)).
 *
 * Host syscalls made here after confinement (vmm/seccomp.c allows them):
 *   memfd_create(MFD_CLOEXEC), pwritev   a generated file's contents
 *   mkdirat, symlinkat, fchmodat, openat2  a /proc/self/fd listing
 *   fstat                                what an fd without a path is; the
 *                                        identity of a generated file
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs.h"
#include "procfs.h"
#include "sys.h"
#include "vm.h"

int procfs_build(struct ringbox *rb, const char *exe)
{
    struct fs_view *v = &rb->fs;
    static const char *const files[] = {"proc/self/cmdline", "proc/self/maps", "proc/self/status",
                                        "proc/uptime", "proc/loadavg"};

    /* Writable while they are filled, then read-only as proc(5) shows
     * them: a VMM without CAP_DAC_OVERRIDE (not root, or root with its
     * capabilities dropped) could not write into them otherwise. */
    if (mkdirat(v->priv_fd, "proc", 0700) < 0 || mkdirat(v->priv_fd, "proc/self", 0700) < 0 ||
        mkdirat(v->priv_fd, "proc/self/fd", 0500) < 0 ||
        symlinkat(exe, v->priv_fd, "proc/self/exe") < 0)
        return -errno;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        int fd = openat(v->priv_fd, files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd < 0)
            return -errno;
        close(fd);
    }
    if (fchmodat(v->priv_fd, "proc/self", 0555, 0) < 0 || fchmodat(v->priv_fd, "proc", 0555, 0) < 0)
        return -errno;
    return 0;
}

/* A growing text buffer; on allocation failure it stays short and says so. */
struct text {
    char *s;
    size_t len, cap;
    bool oom;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0 || t->oom)
            return;
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap ? 2 * t->cap : 4096) + (size_t)n;
        char *s = realloc(t->s, cap);
        if (!s) {
            t->oom = true;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
}

/* /proc/PID/maps (fs/proc/task_mmu.c, show_map_vma()): the name, when
 * there is one, starts in column 74.  A file's device and inode are the
 * guest's (hostinfo.h), as stat shows them. */
static void gen_maps(struct ringbox *rb, struct text *t)
{
    for (size_t i = 0; i < rb->mm.nregions; i++) {
        const struct mm_region *r = &rb->mm.regions[i];
        const char *name = NULL;
        uint64_t off = 0, dev = 0, ino = 0;
        if (r->file) {
            name = r->file->name;
            off = r->offset;
            if (hostinfo_dev(&rb->host, r->file->dev, &dev) < 0)
                t->oom = true;
            ino = hostinfo_ino(&rb->host, r->file->ino);
        } else if (r->kind == MM_HEAP) {
            name = "[heap]";
        } else if (r->kind == MM_STACK) {
            name = "[stack]";
        } else if (r->kind == MM_IMAGE) {
            name = rb->proc.exe;
        }
        size_t start = t->len;
        add(t, "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64 " ",
            r->start, r->end, r->prot & PROT_READ ? 'r' : '-', r->prot & PROT_WRITE ? 'w' : '-',
            r->prot & PROT_EXEC ? 'x' : '-', r->shared ? 's' : 'p', off, major(dev), minor(dev),
            ino);
        if (name && !t->oom)
            add(t, "%*s%s", (int)(t->len - start < 73 ? 73 - (t->len - start) : 0), "", name);
        add(t, "\n");
    }
}

static uint64_t sigset_of(struct ringbox *rb, bool ignored)
{
    uint64_t set = 0;
    for (int sig = 1; sig <= RB_NSIG; sig++) {
        uint64_t h = rb->proc.act[sig].handler;
        if (ignored ? h == (uint64_t)(uintptr_t)SIG_IGN
                    : h != (uint64_t)(uintptr_t)SIG_IGN && h != (uint64_t)(uintptr_t)SIG_DFL)
            set |= 1ULL << (sig - 1);
    }
    return set;
}

/* /proc/PID/status (fs/proc/array.c): the fields programs parse. */
static void gen_status(struct ringbox *rb, struct text *t)
{
    const char *exe = rb->proc.exe ? rb->proc.exe : "";
    const char *base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
    uint64_t vm = 0, stk = 0;
    for (size_t i = 0; i < rb->mm.nregions; i++) {
        uint64_t len = rb->mm.regions[i].end - rb->mm.regions[i].start;
        vm += len;
        if (rb->mm.regions[i].kind == MM_STACK)
            stk += len;
    }
    uint64_t rss = ((uint64_t)rb->mem.fresh - rb->mem.nfree) * MEM_PAGE;
    int fdsize = 64;
    while (fdsize < rb->fds.cap)
        fdsize *= 2;
    unsigned uid = rb->proc.uid, gid = rb->proc.gid;

    /* TASK_COMM_LEN is 16: the name is the first 15 bytes of the file name. */
    add(t, "Name:\t%.15s\nUmask:\t%04o\nState:\tR (running)\n", base, rb->fs.umask);
    add(t, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", RB_GUEST_PID, RB_GUEST_PID,
        RB_GUEST_PPID);
    add(t, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid, gid, gid, gid, gid);
    add(t, "FDSize:\t%d\nGroups:\t\n", fdsize);
    add(t, "VmPeak:\t%8" PRIu64 " kB\nVmSize:\t%8" PRIu64 " kB\nVmRSS:\t%8" PRIu64 " kB\n",
        vm >> 10, vm >> 10, rss >> 10);
    add(t, "VmStk:\t%8" PRIu64 " kB\nThreads:\t1\nSigQ:\t0/%" PRIu64 "\n", stk >> 10,
        rb->proc.rlim_cur[RLIMIT_SIGPENDING]);
    add(t, "SigPnd:\t%016x\nShdPnd:\t%016x\n", 0, 0);
    add(t, "SigBlk:\t%016" PRIx64 "\nSigIgn:\t%016" PRIx64 "\nSigCgt:\t%016" PRIx64 "\n",
        rb->proc.sigmask, sigset_of(rb, true), sigset_of(rb, false));
    add(t, "Cpus_allowed_list:\t0\n");
}

static void add_centi(struct text *t, uint64_t ns, const char *after)
{
    uint64_t cs = ns / 10000000;
    add(t, "%" PRIu64 ".%02" PRIu64 "%s", cs / 100, cs % 100, after);
}

/* /proc/uptime (fs/proc/uptime.c): the sandbox's uptime and its one CPU's
 * idle time, in seconds to the hundredth (sys_uptime()). */
static void gen_uptime(struct ringbox *rb, struct text *t)
{
    uint64_t up, idle;
    sys_uptime(rb, &up, &idle);
    add_centi(t, up, " ");
    add_centi(t, idle, "\n");
}

/* /proc/loadavg (fs/proc/loadavg.c): no load history, so three zeros; one
 * task, running (the reader), of one; the last pid handed out, the
 * program's. */
static void gen_loadavg(struct text *t)
{
    add(t, "0.00 0.00 0.00 1/1 %d\n", RB_GUEST_PID);
}

static int memfd_with(const struct text *t, const char *name)
{
    if (t->oom)
        return -ENOMEM;
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    for (size_t off = 0; off < t->len;) {
        struct iovec iov = {.iov_base = t->s + off, .iov_len = t->len - off};
        ssize_t n = pwritev(fd, &iov, 1, (off_t)off);
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            return -e;
        }
        off += (size_t)n;
    }
    return fd;
}

int procfs_fd_link(struct ringbox *rb, int fd, char *buf, size_t size)
{
    struct rb_file *f = fd_get(&rb->fds, fd);
    struct stat st;
    int n;
    if (!f)
        return -ENOENT;
    if (f->path) {
        n = snprintf(buf, size, "%s", f->path);
    } else {
        if (syscall(SYS_fstat, f->host, &st) < 0)
            return -errno;
        /* The inode as the guest's fstat shows it (hostinfo.h). */
        uint64_t ino = hostinfo_ino(&rb->host, st.st_ino);
        if (S_ISFIFO(st.st_mode))
            n = snprintf(buf, size, "pipe:[%" PRIu64 "]", ino);
        else if (S_ISSOCK(st.st_mode))
            n = snprintf(buf, size, "socket:[%" PRIu64 "]", ino);
        else if (S_ISCHR(st.st_mode)) /* udev's stable name for a device */
            n = snprintf(buf, size, "/dev/char/%u:%u", major(st.st_rdev), minor(st.st_rdev));
        else
            n = snprintf(buf, size, "anon_inode:[%" PRIu64 "]", ino);
    }
    return n < 0 ? -EINVAL : (size_t)n >= size ? (int)size - 1 : n;
}

/* A fresh directory with one symlink per open guest fd, as the kernel's
 * /proc/self/fd shows them, the fd about to be opened on it included (the
 * caller installs it at the lowest free number).  The previous listing is
 * removed: listings are snapshots, and the guest must not be able to fill
 * the host's disk by opening many. */
static int gen_fd_dir(struct ringbox *rb)
{
    struct fs_view *v = &rb->fs;
    char name[32], link[PATH_MAX], num[16];
    int rc = 0;

    if (v->nsnap > 0) {
        snprintf(name, sizeof name, "fd%u", v->nsnap - 1);
        fs_rm_tree(v->priv_fd, name);
    }
    snprintf(name, sizeof name, "fd%u", v->nsnap++);
    /* Writable while it is filled, as in procfs_build. */
    if (mkdirat(v->priv_fd, name, 0700) < 0)
        return -errno;
    int dir = fs_host_open(v->priv_fd, name, O_PATH | O_DIRECTORY, 0);
    if (dir < 0)
        return dir;
    int self = 0;
    while (fd_get(&rb->fds, self))
        self++;
    for (int fd = 0; rc == 0 && fd <= fd_last(&rb->fds) + 1; fd++) {
        int n = fd == self ? snprintf(link, sizeof link, "/proc/self/fd")
                           : procfs_fd_link(rb, fd, link, sizeof link);
        if (n == -ENOENT)
            continue;
        snprintf(num, sizeof num, "%d", fd);
        if (n < 0 || symlinkat(link, dir, num) < 0)
            rc = n < 0 ? n : -errno;
    }
    if (rc == 0 && fchmodat(v->priv_fd, name, 0500, 0) < 0)
        rc = -errno;
    int fd = rc < 0 ? rc : fs_host_open(dir, ".", O_RDONLY | O_DIRECTORY, 0);
    close(dir);
    return fd;
}

/* The files procfs_open generates: their host fds are memfds or fresh
 * directories, whose identity is not the file's. */
static bool generated(const char *guest)
{
    static const char *const names[] = {"/proc/self/fd", "/proc/self/cmdline", "/proc/self/maps",
                                        "/proc/self/status", "/proc/uptime", "/proc/loadavg"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(guest, names[i]) == 0)
            return true;
    return false;
}

int procfs_identity(struct ringbox *rb, const char *guest, struct stat *st)
{
    const struct fs_view *v = &rb->fs;
    if (!v->proc || !generated(guest) || fs_mount_of(v, guest) != v->proc)
        return 0;
    struct fs_walk w;
    struct stat ph;
    int rc = fs_walk(rb, AT_FDCWD, guest, 0, 0, &w);
    const struct fs_step *s = rc == 0 ? fs_walk_node(&w) : NULL;
    if (rc == 0 && (!s || syscall(SYS_fstat, s->fd, &ph) < 0))
        rc = s ? -errno : -ENOENT;
    fs_walk_done(&w);
    if (rc < 0)
        return rc;
    st->st_dev = ph.st_dev;
    st->st_ino = ph.st_ino;
    st->st_mode = ph.st_mode;
    st->st_nlink = ph.st_nlink;
    st->st_uid = ph.st_uid;
    st->st_gid = ph.st_gid;
    return 1;
}

int procfs_open(struct ringbox *rb, const char *guest, int *host_fd)
{
    struct text t = {0};
    int fd;
    if (strcmp(guest, "/proc/self/fd") == 0) {
        fd = gen_fd_dir(rb);
    } else {
        if (strcmp(guest, "/proc/self/cmdline") == 0) {
            t.s = malloc(rb->fs.cmdline_len + 1);
            t.oom = !t.s;
            if (t.s) {
                memcpy(t.s, rb->fs.cmdline, rb->fs.cmdline_len);
                t.len = t.cap = rb->fs.cmdline_len;
            }
        } else if (strcmp(guest, "/proc/self/maps") == 0) {
            gen_maps(rb, &t);
        } else if (strcmp(guest, "/proc/self/status") == 0) {
            gen_status(rb, &t);
        } else if (strcmp(guest, "/proc/uptime") == 0) {
            gen_uptime(rb, &t);
        } else if (strcmp(guest, "/proc/loadavg") == 0) {
            gen_loadavg(&t);
        } else {
            return 0;
        }
        fd = memfd_with(&t, strrchr(guest, '/') + 1);
        free(t.s);
    }
    if (fd < 0)
        return fd;
    *host_fd = fd;
    return 1;
}
