/* dyn_mapfile.c - file-backed mmap semantics, printed so that a run under
 * ringbox can be compared with a native one.
 *
 *   dyn_mapfile common FILE DIR   FILE is readable (its first bytes are
 *                                 printed), DIR a writable scratch directory
 *   dyn_mapfile sharedwrite DIR   MAP_SHARED|PROT_WRITE of a file opened O_RDWR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case 0: return "ok";
    case EACCES: return "EACCES";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EOVERFLOW: return "EOVERFLOW";
    default: return strerror(e);
    }
}

/* mmap's result as "ok" or the errno's name; unmaps what it got. */
static const char *try_map(size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = mmap(NULL, len, prot, flags, fd, off);
    if (p == MAP_FAILED)
        return err_name(errno);
    munmap(p, len);
    return "ok";
}

/* A scratch file of 5000 bytes, byte i = 'a' + i % 26. */
static char *scratch(const char *dir)
{
    static char path[4096];
    char buf[5000];
    snprintf(path, sizeof path, "%s/mapfile-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(2);
    }
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
        perror("write");
        exit(2);
    }
    close(fd);
    return path;
}

static int common(const char *file, const char *dir)
{
    long pg = sysconf(_SC_PAGESIZE);
    int ro = open(file, O_RDONLY);
    if (ro < 0) {
        perror(file);
        return 2;
    }
    /* Readable and executable, private and shared read-only. */
    char *p = mmap(NULL, (size_t)pg, PROT_READ | PROT_EXEC, MAP_PRIVATE, ro, 0);
    printf("private r-x: %s, starts %.4s\n", p == MAP_FAILED ? err_name(errno) : "ok",
           p == MAP_FAILED ? "" : p);
    char *s = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, ro, 0);
    printf("shared r--: %s, same bytes %s\n", s == MAP_FAILED ? err_name(errno) : "ok",
           s != MAP_FAILED && p != MAP_FAILED && !memcmp(p, s, (size_t)pg) ? "yes" : "no");
    printf("shared rw- on O_RDONLY: %s\n", try_map((size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    printf("private rw- on O_RDONLY: %s\n", try_map((size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
    printf("offset not page-aligned: %s\n", try_map((size_t)pg, PROT_READ, MAP_PRIVATE, ro, 100));
    printf("offset past LLONG_MAX: %s\n",
           try_map(1, PROT_READ, MAP_PRIVATE, ro, (off_t)0x7ffffffffffff000LL));
    printf("bad fd: %s\n", try_map((size_t)pg, PROT_READ, MAP_PRIVATE, 99, 0));

    /* A scratch file: private writes never reach it, and the tail of the
     * page holding EOF reads as zero. */
    char *path = scratch(dir);
    int rw = open(path, O_RDWR);
    char *q = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, rw, 0);
    if (q == MAP_FAILED) {
        printf("private rw- on O_RDWR: %s\n", err_name(errno));
        return 1;
    }
    int tail_zero = 1;
    for (long i = 5000; i < 2 * pg; i++)
        tail_zero &= q[i] == 0;
    printf("private rw- on O_RDWR: ok, %.3s...%.3s, tail zero %s\n", q, q + 4997,
           tail_zero ? "yes" : "no");
    memset(q, 'Z', 100);
    /* RELRO-style narrowing and back (the pieces merge again), then growing
     * by mremap keeps the contents. */
    printf("mprotect r--: %s\n", err_name(mprotect(q, (size_t)pg, PROT_READ) ? errno : 0));
    printf("mprotect rw-: %s\n",
           err_name(mprotect(q, (size_t)pg, PROT_READ | PROT_WRITE) ? errno : 0));
    char *r = mremap(q, 2 * (size_t)pg, 8 * (size_t)pg, MREMAP_MAYMOVE);
    printf("mremap: %s, kept %.3s and %.3s\n", r == MAP_FAILED ? err_name(errno) : "ok",
           r == MAP_FAILED ? "" : r, r == MAP_FAILED ? "" : r + 4997);
    char back[4];
    pread(rw, back, 3, 0);
    back[3] = '\0';
    printf("file after private writes: %s\n", back);

    int wo = open(path, O_WRONLY);
    printf("private on O_WRONLY: %s\n", try_map((size_t)pg, PROT_READ, MAP_PRIVATE, wo, 0));
    int pfd[2];
    pipe(pfd);
    printf("pipe: %s\n", try_map((size_t)pg, PROT_READ, MAP_PRIVATE, pfd[0], 0));
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    printf("directory: %s\n", try_map((size_t)pg, PROT_READ, MAP_PRIVATE, d, 0));
    int z = open("/dev/zero", O_RDWR);
    char *zp = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
    printf("/dev/zero: %s, reads %d\n", zp == MAP_FAILED ? err_name(errno) : "ok",
           zp == MAP_FAILED ? -1 : zp[pg - 1]);
    unlink(path);
    return 0;
}

static int sharedwrite(const char *dir)
{
    char *path = scratch(dir);
    int rw = open(path, O_RDWR);
    printf("shared rw- on O_RDWR: %s\n",
           try_map((size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0));
    unlink(path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "common"))
        return common(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "sharedwrite"))
        return sharedwrite(argv[2]);
    fprintf(stderr, "usage: dyn_mapfile common FILE DIR | sharedwrite DIR\n");
    return 2;
}
