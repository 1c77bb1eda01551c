/* comm_nccl.c — NCCL all-reduce among GPU workers (comm.h): one rank a CUDA backend, buckets
 * reduced on a communication stream that waits on an event of the backend's compute stream, so
 * the reduction of a layer overlaps the backward pass of the layers below. Completion is
 * polled with a time-out and ncclCommGetAsyncError; on failure the communicator is aborted.
 * Also the GPU helpers the trainer needs without including CUDA headers. */
#include "compute/comm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"

#ifdef SK_HAVE_CUDA
#include <cuda_runtime_api.h>
#include "compute/cuda/cuda.h"
#endif

const sk_backend *sk_comm_gpu_backend(int dev)
{
#ifdef SK_HAVE_CUDA
    return sk_cuda_backend_new(dev);
#else
    (void)dev;
    SK_ERROR("skald was built without CUDA: no GPU workers");
    return NULL;
#endif
}

void sk_comm_gpu_backend_free(const sk_backend *be)
{
#ifdef SK_HAVE_CUDA
    sk_cuda_backend_free(be);
#else
    (void)be;
#endif
}

int sk_comm_bind_backend(const sk_backend *be)
{
#ifdef SK_HAVE_CUDA
    if (be && !strcmp(be->name, "cuda")) {
        cudaError_t e = cudaSetDevice(sk_cuda_device(be));
        if (e != cudaSuccess) {
            cudaGetLastError();
            SK_ERROR("cannot make GPU %d the thread's device: cudaSetDevice: %s",
                     sk_cuda_device(be), cudaGetErrorString(e));
            return SK_EIO;
        }
    }
#else
    (void)be;
#endif
    return 0;
}

#if defined(SK_HAVE_NCCL) && defined(SK_HAVE_CUDA)
#include <nccl.h>

typedef struct {
    ncclComm_t comm;
    const sk_backend *be;
    cudaStream_t compute, stream;
    cudaEvent_t ready, done;
    cudaEvent_t bev[64];           /* one a bucket in flight (wait_next) */
    int nb, next;
    volatile int *failed;          /* shared by the ranks of a group (NULL: across processes) */
    int *failed_rank;
    sk_comm *host;                 /* nccl-mpi: the MPI comm for host statistics */
    double *stage;                 /* F64 staging on the device */
    double *hstage;                /* ... and in pinned host memory (copies that poll) */
    size_t stage_cap;
    /* outgrown staging, freed with the rank: cudaFree/cudaFreeHost wait for the device, and
     * with a peer's all-reduce waiting for this rank that wait never ends */
    void *old_stage[32], *old_hstage[32];
    int n_old;
    bool pending;
} nccl_rank;

struct nccl_shared {
    volatile int failed;
    int failed_rank;
};

/* This rank cannot go on: tell the local ranks, abort the communicator (remote ranks see
 * an asynchronous error). */
static int rank_fail(sk_comm *c)
{
    nccl_rank *s = c->impl;
    if (s->failed && !*s->failed) {
        *s->failed_rank = c->rank;
        *s->failed = 1;
    }
    if (s->comm)
        ncclCommAbort(s->comm);
    s->comm = NULL;
    return SK_EIO;
}

static int nccl_fail(sk_comm *c, const char *what, ncclResult_t r)
{
    nccl_rank *s = c->impl;
    SK_ERROR("worker %d (GPU %d): %s: %s", c->rank, sk_cuda_device(s->be), what,
             ncclGetErrorString(r));
    return rank_fail(c);
}

/* A CUDA call of the communication path: 0, or ERROR naming the worker and the call, the
 * communicator aborted, SK_EIO. */
static int cuda_ok(sk_comm *c, cudaError_t e, const char *call)
{
    if (e == cudaSuccess)
        return 0;
    nccl_rank *s = c->impl;
    cudaGetLastError();
    SK_ERROR("worker %d (GPU %d): %s failed: %s", c->rank, sk_cuda_device(s->be), call,
             cudaGetErrorString(e));
    return rank_fail(c);
}
#define CUDA_OK(c, call) cuda_ok((c), (call), #call)

