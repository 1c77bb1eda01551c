/* align.h — alignments (per-frame transition-ids) read against a TransitionModel
 * (spec/hmm-and-decoding.md §2.3): validity checks and splitting into phones as Kaldi's
 * SplitToPhones does, for reordered (forward transition first, then self-loops) and
 * non-reordered alignments.
 *
 *     int32_t *ends = NULL, nseg;
 *     if (sk_ali_split_to_phones(tm, ali, n, key, &ends, &nseg) < 0) ...;  // ERROR printed
 *     for (k = 0, start = 0; k < nseg; start = ends[k++])
 *         phone = sk_tm_tid2phone(tm, ali[start]);        // frames [start, ends[k])
 *     free(ends);
 *
 * Ownership: *ends is malloc'ed by the callee, freed by the caller (NULL when nseg == 0).
 */
#ifndef SK_HMM_ALIGN_H
#define SK_HMM_ALIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "hmm/transition.h"

/* 0 if every element is a valid transition-id; else ERROR naming key, frame and value, and
 * SK_EIO. */
int sk_ali_check(const sk_trans_model *tm, const int32_t *ali, int32_t n, const char *key);

/* Kaldi's IsReordered decision (ali must be valid). Returns 1 (reordered), 0 (not), or SK_EIO
 * (ERROR printed) for two adjacent self-loops of different transition-states. */
int sk_ali_is_reordered(const sk_trans_model *tm, const int32_t *ali, int32_t n, const char *key);

/* Split into phone segments: *ends[k] is one past the last frame of segment k. Validates the
 * alignment first. *ok (may be NULL) is Kaldi's "was ok" flag (false when a phone ended
 * without its final transition). Returns 0 or SK_EIO (ERROR printed). */
int sk_ali_split_to_phones(const sk_trans_model *tm, const int32_t *ali, int32_t n,
                           const char *key, int32_t **ends, int32_t *nseg, bool *ok);

#endif
