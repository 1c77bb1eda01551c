/* posterior.h — posteriors over transition-ids (sk_post from io/holders.h) turned into
 * pdf-level posteriors and silence-weighted, as Kaldi's hmm/posterior.cc does.
 *
 *     sk_post out = {0};
 *     if (sk_post_to_pdf_post(tm, &in, &out, key) < 0) ...;   // ERROR printed
 *     sk_post_release(&out);
 *
 * Ownership: outputs are filled by the callee (released first) and freed by the caller with
 * sk_post_release. In-place functions modify their argument.
 */
#ifndef SK_HMM_POSTERIOR_H
#define SK_HMM_POSTERIOR_H

#include <stdbool.h>
#include <stdint.h>

#include "hmm/transition.h"
#include "io/holders.h"

/* 0 if every id in post is a valid transition-id, else ERROR (naming key and frame), SK_EIO. */
int sk_post_check_tids(const sk_trans_model *tm, const sk_post *post, const char *key);

/* Kaldi's ConvertPosteriorToPdfs: per frame, weights of transition-ids with the same pdf are
 * summed (float, in input order); zero sums are dropped. The pairs come out in the order in
 * which Kaldi's (libstdc++) unordered_map iterates, so output archives are byte-identical. */
int sk_post_to_pdf_post(const sk_trans_model *tm, const sk_post *in, sk_post *out,
                        const char *key);

/* Kaldi's WeightSilencePost (distribute = false: entries of silence phones are scaled, and
 * dropped when the scale is 0) and WeightSilencePostDistributed (distribute = true: the whole
 * frame is scaled by (sil * scale + nonsil) / (sil + nonsil)). is_silence[phone] for
 * phone < num_flags says which phones are silence. In place; SK_EIO on a bad transition-id or,
 * in distributed mode, a negative weight. */
int sk_post_weight_silence(const sk_trans_model *tm, const bool *is_silence, int32_t num_flags,
                           float scale, bool distribute, sk_post *post, const char *key);

#endif
