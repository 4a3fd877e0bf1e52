/* diskfill.c - filling a capped file system, one mode per argv[1]; each
 * prints key=value lines (errors by errno name):
 * A limit that failed to hold must not fill the host's disk: MAX (default
 * 64 MiB) bounds what fill writes and files creates.
 *   fill FILE CHUNK [MAX]  write CHUNK bytes at a time until a write falls short or fails:
 *                        written, short (the short count, or 0), next (the write after);
 *                        then, full, an overwrite of the first page (pwrite at 0), a
 *                        pwrite into a far hole, a writev at the end, and size
 *   falloc FILE LEN      fallocate(0, LEN): fallocate, then bytes (st_blocks * 512)
 *   trunc FILE LEN       ftruncate to LEN, truncate(2) to 2 * LEN: ftruncate, truncate,
 *                        size; then 64 KiB pwrites from LEN / 2 on until one fails:
 *                        written, errno
 *   copy DIR N           DIR/src of N bytes, then copy_file_range to DIR/dst until it
 *                        fails or ends: copied, errno
 *   send DIR N           the same with sendfile: sent, errno
 *   files DIR [MAX]      create DIR/fN until it fails: files, errno; then mkdir (errno of
 *                        a directory too), and after one unlink a create again (again)
 *   reuse FILE CHUNK     fill FILE, remove it, fill it again: first, second
 *   unlinked DIR CHUNK   DIR/a written with CHUNK, removed but kept open, then DIR/b
 *                        filled (held); a closed, DIR/c filled (freed)
 *   hold DIR...          a 256 KiB file in each DIR, "ready=1", then sleep an hour
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *err_name(int e)
{
    switch (e) {
    case ENOSPC: return "ENOSPC";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EFBIG: return "EFBIG";
    case EXDEV: return "EXDEV";
    case EDQUOT: return "EDQUOT";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    default: return strerror(e);
    }
}

static void show(const char *key, long r)
{
    if (r < 0)
        printf("%s=%s\n", key, err_name(errno));
    else
        printf("%s=ok\n", key);
}

static char *buf_of(size_t n)
{
    char *b = malloc(n);
    if (!b) {
        perror("malloc");
        exit(2);
    }
    memset(b, 'x', n);
    return b;
}

static int create(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        printf("open=%s\n", err_name(errno));
        exit(1);
    }
    return fd;
}

static long long max = 64 << 20;

/* Write `chunk`-byte blocks until one falls short or fails, or MAX is
 * passed: the total; *shortw the short count. */
static long long fill_fd(int fd, size_t chunk, long *shortw)
{
    char *b = buf_of(chunk);
    long long total = 0;
    ssize_t r = 0;
    *shortw = 0;
    while (total < max && (r = write(fd, b, chunk)) == (ssize_t)chunk)
        total += r;
    if (total < max && r > 0) {
        total += r;
        *shortw = r;
    }
    free(b);
    return total;
}

static void fill(const char *path, size_t chunk)
{
    int fd = create(path);
    long shortw;
    printf("written=%lld\n", fill_fd(fd, chunk, &shortw));
    printf("short=%ld\n", shortw);
    char page[4096];
    memset(page, 'y', sizeof page);
    ssize_t r = write(fd, page, sizeof page);
    if (r < 0)
        printf("next=%s\n", err_name(errno));
    else
        printf("next=ok %zd\n", r);
    show("overwrite", pwrite(fd, page, sizeof page, 0));
    show("hole", pwrite(fd, page, sizeof page, 100 << 20));
    struct iovec iov[2] = {{page, sizeof page}, {page, sizeof page}};
    show("writev", writev(fd, iov, 2));
    struct stat st;
    fstat(fd, &st);
    printf("size=%lld\n", (long long)st.st_size);
}

static void falloc(const char *path, long long len)
{
    int fd = create(path);
    show("fallocate", fallocate(fd, 0, 0, len));
    struct stat st;
    fstat(fd, &st);
    printf("bytes=%lld\n", (long long)st.st_blocks * 512);
}

static void trunc_mode(const char *path, long long len)
{
    int fd = create(path);
    show("ftruncate", ftruncate(fd, len));
    show("truncate", truncate(path, 2 * len));
    struct stat st;
    fstat(fd, &st);
    printf("size=%lld\n", (long long)st.st_size);
    char *b = buf_of(65536);
    long long total = 0, at = len / 2;
    ssize_t r;
    while ((r = pwrite(fd, b, 65536, at + total)) > 0)
        total += r;
    printf("written=%lld\nerrno=%s\n", total, r < 0 ? err_name(errno) : "none");
}

