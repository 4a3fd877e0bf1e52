/* ringbox.h - run an untrusted x86-64 Linux program in guest ring 3 of a KVM VM.
 *
 * Usage:
 *     struct ringbox_config cfg;
 *     struct ringbox_error err;
 *     struct ringbox_result res;
 *     ringbox_t *rb;
 *     ringbox_config_init(&cfg);
 *     if (ringbox_create(&cfg, &rb, &err) < 0) ...err.message...
 *     if (ringbox_load(rb, "/bin/prog", argv, envp, &err) < 0) ...
 *     if (ringbox_run(rb, &res, &err) < 0) ...
 *     ringbox_destroy(rb);
 *
 * Errors.  Every fallible call returns 0 on success or a negative
 * enum ringbox_status.  When `err` is not NULL it also receives the status,
 * the host errno that caused it (or 0), and a one-line message of the form
 * "subsystem: what failed: why".  The library never prints and never exits.
 *
 * Threads.  A handle is used by one thread at a time.  Unless
 * cfg.confine is RINGBOX_CONFINE_NONE, ringbox_run() confines the calling
 * thread, or the whole process, with seccomp; see enum ringbox_confine.
 */
#ifndef RINGBOX_H
#define RINGBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RINGBOX_VERSION "0.1.0"

/* Syscall numbers below this are counted one by one in the result. */
#define RINGBOX_SYSCALL_SLOTS 512

/* The one host signal libringbox uses (a realtime signal, 62 = SIGRTMAX-2
 * with glibc and musl alike).  ringbox_run() installs a no-op handler for it
 * once per process (without SA_RESTART), keeps it blocked on the calling
 * thread while the sandbox runs, except inside KVM_RUN and blocking calls
 * made for the guest, and aims a POSIX timer at that thread with it to
 * deliver the guest's alarm.  The thread's mask is restored when
 * ringbox_run() returns.  Embedders must leave this signal alone. */
#define RINGBOX_HOST_SIGNAL 62

typedef struct ringbox ringbox_t;

enum ringbox_status {
    RINGBOX_OK = 0,
    RINGBOX_ENOKVM = -1,   /* /dev/kvm missing, inaccessible, or lacking a needed capability */
    RINGBOX_EKVM = -2,     /* a KVM ioctl failed while building or running the VM */
    RINGBOX_ENOENT = -3,   /* the program file cannot be opened or read */
    RINGBOX_EBADELF = -4,  /* the program is not a valid x86-64 ELF executable */
    RINGBOX_EDYNAMIC = -5, /* its ELF interpreter is missing from the file view or unusable */
    RINGBOX_ENOMEM = -6,   /* host memory, or the program does not fit in guest memory */
    RINGBOX_EINVAL = -7,   /* a bad argument, or a call in the wrong state */
    RINGBOX_EGUEST = -8,   /* the guest machine failed (stub fault, triple fault, KVM exit error) */
    RINGBOX_ESECCOMP = -9, /* the VMM could not confine itself (identity, capabilities,
                            * Landlock or seccomp; docs/security.md) */
    RINGBOX_EMOUNT = -10,  /* a mount or the working directory is unusable (see ringbox_mount) */
};

struct ringbox_error {
    enum ringbox_status status;
    int os_errno;
    char message[256];
};

struct ringbox_transition;

/* The trace's events (docs/trace.md, docs/trace-json.md). */
#define RINGBOX_TRACE_SYSCALL 0x01u  /* a forwarded syscall: arguments, result, route, cost */
#define RINGBOX_TRACE_FAULT 0x02u    /* an exception the program raised */
#define RINGBOX_TRACE_SIGNAL 0x04u   /* a signal delivered, or its default action taken */
#define RINGBOX_TRACE_LIMIT 0x08u    /* a resource limit reached */
#define RINGBOX_TRACE_DENIED 0x10u   /* a file access the view refused (EACCES, EROFS, EPERM, EXDEV) */
#define RINGBOX_TRACE_REJECTED 0x20u /* port I/O or MMIO that was not a hypercall */
#define RINGBOX_TRACE_POLICY 0x40u   /* another policy decision ("no network") */
#define RINGBOX_TRACE_EXIT 0x80u     /* how the program ended */
#define RINGBOX_TRACE_ALL 0xffu

