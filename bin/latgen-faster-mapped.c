/* latgen-faster-mapped — decode with precomputed log-likelihoods and write word lattices, as
 * Kaldi's tool (spec/hmm-and-decoding.md §4.3; steps/nnet/decode.sh runs it). */
#include "base/log.h"
#include "base/opts.h"
#include "fst/decoder.h"
#include "fst/mapped.h"
#include "io/holders.h"
#include "io/table.h"
#include "lat/latgen-mapped.h"
#include "lat/latgen.h"
#include "lat/lattice.h"

static const char usage[] =
    "Decode precomputed log-likelihood matrices into lattices (the model file supplies\n"
    " only the transition-id mappings).\n"
    "Usage: latgen-faster-mapped [options] trans-model-in (fst-in|fsts-rspecifier) "
    "loglikes-rspecifier lattice-wspecifier [ words-wspecifier [alignments-wspecifier] ]\n"
    " e.g.: latgen-faster-mapped --acoustic-scale=0.1 final.mdl HCLG.fst ark:loglikes.ark "
    "'ark:|gzip -c > lat.1.gz'\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float acoustic_scale = 0.1f;
    bool allow_partial = false;
    const char *word_syms_fn = "";
    int32_t pool_tokens = 0, pool_links = 0;
    sk_latgen_opts lo;
    sk_latgen_opts_default(&lo);
    sk_latgen_opts_register(po, &lo);
    sk_opts_float(po, "acoustic-scale", &acoustic_scale,
                  "Multiplier on the acoustic log-likelihoods");
    sk_opts_string(po, "word-symbol-table", &word_syms_fn,
                   "Word symbol table, to log the recognised words");
    sk_opts_bool(po, "allow-partial", &allow_partial,
                 "Write a result even if no final state was active at the end.");
    sk_opts_int(po, "memory-pool-tokens-block-size", &pool_tokens,
                "Memory pool block size suggestion for storing tokens (accepted; unused)");
    sk_opts_int(po, "memory-pool-links-block-size", &pool_links,
                "Memory pool block size suggestion for storing links (accepted; unused)");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) < 4 || sk_opts_num_args(po) > 6)
        sk_opts_usage_exit(po);
    const char *model_fn = sk_opts_arg(po, 1), *fst_fn = sk_opts_arg(po, 2),
               *loglikes_rspec = sk_opts_arg(po, 3), *lat_wspec = sk_opts_arg(po, 4),
               *words_wspec = sk_opts_arg_or_empty(po, 5), *ali_wspec = sk_opts_arg_or_empty(po, 6);
    if (sk_latgen_opts_check(&lo) < 0)
        SK_FATAL("Invalid decoder options (Kaldi would abort here)");
    if (sk_classify_rspecifier(fst_fn, NULL) != SK_SPEC_NONE)
        SK_FATAL("A table of FSTs (%s) is not supported by skald's latgen-faster-mapped; give "
                 "one graph file", fst_fn);

    sk_mapped mp;
    if (sk_mapped_open(&mp, model_fn, loglikes_rspec, word_syms_fn, acoustic_scale) < 0)
        sk_fatal_exit();
    sk_writer *lat_w =
        sk_writer_open(lat_wspec, lo.determinize ? &sk_holder_clat : &sk_holder_lat);
    if (!lat_w)
        SK_FATAL("Could not open table for writing lattices: %s", lat_wspec);
    if (sk_mapped_open_paths(&mp, words_wspec, ali_wspec) < 0 ||
        sk_mapped_read_graph(&mp, fst_fn) < 0)
        sk_fatal_exit();
    sk_latgen *dec = sk_latgen_new(mp.graph, &lo);
    if (!dec)
        SK_FATAL("Out of memory");

    double t0 = sk_mapped_clock();
    sk_latgen_totals tot = { 0 };
    sk_latgen_result res;
    sk_latgen_result_init(&res);
    for (; !sk_seq_done(mp.loglikes); sk_seq_next(mp.loglikes)) {
        const char *utt = sk_seq_key(mp.loglikes);
        int32_t rows;
        int got = sk_mapped_next(&mp, &rows);
        if (got < 0)
            sk_fatal_exit();
        if (got == 0) {
            tot.num_fail++;
            continue;
        }
        sk_latgen_run(dec, &mp.ac, &lo, allow_partial, &res);
        if (sk_latgen_emit(&mp, lat_w, &lo, utt, rows, &res, &tot) < 0)
            sk_fatal_exit();
    }
    sk_latgen_log_totals(&tot, sk_mapped_clock() - t0, 0);
    int st = sk_mapped_close(&mp) < 0;
    st |= sk_writer_close(lat_w) < 0;
    if (st)
        SK_FATAL("Error closing the tables");
    sk_latgen_result_release(&res);
    sk_latgen_free(dec);
    sk_opts_free(po);
    return tot.num_success != 0 ? 0 : 1;
}
