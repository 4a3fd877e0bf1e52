/* hostinfo.h - what the sandbox tells the program instead of the host's
 * identity (docs/security.md, "What the guest can learn about the host"):
 * uname's strings, and device and inode numbers renamed so that no host
 * number reaches the guest.  Pure: no syscalls.
 *
 * Renaming.  Every (st_dev, st_ino) pair the guest sees, in stat, statx,
 * getdents64's d_ino, /proc/self/maps and the "pipe:[ino]" links of
 * /proc/self/fd, goes through the two maps below, so one host file has one
 * guest identity wherever it shows, and two host files never share one:
 * find, tar, cp -a and du tell files apart and spot hard links by that
 * pair.  Both maps are injective and fixed for the handle's life.
 *
 *  - An inode number goes through a keyed permutation of its range
 *    (Feistel rounds, cycle-walked onto the range it came from): 0 stays 0,
 *    one below 2^32 stays below (and non-zero), one above stays above.  No
 *    state, so a guest that lists a million files costs no memory.  The key
 *    is the handle's own, so the numbers differ from run to run.
 *  - A device number becomes makedev(0, N), major 0 being Linux's "unnamed"
 *    devices (Documentation/admin-guide/devices.txt), N counting the
 *    distinct host devices in the order the guest first sees them.  The
 *    guest cannot make host devices, so the table is as small as the set of
 *    host file systems its view reaches.
 */
#ifndef RB_HOSTINFO_H
#define RB_HOSTINFO_H

#include <stddef.h>
#include <stdint.h>

struct stat;
struct statx;

/* struct new_utsname's fields (include/uapi/linux/utsname.h): 64 bytes and NUL. */
#define HOSTINFO_UTS_LEN 65
/* Feistel rounds of the inode permutation, one key word each. */
#define HOSTINFO_ROUNDS 6

struct hostinfo {
    char release[HOSTINFO_UTS_LEN];
    char nodename[HOSTINFO_UTS_LEN];
    uint64_t key[HOSTINFO_ROUNDS];
    uint64_t *devs; /* host st_dev of guest minor i + 1 */
    size_t ndevs, cap;
};

/* Why `release` (an uname release) or `name` (a host name) is refused, as
 * a phrase for "uname: release 'X' refused: WHY", or NULL when it is
 * accepted (include/ringbox.h, struct ringbox_config). */
const char *hostinfo_check_release(const char *release);
const char *hostinfo_check_hostname(const char *name);

/* Set the strings (NULL: the RINGBOX_DEFAULT_* ones; both already
 * checked) and the permutation's key; no device seen yet. */
void hostinfo_init(struct hostinfo *h, const char *release, const char *hostname,
                   const uint64_t key[HOSTINFO_ROUNDS]);
void hostinfo_fini(struct hostinfo *h);

/* The guest's inode number for host inode number `ino`. */
uint64_t hostinfo_ino(const struct hostinfo *h, uint64_t ino);
/* The guest's device number for host device `dev` into *out (userspace
 * dev_t encoding, as st_dev holds it).  0, or -ENOMEM when a new device
 * does not fit in the table. */
int hostinfo_dev(struct hostinfo *h, uint64_t dev, uint64_t *out);

/* Rename st_dev and st_ino in place.  0 or -ENOMEM. */
int hostinfo_stat(struct hostinfo *h, struct stat *st);
/* Rename stx_dev_* and stx_ino in place, and drop the host's mount id and
 * subvolume id (STATX_MNT_ID, STATX_MNT_ID_UNIQUE, STATX_SUBVOL), which
 * only name host objects.  0 or -ENOMEM. */
int hostinfo_statx(struct hostinfo *h, struct statx *sx);
/* Rename d_ino in each linux_dirent64 record of a getdents64 result of
 * `len` bytes, which the host kernel wrote and so is well formed. */
void hostinfo_dirents(const struct hostinfo *h, void *buf, size_t len);

#endif
