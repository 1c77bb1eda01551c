/* nbest-to-linear — turn linear lattices (e.g. from lattice-1best) into alignments, word
 * sequences, LM and acoustic costs, as Kaldi's tool. */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"
#include "lat/lattice.h"

static const char usage[] =
    "Split linear lattices (one path each, e.g. from lattice-1best or an n-best list) into\n"
    "up to four tables: alignment, words, LM cost and acoustic cost (ark:/dev/null\n"
    "discards one).\n"
    "Usage: nbest-to-linear [options] <nbest-rspecifier> <alignments-wspecifier> "
    "[<transcriptions-wspecifier> [<lm-cost-wspecifier> [<ac-cost-wspecifier>]]]\n"
    " e.g.: lattice-to-nbest --n=10 ark:1.lats ark:- | \\\n"
    "   nbest-to-linear ark:1.lats ark,t:1.ali 'ark,t:|int2sym.pl -f 2- words.txt > text'\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) < 2 || sk_opts_num_args(po) > 5)
        sk_opts_usage_exit(po);
    const char *rspec = sk_opts_arg(po, 1);
    const char *wspecs[4];
    for (int i = 0; i < 4; i++)
        wspecs[i] = sk_opts_arg_or_empty(po, i + 2);
    sk_seq_reader *r = sk_seq_open(rspec, &sk_holder_lat);
    if (!r)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(rspec));
    sk_writer *w[4] = { NULL, NULL, NULL, NULL };
    const sk_holder *hs[4] = { &sk_holder_int32_vec, &sk_holder_int32_vec, &sk_holder_float,
                               &sk_holder_float };
    for (int i = 0; i < 4; i++)
        if (*wspecs[i] && !(w[i] = sk_writer_open(wspecs[i], hs[i])))
            SK_FATAL("Failed to open table for writing: %s", sk_escape(wspecs[i]));
    int n_done = 0, n_err = 0;
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const char *key = sk_seq_key(r);
        const sk_lat *lat = sk_seq_value(r);
        if (!lat)
            SK_FATAL("Failed to read lattice for key %s", key);
        int32_t *ali, *words, nali, nwords;
        sk_lw tot;
        if (sk_lat_linear(lat, &ali, &nali, &words, &nwords, &tot) < 0) {
            SK_WARN("Lattice/nbest for key %s had wrong format: note, this program expects "
                    "input with one path, e.g. from lattice-to-nbest.", key);
            n_err++;
            continue;
        }
        sk_int32_vec av = { ali, nali }, wv = { words, nwords };
        if ((w[0] && sk_writer_write(w[0], key, &av) < 0) ||
            (w[1] && sk_writer_write(w[1], key, &wv) < 0) ||
            (w[2] && sk_writer_write(w[2], key, &tot.g) < 0) ||
            (w[3] && sk_writer_write(w[3], key, &tot.a) < 0))
            SK_FATAL("Failed to write the output for key %s", key);
        free(ali);
        free(words);
        n_done++;
    }
    int st = sk_seq_close(r) < 0;
    for (int i = 0; i < 4; i++)
        if (w[i])
            st |= sk_writer_close(w[i]) < 0;
    if (st)
        SK_FATAL("Error closing the tables");
    SK_LOG("Done %d n-best entries, %d had errors.", n_done, n_err);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
