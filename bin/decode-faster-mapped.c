/* decode-faster-mapped — Viterbi beam search over a decoding graph with precomputed
 * log-likelihoods (nnet outputs), as Kaldi's tool (spec/hmm-and-decoding.md §4.2). */
#include "base/log.h"
#include "base/opts.h"
#include "fst/decoder.h"
#include "fst/mapped.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Viterbi beam search through a decoding graph, scoring its input labels\n"
    "(transition-ids) with precomputed log-likelihood matrices.\n"
    "\n"
    "Usage:   decode-faster-mapped [options] <model-in> <fst-in> <loglikes-rspecifier> "
    "<words-wspecifier> [<alignments-wspecifier>]\n"
    "e.g.: decode-faster-mapped --acoustic-scale=0.1 final.mdl HCLG.fst ark:loglikes.ark "
    "ark,t:words.txt ark:ali.ark\n";

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

    sk_mapped mp;
    if (sk_mapped_open(&mp, model_fn, loglikes_rspec, word_syms_fn, acoustic_scale) < 0)
        sk_fatal_exit();
    if (sk_mapped_open_paths(&mp, words_wspec, ali_wspec) < 0 ||
        sk_mapped_read_graph(&mp, fst_fn) < 0)
        sk_fatal_exit();
    sk_faster_decoder *dec = sk_faster_decoder_new(mp.graph, &dopts);
    if (!dec)
        SK_FATAL("Out of memory");

    double t0 = sk_mapped_clock(), tot_like = 0.0;
    int64_t frame_count = 0;
    int num_success = 0, num_fail = 0;
    sk_best_path bp;
    sk_best_path_init(&bp);
    for (; !sk_seq_done(mp.loglikes); sk_seq_next(mp.loglikes)) {
        const char *key = sk_seq_key(mp.loglikes);
        int32_t rows;
        int got = sk_mapped_next(&mp, &rows);
        if (got < 0)
            sk_fatal_exit();
        if (got == 0) {
            num_fail++;
            continue;
        }
        if (sk_faster_decode(dec, &mp.ac) < 0)
            SK_FATAL("Decoding failed for utterance %s", key);
        bool final = sk_faster_reached_final(dec);
        if ((allow_partial || final) && sk_faster_best_path(dec, true, &bp)) {
            if (!final)
                SK_WARN("Decoder did not reach end-state, outputting partial traceback.");
            frame_count += rows;
            if (sk_mapped_write_path(&mp, key, &bp) < 0 ||
                sk_mapped_echo_words(&mp, key, bp.words, bp.num_words) < 0)
                sk_fatal_exit();
            float like = -bp.graph_cost - bp.ac_cost;
            tot_like += like;
            SK_LOG("Log-like per frame for utterance %s is %g over %d frames.", key,
                   (double)(like / (float)rows), rows);
            num_success++;
        } else {
            num_fail++;
            SK_WARN("Did not successfully decode utterance %s, len = %d", key, rows);
        }
    }
    double elapsed = sk_mapped_clock() - t0;
    SK_LOG("Time taken [excluding initialization] %gs: real-time factor assuming 100 "
           "frames/sec is %g", elapsed, elapsed * 100.0 / (double)frame_count);
    SK_LOG("Done %d utterances, failed for %d", num_success, num_fail);
    SK_LOG("Overall log-likelihood per frame is %g over %lld frames.",
           tot_like / (double)frame_count, (long long)frame_count);
    if (sk_mapped_close(&mp) < 0)
        SK_FATAL("Error closing the tables");
    sk_best_path_release(&bp);
    sk_faster_decoder_free(dec);
    sk_opts_free(po);
    return num_success != 0 ? 0 : 1;
}
