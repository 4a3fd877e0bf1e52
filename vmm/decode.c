/* decode.c - syscalls rendered as strace renders them (see decode.h).
 * One signature per syscall (the kind of each argument, its result and its
 * classes), kind renderers, and flag tables built from the host's headers:
 * the guest is x86-64 Linux, so its constants and struct layouts are the
 * host's.  The few calls whose shape depends on an argument (openat's mode,
 * fcntl, futex, ioctl, prctl) are reshaped after the table pass. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>

#include "decode.h"
#include "strbuf.h"
#include "ringbox.h"
#include "sysarg.h"

#define ARRAY_LEN(x) (sizeof(x) / sizeof((x)[0]))

/* Kernel values glibc's x86-64 headers do not give as the kernel sees them:
 * O_LARGEFILE is 0 in glibc (every open is large there) but the guest's
 * flags carry the kernel's bit (include/uapi/asm-generic/fcntl.h);
 * SA_RESTORER is arch/x86/include/uapi/asm/signal.h. */
#define K_O_LARGEFILE 0100000
#define K_SA_RESTORER 0x04000000
/* include/uapi/asm-generic/mman-common.h; glibc leaves it out. */
#define K_PROT_SEM 0x8
/* MAP_HUGE_SHIFT, include/uapi/asm-generic/hugetlb_encode.h. */
#define K_MAP_HUGE_SHIFT 26
#define K_MAP_HUGE_MASK 0x3f

/* ---- output ----------------------------------------------------------------- */

static bool full(const struct strbuf *o)
{
    return o->n + 1 >= o->len;
}

/* Less than a quarter of the buffer left: arrays stop with ", ..." so that
 * their closing bracket still fits. */
static bool room_short(const struct strbuf *o)
{
    return o->n + o->len / 4 >= o->len;
}

/* A rendering that did not fit ends in "..." so it cannot be mistaken for
 * a whole one. */
static void finish(struct strbuf *o)
{
    if (o->len >= 4 && o->n >= o->len)
        memcpy(o->buf + o->len - 4, "...", 4);
}

/* ---- tables ------------------------------------------------------------------ */

struct xlat {
    uint64_t v;
    const char *name;
};
#define X(c) {(uint64_t)(c), #c}

static const char *xlat_find(const struct xlat *t, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].v == v)
            return t[i].name;
    return NULL;
}

/* One value: its name, or strace's `0x63 /+ AF_??? +/`. */
static void put_xlat(struct strbuf *o, const struct xlat *t, size_t n, uint64_t v, const char *prefix)
{
    const char *s = xlat_find(t, n, v);
    if (s)
        strbuf_put(o, "%s", s);
    else
        strbuf_put(o, "%#llx /* %s??? */", (unsigned long long)v, prefix);
}
#define PUT_XLAT(o, t, v, prefix) put_xlat(o, t, ARRAY_LEN(t), v, prefix)

/* A flag set: names in table order (multi-bit names before their parts),
 * the rest in hex; `zero` names an empty set ("0" when NULL). */
static void put_flags(struct strbuf *o, const struct xlat *t, size_t n, uint64_t v, const char *zero,
                      const char *prefix, bool sep)
{
    if (v == 0) {
        if (!sep)
            strbuf_put(o, "%s", zero ? zero : "0");
        return;
    }
    for (size_t i = 0; i < n && v; i++) {
        if (t[i].v && (v & t[i].v) == t[i].v) {
            strbuf_put(o, "%s%s", sep ? "|" : "", t[i].name);
            v &= ~t[i].v;
            sep = true;
        }
    }
    if (v && sep)
        strbuf_put(o, "|%#llx", (unsigned long long)v);
    else if (v)
        strbuf_put(o, "%#llx /* %s??? */", (unsigned long long)v, prefix);
}
#define PUT_FLAGS(o, t, v, zero, prefix) put_flags(o, t, ARRAY_LEN(t), v, zero, prefix, false)

/* strace's order (xlat/open_mode_flags.in): O_SYNC before its part
 * O_DSYNC, O_TMPFILE before its part O_DIRECTORY, FASYNC last. */
static const struct xlat open_flags[] = {
    X(O_CREAT),    X(O_EXCL),     X(O_NOCTTY),   X(O_TRUNC),   X(O_APPEND),
    X(O_NONBLOCK), X(O_SYNC),     X(O_DSYNC),    X(O_DIRECT),  {K_O_LARGEFILE, "O_LARGEFILE"},
    X(O_NOFOLLOW), X(O_NOATIME),  X(O_CLOEXEC),  X(O_PATH),    X(O_TMPFILE),
    X(O_DIRECTORY), X(FASYNC),
};
static const char *const open_acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};

static void put_open_flags(struct strbuf *o, uint64_t v)
{
    strbuf_put(o, "%s", open_acc[v & O_ACCMODE]);
    put_flags(o, open_flags, ARRAY_LEN(open_flags), v & ~(uint64_t)O_ACCMODE, NULL, "O_", true);
}

