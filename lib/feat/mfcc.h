/* mfcc.h — MFCC options and the per-frame computation (spec/features.md §4).
 *
 * The driver (feat/compute.h) frames the wave and calls sk_mfcc_frame once per frame; the
 * tables (DCT rows, lifter) are built once per option set by sk_mfcc_tables_init and shared
 * read-only between threads.
 * Ownership: sk_mfcc_tables_release frees what sk_mfcc_tables_init allocated.
 */
#ifndef SK_FEAT_MFCC_H
#define SK_FEAT_MFCC_H

#include <stdbool.h>
#include <stdint.h>

#include "base/opts.h"
#include "feat/fft.h"
#include "feat/mel.h"

typedef struct {
    int32_t num_ceps;       /* --num-ceps, 13 */
    bool use_energy;        /* --use-energy, true */
    float energy_floor;     /* --energy-floor, 0 */
    bool raw_energy;        /* --raw-energy, true */
    float cepstral_lifter;  /* --cepstral-lifter, 22 */
    bool htk_compat;        /* --htk-compat, false */
} sk_mfcc_opts;

void sk_mfcc_opts_default(sk_mfcc_opts *o);
void sk_mfcc_opts_register(sk_opts *po, sk_mfcc_opts *o);

typedef struct {
    int32_t num_ceps, num_bins;
    float *dct;             /* num_ceps x num_bins, row-major, rows zero-padded to stride */
    int32_t stride;         /* num_bins rounded up to a multiple of 8 */
    float *lifter;          /* num_ceps, or NULL when the lifter is 0 */
    float log_energy_floor; /* logf(energy_floor), used when energy_floor > 0 */
    bool precise;           /* DCT sums in double (set for --kaldi-fft); default false */
} sk_mfcc_tables;

/* SK_EINVAL (ERROR printed) when num_ceps > num_bins. */
int sk_mfcc_tables_init(sk_mfcc_tables *t, const sk_mfcc_opts *o, int32_t num_bins);
void sk_mfcc_tables_release(sk_mfcc_tables *t);

/* frame: the processed, windowed frame of length sk_rfft_size(fft), clobbered. raw_log_energy:
 * from sk_process_frame (used when use_energy && raw_energy). scratch: >= num_bins + 8 floats.
 * out: num_ceps values. */
void sk_mfcc_frame(const sk_mfcc_opts *o, const sk_mfcc_tables *t, const sk_mel_banks *mb,
                   sk_rfft *fft, float *frame, float raw_log_energy, float *scratch, float *out);

#endif
