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

    sk_seq_reader *r = sk_seq_open(rspec, write_compact ? &sk_holder_clat : &sk_holder_lat);
    if (!r)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(rspec));
    sk_writer *w = sk_writer_open(wspec, write_compact ? &sk_holder_clat : &sk_holder_lat);
    if (!w)
        SK_FATAL("Failed to open table for writing: %s", sk_escape(wspec));
    int n_done = 0;
    for (; !sk_seq_done(r); sk_seq_next(r), n_done++) {
        const char *key = sk_seq_key(r);
        void *lat = sk_seq_value(r);
        if (!lat)
            SK_FATAL("Failed to read lattice for key %s", key);
        if (sk_writer_write(w, key, lat) < 0)
            SK_FATAL("Failed to write lattice for key %s", key);
    }
    if (sk_seq_close(r) < 0)
        SK_FATAL("Error reading %s", sk_escape(rspec));
    if (sk_writer_close(w) < 0)
        SK_FATAL("Error closing %s", sk_escape(wspec));
    SK_LOG("Done copying %d lattices.", n_done);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
