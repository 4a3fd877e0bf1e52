/* unit_explain.c - page walks, plain explanations, code in context and the maps view, over hand-built tables. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "exec.h"
#include "explain.h"
#include "mem.h"
#include "mm.h"
#include "pt.h"
#include "ringbox_abi.h"

/* Hand-checked encodings (SDM Vol. 3A 4.5 tables 4-15 to 4-20; 4.7). */
#define P 0x1ULL
#define RW 0x2ULL
#define US 0x4ULL
#define NX 0x8000000000000000ULL
enum { PF_P = 1, PF_W = 2, PF_U = 4, PF_I = 16 };
enum { DE = 0, BP = 3, UD = 6, GP = 13, PF = 14 };

#define CODE_VA 0x400000ULL
#define RO_VA 0x600000ULL
#define STACK_LO 0x7f0000000000ULL
#define STACK_LEN (16 * 4096ULL)

static struct guest_mem m;
static struct mm mm;

static uint64_t map_page(uint64_t va, uint64_t flags)
{
    uint64_t pa;
    ck_assert_int_eq(mem_alloc_page(&m, &pa), 0);
    ck_assert_int_eq(pt_map(&m, va, pa, flags), 0);
    return pa;
}

static void setup(void)
{
    ck_assert_int_eq(mem_init(&m, 8 << 20), 0);
    mm_init(&mm, &m);
    ck_assert_int_eq(mm_map_anon(&mm, CODE_VA, 4096, PROT_READ | PROT_EXEC, MM_IMAGE), 0);
    ck_assert_int_eq(mm_map_anon(&mm, RO_VA, 4096, PROT_READ, MM_ANON), 0);
    ck_assert_int_eq(mm_map_anon(&mm, STACK_LO, STACK_LEN, PROT_READ | PROT_WRITE, MM_STACK), 0);
    map_page(RB_STUB_TEXT_VA, P);
    map_page(RB_STUB_DATA_VA, P | RW | NX);
}

static void teardown(void)
{
    mm_fini(&mm);
    mem_fini(&m);
}

START_TEST(walk_reads_every_level_of_a_mapped_page)
{
    struct ringbox_walk w;
    explain_walk(&m, RO_VA + 0x123, &w);
    ck_assert_uint_eq(w.va, RO_VA + 0x123);
    ck_assert_int_eq(w.levels, 4);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(w.entry[i] & (P | RW | US | NX), P | RW | US);
    ck_assert_uint_eq(w.entry[3] & (P | RW | US | NX), P | US | NX);
    ck_assert_uint_eq(explain_walk_eff(&w), P | US | NX);
    /* The leaf is the one the table holds. */
    const uint64_t *t = mem_host(&m, m.cr3);
    for (int level = 4; level > 1; level--)
        t = mem_host(&m, t[(RO_VA >> (12 + 9 * (level - 1))) & 511] & 0x000ffffffffff000ULL);
    ck_assert_uint_eq(w.entry[3], t[(RO_VA >> 12) & 511]);
}
END_TEST

START_TEST(walk_stops_at_the_first_absent_level)
{
    struct ringbox_walk w;
    explain_walk(&m, 0x5000000000ULL, &w); /* PML4E 0 present, PDPTE 0x140 not */
    ck_assert_int_eq(w.levels, 2);
    ck_assert_uint_eq(w.entry[1], 0);
    ck_assert_uint_eq(explain_walk_eff(&w), 0);
    explain_walk(&m, CODE_VA + 0x1000, &w); /* same table, absent leaf */
    ck_assert_int_eq(w.levels, 4);
    ck_assert_uint_eq(w.entry[3], 0);
    explain_walk(&m, 0x0000800000000000ULL, &w);
    ck_assert_int_eq(w.levels, 0);
}
END_TEST

