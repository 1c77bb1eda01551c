/* memory.cu — device memory and host <-> device copies for the CUDA backend.
 *
 * Caching allocator. Sizes are rounded (512 B steps up to 1 MiB, 1 MiB steps above) and a
 * freed block goes to a free list of its rounded size, not back to the driver; a later request
 * of that size reuses it. Every op runs on the instance's one stream, so a block freed while
 * work using it is still queued can be handed out again at once: the new user's work is queued
 * after the old. Training allocates the same shapes every minibatch, so after the first one no
 * cudaMalloc happens (sk_cuda_mem_stats counts them; tests/gpu checks). When the device runs
 * out (or the instance's cap is reached) the cache is returned to the driver and the
 * allocation retried once; then an ERROR names the bytes asked for, the cap and free/total.
 *
 * Staging. Uploads copy the caller's rows into a pinned buffer and queue an async copy, so
 * the caller's buffer is free on return and the host does not wait for the device. Downloads
 * queue a device -> pinned copy and remember where the rows go; sync() (or the reuse of that
 * buffer) waits and copies them out. A ring of SK_CUDA_NSLOTS buffers each way lets several
 * copies be in flight.
 */
#include "compute/cuda/common.cuh"

#include <string.h>

/* ---------------------------------------------------------------- allocator */

static size_t round_size(size_t n)
{
    if (n == 0)
        n = 1;
    if (n <= ((size_t)1 << 20))
        return (n + 511) / 512 * 512;
    return (n + ((size_t)1 << 20) - 1) >> 20 << 20;
}

static void release_cache(sk_cuda_ctx *x)
{
    bool any = false;
    for (auto &kv : x->cache)
        any = any || !kv.second.empty();
    if (!any)
        return;
    SK_CUDA_CHECK(cudaStreamSynchronize(x->stream));
    for (auto &kv : x->cache) {
        for (void *p : kv.second) {
            SK_CUDA_CHECK(cudaFree(p));
            x->held -= kv.first;
        }
        kv.second.clear();
    }
}

static void mem_error(sk_cuda_ctx *x, size_t bytes, const char *what)
{
    size_t fr = 0, tot = 0;
    SK_CUDA_CHECK(cudaMemGetInfo(&fr, &tot));
    if (x->limit)
        SK_ERROR("Cannot allocate %zu bytes on GPU %d (%s): this process holds %zu bytes, its "
                 "limit is %zu bytes (memory fraction %g); device free %zu MiB of %zu MiB",
                 bytes, x->device, what, x->held, x->limit, x->fraction, fr >> 20, tot >> 20);
    else
        SK_ERROR("Cannot allocate %zu bytes on GPU %d (%s): this process holds %zu bytes; "
                 "device free %zu MiB of %zu MiB",
                 bytes, x->device, what, x->held, fr >> 20, tot >> 20);
}

/* Uninitialised device block of at least `bytes`, or NULL (ERROR printed). */
static void *dev_alloc(sk_cuda_ctx *x, size_t bytes)
{
    size_t n = round_size(bytes);
    auto it = x->cache.find(n);
    if (it != x->cache.end() && !it->second.empty()) {
        void *p = it->second.back();
        it->second.pop_back();
        x->live[p] = n;
        x->in_use += n;
        return p;
    }
    if (x->limit && x->held + n > x->limit) {
        release_cache(x);
        if (x->held + n > x->limit) {
            mem_error(x, bytes, "over the memory limit");
            return nullptr;
        }
    }
    /* cudaMalloc is checked by hand: out of memory is retried after emptying the cache and
     * then reported by mem_error with the sizes, rather than as a bare CUDA error */
    void *p = nullptr;
    cudaError_t e = cudaMalloc(&p, n);
    if (e != cudaSuccess) {
        cudaGetLastError();
        release_cache(x);
        e = cudaMalloc(&p, n);
        if (e != cudaSuccess) {
            cudaGetLastError();
            mem_error(x, bytes, cudaGetErrorString(e));
            return nullptr;
        }
    }
    x->n_malloc++;
    x->held += n;
    x->in_use += n;
    x->live[p] = n;
    return p;
}

static void dev_free(sk_cuda_ctx *x, void *p)
{
    if (!p)
        return;
    auto it = x->live.find(p);
    if (it == x->live.end())
        SK_BUG("CUDA backend: freeing %p, which this instance did not allocate", p);
    size_t n = it->second;
    x->live.erase(it);
    x->in_use -= n;
    x->cache[n].push_back(p);
}

void *sk_cuda_scratch(sk_cuda_ctx *x, size_t bytes)
{
    void *p = dev_alloc(x, bytes);
    if (!p)
        sk_cuda_fatal();
    return p;
}

void sk_cuda_scratch_free(sk_cuda_ctx *x, void *p) { dev_free(x, p); }

