/* backend.cu — the CUDA backend's instances: device probe and selection, the table of entry
 * points (each op-family file registers its own), the error-check helpers, and the
 * configuration calls of cuda.h.
 *
 * An instance owns one stream (every op is enqueued on it, so ops are ordered without
 * syncs), one cuBLAS handle bound to that stream, a caching allocator and pinned staging
 * buffers (memory.cu).
 */
#include "compute/cuda/common.cuh"

#include <stdio.h>
#include <string.h>

#include <mutex>

/* ---------------------------------------------------------------- errors */

bool sk_cuda_check_(cudaError_t e, const char *stmt, const char *func, const char *file, int line)
{
    if (e == cudaSuccess)
        return true;
    sk_log_msg(SK_SEV_ERROR, func, file, line, "CUDA call failed: %s: %s: %s", stmt,
               cudaGetErrorName(e), cudaGetErrorString(e));
    return false;
}

bool sk_cuda_check_(cublasStatus_t e, const char *stmt, const char *func, const char *file,
                    int line)
{
    if (e == CUBLAS_STATUS_SUCCESS)
        return true;
    sk_log_msg(SK_SEV_ERROR, func, file, line, "cuBLAS call failed: %s: %s: %s", stmt,
               cublasGetStatusName(e), cublasGetStatusString(e));
    return false;
}

void sk_cuda_fatal(void)
{
    sk_fatal_exit();
}

/* ---------------------------------------------------------------- probe */

/* The device sk_backend_cuda() uses: SKALD_GPU_DEVICE, else the thread's current one. */
static int default_device(void)
{
    const char *s = getenv("SKALD_GPU_DEVICE");
    if (s && *s)
        return atoi(s);
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return dev;
}

/* The probe's calls are the only unchecked ones: it must stay quiet (backend.h: "NULL when no
 * usable device, without an error") and reports through `why`. It creates the context on the
 * device that will be used (a busy exclusive-mode GPU fails there, not on device 0), and
 * leaves the thread's current device as it found it. */
static int probe_device(int dev, char *why, size_t n)
{
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        if (why && n)
            snprintf(why, n, "cudaGetDeviceCount: %s",
                     e != cudaSuccess ? cudaGetErrorString(e) : "no CUDA-capable device");
        cudaGetLastError();  /* clear the error state */
        return 0;
    }
    if (dev < 0 || dev >= count) {
        if (why && n)
            snprintf(why, n, "no CUDA device %d (%d visible)", dev, count);
        return 0;
    }
    int prev = 0;
    e = cudaGetDevice(&prev);
    if (e == cudaSuccess)
        e = cudaSetDevice(dev);
    if (e == cudaSuccess) {
        e = cudaFree(nullptr);  /* creates the context: fails on a busy exclusive-mode GPU */
        cudaSetDevice(prev);
    }
    if (e != cudaSuccess) {
        if (why && n)
            snprintf(why, n, "cannot create a CUDA context on device %d: %s", dev,
                     cudaGetErrorString(e));
        cudaGetLastError();
        return 0;
    }
    if (why && n)
        why[0] = 0;
    return 1;
}

extern "C" int sk_cuda_probe(char *why, size_t n)
{
    return probe_device(default_device(), why, n);
}

/* ---------------------------------------------------------------- instances */

static bool supports(const sk_backend *be, sk_op op)
{
    (void)be;
    return op < SK_OP_COUNT;
}

/* Every entry from `supports` to the end of the struct is a function pointer: an entry that
 * a newer backend.h added and no .cu file registers is a bug caught at creation. */
static bool table_complete(const sk_backend *be)
{
    const char *p = (const char *)&be->supports, *end = (const char *)(be + 1);
    for (int i = 0; p + sizeof(void (*)(void)) <= end; p += sizeof(void (*)(void)), i++) {
        void (*fp)(void);
        memcpy(&fp, p, sizeof fp);
        if (!fp) {
            SK_ERROR("CUDA backend: entry %d of the backend table is not implemented", i);
            return false;
        }
    }
    return true;
}

