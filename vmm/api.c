/* api.c - the public entry points of libringbox (include/ringbox.h). */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "confine.h"
#include "err.h"
#include "exec.h"
#include "kvm.h"
#include "limit.h"
#include "seccomp.h"
#include "sysarg.h"
#include "sig.h"
#include "trace.h"
#include "vm.h"

#define API __attribute__((visibility("default")))

API void ringbox_config_init(struct ringbox_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mem_bytes = RINGBOX_DEFAULT_MEM;
    cfg->confine = RINGBOX_CONFINE_THREAD;
    cfg->trace_fd = -1;
    cfg->trace.format = RINGBOX_TRACE_TEXT;
    cfg->trace.events = RINGBOX_TRACE_ALL;
    memset(cfg->trace.syscalls, 0xff, sizeof(cfg->trace.syscalls));
    cfg->trace.other = true;
}

API int ringbox_check_uname(const char *release, const char *hostname, struct ringbox_error *err)
{
    const char *why;
    if (release && (why = hostinfo_check_release(release)))
        return rb_fail(err, RINGBOX_EINVAL, 0, "uname: release '%s' refused: %s", release, why);
    if (hostname && (why = hostinfo_check_hostname(hostname)))
        return rb_fail(err, RINGBOX_EINVAL, 0, "uname: host name '%s' refused: %s", hostname, why);
    return 0;
}

API int ringbox_create(const struct ringbox_config *cfg, ringbox_t **out, struct ringbox_error *err)
{
    if (!cfg || !out)
        return rb_fail(err, RINGBOX_EINVAL, 0, "ringbox: create needs a config and a handle pointer");
    *out = NULL;
    if (cfg->mem_bytes < RINGBOX_MIN_MEM)
        return rb_fail(err, RINGBOX_EINVAL, 0, "memory: %llu bytes is below the minimum of %llu",
                       (unsigned long long)cfg->mem_bytes, (unsigned long long)RINGBOX_MIN_MEM);
    if ((unsigned)cfg->confine > RINGBOX_CONFINE_PROCESS)
        return rb_fail(err, RINGBOX_EINVAL, 0, "seccomp: confine is %d, not a ringbox_confine",
                       (int)cfg->confine);
    /* setresuid(2) reads -1 as "leave this id as it is". */
    if (cfg->user.set && (cfg->user.uid == UINT32_MAX || cfg->user.gid == UINT32_MAX))
        return rb_fail(err, RINGBOX_EINVAL, 0, "confine: uid %u gid %u: -1 is not an id",
                       cfg->user.uid, cfg->user.gid);
    int rc = ringbox_check_uname(cfg->uname_release, cfg->hostname, err);
    if (rc < 0)
        return rc;
    uint64_t key[HOSTINFO_ROUNDS];
    ssize_t n;
    do
        n = getrandom(key, sizeof key, 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof key)
        return rb_fail(err, RINGBOX_EINVAL, n < 0 ? errno : EIO, "hostinfo: getrandom failed");
    struct ringbox *rb = calloc(1, sizeof(*rb));
    if (!rb)
        return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "ringbox: cannot allocate the handle");
    rb->cfg = *cfg;
    /* The strings are copied: the caller's may go before the handle does. */
    hostinfo_init(&rb->host, cfg->uname_release, cfg->hostname, key);
    rb->cfg.uname_release = rb->host.release;
    rb->cfg.hostname = rb->host.nodename;
    rb->cfg.mem_bytes &= ~(uint64_t)(MEM_PAGE - 1);
    rb->kvm_fd = rb->vm_fd = rb->vcpu_fd = -1;
    rb->lim.timer[0] = rb->lim.timer[1] = -1;
    rb->trace.on = cfg->trace_fd >= 0 || cfg->trace.summary;
    fs_init(&rb->fs);
    /* The program sees the ids its files get on the host. */
    rb->proc.uid = cfg->user.set ? cfg->user.uid : getuid();
    rb->proc.gid = cfg->user.set ? cfg->user.gid : getgid();
    rc = kvm_build(rb, err);
    if (rc < 0) {
        ringbox_destroy(rb);
        return rc;
    }
    rc = sig_init(rb);
    if (rc < 0) {
        ringbox_destroy(rb);
        return rb_fail(err, RINGBOX_ENOKVM, -rc, "kvm: KVM_GET_XSAVE failed");
    }
    mm_init(&rb->mm, &rb->mem);
    sysarg_rlimit_defaults(rb->proc.rlim_cur, rb->proc.rlim_max, rb->mem.size);
    if (cfg->max_fds)
        rb->proc.rlim_cur[RLIMIT_NOFILE] = rb->proc.rlim_max[RLIMIT_NOFILE] = cfg->max_fds;
    rc = fd_init_stdio(&rb->fds);
    if (rc < 0) {
        ringbox_destroy(rb);
        return rb_fail(err, RINGBOX_ENOMEM, -rc, "fd: cannot give the guest its standard streams");
    }
    *out = rb;
    return 0;
}

