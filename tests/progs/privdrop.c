/* privdrop.c - what the confined VMM can still do for a program, and on its own (tests/integ_privdrop.c).
 *   open PATH          the VMM itself opens host PATH (test build hook); prints 0 or -errno
 *   create GUEST NAME  the VMM itself creates NAME in the host directory of the mount at GUEST
 *                      (test build hook); prints 0 or -errno
 *   work DIR           creates DIR/made and /tmp/made, lists /proc/self/fd; prints the ids
 *                      stat reports for DIR/made and the count of fds listed, or what failed
 *   wait               prints "ready", then reads stdin until it ends
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../include/ringbox_abi.h"

static int hook(long nr, const char *a, const char *b)
{
    long r = syscall(nr, a, b);
    printf("%ld\n", r < 0 ? -(long)errno : r);
    return 0;
}

static int make(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || write(fd, "made\n", 5) != 5 || close(fd) < 0) {
        printf("%s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int work(const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/made", dir);
    if (make(path) < 0 || make("/tmp/made") < 0)
        return 1;
    if (stat(path, &st) < 0) {
        printf("stat %s: %s\n", path, strerror(errno));
        return 1;
    }
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        printf("/proc/self/fd: %s\n", strerror(errno));
        return 1;
    }
    int fds = 0;
    for (struct dirent *e; (e = readdir(d));)
        fds += e->d_name[0] != '.';
    closedir(d);
    printf("%u %u %d\n", (unsigned)st.st_uid, (unsigned)st.st_gid, fds);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "open") == 0 && argc == 3)
        return hook(RB_TEST_HOOK_OPEN, argv[2], NULL);
    if (strcmp(mode, "create") == 0 && argc == 4)
        return hook(RB_TEST_HOOK_CREATE, argv[2], argv[3]);
    if (strcmp(mode, "work") == 0 && argc == 3)
        return work(argv[2]);
    if (strcmp(mode, "wait") == 0) {
        char c;
        printf("ready\n");
        fflush(stdout);
        while (read(0, &c, 1) > 0)
            ;
        return 0;
    }
    fprintf(stderr, "usage: privdrop open PATH | create GUEST NAME | work DIR | wait\n");
    return 2;
}
