/* index.cu — row and column gathers and scatter-adds driven by int32 index vectors in device
 * memory (frame shuffling, splicing, component slicing).
 *
 * Index values are trusted as backend.h's contract says (cpu-ref checks them; the CUDA
 * kernels do not, to stay branch-light). add_to_cols may repeat a target column, so it adds
 * with atomics (the order of those additions is not fixed); the other three write each
 * destination element from exactly one thread.
 */
#include "compute/cuda/common.cuh"

#include <string.h>

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

/* ---------------------------------------------------------------- sparse rows */

/* One thread a row, entries in order: a later entry for a column overwrites an earlier one
 * exactly as on the host, with no atomics. T was zeroed before. */
__global__ void k_scatter_rows(sk_bmat t, const int32_t *start, const int32_t *col,
                               const float *val)
{
    for (int32_t r = blockIdx.x * blockDim.x + threadIdx.x; r < t.rows;
         r += gridDim.x * blockDim.x)
        for (int32_t i = start[r]; i < start[r + 1]; i++)
            AT(t, r, col[i]) = val[i];
}

extern "C" int sk_cuda_set_sparse_rows(const sk_backend *be, sk_bmat *t,
                                       const int32_t *row_start, const int32_t *col,
                                       const float *val)
{
    sk_cuda_ctx *x = CTX(be);
    if (t->rows == 0 || t->cols == 0)
        return 0;
    CK(cudaMemset2DAsync(t->data, (size_t)t->stride * 4, 0, (size_t)t->cols * 4,
                         (size_t)t->rows, x->stream));
    size_t n = (size_t)row_start[t->rows];
    /* one scratch block: row_start, then col, then val */
    size_t b_start = sizeof(int32_t) * ((size_t)t->rows + 1), b_col = sizeof(int32_t) * n;
    char *d = (char *)be->alloc(be, b_start + 2 * b_col + 16);
    if (!d)
        return SK_EIO;
    int32_t *d_start = (int32_t *)d, *d_col = (int32_t *)(d + b_start);
    float *d_val = (float *)(d + b_start + b_col);
    /* one upload (one staging slot) of the block laid out as on the device: a training step
     * uses few of the backend's staging slots, so the host may run steps ahead */
    char *h = (char *)malloc(b_start + 2 * b_col + 16);
    if (!h) {
        be->free(be, d);
        SK_ERROR("out of host memory for %zu target entries", n);
        return SK_EIO;
    }
    memcpy(h, row_start, b_start);
    if (n) {
        memcpy(h + b_start, col, b_col);
        memcpy(h + b_start + b_col, val, sizeof(float) * n);
    }
    be->upload_raw(be, d, h, b_start + 2 * b_col);
    free(h);
    unsigned blocks = (unsigned)((t->rows + 255) / 256);
    SK_LAUNCH(blocks > 65535 ? 65535 : blocks, 256, 0, x->stream,
              k_scatter_rows)(*t, d_start, d_col, d_val);
    CK_LAUNCH();
    be->free(be, d);  /* stream-ordered: reused only by work queued after the kernel */
    return 0;
}
