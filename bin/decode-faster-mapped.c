/* decode-faster-mapped — Viterbi beam search over a decoding graph with precomputed
 * log-likelihoods (nnet outputs), as Kaldi's tool (spec/hmm-and-decoding.md §4.2). */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "base/opts.h"
#include "fst/decoder.h"
#include "fst/fst.h"
#include "hmm/symtab.h"
#include "hmm/transition.h"
#include "io/holders.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Viterbi beam search through a decoding graph, scoring its input labels\n"
    "(transition-ids) with precomputed log-likelihood matrices.\n"
    "\n"
    "Usage:   decode-faster-mapped [options] <model-in> <fst-in> <loglikes-rspecifier> "
    "<words-wspecifier> [<alignments-wspecifier>]\n"
    "e.g.: decode-faster-mapped --acoustic-scale=0.1 final.mdl HCLG.fst ark:loglikes.ark "
    "ark,t:words.txt ark:ali.ark\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true, allow_partial = true;
    float acoustic_scale = 0.1f;
    const char *word_syms_fn = "";
    sk_faster_opts dopts;
    sk_faster_opts_default(&dopts);
    sk_faster_opts_register(po, &dopts);
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_float(po, "acoustic-scale", &acoustic_scale,
                  "Multiplier on the acoustic log-likelihoods");
    sk_opts_bool(po, "allow-partial", &allow_partial,
                 "Write a result even if no final state was active at the end");
    sk_opts_string(po, "word-symbol-table", &word_syms_fn,
                   "Word symbol table, to log the recognised words");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) < 4 || sk_opts_num_args(po) > 5)
        sk_opts_usage_exit(po);
    const char *model_fn = sk_opts_arg(po, 1), *fst_fn = sk_opts_arg(po, 2),
               *loglikes_rspec = sk_opts_arg(po, 3), *words_wspec = sk_opts_arg(po, 4),
               *ali_wspec = sk_opts_arg_or_empty(po, 5);
    if (sk_faster_opts_check(&dopts) < 0)
        SK_FATAL("Invalid decoder options (Kaldi would abort here)");

    sk_trans_model *tm;
    if (sk_trans_model_read_file(model_fn, &tm) < 0)
        SK_FATAL("Failed to read transition model from %s", sk_printable_rx(model_fn));
    sk_symtab *word_syms = NULL;
    if (*word_syms_fn && !(word_syms = sk_symtab_read(word_syms_fn)))
        SK_FATAL("Could not read symbol table from file %s", word_syms_fn);
    sk_seq_reader *loglikes = sk_seq_open(loglikes_rspec, &sk_holder_mat);
    if (!loglikes)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(loglikes_rspec));
    sk_writer *words_w = sk_writer_open(words_wspec, &sk_holder_int32_vec);
    if (!words_w)
        SK_FATAL("Failed to open table for writing: %s", sk_escape(words_wspec));
    sk_writer *ali_w = NULL;
    if (*ali_wspec && !(ali_w = sk_writer_open(ali_wspec, &sk_holder_int32_vec)))
        SK_FATAL("Failed to open table for writing: %s", sk_escape(ali_wspec));
    sk_fst *graph;
    if (sk_fst_read_file(fst_fn, &graph) < 0)
        SK_FATAL("Could not read decoding graph from %s", sk_printable_rx(fst_fn));

    int32_t *tid2pdf = sk_tid2pdf_table(tm);
    int32_t num_pdfs = sk_tm_num_pdfs(tm), num_tids = sk_tm_num_transition_ids(tm);
    sk_faster_decoder *dec = sk_faster_decoder_new(graph, &dopts);
    if (!tid2pdf || !dec)
        SK_FATAL("Out of memory");
    sk_decodable ac = { NULL, 0, num_pdfs, num_pdfs, tid2pdf, num_tids, acoustic_scale };
    /* graph labels against the model (Kaldi would read out of bounds on a wrong graph) */
    if (sk_decodable_check(&ac, graph) < 0)
        SK_FATAL("The graph %s does not match the model %s", fst_fn, model_fn);

    double t0 = now(), tot_like = 0.0;
    int64_t frame_count = 0;
    int num_success = 0, num_fail = 0;
    sk_best_path bp;
    sk_best_path_init(&bp);
    for (; !sk_seq_done(loglikes); sk_seq_next(loglikes)) {
        const char *key = sk_seq_key(loglikes);
        const sk_mat *m = sk_seq_value(loglikes);
        if (!m)
            SK_FATAL("Failed to read log-likelihoods for utterance %s", key);
        if (m->rows == 0) {
            SK_WARN("Zero-length utterance: %s", key);
            num_fail++;
            continue;
        }
        if (m->cols != num_pdfs)
            SK_FATAL("DecodableMatrixScaledMapped: mismatch, matrix for utterance %s has %d "
                     "columns but transition-model has %d pdf-ids.", key, m->cols, num_pdfs);
        ac.loglikes = m->data;
        ac.num_frames = m->rows;
        ac.stride = m->stride;
        if (sk_faster_decode(dec, &ac) < 0)
            SK_FATAL("Decoding failed for utterance %s", key);
        bool final = sk_faster_reached_final(dec);
        if ((allow_partial || final) && sk_faster_best_path(dec, true, &bp)) {
            if (!final)
                SK_WARN("Decoder did not reach end-state, outputting partial traceback.");
            frame_count += m->rows;
            sk_int32_vec words = { bp.words, bp.num_words }, ali = { bp.alignment, bp.num_ali };
            if (sk_writer_write(words_w, key, &words) < 0 ||
                (ali_w && sk_writer_write(ali_w, key, &ali) < 0))
                SK_FATAL("Failed to write the output for utterance %s", key);
            if (word_syms) {
                fprintf(stderr, "%s ", key);
                for (int32_t i = 0; i < bp.num_words; i++) {
                    const char *s = sk_symtab_find(word_syms, bp.words[i]);
                    if (!s)
                        SK_FATAL("Word-id %d not in symbol table.", bp.words[i]);
                    fprintf(stderr, "%s ", s);
                }
                fputc('\n', stderr);
            }
            float like = -bp.graph_cost - bp.ac_cost;
            tot_like += like;
            SK_LOG("Log-like per frame for utterance %s is %g over %d frames.", key,
                   (double)(like / (float)m->rows), m->rows);
            num_success++;
        } else {
            num_fail++;
            SK_WARN("Did not successfully decode utterance %s, len = %d", key, m->rows);
        }
    }
    double elapsed = now() - t0;
    SK_LOG("Time taken [excluding initialization] %gs: real-time factor assuming 100 "
           "frames/sec is %g", elapsed, elapsed * 100.0 / (double)frame_count);
    SK_LOG("Done %d utterances, failed for %d", num_success, num_fail);
    SK_LOG("Overall log-likelihood per frame is %g over %lld frames.",
           tot_like / (double)frame_count, (long long)frame_count);
    int st = sk_seq_close(loglikes) < 0;
    st |= sk_writer_close(words_w) < 0;
    if (ali_w)
        st |= sk_writer_close(ali_w) < 0;
    if (st)
        SK_FATAL("Error closing the tables");
    sk_best_path_release(&bp);
    sk_faster_decoder_free(dec);
    sk_fst_free(graph);
    free(tid2pdf);
    sk_symtab_free(word_syms);
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return num_success != 0 ? 0 : 1;
}