enum ringbox_trace_format {
    RINGBOX_TRACE_TEXT, /* aligned lines for people, after a legend */
    RINGBOX_TRACE_JSON, /* JSON Lines, one object per event (docs/trace-json.md) */
};

struct ringbox_trace {
    enum ringbox_trace_format format;
    /* The events written to trace_fd, RINGBOX_TRACE_* (default all). */
    unsigned events;
    /* The syscalls shown and counted: bit nr % 64 of word nr / 64 (default
     * all); numbers beyond RINGBOX_SYSCALL_SLOTS follow bit 0 of `other`. */
    uint64_t syscalls[RINGBOX_SYSCALL_SLOTS / 64];
    bool other;
    /* Keep per-syscall counts and times and measure where the run's time
     * went (guest ring 3, the crossings, the VMM), for
     * ringbox_trace_summary().  Works with trace_fd -1 as well. */
    bool summary;
};

/* How ringbox_run() confines the VMM before the guest's first instruction.
 * The policy is two-phase: creating the VM, loading the program and opening
 * the mounts run unrestricted; then, just before the first KVM_RUN, the VMM
 * gives up its privileges (docs/security.md): it locks the securebits,
 * empties the capability bounding set (both where it holds CAP_SETPCAP),
 * takes cfg.user's identity if set, drops every capability, sets
 * no_new_privs, limits its own file access with Landlock to the mounts and
 * its private directories (where the kernel has Landlock), and last installs
 * a seccomp allowlist: any host syscall outside it kills the whole process
 * with SIGSYS.  None of it can be lifted: the confined threads keep it after
 * ringbox_run() returns (they may still call ringbox_destroy and exit).
 * res.confinement says what was applied. */
enum ringbox_confine {
    /* No filter, no Landlock, capabilities kept (cfg.user still applies).
     * For debugging only: a VMM compromised by its guest then has the host
     * user's full rights. */
    RINGBOX_CONFINE_NONE = 0,
    /* The thread that calls ringbox_run(), and threads it creates later;
     * the process's other threads keep their freedom.  The default, for
     * embedders: run the sandbox on a dedicated thread. */
    RINGBOX_CONFINE_THREAD = 1,
    /* Every thread of the process, at once (seccomp's TSYNC): for a
     * process that exists to run the sandbox, as the ringbox command
     * does, so that no other thread is a way around the filter.
     * Capabilities, securebits and Landlock are per thread in Linux, so a
     * thread that already exists keeps its own (only the filter,
     * no_new_privs and cfg.user's identity reach it): start no thread
     * before the run for all of it to cover the process.  Fails
     * with RINGBOX_ESECCOMP if another thread already has a filter that
     * this one does not extend. */
    RINGBOX_CONFINE_PROCESS = 2,
};

/* A host identity for the VMM (struct ringbox_config.user). */
struct ringbox_user {
    bool set;          /* false: keep the caller's identity */
    uint32_t uid, gid; /* neither may be (uint32_t)-1 */
};

struct ringbox_config {
    /* Guest memory in bytes: the hard cap on everything the program maps
     * (and on the page tables that map it).  Rounded down to whole pages.
     * Host memory is reserved, not committed: it is touched only on use. */
    uint64_t mem_bytes;
    /* See enum ringbox_confine; `true` and `false` keep meaning thread
     * and none. */
    enum ringbox_confine confine;
    /* Write a live trace of every crossing (each syscall with its cost,
     * each fault, each policy denial) to this host fd, one line each; -1
     * for none.  The fd stays the caller's; the guest can never reach it. */
    int trace_fd;
    /* Called after each crossing of the boundary (a syscall served, an
     * exception handled) with the registers before and after; NULL for
     * none.  Its return value is a enum ringbox_step_action.  With
     * `confine`, it runs under the seccomp filter: it may write to fd 2 and
     * the trace fd and readv/ppoll any fd, little else. */
    int (*on_transition)(void *ctx, const struct ringbox_transition *t);
    void *on_transition_ctx;

