/* cli.c - the ringbox command: a thin client of include/ringbox.h that runs one program. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "ringbox.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
/* The seccomp filter ringbox_run() installs leaves LeakSanitizer no way to
 * do its at-exit check (it needs ptrace, clone and /proc), so a sanitizer
 * build checks for leaks just before the run, while it still can; the
 * library's own leaks are checked by the unconfined integration tests. */
#define CHECK_LEAKS_BEFORE_CONFINEMENT() __lsan_do_leak_check()
#else
#define CHECK_LEAKS_BEFORE_CONFINEMENT() ((void)0)
#endif

/* Exit statuses of ringbox's own failures; everything else is the
 * program's status, or 128 + signal as a shell reports it. */
enum {
    EXIT_INTERNAL = 120, /* any other sandbox failure */
    EXIT_NOKVM = 121,    /* /dev/kvm missing or inaccessible */
    EXIT_USAGE = 125,    /* bad command line */
    EXIT_NOEXEC = 126,   /* not a runnable x86-64 ELF executable */
    EXIT_NOTFOUND = 127, /* the program cannot be opened or read */
};

static const char usage_text[] =
    "Usage: ringbox run [OPTIONS] PROGRAM [ARGS...]\n"
    "       ringbox maps [OPTIONS] PROGRAM [ARGS...]\n"
    "       ringbox trace [OPTIONS] [TRACE OPTIONS] PROGRAM [ARGS...]\n"
    "       ringbox --help | --version\n"
    "\n"
    "Run the x86-64 Linux executable PROGRAM, static or dynamic, in ring 3 of a\n"
    "KVM virtual machine; every syscall it makes is served by ringbox, not by the\n"
    "host kernel.\n"
    "It sees only itself, /dev/null, /dev/zero, /dev/urandom, /dev/random,\n"
    "/dev/std{in,out,err}, a private /tmp (a tmpfs of 64M), /proc/self,\n"
    "/proc/uptime, /proc/loadavg and what --ro, --rw and --tmpfs add.\n"
    "Options end at PROGRAM: everything after it belongs to the program.\n"
    "\n"
    "'ringbox maps' loads PROGRAM without running it and prints its address\n"
    "space from the guest page tables: ranges with U/S (user or supervisor),\n"
    "R/W, NX and what each is; guard pages show as not present.\n"
    "\n"
    "Options:\n"
    "  --mem SIZE      guest memory, the hard cap on what the program maps\n"
    "                  (default 1G, minimum 16M; K, M and G suffixes, powers of 1024)\n"
    "  --time SECONDS  stop the program after SECONDS of wall-clock time\n"
    "                  (fractions allowed: 0.5), sleeping or not\n"
    "  --cpu SECONDS   stop it after SECONDS of CPU time on the vCPU's thread:\n"
    "                  the program's own plus ringbox's time serving its\n"
    "                  syscalls (the host cannot tell them apart); checked at\n"
    "                  the kernel's tick, so a few ms late at most\n"
    "  --max-output BYTES  stop it once it has written BYTES to stdout and\n"
    "                  stderr together (K, M, G suffixes); the write that crosses\n"
    "                  the limit is cut to it\n"
    "  --max-fds N     at most N open fds: its RLIMIT_NOFILE, soft and hard; a\n"
    "                  new fd beyond it fails with EMFILE (the program goes on)\n"
    "  --max-syscalls N  stop it at its syscall number N+1, unserved\n"
    "  --max-disk BYTES  let it add at most BYTES to the host's disk through its\n"
    "                  --rw mounts (K, M, G suffixes): beyond, its writes fail\n"
    "                  with ENOSPC (the program goes on)\n"
    "  --env K=V       add K=V to the program's environment (repeatable)\n"
    "  --inherit-env   pass ringbox's own environment to the program; by default\n"
    "                  the program's environment is empty\n"
    "  --ro HOST[:GUEST]  show host file or directory HOST read-only at GUEST\n"
    "                  (default: HOST's absolute path); repeatable\n"
    "  --rw HOST[:GUEST]  the same, writable: changes reach HOST\n"
    "  --tmpfs GUEST[:SIZE]  a private writable tmpfs at GUEST of SIZE bytes\n"
    "                  (default 64M; K, M, G suffixes), gone when ringbox ends;\n"
    "                  beyond SIZE, writes fail with ENOSPC.  --tmpfs /tmp:SIZE\n"
    "                  resizes the private /tmp\n"
    "  --cwd GUEST     start in GUEST (default /)\n"
    "  --uname-release STR  the kernel release uname(2) reports (default\n"
    "                  6.1.0-ringbox): MAJOR.MINOR first, at least 3.2, in at\n"
    "                  most 64 printable bytes without spaces\n"
    "  --hostname NAME the host name uname(2) reports (default ringbox)\n"
    "  --stats         print exit, hypercall, syscall-route, fault and\n"
    "                  per-syscall counts to stderr when the program ends, and\n"
    "                  how ringbox confined itself (identity, capabilities,\n"
    "                  Landlock, seccomp)\n"
    "  --trace         trace every crossing live on stderr: each syscall as strace\n"
    "                  shows it, with its cost, each fault, each denial\n"
    "  --trace=FILE    the same, into FILE\n"
    "  --user UID:GID  run ringbox itself as user UID, group GID (numbers), with no\n"
    "                  supplementary groups, once set-up is done: files the\n"
    "                  program creates through --rw are then UID:GID's on the\n"
    "                  host, and the --rw directories must let UID write.  Needs\n"
    "                  root.  Default: the caller's ids (as root, such files are\n"
    "                  root's)\n"
    "  --no-seccomp    debugging only: do not confine ringbox itself (no seccomp\n"
    "                  allowlist, no Landlock, capabilities kept; a warning says\n"
    "                  so on stderr)\n"
    "  --              end of options\n"
    "  -h, --help      show this help and exit\n"
    "  --version       show the version and exit\n"
    "\n"
    "ringbox trace takes every run option and shows each crossing of the boundary\n"
    "live (docs/trace.md): syscalls decoded as strace does, with the route they\n"
    "took and their cost, faults, signals, limit hits and denied file accesses.\n"
    "Trace options:\n"
    "  -o FILE         write the trace to FILE instead of stderr\n"
    "  -e trace=SET    show only these syscalls: names, %file, %memory, %signal,\n"
    "                  %process, %network, %desc..., 'all', 'none', '!SET';\n"
    "                  repeatable, the last wins\n"
    "  -e EVENTS       show only these other events: fault, signal, limit,\n"
    "                  denied, rejected, policy, exit, all, none (comma list)\n"
    "  --format=json   JSON Lines, one object per event (docs/trace-json.md)\n"
    "  -c              count instead: at exit, print calls, errors, exits and\n"
    "                  time per syscall, and how the wall time splits into guest\n"
    "                  ring 3, the crossings and the VMM (as strace -c)\n"
    "  -C              both: the live trace and the -c summary\n"
    "  --step          pause after each crossing (syscall or exception): show the\n"
    "                  ring path, the instruction and the registers before and\n"
    "                  after; Enter: next, c: run to the end, q (or ^C): kill the\n"
    "                  program (SIGKILL, status 137).  Keys come from /dev/tty\n"
    "Filters change what is shown and counted, never what runs.\n"
    "\n"
    "Exit status:\n"
    "  N        the program exited with status N\n"
    "  128+S    the program was killed by signal S (139 SIGSEGV, 136 SIGFPE,\n"
    "           132 SIGILL, 133 SIGTRAP); the fault report goes to stderr:\n"
    "           a summary line, then why in plain words, the code around\n"
    "           the faulting instruction, its page walk and the address space\n"
    "  137      also: stopped at --time, --cpu, --max-output or --max-syscalls\n"
    "           (as by SIGKILL); the report goes to stderr, e.g. \"ringbox: time\n"
    "           limit exceeded: 2.001 s wall clock (limit 2.000 s)\"\n"
    "  120      internal sandbox failure (KVM, guest machine, memory, seccomp)\n"
    "  121      /dev/kvm missing or inaccessible\n"
    "  125      usage error, or an unusable --ro/--rw/--tmpfs/--cwd\n"
    "  126      PROGRAM is not a runnable x86-64 ELF executable, or its ELF\n"
    "           interpreter is missing from the file view or unusable\n"
    "  127      PROGRAM not found or unreadable\n";

