/* component.c — the math of every nnet1 component (forward, backward, gradient, update) on
 * the backend interface, plus the shared parameter and scratch helpers. Reading, writing,
 * prototypes and Info() live in component_io.c; this file needs no I/O so the gradient
 * checks in tests/unit/component.c link only the math.
 */
#include "nnet/component.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "nnet/nnet.h"

/* ------------------------------------------------------------------ helpers */

int sk_component_add_param(sk_component *c, const char *name, int32_t rows, int32_t cols,
                           float lr_coef)
{
    if (c->n_params >= SK_MAX_PARAMS)
        SK_BUG("too many parameters");
    sk_param *p = &c->p[c->n_params];
    memset(p, 0, sizeof *p);
    p->name = name;
    p->lr_coef = lr_coef;
    if (c->be->mat_alloc(c->be, &p->val, rows, cols) < 0)
        return SK_EIO;
    c->n_params++;
    return 0;
}

int sk_component_alloc_grads(sk_component *c)
{
    size_t n = 0;
    for (int i = 0; i < c->n_params; i++)
        n += (size_t)c->p[i].val.rows * c->p[i].val.cols;
    c->grad_len = n;
    c->grad_block = n ? c->be->alloc(c->be, n * sizeof(float)) : NULL;
    if (n && !c->grad_block)
        return SK_EIO;
    size_t off = 0;
    for (int i = 0; i < c->n_params; i++) {
        sk_param *p = &c->p[i];
        p->grad.data = c->grad_block + off;
        p->grad.rows = p->val.rows;
        p->grad.cols = p->grad.stride = p->val.cols;
        p->corr = p->grad;
        off += (size_t)p->val.rows * p->val.cols;
    }
    return 0;
}

sk_bmat sk_component_work(sk_component *c, int i, int32_t rows, int32_t cols)
{
    sk_bmat *w = &c->work[i];
    if (w->rows < rows || w->cols < cols) {
        int32_t r = rows > w->rows ? rows : w->rows, cc = cols > w->cols ? cols : w->cols;
        c->be->mat_free(c->be, w);
        if (c->be->mat_alloc(c->be, w, r, cc) < 0)
            SK_BUG("out of backend memory for scratch %dx%d", r, cc);
    }
    return sk_bmat_view(w, 0, rows, 0, cols);
}

sk_bvec sk_component_vwork(sk_component *c, int i, int32_t dim)
{
    sk_bvec *v = &c->vwork[i];
    if (v->dim < dim) {
        c->be->vec_free(c->be, v);
        if (c->be->vec_alloc(c->be, v, dim) < 0)
            SK_BUG("out of backend memory for scratch vector %d", dim);
    }
    return sk_bvec_view(v, 0, dim);
}

int32_t *sk_component_idx(sk_component *c, size_t n)
{
    if (c->idx_cap < n) {
        c->be->free(c->be, c->idx);
        c->idx = c->be->alloc(c->be, n * sizeof(int32_t));
        if (!c->idx)
            SK_BUG("out of backend memory for %zu indices", n);
        c->idx_cap = n;
        c->idx_rows = -1;
    }
    return c->idx;
}

static sk_bvec vrow(const sk_bmat *m) { sk_bvec v = { m->data, m->cols }; return v; }

int64_t sk_component_num_params(const sk_component *c)
{
    int64_t n = 0;
    for (int i = 0; i < c->n_params; i++)
        n += (int64_t)c->p[i].val.rows * c->p[i].val.cols;
    for (int i = 0; i < c->n_nested; i++)
        n += sk_nnet_num_params(c->nested[i]);
    return n;
}

static void release_params(sk_component *c)
{
    const sk_backend *be = c->be;
    for (int i = 0; i < c->n_params; i++) {
        be->mat_free(be, &c->p[i].val);
        if (c->p[i].corr_owned)
            be->mat_free(be, &c->p[i].corr);
    }
    c->n_params = 0;
    be->free(be, c->grad_block);
    c->grad_block = NULL;
    c->grad_len = 0;
}

int sk_component_setup(sk_component *c)
{
    release_params(c);
    return c->ops->setup ? c->ops->setup(c) : 0;
}

