/* dyn_dlopen.c - dlopen of a library the program is not linked against:
 * ld.so opens and maps libm.so.6 at run time through the sandbox's syscalls. */
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
    void *m = dlopen("libm.so.6", RTLD_NOW);
    if (!m) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    double (*cosine)(double) = (double (*)(double))dlsym(m, "cos");
    if (!cosine) {
        printf("dlsym failed: %s\n", dlerror());
        return 1;
    }
    for (int i = 0; i <= 4; i++)
        printf("cos(%d/4) = %.17g\n", i, cosine(i / 4.0));
    printf("missing: %s\n", dlopen("libdoes-not-exist.so.9", RTLD_NOW) ? "loaded" : "refused");
    dlclose(m);
    return 0;
}
