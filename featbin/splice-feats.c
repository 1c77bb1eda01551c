/* splice-feats — splice neighbouring frames together (spec/features.md §10). */
#include "base/log.h"
#include "base/opts.h"
#include "feat/splice.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Stack each frame with its neighbouring frames (context for LDA or a network).\n"
    "Usage: splice-feats [options] <feature-rspecifier> <feature-wspecifier>\n"
    "e.g.: splice-feats scp:feats.scp ark:-\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    int32_t left = 4, right = 4;
    sk_opts_int(po, "left-context", &left, "Frames of past context to append");
    sk_opts_int(po, "right-context", &right, "Frames of future context to append");
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
        const sk_mat *in = sk_seq_value(r);
        if (!in || sk_splice_frames(in, left, right, &out) < 0 ||
            sk_writer_write(w, sk_seq_key(r), &out) < 0)
            sk_fatal_exit();
    }
    sk_mat_release(&out);
    if (sk_seq_close(r) < 0 || sk_writer_close(w) < 0)
        sk_fatal_exit();
    sk_opts_free(po);
    return 0;
}
