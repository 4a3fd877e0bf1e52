/* require.h - an assertion for loops: it reports to Check only when it fails.
 *
 * Each ck_assert_* that passes still marks its location down a pipe to the
 * runner (Check's fork mode): a loop of them is one write(2) per
 * iteration, a million for a 1 MB file compared byte by byte, and under
 * strace -ff each one is traced.  Inside a loop over data (bytes, lines,
 * pages, iterations, argv), compare and REQUIRE, or compare and assert
 * once after the loop.  A loop over a short fixed table of scenarios,
 * each of which runs a program, may use ck_assert_*: that is a few
 * messages a scenario, not a message a datum. */
#ifndef RB_REQUIRE_H
#define RB_REQUIRE_H

#include <check.h>

#define REQUIRE(cond, ...)             \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

#endif
