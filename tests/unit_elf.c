/* unit_elf.c - elf_validate against a generated corpus of malformed ELF files
 * (each a one-field mutation of a small valid image) and against real
 * executables, static and dynamic, compiled at test time. */
#include <check.h>
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"
#include "ringbox.h"
#include "ringbox_abi.h"

/* The valid image: headers and code in an R+X segment at 0x400000 (file
 * [0, 0x1000)), data in an R+W segment at 0x401000 (16 file bytes, 0x2000
 * in memory), and PT_GNU_STACK asking for a non-executable stack. */
#define T_BASE 0x400000ULL
#define T_ENTRY (T_BASE + 0x100)
#define T_LEN 0x1010
#define T_NPH 3

struct timg {
    _Alignas(8) uint8_t buf[T_LEN];
    size_t len;
};

static Elf64_Ehdr *eh(struct timg *t)
{
    return (Elf64_Ehdr *)t->buf;
}

static Elf64_Phdr *ph(struct timg *t, unsigned i)
{
    return (Elf64_Phdr *)(t->buf + sizeof(Elf64_Ehdr)) + i;
}

static void make_valid(struct timg *t)
{
    /* mov $60, %eax; xor %edi, %edi; syscall: exit(0) */
    static const uint8_t code[] = {0xb8, 0x3c, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05};

    memset(t, 0, sizeof *t);
    t->len = T_LEN;
    Elf64_Ehdr *e = eh(t);
    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS64;
    e->e_ident[EI_DATA] = ELFDATA2LSB;
    e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_ident[EI_OSABI] = ELFOSABI_SYSV;
    e->e_type = ET_EXEC;
    e->e_machine = EM_X86_64;
    e->e_version = EV_CURRENT;
    e->e_entry = T_ENTRY;
    e->e_phoff = sizeof(Elf64_Ehdr);
    e->e_ehsize = sizeof(Elf64_Ehdr);
    e->e_phentsize = sizeof(Elf64_Phdr);
    e->e_phnum = T_NPH;
    *ph(t, 0) = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
                             .p_vaddr = T_BASE, .p_paddr = T_BASE, .p_filesz = 0x1000,
                             .p_memsz = 0x1000, .p_align = 0x1000};
    *ph(t, 1) = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x1000,
                             .p_vaddr = T_BASE + 0x1000, .p_paddr = T_BASE + 0x1000,
                             .p_filesz = 0x10, .p_memsz = 0x2000, .p_align = 0x1000};
    *ph(t, 2) = (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16};
    memcpy(t->buf + 0x100, code, sizeof code);
    memset(t->buf + 0x1000, 0xd5, 0x10);
}

/* With RB_ELF_SEEDS=DIR the suite also writes each image it builds into
 * DIR, as the seed corpus of the ELF fuzzer (make fuzz). */
static void save_seed(const struct timg *t)
{
    const char *dir = getenv("RB_ELF_SEEDS");
    if (!dir)
        return;
    /* Named by content (FNV-1a), since each test runs in its own process. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < t->len; i++)
        h = (h ^ t->buf[i]) * 0x100000001b3ULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/unit-%016llx", dir, (unsigned long long)h);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f, "cannot write the seed %s", path);
    ck_assert_uint_eq(fwrite(t->buf, 1, t->len, f), t->len);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(valid_image_passes)
{
    struct timg t;
    struct elf_image img;
    char why[160] = "";

    make_valid(&t);
    save_seed(&t);
    ck_assert_int_eq(elf_validate(t.buf, t.len, &img, why, sizeof why), 0);
    ck_assert(!img.pie);
    ck_assert_uint_eq(img.entry, T_ENTRY);
    ck_assert_uint_eq(img.lo, T_BASE);
    ck_assert_uint_eq(img.hi, T_BASE + 0x3000);
    /* The table lies in the first segment's file range: vaddr + e_phoff. */
    ck_assert_uint_eq(img.phdr_vaddr, T_BASE + sizeof(Elf64_Ehdr));
    ck_assert_uint_eq(img.phnum, T_NPH);
    ck_assert_uint_eq(img.phentsize, sizeof(Elf64_Phdr));
    ck_assert(!img.exec_stack);
    ck_assert_str_eq(img.interp, "");
}
END_TEST

