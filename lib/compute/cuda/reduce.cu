/* reduce.cu — ops that reduce along rows or columns: column and row sums, the total sum,
 * row arg-max, softmax and its Jacobian product, max-norm, the PReLU parameter gradients and
 * the cross-entropy (gradient plus per-class statistics).
 *
 * Row reductions give each row one block (grid-stride when there are more than 65535 rows);
 * column reductions give each block a 32-column tile whose 32 x 32 threads walk the rows,
 * then fold the 32 partial sums in shared memory. Sums that cpu.c's reference keeps in double
 * (column and row sums, sum, xent statistics, prelu gradients) are kept in double here too;
 * the order of the additions differs from the CPU's, so results agree to rounding, not bit
 * for bit.
 */
#include "compute/cuda/common.cuh"

#include <float.h>

/* ---------------------------------------------------------------- column reductions */

/* f(r, c, acc) adds row r's contribution to the NV accumulators of column c;
 * g(c, sums) stores the totals. */
template <int NV, class T, class F, class G>
__global__ void k_colred(int32_t rows, int32_t cols, F f, G g)
{
    __shared__ T sh[NV][32][33];
    int tx = threadIdx.x, ty = threadIdx.y;
    int32_t c = blockIdx.x * 32 + tx;
    T acc[NV];
    for (int k = 0; k < NV; k++)
        acc[k] = 0;
    if (c < cols)
        for (int32_t r = ty; r < rows; r += 32)
            f(r, c, acc);
    for (int k = 0; k < NV; k++)
        sh[k][ty][tx] = acc[k];
    __syncthreads();
    if (ty == 0 && c < cols) {
        T s[NV];
        for (int k = 0; k < NV; k++) {
            s[k] = 0;
            for (int i = 0; i < 32; i++)
                s[k] += sh[k][i][tx];
        }
        g(c, s);
    }
}
template <int NV, class T, class F, class G>
static void colred(sk_cuda_ctx *x, int32_t rows, int32_t cols, F f, G g)
{
    if (cols <= 0)
        return;
    SK_LAUNCH((unsigned)((cols + 31) / 32), dim3(32, 32), 0, x->stream,
              k_colred<NV, T>)(rows, cols, f, g);
    CK_LAUNCH();
}

struct colsum_f {
    sk_bmat m;
    __device__ void operator()(int32_t r, int32_t c, double *acc) const { acc[0] += AT(m, r, c); }
};
struct colsum_g {
    float *v; float alpha, beta;
    __device__ void operator()(int32_t c, const double *s) const
    {
        v[c] = (float)(alpha * s[0] + (beta == 0.0f ? 0.0 : (double)beta * v[c]));
    }
};
static void cu_col_sums(const sk_backend *be, float alpha, const sk_bmat *m, float beta,
                        sk_bvec *v)
{
    SHAPE(v->dim == m->cols);
    colred<1, double>(CTX(be), m->rows, m->cols, colsum_f{ *m }, colsum_g{ v->data, alpha, beta });
}

struct prelu_grads_f {
    sk_bmat x, dy;
    __device__ void operator()(int32_t r, int32_t c, double *acc) const
    {
        float v = AT(x, r, c), d = AT(dy, r, c);
        if (v > 0)
            acc[0] += (double)v * d;
        else
            acc[1] += (double)v * d;
    }
};
struct prelu_grads_g {
    float *ga, *gb;
    __device__ void operator()(int32_t c, const double *s) const
    {
        ga[c] = (float)s[0];
        gb[c] = (float)s[1];
    }
};
static void cu_prelu_grads(const sk_backend *be, const sk_bmat *x, const sk_bmat *dy,
                           sk_bvec *ga, sk_bvec *gb)
{
    SAME(x, dy);
    SHAPE(ga->dim == x->cols && gb->dim == x->cols);
    colred<2, double>(CTX(be), x->rows, x->cols, prelu_grads_f{ *x, *dy },
                      prelu_grads_g{ ga->data, gb->data });
}

/* ---------------------------------------------------------------- row reductions */

#define ROWS_LOOP(rows) for (int32_t r = blockIdx.x; r < (rows); r += gridDim.x)

__global__ void k_row_sums(sk_bmat m, float *v, float alpha, float beta)
{
    __shared__ double sh[32];
    ROWS_LOOP(m.rows) {
        double s = 0;
        for (int32_t c = threadIdx.x; c < m.cols; c += blockDim.x)
            s += AT(m, r, c);
        s = sk_block_sum(s, sh);
        if (threadIdx.x == 0)
            v[r] = (float)(alpha * s + (beta == 0.0f ? 0.0 : (double)beta * v[r]));
    }
}
static void cu_row_sums(const sk_backend *be, float alpha, const sk_bmat *m, float beta,
                        sk_bvec *v)
{
    SHAPE(v->dim == m->rows);
    sk_cuda_ctx *x = CTX(be);
    if (m->rows == 0)
        return;
    SK_LAUNCH(sk_row_blocks(m->rows), sk_row_threads(m->cols), 0, x->stream,
              k_row_sums)(*m, v->data, alpha, beta);
    CK_LAUNCH();
}

