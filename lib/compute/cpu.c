/* cpu.c — the CPU backends: "cpu-ref" (plain loops, the oracle) and "cpu" (OpenBLAS for GEMM,
 * loops written for the compiler's vectoriser elsewhere).
 *
 * Every op has a ref_* version that is obviously right; the fast table reuses it where a
 * faster version would not matter (per-minibatch vectors) and overrides it where time goes
 * (gemm, activations, softmax, bias/column sums, updates). tests/unit/backend.c runs every op
 * on both tables and compares.
 */
#include "compute/backend.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define SHAPE(cond) do { if (!(cond)) SK_BUG("backend shape check failed: %s", #cond); } while (0)
#define SAME(a, b) SHAPE((a)->rows == (b)->rows && (a)->cols == (b)->cols)
#define ROW(m, r) ((m)->data + (size_t)(r) * (m)->stride)

/* ---------------------------------------------------------------- memory */

static bool cpu_supports(const sk_backend *be, sk_op op) { (void)be; return op < SK_OP_COUNT; }
static void cpu_sync(const sk_backend *be) { (void)be; }

static void *cpu_alloc(const sk_backend *be, size_t bytes)
{
    (void)be;
    size_t n = (bytes + 63) / 64 * 64;
    if (n == 0)
        n = 64;
    void *p = aligned_alloc(64, n);
    if (!p) {
        SK_ERROR("Cannot allocate %zu bytes", bytes);
        return NULL;
    }
    memset(p, 0, n);
    return p;
}
static void cpu_free(const sk_backend *be, void *p) { (void)be; free(p); }

static int cpu_mat_alloc(const sk_backend *be, sk_bmat *m, int32_t rows, int32_t cols)
{
    SHAPE(rows >= 0 && cols >= 0);
    int32_t stride = (cols + 15) / 16 * 16;
    m->rows = rows; m->cols = cols; m->stride = stride;
    m->data = NULL;
    if ((size_t)rows * stride == 0)
        return 0;
    m->data = cpu_alloc(be, (size_t)rows * stride * sizeof(float));
    if (!m->data) {
        m->rows = m->cols = 0;
        return SK_EIO;
    }
    return 0;
}
static void cpu_mat_free(const sk_backend *be, sk_bmat *m)
{
    if (!m)
        return;
    cpu_free(be, m->data);
    m->data = NULL; m->rows = m->cols = m->stride = 0;
}
static int cpu_vec_alloc(const sk_backend *be, sk_bvec *v, int32_t dim)
{
    SHAPE(dim >= 0);
    v->dim = dim;
    v->data = NULL;
    if (dim == 0)
        return 0;
    v->data = cpu_alloc(be, (size_t)dim * sizeof(float));
    if (!v->data) {
        v->dim = 0;
        return SK_EIO;
    }
    return 0;
}
static void cpu_vec_free(const sk_backend *be, sk_bvec *v)
{
    if (!v)
        return;
    cpu_free(be, v->data);
    v->data = NULL; v->dim = 0;
}

static void cpu_upload(const sk_backend *be, sk_bmat *dst, const float *src, int32_t hs)
{
    (void)be;
    for (int32_t r = 0; r < dst->rows; r++)
        memcpy(ROW(dst, r), src + (size_t)r * hs, (size_t)dst->cols * sizeof(float));
}
static void cpu_download(const sk_backend *be, float *dst, int32_t hs, const sk_bmat *src)
{
    (void)be;
    for (int32_t r = 0; r < src->rows; r++)
        memcpy(dst + (size_t)r * hs, ROW(src, r), (size_t)src->cols * sizeof(float));
}
static void cpu_raw(const sk_backend *be, void *dst, const void *src, size_t bytes)
{
    (void)be;
    if (bytes)
        memcpy(dst, src, bytes);
}
static void cpu_copy(const sk_backend *be, sk_bmat *dst, const sk_bmat *src)
{
    SAME(dst, src);
    if (dst->data == src->data)
        return;
    cpu_upload(be, dst, src->data, src->stride);
}

/* ---------------------------------------------------------------- BLAS */

static void ref_gemm(const sk_backend *be, bool ta, bool tb, float alpha, const sk_bmat *a,
                     const sk_bmat *b, float beta, sk_bmat *c)
{
    (void)be;
    int32_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
    int32_t kb = tb ? b->cols : b->rows, n = tb ? b->rows : b->cols;
    SHAPE(k == kb && c->rows == m && c->cols == n);
    for (int32_t i = 0; i < m; i++)
        for (int32_t j = 0; j < n; j++) {
            double s = 0;
            for (int32_t l = 0; l < k; l++) {
                float av = ta ? ROW(a, l)[i] : ROW(a, i)[l];
                float bv = tb ? ROW(b, j)[l] : ROW(b, l)[j];
                s += (double)av * bv;
            }
            float *cv = &ROW(c, i)[j];
            *cv = (float)(alpha * s + (beta == 0 ? 0.0 : (double)beta * *cv));
        }
}

