/* feat-to-post: features to posteriors (every column a (dim, value) pair), nnet1 targets. */
#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"
#include "matrix/holders.h"
#include "matrix/matrix.h"

static const char usage[] =
    "Write each feature matrix as posteriors (frame by frame, column index and value),\n"
    "the target format of nnet1 training; meant for low output dimensions.\n"
    "Usage:  feat-to-post [options] feat-rspecifier posteriors-wspecifier\n"
    "e.g.:\n"
    " feat-to-post scp:feats.scp ark:feats.post\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    sk_seq_reader *rd = sk_seq_open(sk_opts_arg(po, 1), &sk_holder_mat);
    if (!rd)
        SK_FATAL("Cannot open %s", sk_opts_arg(po, 1));
    sk_writer *wr = sk_writer_open(sk_opts_arg(po, 2), &sk_holder_post);
    if (!wr)
        SK_FATAL("Cannot open %s", sk_opts_arg(po, 2));
    int num_done = 0;
    for (; !sk_seq_done(rd); sk_seq_next(rd)) {
        num_done++;
        const sk_mat *m = sk_seq_value(rd);
        if (!m)
            SK_FATAL("Cannot read features for %s", sk_seq_key(rd));
        sk_post post = { 0 };
        if (sk_post_resize(&post, m->rows) < 0)
            SK_FATAL("out of memory");
        for (int32_t f = 0; f < m->rows; f++)
            for (int32_t d = 0; d < m->cols; d++)
                if (sk_post_frame_add(&post.frames[f], d, SK_MAT(m, f, d)) < 0)
                    SK_FATAL("out of memory");
        if (sk_writer_write(wr, sk_seq_key(rd), &post) < 0)
            SK_FATAL("Cannot write posteriors for %s", sk_seq_key(rd));
        sk_post_release(&post);
    }
    if (sk_seq_close(rd) < 0 || sk_writer_close(wr) < 0)
        SK_FATAL("I/O error");
    SK_LOG("Converted %d alignments.", num_done);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
