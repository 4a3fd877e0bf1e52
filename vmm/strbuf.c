/* strbuf.c - appending to a fixed buffer (see strbuf.h). */
#include <stdarg.h>
#include <stdio.h>

#include "strbuf.h"

void strbuf_put(struct strbuf *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t at = o->n < o->len ? o->n : o->len;
    int k = vsnprintf(o->buf + at, o->len - at, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += (size_t)k;
}