static void cpu_gemm(const sk_backend *be, bool ta, bool tb, float alpha, const sk_bmat *a,
                     const sk_bmat *b, float beta, sk_bmat *c)
{
    (void)be;
    int32_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
    int32_t kb = tb ? b->cols : b->rows, n = tb ? b->rows : b->cols;
    SHAPE(k == kb && c->rows == m && c->cols == n);
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        for (int32_t i = 0; i < m; i++)
            for (int32_t j = 0; j < n; j++)
                ROW(c, i)[j] = beta == 0 ? 0 : beta * ROW(c, i)[j];
        return;
    }
    /* beta == 0: OpenBLAS's beta kernel stores zeros (it does not multiply), so NaN in the old
     * C is ignored as the contract says (tests/unit/backend.c checks it). */
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a->data, a->stride, b->data, b->stride, beta, c->data, c->stride);
}

/* ---------------------------------------------------------------- elementwise */

static void ref_set_const(const sk_backend *be, sk_bmat *m, float v)
{
    (void)be;
    for (int32_t r = 0; r < m->rows; r++)
        for (int32_t c = 0; c < m->cols; c++)
            ROW(m, r)[c] = v;
}
static void ref_axpby(const sk_backend *be, float alpha, const sk_bmat *a, float beta, sk_bmat *b)
{
    (void)be;
    SAME(a, b);
    for (int32_t r = 0; r < a->rows; r++) {
        const float *x = ROW(a, r);
        float *y = ROW(b, r);
        if (beta == 1.0f)
            for (int32_t c = 0; c < a->cols; c++)
                y[c] += alpha * x[c];
        else if (beta == 0.0f)
            for (int32_t c = 0; c < a->cols; c++)
                y[c] = alpha * x[c];
        else
            for (int32_t c = 0; c < a->cols; c++)
                y[c] = alpha * x[c] + beta * y[c];
    }
}
static void ref_mul_elements(const sk_backend *be, sk_bmat *a, const sk_bmat *b)
{
    (void)be;
    SAME(a, b);
    for (int32_t r = 0; r < a->rows; r++)
        for (int32_t c = 0; c < a->cols; c++)
            ROW(a, r)[c] *= ROW(b, r)[c];
}
static void ref_affine(const sk_backend *be, sk_bmat *m, float alpha, float beta)
{
    (void)be;
    for (int32_t r = 0; r < m->rows; r++)
        for (int32_t c = 0; c < m->cols; c++)
            ROW(m, r)[c] = alpha * ROW(m, r)[c] + beta;
}
static void ref_log(const sk_backend *be, sk_bmat *y, const sk_bmat *x, float floor)
{
    (void)be;
    SAME(x, y);
    for (int32_t r = 0; r < x->rows; r++)
        for (int32_t c = 0; c < x->cols; c++)
            ROW(y, r)[c] = logf(ROW(x, r)[c] + floor);
}
static void ref_max_elements(const sk_backend *be, sk_bmat *a, const sk_bmat *b)
{
    (void)be;
    SAME(a, b);
    for (int32_t r = 0; r < a->rows; r++)
        for (int32_t c = 0; c < a->cols; c++)
            if (ROW(b, r)[c] > ROW(a, r)[c])
                ROW(a, r)[c] = ROW(b, r)[c];
}
static void ref_add_where_equal(const sk_backend *be, sk_bmat *d, const sk_bmat *s,
                                const sk_bmat *a, const sk_bmat *b)
{
    (void)be;
    SAME(d, s); SAME(d, a); SAME(d, b);
    for (int32_t r = 0; r < d->rows; r++)
        for (int32_t c = 0; c < d->cols; c++)
            if (ROW(a, r)[c] == ROW(b, r)[c])
                ROW(d, r)[c] += ROW(s, r)[c];
}
static void ref_clip(const sk_backend *be, sk_bmat *m, float lo, float hi)
{
    (void)be;
    for (int32_t r = 0; r < m->rows; r++)
        for (int32_t c = 0; c < m->cols; c++) {
            float *v = &ROW(m, r)[c];
            *v = *v < lo ? lo : *v > hi ? hi : *v;
        }
}

/* ---------------------------------------------------------------- rows / columns */

