/* lattice-copy — copy lattices (binary <-> text), as Kaldi's tool (spec/hmm-and-decoding.md §5). */
#include "base/log.h"
#include "base/opts.h"
#include "io/table.h"
#include "lat/lattice.h"

static const char usage[] =
    "Copy lattices: between text and binary, or from compact to raw form.\n"
    "\n"
    "Usage: lattice-copy [options] lattice-rspecifier lattice-wspecifier\n"
    " e.g.: lattice-copy --write-compact=false ark:1.lats ark,t:text.lats\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool write_compact = true;
    sk_opts_bool(po, "write-compact", &write_compact,
                 "Write compact lattices (false: raw lattices).");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *rspec = sk_opts_arg(po, 1), *wspec = sk_opts_arg(po, 2);

    int n_done;
    if (sk_lat_table_map(rspec, wspec, write_compact ? &sk_holder_clat : &sk_holder_lat, NULL,
                         NULL, &n_done) < 0)
        sk_fatal_exit();
    SK_LOG("Done copying %d lattices.", n_done);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
