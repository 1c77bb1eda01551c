/* Unit tests for lib/compute: every op of the fast CPU backend against the naive reference
 * ("cpu-ref"), with a per-op tolerance on the max relative error (ggml test-backend-ops). */
#include "compute/backend.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const sk_backend *F, *R;
static unsigned seed_ = 12345;
static float urand(void) { seed_ = seed_ * 1103515245u + 12345u; return ((seed_ >> 8) & 0xffffff) / 16777216.0f; }

/* A random matrix of the given shape, duplicated into both backends. */
typedef struct { sk_bmat f, r; } pair;
static pair mk(int rows, int cols, float lo, float hi)
{
    pair p;
    F->mat_alloc(F, &p.f, rows, cols);
    R->mat_alloc(R, &p.r, rows, cols);
    float *h = malloc(sizeof(float) * (size_t)(rows * cols + 1));
    for (int i = 0; i < rows * cols; i++)
        h[i] = lo + (hi - lo) * urand();
    F->upload(F, &p.f, h, cols);
    R->upload(R, &p.r, h, cols);
    free(h);
    return p;
}
static void rel(pair *p) { F->mat_free(F, &p->f); R->mat_free(R, &p->r); }
/* max |f - r| / (1 + |r|) */
static double diff(const sk_bmat *a, const sk_bmat *b)
{
    double m = 0;
    if (a->rows != b->rows || a->cols != b->cols)
        return 1e30;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++) {
            double x = a->data[(size_t)i * a->stride + j], y = b->data[(size_t)i * b->stride + j];
            double d = fabs(x - y) / (1 + fabs(y));
            if (!(d <= m))
                m = isnan(d) ? 1e30 : d;
        }
    return m;
}
static double vdiff(const sk_bvec *a, const sk_bvec *b)
{
    sk_bmat x = { a->data, 1, a->dim, a->dim }, y = { b->data, 1, b->dim, b->dim };
    return diff(&x, &y);
}
typedef struct { sk_bvec f, r; } vpair;
static vpair mkv(int dim, float lo, float hi)
{
    vpair v;
    F->vec_alloc(F, &v.f, dim);
    R->vec_alloc(R, &v.r, dim);
    for (int i = 0; i < dim; i++)
        v.f.data[i] = v.r.data[i] = lo + (hi - lo) * urand();
    return v;
}
static void relv(vpair *v) { F->vec_free(F, &v->f); R->vec_free(R, &v->r); }