static const struct xlat at_flags[] = {
    X(AT_SYMLINK_NOFOLLOW), X(AT_REMOVEDIR), X(AT_SYMLINK_FOLLOW), X(AT_NO_AUTOMOUNT), X(AT_EMPTY_PATH),
};
/* 0x200 is AT_EACCESS for the access family, AT_REMOVEDIR for unlinkat. */
static const struct xlat access_at_flags[] = {
    X(AT_SYMLINK_NOFOLLOW), X(AT_EACCESS), X(AT_SYMLINK_FOLLOW), X(AT_NO_AUTOMOUNT), X(AT_EMPTY_PATH),
};
static const struct xlat statx_sync[] = {
    X(AT_STATX_SYNC_AS_STAT), X(AT_STATX_FORCE_SYNC), X(AT_STATX_DONT_SYNC),
};
static const struct xlat statx_mask[] = {
    X(STATX_ALL),   X(STATX_BASIC_STATS), X(STATX_TYPE),  X(STATX_MODE),  X(STATX_NLINK),
    X(STATX_UID),   X(STATX_GID),         X(STATX_ATIME), X(STATX_MTIME), X(STATX_CTIME),
    X(STATX_INO),   X(STATX_SIZE),        X(STATX_BLOCKS), X(STATX_BTIME), X(STATX_MNT_ID),
};
static const struct xlat access_modes[] = {X(R_OK), X(W_OK), X(X_OK)};
static const struct xlat whence[] = {X(SEEK_SET), X(SEEK_CUR), X(SEEK_END), X(SEEK_DATA), X(SEEK_HOLE)};
static const struct xlat prot_flags[] = {
    X(PROT_READ), X(PROT_WRITE), X(PROT_EXEC), {K_PROT_SEM, "PROT_SEM"}, X(PROT_GROWSDOWN), X(PROT_GROWSUP),
};
static const struct xlat map_types[] = {X(MAP_SHARED), X(MAP_PRIVATE), X(MAP_SHARED_VALIDATE)};
static const struct xlat map_flags[] = {
    X(MAP_FIXED),      X(MAP_ANONYMOUS),  X(MAP_32BIT),     X(MAP_NORESERVE), X(MAP_POPULATE),
    X(MAP_NONBLOCK),   X(MAP_GROWSDOWN),  X(MAP_DENYWRITE), X(MAP_EXECUTABLE), X(MAP_LOCKED),
    X(MAP_STACK),      X(MAP_HUGETLB),    X(MAP_SYNC),      X(MAP_FIXED_NOREPLACE),
};
static const struct xlat mremap_flags[] = {X(MREMAP_MAYMOVE), X(MREMAP_FIXED), X(MREMAP_DONTUNMAP)};
static const struct xlat madv[] = {
    X(MADV_NORMAL),    X(MADV_RANDOM),    X(MADV_SEQUENTIAL), X(MADV_WILLNEED),  X(MADV_DONTNEED),
    X(MADV_FREE),      X(MADV_REMOVE),    X(MADV_DONTFORK),   X(MADV_DOFORK),    X(MADV_MERGEABLE),
    X(MADV_UNMERGEABLE), X(MADV_HUGEPAGE), X(MADV_NOHUGEPAGE), X(MADV_DONTDUMP), X(MADV_DODUMP),
    X(MADV_WIPEONFORK), X(MADV_KEEPONFORK), X(MADV_COLD),     X(MADV_PAGEOUT),   X(MADV_HWPOISON),
};
static const struct xlat sa_flags[] = {
    {K_SA_RESTORER, "SA_RESTORER"}, X(SA_ONSTACK),   X(SA_RESTART),   X(SA_NODEFER),
    X(SA_RESETHAND),                X(SA_SIGINFO),   X(SA_NOCLDSTOP), X(SA_NOCLDWAIT),
};
static const struct xlat sig_how[] = {X(SIG_BLOCK), X(SIG_UNBLOCK), X(SIG_SETMASK)};
static const struct xlat ss_flags[] = {X(SS_ONSTACK), X(SS_DISABLE), {SYSARG_SS_AUTODISARM, "SS_AUTODISARM"}};
static const struct xlat clocks[] = {
    X(CLOCK_REALTIME),        X(CLOCK_MONOTONIC),        X(CLOCK_PROCESS_CPUTIME_ID),
    X(CLOCK_THREAD_CPUTIME_ID), X(CLOCK_MONOTONIC_RAW),  X(CLOCK_REALTIME_COARSE),
    X(CLOCK_MONOTONIC_COARSE), X(CLOCK_BOOTTIME),        X(CLOCK_REALTIME_ALARM),
    X(CLOCK_BOOTTIME_ALARM),  X(CLOCK_TAI),
};
static const struct xlat timer_flags[] = {X(TIMER_ABSTIME)};
static const struct xlat itimers[] = {X(ITIMER_REAL), X(ITIMER_VIRTUAL), X(ITIMER_PROF)};
static const struct xlat rusage_who[] = {X(RUSAGE_SELF), X(RUSAGE_CHILDREN), X(RUSAGE_THREAD)};
static const struct xlat fcntl_cmds[] = {
    X(F_DUPFD),     X(F_GETFD),       X(F_SETFD),       X(F_GETFL),       X(F_SETFL),
    X(F_GETLK),     X(F_SETLK),       X(F_SETLKW),      X(F_SETOWN),      X(F_GETOWN),
    X(F_SETSIG),    X(F_GETSIG),      X(F_SETOWN_EX),   X(F_GETOWN_EX),   X(F_OFD_GETLK),
    X(F_OFD_SETLK), X(F_OFD_SETLKW),  X(F_SETLEASE),    X(F_GETLEASE),    X(F_NOTIFY),
    X(F_DUPFD_CLOEXEC), X(F_SETPIPE_SZ), X(F_GETPIPE_SZ), X(F_ADD_SEALS), X(F_GET_SEALS),
};
static const struct xlat fd_cloexec[] = {X(FD_CLOEXEC)};
static const struct xlat ioctls[] = {
    X(TCGETS),    X(TCSETS),     X(TCSETSW),    X(TCSETSF),    X(TCGETA),     X(TCSETA),
    X(TCSBRK),    X(TCXONC),     X(TCFLSH),     X(TIOCSCTTY),  X(TIOCGPGRP),  X(TIOCSPGRP),
    X(TIOCOUTQ),  X(TIOCGWINSZ), X(TIOCSWINSZ), X(FIONREAD),   X(TIOCLINUX),  X(TIOCNOTTY),
    X(FIONBIO),   X(TIOCGPTN),   X(TIOCSPTLCK), X(FIONCLEX),   X(FIOCLEX),    X(FIOASYNC),
    X(TIOCGSID),
};
static const struct xlat domains[] = {
    X(AF_UNSPEC), X(AF_UNIX), X(AF_INET), X(AF_INET6), X(AF_NETLINK), X(AF_PACKET), X(AF_VSOCK),
};
static const struct xlat sock_types[] = {
    X(SOCK_STREAM), X(SOCK_DGRAM), X(SOCK_RAW), X(SOCK_RDM), X(SOCK_SEQPACKET), X(SOCK_DCCP),
    X(SOCK_PACKET),
};
static const struct xlat sock_flags[] = {X(SOCK_CLOEXEC), X(SOCK_NONBLOCK)};
static const struct xlat ip_protos[] = {
    X(IPPROTO_IP), X(IPPROTO_ICMP), X(IPPROTO_TCP), X(IPPROTO_UDP), X(IPPROTO_IPV6), X(IPPROTO_ICMPV6),
    X(IPPROTO_SCTP), X(IPPROTO_RAW),
};
static const struct xlat netlink_protos[] = {
    X(NETLINK_ROUTE),   X(NETLINK_USERSOCK), X(NETLINK_SOCK_DIAG), X(NETLINK_NFLOG),
    X(NETLINK_XFRM),    X(NETLINK_SELINUX),  X(NETLINK_AUDIT),     X(NETLINK_NETFILTER),
    X(NETLINK_KOBJECT_UEVENT), X(NETLINK_GENERIC),
};
static const struct xlat msg_flags[] = {
    X(MSG_OOB),      X(MSG_PEEK),     X(MSG_DONTROUTE), X(MSG_CTRUNC),     X(MSG_PROXY),
    X(MSG_TRUNC),    X(MSG_DONTWAIT), X(MSG_EOR),       X(MSG_WAITALL),    X(MSG_FIN),
    X(MSG_SYN),      X(MSG_CONFIRM),  X(MSG_RST),       X(MSG_ERRQUEUE),   X(MSG_NOSIGNAL),
    X(MSG_MORE),     X(MSG_WAITFORONE), X(MSG_CMSG_CLOEXEC),
};
static const struct xlat shut_how[] = {X(SHUT_RD), X(SHUT_WR), X(SHUT_RDWR)};
static const struct xlat sol_levels[] = {X(SOL_SOCKET), X(SOL_IP), {IPPROTO_TCP, "SOL_TCP"}, {IPPROTO_UDP, "SOL_UDP"}, X(SOL_IPV6)};
static const struct xlat so_names[] = {
    X(SO_DEBUG),    X(SO_REUSEADDR), X(SO_TYPE),     X(SO_ERROR),     X(SO_DONTROUTE),
    X(SO_BROADCAST), X(SO_SNDBUF),   X(SO_RCVBUF),   X(SO_KEEPALIVE), X(SO_OOBINLINE),
    X(SO_LINGER),   X(SO_REUSEPORT), X(SO_PASSCRED), X(SO_PEERCRED),  X(SO_RCVLOWAT),
    X(SO_SNDLOWAT), X(SO_RCVTIMEO),  X(SO_SNDTIMEO), X(SO_ACCEPTCONN), X(SO_PROTOCOL),
    X(SO_DOMAIN),
};
static const struct xlat rlimits[] = {
    X(RLIMIT_CPU),    X(RLIMIT_FSIZE),  X(RLIMIT_DATA),    X(RLIMIT_STACK),  X(RLIMIT_CORE),
    X(RLIMIT_RSS),    X(RLIMIT_NPROC),  X(RLIMIT_NOFILE),  X(RLIMIT_MEMLOCK), X(RLIMIT_AS),
    X(RLIMIT_LOCKS),  X(RLIMIT_SIGPENDING), X(RLIMIT_MSGQUEUE), X(RLIMIT_NICE), X(RLIMIT_RTPRIO),
    X(RLIMIT_RTTIME),
};
static const struct xlat arch_codes[] = {
    X(ARCH_SET_GS), X(ARCH_SET_FS), X(ARCH_GET_FS), X(ARCH_GET_GS), X(ARCH_GET_CPUID),
    X(ARCH_SET_CPUID), X(ARCH_MAP_VDSO_X32), X(ARCH_MAP_VDSO_32), X(ARCH_MAP_VDSO_64),
    {0x1021, "ARCH_GET_XCOMP_SUPP"}, {0x1022, "ARCH_GET_XCOMP_PERM"}, {0x1023, "ARCH_REQ_XCOMP_PERM"},
    {0x3001, "ARCH_CET_STATUS"},
};
static const struct xlat futex_ops[] = {
    X(FUTEX_WAIT),        X(FUTEX_WAKE),          X(FUTEX_FD),          X(FUTEX_REQUEUE),
    X(FUTEX_CMP_REQUEUE), X(FUTEX_WAKE_OP),       X(FUTEX_LOCK_PI),     X(FUTEX_UNLOCK_PI),
    X(FUTEX_TRYLOCK_PI),  X(FUTEX_WAIT_BITSET),   X(FUTEX_WAKE_BITSET), X(FUTEX_WAIT_REQUEUE_PI),
    X(FUTEX_CMP_REQUEUE_PI), {13, "FUTEX_LOCK_PI2"},
};
static const struct xlat grnd_flags[] = {X(GRND_NONBLOCK), X(GRND_RANDOM), {4, "GRND_INSECURE"}};
static const struct xlat close_range_flags[] = {X(CLOSE_RANGE_UNSHARE), X(CLOSE_RANGE_CLOEXEC)};
static const struct xlat rename_flags[] = {X(RENAME_NOREPLACE), X(RENAME_EXCHANGE), X(RENAME_WHITEOUT)};
static const struct xlat falloc_flags[] = {
    X(FALLOC_FL_KEEP_SIZE), X(FALLOC_FL_PUNCH_HOLE), X(FALLOC_FL_NO_HIDE_STALE),
    X(FALLOC_FL_COLLAPSE_RANGE), X(FALLOC_FL_ZERO_RANGE), X(FALLOC_FL_INSERT_RANGE),
    X(FALLOC_FL_UNSHARE_RANGE),
};
static const struct xlat mfd_flags[] = {X(MFD_CLOEXEC), X(MFD_ALLOW_SEALING), X(MFD_HUGETLB)};
static const struct xlat resolve_flags[] = {
    X(RESOLVE_NO_XDEV), X(RESOLVE_NO_MAGICLINKS), X(RESOLVE_NO_SYMLINKS), X(RESOLVE_BENEATH),
    X(RESOLVE_IN_ROOT), X(RESOLVE_CACHED),
};
static const struct xlat wait_opts[] = {
    X(WNOHANG), X(WUNTRACED), X(WCONTINUED), X(__WNOTHREAD), X(__WALL), X(__WCLONE),
};
static const struct xlat prctl_ops[] = {
    X(PR_SET_PDEATHSIG), X(PR_GET_PDEATHSIG), X(PR_GET_DUMPABLE), X(PR_SET_DUMPABLE),
    X(PR_SET_NAME),      X(PR_GET_NAME),      X(PR_GET_SECCOMP),  X(PR_SET_SECCOMP),
    X(PR_CAPBSET_READ),  X(PR_SET_TIMERSLACK), X(PR_GET_TIMERSLACK), X(PR_SET_NO_NEW_PRIVS),
    X(PR_GET_NO_NEW_PRIVS), X(PR_SET_THP_DISABLE), X(PR_GET_THP_DISABLE), X(PR_SET_VMA),
    X(PR_SET_CHILD_SUBREAPER), X(PR_GET_CHILD_SUBREAPER), X(PR_SET_MM),
};
/* include/linux/sched/coredump.h; glibc does not name them. */
static const struct xlat suid_dump[] = {{0, "SUID_DUMP_DISABLE"}, {1, "SUID_DUMP_USER"}, {2, "SUID_DUMP_ROOT"}};
static const struct xlat lock_types[] = {X(F_RDLCK), X(F_WRLCK), X(F_UNLCK)};
/* The file systems a sandbox shows. */
static const struct xlat fs_magics[] = {
    X(TMPFS_MAGIC),     X(EXT2_SUPER_MAGIC),      X(PROC_SUPER_MAGIC),   X(SYSFS_MAGIC),
    X(OVERLAYFS_SUPER_MAGIC), X(BTRFS_SUPER_MAGIC), X(XFS_SUPER_MAGIC),  X(NFS_SUPER_MAGIC),
    X(DEVPTS_SUPER_MAGIC), X(RAMFS_MAGIC),        X(SQUASHFS_MAGIC),     X(CGROUP2_SUPER_MAGIC),
};
/* statfs's f_flags (include/linux/statfs.h); glibc lacks ST_VALID. */
static const struct xlat st_flags[] = {
    {0x0001, "ST_RDONLY"}, {0x0002, "ST_NOSUID"}, {0x0004, "ST_NODEV"}, {0x0008, "ST_NOEXEC"},
    {0x0010, "ST_SYNCHRONOUS"}, {0x0020, "ST_VALID"}, {0x0040, "ST_MANDLOCK"},
    {0x0400, "ST_NOATIME"}, {0x0800, "ST_NODIRATIME"}, {0x1000, "ST_RELATIME"},
};
static const struct xlat sched_policies[] = {
    X(SCHED_OTHER), X(SCHED_FIFO), X(SCHED_RR), X(SCHED_BATCH), X(SCHED_IDLE), {6, "SCHED_DEADLINE"},
};
static const struct xlat poll_events[] = {
    X(POLLIN),     X(POLLPRI),    X(POLLOUT),    X(POLLERR),    X(POLLHUP),   X(POLLNVAL),
    X(POLLRDNORM), X(POLLRDBAND), X(POLLWRNORM), X(POLLWRBAND), X(POLLMSG),   X(POLLRDHUP),
};
static const struct xlat file_types[] = {
    X(S_IFSOCK), X(S_IFLNK), X(S_IFREG), X(S_IFBLK), X(S_IFDIR), X(S_IFCHR), X(S_IFIFO),
};
static const struct xlat mode_bits[] = {X(S_ISUID), X(S_ISGID), X(S_ISVTX)};

/* ---- argument kinds ----------------------------------------------------------- */

enum kind {
    K_INT = 0,    /* int, decimal (the default for a listed argument) */
    K_LONG,       /* long, decimal */
    K_ULONG,      /* size or count, unsigned decimal */
    K_HEX,        /* hex */
    K_PTR,        /* NULL or hex */
    K_DIRFD,      /* AT_FDCWD or a descriptor */
    K_PATH,       /* NUL-terminated path, shown whole */
    K_STR,        /* NUL-terminated string, capped */
    K_BUF_IN,     /* buffer whose length is the next argument */
    K_BUF_OUT,    /* buffer filled with `ret` bytes */
    K_BUF_HEX,    /* buffer filled with `ret` bytes, shown in \x hex (getrandom) */
    K_STR_OUT,    /* string filled in by the call (getcwd) */
    K_OFLAGS,     /* O_RDONLY|O_CLOEXEC */
    K_FDFLAGS,    /* O_CLOEXEC without an access mode (pipe2, dup3) */
    K_MODE,       /* octal */
    K_ATFLAGS,
    K_ACCESS_AT,  /* AT_EACCESS family */
    K_STATX_FLAGS,
    K_STATX_MASK,
    K_ACCESS,     /* F_OK, R_OK|W_OK */
    K_WHENCE,
    K_PROT,
    K_MAPFLAGS,
    K_MREMAP,
    K_MADV,
    K_SIG,
    K_SIGHOW,
    K_SIGSET,     /* in: const sigset_t * */
    K_SIGSET_OUT,
    K_SIGACT,     /* in: struct sigaction (kernel layout) */
    K_SIGACT_OUT,
    K_STACK,      /* in: stack_t */
    K_STACK_OUT,
    K_CLOCK,
    K_TIMER_FLAGS,
    K_TIMESPEC,   /* in */
    K_TIMESPEC_OUT,
    K_TIMEVAL_OUT,
    K_ITIMER,
    K_ITIMERVAL,
    K_ITIMERVAL_OUT,
    K_UTIMES,     /* utimensat's times[2] */
    K_FCNTL,
    K_IOCTL,
    K_DOMAIN,
    K_SOCKTYPE,
    K_PROTO,      /* needs the domain in argument 0 */
    K_SOCKADDR,   /* in, length is the next argument */
    K_SOCKADDR_OUT, /* out, length pointer is the next argument */
    K_INT_PTR,    /* [value] after the call, or the address */
    K_INT_PTR_IN, /* [value] before the call (an in-out length) */
    K_ULONG_PTR,  /* [value] of a 64-bit out */
    K_FD_PAIR,    /* [3, 4] */
    K_MSGFLAGS,
    K_SHUT,
    K_SOCKLEVEL,
    K_SOCKOPT,    /* needs the level in the argument before */
    K_SOCKOPT_VAL,  /* in, length next */
    K_MSGHDR,     /* sendmsg */
    K_MSGHDR_OUT, /* recvmsg */
    K_RLIMIT_RES,
    K_RLIMIT,
    K_RLIMIT_OUT,
    K_ARCH,
    K_FUTEX_OP,
    K_STAT_OUT,
    K_STATX_OUT,
    K_STATFS_OUT,
    K_UTSNAME_OUT,
    K_SYSINFO_OUT,
    K_TMS_OUT,
    K_RUSAGE_WHO,
    K_RUSAGE_OUT,
    K_DIRENTS,    /* getdents64's buffer: "0x... /+ 5 entries +/" */
    K_IOV,        /* in, count is the next argument */
    K_IOV_OUT,    /* filled with `ret` bytes */
    K_POLLFDS,    /* count is the next argument */
    K_FDSET,      /* select's sets, nfds in argument 0 */
    K_CPUSET_OUT,
    K_OPEN_HOW,
    K_GRND,
    K_CLOSE_RANGE,
    K_RENAME,
    K_FALLOC,
    K_MFD,
    K_WSTATUS_OUT,
    K_WAITOPTS,
    K_PRCTL,
    K_UINT,       /* unsigned int, decimal */
    K_FD_CLOEXEC, /* F_SETFD's argument */
    K_BITSET,     /* futex's val3 for the bitset operations */
    K_WINSIZE,    /* struct winsize, in */
    K_WINSIZE_OUT,
    K_HEX_PTR_OUT, /* [0x...] of a 64-bit out (ARCH_GET_FS) */
    K_TIMEVAL,    /* in (select's time-out, read before the call) */
    K_PSELECT_SIG, /* pselect6's {sigmask, sigsetsize} */
    K_SIG_OUT,    /* [SIGTERM] (PR_GET_PDEATHSIG) */
    K_DUMPABLE,   /* PR_SET_DUMPABLE's SUID_DUMP_* */
    K_REM,        /* a sleep's remaining time: written only when interrupted */
    K_FLOCK,      /* struct flock, in (F_SETLK) */
    K_FLOCK_OUT,  /* struct flock, out (F_GETLK) */
    K_SOCKLEN,    /* in-out length: [110] before, [110 => 16] if the call changed it */
};