sk_component *sk_component_new(const sk_component_ops *ops, const sk_backend *be,
                               int32_t in_dim, int32_t out_dim)
{
    switch (ops->type) {
    case SK_AFFINE: case SK_LINEAR: case SK_SPLICE: case SK_COPY: case SK_CONVOLUTIONAL:
    case SK_MAX_POOLING: case SK_AVERAGE_POOLING: case SK_PARALLEL:
        break;
    default:   /* element-wise components keep the dimension */
        if (in_dim != out_dim) {
            SK_ERROR("%s must have equal input and output dims, got input-dim %d, "
                     "output-dim %d", ops->marker, in_dim, out_dim);
            return NULL;
        }
    }
    if (in_dim <= 0 || out_dim <= 0) {
        SK_ERROR("%s: dims must be positive, got input-dim %d, output-dim %d", ops->marker,
                 in_dim, out_dim);
        return NULL;
    }
    sk_component *c = calloc(1, sizeof *c);
    if (!c) {
        SK_ERROR("out of memory");
        return NULL;
    }
    c->ops = ops;
    c->be = be;
    c->in_dim = in_dim;
    c->out_dim = out_dim;
    c->rate = 0.5f;
    c->idx_rows = -1;
    if (ops->setup && ops->setup(c) < 0) {
        sk_component_free(c);
        return NULL;
    }
    return c;
}

void sk_component_free(sk_component *c)
{
    if (!c)
        return;
    release_params(c);
    for (int i = 0; i < 2; i++) {
        c->be->mat_free(c->be, &c->work[i]);
        c->be->vec_free(c->be, &c->vwork[i]);
    }
    c->be->free(c->be, c->idx);
    for (int i = 0; i < c->n_nested; i++)
        sk_nnet_free(c->nested[i]);
    free(c->nested);
    free(c->ivec);
    free(c);
}

void sk_component_update(sk_component *c, const sk_train_opts *o, int32_t n)
{
    if (c->ops->update)
        c->ops->update(c, o, n);
}

/* The momentum buffer, zeroed when first allocated (mat_alloc's contract). */
static void own_corr(sk_component *c, sk_param *p)
{
    if (!p->corr_owned) {
        if (c->be->mat_alloc(c->be, &p->corr, p->val.rows, p->val.cols) < 0)
            SK_BUG("out of backend memory for momentum");
        p->corr_owned = true;
    }
}

/* Momentum: corr = mmt * corr + grad (corr aliases grad while momentum is 0). */
static void momentum(sk_component *c, sk_param *p, float mmt)
{
    const sk_backend *be = c->be;
    if (mmt == 0.0f) {
        if (p->corr_owned)   /* momentum switched off: drop the history */
            be->mat_free(be, &p->corr);
        p->corr_owned = false;
        p->corr = p->grad;
        return;
    }
    own_corr(c, p);
    be->axpby(be, 1.0f, &p->grad, mmt, &p->corr);
}

/* The weight step of Affine/Linear/Convolutional (spec §3.1). */
static void weight_step(sk_component *c, sk_param *p, const sk_train_opts *o, int32_t n,
                        bool regularise)
{
    const sk_backend *be = c->be;
    float lr = o->learn_rate * p->lr_coef;
    momentum(c, p, o->momentum);
    if (regularise && o->l2_penalty != 0)
        be->affine(be, &p->val, 1.0f - lr * o->l2_penalty * n, 0.0f);
    if (regularise && o->l1_penalty != 0)
        be->l1_update(be, &p->val, &p->corr, lr, lr * o->l1_penalty * n);
    be->axpby(be, -lr, &p->corr, 1.0f, &p->val);
}

/* ------------------------------------------------------------------ Affine / Linear */

