/* elementwise.cu — one-element-at-a-time ops: fills, axpby, scale/shift, log, clip, max,
 * bias rows, row/column scaling, vector ops, and the activations with their derivatives.
 *
 * Each op is a small functor run by sk_launch_map over (row, column); the arithmetic is
 * written as cpu.c's reference writes it (same branches, expf/logf rather than the fast
 * intrinsics) so that fp32 results agree with the CPU to rounding.
 */
#include "compute/cuda/common.cuh"

/* a 1 x dim matrix over a vector, so vector ops reuse the 2-D launch */
static inline sk_bmat vrow(const sk_bvec *v)
{
    sk_bmat m = { v->data, 1, v->dim, v->dim };
    return m;
}

/* ---------------------------------------------------------------- fills and blends */

struct set_fn {
    sk_bmat m; float v;
    __device__ void operator()(int32_t r, int32_t c) const { AT(m, r, c) = v; }
};
static void cu_set_const(const sk_backend *be, sk_bmat *m, float v)
{
    sk_launch_map(CTX(be), m->rows, m->cols, set_fn{ *m, v });
}

struct axpby_fn {
    sk_bmat a, b; float alpha, beta;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float &y = AT(b, r, c);
        float xv = AT(a, r, c);
        if (beta == 1.0f)
            y += alpha * xv;
        else if (beta == 0.0f)
            y = alpha * xv;
        else
            y = alpha * xv + beta * y;
    }
};
static void cu_axpby(const sk_backend *be, float alpha, const sk_bmat *a, float beta, sk_bmat *b)
{
    SAME(a, b);
    sk_launch_map(CTX(be), a->rows, a->cols, axpby_fn{ *a, *b, alpha, beta });
}

struct mul_fn {
    sk_bmat a, b;
    __device__ void operator()(int32_t r, int32_t c) const { AT(a, r, c) *= AT(b, r, c); }
};
static void cu_mul_elements(const sk_backend *be, sk_bmat *a, const sk_bmat *b)
{
    SAME(a, b);
    sk_launch_map(CTX(be), a->rows, a->cols, mul_fn{ *a, *b });
}

struct affine_fn {
    sk_bmat m; float alpha, beta;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float &v = AT(m, r, c);
        v = alpha * v + beta;
    }
};
static void cu_affine(const sk_backend *be, sk_bmat *m, float alpha, float beta)
{
    sk_launch_map(CTX(be), m->rows, m->cols, affine_fn{ *m, alpha, beta });
}

struct log_fn {
    sk_bmat y, x; float floor_;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        AT(y, r, c) = logf(AT(x, r, c) + floor_);
    }
};
static void cu_log(const sk_backend *be, sk_bmat *y, const sk_bmat *x, float floor_)
{
    SAME(x, y);
    sk_launch_map(CTX(be), x->rows, x->cols, log_fn{ *y, *x, floor_ });
}

struct clip_fn {
    sk_bmat m; float lo, hi;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float &v = AT(m, r, c);
        v = v < lo ? lo : v > hi ? hi : v;
    }
};
static void cu_clip(const sk_backend *be, sk_bmat *m, float lo, float hi)
{
    sk_launch_map(CTX(be), m->rows, m->cols, clip_fn{ *m, lo, hi });
}

struct max_fn {
    sk_bmat a, b;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float bv = AT(b, r, c);
        if (bv > AT(a, r, c))
            AT(a, r, c) = bv;
    }
};
static void cu_max_elements(const sk_backend *be, sk_bmat *a, const sk_bmat *b)
{
    SAME(a, b);
    sk_launch_map(CTX(be), a->rows, a->cols, max_fn{ *a, *b });
}

struct where_eq_fn {
    sk_bmat d, s, a, b;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        if (AT(a, r, c) == AT(b, r, c))
            AT(d, r, c) += AT(s, r, c);
    }
};
static void cu_add_where_equal(const sk_backend *be, sk_bmat *d, const sk_bmat *s,
                               const sk_bmat *a, const sk_bmat *b)
{
    SAME(d, s); SAME(d, a); SAME(d, b);
    sk_launch_map(CTX(be), d->rows, d->cols, where_eq_fn{ *d, *s, *a, *b });
}

/* ---------------------------------------------------------------- rows / columns */

struct add_vec_fn {
    sk_bmat m; const float *v; float alpha, beta;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float &y = AT(m, r, c);
        y = alpha * v[c] + (beta == 0.0f ? 0.0f : beta * y);
    }
};
static void cu_add_vec_to_rows(const sk_backend *be, float alpha, const sk_bvec *v, float beta,
                               sk_bmat *m)
{
    SHAPE(v->dim == m->cols);
    sk_launch_map(CTX(be), m->rows, m->cols, add_vec_fn{ *m, v->data, alpha, beta });
}

struct scale_rows_fn {
    sk_bmat m; const float *v;
    __device__ void operator()(int32_t r, int32_t c) const { AT(m, r, c) *= v[r]; }
};
static void cu_scale_rows(const sk_backend *be, sk_bmat *m, const sk_bvec *v)
{
    SHAPE(v->dim == m->rows);
    sk_launch_map(CTX(be), m->rows, m->cols, scale_rows_fn{ *m, v->data });
}

struct scale_cols_fn {
    sk_bmat m; const float *v;
    __device__ void operator()(int32_t r, int32_t c) const { AT(m, r, c) *= v[c]; }
};
static void cu_scale_cols(const sk_backend *be, sk_bmat *m, const sk_bvec *v)
{
    SHAPE(v->dim == m->cols);
    sk_launch_map(CTX(be), m->rows, m->cols, scale_cols_fn{ *m, v->data });
}

