/* seccomp_allowlist.c - prints the VMM's run-phase allowlist from the filter's own table:
 * one syscall name a line, or with -s its size.  Used by tests/seccomp_strace. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp.h" /* vmm/seccomp.h */

int main(int argc, char **argv)
{
    int nrs[SECCOMP_RULES_MAX];
    size_t n = seccomp_allowlist(nrs);
    if (argc == 2 && strcmp(argv[1], "-s") == 0) {
        size_t pinned, rules = seccomp_rule_count(&pinned);
        printf("%zu syscalls, %zu rules, %zu of them with argument pins\n", n, rules, pinned);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nrs[i]);
        if (!name) {
            fprintf(stderr, "seccomp_allowlist: no name for syscall %d\n", nrs[i]);
            return 1;
        }
        printf("%s\n", name);
        free(name);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
