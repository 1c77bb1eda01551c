/* strbuf.h — a growing string for building long texts (reports, model info).
 *
 *     sk_strbuf b = SK_STRBUF_INIT;
 *     sk_strbuf_addf(&b, "num-components %d\n", n);
 *     char *text = sk_strbuf_detach(&b);    // caller frees; NULL if nothing was added
 *
 * Invariant: s is NULL (nothing added) or a NUL-terminated string of len bytes in cap bytes.
 * On out of memory an append is dropped (the text stays valid, only shorter) and failed is set.
 */
#ifndef SK_BASE_STRBUF_H
#define SK_BASE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct { char *s; size_t len, cap; bool failed; } sk_strbuf;
#define SK_STRBUF_INIT { NULL, 0, 0, false }

void sk_strbuf_addf(sk_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the string to the caller (who frees it) and reset b. */
char *sk_strbuf_detach(sk_strbuf *b);
void sk_strbuf_release(sk_strbuf *b);

#endif
