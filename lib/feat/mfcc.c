/* mfcc.c — power spectrum -> log mel -> DCT-II (orthonormal) -> lifter -> energy, in float. */
/* Hot loops: let GCC vectorise loops with a scalar tail too (-O2 does only the very cheap
 * ones). Element-wise only: sums are never reassociated, so results do not change. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif
#include "feat/mfcc.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "base/log.h"
#include "feat/vecops.h"
#include "feat/window.h"

void sk_mfcc_opts_default(sk_mfcc_opts *o)
{
    o->num_ceps = 13;
    o->use_energy = true;
    o->energy_floor = 0.0f;
    o->raw_energy = true;
    o->cepstral_lifter = 22.0f;
    o->htk_compat = false;
}

void sk_mfcc_opts_register(sk_opts *po, sk_mfcc_opts *o)
{
    sk_opts_int(po, "num-ceps", &o->num_ceps,
                "How many cepstral coefficients to keep, C0 included");
    sk_opts_bool(po, "use-energy", &o->use_energy, "Replace C0 by the frame energy");
    sk_opts_float(po, "energy-floor", &o->energy_floor,
                  "Absolute lower bound on the frame energy when --use-energy=true; matters "
                  "mostly with --dither=0 (try 0.1 or 1.0)");
    sk_opts_bool(po, "raw-energy", &o->raw_energy,
                 "Take the energy from the raw frame, before pre-emphasis and windowing");
    sk_opts_float(po, "cepstral-lifter", &o->cepstral_lifter,
                  "Cepstral liftering coefficient (0 turns liftering off)");
    sk_opts_bool(po, "htk-compat", &o->htk_compat,
                 "HTK ordering: energy or C0 in the last column, C0 scaled by sqrt(2) (other "
                 "options must change too for HTK-identical output).");
}

int sk_mfcc_tables_init(sk_mfcc_tables *t, const sk_mfcc_opts *o, int32_t num_bins)
{
    t->dct = NULL;
    t->lifter = NULL;
    t->num_ceps = o->num_ceps;
    t->num_bins = num_bins;
    if (o->num_ceps > num_bins) {
        SK_ERROR("num-ceps cannot be larger than num-mel-bins. It should be smaller or equal. "
                 "You provided num-ceps: %d  and num-mel-bins: %d", o->num_ceps, num_bins);
        return SK_EINVAL;
    }
    if (o->num_ceps < 1) {
        SK_ERROR("Invalid --num-ceps=%d", o->num_ceps);
        return SK_EINVAL;
    }
    int32_t C = o->num_ceps, N = num_bins, N8 = (N + 7) & ~7;
    t->stride = N8;
    t->dct = calloc((size_t)C * N8, sizeof(float));
    if (!t->dct)
        return SK_EIO;
    double n0 = sqrt(1.0 / (float)N), nk = sqrt(2.0 / (float)N);
    for (int32_t k = 0; k < C; k++)
        for (int32_t n = 0; n < N; n++)
            t->dct[k * N8 + n] = k == 0 ? (float)n0 : (float)(nk * cos(M_PI / N * (n + 0.5) * k));
    if (o->cepstral_lifter != 0.0f) {
        t->lifter = malloc(sizeof(float) * C);
        if (!t->lifter)
            return SK_EIO;
        double Q = o->cepstral_lifter;
        for (int32_t i = 0; i < C; i++)
            t->lifter[i] = (float)(1.0 + 0.5 * Q * sin(M_PI * i / Q));
    }
    t->precise = false;
    t->log_energy_floor = o->energy_floor > 0.0f ? logf(o->energy_floor) : 0.0f;
    return 0;
}

void sk_mfcc_tables_release(sk_mfcc_tables *t)
{
    free(t->dct);
    free(t->lifter);
    t->dct = t->lifter = NULL;
}

void sk_mfcc_frame(const sk_mfcc_opts *o, const sk_mfcc_tables *t, const sk_mel_banks *mb,
                   sk_rfft *fft, float *frame, float raw_log_energy, float *mel, float *out)
{
    int32_t padded = sk_rfft_size(fft), N = t->num_bins, C = t->num_ceps;
    float E = raw_log_energy;
    if (o->use_energy && !o->raw_energy)
        E = sk_log_energy(frame, padded);
    sk_rfft_power(fft, frame, frame);
    sk_mel_banks_compute(mb, frame, mel);
    sk_log_floor(mel, N, t->precise);
    if (t->precise) {
        /* --kaldi-fft: the DCT in double, the closest to Kaldi's BLAS whatever its order */
        for (int32_t k = 0; k < C; k++) {
            const float *d = t->dct + (size_t)k * t->stride;
            double s = 0.0;
            for (int32_t n = 0; n < N; n++)
                s += (double)d[n] * mel[n];
            out[k] = (float)s;
        }
    } else {
        for (int32_t n = N; n < t->stride; n++)
            mel[n] = 0.0f;
        for (int32_t k = 0; k < C; k++)
            out[k] = sk_vdot(t->dct + (size_t)k * t->stride, mel, t->stride);
    }
    if (t->lifter)
        for (int32_t k = 0; k < C; k++)
            out[k] *= t->lifter[k];
    if (o->use_energy) {
        if (o->energy_floor > 0.0f && E < t->log_energy_floor)
            E = t->log_energy_floor;
        out[0] = E;
    }
    if (o->htk_compat) {
        float e = out[0];
        for (int32_t i = 0; i < C - 1; i++)
            out[i] = out[i + 1];
        if (!o->use_energy)
            e *= (float)M_SQRT2;
        out[C - 1] = e;
    }
}
