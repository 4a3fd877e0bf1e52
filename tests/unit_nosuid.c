/* unit_nosuid.c - the mode policy of the file view (fs_host_mode), and the
 * handlers that apply it, through sys_dispatch() on a hand-built struct
 * ringbox whose view mounts a temporary directory writable at /m (or at /). */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "sys.h"
#include "unit_util.h"

START_TEST(host_mode_never_has_setuid_or_setgid)
{
    static const unsigned cases[][3] = {
        /* mode, umask, want */
        {06777, 0, 0777},    {04755, 022, 0755}, {02755, 0, 0755},  {04000, 0, 0},
        {02000, 0, 0},       {07777, 0, 01777},  {01777, 022, 01755}, {0644, 0, 0644},
        {0777, 077, 0700},   {06777, 0777, 0},
        /* Above 07777: the file type of an st_mode, or a guest's junk. */
        {S_IFREG | 04755, 0, 0755}, {S_IFDIR | 02775, 0, 0775}, {0170000 | 0777, 0, 0777},
        {0xffffffffu, 0, 01777},
    };
    int bad = -1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (bad < 0 && fs_host_mode(cases[i][0], cases[i][1]) != cases[i][2])
            bad = (int)i;
    const unsigned *c = cases[bad < 0 ? 0 : bad];
    ck_assert_msg(bad < 0, "fs_host_mode(0%o, 0%o) = 0%o, want 0%o", c[0], c[1],
                  fs_host_mode(c[0], c[1]), c[2]);
}
END_TEST

/* 0x10000-0x11fff RW. */
#define RW 0x10000ULL
#define PATH2 (RW + 0x1000)
#define MEM_SIZE (4ULL << 20)

static struct ringbox rb;
static struct ringbox_result res;
static char exe[PATH_MAX];
static char dir[] = "/tmp/rb-nosuid.XXXXXX";

static void view_at(const char *guest)
{
    unit_rb_init(&rb, &res, MEM_SIZE);
    ck_assert_int_eq(mm_map_anon(&rb.mm, RW, 2 * MEM_PAGE, PROT_READ | PROT_WRITE, MM_ANON), 0);
    strcpy(dir, "/tmp/rb-nosuid.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    ck_assert_ptr_nonnull(realpath("/proc/self/exe", exe));
    rb.proc.exe = exe;
    fs_init(&rb.fs);
    ck_assert_int_eq(fs_mount_add(&rb, dir, guest, RINGBOX_MOUNT_RW, true, NULL), 0);
    ck_assert_int_eq(fs_default_view(&rb, exe, false, NULL), 0);
}

static void setup(void)
{
    view_at("/m");
}

static void setup_root(void)
{
    view_at("/");
}

static void teardown(void)
{
    fs_fini(&rb.fs);
    unit_rb_fini(&rb);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static int64_t call(long nr, const uint64_t a[6])
{
    return unit_call(&rb, nr, a);
}
#define SYS(nr, ...) call(nr, (const uint64_t[6]){__VA_ARGS__})

static void put(uint64_t va, const char *s)
{
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, va, s, strlen(s) + 1), 0);
}

/* The host's mode of `name` in the mounted directory, or -1. */
static int host_mode(const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* A host file of this mode (chmod, so that no umask plays a part). */
static void host_file(const char *name, unsigned mode)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "\177ELF", 4), 4);
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
}

static unsigned process_umask(void)
{
    unsigned u = umask(022);
    umask(u);
    return u;
}

