/* blas.c — the cblas (OpenBLAS) wrappers of matrix.h, in a file of their own so that tools
 * which only copy matrices do not link OpenBLAS (whose thread pool costs start-up time). */
#include <cblas.h>

#include "base/log.h"
#include "matrix/matrix.h"

void sk_gemm(bool trans_a, bool trans_b, float alpha, const sk_mat *a, const sk_mat *b,
             float beta, sk_mat *c)
{
    int32_t m = trans_a ? a->cols : a->rows, k = trans_a ? a->rows : a->cols;
    int32_t kb = trans_b ? b->cols : b->rows, n = trans_b ? b->rows : b->cols;
    if (k != kb || c->rows != m || c->cols != n)
        SK_BUG("gemm size mismatch: (%d x %d) * (%d x %d) -> %d x %d", (int)m, (int)k,
               (int)kb, (int)n, (int)c->rows, (int)c->cols);
    if (m == 0 || n == 0)
        return;
    if (k == 0) {   /* BLAS leaves C untouched when k == 0 only if beta == 1 */
        for (int32_t r = 0; r < m; r++)
            for (int32_t j = 0; j < n; j++)
                SK_MAT(c, r, j) = beta == 0.0f ? 0.0f : beta * SK_MAT(c, r, j);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a->data, a->stride,
                b->data, b->stride, beta, c->data, c->stride);
}

void sk_gemv(bool trans_a, float alpha, const sk_mat *a, const float *x, float beta, float *y)
{
    if (a->rows == 0 || a->cols == 0) {
        int32_t n = trans_a ? a->cols : a->rows;
        for (int32_t i = 0; i < n; i++)
            y[i] = beta == 0.0f ? 0.0f : beta * y[i];
        return;
    }
    cblas_sgemv(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, a->rows, a->cols, alpha,
                a->data, a->stride, x, 1, beta, y, 1);
}

float sk_dot(int32_t n, const float *x, const float *y)
{
    return n > 0 ? cblas_sdot(n, x, 1, y, 1) : 0.0f;
}