static int nccl_poll(sk_comm *c, const char *what)
{
    nccl_rank *s = c->impl;
    double t0 = sk_comm_now();
    struct timespec nap = { 0, 20000 };
    for (;;) {
        cudaError_t e = cudaEventQuery(s->done);
        if (e == cudaSuccess)
            return 0;
        if (e != cudaErrorNotReady) {
            SK_ERROR("worker %d: CUDA error while waiting for %s: %s", c->rank, what,
                     cudaGetErrorString(e));
            return nccl_fail(c, what, ncclUnhandledCudaError);
        }
        ncclResult_t ar;
        if (ncclCommGetAsyncError(s->comm, &ar) == ncclSuccess && ar != ncclSuccess &&
            ar != ncclInProgress)
            return nccl_fail(c, what, ar);
        if (s->failed && *s->failed) {
            SK_ERROR("worker %d: stopping, worker %d failed", c->rank, *s->failed_rank);
            ncclCommAbort(s->comm);
            s->comm = NULL;
            return SK_EIO;
        }
        if (c->timeout > 0 && sk_comm_now() - t0 > c->timeout) {
            SK_ERROR("worker %d: NCCL %s timed out after %g s: another worker did not arrive",
                     c->rank, what, c->timeout);
            return nccl_fail(c, "time-out", ncclSystemError);
        }
        nanosleep(&nap, NULL);
    }
}

static int nc_start(sk_comm *c, float *buf, size_t count)
{
    nccl_rank *s = c->impl;
    double t0 = sk_comm_now();
    if (!s->comm)
        return SK_EIO;
    if (CUDA_OK(c, cudaEventRecord(s->ready, s->compute)) < 0 ||
        CUDA_OK(c, cudaStreamWaitEvent(s->stream, s->ready, 0)) < 0)
        return SK_EIO;
    ncclResult_t r = ncclAllReduce(buf, buf, count, ncclFloat, ncclSum, s->comm, s->stream);
    if (r != ncclSuccess)
        return nccl_fail(c, "ncclAllReduce", r);
    if (s->nb < 64) {
        if (!s->bev[s->nb] &&
            CUDA_OK(c, cudaEventCreateWithFlags(&s->bev[s->nb], cudaEventDisableTiming)) < 0) {
            s->bev[s->nb] = NULL;
            return SK_EIO;
        }
        if (CUDA_OK(c, cudaEventRecord(s->bev[s->nb], s->stream)) < 0)
            return SK_EIO;
    }
    s->nb++;
    s->pending = true;
    c->bytes += 4.0 * (double)count;
    c->t_comm += sk_comm_now() - t0;
    return 0;
}

static int nc_wait(sk_comm *c)
{
    nccl_rank *s = c->impl;
    double t0 = sk_comm_now();
    if (!s->comm)
        return SK_EIO;
    int st = 0;
    if (s->pending) {
        st = CUDA_OK(c, cudaEventRecord(s->done, s->stream));
        if (st == 0)
            st = nccl_poll(c, "all-reduce");
        s->pending = false;
    }
    s->nb = s->next = 0;
    c->t_comm += sk_comm_now() - t0;
    return st;
}

static int nc_wait_next(sk_comm *c)
{
    nccl_rank *s = c->impl;
    if (!s->comm)
        return SK_EIO;
    if (s->next >= s->nb)
        SK_BUG("wait_next: no bucket left to wait for");
    /* the compute stream waits for this bucket (past 64 buckets: for all started so far) */
    int k = s->next++;
    if (k < 64)
        return CUDA_OK(c, cudaStreamWaitEvent(s->compute, s->bev[k], 0));
    if (CUDA_OK(c, cudaEventRecord(s->done, s->stream)) < 0)
        return SK_EIO;
    return CUDA_OK(c, cudaStreamWaitEvent(s->compute, s->done, 0));
}