static void affine_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    const sk_backend *be = c->be;
    if (c->n_params > 1) {
        sk_bvec b = vrow(&c->p[1].val);
        be->add_vec_to_rows(be, 1.0f, &b, 0.0f, out);
        be->gemm(be, false, true, 1.0f, in, &c->p[0].val, 1.0f, out);
    } else {
        be->gemm(be, false, true, 1.0f, in, &c->p[0].val, 0.0f, out);
    }
}
static void affine_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                            const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out;
    c->be->gemm(c->be, false, false, 1.0f, dout, &c->p[0].val, 0.0f, din);
}
static void affine_gradient(sk_component *c, const sk_bmat *in, const sk_bmat *dout)
{
    const sk_backend *be = c->be;
    if (c->fuse) {
        /* W <- W (1 - lr l2 N) - lr dY^T X; b <- b - lr_b colsum(dY): the plain SGD step of
         * affine_update with the gradient never stored (saves a pass over W). */
        const sk_train_opts *o = c->fuse;
        float lr = o->learn_rate * c->p[0].lr_coef;
        if (o->momentum != 0) {
            /* corr <- mmt corr + dY^T X straight from the gemm (beta = momentum, as Kaldi's
             * AddMatMat), then the step of weight_step; the gradient is never stored */
            float mmt = o->momentum;
            own_corr(c, &c->p[0]);
            be->gemm(be, true, false, 1.0f, dout, in, mmt, &c->p[0].corr);
            if (o->l2_penalty != 0)
                be->affine(be, &c->p[0].val, 1.0f - lr * o->l2_penalty * dout->rows, 0.0f);
            be->axpby(be, -lr, &c->p[0].corr, 1.0f, &c->p[0].val);
            if (c->n_params > 1) {
                sk_param *pb = &c->p[1];
                own_corr(c, pb);
                sk_bvec cb = vrow(&pb->corr);
                be->col_sums(be, 1.0f, dout, mmt, &cb);
                be->axpby(be, -o->learn_rate * pb->lr_coef, &pb->corr, 1.0f, &pb->val);
            }
            if (c->max_norm > 0)
                be->max_norm(be, &c->p[0].val, c->max_norm);
            c->fused_done = true;
            return;
        }
        if (o->l2_penalty != 0)
            be->affine(be, &c->p[0].val, 1.0f - lr * o->l2_penalty * dout->rows, 0.0f);
        be->gemm(be, true, false, -lr, dout, in, 1.0f, &c->p[0].val);
        if (c->n_params > 1) {
            sk_bvec b = vrow(&c->p[1].val);
            be->col_sums(be, -o->learn_rate * c->p[1].lr_coef, dout, 1.0f, &b);
        }
        if (c->max_norm > 0)
            be->max_norm(be, &c->p[0].val, c->max_norm);
        c->fused_done = true;
        return;
    }
    be->gemm(be, true, false, 1.0f, dout, in, 0.0f, &c->p[0].grad);
    if (c->n_params > 1) {
        sk_bvec g = vrow(&c->p[1].grad);
        be->col_sums(be, 1.0f, dout, 0.0f, &g);
    }
}
static void affine_update(sk_component *c, const sk_train_opts *o, int32_t n)
{
    weight_step(c, &c->p[0], o, n, true);
    if (c->n_params > 1)
        weight_step(c, &c->p[1], o, n, false);
    if (c->max_norm > 0)
        c->be->max_norm(c->be, &c->p[0].val, c->max_norm);
}
static int affine_setup(sk_component *c)
{
    if (sk_component_add_param(c, "linearity", c->out_dim, c->in_dim, 1.0f) < 0 ||
        sk_component_add_param(c, "bias", 1, c->out_dim, 1.0f) < 0)
        return SK_EIO;
    return sk_component_alloc_grads(c);
}
static int linear_setup(sk_component *c)
{
    if (sk_component_add_param(c, "linearity", c->out_dim, c->in_dim, 1.0f) < 0)
        return SK_EIO;
    return sk_component_alloc_grads(c);
}

/* ------------------------------------------------------------------ activations */

static void copy_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                          const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out;
    c->be->copy(c->be, din, dout);
}
bool sk_component_backprop_is_copy(const sk_component *c)
{
    return c->ops->backprop == copy_backprop;
}
static void sigmoid_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    c->be->sigmoid(c->be, out, in);
}
static void sigmoid_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                             const sk_bmat *dout, sk_bmat *din)
{
    (void)in;
    c->be->diff_sigmoid(c->be, din, out, dout);
}
static void tanh_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    c->be->tanh(c->be, out, in);
}
static void tanh_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                          const sk_bmat *dout, sk_bmat *din)
{
    (void)in;
    c->be->diff_tanh(c->be, din, out, dout);
}
static void softmax_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    c->be->softmax(c->be, out, in);
}
static void hsoftmax_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                              const sk_bmat *dout, sk_bmat *din)
{
    (void)in;
    c->be->diff_softmax(c->be, din, out, dout);
}

/* BlockSoftmax: ivec = block dims. */
static void bsoftmax_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    int32_t off = 0;
    for (int32_t b = 0; b < c->n_ivec; b++) {
        sk_bmat i = sk_bmat_cols(in, off, c->ivec[b]), o = sk_bmat_cols(out, off, c->ivec[b]);
        c->be->softmax(c->be, &o, &i);
        off += c->ivec[b];
    }
}
static void bsoftmax_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                              const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out;
    const sk_backend *be = c->be;
    be->copy(be, din, dout);
    sk_bvec r = sk_component_vwork(c, 0, dout->rows);
    int32_t off = 0;
    for (int32_t b = 0; b < c->n_ivec; b++) {
        sk_bmat d = sk_bmat_cols(din, off, c->ivec[b]);
        be->row_sums(be, 1.0f, &d, 0.0f, &r);
        be->vec_affine(be, &r, -1.0f, 1.0f);
        be->scale_rows(be, &d, &r);
        off += c->ivec[b];
    }
}

