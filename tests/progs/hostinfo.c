/* hostinfo.c - what the program can learn about its host, by argv[1]:
 * "uname" (uname(2) and gethostname), "uptime" (sysinfo, /proc/uptime and
 * /proc/loadavg, before and after a 1.2 s sleep), "ids PATH..." (each
 * file's device and inode as stat, fstat, statx, /proc/self/fd/N, a mapping
 * in /proc/self/maps and its directory entry show them, and stat again at
 * the end), "pipe" (fstat against the /proc/self/fd link) and "proc" (the
 * generated /proc files opened twice).  Prints key=value lines for
 * tests/integ_hostinfo.c; ids are MAJOR:MINOR:INO. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The kernel's struct statx up to stx_dev_minor (include/uapi/linux/stat.h),
 * which musl's headers do not have. */
struct k_statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    uint8_t times[64];
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint8_t rest[256 - 144];
};
#define K_AT_EMPTY_PATH 0x1000
#define K_STATX_BASIC_STATS 0x7ffu

static void id_of(const char *key, const struct stat *st)
{
    printf("%s=%u:%u:%llu\n", key, major(st->st_dev), minor(st->st_dev),
           (unsigned long long)st->st_ino);
}

static void fail(const char *what)
{
    printf("failed=%s\n", what);
    exit(1);
}

static void mode_uname(void)
{
    struct utsname u;
    char host[256];
    if (uname(&u) < 0 || gethostname(host, sizeof host) < 0)
        fail("uname");
    printf("sysname=%s\nnodename=%s\nrelease=%s\nversion=%s\nmachine=%s\nhostname=%s\n", u.sysname,
           u.nodename, u.release, u.version, u.machine, host);
}

static void read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, (int)size, f))
        fail(path);
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
}

static void mode_uptime(void)
{
    struct sysinfo si;
    char up1[128], up2[128], load[128];
    if (sysinfo(&si) < 0)
        fail("sysinfo");
    read_line("/proc/uptime", up1, sizeof up1);
    read_line("/proc/loadavg", load, sizeof load);
    printf("si_uptime=%ld\nsi_loads=%lu %lu %lu\nsi_procs=%u\n", si.uptime, si.loads[0],
           si.loads[1], si.loads[2], si.procs);
    printf("si_totalram=%llu\nsi_freeram=%llu\nsi_mem_unit=%u\n",
           (unsigned long long)si.totalram * si.mem_unit,
           (unsigned long long)si.freeram * si.mem_unit, si.mem_unit);
    struct timespec nap = {.tv_sec = 1, .tv_nsec = 200000000};
    nanosleep(&nap, NULL);
    read_line("/proc/uptime", up2, sizeof up2);
    if (sysinfo(&si) < 0)
        fail("sysinfo");
    printf("uptime1=%s\nuptime2=%s\nsi_uptime2=%ld\nloadavg=%s\n", up1, up2, si.uptime, load);
}

/* The device and inode /proc/self/maps shows for the mapping at `at`. */
static void maps_id(const char *key, const void *at)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long start, end, maj, min;
    unsigned long long ino;
    if (!f)
        fail("maps");
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%lx-%lx %*s %*x %lx:%lx %llu", &start, &end, &maj, &min, &ino) == 5 &&
            start == (unsigned long)at) {
            printf("%s=%lu:%lu:%llu\n", key, maj, min, ino);
            fclose(f);
            return;
        }
    fail(key);
}

/* d_ino of `path`'s entry in its directory. */
static void dirent_ino(const char *key, const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *name = slash + 1;
    *slash = '\0';
    DIR *d = opendir(dir[0] ? dir : "/");
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, name) == 0) {
            printf("%s=%llu\n", key, (unsigned long long)e->d_ino);
            closedir(d);
            return;
        }
    fail(key);
}

static void mode_ids(int n, char **paths)
{
    char key[64], link[64];
    struct stat st;
    for (int i = 0; i < n; i++) {
        const char *p = paths[i];
        int fd = open(p, O_RDONLY);
        struct k_statx sx;
        void *m = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED || stat(p, &st) < 0)
            fail(p);
        snprintf(key, sizeof key, "id%d_stat", i);
        id_of(key, &st);
        if (fstat(fd, &st) < 0)
            fail("fstat");
        snprintf(key, sizeof key, "id%d_fstat", i);
        id_of(key, &st);
        if (syscall(SYS_statx, fd, "", K_AT_EMPTY_PATH, K_STATX_BASIC_STATS, &sx) < 0)
            fail("statx");
        printf("id%d_statx=%u:%u:%llu\n", i, sx.dev_major, sx.dev_minor,
               (unsigned long long)sx.ino);
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        if (stat(link, &st) < 0)
            fail(link);
        snprintf(key, sizeof key, "id%d_fd", i);
        id_of(key, &st);
        snprintf(key, sizeof key, "id%d_maps", i);
        maps_id(key, m);
        snprintf(key, sizeof key, "id%d_dirent", i);
        dirent_ino(key, p);
    }
    for (int i = 0; i < n; i++) {
        if (stat(paths[i], &st) < 0)
            fail(paths[i]);
        snprintf(key, sizeof key, "id%d_again", i);
        id_of(key, &st);
    }
}

static void mode_pipe(void)
{
    int p[2];
    struct stat st;
    char link[64], target[64];
    if (pipe(p) < 0 || fstat(p[0], &st) < 0)
        fail("pipe");
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[0]);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        fail("readlink");
    target[n] = '\0';
    printf("pipe_fstat=pipe:[%llu]\npipe_link=%s\n", (unsigned long long)st.st_ino, target);
}

/* Each generated file: two opens, fstat of each, stat of the path. */
static void mode_proc(void)
{
    static const char *const files[] = {"/proc/self/maps", "/proc/self/status", "/proc/uptime",
                                        "/proc/self/fd"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct stat a, b, c;
        int fa = open(files[i], O_RDONLY), fb = open(files[i], O_RDONLY);
        if (fa < 0 || fb < 0 || fstat(fa, &a) < 0 || fstat(fb, &b) < 0 || stat(files[i], &c) < 0)
            fail(files[i]);
        char key[64];
        snprintf(key, sizeof key, "%s_open1", files[i]);
        id_of(key, &a);
        snprintf(key, sizeof key, "%s_open2", files[i]);
        id_of(key, &b);
        snprintf(key, sizeof key, "%s_stat", files[i]);
        id_of(key, &c);
        printf("%s_modes=%o %o\n", files[i], (unsigned)a.st_mode, (unsigned)c.st_mode);
        close(fa);
        close(fb);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "uname") == 0)
        mode_uname();
    else if (strcmp(mode, "uptime") == 0)
        mode_uptime();
    else if (strcmp(mode, "ids") == 0)
        mode_ids(argc - 2, argv + 2);
    else if (strcmp(mode, "pipe") == 0)
        mode_pipe();
    else if (strcmp(mode, "proc") == 0)
        mode_proc();
    else {
        fprintf(stderr, "usage: hostinfo uname|uptime|ids PATH...|pipe|proc\n");
        return 2;
    }
    return 0;
}
