/* batch_io.c - the same 1,000 KiB written as 1,000 write() calls of 1 KiB and as one write() call: each call is one trip across the boundary. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 1024, CHUNKS = 1000, TOTAL = CHUNK * CHUNKS };

static char data[TOTAL];

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int create(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    return fd;
}

/* Write `len` bytes from data to fd in pieces of `piece` bytes: one
 * write() per piece.  Each write() is a SYSCALL instruction: the CPU
 * leaves ring 3 for the ring-0 stub, the stub hands the call to the VMM
 * on the host (a VM exit), the VMM does the work and the CPU returns to
 * ring 3.  That round trip costs the same whatever the size. */
static void write_in_pieces(int fd, size_t len, size_t piece)
{
    for (size_t done = 0; done < len; done += piece)
        if (write(fd, data + done, piece) != (ssize_t)piece) {
            perror("write");
            exit(1);
        }
}

/* Read a whole file back and compare it with data. */
static int same_as_data(const char *path)
{
    static char back[TOTAL + 1];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n, got = 0;
    while ((n = read(fd, back + got, sizeof back - got)) > 0)
        got += n;
    close(fd);
    return got == TOTAL && memcmp(back, data, TOTAL) == 0;
}

int main(int argc, char **argv)
{
    /* "chunked" or "whole" runs one phase alone, so that a trace of the
     * run counts only its writes; no argument runs both. */
    const char *only = argc > 1 ? argv[1] : "";
    int chunked = strcmp(only, "whole") != 0, whole = strcmp(only, "chunked") != 0;
    if (!chunked && !whole) {
        fprintf(stderr, "usage: batch_io [chunked|whole]\n");
        return 2;
    }
    /* One write per line, even into a pipe, so that what the program says
     * and the trace of what it does come out in order.  (glibc's printf
     * writes with write(), musl's with writev().) */
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < TOTAL; i++)
        data[i] = (char)('a' + i % 26);

    /* Both files are created first, so the chunked phase always writes to
     * fd 3 and the whole one to fd 4, whichever runs. */
    int chunked_fd = create("/tmp/chunked.out"), whole_fd = create("/tmp/whole.out");
    if (chunked) {
        int fd = chunked_fd;
        double t = now_ms();
        write_in_pieces(fd, TOTAL, CHUNK);
        t = now_ms() - t;
        printf("chunked: %4d write() of %7d bytes to fd %d: %6.1f ms, %7.1f us per call; /tmp/chunked.out %s\n",
               CHUNKS, CHUNK, fd, t, t * 1e3 / CHUNKS, same_as_data("/tmp/chunked.out") ? "verified" : "WRONG");
    }
    if (whole) {
        int fd = whole_fd;
        double t = now_ms();
        write_in_pieces(fd, TOTAL, TOTAL);
        t = now_ms() - t;
        printf("whole:   %4d write() of %7d bytes to fd %d: %6.1f ms, %7.1f us per call; /tmp/whole.out %s\n",
               1, TOTAL, fd, t, t * 1e3, same_as_data("/tmp/whole.out") ? "verified" : "WRONG");
    }
    return 0;
}
