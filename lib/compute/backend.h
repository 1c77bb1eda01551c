/* backend.h — the math an nnet needs, behind one interface chosen once per run.
 *
 * A backend is a struct of function pointers (style.md §7, ggml's ggml_backend_i). The CPU
 * backend (cpu.c: OpenBLAS + loops) is always present; a CUDA backend (lib/compute/cuda/) may
 * implement the same table. Algorithm code (lib/nnet) calls be->gemm(be, ...) and never
 * contains `#if CUDA`.
 *
 *     const sk_backend *be = sk_backend_get("cpu");          // or sk_backend_select(use_gpu)
 *     sk_bmat x, y;
 *     be->mat_alloc(be, &x, 256, 440);                       // zeroed, backend memory
 *     be->mat_alloc(be, &y, 256, 1024);
 *     be->upload(be, &x, host_data, 440);                    // host -> backend
 *     be->gemm(be, false, true, 1.0f, &x, &w, 0.0f, &y);     // y = x * w^T
 *     be->sigmoid(be, &y, &y);
 *     be->download(be, host_out, 1024, &y);                  // backend -> host (queued)
 *     be->sync(be);                                          // now host_out may be read
 *     be->mat_free(be, &x); be->mat_free(be, &y);
 *
 * Memory. sk_bmat / sk_bvec are plain descriptors (like sk_mat): `data` points into BACKEND
 * memory (host memory for the CPU backends, device memory for CUDA) and must never be
 * dereferenced by the caller unless sk_backend.host_memory is true. Element (r, c) is
 * data[r * stride + c]; stride >= cols. mat_alloc/vec_alloc allocate zeroed storage owned by
 * the descriptor (free with mat_free/vec_free); views (sk_bmat_view, sk_bmat_cols) borrow and
 * are never freed. Raw buffers (int32 index vectors, masks) come from alloc/free. Buffers
 * belong to the backend that allocated them; never mix backends.
 *
 * Ordering and synchronisation. Every operation is enqueued on the backend's single in-order
 * stream: operations run in the order they are called, so no sync is needed between two
 * backend operations. A backend MAY be asynchronous with respect to the host:
 *   - upload/upload_raw copy the host source before returning (the host buffer may be reused
 *     at once);
 *   - download/download_raw may complete later: call sync() before reading the host buffer;
 *   - functions that return a value to the host (sum, row_max_id into host memory) are
 *     synchronous;
 *   - mat_free/vec_free/free may be called while work using the buffer is queued (the
 *     backend defers the release as needed).
 *
 * Shapes. Every op lists the shapes it requires; a caller passing wrong shapes is a bug
 * (SK_BUG in the CPU backends, which check). In-place use (output == input) is allowed where
 * noted "in place ok". Matrices with rows == 0 or cols == 0 are valid and do nothing.
 *
 * Errors. Allocation returns SK_EIO (ERROR printed) when memory runs out; every other op
 * cannot fail on valid arguments.
 *
 * Threads. A backend is used by one thread at a time per instance (data-parallel training:
 * one instance or stream per worker). The CPU backends are shared singletons that are safe to
 * call from several threads at once: they hold no state but the dropout generator, which is
 * per thread (seed() seeds the calling thread's generator).
 */
#ifndef SK_COMPUTE_BACKEND_H
#define SK_COMPUTE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { float *data; int32_t rows, cols, stride; } sk_bmat;
typedef struct { float *data; int32_t dim; } sk_bvec;

/* Views (no allocation; borrow the parent's storage). */
static inline sk_bmat sk_bmat_view(const sk_bmat *m, int32_t r0, int32_t nr, int32_t c0,
                                   int32_t nc)
{
    sk_bmat v = { m->data + (size_t)r0 * m->stride + c0, nr, nc, m->stride };
    return v;
}
static inline sk_bmat sk_bmat_rows(const sk_bmat *m, int32_t r0, int32_t nr)
{
    return sk_bmat_view(m, r0, nr, 0, m->cols);
}
static inline sk_bmat sk_bmat_cols(const sk_bmat *m, int32_t c0, int32_t nc)
{
    return sk_bmat_view(m, 0, m->rows, c0, nc);
}
static inline sk_bvec sk_bvec_view(const sk_bvec *v, int32_t off, int32_t n)
{
    sk_bvec r = { v->data + off, n };
    return r;
}