/* ---- the malformed corpus ---------------------------------------------------
 * Each case mutates the valid image; `reason` must appear in the message,
 * which pins the check that fired, not just the verdict. */
struct bad_case {
    const char *name;
    void (*mutate)(struct timg *t);
    int status;
    const char *reason;
};

static void m_magic(struct timg *t) { t->buf[EI_MAG1] = 'X'; }
static void m_class32(struct timg *t) { eh(t)->e_ident[EI_CLASS] = ELFCLASS32; }
static void m_msb(struct timg *t) { eh(t)->e_ident[EI_DATA] = ELFDATA2MSB; }
static void m_ident_version(struct timg *t) { eh(t)->e_ident[EI_VERSION] = EV_NONE; }
static void m_osabi(struct timg *t) { eh(t)->e_ident[EI_OSABI] = 9; /* FreeBSD */ }
static void m_rel(struct timg *t) { eh(t)->e_type = ET_REL; }
static void m_core(struct timg *t) { eh(t)->e_type = ET_CORE; }
static void m_i386(struct timg *t) { eh(t)->e_machine = EM_386; }
static void m_version(struct timg *t) { eh(t)->e_version = EV_NONE; }
static void m_ehsize(struct timg *t) { eh(t)->e_ehsize = sizeof(Elf32_Ehdr); }
static void m_phentsize(struct timg *t) { eh(t)->e_phentsize = sizeof(Elf32_Phdr); }
static void m_phnum0(struct timg *t) { eh(t)->e_phnum = 0; }
static void m_phnum_huge(struct timg *t) { eh(t)->e_phnum = 1000; }
static void m_phnum_xnum(struct timg *t) { eh(t)->e_phnum = PN_XNUM; }
static void m_phnum_past_eof(struct timg *t) { t->len = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr); }
static void m_phoff_eof(struct timg *t) { eh(t)->e_phoff = T_LEN; }
static void m_phoff_wrap(struct timg *t) { eh(t)->e_phoff = UINT64_MAX - 8; }
static void m_filesz(struct timg *t) { ph(t, 1)->p_filesz = ph(t, 1)->p_memsz + 1; }
static void m_file_eof(struct timg *t) { ph(t, 1)->p_filesz = 0x11; }
static void m_offset_eof(struct timg *t) { ph(t, 1)->p_offset = 0x2000; }
static void m_offset_wrap(struct timg *t)
{
    ph(t, 1)->p_offset = UINT64_MAX - 7; /* + filesz 0x10 wraps to 8 */
    ph(t, 1)->p_align = 0;
}
static void m_vaddr_wrap(struct timg *t)
{
    ph(t, 1)->p_vaddr = 0xfffffffffffff000ULL;
    ph(t, 1)->p_memsz = 0x2000;
}
static void m_overlap(struct timg *t)
{
    /* Congruent, so only the overlap with segment 0's bytes is wrong. */
    ph(t, 1)->p_vaddr = T_BASE + 0x800;
    ph(t, 1)->p_offset = 0x800;
}
static void m_descending(struct timg *t)
{
    Elf64_Phdr tmp = *ph(t, 0);
    *ph(t, 0) = *ph(t, 1);
    *ph(t, 1) = tmp;
}
static void m_misaligned(struct timg *t) { ph(t, 1)->p_vaddr = T_BASE + 0x1008; }
static void m_align_not_pow2(struct timg *t) { ph(t, 1)->p_align = 0x1800; }
static void m_entry_outside(struct timg *t) { eh(t)->e_entry = T_BASE + 0x10000; }
static void m_entry_at_end(struct timg *t) { eh(t)->e_entry = T_BASE + 0x3000; }
static void m_entry_zero(struct timg *t) { eh(t)->e_entry = 0; }
static void m_entry_data(struct timg *t) { eh(t)->e_entry = T_BASE + 0x1008; }
static void m_entry_noexec(struct timg *t) { ph(t, 0)->p_flags = PF_R; }
static void m_below_min(struct timg *t)
{
    ph(t, 0)->p_vaddr = RB_USER_MIN - 0x1000;
    eh(t)->e_entry = RB_USER_MIN - 0x1000 + 0x100;
}
static void m_null_page(struct timg *t)
{
    ph(t, 0)->p_vaddr = 0;
    eh(t)->e_entry = 0x100;
}
static void m_above_top(struct timg *t)
{
    ph(t, 1)->p_vaddr = RB_USER_TOP - 0x1000;
    ph(t, 1)->p_memsz = 0x2000;
}
static void m_noncanonical(struct timg *t) { ph(t, 1)->p_vaddr = 0xffff800000001000ULL; }
static void m_span(struct timg *t) { ph(t, 1)->p_vaddr = T_BASE + (1ULL << 30); }
static void m_no_load(struct timg *t)
{
    ph(t, 0)->p_type = PT_NOTE;
    ph(t, 1)->p_type = PT_NOTE;
}
static void m_only_empty_load(struct timg *t)
{
    ph(t, 0)->p_memsz = ph(t, 0)->p_filesz = 0;
    ph(t, 1)->p_type = PT_NOTE;
}
/* PT_INTERP in place of PT_GNU_STACK, naming file bytes [off, off+size). */
static void set_interp(struct timg *t, uint64_t off, uint64_t size)
{
    *ph(t, 2) = (Elf64_Phdr){.p_type = PT_INTERP, .p_flags = PF_R, .p_offset = off,
                             .p_filesz = size, .p_memsz = size, .p_align = 1};
}
static void m_interp_zero(struct timg *t) { set_interp(t, 0x200, 0); }
static void m_interp_one(struct timg *t) { set_interp(t, 0x200, 1); }
static void m_interp_eof(struct timg *t) { set_interp(t, T_LEN - 4, 8); }
static void m_interp_wrap(struct timg *t) { set_interp(t, 0x200, UINT64_MAX - 0x100); }
static void m_interp_no_nul(struct timg *t) { set_interp(t, 0x1000, 0x10); }
static void m_interp_empty(struct timg *t) { set_interp(t, 0x200, 2); }
static void m_interp_long(struct timg *t) { set_interp(t, 0, 4097); }
static void m_interp_and_broken(struct timg *t)
{
    set_interp(t, 0x200, 2);
    ph(t, 1)->p_filesz = ph(t, 1)->p_memsz + 1;
}

