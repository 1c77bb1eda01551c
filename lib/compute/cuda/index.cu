/* index.cu — row and column gathers and scatter-adds driven by int32 index vectors in device
 * memory (frame shuffling, splicing, component slicing).
 *
 * Index values are trusted as backend.h's contract says (cpu-ref checks them; the CUDA
 * kernels do not, to stay branch-light). add_to_cols may repeat a target column, so it adds
 * with atomics (the order of those additions is not fixed); the other three write each
 * destination element from exactly one thread.
 */
#include "compute/cuda/common.cuh"

struct copy_rows_fn {
    sk_bmat dst, src; const int32_t *idx;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        int32_t s = idx[r];
        AT(dst, r, c) = s < 0 ? 0.0f : AT(src, s, c);
    }
};
static void cu_copy_rows(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                         const int32_t *idx)
{
    SHAPE(dst->cols == src->cols);
    sk_launch_map(CTX(be), dst->rows, dst->cols, copy_rows_fn{ *dst, *src, idx });
}

struct add_to_rows_fn {
    sk_bmat dst, src; const int32_t *idx;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        int32_t d = idx[r];
        if (d >= 0)
            AT(dst, d, c) += AT(src, r, c);
    }
};
static void cu_add_to_rows(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                           const int32_t *idx)
{
    SHAPE(dst->cols == src->cols);
    sk_launch_map(CTX(be), src->rows, src->cols, add_to_rows_fn{ *dst, *src, idx });
}

struct copy_cols_fn {
    sk_bmat dst, src; const int32_t *idx;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        int32_t s = idx[c];
        AT(dst, r, c) = s < 0 ? 0.0f : AT(src, r, s);
    }
};
static void cu_copy_cols(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                         const int32_t *idx)
{
    SHAPE(dst->rows == src->rows);
    sk_launch_map(CTX(be), dst->rows, dst->cols, copy_cols_fn{ *dst, *src, idx });
}

struct add_to_cols_fn {
    sk_bmat dst, src; const int32_t *idx;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        int32_t d = idx[c];
        if (d >= 0)
            atomicAdd(&AT(dst, r, d), AT(src, r, c));
    }
};
static void cu_add_to_cols(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                           const int32_t *idx)
{
    SHAPE(dst->rows == src->rows);
    sk_launch_map(CTX(be), src->rows, src->cols, add_to_cols_fn{ *dst, *src, idx });
}

void sk_cuda_register_index(sk_backend *be)
{
    be->copy_rows = cu_copy_rows;
    be->add_to_rows = cu_add_to_rows;
    be->copy_cols = cu_copy_cols;
    be->add_to_cols = cu_add_to_cols;
}