/* Arguments the call fills in: rendered after it, and only when it
 * succeeded.  Every other kind is read before the call, as strace reads
 * it, so an in-out argument (select's sets, ppoll's time-out) shows what
 * the program passed and the result shows what came back. */
static bool kind_is_out(enum kind k)
{
    switch (k) {
    case K_BUF_OUT: case K_BUF_HEX: case K_STR_OUT: case K_SIGSET_OUT: case K_SIGACT_OUT:
    case K_STACK_OUT: case K_TIMESPEC_OUT: case K_TIMEVAL_OUT: case K_ITIMERVAL_OUT:
    case K_SOCKADDR_OUT: case K_INT_PTR: case K_FD_PAIR: case K_MSGHDR_OUT: case K_RLIMIT_OUT:
    case K_STAT_OUT: case K_STATX_OUT: case K_STATFS_OUT: case K_UTSNAME_OUT: case K_SYSINFO_OUT:
    case K_TMS_OUT: case K_RUSAGE_OUT: case K_DIRENTS: case K_IOV_OUT: case K_CPUSET_OUT:
    case K_WSTATUS_OUT: case K_WINSIZE_OUT: case K_HEX_PTR_OUT: case K_SIG_OUT: case K_REM:
    case K_FLOCK_OUT:
        return true;
    default:
        return false;
    }
}

enum ret_kind { R_DEC = 0, R_HEX, R_OCT, R_NONE };

struct sig {
    uint8_t n;     /* 0: not listed */
    uint8_t ret;
    uint32_t cls;
    uint8_t k[6];
};

#define S(cls, rk, ...) {sizeof((const uint8_t[]){__VA_ARGS__}), (rk), (cls), {__VA_ARGS__}}
/* Listed with no arguments: n is 1 past the count so that 0 can mean absent. */
#define S0(cls, rk) {0xff, (rk), (cls), {0}}

enum {
    F = DECODE_FILE,
    D = DECODE_DESC,
    M = DECODE_MEMORY,
    SG = DECODE_SIGNAL,
    P = DECODE_PROCESS,
    N = DECODE_NETWORK,
    C = DECODE_CREDS,
    CL = DECODE_CLOCK,
    PU = DECODE_PURE,
    ST = DECODE_STAT | DECODE_STAT_LIKE,
    LST = DECODE_LSTAT | DECODE_STAT_LIKE,
    FST = DECODE_FSTAT | DECODE_STAT_LIKE,
    SF = DECODE_STATFS | DECODE_STATFS_LIKE,
    FSF = DECODE_FSTATFS | DECODE_STATFS_LIKE,
};

