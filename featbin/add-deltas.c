/* add-deltas — append delta (and delta-delta...) features (spec/features.md §9). */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "feat/deltas.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Append time differences (deltas, delta-deltas, ...) of each feature matrix.\n"
    "Usage: add-deltas [options] in-rspecifier out-wspecifier\n"
    "e.g.: add-deltas ark:feats.ark ark:feats_deltas.ark\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    int32_t order = 2, window = 2, truncate = 0;
    sk_opts_int(po, "delta-order", &order, "How many orders of differences to append");
    sk_opts_int(po, "delta-window", &window,
                "Half-width N of the difference window: each order looks at 2N+1 frames");
    sk_opts_int(po, "truncate", &truncate, "If nonzero, keep only this many leading dimensions.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    sk_seq_reader *r = sk_seq_open(sk_opts_arg(po, 1), &sk_holder_mat);
    if (!r)
        sk_fatal_exit();
    sk_writer *w = sk_writer_open(sk_opts_arg(po, 2), &sk_holder_mat);
    if (!w)
        sk_fatal_exit();
    sk_mat out;
    sk_mat_init(&out);
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const char *key = sk_seq_key(r);
        const sk_mat *in = sk_seq_value(r);
        if (!in)
            sk_fatal_exit();
        if (in->rows == 0) {
            SK_WARN("Empty feature matrix for key %s", key);
            continue;
        }
        sk_mat src = *in;
        if (truncate != 0) {
            if (truncate > in->cols)
                SK_FATAL("Cannot truncate features as dimension %d is smaller than truncation dimension.",
                         in->cols);
            src = sk_mat_view(in, 0, in->rows, 0, truncate);
        }
        if (sk_compute_deltas(&src, order, window, &out) < 0 || sk_writer_write(w, key, &out) < 0)
            sk_fatal_exit();
    }
    sk_mat_release(&out);
    if (sk_seq_close(r) < 0 || sk_writer_close(w) < 0)
        sk_fatal_exit();
    sk_opts_free(po);
    return 0;
}
