/* symtab.c — reading OpenFst text symbol tables into an id-indexed array. */
#include "hmm/symtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/stream.h"

/* Ids above this are refused (an id-indexed array is used). */
#define MAX_ID (1 << 26)

struct sk_symtab {
    char *text;        /* the file, split in place */
    char **sym;        /* [n] */
    int64_t n;
};

void sk_symtab_free(sk_symtab *st)
{
    if (!st)
        return;
    free(st->text);
    free(st->sym);
    free(st);
}

const char *sk_symtab_find(const sk_symtab *st, int64_t id)
{
    return st && id >= 0 && id < st->n ? st->sym[id] : NULL;
}

static bool is_sep(char c) { return c == ' ' || c == '\t' || c == '\r'; }

sk_symtab *sk_symtab_read(const char *rx)
{
    sk_symtab *st = calloc(1, sizeof *st);
    size_t len = 0;
    if (!st || sk_read_all(rx, &st->text, &len) < 0) {
        if (st)
            SK_ERROR("Could not read symbol table from file %s", sk_printable_rx(rx));
        sk_symtab_free(st);
        return NULL;
    }
    char *t = realloc(st->text, len + 1);   /* room for the terminator of the last line */
    if (!t) {
        SK_ERROR("out of memory reading symbol table %s", sk_printable_rx(rx));
        sk_symtab_free(st);
        return NULL;
    }
    st->text = t;
    t[len] = 0;
    int64_t cap = 0, lineno = 0;
    char *p = st->text, *end = st->text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        lineno++;
        char *f[3];
        int nf = 0;
        char *q = p;
        while (q < eol && nf < 3) {
            while (q < eol && is_sep(*q))
                q++;
            if (q >= eol)
                break;
            f[nf++] = q;
            while (q < eol && !is_sep(*q))
                q++;
            if (q < eol)
                *q++ = 0;
        }
        *eol = 0;
        p = eol + 1;
        if (nf == 0)
            continue;
        char *e;
        errno = 0;
        long long id = nf == 2 ? strtoll(f[1], &e, 10) : -1;
        if (nf != 2 || errno || *e || id < 0 || id > MAX_ID) {
            SK_ERROR("Bad line %lld in symbol table %s (expected \"symbol id\")",
                     (long long)lineno, sk_printable_rx(rx));
            sk_symtab_free(st);
            return NULL;
        }
        if (id >= cap) {
            int64_t nc = cap ? cap : 64;
            while (nc <= id)
                nc *= 2;
            char **s = realloc(st->sym, sizeof(char *) * (size_t)nc);
            if (!s) {
                SK_ERROR("out of memory reading symbol table %s", sk_printable_rx(rx));
                sk_symtab_free(st);
                return NULL;
            }
            memset(s + cap, 0, sizeof(char *) * (size_t)(nc - cap));
            st->sym = s;
            cap = nc;
        }
        st->sym[id] = f[0];
        if (id >= st->n)
            st->n = id + 1;
    }
    return st;
}
