/* Unit tests for lib/feat/cmvn. */
#include <math.h>

#include "base/log.h"
#include "feat/cmvn.h"
#include "tap.h"

static void fill(sk_mat *m)
{
    sk_mat_init(m);
    sk_mat_resize(m, 4, 2);
    float v[4][2] = { { 1, 10 }, { 2, 20 }, { 3, 30 }, { 6, 100 } };
    for (int t = 0; t < 4; t++)
        for (int d = 0; d < 2; d++)
            SK_MAT(m, t, d) = v[t][d];
}

int main(void)
{
    TEST("stats: sums, squares and count in double") {
        sk_mat f;
        sk_dmat st;
        fill(&f);
        sk_dmat_init(&st);
        CHECK_INT(sk_cmvn_init(&st, 2), 0);
        sk_cmvn_acc(&st, &f, NULL);
        CHECK_NEAR(SK_MAT(&st, 0, 0), 12, 0);
        CHECK_NEAR(SK_MAT(&st, 0, 1), 160, 0);
        CHECK_NEAR(SK_MAT(&st, 0, 2), 4, 0);
        CHECK_NEAR(SK_MAT(&st, 1, 0), 50, 0);
        CHECK_NEAR(SK_MAT(&st, 1, 2), 0, 0);
        float w[4] = { 0, 1, 1, 0.5f };
        sk_cmvn_init(&st, 2);
        sk_cmvn_acc(&st, &f, w);
        CHECK_NEAR(SK_MAT(&st, 0, 2), 2.5, 0);
        CHECK_NEAR(SK_MAT(&st, 0, 0), 8, 0);
        sk_dmat_release(&st);
        sk_mat_release(&f);
    }
    TEST("apply with variances: mean 0, variance 1; reverse restores the input") {
        sk_mat f, g;
        sk_dmat st;
        fill(&f);
        fill(&g);
        sk_dmat_init(&st);
        sk_cmvn_init(&st, 2);
        sk_cmvn_acc(&st, &f, NULL);
        CHECK_INT(sk_cmvn_apply(&st, true, &f), 0);
        for (int d = 0; d < 2; d++) {
            double m = 0, v = 0;
            for (int t = 0; t < 4; t++) { m += SK_MAT(&f, t, d); v += SK_MAT(&f, t, d) * SK_MAT(&f, t, d); }
            CHECK_NEAR(m / 4, 0, 1e-6);
            CHECK_NEAR(v / 4, 1, 1e-5);
        }
        CHECK_INT(sk_cmvn_apply_reverse(&st, true, &f), 0);
        for (int t = 0; t < 4; t++)
            for (int d = 0; d < 2; d++)
                CHECK_NEAR(SK_MAT(&f, t, d), SK_MAT(&g, t, d), 1e-4);
        sk_dmat_release(&st);
        sk_mat_release(&f);
        sk_mat_release(&g);
    }
    TEST("fake stats for skipped dims; errors: dims, count < 1, variance stats missing") {
        sk_mat f;
        sk_dmat st;
        fill(&f);
        sk_dmat_init(&st);
        sk_cmvn_init(&st, 2);
        sk_cmvn_acc(&st, &f, NULL);
        int32_t skip[1] = { 1 };
        CHECK_INT(sk_cmvn_fake_stats(&st, skip, 1), 0);
        CHECK_INT(sk_cmvn_apply(&st, true, &f), 0);
        CHECK_NEAR(SK_MAT(&f, 3, 1), 100, 0);       /* untouched */
        skip[0] = 2;
        CHECK_INT(sk_cmvn_fake_stats(&st, skip, 1), SK_EINVAL);
        sk_dmat bad;
        sk_dmat_init(&bad);
        sk_cmvn_init(&bad, 3);
        SK_MAT(&bad, 0, 3) = 5;
        CHECK_INT(sk_cmvn_apply(&bad, false, &f), SK_EINVAL);   /* dim mismatch */
        sk_cmvn_init(&bad, 2);
        SK_MAT(&bad, 0, 2) = 0.5;
        CHECK_INT(sk_cmvn_apply(&bad, false, &f), SK_EINVAL);   /* count */
        sk_dmat_resize(&bad, 1, 3);
        SK_MAT(&bad, 0, 2) = 4;
        CHECK_INT(sk_cmvn_apply(&bad, true, &f), SK_EINVAL);    /* no variance row */
        CHECK_INT(sk_cmvn_apply(&bad, false, &f), 0);
        sk_dmat_release(&bad);
        sk_dmat_release(&st);
        sk_mat_release(&f);
    }
    return tap_done();
}
