/* integ_programs.c - real Debian programs (busybox-static, python3, lua5.4, sqlite3, gzip,
 * coreutils) run natively and under `ringbox run`: stdout and stderr byte for byte, and the
 * exit status.
 *
 * Every case runs the same argv with the same environment twice.  Natively
 * its working directory is a host directory; in the sandbox that directory
 * is mounted and made the guest's working directory with --cwd, so relative
 * paths (and everything the programs print about them) are the same:
 *
 *   read-only cases   native cwd DATA          ringbox --ro DATA:/data --cwd /data
 *   writable cases    native cwd NATIVE_WORK   ringbox --rw BOX_WORK:/work --cwd /work
 *
 * DATA is built once per test case group with fixed contents, modes and
 * mtimes.  A writable case starts from two empty directories; afterwards
 * both must hold the same files with the same bytes, which shows that the
 * sandboxed program really changed the host directory behind its --rw mount.
 *
 * stderr must match too: a sandbox that makes a program complain (an
 * ENOSYS it reports, a file it cannot find) fails even when stdout holds.
 *
 * A case is up to three steps; a step's stdin is /dev/null, a file of DATA,
 * or the previous step's stdout (how a round trip such as gzip | gunzip is
 * written without a shell, which would need fork).
 *
 * Determinism: the environment is empty on both sides (ringbox's default)
 * plus what a case sets.  TZ=UTC where a program formats times, because the
 * default view has no /etc/localtime.  python3 gets PYTHONHASHSEED=0, so
 * that set and dict-of-set orders do not change from run to run, and
 * PYTHONDONTWRITEBYTECODE=1, so that the native run never writes
 * __pycache__ files the sandboxed one could not.  Listings use numeric
 * owners (ls -n) because the default view has no /etc/passwd; the tar cases,
 * whose archives hold owner names, mount /etc/passwd and /etc/group. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integ_util.h"
#include "require.h"

#define BUSYBOX "/bin/busybox"
#define PYTHON3 "/usr/bin/python3"
#define LUA "/usr/bin/lua5.4"
#define SQLITE3 "/usr/bin/sqlite3"
#define GZIP "/bin/gzip"
#define LS "/bin/ls"
#define SORT "/usr/bin/sort"
#define SHA256SUM "/usr/bin/sha256sum"

/* The Debian package that installs each program, for the message when one is missing. */
static const struct {
    const char *path, *package;
} packages[] = {
    {BUSYBOX, "busybox-static"}, {PYTHON3, "python3"}, {LUA, "lua5.4"}, {SQLITE3, "sqlite3"},
    {GZIP, "gzip"},              {LS, "coreutils"},    {SORT, "coreutils"},
    {SHA256SUM, "coreutils"},
};

#define MAX_ARGS 14
#define MAX_STEPS 3

struct step {
    const char *argv[MAX_ARGS]; /* argv[0] is the program's absolute path */
    const char *stdin_file;     /* a file of DATA, or NULL */
    bool stdin_prev;            /* the previous step's stdout instead */
};

struct prog_case {
    const char *name;
    bool writable;        /* cwd is a fresh --rw work directory, not DATA */
    const char *env[4];   /* K=V, natively and as --env */
    const char *box_args[4]; /* more ringbox options, such as further mounts */
    struct step steps[MAX_STEPS];
};

/* ---- the data directory ------------------------------------------------- */

/* 2020-01-01 12:00:00 UTC; each entry gets its own day after it, so that
 * ls -lt and find -newer have an order to show. */
#define DATA_EPOCH 1577880000

static char root[64]; /* mkdtemp: DATA is root/data, work directories root/w-* */
static char data_dir[128];

static const char poem[] = "The quick brown fox\n"
                           "jumps over the lazy dog.\n"
                           "Pack my box with\n"
                           "five dozen liquor jugs.\n"
                           "How vexingly quick daft zebras jump!\n"
                           "the end\n";

static const char lua_script[] =
    "-- word frequencies of a file, most frequent first, ties by word\n"
    "local counts, order = {}, {}\n"
    "for line in io.lines(arg[1]) do\n"
    "  for w in line:lower():gmatch('%a+') do\n"
    "    if not counts[w] then counts[w] = 0; order[#order + 1] = w end\n"
    "    counts[w] = counts[w] + 1\n"
    "  end\n"
    "end\n"
    "table.sort(order, function(a, b)\n"
    "  if counts[a] ~= counts[b] then return counts[a] > counts[b] end\n"
    "  return a < b\n"
    "end)\n"
    "for i, w in ipairs(order) do\n"
    "  if i > 8 then break end\n"
    "  print(string.format('%-8s %d', w, counts[w]))\n"
    "end\n"
    "os.exit(#order % 7)\n";