/* Operation families for supports(). Every table entry must be set (tests check it); a
 * backend that cannot do a family correctly yet answers false, and sk_backend_select then
 * keeps the whole run on the CPU backend (lib/nnet never mixes backends). */
typedef enum {
    SK_OP_GEMM, SK_OP_SIGMOID, SK_OP_TANH, SK_OP_SOFTMAX, SK_OP_DROPOUT, SK_OP_L1,
    SK_OP_MAX_NORM, SK_OP_XENT, SK_OP_PRELU, SK_OP_COPY_ROWS, SK_OP_COPY_COLS,
    SK_OP_ROW_MAX_ID, SK_OP_COUNT
} sk_op;

typedef struct sk_backend sk_backend;
struct sk_backend {
    const char *name;          /* "cpu", "cpu-ref", "cuda" */
    bool host_memory;          /* data pointers are host memory the caller may read */
    void *ctx;                 /* backend private state */

    /* supports(op): false = this backend must not be used for networks needing op. */
    bool (*supports)(const sk_backend *be, sk_op op);
    /* Wait until every queued operation (incl. downloads) has completed. */
    void (*sync)(const sk_backend *be);

    /* ---- memory ---- */
    /* Zeroed rows x cols matrix; stride is chosen by the backend (padded for alignment).
     * Returns 0 or SK_EIO. m is overwritten (not freed). */
    int (*mat_alloc)(const sk_backend *be, sk_bmat *m, int32_t rows, int32_t cols);
    void (*mat_free)(const sk_backend *be, sk_bmat *m);      /* m becomes empty; NULL ok */
    int (*vec_alloc)(const sk_backend *be, sk_bvec *v, int32_t dim);
    void (*vec_free)(const sk_backend *be, sk_bvec *v);
    void *(*alloc)(const sk_backend *be, size_t bytes);      /* zeroed; NULL on failure */
    void (*free)(const sk_backend *be, void *p);

    /* host (row-major, host_stride floats per row) -> backend matrix of the same shape. */
    void (*upload)(const sk_backend *be, sk_bmat *dst, const float *src, int32_t host_stride);
    /* backend -> host; sync() before reading dst. */
    void (*download)(const sk_backend *be, float *dst, int32_t host_stride, const sk_bmat *src);
    /* raw bytes: host -> backend buffer, backend buffer -> host (sync before reading). */
    void (*upload_raw)(const sk_backend *be, void *dst, const void *src, size_t bytes);
    void (*download_raw)(const sk_backend *be, void *dst, const void *src, size_t bytes);
    /* dst = src (same shape), backend to backend. */
    void (*copy)(const sk_backend *be, sk_bmat *dst, const sk_bmat *src);

    /* ---- BLAS ---- */
    /* C = alpha * op(A) op(B) + beta * C; op(X) = X or X^T. C: M x N, op(A): M x K,
     * op(B): K x N. beta == 0 ignores C's old contents (NaN too). */
    void (*gemm)(const sk_backend *be, bool trans_a, bool trans_b, float alpha,
                 const sk_bmat *a, const sk_bmat *b, float beta, sk_bmat *c);