/* ------------------------------------------------------------------ Splice / Copy */

/* Index layout in c->idx for n rows and K offsets: forward [k][t] then backward [k][t]. */
static void splice_indices(sk_component *c, int32_t n)
{
    int32_t K = c->n_ivec;
    int32_t *dev = sk_component_idx(c, (size_t)2 * K * n + 1);
    if (c->idx_rows == n)
        return;
    int32_t *h = malloc(sizeof(int32_t) * ((size_t)2 * K * n + 1));
    if (!h)
        SK_BUG("out of memory");
    for (int32_t k = 0; k < K; k++)
        for (int32_t t = 0; t < n; t++) {
            int32_t s = t + c->ivec[k];
            h[(size_t)k * n + t] = s < 0 ? 0 : s >= n ? n - 1 : s;
            h[(size_t)(K + k) * n + t] = (s < 0 || s >= n) ? -1 : s;
        }
    c->be->upload_raw(c->be, dev, h, sizeof(int32_t) * (size_t)2 * K * n);
    free(h);
    c->idx_rows = n;
}
static void splice_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    int32_t n = in->rows;
    if (n == 0)
        return;
    splice_indices(c, n);
    for (int32_t k = 0; k < c->n_ivec; k++) {
        sk_bmat o = sk_bmat_cols(out, k * c->in_dim, c->in_dim);
        c->be->copy_rows(c->be, &o, in, c->idx + (size_t)k * n);
    }
}
static void splice_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                            const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out;
    int32_t n = dout->rows, K = c->n_ivec;
    c->be->set_const(c->be, din, 0.0f);
    if (n == 0)
        return;
    splice_indices(c, n);
    for (int32_t k = 0; k < K; k++) {
        sk_bmat d = sk_bmat_cols(dout, k * c->in_dim, c->in_dim);
        c->be->add_to_rows(c->be, din, &d, c->idx + (size_t)(K + k) * n);
    }
}

static void copyc_indices(sk_component *c)
{
    int32_t *dev = sk_component_idx(c, (size_t)c->n_ivec + 1);
    if (c->idx_rows == 0)
        return;
    c->be->upload_raw(c->be, dev, c->ivec, sizeof(int32_t) * (size_t)c->n_ivec);
    c->idx_rows = 0;
}
static void copyc_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    copyc_indices(c);
    c->be->copy_cols(c->be, out, in, c->idx);
}
static void copyc_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                           const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out; (void)dout;
    /* As Kaldi: <Copy> does not back-propagate (zeros), and says so once. */
    if (!c->copy_warned)
        SK_WARN("Not implemented!");
    c->copy_warned = true;
    c->be->set_const(c->be, din, 0.0f);
}

/* ------------------------------------------------------------------ AddShift / Rescale */

static int vecparam_setup(sk_component *c)
{
    const char *name = c->ops->type == SK_ADD_SHIFT ? "shift_data" : "scale_data";
    if (sk_component_add_param(c, name, 1, c->in_dim, 1.0f) < 0)
        return SK_EIO;
    return sk_component_alloc_grads(c);
}
static void addshift_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    sk_bvec s = vrow(&c->p[0].val);
    c->be->copy(c->be, out, in);
    c->be->add_vec_to_rows(c->be, 1.0f, &s, 1.0f, out);
}
static void addshift_gradient(sk_component *c, const sk_bmat *in, const sk_bmat *dout)
{
    (void)in;
    sk_bvec g = vrow(&c->p[0].grad);
    c->be->col_sums(c->be, 1.0f, dout, 0.0f, &g);
}
static void plain_update(sk_component *c, const sk_train_opts *o, int32_t n)
{
    (void)n;
    for (int i = 0; i < c->n_params; i++)
        c->be->axpby(c->be, -o->learn_rate * c->p[i].lr_coef, &c->p[i].grad, 1.0f, &c->p[i].val);
}
static void rescale_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    sk_bvec s = vrow(&c->p[0].val);
    c->be->copy(c->be, out, in);
    c->be->scale_cols(c->be, out, &s);
}
static void rescale_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                             const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out;
    sk_bvec s = vrow(&c->p[0].val);
    c->be->copy(c->be, din, dout);
    c->be->scale_cols(c->be, din, &s);
}
static void rescale_gradient(sk_component *c, const sk_bmat *in, const sk_bmat *dout)
{
    sk_bmat t = sk_component_work(c, 0, in->rows, in->cols);
    c->be->copy(c->be, &t, dout);
    c->be->mul_elements(c->be, &t, in);
    sk_bvec g = vrow(&c->p[0].grad);
    c->be->col_sums(c->be, 1.0f, &t, 0.0f, &g);
}