    /* Resource limits, all enforced by the VMM; 0 means unlimited.  A limit
     * that stops the program ends the run with end = RINGBOX_LIMIT (see
     * struct ringbox_result), which ringbox_format_end() reports.
     *
     * Wall-clock time from the start of ringbox_run(), in ns.  Enforced by
     * a host timer that interrupts KVM_RUN and any blocking call the VMM
     * makes for the guest: a program spinning in ring 3, sleeping, or
     * blocked on a pipe is stopped alike. */
    uint64_t time_limit_ns;
    /* CPU time in ns of the thread that runs the vCPU, from the start of
     * ringbox_run(): the guest's own time and the VMM's time serving its
     * syscalls and faults, user and kernel alike (CLOCK_THREAD_CPUTIME_ID);
     * the host charges both to that one thread and cannot tell them apart.
     * The kernel checks CPU timers at its tick, so the stop comes up to a
     * few ms past the limit. */
    uint64_t cpu_limit_ns;
    /* Bytes the program may write to its standard output and standard
     * error together, counted on guest fds 1 and 2 as given and every fd
     * duplicated or reopened (/proc/self/fd, /dev/stdout) from them.  The
     * write that crosses the limit is cut to exactly the limit, and the
     * program is stopped: like RLIMIT_FSIZE it cannot write more, but
     * unlike SIGXFSZ it cannot ignore that and go on. */
    uint64_t max_output_bytes;
    /* Syscalls the program may make; the next one stops it unserved. */
    uint64_t max_syscalls;
    /* Open file descriptors: the program's RLIMIT_NOFILE, soft and hard
     * (getrlimit reports it; it can lower it, never raise it).  An open,
     * pipe or dup that needs fd N or beyond fails with EMFILE, dup2 onto
     * it with EBADF, as under Linux; the program is not stopped. */
    unsigned max_fds;
    /* Bytes the program may add to the host's disk through its --rw
     * mounts (the user's RINGBOX_MOUNT_RW ones), counted by the VMM as
     * the growth of st_blocks of the files it writes, fallocates or
     * copies into, with N / 1024 new names (files, directories, links)
     * at most; space it frees by truncating or punching holes is given
     * back, never below zero, and removing a file gives nothing back.
     * Beyond it the call fails with ENOSPC, a write that crosses it is
     * cut short, as on a full tmpfs; the program is not stopped.  Tmpfs
     * mounts have their own size (ringbox_mount_tmpfs). */
    uint64_t max_disk_bytes;
    /* What the trace shows and how (see struct ringbox_trace). */
    struct ringbox_trace trace;
    /* The VMM's host identity for the run: with user.set, ringbox_run()
     * drops every supplementary group and sets the real, effective and
     * saved ids to user.uid and user.gid once set-up is done, after giving
     * the private directories to them, so files the program creates
     * through a writable mount are theirs on the host (which must let them
     * write there).  Needs CAP_SETUID and CAP_SETGID (root); without them
     * ringbox_run() fails with RINGBOX_ESECCOMP.  Irreversible, like the
     * filter.  With RINGBOX_CONFINE_THREAD only the calling thread (and the
     * threads it creates later) changes identity; otherwise the whole
     * process does, as setresuid(2) in libc changes every thread.  Not set
     * (the default): the caller's identity stays, so as root such files are
     * root's. */
    struct ringbox_user user;

    /* What uname(2) tells the program instead of the host's identity
     * (docs/security.md, "What the guest can learn about the host"); NULL
     * for the defaults below.  Each is copied by ringbox_create, which
     * returns RINGBOX_EINVAL for one it refuses: more than 64 bytes, or a
     * byte outside printable ASCII or a space; a release must also begin
     * MAJOR.MINOR, at least 3.2, the oldest Linux that glibc releases
     * before 2.36 agree to start on ("FATAL: kernel too old"). */
    const char *uname_release;
    const char *hostname; /* also the nodename: gethostname(2) */
};

#define RINGBOX_DEFAULT_MEM (UINT64_C(1) << 30)
/* The size of the private /tmp, and of a tmpfs mount given none. */
#define RINGBOX_DEFAULT_TMPFS_BYTES (UINT64_C(64) << 20)
#define RINGBOX_MIN_MEM (UINT64_C(16) << 20)
/* uname's release and nodename by default; its version is always
 * "#1 SMP ringbox " RINGBOX_VERSION and its machine "x86_64". */
