/* fst-file.c — opening FSTs and symbol tables by rxfilename (kept apart from fst.c so that
 * code reading FSTs from a FILE* does not pull in the stream layer). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "fst/fst.h"
#include "io/stream.h"

int sk_fst_read_file(const char *rx, sk_fst **fst)
{
    *fst = NULL;
    sk_input *in = sk_input_open(rx);
    if (!in)
        return SK_EIO;
    int st = sk_fst_read(sk_input_file(in), sk_printable_rx(rx), fst);
    if (sk_input_close(in) < 0 && st == 0) {
        sk_fst_free(*fst);
        *fst = NULL;
        st = SK_EIO;
    }
    return st;
}

int sk_symtab_read(const char *rx, sk_symtab **st)
{
    char *data;
    size_t len;
    *st = NULL;
    if (sk_read_all(rx, &data, &len) < 0)
        return SK_EIO;
    char *text = malloc(len + 1);  /* the parser wants a NUL-terminated string */
    if (!text) {
        free(data);
        return SK_EIO;
    }
    memcpy(text, data, len);
    text[len] = '\0';
    free(data);
    int r = sk_symtab_parse(text, rx, st);
    free(text);
    return r;
}