static double env_double(const char *name, double dflt)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return dflt;
    char *end;
    double v = strtod(s, &end);
    if (*end) {
        SK_WARN("Ignoring %s='%s' (not a number)", name, s);
        return dflt;
    }
    return v;
}

static void destroy(sk_cuda_ctx *x)
{
    if (!x)
        return;
    int prev = 0;
    SK_CUDA_CHECK(cudaGetDevice(&prev));
    SK_CUDA_CHECK(cudaSetDevice(x->device));
    /* both streams may still use cached blocks and pinned slots: wait before releasing */
    if (x->stream)
        SK_CUDA_CHECK(cudaStreamSynchronize(x->stream));
    if (x->copy_stream)
        SK_CUDA_CHECK(cudaStreamSynchronize(x->copy_stream));
    sk_cuda_memory_release(x);
    if (x->blas)
        SK_CUDA_CHECK(cublasDestroy(x->blas));
    if (x->stream)
        SK_CUDA_CHECK(cudaStreamDestroy(x->stream));
    if (x->copy_stream)
        SK_CUDA_CHECK(cudaStreamDestroy(x->copy_stream));
    SK_CUDA_CHECK(cudaSetDevice(prev));
    delete x;
}

static sk_cuda_ctx *create(int dev)
{
    sk_cuda_ctx *x = new sk_cuda_ctx();
    x->device = dev;
    if (!SK_CUDA_CHECK(cudaSetDevice(dev)) ||
        !SK_CUDA_CHECK(cudaStreamCreateWithFlags(&x->stream, cudaStreamNonBlocking)) ||
        !SK_CUDA_CHECK(cublasCreate(&x->blas)) ||
        !SK_CUDA_CHECK(cublasSetStream(x->blas, x->stream)) ||
        !SK_CUDA_CHECK(cublasSetPointerMode(x->blas, CUBLAS_POINTER_MODE_HOST))) {
        destroy(x);
        return nullptr;
    }
    for (int i = 0; i < SK_CUDA_NSLOTS; i++)
        if (!SK_CUDA_CHECK(cudaEventCreateWithFlags(&x->up[i].ev, cudaEventDisableTiming)) ||
            !SK_CUDA_CHECK(cudaEventCreateWithFlags(&x->down[i].ev, cudaEventDisableTiming))) {
            destroy(x);
            return nullptr;
        }
    size_t fr = 0, tot = 0;
    if (SK_CUDA_CHECK(cudaMemGetInfo(&fr, &tot)))
        x->total_mem = tot;

    sk_backend *be = &x->table;
    memset(be, 0, sizeof *be);
    be->name = "cuda";
    be->host_memory = false;
    be->ctx = x;
    be->supports = supports;
    sk_cuda_register_memory(be);
    sk_cuda_register_gemm(be);
    sk_cuda_register_elementwise(be);
    sk_cuda_register_reduce(be);
    sk_cuda_register_index(be);
    sk_cuda_register_train(be);
    if (!table_complete(be)) {
        destroy(x);
        return nullptr;
    }

    /* settings from the environment */
    const char *p = getenv("SKALD_PRECISION");
    sk_precision prec = SK_PREC_FP32;
    if (p && *p && sk_precision_parse(p, &prec) < 0)
        SK_WARN("Ignoring SKALD_PRECISION='%s'; using fp32", p);
    if (!sk_cuda_gemm_set_precision(x, prec))
        sk_cuda_gemm_set_precision(x, SK_PREC_FP32);
    double f = env_double("SKALD_GPU_MEMORY_FRACTION", 0);
    if (f != 0 && sk_cuda_set_memory_fraction(be, f) < 0)
        SK_WARN("Ignoring SKALD_GPU_MEMORY_FRACTION=%g", f);
    return x;
}

static std::once_flag default_once;
static sk_cuda_ctx *default_ctx;