/* Softmax of each row: max, exp(x - max) with its sum, then scale by 1/sum. In place ok. */
__global__ void k_softmax(sk_bmat y, sk_bmat x)
{
    __shared__ float sh[32];
    __shared__ double shd[32];
    ROWS_LOOP(x.rows) {
        float mx = -INFINITY;
        for (int32_t c = threadIdx.x; c < x.cols; c += blockDim.x)
            mx = fmaxf(mx, AT(x, r, c));
        mx = sk_block_max(mx, sh, -INFINITY);
        double s = 0;   /* as cpu.c: in float the peak's thread would drop its share of the tail */
        for (int32_t c = threadIdx.x; c < x.cols; c += blockDim.x) {
            float e = expf(AT(x, r, c) - mx);
            AT(y, r, c) = e;
            s += e;
        }
        s = sk_block_sum(s, shd);
        float inv = (float)(1.0 / s);
        for (int32_t c = threadIdx.x; c < x.cols; c += blockDim.x)
            AT(y, r, c) *= inv;
    }
}
static void cu_softmax(const sk_backend *be, sk_bmat *y, const sk_bmat *x)
{
    SAME(x, y);
    if (x->rows == 0 || x->cols == 0)
        return;
    SK_LAUNCH(sk_row_blocks(x->rows), sk_row_threads(x->cols), 0, CTX(be)->stream,
              k_softmax)(*y, *x);
    CK_LAUNCH();
}

/* dX = Y ⊙ dY - Y * rowdot(dY, Y) */
__global__ void k_diff_softmax(sk_bmat dx, sk_bmat y, sk_bmat dy)
{
    __shared__ double sh[32];
    ROWS_LOOP(y.rows) {
        double dot = 0;
        for (int32_t c = threadIdx.x; c < y.cols; c += blockDim.x)
            dot += (double)AT(dy, r, c) * AT(y, r, c);
        float d = (float)sk_block_sum(dot, sh);
        for (int32_t c = threadIdx.x; c < y.cols; c += blockDim.x) {
            float yv = AT(y, r, c);
            AT(dx, r, c) = yv * AT(dy, r, c) - yv * d;
        }
    }
}
static void cu_diff_softmax(const sk_backend *be, sk_bmat *dx, const sk_bmat *y,
                            const sk_bmat *dy)
{
    SAME(dx, y); SAME(dx, dy);
    SHAPE(dx->data != y->data || y->rows * y->cols == 0);
    if (y->rows == 0 || y->cols == 0)
        return;
    SK_LAUNCH(sk_row_blocks(y->rows), sk_row_threads(y->cols), 0, CTX(be)->stream,
              k_diff_softmax)(*dx, *y, *dy);
    CK_LAUNCH();
}

/* Row r scaled by 1 / max(1, ||W_r|| / max_norm). */
__global__ void k_max_norm(sk_bmat w, float max_norm)
{
    __shared__ float sh[32];
    ROWS_LOOP(w.rows) {
        float s = 0;
        for (int32_t c = threadIdx.x; c < w.cols; c += blockDim.x) {
            float v = AT(w, r, c);
            s += v * v;
        }
        s = sk_block_sum(s, sh);
        float n = sqrtf(s) / max_norm;
        float scl = 1.0f / (n > 1.0f ? n : 1.0f);
        for (int32_t c = threadIdx.x; c < w.cols; c += blockDim.x)
            AT(w, r, c) *= scl;
    }
}
static void cu_max_norm(const sk_backend *be, sk_bmat *w, float max_norm)
{
    if (w->rows == 0 || w->cols == 0)
        return;
    SK_LAUNCH(sk_row_blocks(w->rows), sk_row_threads(w->cols), 0, CTX(be)->stream,
              k_max_norm)(*w, max_norm);
    CK_LAUNCH();
}

/* First column holding the maximum of row r (strict >, so ties keep the lower column), by
 * cpu.c's rule: a NaN never wins, except one in column 0, which is the answer (the
 * sequential scan starts there and nothing is > NaN). The result is valid in thread 0.
 * blockDim.x a power of two <= 256; all threads call it. */
