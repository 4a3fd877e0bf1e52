/* unit_exec.c - the initial stack (exec_build_stack) and exec_load's layout,
 * mappings and errors, on a guest address space built without /dev/kvm. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "fs.h"
#include "mm.h"

#define PAGE 4096ULL

/* ---- reading an initial stack back ----------------------------------------- */

#define MAX_VEC 64

struct stack_view {
    uint64_t argc;
    uint64_t argv[MAX_VEC], envp[MAX_VEC];
    char args[MAX_VEC][256], envs[MAX_VEC][256];
    size_t envc;
    uint64_t auxv[64][2];
    size_t nauxv;
};

static uint64_t peek64(const struct guest_mem *m, uint64_t va)
{
    uint64_t v;
    ck_assert_int_eq(mem_copy_from_user(m, &v, va, sizeof v), 0);
    return v;
}

static void peek_str(const struct guest_mem *m, uint64_t va, char *dst, size_t max)
{
    ck_assert_int_ge(mem_strncpy_from_user(m, dst, va, max), 0);
}

/* Parse argc, argv, envp and auxv at sp as a libc's _start does. */
static void read_stack(const struct guest_mem *m, uint64_t sp, struct stack_view *v)
{
    memset(v, 0, sizeof *v);
    uint64_t p = sp;
    v->argc = peek64(m, p);
    ck_assert_uint_le(v->argc, MAX_VEC);
    p += 8;
    for (uint64_t i = 0; i < v->argc; i++, p += 8) {
        v->argv[i] = peek64(m, p);
        peek_str(m, v->argv[i], v->args[i], sizeof v->args[i]);
    }
    ck_assert_uint_eq(peek64(m, p), 0);
    for (p += 8; peek64(m, p) && v->envc < MAX_VEC; p += 8) {
        v->envp[v->envc] = peek64(m, p);
        peek_str(m, v->envp[v->envc], v->envs[v->envc], sizeof v->envs[v->envc]);
        v->envc++;
    }
    ck_assert_msg(peek64(m, p) == 0, "more than %d environment strings", MAX_VEC);
    for (p += 8; v->nauxv < 64; p += 16) {
        v->auxv[v->nauxv][0] = peek64(m, p);
        v->auxv[v->nauxv][1] = peek64(m, p + 8);
        if (v->auxv[v->nauxv++][0] == AT_NULL)
            break;
    }
}

/* The value of auxv entry `type`, which must appear exactly once. */
static uint64_t auxval(const struct stack_view *v, uint64_t type)
{
    int seen = 0;
    uint64_t val = 0;
    for (size_t i = 0; i < v->nauxv; i++)
        if (v->auxv[i][0] == type) {
            seen++;
            val = v->auxv[i][1];
        }
    ck_assert_msg(seen == 1, "auxv type %llu appears %d times", (unsigned long long)type, seen);
    return val;
}

/* ---- exec_build_stack ------------------------------------------------------- */

#define S_TOP 0x7fff00000000ULL
#define S_SIZE (64 * PAGE)

struct space {
    struct guest_mem mem;
    struct mm mm;
};

static void space_init(struct space *s, uint64_t bytes)
{
    ck_assert_int_eq(mem_init(&s->mem, bytes), 0);
    mm_init(&s->mm, &s->mem);
}

static void space_fini(struct space *s)
{
    mm_fini(&s->mm);
    mem_fini(&s->mem);
}

static const struct exec_auxv test_aux = {
    .phdr = 0x400040, .phent = 56, .phnum = 7, .base = 0x7ff7f0000000, .entry = 0x401000,
    .hwcap = 0x178bfbff,
    .uid = 1234, .gid = 5678, .execfn = "/some/where/prog",
    .random = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
};

static char *const words[] = {"prog", "", "two words", "\xc3\xbcnicode", "x", "--long-option=1"};