#define EBAD RINGBOX_EBADELF
static const struct bad_case bad_cases[] = {
    {"bad magic", m_magic, EBAD, "not an ELF file"},
    {"ELFCLASS32", m_class32, EBAD, "not a 64-bit ELF"},
    {"ELFDATA2MSB", m_msb, EBAD, "not a little-endian ELF"},
    {"EI_VERSION 0", m_ident_version, EBAD, "identification version"},
    {"FreeBSD OS ABI", m_osabi, EBAD, "not a Linux ELF"},
    {"ET_REL", m_rel, EBAD, "not an executable"},
    {"ET_CORE", m_core, EBAD, "not an executable"},
    {"EM_386", m_i386, EBAD, "not an x86-64 executable"},
    {"e_version 0", m_version, EBAD, "unknown ELF version"},
    {"e_ehsize 52", m_ehsize, EBAD, "e_ehsize"},
    {"e_phentsize 32", m_phentsize, EBAD, "e_phentsize"},
    {"e_phnum 0", m_phnum0, EBAD, "no program headers"},
    {"e_phnum 1000", m_phnum_huge, EBAD, "too many program headers"},
    {"e_phnum PN_XNUM", m_phnum_xnum, EBAD, "too many program headers"},
    {"table cut by EOF", m_phnum_past_eof, EBAD, "program header table"},
    {"e_phoff at EOF", m_phoff_eof, EBAD, "program header table"},
    {"e_phoff wraps", m_phoff_wrap, EBAD, "program header table"},
    {"p_filesz > p_memsz", m_filesz, EBAD, "program header 1: p_filesz exceeds p_memsz"},
    {"p_filesz past EOF", m_file_eof, EBAD, "program header 1: file range"},
    {"p_offset past EOF", m_offset_eof, EBAD, "program header 1: file range"},
    {"p_offset + p_filesz wraps", m_offset_wrap, EBAD, "program header 1: file range"},
    {"p_vaddr + p_memsz wraps", m_vaddr_wrap, EBAD, "program header 1: p_vaddr + p_memsz overflows"},
    {"overlapping bytes", m_overlap, EBAD, "program header 1: segment at 0x400800 overlaps"},
    {"descending p_vaddr", m_descending, EBAD, "program header 1: segment at 0x400000 overlaps"},
    {"p_vaddr != p_offset mod page", m_misaligned, EBAD, "program header 1: misaligned"},
    {"p_align not a power of two", m_align_not_pow2, EBAD, "not a power of two"},
    {"entry outside", m_entry_outside, EBAD, "outside every PT_LOAD"},
    {"entry one past the end", m_entry_at_end, EBAD, "outside every PT_LOAD"},
    {"entry 0", m_entry_zero, EBAD, "outside every PT_LOAD"},
    {"entry in data", m_entry_data, EBAD, "non-executable segment"},
    {"entry segment not PF_X", m_entry_noexec, EBAD, "non-executable segment"},
    {"below RB_USER_MIN", m_below_min, EBAD, "program header 0: segment at 0xf000 is below"},
    {"at address 0", m_null_page, EBAD, "program header 0: segment at 0 is below"},
    {"above RB_USER_TOP", m_above_top, EBAD, "program header 1: segment [0x7fffffffe000"},
    {"upper half", m_noncanonical, EBAD, "program header 1: segment [0xffff800000001000"},
    {"span over 1 GiB", m_span, EBAD, "more than the 1024 MiB"},
    {"no PT_LOAD", m_no_load, EBAD, "no PT_LOAD"},
    {"only an empty PT_LOAD", m_only_empty_load, EBAD, "outside every PT_LOAD"},
    {"PT_INTERP of 0 bytes", m_interp_zero, EBAD, "program header 2: interpreter path of 0 bytes"},
    {"PT_INTERP of 1 byte", m_interp_one, EBAD, "interpreter path of 1 bytes"},
    {"PT_INTERP past EOF", m_interp_eof, EBAD, "program header 2: interpreter path [0x100c"},
    {"PT_INTERP wraps", m_interp_wrap, EBAD, "interpreter path [0x200"},
    {"PT_INTERP without NUL", m_interp_no_nul, EBAD, "not NUL-terminated"},
    {"PT_INTERP empty string", m_interp_empty, EBAD, "interpreter path is empty"},
    {"PT_INTERP over PATH_MAX", m_interp_long, EBAD, "interpreter path of 4097 bytes"},
    {"PT_INTERP hides nothing", m_interp_and_broken, EBAD, "p_filesz exceeds p_memsz"},
};
#define N_BAD (int)(sizeof bad_cases / sizeof bad_cases[0])