#define RINGBOX_DEFAULT_RELEASE "6.1.0-ringbox"
#define RINGBOX_DEFAULT_HOSTNAME "ringbox"

/* Fill `cfg` with defaults: RINGBOX_DEFAULT_MEM, confine =
 * RINGBOX_CONFINE_THREAD, trace_fd = -1, a text trace of every event and
 * syscall, no summary, no limits, uname's defaults (NULL). */
void ringbox_config_init(struct ringbox_config *cfg);

/* The paging-structure entries that map one address, as the MMU reads them
 * (SDM Vol. 3A 4.5): the PML4E, PDPTE, PDE and PTE, raw.  The walk stops
 * early at a not-present entry or a large page. */
struct ringbox_walk {
    uint64_t va;
    int levels;        /* entries read: 0 (non-canonical address) to 4 */
    uint64_t entry[4]; /* [0] PML4E, [1] PDPTE, [2] PDE, [3] PTE */
};

/* Check an uname release and host name (either may be NULL) as
 * ringbox_create checks cfg.uname_release and cfg.hostname.  Returns 0, or
 * RINGBOX_EINVAL with err saying why ("uname: release '2.0' refused: ..."). */
int ringbox_check_uname(const char *release, const char *hostname, struct ringbox_error *err);

/* Narrow `t` with one strace-style expression (as `ringbox trace -e`):
 *   trace=SET     syscalls shown, SET a comma list of names and %classes
 *                 (%file, %memory, %signal, %process, %network, %desc...),
 *                 `all`, `none`, and `!SET` for all but SET;
 *   fault, signal, limit, denied, rejected, policy, exit
 *                 (comma-separated, optionally `events=`): show only these
 *                 events besides the syscalls; `events=none` shows none.
 * The first trace= or events= expression replaces the default "all".
 * Returns 0, or RINGBOX_EINVAL with err naming what was not understood. */
int ringbox_trace_filter(struct ringbox_trace *t, const char *expr, struct ringbox_error *err);

/* After ringbox_run() with cfg.trace.summary: write the table of `strace
 * -c` (per syscall: share of time, seconds, usecs/call, calls, errors,
 * exits) and the split of the run's wall time into guest ring 3, the
 * crossings and the VMM's service, to host fd `fd`.  Returns 0, or
 * RINGBOX_EINVAL when there is no summary to write, or -1 if the write failed. */
int ringbox_trace_summary(const ringbox_t *rb, int fd);

/* The x86 exception that ended the program, when it ended by one. */
struct ringbox_fault {
    int vector;            /* 0-31 */
    uint64_t error_code;   /* as pushed by the CPU; 0 for vectors without one */
    uint64_t cr2;          /* faulting linear address, meaningful for #PF */
    uint64_t rip, rsp, rflags;
    /* Where insn/disasm come from: RIP, except after a trap (#BP), where
     * RIP already points past the INT3 and this is the INT3 itself. */
    uint64_t insn_addr;
    uint8_t insn[16];      /* bytes at insn_addr that the program could read */
    size_t insn_len;       /* how many of them; 0 if RIP was unreadable */
    char disasm[192];      /* Capstone's rendering of the instruction, or "" */
    /* The page walk of CR2 for #PF, of insn_addr for any other vector. */
    struct ringbox_walk walk;
    /* One plain line on why: "ring-3 code tried to write a read-only page",
     * "HLT is privileged: only ring 0 may execute it". */
    char explain[256];
};

/* The program's registers as ring 3 sees them. */
struct ringbox_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

enum ringbox_crossing {
    RINGBOX_CROSS_SYSCALL, /* SYSCALL: ring 3 -> the ring-0 stub -> the VMM -> ring 3 */
    RINGBOX_CROSS_FAULT,   /* an exception, the same way */
};

