/* wave.c — libFuzzer target for the wave reader and the feature pipeline behind it.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE tests/fuzz/wave.c \
 *       lib/base/[a-z]*.c lib/io/[a-z]*.c lib/matrix/[a-z]*.c lib/feat/[a-z]*.c \
 *       -lfftw3f -lsndfile -lopenblas -lm -lpthread -o fuzz-wave
 *   ASAN_OPTIONS=allocator_may_return_null=1 ./fuzz-wave -max_len=4096 -rss_limit_mb=2048
 *
 * Bytes are read as a wave (Kaldi's RIFF rules, or libsndfile by magic). A wave read
 * successfully is written back and read again (same samples, truncated toward zero, when it
 * fits in int16) and its first channel goes through MFCC (with --allow-upsample/downsample so
 * any rate is resampled to 8 kHz); the features must be finite.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "feat/compute.h"
#include "feat/wave.h"

static void quiet(int sev, const char *line, void *ctx) { (void)sev; (void)line; (void)ctx; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_log_set_sink(quiet, NULL);
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    sk_wave w;
    sk_wave_init(&w);
    int st = sk_wave_read(f, &w, false);
    fclose(f);
    if (st < 0 || w.num_samples > 200000 || w.samp_freq < 100 || w.samp_freq > 192000) {
        sk_wave_release(&w);
        return 0;
    }
    /* round trip when every sample fits */
    bool fits = true;
    for (int64_t i = 0; i < w.num_samples * w.num_channels; i++)
        if (!(w.data[i] >= -32768.0f && w.data[i] < 32768.0f))
            fits = false;
    if (fits && w.num_samples > 0) {   /* 0 samples: Kaldi's writer makes a file it refuses */
        char *buf = NULL;
        size_t len = 0;
        FILE *o = open_memstream(&buf, &len);
        if (sk_wave_write(o, &w) < 0)
            abort();
        fclose(o);
        FILE *r = fmemopen(buf, len, "r");
        sk_wave w2;
        sk_wave_init(&w2);
        if (sk_wave_read(r, &w2, false) < 0 || w2.num_samples != w.num_samples)
            abort();
        for (int64_t i = 0; i < w.num_samples * w.num_channels; i++)
            if (w2.data[i] != truncf(w.data[i]))
                abort();
        fclose(r);
        free(buf);
        sk_wave_release(&w2);
    }
    sk_feat_opts o;
    sk_feat_opts_default(&o, SK_FEAT_MFCC);
    o.frame.samp_freq = 8000;
    o.frame.allow_downsample = o.frame.allow_upsample = true;
    o.frame.dither = 0;
    sk_feat_computer *c = sk_feat_computer_new(&o);
    float *feats;
    int32_t rows;
    if (c && sk_feat_compute(c, w.data, w.num_samples, w.samp_freq, 1.0f, &feats, &rows) == 0) {
        for (int64_t i = 0; i < (int64_t)rows * 13; i++)
            if (!isfinite(feats[i]))
                abort();
        free(feats);
    }
    sk_feat_computer_free(c);
    sk_wave_release(&w);
    return 0;
}