static void check_stack(const struct guest_mem *m, uint64_t sp, char *const argv[], size_t argc,
                        char *const envp[], size_t envc)
{
    struct stack_view v;

    ck_assert_uint_eq(sp % 16, 0);
    ck_assert_uint_ge(sp, S_TOP - S_SIZE);
    ck_assert_uint_lt(sp, S_TOP);
    read_stack(m, sp, &v);
    ck_assert_uint_eq(v.argc, argc);
    ck_assert_uint_eq(v.envc, envc);
    /* The strings as given, and contiguous, argv's then envp's, as
     * setproctitle-style code that reuses that area assumes.  The first
     * string that differs or is out of place is reported. */
    size_t bad_arg = SIZE_MAX, bad_env = SIZE_MAX;
    for (size_t i = 0; i < argc && bad_arg == SIZE_MAX; i++)
        if (strcmp(v.args[i], argv[i]) ||
            (i && v.argv[i] != v.argv[i - 1] + strlen(argv[i - 1]) + 1))
            bad_arg = i;
    for (size_t i = 0; i < envc && bad_env == SIZE_MAX; i++)
        if (strcmp(v.envs[i], envp[i]) ||
            (i && v.envp[i] != v.envp[i - 1] + strlen(envp[i - 1]) + 1))
            bad_env = i;
    ck_assert_msg(bad_arg == SIZE_MAX, "argv[%zu] is '%s' at %#llx", bad_arg,
                  bad_arg == SIZE_MAX ? "" : v.args[bad_arg],
                  bad_arg == SIZE_MAX ? 0ULL : (unsigned long long)v.argv[bad_arg]);
    ck_assert_msg(bad_env == SIZE_MAX, "envp[%zu] is '%s' at %#llx", bad_env,
                  bad_env == SIZE_MAX ? "" : v.envs[bad_env],
                  bad_env == SIZE_MAX ? 0ULL : (unsigned long long)v.envp[bad_env]);
    if (argc && envc)
        ck_assert_uint_eq(v.envp[0], v.argv[argc - 1] + strlen(argv[argc - 1]) + 1);

    ck_assert_uint_eq(v.nauxv, 19);
    ck_assert_uint_eq(v.auxv[v.nauxv - 1][0], AT_NULL);
    ck_assert_uint_eq(auxval(&v, AT_PHDR), test_aux.phdr);
    ck_assert_uint_eq(auxval(&v, AT_PHENT), 56);
    ck_assert_uint_eq(auxval(&v, AT_PHNUM), 7);
    ck_assert_uint_eq(auxval(&v, AT_PAGESZ), 4096);
    ck_assert_uint_eq(auxval(&v, AT_BASE), 0x7ff7f0000000);
    ck_assert_uint_eq(auxval(&v, AT_FLAGS), 0);
    ck_assert_uint_eq(auxval(&v, AT_ENTRY), test_aux.entry);
    ck_assert_uint_eq(auxval(&v, AT_UID), 1234);
    ck_assert_uint_eq(auxval(&v, AT_EUID), 1234);
    ck_assert_uint_eq(auxval(&v, AT_GID), 5678);
    ck_assert_uint_eq(auxval(&v, AT_EGID), 5678);
    ck_assert_uint_eq(auxval(&v, AT_SECURE), 0);
    ck_assert_uint_eq(auxval(&v, AT_HWCAP), 0x178bfbff);
    ck_assert_uint_eq(auxval(&v, AT_HWCAP2), 0);
    ck_assert_uint_eq(auxval(&v, AT_CLKTCK), 100);

    char s[256];
    uint8_t rnd[16];
    peek_str(m, auxval(&v, AT_EXECFN), s, sizeof s);
    ck_assert_str_eq(s, test_aux.execfn);
    peek_str(m, auxval(&v, AT_PLATFORM), s, sizeof s);
    ck_assert_str_eq(s, "x86_64");
    ck_assert_int_eq(mem_copy_from_user(m, rnd, auxval(&v, AT_RANDOM), 16), 0);
    ck_assert_mem_eq(rnd, test_aux.random, 16);
    /* Everything the vector points at lies above it, inside the stack. */
    uint64_t vec_end = sp + 8 * (1 + argc + 1 + envc + 1 + 2 * v.nauxv);
    ck_assert_uint_ge(auxval(&v, AT_RANDOM), vec_end);
    if (argc)
        ck_assert_uint_ge(v.argv[0], vec_end);
    ck_assert_uint_lt(auxval(&v, AT_EXECFN), S_TOP);
    ck_assert_uint_eq(peek64(m, S_TOP - 8), 0);
}

/* Every argc parity and several envp sizes, so the padding that keeps argc
 * 16-byte aligned is exercised both ways. */
START_TEST(stack_roundtrip)
{
    struct space s;
    size_t argc = (size_t)_i % 6 + 1, envc = (size_t)_i / 6;
    char *argv[8] = {0}, *envp[8] = {0};
    char *const env_pool[] = {"HOME=/nowhere", "EMPTY=", "X=a=b", "LONGER_NAME=longer value"};
    uint64_t sp = 1;

    for (size_t i = 0; i < argc; i++)
        argv[i] = words[i];
    for (size_t i = 0; i < envc; i++)
        envp[i] = env_pool[i];
    space_init(&s, 4 << 20);
    ck_assert_int_eq(mm_map_anon(&s.mm, S_TOP - S_SIZE, S_SIZE, PROT_READ | PROT_WRITE, MM_STACK),
                     0);
    ck_assert_int_eq(exec_build_stack(&s.mem, S_TOP, S_SIZE, &test_aux, argv, envp, &sp), 0);
    check_stack(&s.mem, sp, argv, argc, envp, envc);
    space_fini(&s);
}
END_TEST

