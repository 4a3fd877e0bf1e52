/* escape.c - file-view probes by argv[1]: "escape" (tricks that must fail), "rw", "tmpfs",
 * "cwd", "ls DIR...", "proc".  Each result is one "name=ok" or "name=ERRNO" line. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/openat2.h, which musl's headers lack. */
struct rb_open_how {
    unsigned long long flags, mode, resolve;
};
#define RB_RESOLVE_NO_SYMLINKS 0x04
#define RB_RESOLVE_BENEATH 0x08
#define RB_RESOLVE_IN_ROOT 0x10

static const char *err_name(int e)
{
    switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case ELOOP: return "ELOOP";
    case EXDEV: return "EXDEV";
    case EROFS: return "EROFS";
    case EPERM: return "EPERM";
    case ENOTDIR: return "ENOTDIR";
    case EEXIST: return "EEXIST";
    case EBUSY: return "EBUSY";
    default: return strerror(e);
    }
}

static void show(const char *what, long r)
{
    printf("%s=%s\n", what, r >= 0 ? "ok" : err_name(errno));
}

/* An open that must fail; a success is closed and reported. */
static void try_open(const char *what, const char *path, int flags)
{
    int fd = open(path, flags, 0644);
    show(what, fd);
    if (fd >= 0)
        close(fd);
}

static long openat2_beneath(int dirfd, const char *path, unsigned long long resolve)
{
    struct rb_open_how how = {.flags = O_RDONLY, .resolve = resolve};
    return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static void escape(void)
{
    char path[256];
    try_open("dotdot", "/ro/../../../../../../etc/passwd", O_RDONLY);
    try_open("abs_symlink", "/ro/etc/passwd", O_RDONLY);
    try_open("rel_symlink", "/ro/up/etc/passwd", O_RDONLY);
    try_open("loop", "/ro/loop1", O_RDONLY);
    try_open("canary_link", "/ro/canary", O_RDONLY);
    try_open("canary_write", "/rw/canary", O_WRONLY | O_TRUNC);
    try_open("canary_create", "/rw/canary", O_WRONLY | O_CREAT | O_TRUNC);
    try_open("proc_root", "/proc/self/root/etc/passwd", O_RDONLY);
    int dir = open("/ro", O_RDONLY | O_DIRECTORY);
    snprintf(path, sizeof path, "/proc/self/fd/%d/../../../etc/passwd", dir);
    try_open("proc_fd_dir_walk", path, O_RDONLY);
    snprintf(path, sizeof path, "/proc/self/fd/%d", dir);
    try_open("proc_fd_dir", path, O_RDONLY | O_DIRECTORY);
    long fd = openat(dir, "../../../../etc/passwd", O_RDONLY);
    show("openat_dotdot", fd);
    show("beneath", openat2_beneath(dir, "../ro/data", RB_RESOLVE_BENEATH));
    show("in_root", openat2_beneath(dir, "/etc/passwd", RB_RESOLVE_IN_ROOT));
    show("no_symlinks", openat2_beneath(dir, "loop1", RB_RESOLVE_NO_SYMLINKS));
    show("rename_xmount", rename("/rw/f", "/tmp/f"));
    show("rename_into_ro", rename("/rw/f", "/ro/f"));
    show("rename_ro", rename("/ro/data", "/ro/data2"));
    show("link_xmount", link("/ro/data", "/rw/data"));
    show("link_out", link("/rw/f", "/tmp/f"));
    try_open("write_ro", "/ro/data", O_WRONLY);
    try_open("create_ro", "/ro/new", O_WRONLY | O_CREAT);
    show("unlink_ro", unlink("/ro/data"));
    show("mkdir_ro", mkdir("/ro/d", 0755));
    show("unlink_mount", rmdir("/rw"));
    show("symlink_make", symlink("/etc/passwd", "/rw/newlink"));
    try_open("symlink_follow", "/rw/newlink", O_RDONLY);
    show("chmod_ro", chmod("/ro/data", 0777));
    show("truncate_ro", truncate("/ro/data", 0));
}

static void rw(void)
{
    int fd = open("/rw/new", O_WRONLY | O_CREAT | O_EXCL, 0600);
    show("create", fd);
    show("write", write(fd, "hello\n", 6));
    show("rename", rename("/rw/new", "/rw/renamed"));
    show("mkdir", mkdir("/rw/sub", 0755));
    show("move", rename("/rw/renamed", "/rw/sub/moved"));
    show("link", link("/rw/sub/moved", "/rw/hard"));
    show("unlink", unlink("/rw/f"));
    show("symlink", symlink("sub/moved", "/rw/soft"));
    char buf[16] = "";
    fd = open("/rw/soft", O_RDONLY);
    show("read_via_symlink", read(fd, buf, sizeof buf - 1));
    printf("content=%s", buf);
}

static void tmpfs(const char *dir)
{
    char path[256], buf[16] = "";
    snprintf(path, sizeof path, "%s/x", dir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    show("create", fd);
    show("write", pwrite(fd, "scratch\n", 8, 0));
    show("read", pread(fd, buf, sizeof buf - 1, 0));
    printf("content=%s", buf);
}

static void cwd(void)
{
    char buf[256] = "";
    printf("cwd=%s\n", getcwd(buf, sizeof buf) ? buf : err_name(errno));
    int fd = open("data", O_RDONLY);
    show("open_relative", fd);
    memset(buf, 0, sizeof buf);
    show("read", read(fd, buf, sizeof buf - 1));
    printf("content=%s", buf);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls(int n, char **dirs)
{
    for (int i = 0; i < n; i++) {
        DIR *d = opendir(dirs[i]);
        char *names[64];
        int k = 0;
        struct dirent *e;
        printf("%s:", dirs[i]);
        while (d && (e = readdir(d)) && k < 64)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                names[k++] = strdup(e->d_name);
        qsort(names, (size_t)k, sizeof names[0], by_name);
        for (int j = 0; j < k; j++)
            printf(" %s", names[j]);
        printf("%s\n", d ? "" : " (cannot open)");
    }
}

static void proc(void)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    printf("exe=%.*s\n", (int)(n > 0 ? n : 0), buf);
    int fd = open("/proc/self/cmdline", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    for (ssize_t i = 0; i < n; i++)
        if (!buf[i])
            buf[i] = ' ';
    printf("cmdline=%.*s\n", (int)(n > 0 ? n : 0), buf);
    fd = open("/proc/self/maps", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("maps_stack=%s\n", strstr(buf, "[stack]\n") ? "yes" : "no");
    fd = open("/proc/self/status", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("status_pid=%s\n", strstr(buf, "\nPid:\t2\n") ? "yes" : "no");
    n = readlink("/dev/stdout", buf, sizeof buf - 1);
    printf("dev_stdout=%.*s\n", (int)(n > 0 ? n : 0), buf);
    fd = open("/dev/stdout", O_WRONLY);
    show("open_dev_stdout", fd);
    show("write_dev_stdout", write(fd, "via /dev/stdout\n", 16));
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(mode, "escape"))
        escape();
    else if (!strcmp(mode, "rw"))
        rw();
    else if (!strcmp(mode, "tmpfs") && argc > 2)
        tmpfs(argv[2]);
    else if (!strcmp(mode, "cwd"))
        cwd();
    else if (!strcmp(mode, "ls"))
        ls(argc - 2, argv + 2);
    else if (!strcmp(mode, "proc"))
        proc();
    else
        return 2;
    return 0;
}