__device__ int32_t block_argmax(const sk_bmat &m, int32_t r, float *shv, int32_t *shi)
{
    float best = -INFINITY;
    int32_t bi = -1;
    for (int32_t c = threadIdx.x; c < m.cols; c += blockDim.x) {
        float v = AT(m, r, c);
        if (v == v && (bi < 0 || v > best)) {   /* NaNs are no candidates */
            best = v;
            bi = c;
        }
    }
    __syncthreads();   /* shv/shi may still be read from a previous call */
    shv[threadIdx.x] = best;
    shi[threadIdx.x] = bi;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            float ov = shv[threadIdx.x + s];
            int32_t oi = shi[threadIdx.x + s];
            int32_t mi = shi[threadIdx.x];
            if (oi >= 0 && (mi < 0 || ov > shv[threadIdx.x] ||
                            (ov == shv[threadIdx.x] && oi < mi))) {
                shv[threadIdx.x] = ov;
                shi[threadIdx.x] = oi;
            }
        }
        __syncthreads();
    }
    float first = AT(m, r, 0);
    return first != first ? 0 : shi[0];   /* all NaN: column 0 too */
}

__global__ void k_row_max_id(sk_bmat m, int32_t *ids)
{
    __shared__ float shv[256];
    __shared__ int32_t shi[256];
    ROWS_LOOP(m.rows) {
        int32_t b = block_argmax(m, r, shv, shi);
        if (threadIdx.x == 0)
            ids[r] = b;
    }
}

/* power-of-two thread count for block_argmax */
static unsigned argmax_threads(int32_t cols)
{
    unsigned t = 32;
    while (t < 256 && t < (unsigned)cols)
        t *= 2;
    return t;
}

static void cu_row_max_id(const sk_backend *be, const sk_bmat *m, int32_t *ids)
{
    sk_cuda_ctx *x = CTX(be);
    if (m->rows == 0)
        return;
    if (m->cols == 0) {
        for (int32_t r = 0; r < m->rows; r++)
            ids[r] = -1;
        return;
    }
    int32_t *d = (int32_t *)sk_cuda_scratch(x, (size_t)m->rows * sizeof(int32_t));
    SK_LAUNCH(sk_row_blocks(m->rows), argmax_threads(m->cols), 0, x->stream, k_row_max_id)(*m, d);
    CK_LAUNCH();
    sk_cuda_fetch(x, ids, d, (size_t)m->rows * sizeof(int32_t));
    sk_cuda_scratch_free(x, d);
}

/* ---------------------------------------------------------------- total sum */

#define SUM_BLOCKS 256
__global__ void k_sum_partial(sk_bmat m, double *part)
{
    __shared__ double sh[32];
    double s = 0;
    ROWS_LOOP(m.rows)
        for (int32_t c = threadIdx.x; c < m.cols; c += blockDim.x)
            s += AT(m, r, c);
    s = sk_block_sum(s, sh);
    if (threadIdx.x == 0)
        part[blockIdx.x] = s;
}
__global__ void k_sum_final(const double *part, int n, double *out)
{
    __shared__ double sh[32];
    double s = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x)
        s += part[i];
    s = sk_block_sum(s, sh);
    if (threadIdx.x == 0)
        *out = s;
}
static double cu_sum(const sk_backend *be, const sk_bmat *m)
{
    sk_cuda_ctx *x = CTX(be);
    if (m->rows == 0 || m->cols == 0)
        return 0;
    unsigned nb = sk_row_blocks(m->rows);
    if (nb > SUM_BLOCKS)
        nb = SUM_BLOCKS;
    double *d = (double *)sk_cuda_scratch(x, (SUM_BLOCKS + 1) * sizeof(double));
    SK_LAUNCH(nb, sk_row_threads(m->cols), 0, x->stream, k_sum_partial)(*m, d);
    CK_LAUNCH();
    SK_LAUNCH(1, 256, 0, x->stream, k_sum_final)(d, (int)nb, d + SUM_BLOCKS);
    CK_LAUNCH();
    double s = 0;
    sk_cuda_fetch(x, &s, d + SUM_BLOCKS, sizeof s);
    sk_cuda_scratch_free(x, d);
    return s;
}

/* ---------------------------------------------------------------- cross-entropy */

