/* nosuid.c - tries to make setuid/setgid files, file capabilities and a
 * world-writable mount root through a writable mount, by argv[1]:
 *   calls DIR    every call that takes a mode, with 04000, 02000 and 06777
 *   setgid DIR   creating files and directories in a setgid directory
 * Each result is one "name=ok" or "name=ERRNO" line, then "name.mode=NNNN":
 * the mode the program's own stat sees afterwards (or "none"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* linux/openat2.h, which musl's headers lack. */
struct rb_open_how {
    unsigned long long flags, mode, resolve;
};
/* Linux 6.6's fchmodat2; older headers (and musl's) lack the name. */
#define RB_NR_FCHMODAT2 452

static const char *dir;
static int dirfd_;

static const char *err_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EROFS: return "EROFS";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    default: return strerror(e);
    }
}

static const char *at(const char *name)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

/* The result line, then the mode the guest's stat of `path` shows. */
static void show(const char *what, long r, const char *path)
{
    int e = errno;
    struct stat st;
    printf("%s=%s\n", what, r >= 0 ? "ok" : err_name(e));
    if (lstat(path, &st) == 0)
        printf("%s.mode=%04o\n", what, (unsigned)(st.st_mode & 07777));
    else
        printf("%s.mode=none\n", what);
}

/* A file to change, as an ELF a guest might have written would be. */
static void make(const char *name)
{
    int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0 || write(fd, "\177ELF", 4) != 4 || close(fd) < 0) {
        printf("make %s: %s\n", name, strerror(errno));
        exit(1);
    }
}

static long closed(long fd)
{
    if (fd >= 0)
        close((int)fd);
    return fd;
}

