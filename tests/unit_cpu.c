/* unit_cpu.c - descriptor, TSS, IDT and register encodings pinned to hand-checked values.
 * The expected numbers are written out here on purpose: they were decoded by
 * hand against SDM Vol. 3A figures 3-8, 6-8/6-9 and 7-11. */
#include <check.h>
#include <inttypes.h>
#include <string.h>

#include "cpu.h"

START_TEST(segment_descriptors)
{
    ck_assert_uint_eq(cpu_desc_code64(0), 0x00af9b000000ffffULL);
    ck_assert_uint_eq(cpu_desc_code64(3), 0x00affb000000ffffULL);
    ck_assert_uint_eq(cpu_desc_data(0), 0x00cf93000000ffffULL);
    ck_assert_uint_eq(cpu_desc_data(3), 0x00cff3000000ffffULL);
}
END_TEST

START_TEST(tss_descriptor)
{
    uint64_t d[2];
    cpu_desc_tss(d, 0xffffffff80004000ULL, 103);
    ck_assert_uint_eq(d[0], 0x80008b0040000067ULL);
    ck_assert_uint_eq(d[1], 0x00000000ffffffffULL);
}
END_TEST

START_TEST(interrupt_gates)
{
    uint64_t g[2];
    cpu_idt_gate(g, 0xffffffff80000150ULL, 0x08, 0, 0);
    ck_assert_uint_eq(g[0], 0x80008e0000080150ULL);
    ck_assert_uint_eq(g[1], 0x00000000ffffffffULL);
    cpu_idt_gate(g, 0xffffffff80012345ULL, 0x08, 1, 3);
    ck_assert_uint_eq(g[0], 0x8001ee0100082345ULL);
}
END_TEST

START_TEST(selectors_and_star)
{
    ck_assert_uint_eq(RB_KERNEL_CS, 0x08);
    ck_assert_uint_eq(RB_KERNEL_DS, 0x10);
    ck_assert_uint_eq(RB_USER_CS32, 0x1b);
    ck_assert_uint_eq(RB_USER_DS, 0x23);
    ck_assert_uint_eq(RB_USER_CS, 0x2b);
    ck_assert_uint_eq(RB_TSS_SEL, 0x30);
    uint64_t star = cpu_star();
    ck_assert_uint_eq(star, 0x001b000800000000ULL);
    /* What SYSCALL and SYSRETQ will load, computed as the CPU does. */
    uint16_t syscall_cs = (star >> 32) & 0xfffc, sysret_base = star >> 48;
    ck_assert_uint_eq(syscall_cs, RB_KERNEL_CS);
    ck_assert_uint_eq(syscall_cs + 8, RB_KERNEL_DS);
    ck_assert_uint_eq((sysret_base + 16) | 3, RB_USER_CS);
    ck_assert_uint_eq((sysret_base + 8) | 3, RB_USER_DS);
}
END_TEST

START_TEST(gdt_image)
{
    uint64_t gdt[RB_GDT_ENTRIES];
    cpu_build_gdt(gdt);
    ck_assert_uint_eq(gdt[0], 0);
    ck_assert_uint_eq(gdt[1], 0x00af9b000000ffffULL);
    ck_assert_uint_eq(gdt[2], 0x00cf93000000ffffULL);
    ck_assert_uint_eq(gdt[3], 0); /* no 32-bit user code: no way into compatibility mode */
    ck_assert_uint_eq(gdt[4], 0x00cff3000000ffffULL);
    ck_assert_uint_eq(gdt[5], 0x00affb000000ffffULL);
    ck_assert_uint_eq(gdt[6], 0x80008b0040000067ULL);
    ck_assert_uint_eq(gdt[7], 0x00000000ffffffffULL);
}
END_TEST

START_TEST(idt_image_uses_ist_and_dpl_where_intended)
{
    struct rb_stub_header h;
    memset(&h, 0, sizeof(h));
    for (int v = 0; v < RB_NUM_VECTORS; v++)
        h.vectors[v] = 0xffffffff80000200ULL + 16 * (uint64_t)v;
    uint64_t idt[2 * RB_NUM_VECTORS];
    cpu_build_idt(idt, &h);
    int bad = -1;
    for (int v = 0; v < RB_NUM_VECTORS && bad < 0; v++) {
        uint64_t lo = idt[2 * v];
        uint64_t handler = (lo & 0xffff) | (((lo >> 48) & 0xffff) << 16) | (idt[2 * v + 1] << 32);
        if (handler != h.vectors[v] || ((lo >> 16) & 0xffff) != RB_KERNEL_CS ||
            ((lo >> 40) & 0xf) != 0xe ||
            ((lo >> 32) & 7) != ((v == 2 || v == 8 || v == 18) ? 1u : 0u) ||
            ((lo >> 45) & 3) != (v == 3 ? 3u : 0u))
            bad = v;
    }
    ck_assert_msg(bad < 0, "vector %d: gate %#018" PRIx64 " %#018" PRIx64, bad,
                  bad < 0 ? 0 : idt[2 * bad + 1], bad < 0 ? 0 : idt[2 * bad]);
}
END_TEST

