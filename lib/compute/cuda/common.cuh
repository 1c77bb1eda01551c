/* common.cuh — what every file of the CUDA backend shares: the per-instance context, the one
 * error-check macro, launch helpers for 2-D (row, column) kernels and block reductions, and
 * the registration functions by which each op-family file fills its part of the table.
 *
 * Internal to lib/compute/cuda/ (C code sees only compute/backend.h and cuda.h).
 */
#ifndef SK_COMPUTE_CUDA_COMMON_CUH
#define SK_COMPUTE_CUDA_COMMON_CUH

/* System headers first: log.h includes them inside our extern "C" block otherwise. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <deque>
#include <unordered_map>
#include <vector>

extern "C" {
#include "base/log.h"
#include "compute/backend.h"
#include "compute/cuda/cuda.h"
}

/* ---------------------------------------------------------------- errors */

/* SK_CUDA_CHECK(stmt): run a CUDA runtime or cuBLAS call; on failure print
 *     ERROR (prog[skald]:func():file.cu:123) CUDA call failed: <stmt>: <error name>: <text>
 * and evaluate to false (true on success). Used for every CUDA and cuBLAS call. */
bool sk_cuda_check_(cudaError_t e, const char *stmt, const char *func, const char *file, int line);
bool sk_cuda_check_(cublasStatus_t e, const char *stmt, const char *func, const char *file,
                    int line);
#define SK_CUDA_CHECK(stmt) sk_cuda_check_((stmt), #stmt, __func__, __FILE__, __LINE__)

/* An op that has no way to report failure (the void entries of backend.h) and whose CUDA
 * call failed cannot continue: the device state is unknown (Kaldi's CU_SAFE_CALL throws and
 * the program dies). Runs the exit hooks (temporary files removed) and exits 255. */
[[noreturn]] void sk_cuda_fatal(void);
#define CK(stmt) do { if (!SK_CUDA_CHECK(stmt)) sk_cuda_fatal(); } while (0)
/* After a kernel launch. */
#define CK_LAUNCH() CK(cudaGetLastError())

/* Shape checks: a wrong shape is a caller bug, as in cpu.c. */
#define SHAPE(cond) do { if (!(cond)) SK_BUG("backend shape check failed: %s", #cond); } while (0)
#define SAME(a, b) SHAPE((a)->rows == (b)->rows && (a)->cols == (b)->cols)

/* ---------------------------------------------------------------- context */

/* A pinned host staging buffer with the event that marks the end of its last copy. */
struct sk_cuda_slot {
    void *host = nullptr;
    size_t cap = 0;
    cudaEvent_t ev = nullptr;
    bool used = false;        /* ev has been recorded at least once */
    /* pending download: copy host -> dst (rows of width bytes, dst_pitch apart) at sync */
    bool pending = false;
    char *dst = nullptr;
    size_t width = 0, dst_pitch = 0, rows = 0;
};

#define SK_CUDA_NSLOTS 4

struct sk_cuda_ctx {
    sk_backend table;            /* ctx pointer inside points back here */
    int device = 0;
    cudaStream_t stream = nullptr;
    cudaStream_t copy_stream = nullptr;  /* input copies (feed.cu), created on first use */
    cublasHandle_t blas = nullptr;
    sk_precision precision = SK_PREC_FP32;

    /* caching allocator (memory.cu) */
    std::unordered_map<size_t, std::vector<void *>> cache;  /* rounded size -> free blocks */
    std::unordered_map<void *, size_t> live;                 /* block -> rounded size */
    size_t held = 0;             /* bytes obtained from cudaMalloc and not yet released */
    size_t in_use = 0;           /* bytes handed out */
    size_t limit = 0;            /* 0 = no limit */
    double fraction = 0;         /* the fraction that set limit, for messages */
    size_t total_mem = 0;
    uint64_t n_malloc = 0;       /* cudaMalloc calls so far (tests: steady state adds none) */

    /* pinned staging (memory.cu) */
    sk_cuda_slot up[SK_CUDA_NSLOTS], down[SK_CUDA_NSLOTS];
    int up_next = 0, down_next = 0;
    std::deque<int> down_pending;  /* download slots in issue order */
    /* outgrown staging buffers, freed with the instance: cudaFreeHost waits for the device
     * (the emulator: for every device), and a worker calling it while its peers' NCCL
     * kernels wait for this worker's contribution would deadlock */
    std::vector<void *> retired_host;

    /* dropout generator (train.cu) */
    uint64_t seed = 0x9e3779b97f4a7c15ull, counter = 0;
};

static inline sk_cuda_ctx *CTX(const sk_backend *be) { return (sk_cuda_ctx *)be->ctx; }

/* Device scratch from the caching allocator (fatal when memory is exhausted: the ops that use
 * it have no error return). Returned to the cache by scratch_free, stream-ordered. */
