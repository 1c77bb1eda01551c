/* lattice-best-path — best path of each compact lattice: words and transition-id alignment, as
 * Kaldi's tool (spec/hmm-and-decoding.md §5.1). */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "hmm/symtab.h"
#include "io/holders.h"
#include "io/table.h"
#include "lat/lattice.h"

static const char usage[] =
    "Find the best path of each lattice and write its words and its alignment.\n"
    "(lattice-1best keeps the path as a lattice; piped into nbest-to-linear it also gives\n"
    "the path's costs.)\n"
    "Usage: lattice-best-path [options]  <lattice-rspecifier> [ <transcriptions-wspecifier> "
    "[ <alignments-wspecifier>] ]\n"
    " e.g.: lattice-best-path --acoustic-scale=0.1 ark:1.lats 'ark,t:|int2sym.pl -f 2- "
    "words.txt > text' ark:1.ali\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float acoustic_scale = 1.0f, lm_scale = 1.0f;
    const char *word_syms_fn = "";
    sk_opts_float(po, "acoustic-scale", &acoustic_scale,
                  "Multiplier on the acoustic log-likelihoods");
    sk_opts_float(po, "lm-scale", &lm_scale,
                  "Multiplier on the graph costs (only its ratio to --acoustic-scale matters).");
    sk_opts_string(po, "word-symbol-table", &word_syms_fn,
                   "Word symbol table, to log the recognised words");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) < 1 || sk_opts_num_args(po) > 3)
        sk_opts_usage_exit(po);
    const char *rspec = sk_opts_arg(po, 1), *words_wspec = sk_opts_arg_or_empty(po, 2),
               *ali_wspec = sk_opts_arg_or_empty(po, 3);

    sk_seq_reader *r = sk_seq_open(rspec, &sk_holder_clat);
    if (!r)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(rspec));
    sk_writer *ww = NULL, *aw = NULL;
    if (*words_wspec && !(ww = sk_writer_open(words_wspec, &sk_holder_int32_vec)))
        SK_FATAL("Failed to open table for writing: %s", sk_escape(words_wspec));
    if (*ali_wspec && !(aw = sk_writer_open(ali_wspec, &sk_holder_int32_vec)))
        SK_FATAL("Failed to open table for writing: %s", sk_escape(ali_wspec));
    sk_symtab *word_syms = NULL;
    if (*word_syms_fn && !(word_syms = sk_symtab_read(word_syms_fn)))
        SK_FATAL("Could not read symbol table from file %s", word_syms_fn);

    int n_done = 0, n_fail = 0;
    int64_t n_frame = 0;
    float tot_g = 0.0f, tot_a = 0.0f;
    sk_clat best;
    sk_lat lin;
    sk_clat_init(&best);
    sk_lat_init(&lin);
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const char *key = sk_seq_key(r);
        sk_clat *clat = sk_seq_value(r);
        if (!clat)
            SK_FATAL("Failed to read lattice for key %s", key);
        sk_clat_scale(clat, lm_scale, 0.0, 0.0, acoustic_scale);
        int32_t *ali = NULL, *words = NULL, nali = 0, nwords = 0;
        sk_lw w;
        if (sk_clat_shortest_path(clat, &best) < 0 || sk_clat_to_lat(&best, &lin) < 0 ||
            lin.start < 0 || sk_lat_linear(&lin, &ali, &nali, &words, &nwords, &w) < 0) {
            SK_WARN("Best-path failed for key %s", key);
            n_fail++;
            continue;
        }
        SK_LOG("For utterance %s, best cost %g + %g = %g over %d frames.", key, (double)w.g,
               (double)w.a, (double)(w.g + w.a), nali);
        sk_int32_vec wv = { words, nwords }, av = { ali, nali };
        if ((ww && sk_writer_write(ww, key, &wv) < 0) || (aw && sk_writer_write(aw, key, &av) < 0))
            SK_FATAL("Failed to write the best path for key %s", key);
        if (word_syms) {
            fprintf(stderr, "%s ", key);
            for (int32_t i = 0; i < nwords; i++) {
                const char *s = sk_symtab_find(word_syms, words[i]);
                if (!s)
                    SK_FATAL("Word-id %d not in symbol table.", words[i]);
                fprintf(stderr, "%s ", s);
            }
            fputc('\n', stderr);
        }
        n_done++;
        n_frame += nali;
        tot_g += w.g;
        tot_a += w.a;
        free(ali);
        free(words);
    }
    float tot = tot_g + tot_a;
    SK_LOG("Overall cost per frame is %g = %g [graph] + %g [acoustic] over %lld frames.",
           (double)(tot / (float)n_frame), (double)(tot_g / (float)n_frame),
           (double)(tot_a / (float)n_frame), (long long)n_frame);
    SK_LOG("Done %d lattices, failed for %d", n_done, n_fail);
    int st = sk_seq_close(r) < 0;
    if (ww)
        st |= sk_writer_close(ww) < 0;
    if (aw)
        st |= sk_writer_close(aw) < 0;
    if (st)
        SK_FATAL("Error closing the tables");
    sk_clat_release(&best);
    sk_lat_release(&lin);
    sk_symtab_free(word_syms);
    sk_opts_free(po);
    return n_done != 0 ? 0 : 1;
}
