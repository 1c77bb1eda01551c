/* ali-to-post — turn alignments into posteriors: each frame's value v becomes one (v, 1.0). */
#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Write alignments as posteriors: each frame gets its one id with weight 1.0. The ids\n"
    "are kept as they are (transition-ids, or pdf-ids after ali-to-pdf).\n"
    "Usage:  ali-to-post [options] <alignments-rspecifier> <posteriors-wspecifier>\n"
    "e.g.:\n"
    " ali-to-post ark:1.ali ark:1.post\n"
    "See also: ali-to-pdf, ali-to-phones, show-alignments, post-to-weights\n";

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);

    sk_seq_reader *reader = sk_seq_open(sk_opts_arg(po, 1), &sk_holder_int32_vec);
    sk_writer *writer = sk_writer_open(sk_opts_arg(po, 2), &sk_holder_post);
    if (!reader || !writer)
        sk_fatal_exit();

    int32_t num_done = 0;
    sk_post post = { 0 };
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_int32_vec *ali = sk_seq_value(reader);
        if (!ali)
            SK_FATAL("Failed to read alignment for utterance %s", key);
        sk_post_release(&post);
        if (sk_post_resize(&post, ali->n) < 0)
            SK_FATAL("Out of memory for utterance %s", key);
        for (int32_t i = 0; i < ali->n; i++)
            if (sk_post_frame_add(&post.frames[i], ali->data[i], 1.0f) < 0)
                SK_FATAL("Out of memory for utterance %s", key);
        if (sk_writer_write(writer, key, &post) < 0)
            sk_fatal_exit();
        num_done++;
    }
    if (sk_seq_close(reader) < 0 || sk_writer_close(writer) < 0)
        sk_fatal_exit();
    SK_LOG("Converted %d alignments.", (int)num_done);
    sk_post_release(&post);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
