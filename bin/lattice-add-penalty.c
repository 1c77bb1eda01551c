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

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float word_ins_penalty = 0.0f;
    sk_opts_float(po, "word-ins-penalty", &word_ins_penalty, "Cost added per word");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *rspec = sk_opts_arg(po, 1), *wspec = sk_opts_arg(po, 2);

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
        sk_clat_add_word_ins_pen(lat, word_ins_penalty);
        if (sk_writer_write(w, key, lat) < 0)
            SK_FATAL("Failed to write lattice for key %s", key);
    }
    if (sk_seq_close(r) < 0)
        SK_FATAL("Error reading %s", sk_escape(rspec));
    if (sk_writer_close(w) < 0)
        SK_FATAL("Error closing %s", sk_escape(wspec));
    SK_LOG("Done adding word insertion penalty to %d lattices.", n_done);
    sk_opts_free(po);
    return 0;
}