static void ref_add_vec_to_rows(const sk_backend *be, float alpha, const sk_bvec *v, float beta,
                                sk_bmat *m)
{
    (void)be;
    SHAPE(v->dim == m->cols);
    for (int32_t r = 0; r < m->rows; r++) {
        float *y = ROW(m, r);
        for (int32_t c = 0; c < m->cols; c++)
            y[c] = alpha * v->data[c] + (beta == 0 ? 0 : beta * y[c]);
    }
}
static void ref_col_sums(const sk_backend *be, float alpha, const sk_bmat *m, float beta,
                         sk_bvec *v)
{
    (void)be;
    SHAPE(v->dim == m->cols);
    for (int32_t c = 0; c < m->cols; c++) {
        double s = 0;
        for (int32_t r = 0; r < m->rows; r++)
            s += ROW(m, r)[c];
        v->data[c] = (float)(alpha * s + (beta == 0 ? 0 : (double)beta * v->data[c]));
    }
}
static void ref_row_sums(const sk_backend *be, float alpha, const sk_bmat *m, float beta,
                         sk_bvec *v)
{
    (void)be;
    SHAPE(v->dim == m->rows);
    for (int32_t r = 0; r < m->rows; r++) {
        double s = 0;
        for (int32_t c = 0; c < m->cols; c++)
            s += ROW(m, r)[c];
        v->data[r] = (float)(alpha * s + (beta == 0 ? 0 : (double)beta * v->data[r]));
    }
}
static void ref_scale_rows(const sk_backend *be, sk_bmat *m, const sk_bvec *v)
{
    (void)be;
    SHAPE(v->dim == m->rows);
    for (int32_t r = 0; r < m->rows; r++)
        for (int32_t c = 0; c < m->cols; c++)
            ROW(m, r)[c] *= v->data[r];
}
static void ref_scale_cols(const sk_backend *be, sk_bmat *m, const sk_bvec *v)
{
    (void)be;
    SHAPE(v->dim == m->cols);
    for (int32_t r = 0; r < m->rows; r++)
        for (int32_t c = 0; c < m->cols; c++)
            ROW(m, r)[c] *= v->data[c];
}
static void ref_vec_axpby(const sk_backend *be, float alpha, const sk_bvec *x, float beta,
                          sk_bvec *y)
{
    (void)be;
    SHAPE(x->dim == y->dim);
    for (int32_t i = 0; i < x->dim; i++)
        y->data[i] = alpha * x->data[i] + (beta == 0 ? 0 : beta * y->data[i]);
}
static void ref_vec_mul(const sk_backend *be, sk_bvec *x, const sk_bvec *y)
{
    (void)be;
    SHAPE(x->dim == y->dim);
    for (int32_t i = 0; i < x->dim; i++)
        x->data[i] *= y->data[i];
}
static void ref_vec_affine(const sk_backend *be, sk_bvec *v, float alpha, float beta)
{
    (void)be;
    for (int32_t i = 0; i < v->dim; i++)
        v->data[i] = alpha * v->data[i] + beta;
}
static void ref_vec_pow(const sk_backend *be, sk_bvec *v, float p)
{
    (void)be;
    for (int32_t i = 0; i < v->dim; i++)
        v->data[i] = powf(v->data[i], p);
}
static double ref_sum(const sk_backend *be, const sk_bmat *m)
{
    (void)be;
    double s = 0;
    for (int32_t r = 0; r < m->rows; r++)
        for (int32_t c = 0; c < m->cols; c++)
            s += ROW(m, r)[c];
    return s;
}
static void ref_row_max_id(const sk_backend *be, const sk_bmat *m, int32_t *ids)
{
    (void)be;
    for (int32_t r = 0; r < m->rows; r++) {
        const float *x = ROW(m, r);
        int32_t best = 0;
        for (int32_t c = 1; c < m->cols; c++)
            if (x[c] > x[best])
                best = c;
        ids[r] = m->cols ? best : -1;
    }
}

/* ---------------------------------------------------------------- activations */

static inline float sigm(float x)
{
    if (x > 0)
        return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (e + 1.0f);
}
static void ref_sigmoid(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    (void)be;
    SAME(x, y);
    for (int32_t r = 0; r < x->rows; r++)
        for (int32_t c = 0; c < x->cols; c++)
            ROW(y, r)[c] = sigm(ROW(x, r)[c]);
}
/* Fast exp for the activations: Cephes' single-precision expf (range reduction by ln 2,
 * degree-6 polynomial, exponent by bit arithmetic; relative error ~1e-7), for exp(-a) with
 * a >= 0 given by its bits. Written without FP comparisons (they may trap, which stops GCC
 * from if-converting) so that the loops using it vectorise: a is clamped to 87.3 by an
 * integer min on its bits, rounding uses the 1.5 * 2^23 trick. */
static inline float fast_exp_neg(int32_t abits)
{
    const int32_t lim = 0x42AE999A;             /* 87.3f */
    abits = abits < lim ? abits : lim;
    union { int32_t i; float f; } a = { .i = abits };
    float x = -a.f;
    union { float f; int32_t i; } t = { .f = x * 1.44269504088896341f + 12582912.0f };
    float fn = t.f - 12582912.0f;               /* round(x log2(e)) */
    int32_t n = t.i - 0x4B400000;               /* the same, as an integer */
    float r = x - fn * 0.693359375f + fn * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    union { int32_t i; float f; } sc = { .i = (n + 127) << 23 };
    return p * sc.f;
}

