/* lattice-scale — scale the graph and acoustic costs of compact lattices, as Kaldi's tool. */
#include "base/log.h"
#include "base/opts.h"
#include "io/table.h"
#include "lat/lattice.h"

static const char usage[] =
    "Scale the graph and acoustic parts of lattice weights.\n"
    "Usage: lattice-scale [options] lattice-rspecifier lattice-wspecifier\n"
    " e.g.: lattice-scale --lm-scale=0.0 ark:1.lats ark:scaled.lats\n";

typedef struct { float lm, ac2lm, lm2ac, ac; } scales;

static int scale(const char *key, void *lat, const void **out, void *ctx)
{
    (void)key;
    (void)out;
    const scales *s = ctx;
    sk_clat_scale(lat, s->lm, s->ac2lm, s->lm2ac, s->ac);
    return 1;
}

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

    scales sc = { lm_scale, acoustic2lm_scale, lm2acoustic_scale, acoustic_scale };
    int n_done;
    if (sk_lat_table_map(rspec, wspec, &sk_holder_clat, scale, &sc, &n_done) < 0)
        sk_fatal_exit();
    SK_LOG("Done %d lattices.", n_done);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
