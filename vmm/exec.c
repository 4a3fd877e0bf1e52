/* exec.c - turning an ELF file plus argv/envp into a ready guest process:
 * read, validate, lay out (with ASLR), load the program and its
 * interpreter, build the initial stack. */
#include <errno.h>
#include <elf.h> /* glibc's, for AT_*; "elf.h" below is ours */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"
#include "err.h"
#include "exec.h"
#include "fs.h"

#define PAGE ((uint64_t)RB_PAGE_SIZE)

/* Larger files are not plausible executables or interpreters, and reading
 * one commits that much host memory. */
#define EXEC_MAX_FILE (1ULL << 30)

/* Address-space layout, after Linux x86-64 (arch/x86/include/asm/elf.h,
 * fs/binfmt_elf.c).  ET_DYN images go at ELF_ET_DYN_BASE, 2/3 of the user
 * range, out of the way of brk and mmap; each area then moves by a random
 * number of pages.  Linux's ranges are larger (16 GiB for the stack, 1 TiB
 * for mmap); these keep every area well clear of the others. */
#define EXEC_DYN_BASE ((RB_USER_TOP / 3 * 2) & ~(PAGE - 1))
#define EXEC_DYN_RND (1ULL << 30)
#define EXEC_STACK_RND (1ULL << 30)
#define EXEC_MMAP_GAP_RND (256ULL << 20)
#define EXEC_BRK_RND (32ULL << 20) /* as arch_randomize_brk */

/* The "x86_64" string AT_PLATFORM points at (ELF_PLATFORM). */
static const char platform[] = "x86_64";

/* Linux's CLOCKS_PER_SEC for AT_CLKTCK: the unit of times(2). */
#define EXEC_CLKTCK 100

/* The auxv pairs written, AT_NULL included. */
#define EXEC_NAUXV 19

static uint64_t rand_pages(uint64_t r, uint64_t range)
{
    return r % (range / PAGE) * PAGE;
}

static size_t count_strings(char *const v[])
{
    size_t n = 0;

    while (v && v[n])
        n++;
    return n;
}

/* Bytes of the NUL-terminated strings in v[0..n), or SIZE_MAX once the sum
 * passes cap, so a huge vector costs no more than cap to measure. */
static size_t strings_size(char *const v[], size_t n, size_t cap)
{
    size_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += strnlen(v[i], cap + 1) + 1;
        if (sum > cap)
            return SIZE_MAX;
    }
    return sum;
}

/* Copy v[0..n)'s strings into hbuf at guest address `at` onwards, storing
 * each one's guest address in ptrs[]; returns the address after the last. */
static uint64_t put_strings(uint8_t *hbuf, uint64_t base, uint64_t at, char *const v[], size_t n,
                            uint64_t *ptrs)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        memcpy(hbuf + (at - base), v[i], len);
        ptrs[i] = at;
        at += len;
    }
    return at;
}

/* Layout, from `top` down (fs/binfmt_elf.c create_elf_tables and
 * fs/exec.c): one NULL word Linux keeps at the very top, the AT_EXECFN
 * string, the platform string, AT_RANDOM's 16 bytes, the envp strings and
 * below them the argv strings (contiguous, argv[0] first, as programs that
 * rewrite their argv in place expect), then padding so that argc's word is
 * 16-byte aligned (psABI 3.4.1: "%rsp ... is guaranteed to be 16-byte
 * aligned at process entry"), then argc, argv[], NULL, envp[], NULL, auxv.
 * Everything is assembled in a host buffer and written with one copy. */
