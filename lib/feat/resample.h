/* resample.h — Kaldi's windowed-sinc resampler for --allow-downsample/--allow-upsample
 * (spec/features.md §2.10), whole signal at once.
 *
 *     float *out; int64_t n_out;
 *     if (sk_resample(in, n, 44100, 16000, &out, &n_out) < 0) ...   // caller frees out
 */
#ifndef SK_FEAT_RESAMPLE_H
#define SK_FEAT_RESAMPLE_H

#include <stdint.h>

/* Rates are converted to int32 as Kaldi does. *out is malloc'ed (NULL when n_out is 0).
 * Returns 0 or SK_EIO (out of memory / bad rates, ERROR printed). */
int sk_resample(const float *in, int64_t n, float in_rate, float out_rate, float **out,
                int64_t *n_out);

#endif
