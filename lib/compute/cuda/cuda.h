/* cuda.h — the plain-C side of the CUDA backend (the .cu files of lib/compute/cuda, built
 * only when the Makefile finds nvcc; SK_HAVE_CUDA is then defined for C code too).
 *
 * Algorithm code never includes this: it uses compute/backend.h (sk_backend_select,
 * sk_backend_set_precision, ...). This header is for lib/compute/ itself, the tests and
 * cuda-gpu-available.
 *
 *     char why[256];
 *     if (sk_cuda_probe(why, sizeof why) <= 0) printf("no GPU: %s\n", why);
 *     const sk_backend *be = sk_backend_cuda();          // the process-wide default instance
 *     sk_cuda_set_precision(be, SK_PREC_BF16);
 *
 * Instances. sk_backend_cuda() is created on first call on the current device (cudaGetDevice
 * after the CUDA_VISIBLE_DEVICES mapping, device 0 by default, or SKALD_GPU_DEVICE) and lives
 * until exit. sk_cuda_backend_new() makes further instances (one a worker thread, own stream,
 * cuBLAS handle, allocator cache); the caller frees them with sk_cuda_backend_free. Use an
 * instance from a thread whose current device is the instance's (creating it makes it so
 * for the creating thread; others call cudaSetDevice).
 *
 * Environment, read when an instance is created:
 *   SKALD_PRECISION=fp32|tf32|bf16         GEMM precision (default fp32)
 *   SKALD_GPU_MEMORY_FRACTION=0.5          hold at most this share of the device's memory
 *   SKALD_GPU_DEVICE=N                     device for sk_backend_cuda()
 *
 * Failure. Allocation failures print an ERROR naming the bytes asked for and the device's
 * free/total memory and return SK_EIO/NULL as backend.h says. A CUDA error in any other op
 * prints the ERROR line (stmt, function, file, line) and exits with status 255 (the device
 * state is unknown; Kaldi dies there too).
 */
#ifndef SK_COMPUTE_CUDA_CUDA_H
#define SK_COMPUTE_CUDA_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "compute/backend.h"

/* 1: the device sk_backend_cuda() would use (SKALD_GPU_DEVICE, else the current one) is
 * usable (a context could be created on it); 0: not, why says so (e.g. "cudaGetDeviceCount:
 * no CUDA-capable device is detected"). Prints nothing. why may be NULL. */
int sk_cuda_probe(char *why, size_t n);

/* New instance on device dev (NULL + ERROR when it cannot be created). */
const sk_backend *sk_cuda_backend_new(int dev);
void sk_cuda_backend_free(const sk_backend *be);   /* NULL ok; not the default instance */

/* The instance's device and its CUDA stream (a cudaStream_t) on which every op is queued: for
 * NCCL all-reduce (lib/compute/comm_nccl.c). */
int sk_cuda_device(const sk_backend *be);
void *sk_cuda_stream(const sk_backend *be);

/* GEMM precision of an instance; 0 or SK_EINVAL (ERROR) when the device lacks it. */
int sk_cuda_set_precision(const sk_backend *be, sk_precision p);
sk_precision sk_cuda_precision(const sk_backend *be);

/* Cap the device memory this instance holds (allocated + cached) to fraction of the device
 * total, 0 < fraction <= 1; 0 removes the cap. SK_EINVAL on a bad value. */
int sk_cuda_set_memory_fraction(const sk_backend *be, double fraction);

/* Allocator figures: bytes held from the device, bytes in use, cudaMalloc calls so far. */
void sk_cuda_mem_stats(const sk_backend *be, size_t *held, size_t *in_use, uint64_t *n_malloc);

/* Pinned host memory for input buffers (NULL + ERROR on failure); free with
 * sk_cuda_host_free (NULL ok). */
void *sk_cuda_host_alloc(size_t bytes);
void sk_cuda_host_free(void *p);

/* One input buffer's copy on the instance's second ("copy") stream (compute/feeder.c):
 *   start     (producer) queue host rows -> dst on the copy stream, after the compute stream
 *             has passed the buffer's last `consumed` mark;
 *   wait      (consumer) make the compute stream wait, on the device, for that copy;
 *   consumed  (consumer) mark on the compute stream: dst is no longer needed after the work
 *             queued so far;
 *   host_sync (producer) block until the last copy has read the host buffer.
 * The producer may be another thread than the consumer. */
typedef struct sk_cuda_copy sk_cuda_copy;
/* Create after allocating the destination buffer: waits for the compute stream once. */
sk_cuda_copy *sk_cuda_copy_new(const sk_backend *be);   /* NULL + ERROR on failure */
void sk_cuda_copy_free(sk_cuda_copy *c);                 /* waits for its copy; NULL ok */
void sk_cuda_copy_start(sk_cuda_copy *c, sk_bmat *dst, const float *host, int32_t host_stride);
void sk_cuda_copy_wait(sk_cuda_copy *c);
void sk_cuda_copy_consumed(sk_cuda_copy *c);
void sk_cuda_copy_host_sync(sk_cuda_copy *c);

/* sk_backend_set_sparse_rows on a CUDA instance (arguments checked by the caller). */
int sk_cuda_set_sparse_rows(const sk_backend *be, sk_bmat *t, const int32_t *row_start,
                            const int32_t *col, const float *val);

/* compute/xent_acc.c on a CUDA instance: dY, and adds xent, ent, frames, correct (y->cols
 * device doubles each, consecutive at stats) without a host sync. */
void sk_cuda_xent_accumulate(const sk_backend *be, const sk_bmat *y, const sk_bmat *t,
                             const sk_bvec *w, sk_bmat *dy, double *stats);

/* Device description for logs ("NVIDIA H100 80GB HBM3, compute capability 9.0, 81559 MiB"). */
void sk_cuda_describe(const sk_backend *be, char *buf, size_t n);

#endif