    /* ---- elementwise ---- */
    void (*set_const)(const sk_backend *be, sk_bmat *m, float v);
    /* B = alpha * A + beta * B (same shape). */
    void (*axpby)(const sk_backend *be, float alpha, const sk_bmat *a, float beta, sk_bmat *b);
    /* A = A ⊙ B (same shape). */
    void (*mul_elements)(const sk_backend *be, sk_bmat *a, const sk_bmat *b);
    /* M = alpha * M + beta (scale and shift every element). */
    void (*affine)(const sk_backend *be, sk_bmat *m, float alpha, float beta);
    /* Y = log(X + floor) (Kaldi's ApplyLog after adding 1e-20); in place ok. */
    void (*log)(const sk_backend *be, sk_bmat *y, const sk_bmat *x, float floor);
    /* A = max(A, B) elementwise (max pooling). */
    void (*max_elements)(const sk_backend *be, sk_bmat *a, const sk_bmat *b);
    /* D += S ⊙ (A == B) elementwise (max-pooling backward: route S to where A equals B). All
     * four the same shape. */
    void (*add_where_equal)(const sk_backend *be, sk_bmat *d, const sk_bmat *s, const sk_bmat *a,
                            const sk_bmat *b);
    /* Clamp to [lo, hi] (gradient clipping); in place. */
    void (*clip)(const sk_backend *be, sk_bmat *m, float lo, float hi);

    /* ---- rows / columns (vectors are backend memory) ---- */
    /* M[i][j] = alpha * v[j] + beta * M[i][j]  (v dim = M.cols): add a bias to every row. */
    void (*add_vec_to_rows)(const sk_backend *be, float alpha, const sk_bvec *v, float beta,
                            sk_bmat *m);
    /* v[j] = alpha * Σ_i M[i][j] + beta * v[j]  (v dim = M.cols). */
    void (*col_sums)(const sk_backend *be, float alpha, const sk_bmat *m, float beta,
                     sk_bvec *v);
    /* v[i] = alpha * Σ_j M[i][j] + beta * v[i]  (v dim = M.rows). */
    void (*row_sums)(const sk_backend *be, float alpha, const sk_bmat *m, float beta,
                     sk_bvec *v);
    /* M[i][j] *= v[i] (v dim = rows) / M[i][j] *= v[j] (v dim = cols). */
    void (*scale_rows)(const sk_backend *be, sk_bmat *m, const sk_bvec *v);
    void (*scale_cols)(const sk_backend *be, sk_bmat *m, const sk_bvec *v);
    /* Vectors: y = alpha * x + beta * y; x ⊙= y; v = alpha * v + beta. */
    void (*vec_axpby)(const sk_backend *be, float alpha, const sk_bvec *x, float beta,
                      sk_bvec *y);
    void (*vec_mul)(const sk_backend *be, sk_bvec *x, const sk_bvec *y);
    void (*vec_affine)(const sk_backend *be, sk_bvec *v, float alpha, float beta);
    /* v = v^p elementwise (powf; length normalisation uses p = -0.5). */
    void (*vec_pow)(const sk_backend *be, sk_bvec *v, float p);
    /* Sum of all elements, accumulated in double; synchronous. */
    double (*sum)(const sk_backend *be, const sk_bmat *m);
    /* ids[i] = column of the first maximum of row i; ids is HOST memory (rows ints);
     * synchronous. */
    void (*row_max_id)(const sk_backend *be, const sk_bmat *m, int32_t *ids);

    /* ---- activations (Y, X same shape; in place ok) and their derivatives ---- */
    void (*sigmoid)(const sk_backend *be, sk_bmat *y, const sk_bmat *x);
    /* dX = dY ⊙ Y ⊙ (1 - Y); in place ok (dX == dY). */
    void (*diff_sigmoid)(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy);
    void (*tanh)(const sk_backend *be, sk_bmat *y, const sk_bmat *x);
    /* dX = dY ⊙ (1 - Y²). */
    void (*diff_tanh)(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy);
    /* Row softmax: m = max, e = exp(x - m), y = e / Σe. Column views give block softmax. */
    void (*softmax)(const sk_backend *be, sk_bmat *y, const sk_bmat *x);
    /* Full softmax Jacobian: dX = Y ⊙ dY - Y * rowdot(dY, Y). dX may not alias Y. */
    void (*diff_softmax)(const sk_backend *be, sk_bmat *dx, const sk_bmat *y, const sk_bmat *dy);
    /* Parametric ReLU: y = alpha[j] x (x >= 0), beta[j] x (x < 0); backward uses X. */
    void (*prelu)(const sk_backend *be, sk_bmat *y, const sk_bmat *x, const sk_bvec *alpha,
                  const sk_bvec *beta);
    void (*diff_prelu)(const sk_backend *be, sk_bmat *dx, const sk_bmat *x, const sk_bmat *dy,
                       const sk_bvec *alpha, const sk_bvec *beta);
    /* ga[j] = Σ_i max(x,0) dy, gb[j] = Σ_i min(x,0) dy (overwritten). */
    void (*prelu_grads)(const sk_backend *be, const sk_bmat *x, const sk_bmat *dy,
                        sk_bvec *ga, sk_bvec *gb);

