/* comm.h — summing gradients across data-parallel workers (issue 7): one interface, four
 * implementations.
 *
 *   threads   N workers (threads) in one process; buffers are HOST memory. For CPU workers,
 *             and for several workers sharing one GPU (the trainer stages through the host).
 *   mpi       one worker a process under Open MPI's mpirun; MPI_Iallreduce on HOST memory.
 *   nccl      one worker thread a GPU in one process (ncclCommInitAll); buffers are DEVICE
 *             memory of each rank's CUDA backend, reduced on a stream of their own.
 *   nccl-mpi  across nodes: one process a node with a worker thread a GPU (or one GPU a
 *             process); the NCCL unique id is exchanged through MPI.
 *
 *     sk_comm_group *g = sk_comm_threads_new(4, 300.0);   // NULL + ERROR on failure
 *     // in worker thread r:
 *     sk_comm *c = sk_comm_group_rank(g, r);
 *     sk_comm_start(c, grad_of_top_layer, n1);            // as soon as its backward is done
 *     sk_comm_start(c, grad_of_next_layer, n2);           // ... (buckets, in the same order on
 *     sk_comm_wait_next(c); update(top layer); ...        //      every rank); each in turn,
 *     if (sk_comm_wait(c) < 0) ...                        //      then wait: all buffers hold
 *                                                         //      the sums
 *     sk_comm_allreduce(c, stats, n, SK_COMM_F64);        // blocking, any type
 *     sk_comm_group_free(g);                              // after every worker is done
 *
 * Semantics. Every rank calls the same sequence of start/wait/allreduce with the same counts;
 * the result (element-wise sum over ranks, in place) is identical on every rank and does not
 * depend on timing: the thread implementation sums in rank order. A buffer handed to start()
 * must not be touched until wait() returns. Overlap: start() returns at once; the reduction of
 * a bucket proceeds while the caller computes the next layer (threads: ranks reduce their
 * share of every bucket that all ranks have started, at each start() and in wait(); MPI:
 * non-blocking collectives driven at each start(); NCCL: a communication stream that waits on
 * an event of the compute stream).
 *
 * Failure. A worker that fails calls sk_comm_abort(c, why): every other rank's pending or later
 * call returns SK_EIO with an ERROR naming that worker ("worker 2 failed: ..."). A collective
 * that does not complete within the time-out (seconds) returns SK_EIO with an ERROR naming the
 * workers that did not arrive (threads) or the collective (MPI, NCCL: the NCCL communicator is
 * aborted). After a failure the comm is unusable: the caller stops (tools exit non-zero; under
 * MPI the tool calls sk_comm_fatal, which aborts the whole job).
 *
 * Ownership. A group owns its per-rank comms (sk_comm_group_rank returns a borrowed pointer);
 * sk_comm_mpi_new's comm is freed with sk_comm_free (which finalises MPI). Groups and comms are
 * freed by one thread after all workers have stopped using them.
 */
#ifndef SK_COMPUTE_COMM_H
#define SK_COMPUTE_COMM_H

#include <stdbool.h>
#include <stddef.h>

#include "compute/backend.h"

typedef enum { SK_COMM_F32, SK_COMM_F64 } sk_comm_type;

typedef struct sk_comm sk_comm;
typedef struct sk_comm_group sk_comm_group;

typedef struct {
    int (*start)(sk_comm *c, float *buf, size_t count);
    int (*wait)(sk_comm *c);
    int (*wait_next)(sk_comm *c);
    int (*allreduce)(sk_comm *c, void *buf, size_t count, sk_comm_type t);
    void (*abort)(sk_comm *c, const char *why);
    void (*free)(sk_comm *c);
} sk_comm_ops;

struct sk_comm {
    const char *kind;          /* "threads", "mpi", "nccl", "nccl-mpi" */
    int rank, size;
    bool device_memory;        /* buffers are the rank backend's device memory (NCCL) */
    double timeout;            /* seconds a collective may wait for the others */
    const sk_comm_ops *ops;
    void *impl;
    /* statistics of this rank (seconds spent inside start/wait/allreduce, bytes reduced) */
    double t_comm;
    double bytes;
};