/* Classes follow strace's linux/x86_64/syscallent.h. */
static const struct sig sigs[] = {
    [__NR_read] = S(D, R_DEC, K_INT, K_BUF_OUT, K_ULONG),
    [__NR_write] = S(D, R_DEC, K_INT, K_BUF_IN, K_ULONG),
    [__NR_open] = S(D | F, R_DEC, K_PATH, K_OFLAGS, K_MODE),
    [__NR_close] = S(D, R_DEC, K_INT),
    [__NR_stat] = S(F | ST, R_DEC, K_PATH, K_STAT_OUT),
    [__NR_fstat] = S(D | FST, R_DEC, K_INT, K_STAT_OUT),
    [__NR_lstat] = S(F | LST, R_DEC, K_PATH, K_STAT_OUT),
    [__NR_poll] = S(D, R_DEC, K_POLLFDS, K_UINT, K_INT),
    [__NR_lseek] = S(D, R_DEC, K_INT, K_LONG, K_WHENCE),
    [__NR_mmap] = S(D | M, R_HEX, K_PTR, K_ULONG, K_PROT, K_MAPFLAGS, K_INT, K_HEX),
    [__NR_mprotect] = S(M, R_DEC, K_PTR, K_ULONG, K_PROT),
    [__NR_munmap] = S(M, R_DEC, K_PTR, K_ULONG),
    [__NR_brk] = S(M, R_HEX, K_PTR),
    [__NR_rt_sigaction] = S(SG, R_DEC, K_SIG, K_SIGACT, K_SIGACT_OUT, K_ULONG),
    [__NR_rt_sigprocmask] = S(SG, R_DEC, K_SIGHOW, K_SIGSET, K_SIGSET_OUT, K_ULONG),
    [__NR_rt_sigreturn] = S0(SG, R_DEC),
    [__NR_ioctl] = S(D, R_DEC, K_INT, K_IOCTL, K_HEX),
    [__NR_pread64] = S(D, R_DEC, K_INT, K_BUF_OUT, K_ULONG, K_LONG),
    [__NR_pwrite64] = S(D, R_DEC, K_INT, K_BUF_IN, K_ULONG, K_LONG),
    [__NR_readv] = S(D, R_DEC, K_INT, K_IOV_OUT, K_INT),
    [__NR_writev] = S(D, R_DEC, K_INT, K_IOV, K_INT),
    [__NR_access] = S(F, R_DEC, K_PATH, K_ACCESS),
    [__NR_pipe] = S(D, R_DEC, K_FD_PAIR),
    [__NR_select] = S(D, R_DEC, K_INT, K_FDSET, K_FDSET, K_FDSET, K_TIMEVAL),
    [__NR_sched_yield] = S0(0, R_DEC),
    [__NR_mremap] = S(M, R_HEX, K_PTR, K_ULONG, K_ULONG, K_MREMAP, K_PTR),
    [__NR_msync] = S(M, R_DEC, K_PTR, K_ULONG, K_HEX),
    [__NR_mincore] = S(M, R_DEC, K_PTR, K_ULONG, K_PTR),
    [__NR_madvise] = S(M, R_DEC, K_PTR, K_ULONG, K_MADV),
    [__NR_dup] = S(D, R_DEC, K_INT),
    [__NR_dup2] = S(D, R_DEC, K_INT, K_INT),
    [__NR_pause] = S0(SG, R_DEC),
    [__NR_nanosleep] = S(0, R_DEC, K_TIMESPEC, K_REM),
    [__NR_getitimer] = S(0, R_DEC, K_ITIMER, K_ITIMERVAL_OUT),
    [__NR_alarm] = S(0, R_DEC, K_UINT),
    [__NR_setitimer] = S(0, R_DEC, K_ITIMER, K_ITIMERVAL, K_ITIMERVAL_OUT),
    [__NR_getpid] = S0(PU, R_DEC),
    [__NR_sendfile] = S(D | N, R_DEC, K_INT, K_INT, K_ULONG_PTR, K_ULONG),
    [__NR_socket] = S(N, R_DEC, K_DOMAIN, K_SOCKTYPE, K_PROTO),
    [__NR_connect] = S(N, R_DEC, K_INT, K_SOCKADDR, K_UINT),
    [__NR_accept] = S(N, R_DEC, K_INT, K_SOCKADDR_OUT, K_SOCKLEN),
    [__NR_sendto] = S(N, R_DEC, K_INT, K_BUF_IN, K_ULONG, K_MSGFLAGS, K_SOCKADDR, K_UINT),
    [__NR_recvfrom] = S(N, R_DEC, K_INT, K_BUF_OUT, K_ULONG, K_MSGFLAGS, K_SOCKADDR_OUT, K_SOCKLEN),
    [__NR_sendmsg] = S(N, R_DEC, K_INT, K_MSGHDR, K_MSGFLAGS),
    [__NR_recvmsg] = S(N, R_DEC, K_INT, K_MSGHDR_OUT, K_MSGFLAGS),
    [__NR_shutdown] = S(N, R_DEC, K_INT, K_SHUT),
    [__NR_bind] = S(N, R_DEC, K_INT, K_SOCKADDR, K_UINT),
    [__NR_listen] = S(N, R_DEC, K_INT, K_INT),
    [__NR_getsockname] = S(N, R_DEC, K_INT, K_SOCKADDR_OUT, K_SOCKLEN),
    [__NR_getpeername] = S(N, R_DEC, K_INT, K_SOCKADDR_OUT, K_SOCKLEN),
    [__NR_socketpair] = S(N, R_DEC, K_DOMAIN, K_SOCKTYPE, K_PROTO, K_FD_PAIR),
    [__NR_setsockopt] = S(N, R_DEC, K_INT, K_SOCKLEVEL, K_SOCKOPT, K_SOCKOPT_VAL, K_UINT),
    [__NR_getsockopt] = S(N, R_DEC, K_INT, K_SOCKLEVEL, K_SOCKOPT, K_INT_PTR, K_SOCKLEN),
    [__NR_exit] = S(P, R_NONE, K_INT),
    [__NR_wait4] = S(P, R_DEC, K_INT, K_WSTATUS_OUT, K_WAITOPTS, K_PTR),
    [__NR_kill] = S(SG | P, R_DEC, K_INT, K_SIG),
    [__NR_uname] = S(0, R_DEC, K_UTSNAME_OUT),
    [__NR_fcntl] = S(D, R_DEC, K_INT, K_FCNTL, K_HEX),
    [__NR_flock] = S(D, R_DEC, K_INT, K_INT),
    [__NR_fsync] = S(D, R_DEC, K_INT),
    [__NR_fdatasync] = S(D, R_DEC, K_INT),
    [__NR_truncate] = S(F, R_DEC, K_PATH, K_LONG),
    [__NR_ftruncate] = S(D, R_DEC, K_INT, K_LONG),
    [__NR_getcwd] = S(F, R_DEC, K_STR_OUT, K_ULONG),
    [__NR_chdir] = S(F, R_DEC, K_PATH),
    [__NR_fchdir] = S(D, R_DEC, K_INT),
    [__NR_rename] = S(F, R_DEC, K_PATH, K_PATH),
    [__NR_mkdir] = S(F, R_DEC, K_PATH, K_MODE),
    [__NR_rmdir] = S(F, R_DEC, K_PATH),
    [__NR_creat] = S(D | F, R_DEC, K_PATH, K_MODE),
    [__NR_link] = S(F, R_DEC, K_PATH, K_PATH),
    [__NR_unlink] = S(F, R_DEC, K_PATH),
    [__NR_symlink] = S(F, R_DEC, K_PATH, K_PATH),
    [__NR_readlink] = S(F, R_DEC, K_PATH, K_BUF_OUT, K_ULONG),
    [__NR_chmod] = S(F, R_DEC, K_PATH, K_MODE),
    [__NR_fchmod] = S(D, R_DEC, K_INT, K_MODE),
    [__NR_chown] = S(F, R_DEC, K_PATH, K_INT, K_INT),
    [__NR_fchown] = S(D, R_DEC, K_INT, K_INT, K_INT),
    [__NR_lchown] = S(F, R_DEC, K_PATH, K_INT, K_INT),
    [__NR_umask] = S(PU, R_OCT, K_MODE),
    [__NR_gettimeofday] = S(CL, R_DEC, K_TIMEVAL_OUT, K_PTR),
    [__NR_getrlimit] = S(0, R_DEC, K_RLIMIT_RES, K_RLIMIT_OUT),
    [__NR_getrusage] = S(0, R_DEC, K_RUSAGE_WHO, K_RUSAGE_OUT),
    [__NR_sysinfo] = S(0, R_DEC, K_SYSINFO_OUT),
    [__NR_times] = S(0, R_DEC, K_TMS_OUT),
    [__NR_getuid] = S0(C | PU, R_DEC),
    [__NR_getgid] = S0(C | PU, R_DEC),
    [__NR_geteuid] = S0(C | PU, R_DEC),
    [__NR_getegid] = S0(C | PU, R_DEC),
    [__NR_getppid] = S0(PU, R_DEC),
    [__NR_getpgrp] = S0(PU, R_DEC),
    [__NR_setsid] = S0(0, R_DEC),
    [__NR_rt_sigpending] = S(SG, R_DEC, K_SIGSET_OUT, K_ULONG),
    [__NR_rt_sigtimedwait] = S(SG, R_DEC, K_SIGSET, K_PTR, K_TIMESPEC, K_ULONG),
    [__NR_rt_sigsuspend] = S(SG, R_DEC, K_SIGSET, K_ULONG),
    [__NR_sigaltstack] = S(SG, R_DEC, K_STACK, K_STACK_OUT),
    [__NR_statfs] = S(F | SF, R_DEC, K_PATH, K_STATFS_OUT),
    [__NR_fstatfs] = S(D | FSF, R_DEC, K_INT, K_STATFS_OUT),
    [__NR_getpriority] = S(0, R_DEC, K_INT, K_INT),
    [__NR_sched_getparam] = S(0, R_DEC, K_INT, K_INT_PTR),
    [__NR_sched_getscheduler] = S(0, R_DEC, K_INT),
    [__NR_prctl] = S(C, R_DEC, K_PRCTL, K_HEX, K_HEX, K_HEX, K_HEX),
    [__NR_arch_prctl] = S(P, R_DEC, K_ARCH, K_HEX),
    [__NR_gettid] = S0(PU, R_DEC),
    [__NR_getxattr] = S(F, R_DEC, K_PATH, K_STR, K_BUF_OUT, K_ULONG),
    [__NR_lgetxattr] = S(F, R_DEC, K_PATH, K_STR, K_BUF_OUT, K_ULONG),
    [__NR_fgetxattr] = S(D, R_DEC, K_INT, K_STR, K_BUF_OUT, K_ULONG),
    [__NR_listxattr] = S(F, R_DEC, K_PATH, K_BUF_OUT, K_ULONG),
    [__NR_llistxattr] = S(F, R_DEC, K_PATH, K_BUF_OUT, K_ULONG),
    [__NR_flistxattr] = S(D, R_DEC, K_INT, K_BUF_OUT, K_ULONG),
    [__NR_tkill] = S(SG | P, R_DEC, K_INT, K_SIG),
    [__NR_time] = S(CL, R_DEC, K_ULONG_PTR),
    [__NR_futex] = S(0, R_DEC, K_PTR, K_FUTEX_OP, K_INT, K_TIMESPEC, K_PTR, K_HEX),
    [__NR_sched_setaffinity] = S(0, R_DEC, K_INT, K_UINT, K_PTR),
    [__NR_sched_getaffinity] = S(0, R_DEC, K_INT, K_UINT, K_CPUSET_OUT),
    [__NR_getdents64] = S(D, R_DEC, K_INT, K_DIRENTS, K_UINT),
    [__NR_set_tid_address] = S(0, R_DEC, K_PTR),
    [__NR_clock_gettime] = S(CL, R_DEC, K_CLOCK, K_TIMESPEC_OUT),
    [__NR_clock_getres] = S(CL, R_DEC, K_CLOCK, K_TIMESPEC_OUT),
    [__NR_clock_nanosleep] = S(CL, R_DEC, K_CLOCK, K_TIMER_FLAGS, K_TIMESPEC, K_REM),
    [__NR_exit_group] = S(P, R_NONE, K_INT),
    [__NR_tgkill] = S(SG | P, R_DEC, K_INT, K_INT, K_SIG),
    [__NR_openat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_OFLAGS, K_MODE),
    [__NR_mkdirat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_MODE),
    [__NR_newfstatat] = S(D | F | ST, R_DEC, K_DIRFD, K_PATH, K_STAT_OUT, K_ATFLAGS),
    [__NR_unlinkat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_ATFLAGS),
    [__NR_renameat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_DIRFD, K_PATH),
    [__NR_linkat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_DIRFD, K_PATH, K_ATFLAGS),
    [__NR_symlinkat] = S(D | F, R_DEC, K_PATH, K_DIRFD, K_PATH),
    [__NR_readlinkat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_BUF_OUT, K_ULONG),
    [__NR_fchmodat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_MODE),
    [__NR_faccessat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_ACCESS),
    [__NR_pselect6] = S(D, R_DEC, K_INT, K_FDSET, K_FDSET, K_FDSET, K_TIMESPEC, K_PSELECT_SIG),
    [__NR_ppoll] = S(D, R_DEC, K_POLLFDS, K_UINT, K_TIMESPEC, K_SIGSET, K_ULONG),
    [__NR_set_robust_list] = S(0, R_DEC, K_PTR, K_ULONG),
    [__NR_get_robust_list] = S(0, R_DEC, K_INT, K_PTR, K_PTR),
    [__NR_utimensat] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_UTIMES, K_ATFLAGS),
    [__NR_fallocate] = S(D, R_DEC, K_INT, K_FALLOC, K_LONG, K_LONG),
    [__NR_accept4] = S(N, R_DEC, K_INT, K_SOCKADDR_OUT, K_SOCKLEN, K_SOCKTYPE),
    [__NR_dup3] = S(D, R_DEC, K_INT, K_INT, K_FDFLAGS),
    [__NR_pipe2] = S(D, R_DEC, K_FD_PAIR, K_FDFLAGS),
    [__NR_prlimit64] = S(0, R_DEC, K_INT, K_RLIMIT_RES, K_RLIMIT, K_RLIMIT_OUT),
    [__NR_getcpu] = S(0, R_DEC, K_INT_PTR, K_INT_PTR, K_PTR),
    [__NR_renameat2] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_DIRFD, K_PATH, K_RENAME),
    [__NR_getrandom] = S(0, R_DEC, K_BUF_HEX, K_ULONG, K_GRND),
    [__NR_memfd_create] = S(D, R_DEC, K_STR, K_MFD),
    [__NR_copy_file_range] = S(D, R_DEC, K_INT, K_ULONG_PTR, K_INT, K_ULONG_PTR, K_ULONG, K_UINT),
    [__NR_statx] = S(D | F | ST, R_DEC, K_DIRFD, K_PATH, K_STATX_FLAGS, K_STATX_MASK, K_STATX_OUT),
    [__NR_rseq] = S(0, R_DEC, K_PTR, K_HEX, K_INT, K_HEX),
    [__NR_close_range] = S(D, R_DEC, K_UINT, K_UINT, K_CLOSE_RANGE),
    [__NR_openat2] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_OPEN_HOW, K_ULONG),
    [__NR_faccessat2] = S(D | F, R_DEC, K_DIRFD, K_PATH, K_ACCESS, K_ACCESS_AT),
};

static const struct sig *sig_of(long nr)
{
    if (nr < 0 || (unsigned long)nr >= ARRAY_LEN(sigs) || !sigs[nr].n)
        return NULL;
    return &sigs[nr];
}

unsigned decode_classes(long nr)
{
    const struct sig *s = sig_of(nr);
    return s ? s->cls : 0;
}

int decode_class_by_name(const char *name)
{
    static const struct xlat classes[] = {
        {DECODE_FILE, "file"},       {DECODE_DESC, "desc"},        {DECODE_MEMORY, "memory"},
        {DECODE_SIGNAL, "signal"},   {DECODE_PROCESS, "process"},  {DECODE_NETWORK, "network"},
        {DECODE_NETWORK, "net"},     {DECODE_IPC, "ipc"},          {DECODE_CREDS, "creds"},
        {DECODE_CLOCK, "clock"},     {DECODE_PURE, "pure"},        {DECODE_STAT, "stat"},
        {DECODE_LSTAT, "lstat"},     {DECODE_FSTAT, "fstat"},      {DECODE_STAT_LIKE, "%stat"},
        {DECODE_STATFS, "statfs"},   {DECODE_FSTATFS, "fstatfs"},  {DECODE_STATFS_LIKE, "%statfs"},
    };
    /* strace(1): the classes strace had before %-names are also accepted
     * bare; the newer ones need the %. */
    static const char *const bare[] = {"file", "desc", "memory", "signal", "process", "network", "ipc"};
    bool pct = name[0] == '%';
    const char *key = pct ? name + 1 : name;
    for (size_t i = 0; i < ARRAY_LEN(classes); i++) {
        if (strcmp(classes[i].name, key) != 0)
            continue;
        if (pct)
            return (int)classes[i].v;
        for (size_t j = 0; j < ARRAY_LEN(bare); j++)
            if (strcmp(bare[j], key) == 0)
                return (int)classes[i].v;
    }
    return -1;
}

/* The kernel's restart codes (include/linux/errno.h): a call a signal
 * interrupted, to be restarted or turned into EINTR on the way out, which
 * strace shows as "? NAME (text)". */
static const struct xlat restart_codes[] = {
    {512, "ERESTARTSYS"}, {513, "ERESTARTNOINTR"}, {514, "ERESTARTNOHAND"},
    {516, "ERESTART_RESTARTBLOCK"},
};
static const char *const restart_text[] = {
    "To be restarted if SA_RESTART is set", "To be restarted", "To be restarted if no handler",
    NULL, "Interrupted by signal",
};

/* ---- strings and memory ----------------------------------------------------- */

struct ctx {
    const struct guest_mem *m;
    const struct sys_args *a;
    int64_t ret;
    bool ok;        /* the call succeeded: out-parameters are filled */
};

static int peek(const struct ctx *c, void *dst, uint64_t va, size_t len)
{
    if (!c->m || !va)
        return -EFAULT;
    return mem_copy_from_user(c->m, dst, va, len);
}

static void put_addr(struct strbuf *o, uint64_t v)
{
    if (v)
        strbuf_put(o, "%#llx", (unsigned long long)v);
    else
        strbuf_put(o, "NULL");
}

/* strace's quoting (util.c, string_quote): C escapes for the usual
 * controls, octal for other non-printables (three digits when an octal
 * digit follows, so the reading is unambiguous), or \xNN for every byte
 * when `hex`. */
