/* fbank.c — power (or magnitude) spectrum -> mel energies -> log, energy first or last. */
/* Hot loops: let GCC vectorise loops with a scalar tail too (-O2 does only the very cheap
 * ones). Element-wise only: sums are never reassociated, so results do not change. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif
#include "feat/fbank.h"

#include <float.h>
#include <math.h>

#include "feat/vecops.h"
#include "feat/window.h"

void sk_fbank_opts_default(sk_fbank_opts *o)
{
    o->use_energy = false;
    o->energy_floor = 0.0f;
    o->raw_energy = true;
    o->htk_compat = false;
    o->use_log_fbank = true;
    o->use_power = true;
}

void sk_fbank_opts_register(sk_opts *po, sk_fbank_opts *o)
{
    sk_opts_bool(po, "use-energy", &o->use_energy, "Prepend the frame energy as an extra column.");
    sk_opts_float(po, "energy-floor", &o->energy_floor,
                  "Absolute lower bound on the frame energy when --use-energy=true; matters "
                  "mostly with --dither=0 (try 0.1 or 1.0)");
    sk_opts_bool(po, "raw-energy", &o->raw_energy,
                 "Take the energy from the raw frame, before pre-emphasis and windowing");
    sk_opts_bool(po, "htk-compat", &o->htk_compat,
                 "Put the energy in the last column, as HTK does (other options must change too "
                 "for HTK-identical output).");
    sk_opts_bool(po, "use-log-fbank", &o->use_log_fbank,
                 "Log of the filter-bank energies (false: linear).");
    sk_opts_bool(po, "use-power", &o->use_power, "Power spectrum (false: magnitude).");
}

int32_t sk_fbank_dim(const sk_fbank_opts *o, int32_t num_bins)
{
    return num_bins + (o->use_energy ? 1 : 0);
}

void sk_fbank_frame(const sk_fbank_opts *o, const sk_mel_banks *mb, sk_rfft *fft,
                    float *frame, float raw_log_energy, bool exact, float *out)
{
    int32_t padded = sk_rfft_size(fft), N = mb->num_bins;
    float E = raw_log_energy;
    if (o->use_energy && !o->raw_energy)
        E = sk_log_energy(frame, padded);
    sk_rfft_power(fft, frame, frame);
    if (!o->use_power)
        for (int32_t k = 0; k <= padded / 2; k++)
            frame[k] = sqrtf(frame[k]);
    float *mel = out + ((o->use_energy && !o->htk_compat) ? 1 : 0);
    sk_mel_banks_compute(mb, frame, mel);
    if (o->use_log_fbank)
        sk_log_floor(mel, N, exact);
    if (o->use_energy) {
        if (o->energy_floor > 0.0f) {
            float lf = logf(o->energy_floor);
            if (E < lf)
                E = lf;
        }
        out[o->htk_compat ? N : 0] = E;
    }
}
