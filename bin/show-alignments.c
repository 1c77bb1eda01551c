/* show-alignments — print alignments split into phones, transition-ids above phone names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "hmm/align.h"
#include "hmm/symtab.h"
#include "hmm/transition.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Print alignments readably: transition-ids grouped by phone, with phone names.\n"
    "Usage:  show-alignments  [options] <phone-syms> <model> <alignments-rspecifier>\n"
    "e.g.: \n"
    " show-alignments phones.txt 1.mdl ark:1.ali\n"
    "See also: ali-to-phones, copy-int-vector\n";

/* A growing string buffer (two lines are built per utterance). */
typedef struct { char *s; size_t len, cap; } buf_t;

static void buf_add(buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1)
            nc *= 2;
        char *p = realloc(b->s, nc);
        if (!p)
            SK_FATAL("Out of memory");
        b->s = p;
        b->cap = nc;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void buf_pad(buf_t *b, size_t to)
{
    while (b->len < to)
        buf_add(b, " ", 1);
}

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);

    sk_symtab *syms = sk_symtab_read(sk_opts_arg(po, 1));
    if (!syms)
        SK_FATAL("Could not read symbol table from file %s", sk_opts_arg(po, 1));
    sk_trans_model *tm;
    if (sk_trans_model_read_file(sk_opts_arg(po, 2), &tm) < 0)
        sk_fatal_exit();
    sk_seq_reader *reader = sk_seq_open(sk_opts_arg(po, 3), &sk_holder_int32_vec);
    if (!reader)
        sk_fatal_exit();

    buf_t tids = { 0 }, names = { 0 };
    char num[16];
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_int32_vec *ali = sk_seq_value(reader);
        if (!ali)
            SK_FATAL("Failed to read alignment for utterance %s", key);
        int32_t *ends, nseg;
        if (sk_ali_split_to_phones(tm, ali->data, ali->n, key, &ends, &nseg, NULL) < 0)
            sk_fatal_exit();
        tids.len = names.len = 0;
        for (int32_t k = 0, start = 0; k < nseg; start = ends[k++]) {
            int32_t phone = sk_tm_tid2phone(tm, ali->data[start]);
            const char *sym = sk_symtab_find(syms, phone);
            if (!sym)
                SK_FATAL("Phone %d not in symbol table %s", (int)phone, sk_opts_arg(po, 1));
            buf_add(&tids, "[ ", 2);
            for (int32_t i = start; i < ends[k]; i++)
                buf_add(&tids, num, (size_t)snprintf(num, sizeof num, "%d ", (int)ali->data[i]));
            buf_add(&tids, "] ", 2);
            buf_add(&names, sym, strlen(sym));
            buf_add(&names, " ", 1);
            /* pad the shorter of the two so the next segment starts in the same column */
            size_t w = tids.len > names.len ? tids.len : names.len;
            buf_pad(&tids, w);
            buf_pad(&names, w);
        }
        free(ends);
        printf("%s  %s\n%s  %s\n\n", key, tids.len ? tids.s : "", key, names.len ? names.s : "");
    }
    if (fflush(stdout) != 0)
        SK_FATAL("Error writing to standard output");
    if (sk_seq_close(reader) < 0)
        sk_fatal_exit();
    free(tids.s);
    free(names.s);
    sk_symtab_free(syms);
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return 0;
}
