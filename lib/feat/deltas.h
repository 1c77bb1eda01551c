/* deltas.h — delta features (add-deltas), spec/features.md §9.
 *
 *     sk_mat out; sk_mat_init(&out);
 *     sk_compute_deltas(&in, 2, 2, &out);          // out: T x dim*3
 *
 * out is resized (caller initialises and releases it).
 */
#ifndef SK_FEAT_DELTAS_H
#define SK_FEAT_DELTAS_H

#include <stdint.h>

#include "matrix/matrix.h"

/* Kaldi's DeltaFeatures with order and window W (edge frames replicated). 0 or < 0. */
int sk_compute_deltas(const sk_mat *in, int32_t order, int32_t window, sk_mat *out);

#endif