static int nc_allreduce(sk_comm *c, void *buf, size_t count, sk_comm_type t)
{
    nccl_rank *s = c->impl;
    if (t == SK_COMM_F32) {
        int st = nc_start(c, buf, count);
        return st < 0 ? st : nc_wait(c);
    }
    if (s->host)
        return sk_comm_allreduce(s->host, buf, count, t);
    /* host doubles: stage through pinned host memory and the device. A copy to pageable
     * memory returns only when done, so a peer that never arrives would hang this thread
     * before nccl_poll could time out or see a failure: every step here is asynchronous. */
    if (!s->comm)
        return SK_EIO;
    size_t bytes = count * sizeof(double);
    if (count > s->stage_cap) {
        if (s->stage || s->hstage) {
            if (s->n_old == 32) {
                SK_ERROR("worker %d: statistics staging grew 32 times", c->rank);
                return rank_fail(c);
            }
            s->old_stage[s->n_old] = s->stage;
            s->old_hstage[s->n_old++] = s->hstage;
        }
        /* grown geometrically: the progress sums come first, then the larger statistics */
        size_t cap = count > 4096 ? count : 4096;
        if (cap < 2 * s->stage_cap)
            cap = 2 * s->stage_cap;
        s->stage_cap = 0;
        s->stage = s->hstage = NULL;
        bytes = cap * sizeof(double);
        cudaError_t e = cudaMalloc((void **)&s->stage, bytes);
        if (e == cudaSuccess)
            e = cudaMallocHost((void **)&s->hstage, bytes);
        if (e != cudaSuccess) {
            cudaGetLastError();
            SK_ERROR("worker %d: cannot allocate 2 x %zu bytes (device, pinned host) for "
                     "statistics: %s", c->rank, bytes, cudaGetErrorString(e));
            return rank_fail(c);
        }
        s->stage_cap = cap;
        bytes = count * sizeof(double);
    }
    memcpy(s->hstage, buf, bytes);
    if (CUDA_OK(c, cudaMemcpyAsync(s->stage, s->hstage, bytes, cudaMemcpyHostToDevice,
                                   s->stream)) < 0)
        return SK_EIO;
    ncclResult_t r = ncclAllReduce(s->stage, s->stage, count, ncclDouble, ncclSum, s->comm,
                                   s->stream);
    if (r != ncclSuccess)
        return nccl_fail(c, "ncclAllReduce", r);
    if (CUDA_OK(c, cudaMemcpyAsync(s->hstage, s->stage, bytes, cudaMemcpyDeviceToHost,
                                   s->stream)) < 0 ||
        CUDA_OK(c, cudaEventRecord(s->done, s->stream)) < 0)
        return SK_EIO;
    int st = nccl_poll(c, "all-reduce");
    if (st == 0)
        memcpy(buf, s->hstage, bytes);
    return st;
}

static void nc_abort(sk_comm *c, const char *why)
{
    nccl_rank *s = c->impl;
    SK_ERROR("worker %d failed: %s", c->rank, why);
    if (s->failed && !*s->failed) {
        *s->failed_rank = c->rank;
        *s->failed = 1;
    }
}

static void nc_free_rank(sk_comm *c)
{
    nccl_rank *s = c->impl;
    if (!s)
        return;
    if (s->comm)
        ncclCommDestroy(s->comm);
    if (s->stream) {
        cudaStreamDestroy(s->stream);
        cudaEventDestroy(s->ready);
        cudaEventDestroy(s->done);
    }
    for (int k = 0; k < 64; k++)
        if (s->bev[k])
            cudaEventDestroy(s->bev[k]);
    cudaFree(s->stage);
    cudaFreeHost(s->hstage);
    for (int k = 0; k < s->n_old; k++) {
        cudaFree(s->old_stage[k]);
        cudaFreeHost(s->old_hstage[k]);
    }
    free(s);
    c->impl = NULL;
}

static void nc_free_single(sk_comm *c)
{
    nc_free_rank(c);
    free(c);
}

static const sk_comm_ops nccl_group_ops = { nc_start, nc_wait, nc_wait_next, nc_allreduce,
                                            nc_abort, nc_free_rank };
static const sk_comm_ops nccl_single_ops = { nc_start, nc_wait, nc_wait_next, nc_allreduce,
                                             nc_abort, nc_free_single };