/* NaN in -> NaN out, by integer masking (no FP compare): all bits set is a NaN. */
static inline float keep_nan(int32_t xbits, float y)
{
    union { float f; int32_t i; } o = { .f = y };
    o.i |= -(int32_t)((xbits & 0x7fffffff) > 0x7f800000);
    return o.f;
}

/* sigmoid on a row: e = exp(-|x|); x > 0: 1/(1+e), else e/(1+e) (Kaldi's two branches) as a
 * blend on the sign bit (x = -0 and +0 both give 0.5). */
#define SIGMOID_ROW_BODY                                                   \
    for (int32_t c = 0; c < n; c++) {                                      \
        union { float f; int32_t i; } v = { .f = xi[c] };                  \
        float e = fast_exp_neg(v.i & 0x7fffffff);                          \
        float inv = 1.0f / (1.0f + e);                                     \
        float neg = (float)(int32_t)((uint32_t)v.i >> 31);                 \
        yo[c] = keep_nan(v.i, inv * (e * neg + (1.0f - neg)));             \
    }

__attribute__((target("avx2,fma"), optimize("O3")))
static void sigmoid_row_avx2(float *restrict yo, const float *restrict xi, int32_t n)
{
    SIGMOID_ROW_BODY
}
__attribute__((optimize("O3")))
static void sigmoid_row_generic(float *restrict yo, const float *restrict xi, int32_t n)
{
    SIGMOID_ROW_BODY
}

/* Row softmax: max, exp(x - max) (<= 0, so exp of minus its magnitude), double sum, scale. */
#define SOFTMAX_ROW_BODY                                                   \
    float m = xi[0];                                                       \
    for (int32_t c = 1; c < n; c++)                                        \
        m = xi[c] > m ? xi[c] : m;                                         \
    for (int32_t c = 0; c < n; c++) {                                      \
        union { float f; int32_t i; } d = { .f = xi[c] - m };              \
        yo[c] = keep_nan(d.i, fast_exp_neg(d.i & 0x7fffffff));             \
    }                                                                      \
    double s = 0;   /* in float, a peak summed early swallows the tail */ \
    for (int32_t c = 0; c < n; c++)                                        \
        s += yo[c];                                                        \
    float inv = (float)(1.0 / s);                                          \
    for (int32_t c = 0; c < n; c++)                                        \
        yo[c] *= inv;

__attribute__((target("avx2,fma"), optimize("O3")))
static void softmax_row_avx2(float *restrict yo, const float *restrict xi, int32_t n)
{
    SOFTMAX_ROW_BODY
}
__attribute__((optimize("O3")))
static void softmax_row_generic(float *restrict yo, const float *restrict xi, int32_t n)
{
    SOFTMAX_ROW_BODY
}

static bool have_avx2(void)
{
    static int cached = -1;
    if (cached < 0)
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return cached;
}

static void cpu_sigmoid(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    (void)be;
    SAME(x, y);
    void (*row)(float *, const float *, int32_t) = have_avx2() ? sigmoid_row_avx2
                                                               : sigmoid_row_generic;
    for (int32_t r = 0; r < x->rows; r++)
        row(ROW(y, r), ROW(x, r), x->cols);
}

