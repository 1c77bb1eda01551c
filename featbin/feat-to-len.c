/* feat-to-len — number of frames per utterance, or the total (Kaldi featbin/feat-to-len). */
#include <inttypes.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Write the number of frames of each feature matrix to a table, or with a single\n"
    "argument print the total number of frames on standard output.\n"
    "Usage: feat-to-len [options] <in-rspecifier> [<out-wspecifier>]\n"
    "e.g.: feat-to-len scp:feats.scp ark,t:feats.lengths\n"
    "or: feat-to-len scp:feats.scp\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    int nargs = sk_opts_num_args(po);
    if (nargs != 1 && nargs != 2)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1);
    sk_writer *writer = NULL;
    if (nargs == 2 && !(writer = sk_writer_open(sk_opts_arg(po, 2), &sk_holder_int32)))
        SK_FATAL("Error opening output %s", sk_opts_arg(po, 2));
    sk_seq_reader *reader = sk_seq_open(in, &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening features %s", in);
    int64_t total = 0;
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const sk_mat *m = sk_seq_value(reader);
        if (!m)
            SK_FATAL("Failed to read features for key %s", sk_seq_key(reader));
        int32_t len = m->rows;
        total += len;
        if (writer && sk_writer_write(writer, sk_seq_key(reader), &len) < 0)
            SK_FATAL("Error writing to %s", sk_opts_arg(po, 2));
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading features from %s", in);
    if (writer && sk_writer_close(writer) < 0)
        SK_FATAL("Error closing output %s", sk_opts_arg(po, 2));
    if (!writer)
        printf("%" PRId64 "\n", total);
    sk_opts_free(po);
    return 0;
}
