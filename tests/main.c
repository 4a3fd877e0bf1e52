/* main.c - Check runner; SUITES names a generated list of RB_SUITE(fn) lines. */
#include <check.h>
#include <stdlib.h>

#define RB_SUITE(fn) Suite *fn(void);
#include SUITES
#undef RB_SUITE

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define RB_SUITE(fn) srunner_add_suite(sr, fn());
#include SUITES
#undef RB_SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
