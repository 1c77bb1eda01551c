/* spectrogram.h — log power spectrum options and per-frame computation
 * (spec/features.md §6). No allocation. */
#ifndef SK_FEAT_SPECTROGRAM_H
#define SK_FEAT_SPECTROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/opts.h"
#include "feat/fft.h"

typedef struct {
    float energy_floor;     /* --energy-floor, 0 */
    bool raw_energy;        /* --raw-energy, true */
    bool return_raw_fft;    /* --return-raw-fft, false */
} sk_spectrogram_opts;

void sk_spectrogram_opts_default(sk_spectrogram_opts *o);
void sk_spectrogram_opts_register(sk_opts *po, sk_spectrogram_opts *o);
int32_t sk_spectrogram_dim(const sk_spectrogram_opts *o, int32_t padded);

/* frame: processed windowed frame (FFT size + 16), clobbered; out: dim values. exact: glibc's
 * scalar logf (as Kaldi) instead of the vector one. */
void sk_spectrogram_frame(const sk_spectrogram_opts *o, sk_rfft *fft, float *frame,
                          float raw_log_energy, bool exact, float *out);

#endif
