/* mel.h — triangular mel filterbanks with Kaldi's exact edges and VTLN warping
 * (spec/features.md §3).
 *
 *     sk_mel_opts mo; sk_mel_opts_default(&mo, 23);
 *     sk_mel_opts_register(po, &mo);
 *     sk_mel_banks mb;
 *     if (sk_mel_banks_init(&mb, &mo, &frame_opts, vtln_warp) < 0) ...   // ERROR printed
 *     sk_mel_banks_compute(&mb, power, mel);        // power[0..padded/2], mel[0..num_bins-1]
 *     sk_mel_banks_release(&mb);
 *
 * Ownership: sk_mel_banks owns its weight arrays (sk_mel_banks_release frees them).
 */
#ifndef SK_FEAT_MEL_H
#define SK_FEAT_MEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/opts.h"
#include "feat/window.h"

typedef struct {
    int32_t num_bins;   /* --num-mel-bins */
    float low_freq;     /* --low-freq, 20 */
    float high_freq;    /* --high-freq, 0 (<= 0: offset from Nyquist) */
    float vtln_low;     /* --vtln-low, 100 */
    float vtln_high;    /* --vtln-high, -500 */
    bool debug_mel;     /* --debug-mel */
} sk_mel_opts;

void sk_mel_opts_default(sk_mel_opts *o, int32_t num_bins);
void sk_mel_opts_register(sk_opts *po, sk_mel_opts *o);

float sk_mel_scale(float f);        /* 1127 ln(1 + f/700), float */
float sk_inv_mel_scale(float m);

/* Kaldi's piecewise-linear VTLN warp of frequency f (Hz). */
float sk_vtln_warp_freq(float vtln_low, float vtln_high, float low, float high, float alpha,
                        float f);

typedef struct {
    int32_t num_bins;
    int32_t *offset;     /* first FFT bin of each mel bin */
    int32_t *len;        /* number of weights of each mel bin */
    int32_t *vlen;       /* len rounded up to a multiple of 8 (the extra weights are 0) */
    float **weights;     /* weights[b][0..len-1] (one allocation) */
    float *store;
    bool debug;          /* --debug-mel: log the mel energies of every frame */
} sk_mel_banks;

/* Build the banks for these frame options (sample rate, padded size) and warp factor.
 * Returns 0, or SK_EINVAL with Kaldi's message for bad frequency/VTLN options. */
int sk_mel_banks_init(sk_mel_banks *mb, const sk_mel_opts *o, const sk_frame_opts *fo,
                      float vtln_warp);
void sk_mel_banks_release(sk_mel_banks *mb);
/* mel[b] = sum_i weights[b][i] * power[offset[b] + i], float. power must hold padded/2 + 8
 * finite readable values (the zero-padded weights read up to 7 past the last bin). */
void sk_mel_banks_compute(const sk_mel_banks *mb, const float *power, float *mel);

#endif