START_TEST(tss_image)
{
    uint8_t t[X86_TSS64_SIZE];
    cpu_build_tss(t);
    uint64_t rsp0, ist1;
    uint16_t iomap;
    memcpy(&rsp0, t + 4, 8);
    memcpy(&ist1, t + 36, 8);
    memcpy(&iomap, t + 102, 2);
    ck_assert_uint_eq(rsp0, RB_KSTACK_TOP);
    ck_assert_uint_eq(ist1, RB_ISTSTACK_TOP);
    ck_assert_uint_eq(iomap, 104);
}
END_TEST

START_TEST(control_registers)
{
    struct cpu_features none, all;
    memset(&none, 0, sizeof(none));
    memset(&all, 0, sizeof(all));
    all.pge = all.xsave = all.smep = all.smap = all.umip = true;
    ck_assert_uint_eq(cpu_cr0(), 0x80050033ULL);
    ck_assert_uint_eq(cpu_cr4(&none), 0x620ULL);
    ck_assert_uint_eq(cpu_cr4(&all), 0x340ea0ULL);
    ck_assert_uint_eq(cpu_efer(), 0xd01ULL);
}
END_TEST

START_TEST(syscall_flag_masks)
{
    uint64_t m = cpu_sfmask();
    ck_assert_uint_eq(m & 0x40700ULL, 0x40700ULL); /* AC, DF, IF, TF */
    ck_assert_uint_eq(m & 0x2ULL, 0);
    ck_assert_uint_eq(cpu_user_rflags(0xffffffffffffffffULL), 0x240fd7ULL);
    ck_assert_uint_eq(cpu_user_rflags(0), 0x202ULL);
}
END_TEST

START_TEST(segment_unpacking)
{
    struct kvm_segment s;
    cpu_segment(&s, RB_USER_CS, cpu_desc_code64(3));
    ck_assert_uint_eq(s.selector, 0x2b);
    ck_assert_uint_eq(s.type, 0xb);
    ck_assert_uint_eq(s.dpl, 3);
    ck_assert(s.s && s.present && s.l && !s.db && s.g && !s.unusable);
    ck_assert_uint_eq(s.limit, 0xffffffff);
    uint64_t d[2];
    cpu_desc_tss(d, 0xffffffff80004000ULL, 103);
    cpu_segment_tss(&s, RB_TSS_SEL, d);
    ck_assert_uint_eq(s.base, 0xffffffff80004000ULL);
    ck_assert_uint_eq(s.limit, 103);
    ck_assert_uint_eq(s.type, 0xb);
    ck_assert(!s.s && s.present);
    cpu_segment(&s, 0, 0);
    ck_assert(s.unusable);
}
END_TEST

START_TEST(features_from_cpuid)
{
    struct kvm_cpuid_entry2 e[3];
    memset(e, 0, sizeof(e));
    e[0].function = 1;
    e[0].ecx = 1u << 26;
    e[0].edx = (1u << 13) | 1;
    e[1].function = 7;
    e[1].ebx = (1u << 7) | (1u << 20);
    e[1].ecx = 1u << 2;
    e[2].function = 0xd;
    e[2].eax = 0x2e7; /* x87 SSE AVX OPMASK ZMM_Hi256 Hi16_ZMM PKRU */
    struct cpu_features f;
    cpu_features(&f, e, 3);
    ck_assert(f.xsave && f.pge && f.smep && f.smap && f.umip);
    ck_assert_uint_eq(f.hwcap, (1u << 13) | 1);
    ck_assert_uint_eq(f.xcr0, 0xe7); /* PKRU is never enabled */
    e[2].eax = 0x67; /* AVX-512 incomplete: none of it */
    cpu_features(&f, e, 3);
    ck_assert_uint_eq(f.xcr0, 0x7);
}
END_TEST

Suite *cpu_suite(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("encodings");
    tcase_add_test(tc, segment_descriptors);
    tcase_add_test(tc, tss_descriptor);
    tcase_add_test(tc, interrupt_gates);
    tcase_add_test(tc, selectors_and_star);
    tcase_add_test(tc, gdt_image);
    tcase_add_test(tc, idt_image_uses_ist_and_dpl_where_intended);
    tcase_add_test(tc, tss_image);
    tcase_add_test(tc, control_registers);
    tcase_add_test(tc, syscall_flag_masks);
    tcase_add_test(tc, segment_unpacking);
    tcase_add_test(tc, features_from_cpuid);
    suite_add_tcase(s, tc);
    return s;
}
