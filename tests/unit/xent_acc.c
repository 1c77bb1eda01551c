/* Unit tests for lib/compute/xent_acc on the CPU backend: after several minibatches the
 * fetched statistics equal those of be->xent summed by hand plus the frame-accuracy rule
 * (first maxima of Y and T agree: correct[class] += w'), dY equals be->xent's, and a fetch
 * restarts the sums. The CUDA path is compared with this one in tests/gpu/backend_ops.c. */
#include "compute/xent_acc.h"
#include "tap.h"

#include <stdlib.h>

static unsigned seed_ = 99;
static float urand(void)
{
    seed_ = seed_ * 1103515245u + 12345u;
    return (float)((seed_ >> 8) & 0xffffff) / 16777216.0f;
}

int main(void)
{
    const sk_backend *be = sk_backend_cpu(), *ref = sk_backend_cpu_ref();
    enum { R = 64, K = 20 };
    TEST("statistics, frame accuracy and dY as be->xent + row_max_id; fetch restarts") {
        sk_xent_acc *a = sk_xent_acc_new(be, K);
        CHECK(a != NULL);
        double want[4][K] = { { 0 } }, got[4][K] = { { 0 } };
        sk_bmat y, t, dy, dy2;
        sk_bvec w;
        be->mat_alloc(be, &y, R, K); be->mat_alloc(be, &t, R, K);
        be->mat_alloc(be, &dy, R, K); be->mat_alloc(be, &dy2, R, K);
        be->vec_alloc(be, &w, R);
        double maxd = 0;
        for (int it = 0; it < 3; it++) {
            for (int r = 0; r < R; r++) {
                for (int c = 0; c < K; c++) {
                    y.data[r * y.stride + c] = urand();
                    t.data[r * t.stride + c] = 0;
                }
                t.data[r * t.stride + (r * 7 + it) % K] = 1;
                if (r % 3 == 0)  /* make some frames correct */
                    y.data[r * y.stride + (r * 7 + it) % K] = 2;
                w.data[r] = r % 5 == 0 ? 0 : 0.5f + urand();
            }
            ref->softmax(ref, &y, &y);
            float wp[R];
            int32_t ids[R];
            ref->xent(ref, &y, &t, &w, &dy2, want[0], want[1], want[2], wp);
            ref->row_max_id(ref, &y, ids);
            for (int r = 0; r < R; r++) {
                int b = (r * 7 + it) % K;
                if (ids[r] == b)
                    want[3][b] += wp[r];
            }
            sk_xent_acc_add(a, &y, &t, &w, &dy);
            for (int r = 0; r < R; r++)
                for (int c = 0; c < K; c++)
                    maxd = fmax(maxd, fabs(dy.data[r * dy.stride + c] - dy2.data[r * dy2.stride + c]));
        }
        sk_xent_acc_fetch(a, got[0], got[1], got[2], got[3]);
        double worst = 0, correct = 0;
        for (int k = 0; k < 4; k++)
            for (int c = 0; c < K; c++)
                worst = fmax(worst, fabs(got[k][c] - want[k][c]) / (1 + fabs(want[k][c])));
        for (int c = 0; c < K; c++)
            correct += got[3][c];
        CHECK(worst < 1e-9);
        CHECK(maxd == 0);
        CHECK(correct > 0);
        double again[4][K] = { { 0 } };
        sk_xent_acc_fetch(a, again[0], again[1], again[2], again[3]);
        double s = 0;
        for (int k = 0; k < 4; k++)
            for (int c = 0; c < K; c++)
                s += fabs(again[k][c]);
        CHECK(s == 0);
        be->mat_free(be, &y); be->mat_free(be, &t); be->mat_free(be, &dy); be->mat_free(be, &dy2);
        be->vec_free(be, &w);
        sk_xent_acc_free(a);
    }
    return tap_done();
}