START_TEST(stack_null_vectors)
{
    struct space s;
    uint64_t sp = 1;

    space_init(&s, 4 << 20);
    ck_assert_int_eq(mm_map_anon(&s.mm, S_TOP - S_SIZE, S_SIZE, PROT_READ | PROT_WRITE, MM_STACK),
                     0);
    ck_assert_int_eq(exec_build_stack(&s.mem, S_TOP, S_SIZE, &test_aux, NULL, NULL, &sp), 0);
    check_stack(&s.mem, sp, NULL, 0, NULL, 0);
    space_fini(&s);
}
END_TEST

START_TEST(stack_too_long)
{
    struct space s;
    uint64_t sp = 1;
    enum { cap = S_SIZE / 4 };
    char *big = malloc(cap + 1);
    char *many[cap / 16 + 1];

    ck_assert_ptr_nonnull(big);
    space_init(&s, 4 << 20);
    ck_assert_int_eq(mm_map_anon(&s.mm, S_TOP - S_SIZE, S_SIZE, PROT_READ | PROT_WRITE, MM_STACK),
                     0);

    /* One string over the cap, in argv and in envp. */
    memset(big, 'a', cap);
    big[cap] = 0;
    char *one[] = {big, NULL};
    ck_assert_int_eq(exec_build_stack(&s.mem, S_TOP, S_SIZE, &test_aux, one, NULL, &sp), -E2BIG);
    ck_assert_int_eq(exec_build_stack(&s.mem, S_TOP, S_SIZE, &test_aux, NULL, one, &sp), -E2BIG);
    /* Half the cap fits. */
    big[cap / 2] = 0;
    ck_assert_int_eq(exec_build_stack(&s.mem, S_TOP, S_SIZE, &test_aux, one, NULL, &sp), 0);
    ck_assert_uint_eq(peek64(&s.mem, sp), 1);
    /* Many short strings whose pointers push the total over. */
    for (size_t i = 0; i < cap / 16; i++)
        many[i] = "0123456";
    many[cap / 16] = NULL;
    sp = 1;
    ck_assert_int_eq(exec_build_stack(&s.mem, S_TOP, S_SIZE, &test_aux, many, NULL, &sp), -E2BIG);
    ck_assert_uint_eq(sp, 1);
    free(big);
    space_fini(&s);
}
END_TEST

START_TEST(stack_unmapped)
{
    struct space s;
    uint64_t sp = 1;

    space_init(&s, 4 << 20);
    char *argv[] = {"prog", NULL};
    ck_assert_int_eq(exec_build_stack(&s.mem, S_TOP, S_SIZE, &test_aux, argv, NULL, &sp), -EFAULT);
    ck_assert_uint_eq(sp, 1);
    space_fini(&s);
}
END_TEST

/* ---- exec_load --------------------------------------------------------------- */

struct seg {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

/* Write an ELF file: header, program headers at 64, and a byte pattern
 * (never 0) everywhere else so copies can be checked byte for byte. */
static void write_elf(const char *path, uint16_t type, uint64_t entry, const struct seg *s,
                      unsigned n, size_t len)
{
    uint8_t *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i % 251 + 1);
    Elf64_Ehdr e = {
        .e_type = type, .e_machine = EM_X86_64, .e_version = EV_CURRENT, .e_entry = entry,
        .e_phoff = sizeof e, .e_ehsize = sizeof e, .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = (uint16_t)n,
    };
    memcpy(e.e_ident, ELFMAG, SELFMAG);
    e.e_ident[EI_CLASS] = ELFCLASS64;
    e.e_ident[EI_DATA] = ELFDATA2LSB;
    e.e_ident[EI_VERSION] = EV_CURRENT;
    memcpy(buf, &e, sizeof e);
    for (unsigned i = 0; i < n; i++) {
        Elf64_Phdr p = {.p_type = s[i].type, .p_flags = s[i].flags, .p_offset = s[i].offset,
                        .p_vaddr = s[i].vaddr, .p_paddr = s[i].vaddr, .p_filesz = s[i].filesz,
                        .p_memsz = s[i].memsz, .p_align = PAGE};
        memcpy(buf + sizeof e + i * sizeof p, &p, sizeof p);
    }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    fclose(f);
    free(buf);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fstat(fd, &st), 0);
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

struct fixture {
    char dir[32];
    char path[64];
    struct ringbox *rb;
    struct ringbox_error err;
};

static void fx_init(struct fixture *f, uint64_t mem_bytes)
{
    strcpy(f->dir, "/tmp/rb-exec-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/prog", f->dir);
    f->rb = calloc(1, sizeof *f->rb);
    ck_assert_ptr_nonnull(f->rb);
    ck_assert_int_eq(mem_init(&f->rb->mem, mem_bytes), 0);
    mm_init(&f->rb->mm, &f->rb->mem);
    fs_init(&f->rb->fs); /* exec_load builds the file view */
    f->rb->proc.uid = 1234;
    f->rb->proc.gid = 5678;
    f->rb->feat.hwcap = 0x178bfbff;
    memset(&f->err, 0, sizeof f->err);
}

