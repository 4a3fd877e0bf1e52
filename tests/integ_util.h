/* integ_util.h - helpers the integration suites share: locating the built
 * programs, running one in-process through the library, and running the
 * ringbox command (or a program natively) with its output captured. */
#ifndef RB_INTEG_UTIL_H
#define RB_INTEG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "ringbox.h"

/* Index of a loop test (_i) -> "glibc" or "musl". */
extern const char *const integ_libc[2];
#define INTEG_NLIBC 2

/* $RB_BUILD (or the build dir compiled in), and paths under it. */
const char *integ_build(void);
/* "$RB_BUILD/progs/NAME.LIBC" in a static buffer of `slot` 0..3. */
const char *integ_prog(const char *name, const char *libc, int slot);
/* "$RB_BUILD/ringbox". */
const char *integ_ringbox(void);
/* True when /dev/kvm is kvm_pvm (IN/OUT from ring 3 exit to the VMM). */
int integ_is_kvm_pvm(void);

/* Whether the host has `bytes` of memory available (MemAvailable), so a
 * test that makes the guest touch that much can run without the OOM
 * killer (the TCG lane's VM has 1 GiB in all).  Says so on stderr if not. */
int integ_have_memory(uint64_t bytes, const char *test);

/* One run through the library with confine = false (the Check child goes
 * on to report after the run) and the guest's stdout captured. */
struct lib_run {
    int rc;                     /* what ringbox_run (or create/load) returned */
    struct ringbox_error err;
    struct ringbox_result res;
    char *out;                  /* guest stdout, NUL-terminated */
    size_t out_len;
};
/* argv and envp NULL-terminated (envp may be NULL); mem 0 = default. */
void integ_lib_run(const char *path, char *const argv[], char *const envp[], uint64_t mem,
                   struct lib_run *r);
/* The same with a whole config (the caller sets confine as it needs). */
void integ_lib_run_cfg(const char *path, char *const argv[], char *const envp[],
                       const struct ringbox_config *cfg, struct lib_run *r);
void integ_lib_free(struct lib_run *r);

/* A child process's outcome with stdout and stderr captured. */
struct proc_run {
    int status;      /* exit status, or 128 + signal */
    char *out, *err; /* NUL-terminated */
    size_t out_len, err_len;
};
/* execve(path, argv, envp ? envp : {NULL}) with stdin from /dev/null. */
void integ_proc_run(const char *path, char *const argv[], char *const envp[], struct proc_run *r);
/* The same in directory `cwd` (NULL: this one) with stdin opened read-only from `in_path`. */
void integ_proc_run_in(const char *path, char *const argv[], char *const envp[], const char *cwd,
                       const char *in_path, struct proc_run *r);
/* The ringbox command: argv[0] is supplied, `args` are what follows it. */
void integ_cli_run(char *const args[], char *const envp[], struct proc_run *r);
/* The same with stdin opened read-only from `in_path`. */
void integ_cli_run_in(char *const args[], char *const envp[], const char *in_path,
                      struct proc_run *r);
void integ_proc_free(struct proc_run *r);

/* The entries of directory `dir` but . and .., asserting it opens. */
int integ_count_entries(const char *dir);
/* rm -rf PATH (a test's scratch tree), asserting it went. */
void integ_rm_rf(const char *path);

/* Count lines in s. */
int integ_lines(const char *s);
/* The value after "key=" at the start of a line of s, copied into buf
 * (static per slot 0..3), or NULL. */
const char *integ_field(const char *s, const char *key, int slot);
/* The whole line of s that contains needle, copied into a static buffer
 * (at most 1023 bytes; the next call reuses it), or NULL. */
const char *integ_line_with(const char *s, const char *needle);

#endif
