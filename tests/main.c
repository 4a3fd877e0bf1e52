/* main.c - Check runner; SUITES names a generated list of RB_SUITE(fn) lines. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RB_SUITE(fn) Suite *fn(void);
#include SUITES
#undef RB_SUITE

/* Whether a debugger or strace traces this process (proc(5): TracerPid). */
static int traced(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int pid = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "TracerPid: %d", &pid) == 1)
            break;
    fclose(f);
    return pid != 0;
}

/* The one place where the per-test timeouts stretch for a slower way of
 * running the suite.  Each tcase's timeout is set for a plain build on
 * kvm_pvm with room for a loaded machine; Check multiplies every timeout
 * by $CK_TIMEOUT_MULTIPLIER when the tcase is created, so the factor is
 * set before the suites are built.  What matters is the slowest test's
 * slowdown, not the suite's: under strace -ff the whole integration suite
 * runs about as fast as without (once no test asserts per byte), but a
 * test whose guest makes the VMM take host syscalls by the hundred
 * thousand (the gfuzz storms) runs 9x slower.  So:
 *   ASan+UBSan (SAN=1)                    3
 *   a tracer (TracerPid: seccomp_strace)  8
 *   the SVM lane under QEMU TCG           3 (RB_LANE=tcg, tests/tcg/init)
 * A CK_TIMEOUT_MULTIPLIER already in the environment multiplies these. */
static void stretch_timeouts(void)
{
    double f = 1;
    const char *why[4];
    int n = 0;
#ifdef __SANITIZE_ADDRESS__
    f *= 3;
    why[n++] = "ASan";
#endif
    if (traced()) {
        f *= 8;
        why[n++] = "traced";
    }
    const char *lane = getenv("RB_LANE");
    if (lane && !strcmp(lane, "tcg")) {
        f *= 3;
        why[n++] = "TCG";
    }
    const char *user = getenv("CK_TIMEOUT_MULTIPLIER");
    if (user && atof(user) > 0) {
        f *= atof(user);
        why[n++] = "CK_TIMEOUT_MULTIPLIER";
    }
    /* Check's own default (4 s) is for tests that run no program. */
    setenv("CK_DEFAULT_TIMEOUT", "30", 0);
    char buf[32];
    snprintf(buf, sizeof buf, "%g", f);
    setenv("CK_TIMEOUT_MULTIPLIER", buf, 1);
    if (f != 1) {
        fprintf(stderr, "tests: timeouts x%s (", buf);
        for (int i = 0; i < n; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", why[i]);
        fprintf(stderr, ")\n");
    }
}

int main(void)
{
    stretch_timeouts();
    SRunner *sr = srunner_create(NULL);
#define RB_SUITE(fn) srunner_add_suite(sr, fn());
#include SUITES
#undef RB_SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