static void cpu_softmax(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    (void)be;
    SAME(x, y);
    if (x->cols == 0)
        return;
    void (*row)(float *, const float *, int32_t) = have_avx2() ? softmax_row_avx2
                                                               : softmax_row_generic;
    for (int32_t r = 0; r < x->rows; r++)
        row(ROW(y, r), ROW(x, r), x->cols);
}
static void ref_diff_sigmoid(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy)
{
    (void)be;
    SAME(dx, y); SAME(dx, dy);
    for (int32_t r = 0; r < y->rows; r++)
        for (int32_t c = 0; c < y->cols; c++) {
            float v = ROW(y, r)[c];
            ROW(dx, r)[c] = ROW(dy, r)[c] * v * (1.0f - v);
        }
}
static inline float tanh_k(float x)
{
    if (x > 0) {
        float inv = expf(-x);
        return -1.0f + 2.0f / (1.0f + inv * inv);
    }
    float e = expf(x);
    return 1.0f - 2.0f / (1.0f + e * e);
}
static void ref_tanh(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    (void)be;
    SAME(x, y);
    for (int32_t r = 0; r < x->rows; r++)
        for (int32_t c = 0; c < x->cols; c++)
            ROW(y, r)[c] = tanh_k(ROW(x, r)[c]);
}
static void ref_diff_tanh(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy)
{
    (void)be;
    SAME(dx, y); SAME(dx, dy);
    for (int32_t r = 0; r < y->rows; r++)
        for (int32_t c = 0; c < y->cols; c++) {
            float v = ROW(y, r)[c];
            ROW(dx, r)[c] = ROW(dy, r)[c] * (1.0f - v * v);
        }
}
static void ref_softmax(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    (void)be;
    SAME(x, y);
    for (int32_t r = 0; r < x->rows; r++) {
        const float *xi = ROW(x, r);
        float *yo = ROW(y, r);
        float m = -INFINITY;
        for (int32_t c = 0; c < x->cols; c++)
            if (xi[c] > m)
                m = xi[c];
        double s = 0;
        for (int32_t c = 0; c < x->cols; c++) {
            yo[c] = expf(xi[c] - m);
            s += yo[c];
        }
        float inv = (float)(1.0 / s);
        for (int32_t c = 0; c < x->cols; c++)
            yo[c] *= inv;
    }
}
static void ref_diff_softmax(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy)
{
    (void)be;
    SAME(dx, y); SAME(dx, dy);
    SHAPE(dx->data != y->data || y->rows * y->cols == 0);
    for (int32_t r = 0; r < y->rows; r++) {
        const float *yi = ROW(y, r), *d = ROW(dy, r);
        float *o = ROW(dx, r);
        double dot = 0;
        for (int32_t c = 0; c < y->cols; c++)
            dot += (double)d[c] * yi[c];
        for (int32_t c = 0; c < y->cols; c++)
            o[c] = yi[c] * d[c] - yi[c] * (float)dot;
    }
}
static void ref_prelu(const sk_backend *be, sk_bmat *y, const sk_bmat *x, const sk_bvec *alpha,
                      const sk_bvec *beta)
{
    (void)be;
    SAME(x, y);
    SHAPE(alpha->dim == x->cols && beta->dim == x->cols);
    for (int32_t r = 0; r < x->rows; r++)
        for (int32_t c = 0; c < x->cols; c++) {
            float v = ROW(x, r)[c];
            ROW(y, r)[c] = v >= 0 ? alpha->data[c] * v : beta->data[c] * v;
        }
}
static void ref_diff_prelu(const sk_backend *be, sk_bmat *dx, const sk_bmat *x, const sk_bmat *dy,
                           const sk_bvec *alpha, const sk_bvec *beta)
{
    (void)be;
    SAME(dx, x); SAME(dx, dy);
    SHAPE(alpha->dim == x->cols && beta->dim == x->cols);
    for (int32_t r = 0; r < x->rows; r++)
        for (int32_t c = 0; c < x->cols; c++) {
            float v = ROW(x, r)[c];
            ROW(dx, r)[c] = ROW(dy, r)[c] * (v >= 0 ? alpha->data[c] : beta->data[c]);
        }
}
static void ref_prelu_grads(const sk_backend *be, const sk_bmat *x, const sk_bmat *dy,
                            sk_bvec *ga, sk_bvec *gb)
{
    (void)be;
    SAME(x, dy);
    SHAPE(ga->dim == x->cols && gb->dim == x->cols);
    for (int32_t c = 0; c < x->cols; c++) {
        double a = 0, b = 0;
        for (int32_t r = 0; r < x->rows; r++) {
            float v = ROW(x, r)[c], d = ROW(dy, r)[c];
            if (v > 0)
                a += (double)v * d;
            else
                b += (double)v * d;
        }
        ga->data[c] = (float)a;
        gb->data[c] = (float)b;
    }
}

/* ---------------------------------------------------------------- index ops */

static void ref_copy_rows(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                          const int32_t *idx)
{
    (void)be;
    SHAPE(dst->cols == src->cols);
    for (int32_t r = 0; r < dst->rows; r++) {
        SHAPE(idx[r] < src->rows);
        if (idx[r] < 0)
            memset(ROW(dst, r), 0, (size_t)dst->cols * sizeof(float));
        else
            memcpy(ROW(dst, r), ROW(src, idx[r]), (size_t)dst->cols * sizeof(float));
    }
}
static void ref_add_to_rows(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                            const int32_t *idx)
{
    (void)be;
    SHAPE(dst->cols == src->cols);
    for (int32_t r = 0; r < src->rows; r++) {
        if (idx[r] < 0)
            continue;
        SHAPE(idx[r] < dst->rows);
        float *o = ROW(dst, idx[r]);
        const float *x = ROW(src, r);
        for (int32_t c = 0; c < src->cols; c++)
            o[c] += x[c];
    }
}
static void ref_copy_cols(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                          const int32_t *idx)
{
    (void)be;
    SHAPE(dst->rows == src->rows);
    for (int32_t c = 0; c < dst->cols; c++)
        SHAPE(idx[c] < src->cols);
    for (int32_t r = 0; r < dst->rows; r++) {
        float *o = ROW(dst, r);
        const float *x = ROW(src, r);
        for (int32_t c = 0; c < dst->cols; c++)
            o[c] = idx[c] < 0 ? 0.0f : x[idx[c]];
    }
}
static void ref_add_to_cols(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                            const int32_t *idx)
{
    (void)be;
    SHAPE(dst->rows == src->rows);
    for (int32_t c = 0; c < src->cols; c++)
        SHAPE(idx[c] < dst->cols);
    for (int32_t r = 0; r < src->rows; r++) {
        float *o = ROW(dst, r);
        const float *x = ROW(src, r);
        for (int32_t c = 0; c < src->cols; c++)
            if (idx[c] >= 0)
                o[idx[c]] += x[c];
    }
}

