/* unit_seccomp.c - the run-phase allowlist as the filter's table has it: what it
 * must never contain, what the run loop cannot do without, and its size report. */
#include <check.h>
#include <sys/syscall.h>

#include "seccomp.h"

static bool allowed(long nr)
{
    int nrs[SECCOMP_RULES_MAX];
    size_t n = seccomp_allowlist(nrs);
    for (size_t i = 0; i < n; i++)
        if (nrs[i] == nr)
            return true;
    return false;
}

/* The "never": running programs, making processes, the network,
 * reaching into other processes, and opening host paths from the root or
 * the cwd instead of beneath a mount's fd. */
static const struct {
    long nr;
    const char *name;
} forbidden[] = {
    {SYS_execve, "execve"}, {SYS_execveat, "execveat"}, {SYS_fork, "fork"},
    {SYS_vfork, "vfork"}, {SYS_clone, "clone"}, {SYS_clone3, "clone3"},
    {SYS_socket, "socket"}, {SYS_socketpair, "socketpair"}, {SYS_connect, "connect"},
    {SYS_bind, "bind"}, {SYS_sendto, "sendto"}, {SYS_sendmsg, "sendmsg"},
    {SYS_ptrace, "ptrace"}, {SYS_process_vm_readv, "process_vm_readv"},
    {SYS_process_vm_writev, "process_vm_writev"}, {SYS_kill, "kill"}, {SYS_tkill, "tkill"},
    {SYS_open, "open"}, {SYS_openat, "openat"}, {SYS_seccomp, "seccomp"},
    {SYS_prctl, "prctl"}, {SYS_setuid, "setuid"}, {SYS_mount, "mount"},
    {SYS_fsopen, "fsopen"}, {SYS_fsmount, "fsmount"}, {SYS_unshare, "unshare"}, {SYS_setns, "setns"},
};

START_TEST(never_allowed)
{
    ck_assert_msg(!allowed(forbidden[_i].nr), "%s is on the allowlist", forbidden[_i].name);
}
END_TEST

START_TEST(run_loop_needs_are_allowed)
{
    ck_assert(allowed(SYS_ioctl));     /* KVM_RUN */
    ck_assert(allowed(SYS_openat2));   /* every file lookup */
    ck_assert(allowed(SYS_exit_group));
}
END_TEST

START_TEST(size_counts_every_entry)
{
    int nrs[SECCOMP_RULES_MAX];
    size_t pinned, rules = seccomp_rule_count(&pinned);
    size_t distinct = seccomp_allowlist(nrs);
    ck_assert_uint_gt(distinct, 0);
    ck_assert_uint_le(distinct, rules);
    ck_assert_uint_le(pinned, rules);
    /* ioctl alone has several pinned entries (KVM_RUN, XSAVE, terminals). */
    ck_assert_uint_gt(rules, distinct);
}
END_TEST

Suite *seccomp_suite(void)
{
    Suite *s = suite_create("seccomp");
    TCase *tc = tcase_create("allowlist");
    tcase_add_loop_test(tc, never_allowed, 0, sizeof(forbidden) / sizeof(forbidden[0]));
    tcase_add_test(tc, run_loop_needs_are_allowed);
    tcase_add_test(tc, size_counts_every_entry);
    suite_add_tcase(s, tc);
    return s;
}
