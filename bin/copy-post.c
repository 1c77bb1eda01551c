/* copy-post — copy archives of posteriors, optionally scaling the weights. */
#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Copy posteriors, optionally scaled.\n"
    "\n"
    "Usage: copy-post <post-rspecifier> <post-wspecifier>\n"
    " e.g.: copy-post --scale=0.5 ark:post.ark ark,t:-\n"
    "See also: post-to-weights, scale-post, sum-post, weight-post ...\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float scale = 1.0f;
    sk_opts_float(po, "scale", &scale, "Multiplier on every posterior");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *post_rspecifier = sk_opts_arg(po, 1), *post_wspecifier = sk_opts_arg(po, 2);

    sk_seq_reader *reader = sk_seq_open(post_rspecifier, &sk_holder_post);
    if (!reader)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(post_rspecifier));
    sk_writer *writer = sk_writer_open(post_wspecifier, &sk_holder_post);
    if (!writer)
        SK_FATAL("Failed to open table for writing: %s", sk_escape(post_wspecifier));
    int num_done = 0;
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        sk_post *post = sk_seq_value(reader);
        if (!post)
            SK_FATAL("Failed to read the posterior for key %s", sk_seq_key(reader));
        if (scale != 1.0f)
            for (int32_t t = 0; t < post->n; t++)
                for (int32_t i = 0; i < post->frames[t].n; i++)
                    post->frames[t].pairs[i].weight *= scale;
        if (sk_writer_write(writer, sk_seq_key(reader), post) < 0)
            SK_FATAL("Failed writing the posterior for key %s", sk_seq_key(reader));
        num_done++;
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading %s", sk_escape(post_rspecifier));
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error writing %s", sk_escape(post_wspecifier));
    SK_LOG("Done copying %d posteriors.", num_done);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
