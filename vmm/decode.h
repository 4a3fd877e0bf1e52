/* decode.h - syscalls rendered as strace renders them: names, decoded
 * arguments (strings, flag sets, structs), results and errno names, and
 * strace's syscall classes for -e trace=.  Pure: no ioctls, no host
 * syscalls beyond formatting, never prints.  Guest memory is read only
 * through mem.h's checked user copies, so a pointer into the stub's
 * supervisor pages or an unmapped page is shown as an address, never
 * dereferenced. */
#ifndef RB_DECODE_H
#define RB_DECODE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "mem.h"
#include "sys.h"

/* strace's default -s: at most this many bytes of a buffer or string are
 * shown, then `...` after the closing quote.  Paths are shown whole up to
 * DECODE_PATH_MAX bytes, as strace shows them. */
#define DECODE_STR_MAX 32
#define DECODE_PATH_MAX 160
/* One rendered argument; longer renderings end in "...". */
#define DECODE_ARG_MAX 256
#define DECODE_RET_MAX 128

struct decoded_call {
    const char *name;              /* "openat", or NULL for a number Linux does not name */
    bool raw;                      /* no signature known: all six registers in hex */
    bool entered;                  /* decode_enter has rendered the in-arguments */
    int nargs;                     /* arguments shown (openat without O_CREAT shows 3) */
    char arg[6][DECODE_ARG_MAX];   /* each as strace renders it: AT_FDCWD, "/etc", O_RDONLY */
    char ret[DECODE_RET_MAX];      /* "3", "0x7f12a000", "-1 ENOENT (No such file or directory)",
                                    * "0 (Timeout)", "?" (never returned) */
    const char *errname;           /* "ENOENT" when the call failed, else NULL */
    const char *errdesc;           /* "No such file or directory", or NULL */
};

/* As strace does, in two steps around the call: decode_enter before the
 * VMM serves it renders what the program passes in (strings, buffers to
 * write, flag sets, in-out arguments such as select's sets and ppoll's
 * time-out, as they were passed); decode_exit after it renders what the
 * call filled in (stat buffers, read data; shown only when it succeeded)
 * and the result, which for the in-out ones says what came back
 * ("1 (in [3], left {tv_sec=0, tv_nsec=5000})").  decode_call (or
 * decode_exit on a zeroed struct) renders everything from memory as it is
 * after the call.  m == NULL shows pointers as addresses without reading
 * anything. */
void decode_enter(const struct guest_mem *m, const struct sys_args *a, struct decoded_call *out);
void decode_exit(const struct guest_mem *m, const struct sys_args *a, int64_t ret,
                 struct decoded_call *out);
void decode_call(const struct guest_mem *m, const struct sys_args *a, int64_t ret,
                 struct decoded_call *out);

/* "name(arg, arg) = ret" into buf, as snprintf (returns the full length).
 * A NULL name is shown as syscall_NNN. */
int decode_format(char *buf, size_t len, long nr, const struct decoded_call *d);

/* strace's syscall classes (strace(1), -e trace=%CLASS).  A syscall may be
 * in several. */
enum {
    DECODE_FILE = 1u << 0,        /* %file: takes a file name */
    DECODE_DESC = 1u << 1,        /* %desc: takes or returns a file descriptor */
    DECODE_MEMORY = 1u << 2,      /* %memory: maps or changes the address space */
    DECODE_SIGNAL = 1u << 3,      /* %signal */
    DECODE_PROCESS = 1u << 4,     /* %process: process lifetime */
    DECODE_NETWORK = 1u << 5,     /* %net */
    DECODE_IPC = 1u << 6,         /* %ipc: SysV IPC */
    DECODE_CREDS = 1u << 7,       /* %creds: user and group ids */
    DECODE_CLOCK = 1u << 8,       /* %clock: reads or changes clocks */
    DECODE_PURE = 1u << 9,        /* %pure: no arguments, always succeed */
    DECODE_STAT = 1u << 10,       /* %stat: stat by path */
    DECODE_LSTAT = 1u << 11,      /* %lstat */
    DECODE_FSTAT = 1u << 12,      /* %fstat: stat by descriptor */
    DECODE_STAT_LIKE = 1u << 13,  /* %%stat: every stat variant */
    DECODE_STATFS = 1u << 14,     /* %statfs */
    DECODE_FSTATFS = 1u << 15,    /* %fstatfs */
    DECODE_STATFS_LIKE = 1u << 16 /* %%statfs */
};

/* The classes syscall nr is in; 0 for none or an unknown number. */
unsigned decode_classes(long nr);
/* "file", "%file", "net", "%%stat"... -> its DECODE_* bit; -1 if unknown. */
int decode_class_by_name(const char *name);

#endif