/* An O_TMPFILE file of this mode, then named through /proc/self/fd/N. */
static long tmpfile_as(const char *name, unsigned mode)
{
    char proc[32];
    int fd = open(dir, O_TMPFILE | O_WRONLY, mode);
    if (fd < 0)
        return fd;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    long r = linkat(AT_FDCWD, proc, AT_FDCWD, at(name), AT_SYMLINK_FOLLOW);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

static void calls_with(unsigned mode)
{
    char name[64];
    struct rb_open_how how = {.flags = O_WRONLY | O_CREAT, .mode = mode};
#define NAME(what) (snprintf(name, sizeof name, "%s_%o", what, mode), name)
    make(NAME("chmod"));
    show(name, chmod(at(name), mode), at(name));
    make(NAME("fchmod"));
    int fd = open(at(name), O_RDWR);
    show(name, fchmod(fd, mode), at(name));
    close(fd);
    make(NAME("fchmodat"));
    show(name, fchmodat(dirfd_, name, mode, 0), at(name));
    make(NAME("fchmodat2"));
    show(name, syscall(RB_NR_FCHMODAT2, dirfd_, name, mode, 0), at(name));
    NAME("open");
    show(name, closed(open(at(name), O_WRONLY | O_CREAT, mode)), at(name));
    NAME("openat");
    show(name, closed(openat(dirfd_, name, O_WRONLY | O_CREAT | O_EXCL, mode)), at(name));
    NAME("openat2");
    show(name, closed(syscall(SYS_openat2, dirfd_, name, &how, sizeof how)), at(name));
    NAME("creat");
    show(name, closed(syscall(SYS_creat, at(name), mode)), at(name));
    NAME("tmpfile");
    show(name, tmpfile_as(name, mode), at(name));
    NAME("mkdir");
    show(name, mkdir(at(name), mode), at(name));
    NAME("mkdirat");
    show(name, mkdirat(dirfd_, name, mode), at(name));
    NAME("mknod");
    show(name, syscall(SYS_mknod, at(name), S_IFREG | mode, 0), at(name));
    NAME("mknodat");
    show(name, syscall(SYS_mknodat, dirfd_, name, S_IFREG | mode, 0), at(name));
#undef NAME
}

/* 4-byte VFS_CAP_REVISION_2 header and an empty capability set is enough
 * for the kernel to parse: what a guest would set to get file caps. */
static const unsigned char vfs_cap[20] = {0x00, 0x00, 0x00, 0x02};

static void calls(void)
{
    umask(0); /* every bit the program asks for reaches the call */
    calls_with(04000);
    calls_with(02000);
    calls_with(06777);

    /* chown clears S_ISUID/S_ISGID on Linux; here it is not served. */
    make("chown");
    chmod(at("chown"), 06777);
    show("chown", syscall(SYS_chown, at("chown"), 0, 0), at("chown"));
    show("lchown", syscall(SYS_lchown, at("chown"), 0, 0), at("chown"));
    int fd = open(at("chown"), O_RDONLY);
    show("fchown", syscall(SYS_fchown, fd, 0, 0), at("chown"));
    close(fd);
    show("fchownat", syscall(SYS_fchownat, dirfd_, "chown", 0, 0, 0), at("chown"));

    /* Files the host made setuid and setgid: writing strips both, reading does not. */
    show("suid_write", closed(open(at("suid_write"), O_WRONLY)), at("suid_write"));
    show("suid_trunc", truncate(at("suid_trunc"), 0), at("suid_trunc"));
    show("suid_read", closed(open(at("suid_read"), O_RDONLY)), at("suid_read"));

    /* File capabilities are setuid by another name; trusted.* is the host admin's. */
    make("xattr");
    show("setxattr_cap", setxattr(at("xattr"), "security.capability", vfs_cap, sizeof vfs_cap, 0),
         at("xattr"));
    show("lsetxattr_cap", lsetxattr(at("xattr"), "security.capability", vfs_cap, sizeof vfs_cap, 0),
         at("xattr"));
    fd = open(at("xattr"), O_RDWR);
    show("fsetxattr_cap", fsetxattr(fd, "security.capability", vfs_cap, sizeof vfs_cap, 0),
         at("xattr"));
    close(fd);
    show("setxattr_trusted", setxattr(at("xattr"), "trusted.x", "1", 1, 0), at("xattr"));

    /* The mount root is the host's directory: its mode is not the guest's to change. */
    show("root_chmod", chmod(dir, 01777), dir);
    show("root_chmod_dot", chmod(at("."), 0777), dir);
    mkdir(at("sub"), 0755);
    show("root_chmod_dotdot", chmod(at("sub/.."), 0777), dir);
    show("root_fchmod", fchmod(dirfd_, 0777), dir);
    show("root_fchmodat", fchmodat(dirfd_, ".", 01777, 0), dir);
    show("root_fchmodat2", syscall(RB_NR_FCHMODAT2, dirfd_, ".", 01777, 0), dir);
    /* As are the default view's writable mounts. */
    show("tmp_chmod", chmod("/tmp", 0777), "/tmp");
    show("devnull_chmod", chmod("/dev/null", 0666), "/dev/null");
    fd = open("/dev/null", O_WRONLY);
    show("devnull_fchmod", fchmod(fd, 0666), "/dev/null");
    close(fd);
    /* Plain files keep the rwx and sticky bits asked for. */
    make("plain");
    show("plain", chmod(at("plain"), 01777), at("plain"));
}

/* In a setgid directory: new files must not be setgid; new directories
 * inherit S_ISGID (mkdir(2)), and files in those are not setgid either. */
static void in_setgid_dir(void)
{
    umask(0);
    show("sg_file", closed(open(at("sg_file"), O_WRONLY | O_CREAT, 0755)), at("sg_file"));
    show("sg_file_6777", closed(open(at("sg_file_6777"), O_WRONLY | O_CREAT, 06777)),
         at("sg_file_6777"));
    show("sg_tmpfile", tmpfile_as("sg_tmpfile", 02777), at("sg_tmpfile"));
    show("sg_dir", mkdir(at("sg_dir"), 0755), at("sg_dir"));
    show("sg_dir_6777", mkdir(at("sg_dir_6777"), 06777), at("sg_dir_6777"));
    show("sg_inner", closed(open(at("sg_dir/inner"), O_WRONLY | O_CREAT, 02755)), at("sg_dir/inner"));
    make("sg_chmod");
    show("sg_chmod", chmod(at("sg_chmod"), 02755), at("sg_chmod"));
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: nosuid calls|setgid DIR\n");
        return 2;
    }
    dir = argv[2];
    dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
    if (dirfd_ < 0) {
        printf("open %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (strcmp(argv[1], "calls") == 0)
        calls();
    else if (strcmp(argv[1], "setgid") == 0)
        in_setgid_dir();
    else
        return 2;
    return 0;
}