static void fx_fini(struct fixture *f)
{
    fs_fini(&f->rb->fs);
    mm_fini(&f->rb->mm);
    mem_fini(&f->rb->mem);
    free(f->rb->proc.exe);
    free(f->rb);
    unlink(f->path);
    rmdir(f->dir);
}

static int fx_load(struct fixture *f, char *const argv[], char *const envp[])
{
    return exec_load(f->rb, f->path, argv, envp, &f->err);
}

static void assert_loaded(struct fixture *f, int rc)
{
    ck_assert_msg(rc == 0, "exec_load: %d %s", rc, f->err.message);
}

static void assert_guest_bytes(struct fixture *f, uint64_t va, const uint8_t *want, size_t len)
{
    uint8_t *got = malloc(len);
    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(mem_copy_from_user(&f->rb->mem, got, va, len), 0);
    ck_assert_msg(!memcmp(got, want, len), "guest bytes at %#llx differ", (unsigned long long)va);
    free(got);
}

static int prot_at(struct fixture *f, uint64_t va)
{
    const struct mm_region *r = mm_find(&f->rb->mm, va);
    ck_assert_msg(r != NULL, "nothing mapped at %#llx", (unsigned long long)va);
    return r->prot;
}

#define RX (PROT_READ | PROT_EXEC)
#define RW (PROT_READ | PROT_WRITE)

/* Code R+X at 0x400000 (file [0, 0x1000)), data R+W at 0x401000 (0x10 file
 * bytes, 0x2000 in memory), non-executable stack. */
static const struct seg exec_segs[] = {
    {PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000},
    {PT_LOAD, PF_R | PF_W, 0x1000, 0x401000, 0x10, 0x2000},
    {PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0},
};

START_TEST(load_exec)
{
    struct fixture f;
    size_t len;
    char *argv[] = {"prog", "arg", NULL}, *envp[] = {"A=1", NULL};

    fx_init(&f, 64 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, exec_segs, 3, 0x1010);
    uint8_t *file = slurp(f.path, &len);
    assert_loaded(&f, fx_load(&f, argv, envp));
    struct ringbox *rb = f.rb;

    ck_assert_uint_eq(rb->entry, 0x400100);
    assert_guest_bytes(&f, 0x400000, file, 0x1000);
    assert_guest_bytes(&f, 0x401000, file + 0x1000, 0x10);
    static const uint8_t zero[0x2000 - 0x10];
    assert_guest_bytes(&f, 0x401010, zero, sizeof zero); /* bss */
    ck_assert_int_eq(prot_at(&f, 0x400000), RX);
    ck_assert_int_eq(prot_at(&f, 0x402fff), RW);
    ck_assert_int_eq(mm_find(&rb->mm, 0x400000)->kind, MM_IMAGE);
    ck_assert_ptr_null(mm_find(&rb->mm, 0x403000));
    /* /proc/self/maps names: the pages holding file bytes show the file at
     * their offsets; bss past them is anonymous, as Linux maps it. */
    const struct mm_region *text = mm_find(&rb->mm, 0x400000);
    const struct mm_region *data = mm_find(&rb->mm, 0x401000);
    const struct mm_region *bss = mm_find(&rb->mm, 0x402000);
    ck_assert_ptr_nonnull(text->file);
    ck_assert_str_eq(text->file->name, rb->proc.exe);
    ck_assert_uint_eq(text->offset, 0);
    ck_assert_ptr_eq(data->file, text->file);
    ck_assert_uint_eq(data->offset, 0x1000);
    ck_assert_uint_eq(data->end, 0x402000);
    ck_assert_ptr_null(bss->file);
    ck_assert_int_eq(bss->kind, MM_IMAGE);
    ck_assert_int_eq(bss->prot, RW);

    /* The stack: mapped RW, top within 1 GiB of RB_USER_TOP, guard below. */
    const struct mm_region *st = mm_find(&rb->mm, rb->user_sp);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(st->kind, MM_STACK);
    ck_assert_int_eq(st->prot, RW);
    ck_assert_uint_eq(st->end - st->start, EXEC_STACK_SIZE);
    ck_assert_uint_le(st->end, RB_USER_TOP);
    ck_assert_uint_ge(st->end, RB_USER_TOP - (1ULL << 30));
    ck_assert_uint_lt(st->end - rb->user_sp, PAGE);
    ck_assert_uint_eq(rb->user_sp % 16, 0);
    ck_assert_ptr_null(mm_find(&rb->mm, st->start - 1));
    ck_assert_ptr_null(mm_find(&rb->mm, st->start - EXEC_STACK_GUARD));

    /* brk just above the image, mmap below the guard. */
    ck_assert_uint_eq(rb->mm.brk_start % PAGE, 0);
    ck_assert_uint_ge(rb->mm.brk_start, 0x403000);
    ck_assert_uint_lt(rb->mm.brk_start, 0x403000 + (32 << 20));
    ck_assert_uint_eq(rb->mm.brk, rb->mm.brk_start);
    ck_assert_uint_le(rb->mm.mmap_top, st->start - EXEC_STACK_GUARD);
    ck_assert_uint_gt(rb->mm.mmap_top, st->start - EXEC_STACK_GUARD - (256 << 20));
    ck_assert_uint_eq(rb->mm.mmap_top % PAGE, 0);
    ck_assert_uint_eq(rb->mm.mmap_min, RB_USER_MIN);

    struct stack_view v;
    read_stack(&rb->mem, rb->user_sp, &v);
    ck_assert_uint_eq(v.argc, 2);
    ck_assert_str_eq(v.args[1], "arg");
    ck_assert_uint_eq(v.envc, 1);
    ck_assert_str_eq(v.envs[0], "A=1");
    ck_assert_uint_eq(auxval(&v, AT_ENTRY), 0x400100);
    ck_assert_uint_eq(auxval(&v, AT_PHDR), 0x400040);
    ck_assert_uint_eq(auxval(&v, AT_PHNUM), 3);
    ck_assert_uint_eq(auxval(&v, AT_UID), 1234);
    ck_assert_uint_eq(auxval(&v, AT_GID), 5678);
    ck_assert_uint_eq(auxval(&v, AT_HWCAP), 0x178bfbff);
    char s[128];
    peek_str(&rb->mem, auxval(&v, AT_EXECFN), s, sizeof s);
    ck_assert_str_eq(s, f.path);

    char *real = realpath(f.path, NULL);
    ck_assert_ptr_nonnull(rb->proc.exe);
    ck_assert_str_eq(rb->proc.exe, real);
    free(real);
    free(file);
    fx_fini(&f);
}
END_TEST