int main(void)
{
    F = sk_backend_cpu();
    R = sk_backend_cpu_ref();
    TEST("backends by name") {
        CHECK(sk_backend_get("cpu") == F);
        CHECK(sk_backend_get("cpu-ref") == R);
        CHECK(sk_backend_select("no") == F);
        CHECK(F->supports(F, SK_OP_GEMM));
    }
    TEST("every entry of both tables is set") {
        /* all members from `supports` to the end are function pointers */
        for (int k = 0; k < 2; k++) {
            const sk_backend *b = k ? R : F;
            const char *p = (const char *)&b->supports, *end = (const char *)(b + 1);
            for (int i = 0; p + sizeof(void (*)(void)) <= end; p += sizeof(void (*)(void)), i++) {
                void (*fp)(void);
                memcpy(&fp, p, sizeof fp);
                if (!fp)
                    TAP_FAIL("%s: entry %d is NULL", b->name, i);
            }
        }
    }
    TEST("max_elements / add_where_equal / vec_pow") {
        pair a = mk(3, 4, -1, 1), b = mk(3, 4, -1, 1), d = mk(3, 4, 0, 0);
        R->copy(R, &d.r, &a.r);
        R->max_elements(R, &d.r, &b.r);
        CHECK_NEAR(d.r.data[5], fmax(a.r.data[5], b.r.data[5]), 0);
        sk_bmat z; R->mat_alloc(R, &z, 3, 4);
        R->add_where_equal(R, &z, &b.r, &d.r, &a.r);
        CHECK_NEAR(z.data[5], a.r.data[5] >= b.r.data[5] ? b.r.data[5] : 0, 0);
        vpair v = mkv(4, 1, 4);
        float x = v.r.data[2];
        R->vec_pow(R, &v.r, -0.5f);
        CHECK_NEAR(v.r.data[2], 1 / sqrt(x), 1e-6);
        R->mat_free(R, &z); rel(&a); rel(&b); rel(&d); relv(&v);
    }
    TEST("gemm, all transposes, beta 0 and 1, odd sizes vs reference") {
        int dims[][3] = { { 7, 5, 3 }, { 33, 17, 65 }, { 64, 130, 40 }, { 1, 1, 1 } };
        for (int d = 0; d < 4; d++)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++)
                    for (int bi = 0; bi < 2; bi++) {
                        int m = dims[d][0], n = dims[d][1], k = dims[d][2];
                        pair a = ta ? mk(k, m, -1, 1) : mk(m, k, -1, 1);
                        pair b = tb ? mk(n, k, -1, 1) : mk(k, n, -1, 1);
                        pair c = mk(m, n, -1, 1);
                        float beta = bi ? 0.9f : 0.0f;
                        F->gemm(F, ta, tb, 0.7f, &a.f, &b.f, beta, &c.f);
                        R->gemm(R, ta, tb, 0.7f, &a.r, &b.r, beta, &c.r);
                        double e = diff(&c.f, &c.r);
                        if (e > 1e-5)
                            TAP_FAIL("gemm %dx%dx%d ta=%d tb=%d beta=%g err %g", m, n, k, ta, tb, beta, e);
                        rel(&a); rel(&b); rel(&c);
                    }
    }
    TEST("gemm on views (strided sub-blocks)") {
        pair a = mk(20, 30, -1, 1), b = mk(25, 30, -1, 1), c = mk(10, 12, 0, 1);
        sk_bmat af = sk_bmat_view(&a.f, 3, 10, 5, 20), ar = sk_bmat_view(&a.r, 3, 10, 5, 20);
        sk_bmat bf = sk_bmat_view(&b.f, 2, 12, 1, 20), br = sk_bmat_view(&b.r, 2, 12, 1, 20);
        F->gemm(F, false, true, 1, &af, &bf, 1, &c.f);
        R->gemm(R, false, true, 1, &ar, &br, 1, &c.r);
        CHECK(diff(&c.f, &c.r) < 1e-5);
        rel(&a); rel(&b); rel(&c);
    }
    TEST("gemm with beta 0 ignores NaN in C") {
        pair a = mk(4, 3, -1, 1), b = mk(3, 5, -1, 1), c = mk(4, 5, 0, 1);
        c.f.data[0] = NAN;
        F->gemm(F, false, false, 1, &a.f, &b.f, 0, &c.f);
        R->gemm(R, false, false, 1, &a.r, &b.r, 0, &c.r);
        CHECK(!isnan(c.f.data[0]));
        CHECK(diff(&c.f, &c.r) < 1e-5);
        rel(&a); rel(&b); rel(&c);
    }
    TEST("sigmoid fast path vs reference, incl. large |x|") {
        pair x = mk(37, 101, -30, 30), y = mk(37, 101, 0, 1);
        F->sigmoid(F, &y.f, &x.f);
        R->sigmoid(R, &y.r, &x.r);
        CHECK(diff(&y.f, &y.r) < 1e-6);
        /* in place */
        F->sigmoid(F, &x.f, &x.f);
        CHECK(diff(&x.f, &y.r) < 1e-6);
        rel(&x); rel(&y);
    }
    TEST("large activations, softmax, bias, argmax: fast table equals the reference") {
        int NR = 613, C = 300;
        pair x = mk(NR, C, -8, 8), y = mk(NR, C, 0, 0), d = mk(NR, C, -1, 1), o = mk(NR, C, 0, 0);
        vpair v = mkv(C, -1, 1);
        F->sigmoid(F, &y.f, &x.f); R->sigmoid(R, &y.r, &x.r);
        CHECK(diff(&y.f, &y.r) < 1e-6);
        F->diff_sigmoid(F, &o.f, &y.f, &d.f); R->diff_sigmoid(R, &o.r, &y.r, &d.r);
        CHECK(diff(&o.f, &o.r) == 0 || diff(&o.f, &o.r) < 1e-6);
        F->tanh(F, &y.f, &x.f); R->tanh(R, &y.r, &x.r);
        CHECK(diff(&y.f, &y.r) == 0);
        F->diff_tanh(F, &o.f, &y.f, &d.f); R->diff_tanh(R, &o.r, &y.r, &d.r);
        CHECK(diff(&o.f, &o.r) == 0);
        F->softmax(F, &y.f, &x.f); R->softmax(R, &y.r, &x.r);   /* fast exp: ~1e-7 */
        CHECK(diff(&y.f, &y.r) < 1e-6);
        /* the fast exp against libm's expf over its whole clamped range */
        double worst = 0;
        for (float t = -87.0f; t < 88.0f; t += 0.0137f) {
            sk_bmat one = { &t, 1, 1, 1 }, out;
            float o1, o2;
            out = (sk_bmat){ &o1, 1, 1, 1 };
            F->softmax(F, &out, &one);        /* 1-column softmax is exp(0)/exp(0) */
            o2 = 1.0f / (1.0f + expf(-t));
            out = (sk_bmat){ &o1, 1, 1, 1 };
            F->sigmoid(F, &out, &one);
            double e = fabs(o1 - o2) / (o2 + 1e-30);
            if (o2 > 1e-30 && e > worst)
                worst = e;
        }
        if (!(worst < 2e-6))
            TAP_FAIL("fast sigmoid relative error %g", worst);
        R->copy(R, &y.f, &y.r);
        F->add_vec_to_rows(F, 0.5f, &v.f, 0.7f, &y.f); R->add_vec_to_rows(R, 0.5f, &v.r, 0.7f, &y.r);
        CHECK(diff(&y.f, &y.r) == 0);
        int32_t *i1 = malloc(sizeof(int32_t) * NR), *i2 = malloc(sizeof(int32_t) * NR);
        F->row_max_id(F, &x.f, i1); R->row_max_id(R, &x.r, i2);
        CHECK(!memcmp(i1, i2, sizeof(int32_t) * NR));
        free(i1); free(i2);
        rel(&x); rel(&y); rel(&d); rel(&o); relv(&v);
    }
    TEST("col_sums fast path vs reference") {
        pair m = mk(300, 77, -1, 1);
        vpair v = mkv(77, -1, 1);
        F->col_sums(F, 0.5f, &m.f, 0.9f, &v.f);
        R->col_sums(R, 0.5f, &m.r, 0.9f, &v.r);
        CHECK(vdiff(&v.f, &v.r) < 1e-5);
        rel(&m); relv(&v);
    }
    TEST("softmax rows sum to one, max-shifted, block views") {
        pair x = mk(5, 20, -50, 50), y = mk(5, 20, 0, 1);
        sk_bmat xb = sk_bmat_cols(&x.r, 4, 8), yb = sk_bmat_cols(&y.r, 4, 8);
        R->softmax(R, &yb, &xb);
        for (int r = 0; r < 5; r++) {
            double s = 0;
            for (int c = 0; c < 8; c++)
                s += yb.data[r * yb.stride + c];
            CHECK_NEAR(s, 1.0, 1e-5);
        }
        CHECK_NEAR(y.r.data[0], y.f.data[0], 0);  /* columns outside the block untouched */
        rel(&x); rel(&y);
    }
    TEST("xent: dY = (Y - T) w', stats") {
        pair y = mk(3, 4, 0.1f, 0.3f), t = mk(3, 4, 0, 0), d = mk(3, 4, 0, 0);
        vpair w = mkv(3, 1, 1);
        t.r.data[0 * t.r.stride + 1] = 1.0f;
        t.r.data[1 * t.r.stride + 2] = 0.5f;
        double xe[4] = { 0 }, en[4] = { 0 }, fr[4] = { 0 };
        float wp[3];
        R->xent(R, &y.r, &t.r, &w.r, &d.r, xe, en, fr, wp);
        CHECK_NEAR(wp[0], 1.0, 1e-7);
        CHECK_NEAR(wp[1], 0.5, 1e-7);
        CHECK_NEAR(wp[2], 0.0, 1e-7);
        CHECK_NEAR(fr[1], 1.0, 1e-7);
        CHECK_NEAR(fr[2], 0.25, 1e-7);
        CHECK_NEAR(xe[1], -log(y.r.data[1]), 1e-6);
        CHECK_NEAR(d.r.data[0], y.r.data[0], 1e-7);
        CHECK_NEAR(d.r.data[1], y.r.data[1] - 1, 1e-7);
        CHECK_NEAR(en[2], -0.25 * log(0.5), 1e-6);
        rel(&y); rel(&t); rel(&d); relv(&w);
    }
    TEST("training-step passes: fast table bit-identical to the reference") {
        /* xent with sparse soft targets (several per row, an all-zero row, a NaN target) */
        int NR = 37, C = 1300;
        pair y = mk(NR, C, 0.0001f, 0.01f), t = mk(NR, C, 0, 0), d = mk(NR, C, 0, 0);
        vpair w = mkv(NR, 0.5f, 2);
        for (int r = 0; r < NR; r++) {
            if (r == 5)
                continue;
            for (int k = 0; k < 1 + r % 3; k++) {
                int c = (int)(urand() * C) % C;
                float v = r == 9 && k == 0 ? NAN : urand();
                t.f.data[r * t.f.stride + c] = t.r.data[r * t.r.stride + c] = v;
            }
        }
        double *st = calloc(6 * (size_t)C, sizeof(double));
        float wf[37], wr[37];
        F->xent(F, &y.f, &t.f, &w.f, &d.f, st, st + C, st + 2 * C, wf);
        R->xent(R, &y.r, &t.r, &w.r, &d.r, st + 3 * C, st + 4 * C, st + 5 * C, wr);
        CHECK(!memcmp(wf, wr, sizeof wf));
        CHECK(!memcmp(d.f.data, d.r.data, sizeof(float) * (size_t)NR * C));
        CHECK(!memcmp(st, st + 3 * C, sizeof(double) * 3 * (size_t)C));
        free(st);
        /* argmax: ties (first wins), NaN (never wins, but stays in column 0), -inf rows */
        for (int r = 0; r < NR; r++) {
            float *a = y.f.data + r * y.f.stride, *b = y.r.data + r * y.r.stride;
            if (r == 1) a[0] = b[0] = NAN;
            if (r == 2) a[7] = b[7] = a[900] = b[900] = 5.0f;
            if (r == 3) a[3] = b[3] = NAN, a[C - 1] = b[C - 1] = 1.0f;
            if (r == 4) for (int c = 0; c < C; c++) a[c] = b[c] = -INFINITY;
            if (r == 6) a[C - 2] = b[C - 2] = 7.0f;
        }
        int32_t i1[37], i2[37];
        F->row_max_id(F, &y.f, i1); R->row_max_id(R, &y.r, i2);
        CHECK(!memcmp(i1, i2, sizeof i1));
        CHECK(i2[1] == 0 && i2[2] == 7 && i2[3] == C - 1 && i2[4] == 0 && i2[6] == C - 2);
        sk_bmat n1 = sk_bmat_cols(&y.f, 0, 5), n2 = sk_bmat_cols(&y.r, 0, 5);  /* < 8 columns */
        F->row_max_id(F, &n1, i1); R->row_max_id(R, &n2, i2);
        CHECK(!memcmp(i1, i2, sizeof i1));
        /* diff_sigmoid (also in place), bias add and column sums with beta 0 */
        pair s = mk(NR, C, 0, 1), g = mk(NR, C, -1, 1), o = mk(NR, C, 0, 0);
        F->diff_sigmoid(F, &o.f, &s.f, &g.f); R->diff_sigmoid(R, &o.r, &s.r, &g.r);
        CHECK(!memcmp(o.f.data, o.r.data, sizeof(float) * (size_t)NR * C));
        F->diff_sigmoid(F, &g.f, &s.f, &g.f); R->diff_sigmoid(R, &g.r, &s.r, &g.r);
        CHECK(!memcmp(g.f.data, g.r.data, sizeof(float) * (size_t)NR * C));
        vpair v = mkv(C, -1, 1);
        F->add_vec_to_rows(F, 1.0f, &v.f, 0.0f, &o.f); R->add_vec_to_rows(R, 1.0f, &v.r, 0.0f, &o.r);
        CHECK(!memcmp(o.f.data, o.r.data, sizeof(float) * (size_t)NR * C));
        F->col_sums(F, -0.3f, &s.f, 0.0f, &v.f); R->col_sums(R, -0.3f, &s.r, 0.0f, &v.r);
        CHECK(vdiff(&v.f, &v.r) < 1e-5);
        sk_bmat ob = sk_bmat_cols(&o.f, 3, 700), rb = sk_bmat_cols(&o.r, 3, 700);  /* a block */
        F->set_const(F, &ob, 0.0f); R->set_const(R, &rb, 0.0f);
        CHECK(!memcmp(o.f.data, o.r.data, sizeof(float) * (size_t)NR * C));
        F->set_const(F, &ob, -0.0f); R->set_const(R, &rb, -0.0f);
        CHECK(!memcmp(o.f.data, o.r.data, sizeof(float) * (size_t)NR * C));
        F->set_const(F, &ob, 2.5f); R->set_const(R, &rb, 2.5f);
        CHECK(!memcmp(o.f.data, o.r.data, sizeof(float) * (size_t)NR * C));
        rel(&y); rel(&t); rel(&d); relv(&w); rel(&s); rel(&g); rel(&o); relv(&v);
    }
    TEST("copy_rows / add_to_rows / copy_cols / add_to_cols") {
        pair s = mk(4, 3, -1, 1), d = mk(5, 3, 0, 0);
        int32_t idx[5] = { 3, 0, -1, 2, 2 };
        R->copy_rows(R, &d.r, &s.r, idx);
        CHECK_NEAR(d.r.data[0], s.r.data[3 * s.r.stride], 0);
        CHECK_NEAR(d.r.data[2 * d.r.stride + 1], 0, 0);
        int32_t idx2[4] = { 1, -1, 4, 0 };
        R->add_to_rows(R, &d.r, &s.r, idx2);
        CHECK_NEAR(d.r.data[1 * d.r.stride + 2], s.r.data[2] + s.r.data[0 * s.r.stride + 2], 1e-7);
        pair c = mk(4, 2, 0, 0);
        int32_t ci[2] = { 2, 0 };
        R->copy_cols(R, &c.r, &s.r, ci);
        CHECK_NEAR(c.r.data[c.r.stride + 0], s.r.data[s.r.stride + 2], 0);
        pair e = mk(4, 3, 0, 0);
        int32_t ai[2] = { 1, 1 };
        R->add_to_cols(R, &e.r, &c.r, ai);
        CHECK_NEAR(e.r.data[1], c.r.data[0] + c.r.data[1], 1e-7);
        rel(&s); rel(&d); rel(&c); rel(&e);
    }
    TEST("max_norm caps row norms, l1 zeroes sign crossings") {
        pair w = mk(6, 10, -3, 3);
        R->max_norm(R, &w.r, 1.0f);
        for (int r = 0; r < 6; r++) {
            double s = 0;
            for (int c = 0; c < 10; c++)
                s += w.r.data[r * w.r.stride + c] * w.r.data[r * w.r.stride + c];
            CHECK(sqrt(s) <= 1.0 + 1e-5);
        }
        sk_bmat ww, gg;
        R->mat_alloc(R, &ww, 1, 2);
        R->mat_alloc(R, &gg, 1, 2);
        ww.data[0] = 0.01f; ww.data[1] = 1.0f; gg.data[0] = 1.0f; gg.data[1] = 0.0f;
        R->l1_update(R, &ww, &gg, 0.1f, 0.05f);
        CHECK_NEAR(ww.data[0], 0, 0);
        CHECK_NEAR(gg.data[0], 0, 0);
        CHECK_NEAR(ww.data[1], 0.95, 1e-6);
        R->mat_free(R, &ww); R->mat_free(R, &gg); rel(&w);
    }
    TEST("dropout mask keeps about 1-rate, values 0 or scale") {
        pair m = mk(100, 100, 0, 0);
        R->seed(R, 1);
        R->dropout_mask(R, &m.r, 0.3f, 2.0f);
        double s = R->sum(R, &m.r);
        CHECK(s > 2 * 10000 * 0.65 && s < 2 * 10000 * 0.75);
        int bad = 0;
        for (int i = 0; i < 100 * 100; i++) {
            float v = m.r.data[(i / 100) * m.r.stride + i % 100];
            bad += v != 0 && v != 2.0f;
        }
        CHECK_INT(bad, 0);
        rel(&m);
    }
    TEST("diff_softmax against explicit Jacobian; prelu grads") {
        pair y = mk(2, 5, 0, 1), dy = mk(2, 5, -1, 1), dx = mk(2, 5, 0, 0);
        R->softmax(R, &y.r, &y.r);
        R->diff_softmax(R, &dx.r, &y.r, &dy.r);
        for (int r = 0; r < 2; r++)
            for (int i = 0; i < 5; i++) {
                double s = 0;
                for (int j = 0; j < 5; j++) {
                    double yi = y.r.data[r * y.r.stride + i], yj = y.r.data[r * y.r.stride + j];
                    s += ((i == j) * yi - yi * yj) * dy.r.data[r * dy.r.stride + j];
                }
                CHECK_NEAR(dx.r.data[r * dx.r.stride + i], s, 1e-6);
            }
        vpair ga = mkv(5, 0, 0), gb = mkv(5, 0, 0);
        R->prelu_grads(R, &dy.r, &y.r, &ga.r, &gb.r);
        double a0 = 0;
        for (int r = 0; r < 2; r++) {
            double x = dy.r.data[r * dy.r.stride];
            if (x > 0)
                a0 += x * y.r.data[r * y.r.stride];
        }
        CHECK_NEAR(ga.r.data[0], a0, 1e-6);
        rel(&y); rel(&dy); rel(&dx); relv(&ga); relv(&gb);
    }
    return tap_done();
}
