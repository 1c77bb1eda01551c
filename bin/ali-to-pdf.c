/* ali-to-pdf — map transition-ids in alignments to (0-based) pdf-ids. */
#include "base/log.h"
#include "base/opts.h"
#include "hmm/align.h"
#include "hmm/transition.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Map the transition-ids of alignments to their (zero-based) pdf-ids.\n"
    "Usage:  ali-to-pdf  [options] <model> <alignments-rspecifier> <pdfs-wspecifier>\n"
    "e.g.: \n"
    " ali-to-pdf 1.mdl ark:1.ali ark,t:-\n";

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    const char *model_rx = sk_opts_arg(po, 1), *ali_rspec = sk_opts_arg(po, 2),
               *pdf_wspec = sk_opts_arg(po, 3);

    sk_trans_model *tm;
    if (sk_trans_model_read_file(model_rx, &tm) < 0)
        sk_fatal_exit();
    sk_seq_reader *reader = sk_seq_open(ali_rspec, &sk_holder_int32_vec);
    sk_writer *writer = sk_writer_open(pdf_wspec, &sk_holder_int32_vec);
    if (!reader || !writer)
        sk_fatal_exit();

    int32_t num_done = 0;
    sk_int32_vec pdfs = { 0 };
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_int32_vec *ali = sk_seq_value(reader);
        if (!ali)
            SK_FATAL("Failed to read alignment for utterance %s", key);
        if (sk_ali_check(tm, ali->data, ali->n, key) < 0 || sk_int32_vec_resize(&pdfs, ali->n) < 0)
            sk_fatal_exit();
        for (int32_t i = 0; i < ali->n; i++)
            pdfs.data[i] = sk_tm_tid2pdf(tm, ali->data[i]);
        if (sk_writer_write(writer, key, &pdfs) < 0)
            sk_fatal_exit();
        num_done++;
    }
    if (sk_seq_close(reader) < 0 || sk_writer_close(writer) < 0)
        sk_fatal_exit();
    SK_LOG("Converted %d alignments to pdf sequences.", (int)num_done);
    sk_int32_vec_release(&pdfs);
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return 0;
}