/* Code ends and data begins inside one page: that page gets both
 * protections, the others keep their own.  The code is one page (the
 * shared page is all of it) or two (the shared page is split off). */
START_TEST(load_shared_page_gets_union)
{
    struct fixture f;
    uint64_t code = (uint64_t)(_i + 1) * PAGE - 0x800, data = 0x400000 + code;
    const struct seg segs[] = {
        {PT_LOAD, PF_R | PF_X, 0, 0x400000, code, code},
        {PT_LOAD, PF_R | PF_W, code, data, 0x100, 0x1900},
    };
    size_t len;

    fx_init(&f, 64 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, segs, 2, code + 0x100);
    uint8_t *file = slurp(f.path, &len);
    assert_loaded(&f, fx_load(&f, NULL, NULL));
    if (_i)
        ck_assert_int_eq(prot_at(&f, 0x400000), RX);
    ck_assert_int_eq(prot_at(&f, data - 1), PROT_READ | PROT_WRITE | PROT_EXEC);
    ck_assert_int_eq(prot_at(&f, data), PROT_READ | PROT_WRITE | PROT_EXEC);
    ck_assert_int_eq(prot_at(&f, data + 0x800), RW);
    ck_assert_int_eq(prot_at(&f, data + 0x18ff), RW);
    ck_assert_ptr_null(mm_find(&f.rb->mm, data + 0x1900 + PAGE));
    assert_guest_bytes(&f, 0x400000, file, code + 0x100);
    static const uint8_t zero[0x1800];
    assert_guest_bytes(&f, data + 0x100, zero, sizeof zero);
    free(file);
    fx_fini(&f);
}
END_TEST

START_TEST(load_leading_bytes_and_phdr_fallback)
{
    struct fixture f;

    /* The first segment starts at file offset 0x100: its page still shows
     * the file from offset 0, headers included, as Linux's file mapping
     * does, and AT_PHDR (first p_vaddr - p_offset + e_phoff) finds them. */
    static const struct seg segs[] = {
        {PT_LOAD, PF_R | PF_X, 0x100, 0x400100, 0xf00, 0xf00},
        {PT_LOAD, PF_R | PF_W, 0x1000, 0x401000, 0x10, 0x10},
    };
    size_t len;
    fx_init(&f, 64 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, segs, 2, 0x1010);
    uint8_t *file = slurp(f.path, &len);
    assert_loaded(&f, fx_load(&f, NULL, NULL));
    assert_guest_bytes(&f, 0x400000, file, 0x1000);
    struct stack_view v;
    read_stack(&f.rb->mem, f.rb->user_sp, &v);
    ck_assert_uint_eq(auxval(&v, AT_PHDR), 0x400040);
    assert_guest_bytes(&f, 0x400040, file + 0x40, 2 * sizeof(Elf64_Phdr));
    free(file);
    fx_fini(&f);
}
END_TEST