START_TEST(chmod_strips_setuid_and_setgid)
{
    host_file("a", 0644);
    put(RW, "/m/a");
    ck_assert_int_eq(SYS(__NR_chmod, RW, 06777), 0);
    ck_assert_int_eq(host_mode("a"), 0777);
    ck_assert_int_eq(SYS(__NR_fchmodat, AT_FDCWD, RW, 04711), 0);
    ck_assert_int_eq(host_mode("a"), 0711);
    int64_t fd = SYS(__NR_open, RW, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(SYS(__NR_fchmod, fd, 07755), 0);
    ck_assert_int_eq(host_mode("a"), 01755);
    /* fchmodat2 (Linux 6.6) is not served: nothing reaches the host. */
    ck_assert_int_eq(SYS(452, AT_FDCWD, RW, 06777, 0), -ENOSYS);
    ck_assert_int_eq(host_mode("a"), 01755);
}
END_TEST

START_TEST(creation_strips_setuid_and_setgid)
{
    unsigned u = process_umask();
    ck_assert_int_eq(SYS(__NR_umask, 0), 022);
    put(RW, "/m/open");
    int64_t fd = SYS(__NR_open, RW, O_WRONLY | O_CREAT | O_EXCL, 06777);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(host_mode("open"), (int)(0777 & ~u));
    put(RW, "/m/creat");
    ck_assert_int_ge(SYS(__NR_creat, RW, 04755), 0);
    ck_assert_int_eq(host_mode("creat"), (int)(0755 & ~u));
    put(RW, "/m/dir");
    ck_assert_int_eq(SYS(__NR_mkdir, RW, 07777), 0);
    ck_assert_int_eq(host_mode("dir"), (int)(01777 & ~u));
    /* mknod is not served: no node reaches the host. */
    put(RW, "/m/node");
    ck_assert_int_eq(SYS(__NR_mknod, RW, S_IFREG | 06777, 0), -ENOSYS);
    ck_assert_int_eq(SYS(__NR_mknodat, AT_FDCWD, RW, S_IFREG | 06777, 0), -ENOSYS);
    ck_assert_int_eq(host_mode("node"), -1);
}
END_TEST

/* As file_remove_privs() does for a writer without CAP_FSETID. */
START_TEST(writing_a_setuid_host_file_strips_it)
{
    host_file("w", 06755);
    host_file("t", 06755);
    host_file("r", 06755);
    host_file("x", 06755);
    put(RW, "/m/w");
    ck_assert_int_ge(SYS(__NR_open, RW, O_WRONLY), 0);
    ck_assert_int_eq(host_mode("w"), 0755);
    put(RW, "/m/t");
    ck_assert_int_eq(SYS(__NR_truncate, RW, 0), 0);
    ck_assert_int_eq(host_mode("t"), 0755);
    put(RW, "/m/x");
    ck_assert_int_ge(SYS(__NR_open, RW, O_RDONLY | O_TRUNC), 0);
    ck_assert_int_eq(host_mode("x"), 0755);
    /* Reading changes nothing, nor does an O_PATH fd. */
    put(RW, "/m/r");
    ck_assert_int_ge(SYS(__NR_open, RW, O_RDONLY), 0);
    ck_assert_int_ge(SYS(__NR_open, RW, O_PATH), 0);
    ck_assert_int_eq(host_mode("r"), 06755);
}
END_TEST

/* chmod(2) EPERM: the mount point is the host's directory or file. */
START_TEST(a_mount_point_keeps_its_mode)
{
    put(RW, "/m");
    ck_assert_int_eq(SYS(__NR_chmod, RW, 01777), -EPERM);
    int64_t fd = SYS(__NR_open, RW, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(SYS(__NR_fchmod, fd, 0777), -EPERM);
    put(PATH2, ".");
    ck_assert_int_eq(SYS(__NR_fchmodat, fd, PATH2, 0777), -EPERM);
    put(PATH2, "/m/sub/..");
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    ck_assert_int_eq(SYS(__NR_chmod, PATH2, 0777), -EPERM);
    ck_assert_int_eq(host_mode("."), 0755);
    /* The default view's writable mounts, and a file mount's fd. */
    put(RW, "/tmp");
    ck_assert_int_eq(SYS(__NR_chmod, RW, 0777), -EPERM);
    put(RW, "/dev/null");
    ck_assert_int_eq(SYS(__NR_chmod, RW, 0666), -EPERM);
    fd = SYS(__NR_open, RW, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(SYS(__NR_fchmod, fd, 0666), -EPERM);
    /* Read-only is still EROFS first (fs/open.c, chmod_common()). */
    put(RW, "/dev/urandom");
    ck_assert_int_eq(SYS(__NR_chmod, RW, 0666), -EROFS);
    /* A directory inside the mount is the guest's. */
    put(RW, "/m/d");
    ck_assert_int_eq(SYS(__NR_mkdir, RW, 0755), 0);
    ck_assert_int_eq(SYS(__NR_chmod, RW, 01777), 0);
    ck_assert_int_eq(host_mode("d"), 01777);
}
END_TEST

START_TEST(a_root_mount_keeps_its_mode)
{
    put(RW, "/");
    ck_assert_int_eq(SYS(__NR_chmod, RW, 0777), -EPERM);
    put(RW, "/a");
    ck_assert_int_eq(SYS(__NR_mkdir, RW, 0755), 0);
    put(RW, "/a/../.");
    ck_assert_int_eq(SYS(__NR_chmod, RW, 0777), -EPERM);
    ck_assert_int_eq(host_mode("."), 0755);
}
END_TEST

/* File capabilities are setuid by another name: setting any xattr is not served. */
START_TEST(no_xattr_can_be_set)
{
    static const unsigned char cap[20] = {0x00, 0x00, 0x00, 0x02};
    host_file("f", 0755);
    put(RW, "/m/f");
    put(PATH2, "security.capability");
    uint64_t val = PATH2 + 0x100;
    ck_assert_int_eq(mem_copy_to_user(&rb.mem, val, cap, sizeof cap), 0);
    int64_t fd = SYS(__NR_open, RW, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(SYS(__NR_setxattr, RW, PATH2, val, sizeof cap, 0), -ENOSYS);
    ck_assert_int_eq(SYS(__NR_lsetxattr, RW, PATH2, val, sizeof cap, 0), -ENOSYS);
    ck_assert_int_eq(SYS(__NR_fsetxattr, fd, PATH2, val, sizeof cap, 0), -ENOSYS);
    put(PATH2, "trusted.x");
    ck_assert_int_eq(SYS(__NR_setxattr, RW, PATH2, val, 1, 0), -ENOSYS);
    ck_assert_int_eq(SYS(__NR_removexattr, RW, PATH2), -ENOSYS);
    char path[PATH_MAX], buf[64];
    snprintf(path, sizeof path, "%s/f", dir);
    ck_assert_int_lt(getxattr(path, "security.capability", buf, sizeof buf), 0);
    ck_assert_int_lt(getxattr(path, "trusted.x", buf, sizeof buf), 0);
}
END_TEST

Suite *nosuid_suite(void)
{
    Suite *s = suite_create("nosuid");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, host_mode_never_has_setuid_or_setgid);
    suite_add_tcase(s, tc);
    tc = tcase_create("handlers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, chmod_strips_setuid_and_setgid);
    tcase_add_test(tc, creation_strips_setuid_and_setgid);
    tcase_add_test(tc, writing_a_setuid_host_file_strips_it);
    tcase_add_test(tc, a_mount_point_keeps_its_mode);
    tcase_add_test(tc, no_xattr_can_be_set);
    suite_add_tcase(s, tc);
    tc = tcase_create("root");
    tcase_add_checked_fixture(tc, setup_root, teardown);
    tcase_add_test(tc, a_root_mount_keeps_its_mode);
    suite_add_tcase(s, tc);
    return s;
}