int exec_build_stack(const struct guest_mem *mem, uint64_t top, uint64_t size,
                     const struct exec_auxv *aux, char *const argv[], char *const envp[],
                     uint64_t *sp)
{
    size_t argc = count_strings(argv), envc = count_strings(envp);
    size_t execfn_len = strlen(aux->execfn) + 1;
    /* Linux caps the strings and their pointers at a quarter of the stack
     * rlimit (fs/exec.c bprm_stack_limits). */
    size_t cap = size / 4;

    if (argc > cap / sizeof(uint64_t) || envc > cap / sizeof(uint64_t))
        return -E2BIG;
    size_t ptr_bytes = (argc + envc + 2) * sizeof(uint64_t);
    size_t arg_bytes = strings_size(argv, argc, cap);
    size_t env_bytes = strings_size(envp, envc, cap);
    if (arg_bytes == SIZE_MAX || env_bytes == SIZE_MAX ||
        arg_bytes + env_bytes + execfn_len + ptr_bytes > cap)
        return -E2BIG;

    uint64_t p = top - sizeof(uint64_t);
    uint64_t execfn_at = p -= execfn_len;
    uint64_t platform_at = p -= sizeof platform;
    uint64_t random_at = p = (p - sizeof aux->random) & ~15ULL;
    uint64_t env_at = p -= env_bytes;
    uint64_t arg_at = p -= arg_bytes;
    size_t words = 1 + argc + 1 + envc + 1 + 2 * EXEC_NAUXV;
    uint64_t base = (p - words * sizeof(uint64_t)) & ~15ULL;
    if (top - base > size)
        return -E2BIG;

    uint8_t *hbuf = calloc(1, top - base);
    if (!hbuf)
        return -ENOMEM;
    uint64_t *w = (uint64_t *)hbuf; /* base is 16-byte aligned, calloc's memory too */

    memcpy(hbuf + (execfn_at - base), aux->execfn, execfn_len);
    memcpy(hbuf + (platform_at - base), platform, sizeof platform);
    memcpy(hbuf + (random_at - base), aux->random, sizeof aux->random);

    size_t k = 0;
    w[k++] = argc;
    put_strings(hbuf, base, arg_at, argv, argc, &w[k]);
    k += argc;
    w[k++] = 0;
    put_strings(hbuf, base, env_at, envp, envc, &w[k]);
    k += envc;
    w[k++] = 0;

    /* In Linux's order (create_elf_tables), which some tools print. */
    const uint64_t auxv[EXEC_NAUXV][2] = {
        {AT_HWCAP, aux->hwcap},
        {AT_PAGESZ, PAGE},
        {AT_CLKTCK, EXEC_CLKTCK},
        {AT_PHDR, aux->phdr},
        {AT_PHENT, aux->phent},
        {AT_PHNUM, aux->phnum},
        {AT_BASE, aux->base},
        {AT_FLAGS, 0},
        {AT_ENTRY, aux->entry},
        {AT_UID, aux->uid},
        {AT_EUID, aux->uid},
        {AT_GID, aux->gid},
        {AT_EGID, aux->gid},
        {AT_SECURE, 0},
        {AT_RANDOM, random_at},
        {AT_HWCAP2, 0},
        {AT_EXECFN, execfn_at},
        {AT_PLATFORM, platform_at},
        {AT_NULL, 0},
    };
    memcpy(&w[k], auxv, sizeof auxv);

    int rc = mem_copy_to_user(mem, base, hbuf, top - base);
    free(hbuf);
    if (rc < 0)
        return rc;
    *sp = base;
    return 0;
}

/* An ELF file read into memory and validated. */
struct exec_elf {
    uint8_t *buf;
    size_t len;
    struct elf_image img;
    struct mm_file *name; /* its name in /proc/self/maps */
};

static void elf_free(struct exec_elf *e)
{
    free(e->buf);
    mm_file_put(e->name);
}

/* Read the whole of host fd `fd` (a file called `path` in messages) into
 * e->buf and name it `name` after its dev/ino.  Errors are ENOENT-class,
 * as for a program that cannot be read. */
static int read_elf(const struct ringbox *rb, int fd, const char *path, const char *name,
                    struct exec_elf *e, struct ringbox_error *err)
{
    struct stat st;
    uint64_t limit = rb->mem.size < EXEC_MAX_FILE ? rb->mem.size : EXEC_MAX_FILE;

    if (fstat(fd, &st) < 0)
        return rb_fail(err, RINGBOX_ENOENT, errno, "exec: cannot stat %s", path);
    if (!S_ISREG(st.st_mode))
        return rb_fail(err, RINGBOX_ENOENT, 0, "exec: cannot read %s: not a regular file", path);
    if ((uint64_t)st.st_size > limit)
        return rb_fail(err, RINGBOX_ENOMEM, 0,
                       "exec: cannot load %s: %lld bytes is larger than the limit of %llu", path,
                       (long long)st.st_size, (unsigned long long)limit);

