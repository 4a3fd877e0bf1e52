/* fd.c - the guest's file descriptor table (see fd.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"

static int grow(struct fd_table *t, int need)
{
    if (need <= t->cap)
        return 0;
    int cap = t->cap ? t->cap : 16;
    while (cap < need)
        cap *= 2;
    struct rb_file *f = realloc(t->f, sizeof(*f) * (size_t)cap);
    if (!f)
        return -ENOMEM;
    for (int i = t->cap; i < cap; i++)
        f[i] = (struct rb_file){.host = -1};
    t->f = f;
    t->cap = cap;
    return 0;
}

static void release(struct rb_file *f)
{
    if (f->host >= 0)
        close(f->host);
    free(f->path);
    *f = (struct rb_file){.host = -1};
}

/* Store into a free slot; path is copied. */
static int put(struct fd_table *t, int fd, int host, bool cloexec, const char *path)
{
    char *copy = NULL;
    if (path && !(copy = strdup(path)))
        return -ENOMEM;
    t->f[fd] = (struct rb_file){.host = host, .cloexec = cloexec, .path = copy};
    return fd;
}

int fd_init_stdio(struct fd_table *t)
{
    memset(t, 0, sizeof(*t));
    int rc = grow(t, 3);
    if (rc < 0)
        return rc;
    for (int fd = 0; fd < 3; fd++) {
        int host = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (host < 0) {
            if (errno == EBADF)
                continue; /* the host has no such stream: neither has the guest */
            return -errno;
        }
        put(t, fd, host, false, NULL); /* no path: cannot fail */
        t->f[fd].output = fd > 0;
    }
    return 0;
}

void fd_fini(struct fd_table *t)
{
    for (int i = 0; i < t->cap; i++)
        release(&t->f[i]);
    free(t->f);
    memset(t, 0, sizeof(*t));
}

int fd_install(struct fd_table *t, int host, int min, int limit, bool cloexec, const char *path)
{
    int fd = min < 0 ? 0 : min;
    while (fd < t->cap && t->f[fd].host >= 0)
        fd++;
    if (fd >= limit)
        return -EMFILE;
    int rc = grow(t, fd + 1);
    return rc < 0 ? rc : put(t, fd, host, cloexec, path);
}

int fd_install_at(struct fd_table *t, int fd, int limit, int host, bool cloexec, const char *path)
{
    if (fd < 0 || fd >= limit)
        return -EBADF;
    int rc = grow(t, fd + 1);
    if (rc < 0)
        return rc;
    struct rb_file old = t->f[fd];
    t->f[fd] = (struct rb_file){.host = -1};
    rc = put(t, fd, host, cloexec, path);
    if (rc < 0) {
        t->f[fd] = old;
        return rc;
    }
    release(&old);
    return 0;
}

struct rb_file *fd_get(const struct fd_table *t, int64_t fd)
{
    if (fd < 0 || fd >= t->cap || t->f[fd].host < 0)
        return NULL;
    return &t->f[fd];
}

int fd_host(const struct fd_table *t, int64_t fd)
{
    struct rb_file *f = fd_get(t, fd);
    return f ? f->host : -EBADF;
}

int fd_close(struct fd_table *t, int64_t fd)
{
    struct rb_file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    release(f);
    return 0;
}

int fd_last(const struct fd_table *t)
{
    for (int i = t->cap - 1; i >= 0; i--)
        if (t->f[i].host >= 0)
            return i;
    return -1;
}
