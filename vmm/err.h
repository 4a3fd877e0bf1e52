/* err.h - filling struct ringbox_error: "subsystem: what failed: why". */
#ifndef RB_ERR_H
#define RB_ERR_H

#include "ringbox.h"

/* Record status/os_errno/message in `err` (may be NULL) and return status.
 * os_errno > 0 appends ": strerror(os_errno)" to the message. */
int rb_fail(struct ringbox_error *err, int status, int os_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
