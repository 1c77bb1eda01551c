/* copy-matrix — copy matrices or tables of matrices, optionally transformed (Kaldi
 * bin/copy-matrix). */
#include "base/log.h"
#include "base/opts.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Copy matrices (features, transforms, ...), as single files or as tables, optionally\n"
    "transforming the elements.\n"
    "\n"
    "Usage: copy-matrix [options] <matrix-in-rspecifier> <matrix-out-wspecifier>\n"
    "  or: copy-matrix [options] <matrix-in-rxfilename> <matrix-out-wxfilename>\n"
    " e.g.: copy-matrix --binary=false 1.mat -\n"
    "   copy-matrix ark:2.trans ark,t:-\n"
    "See also: copy-feats\n";

static float scale = 1.0f, apply_power = 1.0f;
static bool apply_log, apply_exp, apply_softmax;

/* The transformations in Kaldi's order: scale, log (floored at 1e-20), exp, softmax, power. */
static int transform(sk_mat *m)
{
    sk_mat_scale(m, scale);
    if (apply_log) {
        sk_mat_apply_floor(m, 1.0e-20f);
        if (sk_mat_apply_log(m) < 0)
            return SK_EINVAL;
    }
    if (apply_exp)
        sk_mat_apply_exp(m);
    if (apply_softmax)
        sk_mat_apply_softmax_rows(m);
    return sk_mat_apply_pow(m, apply_power);
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    sk_opts_bool(po, "binary", &binary,
                 "Binary output (applies to a single output file, not to archives)");
    sk_opts_float(po, "scale", &scale,
                  "Multiply every element by this factor.");
    sk_opts_bool(po, "apply-log", &apply_log,
                 "Take log() of every element (elements must not be negative).");
    sk_opts_bool(po, "apply-exp", &apply_exp,
                 "Take exp() of every element");
    sk_opts_float(po, "apply-power", &apply_power,
                  "Raise every element to this power");
    sk_opts_bool(po, "apply-softmax-per-row", &apply_softmax,
                 "Replace each row by its softmax");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    if ((apply_log && apply_exp) || (apply_softmax && apply_exp) || (apply_softmax && apply_log))
        SK_FATAL("Only one of apply-log, apply-exp and apply-softmax-per-row can be given");
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    bool in_table = sk_classify_rspecifier(in, NULL) != SK_SPEC_NONE;
    bool out_table = sk_classify_wspecifier(out, NULL) != SK_SPEC_NONE;
    if (in_table != out_table)
        SK_FATAL("Cannot mix archives with regular files (copying matrices)");

    sk_mat m;
    sk_mat_init(&m);
    if (!in_table) {
        if (sk_read_object(in, &sk_holder_mat, &m) < 0)
            SK_FATAL("Failed to read matrix from %s", sk_printable_rx(in));
        if (transform(&m) < 0)
            SK_FATAL("Failed to transform matrix from %s", sk_printable_rx(in));
        if (sk_write_object(out, binary, &sk_holder_mat, &m) < 0)
            SK_FATAL("Failed to write matrix to %s", sk_printable_wx(out));
        SK_LOG("Copied matrix to %s", out);
        sk_mat_release(&m);
        sk_opts_free(po);
        return 0;
    }
    sk_seq_reader *reader = sk_seq_open(in, &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening input %s", in);
    sk_writer *writer = sk_writer_open(out, &sk_holder_mat);
    if (!writer)
        SK_FATAL("Error opening output %s", out);
    int num_done = 0;
    for (; !sk_seq_done(reader); sk_seq_next(reader), num_done++) {
        const char *key = sk_seq_key(reader);
        sk_mat *v = sk_seq_value(reader);
        if (!v)
            SK_FATAL("Failed to read matrix for key %s from %s", key, in);
        if (transform(v) < 0)
            SK_FATAL("Failed to transform matrix for key %s", key);
        if (sk_writer_write(writer, key, v) < 0)
            SK_FATAL("Error writing matrix for key %s to %s", key, out);
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading matrices from %s", in);
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error closing output %s", out);
    SK_LOG("Copied %d matrices.", num_done);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
