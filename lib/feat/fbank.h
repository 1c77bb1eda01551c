/* fbank.h — log mel filterbank options and per-frame computation (spec/features.md §5).
 * No allocation: the mel banks come from the caller (feat/compute.h). */
#ifndef SK_FEAT_FBANK_H
#define SK_FEAT_FBANK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/opts.h"
#include "feat/fft.h"
#include "feat/mel.h"

typedef struct {
    bool use_energy;        /* --use-energy, false */
    float energy_floor;     /* --energy-floor, 0 */
    bool raw_energy;        /* --raw-energy, true */
    bool htk_compat;        /* --htk-compat, false */
    bool use_log_fbank;     /* --use-log-fbank, true */
    bool use_power;         /* --use-power, true */
} sk_fbank_opts;

void sk_fbank_opts_default(sk_fbank_opts *o);
void sk_fbank_opts_register(sk_opts *po, sk_fbank_opts *o);
int32_t sk_fbank_dim(const sk_fbank_opts *o, int32_t num_bins);

/* frame: processed windowed frame (length sk_rfft_size(fft) + 16), clobbered; out: dim values.
 * exact: logs with glibc's scalar logf (as Kaldi) rather than the vector one. */
void sk_fbank_frame(const sk_fbank_opts *o, const sk_mel_banks *mb, sk_rfft *fft,
                    float *frame, float raw_log_energy, bool exact, float *out);

#endif