static const struct {
    const char *path; /* relative to DATA; a trailing '/' makes a directory */
    const char *text; /* NULL: the binary pattern */
    mode_t mode;
} data_files[] = {
    {"poem.txt", poem, 0644},
    {"words.txt", "pear\napple\nfig\napple\nbanana\npear\npear\ncherry\nfig\n", 0644},
    {"nums.txt", "10\n2\n33\n-4\n7\n100\n0\n2\n", 0600},
    {"table.csv", "name,colour,qty\napple,red,3\npear,green,5\nfig,purple,1\nbanana,yellow,12\n", 0644},
    {"a.txt", "one\ntwo\nthree\nfour\nfive\n", 0644},
    {"b.txt", "one\n2\nthree\nfour\nfive\nsix\n", 0644},
    {"tabs.txt", "a\tb\tc\n\tindented\n", 0644},
    {"fill.sql", "CREATE TABLE kv(k TEXT PRIMARY KEY, v);\n"
                 "BEGIN;\n"
                 "INSERT INTO kv VALUES ('a', 1), ('b', x'00ff'), ('c', 2.5), ('d', NULL);\n"
                 "COMMIT;\n"
                 "SELECT k, typeof(v), quote(v) FROM kv ORDER BY k DESC;\n", 0644},
    {"bin.dat", NULL, 0444},
    {"count.lua", lua_script, 0755},
    {"sub/", NULL, 0755},
    {"sub/deep.txt", "the needle is here\nand not here\n", 0644},
    {"sub/empty", "", 0640},
    {"sub/more/", NULL, 0750},
    {"sub/more/x.txt", "another needle\nno match\nneedle again\n", 0644},
};
#define BIN_LEN 300

static time_t entry_time(size_t i)
{
    return DATA_EPOCH + (time_t)i * 86400;
}

static void set_time(const char *path, time_t t, int flags)
{
    struct timespec ts[2] = {{.tv_sec = t}, {.tv_sec = t}};
    ck_assert_msg(utimensat(AT_FDCWD, path, ts, flags) == 0, "utimensat %s: %m", path);
}

static void make_data(void)
{
    strcpy(root, "/tmp/rb-programs.XXXXXX");
    ck_assert_msg(mkdtemp(root), "mkdtemp: %m");
    snprintf(data_dir, sizeof data_dir, "%s/data", root);
    ck_assert_int_eq(mkdir(data_dir, 0755), 0);

    char path[256];
    for (size_t i = 0; i < sizeof data_files / sizeof data_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", data_dir, data_files[i].path);
        size_t len = strlen(path);
        if (path[len - 1] == '/') {
            path[len - 1] = '\0';
            ck_assert_msg(mkdir(path, 0700) == 0, "mkdir %s: %m", path);
        } else {
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
            ck_assert_msg(fd >= 0, "create %s: %m", path);
            if (data_files[i].text) {
                size_t n = strlen(data_files[i].text);
                ck_assert_int_eq(write(fd, data_files[i].text, n), (ssize_t)n);
            } else {
                unsigned char bin[BIN_LEN];
                for (size_t b = 0; b < sizeof bin; b++)
                    bin[b] = (unsigned char)(b * 7 + b / 256);
                ck_assert_int_eq(write(fd, bin, sizeof bin), (ssize_t)sizeof bin);
            }
            close(fd);
        }
        /* chmod, not the creation mode, so that the umask plays no part. */
        ck_assert_int_eq(chmod(path, data_files[i].mode), 0);
    }
    snprintf(path, sizeof path, "%s/link.txt", data_dir);
    ck_assert_int_eq(symlink("poem.txt", path), 0);

    /* Times last, children before their directories: creating an entry
     * changes its directory's mtime. */
    set_time(path, entry_time(0), AT_SYMLINK_NOFOLLOW);
    for (size_t i = sizeof data_files / sizeof data_files[0]; i-- > 0;) {
        snprintf(path, sizeof path, "%s/%s", data_dir, data_files[i].path);
        set_time(path, entry_time(i + 1), 0);
    }
    set_time(data_dir, entry_time(0), 0);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    (void)type;
    return remove(path) < 0 ? -1 : 0;
}

static void remove_data(void)
{
    if (root[0])
        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    root[0] = '\0';
}

/* ---- running a case --------------------------------------------------------- */