/* One crossing, as on_transition sees it. */
struct ringbox_transition {
    uint64_t seq;                /* 1 for the first crossing of the run */
    enum ringbox_crossing kind;
    long nr;                     /* the syscall number (RINGBOX_CROSS_SYSCALL) */
    int vector;                  /* the exception vector (RINGBOX_CROSS_FAULT) */
    int ring_before;             /* 3: the program */
    int ring_during;             /* 0: the stub, which hands the crossing to the VMM */
    int ring_after;              /* 3 when the program goes on, -1 when this ended it */
    struct ringbox_regs before;  /* at the crossing (RIP past SYSCALL, as RCX holds it) */
    struct ringbox_regs after;   /* where ring 3 resumes; equal to before when ring_after is -1 */
    uint64_t insn_addr;          /* the instruction that crossed: the SYSCALL, or the faulting one */
    char insn[192];              /* Capstone's rendering of it, or "" when unreadable */
    char next[192];              /* the instruction at after.rip, or "" */
    char explain[256];           /* for an exception, the plain line on why (as ringbox_fault's) */
};

/* What on_transition returns. */
enum ringbox_step_action {
    RINGBOX_STEP_NEXT = 0, /* go on, and call again at the next crossing */
    RINGBOX_STEP_RUN = 1,  /* go on, and stop calling for this run */
    RINGBOX_STEP_KILL = 2, /* kill the program with SIGKILL, as a kill would */
};

struct ringbox_counters {
    uint64_t exits;            /* KVM_RUN returns of any kind */
    uint64_t hypercalls;       /* accepted hypercalls (syscalls + faults) */
    uint64_t syscalls;         /* syscalls forwarded */
    /* The route each forwarded syscall took into the stub: SYSCALL landing
     * at CPL 0 as on real hardware, or kvm_pvm's #PF at LSTAR (CPL kept at
     * 3).  An architectural KVM never takes the second. */
    uint64_t syscalls_via_syscall;
    uint64_t syscalls_via_pf;
    uint64_t unknown_syscalls; /* answered -ENOSYS because ringbox lacks them */
    uint64_t faults;           /* exceptions raised by the program */
    uint64_t rejected_io;      /* port I/O or MMIO not from the stub: became #GP */
    uint64_t tlb_flushes;      /* returns that reloaded CR3 */
    uint64_t output_bytes;     /* written to stdout and stderr (max_output_bytes) */
    uint64_t emfile;           /* opens, pipes and dups refused with EMFILE */
    uint64_t by_syscall[RINGBOX_SYSCALL_SLOTS];
};

enum ringbox_end {
    RINGBOX_EXITED,   /* exit/exit_group; `status` is the exit status */
    RINGBOX_SIGNALED, /* killed by a signal; `status` is the signal number */
    RINGBOX_LIMIT,    /* stopped by the VMM at a limit (`limit`); `status` is
                       * SIGKILL, as the kernel stops a task at RLIMIT_CPU's
                       * hard limit, so a shell-style status reads 137 */
};

/* How the VMM confined itself for a run (docs/security.md), in the order
 * it happens, all before the program's first instruction. */
#define RINGBOX_CONFINED_SECUREBITS 0x01u /* securebits set and locked: root gains no
                                           * capability by exec or by changing ids */
#define RINGBOX_CONFINED_BOUNDING 0x02u   /* the capability bounding set emptied */
#define RINGBOX_CONFINED_USER 0x04u       /* it took the identity cfg.user names */
#define RINGBOX_CONFINED_CAPS 0x08u       /* effective, permitted, inheritable and
                                           * ambient capabilities all dropped */
#define RINGBOX_CONFINED_LANDLOCK 0x10u   /* Landlock: its own file access limited to
                                           * the mounts and its private directories */
#define RINGBOX_CONFINED_SECCOMP 0x20u    /* the seccomp allowlist installed */

struct ringbox_confinement {
    unsigned applied;      /* RINGBOX_CONFINED_*; 0 with RINGBOX_CONFINE_NONE and no user */
    uint32_t uid, gid;     /* the VMM's host identity during the run */
    /* The kernel's Landlock ABI version; 0 when it has none (too old, or
     * Landlock disabled), and then RINGBOX_CONFINED_LANDLOCK is clear. */
    int landlock_abi;
};

/* The limit that stopped the program (struct ringbox_config). */
enum ringbox_limit {
    RINGBOX_LIMIT_NONE,
    RINGBOX_LIMIT_TIME,     /* time_limit_ns */
    RINGBOX_LIMIT_CPU,      /* cpu_limit_ns */
    RINGBOX_LIMIT_OUTPUT,   /* max_output_bytes */
    RINGBOX_LIMIT_SYSCALLS, /* max_syscalls */
};