/* ------------------------------------------------------------------ Dropout */

static void dropout_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    const sk_backend *be = c->be;
    be->copy(be, out, in);
    if (!c->train || c->rate <= 0.0f)
        return;
    sk_bmat m = sk_component_work(c, 0, in->rows, in->cols);
    be->dropout_mask(be, &m, c->rate, 1.0f / (1.0f - c->rate));
    be->mul_elements(be, out, &m);
}
static void dropout_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                             const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out;
    c->be->copy(c->be, din, dout);
    if (!c->train || c->rate <= 0.0f)
        return;
    sk_bmat m = sk_component_work(c, 0, dout->rows, dout->cols);
    c->be->mul_elements(c->be, din, &m);
}

/* ------------------------------------------------------------------ ParametricRelu */

static int prelu_setup(sk_component *c)
{
    if (sk_component_add_param(c, "alpha", 1, c->out_dim, 1.0f) < 0 ||
        sk_component_add_param(c, "beta", 1, c->out_dim, 1.0f) < 0)
        return SK_EIO;
    return sk_component_alloc_grads(c);
}
static void prelu_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    sk_bvec a = vrow(&c->p[0].val), b = vrow(&c->p[1].val);
    c->be->prelu(c->be, out, in, &a, &b);
}
static void prelu_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                           const sk_bmat *dout, sk_bmat *din)
{
    (void)out;
    sk_bvec a = vrow(&c->p[0].val), b = vrow(&c->p[1].val);
    c->be->diff_prelu(c->be, din, in, dout, &a, &b);
}
static void prelu_gradient(sk_component *c, const sk_bmat *in, const sk_bmat *dout)
{
    sk_bvec a = vrow(&c->p[0].grad), b = vrow(&c->p[1].grad);
    c->be->prelu_grads(c->be, in, dout, &a, &b);
}
static void prelu_update(sk_component *c, const sk_train_opts *o, int32_t n)
{
    for (int i = 0; i < 2; i++) {
        sk_param *p = &c->p[i];
        if (p->lr_coef > 0) {
            momentum(c, p, o->momentum);
            c->be->axpby(c->be, -o->learn_rate * p->lr_coef, &p->corr, 1.0f, &p->val);
        }
    }
    (void)n;
}

/* ------------------------------------------------------------------ LengthNorm */

/* y = x * s, s = (Σ x²)^-1/2 per row; dx = s dy - y * (s * (y·dy)). */
static void lnorm_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    const sk_backend *be = c->be;
    sk_bvec s = sk_component_vwork(c, 0, in->rows);
    be->copy(be, out, in);
    be->mul_elements(be, out, in);
    be->row_sums(be, 1.0f, out, 0.0f, &s);
    be->vec_pow(be, &s, -0.5f);
    be->copy(be, out, in);
    be->scale_rows(be, out, &s);
}
static void lnorm_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                           const sk_bmat *dout, sk_bmat *din)
{
    const sk_backend *be = c->be;
    int32_t n = in->rows;
    sk_bvec s = sk_component_vwork(c, 0, n), d = sk_component_vwork(c, 1, n);
    sk_bmat t = sk_component_work(c, 0, n, in->cols);
    be->copy(be, &t, in);
    be->mul_elements(be, &t, in);
    be->row_sums(be, 1.0f, &t, 0.0f, &s);
    be->vec_pow(be, &s, -0.5f);
    be->copy(be, &t, out);
    be->mul_elements(be, &t, dout);
    be->row_sums(be, 1.0f, &t, 0.0f, &d);
    be->vec_mul(be, &d, &s);
    be->copy(be, din, dout);
    be->scale_rows(be, din, &s);
    be->copy(be, &t, out);
    be->scale_rows(be, &t, &d);
    be->axpby(be, -1.0f, &t, 1.0f, din);
}

/* ------------------------------------------------------------------ Convolutional (1-D) */

/* k[0] patch_dim, k[1] patch_step, k[2] patch_stride. */
static int32_t conv_num_splice(const sk_component *c) { return c->in_dim / c->k[2]; }
static int32_t conv_num_patches(const sk_component *c) { return 1 + (c->k[2] - c->k[0]) / c->k[1]; }
static int32_t conv_filter_dim(const sk_component *c) { return conv_num_splice(c) * c->k[0]; }
static int32_t conv_num_filters(const sk_component *c) { return c->out_dim / conv_num_patches(c); }

