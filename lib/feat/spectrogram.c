/* spectrogram.c — log power spectrum with the energy in element 0, or the raw packed FFT. */
/* Hot loops: let GCC vectorise loops with a scalar tail too (-O2 does only the very cheap
 * ones). Element-wise only: sums are never reassociated, so results do not change. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif
#include "feat/spectrogram.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "feat/vecops.h"
#include "feat/window.h"

void sk_spectrogram_opts_default(sk_spectrogram_opts *o)
{
    o->energy_floor = 0.0f;
    o->raw_energy = true;
    o->return_raw_fft = false;
}

void sk_spectrogram_opts_register(sk_opts *po, sk_spectrogram_opts *o)
{
    sk_opts_float(po, "energy-floor", &o->energy_floor,
                  "Absolute lower bound on the energy in the first output column (the total "
                  "energy); the other bins are always floored at FLT_EPSILON.");
    sk_opts_bool(po, "raw-energy", &o->raw_energy,
                 "Take the energy from the raw frame, before pre-emphasis and windowing");
    sk_opts_bool(po, "return-raw-fft", &o->return_raw_fft,
                 "Output the complex FFT values instead of log energies");
}

int32_t sk_spectrogram_dim(const sk_spectrogram_opts *o, int32_t padded)
{
    return o->return_raw_fft ? padded : padded / 2 + 1;
}

void sk_spectrogram_frame(const sk_spectrogram_opts *o, sk_rfft *fft, float *frame,
                          float raw_log_energy, bool exact, float *out)
{
    int32_t padded = sk_rfft_size(fft);
    float E = o->raw_energy ? raw_log_energy : sk_log_energy(frame, padded);
    if (o->return_raw_fft) {
        sk_rfft_packed(fft, frame);
        memcpy(out, frame, sizeof(float) * padded);
        return;
    }
    sk_rfft_power(fft, frame, out);
    sk_log_floor(out, padded / 2 + 1, exact);
    if (o->energy_floor > 0.0f) {
        float lf = logf(o->energy_floor);
        if (E < lf)
            E = lf;
    }
    out[0] = E;
}