static void make_default(void)
{
    int dev = default_device();
    if (probe_device(dev, NULL, 0) != 1)
        return;
    default_ctx = create(dev);
    if (default_ctx) {
        char d[256];
        sk_cuda_describe(&default_ctx->table, d, sizeof d);
        SK_LOG("The active GPU is [%d]: %s, precision %s", dev, d,
               sk_precision_name(default_ctx->precision));
    }
}

extern "C" const sk_backend *sk_backend_cuda(void)
{
    std::call_once(default_once, make_default);
    return default_ctx ? &default_ctx->table : nullptr;
}

extern "C" const sk_backend *sk_cuda_backend_new(int dev)
{
    char why[256];
    if (probe_device(dev, why, sizeof why) != 1) {
        SK_ERROR("No CUDA GPU detected!, %s", why);
        return nullptr;
    }
    sk_cuda_ctx *x = create(dev);
    return x ? &x->table : nullptr;
}

extern "C" void sk_cuda_backend_free(const sk_backend *be)
{
    if (!be)
        return;
    if (default_ctx && be == &default_ctx->table)
        SK_BUG("sk_cuda_backend_free: the default instance is never freed");
    destroy(CTX(be));
}

/* data-parallel training (lib/compute/comm_nccl.c): the instance's device and stream */
extern "C" int sk_cuda_device(const sk_backend *be) { return CTX(be)->device; }
extern "C" void *sk_cuda_stream(const sk_backend *be) { return (void *)CTX(be)->stream; }

/* ---------------------------------------------------------------- configuration */

extern "C" int sk_cuda_set_precision(const sk_backend *be, sk_precision p)
{
    return sk_cuda_gemm_set_precision(CTX(be), p) ? 0 : SK_EINVAL;
}

extern "C" sk_precision sk_cuda_precision(const sk_backend *be)
{
    return CTX(be)->precision;
}

extern "C" int sk_cuda_set_memory_fraction(const sk_backend *be, double fraction)
{
    sk_cuda_ctx *x = CTX(be);
    if (!(fraction >= 0 && fraction <= 1)) {
        SK_ERROR("Invalid GPU memory fraction %g, must be in (0, 1] (0: no limit)", fraction);
        return SK_EINVAL;
    }
    x->fraction = fraction;
    x->limit = fraction == 0 ? 0 : (size_t)(fraction * (double)x->total_mem);
    if (fraction != 0)
        SK_VLOG(1, "GPU memory limited to %zu bytes (%g of %zu)", x->limit, fraction,
                x->total_mem);
    return 0;
}

extern "C" void sk_cuda_mem_stats(const sk_backend *be, size_t *held, size_t *in_use,
                                  uint64_t *n_malloc)
{
    sk_cuda_ctx *x = CTX(be);
    if (held)
        *held = x->held;
    if (in_use)
        *in_use = x->in_use;
    if (n_malloc)
        *n_malloc = x->n_malloc;
}

extern "C" void sk_cuda_describe(const sk_backend *be, char *buf, size_t n)
{
    sk_cuda_ctx *x = CTX(be);
    cudaDeviceProp prop;
    if (!SK_CUDA_CHECK(cudaGetDeviceProperties(&prop, x->device))) {
        snprintf(buf, n, "device %d (properties unavailable)", x->device);
        return;
    }
    /* cudaMemGetInfo reports on the thread's current device: make it x's for the call */
    size_t fr = 0, tot = 0;
    int prev = 0;
    if (SK_CUDA_CHECK(cudaGetDevice(&prev)) && SK_CUDA_CHECK(cudaSetDevice(x->device))) {
        SK_CUDA_CHECK(cudaMemGetInfo(&fr, &tot));
        SK_CUDA_CHECK(cudaSetDevice(prev));
    }
    snprintf(buf, n, "%s, compute capability %d.%d, free:%zuM, total:%zuM", prop.name,
             prop.major, prop.minor, fr >> 20, tot >> 20);
}
