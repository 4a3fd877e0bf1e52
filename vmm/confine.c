/* confine.c - the VMM gives up its identity, capabilities and file access before the guest runs.
 *
 * Set-up needs privileges (opening /dev/kvm, the mounts, the private
 * directory); the run needs none.  So, as Firecracker's jailer does, the
 * VMM drops them all once set-up is done, each layer in the order that
 * still lets the next one be dropped, and seccomp.c's filter comes last
 * (as in Solo5's tenders), so none of the calls here needs an allowlist
 * entry:
 *   1. securebits, locked (needs CAP_SETPCAP): exec gives root no
 *      capability, and changing ids neither adds nor clears any, so step 3
 *      keeps what it needs, step 4 alone drops them all, and no later
 *      change of ids could give them back;
 *   2. the bounding set emptied (needs CAP_SETPCAP): no exec can gain one;
 *   3. cfg.user's groups, gid and uid (needs CAP_SETGID and CAP_SETUID,
 *      which is why it follows 1 and 2: leaving uid 0 without
 *      SECBIT_NO_SETUID_FIXUP would clear CAP_SETPCAP first);
 *   4. the ambient set cleared, then capset(2) empties the effective,
 *      permitted and inheritable sets;
 *   5. no_new_privs, which landlock_restrict_self(2) requires of a thread
 *      without CAP_SYS_ADMIN;
 *   6. Landlock: from here on the VMM opens, creates and removes files only
 *      beneath the view's mounts, with each mount's rights, and in its
 *      private directory.  Files opened before (/dev/kvm, the mounts' O_PATH
 *      fds, stdio) stay usable; O_PATH lookups are never checked, so the
 *      view's walk is unaffected.
 *
 * Credentials, no_new_privs and Landlock domains belong to a thread in
 * Linux and pass to the threads it creates (credentials(7),
 * landlock(7)).  libc's set*id() wrappers apply ids to every thread, as
 * POSIX requires; the raw syscalls change only the caller's, which is what
 * RINGBOX_CONFINE_THREAD promises.
 */
#define _GNU_SOURCE /* setresuid, setresgid, fdopendir */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/securebits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine.h"
#include "err.h"
#include "fs.h"
#include "vm.h"

/* Rights newer than the build's <linux/landlock.h> may know them
 * (include/uapi/linux/landlock.h): REFER is ABI 2 (Linux 5.19), TRUNCATE
 * ABI 3 (Linux 6.2). */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define LL_ABI1                                                                                    \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |  \
     LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
     LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |    \
     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |  \
     LANDLOCK_ACCESS_FS_MAKE_SYM)
/* landlock(7): the only rights a rule on a file (not a directory) may grant. */
#define LL_FILE                                                                                    \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |  \
     LANDLOCK_ACCESS_FS_TRUNCATE)
#define LL_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

/* capabilities(7), "The securebits flags", each set and locked: exec gives
 * root nothing (NOROOT), changing ids keeps the capability sets as they
 * are (NO_SETUID_FIXUP), keep_caps stays off, and no ambient capability
 * can be raised. */
#define SECUREBITS                                                                                 \
    (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED | \
     SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

uint64_t confine_landlock_handled(int abi)
{
    uint64_t handled = LL_ABI1;
    if (abi >= 2)
        handled |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return handled;
}

uint64_t confine_landlock_rights(uint64_t handled, bool writable, bool directory)
{
    /* The VMM never executes a file (the filter refuses execve). */
    uint64_t rights = handled & (writable ? ~LANDLOCK_ACCESS_FS_EXECUTE : LL_READ);
    return directory ? rights : rights & LL_FILE;
}

/* ---- capabilities ------------------------------------------------------------ */

static int caps(int nr, struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3])
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    return syscall(nr, &h, d) < 0 ? -errno : 0;
}

