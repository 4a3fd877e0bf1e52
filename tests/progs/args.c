/* args.c - prints argv, envp, the entry stack alignment and the auxv entries the tests check. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t auxv_get(uint64_t *auxv, uint64_t type, int *found)
{
    for (uint64_t *a = auxv; a[0] != AT_NULL; a += 2)
        if (a[0] == type) {
            *found = 1;
            return a[1];
        }
    *found = 0;
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    /* At entry RSP points at argc and argv follows it (System V x86-64
     * ABI 3.4.1); both libcs hand main that very argv. */
    uintptr_t entry_sp = (uintptr_t)argv - 8;
    printf("argc=%d\n", argc);
    printf("argc_on_stack=%d\n", ((long *)entry_sp)[0] == argc);
    printf("entry_sp_mod16=%u\n", (unsigned)(entry_sp % 16));
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    printf("argv[argc]=%s\n", argv[argc] ? "non-null" : "null");
    printf("envp_follows_argv=%d\n", envp == argv + argc + 1);

    int n = 0;
    char **p = envp;
    for (; *p; p++, n++)
        printf("env[%d]=%s\n", n, *p);
    printf("envc=%d\n", n);

    uint64_t *auxv = (uint64_t *)(p + 1);
    int found;
    uint64_t v = auxv_get(auxv, AT_PAGESZ, &found);
    printf("AT_PAGESZ=%s%llu\n", found ? "" : "missing ", (unsigned long long)v);
    v = auxv_get(auxv, AT_ENTRY, &found);
    printf("AT_ENTRY=%s%#llx\n", found ? "" : "missing ", (unsigned long long)v);
    v = auxv_get(auxv, AT_PHNUM, &found);
    printf("AT_PHNUM=%s%llu\n", found ? "" : "missing ", (unsigned long long)v);
    v = auxv_get(auxv, AT_RANDOM, &found);
    if (found && v) {
        const unsigned char *r = (const unsigned char *)(uintptr_t)v;
        printf("AT_RANDOM=");
        for (int i = 0; i < 16; i++)
            printf("%02x", r[i]);
        printf("\n");
    } else {
        printf("AT_RANDOM=missing\n");
    }
    v = auxv_get(auxv, AT_EXECFN, &found);
    printf("AT_EXECFN=%s\n", found && v ? (const char *)(uintptr_t)v : "missing");
    return 0;
}
