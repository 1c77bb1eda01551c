/* parallel.h — synchronous data-parallel training of an nnet1 network (issue 7).
 *
 * W workers in all (comm->size), n_local of them threads of this process (the rest in other
 * MPI processes). Every step the caller hands the GLOBAL minibatch (W x minibatch frames from
 * the one shuffled stream); the worker of global rank k takes rows [k*minibatch,
 * (k+1)*minibatch), runs forward + objective + backward on its own copy of the network, the
 * gradients are summed across all workers (bucketed: each component's all-reduce starts as
 * soon as its backward pass is done), and every worker applies the identical update with the
 * global frame count. This equals one worker with a W-times minibatch (up to the float
 * summation order). Cross-validation (train = false) runs forward only; statistics are summed
 * by sk_dp_finish. ProgressLoss lines come where one worker with the global minibatch prints
 * them, with the sums of all workers: every process times them from the global batch, and the
 * workers sum their progress sums only at steps where a block may end (no per-step exchange).
 *
 *     sk_dp_config cfg = { .n_local = 4, .comm = comms, .be = backends, .model_in = "nnet.in",
 *                          .objective = "xent", .train = true, .opts = to, .minibatch = 256 };
 *     sk_dp *dp = sk_dp_new(&cfg);                      // NULL: ERROR printed
 *     while (...) if (sk_dp_step(dp, &x, tgt, w, false) < 0) fail;  // x: W*256 rows (host)
 *     sk_dp_finish(dp);                                 // global loss statistics
 *     sk_nnet_write_file(sk_dp_nnet(dp), "nnet.out", true);
 *     sk_dp_free(dp);
 *
 * Failure injection for tests: SKALD_TEST_FAIL_WORKER=k:step[:hang|:kill] makes the worker of
 * global rank k fail (abort its comm with an ERROR), hang (stop responding: the others time
 * out) or kill its process (SIGKILL) at training step `step` (0-based). `step` equal to the
 * number of steps trained hangs or kills it in sk_dp_finish's statistics all-reduce.
 *
 * Ownership: the dp owns the workers' networks, losses and buffers; the comms and backends in
 * the config stay the caller's (freed after sk_dp_free).
 */
#ifndef SK_NNET_PARALLEL_H
#define SK_NNET_PARALLEL_H

#include <stdbool.h>
#include <stdint.h>

#include "compute/comm.h"
#include "io/holders.h"
#include "matrix/matrix.h"
#include "nnet/loss.h"
#include "nnet/nnet.h"
#include "nnet/train.h"

typedef struct {
    int n_local;                 /* worker threads in this process (>= 1) */
    sk_comm **comm;              /* [n_local] each local worker's comm; NULL: one worker alone */
    const sk_backend **be;       /* [n_local] each local worker's backend */
    const char *model_in;        /* every worker reads its own copy */
    const char *objective;
    int64_t loss_report_frames;  /* ProgressLoss lines: global, as one worker with the global
                                  * minibatch (summed over the workers, printed by worker 0) */
    bool train;
    sk_train_opts opts;
    int32_t minibatch;           /* frames a worker a step */
} sk_dp_config;

typedef struct sk_dp sk_dp;

sk_dp *sk_dp_new(const sk_dp_config *cfg);
void sk_dp_free(sk_dp *dp);
/* Workers in all (global), and the global minibatch (rows of x in sk_dp_step). */
int sk_dp_workers(const sk_dp *dp);
int32_t sk_dp_global_minibatch(const sk_dp *dp);
/* One step on the global minibatch x (host, sk_dp_global_minibatch rows), its targets and
 * frame weights. need_stats: the caller prints the buffer/gradient statistics after this
 * step (a single worker otherwise takes sk_train_step's fused fast path). 0, or < 0 when a
 * worker failed (ERRORs printed, naming it); the dp is then unusable and the caller stops
 * (worker threads may still be blocked: exit the process). */
int sk_dp_step(sk_dp *dp, const sk_mat *x, const sk_post_frame *tgt, const float *w,
               bool need_stats);
/* The input pipeline's entry (nnet-train-frmshuff's producer thread + compute/feeder.h):
 * sk_dp_input_backend says where the global minibatch x must live — the worker's own backend
 * when there is a single worker in all (the feeder copies it there ahead of the step; no
 * upload in the step), else the host (a CPU-backend feeder; every worker uploads its rows).
 * The batch carries the targets (sparse rows) and weights of all sk_dp_global_minibatch
 * rows; b->need_stats as in sk_dp_step. 0 or < 0 as sk_dp_step. */
const sk_backend *sk_dp_input_backend(const sk_dp *dp);
int sk_dp_step_batch(sk_dp *dp, const sk_bmat *x, const sk_train_batch *b);
/* Sum the objective statistics over all workers into sk_dp_loss (statistics still on the
 * devices are fetched first). 0 or < 0. */
int sk_dp_finish(sk_dp *dp);
/* The first local worker's network and objective (the model to write, the reports). */
sk_nnet *sk_dp_nnet(sk_dp *dp);
/* Local worker r's network (tests: every copy must stay identical). */
sk_nnet *sk_dp_local_nnet(sk_dp *dp, int r);
sk_loss *sk_dp_loss(sk_dp *dp);
/* Seconds per step averaged over steps and local workers: compute (forward, backward,
 * update) and time blocked in the all-reduce (start + wait) — for tests/bench/scaling.sh. */
void sk_dp_times(const sk_dp *dp, double *compute, double *comm, int64_t *steps);
/* Floats of gradient a worker sums each step. */
size_t sk_dp_grad_floats(const sk_dp *dp);

/* ---- choosing the workers from a tool's options ----
 * num_threads CPU workers (or workers sharing the one GPU of num_gpus), num_gpus: "0", a count
 * N (GPUs 0..N-1, NCCL when N > 1) or a list "0,2,3" (always NCCL, even "0," for one); under Open MPI's mpirun (detected from the
 * environment) one worker a process (MPI_Allreduce, or NCCL with the id sent through MPI when
 * the process uses a GPU: device = its local rank). Log lines other than warnings and errors
 * are silenced on MPI ranks other than 0. Returns 0 or < 0 (ERROR printed). */
typedef struct {
    int n_local;                 /* local workers */
    sk_comm **comm;              /* [n_local] or NULL (a single worker in all) */
    const sk_backend **be;       /* [n_local] */
    const sk_backend *main_be;   /* for the caller's own work (feature transform) */
    int rank, size;              /* the process's first worker's global rank; workers in all */
    const char *kind;            /* "cpu threads", "gpu threads", "nccl", "mpi", "nccl-mpi" */
    sk_comm *mpi;                /* under mpirun (sk_comm_fatal on failure) */
    sk_comm *proc;               /* nccl-mpi comm */
    sk_comm_group *group;
    bool *own_be;                /* [n_local] backend made here (freed by sk_dp_setup_free) */
} sk_dp_setup;

int sk_dp_setup_init(sk_dp_setup *ps, int num_threads, const char *num_gpus,
                     const char *use_gpu, double timeout);
/* After sk_dp_free. */
void sk_dp_setup_free(sk_dp_setup *ps);

#endif