static int conv_setup(sk_component *c)
{
    if (c->k[0] == 0 && c->k[1] == 0 && c->k[2] == 0)
        return 0;   /* geometry not known yet (reading / prototype sets it, then setup again) */
    if (c->k[0] <= 0 || c->k[1] <= 0 || c->k[2] <= 0 || c->in_dim % c->k[2] ||
        c->k[0] > c->k[2] || (c->k[2] - c->k[0]) % c->k[1] || c->out_dim % conv_num_patches(c)) {
        SK_ERROR("<ConvolutionalComponent>: bad geometry: input-dim %d, output-dim %d, "
                 "patch-dim %d, patch-step %d, patch-stride %d", c->in_dim, c->out_dim,
                 c->k[0], c->k[1], c->k[2]);
        return SK_EINVAL;
    }
    if (sk_component_add_param(c, "filters", conv_num_filters(c), conv_filter_dim(c), 1.0f) < 0 ||
        sk_component_add_param(c, "bias", 1, conv_num_filters(c), 1.0f) < 0)
        return SK_EIO;
    return sk_component_alloc_grads(c);
}
/* Column gather index: patch p, splice s, d -> input column. */
static void conv_indices(sk_component *c)
{
    int32_t np = conv_num_patches(c), ns = conv_num_splice(c), fd = conv_filter_dim(c);
    size_t n = (size_t)np * fd;
    int32_t *dev = sk_component_idx(c, n + 1);
    if (c->idx_rows == 0)
        return;
    int32_t *h = malloc(sizeof(int32_t) * (n + 1));
    if (!h)
        SK_BUG("out of memory");
    for (int32_t p = 0; p < np; p++)
        for (int32_t s = 0; s < ns; s++)
            for (int32_t d = 0; d < c->k[0]; d++)
                h[(size_t)p * fd + s * c->k[0] + d] = s * c->k[2] + p * c->k[1] + d;
    c->be->upload_raw(c->be, dev, h, sizeof(int32_t) * n);
    free(h);
    c->idx_rows = 0;
}
static void conv_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    const sk_backend *be = c->be;
    int32_t np = conv_num_patches(c), fd = conv_filter_dim(c), nf = conv_num_filters(c);
    conv_indices(c);
    sk_bmat patches = sk_component_work(c, 0, in->rows, np * fd);
    be->copy_cols(be, &patches, in, c->idx);
    sk_bvec b = vrow(&c->p[1].val);
    for (int32_t p = 0; p < np; p++) {
        sk_bmat x = sk_bmat_cols(&patches, p * fd, fd), y = sk_bmat_cols(out, p * nf, nf);
        be->add_vec_to_rows(be, 1.0f, &b, 0.0f, &y);
        be->gemm(be, false, true, 1.0f, &x, &c->p[0].val, 1.0f, &y);
    }
}
static void conv_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                          const sk_bmat *dout, sk_bmat *din)
{
    (void)out;
    const sk_backend *be = c->be;
    int32_t np = conv_num_patches(c), fd = conv_filter_dim(c), nf = conv_num_filters(c);
    conv_indices(c);
    sk_bmat dp = sk_component_work(c, 1, in->rows, np * fd);
    for (int32_t p = 0; p < np; p++) {
        sk_bmat dy = sk_bmat_cols(dout, p * nf, nf), dx = sk_bmat_cols(&dp, p * fd, fd);
        be->gemm(be, false, false, 1.0f, &dy, &c->p[0].val, 0.0f, &dx);
    }
    be->set_const(be, din, 0.0f);
    be->add_to_cols(be, din, &dp, c->idx);
}
static void conv_gradient(sk_component *c, const sk_bmat *in, const sk_bmat *dout)
{
    const sk_backend *be = c->be;
    int32_t np = conv_num_patches(c), fd = conv_filter_dim(c), nf = conv_num_filters(c);
    conv_indices(c);
    sk_bmat patches = sk_component_work(c, 0, in->rows, np * fd);
    be->copy_cols(be, &patches, in, c->idx);
    sk_bvec gb = vrow(&c->p[1].grad);
    for (int32_t p = 0; p < np; p++) {
        sk_bmat x = sk_bmat_cols(&patches, p * fd, fd), dy = sk_bmat_cols(dout, p * nf, nf);
        be->gemm(be, true, false, 1.0f, &dy, &x, p ? 1.0f : 0.0f, &c->p[0].grad);
        be->col_sums(be, 1.0f, &dy, p ? 1.0f : 0.0f, &gb);
    }
}

