/* strbuf.c — growing strings (see strbuf.h). */
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void sk_strbuf_addf(sk_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *sk_strbuf_detach(sk_strbuf *b)
{
    char *s = b->s;
    *b = (sk_strbuf)SK_STRBUF_INIT;
    return s;
}

void sk_strbuf_release(sk_strbuf *b)
{
    free(b->s);
    *b = (sk_strbuf)SK_STRBUF_INIT;
}