    size_t size = (size_t)st.st_size, got = 0;
    e->buf = malloc(size ? size : 1);
    e->name = mm_file_new(name, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
    if (!e->buf || !e->name)
        return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "exec: cannot load %s", path);
    /* A file that shrinks meanwhile is validated as it now is. */
    while (got < size) {
        ssize_t n = read(fd, e->buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rb_fail(err, RINGBOX_ENOENT, errno, "exec: cannot read %s", path);
        if (n == 0)
            break;
        got += (size_t)n;
    }
    e->len = got;
    return 0;
}

/* Read the program at host path `path`, which the embedder chose (the
 * program itself is not in the guest's power), named `exe`. */
static int read_program(const struct ringbox *rb, const char *path, const char *exe,
                        struct exec_elf *e, struct ringbox_error *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is then
     * refused as not a regular file.  Reads of regular files ignore it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return rb_fail(err, RINGBOX_ENOENT, errno, "exec: cannot open %s", path);
    int rc = read_elf(rb, fd, path, exe, e, err);
    close(fd);
    return rc;
}

/* Read and check the program's interpreter.  Its path comes from the
 * untrusted ELF file, so it is opened through the guest's file view, never
 * on the host directly.  Linux (load_elf_binary) requires an interpreter
 * that is itself an ELF image needing none. */
static int read_interp(struct ringbox *rb, const char *path, const char *interp,
                       struct exec_elf *e, struct ringbox_error *err)
{
    int fd = -1;
    char *gpath = NULL, why[192];
    int rc = fs_openat(rb, AT_FDCWD, interp, O_RDONLY | O_NONBLOCK, 0, &fd, &gpath);
    if (rc == -ENOENT)
        return rb_fail(err, RINGBOX_EDYNAMIC, 0,
                       "exec: cannot load %s: interpreter %s not found in the file view", path,
                       interp);
    if (rc < 0)
        return rb_fail(err, RINGBOX_EDYNAMIC, -rc,
                       "exec: cannot load %s: cannot open interpreter %s in the file view", path,
                       interp);
    rc = read_elf(rb, fd, interp, gpath, e, err);
    close(fd);
    free(gpath);
    /* The program itself was found: an unreadable interpreter is the
     * interpreter's failure, not a missing program. */
    if (rc == RINGBOX_ENOENT && err)
        err->status = RINGBOX_EDYNAMIC;
    if (rc)
        return rc == RINGBOX_ENOENT ? RINGBOX_EDYNAMIC : rc;
    rc = elf_validate(e->buf, e->len, &e->img, why, sizeof why);
    if (rc)
        return rb_fail(err, RINGBOX_EDYNAMIC, 0, "exec: cannot load %s: interpreter %s: %s", path,
                       interp, why);
    if (!e->img.pie || e->img.interp[0])
        return rb_fail(err, RINGBOX_EDYNAMIC, 0,
                       "exec: cannot load %s: interpreter %s is not a shared object that needs "
                       "no interpreter of its own",
                       path, interp);
    return 0;
}

/* Everything ASLR draws, from one getrandom call. */
struct exec_random {
    uint64_t bias, stack, gap, brk;
    uint8_t at_random[16];
};

static int get_random(struct exec_random *r, struct ringbox_error *err)
{
    ssize_t n;

    do
        n = getrandom(r, sizeof *r, 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof *r)
        return rb_fail(err, RINGBOX_EINVAL, n < 0 ? errno : EIO, "exec: getrandom failed");
    return 0;
}

static int map_failed(struct ringbox_error *err, int rc, const char *what, const char *path)
{
    if (rc == -ENOMEM)
        return rb_fail(err, RINGBOX_ENOMEM, 0, "exec: cannot load %s: guest memory too small for %s",
                       path, what);
    return rb_fail(err, RINGBOX_EINVAL, -rc, "exec: cannot load %s: mapping %s failed", path, what);
}

int exec_load(struct ringbox *rb, const char *path, char *const argv[], char *const envp[],
              struct ringbox_error *err)
{
    struct exec_elf prog = {0}, interp = {0};
    struct exec_random rnd;
    char why[192];

    /* /proc/self/exe and the image's name are absolute. */
    char *exe = realpath(path, NULL);
    if (!exe)
        exe = strdup(path);
    if (!exe)
        return rb_fail(err, RINGBOX_ENOMEM, ENOMEM, "exec: cannot load %s", path);
    int rc = read_program(rb, path, exe, &prog, err);
    if (rc)
        goto out;
    const struct elf_image *img = &prog.img;
    rc = elf_validate(prog.buf, prog.len, &prog.img, why, sizeof why);
    if (rc) {
        rb_fail(err, rc, 0, "exec: cannot load %s: %s", path, why);
        goto out;
    }
    bool dynamic = img->interp[0] != '\0';
    rc = fs_default_view(rb, path, dynamic, err);
    if (rc)
        goto out;
    if (dynamic) {
        rc = read_interp(rb, path, img->interp, &interp, err);
        if (rc)
            goto out;
    }
    rc = get_random(&rnd, err);
    if (rc)
        goto out;