/* ---------------------------------------------------------------- training */

/* splitmix64: the dropout generator (Kaldi's random stream need not be reproduced). */
static _Thread_local uint64_t rng_state = 0x9e3779b97f4a7c15ull;   /* per worker thread */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static void cpu_seed(const sk_backend *be, uint64_t seed) { (void)be; rng_state = seed; }
static void ref_dropout_mask(const sk_backend *be, sk_bmat *mask, float rate, float scale)
{
    (void)be;
    for (int32_t r = 0; r < mask->rows; r++)
        for (int32_t c = 0; c < mask->cols; c++) {
            float u = (float)(rng_next() >> 40) * (1.0f / 16777216.0f);
            ROW(mask, r)[c] = (u - rate > 0) ? scale : 0.0f;
        }
}
static void ref_l1_update(const sk_backend *be, sk_bmat *w, sk_bmat *g, float lr, float a)
{
    (void)be;
    SAME(w, g);
    for (int32_t r = 0; r < w->rows; r++)
        for (int32_t c = 0; c < w->cols; c++) {
            float *wv = &ROW(w, r)[c], *gv = &ROW(g, r)[c];
            float as = *wv < 0 ? -a : a;
            float after = *wv - lr * *gv - as;
            if ((after > 0) != (*wv > 0)) {
                *wv = 0;
                *gv = 0;
            } else {
                *wv -= as;
            }
        }
}
static void ref_max_norm(const sk_backend *be, sk_bmat *w, float max_norm)
{
    (void)be;
    for (int32_t r = 0; r < w->rows; r++) {
        float *x = ROW(w, r);
        float s = 0;
        for (int32_t c = 0; c < w->cols; c++)
            s += x[c] * x[c];
        float n = sqrtf(s) / max_norm;
        float scl = 1.0f / (n > 1.0f ? n : 1.0f);
        for (int32_t c = 0; c < w->cols; c++)
            x[c] *= scl;
    }
}
static void ref_xent(const sk_backend *be, const sk_bmat *y, const sk_bmat *t, const sk_bvec *w,
                     sk_bmat *dy, double *xent, double *ent, double *frames, float *wprime)
{
    (void)be;
    SAME(y, t); SAME(y, dy);
    SHAPE(w->dim == y->rows);
    for (int32_t r = 0; r < y->rows; r++) {
        const float *yi = ROW(y, r), *ti = ROW(t, r);
        float *d = ROW(dy, r);
        float ts = 0;
        for (int32_t c = 0; c < y->cols; c++)
            ts += ti[c];
        float wp = w->data[r] * ts;
        if (wprime)
            wprime[r] = wp;
        for (int32_t c = 0; c < y->cols; c++) {
            d[c] = (yi[c] - ti[c]) * wp;
            if (ti[c] != 0) {
                float wt = wp * ti[c];
                frames[c] += wt;
                xent[c] += -(double)(wt * logf(yi[c] + 1e-20f));
                ent[c] += -(double)(wt * logf(ti[c] + 1e-20f));
            }
        }
    }
}

/* ---------------------------------------------------------------- fast elementwise passes
 * Per-minibatch passes of the training step (bias add, sigmoid derivative, column sums,
 * argmax, cross-entropy), written so that the vectoriser can take them: the same arithmetic
 * in the same order as the ref_* version (no reassociation; -std=c11 keeps FP contraction
 * off), so their results are bit-identical to the reference (tests/unit/backend.c). Each has
 * an AVX2 clone picked at run time, as the activations above. */
#define FAST_ROW_FN(name, params, body)                                       \
    __attribute__((target("avx2,fma"), optimize("O3")))                         \
    static void name##_avx2 params { body }                                     \
    __attribute__((optimize("O3")))                                              \
    static void name##_generic params { body }

FAST_ROW_FN(addvec_row, (float *restrict y, const float *restrict v, float alpha, float beta,
                         int32_t n),
    if (beta == 0) {
        for (int32_t c = 0; c < n; c++)
            y[c] = alpha * v[c] + 0.0f;
    } else {
        for (int32_t c = 0; c < n; c++)
            y[c] = alpha * v[c] + beta * y[c];
    })
