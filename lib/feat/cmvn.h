/* cmvn.h — cepstral mean and variance normalisation statistics (spec/features.md §7-8).
 *
 * Stats are a double matrix 2 x (dim+1): row 0 = [sum_t w x_t, sum_t w], row 1 = [sum_t w x_t^2, 0].
 *
 *     sk_dmat st; sk_dmat_init(&st);
 *     sk_cmvn_init(&st, dim);
 *     sk_cmvn_acc(&st, &feats, NULL);                  // every frame, weight 1
 *     sk_cmvn_apply(&st, norm_vars, &feats);           // < 0: ERROR printed (dims, count)
 *     sk_dmat_release(&st);
 *
 * No allocation besides the caller's matrices (sk_cmvn_init resizes st).
 */
#ifndef SK_FEAT_CMVN_H
#define SK_FEAT_CMVN_H

#include <stdbool.h>
#include <stdint.h>

#include "matrix/matrix.h"

/* Resize st to 2 x (dim+1), zero. 0 or SK_EIO. */
int sk_cmvn_init(sk_dmat *st, int32_t dim);
/* Accumulate every row of feats; weights (NULL: all 1) has feats->rows entries; rows with
 * weight 0 are skipped. Products x*w and x*x*w in float, sums in double, as Kaldi. */
void sk_cmvn_acc(sk_dmat *st, const sk_mat *feats, const float *weights);
/* Normalise feats in place (means, and variances when norm_vars). SK_EINVAL with Kaldi's
 * messages on a dimension mismatch, missing variance stats or count < 1. */
int sk_cmvn_apply(const sk_dmat *st, bool norm_vars, sk_mat *feats);
/* The inverse transform (apply-cmvn --reverse). Same checks. */
int sk_cmvn_apply_reverse(const sk_dmat *st, bool norm_vars, sk_mat *feats);
/* --skip-dims: for each dim d, stats become mean 0, variance 1. SK_EINVAL if d is out of range. */
int sk_cmvn_fake_stats(sk_dmat *st, const int32_t *dims, int32_t n);

#endif
