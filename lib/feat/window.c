/* window.c — framing, dither, DC removal, pre-emphasis and the window functions, with Kaldi's
 * arithmetic: float everywhere except the window shapes (double, then rounded). */
/* Hot loops: let GCC vectorise loops with a scalar tail too (-O2 does only the very cheap
 * ones). Element-wise only: sums are never reassociated, so results do not change. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif
#include "feat/window.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "feat/vecops.h"

void sk_frame_opts_default(sk_frame_opts *o)
{
    o->samp_freq = 16000.0f;
    o->frame_shift_ms = 10.0f;
    o->frame_length_ms = 25.0f;
    o->dither = 1.0f;
    o->preemph_coeff = 0.97f;
    o->remove_dc_offset = true;
    o->window_type = "povey";
    o->blackman_coeff = 0.42f;
    o->round_to_power_of_two = true;
    o->snip_edges = true;
    o->allow_downsample = false;
    o->allow_upsample = false;
    o->max_feature_vectors = -1;
    o->kaldi_fft = false;
}

void sk_frame_opts_register(sk_opts *po, sk_frame_opts *o)
{
    sk_opts_float(po, "sample-frequency", &o->samp_freq,
                  "Sampling rate in Hz the options assume (must equal the wave's own rate unless "
                  "resampling is allowed)");
    sk_opts_float(po, "frame-length", &o->frame_length_ms, "Window length, in ms");
    sk_opts_float(po, "frame-shift", &o->frame_shift_ms, "Step between windows, in ms");
    sk_opts_float(po, "preemphasis-coefficient", &o->preemph_coeff,
                  "Pre-emphasis factor k in x[n] - k x[n-1]");
    sk_opts_bool(po, "remove-dc-offset", &o->remove_dc_offset,
                 "Remove the mean of each frame before processing it");
    sk_opts_float(po, "dither", &o->dither,
                  "Amount of random noise added to each sample (0 turns it off; then consider "
                  "--energy-floor, e.g. 0.1 or 1.0)");
    sk_opts_string(po, "window-type", &o->window_type,
                   "Window shape: hamming, hanning, povey, rectangular, sine or blackman");
    sk_opts_float(po, "blackman-coeff", &o->blackman_coeff,
                  "The constant term of the generalised Blackman window.");
    sk_opts_bool(po, "round-to-power-of-two", &o->round_to_power_of_two,
                 "Zero-pad each frame to the next power of two for the FFT.");
    sk_opts_bool(po, "snip-edges", &o->snip_edges,
                 "Emit only frames that lie wholly inside the signal (count depends on frame "
                 "length); false: count depends on the shift only and the signal is mirrored at "
                 "its ends.");
    sk_opts_bool(po, "allow-downsample", &o->allow_downsample,
                 "Accept waves sampled above --sample-frequency and resample them down to it.");
    sk_opts_int(po, "max-feature-vectors", &o->max_feature_vectors,
                "If positive, keep only this many of the latest feature vectors in memory.");
    sk_opts_bool(po, "allow-upsample", &o->allow_upsample,
                 "Accept waves sampled below --sample-frequency and resample them up to it.");
    sk_opts_bool(po, "kaldi-fft", &o->kaldi_fft,
                 "skald: use Kaldi's own float FFT (bit-compatible rounding, slower) instead of FFTW");
}

int32_t sk_frame_shift(const sk_frame_opts *o)
{
    return (int32_t)(o->samp_freq * 0.001 * o->frame_shift_ms);
}

int32_t sk_frame_size(const sk_frame_opts *o)
{
    return (int32_t)(o->samp_freq * 0.001 * o->frame_length_ms);
}

int32_t sk_frame_padded(const sk_frame_opts *o)
{
    int32_t s = sk_frame_size(o);
    if (!o->round_to_power_of_two)
        return s;
    int32_t p = 1;
    while (p < s)
        p <<= 1;
    return p;
}

int64_t sk_num_frames(int64_t n, const sk_frame_opts *o)
{
    int64_t shift = sk_frame_shift(o), size = sk_frame_size(o);
    if (o->snip_edges)
        return n < size ? 0 : 1 + (n - size) / shift;
    return (n + shift / 2) / shift;
}

int64_t sk_first_sample(int64_t t, const sk_frame_opts *o)
{
    int64_t shift = sk_frame_shift(o), size = sk_frame_size(o);
    if (o->snip_edges)
        return t * shift;
    return t * shift + shift / 2 - size / 2;
}

int sk_frame_opts_check(const sk_frame_opts *o)
{
    int32_t shift = sk_frame_shift(o), size = sk_frame_size(o);
    if (shift <= 0 || size <= 0) {
        SK_ERROR("Invalid frame options: frame-shift %g ms and frame-length %g ms give %d and %d samples",
                 o->frame_shift_ms, o->frame_length_ms, shift, size);
        return SK_EINVAL;
    }
    if (!(o->preemph_coeff >= 0.0f && o->preemph_coeff <= 1.0f)) {
        SK_ERROR("Invalid --preemphasis-coefficient %g: must be in [0, 1]", o->preemph_coeff);
        return SK_EINVAL;
    }
    if (sk_frame_padded(o) % 2) {
        SK_ERROR("Padded frame length %d must be even (use --round-to-power-of-two=true or an "
                 "even frame length)", sk_frame_padded(o));
        return SK_EINVAL;
    }
    return 0;
}

int sk_window_init(sk_window *win, const sk_frame_opts *o)
{
    int32_t L = sk_frame_size(o);
    const char *type = o->window_type;
    enum { HANNING, SINE, HAMMING, POVEY, RECT, BLACKMAN } k;
    if (!strcmp(type, "hanning")) k = HANNING;
    else if (!strcmp(type, "sine")) k = SINE;
    else if (!strcmp(type, "hamming")) k = HAMMING;
    else if (!strcmp(type, "povey")) k = POVEY;
    else if (!strcmp(type, "rectangular")) k = RECT;
    else if (!strcmp(type, "blackman")) k = BLACKMAN;
    else {
        SK_ERROR("Invalid window type %s", type);
        win->w = NULL;
        win->size = 0;
        return SK_EINVAL;
    }
    win->size = L;
    win->w = malloc(sizeof(float) * (L > 0 ? L : 1));
    if (!win->w) {
        SK_ERROR("out of memory");
        return SK_EIO;
    }
    double a = 2.0 * M_PI / (L - 1);
    for (int32_t i = 0; i < L; i++) {
        double v;
        switch (k) {
        case HANNING: v = 0.5 - 0.5 * cos(a * i); break;
        case SINE: v = sin(0.5 * a * i); break;
        case HAMMING: v = 0.54 - 0.46 * cos(a * i); break;
        case POVEY: v = pow(0.5 - 0.5 * cos(a * i), 0.85); break;
        case RECT: v = 1.0; break;
        default: {
            double c = o->blackman_coeff;
            v = c - 0.5 * cos(a * i) + (0.5 - c) * cos(2 * a * i);
        }
        }
        win->w[i] = (float)v;
    }
    return 0;
}

void sk_window_release(sk_window *win)
{
    free(win->w);
    win->w = NULL;
    win->size = 0;
}

void sk_extract_frame(const float *wave, int64_t n, int64_t t, const sk_frame_opts *o,
                      float *frame)
{
    int32_t size = sk_frame_size(o), padded = sk_frame_padded(o);
    int64_t start = sk_first_sample(t, o);
    if (start >= 0 && start + size <= n) {
        memcpy(frame, wave + start, sizeof(float) * size);
    } else {
        for (int32_t i = 0; i < size; i++) {
            int64_t s = start + i;
            while (s < 0 || s >= n) {
                if (s < 0)
                    s = -s - 1;
                else
                    s = 2 * n - 1 - s;
            }
            frame[i] = wave[s];
        }
    }
    if (padded > size)
        memset(frame + size, 0, sizeof(float) * (padded - size));
}

uint32_t sk_frame_seed(void)
{
    return (uint32_t)rand() + 27437u;
}

/* Uniform in (0,1) from glibc's rand_r, as Kaldi's RandUniform. */
static float rand_uniform(unsigned *state)
{
    return (float)((rand_r(state) + 1.0) / (RAND_MAX + 2.0));
}

