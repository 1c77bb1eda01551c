/* fft.h — real FFT of a frame, in two flavours (spec/features.md §2.8).
 *
 *   - FFTW (single precision), the default: fast, exact to float rounding, but its rounding
 *     differs from Kaldi's own FFT (~1e-3 on fbank/MFCC, ~1.5e-2 on near-empty log bins).
 *   - Kaldi's float split-radix algorithm reproduced operation for operation (kaldi=true),
 *     for outputs within ~1e-5 of Kaldi's. Only for power-of-two sizes; other sizes fall back
 *     to FFTW (Kaldi uses a mixed-radix FFT there, not reproduced).
 *
 *     sk_rfft *f = sk_rfft_new(512, false);    // plan made once, reused for every frame
 *     sk_rfft_packed(f, frame);                 // in place: frame[0..511] -> packed spectrum
 *     sk_rfft_power(f, frame, power);           // power[0..256]; frame is clobbered
 *     sk_rfft_free(f);
 *
 * Packed layout: out[0] = Re X_0, out[1] = Re X_{n/2}, out[2k], out[2k+1] = Re, Im X_k.
 * An sk_rfft is used by one thread at a time (it owns scratch buffers); make one per thread.
 * Creating/freeing is thread-safe (FFTW's planner is serialised inside).
 * Ownership: sk_rfft_new allocates, sk_rfft_free frees.
 */
#ifndef SK_FEAT_FFT_H
#define SK_FEAT_FFT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sk_rfft sk_rfft;

/* n must be even and >= 2. Returns NULL (ERROR printed) on a bad size or no memory. */
sk_rfft *sk_rfft_new(int32_t n, bool kaldi);
void sk_rfft_free(sk_rfft *f);
int32_t sk_rfft_size(const sk_rfft *f);
/* A 64-byte aligned buffer of n + 16 floats owned by f: frames placed there are transformed
 * without a copy (pass it as data). Valid until sk_rfft_free. */
float *sk_rfft_buffer(sk_rfft *f);

/* Forward transform of data[0..n-1] in place, packed output (see above). */
void sk_rfft_packed(sk_rfft *f, float *data);
/* Power spectrum: power[k] = |X_k|^2 for k = 0..n/2 (n/2+1 values, each square rounded to
 * float then summed as Kaldi does). data is used as scratch and clobbered; power may equal data. */
void sk_rfft_power(sk_rfft *f, float *data, float *power);

/* Kaldi's complex split-radix FFT of size 2^log2n on separate re/im arrays, in place
 * (exposed for the unit tests). */
void sk_srfft_complex(const sk_rfft *f, float *re, float *im);

#endif