/* ---- the interface (every call: 0 or SK_EIO with an ERROR printed) ---- */
/* Start summing count floats in place (a bucket); returns without waiting for the others. */
static inline int sk_comm_start(sk_comm *c, float *buf, size_t count)
{
    return c->ops->start(c, buf, count);
}
/* Wait until every bucket started since the last wait holds the sum. */
static inline int sk_comm_wait(sk_comm *c) { return c->ops->wait(c); }
/* Wait for the oldest started bucket not yet waited for (buckets complete in start order), so
 * that its layer can be updated while later buckets are still being summed; wait() must
 * still follow. Device comms (NCCL) do not block the host: the backend's stream waits, so
 * work queued after this call sees the sum. */
static inline int sk_comm_wait_next(sk_comm *c) { return c->ops->wait_next(c); }
/* Blocking in-place sum of count elements. For device-memory comms, F64 buffers are HOST
 * memory (statistics) and F32 buffers device memory. */
static inline int sk_comm_allreduce(sk_comm *c, void *buf, size_t count, sk_comm_type t)
{
    return c->ops->allreduce(c, buf, count, t);
}
/* This worker failed: make every other rank's collectives fail, naming this rank. */
static inline void sk_comm_abort(sk_comm *c, const char *why) { c->ops->abort(c, why); }

/* ---- threads ---- */
sk_comm_group *sk_comm_threads_new(int n, double timeout);
sk_comm *sk_comm_group_rank(sk_comm_group *g, int rank);
int sk_comm_group_size(const sk_comm_group *g);
void sk_comm_group_free(sk_comm_group *g);

/* ---- MPI (SK_HAVE_MPI) ---- */
/* True when this process was started by Open MPI's mpirun with more than one process
 * (OMPI_COMM_WORLD_SIZE > 1), whether or not the build has MPI. */
bool sk_comm_mpi_launched(void);
/* MPI_Init + a comm over MPI_COMM_WORLD (host buffers). NULL + ERROR when MPI is not built. */
sk_comm *sk_comm_mpi_new(double timeout);
/* Print nothing more and end the whole MPI job now (MPI_Abort, status 255); for a failed
 * worker after its ERROR, so that the other ranks do not wait for it. */
void sk_comm_fatal(sk_comm *c) __attribute__((noreturn));
void sk_comm_free(sk_comm *c);   /* NULL ok; mpi: MPI_Finalize */

/* ---- NCCL (SK_HAVE_NCCL) ---- */
/* One rank a backend (CUDA backends, one a device, be[r] used by worker thread r):
 * ncclCommInitAll. NULL + ERROR when NCCL is not built or fails. */
sk_comm_group *sk_comm_nccl_new(int n, const sk_backend *const *be, double timeout);
/* Across processes: rank/size of the MPI job, one CUDA backend a process, NCCL unique id
 * broadcast through MPI (mpi comm from sk_comm_mpi_new, kept for statistics). */
sk_comm *sk_comm_nccl_mpi_new(sk_comm *mpi, const sk_backend *be, double timeout);
/* One process a node, n GPU worker threads in each (be[r] used by thread r): NCCL ranks
 * mpi->rank * n + r of mpi->size * n (ncclCommInitRank in a group), id through MPI; every
 * process must have the same n. Statistics (F64) are summed through NCCL. NULL + ERROR. */
sk_comm_group *sk_comm_nccl_mpi_group_new(sk_comm *mpi, int n, const sk_backend *const *be,
                                          double timeout);

/* GPU workers without CUDA headers in the caller: a new CUDA backend instance on device dev
 * (NULL + ERROR when CUDA is not built or the device is unusable; free with
 * sk_comm_gpu_backend_free), and making a worker thread's current device be's (no-op for
 * CPU backends; SK_EIO + ERROR naming the GPU when cudaSetDevice fails). */
const sk_backend *sk_comm_gpu_backend(int dev);
void sk_comm_gpu_backend_free(const sk_backend *be);
int sk_comm_bind_backend(const sk_backend *be);   /* 0, or SK_EIO + ERROR */

/* n CPU workers share the machine: give each BLAS call cores/n threads (OpenBLAS's pool is
 * shared; its threads fighting over the cores made 4 workers 4x slower than 1 on 2 cores).
 * No-op when the BLAS library has no such setting. */
void sk_comm_share_cpu(int n);

/* ---- helpers for the implementations ---- */
double sk_comm_now(void);

#endif
