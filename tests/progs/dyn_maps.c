/* dyn_maps.c - what /proc/self/maps names: the shared objects mapped (by
 * basename, sorted, once each: host and guest paths differ), whether the
 * program's own image is there, and the [heap] and [stack] areas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 64

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) {
        perror("/proc/self/maps");
        return 1;
    }
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char line[4096], *names[MAXN];
    int n = 0, self_seen = 0, stack_seen = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *path = strchr(line, '/');
        if (strstr(line, "[stack]"))
            stack_seen = 1;
        if (!path)
            continue;
        const char *base = strrchr(path, '/') + 1;
        if (!strcmp(base, self))
            self_seen = 1;
        if (!strstr(base, ".so") || n == MAXN)
            continue;
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= !strcmp(names[i], base);
        if (!dup)
            names[n++] = strdup(base);
    }
    fclose(f);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++)
        printf("%s\n", names[i]);
    printf("self: %s\nstack: %s\n", self_seen ? "yes" : "no", stack_seen ? "yes" : "no");
    return 0;
}
