/* lattice-scale — scale the graph and acoustic costs of compact lattices, as Kaldi's tool. */
#include "base/log.h"
#include "base/opts.h"
#include "io/table.h"
#include "lat/lattice.h"

static const char usage[] =
    "Scale the graph and acoustic parts of lattice weights.\n"
    "Usage: lattice-scale [options] lattice-rspecifier lattice-wspecifier\n"
    " e.g.: lattice-scale --lm-scale=0.0 ark:1.lats ark:scaled.lats\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float acoustic_scale = 1.0f, inv_acoustic_scale = 1.0f, lm_scale = 1.0f,
          acoustic2lm_scale = 0.0f, lm2acoustic_scale = 0.0f;
    bool write_compact = true;
    sk_opts_bool(po, "write-compact", &write_compact,
                 "Write compact lattices (false: raw lattices).");
    sk_opts_float(po, "acoustic-scale", &acoustic_scale,
                  "Multiplier on the acoustic log-likelihoods");
    sk_opts_float(po, "inv-acoustic-scale", &inv_acoustic_scale,
                  "The acoustic scale given as its reciprocal.");
    sk_opts_float(po, "lm-scale", &lm_scale, "Multiplier on the graph costs");
    sk_opts_float(po, "acoustic2lm-scale", &acoustic2lm_scale,
                  "Add this multiple of each arc's original acoustic cost to its LM cost");
    sk_opts_float(po, "lm2acoustic-scale", &lm2acoustic_scale,
                  "Add this multiple of each arc's original LM cost to its acoustic cost");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    if (!write_compact)
        SK_FATAL("--write-compact=false is not supported by skald's lattice-scale");
    const char *rspec = sk_opts_arg(po, 1), *wspec = sk_opts_arg(po, 2);
    if (inv_acoustic_scale == 0.0f)
        SK_FATAL("Do not use --inv-acoustic-scale=0.");
    if (inv_acoustic_scale != 1.0f)
        acoustic_scale = (float)(1.0 / inv_acoustic_scale);

    sk_seq_reader *r = sk_seq_open(rspec, &sk_holder_clat);
    if (!r)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(rspec));
    sk_writer *w = sk_writer_open(wspec, &sk_holder_clat);
    if (!w)
        SK_FATAL("Failed to open table for writing: %s", sk_escape(wspec));
    int n_done = 0;
    for (; !sk_seq_done(r); sk_seq_next(r), n_done++) {
        const char *key = sk_seq_key(r);
        sk_clat *lat = sk_seq_value(r);
        if (!lat)
            SK_FATAL("Failed to read lattice for key %s", key);
        sk_clat_scale(lat, lm_scale, acoustic2lm_scale, lm2acoustic_scale, acoustic_scale);
        if (sk_writer_write(w, key, lat) < 0)
            SK_FATAL("Failed to write lattice for key %s", key);
    }
    if (sk_seq_close(r) < 0)
        SK_FATAL("Error reading %s", sk_escape(rspec));
    if (sk_writer_close(w) < 0)
        SK_FATAL("Error closing %s", sk_escape(wspec));
    SK_LOG("Done %d lattices.", n_done);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
