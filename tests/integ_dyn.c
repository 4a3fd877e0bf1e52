/* integ_dyn.c - dynamically linked programs: ld.so loaded as the
 * interpreter, libraries opened and mapped through the sandbox's own
 * syscalls (dlopen included), /proc/self/maps naming them, and the
 * semantics of file-backed mmap, each against a native run. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integ_util.h"

#define ARGS(...) ((char *const[]){__VA_ARGS__, NULL})

/* Run `prog` natively with argv_native and under the ringbox command with
 * `opts` (NULL-terminated ringbox options) and argv_boxed; both must exit
 * with `status` and print the same bytes. */
static void assert_same(const char *prog, char *const argv_native[], char *const opts[],
                        char *const argv_boxed[], int status)
{
    struct proc_run native, boxed;
    char *args[64];
    int n = 0;

    integ_proc_run(prog, argv_native, NULL, &native);
    ck_assert_msg(native.status == status, "native: status %d, stderr '%s'", native.status,
                  native.err);
    args[n++] = "run";
    for (int i = 0; opts && opts[i]; i++)
        args[n++] = opts[i];
    args[n++] = (char *)prog;
    for (int i = 1; argv_boxed[i]; i++)
        args[n++] = argv_boxed[i];
    args[n] = NULL;
    ck_assert_int_lt(n, 64);
    integ_cli_run(args, NULL, &boxed);
    ck_assert_msg(boxed.status == status, "boxed: status %d, stderr '%s', stdout '%s'",
                  boxed.status, boxed.err, boxed.out);
    ck_assert_msg(boxed.out_len == native.out_len && !memcmp(boxed.out, native.out, native.out_len),
                  "stdout differs:\n--- native\n%s--- ringbox\n%s", native.out, boxed.out);
    ck_assert_str_eq(boxed.err, "");
    integ_proc_free(&native);
    integ_proc_free(&boxed);
}

START_TEST(hello_matches_native)
{
    const char *prog = integ_prog("hello.dyn", NULL, 0);
    char *argv[] = {(char *)prog, "one", "two words", NULL};
    assert_same(prog, argv, NULL, argv, 7);
}
END_TEST

/* Through the library too: ld.so starts at AT_BASE's image and finds the
 * program through AT_PHDR/AT_ENTRY. */
START_TEST(hello_through_the_library)
{
    const char *prog = integ_prog("hello.dyn", NULL, 0);
    struct lib_run r;
    integ_lib_run(prog, ARGS("hello", "x"), NULL, 0, &r);
    ck_assert_msg(r.rc == 0, "ringbox: %s", r.err.message);
    ck_assert_int_eq(r.res.end, RINGBOX_EXITED);
    ck_assert_int_eq(r.res.status, 7);
    ck_assert_str_eq(r.out, "hello from a dynamic program, argc=2\nargv[1]=x\n");
    /* ld.so mapped libc.so.6 from its fd and made RELRO read-only. */
    ck_assert_uint_ge(r.res.counters.by_syscall[9 /* mmap */], 1);
    ck_assert_uint_ge(r.res.counters.by_syscall[10 /* mprotect */], 1);
    integ_lib_free(&r);
}
END_TEST

START_TEST(dlopen_matches_native)
{
    const char *prog = integ_prog("dlopen.dyn", NULL, 0);
    char *argv[] = {(char *)prog, NULL};
    assert_same(prog, argv, NULL, argv, 0);
}
END_TEST

START_TEST(maps_names_the_libraries)
{
    const char *prog = integ_prog("maps.dyn", NULL, 0);
    char *argv[] = {(char *)prog, NULL};
    struct proc_run boxed;
    assert_same(prog, argv, NULL, argv, 0);
    integ_cli_run(ARGS("run", (char *)prog), NULL, &boxed);
    ck_assert_msg(strstr(boxed.out, "ld-linux-x86-64.so.2\nlibc.so.6\n"), "%s", boxed.out);
    ck_assert_msg(strstr(boxed.out, "self: yes\n"), "%s", boxed.out);
    integ_proc_free(&boxed);
}
END_TEST

/* A data file in a host directory the guest sees read-only at /data. */
struct data_dir {
    char dir[64], file[96], scratch[64];
};

static void data_dir_init(struct data_dir *d)
{
    strcpy(d->dir, "/tmp/rb-dyn-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->dir));
    snprintf(d->file, sizeof d->file, "%s/data", d->dir);
    strcpy(d->scratch, "/tmp/rb-dyn-scratch-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->scratch));
    FILE *f = fopen(d->file, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 300; i++)
        fprintf(f, "%04d data line\n", i);
    fclose(f);
}

static void data_dir_fini(struct data_dir *d)
{
    unlink(d->file);
    rmdir(d->dir);
    rmdir(d->scratch);
}

/* Private writes never reach the file, shared read-only works, and the
 * errors (EACCES, ENODEV, EINVAL, EOVERFLOW, EBADF) are Linux's. */
START_TEST(file_mmap_matches_native)
{
    const char *prog = integ_prog("mapfile.dyn", NULL, 0);
    struct data_dir d;
    char ro[160];

    data_dir_init(&d);
    snprintf(ro, sizeof ro, "%s:/data", d.dir);
    char *native[] = {(char *)prog, "common", d.file, d.scratch, NULL};
    char *boxed[] = {(char *)prog, "common", "/data/data", "/tmp", NULL};
    assert_same(prog, native, ARGS("--ro", ro), boxed, 0);
    data_dir_fini(&d);
}
END_TEST

/* MAP_SHARED with PROT_WRITE is where ringbox differs from Linux: guest
 * writes could not reach the file, so it is refused, and the trace says so. */
START_TEST(shared_writable_mmap_refused)
{
    const char *prog = integ_prog("mapfile.dyn", NULL, 0);
    char trace[] = "/tmp/rb-dyn-trace-XXXXXX", opt[64];
    int fd = mkstemp(trace);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(opt, sizeof opt, "--trace=%s", trace);
    struct proc_run r;
    integ_cli_run(ARGS("run", opt, (char *)prog, "sharedwrite", "/tmp"), NULL, &r);
    ck_assert_msg(r.status == 0, "status %d, stderr '%s'", r.status, r.err);
    ck_assert_str_eq(r.out, "shared rw- on O_RDWR: ENODEV\n");
    integ_proc_free(&r);

    char buf[1 << 16];
    FILE *f = fopen(trace, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(trace);
    ck_assert_msg(strstr(buf, "mmap(MAP_SHARED, PROT_WRITE)") && strstr(buf, "not supported"),
                  "no trace note in:\n%s", buf);
}
END_TEST

Suite *dyn_suite(void)
{
    Suite *s = suite_create("dyn");
    TCase *tc = tcase_create("dyn");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hello_matches_native);
    tcase_add_test(tc, hello_through_the_library);
    tcase_add_test(tc, dlopen_matches_native);
    tcase_add_test(tc, maps_names_the_libraries);
    tcase_add_test(tc, file_mmap_matches_native);
    tcase_add_test(tc, shared_writable_mmap_refused);
    suite_add_tcase(s, tc);
    return s;
}