void sk_cuda_memory_release(sk_cuda_ctx *x)
{
    for (auto &kv : x->live)
        SK_CUDA_CHECK(cudaFree(kv.first));
    x->live.clear();
    release_cache(x);
    for (int i = 0; i < SK_CUDA_NSLOTS; i++)
        for (sk_cuda_slot *s : { &x->up[i], &x->down[i] }) {
            if (s->host)
                SK_CUDA_CHECK(cudaFreeHost(s->host));
            if (s->ev)
                SK_CUDA_CHECK(cudaEventDestroy(s->ev));
            s->host = nullptr;
            s->ev = nullptr;
        }
    for (void *p : x->retired_host)
        SK_CUDA_CHECK(cudaFreeHost(p));
    x->retired_host.clear();
}

/* ---------------------------------------------------------------- backend entries */

static void *cu_alloc(const sk_backend *be, size_t bytes)
{
    sk_cuda_ctx *x = CTX(be);
    void *p = dev_alloc(x, bytes);
    if (p && !SK_CUDA_CHECK(cudaMemsetAsync(p, 0, bytes ? bytes : 1, x->stream))) {
        dev_free(x, p);
        return nullptr;
    }
    return p;
}

static void cu_free(const sk_backend *be, void *p) { dev_free(CTX(be), p); }

/* Row stride: a multiple of 32 floats (128 bytes), so every row starts aligned for the
 * tensor-core GEMMs and coalesced loads. */
static int cu_mat_alloc(const sk_backend *be, sk_bmat *m, int32_t rows, int32_t cols)
{
    SHAPE(rows >= 0 && cols >= 0);
    int32_t stride = (cols + 31) / 32 * 32;
    m->rows = rows;
    m->cols = cols;
    m->stride = stride;
    m->data = nullptr;
    if ((size_t)rows * stride == 0)
        return 0;
    m->data = (float *)cu_alloc(be, (size_t)rows * stride * sizeof(float));
    if (!m->data) {
        m->rows = m->cols = 0;
        return SK_EIO;
    }
    return 0;
}

static void cu_mat_free(const sk_backend *be, sk_bmat *m)
{
    if (!m)
        return;
    dev_free(CTX(be), m->data);
    m->data = nullptr;
    m->rows = m->cols = m->stride = 0;
}

static int cu_vec_alloc(const sk_backend *be, sk_bvec *v, int32_t dim)
{
    SHAPE(dim >= 0);
    v->dim = dim;
    v->data = nullptr;
    if (dim == 0)
        return 0;
    v->data = (float *)cu_alloc(be, (size_t)dim * sizeof(float));
    if (!v->data) {
        v->dim = 0;
        return SK_EIO;
    }
    return 0;
}

static void cu_vec_free(const sk_backend *be, sk_bvec *v)
{
    if (!v)
        return;
    dev_free(CTX(be), v->data);
    v->data = nullptr;
    v->dim = 0;
}

/* ---------------------------------------------------------------- staging */

/* Make s->host hold at least bytes; s's previous copy must have completed. */
static bool slot_reserve(sk_cuda_ctx *x, sk_cuda_slot *s, size_t bytes)
{
    if (s->cap >= bytes)
        return true;
    if (s->host)
        x->retired_host.push_back(s->host);   /* not freed mid-run: see common.cuh */
    s->host = nullptr;
    s->cap = 0;
    size_t n = bytes < 4096 ? 4096 : bytes + bytes / 4;
    /* not an error: the callers fall back to a synchronous copy from pageable memory */
    cudaError_t e = cudaMallocHost(&s->host, n);
    if (e != cudaSuccess) {
        cudaGetLastError();
        SK_VLOG(1, "No pinned staging buffer of %zu bytes (%s): copying synchronously", n,
                cudaGetErrorString(e));
        s->host = nullptr;
        return false;
    }
    s->cap = n;
    return true;
}

/* Copy a finished download out of its staging buffer into the caller's memory. */
static void finish_download(sk_cuda_slot *s)
{
    if (!s->pending)
        return;
    CK(cudaEventSynchronize(s->ev));
    const char *src = (const char *)s->host;
    for (size_t r = 0; r < s->rows; r++)
        memcpy(s->dst + r * s->dst_pitch, src + r * s->width, s->width);
    s->pending = false;
}

/* Drain pending downloads in issue order up to and including slot k (all when k < 0). */
static void drain_downloads(sk_cuda_ctx *x, int k)
{
    while (!x->down_pending.empty()) {
        int i = x->down_pending.front();
        x->down_pending.pop_front();
        finish_download(&x->down[i]);
        if (i == k)
            break;
    }
}