void *sk_cuda_scratch(sk_cuda_ctx *x, size_t bytes);
void sk_cuda_scratch_free(sk_cuda_ctx *x, void *p);
/* Synchronous device -> host copy through pinned staging (for results the host needs now). */
void sk_cuda_fetch(sk_cuda_ctx *x, void *dst, const void *src, size_t bytes);

/* Each op-family file fills its entries of the table. */
void sk_cuda_register_memory(sk_backend *be);
void sk_cuda_register_gemm(sk_backend *be);
void sk_cuda_register_elementwise(sk_backend *be);
void sk_cuda_register_reduce(sk_backend *be);
void sk_cuda_register_index(sk_backend *be);
void sk_cuda_register_train(sk_backend *be);

/* Release everything the allocator and staging hold (instance teardown). */
void sk_cuda_memory_release(sk_cuda_ctx *x);
/* Apply a precision to the cuBLAS handle (gemm.cu). */
bool sk_cuda_gemm_set_precision(sk_cuda_ctx *x, sk_precision p);

/* ---------------------------------------------------------------- launch helpers */

/* SK_LAUNCH(grid, block, shared bytes, stream, kernel)(args...): a kernel launch. Under the
 * CPU emulator of the tests (make test-emu, tests/gpu/emu) the same call enqueues the kernel
 * on the emulated stream; the kernel comes last because template arguments hold commas. */
#ifdef SK_CUDA_EMU
#define SK_LAUNCH(g, b, s, st, ...) SK_EMU_LAUNCH(g, b, s, st, __VA_ARGS__)
#else
#define SK_LAUNCH(g, b, s, st, ...) __VA_ARGS__<<<(g), (b), (s), (st)>>>
#endif

/* 2-D map: f(r, c) for every element of a rows x cols matrix; blocks of 32 columns x 8 rows,
 * grid-stride over rows (the grid's y dimension is capped at 65535). */
template <class F> __global__ void sk_k_map(int32_t rows, int32_t cols, F f)
{
    int32_t c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols)
        return;
    for (int32_t r = blockIdx.y * blockDim.y + threadIdx.y; r < rows;
         r += gridDim.y * blockDim.y)
        f(r, c);
}
template <class F> static inline void sk_launch_map(sk_cuda_ctx *x, int32_t rows, int32_t cols,
                                                    F f)
{
    if (rows <= 0 || cols <= 0)
        return;
    int32_t gy = (rows + 7) / 8;
    dim3 block(32, 8), grid((unsigned)((cols + 31) / 32), (unsigned)(gy > 65535 ? 65535 : gy));
    SK_LAUNCH(grid, block, 0, x->stream, sk_k_map)(rows, cols, f);
    CK_LAUNCH();
}

/* Element access for a matrix descriptor passed by value to a kernel. */
__device__ __forceinline__ float &AT(const sk_bmat &m, int32_t r, int32_t c)
{
    return m.data[(size_t)r * m.stride + c];
}

/* Sum over a block (blockDim.x a multiple of 32, at most 1024); every thread gets the total.
 * sh: shared array of 32 T. Called by all threads of the block. */
template <class T> __device__ __forceinline__ T sk_warp_sum(T v)
{
    for (int o = 16; o > 0; o >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
template <class T> __device__ T sk_block_sum(T v, T *sh)
{
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
    v = sk_warp_sum(v);
    __syncthreads();            /* sh may still be read by a previous call */
    if (lane == 0)
        sh[w] = v;
    __syncthreads();
    T t = lane < nw ? sh[lane] : (T)0;
    return sk_warp_sum(t);
}
template <class T> __device__ __forceinline__ T sk_warp_max(T v)
{
    for (int o = 16; o > 0; o >>= 1) {
        T u = __shfl_xor_sync(0xffffffffu, v, o);
        v = u > v ? u : v;
    }
    return v;
}
template <class T> __device__ T sk_block_max(T v, T *sh, T lowest)
{
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5, nw = blockDim.x >> 5;
    v = sk_warp_max(v);
    __syncthreads();
    if (lane == 0)
        sh[w] = v;
    __syncthreads();
    T t = lane < nw ? sh[lane] : lowest;
    return sk_warp_max(t);
}

/* Rows handled by one block each: grid of min(rows, 65535) blocks, grid-stride over rows. */
static inline unsigned sk_row_blocks(int32_t rows) { return (unsigned)(rows > 65535 ? 65535 : rows); }
/* Threads a row-block uses for cols columns: a multiple of 32 in [32, 256]. */
static inline unsigned sk_row_threads(int32_t cols)
{
    unsigned t = (unsigned)((cols + 31) / 32 * 32);
    return t < 32 ? 32 : t > 256 ? 256 : t;
}

#endif
