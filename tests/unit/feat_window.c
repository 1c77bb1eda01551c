/* Unit tests for lib/feat/window: frame counts, offsets, reflection, windows, processing. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "base/log.h"
#include "feat/window.h"
#include "tap.h"

int main(void)
{
    sk_frame_opts o;
    sk_frame_opts_default(&o);
    TEST("16 kHz defaults: shift 160, size 400, padded 512") {
        CHECK_INT(sk_frame_shift(&o), 160);
        CHECK_INT(sk_frame_size(&o), 400);
        CHECK_INT(sk_frame_padded(&o), 512);
        o.round_to_power_of_two = false;
        CHECK_INT(sk_frame_padded(&o), 400);
        o.round_to_power_of_two = true;
    }
    TEST("frame counts: 1 s gives 98 (snip) / 100 (no snip); shorter than a frame gives 0") {
        CHECK_INT(sk_num_frames(16000, &o), 98);
        CHECK_INT(sk_num_frames(399, &o), 0);
        CHECK_INT(sk_num_frames(400, &o), 1);
        CHECK_INT(sk_num_frames(0, &o), 0);
        o.snip_edges = false;
        CHECK_INT(sk_num_frames(16000, &o), 100);
        CHECK_INT(sk_num_frames(79, &o), 0);
        CHECK_INT(sk_num_frames(80, &o), 1);
        CHECK_INT(sk_first_sample(0, &o), 80 - 200);
        o.snip_edges = true;
        CHECK_INT(sk_first_sample(3, &o), 480);
    }
    TEST("8 kHz: shift 80, size 200, padded 256") {
        sk_frame_opts e = o;
        e.samp_freq = 8000;
        CHECK_INT(sk_frame_shift(&e), 80);
        CHECK_INT(sk_frame_size(&e), 200);
        CHECK_INT(sk_frame_padded(&e), 256);
    }
    TEST("snip-edges=false reflects the signal at both ends and zero-pads") {
        sk_frame_opts e = o;
        e.snip_edges = false;
        float wave[500], frame[512];
        for (int i = 0; i < 500; i++) wave[i] = (float)i;
        sk_extract_frame(wave, 500, 0, &e, frame);   /* starts at -120 */
        CHECK_NEAR(frame[0], 119, 0);                /* index -120 -> 119 */
        CHECK_NEAR(frame[119], 0, 0);                /* -1 -> 0 */
        CHECK_NEAR(frame[120], 0, 0);
        CHECK_NEAR(frame[121], 1, 0);
        CHECK_NEAR(frame[400], 0, 0);
        CHECK_NEAR(frame[511], 0, 0);
        sk_extract_frame(wave, 500, 3, &e, frame);   /* starts at 360: 500 -> 499, 501 -> 498 */
        CHECK_NEAR(frame[139], 499, 0);
        CHECK_NEAR(frame[140], 499, 0);
        CHECK_NEAR(frame[141], 498, 0);
    }
    TEST("window shapes: hamming ends 0.08, hanning/povey ends 0, middle 1; rectangular 1") {
        const char *types[] = { "hamming", "hanning", "povey", "rectangular", "sine", "blackman" };
        double ends[] = { 0.08, 0, 0, 1, 0, 0.42 - 0.5 + 0.08 };
        for (int k = 0; k < 6; k++) {
            sk_frame_opts e = o;
            e.frame_length_ms = 25.0625f;  /* 401 samples: an exact middle */
            e.window_type = types[k];
            sk_window w;
            CHECK_INT(sk_window_init(&w, &e), 0);
            CHECK_INT(w.size, 401);
            CHECK_NEAR(w.w[0], ends[k], 1e-6);
            CHECK_NEAR(w.w[400], ends[k], 1e-6);
            CHECK_NEAR(w.w[200], 1.0, 1e-6);
            sk_window_release(&w);
        }
    }
    TEST("an unknown window type is refused with Kaldi's message") {
        sk_frame_opts e = o;
        e.window_type = "blackmann";
        sk_window w;
        CHECK_INT(sk_window_init(&w, &e), SK_EINVAL);
    }
    TEST("processing: DC removed, raw energy before pre-emphasis, pre-emphasis as Kaldi") {
        sk_frame_opts e = o;
        e.dither = 0;
        e.window_type = "rectangular";
        sk_window w;
        sk_window_init(&w, &e);
        float x[512];
        for (int i = 0; i < 400; i++) x[i] = 5.0f + (i % 2 ? 1.0f : -1.0f);
        float E;
        sk_process_frame(&e, &w, x, 0, &E);
        CHECK_NEAR(E, log(400.0), 1e-5);               /* after DC removal: +-1 */
        CHECK_NEAR(x[0], -1.0f * (1 - 0.97f), 1e-6);  /* x0 *= 1 - coeff */
        CHECK_NEAR(x[1], 1.0f + 0.97f, 1e-6);
        CHECK_NEAR(x[2], -1.0f - 0.97f, 1e-6);
        sk_window_release(&w);
    }
    TEST("log energy is floored at FLT_EPSILON") {
        float z[10] = { 0 };
        CHECK_NEAR(sk_log_energy(z, 10), log(FLT_EPSILON), 1e-6);
    }
    TEST("dither changes the frame, seeds are reproducible") {
        sk_frame_opts e = o;
        sk_window w;
        sk_window_init(&w, &e);
        float a[512] = { 0 }, b[512] = { 0 };
        sk_process_frame(&e, &w, a, 12345u, NULL);
        sk_process_frame(&e, &w, b, 12345u, NULL);
        CHECK(memcmp(a, b, sizeof a) == 0);
        int nz = 0;
        for (int i = 1; i < 399; i++) nz += a[i] != 0;
        CHECK(nz > 390);
        sk_window_release(&w);
    }
    TEST("bad frame options are refused") {
        sk_frame_opts e = o;
        e.preemph_coeff = 1.5f;
        CHECK_INT(sk_frame_opts_check(&e), SK_EINVAL);
        e = o;
        e.frame_shift_ms = 0;
        CHECK_INT(sk_frame_opts_check(&e), SK_EINVAL);
        CHECK_INT(sk_frame_opts_check(&o), 0);
    }
    return tap_done();
}
