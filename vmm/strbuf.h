/* strbuf.h - formatted text appended to a fixed buffer, as snprintf would:
 * the text is cut at the buffer's end, always NUL-terminated when len > 0,
 * and `n` counts what the whole text would have needed. */
#ifndef RB_STRBUF_H
#define RB_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *buf;
    size_t len, n;
};

void strbuf_put(struct strbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