START_TEST(malformed_rejected)
{
    const struct bad_case *c = &bad_cases[_i];
    struct timg t;
    struct elf_image img;
    char why[160] = "";

    make_valid(&t);
    memset(&img, 0xa5, sizeof img);
    struct elf_image before = img;
    c->mutate(&t);
    save_seed(&t);
    int rc = elf_validate(t.buf, t.len, &img, why, sizeof why);
    ck_assert_msg(rc == c->status, "%s: got %d (\"%s\"), want %d", c->name, rc, why, c->status);
    ck_assert_msg(strstr(why, c->reason), "%s: reason \"%s\" lacks \"%s\"", c->name, why, c->reason);
    ck_assert_msg(!memcmp(&img, &before, sizeof img), "%s: *img written on failure", c->name);
}
END_TEST

/* Cut the valid file at every interesting point: inside e_ident, inside the
 * header, inside the program header table, inside the data segment. */
static const size_t cuts[] = {
    0, 1, 3, 4, 15, 16, 63, 64, 65, 64 + 56, 64 + 3 * 56 - 1, 0x1000, T_LEN - 1,
};

START_TEST(truncated_rejected)
{
    struct timg t;
    struct elf_image img;
    char why[160] = "";

    make_valid(&t);
    int rc = elf_validate(t.buf, cuts[_i], &img, why, sizeof why);
    ck_assert_msg(rc == RINGBOX_EBADELF, "cut at %zu: got %d (\"%s\")", cuts[_i], rc, why);
    ck_assert_msg(why[0], "cut at %zu: no reason given", cuts[_i]);
}
END_TEST