static bool has_cap(const struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3], int cap)
{
    return d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/* prctl(2): PR_CAPBSET_READ is EINVAL past the kernel's last capability
 * (/proc/sys/kernel/cap_last_cap), so the loop needs no file. */
static int empty_bounding_set(void)
{
    for (unsigned long cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return -errno;
    return errno == EINVAL ? 0 : -errno;
}

/* ---- identity ---------------------------------------------------------------- */

/* Give everything below directory `dir` to uid:gid.  Set-up made the tree
 * (the skeleton, /proc, the tmpfs directories); the guest has not run. */
static int chown_below(int dir, uid_t uid, gid_t gid)
{
    int fd = fs_host_open(dir, ".", O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return fd;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        return -e;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fchownat(fd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = -errno;
            break;
        }
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
            continue;
        int sub = fs_host_open(fd, e->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
        if (sub == -ENOTDIR)
            continue;
        rc = sub < 0 ? sub : chown_below(sub, uid, gid);
        if (sub >= 0)
            close(sub);
    }
    closedir(d);
    return rc;
}

static int set_ids(uid_t uid, gid_t gid, bool all_threads)
{
    if (all_threads)
        return setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0
                   ? -errno
                   : 0;
    return syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, gid, gid, gid) < 0 ||
                   syscall(SYS_setresuid, uid, uid, uid) < 0
               ? -errno
               : 0;
}

/* The private directory stays the VMM's: it makes /proc/self/fd listings
 * there during the run and removes the whole tree at the end.  Checked
 * first, so that a caller without the capabilities changes nothing. */
static int become_user(struct ringbox *rb, const struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3],
                       struct ringbox_error *err)
{
    const struct ringbox_user *u = &rb->cfg.user;
    const struct fs_view *v = &rb->fs;
    int rc = 0;
    if (!has_cap(d, CAP_SETUID) || !has_cap(d, CAP_SETGID) || !has_cap(d, CAP_CHOWN))
        return rb_fail(err, RINGBOX_ESECCOMP, EPERM,
                       "confine: cannot become uid %u gid %u without CAP_SETUID, CAP_SETGID and CAP_CHOWN",
                       u->uid, u->gid);
    if (v->priv_fd >= 0 && (fchownat(v->priv_fd, "", u->uid, u->gid, AT_EMPTY_PATH) < 0 ||
                            (rc = chown_below(v->priv_fd, u->uid, u->gid)) < 0))
        return rb_fail(err, RINGBOX_ESECCOMP, rc < 0 ? -rc : errno,
                       "confine: cannot give the private directory %s to uid %u gid %u", v->priv,
                       u->uid, u->gid);
    rc = set_ids(u->uid, u->gid, rb->cfg.confine != RINGBOX_CONFINE_THREAD);
    if (rc < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, -rc, "confine: cannot become uid %u gid %u", u->uid,
                       u->gid);
    rb->res->confinement.applied |= RINGBOX_CONFINED_USER;
    rb->res->confinement.uid = u->uid;
    rb->res->confinement.gid = u->gid;
    return 0;
}

/* ---- Landlock ---------------------------------------------------------------- */

static int add_rule(int ruleset, int fd, uint64_t rights)
{
    struct landlock_path_beneath_attr rule = {.allowed_access = rights, .parent_fd = fd};
    return syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0 ? -errno
                                                                                              : 0;
}

/* A file mount's rule is on the file itself, not on the directory its fd
 * holds: the mount shows that one name. */
static int add_mount_rule(int ruleset, const struct fs_mount *m, uint64_t handled)
{
    if (!m->name)
        return add_rule(ruleset, m->fd, confine_landlock_rights(handled, m->rw, true));
    int fd = fs_host_open(m->fd, m->name, O_PATH | O_NOFOLLOW, 0);
    if (fd < 0)
        return fd;
    int rc = add_rule(ruleset, fd, confine_landlock_rights(handled, m->rw, false));
    close(fd);
    return rc;
}

/* Every right on the private directory, and on the directory that holds
 * it ($TMPDIR) the one right fs_fini needs to remove it at the end. */
static int add_private_rules(int ruleset, const struct fs_view *v, uint64_t handled)
{
    if (v->priv_fd < 0)
        return 0;
    int rc = add_rule(ruleset, v->priv_fd, confine_landlock_rights(handled, true, true));
    int parent = rc < 0 ? -1 : openat(v->priv_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rc == 0 && parent < 0)
        rc = -errno;
    if (rc == 0)
        rc = add_rule(ruleset, parent, LANDLOCK_ACCESS_FS_REMOVE_DIR & handled);
    if (parent >= 0)
        close(parent);
    return rc;
}

static int restrict_files(struct ringbox *rb, struct ringbox_error *err)
{
    struct ringbox_confinement *c = &rb->res->confinement;
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0 && errno != ENOSYS && errno != EOPNOTSUPP)
        return rb_fail(err, RINGBOX_ESECCOMP, errno, "landlock: cannot read the kernel's ABI version");
    c->landlock_abi = abi < 0 ? 0 : (int)abi;
    if (c->landlock_abi < CONFINE_LANDLOCK_MIN_ABI)
        return 0;

    struct landlock_ruleset_attr attr = {.handled_access_fs = confine_landlock_handled(c->landlock_abi)};
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
    if (ruleset < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, errno, "landlock: cannot create a ruleset");
    const struct fs_view *v = &rb->fs;
    const char *what = NULL;
    int rc = 0;
    for (size_t i = 0; i < v->n && rc == 0; i++)
        if ((rc = add_mount_rule(ruleset, &v->m[i], attr.handled_access_fs)) < 0)
            what = v->m[i].host;
    if (rc == 0 && (rc = add_private_rules(ruleset, v, attr.handled_access_fs)) < 0)
        what = v->priv;
    if (rc == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
        rc = -errno;
    close(ruleset);
    if (rc < 0 && what)
        return rb_fail(err, RINGBOX_ESECCOMP, -rc, "landlock: cannot add a rule for %s", what);
    if (rc < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, -rc, "landlock: cannot restrict the VMM");
    c->applied |= RINGBOX_CONFINED_LANDLOCK;
    return 0;
}

/* ---- all of it, in order --------------------------------------------------------- */

int confine_privileges(struct ringbox *rb, struct ringbox_error *err)
{
    struct ringbox_confinement *c = &rb->res->confinement;
    bool confine = rb->cfg.confine != RINGBOX_CONFINE_NONE;
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    int rc;

    c->uid = (uint32_t)getuid();
    c->gid = (uint32_t)getgid();
    if ((rc = caps(SYS_capget, d)) < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, -rc, "confine: cannot read the VMM's capabilities");
    if (confine && has_cap(d, CAP_SETPCAP)) {
        if (prctl(PR_SET_SECUREBITS, SECUREBITS, 0, 0, 0) < 0)
            return rb_fail(err, RINGBOX_ESECCOMP, errno, "confine: cannot lock the securebits");
        c->applied |= RINGBOX_CONFINED_SECUREBITS;
        if ((rc = empty_bounding_set()) < 0)
            return rb_fail(err, RINGBOX_ESECCOMP, -rc, "confine: cannot empty the capability bounding set");
        c->applied |= RINGBOX_CONFINED_BOUNDING;
    }
    if (rb->cfg.user.set && (rc = become_user(rb, d, err)) < 0)
        return rc;
    if (!confine)
        return 0;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, errno, "confine: cannot clear the ambient capabilities");
    memset(d, 0, sizeof(d));
    if ((rc = caps(SYS_capset, d)) < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, -rc, "confine: cannot drop the capabilities");
    c->applied |= RINGBOX_CONFINED_CAPS;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return rb_fail(err, RINGBOX_ESECCOMP, errno, "confine: cannot set no_new_privs");
    return restrict_files(rb, err);
}
