/* feed.cu — input copies on a second stream, for compute/feeder.c: pinned host buffers, and
 * per buffer two events, "copied" (on the copy stream) and "consumed" (on the compute
 * stream), so that the copy of minibatch k+1 overlaps the compute of minibatch k and neither
 * stream waits on the host.
 */
#include "compute/cuda/common.cuh"

#include <mutex>

struct sk_cuda_copy {
    sk_cuda_ctx *x;
    cudaEvent_t copied = nullptr, consumed = nullptr;
    bool any_copy = false, any_consumed = false;
};

static std::mutex copy_stream_mu;

extern "C" void *sk_cuda_host_alloc(size_t bytes)
{
    void *p = nullptr;
    /* one ERROR line with the cause (SK_CUDA_CHECK would print a second one) */
    cudaError_t e = cudaMallocHost(&p, bytes ? bytes : 1);
    if (e != cudaSuccess) {
        cudaGetLastError();
        SK_ERROR("Cannot allocate %zu bytes of pinned host memory: %s", bytes,
                 cudaGetErrorString(e));
        return nullptr;
    }
    return p;
}

extern "C" void sk_cuda_host_free(void *p)
{
    if (p)
        SK_CUDA_CHECK(cudaFreeHost(p));
}

extern "C" sk_cuda_copy *sk_cuda_copy_new(const sk_backend *be)
{
    sk_cuda_ctx *x = CTX(be);
    {
        std::lock_guard<std::mutex> lock(copy_stream_mu);
        if (!x->copy_stream &&
            !SK_CUDA_CHECK(cudaStreamCreateWithFlags(&x->copy_stream, cudaStreamNonBlocking)))
            return nullptr;
    }
    /* the buffer this copy will fill was allocated (and zeroed) on the compute stream: let
     * that finish before the copy stream may write it */
    if (!SK_CUDA_CHECK(cudaStreamSynchronize(x->stream)))
        return nullptr;
    sk_cuda_copy *c = new sk_cuda_copy();
    c->x = x;
    if (!SK_CUDA_CHECK(cudaEventCreateWithFlags(&c->copied, cudaEventDisableTiming)) ||
        !SK_CUDA_CHECK(cudaEventCreateWithFlags(&c->consumed, cudaEventDisableTiming))) {
        sk_cuda_copy_free(c);
        return nullptr;
    }
    return c;
}

extern "C" void sk_cuda_copy_free(sk_cuda_copy *c)
{
    if (!c)
        return;
    if (c->any_copy)
        SK_CUDA_CHECK(cudaEventSynchronize(c->copied));
    if (c->copied)
        SK_CUDA_CHECK(cudaEventDestroy(c->copied));
    if (c->consumed)
        SK_CUDA_CHECK(cudaEventDestroy(c->consumed));
    delete c;
}

extern "C" void sk_cuda_copy_start(sk_cuda_copy *c, sk_bmat *dst, const float *host,
                                   int32_t host_stride)
{
    sk_cuda_ctx *x = c->x;
    CK(cudaSetDevice(x->device));  /* the producer thread may not have it current */
    if (c->any_consumed)
        CK(cudaStreamWaitEvent(x->copy_stream, c->consumed, 0));
    if (dst->rows > 0 && dst->cols > 0)
        CK(cudaMemcpy2DAsync(dst->data, (size_t)dst->stride * 4, host, (size_t)host_stride * 4,
                             (size_t)dst->cols * 4, (size_t)dst->rows, cudaMemcpyHostToDevice,
                             x->copy_stream));
    CK(cudaEventRecord(c->copied, x->copy_stream));
    c->any_copy = true;
}

extern "C" void sk_cuda_copy_wait(sk_cuda_copy *c)
{
    if (c->any_copy)
        CK(cudaStreamWaitEvent(c->x->stream, c->copied, 0));
}

extern "C" void sk_cuda_copy_consumed(sk_cuda_copy *c)
{
    CK(cudaEventRecord(c->consumed, c->x->stream));
    c->any_consumed = true;
}

extern "C" void sk_cuda_copy_host_sync(sk_cuda_copy *c)
{
    if (c->any_copy) {
        CK(cudaSetDevice(c->x->device));
        CK(cudaEventSynchronize(c->copied));
    }
}