/* An exactly-sized buffer on the heap lets ASan catch any read past the end. */
START_TEST(truncated_reads_stay_in_bounds)
{
    struct timg t;
    struct elf_image img;
    char why[160];

    make_valid(&t);
    size_t bad_len = SIZE_MAX;
    int bad_rc = 0;
    for (size_t len = 0; len <= T_LEN && bad_len == SIZE_MAX; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, t.buf, len);
        int rc = elf_validate(copy, len, &img, why, sizeof why);
        free(copy);
        if (rc != (len == T_LEN ? 0 : RINGBOX_EBADELF)) {
            bad_len = len;
            bad_rc = rc;
        }
    }
    ck_assert_msg(bad_len == SIZE_MAX, "length %zu: got %d (%s)", bad_len, bad_rc, why);
}
END_TEST

START_TEST(why_may_be_small)
{
    struct timg t;
    struct elf_image img;
    char why[8];

    make_valid(&t);
    eh(&t)->e_machine = EM_386;
    memset(why, 'x', sizeof why);
    ck_assert_int_eq(elf_validate(t.buf, t.len, &img, why, sizeof why), RINGBOX_EBADELF);
    ck_assert_str_eq(why, "not an ");
    ck_assert_int_eq(elf_validate(t.buf, t.len, &img, NULL, 0), RINGBOX_EBADELF);
}
END_TEST

/* ---- accepted variations ---------------------------------------------------- */

static int validate(struct timg *t, struct elf_image *img)
{
    char why[160] = "";
    save_seed(t);
    int rc = elf_validate(t->buf, t->len, img, why, sizeof why);
    ck_assert_msg(rc == 0, "rejected: %s", why);
    return rc;
}

START_TEST(interp_recorded)
{
    static const char path[] = "/lib64/ld-test.so.2";
    struct timg t;
    struct elf_image img;

    make_valid(&t);
    memcpy(t.buf + 0x200, path, sizeof path);
    set_interp(&t, 0x200, sizeof path);
    validate(&t, &img);
    ck_assert_str_eq(img.interp, path);
    /* Bytes after the first NUL do not extend it (Linux uses the string). */
    set_interp(&t, 0x200, sizeof path + 8);
    validate(&t, &img);
    ck_assert_str_eq(img.interp, path);
    /* A long one, whole. */
    memset(t.buf + 0x200, 'b', 0xdff);
    t.buf[0xfff] = '\0';
    set_interp(&t, 0x200, 0xe00);
    validate(&t, &img);
    ck_assert_uint_eq(strlen(img.interp), 0xdff);
}
END_TEST

START_TEST(osabi_gnu_accepted)
{
    struct timg t;
    struct elf_image img;

    make_valid(&t);
    eh(&t)->e_ident[EI_OSABI] = ELFOSABI_GNU;
    validate(&t, &img);
}
END_TEST

START_TEST(unknown_types_ignored)
{
    struct timg t;
    struct elf_image img;

    make_valid(&t);
    ph(&t, 2)->p_type = 0x6abcdef0;
    ph(&t, 2)->p_offset = UINT64_MAX; /* nonsense, but nobody reads it */
    validate(&t, &img);
}
END_TEST

START_TEST(gnu_stack_decides_exec_stack)
{
    struct timg t;
    struct elf_image img;

    make_valid(&t);
    ph(&t, 2)->p_flags |= PF_X;
    validate(&t, &img);
    ck_assert(img.exec_stack);
    /* Without PT_GNU_STACK Linux makes the stack executable. */
    ph(&t, 2)->p_type = PT_NOTE;
    validate(&t, &img);
    ck_assert(img.exec_stack);
    ph(&t, 2)->p_type = PT_GNU_STACK;
    ph(&t, 2)->p_flags = PF_R | PF_W;
    validate(&t, &img);
    ck_assert(!img.exec_stack);
}
END_TEST

START_TEST(shared_page_accepted)
{
    struct timg t;
    struct elf_image img;

    /* Data starts right after the code's bytes, in the same page. */
    make_valid(&t);
    ph(&t, 0)->p_filesz = ph(&t, 0)->p_memsz = 0x800;
    ph(&t, 1)->p_vaddr = T_BASE + 0x800;
    ph(&t, 1)->p_offset = 0x800;
    validate(&t, &img);
    ck_assert_uint_eq(img.lo, T_BASE);
    ck_assert_uint_eq(img.hi, T_BASE + 0x3000);
}
END_TEST

