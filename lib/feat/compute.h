/* compute.h — wave samples -> feature matrix for MFCC, fbank and spectrogram: the part of
 * compute-{mfcc,fbank,spectrogram}-feats that is not table plumbing (spec/features.md §2-6).
 *
 *     sk_feat_opts o; sk_feat_opts_default(&o, SK_FEAT_MFCC);
 *     sk_feat_opts_register(po, &o);               // every option of Kaldi's tool + skald's
 *     sk_opts_parse(po);
 *     sk_feat_computer *c = sk_feat_computer_new(&o);   // NULL: bad options (ERROR printed)
 *     float *feats; int32_t rows;
 *     if (sk_feat_compute(c, samples, n, 16000.0f, 1.0f, &feats, &rows) == 0) {
 *         ... rows x sk_feat_dim(c) floats, row-major, stride = dim ...
 *         free(feats);
 *     }
 *     sk_feat_computer_free(c);
 *
 * Frames are independent, so with --num-threads=N the frames of an utterance are split into
 * N contiguous ranges computed in parallel; the output is identical to one thread (dither
 * seeds are drawn in frame order before the split).
 * Ownership: *out from sk_feat_compute is malloc'ed and the caller frees it.
 */
#ifndef SK_FEAT_COMPUTE_H
#define SK_FEAT_COMPUTE_H

#include <stdint.h>

#include "base/opts.h"
#include "feat/fbank.h"
#include "feat/mel.h"
#include "feat/mfcc.h"
#include "feat/spectrogram.h"
#include "feat/window.h"

typedef enum { SK_FEAT_MFCC, SK_FEAT_FBANK, SK_FEAT_SPECTROGRAM } sk_feat_type;

typedef struct {
    sk_feat_type type;
    sk_frame_opts frame;
    sk_mel_opts mel;            /* MFCC and fbank */
    sk_mfcc_opts mfcc;
    sk_fbank_opts fbank;
    sk_spectrogram_opts spec;
    int32_t num_threads;        /* --num-threads (skald), 1 */
} sk_feat_opts;

void sk_feat_opts_default(sk_feat_opts *o, sk_feat_type type);
/* Frame options, mel options (MFCC/fbank), the type's own options and --num-threads. */
void sk_feat_opts_register(sk_opts *po, sk_feat_opts *o);

typedef struct sk_feat_computer sk_feat_computer;

sk_feat_computer *sk_feat_computer_new(const sk_feat_opts *o);
void sk_feat_computer_free(sk_feat_computer *c);
int32_t sk_feat_dim(const sk_feat_computer *c);

/* Features of one channel. A wave rate different from --sample-frequency is an error
 * (Kaldi's message) unless --allow-downsample/--allow-upsample, then it is resampled.
 * vtln_warp != 1 warps the mel banks (MFCC/fbank). Returns 0 or < 0 (ERROR printed).
 * With 0 frames *out is NULL and *rows 0. */
int sk_feat_compute(sk_feat_computer *c, const float *wave, int64_t n, float wave_rate,
                    float vtln_warp, float **out, int32_t *rows);

#endif
