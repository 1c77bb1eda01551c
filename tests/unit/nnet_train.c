/* Unit tests for lib/nnet loss.h and randomizer.h: Kaldi's Xent/Mse statistics and report
 * texts, multitask blocks, the frame randomizer's minibatches, remainder and shuffling. */
#include "nnet/loss.h"
#include "nnet/randomizer.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const sk_backend *be;

static sk_bmat upload(const float *h, int rows, int cols)
{
    sk_bmat m;
    be->mat_alloc(be, &m, rows, cols);
    be->upload(be, &m, h, cols);
    return m;
}

int main(void)
{
    be = sk_backend_cpu();
    sk_post_pair pr[4] = { { 1, 1.0f }, { 0, 1.0f }, { 2, 0.5f }, { 3, 1.0f } };
    sk_post_frame fr[3] = { { &pr[0], 1 }, { &pr[1], 1 }, { &pr[2], 1 } };
    float y[3 * 3] = { 0.2f, 0.7f, 0.1f,   0.5f, 0.3f, 0.2f,   0.6f, 0.3f, 0.1f };
    float w[3] = { 1, 1, 2 };

    TEST("xent: derivative, AvgLoss, accuracy, per-class report") {
        sk_loss *l = sk_loss_new("xent", 3, 0);
        sk_bmat Y = upload(y, 3, 3), dY;
        be->mat_alloc(be, &dY, 3, 3);
        CHECK(sk_loss_eval(l, be, &Y, fr, w, &dY) == 0);
        /* frame 2: target 2 weight 0.5, w' = 2 * 0.5 = 1 */
        CHECK_NEAR(dY.data[0 * dY.stride + 1], 0.7 - 1.0, 1e-6);
        CHECK_NEAR(dY.data[2 * dY.stride + 2], (0.1 - 0.5) * 1.0, 1e-6);
        CHECK_NEAR(dY.data[2 * dY.stride + 0], 0.6 * 1.0, 1e-6);
        /* frames: 1 + 1 + 0.5; xent = -log .7 - log .5 - 0.5 log .1 ; ent = -0.5 log .5 */
        double fsum = 2.5, xe = -log(0.7) - log(0.5) - 0.5 * log(0.1), en = -0.5 * log(0.5);
        CHECK_NEAR(sk_loss_avg(l), (xe - en) / fsum, 1e-5);
        /* correct: frame 0 (argmax 1 == 1) and frame 1 (0 == 0); frame 2 argmax 0 != 2 */
        CHECK_NEAR(sk_loss_frame_accuracy(l), 100.0 * 2 / 2.5, 1e-4);
        char *r = sk_loss_report(l), *pc = sk_loss_report_per_class(l);
        char want[256];
        snprintf(want, sizeof want, "AvgLoss: %g (Xent), [AvgXent: %g, AvgTargetEnt: %g]\nprogress: []\nFRAME_ACCURACY >> 80%% <<\n",
                 (xe - en) / fsum, xe / fsum, en / fsum);
        CHECK_STR(r, want);
        CHECK(!strncmp(pc, "PER-CLASS PERFORMANCE:\n@@@ Frames per-class: [ 1 1 0.5 ]\n", 56));
        CHECK(strstr(pc, "@@@ Frame-accuracy per-class: [ 66.6667 66.6667 0 ]\n") != NULL);
        free(r); free(pc);
        be->mat_free(be, &Y); be->mat_free(be, &dY);
        sk_loss_free(l);
    }
    TEST("xent: target index out of range is an error, the loss stays usable") {
        sk_loss *l = sk_loss_new("xent", 3, 0);
        sk_bmat Y = upload(y, 1, 3), dY;
        be->mat_alloc(be, &dY, 1, 3);
        sk_post_frame bad = { &pr[3], 1 };
        CHECK(sk_loss_eval(l, be, &Y, &bad, w, &dY) < 0);
        CHECK(sk_loss_eval(l, be, &Y, fr, w, &dY) == 0);
        CHECK_NEAR(dY.data[0], 0.2, 1e-6);   /* no stale target left behind */
        be->mat_free(be, &Y); be->mat_free(be, &dY);
        sk_loss_free(l);
    }
    TEST("mse: weighted twice in the loss, frames counted, report") {
        sk_loss *l = sk_loss_new("mse", 3, 0);
        sk_bmat Y = upload(y, 3, 3), dY;
        be->mat_alloc(be, &dY, 3, 3);
        CHECK(sk_loss_eval(l, be, &Y, fr, w, &dY) == 0);
        double loss = 0;
        float t[9] = { 0, 1, 0, 1, 0, 0, 0, 0, 0.5f };
        for (int i = 0; i < 9; i++) {
            double d = w[i / 3] * (y[i] - t[i]);
            loss += 0.5 * w[i / 3] * d * d;
        }
        CHECK_NEAR(sk_loss_avg(l), loss / 4, 1e-6);
        CHECK_NEAR(dY.data[2 * dY.stride + 2], 2 * (0.1 - 0.5), 1e-6);
        char *r = sk_loss_report(l);
        CHECK(strstr(r, "(Mse), [RMS ") && strstr(r, ", frames 4]\nprogress: []\n"));
        free(r);
        be->mat_free(be, &Y); be->mat_free(be, &dY);
        sk_loss_free(l);
    }
    TEST("multitask: blocks, weights, overall report; bad specs rejected") {
        CHECK(sk_loss_new("multitask,xent,2,1.0,mse,2,0.5", 3, 0) == NULL);
        CHECK(sk_loss_new("foo", 3, 0) == NULL);
        sk_loss *l = sk_loss_new("multitask,xent,2,1.0,xent,1,0.5", 3, 0);
        CHECK(l != NULL);
        sk_bmat Y = upload(y, 3, 3), dY;
        be->mat_alloc(be, &dY, 3, 3);
        CHECK(sk_loss_eval(l, be, &Y, fr, w, &dY) == 0);
        /* frame 2 has no target in block 1 (cols 0-1): weight 0 there */
        CHECK_NEAR(dY.data[2 * dY.stride + 0], 0, 1e-7);
        /* block 2 (col 2) weight 0.5: frame 2 w' = 2 * 0.5, dY = 0.5 * (0.1 - 0.5) * 1 */
        CHECK_NEAR(dY.data[2 * dY.stride + 2], 0.5 * (0.1 - 0.5), 1e-6);
        char *r = sk_loss_report(l);
        CHECK(!strncmp(r, "MultiTaskLoss, with 2 parallel loss functions.\nLoss 1, AvgLoss: ", 63));
        CHECK(strstr(r, "Loss (OVERALL), AvgLoss: ") && strstr(r, "(MultiTaskLoss), weights 1 0.5 , values "));
        free(r);
        be->mat_free(be, &Y); be->mat_free(be, &dY);
        sk_loss_free(l);
    }
    TEST("randomizer: fills past size, exact minibatches, remainder carried, in order") {
        sk_randomizer *r = sk_randomizer_new(5, 4, 2);
        sk_mat m; sk_mat_init(&m); sk_mat_resize(&m, 3, 2);
        sk_post_pair pp[3] = { { 0, 1 }, { 1, 1 }, { 2, 1 } };
        sk_post_frame t[3] = { { &pp[0], 1 }, { &pp[1], 1 }, { &pp[2], 1 } };
        float ww[3] = { 1, 1, 1 };
        int next = 0, got[16], ng = 0;
        CHECK(!sk_randomizer_full(r));
        for (int u = 0; u < 2; u++) {
            for (int i = 0; i < 3; i++) { SK_MAT(&m, i, 0) = (float)next++; SK_MAT(&m, i, 1) = 0; }
            CHECK(sk_randomizer_add(r, &m, t, ww) == 0);
        }
        CHECK(sk_randomizer_full(r));      /* 6 > 5 */
        for (; !sk_randomizer_done(r); sk_randomizer_next(r)) {
            sk_mat x = sk_randomizer_feats(r);
            for (int i = 0; i < x.rows; i++) got[ng++] = (int)SK_MAT(&x, i, 0);
        }
        CHECK_INT(ng, 4);
        CHECK_INT(sk_randomizer_buffered(r), 2);
        for (int i = 0; i < 3; i++) SK_MAT(&m, i, 0) = (float)next++;
        CHECK(sk_randomizer_add(r, &m, t, ww) == 0);   /* remainder moves to the front */
        CHECK_INT(sk_randomizer_buffered(r), 5);
        for (; !sk_randomizer_done(r); sk_randomizer_next(r)) {
            sk_mat x = sk_randomizer_feats(r);
            const sk_post_frame *tt = sk_randomizer_targets(r);
            for (int i = 0; i < x.rows; i++) {
                got[ng++] = (int)SK_MAT(&x, i, 0);
                CHECK_INT(tt[i].pairs[0].id, got[ng - 1] % 3);
            }
        }
        CHECK_INT(ng, 8);
        for (int i = 0; i < ng; i++) CHECK_INT(got[i], i);
        sk_mat_release(&m);
        sk_randomizer_free(r);
    }
    TEST("randomizer: shuffle is a permutation keeping features, targets, weights aligned") {
        sk_randomizer *r = sk_randomizer_new(100, 10, 1);
        sk_mat m; sk_mat_init(&m); sk_mat_resize(&m, 50, 1);
        sk_post_pair pp[50];
        sk_post_frame t[50];
        float ww[50];
        for (int i = 0; i < 50; i++) {
            SK_MAT(&m, i, 0) = (float)i; pp[i].id = i; pp[i].weight = 1;
            t[i].pairs = &pp[i]; t[i].n = 1; ww[i] = (float)i;
        }
        sk_randomizer_add(r, &m, t, ww);
        srand(3);
        sk_randomizer_shuffle(r);
        int seen[50] = { 0 }, moved = 0, k = 0;
        for (; !sk_randomizer_done(r); sk_randomizer_next(r)) {
            sk_mat x = sk_randomizer_feats(r);
            const sk_post_frame *tt = sk_randomizer_targets(r);
            const float *w2 = sk_randomizer_weights(r);
            for (int i = 0; i < x.rows; i++, k++) {
                int v = (int)SK_MAT(&x, i, 0);
                seen[v]++;
                moved += v != k;
                CHECK_INT(tt[i].pairs[0].id, v);
                CHECK_NEAR(w2[i], v, 0);
            }
        }
        for (int i = 0; i < 50; i++) CHECK_INT(seen[i], 1);
        CHECK(moved > 25);
        sk_mat_release(&m);
        sk_randomizer_free(r);
    }
    return tap_done();
}