/* On failure nothing of s is left allocated (the caller frees s and destroys comm). */
static int init_rank(sk_comm *c, nccl_rank *s, const sk_backend *be, ncclComm_t comm)
{
    s->comm = comm;
    s->be = be;
    s->compute = (cudaStream_t)sk_cuda_stream(be);
    const char *what = "cudaSetDevice";
    cudaError_t e = cudaSetDevice(sk_cuda_device(be));
    if (e == cudaSuccess) {
        what = "cudaStreamCreateWithFlags";
        e = cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking);
    }
    if (e == cudaSuccess) {
        what = "cudaEventCreateWithFlags";
        e = cudaEventCreateWithFlags(&s->ready, cudaEventDisableTiming);
    }
    if (e == cudaSuccess)
        e = cudaEventCreateWithFlags(&s->done, cudaEventDisableTiming);
    if (e != cudaSuccess) {
        cudaGetLastError();
        SK_ERROR("worker %d (GPU %d): cannot create the NCCL stream/events: %s: %s", c->rank,
                 sk_cuda_device(be), what, cudaGetErrorString(e));
        if (s->ready)
            cudaEventDestroy(s->ready);
        if (s->stream)
            cudaStreamDestroy(s->stream);
        s->ready = NULL;
        s->stream = NULL;
        return SK_EIO;
    }
    c->impl = s;
    c->device_memory = true;
    return 0;
}

/* cudaSetDevice(dev) before an NCCL call that works on the current device. */
static int set_device(int rank, int dev)
{
    cudaError_t e = cudaSetDevice(dev);
    if (e == cudaSuccess)
        return 0;
    cudaGetLastError();
    SK_ERROR("worker %d (GPU %d): cudaSetDevice failed: %s", rank, dev, cudaGetErrorString(e));
    return SK_EIO;
}

/* The n local ranks as a thread group (it gives the per-rank comm structs and their
 * lifetime), rank r numbered first + r of size; takes the communicators and sh over. On
 * failure every communicator left is destroyed and NULL returned. */
static sk_comm_group *rank_group(int n, const sk_backend *const *be, ncclComm_t *comms,
                                 struct nccl_shared *sh, double timeout, const char *kind,
                                 int first, int size)
{
    sk_comm_group *g = sk_comm_threads_new(n, timeout);
    for (int r = 0; g && r < n; r++) {
        sk_comm *c = sk_comm_group_rank(g, r);
        nccl_rank *s = calloc(1, sizeof *s);
        if (!s || init_rank(c, s, be[r], comms[r]) < 0) {
            free(s);
            sk_comm_group_free(g);
            g = NULL;
            break;
        }
        s->failed = &sh->failed;
        s->failed_rank = &sh->failed_rank;
        c->kind = kind;
        c->rank = first + r;
        c->size = size;
        c->ops = &nccl_group_ops;
        comms[r] = NULL;
    }
    for (int r = 0; r < n; r++)
        if (comms[r])
            ncclCommDestroy(comms[r]);
    if (!g)
        free(sh);   /* else it lives as long as the process (tiny) */
    return g;
}

sk_comm_group *sk_comm_nccl_new(int n, const sk_backend *const *be, double timeout)
{
    int *devs = calloc((size_t)n, sizeof *devs);
    ncclComm_t *comms = calloc((size_t)n, sizeof *comms);
    struct nccl_shared *sh = calloc(1, sizeof *sh);
    if (!devs || !comms || !sh)
        goto fail;
    for (int r = 0; r < n; r++)
        devs[r] = sk_cuda_device(be[r]);
    ncclResult_t res = ncclCommInitAll(comms, n, devs);
    if (res != ncclSuccess) {
        SK_ERROR("ncclCommInitAll over %d GPUs failed: %s", n, ncclGetErrorString(res));
        goto fail;
    }
    free(devs);
    sk_comm_group *g = rank_group(n, be, comms, sh, timeout, "nccl", 0, n);
    free(comms);
    return g;
fail:
    for (int r = 0; comms && r < n; r++)
        if (comms[r])
            ncclCommDestroy(comms[r]);
    free(devs);
    free(comms);
    free(sh);
    return NULL;
}

/* Rank 0 of the MPI job makes the NCCL id; everyone gets it (a sum of bytes, the others
 * contributing zeros). */
