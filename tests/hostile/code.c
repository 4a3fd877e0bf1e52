/* code.c - attacks with code and the stack by argv[1]: "wx" (rewrite a page through
 * mprotect RW -> RX and run each new version), "rwx" (rewrite a mapped RWX page in place),
 * "revokex" (run a page, make it RW, run it again: must fault), "rwexec" (run a RW page),
 * "recurse" (recurse past the 8 MiB stack into its guard).  Faulting modes print
 * addr= (the faulting address expected in CR2) first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL

/* mov $imm32, %eax; ret */
static void emit(unsigned char *p, uint32_t v)
{
    p[0] = 0xb8;
    memcpy(p + 1, &v, 4);
    p[5] = 0xc3;
}

static int run(void *p)
{
    return ((int (*)(void))(uintptr_t)p)();
}

static unsigned char *page(int prot)
{
    unsigned char *p = mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(3);
    }
    return p;
}

static void report(const void *addr)
{
    printf("addr=%#lx\n", (unsigned long)(uintptr_t)addr);
    fflush(stdout);
}

/* W^X: each version is written while the page is RW and run while RX; a
 * stale translation or a stale copy would run the previous version. */
static int wx(void)
{
    unsigned char *p = page(PROT_READ | PROT_WRITE);
    for (uint32_t v = 1; v <= 4; v++) {
        emit(p + 8 * v, v); /* a new place each time, */
        emit(p, v);         /* and the same place */
        if (mprotect(p, PAGE, PROT_READ | PROT_EXEC) < 0)
            return 1;
        printf("wx%u=%d,%d\n", v, run(p), run(p + 8 * v));
        if (mprotect(p, PAGE, PROT_READ | PROT_WRITE) < 0)
            return 1;
    }
    return 0;
}

/* x86 keeps code coherent with stores to it (SDM Vol. 3A 11.6): a write
 * to an RWX page is seen by the next execution there. */
static int rwx(void)
{
    unsigned char *p = page(PROT_READ | PROT_WRITE | PROT_EXEC);
    for (uint32_t v = 1; v <= 4; v++) {
        emit(p, v);
        printf("rwx%u=%d\n", v, run(p));
    }
    return 0;
}

static int revokex(void)
{
    unsigned char *p = page(PROT_READ | PROT_WRITE);
    emit(p, 7);
    if (mprotect(p, PAGE, PROT_READ | PROT_EXEC) < 0)
        return 1;
    printf("ran=%d\n", run(p));
    if (mprotect(p, PAGE, PROT_READ | PROT_WRITE) < 0)
        return 1;
    emit(p, 8);
    report(p);
    printf("survived=%d\n", run(p));
    return 1;
}

static int rwexec(void)
{
    unsigned char *p = page(PROT_READ | PROT_WRITE);
    emit(p, 9);
    report(p);
    printf("survived=%d\n", run(p));
    return 1;
}

/* Each frame holds a 1 KiB buffer that is touched, so the stack is
 * used as fast as possible and the compiler cannot turn this into a loop. */
static volatile int depth_limit = -1; /* never reached: n only grows */

static int deep(int n)
{
    volatile char buf[1024];
    buf[0] = (char)n;
    if (n == depth_limit)
        return 0;
    return deep(n + 1) + buf[0];
}

/* The lowest address of the [stack] line in /proc/self/maps. */
static int recurse(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[256];
    unsigned long lo = 0, hi;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "[stack]"))
            sscanf(line, "%lx-%lx", &lo, &hi);
    if (!lo)
        return 3;
    printf("stack_bottom=%#lx\n", lo);
    fflush(stdout);
    printf("survived=%d\n", deep(0));
    return 1;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *mode;
        int (*fn)(void);
    } modes[] = {{"wx", wx}, {"rwx", rwx}, {"revokex", revokex}, {"rwexec", rwexec}, {"recurse", recurse}};
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(mode, modes[i].mode))
            return modes[i].fn();
    fprintf(stderr, "usage: code wx|rwx|revokex|rwexec|recurse\n");
    return 2;
}