START_TEST(load_exec_stack)
{
    struct fixture f;

    /* No PT_GNU_STACK: the stack is executable, as on Linux. */
    fx_init(&f, 64 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, exec_segs, 2, 0x1010);
    assert_loaded(&f, fx_load(&f, NULL, NULL));
    ck_assert_int_eq(prot_at(&f, f.rb->user_sp), PROT_READ | PROT_WRITE | PROT_EXEC);
    fx_fini(&f);
}
END_TEST

/* ET_DYN lands at 2/3 of the user range plus a random page offset below
 * 1 GiB; three loads that all agree mean there is no randomization. */
START_TEST(load_pie_aslr)
{
    static const struct seg segs[] = {
        {PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000},
        {PT_LOAD, PF_R | PF_W, 0x1000, 0x1000, 0x10, 0x2000},
        {PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0},
    };
    const uint64_t base = (RB_USER_TOP / 3 * 2) & ~(PAGE - 1);
    uint64_t bias[3], sp[3];
    size_t len;

    for (int i = 0; i < 3; i++) {
        struct fixture f;
        fx_init(&f, 64 << 20);
        write_elf(f.path, ET_DYN, 0x100, segs, 3, 0x1010);
        uint8_t *file = slurp(f.path, &len);
        assert_loaded(&f, fx_load(&f, NULL, NULL));
        bias[i] = f.rb->entry - 0x100;
        sp[i] = f.rb->user_sp;
        ck_assert_uint_eq(bias[i] % PAGE, 0);
        ck_assert_uint_ge(bias[i], base);
        ck_assert_uint_lt(bias[i], base + (1ULL << 30));
        assert_guest_bytes(&f, bias[i], file, 0x1010);
        ck_assert_int_eq(prot_at(&f, bias[i]), RX);
        ck_assert_uint_ge(f.rb->mm.brk_start, bias[i] + 0x3000);
        struct stack_view v;
        read_stack(&f.rb->mem, f.rb->user_sp, &v);
        ck_assert_uint_eq(auxval(&v, AT_ENTRY), bias[i] + 0x100);
        ck_assert_uint_eq(auxval(&v, AT_PHDR), bias[i] + 0x40);
        free(file);
        fx_fini(&f);
    }
    ck_assert_msg(!(bias[0] == bias[1] && bias[1] == bias[2]), "the ET_DYN base never moves");
    ck_assert_msg(!(sp[0] == sp[1] && sp[1] == sp[2]), "the stack never moves");
}
END_TEST

/* A real static-PIE: its program headers must be where AT_PHDR says. */
START_TEST(load_real_static_pie)
{
    struct fixture f;
    char cmd[256], src[80];
    size_t len;

    if (system("command -v gcc >/dev/null 2>&1") != 0) {
        fprintf(stderr, "unit_exec: skipping the static-PIE load: gcc not found\n");
        return;
    }
    fx_init(&f, 64 << 20);
    snprintf(src, sizeof src, "%s/hello.c", f.dir);
    FILE *fp = fopen(src, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("int main(void) { return 0; }\n", fp);
    fclose(fp);
    snprintf(cmd, sizeof cmd, "gcc -O1 -static-pie -fPIE -o %s %s", f.path, src);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
    unlink(src);
    uint8_t *file = slurp(f.path, &len);
    Elf64_Ehdr e;
    memcpy(&e, file, sizeof e);

    assert_loaded(&f, fx_load(&f, NULL, NULL));
    struct stack_view v;
    read_stack(&f.rb->mem, f.rb->user_sp, &v);
    ck_assert_uint_eq(auxval(&v, AT_PHNUM), e.e_phnum);
    assert_guest_bytes(&f, auxval(&v, AT_PHDR), file + e.e_phoff, e.e_phnum * sizeof(Elf64_Phdr));
    ck_assert_uint_eq(auxval(&v, AT_ENTRY), f.rb->entry);
    ck_assert_int_eq(prot_at(&f, f.rb->entry) & PROT_EXEC, PROT_EXEC);
    free(file);
    fx_fini(&f);
}
END_TEST

START_TEST(load_missing)
{
    struct fixture f;

    fx_init(&f, 64 << 20);
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_ENOENT);
    ck_assert_int_eq(f.err.status, RINGBOX_ENOENT);
    ck_assert_int_eq(f.err.os_errno, ENOENT);
    ck_assert_ptr_nonnull(strstr(f.err.message, f.path));
    /* A directory opens but is not a program. */
    ck_assert_int_eq(exec_load(f.rb, f.dir, NULL, NULL, &f.err), RINGBOX_ENOENT);
    ck_assert_ptr_nonnull(strstr(f.err.message, "not a regular file"));
    /* Nor is a FIFO, and opening one must not hang waiting for a writer. */
    ck_assert_int_eq(mkfifo(f.path, 0600), 0);
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_ENOENT);
    ck_assert_ptr_nonnull(strstr(f.err.message, "not a regular file"));
    ck_assert_ptr_null(f.rb->proc.exe);
    fx_fini(&f);
}
END_TEST

