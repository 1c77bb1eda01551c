/* mapped.h — what decode-faster-mapped and latgen-faster-mapped share: the transition model,
 * the optional word symbol table, the reader of log-likelihood matrices, the graph and the
 * decodable that maps transition-ids to matrix columns; and the per-utterance checks.
 *
 *   sk_mapped m;
 *   if (sk_mapped_open(&m, model, loglikes_rspec, word_syms, acoustic_scale) < 0) exit...
 *   if (sk_mapped_open_paths(&m, words_wspec, ali_wspec) < 0) exit...   // "" = none
 *   ... open the other output tables ...
 *   if (sk_mapped_read_graph(&m, fst) < 0) exit...
 *   for (; !sk_seq_done(m.loglikes); sk_seq_next(m.loglikes)) {
 *       int st = sk_mapped_next(&m, &rows);   // < 0 fatal, 0 skip (WARNING printed), 1 decode m.ac
 *       ...
 *   }
 *   st = sk_mapped_close(&m);                 // < 0: the loglikes table was short or corrupt
 *
 * Functions print Kaldi-style ERROR lines and return < 0; the tool then exits. sk_mapped_close
 * frees everything the struct owns. */
#ifndef SK_FST_MAPPED_H
#define SK_FST_MAPPED_H

#include "fst/decoder.h"
#include "fst/fst.h"
#include "hmm/symtab.h"
#include "hmm/transition.h"
#include "io/table.h"

typedef struct {
    sk_trans_model *tm;
    sk_symtab *word_syms;       /* NULL without a symbol table */
    sk_seq_reader *loglikes;
    sk_fst *graph;
    int32_t *tid2pdf;
    sk_writer *words_w, *ali_w; /* best-path outputs, NULL when not asked for */
    sk_decodable ac;            /* loglikes/num_frames/stride set by sk_mapped_next */
    const char *model_fn;
} sk_mapped;

int sk_mapped_open(sk_mapped *m, const char *model_fn, const char *loglikes_rspec,
                   const char *word_syms_fn, float acoustic_scale);
/* Opens the tables for the best path's words and alignment (an empty wspecifier: none). */
int sk_mapped_open_paths(sk_mapped *m, const char *words_wspec, const char *ali_wspec);
/* Writes the best path to the tables that are open. */
int sk_mapped_write_path(sk_mapped *m, const char *key, const sk_best_path *bp);
/* Reads the graph and checks its labels against the model. */
int sk_mapped_read_graph(sk_mapped *m, const char *fst_fn);
/* The current utterance's matrix into m->ac: 1 to decode, 0 to skip (empty; WARNING
 * printed), < 0 unreadable or wrong width (ERROR printed). *rows: its frame count. */
int sk_mapped_next(sk_mapped *m, int32_t *rows);
/* Kaldi's echo of a decoded word sequence on stderr ("key w1 w2 ... "); < 0 (ERROR) when a
 * word is not in the table. No-op without a table. */
int sk_mapped_echo_words(const sk_mapped *m, const char *key, const int32_t *words, int32_t n);
/* Closes the tables (< 0 when one failed) and frees everything. */
int sk_mapped_close(sk_mapped *m);
/* Seconds on a monotonic clock, for the real-time factor lines. */
double sk_mapped_clock(void);

#endif