struct ringbox_result {
    enum ringbox_end end;
    int status;
    /* Killed by a signal whose default action is Core (signal(7)).  No core
     * file is written; the report says "(core dumped)" as a shell would. */
    bool core_dumped;
    bool faulted;                /* `fault` is valid */
    struct ringbox_fault fault;
    enum ringbox_limit limit;    /* with end = RINGBOX_LIMIT */
    /* The run's wall-clock time and the vCPU thread's CPU time (as
     * cpu_limit_ns counts it), in ns, from the start of ringbox_run(). */
    uint64_t wall_ns, cpu_ns;
    /* The limits the run had, for the report (copied from the config). */
    uint64_t time_limit_ns, cpu_limit_ns, max_output_bytes, max_syscalls;
    struct ringbox_counters counters;
    struct ringbox_confinement confinement;
};

/* Open /dev/kvm and build an empty machine: memory, page tables, GDT, TSS,
 * IDT, syscall MSRs and the ring-0 stub.  On success *out owns the VM.
 * Returns RINGBOX_ENOKVM, RINGBOX_EKVM, RINGBOX_ENOMEM or RINGBOX_EINVAL
 * (mem_bytes below RINGBOX_MIN_MEM or beyond what the host can reserve,
 * confine not one of enum ringbox_confine, a cfg.user id of -1, or an uname
 * string refused). */
int ringbox_create(const struct ringbox_config *cfg, ringbox_t **out, struct ringbox_error *err);

/* Load the ELF executable at `path` (static, or dynamic: then its
 * interpreter, ld.so, is opened inside the file view and the program starts
 * there) with the given NULL-terminated
 * argv and envp (either may be NULL, meaning empty; envp is passed as is,
 * the host environment is never added).  argv[0] is what the program sees;
 * AT_EXECFN and /proc/self/exe report `path`.  Once per handle; after a
 * failed load the handle can only be destroyed.
 * Builds the program's file view (see ringbox_mount).
 * Returns RINGBOX_ENOENT, RINGBOX_EBADELF, RINGBOX_EDYNAMIC,
 * RINGBOX_ENOMEM, RINGBOX_EMOUNT (the working directory is not in the
 * view, or the private directory cannot be made) or RINGBOX_EINVAL. */
int ringbox_load(ringbox_t *rb, const char *path, char *const argv[], char *const envp[],
                 struct ringbox_error *err);

/* The file view.  A program sees only what its view shows: by default the
 * program itself (read-only, at its absolute host path); for a dynamic
 * program the loader and /lib, /lib64, /usr/lib, /usr/lib64 and
 * /usr/local/lib where the host has them (read-only); /dev/null and
 * /dev/zero (writable), /dev/urandom and /dev/random (read-only);
 * /dev/stdin, /dev/stdout and /dev/stderr (symlinks to /proc/self/fd/0-2);
 * a private, writable, initially empty /tmp of RINGBOX_DEFAULT_TMPFS_BYTES
 * (a tmpfs mount: see ringbox_mount_tmpfs); and a synthetic /proc: self/
 * (exe, cmdline, maps, status, fd/), uptime and loadavg.  No `..`, symlink
 * or absolute path leads outside it: every path is resolved in the guest's
 * namespace and every step is opened beneath its mount on the host.
 * Device and inode numbers are the view's own, never the host's
 * (docs/security.md, "What the guest can learn about the host"). */

#define RINGBOX_MOUNT_RO 0x1u    /* read-only: any change is EROFS */
#define RINGBOX_MOUNT_RW 0x2u    /* writable: changes reach the host file or directory */
#define RINGBOX_MOUNT_TMPFS 0x4u /* a fresh tmpfs (host NULL) of RINGBOX_DEFAULT_TMPFS_BYTES,
                                  * writable: see ringbox_mount_tmpfs */

/* Show host path `host` (a directory or a single file; symlinks in it are
 * resolved now) at absolute guest path `guest`, with exactly one of the
 * RINGBOX_MOUNT_* flags.  Mounts come on top of the default view and may
 * shadow it; the longest mount point containing a path owns it, and of
 * two mounts at the same point the later wins.  Changes through a mount
 * (create, write, rename, unlink...) are allowed only in a writable one,
 * and a rename or link between two mounts is EXDEV, as between file
 * systems.  Before ringbox_load only.
 * Returns RINGBOX_EMOUNT (host path missing, guest path not absolute),
 * RINGBOX_EINVAL (bad flags, or called after ringbox_load) or
 * RINGBOX_ENOMEM. */
