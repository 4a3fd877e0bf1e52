/* integ_util.c - running programs through the library and the ringbox command for the integration suites. */
#define _GNU_SOURCE
#include "integ_util.h"
#include "require.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const integ_libc[2] = {"glibc", "musl"};

const char *integ_build(void)
{
    const char *b = getenv("RB_BUILD");
    return b && *b ? b : RB_BUILD;
}

const char *integ_prog(const char *name, const char *libc, int slot)
{
    static char buf[4][4096];
    ck_assert_int_lt(slot, 4);
    if (libc)
        snprintf(buf[slot], sizeof buf[slot], "%s/progs/%s.%s", integ_build(), name, libc);
    else
        snprintf(buf[slot], sizeof buf[slot], "%s/progs/%s", integ_build(), name);
    ck_assert_msg(access(buf[slot], R_OK) == 0, "%s is missing: run make progs", buf[slot]);
    return buf[slot];
}

const char *integ_ringbox(void)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/ringbox", integ_build());
    ck_assert_msg(access(buf, X_OK) == 0, "%s is missing", buf);
    return buf;
}

int integ_is_kvm_pvm(void)
{
    return access("/sys/module/kvm_pvm", F_OK) == 0;
}

int integ_have_memory(uint64_t bytes, const char *test)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    unsigned long long kib = 0;
    if (!f)
        return 1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
            break;
    fclose(f);
    if (kib && (uint64_t)kib * 1024 < bytes) {
        fprintf(stderr, "%s: skipped: %llu MiB available, needs %llu MiB\n", test, kib >> 10,
                (unsigned long long)(bytes >> 20));
        return 0;
    }
    return 1;
}

/* The whole of an fd from offset 0, NUL-terminated. */
static char *slurp(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            REQUIRE(buf, "out of memory");
        }
        ssize_t got = pread(fd, buf + n, cap - n - 1, (off_t)n);
        REQUIRE(got >= 0, "pread: %m");
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int capture_fd(const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    return fd;
}

void integ_lib_run(const char *path, char *const argv[], char *const envp[], uint64_t mem,
                   struct lib_run *r)
{
    struct ringbox_config cfg;
    ringbox_config_init(&cfg);
    cfg.confine = false;
    if (mem)
        cfg.mem_bytes = mem;
    integ_lib_run_cfg(path, argv, envp, &cfg, r);
}

void integ_lib_run_cfg(const char *path, char *const argv[], char *const envp[],
                       const struct ringbox_config *cfgp, struct lib_run *r)
{
    memset(r, 0, sizeof *r);
    struct ringbox_config cfg = *cfgp;
    int out = capture_fd("guest-stdout");
    fflush(stdout);
    int saved = dup(1);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_eq(dup2(out, 1), 1);

    ringbox_t *rb = NULL;
    r->rc = ringbox_create(&cfg, &rb, &r->err);
    if (r->rc == 0)
        r->rc = ringbox_load(rb, path, argv, envp, &r->err);
    if (r->rc == 0)
        r->rc = ringbox_run(rb, &r->res, &r->err);
    ringbox_destroy(rb);

    ck_assert_int_eq(dup2(saved, 1), 1);
    close(saved);
    r->out = slurp(out, &r->out_len);
    close(out);
}

void integ_lib_free(struct lib_run *r)
{
    free(r->out);
    r->out = NULL;
}

void integ_proc_run_in(const char *path, char *const argv[], char *const envp[], const char *cwd,
                       const char *in_path, struct proc_run *r)
{
    static char *const empty[] = {NULL};
    memset(r, 0, sizeof *r);
    int out = capture_fd("stdout"), err = capture_fd("stderr");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int in = open(in_path, O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(99);
        if (cwd && chdir(cwd) < 0)
            _exit(97);
        execve(path, argv, envp ? envp : empty);
        _exit(98);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp(out, &r->out_len);
    r->err = slurp(err, &r->err_len);
    close(out);
    close(err);
}

void integ_proc_run(const char *path, char *const argv[], char *const envp[], struct proc_run *r)
{
    integ_proc_run_in(path, argv, envp, NULL, "/dev/null", r);
}

void integ_cli_run_in(char *const args[], char *const envp[], const char *in_path,
                      struct proc_run *r)
{
    char *argv[64];
    size_t n = 0;
    argv[n++] = (char *)"ringbox";
    for (; args[n - 1]; n++) {
        REQUIRE(n < 63, "more than 62 arguments");
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    integ_proc_run_in(integ_ringbox(), argv, envp, NULL, in_path, r);
}

void integ_cli_run(char *const args[], char *const envp[], struct proc_run *r)
{
    integ_cli_run_in(args, envp, "/dev/null", r);
}

void integ_proc_free(struct proc_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int integ_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

const char *integ_field(const char *s, const char *key, int slot)
{
    static char buf[4][1024];
    size_t klen = strlen(key);
    ck_assert_int_lt(slot, 4);
    for (const char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
            const char *v = line + klen + 1;
            size_t len = strcspn(v, "\n");
            if (len >= sizeof buf[slot])
                len = sizeof buf[slot] - 1;
            memcpy(buf[slot], v, len);
            buf[slot][len] = '\0';
            return buf[slot];
        }
    }
    return NULL;
}

const char *integ_line_with(const char *s, const char *needle)
{
    static char buf[1024];
    const char *p = strstr(s, needle);
    if (!p)
        return NULL;
    while (p > s && p[-1] != '\n')
        p--;
    snprintf(buf, sizeof buf, "%.*s", (int)strcspn(p, "\n"), p);
    return buf;
}

void integ_rm_rf(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
}

int integ_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}
