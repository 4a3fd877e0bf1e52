/* path.c - libFuzzer harness: guest path resolution in the file view
 * (vmm/fs.c) against a temporary host tree with nested, read-only and
 * single-file mounts and hostile symlinks.
 *
 * Input: one byte of lookup flags (FS_FOLLOW, FS_CREATE and the guest's
 * openat2 RESOLVE_* bits), then the guest path.  Properties:
 *   - every host fd the walk holds, the result included, is really (by
 *     /proc/self/fd) inside the host path of the mount its step names, and
 *     never in the tree's unmounted "outside" directory;
 *   - the result's guest path is absolute and normalised, and lies inside
 *     the guest mount point of its mount;
 *   - for a missing final component (FS_CREATE) the directory and name
 *     that would create it stay inside the parent's mount;
 *   - fs_open of the path, read-only, yields a file inside a mount or the
 *     view's private directory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "fuzz.h"
#include "vm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ringbox rb;
static struct ringbox_result res;
static char tree[PATH_MAX], outside[PATH_MAX];

static void mk(const char *rel, bool dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", tree, rel);
    if (dir ? mkdir(p, 0755) : close(open(p, O_CREAT | O_WRONLY, 0644)))
        fuzz_fail(__FILE__, __LINE__, rel, "cannot create it");
}

static void ln(const char *target, const char *rel)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", tree, rel);
    if (symlink(target, p))
        fuzz_fail(__FILE__, __LINE__, rel, "cannot link it");
}

static void mount_at(const char *rel, const char *guest, unsigned flags)
{
    char p[PATH_MAX];
    struct ringbox_error err;
    snprintf(p, sizeof p, "%s/%s", tree, rel);
    if (fs_mount_add(&rb, p, guest, flags, true, &err))
        fuzz_fail(__FILE__, __LINE__, guest, "%s", err.message);
}

/* The tree, under $TMPDIR (make fuzz points it into the build and removes
 * it afterwards: libFuzzer ends with _Exit, so nothing here could): /data (rw) holds a/ with links that climb, loop, point at host
 * absolute paths and at a nested read-only mount /data/a/ro whose own links
 * climb out of it; /one is a single-file mount; outside/ is never mounted
 * and holds the secret every escape would reach. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(tree, sizeof tree, "%s/rb-fuzz-path.XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(tree))
        fuzz_fail(__FILE__, __LINE__, "mkdtemp", "%s", tree);
    char real[PATH_MAX];
    if (!realpath(tree, real))
        abort();
    strcpy(tree, real);
    snprintf(outside, sizeof outside, "%s/outside", tree);
    static const char *const dirs[] = {"data", "data/a", "data/a/ro", "data/b", "ro", "ro/d",
                                       "outside", "outside/data"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        mk(dirs[i], true);
    static const char *const files[] = {"data/file", "data/a/f", "ro/x", "ro/d/y", "single",
                                        "outside/secret", "outside/data/file"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        mk(files[i], false);
    char host_abs[PATH_MAX + 16];
    snprintf(host_abs, sizeof host_abs, "%s/outside/secret", tree);
    ln("../../..", "data/a/up");
    ln("../../../../../../../../outside/secret", "data/a/climb");
    ln(host_abs, "data/a/hostabs");
    ln(tree, "data/a/hosttree");
    ln("/etc/passwd", "data/a/etc");
    ln("loop", "data/a/loop");
    ln("loop2", "data/a/loop1");
    ln("loop1", "data/a/loop2");
    ln(".", "data/a/self");
    ln("../file", "data/a/file");
    ln("/data/a/up/up/outside", "data/a/deep");
    ln("/proc/self/fd/0", "data/a/stdin");
    ln("ro/../../b", "data/a/via_ro");
    ln("../..", "ro/d/up");
    ln("../../../../outside", "ro/d/out");
    ln("/one", "ro/one");
    ln("d/up/up/up/outside/secret", "ro/far");

    struct ringbox_error err;
    rb.res = &res;
    rb.cfg.trace_fd = -1;
    fs_init(&rb.fs);
    mount_at("data", "/data", RINGBOX_MOUNT_RW);
    mount_at("ro", "/data/a/ro", RINGBOX_MOUNT_RO);
    mount_at("single", "/one", RINGBOX_MOUNT_RO);
    char exe[PATH_MAX + 8];
    snprintf(exe, sizeof exe, "%s/data/file", tree);
    if (fd_init_stdio(&rb.fds) || fs_chdir_request(&rb, "/data/a", &err) ||
        fs_default_view(&rb, exe, false, &err))
        fuzz_fail(__FILE__, __LINE__, "setup", "%s", err.message);
    return 0;
}

/* The host path an fd really names. */
static void fd_path(int fd, char *out, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, size - 1);
    FUZZ_CHECK(n > 0, "readlink %s", link);
    out[n] = '\0';
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/' || n == 1);
}

