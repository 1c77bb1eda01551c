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

    sk_seq_reader *r = sk_seq_open(rspec, &sk_holder_clat);
    if (!r)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(rspec));
    sk_writer *w = sk_writer_open(wspec, &sk_holder_clat);
    if (!w)
        SK_FATAL("Failed to open table for writing: %s", sk_escape(wspec));
    int n_done = 0, n_err = 0;
    sk_clat best;
    sk_clat_init(&best);
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const char *key = sk_seq_key(r);
        sk_clat *clat = sk_seq_value(r);
        if (!clat)
            SK_FATAL("Failed to read lattice for key %s", key);
        sk_clat_scale(clat, lm_scale, 0.0, 0.0, acoustic_scale);
        if (word_ins_penalty > 0.0f)
            sk_clat_add_word_ins_pen(clat, word_ins_penalty);
        if (sk_clat_shortest_path(clat, &best) < 0 || best.start < 0) {
            SK_WARN("Possibly empty lattice for utterance-id %s(no output)", key);
            n_err++;
            continue;
        }
        if (word_ins_penalty > 0.0f)
            sk_clat_add_word_ins_pen(&best, -word_ins_penalty);
        sk_clat_scale(&best, 1.0 / lm_scale, 0.0, 0.0, 1.0 / acoustic_scale);
        if (sk_writer_write(w, key, &best) < 0)
            SK_FATAL("Failed to write lattice for key %s", key);
        n_done++;
    }
    if (sk_seq_close(r) < 0)
        SK_FATAL("Error reading %s", sk_escape(rspec));
    if (sk_writer_close(w) < 0)
        SK_FATAL("Error closing %s", sk_escape(wspec));
    sk_clat_release(&best);
    SK_LOG("Done converting %d to best path, %d had errors.", n_done, n_err);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
