/* nnet.c — the network container: component chain, per-component buffers, forward,
 * backward (gradients), update. File format and Info texts are in nnet_io.c. */
#include "nnet/nnet.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"

sk_nnet *sk_nnet_new(const sk_backend *be)
{
    sk_nnet *nn = calloc(1, sizeof *nn);
    if (!nn) {
        SK_ERROR("out of memory");
        return NULL;
    }
    nn->be = be;
    return nn;
}

static void free_buffers(sk_nnet *nn)
{
    for (int i = 0; i <= nn->n && nn->buf_prop; i++) {
        nn->be->mat_free(nn->be, &nn->buf_prop[i]);
        nn->be->mat_free(nn->be, &nn->buf_diff[i]);
    }
    free(nn->buf_prop);
    free(nn->buf_diff);
    free(nn->prop);
    free(nn->diff);
    nn->buf_prop = nn->buf_diff = nn->prop = nn->diff = NULL;
    nn->rows = 0;
}

void sk_nnet_free(sk_nnet *nn)
{
    if (!nn)
        return;
    free_buffers(nn);
    for (int i = 0; i < nn->n; i++)
        sk_component_free(nn->c[i]);
    free(nn->c);
    free(nn);
}

int sk_nnet_append(sk_nnet *nn, sk_component *c)
{
    if (nn->n > 0 && nn->c[nn->n - 1]->out_dim != c->in_dim) {
        SK_ERROR("Dimensionality mismatch! Previous layer output:%d Current layer input:%d",
                 nn->c[nn->n - 1]->out_dim, c->in_dim);
        sk_component_free(c);
        return SK_EINVAL;
    }
    if (nn->n == nn->cap) {
        int cap = nn->cap ? 2 * nn->cap : 8;
        sk_component **p = realloc(nn->c, sizeof *p * (size_t)cap);
        if (!p) {
            SK_ERROR("out of memory");
            sk_component_free(c);
            return SK_EIO;
        }
        nn->c = p;
        nn->cap = cap;
    }
    free_buffers(nn);
    nn->c[nn->n++] = c;
    return 0;
}

void sk_nnet_remove(sk_nnet *nn, int i)
{
    if (i < 0 || i >= nn->n)
        SK_BUG("component index %d out of range", i);
    free_buffers(nn);
    sk_component_free(nn->c[i]);
    memmove(nn->c + i, nn->c + i + 1, sizeof *nn->c * (size_t)(nn->n - i - 1));
    nn->n--;
}

int sk_nnet_concat(sk_nnet *dst, sk_nnet *src)
{
    free_buffers(src);
    for (int i = 0; i < src->n; i++) {
        int st = sk_nnet_append(dst, src->c[i]);
        src->c[i] = NULL;
        if (st < 0) {
            for (int j = i + 1; j < src->n; j++)
                sk_component_free(src->c[j]);
            src->n = 0;
            return st;
        }
    }
    src->n = 0;
    return 0;
}

int32_t sk_nnet_input_dim(const sk_nnet *nn) { return nn->n ? nn->c[0]->in_dim : 0; }
int32_t sk_nnet_output_dim(const sk_nnet *nn) { return nn->n ? nn->c[nn->n - 1]->out_dim : 0; }

int64_t sk_nnet_num_params(const sk_nnet *nn)
{
    int64_t s = 0;
    for (int i = 0; i < nn->n; i++)
        s += sk_component_num_params(nn->c[i]);
    return s;
}

void sk_nnet_set_train(sk_nnet *nn, bool train)
{
    for (int i = 0; i < nn->n; i++) {
        nn->c[i]->train = train;
        for (int j = 0; j < nn->c[i]->n_nested; j++)
            sk_nnet_set_train(nn->c[i]->nested[j], train);
    }
}

void sk_nnet_set_dropout_rate(sk_nnet *nn, float rate)
{
    for (int i = 0; i < nn->n; i++) {
        sk_component *c = nn->c[i];
        if (c->ops->type == SK_DROPOUT) {
            SK_LOG("Setting dropout-rate in component %d from %g to %g", i, c->rate, rate);
            c->rate = rate;
        }
        for (int j = 0; j < c->n_nested; j++)
            sk_nnet_set_dropout_rate(c->nested[j], rate);
    }
}

void sk_nnet_set_learn_rate_coefs(sk_nnet *nn, float coef, float bias_coef)
{
    for (int i = 0; i < nn->n; i++) {
        sk_component *c = nn->c[i];
        for (int k = 0; k < c->n_params; k++) {
            const char *nm = c->p[k].name;
            c->p[k].lr_coef = (!strcmp(nm, "bias") || !strcmp(nm, "beta")) ? bias_coef : coef;
        }
        for (int j = 0; j < c->n_nested; j++)
            sk_nnet_set_learn_rate_coefs(c->nested[j], coef, bias_coef);
    }
}

/* Make sure every buffer holds `rows` rows (the derivatives' only without forward_only); set
 * the views. A buffer that must grow gets half again as many rows as it had, so that batches
 * of varying size do not reallocate (and zero) it every time. 0 or SK_EIO (out of memory). */