START_TEST(unaligned_segment_accepted)
{
    struct timg t;
    struct elf_image img;

    /* p_align 0 or 1 promises nothing, so congruence is not required. */
    make_valid(&t);
    ph(&t, 1)->p_vaddr = T_BASE + 0x1008;
    ph(&t, 1)->p_align = 1;
    validate(&t, &img);
    ph(&t, 1)->p_align = 0;
    validate(&t, &img);
}
END_TEST

START_TEST(static_pie_accepted)
{
    struct timg t;
    struct elf_image img;

    /* ET_DYN links at 0: only the span has to fit. */
    make_valid(&t);
    eh(&t)->e_type = ET_DYN;
    eh(&t)->e_entry = 0x100;
    ph(&t, 0)->p_vaddr = 0;
    ph(&t, 1)->p_vaddr = 0x1000;
    ph(&t, 2)->p_type = PT_DYNAMIC;
    validate(&t, &img);
    ck_assert(img.pie);
    ck_assert_uint_eq(img.lo, 0);
    ck_assert_uint_eq(img.hi, 0x3000);
    ck_assert_uint_eq(img.entry, 0x100);
    ck_assert_uint_eq(img.phdr_vaddr, sizeof(Elf64_Ehdr));
}
END_TEST

START_TEST(phdr_vaddr_sources)
{
    struct timg t;
    struct elf_image img;

    /* PT_PHDR, when present, is believed. */
    make_valid(&t);
    ph(&t, 2)->p_type = PT_PHDR;
    ph(&t, 2)->p_vaddr = T_BASE + 0x1234;
    validate(&t, &img);
    ck_assert_uint_eq(img.phdr_vaddr, T_BASE + 0x1234);

    /* No PT_PHDR and no segment holding e_phoff: from the first PT_LOAD,
     * p_vaddr - p_offset + e_phoff, as Linux before 5.18. */
    make_valid(&t);
    ph(&t, 0)->p_offset = 0x100;
    ph(&t, 0)->p_vaddr = T_BASE + 0x100;
    ph(&t, 0)->p_filesz = ph(&t, 0)->p_memsz = 0xf00;
    validate(&t, &img);
    ck_assert_uint_eq(img.phdr_vaddr, T_BASE + sizeof(Elf64_Ehdr));
    ck_assert_uint_eq(img.lo, T_BASE);
}
END_TEST

/* ---- real executables ----------------------------------------------------------- */

static const char hello_c[] = "#include <stdio.h>\n"
                              "int main(void) { puts(\"hello\"); return 0; }\n";

/* Compile hello with `cc flags` into a fresh temp dir; returns the path in
 * out, or false (after saying why) when the compiler is missing. */
static bool build_hello(const char *cc, const char *flags, char *out, size_t outlen)
{
    char dir[] = "/tmp/rb-elf-XXXXXX", cmd[512];

    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", cc);
    if (system(cmd) != 0) {
        fprintf(stderr, "unit_elf: skipping the %s %s build: %s not found\n", cc, flags, cc);
        return false;
    }
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, outlen, "%s/hello.c", dir);
    FILE *f = fopen(out, "w");
    ck_assert_ptr_nonnull(f);
    fputs(hello_c, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s %s -o %s/hello %s/hello.c", cc, flags, dir, dir);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
    unlink(out);
    snprintf(out, outlen, "%s/hello", dir);
    return true;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    struct stat st;
    FILE *f = fopen(path, "rb");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fstat(fileno(f), &st), 0);
    uint8_t *buf = malloc((size_t)st.st_size);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    fclose(f);
    *len = (size_t)st.st_size;
    return buf;
}

static void remove_build(char *path)
{
    unlink(path);
    *strrchr(path, '/') = 0;
    rmdir(path);
}

/* The program headers must really be at phdr_vaddr once loaded: find the
 * PT_LOAD mapping it and compare that file range with the table. */