/* DIR/src of n bytes, and DIR/dst open for writing. */
static void pair(const char *dir, long long n, int *src, int *dst)
{
    char path[256];
    snprintf(path, sizeof path, "%s/src", dir);
    *src = create(path);
    char *b = buf_of(65536);
    for (long long done = 0; done < n; done += 65536)
        if (write(*src, b, n - done < 65536 ? n - done : 65536) <= 0) {
            printf("src=%s\n", err_name(errno));
            exit(1);
        }
    free(b);
    lseek(*src, 0, SEEK_SET);
    snprintf(path, sizeof path, "%s/dst", dir);
    *dst = create(path);
}

static void copy(const char *dir, long long n, bool send)
{
    int src, dst;
    pair(dir, n, &src, &dst);
    long long total = 0;
    ssize_t r;
    while ((r = send ? sendfile(dst, src, NULL, (size_t)n) : copy_file_range(src, NULL, dst, NULL, (size_t)n, 0)) > 0)
        total += r;
    printf("%s=%lld\nerrno=%s\n", send ? "sent" : "copied", total, r < 0 ? err_name(errno) : "none");
}

static void files(const char *dir)
{
    char path[256];
    int n = 0, fd;
    for (; n < max; n++) {
        snprintf(path, sizeof path, "%s/f%d", dir, n);
        if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
            break;
        close(fd);
    }
    printf("files=%d\nerrno=%s\n", n, err_name(errno));
    snprintf(path, sizeof path, "%s/d", dir);
    show("mkdir", mkdir(path, 0700));
    snprintf(path, sizeof path, "%s/f0", dir);
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    show("again", fd);
}

static void reuse(const char *path, size_t chunk)
{
    long shortw;
    int fd = create(path);
    printf("first=%lld\n", fill_fd(fd, chunk, &shortw));
    close(fd);
    unlink(path);
    fd = create(path);
    printf("second=%lld\n", fill_fd(fd, chunk, &shortw));
}

static void unlinked(const char *dir, size_t chunk)
{
    char a[256], b[256], c[256];
    long shortw;
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(c, sizeof c, "%s/c", dir);
    int fa = create(a);
    char *buf = buf_of(chunk);
    if (write(fa, buf, chunk) != (ssize_t)chunk) {
        printf("a=%s\n", err_name(errno));
        exit(1);
    }
    unlink(a);
    int fb = create(b);
    printf("held=%lld\n", fill_fd(fb, 65536, &shortw));
    close(fa);
    int fc = create(c);
    printf("freed=%lld\n", fill_fd(fc, 65536, &shortw));
}

static void hold(int n, char **dirs)
{
    char path[256];
    char *b = buf_of(256 << 10);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/held", dirs[i]);
        int fd = create(path);
        if (write(fd, b, 256 << 10) != 256 << 10) {
            printf("hold=%s\n", err_name(errno));
            exit(1);
        }
    }
    printf("ready=1\n");
    fflush(stdout);
    struct timespec ts = {3600, 0};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((!strcmp(mode, "fill") && argc > 4) || (!strcmp(mode, "files") && argc > 3))
        max = strtoll(argv[argc - 1], NULL, 0);
    if (!strcmp(mode, "fill") && argc > 3)
        fill(argv[2], strtoul(argv[3], NULL, 0));
    else if (!strcmp(mode, "falloc") && argc > 3)
        falloc(argv[2], strtoll(argv[3], NULL, 0));
    else if (!strcmp(mode, "trunc") && argc > 3)
        trunc_mode(argv[2], strtoll(argv[3], NULL, 0));
    else if ((!strcmp(mode, "copy") || !strcmp(mode, "send")) && argc > 3)
        copy(argv[2], strtoll(argv[3], NULL, 0), mode[0] == 's');
    else if (!strcmp(mode, "files") && argc > 2)
        files(argv[2]);
    else if (!strcmp(mode, "reuse") && argc > 3)
        reuse(argv[2], strtoul(argv[3], NULL, 0));
    else if (!strcmp(mode, "unlinked") && argc > 3)
        unlinked(argv[2], strtoul(argv[3], NULL, 0));
    else if (!strcmp(mode, "hold") && argc > 2)
        hold(argc - 2, argv + 2);
    else {
        fprintf(stderr, "usage: diskfill MODE ARGS (see the source)\n");
        return 2;
    }
    return 0;
}