/* Every diagnostic is one line on stderr. */
static void say(const char *msg)
{
    fprintf(stderr, "ringbox: %s\n", msg);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "ringbox: %s (try 'ringbox --help')\n", msg);
    return EXIT_USAGE;
}

static int exit_for_status(int status)
{
    switch (status) {
    case RINGBOX_ENOENT:
        return EXIT_NOTFOUND;
    case RINGBOX_EBADELF:
    case RINGBOX_EDYNAMIC:
        return EXIT_NOEXEC;
    case RINGBOX_ENOKVM:
        return EXIT_NOKVM;
    case RINGBOX_EMOUNT:
        return EXIT_USAGE;
    default:
        return EXIT_INTERNAL;
    }
}

static int fail(int status, const struct ringbox_error *err)
{
    say(err->message[0] ? err->message : ringbox_strerror(status));
    return exit_for_status(status);
}

/* "64M" -> 64 MiB.  Decimal with an optional K, M or G (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: return -1;
    }
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* "1.5" seconds -> ns: a positive decimal number of at most a billion seconds. */
static int parse_seconds(const char *s, uint64_t *ns)
{
    if ((*s < '0' || *s > '9') && *s != '.')
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || !(v > 0) || v > 1e9)
        return -1;
    double n = v * 1e9 + 0.5;
    *ns = n < 1 ? 1 : (uint64_t)n;
    return 0;
}

