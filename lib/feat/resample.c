/* resample.c — LinearResample as Kaldi: per output phase a set of float weights of the
 * Hann-windowed sinc filter, applied to the input in one flush. */
#include "feat/resample.h"

#include <math.h>
#include <stdlib.h>

#include "base/log.h"

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int sk_resample(const float *in, int64_t n, float in_rate_f, float out_rate_f, float **out,
                int64_t *n_out)
{
    int32_t in_rate = (int32_t)in_rate_f, out_rate = (int32_t)out_rate_f;
    *out = NULL;
    *n_out = 0;
    if (in_rate <= 0 || out_rate <= 0) {
        SK_ERROR("Invalid sample rates for resampling: %d -> %d", in_rate, out_rate);
        return SK_EINVAL;
    }
    int32_t min_freq = in_rate < out_rate ? in_rate : out_rate;
    float cutoff = 0.99f * 0.5f * min_freq;
    const int32_t num_zeros = 6;
    int64_t g = gcd64(in_rate, out_rate);
    int64_t in_unit = in_rate / g, out_unit = out_rate / g;
    double W = num_zeros / (2.0 * cutoff);
    int64_t *first = malloc(sizeof(int64_t) * out_unit);
    int32_t *cnt = malloc(sizeof(int32_t) * out_unit);
    float **wts = calloc(out_unit, sizeof(float *));
    int st = SK_EIO;
    if (!first || !cnt || !wts)
        goto done;
    for (int64_t i = 0; i < out_unit; i++) {
        double t_out = (double)i / out_rate;
        int64_t f = (int64_t)ceil((t_out - W) * in_rate), l = (int64_t)floor((t_out + W) * in_rate);
        first[i] = f;
        cnt[i] = (int32_t)(l - f + 1);
        wts[i] = malloc(sizeof(float) * (cnt[i] > 0 ? cnt[i] : 1));
        if (!wts[i])
            goto done;
        for (int32_t j = 0; j < cnt[i]; j++) {
            double dt = (double)(f + j) / in_rate - t_out;
            /* window and filter values are floats, their product and the division too */
            float win = fabs(dt) < W ? (float)(0.5 * (1.0 + cos(2.0 * M_PI * cutoff / num_zeros * dt))) : 0.0f;
            float filt = dt != 0.0 ? (float)(sin(2.0 * M_PI * cutoff * dt) / (M_PI * dt)) : 2.0f * cutoff;
            wts[i][j] = filt * win / (float)in_rate;
        }
    }
    int64_t tick = (int64_t)in_rate / g * out_rate;  /* lcm */
    int64_t L = n * (tick / in_rate);
    int64_t count = 0;
    if (L > 0) {
        int64_t last = L / (tick / out_rate);
        if (last * (tick / out_rate) == L)
            last -= 1;
        count = last + 1;
    }
    if (count > 0) {
        float *o = malloc(sizeof(float) * count);
        if (!o)
            goto done;
        for (int64_t s = 0; s < count; s++) {
            int64_t unit = s / out_unit, p = s - unit * out_unit;
            int64_t f0 = first[p] + unit * in_unit;
            float acc = 0.0f;
            for (int32_t j = 0; j < cnt[p]; j++) {
                int64_t k = f0 + j;
                if (k >= 0 && k < n)
                    acc += wts[p][j] * in[k];
            }
            o[s] = acc;
        }
        *out = o;
    }
    *n_out = count;
    st = 0;
done:
    if (st < 0)
        SK_ERROR("out of memory while resampling");
    if (wts)
        for (int64_t i = 0; i < out_unit; i++)
            free(wts[i]);
    free(wts);
    free(first);
    free(cnt);
    return st;
}