static void cpu_add_vec_to_rows(const sk_backend *be, float alpha, const sk_bvec *v, float beta,
                                sk_bmat *m)
{
    (void)be;
    SHAPE(v->dim == m->cols);
    void (*row)(float *restrict, const float *restrict, float, float, int32_t) =
        have_avx2() ? addvec_row_avx2 : addvec_row_generic;
    for (int32_t r = 0; r < m->rows; r++)
        row(ROW(m, r), v->data, alpha, beta, m->cols);
}

FAST_ROW_FN(dsig_row, (float *restrict dx, const float *restrict y, const float *restrict dy,
                       int32_t n),
    for (int32_t c = 0; c < n; c++)
        dx[c] = dy[c] * y[c] * (1.0f - y[c]);)
static void cpu_diff_sigmoid(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy)
{
    (void)be;
    SAME(dx, y); SAME(dx, dy);
    void (*row)(float *restrict, const float *restrict, const float *restrict, int32_t) =
        have_avx2() ? dsig_row_avx2 : dsig_row_generic;
    for (int32_t r = 0; r < y->rows; r++) {
        /* in place (dx aliasing dy or y) is allowed by the contract: one element at a time
         * read before written, so the restrict rows are only used when nothing aliases */
        if (ROW(dx, r) == ROW(dy, r) || ROW(dx, r) == ROW(y, r)) {
            float *d = ROW(dx, r);
            const float *yy = ROW(y, r), *g = ROW(dy, r);
            for (int32_t c = 0; c < y->cols; c++)
                d[c] = g[c] * yy[c] * (1.0f - yy[c]);
        } else {
            row(ROW(dx, r), ROW(y, r), ROW(dy, r), y->cols);
        }
    }
}

FAST_ROW_FN(colacc_row, (float *restrict acc, const float *restrict x, int32_t n),
    for (int32_t c = 0; c < n; c++)
        acc[c] += x[c];)

/* per-row float accumulation, rows in order (what the cpu backend has always done) */
static void cpu_col_sums(const sk_backend *be, float alpha, const sk_bmat *m, float beta,
                         sk_bvec *v)
{
    (void)be;
    SHAPE(v->dim == m->cols);
    int32_t n = m->cols;
    float stack[4096], *acc = n <= 4096 ? stack : malloc(sizeof(float) * (size_t)n);
    if (!acc)
        SK_BUG("out of memory");
    memset(acc, 0, sizeof(float) * (size_t)n);
    bool a2 = have_avx2();
    for (int32_t r = 0; r < m->rows; r++)
        (a2 ? colacc_row_avx2 : colacc_row_generic)(acc, ROW(m, r), n);
    (a2 ? addvec_row_avx2 : addvec_row_generic)(v->data, acc, alpha, beta, n);
    if (acc != stack)
        free(acc);
}

/* First index of the row maximum, as ref_row_max_id: NaN never wins (it fails every >), a
 * NaN in column 0 stays the answer. Eight running maxima (x > m ? x : m is maxps) then the
 * first column equal to their maximum. */
__attribute__((optimize("O3")))
static int32_t argmax_row(const float *x, int32_t n)
{
    if (n <= 0)
        return -1;
    float m = x[0];
    if (m != m)
        return 0;
    float lane[8];
    for (int j = 0; j < 8; j++)
        lane[j] = m;
    int32_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (int j = 0; j < 8; j++)
            lane[j] = x[c + j] > lane[j] ? x[c + j] : lane[j];
    for (; c < n; c++)
        m = x[c] > m ? x[c] : m;
    for (int j = 0; j < 8; j++)
        m = lane[j] > m ? lane[j] : m;
    for (c = 0; c < n; c++)
        if (x[c] == m)
            return c;
    return 0;   /* not reached: m is one of the x[c] */
}
static void cpu_row_max_id(const sk_backend *be, const sk_bmat *m, int32_t *ids)
{
    (void)be;
    for (int32_t r = 0; r < m->rows; r++)
        ids[r] = argmax_row(ROW(m, r), m->cols);
}

FAST_ROW_FN(xent_diff_row, (float *restrict d, const float *restrict y, const float *restrict t,
                            float wp, int32_t n),
    for (int32_t c = 0; c < n; c++)
        d[c] = (y[c] - t[c]) * wp;)

/* ref_xent with the target row read once for its non-zeros (adding the zeros to the float
 * sum changes nothing), the derivative vectorised, the logs only at the non-zeros. */
