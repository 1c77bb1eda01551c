/* Unit tests for lib/nnet loss.h and randomizer.h: Kaldi's Xent/Mse statistics and report
 * texts, multitask blocks, the frame randomizer's minibatches, remainder and shuffling. */
#include "base/log.h"
#include "nnet/loss.h"
#include "nnet/randomizer.h"
#include "nnet/train.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const sk_backend *be;

/* Random minibatches (softmax outputs, 1..3 target pairs a frame with repeats and zero
 * weights, frame weights) fed to sk_loss_eval and to sk_loss_eval_batch on two losses: the
 * derivatives, the statistics and the reports must agree bit for bit on the CPU. */
static int batch_equals_eval(const char *objective, int32_t O, int64_t report_frames)
{
    enum { N = 37, STEPS = 6 };
    sk_loss *a = sk_loss_new(objective, O, report_frames), *b = sk_loss_new(objective, O, report_frames);
    sk_bmat Y, dA, dB;
    be->mat_alloc(be, &Y, N, O);
    be->mat_alloc(be, &dA, N, O);
    be->mat_alloc(be, &dB, N, O);
    float *y = malloc(sizeof(float) * N * O), w[N];
    sk_post_pair pairs[N * 3];
    sk_post_frame fr[N];
    sk_train_batch tb = { 0 };
    int bad = 0;
    srand(7);
    for (int s = 0; s < STEPS; s++) {
        for (int i = 0; i < N; i++) {
            double z = 0;
            for (int c = 0; c < O; c++)
                z += y[i * O + c] = (float)exp((rand() % 1000) / 250.0);
            for (int c = 0; c < O; c++)
                y[i * O + c] = (float)(y[i * O + c] / z);
            int n = 1 + rand() % 3;
            for (int k = 0; k < n; k++)
                pairs[i * 3 + k] = (sk_post_pair){ rand() % O, (rand() % 5) / 4.0f };
            if (n == 3)
                pairs[i * 3 + 2].id = pairs[i * 3].id;   /* a repeat: the later one counts */
            fr[i] = (sk_post_frame){ &pairs[i * 3], n };
            w[i] = (rand() % 4) / 2.0f;
        }
        be->upload(be, &Y, y, O);
        if (sk_train_batch_set(&tb, fr, w, N) < 0 || sk_loss_eval(a, be, &Y, fr, w, &dA) < 0 ||
            sk_loss_eval_batch(b, be, &Y, &tb, &dB) < 0)
            bad++;
        for (int i = 0; i < N; i++)
            if (memcmp(dA.data + i * dA.stride, dB.data + i * dB.stride, sizeof(float) * O))
                bad++;
    }
    if (sk_loss_flush(b) < 0)
        bad++;
    size_t ns = sk_loss_stats_size(a);
    double *va = calloc(ns, sizeof(double)), *vb = calloc(ns, sizeof(double));
    sk_loss_stats_get(a, va);
    sk_loss_stats_get(b, vb);
    if (memcmp(va, vb, sizeof(double) * ns))
        bad++;
    char *ra = sk_loss_report(a), *rb = sk_loss_report(b);
    char *pa = sk_loss_report_per_class(a), *pb = sk_loss_report_per_class(b);
    if (strcmp(ra, rb) || strcmp(pa, pb))
        bad++;
    if (report_frames && !strstr(ra, "progress: [0.") && !strstr(ra, "progress: [1.") &&
        !strstr(ra, "progress: [2."))
        bad += 1000;   /* the progress list must not be empty */
    free(ra); free(rb); free(pa); free(pb); free(va); free(vb); free(y);
    sk_train_batch_release(&tb);
    be->mat_free(be, &Y);
    be->mat_free(be, &dA);
    be->mat_free(be, &dB);
    sk_loss_free(a);
    sk_loss_free(b);
    return bad;
}

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
    TEST("eval_batch (sparse targets, xent_acc) == eval bit for bit: xent, progress, mse, multitask") {
        CHECK_INT(batch_equals_eval("xent", 9, 0), 0);
        CHECK_INT(batch_equals_eval("xent", 9, 20), 0);
        CHECK_INT(batch_equals_eval("mse", 5, 0), 0);
        CHECK_INT(batch_equals_eval("multitask,xent,4,1.0,xent,5,0.5", 9, 0), 0);
    }
    TEST("eval_batch: out-of-range target is Kaldi's error; batch copies survive the source") {
        sk_loss *l = sk_loss_new("xent", 3, 0);
        sk_bmat Y = upload(y, 3, 3), dY;
        be->mat_alloc(be, &dY, 3, 3);
        sk_train_batch tb = { 0 };
        sk_post_pair bp[3] = { { 1, 1.0f }, { 0, 1.0f }, { 2, 0.5f } };
        sk_post_frame bf[3] = { { &bp[0], 1 }, { &bp[1], 1 }, { &bp[2], 1 } };
        CHECK(sk_train_batch_set(&tb, bf, w, 3) == 0);
        bp[0].id = 2;   /* the batch holds its own copy */
        CHECK_INT(tb.tgt[0].pairs[0].id, 1);
        CHECK_INT(tb.col[0], 1);
        CHECK_NEAR(tb.frames, 1 + 1 + 2 * 0.25, 1e-12);
        CHECK(sk_loss_eval_batch(l, be, &Y, &tb, &dY) == 0);
        bp[0].id = 3;
        CHECK(sk_train_batch_set(&tb, bf, w, 3) == 0);
        CHECK(sk_loss_eval_batch(l, be, &Y, &tb, &dY) == SK_EINVAL);
        sk_train_batch_release(&tb);
        be->mat_free(be, &Y);
        be->mat_free(be, &dY);
        sk_loss_free(l);
    }
    return tap_done();
}