API int ringbox_load(ringbox_t *rb, const char *path, char *const argv[], char *const envp[],
                     struct ringbox_error *err)
{
    if (!rb || !path)
        return rb_fail(err, RINGBOX_EINVAL, 0, "ringbox: load needs a handle and a path");
    if (rb->loaded || rb->load_failed)
        return rb_fail(err, RINGBOX_EINVAL, 0,
                       rb->loaded ? "ringbox: a program is already loaded"
                                  : "ringbox: an earlier load failed; create a new sandbox");
    int rc = fs_set_cmdline(rb, argv, err);
    if (rc == 0)
        rc = exec_load(rb, path, argv, envp, err);
    if (rc < 0) {
        /* A failed load may leave part of an image mapped. */
        rb->load_failed = true;
        return rc;
    }
    rb->loaded = true;
    /* The task's name is the last component of the path it was executed
     * by, cut to 15 bytes (fs/exec.c, begin_new_exec(), __set_task_comm()). */
    const char *base = strrchr(path, '/');
    snprintf(rb->proc.comm, sizeof(rb->proc.comm), "%s", base ? base + 1 : path);
    return 0;
}

/* Mounts and the working directory shape the view exec_load builds. */
static int before_load(ringbox_t *rb, const char *what, struct ringbox_error *err)
{
    if (!rb)
        return rb_fail(err, RINGBOX_EINVAL, 0, "ringbox: %s needs a handle", what);
    if (rb->loaded || rb->load_failed)
        return rb_fail(err, RINGBOX_EINVAL, 0, "ringbox: %s must come before ringbox_load", what);
    return 0;
}

API int ringbox_mount(ringbox_t *rb, const char *host, const char *guest, unsigned flags,
                      struct ringbox_error *err)
{
    int rc = before_load(rb, "mount", err);
    return rc < 0 ? rc : fs_mount_add(rb, host, guest, flags, true, err);
}

API int ringbox_mount_tmpfs(ringbox_t *rb, const char *guest, uint64_t size_bytes,
                            struct ringbox_error *err)
{
    int rc = before_load(rb, "mount", err);
    return rc < 0 ? rc : fs_tmpfs_add(rb, guest, size_bytes, true, err);
}

API int ringbox_chdir(ringbox_t *rb, const char *guest, struct ringbox_error *err)
{
    int rc = before_load(rb, "chdir", err);
    return rc < 0 ? rc : fs_chdir_request(rb, guest, err);
}

API int ringbox_run(ringbox_t *rb, struct ringbox_result *res, struct ringbox_error *err)
{
    if (!rb || !res)
        return rb_fail(err, RINGBOX_EINVAL, 0, "ringbox: run needs a handle and a result");
    if (!rb->loaded || rb->ran)
        return rb_fail(err, RINGBOX_EINVAL, 0, rb->ran ? "ringbox: the program already ran"
                                                      : "ringbox: no program is loaded");
    memset(res, 0, sizeof(*res));
    rb->res = res;
    rb->ran = true;
    int rc = kvm_prepare(rb, err);
    if (rc == 0) {
        int e = sig_run_begin(rb);
        if (e < 0)
            rc = rb_fail(err, RINGBOX_EKVM, -e, "signal: cannot set up the alarm's host signal and timer");
    }
    if (rc == 0) {
        int e = limit_run_begin(rb);
        if (e < 0)
            rc = rb_fail(err, RINGBOX_EKVM, -e, "limit: cannot arm the time limits' host timers");
    }
    if (rc == 0)
        rc = confine_privileges(rb, err);
    if (rc == 0 && rb->cfg.confine)
        rc = seccomp_confine(rb, rb->cfg.confine == RINGBOX_CONFINE_PROCESS, err);
    if (rc == 0 && rb->cfg.confine)
        res->confinement.applied |= RINGBOX_CONFINED_SECCOMP;
    if (rc == 0)
        rc = kvm_loop(rb, err);
    limit_run_end(rb);
    trace_end(rb);
    sig_run_end(rb);
    rb->res = NULL;
    return rc;
}

API void ringbox_destroy(ringbox_t *rb)
{
    if (!rb)
        return;
    sig_fini(rb);
    fd_fini(&rb->fds);
    fs_fini(&rb->fs);
    mm_fini(&rb->mm);
    hostinfo_fini(&rb->host);
    kvm_teardown(rb);
    free(rb->proc.exe);
    free(rb);
}

void vm_exit(struct ringbox *rb, int status)
{
    assert(rb->res);
    rb->ended = true;
    rb->res->end = RINGBOX_EXITED;
    rb->res->status = status & 0xff;
}

void vm_kill(struct ringbox *rb, int sig)
{
    assert(rb->res);
    rb->ended = true;
    rb->res->end = RINGBOX_SIGNALED;
    rb->res->status = sig;
    rb->res->core_dumped = sig_default_action(sig) == SIG_DFL_CORE;
}