static int ensure_buffers(sk_nnet *nn, int32_t rows)
{
    const sk_backend *be = nn->be;
    if (!nn->buf_prop) {
        nn->buf_prop = calloc((size_t)nn->n + 1, sizeof(sk_bmat));
        nn->buf_diff = calloc((size_t)nn->n + 1, sizeof(sk_bmat));
        nn->prop = calloc((size_t)nn->n + 1, sizeof(sk_bmat));
        nn->diff = calloc((size_t)nn->n + 1, sizeof(sk_bmat));
        if (!nn->buf_prop || !nn->buf_diff || !nn->prop || !nn->diff) {
            SK_ERROR("out of memory");
            free_buffers(nn);
            return SK_EIO;
        }
    }
    int kinds = nn->forward_only ? 1 : 2;
    for (int i = 0; i <= nn->n; i++) {
        int32_t dim = i == 0 ? nn->c[0]->in_dim : nn->c[i - 1]->out_dim;
        for (int diff = 0; diff < kinds; diff++) {
            sk_bmat *b = diff ? &nn->buf_diff[i] : &nn->buf_prop[i];
            if (!diff && i == 0)
                continue;  /* prop[0] is a view of the caller's input */
            if (b->rows < rows || b->cols != dim) {
                int32_t more = b->rows + b->rows / 2;
                int32_t cap = b->cols == dim && more > rows ? more : rows;
                be->mat_free(be, b);
                if (be->mat_alloc(be, b, cap, dim) < 0) {
                    SK_ERROR("Cannot allocate the %dx%d buffer of component %d", cap, dim, i);
                    return SK_EIO;
                }
            }
            (diff ? nn->diff : nn->prop)[i] = sk_bmat_rows(b, 0, rows);
        }
    }
    nn->rows = rows;
    return 0;
}

const sk_bmat *sk_nnet_propagate(sk_nnet *nn, const sk_bmat *in)
{
    if (nn->n == 0)
        return in;
    if (in->cols != nn->c[0]->in_dim)
        SK_BUG("propagate: input has %d columns, the network wants %d", in->cols,
               nn->c[0]->in_dim);
    if (ensure_buffers(nn, in->rows) < 0)
        return NULL;
    nn->prop[0] = *in;
    for (int i = 0; i < nn->n; i++)
        nn->c[i]->ops->propagate(nn->c[i], &nn->prop[i], &nn->prop[i + 1]);
    return &nn->prop[nn->n];
}

const sk_bmat *sk_nnet_backprop(sk_nnet *nn, const sk_bmat *dout, bool need_input_diff)
{
    if (nn->n == 0)
        return need_input_diff ? dout : NULL;
    if (dout->rows != nn->rows || dout->cols != sk_nnet_output_dim(nn))
        SK_BUG("backprop: derivative is %dx%d, expected %dx%d", dout->rows, dout->cols,
               nn->rows, sk_nnet_output_dim(nn));
    if (nn->forward_only)
        SK_BUG("backprop through a network marked forward-only");
    /* no copies: the output derivative is read where the caller keeps it, and a component
     * whose backprop is a copy (Softmax, AddShift) passes on a view of its output derivative
     * (nothing writes a derivative once the component below has it; the views are reset by
     * the next propagate) */
    nn->diff[nn->n] = *dout;
    for (int i = nn->n - 1; i >= 0; i--) {
        sk_component *c = nn->c[i];
        if (sk_component_backprop_is_copy(c) && c->in_dim == c->out_dim)
            nn->diff[i] = nn->diff[i + 1];
        else if (i > 0 || need_input_diff || c->ops->type == SK_PARALLEL)  /* nested grads */
            c->ops->backprop(c, &nn->prop[i], &nn->prop[i + 1], &nn->diff[i + 1], &nn->diff[i]);
        if (c->ops->gradient)
            c->ops->gradient(c, &nn->prop[i], &nn->diff[i + 1]);
        if (nn->grad_ready && c->ops->updatable)
            nn->grad_ready(nn->grad_ready_ctx, c);
    }
    return need_input_diff ? &nn->diff[0] : NULL;
}

const sk_bmat *sk_nnet_backprop_fused(sk_nnet *nn, const sk_bmat *dout, bool need_input_diff,
                                      const sk_train_opts *o)
{
    bool ok = o->l1_penalty == 0;   /* (momentum: the gemm's beta, component.c) */
    for (int i = 0; i < nn->n; i++) {
        sk_component_type t = nn->c[i]->ops->type;
        if (ok && (t == SK_AFFINE || t == SK_LINEAR))
            nn->c[i]->fuse = o;
    }
    const sk_bmat *r = sk_nnet_backprop(nn, dout, need_input_diff);
    for (int i = 0; i < nn->n; i++)
        nn->c[i]->fuse = NULL;
    return r;
}

void sk_nnet_update(sk_nnet *nn, const sk_train_opts *o)
{
    for (int i = 0; i < nn->n; i++) {
        sk_component *c = nn->c[i];
        if (c->fused_done)
            c->fused_done = false;
        else if (c->ops->updatable)
            sk_component_update(c, o, nn->rows);
    }
}

void sk_nnet_foreach_grad(sk_nnet *nn, void (*fn)(float *buf, size_t n, void *ctx), void *ctx)
{
    for (int i = 0; i < nn->n; i++) {
        sk_component *c = nn->c[i];
        if (c->grad_len)
            fn(c->grad_block, c->grad_len, ctx);
        for (int k = 0; k < c->n_nested; k++)
            sk_nnet_foreach_grad(c->nested[k], fn, ctx);
    }
}