START_TEST(kernel_half_walks_supervisor_at_every_level)
{
    struct ringbox_walk w;
    explain_walk(&m, RB_STUB_TEXT_VA, &w);
    ck_assert_int_eq(w.levels, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(w.entry[i] & US, 0);
    ck_assert_uint_eq(explain_walk_eff(&w), P);
    char buf[1024];
    explain_format_walk(&w, "  ", buf, sizeof buf);
    ck_assert_msg(strstr(buf, "  PML4E[511] ") && strstr(buf, "  PDPTE[510] ") && strstr(buf, "  PTE  [  0] "),
                  "walk '%s'", buf);
    ck_assert_msg(strstr(buf, "P=1 RW=0 US=0 NX=0"), "walk '%s'", buf);
}
END_TEST

static void explain(int vector, uint64_t err, uint64_t cr2, const uint8_t *insn, size_t n, char *buf, size_t len)
{
    struct ringbox_fault ft = {.vector = vector, .error_code = err, .cr2 = cr2, .rip = CODE_VA,
                               .insn_addr = CODE_VA, .insn_len = n};
    memcpy(ft.insn, insn, n);
    explain_walk(&m, vector == PF ? cr2 : CODE_VA, &ft.walk);
    explain_fault(&ft, &mm, buf, len);
}

#define EXPECT(vector, err, cr2, bytes, want)                                               \
    do {                                                                                    \
        static const uint8_t insn_[] = bytes;                                              \
        char got_[256];                                                                     \
        explain(vector, err, cr2, insn_, sizeof insn_, got_, sizeof got_);                 \
        ck_assert_msg(strncmp(got_, want, strlen(want)) == 0, "got '%s', want '%s'", got_, want); \
    } while (0)
#define B(...) {__VA_ARGS__}

START_TEST(page_faults_are_explained_from_the_error_code_and_the_walk)
{
    EXPECT(PF, PF_U, 0x8, B(0x8a, 0x07), "NULL pointer dereference: ring-3 code tried to read address 0x8");
    EXPECT(PF, PF_U | PF_W, STACK_LO - 8, B(0x50), "ring-3 code touched the stack guard page (stack overflow?)");
    EXPECT(PF, PF_P | PF_U | PF_W, RO_VA, B(0xc6, 0x07, 0x01),
           "ring-3 code tried to write a read-only page (mmap, anonymous)");
    EXPECT(PF, PF_P | PF_U | PF_I, RO_VA, B(0xc3), "ring-3 code tried to execute a no-execute (NX) page");
    EXPECT(PF, PF_P | PF_U, RB_STUB_TEXT_VA, B(0x8a, 0x07),
           "ring-3 code tried to read a supervisor-only page (stub text)");
    EXPECT(PF, PF_P | PF_U | PF_W, RB_STUB_DATA_VA, B(0xc6, 0x07, 0x01),
           "ring-3 code tried to write a supervisor-only page (stub data)");
    EXPECT(PF, PF_U, RB_KSTACK_VA - 4096, B(0x8a, 0x07),
           "ring-3 code tried to read an unmapped kernel-half page (kernel stack guard page)");
    EXPECT(PF, PF_U, 0x50000000, B(0x8a, 0x07), "ring-3 code tried to read an unmapped address");
}
END_TEST

START_TEST(privileged_instructions_are_named)
{
    EXPECT(GP, 0, 0, B(0xf4), "HLT is privileged: only ring 0 may execute it");
    EXPECT(GP, 0, 0, B(0xfa), "CLI is privileged: only ring 0 may execute it (it needs CPL <= IOPL");
    EXPECT(GP, 0, 0, B(0xfb), "STI is privileged");
    EXPECT(GP, 0, 0, B(0x0f, 0x22, 0xd8), "MOV to or from a control register is privileged");
    EXPECT(GP, 0, 0, B(0x0f, 0x32), "RDMSR is privileged");
    EXPECT(GP, 0, 0, B(0x0f, 0x30), "WRMSR is privileged");
    EXPECT(GP, 0, 0, B(0x0f, 0x01, 0x14, 0x24), "LGDT is privileged");
    EXPECT(GP, 0, 0, B(0x0f, 0x01, 0x1c, 0x24), "LIDT is privileged");
    EXPECT(GP, 0, 0, B(0xe4, 0x60), "IN is privileged: only ring 0 may execute it (it needs CPL <= IOPL or the port");
    EXPECT(GP, 0, 0, B(0xe7, 0xb0), "OUT is privileged");
    EXPECT(GP, 0, 0, B(0x0f, 0x01, 0x3c, 0x24), "INVLPG is privileged");
    EXPECT(GP, 0, 0, B(0x0f, 0x01, 0xf8), "SWAPGS is privileged");
    EXPECT(GP, 0, 0, B(0x48, 0x0f, 0x07), "SYSRET is privileged");
    EXPECT(GP, 0, 0, B(0x8b, 0x07), "general protection fault: a non-canonical address");
    EXPECT(GP, (0x80 << 3) | 2, 0, B(0xcd, 0x80), "INT 0x80: that IDT gate is not open to ring 3");
}
END_TEST

START_TEST(other_vectors_are_explained)
{
    EXPECT(DE, 0, 0, B(0xf7, 0xf1), "integer division by zero");
    EXPECT(UD, 0, 0, B(0x0f, 0x0b), "invalid opcode: UD2");
    EXPECT(UD, 0, 0, B(0x06), "invalid opcode: the CPU cannot execute these bytes");
    EXPECT(BP, 0, 0, B(0xcc), "breakpoint (INT3)");
}
END_TEST

START_TEST(code_is_decoded_backwards_to_land_on_the_fault)
{
    /* After int3 padding, as between functions: push rbp; mov rbp, rsp;
     * mov eax, 1; hlt; ret.  The bytes before hlt (the imm32's zeros) must
     * not be taken as the start of an instruction. */
    static const uint8_t code[] = {0x55, 0x48, 0x89, 0xe5, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4, 0xc3};
    uint8_t pad[0x100];
    memset(pad, 0xcc, sizeof pad);
    const uint64_t at = CODE_VA + 0x100;
    ck_assert_int_eq(mm_poke(&mm, CODE_VA, pad, sizeof pad), 0);
    ck_assert_int_eq(mm_poke(&mm, at, code, sizeof code), 0);
    char buf[2048];
    explain_code(&m, at + 9, 4, 1, "", buf, sizeof buf);
    ck_assert_msg(strstr(buf, "   0x0000000000400100  55 ") && strstr(buf, "push rbp\n"), "code '%s'", buf);
    ck_assert_msg(strstr(buf, "mov rbp, rsp\n") && strstr(buf, "mov eax, 1\n"), "code '%s'", buf);
    ck_assert_msg(strstr(buf, "=> 0x0000000000400109  f4 ") && strstr(buf, "hlt\n"), "code '%s'", buf);
    ck_assert_msg(strstr(buf, "   0x000000000040010a  c3 "), "code '%s'", buf);
    /* The supervisor stub is not the program's to read. */
    explain_code(&m, RB_STUB_TEXT_VA, 4, 1, "", buf, sizeof buf);
    ck_assert_str_eq(buf, "");
}
END_TEST

struct lines {
    char text[4096];
};

static void collect(void *ctx, const char *text)
{
    struct lines *l = ctx;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s\n", text);
}

START_TEST(maps_coalesce_pages_and_show_the_guards)
{
    struct lines l = {""};
    explain_maps(&m, &mm, collect, &l);
    ck_assert_msg(strstr(l.text, "0000000000400000-0000000000401000     4K  user        ro  x   text (anonymous)\n"),
                  "maps '%s'", l.text);
    ck_assert_msg(strstr(l.text, "0000000000600000-0000000000601000     4K  user        ro  nx  mmap, anonymous\n"),
                  "maps '%s'", l.text);
    /* Sixteen stack pages are one range, the 1 MiB below it the guard. */
    char want[128];
    snprintf(want, sizeof want, "%016llx-%016llx    64K  user        rw  nx  stack\n", (unsigned long long)STACK_LO,
             (unsigned long long)(STACK_LO + STACK_LEN));
    ck_assert_msg(strstr(l.text, want), "maps '%s' lacks '%s'", l.text, want);
    snprintf(want, sizeof want, "%016llx-%016llx     1M  not present         stack guard page\n",
             (unsigned long long)(STACK_LO - EXEC_STACK_GUARD), (unsigned long long)STACK_LO);
    ck_assert_msg(strstr(l.text, want), "maps '%s' lacks '%s'", l.text, want);
    ck_assert_msg(strstr(l.text, "ffffffff80000000-ffffffff80001000     4K  supervisor  ro  x   stub text\n"),
                  "maps '%s'", l.text);
    ck_assert_msg(strstr(l.text, "ffffffff80001000-ffffffff80002000     4K  supervisor  rw  nx  stub data\n"),
                  "maps '%s'", l.text);
    ck_assert_msg(strstr(l.text, "ffffffff80005000-ffffffff80006000     4K  not present         kernel stack guard page\n"),
                  "maps '%s'", l.text);
    /* In address order: the user half first, the guard before the stack. */
    ck_assert(strstr(l.text, "stack guard page") < strstr(l.text, "  stack\n"));
    ck_assert(strstr(l.text, "  stack\n") < strstr(l.text, "stub text"));
}
END_TEST

Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, walk_reads_every_level_of_a_mapped_page);
    tcase_add_test(tc, walk_stops_at_the_first_absent_level);
    tcase_add_test(tc, kernel_half_walks_supervisor_at_every_level);
    tcase_add_test(tc, page_faults_are_explained_from_the_error_code_and_the_walk);
    tcase_add_test(tc, privileged_instructions_are_named);
    tcase_add_test(tc, other_vectors_are_explained);
    tcase_add_test(tc, code_is_decoded_backwards_to_land_on_the_fault);
    tcase_add_test(tc, maps_coalesce_pages_and_show_the_guards);
    suite_add_tcase(s, tc);
    return s;
}