static const char *package_of(const char *path)
{
    for (size_t i = 0; i < sizeof packages / sizeof packages[0]; i++)
        if (strcmp(packages[i].path, path) == 0)
            return packages[i].package;
    return "?";
}

/* The file a step reads as stdin: /dev/null, a file of DATA, or the
 * previous step's stdout saved under root as `name`. */
static const char *step_stdin(const struct step *st, const struct proc_run *prev, const char *name,
                              char *path, size_t size)
{
    if (st->stdin_prev) {
        ck_assert_ptr_nonnull(prev);
        snprintf(path, size, "%s/%s", root, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ck_assert_msg(fd >= 0, "create %s: %m", path);
        ck_assert_int_eq(write(fd, prev->out, prev->out_len), (ssize_t)prev->out_len);
        close(fd);
    } else if (st->stdin_file) {
        snprintf(path, size, "%s/%s", data_dir, st->stdin_file);
    } else {
        snprintf(path, size, "/dev/null");
    }
    return path;
}

/* Up to 400 bytes of s, with control characters escaped, for a message. */
static const char *shown(const char *s, size_t len, int slot)
{
    static char buf[3][1700];
    char *o = buf[slot];
    size_t i;
    for (i = 0; i < len && i < 400; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            o += sprintf(o, "\\n");
        else if (c < 0x20 || c >= 0x7f)
            o += sprintf(o, "\\x%02x", c);
        else
            *o++ = (char)c;
    }
    strcpy(o, i < len ? "..." : "");
    return buf[slot];
}

static void compare(const struct prog_case *c, int step, const struct proc_run *native,
                    const struct proc_run *boxed)
{
    ck_assert_msg(boxed->status == native->status,
                  "%s, step %d: status %d in the sandbox, %d natively; sandbox stderr '%s'", c->name,
                  step + 1, boxed->status, native->status, shown(boxed->err, boxed->err_len, 0));
    ck_assert_msg(boxed->out_len == native->out_len &&
                      memcmp(boxed->out, native->out, native->out_len) == 0,
                  "%s, step %d: stdout differs\n  native:  '%s'\n  sandbox: '%s'\n  sandbox stderr: '%s'",
                  c->name, step + 1, shown(native->out, native->out_len, 0),
                  shown(boxed->out, boxed->out_len, 1), shown(boxed->err, boxed->err_len, 2));
    ck_assert_msg(boxed->err_len == native->err_len &&
                      memcmp(boxed->err, native->err, native->err_len) == 0,
                  "%s, step %d: stderr differs\n  native:  '%s'\n  sandbox: '%s'", c->name, step + 1,
                  shown(native->err, native->err_len, 0), shown(boxed->err, boxed->err_len, 1));
}

/* The whole of a file, or NULL. */
static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    char *buf = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

/* Both work directories hold the same names, and regular files with the same bytes. */
static void compare_work(const struct prog_case *c, const char *native_dir, const char *box_dir)
{
    struct dirent **nat, **box;
    int n = scandir(native_dir, &nat, NULL, alphasort);
    int m = scandir(box_dir, &box, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    ck_assert_int_ge(m, 0);
    ck_assert_msg(n > 2, "%s: the native run left no files in its work directory", c->name);
    ck_assert_msg(n == m, "%s: %d entries in the sandbox's work directory, %d natively", c->name,
                  m - 2, n - 2);
    for (int i = 0; i < n; i++) {
        REQUIRE(strcmp(nat[i]->d_name, box[i]->d_name) == 0,
                "%s: work directory entry '%s' in the sandbox, '%s' natively", c->name,
                box[i]->d_name, nat[i]->d_name);
        char np[512], bp[512];
        struct stat st;
        snprintf(np, sizeof np, "%s/%s", native_dir, nat[i]->d_name);
        snprintf(bp, sizeof bp, "%s/%s", box_dir, box[i]->d_name);
        REQUIRE(lstat(np, &st) == 0, "%s: lstat %s: %m", c->name, np);
        if (S_ISREG(st.st_mode)) {
            size_t nlen, blen;
            char *nb = read_file(np, &nlen), *bb = read_file(bp, &blen);
            REQUIRE(bb, "%s: %s is missing or unreadable", c->name, bp);
            REQUIRE(nlen == blen && memcmp(nb, bb, nlen) == 0,
                    "%s: %s differs from the native run's (%zu bytes, %zu natively)", c->name,
                    box[i]->d_name, blen, nlen);
            free(nb);
            free(bb);
        }
    }
    for (int i = 0; i < n; i++)
        free(nat[i]);
    for (int i = 0; i < m; i++)
        free(box[i]);
    free(nat);
    free(box);
}

static void run_case(const struct prog_case *c, int index)
{
    ck_assert_msg(root[0], "the data directory was not built");
    const char *prog = c->steps[0].argv[0];
    ck_assert_msg(access(prog, X_OK) == 0, "%s: %s is missing: apt-get install %s", c->name, prog,
                  package_of(prog));

    char native_dir[256], box_dir[256], mount[300];
    if (c->writable) {
        snprintf(native_dir, sizeof native_dir, "%s/w-%d-native", root, index);
        snprintf(box_dir, sizeof box_dir, "%s/w-%d-box", root, index);
        ck_assert_int_eq(mkdir(native_dir, 0755), 0);
        ck_assert_int_eq(mkdir(box_dir, 0755), 0);
        snprintf(mount, sizeof mount, "%s:/work", box_dir);
    } else {
        snprintf(native_dir, sizeof native_dir, "%s", data_dir);
        snprintf(mount, sizeof mount, "%s:/data", data_dir);
    }

    /* ringbox run --env K=V... BOX_ARGS... --ro|--rw DIR:GUEST --cwd GUEST ARGV... */
    char *box_args[8 + 2 * 4 + 4 + MAX_ARGS];
    size_t nb = 0;
    box_args[nb++] = (char *)"run";
    char *envp[5];
    size_t ne = 0;
    for (; ne < 4 && c->env[ne]; ne++) {
        envp[ne] = (char *)c->env[ne];
        box_args[nb++] = (char *)"--env";
        box_args[nb++] = (char *)c->env[ne];
    }
    envp[ne] = NULL;
    for (size_t a = 0; a < 4 && c->box_args[a]; a++)
        box_args[nb++] = (char *)c->box_args[a];
    box_args[nb++] = (char *)(c->writable ? "--rw" : "--ro");
    box_args[nb++] = mount;
    box_args[nb++] = (char *)"--cwd";
    box_args[nb++] = (char *)(c->writable ? "/work" : "/data");
    box_args[nb++] = (char *)"--";
    size_t argv_at = nb;

    struct proc_run native[MAX_STEPS], boxed[MAX_STEPS];
    int steps = 0;
    for (; steps < MAX_STEPS && c->steps[steps].argv[0]; steps++) {
        const struct step *st = &c->steps[steps];
        char *const *argv = (char *const *)st->argv;
        char in[256];
        step_stdin(st, steps ? &native[steps - 1] : NULL, "stdin-native", in, sizeof in);
        integ_proc_run_in(st->argv[0], argv, envp, native_dir, in, &native[steps]);

        nb = argv_at;
        for (size_t a = 0; st->argv[a]; a++)
            box_args[nb++] = (char *)st->argv[a];
        box_args[nb] = NULL;
        step_stdin(st, steps ? &boxed[steps - 1] : NULL, "stdin-box", in, sizeof in);
        integ_cli_run_in(box_args, NULL, in, &boxed[steps]);

        compare(c, steps, &native[steps], &boxed[steps]);
    }
    if (c->writable)
        compare_work(c, native_dir, box_dir);
    for (int i = 0; i < steps; i++) {
        integ_proc_free(&native[i]);
        integ_proc_free(&boxed[i]);
    }
}

/* ---- the cases ---------------------------------------------------------------- */

#define TZ_UTC {"TZ=UTC"}
/* tar archives hold the owner's name, which busybox looks up in these. */
#define USER_NAMES {"--ro", "/etc/passwd", "--ro", "/etc/group"}
#define BB(...) {{BUSYBOX, __VA_ARGS__}}
#define BB_IN(file, ...) {{BUSYBOX, __VA_ARGS__}, .stdin_file = file}
#define BB_PIPE(...) {{BUSYBOX, __VA_ARGS__}, .stdin_prev = true}

static const struct prog_case busybox_cases[] = {
    {"busybox ls -ln", .env = TZ_UTC, .steps = {BB("ls", "-ln")}},
    {"busybox ls -lnR", .env = TZ_UTC, .steps = {BB("ls", "-lnR")}},
    {"busybox ls -1t", .steps = {BB("ls", "-1t", "sub", ".")}},
    {"busybox cat", .steps = {BB("cat", "poem.txt", "link.txt", "sub/deep.txt")}},
    {"busybox sort", .steps = {BB("sort", "words.txt", "poem.txt")}},
    {"busybox sort -nr", .steps = {BB("sort", "-nr", "nums.txt")}},
    {"busybox sort -t, -k3n", .steps = {BB("sort", "-t,", "-k3,3n", "table.csv")}},
    {"busybox sort | uniq -c", .steps = {BB("sort", "words.txt"), BB_PIPE("uniq", "-c")}},
    {"busybox wc", .steps = {BB("wc", "poem.txt", "words.txt", "bin.dat")}},
    {"busybox sed", .steps = {BB("sed", "-n", "-e", "s/\\(qu[a-z]*\\)/<\\1>/gp", "-e", "$=", "poem.txt")}},
    {"busybox sed delete and prefix", .steps = {BB("sed", "2,4d;s/^/> /", "a.txt")}},
    {"busybox awk", .steps = {BB("awk", "-F,", "NR > 1 { s += $3; printf \"%-7s %5.1f%%\\n\", $1, $3 * 100 / 21 } END { print s, NR }", "table.csv")}},
    {"busybox awk BEGIN", .steps = {BB("awk", "BEGIN { for (i = 1; i <= 6; i++) printf \"%d %5.2f %s %o\\n\", i, 100 / i, substr(\"abcdef\", i), i * i * i }")}},
    {"busybox grep -rn", .steps = {BB("grep", "-rn", "needle", ".")}},
    {"busybox grep -civ", .steps = {BB("grep", "-c", "-i", "-v", "THE", "poem.txt", "a.txt")}},
    {"busybox grep no match", .steps = {BB("grep", "zebra", "a.txt")}},
    {"busybox find", .steps = {BB("find", ".", "-name", "*.txt")}},
    {"busybox find -type -newer", .steps = {BB("find", ".", "(", "-type", "d", "-o", "-newer", "table.csv", ")")}},
    {"busybox md5sum", .steps = {BB("md5sum", "poem.txt", "bin.dat", "sub/empty")}},
    {"busybox sha256sum", .steps = {BB("sha256sum", "poem.txt", "bin.dat", "sub/more/x.txt")}},
    {"busybox sha1sum -c", .steps = {BB("sha1sum", "a.txt", "b.txt"), BB_PIPE("sha1sum", "-c")}},
    {"busybox gzip | gunzip", .steps = {BB("gzip", "-c", "-9", "poem.txt"), BB_PIPE("gunzip", "-c")}},
    {"busybox bzip2 | bunzip2", .steps = {BB_IN("bin.dat", "bzip2", "-c"), BB_PIPE("bunzip2", "-c")}},
    {"busybox tar c | tar t", .box_args = USER_NAMES, .steps = {BB("tar", "-cf", "-", "sub", "a.txt"), BB_PIPE("tar", "-tf", "-")}},
    {"busybox tar c | tar xO", .box_args = USER_NAMES, .steps = {BB("tar", "-cf", "-", "sub"), BB_PIPE("tar", "-xOf", "-", "sub/more/x.txt")}},
    {"busybox od", .steps = {BB("od", "-A", "x", "-t", "x1", "-c", "-j", "100", "-N", "64", "bin.dat")}},
    {"busybox hexdump -C", .steps = {BB("hexdump", "-C", "bin.dat")}},
    {"busybox cut", .steps = {BB("cut", "-d,", "-f1,3", "table.csv")}},
    {"busybox tr", .steps = {BB_IN("poem.txt", "tr", "a-z", "A-Z")}},
    {"busybox tr -s", .steps = {BB_IN("poem.txt", "tr", "-s", "o ", "0_")}},
    {"busybox head", .steps = {BB("head", "-n", "3", "poem.txt", "a.txt")}},
    {"busybox tail", .steps = {BB("tail", "-n", "2", "poem.txt")}},
    {"busybox tail -c", .steps = {BB("tail", "-c", "20", "poem.txt")}},
    {"busybox seq", .steps = {BB("seq", "-w", "-s", ",", "8", "3", "29")}},
    {"busybox expr", .steps = {BB("expr", "6", "*", "7", "+", "length", "hello")}},
    {"busybox expr zero", .steps = {BB("expr", "3", "-", "3")}},
    {"busybox printf", .steps = {BB("printf", "%5.2f|%-6s|%x|%o|%c\\n", "3.14159", "ab", "255", "8", "xyz")}},
    {"busybox date -d @0", .env = TZ_UTC, .steps = {BB("date", "-d", "@0")}},
    {"busybox date -u +fmt", .steps = {BB("date", "-u", "-d", "@1234567890", "+%Y-%m-%d %H:%M:%S %j %a")}},
    {"busybox base64 round trip", .steps = {BB("base64", "bin.dat"), BB_PIPE("base64", "-d"), BB_PIPE("md5sum")}},
    {"busybox basename", .steps = {BB("basename", "/usr/lib/libfoo.so.1", ".1")}},
    {"busybox dirname", .steps = {BB("dirname", "/usr/lib/libfoo.so.1")}},
    {"busybox xargs", .steps = {BB_IN("words.txt", "xargs", "-n", "4", "echo")}},
    {"busybox nl", .steps = {BB("nl", "-ba", "poem.txt")}},
    {"busybox rev", .steps = {BB("rev", "poem.txt")}},
    {"busybox diff -u", .env = TZ_UTC, .steps = {BB("diff", "-u", "a.txt", "b.txt")}},
    {"busybox cmp", .steps = {BB("cmp", "a.txt", "b.txt")}},
    {"busybox paste", .steps = {BB("paste", "-d:", "a.txt", "b.txt")}},
    {"busybox tac", .steps = {BB("tac", "a.txt")}},
    {"busybox expand", .steps = {BB("expand", "-t", "4", "tabs.txt")}},
    {"busybox stat -c", .steps = {BB("stat", "-c", "%n %s %a %F %Y", "poem.txt", "sub", "link.txt", "nums.txt")}},
    {"busybox crc32 sha512sum", .steps = {BB("crc32", "poem.txt"), BB("sha512sum", "bin.dat")}},
    {"busybox factor", .steps = {BB("factor", "360", "1234567", "2147483647")}},
    {"busybox sh builtins", .steps = {BB("sh", "-c", "n=0; for f in *.txt sub/*; do n=$((n + 1)); echo \"$n $f\"; done; [ -d sub ] && echo dir; read a b; echo \"$b|$a\"; exit $((n * 3))")}},
    {"busybox /proc/self/cmdline", .steps = {BB("cat", "/proc/self/cmdline")}},
    {"busybox test", .steps = {BB("test", "-f", "poem.txt", "-a", "!", "-x", "poem.txt")}},
    {"busybox test false", .steps = {BB("test", "-d", "poem.txt")}},
    {"busybox writes in a --rw mount", .writable = true, .steps = {
        BB("sh", "-c", "for i in 3 1 2 10; do echo \"line $i\" >>lines.txt; done; read -r first <lines.txt; echo \"$first\""),
        BB("sort", "-n", "-k2", "-o", "sorted.txt", "lines.txt"),
        BB("sed", "-i", "s/line/LINE/", "sorted.txt")}},
};

#define PY(script) {{PYTHON3, "-c", script}}
#define PY_ENV {"PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1"}

static const struct prog_case python_cases[] = {
    {"python3 json", .env = PY_ENV, .steps = {PY(
        "import json\n"
        "d = {'b': [1, 2.5, {'c': None}], 'a': 'caf\\u00e9', 'n': True}\n"
        "s = json.dumps(d, sort_keys=True)\n"
        "print(s)\n"
        "print(json.dumps(json.loads(s), indent=2, ensure_ascii=False))\n"
        "print(json.loads('[1e3, \"x\", {\"k\": []}]'))\n")}},
    {"python3 re", .env = PY_ENV, .steps = {PY(
        "import re\n"
        "t = open('poem.txt').read()\n"
        "print(re.findall(r'\\b\\w{5}\\b', t))\n"
        "print(re.sub(r'(\\w+) (\\w+)', r'\\2 \\1', t.splitlines()[0]))\n"
        "m = re.search(r'(?P<n>\\d+) dozen|(?P<w>five) dozen', t)\n"
        "print(m.groupdict(), m.span())\n"
        "print(len(re.split(r'\\s+', t.strip())))\n")}},
    {"python3 hashlib", .env = PY_ENV, .steps = {PY(
        "import hashlib\n"
        "b = open('bin.dat', 'rb').read()\n"
        "for name in ('md5', 'sha1', 'sha256', 'sha3_256', 'blake2b'):\n"
        "    print(name, hashlib.new(name, b).hexdigest())\n"
        "print(hashlib.pbkdf2_hmac('sha256', b'pw', b'salt', 1000).hex())\n")}},
    {"python3 os", .env = PY_ENV, .steps = {PY(
        "import os, stat\n"
        "for top, dirs, files in sorted(os.walk('.')):\n"
        "    for f in sorted(files):\n"
        "        p = os.path.join(top, f)\n"
        "        st = os.lstat(p)\n"
        "        print(p, st.st_size, oct(stat.S_IMODE(st.st_mode)), st.st_mtime_ns // 10**9, stat.S_ISLNK(st.st_mode))\n"
        "print(os.readlink('link.txt'), os.path.exists('nope'), os.access('bin.dat', os.R_OK))\n"
        "print(sorted(os.listdir('sub')), os.environ.get('PYTHONHASHSEED'), len(os.urandom(16)))\n"
        "fd = os.open('a.txt', os.O_RDONLY)\n"
        "os.lseek(fd, 4, os.SEEK_SET)\n"
        "print(os.read(fd, 9), os.fstat(fd).st_size)\n"
        "os.close(fd)\n")}},
    {"python3 /tmp and /dev", .env = PY_ENV, .steps = {PY(
        "import os, tempfile\n"
        "fd, path = tempfile.mkstemp(prefix='rb-programs-')\n"
        "os.write(fd, b'scratch ' * 1000)\n"
        "os.close(fd)\n"
        "print(os.path.dirname(path), os.path.getsize(path), open(path).read(15))\n"
        "os.unlink(path)\n"
        "print(os.path.exists(path))\n"
        "print(open('/dev/zero', 'rb').read(5), len(open('/dev/urandom', 'rb').read(33)))\n"
        "print(open('/dev/null', 'w').write('gone'), open('/dev/null').read())\n")}},
    {"python3 hash seed and exit status", .env = PY_ENV, .steps = {PY(
        "import sys, collections\n"
        "print(list({'apple', 'banana', 'cherry', 'date', 'elder'}))\n"
        "print(collections.Counter(open('words.txt').read().split()).most_common(3))\n"
        "sys.exit(3)\n")}},
    {"python3 uncaught exception", .env = PY_ENV, .steps = {PY(
        "print('before', flush=True)\n"
        "raise ValueError('boom')\n")}},
};

#define LUA_E(script) {{LUA, "-e", script}}

static const struct prog_case lua_cases[] = {
    {"lua5.4 -e strings and tables", .steps = {LUA_E(
        "local t = {}\n"
        "for w in ('pear apple fig apple banana'):gmatch('%a+') do t[#t + 1] = w:upper() end\n"
        "table.sort(t)\n"
        "print(table.concat(t, ','), #t)\n"
        "print(string.format('%5.2f %d %x %q', math.pi, 7 // 2, 255, 'a\\nb'))\n"
        "print(('hello'):rep(3, '-'), ('abc'):byte(1, -1))\n"
        "print(math.maxinteger, 2^53, 10 / 4, 7 % -3, math.tointeger(8.0))\n")}},
    {"lua5.4 script over a file", .steps = {{{LUA, "count.lua", "poem.txt"}}}},
    {"lua5.4 io and os", .env = TZ_UTC, .steps = {LUA_E(
        "local f = assert(io.open('table.csv'))\n"
        "local sum = 0\n"
        "for line in f:lines() do local q = line:match(',(%d+)$'); if q then sum = sum + q end end\n"
        "f:close()\n"
        "print('sum', sum, io.open('nope') == nil)\n"
        "print(os.date('!%Y-%m-%d %H:%M:%S', 86400 * 365), os.time{year=2020, month=1, day=1, hour=0})\n"
        "print(string.pack('<i4', 258):byte(1, -1))\n"
        "os.exit(42)\n")}},
    {"lua5.4 tmpfile", .steps = {LUA_E(
        "local name = os.tmpname()\n"
        "local f = assert(io.open(name, 'w'))\n"
        "f:write(('%d\\n'):rep(100):format(table.unpack((function() local t = {} for i = 1, 100 do t[i] = i * i end return t end)())))\n"
        "f:close()\n"
        "local n, sum = 0, 0\n"
        "for l in io.lines(name) do n = n + 1; sum = sum + tonumber(l) end\n"
        "print(name:match('^/tmp/') ~= nil, n, sum, os.remove(name), io.open(name) == nil)\n")}},
    {"lua5.4 error", .steps = {LUA_E("print('x'); error('boom')")}},
};

#define SQL(...) {{SQLITE3, __VA_ARGS__}}
/* Without HOME sqlite3 looks the user up for ~/.sqliterc, which the view's
 * missing /etc/passwd turns into a warning on stderr. */
#define SQL_ENV {"HOME=/nonexistent"}

static const struct prog_case sqlite_cases[] = {
    {"sqlite3 on a --rw database", .writable = true, .env = SQL_ENV, .steps = {
        SQL("t.db", "CREATE TABLE fruit(id INTEGER PRIMARY KEY, name TEXT UNIQUE, qty INT);"
                    "INSERT INTO fruit(name, qty) VALUES ('apple', 3), ('pear', 5), ('fig', 1);"
                    "CREATE INDEX by_qty ON fruit(qty);"),
        SQL("t.db", "UPDATE fruit SET qty = qty * 2 WHERE name <> 'fig';"
                    "DELETE FROM fruit WHERE name = 'pear';"
                    "INSERT INTO fruit(name, qty) VALUES ('kiwi', 9);"
                    "SELECT id, name, qty FROM fruit ORDER BY qty DESC;"),
        SQL("-header", "-csv", "t.db", "SELECT count(*) AS n, sum(qty) AS total FROM fruit;"
                                        "PRAGMA integrity_check;")}},
    {"sqlite3 :memory:", .env = SQL_ENV, .steps = {
        SQL(":memory:", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 12)"
                        " SELECT group_concat(x * x, ' ') FROM c;"
                        "SELECT json_extract('{\"a\": [1, 2, {\"b\": \"deep\"}]}', '$.a[2].b');"
                        "SELECT printf('%08.3f|%-5s|', 3.14159, 'ab'), hex('ringbox'), abs(-7) % 4;")}},
    {"sqlite3 reads SQL from stdin", .writable = true, .env = SQL_ENV, .steps = {
        {{SQLITE3, "-bail", "s.db"}, .stdin_file = "fill.sql"}}},
};

static const struct prog_case coreutils_cases[] = {
    {"coreutils ls -ln", .env = TZ_UTC, .steps = {{{LS, "-ln", "--time-style=long-iso", ".", "sub"}}}},
    {"coreutils ls -lnR --full-time", .env = TZ_UTC, .steps = {{{LS, "-lnR", "--full-time"}}}},
    {"coreutils sort", .steps = {{{SORT, "-t,", "-k2", "table.csv", "words.txt"}}}},
    {"coreutils sort -u -n", .steps = {{{SORT, "-u", "-n", "nums.txt"}}}},
    {"coreutils sha256sum", .steps = {{{SHA256SUM, "poem.txt", "bin.dat", "sub/empty"}}}},
    {"coreutils sha256sum -c", .steps = {{{SHA256SUM, "a.txt", "b.txt", "link.txt"}},
                                         {{SHA256SUM, "-c", "-"}, .stdin_prev = true}}},
    {"gzip | gzip -d", .steps = {{{GZIP, "-c", "-9", "poem.txt"}},
                                 {{GZIP, "-d", "-c"}, .stdin_prev = true}}},
    {"gzip -l", .steps = {{{GZIP, "-c", "bin.dat"}},
                          {{GZIP, "-l", "-v"}, .stdin_prev = true}}},
};

#define NCASES(t) ((int)(sizeof t / sizeof t[0]))

START_TEST(busybox) { run_case(&busybox_cases[_i], _i); }
END_TEST
START_TEST(python3) { run_case(&python_cases[_i], _i); }
END_TEST
START_TEST(lua) { run_case(&lua_cases[_i], _i); }
END_TEST
START_TEST(sqlite3) { run_case(&sqlite_cases[_i], _i); }
END_TEST
START_TEST(coreutils) { run_case(&coreutils_cases[_i], _i); }
END_TEST

static TCase *programs_tcase(const char *name, const TTest *test, int n)
{
    TCase *tc = tcase_create(name);
    /* A tag, so that a run without the packages (the TCG lane's guest) can
     * leave these out with CK_EXCLUDE_TAGS=programs. */
    tcase_set_tags(tc, "programs");
    /* Room for the sanitizer build and a loaded machine: a case is a few
     * runs of a program, each well under a second. */
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, make_data, remove_data);
    tcase_add_loop_test(tc, test, 0, n);
    return tc;
}

Suite *programs_suite(void)
{
    Suite *s = suite_create("programs");
    suite_add_tcase(s, programs_tcase("busybox", busybox, NCASES(busybox_cases)));
    suite_add_tcase(s, programs_tcase("python3", python3, NCASES(python_cases)));
    suite_add_tcase(s, programs_tcase("lua", lua, NCASES(lua_cases)));
    suite_add_tcase(s, programs_tcase("sqlite3", sqlite3, NCASES(sqlite_cases)));
    suite_add_tcase(s, programs_tcase("coreutils", coreutils, NCASES(coreutils_cases)));
    return s;
}