    /* ---- index ops (idx: int32 arrays in backend memory, from alloc + upload_raw) ---- */
    /* dst row i = src row idx[i] (idx[i] < 0: row set to 0); idx has dst.rows entries. */
    void (*copy_rows)(const sk_backend *be, sk_bmat *dst, const sk_bmat *src, const int32_t *idx);
    /* dst row idx[i] += src row i for idx[i] >= 0; idx has src.rows entries and must not
     * repeat a non-negative value. */
    void (*add_to_rows)(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                        const int32_t *idx);
    /* dst column j = src column idx[j] (idx[j] < 0: 0); idx has dst.cols entries. */
    void (*copy_cols)(const sk_backend *be, sk_bmat *dst, const sk_bmat *src, const int32_t *idx);
    /* dst column idx[j] += src column j (idx[j] >= 0); idx has src.cols entries, may repeat
     * (accumulates). */
    void (*add_to_cols)(const sk_backend *be, sk_bmat *dst, const sk_bmat *src,
                        const int32_t *idx);

    /* ---- training ---- */
    /* Dropout: mask[i][j] = (u - rate > 0 ? scale : 0) with u uniform [0,1) from the
     * backend's generator (seeded by seed()). */
    void (*dropout_mask)(const sk_backend *be, sk_bmat *mask, float rate, float scale);
    void (*seed)(const sk_backend *be, uint64_t seed);
    /* Kaldi's L1 step for w with gradient g (section 3.1 of spec/nnet1.md), a = lr*l1*N:
     * as = w < 0 ? -a : a; after = w - lr*g - as; if sign(after > 0) != sign(w > 0):
     * w = 0, g = 0 else w -= as. Same shapes. */
    void (*l1_update)(const sk_backend *be, sk_bmat *w, sk_bmat *g, float lr, float a);
    /* Per row r: n = ||W_r||; W_r *= 1 / max(1, n / max_norm). */
    void (*max_norm)(const sk_backend *be, sk_bmat *w, float max_norm);
    /* Cross-entropy for targets T (dense, same shape as Y) and frame weights w (rows):
     * w'[i] = w[i] * Σ_j T[i][j]; dY = (Y - T) ⊙ w' (row scaling);
     * xent[j] += Σ_i w'[i] T[i][j] log(Y[i][j] + 1e-20), with the sign flipped,
     * ent[j]  += -Σ_i w'[i] T[i][j] log(T[i][j] + 1e-20),
     * frames[j] += Σ_i w'[i] T[i][j]. The three stats vectors are HOST doubles (Y.cols);
     * wprime (HOST, rows floats, may be NULL) receives w'. Synchronous. */
    void (*xent)(const sk_backend *be, const sk_bmat *y, const sk_bmat *t, const sk_bvec *w,
                 sk_bmat *dy, double *xent, double *ent, double *frames, float *wprime);
};

/* The CPU backend (OpenBLAS + tuned loops) and the naive reference (plain loops for every
 * op, the oracle in tests). Static objects; never freed. */
const sk_backend *sk_backend_cpu(void);
const sk_backend *sk_backend_cpu_ref(void);
/* By name: "cpu", "cpu-ref", "cuda" (NULL + ERROR when unknown or not built). */
const sk_backend *sk_backend_get(const char *name);
/* Kaldi's --use-gpu: "yes" (GPU required: NULL + ERROR when none), "no", "optional"
 * (GPU when available, else CPU; logs which). */
const sk_backend *sk_backend_select(const char *use_gpu);

