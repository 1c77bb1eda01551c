/* Unit tests for lib/nnet components: finite-difference checks of every component's input
 * derivative and of every trainable parameter's gradient, on the naive reference backend and
 * the fast CPU backend; the update step of Affine (momentum, L2, max-norm) against the
 * formula. Objective: L = Σ R ⊙ Y for a fixed random R, so dL/dY = R. */
#include "nnet/component.h"
#include "nnet/nnet.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const sk_backend *be;
static unsigned seed_ = 4242;
static float urand(void) { seed_ = seed_ * 1103515245u + 12345u; return ((seed_ >> 8) & 0xffffff) / 16777216.0f; }
static float at(const sk_bmat *m, int r, int c) { return m->data[(size_t)r * m->stride + c]; }
static float *pat(sk_bmat *m, int r, int c) { return &m->data[(size_t)r * m->stride + c]; }
static void fill(sk_bmat *m, float lo, float hi)
{
    for (int r = 0; r < m->rows; r++)
        for (int c = 0; c < m->cols; c++)
            *pat(m, r, c) = lo + (hi - lo) * urand();
}

static double objective(sk_component *c, const sk_bmat *x, const sk_bmat *R)
{
    sk_bmat y;
    be->mat_alloc(be, &y, x->rows, c->out_dim);
    c->ops->propagate(c, x, &y);
    double s = 0;
    for (int r = 0; r < y.rows; r++)
        for (int k = 0; k < y.cols; k++)
            s += (double)at(&y, r, k) * at(R, r, k);
    be->mat_free(be, &y);
    return s;
}

/* Returns the max relative error over sampled coordinates of dX and every parameter. */
/* Splice: clamped edge frames are, as in Kaldi, not back-propagated; check interior rows. */
static bool interior;
static double check(sk_component *c, int rows, float xlo, float xhi)
{
    sk_bmat x, y, R, dx;
    be->mat_alloc(be, &x, rows, c->in_dim);
    be->mat_alloc(be, &y, rows, c->out_dim);
    be->mat_alloc(be, &R, rows, c->out_dim);
    be->mat_alloc(be, &dx, rows, c->in_dim);
    fill(&x, xlo, xhi);
    fill(&R, -1, 1);
    c->ops->propagate(c, &x, &y);
    c->ops->backprop(c, &x, &y, &R, &dx);
    if (c->ops->gradient)
        c->ops->gradient(c, &x, &R);
    double worst = 0;
    const float eps = 1e-3f;
    /* input derivative */
    for (int t = 0; t < 12; t++) {
        int r = (int)(urand() * rows) % rows, k = (int)(urand() * c->in_dim) % c->in_dim;
        if (interior)
            r = 1 + (int)(urand() * (rows - 2)) % (rows - 2);
        float old = at(&x, r, k);
        *pat(&x, r, k) = old + eps;
        double lp = objective(c, &x, &R);
        *pat(&x, r, k) = old - eps;
        double lm = objective(c, &x, &R);
        *pat(&x, r, k) = old;
        double num = (lp - lm) / (2 * eps), ana = at(&dx, r, k);
        double e = fabs(num - ana) / (fabs(num) + fabs(ana) + 1e-2);
        if (e > worst)
            worst = e;
    }
    /* parameters */
    for (int p = 0; p < c->n_params; p++)
        for (int t = 0; t < 8; t++) {
            sk_bmat *v = &c->p[p].val;
            int r = (int)(urand() * v->rows) % v->rows, k = (int)(urand() * v->cols) % v->cols;
            float old = at(v, r, k);
            *pat(v, r, k) = old + eps;
            double lp = objective(c, &x, &R);
            *pat(v, r, k) = old - eps;
            double lm = objective(c, &x, &R);
            *pat(v, r, k) = old;
            double num = (lp - lm) / (2 * eps), ana = at(&c->p[p].grad, r, k);
            double e = fabs(num - ana) / (fabs(num) + fabs(ana) + 1e-2);
            if (e > worst)
                worst = e;
        }
    be->mat_free(be, &x); be->mat_free(be, &y); be->mat_free(be, &R); be->mat_free(be, &dx);
    return worst;
}

