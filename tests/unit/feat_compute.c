/* Unit tests for lib/feat/compute (+ mfcc/fbank/spectrogram/resample through it). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "feat/compute.h"
#include "feat/resample.h"
#include "tap.h"

static float *make_wave(int64_t n, float rate)
{
    float *w = malloc(sizeof(float) * n);
    unsigned s = 1;
    for (int64_t i = 0; i < n; i++)
        w[i] = (float)(3000.0 * sin(2 * M_PI * 440.0 * i / rate)) + (float)(rand_r(&s) % 200 - 100);
    return w;
}

static int run(const sk_feat_opts *o, const float *w, int64_t n, float rate, float warp,
               float **out, int32_t *rows, int32_t *dim)
{
    sk_feat_computer *c = sk_feat_computer_new(o);
    if (!c)
        return -100;
    int st = sk_feat_compute(c, w, n, rate, warp, out, rows);
    *dim = sk_feat_dim(c);
    sk_feat_computer_free(c);
    return st;
}

static bool all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

int main(void)
{
    int64_t n = 16000 * 3;
    float *w = make_wave(n, 16000);
    sk_feat_type types[] = { SK_FEAT_MFCC, SK_FEAT_FBANK, SK_FEAT_SPECTROGRAM };
    const char *tn[] = { "mfcc", "fbank", "spectrogram" };
    int dims[] = { 13, 23, 257 };
    for (int k = 0; k < 3; k++) {
        char name[128];
        snprintf(name, sizeof name, "%s: dims, 298 frames, 4 threads == 1 thread bit for bit (with dither)", tn[k]);
        TEST(name) {
            sk_feat_opts o;
            sk_feat_opts_default(&o, types[k]);
            float *a, *b;
            int32_t ra = 0, rb = 0, d = 0;
            srand(5);
            CHECK_INT(run(&o, w, n, 16000, 1.0f, &a, &ra, &d), 0);
            CHECK_INT(d, dims[k]);
            CHECK_INT(ra, 298);
            o.num_threads = 4;
            srand(5);
            CHECK_INT(run(&o, w, n, 16000, 1.0f, &b, &rb, &d), 0);
            CHECK_INT(rb, ra);
            CHECK(memcmp(a, b, sizeof(float) * ra * d) == 0);
            CHECK(all_finite(a, (size_t)ra * d));
            free(a);
            free(b);
        }
    }
    TEST("all-zero input, no dither: finite output (floors work), every option set") {
        float *z = calloc(8000, sizeof(float));
        for (int k = 0; k < 3; k++) {
            sk_feat_opts o;
            sk_feat_opts_default(&o, types[k]);
            o.frame.dither = 0;
            o.mfcc.raw_energy = false;
            o.fbank.use_energy = true;
            float *a;
            int32_t r = 0, d = 0;
            CHECK_INT(run(&o, z, 8000, 16000, 1.0f, &a, &r, &d), 0);
            CHECK(r == 48 && all_finite(a, (size_t)r * d));
            free(a);
        }
        free(z);
    }
    TEST("shorter than one frame and 0 samples give 0 rows (snip-edges); no-snip gives 1") {
        sk_feat_opts o;
        sk_feat_opts_default(&o, SK_FEAT_MFCC);
        float *a;
        int32_t r = 0, d = 0;
        CHECK_INT(run(&o, w, 399, 16000, 1.0f, &a, &r, &d), 0);
        CHECK(r == 0 && a == NULL);
        CHECK_INT(run(&o, w, 0, 16000, 1.0f, &a, &r, &d), 0);
        CHECK(r == 0 && a == NULL);
        o.frame.snip_edges = false;
        CHECK_INT(run(&o, w, 100, 16000, 1.0f, &a, &r, &d), 0);
        CHECK(r == 1 && all_finite(a, d));
        free(a);
    }
    TEST("8 kHz wave with the 16 kHz default is refused; allowed with --allow-upsample") {
        sk_feat_opts o;
        sk_feat_opts_default(&o, SK_FEAT_FBANK);
        float *a;
        int32_t r = 0, d = 0;
        CHECK_INT(run(&o, w, 8000, 8000, 1.0f, &a, &r, &d), SK_EINVAL);
        o.frame.allow_upsample = true;
        CHECK_INT(run(&o, w, 8000, 8000, 1.0f, &a, &r, &d), 0);
        CHECK_INT(r, 98);
        free(a);
        o.frame.samp_freq = 8000;
        CHECK_INT(run(&o, w, 16000, 16000, 1.0f, &a, &r, &d), SK_EINVAL);
        o.frame.allow_downsample = true;
        CHECK_INT(run(&o, w, 16000, 16000, 1.0f, &a, &r, &d), 0);
        CHECK_INT(r, 98);
        free(a);
    }
    TEST("resampling 16k -> 8k keeps a 440 Hz tone's amplitude and the length") {
        float *tone = malloc(sizeof(float) * 16000), *out;
        for (int i = 0; i < 16000; i++) tone[i] = (float)(1000 * sin(2 * M_PI * 440 * i / 16000.0));
        int64_t m;
        CHECK_INT(sk_resample(tone, 16000, 16000, 8000, &out, &m), 0);
        CHECK_INT(m, 8000);
        float mx = 0;
        for (int i = 1000; i < 7000; i++) mx = fmaxf(mx, fabsf(out[i]));
        CHECK_NEAR(mx, 1000, 10);
        CHECK_NEAR(out[4000], 1000 * sin(2 * M_PI * 440 * 4000 / 8000.0), 10);
        free(out);
        free(tone);
    }
    TEST("options change the output: lifter, use-energy, htk-compat, vtln warp, raw fft dim") {
        sk_feat_opts o;
        sk_feat_opts_default(&o, SK_FEAT_MFCC);
        o.frame.dither = 0;
        float *a, *b;
        int32_t r = 0, d = 0;
        run(&o, w, 16000, 16000, 1.0f, &a, &r, &d);
        o.mfcc.htk_compat = true;
        run(&o, w, 16000, 16000, 1.0f, &b, &r, &d);
        CHECK_NEAR(b[12], a[0], 0);          /* energy moved last */
        CHECK_NEAR(b[0], a[1], 0);
        free(b);
        o.mfcc.htk_compat = false;
        o.mfcc.cepstral_lifter = 0;
        run(&o, w, 16000, 16000, 1.0f, &b, &r, &d);
        CHECK_NEAR(b[0], a[0], 0);
        CHECK(fabsf(a[5] / b[5] - (float)(1 + 11 * sin(M_PI * 5 / 22))) < 1e-3);
        free(b);
        o.mfcc.cepstral_lifter = 22;
        run(&o, w, 16000, 16000, 0.9f, &b, &r, &d);
        CHECK(b[0] == a[0] && b[3] != a[3]);
        free(b);
        free(a);
        sk_feat_opts s;
        sk_feat_opts_default(&s, SK_FEAT_SPECTROGRAM);
        s.spec.return_raw_fft = true;
        run(&s, w, 16000, 16000, 1.0f, &a, &r, &d);
        CHECK_INT(d, 512);
        free(a);
    }
    TEST("bad options are refused at construction") {
        sk_feat_opts o;
        sk_feat_opts_default(&o, SK_FEAT_MFCC);
        o.mfcc.num_ceps = 30;
        CHECK(sk_feat_computer_new(&o) == NULL);
        sk_feat_opts_default(&o, SK_FEAT_FBANK);
        o.frame.window_type = "bogus";
        CHECK(sk_feat_computer_new(&o) == NULL);
        sk_feat_opts_default(&o, SK_FEAT_FBANK);
        o.num_threads = 0;
        CHECK(sk_feat_computer_new(&o) == NULL);
    }
    free(w);
    return tap_done();
}
