/* splice.h — frame splicing (splice-feats), spec/features.md §10.
 *
 *     sk_mat out; sk_mat_init(&out);
 *     sk_splice_frames(&in, 4, 4, &out);           // out: T x dim*9; < 0 on empty input
 *
 * out is resized (caller initialises and releases it).
 */
#ifndef SK_FEAT_SPLICE_H
#define SK_FEAT_SPLICE_H

#include <stdint.h>

#include "matrix/matrix.h"

/* Row t of out = rows clamp(t-left .. t+right) of in, concatenated. SK_EINVAL + "SpliceFrames:
 * empty input" when in has no rows or columns. */
int sk_splice_frames(const sk_mat *in, int32_t left, int32_t right, sk_mat *out);

#endif