/* Inside the host side of mount m: the directory, or for a single-file
 * mount the file or the directory holding it (where its fd is). */
static bool in_mount(const char *real, const struct fs_mount *m)
{
    if (!m->name)
        return under(real, m->host);
    size_t n = strlen(m->host) - strlen(m->name) - 1;
    return strcmp(real, m->host) == 0 || (strncmp(real, m->host, n) == 0 && real[n] == '\0');
}

static void check_fd(int fd, const struct fs_mount *m, const char *what)
{
    char real[PATH_MAX];
    fd_path(fd, real, sizeof real);
    FUZZ_CHECK(!under(real, outside), "%s reached %s", what, real);
    FUZZ_CHECK(in_mount(real, m), "%s is %s, outside its mount %s (%s)", what, real, m->host,
               m->guest);
}

static void check_walk(const struct fs_walk *w)
{
    for (size_t i = 0; i < w->depth; i++)
        check_fd(w->st[i].fd, w->st[i].m, "a step");
    char norm[PATH_MAX];
    FUZZ_CHECK(w->path[0] == '/', "guest path %s", w->path);
    FUZZ_CHECK(fs_normalize("/", w->path, norm, sizeof norm) == 0 && strcmp(norm, w->path) == 0,
               "guest path %s is not normalised", w->path);
    const struct fs_step *s = fs_walk_node(w);
    if (s)
        FUZZ_CHECK(fs_path_within(w->path, s->m->guest), "%s resolved in mount %s", w->path,
                   s->m->guest);
    if (w->missing) {
        struct fs_at at = fs_walk_at(w);
        check_fd(at.fd, w->st[w->depth - 1].m, "the parent of a missing name");
        FUZZ_CHECK(at.name[0] && !strchr(at.name, '/') && strcmp(at.name, ".") &&
                       strcmp(at.name, ".."),
                   "missing name '%s'", at.name);
    }
}

static void check_open(const char *path, uint64_t resolve)
{
    int fd = -1;
    char *guest = NULL;
    if (fs_open(&rb, AT_FDCWD, path, O_RDONLY | O_NOFOLLOW, 0, resolve, &fd, &guest) == 0) {
        char real[PATH_MAX], listing[PATH_MAX];
        fd_path(fd, real, sizeof real);
        /* A /proc/self/fd listing, "fdN" in the private directory (in a
         * kernel tmpfs the kernel names it from that tmpfs's root). */
        snprintf(listing, sizeof listing, "%s/fd", rb.fs.priv ? rb.fs.priv : "");
        bool ok = !strncmp(real, listing, strlen(listing)) || !strncmp(real, "pipe:", 5) ||
                  !strncmp(real, "/dev/pts/", 9);
        for (size_t i = 0; !ok && i < rb.fs.n; i++)
            ok = in_mount(real, &rb.fs.m[i]);
        FUZZ_CHECK(!under(real, outside), "fs_open(%s) reached %s", path, real);
        FUZZ_CHECK(ok, "fs_open(%s) opened %s, in no mount", path, real);
        close(fd);
    }
    free(guest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint64_t resolves[] = {0, RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_SYMLINKS,
                                        RESOLVE_NO_XDEV, RESOLVE_NO_MAGICLINKS};
    unsigned how = data[0] & (FS_FOLLOW | FS_CREATE);
    uint64_t resolve = resolves[(data[0] >> 2) % 6];
    char path[PATH_MAX];
    size_t n = size - 1 < sizeof path - 1 ? size - 1 : sizeof path - 1;
    memcpy(path, data + 1, n);
    path[n] = '\0';

    struct fs_walk w;
    if (fs_walk(&rb, AT_FDCWD, path, how, resolve, &w) == 0)
        check_walk(&w);
    fs_walk_done(&w);
    if (data[0] & 0x80)
        check_open(path, resolve);
    return 0;
}
