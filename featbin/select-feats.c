/* select-feats — keep selected feature dimensions, like cut -f (Kaldi featbin/select-feats). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Keep the listed feature dimensions, in the order given (as cut -f keeps fields).\n"
    "Usage: select-feats <selection> <in-rspecifier> <out-wspecifier>\n"
    "  e.g. select-feats 0,24-22,3-12 scp:feats.scp ark,scp:feat-red.ark,feat-red.scp\n"
    "See also copy-feats, extract-rows, subset-feats, subsample-feats\n";

/* Parses "0,24-22,3-12" against dimension dim into a list of source columns (a descending
 * range selects its columns in descending order). Returns the count; fatal on a bad index. */
static int32_t parse_selection(const char *sel, int32_t dim, int32_t **cols)
{
    int32_t n = 0, cap = 16;
    *cols = malloc((size_t)cap * sizeof(int32_t));
    char *copy = strdup(sel), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(tok, '-');
        int32_t s, e;
        if (dash) {
            *dash = '\0';
            if (!sk_parse_int32(tok, &s) || s < 0 || s > dim - 1)
                SK_FATAL("Invalid range start: %s", tok);
            if (!sk_parse_int32(dash + 1, &e) || e < 0 || e > dim - 1)
                SK_FATAL("Invalid range end: %s", dash + 1);
        } else {
            if (!sk_parse_int32(tok, &s) || s < 0 || s > dim - 1)
                SK_FATAL("Invalid selection index: %s", tok);
            e = s;
        }
        for (int32_t i = s;; i += s <= e ? 1 : -1) {
            if (n == cap)
                *cols = realloc(*cols, (size_t)(cap *= 2) * sizeof(int32_t));
            (*cols)[n++] = i;
            if (i == e)
                break;
        }
    }
    free(copy);
    if (n < 1)
        SK_FATAL("No ranges or indices in selection string!");
    return n;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    const char *sel = sk_opts_arg(po, 1), *in = sk_opts_arg(po, 2), *out = sk_opts_arg(po, 3);
    sk_seq_reader *reader = sk_seq_open(in, &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening features %s", in);
    if (sk_seq_done(reader)) {
        SK_WARN("Empty archive provided.");
        sk_opts_free(po);
        return sk_seq_close(reader) < 0 ? 255 : 0;
    }
    const sk_mat *first = sk_seq_value(reader);
    if (!first)
        SK_FATAL("Failed to read features for key %s", sk_seq_key(reader));
    int32_t *cols, dim_in = first->cols;
    int32_t dim_out = parse_selection(sel, dim_in, &cols);
    sk_writer *writer = sk_writer_open(out, &sk_holder_mat);
    if (!writer)
        SK_FATAL("Error opening output %s", out);
    sk_mat res;
    sk_mat_init(&res);
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_mat *m = sk_seq_value(reader);
        if (!m)
            SK_FATAL("Failed to read features for key %s", key);
        if (m->cols != dim_in)
            SK_FATAL("Features for key %s have dimension %d, expected %d", key, (int)m->cols,
                     (int)dim_in);
        if (sk_mat_resize(&res, m->rows, dim_out) < 0)
            SK_FATAL("Out of memory");
        for (int32_t r = 0; r < m->rows; r++) {
            const float *src = SK_ROW(m, r);
            float *dst = SK_ROW(&res, r);
            for (int32_t j = 0; j < dim_out; j++)
                dst[j] = src[cols[j]];
        }
        if (sk_writer_write(writer, key, &res) < 0)
            SK_FATAL("Error writing features for key %s to %s", key, out);
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading features from %s", in);
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error closing output %s", out);
    sk_mat_release(&res);
    free(cols);
    sk_opts_free(po);
    return 0;
}
