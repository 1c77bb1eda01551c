/* Unit tests for lib/feat/deltas and lib/feat/splice. */
#include <math.h>

#include "base/log.h"
#include "feat/deltas.h"
#include "feat/splice.h"
#include "tap.h"

int main(void)
{
    TEST("order-2 window-2 filters are [-2..2]/10 and [4,4,1,-4,-10,-4,1,4,4]/100 (impulse response)") {
        /* a single impulse in the middle of 21 frames: the output columns are the filters */
        sk_mat in, out;
        sk_mat_init(&in);
        sk_mat_init(&out);
        sk_mat_resize(&in, 21, 1);
        SK_MAT(&in, 10, 0) = 1.0f;
        CHECK_INT(sk_compute_deltas(&in, 2, 2, &out), 0);
        CHECK_INT(out.cols, 3);
        float d1[5] = { 2, 1, 0, -1, -2 }, d2[9] = { 4, 4, 1, -4, -10, -4, 1, 4, 4 };
        for (int j = -2; j <= 2; j++)
            CHECK_NEAR(SK_MAT(&out, 10 + j, 1), d1[j + 2] / 10.0, 1e-7);
        for (int j = -4; j <= 4; j++)
            CHECK_NEAR(SK_MAT(&out, 10 + j, 2), d2[j + 4] / 100.0, 1e-7);
        CHECK_NEAR(SK_MAT(&out, 10, 0), 1.0, 0);
        sk_mat_release(&in);
        sk_mat_release(&out);
    }
    TEST("deltas of a constant are 0 (edges replicated)") {
        sk_mat in, out;
        sk_mat_init(&in);
        sk_mat_init(&out);
        sk_mat_resize(&in, 3, 2);
        for (int t = 0; t < 3; t++) { SK_MAT(&in, t, 0) = 5; SK_MAT(&in, t, 1) = -1; }
        CHECK_INT(sk_compute_deltas(&in, 3, 3, &out), 0);
        CHECK_INT(out.cols, 8);
        for (int t = 0; t < 3; t++)
            for (int c = 2; c < 8; c++)
                CHECK(fabsf(SK_MAT(&out, t, c)) < 1e-6);
        CHECK_INT(sk_compute_deltas(&in, 2, 0, &out), SK_EINVAL);
        sk_mat_release(&in);
        sk_mat_release(&out);
    }
    TEST("splice: rows clamp(t-L..t+R), empty input refused") {
        sk_mat in, out;
        sk_mat_init(&in);
        sk_mat_init(&out);
        sk_mat_resize(&in, 4, 1);
        for (int t = 0; t < 4; t++) SK_MAT(&in, t, 0) = (float)t;
        CHECK_INT(sk_splice_frames(&in, 2, 1, &out), 0);
        CHECK_INT(out.cols, 4);
        float exp0[4] = { 0, 0, 0, 1 }, exp3[4] = { 1, 2, 3, 3 };
        for (int j = 0; j < 4; j++) {
            CHECK_NEAR(SK_MAT(&out, 0, j), exp0[j], 0);
            CHECK_NEAR(SK_MAT(&out, 3, j), exp3[j], 0);
        }
        sk_mat e;
        sk_mat_init(&e);
        CHECK_INT(sk_splice_frames(&e, 1, 1, &out), SK_EINVAL);
        sk_mat_release(&in);
        sk_mat_release(&out);
    }
    return tap_done();
}
