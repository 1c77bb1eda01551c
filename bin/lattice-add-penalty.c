/* lattice-add-penalty — add a word insertion penalty to compact lattices, as Kaldi's tool. */
#include "base/log.h"
#include "base/opts.h"
#include "io/table.h"
#include "lat/lattice.h"

static const char usage[] =
    "Add a cost to every word arc of the lattices (a word insertion penalty, in the\n"
    "graph/LM part of the weight; natural-log units).\n"
    "\n"
    "Usage: lattice-add-penalty [options] <lattice-rspecifier> <lattice-wspecifier>\n"
    " e.g.: lattice-add-penalty --word-ins-penalty=1.0 ark:- ark:-\n";

static int add_penalty(const char *key, void *lat, const void **out, void *ctx)
{
    (void)key;
    (void)out;
    sk_clat_add_word_ins_pen(lat, *(const float *)ctx);
    return 1;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float word_ins_penalty = 0.0f;
    sk_opts_float(po, "word-ins-penalty", &word_ins_penalty, "Cost added per word");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *rspec = sk_opts_arg(po, 1), *wspec = sk_opts_arg(po, 2);

    int n_done;
    if (sk_lat_table_map(rspec, wspec, &sk_holder_clat, add_penalty, &word_ins_penalty,
                         &n_done) < 0)
        sk_fatal_exit();
    SK_LOG("Done adding word insertion penalty to %d lattices.", n_done);
    sk_opts_free(po);
    return 0;
}
