/* mel.c — mel filterbank construction, all in float as Kaldi does (building the banks in
 * double moves MFCC outputs by ~2e-4, spec §3). */
/* Hot loops: let GCC vectorise loops with a scalar tail too (-O2 does only the very cheap
 * ones). Element-wise only: sums are never reassociated, so results do not change. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif
#include "feat/mel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "feat/vecops.h"

void sk_mel_opts_default(sk_mel_opts *o, int32_t num_bins)
{
    o->num_bins = num_bins;
    o->low_freq = 20.0f;
    o->high_freq = 0.0f;
    o->vtln_low = 100.0f;
    o->vtln_high = -500.0f;
    o->debug_mel = false;
}

void sk_mel_opts_register(sk_opts *po, sk_mel_opts *o)
{
    sk_opts_int(po, "num-mel-bins", &o->num_bins, "How many triangular mel filters");
    sk_opts_float(po, "low-freq", &o->low_freq, "Bottom edge of the mel filters in Hz");
    sk_opts_float(po, "high-freq", &o->high_freq,
                  "Top edge of the mel filters in Hz (zero or negative: that much below Nyquist)");
    sk_opts_float(po, "vtln-low", &o->vtln_low,
                  "Lower corner of the piecewise-linear VTLN warp in Hz");
    sk_opts_float(po, "vtln-high", &o->vtln_high,
                  "Upper corner of the piecewise-linear VTLN warp in Hz (negative: below "
                  "--high-freq)");
    sk_opts_bool(po, "debug-mel", &o->debug_mel, "Log the mel filter bank as it is built");
}

float sk_mel_scale(float f) { return 1127.0f * logf(1.0f + f / 700.0f); }
float sk_inv_mel_scale(float m) { return 700.0f * (expf(m / 1127.0f) - 1.0f); }

float sk_vtln_warp_freq(float vl, float vh, float low, float high, float alpha, float f)
{
    if (f < low || f > high)
        return f;
    float l = vl * (alpha > 1.0f ? alpha : 1.0f);
    float h = vh * (alpha < 1.0f ? alpha : 1.0f);
    float s = 1.0f / alpha;
    float Fl = s * l, Fh = s * h;
    if (f < l) {
        float scale_left = (Fl - low) / (l - low);
        return low + scale_left * (f - low);
    } else if (f < h) {
        return s * f;
    } else {
        float scale_right = (high - Fh) / (high - h);
        return high + scale_right * (f - high);
    }
}

static float warp_mel(float vl, float vh, float low, float high, float alpha, float m)
{
    return sk_mel_scale(sk_vtln_warp_freq(vl, vh, low, high, alpha, sk_inv_mel_scale(m)));
}

int sk_mel_banks_init(sk_mel_banks *mb, const sk_mel_opts *o, const sk_frame_opts *fo,
                      float vtln_warp)
{
    memset(mb, 0, sizeof *mb);
    int32_t nb = o->num_bins;
    if (nb < 3) {
        SK_ERROR("Must have at least 3 mel bins");
        return SK_EINVAL;
    }
    float samp = fo->samp_freq;
    int32_t padded = sk_frame_padded(fo);
    int32_t nfft = padded / 2;
    float nyquist = 0.5f * samp;
    float low = o->low_freq, high = o->high_freq > 0.0f ? o->high_freq : nyquist + o->high_freq;
    if (low < 0.0f || low >= nyquist || high <= 0.0f || high > nyquist || high <= low) {
        SK_ERROR("Bad values in options: low-freq %g and high-freq %g vs. nyquist %g",
                 low, high, nyquist);
        return SK_EINVAL;
    }
    float bin_width = samp / padded;
    float mel_low = sk_mel_scale(low), mel_high = sk_mel_scale(high);
    float delta = (mel_high - mel_low) / (nb + 1);
    float vl = o->vtln_low, vh = o->vtln_high < 0.0f ? o->vtln_high + nyquist : o->vtln_high;
    if (vtln_warp != 1.0f &&
        !(vl > 0.0f && vl > low && vl < high && vh > 0.0f && vh < high && vh > vl)) {
        SK_ERROR("Bad values in options: vtln-low %g and vtln-high %g, versus low-freq %g and high-freq %g",
                 vl, vh, low, high);
        return SK_EINVAL;
    }
    mb->num_bins = nb;
    mb->offset = calloc(nb, sizeof(int32_t));
    mb->len = calloc(nb, sizeof(int32_t));
    mb->weights = calloc(nb, sizeof(float *));
    mb->store = calloc((size_t)nb * (nfft + 8), sizeof(float));
    mb->vlen = calloc(nb, sizeof(int32_t));
    float *mels = malloc(sizeof(float) * (nfft > 0 ? nfft : 1));
    if (!mb->offset || !mb->len || !mb->vlen || !mb->weights || !mb->store || !mels) {
        free(mels);
        sk_mel_banks_release(mb);
        SK_ERROR("out of memory");
        return SK_EIO;
    }
    for (int32_t i = 0; i < nfft; i++)
        mels[i] = sk_mel_scale(bin_width * i);
    float *next = mb->store;
    for (int32_t b = 0; b < nb; b++) {
        float left = mel_low + b * delta, center = mel_low + (b + 1) * delta,
              right = mel_low + (b + 2) * delta;
        if (vtln_warp != 1.0f) {
            left = warp_mel(vl, vh, low, high, vtln_warp, left);
            center = warp_mel(vl, vh, low, high, vtln_warp, center);
            right = warp_mel(vl, vh, low, high, vtln_warp, right);
        }
        int32_t first = -1, last = -1;
        for (int32_t i = 0; i < nfft; i++) {
            float m = mels[i];
            if (m > left && m < right) {
                float w = m <= center ? (m - left) / (center - left) : (right - m) / (right - center);
                if (first < 0)
                    first = i;
                last = i;
                next[i - first] = w;
            }
        }
        if (first < 0) {
            free(mels);
            sk_mel_banks_release(mb);
            SK_ERROR("Mel bin %d has no FFT bins: you may have set --num-mel-bins too large.", b);
            return SK_EINVAL;
        }
        mb->offset[b] = first;
        mb->len[b] = last - first + 1;
        mb->weights[b] = next;
        mb->vlen[b] = (mb->len[b] + 7) & ~7;   /* zero-padded to whole SIMD blocks */
        next += mb->vlen[b];
        if (o->debug_mel) {
            char buf[64];
            size_t cap = 64 + (size_t)mb->len[b] * 16, used = 0;
            char *s = malloc(cap);
            if (s) {
                s[0] = 0;
                for (int32_t i = 0; i < mb->len[b]; i++) {
                    snprintf(buf, sizeof buf, " %g", mb->weights[b][i]);
                    size_t l = strlen(buf);
                    memcpy(s + used, buf, l + 1);
                    used += l;
                }
                SK_LOG("bin %d, offset = %d, vec = [%s ]", b, first, s);
                free(s);
            }
        }
    }
    free(mels);
    mb->debug = o->debug_mel;
    return 0;
}

void sk_mel_banks_release(sk_mel_banks *mb)
{
    free(mb->offset);
    free(mb->len);
    free(mb->vlen);
    free(mb->weights);
    free(mb->store);
    memset(mb, 0, sizeof *mb);
}

SK_FEAT_HOT
void sk_mel_banks_compute(const sk_mel_banks *mb, const float *power, float *mel)
{
    for (int32_t b = 0; b < mb->num_bins; b++) {
        mel[b] = sk_vdot(mb->weights[b], power + mb->offset[b], mb->vlen[b]);
    }
    if (mb->debug) {
        char *s = malloc((size_t)mb->num_bins * 16 + 8);
        if (s) {
            size_t used = 0;
            for (int32_t b = 0; b < mb->num_bins; b++)
                used += (size_t)snprintf(s + used, 16, " %g", mel[b]);
            SK_LOG("MEL BANKS:\n [%s ]", s);
            free(s);
        }
    }
}