SK_FEAT_HOT
float sk_log_energy(const float *x, int32_t n)
{
    float s = sk_vdot(x, x, n);
    return logf(s > FLT_EPSILON ? s : FLT_EPSILON);
}

SK_FEAT_HOT
void sk_process_frame(const sk_frame_opts *o, const sk_window *win, float *x, uint32_t seed,
                      float *raw_log_energy)
{
    int32_t size = win->size;
    if (o->dither != 0.0f) {
        unsigned st = seed;
        for (int32_t i = 0; i < size; i++) {
            float u1 = rand_uniform(&st);
            float u2 = rand_uniform(&st);
            float g = sqrtf(-2 * logf(u1)) * cosf((float)(2 * M_PI * u2));  /* angle in double, as Kaldi */
            x[i] += o->dither * g;
        }
    }
    if (o->remove_dc_offset) {
        float m = sk_vsum(x, size) / (float)size;
        for (int32_t i = 0; i < size; i++)
            x[i] += -m;
    }
    if (raw_log_energy)
        *raw_log_energy = sk_log_energy(x, size);
    /* pre-emphasis and window in one pass (same operations: subtract, then multiply) */
    const float *w = win->w;
    if (o->preemph_coeff != 0.0f) {
        float c = o->preemph_coeff;
        for (int32_t i = size - 1; i > 0; i--)
            x[i] = (x[i] - c * x[i - 1]) * w[i];
        x[0] = (x[0] - c * x[0]) * w[0];
    } else {
        for (int32_t i = 0; i < size; i++)
            x[i] *= w[i];
    }
}