START_TEST(load_bad_elf)
{
    struct fixture f;
    struct seg segs[3];

    memcpy(segs, exec_segs, sizeof segs);
    segs[1].filesz = segs[1].memsz + 1;
    fx_init(&f, 64 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, segs, 3, 0x3010);
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_EBADELF);
    ck_assert_int_eq(f.err.status, RINGBOX_EBADELF);
    ck_assert_ptr_nonnull(strstr(f.err.message, "program header 1: p_filesz exceeds p_memsz"));
    ck_assert_ptr_null(f.rb->mm.regions);

    segs[1].filesz = 0x10;
    segs[2].type = PT_INTERP;
    write_elf(f.path, ET_EXEC, 0x400100, segs, 3, 0x1010);
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_EBADELF);
    ck_assert_ptr_nonnull(strstr(f.err.message, "interpreter path of 0 bytes"));
    fx_fini(&f);
}
END_TEST

/* ---- dynamic programs ------------------------------------------------------- */

#define LDSO "/lib64/ld-linux-x86-64.so.2"

/* The exec_segs program with a PT_INTERP naming `interp`, stored at file
 * offset 0x800 (inside the text segment, as linkers place it). */
static void write_dynamic(const char *path, const char *interp)
{
    struct seg segs[3];
    size_t n = strlen(interp) + 1;

    memcpy(segs, exec_segs, sizeof segs);
    segs[2] = (struct seg){PT_INTERP, PF_R, 0x800, 0x400800, n, n};
    write_elf(path, ET_EXEC, 0x400100, segs, 3, 0x1010);
    int fd = open(path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, interp, n, 0x800), (ssize_t)n);
    close(fd);
}

START_TEST(load_interp_missing)
{
    struct fixture f;

    fx_init(&f, 64 << 20);
    write_dynamic(f.path, "/nonexistent/ld.so");
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_EDYNAMIC);
    ck_assert_msg(strstr(f.err.message, "interpreter /nonexistent/ld.so not found in the file view"),
                  "%s", f.err.message);
    fx_fini(&f);
}
END_TEST

START_TEST(load_interp_needs_interp)
{
    struct fixture f;

    /* The program names itself: an interpreter with PT_INTERP is refused,
     * as Linux refuses it (no chains of interpreters). */
    fx_init(&f, 64 << 20);
    write_dynamic(f.path, f.path);
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_EDYNAMIC);
    ck_assert_msg(strstr(f.err.message, "is not a shared object that needs no interpreter"), "%s",
                  f.err.message);
    ck_assert_ptr_null(f.rb->proc.exe);
    fx_fini(&f);
}
END_TEST

START_TEST(load_with_interp)
{
    struct fixture f;
    struct stack_view v;
    Elf64_Ehdr ld;

    if (access(LDSO, R_OK) != 0) {
        fprintf(stderr, "load_with_interp: skipped, no %s on this host\n", LDSO);
        return;
    }
    int fd = open(LDSO, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, &ld, sizeof ld, 0), (ssize_t)sizeof ld);
    close(fd);

    fx_init(&f, 64 << 20);
    write_dynamic(f.path, LDSO);
    assert_loaded(&f, fx_load(&f, NULL, NULL));
    struct ringbox *rb = f.rb;
    read_stack(&rb->mem, rb->user_sp, &v);

    /* The program is mapped as before and described by AT_PHDR/AT_ENTRY;
     * the interpreter sits page-aligned in the mmap area (below mmap_top)
     * and the program starts at its entry. */
    uint64_t base = auxval(&v, AT_BASE);
    ck_assert_uint_eq(auxval(&v, AT_ENTRY), 0x400100);
    ck_assert_uint_eq(auxval(&v, AT_PHDR), 0x400000 + sizeof(Elf64_Ehdr));
    ck_assert_uint_eq(auxval(&v, AT_PHNUM), 3);
    ck_assert_uint_eq(base % PAGE, 0);
    ck_assert_uint_lt(base, rb->mm.mmap_top);
    ck_assert_uint_gt(base, rb->mm.brk_start);
    ck_assert_uint_eq(rb->entry, base + ld.e_entry);
    ck_assert_int_eq(prot_at(&f, rb->entry) & PROT_EXEC, PROT_EXEC);
    const struct mm_region *r = mm_find(&rb->mm, base);
    ck_assert_int_eq(r->kind, MM_IMAGE);
    ck_assert_ptr_nonnull(r->file);
    /* Named by the guest path it resolved to (symlinks followed), as
     * Linux's maps shows the file's own path. */
    const char *name = r->file->name, *tail = strrchr(name, '/');
    ck_assert_msg(name[0] == '/' && tail && !strcmp(tail, strrchr(LDSO, '/')), "%s", name);
    ck_assert_uint_eq(r->offset, 0);
    /* Its ELF header is where AT_BASE says. */
    uint8_t magic[SELFMAG];
    ck_assert_int_eq(mem_copy_from_user(&rb->mem, magic, base, SELFMAG), 0);
    ck_assert(!memcmp(magic, ELFMAG, SELFMAG));
    fx_fini(&f);
}
END_TEST

