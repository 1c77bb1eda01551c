/* Unit tests for lib/feat/mel: scale, bank edges, VTLN warping, option checks. */
#include <math.h>

#include "base/log.h"
#include "feat/mel.h"
#include "tap.h"

int main(void)
{
    sk_frame_opts fo;
    sk_frame_opts_default(&fo);
    sk_mel_opts mo;
    sk_mel_opts_default(&mo, 23);
    TEST("mel scale values of the spec and inverse") {
        CHECK_NEAR(sk_mel_scale(20), 31.7486, 1e-3);
        CHECK_NEAR(sk_mel_scale(8000), 2840.038, 1e-3);
        CHECK_NEAR(sk_inv_mel_scale(sk_mel_scale(1234.5f)), 1234.5, 1e-2);
    }
    TEST("23 bins at 16 kHz: triangles peak at 1, within 0..255, first bin starts after 20 Hz") {
        sk_mel_banks mb;
        CHECK_INT(sk_mel_banks_init(&mb, &mo, &fo, 1.0f), 0);
        CHECK_INT(mb.num_bins, 23);
        CHECK_INT(mb.offset[0], 1);                       /* bin 1 = 31.25 Hz > 20 Hz */
        for (int b = 0; b < 23; b++) {
            float mx = 0;
            for (int i = 0; i < mb.len[b]; i++) mx = fmaxf(mx, mb.weights[b][i]);
            CHECK(mx > 0.5f && mx <= 1.0f);
            CHECK(mb.offset[b] + mb.len[b] <= 256);
        }
        /* a flat power spectrum: bank energies grow with the bin width */
        float p[257 + 8], mel[23];   /* + 8: readable padding (mel.h) */
        for (int i = 0; i < 257 + 8; i++) p[i] = 1.0f;
        sk_mel_banks_compute(&mb, p, mel);
        CHECK(mel[22] > mel[0]);
        sk_mel_banks_release(&mb);
    }
    TEST("VTLN: warp 1 is the identity; warp 0.9 moves a mid frequency by 1/0.9, edges fixed") {
        CHECK_NEAR(sk_vtln_warp_freq(100, 7500, 20, 8000, 1.0f, 3000), 3000, 1e-3);
        CHECK_NEAR(sk_vtln_warp_freq(100, 7500, 20, 8000, 0.9f, 3000), 3000 / 0.9, 1e-2);
        CHECK_NEAR(sk_vtln_warp_freq(100, 7500, 20, 8000, 0.9f, 20), 20, 1e-3);
        CHECK_NEAR(sk_vtln_warp_freq(100, 7500, 20, 8000, 0.9f, 8000), 8000, 1e-2);
        sk_mel_banks a, b;
        CHECK_INT(sk_mel_banks_init(&a, &mo, &fo, 1.0f), 0);
        CHECK_INT(sk_mel_banks_init(&b, &mo, &fo, 1.1f), 0);
        CHECK(a.offset[10] != b.offset[10]);
        sk_mel_banks_release(&a);
        sk_mel_banks_release(&b);
    }
    TEST("bad options: < 3 bins, high <= low, high > nyquist, too many bins, bad vtln") {
        sk_mel_banks mb;
        sk_mel_opts e = mo;
        e.num_bins = 2;
        CHECK_INT(sk_mel_banks_init(&mb, &e, &fo, 1.0f), SK_EINVAL);
        e = mo;
        e.high_freq = 10;
        CHECK_INT(sk_mel_banks_init(&mb, &e, &fo, 1.0f), SK_EINVAL);
        e = mo;
        e.high_freq = 9000;
        CHECK_INT(sk_mel_banks_init(&mb, &e, &fo, 1.0f), SK_EINVAL);
        e = mo;
        e.num_bins = 200;
        CHECK_INT(sk_mel_banks_init(&mb, &e, &fo, 1.0f), SK_EINVAL);
        e = mo;
        e.vtln_low = 10;     /* below low-freq */
        CHECK_INT(sk_mel_banks_init(&mb, &e, &fo, 0.9f), SK_EINVAL);
        e.high_freq = -400;  /* negative high-freq is an offset from Nyquist */
        e.vtln_low = 100;
        CHECK_INT(sk_mel_banks_init(&mb, &e, &fo, 1.0f), 0);
        sk_mel_banks_release(&mb);
    }
    return tap_done();
}
