/* add-deltas — append delta (and delta-delta...) features (spec/features.md §9). */
#include "base/log.h"
#include "base/opts.h"
#include "feat/deltas.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Append time differences (deltas, delta-deltas, ...) of each feature matrix.\n"
    "Usage: add-deltas [options] in-rspecifier out-wspecifier\n"
    "e.g.: add-deltas ark:feats.ark ark:feats_deltas.ark\n";

typedef struct { int32_t order, window, truncate; } delta_cfg;

static int add_deltas(const char *key, const sk_mat *in, sk_mat *out, void *ctx)
{
    const delta_cfg *c = ctx;
    if (in->rows == 0) {
        SK_WARN("Empty feature matrix for key %s", key);
        return 0;
    }
    sk_mat src = *in;
    if (c->truncate != 0) {
        if (c->truncate > in->cols) {
            SK_ERROR("Cannot truncate features as dimension %d is smaller than truncation "
                     "dimension.", in->cols);
            return SK_EINVAL;
        }
        src = sk_mat_view(in, 0, in->rows, 0, c->truncate);
    }
    return sk_compute_deltas(&src, c->order, c->window, out) < 0 ? SK_EIO : 1;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    delta_cfg c = { .order = 2, .window = 2, .truncate = 0 };
    sk_opts_int(po, "delta-order", &c.order, "How many orders of differences to append");
    sk_opts_int(po, "delta-window", &c.window,
                "Half-width N of the difference window: each order looks at 2N+1 frames");
    sk_opts_int(po, "truncate", &c.truncate, "If nonzero, keep only this many leading dimensions.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    if (sk_mat_table_map(sk_opts_arg(po, 1), sk_opts_arg(po, 2), add_deltas, &c) < 0)
        sk_fatal_exit();
    sk_opts_free(po);
    return 0;
}
