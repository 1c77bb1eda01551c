/* window.h — frame extraction and per-frame processing (spec/features.md §2).
 *
 *     sk_frame_opts fo; sk_frame_opts_default(&fo);
 *     sk_frame_opts_register(po, &fo);               // --frame-length, --dither, ...
 *     sk_window win;
 *     if (sk_window_init(&win, &fo) < 0) ...          // bad --window-type (ERROR printed)
 *     int64_t T = sk_num_frames(num_samples, &fo);
 *     float frame[sk_frame_padded(&fo)];
 *     for (t...) {
 *         sk_extract_frame(wave, num_samples, t, &fo, frame);
 *         sk_process_frame(&fo, &win, frame, sk_frame_seed(), &raw_log_energy);
 *     }
 *     sk_window_release(&win);
 *
 * Ownership: sk_window holds malloc'ed weights freed by sk_window_release; the option strings
 * belong to whoever set them (sk_opts, or static defaults).
 */
#ifndef SK_FEAT_WINDOW_H
#define SK_FEAT_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/opts.h"

typedef struct {
    float samp_freq;          /* --sample-frequency, 16000 */
    float frame_shift_ms;     /* --frame-shift, 10 */
    float frame_length_ms;    /* --frame-length, 25 */
    float dither;             /* --dither, 1.0 */
    float preemph_coeff;      /* --preemphasis-coefficient, 0.97 */
    bool remove_dc_offset;    /* --remove-dc-offset, true */
    const char *window_type;  /* --window-type, "povey" */
    float blackman_coeff;     /* --blackman-coeff, 0.42 */
    bool round_to_power_of_two; /* true */
    bool snip_edges;          /* true */
    bool allow_downsample, allow_upsample; /* false */
    int32_t max_feature_vectors; /* -1, no effect offline */
    bool kaldi_fft;           /* --kaldi-fft (skald): reproduce Kaldi's FFT rounding */
} sk_frame_opts;

void sk_frame_opts_default(sk_frame_opts *o);
void sk_frame_opts_register(sk_opts *po, sk_frame_opts *o);

int32_t sk_frame_shift(const sk_frame_opts *o);   /* samples, e.g. 160 */
int32_t sk_frame_size(const sk_frame_opts *o);    /* samples, e.g. 400 */
int32_t sk_frame_padded(const sk_frame_opts *o);  /* FFT size, e.g. 512 */
/* Number of frames for num_samples samples (offline). */
int64_t sk_num_frames(int64_t num_samples, const sk_frame_opts *o);
/* First sample of frame t (may be negative with snip-edges=false). */
int64_t sk_first_sample(int64_t t, const sk_frame_opts *o);
/* Check the frame options (sizes > 0, preemphasis in [0,1], padded even). 0 or SK_EINVAL. */
int sk_frame_opts_check(const sk_frame_opts *o);

typedef struct { float *w; int32_t size; } sk_window;

/* Fill the window of length sk_frame_size(o). SK_EINVAL + "Invalid window type <name>" on a
 * bad type. */
int sk_window_init(sk_window *win, const sk_frame_opts *o);
void sk_window_release(sk_window *win);

/* Copy frame t of wave[0..n-1] into frame[0..padded-1] (edges reflected, zero padding). */
void sk_extract_frame(const float *wave, int64_t n, int64_t t, const sk_frame_opts *o,
                      float *frame);

/* The per-frame dither seed, as Kaldi draws it: rand() + 27437 from the process-wide C
 * generator. Call once per frame, in frame order (not thread-safe; the caller serialises). */
uint32_t sk_frame_seed(void);

/* Dither (with seed, when o->dither != 0), remove DC, raw log energy (when raw_log_energy is
 * not NULL), pre-emphasis, window; only frame[0..size-1] is touched. */
void sk_process_frame(const sk_frame_opts *o, const sk_window *win, float *frame,
                      uint32_t seed, float *raw_log_energy);

/* log(max(sum x^2, FLT_EPSILON)) in float, summed left to right. */
float sk_log_energy(const float *x, int32_t n);

#endif
