/* err.c - filling struct ringbox_error, and the public status strings. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int rb_fail(struct ringbox_error *err, int status, int os_errno, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    err->os_errno = os_errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (os_errno > 0 && n >= 0 && (size_t)n < sizeof(err->message))
        snprintf(err->message + n, sizeof(err->message) - (size_t)n, ": %s", strerror(os_errno));
    return status;
}

__attribute__((visibility("default"))) const char *ringbox_strerror(int status)
{
    switch (status) {
    case RINGBOX_OK: return "success";
    case RINGBOX_ENOKVM: return "KVM is not available";
    case RINGBOX_EKVM: return "a KVM operation failed";
    case RINGBOX_ENOENT: return "program not found or unreadable";
    case RINGBOX_EBADELF: return "not a valid x86-64 ELF executable";
    case RINGBOX_EDYNAMIC: return "the ELF interpreter cannot be loaded";
    case RINGBOX_ENOMEM: return "out of memory";
    case RINGBOX_EINVAL: return "invalid argument";
    case RINGBOX_EGUEST: return "the guest machine failed";
    case RINGBOX_ESECCOMP: return "seccomp confinement failed";
    case RINGBOX_EMOUNT: return "a mount or the working directory is unusable";
    }
    return "unknown ringbox status";
}

__attribute__((visibility("default"))) const char *ringbox_version(void)
{
    return RINGBOX_VERSION;
}