static void put_quoted(struct strbuf *o, const uint8_t *s, size_t n, bool more, bool hex)
{
    strbuf_put(o, "\"");
    for (size_t i = 0; i < n && !full(o); i++) {
        uint8_t ch = s[i];
        if (hex) {
            strbuf_put(o, "\\x%02x", ch);
            continue;
        }
        switch (ch) {
        case '"': strbuf_put(o, "\\\""); break;
        case '\\': strbuf_put(o, "\\\\"); break;
        case '\f': strbuf_put(o, "\\f"); break;
        case '\n': strbuf_put(o, "\\n"); break;
        case '\r': strbuf_put(o, "\\r"); break;
        case '\t': strbuf_put(o, "\\t"); break;
        case '\v': strbuf_put(o, "\\v"); break;
        default:
            if (ch >= ' ' && ch < 0x7f)
                strbuf_put(o, "%c", ch);
            else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7')
                strbuf_put(o, "\\%03o", ch);
            else
                strbuf_put(o, "\\%o", ch);
        }
    }
    strbuf_put(o, more ? "\"..." : "\"");
}

/* A buffer of `len` bytes at va, at most DECODE_STR_MAX of them shown. */
static void put_buf(struct strbuf *o, const struct ctx *c, uint64_t va, uint64_t len, bool hex)
{
    uint8_t b[DECODE_STR_MAX];
    size_t n = len < sizeof(b) ? (size_t)len : sizeof(b);
    if (peek(c, b, va, n) < 0) {
        put_addr(o, va);
        return;
    }
    put_quoted(o, b, n, len > n, hex);
}

/* A NUL-terminated string of at most `max` bytes shown. */
static void put_cstr(struct strbuf *o, const struct ctx *c, uint64_t va, size_t max)
{
    char b[DECODE_PATH_MAX + 1];
    if (!c->m || !va) {
        put_addr(o, va);
        return;
    }
    long n = mem_strncpy_from_user(c->m, b, va, max + 1);
    if (n == -ENAMETOOLONG)
        put_quoted(o, (const uint8_t *)b, max, true, false);
    else if (n < 0)
        put_addr(o, va);
    else
        put_quoted(o, (const uint8_t *)b, (size_t)n, false, false);
}

/* ---- small renderers ---------------------------------------------------------- */

static void put_sig(struct strbuf *o, uint64_t v)
{
    const char *ab = v > 0 && v < 32 ? sigabbrev_np((int)v) : NULL;
    if (ab)
        strbuf_put(o, "SIG%s", ab);
    else if (v == 32)
        strbuf_put(o, "SIGRTMIN");
    else if (v > 32 && v <= 64)
        strbuf_put(o, "SIGRT_%d", (int)v - 32);
    else
        strbuf_put(o, "%d", (int)v);
}

/* strace's sigset: member names without SIG, or ~[...] of the complement
 * when more than half the set is full. */
static void put_sigset(struct strbuf *o, uint64_t set)
{
    bool inv = __builtin_popcountll(set) > 32;
    if (inv)
        set = ~set;
    strbuf_put(o, "%s[", inv ? "~" : "");
    bool first = true;
    for (int s = 1; s <= 64; s++) {
        if (!(set >> (s - 1) & 1))
            continue;
        const char *ab = s < 32 ? sigabbrev_np(s) : NULL;
        strbuf_put(o, first ? "" : " ");
        first = false;
        if (ab)
            strbuf_put(o, "%s", ab);
        else if (s == 32)
            strbuf_put(o, "RTMIN");
        else if (s > 32)
            strbuf_put(o, "RT_%d", s - 32);
        else
            strbuf_put(o, "%d", s);
    }
    strbuf_put(o, "]");
}

static void put_mode(struct strbuf *o, uint64_t v)
{
    strbuf_put(o, "%#03llo", (unsigned long long)v);
}

/* st_mode: S_IFREG|0644, with the set-id and sticky bits named. */
static void put_st_mode(struct strbuf *o, uint32_t mode)
{
    const char *t = xlat_find(file_types, ARRAY_LEN(file_types), mode & S_IFMT);
    if (t)
        strbuf_put(o, "%s|", t);
    else if (mode & S_IFMT)
        strbuf_put(o, "%#o|", mode & S_IFMT);
    for (size_t i = 0; i < ARRAY_LEN(mode_bits); i++)
        if (mode & mode_bits[i].v)
            strbuf_put(o, "%s|", mode_bits[i].name);
    strbuf_put(o, "%#03o", mode & 0777);
}

static void put_timespec(struct strbuf *o, const struct ctx *c, uint64_t va)
{
    struct timespec t;
    if (peek(c, &t, va, sizeof(t)) < 0)
        put_addr(o, va);
    else
        strbuf_put(o, "{tv_sec=%lld, tv_nsec=%lld}", (long long)t.tv_sec, (long long)t.tv_nsec);
}

static void put_timeval(struct strbuf *o, const struct timeval *t)
{
    strbuf_put(o, "{tv_sec=%lld, tv_usec=%llu}", (long long)t->tv_sec, (unsigned long long)t->tv_usec);
}

static void put_rlim(struct strbuf *o, uint64_t v)
{
    if (v == SYSARG_RLIM_INFINITY)
        strbuf_put(o, "RLIM64_INFINITY");
    else if (v > 1024 && v % 1024 == 0)
        strbuf_put(o, "%llu*1024", (unsigned long long)(v / 1024));
    else
        strbuf_put(o, "%llu", (unsigned long long)v);
}

static void put_sockaddr(struct strbuf *o, const struct ctx *c, uint64_t va, uint64_t len)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    size_t n = len < sizeof(ss) ? (size_t)len : sizeof(ss);
    if (n < sizeof(sa_family_t) || peek(c, &ss, va, n) < 0) {
        put_addr(o, va);
        return;
    }
    strbuf_put(o, "{sa_family=");
    PUT_XLAT(o, domains, ss.ss_family, "AF_");
    if (ss.ss_family == AF_UNIX && n > offsetof(struct sockaddr_un, sun_path)) {
        const struct sockaddr_un *u = (const struct sockaddr_un *)&ss;
        size_t plen = n - offsetof(struct sockaddr_un, sun_path);
        bool abstract = u->sun_path[0] == 0;
        const char *p = u->sun_path + abstract;
        plen -= abstract;
        if (!abstract)
            plen = strnlen(p, plen);
        strbuf_put(o, ", sun_path=%s", abstract ? "@" : "");
        put_quoted(o, (const uint8_t *)p, plen, false, false);
    } else if (ss.ss_family == AF_INET && n >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
        strbuf_put(o, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")", ntohs(in->sin_port), a);
    } else if (ss.ss_family == AF_INET6 && n >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        char a[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
        strbuf_put(o, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u",
            ntohs(in6->sin6_port), ntohl(in6->sin6_flowinfo), a, in6->sin6_scope_id);
    } else if (n > sizeof(sa_family_t)) {
        strbuf_put(o, ", ...");
    }
    strbuf_put(o, "}");
}

/* iovecs with their data, `data` bytes of it in all (the call's result for
 * readv, everything for writev). */
static void put_iov(struct strbuf *o, const struct ctx *c, uint64_t va, uint64_t cnt, uint64_t data)
{
    struct sysarg_iovec v;
    if (cnt > SYSARG_IOV_MAX || (cnt && peek(c, &v, va, sizeof(v)) < 0)) {
        put_addr(o, va);
        return;
    }
    strbuf_put(o, "[");
    for (uint64_t i = 0; i < cnt; i++) {
        if (i && (room_short(o) || peek(c, &v, va + i * sizeof(v), sizeof(v)) < 0)) {
            strbuf_put(o, ", ...");
            break;
        }
        strbuf_put(o, "%s{iov_base=", i ? ", " : "");
        uint64_t show = v.len < data ? v.len : data;
        put_buf(o, c, v.base, show, false);
        data -= show;
        strbuf_put(o, ", iov_len=%llu}", (unsigned long long)v.len);
    }
    strbuf_put(o, "]");
}

/* poll's array: the events asked for, or after the call the non-zero
 * revents.  A negative fd is ignored by poll, and strace shows it bare. */
static void put_pollfds(struct strbuf *o, const struct ctx *c, uint64_t va, uint64_t n, bool revents)
{
    struct pollfd p;
    if (n && peek(c, &p, va, sizeof(p)) < 0) {
        put_addr(o, va);
        return;
    }
    strbuf_put(o, "[");
    bool first = true;
    for (uint64_t i = 0; i < n; i++) {
        if (i && (room_short(o) || peek(c, &p, va + i * sizeof(p), sizeof(p)) < 0)) {
            strbuf_put(o, ", ...");
            break;
        }
        if (revents && !p.revents)
            continue;
        strbuf_put(o, "%s{fd=%d", first ? "" : ", ", p.fd);
        first = false;
        if (revents || p.fd >= 0) {
            strbuf_put(o, ", %s=", revents ? "revents" : "events");
            PUT_FLAGS(o, poll_events, (uint16_t)(revents ? p.revents : p.events), NULL, "POLL");
        }
        strbuf_put(o, "}");
    }
    strbuf_put(o, "]");
}

/* select's fd_set: the members of the first nfds bits. */
static void put_fdset(struct strbuf *o, const struct ctx *c, uint64_t va, uint64_t nfds)
{
    uint8_t b[128];
    if (nfds > sizeof(b) * 8)
        nfds = sizeof(b) * 8;
    size_t n = (size_t)(nfds + 63) / 64 * 8;
    if (!va || peek(c, b, va, n) < 0) {
        put_addr(o, va);
        return;
    }
    strbuf_put(o, "[");
    bool first = true;
    for (uint64_t fd = 0; fd < nfds; fd++) {
        if (b[fd / 8] >> (fd % 8) & 1) {
            strbuf_put(o, "%s%llu", first ? "" : " ", (unsigned long long)fd);
            first = false;
        }
    }
    strbuf_put(o, "]");
}

