/* integ_confine.c - the VMM confines itself: after a confined run the host
 * thread can no longer open files, and without confinement it can; with
 * RINGBOX_CONFINE_PROCESS neither can the process's other threads. */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integ_util.h"

/* A thread started before the run that, once told to, opens a host file. */
struct opener {
    sem_t go, done;
    int fd;
};

static void *open_when_told(void *arg)
{
    struct opener *o = arg;
    while (sem_wait(&o->go) != 0)
        ;
    o->fd = open("/etc/hostname", O_RDONLY);
    sem_post(&o->done);
    return NULL;
}

/* In a child: run hello through the library, then try to open a host
 * file, from this thread or (`other_thread`) from one that existed before
 * the run.  Returns the child's wait status. */
static int run_then_open(enum ringbox_confine confine, bool other_thread)
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
        struct opener o = {.fd = -1};
        pthread_t t;
        if (other_thread && (sem_init(&o.go, 0, 0) != 0 || sem_init(&o.done, 0, 0) != 0 ||
                             pthread_create(&t, NULL, open_when_told, &o) != 0))
            _exit(5);
        ringbox_config_init(&cfg);
        cfg.confine = confine;
        if (ringbox_create(&cfg, &rb, &err) < 0 ||
            ringbox_load(rb, integ_prog("hello", "glibc", 0), argv, NULL, &err) < 0 ||
            ringbox_run(rb, &res, &err) < 0 || res.end != RINGBOX_EXITED || res.status != 0)
            _exit(3);
        ringbox_destroy(rb);
        if (other_thread) {
            /* Neither pthread_join nor _exit, whose sanitizer interceptors
             * make syscalls the filter refuses (LeakSanitizer's check at
             * exit among them): semaphores need only futex, and the raw
             * exit_group is allowed. */
            sem_post(&o.go);
            while (sem_wait(&o.done) != 0)
                ;
            syscall(SYS_exit_group, o.fd >= 0 ? 0 : 4);
        }
        int fd = open("/etc/hostname", O_RDONLY);
        _exit(fd >= 0 ? 0 : 4);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

START_TEST(confined_thread_is_killed_by_seccomp_on_open)
{
    int status = run_then_open(RINGBOX_CONFINE_THREAD, false);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "wait status 0x%x", status);
}
END_TEST

START_TEST(unconfined_thread_keeps_its_freedom)
{
    int status = run_then_open(RINGBOX_CONFINE_NONE, false);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "wait status 0x%x", status);
}
END_TEST

START_TEST(confined_process_kills_an_earlier_thread_on_open)
{
    int status = run_then_open(RINGBOX_CONFINE_PROCESS, true);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "wait status 0x%x", status);
}
END_TEST

START_TEST(confined_thread_leaves_other_threads_free)
{
    int status = run_then_open(RINGBOX_CONFINE_THREAD, true);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "wait status 0x%x", status);
}
END_TEST

START_TEST(unknown_confine_mode_is_refused)
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_t *rb = NULL;
    ringbox_config_init(&cfg);
    cfg.confine = (enum ringbox_confine)3;
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), RINGBOX_EINVAL);
    ck_assert_ptr_null(rb);
    ck_assert_str_eq(err.message, "seccomp: confine is 3, not a ringbox_confine");
}
END_TEST

/* setresuid(2) would read -1 as "keep the id": the sandbox would run as
 * the caller while saying otherwise. */
START_TEST(user_id_minus_one_is_refused)
{
    struct ringbox_config cfg;
    struct ringbox_error err;
    ringbox_t *rb = NULL;
    ringbox_config_init(&cfg);
    cfg.user = (struct ringbox_user){.set = true, .uid = 65534, .gid = UINT32_MAX};
    ck_assert_int_eq(ringbox_create(&cfg, &rb, &err), RINGBOX_EINVAL);
    ck_assert_ptr_null(rb);
    ck_assert_str_eq(err.message, "confine: uid 65534 gid 4294967295: -1 is not an id");
}
END_TEST

Suite *confine_suite(void)
{
    Suite *s = suite_create("confine");
    TCase *tc = tcase_create("seccomp");
    tcase_add_test(tc, confined_thread_is_killed_by_seccomp_on_open);
    tcase_add_test(tc, unconfined_thread_keeps_its_freedom);
    tcase_add_test(tc, confined_process_kills_an_earlier_thread_on_open);
    tcase_add_test(tc, confined_thread_leaves_other_threads_free);
    tcase_add_test(tc, unknown_confine_mode_is_refused);
    tcase_add_test(tc, user_id_minus_one_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
