/* wer.h — word error counting as Kaldi's compute-wer does it (spec/hmm-and-decoding.md §6).
 *
 * sk_edit_distance aligns a hypothesis to a reference (words compared as strings) and splits
 * the errors into insertions, deletions and substitutions with Kaldi's tie-breaking (its
 * banded Levenshtein search: the band doubles until the cost fits), so that the ins/del/sub
 * counts printed by compute-wer agree exactly.
 *
 *     sk_wer_stats w; sk_wer_stats_init(&w);
 *     sk_wer_add(&w, ref, nref, hyp, nhyp);        // one sentence
 *     sk_wer_print(stdout, &w);                     // the three lines compute-wer prints
 *
 * No allocation is handed to the caller.
 */
#ifndef SK_LAT_WER_H
#define SK_LAT_WER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Returns the edit distance (ins + del + sub); -1 on out of memory (ERROR printed). */
int32_t sk_edit_distance(const char *const *ref, int32_t nref, const char *const *hyp,
                         int32_t nhyp, int32_t *ins, int32_t *del, int32_t *sub);

typedef struct {
    int32_t num_words, word_errs, ins, del, sub;
    int32_t num_sent, sent_errs, num_absent;
} sk_wer_stats;

void sk_wer_stats_init(sk_wer_stats *w);
/* Score one sentence (hyp may be empty). Returns 0 or -1 (out of memory). */
int sk_wer_add(sk_wer_stats *w, const char *const *ref, int32_t nref, const char *const *hyp,
               int32_t nhyp);
/* "%WER ...", "%SER ...", "Scored ..." exactly as Kaldi prints them. */
void sk_wer_print(FILE *f, const sk_wer_stats *w);

/* Word-by-word alignment of a against b (align-text): the pairs (a word or NULL, b word or
 * NULL) of one minimal Levenshtein path, first to last. Ties are broken as Kaldi's traceback
 * from the end does: a match/substitution first, then a deletion (a word against nothing),
 * then an insertion. *pairs is malloc'ed (2 * *n pointers into a and b; caller frees);
 * returns the edit distance, or -1 on out of memory (ERROR printed). */
int32_t sk_levenshtein_align(const char *const *a, int32_t na, const char *const *b, int32_t nb,
                             const char ***pairs, int32_t *n);

/* Bootstrap of the WER over utterances (compute-wer-bootci, Bisani and Ney): `replications`
 * resamplings of the n (errors, words) pairs, with glibc rand() as Kaldi's RandInt uses it.
 * *mean and *interval (1.96 standard deviations) are fractions. Kaldi's own loops run one
 * replication and one sample too many and may read one element past the end (undefined);
 * here each replication draws exactly n utterances out of the n. */
void sk_wer_bootstrap(const int32_t *errs, const int32_t *words, int32_t n, int32_t replications,
                      float *mean, float *interval);
/* Fraction of replications in which set 2 has fewer errors than set 1. */
float sk_wer_bootstrap_improvement(const int32_t *errs1, const int32_t *errs2, int32_t n,
                                   int32_t replications);

#endif
