/* lattice-1best — the best path of each compact lattice, written as a (linear) compact
 * lattice with its original weights, as Kaldi's tool. */
#include "base/log.h"
#include "base/opts.h"
#include "io/table.h"
#include "lat/lattice.h"

static const char usage[] =
    "Reduce each lattice to its best path, written as a (linear) compact lattice under\n"
    "the same key. lattice-best-path writes the same path as word and alignment vectors.\n"
    "\n"
    "Usage: lattice-1best [options] <lattice-rspecifier> <lattice-wspecifier>\n"
    " e.g.: lattice-1best --acoustic-scale=0.1 ark:1.lats ark:1best.lats\n";

typedef struct {
    float acoustic_scale, lm_scale, word_ins_penalty;
    int n_err;
    sk_clat best;
} one_best;

static int best_path(const char *key, void *lat, const void **out, void *ctx)
{
    one_best *b = ctx;
    sk_clat *clat = lat;
    sk_clat_scale(clat, b->lm_scale, 0.0, 0.0, b->acoustic_scale);
    if (b->word_ins_penalty > 0.0f)
        sk_clat_add_word_ins_pen(clat, b->word_ins_penalty);
    if (sk_clat_shortest_path(clat, &b->best) < 0 || b->best.start < 0) {
        SK_WARN("Possibly empty lattice for utterance-id %s(no output)", key);
        b->n_err++;
        return 0;
    }
    if (b->word_ins_penalty > 0.0f)
        sk_clat_add_word_ins_pen(&b->best, -b->word_ins_penalty);
    sk_clat_scale(&b->best, 1.0 / b->lm_scale, 0.0, 0.0, 1.0 / b->acoustic_scale);
    *out = &b->best;
    return 1;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float acoustic_scale = 1.0f, lm_scale = 1.0f, word_ins_penalty = 0.0f;
    sk_opts_float(po, "acoustic-scale", &acoustic_scale,
                  "Multiplier on the acoustic log-likelihoods");
    sk_opts_float(po, "lm-scale", &lm_scale, "Multiplier on the graph (language model) costs.");
    sk_opts_float(po, "word-ins-penalty", &word_ins_penalty,
                  "Cost added per word when finding the best path.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *rspec = sk_opts_arg(po, 1), *wspec = sk_opts_arg(po, 2);
    if (acoustic_scale == 0.0f || lm_scale == 0.0f)
        SK_FATAL("Do not use exactly zero acoustic or LM scale (cannot be inverted)");

    one_best ob = { acoustic_scale, lm_scale, word_ins_penalty, 0, { 0 } };
    sk_clat_init(&ob.best);
    int n_done;
    if (sk_lat_table_map(rspec, wspec, &sk_holder_clat, best_path, &ob, &n_done) < 0)
        sk_fatal_exit();
    sk_clat_release(&ob.best);
    int n_err = ob.n_err;
    SK_LOG("Done converting %d to best path, %d had errors.", n_done, n_err);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
