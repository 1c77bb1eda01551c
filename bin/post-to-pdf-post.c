/* post-to-pdf-post — posteriors over transition-ids to posteriors over pdf-ids. */
#include "base/log.h"
#include "base/opts.h"
#include "hmm/posterior.h"
#include "hmm/transition.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Turn posteriors over transition-ids into posteriors over pdf-ids (summing the\n"
    "entries of a frame that share a pdf).\n"
    "See also: post-to-phone-post, post-to-weights, get-post-on-ali\n"
    "\n"
    "Usage:  post-to-pdf-post [options] <model-file> <posteriors-rspecifier> "
    "<posteriors-wspecifier>\n"
    "e.g.: post-to-pdf-post 1.mdl ark:- ark:-\n";

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);

    sk_trans_model *tm;
    if (sk_trans_model_read_file(sk_opts_arg(po, 1), &tm) < 0)
        sk_fatal_exit();
    sk_seq_reader *reader = sk_seq_open(sk_opts_arg(po, 2), &sk_holder_post);
    sk_writer *writer = sk_writer_open(sk_opts_arg(po, 3), &sk_holder_post);
    if (!reader || !writer)
        sk_fatal_exit();

    int32_t num_done = 0;
    sk_post pdf_post = { 0 };
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_post *post = sk_seq_value(reader);
        if (!post)
            SK_FATAL("Failed to read posteriors for utterance %s", key);
        if (sk_post_to_pdf_post(tm, post, &pdf_post, key) < 0 ||
            sk_writer_write(writer, key, &pdf_post) < 0)
            sk_fatal_exit();
        num_done++;
    }
    if (sk_seq_close(reader) < 0 || sk_writer_close(writer) < 0)
        sk_fatal_exit();
    SK_LOG("Done converting posteriors to pdf-level posteriors for %d utterances.", (int)num_done);
    sk_post_release(&pdf_post);
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return 0;
}
