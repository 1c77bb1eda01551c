/* feat-to-dim — feature dimension of the first matrix, or a table of dimensions (Kaldi
 * featbin/feat-to-dim). */
#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Print feature dimensions: to a file, the dimension of the first matrix; to a table,\n"
    "the dimension of each matrix under its key.\n"
    "Usage: feat-to-dim [options] <feat-rspecifier> (<dim-wspecifier>|<dim-wxfilename>)\n"
    "e.g.: feat-to-dim scp:feats.scp -\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    sk_seq_reader *reader = sk_seq_open(in, &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening features %s", in);
    if (sk_classify_wspecifier(out, NULL) != SK_SPEC_NONE) {
        sk_writer *writer = sk_writer_open(out, &sk_holder_int32);
        if (!writer)
            SK_FATAL("Error opening output %s", out);
        for (; !sk_seq_done(reader); sk_seq_next(reader)) {
            const sk_mat *m = sk_seq_value(reader);
            if (!m)
                SK_FATAL("Failed to read features for key %s", sk_seq_key(reader));
            int32_t dim = m->cols;
            if (sk_writer_write(writer, sk_seq_key(reader), &dim) < 0)
                SK_FATAL("Error writing to %s", out);
        }
        if (sk_writer_close(writer) < 0)
            SK_FATAL("Error closing output %s", out);
    } else {
        if (sk_seq_done(reader))
            SK_FATAL("Could not read any features (empty archive?)");
        const sk_mat *m = sk_seq_value(reader);
        if (!m)
            SK_FATAL("Failed to read features for key %s", sk_seq_key(reader));
        sk_output *o = sk_output_open(out, false);
        if (!o)
            SK_FATAL("Error opening output %s", sk_printable_wx(out));
        fprintf(sk_output_file(o), "%d\n", (int)m->cols);
        if (sk_output_close(o) < 0)
            SK_FATAL("Error writing to %s", sk_printable_wx(out));
        /* like Kaldi, stop after the first matrix: the rest of the input is not read */
        sk_seq_reader *r = reader;
        reader = NULL;
        sk_seq_close(r);
    }
    if (reader && sk_seq_close(reader) < 0)
        SK_FATAL("Error reading features from %s", in);
    sk_opts_free(po);
    return 0;
}