/* Host rows (width bytes each, src_pitch apart) -> device rows (dst_pitch apart). */
static void upload_rows(sk_cuda_ctx *x, void *dst, size_t dst_pitch, const void *src,
                        size_t src_pitch, size_t width, size_t rows)
{
    if (!width || !rows)
        return;
    size_t bytes = width * rows;
    sk_cuda_slot *s = &x->up[x->up_next];
    x->up_next = (x->up_next + 1) % SK_CUDA_NSLOTS;
    if (s->used)
        CK(cudaEventSynchronize(s->ev));
    if (!slot_reserve(x, s, bytes)) {
        /* no pinned memory: a plain (synchronous) copy is still correct */
        CK(cudaMemcpy2DAsync(dst, dst_pitch, src, src_pitch, width, rows,
                             cudaMemcpyHostToDevice, x->stream));
        CK(cudaStreamSynchronize(x->stream));
        return;
    }
    char *h = (char *)s->host;
    if (src_pitch == width)
        memcpy(h, src, bytes);
    else
        for (size_t r = 0; r < rows; r++)
            memcpy(h + r * width, (const char *)src + r * src_pitch, width);
    CK(cudaMemcpy2DAsync(dst, dst_pitch, h, width, width, rows, cudaMemcpyHostToDevice,
                         x->stream));
    CK(cudaEventRecord(s->ev, x->stream));
    s->used = true;
}

/* Device rows -> host rows, completed at the next sync (or when the buffer is reused). */
static void download_rows(sk_cuda_ctx *x, void *dst, size_t dst_pitch, const void *src,
                          size_t src_pitch, size_t width, size_t rows)
{
    if (!width || !rows)
        return;
    size_t bytes = width * rows;
    int k = x->down_next;
    sk_cuda_slot *s = &x->down[k];
    x->down_next = (x->down_next + 1) % SK_CUDA_NSLOTS;
    if (s->pending)
        drain_downloads(x, k);
    else if (s->used)
        CK(cudaEventSynchronize(s->ev));
    if (!slot_reserve(x, s, bytes)) {
        drain_downloads(x, -1);
        CK(cudaMemcpy2DAsync(dst, dst_pitch, src, src_pitch, width, rows,
                             cudaMemcpyDeviceToHost, x->stream));
        CK(cudaStreamSynchronize(x->stream));
        return;
    }
    CK(cudaMemcpy2DAsync(s->host, width, src, src_pitch, width, rows, cudaMemcpyDeviceToHost,
                         x->stream));
    CK(cudaEventRecord(s->ev, x->stream));
    s->used = true;
    s->pending = true;
    s->dst = (char *)dst;
    s->dst_pitch = dst_pitch;
    s->width = width;
    s->rows = rows;
    x->down_pending.push_back(k);
}

void sk_cuda_fetch(sk_cuda_ctx *x, void *dst, const void *src, size_t bytes)
{
    download_rows(x, dst, bytes, src, bytes, bytes, 1);
    drain_downloads(x, -1);
}

static void cu_sync(const sk_backend *be)
{
    sk_cuda_ctx *x = CTX(be);
    CK(cudaStreamSynchronize(x->stream));
    drain_downloads(x, -1);
}

static void cu_upload(const sk_backend *be, sk_bmat *dst, const float *src, int32_t hs)
{
    upload_rows(CTX(be), dst->data, (size_t)dst->stride * 4, src, (size_t)hs * 4,
                (size_t)dst->cols * 4, (size_t)dst->rows);
}

static void cu_download(const sk_backend *be, float *dst, int32_t hs, const sk_bmat *src)
{
    download_rows(CTX(be), dst, (size_t)hs * 4, src->data, (size_t)src->stride * 4,
                  (size_t)src->cols * 4, (size_t)src->rows);
}

static void cu_upload_raw(const sk_backend *be, void *dst, const void *src, size_t bytes)
{
    upload_rows(CTX(be), dst, bytes, src, bytes, bytes, 1);
}

static void cu_download_raw(const sk_backend *be, void *dst, const void *src, size_t bytes)
{
    download_rows(CTX(be), dst, bytes, src, bytes, bytes, 1);
}

static void cu_copy(const sk_backend *be, sk_bmat *dst, const sk_bmat *src)
{
    SAME(dst, src);
    if (dst->data == src->data || !dst->rows || !dst->cols)
        return;
    CK(cudaMemcpy2DAsync(dst->data, (size_t)dst->stride * 4, src->data, (size_t)src->stride * 4,
                         (size_t)dst->cols * 4, (size_t)dst->rows, cudaMemcpyDeviceToDevice,
                         CTX(be)->stream));
}

void sk_cuda_register_memory(sk_backend *be)
{
    be->sync = cu_sync;
    be->mat_alloc = cu_mat_alloc;
    be->mat_free = cu_mat_free;
    be->vec_alloc = cu_vec_alloc;
    be->vec_free = cu_vec_free;
    be->alloc = cu_alloc;
    be->free = cu_free;
    be->upload = cu_upload;
    be->download = cu_download;
    be->upload_raw = cu_upload_raw;
    be->download_raw = cu_download_raw;
    be->copy = cu_copy;
}
