/* integ_confine.c - the VMM confines itself: after a confined run the host
 * thread can no longer open files, and without confinement it can. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_util.h"

/* In a child: run hello through the library, then try to open a host
 * file.  Returns the child's wait status. */
static int run_then_open(bool confine)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct ringbox_config cfg;
        struct ringbox_error err;
        struct ringbox_result res;
        ringbox_t *rb;
        char *argv[] = {"hello", NULL};
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        ringbox_config_init(&cfg);
        cfg.confine = confine;
        if (ringbox_create(&cfg, &rb, &err) < 0 ||
            ringbox_load(rb, integ_prog("hello", "glibc", 0), argv, NULL, &err) < 0 ||
            ringbox_run(rb, &res, &err) < 0 || res.end != RINGBOX_EXITED || res.status != 0)
            _exit(3);
        ringbox_destroy(rb);
        int fd = open("/etc/hostname", O_RDONLY);
        _exit(fd >= 0 ? 0 : 4);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

START_TEST(confined_thread_is_killed_by_seccomp_on_open)
{
    int status = run_then_open(true);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "wait status 0x%x", status);
}
END_TEST

START_TEST(unconfined_thread_keeps_its_freedom)
{
    int status = run_then_open(false);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "wait status 0x%x", status);
}
END_TEST

Suite *confine_suite(void)
{
    Suite *s = suite_create("confine");
    TCase *tc = tcase_create("seccomp");
    tcase_add_test(tc, confined_thread_is_killed_by_seccomp_on_open);
    tcase_add_test(tc, unconfined_thread_keeps_its_freedom);
    suite_add_tcase(s, tc);
    return s;
}