int ringbox_mount(ringbox_t *rb, const char *host, const char *guest, unsigned flags,
                  struct ringbox_error *err);

/* Show a fresh, empty, writable tmpfs of `size_bytes` (0: the default,
 * RINGBOX_DEFAULT_TMPFS_BYTES) and size_bytes / 1024 inodes at absolute
 * guest path `guest`, as ringbox_mount does; nothing outlives the handle.
 * Beyond its size a write is cut short and the next fails with ENOSPC,
 * and so do fallocate, copy_file_range and sendfile; ftruncate only sets
 * the size (sparse), as on Linux's tmpfs.  Where the process may make a
 * kernel tmpfs (root, or an unprivileged user namespace), it is one,
 * attached to no mount namespace, freed by the kernel however the
 * process ends; elsewhere it is a private directory under $TMPDIR (or
 * /tmp) that the VMM counts alike and removes at ringbox_destroy, or, if
 * the process was killed, at a later sandbox's start (docs/limits.md).
 * Returns what ringbox_mount does. */
int ringbox_mount_tmpfs(ringbox_t *rb, const char *guest, uint64_t size_bytes,
                        struct ringbox_error *err);

/* Start the program in guest directory `guest` (absolute) instead of "/".
 * Before ringbox_load only; ringbox_load then fails with RINGBOX_EMOUNT
 * if the view has no directory there.  Returns RINGBOX_EMOUNT (not
 * absolute), RINGBOX_EINVAL (after ringbox_load) or RINGBOX_ENOMEM. */
int ringbox_chdir(ringbox_t *rb, const char *guest, struct ringbox_error *err);

/* Run the loaded program until it exits or is killed, and describe how it
 * ended in *res.  A program's own failure (bad pointer, fault, unknown
 * syscall) is its business and still returns 0; only a failure of the
 * sandbox itself returns an error (RINGBOX_EKVM, RINGBOX_EGUEST,
 * RINGBOX_ESECCOMP, RINGBOX_EINVAL if nothing is loaded or it already ran). */
int ringbox_run(ringbox_t *rb, struct ringbox_result *res, struct ringbox_error *err);

/* Release everything the handle owns.  NULL is allowed. */
void ringbox_destroy(ringbox_t *rb);

/* Static strings, never NULL. */
const char *ringbox_strerror(int status);
const char *ringbox_version(void);
/* Linux name of syscall `nr` ("read"), or NULL if ringbox has no name for it. */
const char *ringbox_syscall_name(long nr);
/* Mnemonic of exception vector `v` ("#PF"), or "#??". */
const char *ringbox_vector_name(int v);
/* Linux name of signal `sig` ("SIGSEGV"), or "SIG??". */
const char *ringbox_signal_name(int sig);

/* Write the one-line report of how the program ended ("killed by SIGSEGV:
 * #PF ...") into buf, NUL-terminated.  Returns the length it needed, like
 * snprintf. */
int ringbox_format_end(const struct ringbox_result *res, char *buf, size_t len);

/* The rest of a fault's report, several lines each ending in '\n': the
 * explanation, the region holding the address, the faulting instruction
 * with a few instructions around it (from the bytes the program could
 * read; "=>" marks it) and the page walk with each level's P/RW/US/NX
 * bits.  `rb` is the sandbox the fault happened in, before
 * ringbox_destroy.  Returns the length it needed, like snprintf. */
int ringbox_format_fault(const ringbox_t *rb, const struct ringbox_fault *ft, char *buf, size_t len);

/* The program's address space as the guest's page tables map it, one range
 * a line: start-end, size, U/S, R/W, NX and what it is (stub text, GDT,
 * kernel stack, program text/data, heap, stack, libraries...), with the
 * guard pages shown as not present.  After ringbox_load, before
 * ringbox_destroy.  Writes into buf, NUL-terminated; returns the length it
 * needed, like snprintf (call with len 0 to size a buffer). */
int ringbox_format_maps(const ringbox_t *rb, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* RINGBOX_H */
