/* gemm.cu — C = alpha op(A) op(B) + beta C on cuBLAS, in the instance's precision.
 *
 * Row-major on column-major cuBLAS: a row-major R x C matrix with row stride s is, read by
 * cuBLAS with ld = s, the column-major C x R matrix X^T. So the row-major product
 * C = op(A) op(B) is computed as the column-major C^T = op(B)^T op(A)^T: swap the operands,
 * swap M and N, and keep each operand's own transpose flag (op(B)^T of the column-major view
 * B^T is B^T itself when B is not transposed: CUBLAS_OP_N; it is B when tb: CUBLAS_OP_T).
 *
 * Precision: fp32 computes in IEEE single (CUBLAS_COMPUTE_32F, pedantic math, no TF32
 * anywhere); tf32 lets cuBLAS round the inputs to TF32 on tensor cores
 * (CUBLAS_COMPUTE_32F_FAST_TF32); bf16 rounds the inputs to bf16 and accumulates in fp32
 * (CUBLAS_COMPUTE_32F_FAST_16BF) — A, B and C stay fp32 in memory, so the weights the update
 * changes are the fp32 master copy and only the GEMM inputs are rounded.
 */
#include "compute/cuda/common.cuh"

static cublasComputeType_t compute_type(sk_precision p)
{
    switch (p) {
    case SK_PREC_TF32: return CUBLAS_COMPUTE_32F_FAST_TF32;
    case SK_PREC_BF16: return CUBLAS_COMPUTE_32F_FAST_16BF;
    default: return CUBLAS_COMPUTE_32F;
    }
}

bool sk_cuda_gemm_set_precision(sk_cuda_ctx *x, sk_precision p)
{
    int major = 0;
    if (!SK_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor,
                                              x->device)))
        return false;
    if (p != SK_PREC_FP32 && major < 8) {
        SK_ERROR("Precision %s needs a GPU of compute capability 8.0 or newer (this one: %d.x)",
                 sk_precision_name(p), major);
        return false;
    }
    cublasMath_t mode = p == SK_PREC_FP32 ? CUBLAS_PEDANTIC_MATH : CUBLAS_DEFAULT_MATH;
    if (!SK_CUDA_CHECK(cublasSetMathMode(x->blas, mode)))
        return false;
    x->precision = p;
    return true;
}

/* C = beta * C, with beta == 0 giving exact zeros (old NaNs ignored): the k == 0 case. */
struct scale_fn {
    sk_bmat c;
    float beta;
    __device__ void operator()(int32_t r, int32_t j) const
    {
        float &v = AT(c, r, j);
        v = beta == 0.0f ? 0.0f : beta * v;
    }
};

static void cu_gemm(const sk_backend *be, bool ta, bool tb, float alpha, const sk_bmat *a,
                    const sk_bmat *b, float beta, sk_bmat *c)
{
    sk_cuda_ctx *x = CTX(be);
    int32_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
    int32_t kb = tb ? b->cols : b->rows, n = tb ? b->rows : b->cols;
    SHAPE(k == kb && c->rows == m && c->cols == n);
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        sk_launch_map(x, m, n, scale_fn{ *c, beta });
        return;
    }
    /* ld must be >= the column-major row count even for a degenerate view */
    int lda = a->stride > 0 ? a->stride : 1, ldb = b->stride > 0 ? b->stride : 1;
    int ldc = c->stride > 0 ? c->stride : 1;
    /* cuBLAS does not read C when beta == 0 (documented), so NaNs in C are ignored. */
    CK(cublasGemmEx(x->blas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                    n, m, k, &alpha, b->data, CUDA_R_32F, ldb, a->data, CUDA_R_32F, lda, &beta,
                    c->data, CUDA_R_32F, ldc, compute_type(x->precision),
                    CUBLAS_GEMM_DEFAULT));
}

void sk_cuda_register_gemm(sk_backend *be)
{
    be->gemm = cu_gemm;
}