/* w'[r] = w[r] * Σ_c T[r][c] */
__global__ void k_xent_wprime(sk_bmat t, const float *w, float *wp)
{
    __shared__ float sh[32];
    ROWS_LOOP(t.rows) {
        float s = 0;
        for (int32_t c = threadIdx.x; c < t.cols; c += blockDim.x)
            s += AT(t, r, c);
        s = sk_block_sum(s, sh);
        if (threadIdx.x == 0)
            wp[r] = w[r] * s;
    }
}
/* dY = (Y - T) w'[r]; per column: -Σ w' T log(Y + 1e-20), -Σ w' T log(T + 1e-20), Σ w' T */
struct xent_f {
    sk_bmat y, t, dy; const float *wp;
    __device__ void operator()(int32_t r, int32_t c, double *acc) const
    {
        float yv = AT(y, r, c), tv = AT(t, r, c), w = wp[r];
        AT(dy, r, c) = (yv - tv) * w;
        if (tv != 0) {
            float wt = w * tv;
            acc[0] += -(double)(wt * logf(yv + 1e-20f));
            acc[1] += -(double)(wt * logf(tv + 1e-20f));
            acc[2] += (double)wt;
        }
    }
};
struct xent_g {
    double *out; int32_t cols; bool add;
    __device__ void operator()(int32_t c, const double *s) const
    {
        for (int k = 0; k < 3; k++)
            out[k * (size_t)cols + c] = s[k] + (add ? out[k * (size_t)cols + c] : 0.0);
    }
};
static void cu_xent(const sk_backend *be, const sk_bmat *y, const sk_bmat *t, const sk_bvec *w,
                    sk_bmat *dy, double *xent, double *ent, double *frames, float *wprime)
{
    SAME(y, t); SAME(y, dy);
    SHAPE(w->dim == y->rows);
    sk_cuda_ctx *x = CTX(be);
    int32_t rows = y->rows, cols = y->cols;
    if (rows == 0)
        return;
    float *wp = (float *)sk_cuda_scratch(x, (size_t)rows * sizeof(float));
    if (cols == 0) {
        /* every T row sums to 0: w' = 0 */
        CK(cudaMemsetAsync(wp, 0, (size_t)rows * sizeof(float), x->stream));
    } else {
        SK_LAUNCH(sk_row_blocks(rows), sk_row_threads(cols), 0, x->stream,
                  k_xent_wprime)(*t, w->data, wp);
        CK_LAUNCH();
    }
    double *st = nullptr;
    std::vector<double> h((size_t)3 * cols);
    if (cols > 0) {
        st = (double *)sk_cuda_scratch(x, (size_t)3 * cols * sizeof(double));
        colred<3, double>(x, rows, cols, xent_f{ *y, *t, *dy, wp }, xent_g{ st, cols, false });
        sk_cuda_fetch(x, h.data(), st, h.size() * sizeof(double));
        sk_cuda_scratch_free(x, st);
    }
    if (wprime)
        sk_cuda_fetch(x, wprime, wp, (size_t)rows * sizeof(float));
    sk_cuda_scratch_free(x, wp);
    for (int32_t c = 0; c < cols; c++) {
        xent[c] += h[c];
        ent[c] += h[(size_t)cols + c];
        frames[c] += h[(size_t)2 * cols + c];
    }
}

/* correct[c] += w'[r] when the first maxima of Y's and T's row r are both column c */
__global__ void k_xent_correct(sk_bmat y, sk_bmat t, const float *wp, double *correct)
{
    __shared__ float shv[256];
    __shared__ int32_t shi[256];
    ROWS_LOOP(y.rows) {
        int32_t by = block_argmax(y, r, shv, shi);
        int32_t bt = block_argmax(t, r, shv, shi);
        if (threadIdx.x == 0 && by == bt && by >= 0)
            atomicAdd(&correct[by], (double)wp[r]);
    }
}

extern "C" void sk_cuda_xent_accumulate(const sk_backend *be, const sk_bmat *y,
                                        const sk_bmat *t, const sk_bvec *w, sk_bmat *dy,
                                        double *stats)
{
    SAME(y, t); SAME(y, dy);
    SHAPE(w->dim == y->rows);
    sk_cuda_ctx *x = CTX(be);
    int32_t rows = y->rows, cols = y->cols;
    if (rows == 0 || cols == 0)
        return;
    float *wp = (float *)sk_cuda_scratch(x, (size_t)rows * sizeof(float));
    SK_LAUNCH(sk_row_blocks(rows), sk_row_threads(cols), 0, x->stream,
              k_xent_wprime)(*t, w->data, wp);
    CK_LAUNCH();
    /* accuracy first, so that Y is read before dY is written (in case a caller aliases) */
    SK_LAUNCH(sk_row_blocks(rows), argmax_threads(cols), 0, x->stream,
              k_xent_correct)(*y, *t, wp, stats + 3 * (size_t)cols);
    CK_LAUNCH();
    colred<3, double>(x, rows, cols, xent_f{ *y, *t, *dy, wp }, xent_g{ stats, cols, true });
    sk_cuda_scratch_free(x, wp);  /* stream-ordered reuse */
}

void sk_cuda_register_reduce(sk_backend *be)
{
    be->col_sums = cu_col_sums;
    be->row_sums = cu_row_sums;
    be->sum = cu_sum;
    be->row_max_id = cu_row_max_id;
    be->softmax = cu_softmax;
    be->diff_softmax = cu_diff_softmax;
    be->max_norm = cu_max_norm;
    be->prelu_grads = cu_prelu_grads;
    be->xent = cu_xent;
}