/* vectors: y = alpha x + beta y (beta 0 ignores y) */
struct vaxpby_fn {
    const float *x; float *y; float alpha, beta;
    __device__ void operator()(int32_t, int32_t i) const
    {
        y[i] = alpha * x[i] + (beta == 0.0f ? 0.0f : beta * y[i]);
    }
};
static void cu_vec_axpby(const sk_backend *be, float alpha, const sk_bvec *x, float beta,
                         sk_bvec *y)
{
    SHAPE(x->dim == y->dim);
    sk_launch_map(CTX(be), 1, x->dim, vaxpby_fn{ x->data, y->data, alpha, beta });
}

static void cu_vec_mul(const sk_backend *be, sk_bvec *x, const sk_bvec *y)
{
    SHAPE(x->dim == y->dim);
    sk_launch_map(CTX(be), 1, x->dim, mul_fn{ vrow(x), vrow(y) });
}

static void cu_vec_affine(const sk_backend *be, sk_bvec *v, float alpha, float beta)
{
    sk_launch_map(CTX(be), 1, v->dim, affine_fn{ vrow(v), alpha, beta });
}

struct pow_fn {
    float *v; float p;
    __device__ void operator()(int32_t, int32_t i) const { v[i] = powf(v[i], p); }
};
static void cu_vec_pow(const sk_backend *be, sk_bvec *v, float p)
{
    sk_launch_map(CTX(be), 1, v->dim, pow_fn{ v->data, p });
}

/* ---------------------------------------------------------------- activations */

struct sigmoid_fn {
    sk_bmat y, x;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float v = AT(x, r, c);
        float o;
        if (v > 0) {
            o = 1.0f / (1.0f + expf(-v));
        } else {
            float e = expf(v);
            o = e / (e + 1.0f);
        }
        AT(y, r, c) = o;
    }
};
static void cu_sigmoid(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    SAME(x, y);
    sk_launch_map(CTX(be), x->rows, x->cols, sigmoid_fn{ *y, *x });
}

struct dsigmoid_fn {
    sk_bmat dx, y, dy;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float v = AT(y, r, c);
        AT(dx, r, c) = AT(dy, r, c) * v * (1.0f - v);
    }
};
static void cu_diff_sigmoid(const sk_backend *be, sk_bmat *dx, const sk_bmat *y,
                            const sk_bmat *dy)
{
    SAME(dx, y); SAME(dx, dy);
    sk_launch_map(CTX(be), y->rows, y->cols, dsigmoid_fn{ *dx, *y, *dy });
}

struct tanh_fn {
    sk_bmat y, x;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float v = AT(x, r, c), o;
        if (v > 0) {
            float inv = expf(-v);
            o = -1.0f + 2.0f / (1.0f + inv * inv);
        } else {
            float e = expf(v);
            o = 1.0f - 2.0f / (1.0f + e * e);
        }
        AT(y, r, c) = o;
    }
};
static void cu_tanh(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    SAME(x, y);
    sk_launch_map(CTX(be), x->rows, x->cols, tanh_fn{ *y, *x });
}

struct dtanh_fn {
    sk_bmat dx, y, dy;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float v = AT(y, r, c);
        AT(dx, r, c) = AT(dy, r, c) * (1.0f - v * v);
    }
};
static void cu_diff_tanh(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy)
{
    SAME(dx, y); SAME(dx, dy);
    sk_launch_map(CTX(be), y->rows, y->cols, dtanh_fn{ *dx, *y, *dy });
}

struct prelu_fn {
    sk_bmat y, x; const float *a, *b;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float v = AT(x, r, c);
        AT(y, r, c) = v >= 0 ? a[c] * v : b[c] * v;
    }
};
static void cu_prelu(const sk_backend *be, sk_bmat *y, const sk_bmat *x, const sk_bvec *alpha,
                     const sk_bvec *beta)
{
    SAME(x, y);
    SHAPE(alpha->dim == x->cols && beta->dim == x->cols);
    sk_launch_map(CTX(be), x->rows, x->cols, prelu_fn{ *y, *x, alpha->data, beta->data });
}

struct dprelu_fn {
    sk_bmat dx, x, dy; const float *a, *b;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float v = AT(x, r, c);
        AT(dx, r, c) = AT(dy, r, c) * (v >= 0 ? a[c] : b[c]);
    }
};
static void cu_diff_prelu(const sk_backend *be, sk_bmat *dx, const sk_bmat *x, const sk_bmat *dy,
                          const sk_bvec *alpha, const sk_bvec *beta)
{
    SAME(dx, x); SAME(dx, dy);
    SHAPE(alpha->dim == x->cols && beta->dim == x->cols);
    sk_launch_map(CTX(be), x->rows, x->cols,
                  dprelu_fn{ *dx, *x, *dy, alpha->data, beta->data });
}

void sk_cuda_register_elementwise(sk_backend *be)
{
    be->set_const = cu_set_const;
    be->axpby = cu_axpby;
    be->mul_elements = cu_mul_elements;
    be->affine = cu_affine;
    be->log = cu_log;
    be->clip = cu_clip;
    be->max_elements = cu_max_elements;
    be->add_where_equal = cu_add_where_equal;
    be->add_vec_to_rows = cu_add_vec_to_rows;
    be->scale_rows = cu_scale_rows;
    be->scale_cols = cu_scale_cols;
    be->vec_axpby = cu_vec_axpby;
    be->vec_mul = cu_vec_mul;
    be->vec_affine = cu_vec_affine;
    be->vec_pow = cu_vec_pow;
    be->sigmoid = cu_sigmoid;
    be->diff_sigmoid = cu_diff_sigmoid;
    be->tanh = cu_tanh;
    be->diff_tanh = cu_diff_tanh;
    be->prelu = cu_prelu;
    be->diff_prelu = cu_diff_prelu;
}