static void cpu_xent(const sk_backend *be, const sk_bmat *y, const sk_bmat *t, const sk_bvec *w,
                     sk_bmat *dy, double *xent, double *ent, double *frames, float *wprime)
{
    (void)be;
    SAME(y, t); SAME(y, dy);
    SHAPE(w->dim == y->rows);
    int32_t n = y->cols;
    int32_t stack[1024], *nz = n <= 1024 ? stack : malloc(sizeof(int32_t) * (size_t)n);
    if (!nz)
        SK_BUG("out of memory");
    void (*row)(float *restrict, const float *restrict, const float *restrict, float, int32_t) =
        have_avx2() ? xent_diff_row_avx2 : xent_diff_row_generic;
    for (int32_t r = 0; r < y->rows; r++) {
        const float *yi = ROW(y, r), *ti = ROW(t, r);
        float *d = ROW(dy, r);
        int32_t k = 0;
        float ts = 0;
        for (int32_t c = 0; c < n; c++)
            if (ti[c] != 0) {
                nz[k++] = c;
                ts += ti[c];
            }
        float wp = w->data[r] * ts;
        if (wprime)
            wprime[r] = wp;
        if (d == yi || d == ti) {
            for (int32_t c = 0; c < n; c++)
                d[c] = (yi[c] - ti[c]) * wp;
        } else {
            row(d, yi, ti, wp, n);
        }
        for (int32_t i = 0; i < k; i++) {
            int32_t c = nz[i];
            float wt = wp * ti[c];
            frames[c] += wt;
            xent[c] += -(double)(wt * logf(yi[c] + 1e-20f));
            ent[c] += -(double)(wt * logf(ti[c] + 1e-20f));
        }
    }
    if (nz != stack)
        free(nz);
}

/* set_const: +0 is all-zero bits, a memset per row (the targets' zeroing each minibatch) */
static void cpu_set_const(const sk_backend *be, sk_bmat *m, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    if (bits != 0) {
        ref_set_const(be, m, v);
        return;
    }
    for (int32_t r = 0; r < m->rows; r++)
        memset(ROW(m, r), 0, sizeof(float) * (size_t)m->cols);
}

/* ---------------------------------------------------------------- tables */

#define COMMON_ENTRIES \
    .host_memory = true, .supports = cpu_supports, .sync = cpu_sync, \
    .mat_alloc = cpu_mat_alloc, .mat_free = cpu_mat_free, .vec_alloc = cpu_vec_alloc, \
    .vec_free = cpu_vec_free, .alloc = cpu_alloc, .free = cpu_free, .upload = cpu_upload, \
    .download = cpu_download, .upload_raw = cpu_raw, .download_raw = cpu_raw, .copy = cpu_copy, \
    .axpby = ref_axpby, .mul_elements = ref_mul_elements, \
    .affine = ref_affine, .log = ref_log, .clip = ref_clip, .max_elements = ref_max_elements, \
    .add_where_equal = ref_add_where_equal, .vec_pow = ref_vec_pow, \
    .row_sums = ref_row_sums, \
    .scale_rows = ref_scale_rows, .scale_cols = ref_scale_cols, .vec_axpby = ref_vec_axpby, \
    .vec_mul = ref_vec_mul, .vec_affine = ref_vec_affine, .sum = ref_sum, \
    .tanh = ref_tanh, \
    .diff_tanh = ref_diff_tanh, .diff_softmax = ref_diff_softmax, \
    .prelu = ref_prelu, .diff_prelu = ref_diff_prelu, .prelu_grads = ref_prelu_grads, \
    .copy_rows = ref_copy_rows, .add_to_rows = ref_add_to_rows, .copy_cols = ref_copy_cols, \
    .add_to_cols = ref_add_to_cols, .dropout_mask = ref_dropout_mask, .seed = cpu_seed, \
    .l1_update = ref_l1_update, .max_norm = ref_max_norm

static const sk_backend cpu_ref_backend = {
    .name = "cpu-ref", COMMON_ENTRIES,
    .gemm = ref_gemm, .col_sums = ref_col_sums, .sigmoid = ref_sigmoid, .softmax = ref_softmax,
    .add_vec_to_rows = ref_add_vec_to_rows, .diff_sigmoid = ref_diff_sigmoid,
    .row_max_id = ref_row_max_id, .xent = ref_xent, .set_const = ref_set_const,
};

static const sk_backend cpu_backend = {
    .name = "cpu", COMMON_ENTRIES,
    .gemm = cpu_gemm, .col_sums = cpu_col_sums, .sigmoid = cpu_sigmoid, .softmax = cpu_softmax,
    .add_vec_to_rows = cpu_add_vec_to_rows, .diff_sigmoid = cpu_diff_sigmoid,
    .row_max_id = cpu_row_max_id, .xent = cpu_xent, .set_const = cpu_set_const,
};

const sk_backend *sk_backend_cpu(void) { return &cpu_backend; }
const sk_backend *sk_backend_cpu_ref(void) { return &cpu_ref_backend; }
