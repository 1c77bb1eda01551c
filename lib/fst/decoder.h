/* decoder.h — token-passing Viterbi beam search over a decoding graph (HCLG), Kaldi's
 * FasterDecoder (spec/hmm-and-decoding.md §4.2), with the "mapped" acoustic scores of §4.1.
 *
 * Input labels of the graph are transition-ids (0 = epsilon); the acoustic cost of
 * transition-id t at frame f is -(acoustic_scale * loglikes[f][tid2pdf[t]]).
 *
 *     sk_faster_opts o; sk_faster_opts_default(&o);
 *     sk_faster_opts_register(po, &o);  ... sk_opts_parse(po);
 *     if (sk_faster_opts_check(&o) < 0) SK_FATAL(...);
 *     sk_faster_decoder *d = sk_faster_decoder_new(hclg, &o);     // borrows hclg
 *     sk_decodable ac = { rows, num_frames, num_cols, stride, tid2pdf, num_tids, 0.1f };
 *     if (sk_faster_decode(d, &ac) < 0) ...;                      // bad input: ERROR printed
 *     sk_best_path bp; sk_best_path_init(&bp);
 *     if (sk_faster_best_path(d, true, &bp)) { ... bp.words, bp.alignment ... }
 *     sk_best_path_release(&bp);
 *     sk_faster_decoder_free(d);
 *
 * Token order, cutoffs and tie-breaking follow Kaldi exactly for graphs of fewer than 1000
 * states (Kaldi's hash buckets then never collide); larger graphs keep plain creation order.
 *
 * Ownership: the decoder borrows the graph (it must outlive the decoder) and owns its tokens;
 * sk_best_path arrays are malloc'ed and freed by sk_best_path_release.
 */
#ifndef SK_FST_DECODER_H
#define SK_FST_DECODER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/opts.h"
#include "fst/fst.h"
#include "hmm/transition.h"

typedef struct {
    float beam;          /* --beam (16.0) */
    int32_t max_active;  /* --max-active (2147483647) */
    int32_t min_active;  /* --min-active (20) */
    float beam_delta;    /* --beam-delta (0.5) */
    float hash_ratio;    /* --hash-ratio (2.0) */
} sk_faster_opts;

void sk_faster_opts_default(sk_faster_opts *o);
void sk_faster_opts_register(sk_opts *po, sk_faster_opts *o);
/* Kaldi asserts max_active > 1 and 0 <= min_active < max_active; we print an ERROR and
 * return SK_EINVAL instead. */
int sk_faster_opts_check(const sk_faster_opts *o);

/* Scaled, mapped acoustic log-likelihoods: borrowed, not copied. */
typedef struct {
    const float *loglikes;     /* row f at loglikes + f * stride */
    int32_t num_frames, num_cols, stride;
    const int32_t *tid2pdf;    /* [num_tids + 1], entry 0 unused */
    int32_t num_tids;
    float acoustic_scale;
} sk_decodable;

/* The transition-id -> pdf table of a model: [num_tids + 1] (entry 0 = 0), malloc'ed, the
 * caller frees; NULL on out of memory. */
int32_t *sk_tid2pdf_table(const sk_trans_model *tm);

/* Check that every input label of the graph is a transition-id of the model (<= num_tids)
 * and every pdf is a column of the matrix. Returns 0 or SK_EINVAL (ERROR printed). */
int sk_decodable_check(const sk_decodable *ac, const sk_fst *graph);

/* A linear path: the best path's labels and its costs. */
typedef struct {
    int32_t *alignment;  /* non-zero input labels (one per frame) */
    int32_t num_ali;
    int32_t *words;      /* non-zero output labels */
    int32_t num_words;
    float graph_cost;    /* including the final weight when final was used */
    float ac_cost;       /* scaled acoustic cost */
} sk_best_path;

void sk_best_path_init(sk_best_path *bp);
void sk_best_path_release(sk_best_path *bp);

typedef struct sk_faster_decoder sk_faster_decoder;

sk_faster_decoder *sk_faster_decoder_new(const sk_fst *graph, const sk_faster_opts *o);
void sk_faster_decoder_free(sk_faster_decoder *d);
/* Decode all frames. Returns 0, or SK_EINVAL when the graph has no start state. */
int sk_faster_decode(sk_faster_decoder *d, const sk_decodable *ac);
/* Any surviving token in a final state? */
bool sk_faster_reached_final(const sk_faster_decoder *d);
/* Best path (through a final state when one is reached, else the best token). use_final:
 * add the final weight to the graph cost. Returns false when no token survives. */
bool sk_faster_best_path(const sk_faster_decoder *d, bool use_final, sk_best_path *bp);
/* Number of frames decoded in the last call. */
int32_t sk_faster_num_frames(const sk_faster_decoder *d);

#endif
