/* sysinfo.c - what the sandbox tells a program about itself: uname, ids, limits, time and the auxiliary vector. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *auxv_name(uint64_t type)
{
    switch (type) {
    case AT_PHDR: return "AT_PHDR";
    case AT_PHENT: return "AT_PHENT";
    case AT_PHNUM: return "AT_PHNUM";
    case AT_PAGESZ: return "AT_PAGESZ";
    case AT_BASE: return "AT_BASE";
    case AT_FLAGS: return "AT_FLAGS";
    case AT_ENTRY: return "AT_ENTRY";
    case AT_UID: return "AT_UID";
    case AT_EUID: return "AT_EUID";
    case AT_GID: return "AT_GID";
    case AT_EGID: return "AT_EGID";
    case AT_PLATFORM: return "AT_PLATFORM";
    case AT_HWCAP: return "AT_HWCAP";
    case AT_HWCAP2: return "AT_HWCAP2";
    case AT_CLKTCK: return "AT_CLKTCK";
    case AT_SECURE: return "AT_SECURE";
    case AT_RANDOM: return "AT_RANDOM";
    case AT_EXECFN: return "AT_EXECFN";
    case AT_SYSINFO_EHDR: return "AT_SYSINFO_EHDR";
    case AT_MINSIGSTKSZ: return "AT_MINSIGSTKSZ";
    default: return NULL;
    }
}

int main(int argc, char **argv, char **envp)
{
    struct utsname u;
    if (uname(&u) == 0)
        printf("uname:   %s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
    printf("ids:     pid %d, ppid %d, uid %d, gid %d\n", (int)getpid(), (int)getppid(), (int)getuid(),
           (int)getgid());

    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0)
        printf("stack:   soft %llu, hard %llu\n", (unsigned long long)rl.rlim_cur,
               (unsigned long long)rl.rlim_max);

    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
        printf("time:    %lld.%09ld s since the epoch\n", (long long)ts.tv_sec, ts.tv_nsec);

    /* The auxiliary vector sits just past the environment's NULL. */
    char **p = envp;
    while (*p)
        p++;
    printf("auxv:\n");
    for (uint64_t *a = (uint64_t *)(p + 1); a[0] != AT_NULL; a += 2) {
        const char *name = auxv_name(a[0]);
        if (a[0] == AT_EXECFN || a[0] == AT_PLATFORM)
            printf("  %-16s %s\n", name, (const char *)a[1]);
        else if (name)
            printf("  %-16s %#llx\n", name, (unsigned long long)a[1]);
        else
            printf("  %-16llu %#llx\n", (unsigned long long)a[0], (unsigned long long)a[1]);
    }
    return 0;
}