static void check_phdr_mapped(const uint8_t *buf, size_t len, const struct elf_image *img)
{
    Elf64_Ehdr e;
    Elf64_Phdr p;
    size_t table = (size_t)img->phnum * img->phentsize;

    memcpy(&e, buf, sizeof e);
    for (unsigned i = 0; i < e.e_phnum; i++) {
        memcpy(&p, buf + e.e_phoff + i * sizeof p, sizeof p);
        if (p.p_type == PT_LOAD && img->phdr_vaddr >= p.p_vaddr &&
            img->phdr_vaddr + table <= p.p_vaddr + p.p_filesz) {
            uint64_t off = p.p_offset + (img->phdr_vaddr - p.p_vaddr);
            ck_assert_uint_le(off + table, len);
            ck_assert_msg(!memcmp(buf + off, buf + e.e_phoff, table), "AT_PHDR holds no headers");
            return;
        }
    }
    ck_abort_msg("phdr_vaddr %#llx is in no segment's file image",
                 (unsigned long long)img->phdr_vaddr);
}

/* Compile hello with cc and flags and validate it: it must pass with the
 * given pie and interpreter ("" for static). */
static void validate_real(const char *cc, const char *flags, bool pie, const char *interp)
{
    char path[256], why[160] = "";
    struct elf_image img;
    size_t len;

    if (!build_hello(cc, flags, path, sizeof path))
        return;
    uint8_t *buf = slurp(path, &len);
    int rc = elf_validate(buf, len, &img, why, sizeof why);
    ck_assert_msg(rc == 0, "%s %s: got %d (%s)", cc, flags, rc, why);
    Elf64_Ehdr e;
    memcpy(&e, buf, sizeof e);
    ck_assert_int_eq(img.pie, pie);
    ck_assert_uint_eq(img.entry, e.e_entry);
    ck_assert_msg(!img.exec_stack, "%s %s: executable stack", cc, flags);
    ck_assert_uint_lt(img.lo, img.hi);
    ck_assert_str_eq(img.interp, interp);
    check_phdr_mapped(buf, len, &img);
    free(buf);
    remove_build(path);
}

START_TEST(real_glibc_static)
{
    validate_real("gcc", "-static -O1", false, "");
}
END_TEST

START_TEST(real_musl_static)
{
    validate_real("musl-gcc", "-static -O1", false, "");
}
END_TEST

START_TEST(real_glibc_static_pie)
{
    validate_real("gcc", "-static-pie -fPIE -O1", true, "");
}
END_TEST

START_TEST(real_glibc_dynamic)
{
    /* The psABI's interpreter path (x86-64 psABI 5.2.1), in both forms. */
    validate_real("gcc", "-O1 -no-pie", false, "/lib64/ld-linux-x86-64.so.2");
    validate_real("gcc", "-O1 -pie -fPIE", true, "/lib64/ld-linux-x86-64.so.2");
}
END_TEST

Suite *elf_suite(void)
{
    Suite *s = suite_create("elf");
    TCase *tc = tcase_create("validate");

    tcase_add_test(tc, valid_image_passes);
    tcase_add_loop_test(tc, malformed_rejected, 0, N_BAD);
    tcase_add_loop_test(tc, truncated_rejected, 0, (int)(sizeof cuts / sizeof cuts[0]));
    tcase_add_test(tc, truncated_reads_stay_in_bounds);
    tcase_add_test(tc, why_may_be_small);
    tcase_add_test(tc, interp_recorded);
    tcase_add_test(tc, osabi_gnu_accepted);
    tcase_add_test(tc, unknown_types_ignored);
    tcase_add_test(tc, gnu_stack_decides_exec_stack);
    tcase_add_test(tc, shared_page_accepted);
    tcase_add_test(tc, unaligned_segment_accepted);
    tcase_add_test(tc, static_pie_accepted);
    tcase_add_test(tc, phdr_vaddr_sources);
    suite_add_tcase(s, tc);

    TCase *real = tcase_create("real");
    tcase_set_timeout(real, 60);
    tcase_add_test(real, real_glibc_static);
    tcase_add_test(real, real_musl_static);
    tcase_add_test(real, real_glibc_static_pie);
    tcase_add_test(real, real_glibc_dynamic);
    suite_add_tcase(s, real);
    return s;
}