static void put_wstatus(struct strbuf *o, int s)
{
    if (WIFEXITED(s))
        strbuf_put(o, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(s));
    else if (WIFSIGNALED(s)) {
        strbuf_put(o, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
        put_sig(o, (uint64_t)WTERMSIG(s));
        strbuf_put(o, "%s}]", WCOREDUMP(s) ? " && WCOREDUMP(s)" : "");
    } else if (WIFSTOPPED(s)) {
        strbuf_put(o, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
        put_sig(o, (uint64_t)WSTOPSIG(s));
        strbuf_put(o, "}]");
    } else {
        strbuf_put(o, "[%#x]", s);
    }
}

/* The kernel's struct sigaction (arch/x86/include/asm/signal.h), not
 * glibc's, whose mask is 128 bytes. */
struct ksigaction {
    uint64_t handler, flags, restorer, mask;
};

static void put_sigaction(struct strbuf *o, const struct ctx *c, uint64_t va)
{
    struct ksigaction k;
    if (peek(c, &k, va, sizeof(k)) < 0) {
        put_addr(o, va);
        return;
    }
    strbuf_put(o, "{sa_handler=");
    if (k.handler == (uint64_t)(uintptr_t)SIG_DFL)
        strbuf_put(o, "SIG_DFL");
    else if (k.handler == (uint64_t)(uintptr_t)SIG_IGN)
        strbuf_put(o, "SIG_IGN");
    else
        strbuf_put(o, "%#llx", (unsigned long long)k.handler);
    strbuf_put(o, ", sa_mask=");
    put_sigset(o, k.mask);
    strbuf_put(o, ", sa_flags=");
    PUT_FLAGS(o, sa_flags, k.flags, NULL, "SA_");
    if (k.flags & K_SA_RESTORER)
        strbuf_put(o, ", sa_restorer=%#llx", (unsigned long long)k.restorer);
    strbuf_put(o, "}");
}

/* getdents64's records, counted by walking their d_reclen fields
 * (struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name). */
static void put_dirents(struct strbuf *o, const struct ctx *c, uint64_t va)
{
    put_addr(o, va);
    if (!c->ok || !c->m)
        return;
    uint64_t at = 0, count = 0;
    while (at + 19 <= (uint64_t)c->ret) {
        uint16_t reclen;
        if (peek(c, &reclen, va + at + 16, sizeof(reclen)) < 0 || reclen < 19)
            return;
        at += reclen;
        count++;
    }
    strbuf_put(o, " /* %llu entries */", (unsigned long long)count);
}

/* Which argument is the sigsetsize of the calls that take a sigset. */
static int sigsetsize_arg(long nr)
{
    switch (nr) {
    case __NR_rt_sigprocmask:
    case __NR_rt_sigtimedwait:
        return 3;
    case __NR_ppoll:
        return 4;
    default:
        return 1; /* rt_sigpending, rt_sigsuspend */
    }
}

/* ---- one argument ------------------------------------------------------------ */

static void put_arg(struct strbuf *o, const struct ctx *c, int i, enum kind k)
{
    const uint64_t *a = c->a->a;
    uint64_t v = a[i];
    uint64_t next = i < 5 ? a[i + 1] : 0;
    union {
        struct stat st;
        struct statx sx;
        struct statfs sf;
        struct utsname u;
        struct sysinfo si;
        struct tms t;
        struct rusage ru;
        struct rlimit rl;
        struct itimerval it;
        struct timeval tv;
        struct timespec ts[2];
        stack_t ss;
        struct open_how how;
        struct msghdr mh;
        struct winsize ws;
        struct flock fl;
        int fds[2];
        int iv;
        uint64_t u64;
        uint8_t cpus[128];
    } u;
    switch (k) {
    case K_INT: strbuf_put(o, "%d", (int)v); break;
    case K_UINT: strbuf_put(o, "%u", (unsigned)v); break;
    case K_LONG: strbuf_put(o, "%lld", (long long)v); break;
    case K_ULONG: strbuf_put(o, "%llu", (unsigned long long)v); break;
    case K_HEX: strbuf_put(o, "%#llx", (unsigned long long)v); break;
    case K_PTR: put_addr(o, v); break;
    case K_DIRFD:
        if ((int)v == AT_FDCWD)
            strbuf_put(o, "AT_FDCWD");
        else
            strbuf_put(o, "%d", (int)v);
        break;
    case K_PATH: put_cstr(o, c, v, DECODE_PATH_MAX); break;
    case K_STR: put_cstr(o, c, v, DECODE_STR_MAX); break;
    case K_BUF_IN: put_buf(o, c, v, next, false); break;
    case K_BUF_OUT:
    case K_BUF_HEX:
        if (c->ok)
            put_buf(o, c, v, (uint64_t)c->ret, k == K_BUF_HEX);
        else
            put_addr(o, v);
        break;
    case K_STR_OUT:
        if (c->ok)
            put_cstr(o, c, v, DECODE_PATH_MAX);
        else
            put_addr(o, v);
        break;
    case K_OFLAGS: put_open_flags(o, v); break;
    case K_FDFLAGS: PUT_FLAGS(o, open_flags, v, NULL, "O_"); break;
    case K_MODE: put_mode(o, v); break;
    case K_ATFLAGS: PUT_FLAGS(o, at_flags, (uint32_t)v, NULL, "AT_"); break;
    case K_ACCESS_AT: PUT_FLAGS(o, access_at_flags, (uint32_t)v, NULL, "AT_"); break;
    case K_STATX_FLAGS: {
        uint32_t f = (uint32_t)v;
        PUT_XLAT(o, statx_sync, f & AT_STATX_SYNC_TYPE, "AT_STATX_");
        put_flags(o, at_flags, ARRAY_LEN(at_flags), f & ~(uint32_t)AT_STATX_SYNC_TYPE, NULL, "AT_",
                  true);
        break;
    }
    case K_STATX_MASK: PUT_FLAGS(o, statx_mask, (uint32_t)v, NULL, "STATX_"); break;
    case K_ACCESS: PUT_FLAGS(o, access_modes, (uint32_t)v, "F_OK", "?_OK"); break;
    case K_WHENCE: PUT_XLAT(o, whence, (uint32_t)v, "SEEK_"); break;
    case K_PROT: PUT_FLAGS(o, prot_flags, v, "PROT_NONE", "PROT_"); break;
    case K_MAPFLAGS: {
        const char *t = xlat_find(map_types, ARRAY_LEN(map_types), v & MAP_TYPE);
        uint64_t rest = v & ~(uint64_t)MAP_TYPE;
        uint64_t huge = rest >> K_MAP_HUGE_SHIFT & K_MAP_HUGE_MASK;
        rest &= ~((uint64_t)K_MAP_HUGE_MASK << K_MAP_HUGE_SHIFT);
        if (t)
            strbuf_put(o, "%s", t);
        else if (v & MAP_TYPE)
            strbuf_put(o, "%#llx /* MAP_??? */", (unsigned long long)(v & MAP_TYPE));
        else
            strbuf_put(o, "MAP_FILE");
        put_flags(o, map_flags, ARRAY_LEN(map_flags), rest, NULL, "MAP_", true);
        if (huge)
            strbuf_put(o, "|%llu<<MAP_HUGE_SHIFT", (unsigned long long)huge);
        break;
    }
    case K_MREMAP: PUT_FLAGS(o, mremap_flags, v, NULL, "MREMAP_"); break;
    case K_MADV: PUT_XLAT(o, madv, (uint32_t)v, "MADV_"); break;
    case K_SIG: put_sig(o, (uint32_t)v); break;
    case K_SIGHOW: PUT_XLAT(o, sig_how, (uint32_t)v, "SIG_"); break;
    case K_SIGSET:
    case K_SIGSET_OUT:
        /* Linux reads a sigset only of its own size (the sigsetsize
         * argument); strace shows any other as an address. */
        if ((k == K_SIGSET_OUT && !c->ok) || a[sigsetsize_arg(c->a->nr)] != SYSARG_SIGSET_SIZE ||
            peek(c, &u.u64, v, sizeof(u.u64)) < 0)
            put_addr(o, v);
        else
            put_sigset(o, u.u64);
        break;
    case K_SIGACT:
    case K_SIGACT_OUT:
        if (k == K_SIGACT_OUT && !c->ok)
            put_addr(o, v);
        else
            put_sigaction(o, c, v);
        break;
    case K_STACK:
    case K_STACK_OUT:
        if ((k == K_STACK_OUT && !c->ok) || peek(c, &u.ss, v, sizeof(u.ss)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{ss_sp=");
        put_addr(o, (uint64_t)(uintptr_t)u.ss.ss_sp);
        strbuf_put(o, ", ss_flags=");
        PUT_FLAGS(o, ss_flags, (uint32_t)u.ss.ss_flags, NULL, "SS_");
        strbuf_put(o, ", ss_size=%zu}", u.ss.ss_size);
        break;
    case K_CLOCK: PUT_XLAT(o, clocks, (uint32_t)v, "CLOCK_"); break;
    case K_TIMER_FLAGS: PUT_FLAGS(o, timer_flags, (uint32_t)v, NULL, "TIMER_"); break;
    case K_TIMESPEC: put_timespec(o, c, v); break;
    case K_TIMESPEC_OUT:
        if (c->ok)
            put_timespec(o, c, v);
        else
            put_addr(o, v);
        break;
    case K_TIMEVAL_OUT:
        if (!c->ok || peek(c, &u.tv, v, sizeof(u.tv)) < 0)
            put_addr(o, v);
        else
            put_timeval(o, &u.tv);
        break;
    case K_ITIMER: PUT_XLAT(o, itimers, (uint32_t)v, "ITIMER_"); break;
    case K_ITIMERVAL:
    case K_ITIMERVAL_OUT:
        if ((k == K_ITIMERVAL_OUT && !c->ok) || peek(c, &u.it, v, sizeof(u.it)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{it_interval=");
        put_timeval(o, &u.it.it_interval);
        strbuf_put(o, ", it_value=");
        put_timeval(o, &u.it.it_value);
        strbuf_put(o, "}");
        break;
    case K_UTIMES:
        if (peek(c, u.ts, v, sizeof(u.ts)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "[");
        for (int j = 0; j < 2; j++) {
            strbuf_put(o, "%s{tv_sec=%lld, tv_nsec=", j ? ", " : "", (long long)u.ts[j].tv_sec);
            if (u.ts[j].tv_nsec == UTIME_NOW)
                strbuf_put(o, "UTIME_NOW}");
            else if (u.ts[j].tv_nsec == UTIME_OMIT)
                strbuf_put(o, "UTIME_OMIT}");
            else
                strbuf_put(o, "%lld}", (long long)u.ts[j].tv_nsec);
        }
        strbuf_put(o, "]");
        break;
    case K_FCNTL: PUT_XLAT(o, fcntl_cmds, (uint32_t)v, "F_"); break;
    case K_IOCTL: {
        const char *s = xlat_find(ioctls, ARRAY_LEN(ioctls), (uint32_t)v);
        static const char *const dirs[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
                                           "_IOC_READ|_IOC_WRITE"};
        if (s)
            strbuf_put(o, "%s", s);
        else
            strbuf_put(o, "_IOC(%s, %#x, %#x, %#x)", dirs[_IOC_DIR(v) & 3], (unsigned)_IOC_TYPE(v),
                (unsigned)_IOC_NR(v), (unsigned)_IOC_SIZE(v));
        break;
    }
    case K_DOMAIN: PUT_XLAT(o, domains, (uint32_t)v, "AF_"); break;
    case K_SOCKTYPE: {
        uint32_t t = (uint32_t)v & 0xf, f = (uint32_t)v & ~0xfu;
        if (c->a->nr == __NR_accept4) {
            PUT_FLAGS(o, sock_flags, (uint32_t)v, NULL, "SOCK_");
            break;
        }
        PUT_XLAT(o, sock_types, t, "SOCK_");
        f &= ~(uint32_t)(SOCK_CLOEXEC | SOCK_NONBLOCK);
        put_flags(o, sock_flags, ARRAY_LEN(sock_flags), (uint32_t)v & (SOCK_CLOEXEC | SOCK_NONBLOCK),
                  NULL, "SOCK_", true);
        if (f)
            strbuf_put(o, "|%#x /* SOCK_??? */", f);
        break;
    }
    case K_PROTO:
        if (a[0] == AF_INET || a[0] == AF_INET6)
            PUT_XLAT(o, ip_protos, (uint32_t)v, "IPPROTO_");
        else if (a[0] == AF_NETLINK)
            PUT_XLAT(o, netlink_protos, (uint32_t)v, "NETLINK_");
        else
            strbuf_put(o, "%d", (int)v);
        break;
    case K_SOCKADDR: put_sockaddr(o, c, v, next); break;
    case K_SOCKADDR_OUT:
        if (!c->ok || !v || peek(c, &u.iv, next, sizeof(u.iv)) < 0)
            put_addr(o, v);
        else
            put_sockaddr(o, c, v, (uint32_t)u.iv);
        break;
    case K_INT_PTR:
    case K_INT_PTR_IN:
    case K_SOCKLEN:
        if (!v || (k == K_INT_PTR && !c->ok) || peek(c, &u.iv, v, sizeof(u.iv)) < 0)
            put_addr(o, v);
        else
            strbuf_put(o, "[%d]", u.iv);
        break;
    case K_ULONG_PTR:
        if (peek(c, &u.u64, v, sizeof(u.u64)) < 0)
            put_addr(o, v);
        else
            strbuf_put(o, "[%llu]", (unsigned long long)u.u64);
        break;
    case K_FD_PAIR:
        if (!c->ok || peek(c, u.fds, v, sizeof(u.fds)) < 0)
            put_addr(o, v);
        else
            strbuf_put(o, "[%d, %d]", u.fds[0], u.fds[1]);
        break;
    case K_MSGFLAGS: PUT_FLAGS(o, msg_flags, (uint32_t)v, NULL, "MSG_"); break;
    case K_SHUT: PUT_XLAT(o, shut_how, (uint32_t)v, "SHUT_"); break;
    case K_SOCKLEVEL: PUT_XLAT(o, sol_levels, (uint32_t)v, "SOL_"); break;
    case K_SOCKOPT:
        if (a[1] == SOL_SOCKET)
            PUT_XLAT(o, so_names, (uint32_t)v, "SO_");
        else
            strbuf_put(o, "%d", (int)v);
        break;
    case K_SOCKOPT_VAL:
        if (next == sizeof(int) && peek(c, &u.iv, v, sizeof(int)) == 0)
            strbuf_put(o, "[%d]", u.iv);
        else
            put_addr(o, v);
        break;
    case K_MSGHDR:
    case K_MSGHDR_OUT:
        if ((k == K_MSGHDR_OUT && !c->ok) || peek(c, &u.mh, v, sizeof(u.mh)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{msg_name=");
        if (u.mh.msg_name)
            put_sockaddr(o, c, (uint64_t)(uintptr_t)u.mh.msg_name, u.mh.msg_namelen);
        else
            strbuf_put(o, "NULL");
        strbuf_put(o, ", msg_namelen=%u, msg_iov=", u.mh.msg_namelen);
        put_iov(o, c, (uint64_t)(uintptr_t)u.mh.msg_iov, u.mh.msg_iovlen,
                k == K_MSGHDR_OUT ? (uint64_t)c->ret : UINT64_MAX);
        strbuf_put(o, ", msg_iovlen=%zu, msg_controllen=%zu, msg_flags=", u.mh.msg_iovlen,
            u.mh.msg_controllen);
        PUT_FLAGS(o, msg_flags, (uint32_t)u.mh.msg_flags, NULL, "MSG_");
        strbuf_put(o, "}");
        break;
    case K_RLIMIT_RES: PUT_XLAT(o, rlimits, (uint32_t)v, "RLIMIT_"); break;
    case K_RLIMIT:
    case K_RLIMIT_OUT:
        if ((k == K_RLIMIT_OUT && !c->ok) || peek(c, &u.rl, v, sizeof(u.rl)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{rlim_cur=");
        put_rlim(o, u.rl.rlim_cur);
        strbuf_put(o, ", rlim_max=");
        put_rlim(o, u.rl.rlim_max);
        strbuf_put(o, "}");
        break;
    case K_ARCH: PUT_XLAT(o, arch_codes, (uint32_t)v, "ARCH_"); break;
    case K_FUTEX_OP: {
        uint32_t op = (uint32_t)v;
        const char *s = xlat_find(futex_ops, ARRAY_LEN(futex_ops), op & FUTEX_CMD_MASK);
        if (!s) {
            strbuf_put(o, "%#x /* FUTEX_??? */", op);
            break;
        }
        strbuf_put(o, "%s%s%s", s, op & FUTEX_PRIVATE_FLAG ? "_PRIVATE" : "",
            op & FUTEX_CLOCK_REALTIME ? "|FUTEX_CLOCK_REALTIME" : "");
        break;
    }
    case K_STAT_OUT:
        if (!c->ok || peek(c, &u.st, v, sizeof(u.st)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{st_mode=");
        put_st_mode(o, u.st.st_mode);
        if (S_ISCHR(u.st.st_mode) || S_ISBLK(u.st.st_mode))
            strbuf_put(o, ", st_rdev=makedev(%#x, %#x)", major(u.st.st_rdev), minor(u.st.st_rdev));
        else
            strbuf_put(o, ", st_size=%lld", (long long)u.st.st_size);
        strbuf_put(o, ", ...}");
        break;
    case K_STATX_OUT:
        if (!c->ok || peek(c, &u.sx, v, sizeof(u.sx)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{stx_mask=");
        PUT_FLAGS(o, statx_mask, u.sx.stx_mask, NULL, "STATX_");
        strbuf_put(o, ", stx_attributes=%#llx, stx_mode=", (unsigned long long)u.sx.stx_attributes);
        put_st_mode(o, u.sx.stx_mode);
        strbuf_put(o, ", stx_size=%llu, ...}", (unsigned long long)u.sx.stx_size);
        break;
    case K_STATFS_OUT:
        if (!c->ok || peek(c, &u.sf, v, sizeof(u.sf)) < 0) {
            put_addr(o, v);
            break;
        }
        const char *fs = xlat_find(fs_magics, ARRAY_LEN(fs_magics), (uint64_t)u.sf.f_type);
        if (fs)
            strbuf_put(o, "{f_type=%s", fs);
        else
            strbuf_put(o, "{f_type=%#llx", (unsigned long long)u.sf.f_type);
        strbuf_put(o, ", f_bsize=%lld, f_blocks=%llu, f_bfree=%llu, f_bavail=%llu, f_files=%llu, "
               "f_ffree=%llu, f_fsid={val=[%#x, %#x]}, f_namelen=%lld, f_frsize=%lld, f_flags=",
            (long long)u.sf.f_bsize, (unsigned long long)u.sf.f_blocks,
            (unsigned long long)u.sf.f_bfree, (unsigned long long)u.sf.f_bavail,
            (unsigned long long)u.sf.f_files, (unsigned long long)u.sf.f_ffree,
            (unsigned)u.sf.f_fsid.__val[0], (unsigned)u.sf.f_fsid.__val[1],
            (long long)u.sf.f_namelen, (long long)u.sf.f_frsize);
        PUT_FLAGS(o, st_flags, (uint64_t)u.sf.f_flags, NULL, "ST_");
        strbuf_put(o, "}");
        break;
    case K_UTSNAME_OUT:
        if (!c->ok || peek(c, &u.u, v, sizeof(u.u)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{sysname=");
        put_quoted(o, (const uint8_t *)u.u.sysname, strnlen(u.u.sysname, sizeof(u.u.sysname)),
                   false, false);
        strbuf_put(o, ", nodename=");
        put_quoted(o, (const uint8_t *)u.u.nodename, strnlen(u.u.nodename, sizeof(u.u.nodename)),
                   false, false);
        strbuf_put(o, ", ...}");
        break;
    case K_SYSINFO_OUT:
        if (!c->ok || peek(c, &u.si, v, sizeof(u.si)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{uptime=%ld, loads=[%lu, %lu, %lu], totalram=%lu, freeram=%lu, sharedram=%lu, "
               "bufferram=%lu, totalswap=%lu, freeswap=%lu, procs=%u, totalhigh=%lu, "
               "freehigh=%lu, mem_unit=%u}",
            u.si.uptime, u.si.loads[0], u.si.loads[1], u.si.loads[2], u.si.totalram,
            u.si.freeram, u.si.sharedram, u.si.bufferram, u.si.totalswap, u.si.freeswap,
            u.si.procs, u.si.totalhigh, u.si.freehigh, u.si.mem_unit);
        break;
    case K_TMS_OUT:
        if (!c->ok || peek(c, &u.t, v, sizeof(u.t)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{tms_utime=%lld, tms_stime=%lld, tms_cutime=%lld, tms_cstime=%lld}",
            (long long)u.t.tms_utime, (long long)u.t.tms_stime, (long long)u.t.tms_cutime,
            (long long)u.t.tms_cstime);
        break;
    case K_RUSAGE_WHO: PUT_XLAT(o, rusage_who, (uint64_t)(int64_t)(int32_t)v, "RUSAGE_"); break;
    case K_RUSAGE_OUT:
        if (!c->ok || peek(c, &u.ru, v, sizeof(u.ru)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{ru_utime=");
        put_timeval(o, &u.ru.ru_utime);
        strbuf_put(o, ", ru_stime=");
        put_timeval(o, &u.ru.ru_stime);
        strbuf_put(o, ", ...}");
        break;
    case K_DIRENTS: put_dirents(o, c, v); break;
    case K_IOV: put_iov(o, c, v, next, UINT64_MAX); break;
    case K_IOV_OUT:
        if (c->ok)
            put_iov(o, c, v, next, (uint64_t)c->ret);
        else
            put_addr(o, v);
        break;
    case K_POLLFDS:
        if (!c->m || !v)
            put_addr(o, v);
        else
            put_pollfds(o, c, v, next, false);
        break;
    case K_FDSET: put_fdset(o, c, v, a[0]); break;
    case K_CPUSET_OUT: {
        size_t n = c->ok && (uint64_t)c->ret <= sizeof(u.cpus) ? (size_t)c->ret : 0;
        if (!n || peek(c, u.cpus, v, n) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "[");
        bool first = true;
        for (size_t cpu = 0; cpu < n * 8; cpu++) {
            if (u.cpus[cpu / 8] >> (cpu % 8) & 1) {
                strbuf_put(o, "%s%zu", first ? "" : " ", cpu);
                first = false;
            }
        }
        strbuf_put(o, "]");
        break;
    }
    case K_OPEN_HOW:
        if (peek(c, &u.how, v, sizeof(u.how)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{flags=");
        put_open_flags(o, u.how.flags);
        strbuf_put(o, ", mode=");
        put_mode(o, u.how.mode);
        strbuf_put(o, ", resolve=");
        PUT_FLAGS(o, resolve_flags, u.how.resolve, NULL, "RESOLVE_");
        strbuf_put(o, "}");
        break;
    case K_GRND: PUT_FLAGS(o, grnd_flags, (uint32_t)v, NULL, "GRND_"); break;
    case K_CLOSE_RANGE: PUT_FLAGS(o, close_range_flags, (uint32_t)v, NULL, "CLOSE_RANGE_"); break;
    case K_RENAME: PUT_FLAGS(o, rename_flags, (uint32_t)v, NULL, "RENAME_"); break;
    case K_FALLOC: PUT_FLAGS(o, falloc_flags, (uint32_t)v, NULL, "FALLOC_FL_"); break;
    case K_MFD: PUT_FLAGS(o, mfd_flags, (uint32_t)v, NULL, "MFD_"); break;
    case K_WSTATUS_OUT:
        if (!c->ok || peek(c, &u.iv, v, sizeof(u.iv)) < 0)
            put_addr(o, v);
        else
            put_wstatus(o, u.iv);
        break;
    case K_WAITOPTS: PUT_FLAGS(o, wait_opts, (uint32_t)v, NULL, "W"); break;
    case K_PRCTL: PUT_XLAT(o, prctl_ops, (uint32_t)v, "PR_"); break;
    case K_TIMEVAL:
        if (peek(c, &u.tv, v, sizeof(u.tv)) < 0)
            put_addr(o, v);
        else
            put_timeval(o, &u.tv);
        break;
    case K_PSELECT_SIG: {
        uint64_t ss[2];
        if (peek(c, ss, v, sizeof(ss)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{sigmask=");
        if (ss[1] == SYSARG_SIGSET_SIZE && peek(c, &u.u64, ss[0], sizeof(u.u64)) == 0)
            put_sigset(o, u.u64);
        else
            put_addr(o, ss[0]);
        strbuf_put(o, ", sigsetsize=%llu}", (unsigned long long)ss[1]);
        break;
    }
    case K_SIG_OUT:
        if (!c->ok || peek(c, &u.iv, v, sizeof(u.iv)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "[");
        put_sig(o, (uint32_t)u.iv);
        strbuf_put(o, "]");
        break;
    case K_DUMPABLE: PUT_XLAT(o, suid_dump, v, "SUID_DUMP_"); break;
    case K_REM:
        /* nanosleep(2): the remaining time is written only when a signal
         * interrupted the sleep. */
        if (c->ret == -EINTR || xlat_find(restart_codes, ARRAY_LEN(restart_codes), (uint64_t)-c->ret))
            put_timespec(o, c, v);
        else
            put_addr(o, v);
        break;
    case K_FLOCK:
    case K_FLOCK_OUT:
        if ((k == K_FLOCK_OUT && !c->ok) || peek(c, &u.fl, v, sizeof(u.fl)) < 0) {
            put_addr(o, v);
            break;
        }
        strbuf_put(o, "{l_type=");
        PUT_XLAT(o, lock_types, (uint64_t)u.fl.l_type, "F_");
        strbuf_put(o, ", l_whence=");
        PUT_XLAT(o, whence, (uint64_t)u.fl.l_whence, "SEEK_");
        strbuf_put(o, ", l_start=%lld, l_len=%lld", (long long)u.fl.l_start, (long long)u.fl.l_len);
        if (k == K_FLOCK_OUT)
            strbuf_put(o, ", l_pid=%d", u.fl.l_pid);
        strbuf_put(o, "}");
        break;
    case K_FD_CLOEXEC: PUT_FLAGS(o, fd_cloexec, v, NULL, "FD_"); break;
    case K_BITSET: /* shown fifth, but it is val3, the sixth register */
        if ((uint32_t)a[5] == FUTEX_BITSET_MATCH_ANY)
            strbuf_put(o, "FUTEX_BITSET_MATCH_ANY");
        else
            strbuf_put(o, "%#x", (uint32_t)a[5]);
        break;
    case K_WINSIZE:
    case K_WINSIZE_OUT:
        if ((k == K_WINSIZE_OUT && !c->ok) || peek(c, &u.ws, v, sizeof(u.ws)) < 0)
            put_addr(o, v);
        else
            strbuf_put(o, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", u.ws.ws_row,
                u.ws.ws_col, u.ws.ws_xpixel, u.ws.ws_ypixel);
        break;
    case K_HEX_PTR_OUT:
        if (!c->ok || peek(c, &u.u64, v, sizeof(u.u64)) < 0)
            put_addr(o, v);
        else
            strbuf_put(o, "[%#llx]", (unsigned long long)u.u64);
        break;
    }
}

/* ---- shapes that depend on an argument ---------------------------------------- */

/* How many arguments strace shows and what the last ones are, where the
 * prototype alone does not say: openat's mode only with O_CREAT or
 * O_TMPFILE, fcntl's third argument by command, futex's by operation. */
static int reshape(const struct sys_args *a, int n, uint8_t k[6])
{
    uint64_t cmd;
    switch (a->nr) {
    case __NR_open:
    case __NR_openat: {
        uint64_t fl = a->a[a->nr == __NR_open ? 1 : 2];
        bool mode = (fl & O_CREAT) || (fl & O_TMPFILE) == O_TMPFILE;
        return mode ? n : n - 1;
    }
    case __NR_fcntl:
        cmd = (uint32_t)a->a[1];
        switch (cmd) {
        case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG: case F_GETLEASE:
        case F_GETPIPE_SZ: case F_GET_SEALS:
            return 2;
        case F_SETFD: k[2] = K_FD_CLOEXEC; return 3;
        case F_SETFL: k[2] = K_OFLAGS; return 3;
        case F_SETLK: case F_SETLKW: case F_OFD_SETLK: case F_OFD_SETLKW: k[2] = K_FLOCK; return 3;
        case F_GETLK: case F_OFD_GETLK: k[2] = K_FLOCK_OUT; return 3;
        case F_DUPFD: case F_DUPFD_CLOEXEC: case F_SETOWN: case F_SETSIG: case F_SETLEASE:
        case F_NOTIFY: case F_SETPIPE_SZ: case F_ADD_SEALS:
            k[2] = K_INT;
            return 3;
        default:
            return 3;
        }
    case __NR_futex:
        cmd = a->a[1] & FUTEX_CMD_MASK;
        if (cmd == FUTEX_WAKE)
            return 3;
        if (cmd == FUTEX_WAIT)
            return 4;
        if (cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET) {
            /* uaddr2 is unused: strace skips it and shows val3 (the mask) fifth. */
            k[4] = K_BITSET;
            return 5;
        }
        if (!xlat_find(futex_ops, ARRAY_LEN(futex_ops), cmd))
            k[2] = k[3] = K_HEX;
        return 6;
    case __NR_ioctl:
        switch ((uint32_t)a->a[1]) {
        case TIOCGWINSZ: k[2] = K_WINSIZE_OUT; break;
        case TIOCSWINSZ: k[2] = K_WINSIZE; break;
        case FIONREAD: case TIOCGPGRP: case TIOCOUTQ: case TIOCGPTN: case TIOCGSID: k[2] = K_INT_PTR; break;
        case FIONBIO: case FIOASYNC: case TIOCSPGRP: k[2] = K_INT_PTR_IN; break;
        case FIOCLEX: case FIONCLEX: case TIOCNOTTY: return 2;
        default:
            if (xlat_find(ioctls, ARRAY_LEN(ioctls), (uint32_t)a->a[1]))
                k[2] = K_PTR;
        }
        return 3;
    case __NR_arch_prctl:
        if (a->a[0] == ARCH_GET_FS || a->a[0] == ARCH_GET_GS)
            k[1] = K_HEX_PTR_OUT;
        return 2;
    case __NR_prctl:
        switch ((uint32_t)a->a[0]) {
        case PR_SET_NAME: k[1] = K_STR; return 2;
        case PR_GET_NAME: k[1] = K_STR_OUT; return 2;
        case PR_SET_DUMPABLE: k[1] = K_DUMPABLE; return 2;
        case PR_SET_PDEATHSIG: k[1] = K_SIG; return 2;
        case PR_GET_PDEATHSIG: k[1] = K_SIG_OUT; return 2;
        case PR_CAPBSET_READ: k[1] = K_INT; return 2;
        case PR_SET_NO_NEW_PRIVS: case PR_GET_NO_NEW_PRIVS: k[1] = K_ULONG; return n;
        case PR_GET_DUMPABLE: case PR_GET_SECCOMP: case PR_GET_TIMERSLACK: case PR_GET_THP_DISABLE:
            return 1;
        }
        return n;
    }
    return n;
}

/* ---- the result ----------------------------------------------------------------- */

/* select's result: the sets as they came back, "(in [3], out [4], left
 * {...})". */
static void put_select_ret(struct strbuf *o, const struct ctx *c, bool ns)
{
    static const char *const set_names[] = {"in", "out", "except"};
    const uint64_t *a = c->a->a;
    const char *sep = " (";
    for (int i = 0; i < 3; i++) {
        if (!a[1 + i])
            continue;
        strbuf_put(o, "%s%s ", sep, set_names[i]);
        put_fdset(o, c, a[1 + i], a[0]);
        sep = ", ";
    }
    if (a[4]) {
        strbuf_put(o, "%sleft ", sep);
        if (ns) {
            put_timespec(o, c, a[4]);
        } else {
            struct timeval tv;
            if (peek(c, &tv, a[4], sizeof(tv)) < 0)
                put_addr(o, a[4]);
            else
                put_timeval(o, &tv);
        }
        sep = ", ";
    }
    if (sep[0] == ',')
        strbuf_put(o, ")");
}

static void put_ret(struct strbuf *o, const struct ctx *c, const struct sig *s, struct decoded_call *d)
{
    int64_t r = c->ret;
    long nr = c->a->nr;
    if (s && s->ret == R_NONE) {
        strbuf_put(o, "?");
        return;
    }
    if (r < 0 && r > -4096) {
        int e = (int)-r;
        const char *rs = xlat_find(restart_codes, ARRAY_LEN(restart_codes), (uint64_t)e);
        if (rs) {
            d->errname = rs;
            d->errdesc = restart_text[e - 512];
            strbuf_put(o, "? %s (%s)", d->errname, d->errdesc);
            return;
        }
        d->errname = strerrorname_np(e);
        d->errdesc = strerrordesc_np(e);
        if (d->errname)
            strbuf_put(o, "-1 %s (%s)", d->errname, d->errdesc ? d->errdesc : "?");
        else
            strbuf_put(o, "-1 ERRNO_%d (Unknown error %d)", e, e);
        return;
    }
    if (!s) {
        strbuf_put(o, "%#llx", (unsigned long long)r);
        return;
    }
    uint64_t cmd = (uint32_t)c->a->a[1];
    if (s->ret == R_HEX) {
        strbuf_put(o, "%#llx", (unsigned long long)r);
    } else if (s->ret == R_OCT) {
        put_mode(o, (uint64_t)r);
    } else if (nr == __NR_fcntl && cmd == F_GETFL) {
        strbuf_put(o, "%#llx (flags ", (unsigned long long)r);
        put_open_flags(o, (uint64_t)r);
        strbuf_put(o, ")");
    } else if (nr == __NR_fcntl && cmd == F_GETFD && r > 0) {
        strbuf_put(o, "%#llx (flags ", (unsigned long long)r);
        PUT_FLAGS(o, fd_cloexec, (uint64_t)r, NULL, "FD_");
        strbuf_put(o, ")");
    } else {
        strbuf_put(o, "%lld", (long long)r);
        bool waits = nr == __NR_poll || nr == __NR_ppoll || nr == __NR_select || nr == __NR_pselect6;
        if (waits && r == 0) {
            strbuf_put(o, " (Timeout)");
        } else if ((nr == __NR_poll || nr == __NR_ppoll) && r > 0) {
            strbuf_put(o, " (");
            put_pollfds(o, c, c->a->a[0], c->a->a[1], true);
            if (nr == __NR_ppoll && c->a->a[2]) {
                strbuf_put(o, ", left ");
                put_timespec(o, c, c->a->a[2]);
            }
            strbuf_put(o, ")");
        } else if ((nr == __NR_select || nr == __NR_pselect6) && r > 0) {
            put_select_ret(o, c, nr == __NR_pselect6);
        } else if (nr == __NR_sched_getscheduler) {
            strbuf_put(o, " (");
            PUT_XLAT(o, sched_policies, (uint64_t)r, "SCHED_");
            strbuf_put(o, ")");
        } else if (nr == __NR_prctl && (uint32_t)c->a->a[0] == PR_GET_DUMPABLE) {
            strbuf_put(o, " (");
            PUT_XLAT(o, suid_dump, (uint64_t)r, "SUID_DUMP_");
            strbuf_put(o, ")");
        }
    }
}

enum { PH_IN = 1, PH_OUT = 2 };

/* An in-out length rendered "[N]" at entry becomes "[N => M]" when the
 * call changed it, as strace shows it. */
static void put_socklen_back(char *arg, const struct ctx *c, uint64_t va)
{
    int before, after;
    char end;
    if (!c->ok || sscanf(arg, "[%d%c", &before, &end) != 2 || end != ']' ||
        peek(c, &after, va, sizeof(after)) < 0 || after == before)
        return;
    snprintf(arg, DECODE_ARG_MAX, "[%d => %d]", before, after);
}

/* Render the arguments of the phases asked for, and after the call the
 * result. */
static void render(const struct guest_mem *m, const struct sys_args *a, int64_t ret,
                   struct decoded_call *d, int phase)
{
    const struct sig *s = sig_of(a->nr);
    uint8_t k[6] = {K_HEX, K_HEX, K_HEX, K_HEX, K_HEX, K_HEX};
    int n = 6;
    if (s) {
        memcpy(k, s->k, sizeof(k));
        n = s->n == 0xff ? 0 : reshape(a, s->n, k);
    }
    if (phase & PH_IN) {
        memset(d, 0, sizeof(*d));
        d->name = ringbox_syscall_name(a->nr);
        d->raw = !s;
        d->nargs = n;
    }
    struct ctx c = {.m = m, .a = a, .ret = ret, .ok = (phase & PH_OUT) && ret >= 0};
    for (int i = 0; i < n; i++) {
        if (phase == PH_OUT && k[i] == K_SOCKLEN)
            put_socklen_back(d->arg[i], &c, a->a[i]);
        if (!(phase & (kind_is_out((enum kind)k[i]) ? PH_OUT : PH_IN)))
            continue;
        struct strbuf o = {.buf = d->arg[i], .len = sizeof(d->arg[i])};
        put_arg(&o, &c, i, (enum kind)k[i]);
        finish(&o);
    }
    if (phase & PH_OUT) {
        struct strbuf o = {.buf = d->ret, .len = sizeof(d->ret)};
        put_ret(&o, &c, s, d);
        finish(&o);
    }
}

void decode_enter(const struct guest_mem *m, const struct sys_args *a, struct decoded_call *d)
{
    render(m, a, 0, d, PH_IN);
    d->entered = true;
}

void decode_exit(const struct guest_mem *m, const struct sys_args *a, int64_t ret,
                 struct decoded_call *d)
{
    render(m, a, ret, d, d->entered ? PH_OUT : PH_IN | PH_OUT);
}

void decode_call(const struct guest_mem *m, const struct sys_args *a, int64_t ret,
                 struct decoded_call *d)
{
    render(m, a, ret, d, PH_IN | PH_OUT);
}

int decode_format(char *buf, size_t len, long nr, const struct decoded_call *d)
{
    struct strbuf o = {.buf = buf, .len = len};
    if (len)
        buf[0] = 0;
    if (d->name)
        strbuf_put(&o, "%s(", d->name);
    else
        strbuf_put(&o, "syscall_%ld(", nr);
    for (int i = 0; i < d->nargs; i++)
        strbuf_put(&o, "%s%s", i ? ", " : "", d->arg[i]);
    strbuf_put(&o, ") = %s", d->ret);
    return (int)o.n;
}
