/* confine.h - the VMM gives up its privileges before the guest runs. */
#ifndef RB_CONFINE_H
#define RB_CONFINE_H

#include <stdbool.h>
#include <stdint.h>
#include "ringbox.h"

struct ringbox;

/* The Landlock ABI ringbox needs at least: ABI 1 refuses every rename or
 * link into another directory (EXDEV), which LANDLOCK_ACCESS_FS_REFER (ABI
 * 2) lets a ruleset allow.  And the newest whose rights it knows. */
#define CONFINE_LANDLOCK_MIN_ABI 2
#define CONFINE_LANDLOCK_MAX_ABI 3

/* The run's privileges, given up in this order just before the seccomp
 * filter (docs/security.md): with cfg.confine, lock the securebits and
 * empty the bounding set where the thread holds CAP_SETPCAP; with
 * cfg.user, give the private directory to the new ids and take them (the
 * calling thread's alone under RINGBOX_CONFINE_THREAD, else every
 * thread's); with cfg.confine, drop every capability, set no_new_privs and
 * restrict the thread's file access with Landlock to the view's mounts
 * and the private directory, when the kernel has Landlock ABI
 * CONFINE_LANDLOCK_MIN_ABI or later.  Records what it did in
 * rb->res->confinement.  Irreversible.  0 or RINGBOX_ESECCOMP with `err`
 * filled. */
int confine_privileges(struct ringbox *rb, struct ringbox_error *err);

/* ---- pure helpers, exported for the unit tests ---------------------------- */

/* The Landlock file-system rights a ruleset handles under ABI `abi`
 * (capped at CONFINE_LANDLOCK_MAX_ABI): handling every right the kernel
 * knows makes each one denied unless a rule grants it. */
uint64_t confine_landlock_handled(int abi);
/* The rights a rule grants, within `handled`: reading for a read-only
 * mount, everything but execution for a writable one; only the rights a
 * file can carry when the rule's inode is not a directory. */
uint64_t confine_landlock_rights(uint64_t handled, bool writable, bool directory);

#endif
