/* wave.h — audio input/output as Kaldi does it (spec/features.md §1).
 *
 * A wave is a float matrix of samples, one row per channel, values unscaled (-32768..32767).
 *
 *     sk_wave w; sk_wave_init(&w);
 *     if (sk_wave_read(f, &w) < 0) ...           // Kaldi's WaveData::Read checks and messages
 *     ... w.data[c * w.num_samples + i], w.samp_freq ...
 *     sk_wave_release(&w);
 *
 * sk_wave_read accepts exactly what Kaldi accepts (16-bit PCM RIFF/RIFX, EXTENSIBLE with
 * the PCM GUID) and refuses the rest with Kaldi's ERROR text. sk_wave_read_any additionally
 * reads any format libsndfile knows (FLAC, 24-bit, float WAV, ...) from a plain file; used for
 * scp entries that are files (a bonus over Kaldi; samples are scaled to the int16 range).
 *
 * Table holders: sk_holder_wave (objects are sk_wave; in an archive "KEY RIFF..."), and
 * sk_holder_wave_info (sk_wave with data NULL: header only, for wav-to-duration).
 *
 * Ownership: sk_wave owns data (malloc'ed); sk_wave_release frees it.
 */
#ifndef SK_FEAT_WAVE_H
#define SK_FEAT_WAVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "io/table.h"

typedef struct {
    float *data;            /* num_channels x num_samples, channel-major */
    int32_t num_channels;
    int64_t num_samples;    /* per channel */
    float samp_freq;
} sk_wave;

void sk_wave_init(sk_wave *w);
void sk_wave_release(sk_wave *w);
int sk_wave_copy(sk_wave *dst, const sk_wave *src);
static inline float sk_wave_duration(const sk_wave *w)
{
    return w->samp_freq > 0 ? (float)w->num_samples / w->samp_freq : 0.0f;
}

/* Parse a RIFF/RIFX wave from f (the "\0B" question does not arise: wave data starts with the
 * tag). header_only: read the header and compute num_samples from the data size (streamed
 * waves are then read to the end). Returns 0 or SK_EIO (ERROR printed). */
int sk_wave_read(FILE *f, sk_wave *w, bool header_only);
/* Write as 16-bit little-endian PCM RIFF (samples truncated toward zero; ERROR on clipping). */
int sk_wave_write(FILE *f, const sk_wave *w);

/* Read a wave from an rxfilename: Kaldi's reader first; for a plain file that is not a
 * RIFF/RIFX wave, libsndfile. Returns 0 or < 0 (ERROR printed). */
int sk_wave_read_rx(const char *rxfilename, sk_wave *w);

/* Copy samples [first, first+n) of all channels into dst (resized). */
int sk_wave_segment(const sk_wave *src, int64_t first, int64_t n, sk_wave *dst);

extern const sk_holder sk_holder_wave;
extern const sk_holder sk_holder_wave_info;

#endif