static sk_component *mk(sk_component_type t, int in, int out)
{
    sk_component *c = sk_component_new(sk_component_ops_by_type(t), be, in, out);
    if (c)
        for (int i = 0; i < c->n_params; i++)
            fill(&c->p[i].val, -0.5f, 0.5f);
    return c;
}
static void set_ivec(sk_component *c, const int32_t *v, int n)
{
    c->ivec = malloc(sizeof(int32_t) * (size_t)n);
    memcpy(c->ivec, v, sizeof(int32_t) * (size_t)n);
    c->n_ivec = n;
}

#define GRADCHECK(name, comp, rows, lo, hi, tol) TEST(name) { \
        sk_component *c_ = (comp); \
        CHECK(c_ != NULL); \
        if (c_) { \
            double e_ = check(c_, rows, lo, hi); \
            if (!(e_ < (tol))) \
                TAP_FAIL("relative error %g", e_); \
            sk_component_free(c_); \
        } \
    }

static char nm[128];
static void run_all(void)
{
#define N(s) (snprintf(nm, sizeof nm, "%s: %s", be->name, s), nm)
    GRADCHECK(N("AffineTransform dX, dW, db"), mk(SK_AFFINE, 7, 5), 6, -1, 1, 1e-2);
    GRADCHECK(N("LinearTransform dX, dW"), mk(SK_LINEAR, 6, 4), 5, -1, 1, 1e-2);
    GRADCHECK(N("Sigmoid dX"), mk(SK_SIGMOID, 6, 6), 5, -3, 3, 1e-2);
    GRADCHECK(N("Tanh dX"), mk(SK_TANH, 6, 6), 5, -2, 2, 1e-2);
    GRADCHECK(N("HiddenSoftmax dX"), mk(SK_HIDDEN_SOFTMAX, 6, 6), 5, -2, 2, 1e-2);
    GRADCHECK(N("AddShift dX, dshift"), mk(SK_ADD_SHIFT, 6, 6), 5, -1, 1, 1e-2);
    GRADCHECK(N("Rescale dX, dscale"), mk(SK_RESCALE, 6, 6), 5, -1, 1, 1e-2);
    GRADCHECK(N("ParametricRelu dX, dalpha, dbeta"), mk(SK_PRELU, 6, 6), 7, -1, 1, 2e-2);
    GRADCHECK(N("LengthNormComponent dX"), mk(SK_LENGTH_NORM, 6, 6), 5, -1, 1, 1e-2);
    {
        sk_component *c = mk(SK_DROPOUT, 6, 6);
        c->rate = 0.0f;
        GRADCHECK(N("Dropout (rate 0) dX"), c, 4, -1, 1, 1e-2);
    }
    {
        sk_component *c = mk(SK_SPLICE, 3, 9);
        int32_t off[3] = { -2, 0, 1 };
        set_ivec(c, off, 3);
        interior = true;
        GRADCHECK(N("Splice dX (interior frames; edges clamp forward, drop backward)"), c, 6, -1, 1, 1e-2);
        interior = false;
    }
    {
        sk_component *c = mk(SK_BLOCK_SOFTMAX, 6, 6);
        int32_t d[2] = { 2, 4 };
        set_ivec(c, d, 2);
        /* block softmax's backward is the xent shortcut, not the Jacobian: check the
         * documented formula instead: dX = dY * (1 - rowsum_block(dY)) */
        sk_bmat x, y, dy, dx;
        be->mat_alloc(be, &x, 3, 6); be->mat_alloc(be, &y, 3, 6);
        be->mat_alloc(be, &dy, 3, 6); be->mat_alloc(be, &dx, 3, 6);
        fill(&x, -1, 1); fill(&dy, -1, 1);
        c->ops->propagate(c, &x, &y);
        c->ops->backprop(c, &x, &y, &dy, &dx);
        TEST(N("BlockSoftmax forward sums to 1 per block, backward formula")) {
            for (int r = 0; r < 3; r++) {
                CHECK_NEAR(at(&y, r, 0) + at(&y, r, 1), 1.0, 1e-5);
                CHECK_NEAR(at(&y, r, 2) + at(&y, r, 3) + at(&y, r, 4) + at(&y, r, 5), 1.0, 1e-5);
                double s = at(&dy, r, 2) + at(&dy, r, 3) + at(&dy, r, 4) + at(&dy, r, 5);
                CHECK_NEAR(at(&dx, r, 3), at(&dy, r, 3) * (1 - s), 1e-5);
            }
        }
        be->mat_free(be, &x); be->mat_free(be, &y); be->mat_free(be, &dy); be->mat_free(be, &dx);
        sk_component_free(c);
    }
    {
        sk_component *c = sk_component_new(sk_component_ops_by_type(SK_CONVOLUTIONAL), be, 12, 6);
        c->k[0] = 2; c->k[1] = 1; c->k[2] = 4;   /* 3 splices x 4, patches of 2: 3 patches */
        CHECK(sk_component_setup(c) == 0);
        fill(&c->p[0].val, -0.5f, 0.5f); fill(&c->p[1].val, -0.5f, 0.5f);
        GRADCHECK(N("ConvolutionalComponent dX, dfilters, dbias"), c, 5, -1, 1, 1e-2);
    }
    {
        sk_component *c = sk_component_new(sk_component_ops_by_type(SK_AVERAGE_POOLING), be, 12, 6);
        c->k[0] = 2; c->k[1] = 2; c->k[2] = 3;
        CHECK(sk_component_setup(c) == 0);
        GRADCHECK(N("AveragePoolingComponent dX"), c, 4, -1, 1, 1e-2);
    }
    {
        sk_component *c = sk_component_new(sk_component_ops_by_type(SK_MAX_POOLING), be, 12, 9);
        c->k[0] = 2; c->k[1] = 1; c->k[2] = 3;  /* overlapping pools */
        CHECK(sk_component_setup(c) == 0);
        /* overlapping max pools: Kaldi divides shared patches' derivatives, which is not the
         * true gradient; check a non-overlapping geometry by finite differences instead */
        sk_component_free(c);
        c = sk_component_new(sk_component_ops_by_type(SK_MAX_POOLING), be, 12, 6);
        c->k[0] = 2; c->k[1] = 2; c->k[2] = 3;
        CHECK(sk_component_setup(c) == 0);
        GRADCHECK(N("MaxPoolingComponent dX (non-overlapping)"), c, 4, -1, 1, 1e-2);
    }
    {
        sk_component *c = sk_component_new(sk_component_ops_by_type(SK_PARALLEL), be, 7, 5);
        c->nested = calloc(2, sizeof *c->nested);
        c->n_nested = 2;
        c->nested[0] = sk_nnet_new(be);
        c->nested[1] = sk_nnet_new(be);
        sk_nnet_append(c->nested[0], mk(SK_AFFINE, 3, 2));
        sk_nnet_append(c->nested[0], mk(SK_SIGMOID, 2, 2));
        sk_nnet_append(c->nested[1], mk(SK_AFFINE, 4, 3));
        sk_bmat x, y, dy;
        be->mat_alloc(be, &x, 4, 7); be->mat_alloc(be, &y, 4, 5); be->mat_alloc(be, &dy, 4, 5);
        fill(&x, -1, 1);
        c->ops->propagate(c, &x, &y);
        sk_bmat x1 = sk_bmat_cols(&x, 3, 4);
        const sk_bmat *y1 = sk_nnet_propagate(c->nested[1], &x1);
        TEST(N("ParallelComponent splits input, concatenates output")) {
            CHECK_NEAR(at(&y, 2, 3), at(y1, 2, 1), 1e-6);
        }
        be->mat_free(be, &x); be->mat_free(be, &y); be->mat_free(be, &dy);
        GRADCHECK(N("ParallelComponent dX"), c, 4, -1, 1, 1e-2);
    }
    TEST(N("Affine update: momentum, L2, step, max-norm as the formula")) {
        sk_component *c = mk(SK_AFFINE, 4, 3);
        sk_bmat x, dy, w0;
        be->mat_alloc(be, &x, 5, 4); be->mat_alloc(be, &dy, 5, 3); be->mat_alloc(be, &w0, 3, 4);
        fill(&x, -1, 1); fill(&dy, -1, 1);
        be->copy(be, &w0, &c->p[0].val);
        sk_train_opts o = { 0.1f, 0.5f, 0.0f, 0.01f };
        c->ops->gradient(c, &x, &dy);
        sk_component_update(c, &o, 5);
        /* first step: corr = grad; W = W*(1 - lr*l2*N) - lr*corr */
        double g = 0;
        for (int r = 0; r < 5; r++)
            g += at(&dy, r, 1) * at(&x, r, 2);
        CHECK_NEAR(at(&c->p[0].val, 1, 2), at(&w0, 1, 2) * (1 - 0.1 * 0.01 * 5) - 0.1 * g, 1e-5);
        /* second step with the same gradient: corr = 0.5*g + g */
        be->copy(be, &w0, &c->p[0].val);
        c->ops->gradient(c, &x, &dy);
        sk_component_update(c, &o, 5);
        CHECK_NEAR(at(&c->p[0].val, 1, 2), at(&w0, 1, 2) * (1 - 0.1 * 0.01 * 5) - 0.1 * 1.5 * g, 1e-5);
        c->max_norm = 0.01f;
        c->ops->gradient(c, &x, &dy);
        sk_component_update(c, &o, 5);
        double n = 0;
        for (int k = 0; k < 4; k++)
            n += at(&c->p[0].val, 0, k) * at(&c->p[0].val, 0, k);
        CHECK(sqrt(n) <= 0.01 * (1 + 1e-5));
        be->mat_free(be, &x); be->mat_free(be, &dy); be->mat_free(be, &w0);
        sk_component_free(c);
    }
    TEST(N("nnet: two half minibatches with summed gradients == one full minibatch")) {
        /* the data-parallel protocol: workers' gradients summed, then one identical update */
        sk_nnet *a = sk_nnet_new(be), *b = sk_nnet_new(be);
        sk_component *c1 = mk(SK_AFFINE, 4, 3);
        sk_nnet_append(a, c1);
        sk_nnet_append(a, mk(SK_SIGMOID, 3, 3));
        sk_component *c2 = sk_component_new(c1->ops, be, 4, 3);
        be->copy(be, &c2->p[0].val, &c1->p[0].val);
        be->copy(be, &c2->p[1].val, &c1->p[1].val);
        sk_nnet_append(b, c2);
        sk_nnet_append(b, mk(SK_SIGMOID, 3, 3));
        sk_bmat x, dy;
        be->mat_alloc(be, &x, 6, 4); be->mat_alloc(be, &dy, 6, 3);
        fill(&x, -1, 1); fill(&dy, -1, 1);
        sk_train_opts o = { 0.1f, 0.0f, 0.0f, 0.0f };
        sk_nnet_propagate(a, &x);
        sk_nnet_backprop(a, &dy, false);
        sk_nnet_update(a, &o);
        /* worker halves on b: accumulate gradient of rows 0-2 and 3-5 */
        float acc[16] = { 0 };
        for (int h = 0; h < 2; h++) {
            sk_bmat xh = sk_bmat_rows(&x, 3 * h, 3), dh = sk_bmat_rows(&dy, 3 * h, 3);
            sk_nnet_propagate(b, &xh);
            sk_nnet_backprop(b, &dh, false);
            for (size_t k = 0; k < c2->grad_len; k++)
                acc[k] += c2->grad_block[k];
        }
        memcpy(c2->grad_block, acc, sizeof(float) * c2->grad_len);
        b->rows = 6;
        sk_nnet_update(b, &o);
        double e = 0;
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 4; k++)
                e = fmax(e, fabs(at(&c1->p[0].val, r, k) - at(&c2->p[0].val, r, k)));
        CHECK(e < 1e-6);
        CHECK_INT(c1->grad_len, 3 * 4 + 3);
        be->mat_free(be, &x); be->mat_free(be, &dy);
        sk_nnet_free(a); sk_nnet_free(b);
    }
    for (int mi = 0; mi < 2; mi++)
    TEST(mi ? N("nnet: fused momentum step (gemm beta) == gradient + update, mixed with plain")
            : N("nnet: fused SGD step == gradient + update (L2, max-norm, bias coef)")) {
        sk_nnet *a = sk_nnet_new(be), *b = sk_nnet_new(be);
        sk_component *ca[2], *cb[2];
        for (int k = 0; k < 2; k++) {
            ca[k] = mk(SK_AFFINE, k ? 3 : 4, 3);
            cb[k] = sk_component_new(ca[k]->ops, be, ca[k]->in_dim, 3);
            be->copy(be, &cb[k]->p[0].val, &ca[k]->p[0].val);
            be->copy(be, &cb[k]->p[1].val, &ca[k]->p[1].val);
            ca[k]->p[1].lr_coef = cb[k]->p[1].lr_coef = 0.1f;
            ca[k]->max_norm = cb[k]->max_norm = 0.8f;
            sk_nnet_append(a, ca[k]);
            sk_nnet_append(a, mk(SK_SIGMOID, 3, 3));
            sk_nnet_append(b, cb[k]);
            sk_nnet_append(b, mk(SK_SIGMOID, 3, 3));
        }
        sk_bmat x, dy;
        be->mat_alloc(be, &x, 5, 4); be->mat_alloc(be, &dy, 5, 3);
        fill(&x, -1, 1); fill(&dy, -1, 1);
        sk_train_opts o = { 0.5f, mi ? 0.9f : 0.0f, 0.0f, 0.01f };
        for (int step = 0; step < 4; step++) {
            sk_nnet_propagate(a, &x);
            sk_nnet_backprop(a, &dy, false);
            sk_nnet_update(a, &o);
            sk_nnet_propagate(b, &x);
            if (mi && step == 2)   /* a plain step between fused ones (the stats minibatch) */
                sk_nnet_backprop(b, &dy, false);
            else
                sk_nnet_backprop_fused(b, &dy, false, &o);
            sk_nnet_update(b, &o);
        }
        if (mi)   /* the momentum buffers carry the history in both */
            CHECK(ca[0]->p[0].corr_owned && cb[0]->p[0].corr_owned && cb[0]->p[1].corr_owned);
        double e = 0;
        for (int k = 0; k < 2; k++)
            for (int p = 0; p < 2; p++)
                for (int r = 0; r < ca[k]->p[p].val.rows; r++)
                    for (int q = 0; q < ca[k]->p[p].val.cols; q++)
                        e = fmax(e, fabs(at(&ca[k]->p[p].val, r, q) - at(&cb[k]->p[p].val, r, q)));
        if (!(e < 1e-5))
            TAP_FAIL("fused and unfused differ by %g", e);
        be->mat_free(be, &x); be->mat_free(be, &dy);
        sk_nnet_free(a); sk_nnet_free(b);
    }
    TEST(N("nnet: forward-only has no derivative buffers; growing batches keep their buffers")) {
        sk_nnet *a = sk_nnet_new(be), *b = sk_nnet_new(be);
        sk_component *ca = mk(SK_AFFINE, 4, 3);
        sk_component *cb = sk_component_new(ca->ops, be, 4, 3);
        be->copy(be, &cb->p[0].val, &ca->p[0].val);
        be->copy(be, &cb->p[1].val, &ca->p[1].val);
        sk_nnet_append(a, ca); sk_nnet_append(a, mk(SK_SIGMOID, 3, 3));
        sk_nnet_append(b, cb); sk_nnet_append(b, mk(SK_SIGMOID, 3, 3));
        b->forward_only = true;
        sk_bmat x;
        be->mat_alloc(be, &x, 12, 4);
        fill(&x, -1, 1);
        sk_bmat x10 = sk_bmat_rows(&x, 0, 10);
        const sk_bmat *ya = sk_nnet_propagate(a, &x10), *yb = sk_nnet_propagate(b, &x10);
        CHECK(ya && yb && b->buf_diff[1].data == NULL && a->buf_diff[1].data != NULL);
        float *p10 = b->buf_prop[1].data;
        yb = sk_nnet_propagate(b, &x);   /* 12 rows: grows to 15, then 11 rows: no change */
        ya = sk_nnet_propagate(a, &x);
        CHECK_INT(b->buf_prop[1].rows, 15);
        CHECK(p10 != b->buf_prop[1].data);
        float *p15 = b->buf_prop[1].data;
        sk_bmat x11 = sk_bmat_rows(&x, 1, 11);
        sk_nnet_propagate(b, &x11);
        CHECK(b->buf_prop[1].data == p15);
        yb = sk_nnet_propagate(b, &x);
        double e = 0;
        for (int r = 0; r < 12; r++)
            for (int q = 0; q < 3; q++)
                e = fmax(e, fabs(at(ya, r, q) - at(yb, r, q)));
        CHECK(e == 0);
        be->mat_free(be, &x);
        sk_nnet_free(a); sk_nnet_free(b);
    }
    TEST(N("nnet: dims must chain")) {
        sk_nnet *nn = sk_nnet_new(be);
        CHECK(sk_nnet_append(nn, mk(SK_AFFINE, 4, 3)) == 0);
        CHECK(sk_nnet_append(nn, mk(SK_SIGMOID, 4, 4)) < 0);
        CHECK_INT(sk_nnet_num_components(nn), 1);
        sk_nnet_free(nn);
    }
}

int main(void)
{
    be = sk_backend_cpu_ref();
    run_all();
    be = sk_backend_cpu();
    run_all();
    return tap_done();
}
