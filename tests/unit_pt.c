/* unit_pt.c - the page-table builder, walked back for every permission combination. */
#include <check.h>
#include <errno.h>

#include "mem.h"
#include "pt.h"
#include "ringbox_abi.h"
#include "x86.h"

static struct guest_mem m;

static void setup(void)
{
    ck_assert_int_eq(mem_init(&m, 4 << 20), 0);
}

static void teardown(void)
{
    mem_fini(&m);
}

START_TEST(every_permission_combination_walks_back)
{
    const uint64_t bits[] = {X86_PTE_RW, X86_PTE_US, X86_PTE_NX};
    for (unsigned combo = 0; combo < 8; combo++) {
        uint64_t flags = X86_PTE_P, pa;
        for (unsigned b = 0; b < 3; b++)
            if (combo & (1u << b))
                flags |= bits[b];
        uint64_t va = 0x400000 + combo * 0x201000ULL; /* different tables each time */
        ck_assert_int_eq(mem_alloc_page(&m, &pa), 0);
        ck_assert_int_eq(pt_map(&m, va, pa, flags), 0);
        uint64_t got_pa, eff;
        ck_assert_int_eq(pt_translate(&m, va + 0x123, &got_pa, &eff), 0);
        ck_assert_uint_eq(got_pa, pa + 0x123);
        ck_assert_uint_eq(eff & (X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_NX), flags);
    }
}
END_TEST

START_TEST(kernel_half_is_supervisor_whatever_the_leaf_says)
{
    uint64_t pa, got, eff;
    ck_assert_int_eq(mem_alloc_page(&m, &pa), 0);
    /* A leaf that wrongly carries U/S still yields a supervisor page,
     * because the upper-half tables never grant U/S. */
    ck_assert_int_eq(pt_map(&m, RB_KERNEL_BASE, pa, X86_PTE_P | X86_PTE_US | X86_PTE_RW), 0);
    ck_assert_int_eq(pt_translate(&m, RB_KERNEL_BASE, &got, &eff), 0);
    ck_assert_uint_eq(eff & X86_PTE_US, 0);
    ck_assert_uint_eq(eff & X86_PTE_RW, X86_PTE_RW);
}
END_TEST

START_TEST(upper_levels_of_user_half_grant_everything)
{
    uint64_t pa;
    ck_assert_int_eq(mem_alloc_page(&m, &pa), 0);
    ck_assert_int_eq(pt_map(&m, 0x10000, pa, X86_PTE_P | X86_PTE_US), 0);
    const uint64_t *t = (const uint64_t *)mem_host(&m, m.cr3);
    for (int level = 4; level > 1; level--) {
        uint64_t e = t[X86_PT_INDEX(0x10000ULL, level)];
        ck_assert_uint_eq(e & (X86_PTE_P | X86_PTE_RW | X86_PTE_US), X86_PTE_P | X86_PTE_RW | X86_PTE_US);
        ck_assert_uint_eq(e & X86_PTE_NX, 0);
        t = (const uint64_t *)mem_host(&m, e & X86_PTE_ADDR_MASK);
    }
}
END_TEST

START_TEST(remapping_a_present_leaf_is_refused)
{
    uint64_t a, b;
    ck_assert_int_eq(mem_alloc_page(&m, &a), 0);
    ck_assert_int_eq(mem_alloc_page(&m, &b), 0);
    ck_assert_int_eq(pt_map(&m, 0x20000, a, X86_PTE_P | X86_PTE_US), 0);
    ck_assert_int_eq(pt_map(&m, 0x20000, b, X86_PTE_P | X86_PTE_US), -EEXIST);
    /* A not-present leaf that still names a frame is in use too. */
    int err;
    uint64_t *leaf = pt_leaf(&m, 0x21000, true, &err);
    ck_assert_ptr_nonnull(leaf);
    *leaf = b | (1ULL << 9);
    ck_assert_int_eq(pt_map(&m, 0x21000, a, X86_PTE_P | X86_PTE_US), -EEXIST);
    uint64_t got, eff;
    ck_assert_int_eq(pt_translate(&m, 0x20000, &got, &eff), 0);
    ck_assert_uint_eq(got, a);
}
END_TEST

START_TEST(unmapped_and_noncanonical_addresses_fault)
{
    uint64_t pa, eff;
    ck_assert_int_eq(pt_translate(&m, 0x30000, &pa, &eff), -EFAULT);
    ck_assert_int_eq(pt_translate(&m, 0x0000800000000000ULL, &pa, &eff), -EFAULT);
    ck_assert_int_eq(pt_map(&m, 0x0000900000000000ULL, 0, X86_PTE_P), -EFAULT);
}
END_TEST

START_TEST(tables_are_shared_within_a_2mib_range_and_not_created_by_lookups)
{
    uint64_t a, b;
    ck_assert_int_eq(mem_alloc_page(&m, &a), 0);
    ck_assert_int_eq(mem_alloc_page(&m, &b), 0);
    ck_assert_int_eq(pt_map(&m, 0x600000, a, X86_PTE_P), 0);
    uint64_t before = mem_free_bytes(&m);
    ck_assert_int_eq(pt_map(&m, 0x601000, b, X86_PTE_P), 0);
    ck_assert_uint_eq(mem_free_bytes(&m), before);
    int err;
    ck_assert_ptr_null(pt_leaf(&m, 0x7f0000000000ULL, false, &err));
    ck_assert_uint_eq(mem_free_bytes(&m), before);
}
END_TEST

START_TEST(table_allocation_reports_enomem)
{
    uint64_t pa;
    while (mem_alloc_page(&m, &pa) == 0)
        ;
    ck_assert_int_eq(pt_map(&m, 0x7f0000000000ULL, 0, X86_PTE_P), -ENOMEM);
}
END_TEST

Suite *pt_suite(void)
{
    Suite *s = suite_create("pt");
    TCase *tc = tcase_create("pt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_permission_combination_walks_back);
    tcase_add_test(tc, kernel_half_is_supervisor_whatever_the_leaf_says);
    tcase_add_test(tc, upper_levels_of_user_half_grant_everything);
    tcase_add_test(tc, remapping_a_present_leaf_is_refused);
    tcase_add_test(tc, unmapped_and_noncanonical_addresses_fault);
    tcase_add_test(tc, tables_are_shared_within_a_2mib_range_and_not_created_by_lookups);
    tcase_add_test(tc, table_allocation_reports_enomem);
    suite_add_tcase(s, tc);
    return s;
}