START_TEST(load_file_too_large)
{
    struct fixture f;

    /* Sparse, so the test costs nothing; it is refused before any read. */
    fx_init(&f, 4 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, exec_segs, 3, 0x1010);
    ck_assert_int_eq(truncate(f.path, (4 << 20) + 1), 0);
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_ENOMEM);
    ck_assert_ptr_nonnull(strstr(f.err.message, "larger than the limit"));
    fx_fini(&f);
}
END_TEST

START_TEST(load_memory_too_small)
{
    struct fixture f;

    /* 4 MiB holds the image but not the 8 MiB stack (commit is eager). */
    fx_init(&f, 4 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, exec_segs, 3, 0x1010);
    ck_assert_int_eq(fx_load(&f, NULL, NULL), RINGBOX_ENOMEM);
    ck_assert_ptr_nonnull(strstr(f.err.message, "the stack"));
    ck_assert_ptr_null(f.rb->proc.exe);
    fx_fini(&f);
}
END_TEST

START_TEST(load_args_too_long)
{
    struct fixture f;
    size_t n = EXEC_STACK_SIZE / 4 + 1;
    char *big = malloc(n);

    ck_assert_ptr_nonnull(big);
    memset(big, 'x', n - 1);
    big[n - 1] = 0;
    char *argv[] = {"prog", big, NULL};
    fx_init(&f, 64 << 20);
    write_elf(f.path, ET_EXEC, 0x400100, exec_segs, 3, 0x1010);
    ck_assert_int_eq(fx_load(&f, argv, NULL), RINGBOX_EINVAL);
    ck_assert_int_eq(f.err.os_errno, E2BIG);
    ck_assert_ptr_nonnull(strstr(f.err.message, "Argument list too long"));
    free(big);
    fx_fini(&f);
}
END_TEST

START_TEST(load_collides_with_stack)
{
    /* An ET_EXEC whose bss reaches up to RB_USER_TOP: unless the random
     * stack top happens to fall below it (then its 1000 MiB cannot be
     * committed in 64 MiB), the stack area collides with it.  The image
     * must never be silently replaced by the stack. */
    static const struct seg segs[] = {
        {PT_LOAD, PF_R | PF_X, 0, RB_USER_TOP - (1000ULL << 20), 0x1000, 1000ULL << 20},
    };
    int collided = 0;

    for (int i = 0; i < 3; i++) {
        struct fixture f;
        fx_init(&f, 64 << 20);
        write_elf(f.path, ET_EXEC, RB_USER_TOP - (1000ULL << 20) + 0x100, segs, 1, 0x1000);
        int rc = fx_load(&f, NULL, NULL);
        ck_assert_msg(rc == RINGBOX_EBADELF || rc == RINGBOX_ENOMEM, "got %d: %s", rc,
                      f.err.message);
        if (rc == RINGBOX_EBADELF) {
            ck_assert_ptr_nonnull(strstr(f.err.message, "collide with the stack"));
            ck_assert_ptr_null(f.rb->mm.regions);
            collided++;
        }
        fx_fini(&f);
    }
    ck_assert_int_gt(collided, 0);
}
END_TEST

Suite *exec_suite(void)
{
    Suite *s = suite_create("exec");
    TCase *st = tcase_create("stack");
    tcase_add_loop_test(st, stack_roundtrip, 0, 6 * 5);
    tcase_add_test(st, stack_null_vectors);
    tcase_add_test(st, stack_too_long);
    tcase_add_test(st, stack_unmapped);
    suite_add_tcase(s, st);

    TCase *ld = tcase_create("load");
    tcase_set_timeout(ld, 60);
    tcase_add_test(ld, load_exec);
    tcase_add_loop_test(ld, load_shared_page_gets_union, 0, 2);
    tcase_add_test(ld, load_leading_bytes_and_phdr_fallback);
    tcase_add_test(ld, load_exec_stack);
    tcase_add_test(ld, load_pie_aslr);
    tcase_add_test(ld, load_real_static_pie);
    tcase_add_test(ld, load_missing);
    tcase_add_test(ld, load_bad_elf);
    tcase_add_test(ld, load_interp_missing);
    tcase_add_test(ld, load_interp_needs_interp);
    tcase_add_test(ld, load_with_interp);
    tcase_add_test(ld, load_file_too_large);
    tcase_add_test(ld, load_memory_too_small);
    tcase_add_test(ld, load_args_too_long);
    tcase_add_test(ld, load_collides_with_stack);
    suite_add_tcase(s, ld);
    return s;
}