/* A user or group id in [s, end): decimal, below (uint32_t)-1, which
 * setresuid(2) reads as "unchanged". */
static int parse_id(const char *s, const char *end, uint32_t *out)
{
    uint64_t v = 0;
    if (s == end || end - s > 10)
        return -1;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v >= UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* "65534:65534" -> uid and gid. */
static int parse_user(const char *s, struct ringbox_user *u)
{
    const char *colon = strchr(s, ':');
    if (!colon || parse_id(s, colon, &u->uid) < 0 || parse_id(colon + 1, colon + 1 + strlen(colon + 1), &u->gid) < 0)
        return -1;
    u->set = true;
    return 0;
}

/* A positive decimal count no larger than max. */
static int parse_count(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v == 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

struct env {
    char **v;
    size_t n, cap;
};

static int env_set(struct env *e, char *kv)
{
    size_t klen = strcspn(kv, "=");
    for (size_t i = 0; i < e->n; i++)
        if (strncmp(e->v[i], kv, klen) == 0 && e->v[i][klen] == '=') {
            e->v[i] = kv;
            return 0;
        }
    if (e->n + 2 > e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 16;
        char **v = realloc(e->v, cap * sizeof *v);
        if (!v)
            return -1;
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = kv;
    e->v[e->n] = NULL;
    return 0;
}

struct mount_opt {
    unsigned flags; /* RINGBOX_MOUNT_* */
    char *host, *guest;
    uint64_t size; /* --tmpfs's SIZE, 0 for the default */
    char *copy;    /* --tmpfs's own copy of its value, which guest points into */
};

struct options {
    uint64_t mem;
    uint64_t time_ns, cpu_ns, max_output, max_syscalls, max_disk;
    unsigned max_fds;
    struct mount_opt *mounts; /* in order: a later one wins at the same point */
    size_t nmounts;
    const char *cwd;
    const char *uname_release, *hostname; /* NULL: the library's defaults */
    bool inherit_env, stats, step, no_seccomp;
    struct ringbox_user user; /* --user */
    const char *trace; /* "-" for stderr, a file name, or NULL */
    struct ringbox_trace tr; /* the trace's format, filters and summary */
    bool counting, count_and_trace; /* -c, -C */
    bool is_trace; /* the trace command */
    char **envs; /* the --env values, in order */
    size_t nenvs;
    char **prog; /* PROGRAM and its ARGS, NULL-terminated */
};

/* "--mem=64M" or "--mem 64M": the value, advancing *i past it, or NULL. */
static const char *option_value(char **argv, int argc, int *i, const char *name)
{
    size_t len = strlen(name);
    if (strncmp(argv[*i], name, len) != 0)
        return NULL;
    if (argv[*i][len] == '=')
        return argv[*i] + len + 1;
    if (argv[*i][len] != '\0')
        return NULL;
    if (*i + 1 >= argc)
        return "";
    return argv[++*i];
}

/* Returns -1 to go on, or an exit status. */
static int parse_run(int argc, char **argv, struct options *o)
{
    int i;
    o->envs = calloc((size_t)argc, sizeof *o->envs);
    o->mounts = calloc((size_t)argc, sizeof *o->mounts);
    if (!o->envs || !o->mounts) {
        say("out of memory");
        return EXIT_INTERNAL;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i], *val;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break; /* PROGRAM */
        if ((val = option_value(argv, argc, &i, "--mem"))) {
            if (!*val)
                return usage_error("--mem needs a SIZE");
            if (parse_size(val, &o->mem) < 0)
                return usage_error("--mem: bad SIZE '%s' (a number, optionally with K, M or G)", val);
            if (o->mem < RINGBOX_MIN_MEM)
                return usage_error("--mem: %s is below the minimum of 16M", val);
        } else if ((val = option_value(argv, argc, &i, "--time")) ||
                   (val = option_value(argv, argc, &i, "--cpu"))) {
            const char *opt = strncmp(a, "--time", 6) == 0 ? "--time" : "--cpu";
            if (parse_seconds(val, opt[2] == 't' ? &o->time_ns : &o->cpu_ns) < 0)
                return usage_error("%s: bad SECONDS '%s' (a positive number, fractions allowed)", opt, val);
        } else if ((val = option_value(argv, argc, &i, "--max-output"))) {
            if (parse_size(val, &o->max_output) < 0 || o->max_output == 0)
                return usage_error("--max-output: bad BYTES '%s' (a positive number, optionally with K, M or G)",
                                   val);
        } else if ((val = option_value(argv, argc, &i, "--max-disk"))) {
            if (parse_size(val, &o->max_disk) < 0 || o->max_disk == 0)
                return usage_error("--max-disk: bad BYTES '%s' (a positive number, optionally with K, M or G)",
                                   val);
        } else if ((val = option_value(argv, argc, &i, "--max-fds"))) {
            uint64_t n;
            /* Linux's own ceiling on RLIMIT_NOFILE by default (fs.nr_open). */
            if (parse_count(val, 1u << 20, &n) < 0)
                return usage_error("--max-fds: bad N '%s' (a count from 1 to 1048576)", val);
            o->max_fds = (unsigned)n;
        } else if ((val = option_value(argv, argc, &i, "--max-syscalls"))) {
            if (parse_count(val, UINT64_MAX, &o->max_syscalls) < 0)
                return usage_error("--max-syscalls: bad N '%s' (a positive count)", val);
        } else if ((val = option_value(argv, argc, &i, "--env"))) {
            if (!*val)
                return usage_error("--env needs K=V");
            if (val[0] == '=' || !strchr(val, '='))
                return usage_error("--env: '%s' is not of the form K=V", val);
            o->envs[o->nenvs++] = (char *)val;
        } else if ((val = option_value(argv, argc, &i, "--ro")) ||
                   (val = option_value(argv, argc, &i, "--rw"))) {
            const char *opt = strncmp(a, "--ro", 4) == 0 ? "--ro" : "--rw";
            if (!*val)
                return usage_error("%s needs HOST[:GUEST]", opt);
            struct mount_opt *m = &o->mounts[o->nmounts++];
            m->flags = opt[3] == 'o' ? RINGBOX_MOUNT_RO : RINGBOX_MOUNT_RW;
            m->host = strdup(val);
            if (!m->host) {
                say("out of memory");
                return EXIT_INTERNAL;
            }
            char *colon = strchr(m->host, ':');
            if (colon) {
                *colon = '\0';
                m->guest = colon + 1;
            }
            if (!m->host[0] || (colon && !m->guest[0]))
                return usage_error("%s: '%s' is not of the form HOST[:GUEST]", opt, val);
        } else if ((val = option_value(argv, argc, &i, "--tmpfs"))) {
            if (!*val)
                return usage_error("--tmpfs needs GUEST[:SIZE]");
            struct mount_opt *m = &o->mounts[o->nmounts++];
            m->flags = RINGBOX_MOUNT_TMPFS;
            if (!(m->guest = m->copy = strdup(val))) {
                say("out of memory");
                return EXIT_INTERNAL;
            }
            char *colon = strrchr(m->guest, ':');
            if (colon) {
                *colon = '\0';
                if (parse_size(colon + 1, &m->size) < 0 || m->size == 0)
                    return usage_error("--tmpfs: bad SIZE in '%s' (a positive number, optionally with K, M or G)",
                                       val);
            }
            if (!m->guest[0])
                return usage_error("--tmpfs: '%s' is not of the form GUEST[:SIZE]", val);
        } else if ((val = option_value(argv, argc, &i, "--cwd"))) {
            if (!*val)
                return usage_error("--cwd needs GUEST");
            o->cwd = val;
        } else if ((val = option_value(argv, argc, &i, "--user"))) {
            if (!*val)
                return usage_error("--user needs UID:GID");
            if (parse_user(val, &o->user) < 0)
                return usage_error("--user: bad UID:GID '%s' (two numbers from 0 to 4294967294, such as "
                                   "65534:65534)", val);
        } else if ((val = option_value(argv, argc, &i, "--uname-release"))) {
            if (!*val)
                return usage_error("--uname-release needs STR");
            o->uname_release = val;
        } else if ((val = option_value(argv, argc, &i, "--hostname"))) {
            if (!*val)
                return usage_error("--hostname needs NAME");
            o->hostname = val;
        } else if (strcmp(a, "--inherit-env") == 0) {
            o->inherit_env = true;
        } else if (strcmp(a, "--no-seccomp") == 0) {
            o->no_seccomp = true;
        } else if (strcmp(a, "--stats") == 0) {
            o->stats = true;
        } else if (strcmp(a, "--step") == 0) {
            if (!o->is_trace)
                return usage_error("--step is an option of 'ringbox trace'");
            o->step = true;
        } else if (strcmp(a, "--trace") == 0) {
            o->trace = "-";
        } else if (strncmp(a, "--trace=", 8) == 0) {
            if (!a[8])
                return usage_error("--trace= needs a FILE");
            o->trace = a + 8;
        } else if (o->is_trace && (val = option_value(argv, argc, &i, "-o"))) {
            if (!*val)
                return usage_error("-o needs a FILE");
            o->trace = val;
        } else if (o->is_trace && (val = option_value(argv, argc, &i, "-e"))) {
            struct ringbox_error err = {0};
            if (!*val)
                return usage_error("-e needs an expression");
            if (ringbox_trace_filter(&o->tr, val, &err) < 0)
                return usage_error("-e: %s", err.message);
        } else if (o->is_trace && (val = option_value(argv, argc, &i, "--format"))) {
            if (strcmp(val, "json") == 0)
                o->tr.format = RINGBOX_TRACE_JSON;
            else if (strcmp(val, "text") == 0)
                o->tr.format = RINGBOX_TRACE_TEXT;
            else
                return usage_error("--format: '%s' is not text or json", val);
        } else if (o->is_trace && strcmp(a, "-c") == 0) {
            o->counting = true;
        } else if (o->is_trace && strcmp(a, "-C") == 0) {
            o->counting = o->count_and_trace = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (i >= argc)
        return usage_error("%s: missing PROGRAM", argv[1]);
    struct ringbox_error err;
    if (ringbox_check_uname(o->uname_release, o->hostname, &err) < 0)
        return usage_error("%s", err.message);
    if (o->is_trace && !o->trace)
        o->trace = "-";
    o->prog = argv + i;
    return -1;
}

struct count {
    long nr;
    uint64_t n;
};

static int by_count(const void *a, const void *b)
{
    const struct count *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return (x->nr > y->nr) - (x->nr < y->nr);
}

/* What ringbox_run() applied (docs/security.md), and why not the rest:
 * the command confines itself unless told --no-seccomp. */
static void print_confinement(const struct ringbox_confinement *c)
{
    bool on = c->applied & RINGBOX_CONFINED_SECCOMP;
    fprintf(stderr, "  identity            uid %" PRIu32 " gid %" PRIu32 " (%s)\n", c->uid, c->gid,
            c->applied & RINGBOX_CONFINED_USER ? "--user" : "the caller's");
    if (!on)
        fputs("  capabilities        not dropped (--no-seccomp)\n", stderr);
    else if (c->applied & RINGBOX_CONFINED_BOUNDING)
        fputs("  capabilities        none; bounding set empty; securebits locked\n", stderr);
    else
        fputs("  capabilities        none; bounding set and securebits kept (no CAP_SETPCAP)\n", stderr);
    if (c->applied & RINGBOX_CONFINED_LANDLOCK)
        fprintf(stderr, "  landlock            on (ABI %d)\n", c->landlock_abi);
    else if (!on)
        fputs("  landlock            off (--no-seccomp)\n", stderr);
    else if (c->landlock_abi == 0)
        fputs("  landlock            unavailable (the kernel lacks it)\n", stderr);
    else
        fprintf(stderr, "  landlock            not applied (ABI %d refuses renames between directories)\n",
                c->landlock_abi);
    fprintf(stderr, "  seccomp             %s\n", on ? "on" : "off (--no-seccomp)");
}

static void print_stats(const struct ringbox_result *res)
{
    const struct ringbox_counters *c = &res->counters;
    fprintf(stderr,
            "ringbox: stats\n"
            "  exits               %14" PRIu64 "\n"
            "  hypercalls          %14" PRIu64 "\n"
            "  syscalls            %14" PRIu64 "\n"
            "    via SYSCALL       %14" PRIu64 "\n"
            "    via #PF (kvm_pvm) %14" PRIu64 "\n"
            "  unknown syscalls    %14" PRIu64 "\n"
            "  faults              %14" PRIu64 "\n"
            "  rejected I/O        %14" PRIu64 "\n"
            "  TLB flushes         %14" PRIu64 "\n",
            c->exits, c->hypercalls, c->syscalls, c->syscalls_via_syscall, c->syscalls_via_pf,
            c->unknown_syscalls, c->faults, c->rejected_io,
            c->tlb_flushes);
    print_confinement(&res->confinement);

    struct count counts[RINGBOX_SYSCALL_SLOTS];
    size_t n = 0;
    for (long nr = 0; nr < RINGBOX_SYSCALL_SLOTS; nr++)
        if (c->by_syscall[nr])
            counts[n++] = (struct count){nr, c->by_syscall[nr]};
    if (!n)
        return;
    qsort(counts, n, sizeof counts[0], by_count);
    fprintf(stderr, "  by syscall             nr          count\n");
    for (size_t i = 0; i < n; i++) {
        const char *name = ringbox_syscall_name(counts[i].nr);
        fprintf(stderr, "    %-18s %4ld %14" PRIu64 "\n", name ? name : "?", counts[i].nr, counts[i].n);
    }
}

/* --ro/--rw/--tmpfs in order, then --cwd.  HOST alone is shown at its own
 * absolute path. */
static int apply_view(ringbox_t *rb, const struct options *o, struct ringbox_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < o->nmounts && rc == 0; i++) {
        const struct mount_opt *m = &o->mounts[i];
        char *abs = NULL;
        const char *guest = m->guest;
        if (!guest && !(guest = abs = realpath(m->host, NULL)))
            guest = m->host; /* the library reports the missing host path */
        rc = m->flags == RINGBOX_MOUNT_TMPFS ? ringbox_mount_tmpfs(rb, guest, m->size, err)
                                             : ringbox_mount(rb, m->host, guest, m->flags, err);
        free(abs);
    }
    if (rc == 0 && o->cwd)
        rc = ringbox_chdir(rb, o->cwd, err);
    return rc;
}

static void free_options(struct options *o)
{
    for (size_t i = 0; o->mounts && i < o->nmounts; i++) {
        free(o->mounts[i].host);
        free(o->mounts[i].copy);
    }
    free(o->mounts);
    free(o->envs);
}

/* ---- --step: pause at each crossing ----------------------------------
 * Keys come from /dev/tty in raw mode, since the program owns stdin.  Once
 * ringbox_run() has confined this thread, the ioctl that restores the
 * terminal is no longer allowed, so a guardian child restores it: when this
 * process closes the guardian's pipe, or dies in any way at all, the
 * guardian sees end-of-file, puts the saved settings back and exits, which
 * ends the acknowledgement pipe this process waits on. */
struct stepper {
    int tty;
    int guard; /* write end: closing it asks for the restore */
    int ack;   /* read end: end-of-file once the terminal is restored */
};

static void guardian(int tty, int guard, int ack, const struct termios *saved)
{
    for (int fd = 0; fd < 64; fd++)
        if (fd != tty && fd != guard && fd != ack)
            close(fd);
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    char c;
    while (read(guard, &c, 1) != 0 && errno == EINTR)
        ;
    tcsetattr(tty, TCSANOW, saved);
    _exit(0);
}

static int step_open(struct stepper *st)
{
    struct termios saved, raw;
    int guard[2], ack[2], rc = 0;
    st->tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (st->tty < 0)
        return -errno;
    if (tcgetattr(st->tty, &saved) < 0 || pipe2(guard, O_CLOEXEC) < 0) {
        rc = -errno;
        goto no_guard;
    }
    if (pipe2(ack, O_CLOEXEC) < 0) {
        rc = -errno;
        goto no_ack;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        rc = -errno;
        close(ack[0]);
        close(ack[1]);
        goto no_ack;
    }
    if (pid == 0)
        guardian(st->tty, guard[0], ack[1], &saved);
    close(guard[0]);
    close(ack[1]);
    st->guard = guard[1];
    st->ack = ack[0];
    /* No echo, no line buffering, and ^C arrives as a key (it means q):
     * a signal could not restore the terminal under the filter. */
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(st->tty, TCSANOW, &raw) < 0)
        return -errno; /* step_close still restores and reaps */
    return 0;
no_ack:
    close(guard[0]);
    close(guard[1]);
no_guard:
    close(st->tty);
    st->tty = -1;
    return rc;
}

/* Restore the terminal and wait until it is: readv and close are all the
 * filter leaves. */
static void step_close(struct stepper *st)
{
    char c;
    struct iovec iov = {&c, 1};
    if (st->tty < 0)
        return;
    close(st->guard);
    while (readv(st->ack, &iov, 1) != 0 && errno == EINTR)
        ;
    close(st->ack);
    close(st->tty);
    st->tty = -1;
}

static const char *ring_name(int ring)
{
    return ring == 3 ? "ring 3 (the program)" : ring == 0 ? "ring 0 (the stub) -> VMM" : "ended";
}

static void print_regs(const struct ringbox_regs *b, const struct ringbox_regs *a, bool after)
{
    static const char *const names[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8",
                                        "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
    const uint64_t *vb = &b->rax, *va = &a->rax;
    fprintf(stderr, "  %-7s %-18s  %s\n", "", "before", after ? "after" : "");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (after)
            fprintf(stderr, "  %-7s 0x%016" PRIx64 "  0x%016" PRIx64 "%s\n", names[i], vb[i], va[i],
                    vb[i] != va[i] ? "  *" : "");
        else
            fprintf(stderr, "  %-7s 0x%016" PRIx64 "\n", names[i], vb[i]);
    }
}

/* cfg.on_transition for --step. */
static int step_ui(void *ctx, const struct ringbox_transition *t)
{
    struct stepper *st = ctx;
    const char *name = t->kind == RINGBOX_CROSS_SYSCALL ? ringbox_syscall_name(t->nr) : NULL;
    if (t->kind == RINGBOX_CROSS_SYSCALL)
        fprintf(stderr, "\r\n--- crossing %" PRIu64 ": syscall %s (%ld)\n", t->seq, name ? name : "?", t->nr);
    else
        fprintf(stderr, "\r\n--- crossing %" PRIu64 ": exception %s\n", t->seq, ringbox_vector_name(t->vector));
    fprintf(stderr, "  ring: %s -> %s -> %s\n", ring_name(t->ring_before), ring_name(t->ring_during),
            ring_name(t->ring_after));
    fprintf(stderr, "  insn: 0x%" PRIx64 ": %s\n", t->insn_addr, t->insn[0] ? t->insn : "(unreadable)");
    if (t->kind == RINGBOX_CROSS_FAULT)
        fprintf(stderr, "  why:  %s\n", t->explain);
    if (t->ring_after == 3)
        fprintf(stderr, "  next: 0x%" PRIx64 ": %s\n", t->after.rip, t->next[0] ? t->next : "(unreadable)");
    print_regs(&t->before, &t->after, t->ring_after == 3);
    fprintf(stderr, "  [Enter] next   [c] continue to the end   [q] kill the program\n");
    for (;;) {
        char c;
        struct iovec iov = {&c, 1};
        ssize_t n = readv(st->tty, &iov, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || c == 'c')
            return RINGBOX_STEP_RUN;
        if (c == '\r' || c == '\n' || c == ' ')
            return RINGBOX_STEP_NEXT;
        if (c == 'q' || c == 3) /* ^C */
            return RINGBOX_STEP_KILL;
    }
}

/* ringbox_format_maps into a buffer of its own, or NULL. */
static char *read_maps(const ringbox_t *rb)
{
    int n = ringbox_format_maps(rb, NULL, 0);
    char *maps = malloc((size_t)n + 1);
    if (maps)
        ringbox_format_maps(rb, maps, (size_t)n + 1);
    return maps;
}

/* The fault's explanation, code, page walk and the address space, after
 * the one-line summary. */
/* The explanation, code and page walk, unless `explained` says the live
 * trace already put them on stderr, then the address space either way. */
static void print_fault(const ringbox_t *rb, const struct ringbox_fault *ft, bool explained)
{
    if (!explained) {
        char report[4096];
        ringbox_format_fault(rb, ft, report, sizeof report);
        fputs(report, stderr);
    }
    char *maps = read_maps(rb);
    if (!maps)
        return;
    fputs("  address space (from the guest page tables):\n", stderr);
    for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n"))
        fprintf(stderr, "    %s\n", line);
    free(maps);
}

/* `ringbox run`, or with maps_only `ringbox maps`: load, print the address
 * space, and stop before the program runs. */
static int run(int argc, char **argv, bool maps_only)
{
    struct options o = {.mem = 0, .is_trace = strcmp(argv[1], "trace") == 0};
    struct ringbox_config cfg;
    ringbox_config_init(&cfg);
    o.tr = cfg.trace;
    int rc = parse_run(argc, argv, &o);
    if (rc >= 0) {
        free_options(&o);
        return rc;
    }

    if (o.no_seccomp && !maps_only)
        say("WARNING: --no-seccomp: the VMM runs unconfined; a compromised VMM has the host "
            "user's full rights");

    struct env env = {0};
    extern char **environ;
    if (o.inherit_env && environ)
        for (char **e = environ; *e; e++)
            if (env_set(&env, *e) < 0)
                goto oom;
    for (size_t i = 0; i < o.nenvs; i++)
        if (env_set(&env, o.envs[i]) < 0)
            goto oom;
    char *empty[] = {NULL};

    struct ringbox_error err = {0};
    struct ringbox_result res;
    struct stepper st = {.tty = -1};
    ringbox_t *rb = NULL;
    if (o.step) {
        if ((rc = step_open(&st)) < 0) {
            say(rc == -ENXIO || rc == -ENOTTY ? "--step: needs a terminal (/dev/tty)" : "--step: cannot set up the terminal");
            step_close(&st);
            rc = EXIT_USAGE;
            goto out;
        }
        cfg.on_transition = step_ui;
        cfg.on_transition_ctx = &st;
    }
    cfg.trace = o.tr;
    cfg.trace.summary = o.counting;
    /* -c alone counts and shows nothing live, as strace -c. */
    if (o.counting && !o.count_and_trace)
        cfg.trace.events = 0;
    /* This process exists to run the sandbox: confine all of it. */
    cfg.confine = o.no_seccomp ? RINGBOX_CONFINE_NONE : RINGBOX_CONFINE_PROCESS;
    cfg.user = o.user;
    if (o.mem)
        cfg.mem_bytes = o.mem;
    cfg.time_limit_ns = o.time_ns;
    cfg.cpu_limit_ns = o.cpu_ns;
    cfg.max_output_bytes = o.max_output;
    cfg.max_syscalls = o.max_syscalls;
    cfg.max_fds = o.max_fds;
    cfg.uname_release = o.uname_release;
    cfg.hostname = o.hostname;
    cfg.max_disk_bytes = o.max_disk;
    if (o.trace && strcmp(o.trace, "-") == 0) {
        cfg.trace_fd = STDERR_FILENO;
    } else if (o.trace) {
        cfg.trace_fd = open(o.trace, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (cfg.trace_fd < 0) {
            rc = usage_error("%s: cannot open '%s': %s", o.is_trace ? "-o" : "--trace", o.trace,
                             strerror(errno));
            goto out;
        }
    }

    if ((rc = ringbox_create(&cfg, &rb, &err)) < 0) {
        rc = fail(rc, &err);
        goto out;
    }
    if ((rc = apply_view(rb, &o, &err)) < 0) {
        /* A bad mount or --cwd is a usage error, whatever the library's status. */
        say(err.message);
        rc = rc == RINGBOX_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
        goto out;
    }
    if ((rc = ringbox_load(rb, o.prog[0], o.prog, env.v ? env.v : empty, &err)) < 0) {
        rc = fail(rc, &err);
        goto out;
    }
    if (maps_only) {
        char *maps = read_maps(rb);
        rc = maps && fputs(maps, stdout) >= 0 && fflush(stdout) == 0 ? 0 : EXIT_INTERNAL;
        if (rc)
            say(maps ? "maps: cannot write to standard output" : "out of memory");
        free(maps);
        goto out;
    }
    if (cfg.confine)
        CHECK_LEAKS_BEFORE_CONFINEMENT();
    if ((rc = ringbox_run(rb, &res, &err)) < 0) {
        rc = fail(rc, &err);
        goto out;
    }

    if (o.max_fds && res.counters.emfile) {
        char line[128];
        snprintf(line, sizeof line, "fd limit reached: %" PRIu64 " call(s) failed with EMFILE (--max-fds %u)",
                 res.counters.emfile, o.max_fds);
        say(line);
    }
    if (res.end != RINGBOX_EXITED) {
        char line[1024];
        ringbox_format_end(&res, line, sizeof line);
        say(line);
        if (res.faulted)
            print_fault(rb, &res.fault,
                        cfg.trace_fd == STDERR_FILENO && cfg.trace.format == RINGBOX_TRACE_TEXT &&
                            (cfg.trace.events & RINGBOX_TRACE_FAULT));
        rc = 128 + res.status;
    } else {
        rc = res.status & 0xff;
    }
    if (o.stats)
        print_stats(&res);
    if (o.counting)
        ringbox_trace_summary(rb, cfg.trace_fd);

out:
    step_close(&st);
    ringbox_destroy(rb);
    if (cfg.trace_fd > STDERR_FILENO)
        close(cfg.trace_fd);
    free(env.v);
    free_options(&o);
    return rc;
oom:
    say("out of memory");
    free(env.v);
    free_options(&o);
    return EXIT_INTERNAL;
}

/* Every guest fd is backed by a host fd, and a guest may raise its
 * RLIMIT_NOFILE to what ringbox reports as the hard limit: let the host
 * side have its own hard limit too.  Best effort. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    raise_fd_limit();
    /* A closed pipe must reach the program as EPIPE, not kill ringbox. */
    signal(SIGPIPE, SIG_IGN);

    if (argc < 2)
        return usage_error("missing command");
    if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "trace") == 0)
        return run(argc, argv, false);
    if (strcmp(argv[1], "maps") == 0)
        return run(argc, argv, true);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, stdout);
        return fflush(stdout) == 0 ? 0 : EXIT_INTERNAL;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ringbox %s\n", ringbox_version());
        return fflush(stdout) == 0 ? 0 : EXIT_INTERNAL;
    }
    return usage_error("unknown command '%s'", argv[1]);
}
