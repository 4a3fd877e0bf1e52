/* unit_mem.c - the checked guest-memory helpers: cross-page copies, unmapped,
 * supervisor and read-only pages, and the page allocator. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "mem.h"
#include "pt.h"
#include "ringbox_abi.h"
#include "x86.h"

static struct guest_mem m;
#define USER_RW (X86_PTE_P | X86_PTE_US | X86_PTE_RW | X86_PTE_NX)
#define USER_RO (X86_PTE_P | X86_PTE_US | X86_PTE_NX)
#define SUPER_RW (X86_PTE_P | X86_PTE_RW | X86_PTE_NX)

static uint64_t map(uint64_t va, uint64_t flags)
{
    uint64_t pa;
    ck_assert_int_eq(mem_alloc_page(&m, &pa), 0);
    ck_assert_int_eq(pt_map(&m, va, pa, flags), 0);
    return pa;
}

static void setup(void)
{
    ck_assert_int_eq(mem_init(&m, 4 << 20), 0);
    /* First, so the tables exist and the next frames are consecutive. */
    map(0x15000, USER_RW);
    map(0x10000, USER_RW);
    map(0x11000, USER_RW);
    map(0x12000, USER_RO);
    map(0x13000, SUPER_RW);
    /* 0x14000 unmapped */
}

static void teardown(void)
{
    mem_fini(&m);
}

START_TEST(cross_page_round_trip)
{
    char out[300], in[300];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (char)(i * 7);
    ck_assert_int_eq(mem_copy_to_user(&m, 0x10f80, out, sizeof(out)), 0);
    ck_assert_int_eq(mem_copy_from_user(&m, in, 0x10f80, sizeof(in)), 0);
    ck_assert_mem_eq(in, out, sizeof(out));
}
END_TEST

START_TEST(read_only_page_refuses_writes_and_nothing_is_written)
{
    char junk[0x100], probe;
    memset(junk, 'x', sizeof(junk));
    /* Starts on the writable page, ends on the read-only one. */
    ck_assert_int_eq(mem_copy_to_user(&m, 0x11f80, junk, sizeof(junk)), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(&m, &probe, 0x11f80, 1), 0);
    ck_assert_int_eq(probe, 0);
    ck_assert_int_eq(mem_clear_user(&m, 0x12000, 1), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(&m, junk, 0x12000, 16), 0); /* readable */
}
END_TEST

START_TEST(supervisor_page_is_invisible)
{
    char b[8] = {0};
    ck_assert_int_eq(mem_copy_from_user(&m, b, 0x13000, 8), -EFAULT);
    ck_assert_int_eq(mem_copy_to_user(&m, 0x13000, b, 8), -EFAULT);
    ck_assert_int_eq(mem_read_kernel(&m, b, 0x13000, 8), 0); /* the VMM itself may */
}
END_TEST

START_TEST(unmapped_kernel_half_and_wrapping_ranges_fault)
{
    char b[16];
    ck_assert_int_eq(mem_copy_from_user(&m, b, 0x14000, 1), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(&m, b, 0x13ff8, 16), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(&m, b, RB_KERNEL_BASE, 1), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(&m, b, 0xfffffffffffffff8ULL, 16), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(&m, b, RB_USER_TOP - 8, 16), -EFAULT);
    ck_assert_int_eq(mem_copy_from_user(&m, b, 0x10000, 0), 0);
}
END_TEST

START_TEST(strings)
{
    char buf[64];
    ck_assert_int_eq(mem_copy_to_user(&m, 0x10ffc, "hello", 6), 0);
    ck_assert_int_eq(mem_strncpy_from_user(&m, buf, 0x10ffc, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "hello");
    ck_assert_int_eq(mem_strncpy_from_user(&m, buf, 0x10ffc, 5), -ENAMETOOLONG);
    char fill[16];
    memset(fill, 'a', sizeof(fill));
    ck_assert_int_eq(mem_copy_to_user(&m, 0x11ff0, fill, sizeof(fill)), 0);
    /* runs into the read-only page, which is zero: terminated there */
    ck_assert_int_eq(mem_strncpy_from_user(&m, buf, 0x11ff0, sizeof(buf)), 16);
    ck_assert_int_eq(mem_copy_to_user(&m, 0x15ff0, fill, sizeof(fill)), 0);
    /* runs off the end of the last mapped page */
    ck_assert_int_eq(mem_strncpy_from_user(&m, buf, 0x15ff0, sizeof(buf)), -EFAULT);
}
END_TEST

START_TEST(iovecs_merge_and_stop_short)
{
    struct iovec iov[4];
    int n;
    ck_assert_int_eq(mem_user_iov(&m, 0x10800, 0x1000, true, iov, 4, &n), 0x1000);
    /* the two frames were allocated consecutively, so one iovec covers both */
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(mem_user_iov(&m, 0x11800, 0x1000, true, iov, 4, &n), 0x800);
    ck_assert_int_eq(mem_user_iov(&m, 0x11800, 0x1000, false, iov, 4, &n), 0x1000);
    ck_assert_int_eq(mem_user_iov(&m, 0x13000, 10, false, iov, 4, &n), -EFAULT);
    ck_assert_int_eq(mem_user_iov(&m, RB_KERNEL_BASE, 10, false, iov, 4, &n), -EFAULT);
}
END_TEST

START_TEST(freed_frames_come_back_zeroed)
{
    uint64_t pa, again;
    ck_assert_int_eq(mem_alloc_page(&m, &pa), 0);
    memset(mem_host(&m, pa), 0xab, MEM_PAGE);
    uint64_t before = mem_free_bytes(&m);
    mem_free_page(&m, pa);
    ck_assert_uint_eq(mem_free_bytes(&m), before + MEM_PAGE);
    ck_assert_int_eq(mem_alloc_page(&m, &again), 0);
    ck_assert_uint_eq(again, pa);
    static const uint8_t zero[MEM_PAGE];
    ck_assert(memcmp(mem_host(&m, again), zero, MEM_PAGE) == 0);
}
END_TEST

START_TEST(allocation_stops_at_the_cap)
{
    uint64_t pa;
    size_t n = 0;
    uint64_t avail = mem_free_bytes(&m);
    while (mem_alloc_page(&m, &pa) == 0)
        n++;
    ck_assert_uint_eq(n * MEM_PAGE, avail);
    ck_assert_int_eq(mem_alloc_page(&m, &pa), -ENOMEM);
    ck_assert_uint_eq(mem_free_bytes(&m), 0);
}
END_TEST

START_TEST(bad_sizes_are_refused)
{
    struct guest_mem bad;
    ck_assert_int_eq(mem_init(&bad, 4096), -EINVAL);
    ck_assert_int_eq(mem_init(&bad, (4 << 20) + 1), -EINVAL);
}
END_TEST

Suite *mem_suite(void)
{
    Suite *s = suite_create("mem");
    TCase *tc = tcase_create("checked copies");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cross_page_round_trip);
    tcase_add_test(tc, read_only_page_refuses_writes_and_nothing_is_written);
    tcase_add_test(tc, supervisor_page_is_invisible);
    tcase_add_test(tc, unmapped_kernel_half_and_wrapping_ranges_fault);
    tcase_add_test(tc, strings);
    tcase_add_test(tc, iovecs_merge_and_stop_short);
    tcase_add_test(tc, freed_frames_come_back_zeroed);
    tcase_add_test(tc, allocation_stops_at_the_cap);
    tcase_add_test(tc, bad_sizes_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
