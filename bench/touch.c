/* touch.c - guest workload: map N MiB anonymously and write one byte per page. */
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0, len = mib << 20;
    if (!len)
        return 0;
    volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
    return 0;
}