/* Implemented by lib/compute/cuda/ (built when SK_HAVE_CUDA): the CUDA backend, or NULL when
 * no usable device is present (no ERROR printed; sk_backend_select reports). Only
 * lib/compute/select.c refers to it (weakly, so CPU-only builds link). */
const sk_backend *sk_backend_cuda(void);

/* ---- sparse rows (lib/compute/sparse.c) ----
 * T = the dense matrix of sparse rows: T is zeroed, then for each row r and each entry i in
 * [row_start[r], row_start[r+1]): T[r][col[i]] = val[i] (a later entry for the same column
 * overwrites an earlier one, as Kaldi's PosteriorToMatrix). row_start has T.rows + 1 entries;
 * row_start, col, val are HOST arrays; columns must be in [0, T.cols) (checked: SK_EINVAL +
 * ERROR naming row and column). On the GPU only the entries cross the bus (a few bytes a
 * frame instead of T.cols floats), the dense T is built on the device. Returns 0,
 * SK_EINVAL, or SK_EIO when device scratch memory runs out. */
int sk_backend_set_sparse_rows(const sk_backend *be, sk_bmat *t, const int32_t *row_start,
                               const int32_t *col, const float *val);

/* ---- precision and device memory (issue 6; lib/compute/config.c) ----
 * GEMM precision: fp32 (default: IEEE single, results as the CPU's), tf32 (tensor-core TF32
 * inputs, fp32 accumulation), bf16 (bf16 GEMM inputs, fp32 accumulation; matrices, and so the
 * master weights, stay fp32). Only GEMMs change; every other op stays fp32. The CPU backends
 * compute everything in fp32 whatever is asked (a WARNING says so once). */
typedef enum { SK_PREC_FP32 = 0, SK_PREC_TF32 = 1, SK_PREC_BF16 = 2 } sk_precision;
/* "fp32" | "tf32" | "bf16" -> *p; SK_EINVAL + ERROR otherwise. */
int sk_precision_parse(const char *name, sk_precision *p);
const char *sk_precision_name(sk_precision p);
/* Set / get a backend's GEMM precision: 0, or SK_EINVAL + ERROR (the device lacks it). */
int sk_backend_set_precision(const sk_backend *be, sk_precision p);
sk_precision sk_backend_precision(const sk_backend *be);
/* GPU backends: hold at most `fraction` (0 < f <= 1; 0 = no cap) of the device's memory, so
 * that two jobs can share a card (Kaldi users' --gpu-memory-fraction). An allocation over the
 * cap fails with an ERROR naming the bytes asked for, the cap and the device's free/total.
 * CPU backends: no effect. 0 or SK_EINVAL + ERROR. */
int sk_backend_set_memory_fraction(const sk_backend *be, double fraction);
/* The tools' GPU options, registered in one call (style.md §3):
 *     sk_gpu_opts g = SK_GPU_OPTS_INIT;
 *     sk_gpu_opts_register(po, &g);                  // --precision, --gpu-memory-fraction
 *     ... sk_opts_parse(po); be = sk_backend_select(use_gpu); ...
 *     if (sk_gpu_opts_apply(be, &g) < 0) SK_FATAL(...);
 * Defaults come from SKALD_PRECISION / SKALD_GPU_MEMORY_FRACTION when set. The strings
 * belong to the sk_opts. */
typedef struct sk_opts sk_opts;
typedef struct { const char *precision; double memory_fraction; } sk_gpu_opts;
#define SK_GPU_OPTS_INIT { NULL, -1 }
void sk_gpu_opts_register(sk_opts *po, sk_gpu_opts *o);
/* 0, or SK_EINVAL + ERROR (bad precision name or fraction, or the device lacks it). */
int sk_gpu_opts_apply(const sk_backend *be, const sk_gpu_opts *o);
/* Whether a CUDA GPU is usable: 1 yes; 0 CUDA built in but no usable device; -1 CUDA not
 * built in (CUDA=0). why (may be NULL) receives the reason when not 1. Prints nothing. */
int sk_backend_cuda_probe(char *why, size_t n);

#endif