/* ------------------------------------------------------------------ pooling */

/* k[0] pool size, k[1] pool step, k[2] pool stride (columns of one patch). */
static int32_t pool_num_pools(const sk_component *c)
{
    return 1 + (c->in_dim / c->k[2] - c->k[0]) / c->k[1];
}
static int pool_setup(sk_component *c)
{
    if (c->k[0] == 0 && c->k[1] == 0 && c->k[2] == 0)
        return 0;   /* geometry not known yet */
    if (c->k[0] <= 0 || c->k[1] <= 0 || c->k[2] <= 0 || c->in_dim % c->k[2] ||
        c->in_dim / c->k[2] < c->k[0] || (c->in_dim / c->k[2] - c->k[0]) % c->k[1] ||
        c->out_dim != pool_num_pools(c) * c->k[2]) {
        SK_ERROR("%s: bad geometry: input-dim %d, output-dim %d, pool-size %d, pool-step %d, "
                 "pool-stride %d", c->ops->marker, c->in_dim, c->out_dim, c->k[0], c->k[1],
                 c->k[2]);
        return SK_EINVAL;
    }
    return 0;
}
static void pool_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    const sk_backend *be = c->be;
    int32_t st = c->k[2];
    bool avg = c->ops->type == SK_AVERAGE_POOLING;
    for (int32_t q = 0; q < pool_num_pools(c); q++) {
        sk_bmat y = sk_bmat_cols(out, q * st, st);
        for (int32_t r = 0; r < c->k[0]; r++) {
            sk_bmat x = sk_bmat_cols(in, (q * c->k[1] + r) * st, st);
            if (avg)
                be->axpby(be, 1.0f / c->k[0], &x, r ? 1.0f : 0.0f, &y);
            else if (r == 0)
                be->copy(be, &y, &x);
            else
                be->max_elements(be, &y, &x);
        }
    }
}
static void pool_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                          const sk_bmat *dout, sk_bmat *din)
{
    const sk_backend *be = c->be;
    int32_t st = c->k[2], np = c->in_dim / st;
    bool avg = c->ops->type == SK_AVERAGE_POOLING;
    be->set_const(be, din, 0.0f);
    for (int32_t q = 0; q < pool_num_pools(c); q++) {
        sk_bmat dy = sk_bmat_cols(dout, q * st, st), y = sk_bmat_cols(out, q * st, st);
        for (int32_t r = 0; r < c->k[0]; r++) {
            int32_t pi = q * c->k[1] + r;
            sk_bmat dx = sk_bmat_cols(din, pi * st, st), x = sk_bmat_cols(in, pi * st, st);
            if (avg)
                be->axpby(be, 1.0f / c->k[0], &dy, 1.0f, &dx);
            else
                be->add_where_equal(be, &dx, &dy, &x, &y);
        }
    }
    if (avg)
        return;
    /* Kaldi divides each input patch's derivative by the number of pools that used it. */
    for (int32_t pi = 0; pi < np; pi++) {
        int32_t cnt = 0;
        for (int32_t q = 0; q < pool_num_pools(c); q++)
            cnt += pi >= q * c->k[1] && pi < q * c->k[1] + c->k[0];
        if (cnt > 1) {
            sk_bmat dx = sk_bmat_cols(din, pi * st, st);
            be->affine(be, &dx, 1.0f / cnt, 0.0f);
        }
    }
}

/* ------------------------------------------------------------------ Parallel */

static void parallel_propagate(sk_component *c, const sk_bmat *in, sk_bmat *out)
{
    int32_t ioff = 0, ooff = 0;
    for (int i = 0; i < c->n_nested; i++) {
        sk_nnet *nn = c->nested[i];
        int32_t id = sk_nnet_input_dim(nn), od = sk_nnet_output_dim(nn);
        sk_bmat x = sk_bmat_cols(in, ioff, id), y = sk_bmat_cols(out, ooff, od);
        const sk_bmat *r = sk_nnet_propagate(nn, &x);
        if (!r)
            SK_BUG("out of backend memory in a nested network");
        c->be->copy(c->be, &y, r);
        ioff += id;
        ooff += od;
    }
}
static void parallel_backprop(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                              const sk_bmat *dout, sk_bmat *din)
{
    (void)in; (void)out;
    int32_t ioff = 0, ooff = 0;
    for (int i = 0; i < c->n_nested; i++) {
        sk_nnet *nn = c->nested[i];
        int32_t id = sk_nnet_input_dim(nn), od = sk_nnet_output_dim(nn);
        sk_bmat dx = sk_bmat_cols(din, ioff, id), dy = sk_bmat_cols(dout, ooff, od);
        const sk_bmat *r = sk_nnet_backprop(nn, &dy, true);
        c->be->copy(c->be, &dx, r);
        ioff += id;
        ooff += od;
    }
}
static void parallel_gradient(sk_component *c, const sk_bmat *in, const sk_bmat *dout)
{
    (void)c; (void)in; (void)dout;   /* nested gradients were computed by parallel_backprop */
}
static void parallel_update(sk_component *c, const sk_train_opts *o, int32_t n)
{
    (void)n;
    for (int i = 0; i < c->n_nested; i++)
        sk_nnet_update(c->nested[i], o);
}

