/* paste-feats — concatenate feature matrices column-wise, like unix paste (Kaldi
 * featbin/paste-feats). */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Join feature matrices side by side, frame by frame (as paste(1) joins lines).\n"
    "Usage: paste-feats <in-rspecifier1> <in-rspecifier2> [<in-rspecifier3> ...] <out-wspecifier>\n"
    " or: paste-feats <in-rxfilename1> <in-rxfilename2> [<in-rxfilename3> ...] <out-wxfilename>\n"
    " e.g. paste-feats ark:feats1.ark \"ark:select-feats 0-3 ark:feats2.ark ark:- |\" ark:feats-out.ark\n"
    "  or: paste-feats foo.mat bar.mat baz.mat\n";

/* Paste in[0..n) into out, trimmed to the shortest; false (warning) when the lengths differ by
 * more than tol or one is empty. utt is "" in single-file mode. */
static bool paste(const sk_mat *const *in, int n, const char *utt, int32_t tol, sk_mat *out)
{
    int32_t min_len = in[0]->rows, max_len = in[0]->rows, dim = 0;
    for (int i = 0; i < n; i++) {
        if (in[i]->rows < min_len) min_len = in[i]->rows;
        if (in[i]->rows > max_len) max_len = in[i]->rows;
        dim += in[i]->cols;
    }
    if (max_len - min_len > tol || min_len == 0) {
        SK_WARN("Length mismatch %d vs. %d%s%s exceeds tolerance %d", (int)max_len,
                (int)min_len, *utt ? " for utt " : "", utt, (int)tol);
        return false;
    }
    if (max_len > min_len)
        SK_LOG("Length mismatch %d vs. %d%s%s within tolerance %d", (int)max_len, (int)min_len,
               *utt ? " for utt " : "", utt, (int)tol);
    if (sk_mat_resize(out, min_len, dim) < 0)
        SK_FATAL("Out of memory");
    for (int i = 0, off = 0; i < n; off += in[i]->cols, i++) {
        if (in[i]->cols == 0)
            continue;
        sk_mat dst = sk_mat_view(out, 0, min_len, off, in[i]->cols);
        sk_mat src = sk_mat_view(in[i], 0, min_len, 0, in[i]->cols);
        sk_mat_copy_from(&dst, &src);
    }
    return true;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    int32_t tol = 0;
    bool binary = true;
    sk_opts_int(po, "length-tolerance", &tol,
                "Inputs whose lengths differ by at most this many frames are cut to the "
                "shortest; larger differences skip the utterance.");
    sk_opts_bool(po, "binary", &binary, "Binary output (single-file form only; tables carry "
                                        "their own mode)");
    sk_opts_parse(po);
    int nargs = sk_opts_num_args(po), n_in = nargs - 1;
    if (nargs < 3)
        sk_opts_usage_exit(po);
    const char *out = sk_opts_arg(po, nargs);
    const sk_mat **feats = calloc((size_t)n_in, sizeof *feats);
    sk_mat output;
    sk_mat_init(&output);

    if (sk_classify_rspecifier(sk_opts_arg(po, 1), NULL) == SK_SPEC_NONE) {
        sk_mat *mats = calloc((size_t)n_in, sizeof *mats);
        for (int i = 0; i < n_in; i++) {
            sk_mat_init(&mats[i]);
            if (sk_read_object(sk_opts_arg(po, i + 1), &sk_holder_mat, &mats[i]) < 0)
                SK_FATAL("Failed to read matrix from %s", sk_printable_rx(sk_opts_arg(po, i + 1)));
            feats[i] = &mats[i];
        }
        int status = 1;
        if (paste(feats, n_in, "", tol, &output)) {
            if (sk_write_object(out, binary, &sk_holder_mat, &output) < 0)
                SK_FATAL("Failed to write %s", sk_printable_wx(out));
            SK_LOG("Wrote appended features to %s", out);
            status = 0;
        }
        for (int i = 0; i < n_in; i++)
            sk_mat_release(&mats[i]);
        free(mats);
        free(feats);
        sk_mat_release(&output);
        sk_opts_free(po);
        return status;
    }

    sk_writer *writer = sk_writer_open(out, &sk_holder_mat);
    if (!writer)
        SK_FATAL("Error opening output %s", out);
    sk_seq_reader *first = sk_seq_open(sk_opts_arg(po, 1), &sk_holder_mat);
    if (!first)
        SK_FATAL("Error opening %s", sk_opts_arg(po, 1));
    sk_ra_reader **others = calloc((size_t)n_in, sizeof *others);
    for (int i = 1; i < n_in; i++)
        if (!(others[i] = sk_ra_open(sk_opts_arg(po, i + 1), &sk_holder_mat)))
            SK_FATAL("Error opening %s", sk_opts_arg(po, i + 1));
    int num_done = 0, num_err = 0;
    for (; !sk_seq_done(first); sk_seq_next(first)) {
        const char *utt = sk_seq_key(first);
        SK_VLOG(2, "Merging features for utterance %s", utt);
        if (!(feats[0] = sk_seq_value(first)))
            SK_FATAL("Failed to read features for key %s", utt);
        int i;
        for (i = 1; i < n_in; i++) {
            if (!sk_ra_has_key(others[i], utt)) {
                if (sk_ra_failed(others[i]))
                    SK_FATAL("Cannot go on: the table read for key %s failed", utt);
                SK_WARN("Missing utt %s from input %s", utt, sk_opts_arg(po, i + 1));
                num_err++;
                break;
            }
            if (!(feats[i] = sk_ra_value(others[i], utt)))
                SK_FATAL("Failed to read features for key %s from %s", utt, sk_opts_arg(po, i + 1));
        }
        if (i < n_in)
            continue;
        if (!paste(feats, n_in, utt, tol, &output)) {
            num_err++;
            continue;
        }
        if (sk_writer_write(writer, utt, &output) < 0)
            SK_FATAL("Error writing features for key %s to %s", utt, out);
        num_done++;
    }
    if (sk_seq_close(first) < 0)
        SK_FATAL("Error reading features from %s", sk_opts_arg(po, 1));
    for (int i = 1; i < n_in; i++)
        if (sk_ra_close(others[i]) < 0)
            SK_FATAL("Error reading a table (see above)");
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error closing output %s", out);
    SK_LOG("Done %d utts, errors on %d", num_done, num_err);
    sk_mat_release(&output);
    free(others);
    free(feats);
    sk_opts_free(po);
    return num_done == 0 ? 255 : 0;
}