    uint64_t bias = img->pie ? EXEC_DYN_BASE + rand_pages(rnd.bias, EXEC_DYN_RND) - img->lo : 0;
    uint64_t image_lo = bias + img->lo;
    uint64_t brk_start = bias + img->hi + rand_pages(rnd.brk, EXEC_BRK_RND);
    uint64_t stack_top = RB_USER_TOP - rand_pages(rnd.stack, EXEC_STACK_RND);
    uint64_t stack_bottom = stack_top - EXEC_STACK_SIZE;
    uint64_t guard_bottom = stack_bottom - EXEC_STACK_GUARD;

    /* Only an ET_EXEC linked just below the top can reach the stack area;
     * Linux refuses it too (its segments' MAP_FIXED_NOREPLACE fails). */
    if (image_lo < stack_top && brk_start > guard_bottom) {
        rc = rb_fail(err, RINGBOX_EBADELF, 0,
                     "exec: cannot load %s: segments [%#llx, %#llx) collide with the stack at "
                     "[%#llx, %#llx)",
                     path, (unsigned long long)image_lo, (unsigned long long)(bias + img->hi),
                     (unsigned long long)guard_bottom, (unsigned long long)stack_top);
        goto out;
    }
    rb->mm.brk_start = brk_start;
    rb->mm.brk = brk_start;
    rb->mm.mmap_top = guard_bottom - rand_pages(rnd.gap, EXEC_MMAP_GAP_RND);
    rb->mm.mmap_min = RB_USER_MIN;

    rc = elf_load(&rb->mm, prog.buf, prog.len, img, bias, prog.name);
    if (rc < 0) {
        rc = map_failed(err, rc, "its segments", path);
        goto out;
    }
    rc = mm_map_anon(&rb->mm, stack_bottom, EXEC_STACK_SIZE,
                     PROT_READ | PROT_WRITE | (img->exec_stack ? PROT_EXEC : 0), MM_STACK);
    if (rc < 0) {
        rc = map_failed(err, rc, "the stack", path);
        goto out;
    }
    /* The interpreter goes where an mmap of it would (load_elf_interp):
     * top-down below the randomised mmap_top, so ld.so's own mmaps of the
     * libraries land below it. */
    uint64_t ibias = 0;
    if (dynamic) {
        int64_t at = mm_find_free(&rb->mm, 0, interp.img.hi - interp.img.lo);
        if (at < 0) {
            rc = map_failed(err, (int)at, "its interpreter", path);
            goto out;
        }
        ibias = (uint64_t)at - interp.img.lo;
        rc = elf_load(&rb->mm, interp.buf, interp.len, &interp.img, ibias, interp.name);
        if (rc < 0) {
            rc = map_failed(err, rc, "its interpreter", path);
            goto out;
        }
    }

    /* AT_EXECFN is the path as given, as Linux passes execve's filename.
     * With an interpreter, AT_BASE is its load address and the program
     * starts there; AT_PHDR and AT_ENTRY still describe the program, which
     * ld.so relocates (psABI 3.4.1, fs/binfmt_elf.c create_elf_tables). */
    struct exec_auxv aux = {
        .phdr = bias + img->phdr_vaddr,
        .phent = img->phentsize,
        .phnum = img->phnum,
        .base = ibias,
        .entry = bias + img->entry,
        .hwcap = rb->feat.hwcap,
        .uid = rb->proc.uid,
        .gid = rb->proc.gid,
        .execfn = path,
    };
    memcpy(aux.random, rnd.at_random, sizeof aux.random);
    uint64_t sp;
    rc = exec_build_stack(&rb->mem, stack_top, EXEC_STACK_SIZE, &aux, argv, envp, &sp);
    if (rc == -E2BIG) {
        rc = rb_fail(err, RINGBOX_EINVAL, E2BIG,
                     "exec: cannot load %s: argv and envp exceed %llu KiB", path,
                     (unsigned long long)(EXEC_STACK_SIZE / 4 >> 10));
        goto out;
    }
    if (rc < 0) {
        rc = rb_fail(err, rc == -ENOMEM ? RINGBOX_ENOMEM : RINGBOX_EINVAL, -rc,
                     "exec: cannot load %s: writing the initial stack failed", path);
        goto out;
    }

    free(rb->proc.exe);
    rb->proc.exe = exe;
    exe = NULL;
    rb->entry = dynamic ? ibias + interp.img.entry : bias + img->entry;
    rb->user_sp = sp;
out:
    elf_free(&prog);
    elf_free(&interp);
    free(exe);
    return rc;
}
