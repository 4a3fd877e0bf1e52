/* unit_xattr.c - the xattr reads through sys_dispatch() on a hand-built
 * struct ringbox whose file view mounts a temporary directory at /m. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "sys.h"
#include "unit_util.h"

/* 0x10000-0x11fff RW, 0x12000 unmapped. */
#define RW 0x10000ULL
#define HOLE 0x12000ULL
#define MEM_SIZE (4ULL << 20)

static struct ringbox rb;
static struct ringbox_result res;
static char exe[PATH_MAX];
static char dir[] = "/tmp/rb-xattr.XXXXXX";

static void setup(void)
{
    unit_rb_init(&rb, &res, MEM_SIZE);
    ck_assert_int_eq(mm_map_anon(&rb.mm, RW, 2 * MEM_PAGE, PROT_READ | PROT_WRITE, MM_ANON), 0);

    /* /m/file, /m/dangling -> nowhere, and the view around them. */
    strcpy(dir, "/tmp/rb-xattr.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/file", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(path, sizeof path, "%s/dangling", dir);
    ck_assert_int_eq(symlink("nowhere", path), 0);

    ck_assert_ptr_nonnull(realpath("/proc/self/exe", exe));
    rb.proc.exe = exe;
    fs_init(&rb.fs);
    ck_assert_int_eq(fs_mount_add(&rb, dir, "/m", RINGBOX_MOUNT_RO, true, NULL), 0);
    ck_assert_int_eq(fs_default_view(&rb, exe, false, NULL), 0);
}

static void teardown(void)
{
    char path[PATH_MAX];
    fs_fini(&rb.fs);
    snprintf(path, sizeof path, "%s/file", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/dangling", dir);
    unlink(path);
    rmdir(dir);
    unit_rb_fini(&rb);
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

/* Guest strings: a path at RW, a name at NAME, a value buffer at BUF. */
#define NAME (RW + 0x1000)
#define BUF (RW + 0x1800)

START_TEST(getxattr_finds_no_attribute)
{
    put(RW, "/m/file");
    put(NAME, "security.selinux");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 255), -ENODATA);
    ck_assert_int_eq(SYS(__NR_lgetxattr, RW, NAME, BUF, 255), -ENODATA);
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, 0, 0), -ENODATA);
    ck_assert_int_eq(SYS(__NR_fgetxattr, 1, NAME, BUF, 255), -ENODATA);
    /* Directories and the default view's files alike. */
    put(RW, "/m");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 255), -ENODATA);
    put(RW, "/dev/null");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 255), -ENODATA);
}
END_TEST

START_TEST(listxattr_is_empty)
{
    put(RW, "/m/file");
    ck_assert_int_eq(SYS(__NR_listxattr, RW, BUF, 64), 0);
    ck_assert_int_eq(SYS(__NR_llistxattr, RW, BUF, 64), 0);
    ck_assert_int_eq(SYS(__NR_listxattr, RW, 0, 0), 0);
    ck_assert_int_eq(SYS(__NR_flistxattr, 2, BUF, 64), 0);
}
END_TEST

/* The path is resolved first, symlinks as the l- variants say. */
START_TEST(path_errors_come_first)
{
    put(NAME, "");
    put(RW, "/m/missing");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 8), -ENOENT);
    ck_assert_int_eq(SYS(__NR_listxattr, RW, BUF, 8), -ENOENT);
    put(RW, "/m/dangling");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 8), -ENOENT);
    ck_assert_int_eq(SYS(__NR_listxattr, RW, BUF, 8), -ENOENT);
    put(NAME, "user.x");
    ck_assert_int_eq(SYS(__NR_lgetxattr, RW, NAME, BUF, 8), -ENODATA);
    ck_assert_int_eq(SYS(__NR_llistxattr, RW, BUF, 8), 0);
    /* Outside the view is missing, not the host's. */
    put(RW, "/etc/passwd");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 8), -ENOENT);
    put(RW, "/m/file/x");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 8), -ENOTDIR);
    ck_assert_int_eq(SYS(__NR_getxattr, HOLE, NAME, BUF, 8), -EFAULT);
    ck_assert_int_eq(SYS(__NR_fgetxattr, 77, NAME, BUF, 8), -EBADF);
    ck_assert_int_eq(SYS(__NR_flistxattr, (uint64_t)-1, BUF, 8), -EBADF);
}
END_TEST

/* fs/xattr.c: an empty name or one over XATTR_NAME_MAX is ERANGE. */
START_TEST(names_are_checked)
{
    char longname[XATTR_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    put(RW, "/m/file");
    put(NAME, "");
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 8), -ERANGE);
    put(NAME, longname);
    ck_assert_int_eq(SYS(__NR_getxattr, RW, NAME, BUF, 8), -ERANGE);
    longname[XATTR_NAME_MAX] = '\0';
    put(NAME, longname);
    ck_assert_int_eq(SYS(__NR_fgetxattr, 0, NAME, BUF, 8), -ENODATA);
    ck_assert_int_eq(SYS(__NR_lgetxattr, RW, HOLE, BUF, 8), -EFAULT);
    ck_assert_uint_eq(res.counters.unknown_syscalls, 0);
}
END_TEST

Suite *xattr_suite(void)
{
    Suite *s = suite_create("xattr");
    TCase *tc = tcase_create("xattr");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, getxattr_finds_no_attribute);
    tcase_add_test(tc, listxattr_is_empty);
    tcase_add_test(tc, path_errors_come_first);
    tcase_add_test(tc, names_are_checked);
    suite_add_tcase(s, tc);
    return s;
}