/* ------------------------------------------------------------------ registry */

#define OPS(t, m, upd, setup, prop, back, grad, updf) \
    [t] = { t, m, upd, setup, prop, back, grad, updf }

/* One ops table per type, constant (safe to share between worker threads). */
static const sk_component_ops ops_table[SK_NUM_COMPONENT_TYPES] = {
    OPS(SK_AFFINE, "<AffineTransform>", true, affine_setup, affine_propagate,
        affine_backprop, affine_gradient, affine_update),
    OPS(SK_LINEAR, "<LinearTransform>", true, linear_setup, affine_propagate,
        affine_backprop, affine_gradient, affine_update),
    OPS(SK_SIGMOID, "<Sigmoid>", false, NULL, sigmoid_propagate, sigmoid_backprop, NULL, NULL),
    OPS(SK_TANH, "<Tanh>", false, NULL, tanh_propagate, tanh_backprop, NULL, NULL),
    OPS(SK_SOFTMAX, "<Softmax>", false, NULL, softmax_propagate, copy_backprop, NULL, NULL),
    OPS(SK_HIDDEN_SOFTMAX, "<HiddenSoftmax>", false, NULL, softmax_propagate,
        hsoftmax_backprop, NULL, NULL),
    OPS(SK_BLOCK_SOFTMAX, "<BlockSoftmax>", false, NULL, bsoftmax_propagate,
        bsoftmax_backprop, NULL, NULL),
    OPS(SK_SPLICE, "<Splice>", false, NULL, splice_propagate, splice_backprop, NULL, NULL),
    OPS(SK_COPY, "<Copy>", false, NULL, copyc_propagate, copyc_backprop, NULL, NULL),
    OPS(SK_ADD_SHIFT, "<AddShift>", true, vecparam_setup, addshift_propagate, copy_backprop,
        addshift_gradient, plain_update),
    OPS(SK_RESCALE, "<Rescale>", true, vecparam_setup, rescale_propagate, rescale_backprop,
        rescale_gradient, plain_update),
    OPS(SK_DROPOUT, "<Dropout>", false, NULL, dropout_propagate, dropout_backprop, NULL, NULL),
    OPS(SK_PRELU, "<ParametricRelu>", true, prelu_setup, prelu_propagate, prelu_backprop,
        prelu_gradient, prelu_update),
    OPS(SK_LENGTH_NORM, "<LengthNormComponent>", false, NULL, lnorm_propagate,
        lnorm_backprop, NULL, NULL),
    OPS(SK_CONVOLUTIONAL, "<ConvolutionalComponent>", true, conv_setup, conv_propagate,
        conv_backprop, conv_gradient, affine_update),
    OPS(SK_MAX_POOLING, "<MaxPoolingComponent>", false, pool_setup, pool_propagate,
        pool_backprop, NULL, NULL),
    OPS(SK_AVERAGE_POOLING, "<AveragePoolingComponent>", false, pool_setup, pool_propagate,
        pool_backprop, NULL, NULL),
    OPS(SK_PARALLEL, "<ParallelComponent>", true, NULL, parallel_propagate, parallel_backprop,
        parallel_gradient, parallel_update),
};

const sk_component_ops *sk_component_ops_by_type(sk_component_type t)
{
    return (unsigned)t < SK_NUM_COMPONENT_TYPES ? &ops_table[t] : NULL;
}

const sk_component_ops *sk_component_ops_by_marker(const char *marker)
{
    for (int i = 0; i < SK_NUM_COMPONENT_TYPES; i++)
        if (!strcasecmp(marker, ops_table[i].marker))
            return &ops_table[i];
    return NULL;
}
