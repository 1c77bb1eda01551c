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
    sk_latgen_mapped_opts mo;
    sk_latgen_mapped_opts_register(po, &mo);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) < 4 || sk_opts_num_args(po) > 6)
        sk_opts_usage_exit(po);
    const char *model_fn = sk_opts_arg(po, 1), *fst_fn = sk_opts_arg(po, 2),
               *loglikes_rspec = sk_opts_arg(po, 3), *lat_wspec = sk_opts_arg(po, 4),
               *words_wspec = sk_opts_arg_or_empty(po, 5), *ali_wspec = sk_opts_arg_or_empty(po, 6);
    sk_mapped mp;
    sk_writer *lat_w;
    if (sk_latgen_mapped_open(&mp, &lat_w, &mo, "latgen-faster-mapped", model_fn, fst_fn,
                              loglikes_rspec, lat_wspec, words_wspec, ali_wspec) < 0)
        sk_fatal_exit();
    sk_latgen *dec = sk_latgen_new(mp.graph, &mo.lo);
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
        sk_latgen_run(dec, &mp.ac, &mo.lo, mo.allow_partial, &res);
        if (sk_latgen_emit(&mp, lat_w, &mo.lo, utt, rows, &res, &tot) < 0)
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