static int share_id(sk_comm *mpi, ncclUniqueId *id)
{
    memset(id, 0, sizeof *id);
    if (mpi->rank == 0 && ncclGetUniqueId(id) != ncclSuccess) {
        SK_ERROR("ncclGetUniqueId failed");
        return SK_EIO;
    }
    double bytes[sizeof id->internal];
    for (size_t i = 0; i < sizeof id->internal; i++)
        bytes[i] = (unsigned char)id->internal[i];
    if (sk_comm_allreduce(mpi, bytes, sizeof id->internal, SK_COMM_F64) < 0)
        return SK_EIO;
    for (size_t i = 0; i < sizeof id->internal; i++)
        id->internal[i] = (char)(unsigned char)bytes[i];
    return 0;
}

sk_comm_group *sk_comm_nccl_mpi_group_new(sk_comm *mpi, int n, const sk_backend *const *be,
                                          double timeout)
{
    ncclUniqueId id;
    if (share_id(mpi, &id) < 0)
        return NULL;
    ncclComm_t *comms = calloc((size_t)n, sizeof *comms);
    struct nccl_shared *sh = calloc(1, sizeof *sh);
    int nranks = mpi->size * n;
    if (!comms || !sh)
        goto fail;
    /* every device first: a rank missing from the group below would hang the others */
    for (int r = 0; r < n; r++)
        if (set_device(mpi->rank * n + r, sk_cuda_device(be[r])) < 0)
            goto fail;
    ncclGroupStart();
    bool dev_ok = true;
    for (int r = 0; r < n; r++) {
        dev_ok = set_device(mpi->rank * n + r, sk_cuda_device(be[r])) == 0 && dev_ok;
        ncclCommInitRank(&comms[r], nranks, id, mpi->rank * n + r);
    }
    ncclResult_t res = ncclGroupEnd();
    if (!dev_ok)
        goto fail;
    if (res != ncclSuccess) {
        SK_ERROR("MPI rank %d: ncclCommInitRank for %d GPUs (of %d in all) failed: %s",
                 mpi->rank, n, nranks, ncclGetErrorString(res));
        goto fail;
    }
    sk_comm_group *g = rank_group(n, be, comms, sh, timeout, "nccl-mpi", mpi->rank * n, nranks);
    free(comms);
    return g;
fail:
    for (int r = 0; comms && r < n; r++)
        if (comms[r])
            ncclCommDestroy(comms[r]);
    free(comms);
    free(sh);
    return NULL;
}

sk_comm *sk_comm_nccl_mpi_new(sk_comm *mpi, const sk_backend *be, double timeout)
{
    ncclUniqueId id;
    if (share_id(mpi, &id) < 0 || set_device(mpi->rank, sk_cuda_device(be)) < 0)
        return NULL;
    ncclComm_t comm;
    ncclResult_t r = ncclCommInitRank(&comm, mpi->size, id, mpi->rank);
    if (r != ncclSuccess) {
        SK_ERROR("worker %d: ncclCommInitRank failed: %s", mpi->rank, ncclGetErrorString(r));
        return NULL;
    }
    sk_comm *c = calloc(1, sizeof *c);
    nccl_rank *s = calloc(1, sizeof *s);
    if (!c || !s || init_rank(c, s, be, comm) < 0) {
        ncclCommDestroy(comm);
        free(c);
        free(s);
        return NULL;
    }
    s->host = mpi;
    c->kind = "nccl-mpi";
    c->rank = mpi->rank;
    c->size = mpi->size;
    c->timeout = timeout;
    c->ops = &nccl_single_ops;
    return c;
}

#else /* no NCCL */

sk_comm_group *sk_comm_nccl_new(int n, const sk_backend *const *be, double timeout)
{
    (void)n; (void)be; (void)timeout;
    SK_ERROR("skald was built without NCCL: no multi-GPU all-reduce");
    return NULL;
}

sk_comm *sk_comm_nccl_mpi_new(sk_comm *mpi, const sk_backend *be, double timeout)
{
    (void)mpi; (void)be; (void)timeout;
    SK_ERROR("skald was built without NCCL: no multi-GPU all-reduce");
    return NULL;
}

sk_comm_group *sk_comm_nccl_mpi_group_new(sk_comm *mpi, int n, const sk_backend *const *be,
                                          double timeout)
{
    (void)mpi; (void)n; (void)be; (void)timeout;
    SK_ERROR("skald was built without NCCL: no multi-GPU all-reduce");
    return NULL;
}

#endif
