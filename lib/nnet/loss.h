/* loss.h — nnet1 objective functions (spec/nnet1.md §4): Xent (default), Mse, MultiTask.
 *
 *     sk_loss *l = sk_loss_new("xent", out_dim, 1800000);  // NULL + ERROR on a bad spec
 *     sk_loss_eval(l, be, &y, frames, weights, &dy);        // per minibatch
 *     char *r = sk_loss_report(l);                         // "AvgLoss: ... (Xent), ..."
 *     free(r); sk_loss_free(l);
 *
 * Targets are posteriors (one sk_post_frame a row of y), turned into a dense matrix as Kaldi's
 * PosteriorToMatrix (a later pair with the same id overwrites). Statistics are accumulated in
 * double on the host. The derivative dy is summed over frames (not averaged), weighted per
 * frame as Kaldi does. Ownership: the loss owns its buffers; reports are malloc'ed (caller
 * frees).
 */
#ifndef SK_NNET_LOSS_H
#define SK_NNET_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "compute/backend.h"
#include "io/holders.h"

typedef struct sk_loss sk_loss;

/* objective: "xent", "mse" or "multitask,xent,DIM1,W1,mse,DIM2,W2,..." (',' or ':').
 * loss_report_frames: progress block size (0 = no ProgressLoss lines). */
sk_loss *sk_loss_new(const char *objective, int32_t out_dim, int64_t loss_report_frames);
void sk_loss_free(sk_loss *l);

/* y: network output (rows = frames); tgt: rows posteriors; w: rows weights (host);
 * dy: backend matrix shaped like y, receives the derivative. Returns 0, or < 0 on bad targets
 * (id out of range: "Out-of-bound Posterior element with index I, higher than number of
 * columns C", ERROR printed) or non-finite output. */
int sk_loss_eval(sk_loss *l, const sk_backend *be, const sk_bmat *y, const sk_post_frame *tgt,
                 const float *w, sk_bmat *dy);

/* ---- a minibatch's targets and weights, as the input pipeline carries them ----
 * The producer thread of nnet-train-frmshuff copies each minibatch's targets into one of these
 * (the randomizer's views do not survive its next refill): the posteriors both as frames (for
 * mse/multitask) and as sparse rows for sk_backend_set_sparse_rows (dense targets built on
 * the device), the frame weights, and the frames the xent objective will count
 * (Σ_i w_i (Σ_j T_ij)²; the host's estimate, used only to time progress reports without
 * asking the device). sk_train_batch_set copies; the batch owns its arrays (release frees).
 */
typedef struct {
    int32_t rows;
    sk_post_frame *tgt;          /* rows frames pointing into pairs */
    sk_post_pair *pairs;
    int32_t *row_start;          /* rows + 1 */
    int32_t *col;
    float *val;
    float *w;                    /* rows */
    double frames;
    bool need_stats;             /* the caller prints buffer/gradient statistics after it */
    size_t cap_rows, cap_pairs;
} sk_train_batch;

/* As sk_loss_eval for the batch's targets and weights. For a single xent objective the dense
 * targets are built by sk_backend_set_sparse_rows and the statistics kept by an sk_xent_acc:
 * on a GPU they stay on the device and are fetched only when a progress report is due (timed
 * by b->frames) and by sk_loss_flush, so a step never waits for the device; on the CPU they
 * are accumulated exactly as sk_loss_eval does (identical results). Other objectives go
 * through sk_loss_eval. Non-finite output is detected when the statistics are fetched. */
int sk_loss_eval_batch(sk_loss *l, const sk_backend *be, const sk_bmat *y,
                       const sk_train_batch *b, sk_bmat *dy);
/* Fetch statistics still held on the device (call before reports or sk_loss_stats_get).
 * 0, or < 0 (ERROR printed) when they are not finite. */
int sk_loss_flush(sk_loss *l);

/* Kaldi's Report() and ReportPerClass() texts (malloc'ed; per-class is "" for mse). */
char *sk_loss_report(const sk_loss *l);
char *sk_loss_report_per_class(const sk_loss *l);
/* The average loss and frame accuracy (xent; accuracy NaN for mse). */
double sk_loss_avg(const sk_loss *l);
double sk_loss_frame_accuracy(const sk_loss *l);

/* Data-parallel training (lib/nnet/parallel.c): the accumulated statistics (everything the
 * reports print) as a flat vector of doubles, so that workers can sum them; set replaces them.
 * v has sk_loss_stats_size(l) elements. */
size_t sk_loss_stats_size(const sk_loss *l);
void sk_loss_stats_get(const sk_loss *l, double *v);
void sk_loss_stats_set(sk_loss *l, const double *v);

/* ---- global progress lines in data-parallel training (lib/nnet/parallel.c) ----
 * With several workers each keeps the progress sums of its own frames and reports nothing
 * itself (sk_loss_progress_defer, before the first eval; sk_loss_eval_batch then fetches
 * device statistics only at sk_loss_flush). When a report may be due, the trainer flushes
 * every worker, sums the sk_loss_progress_get vectors over the workers and hands the sums to
 * sk_loss_progress_put on every worker: a part whose block is complete (more than
 * loss_report_frames frames, the single-worker rule) gets its ProgressLoss line (printed when
 * lead: global worker 0) and its progress value on every worker; otherwise the lead worker
 * carries the block's sums on and the others start from zero. pending[part] receives the
 * frames of the block still open (0 after a report). The frames a part's progress will count
 * for some rows are computed on the host by sk_loss_progress_frames (rounding aside: exact for
 * integer weights), so that every worker can time the reports alike without talking. */
void sk_loss_progress_defer(sk_loss *l);
int sk_loss_num_parts(const sk_loss *l);
/* f[part] = the progress frames of these rows (targets, weights; rows of a minibatch) */
void sk_loss_progress_frames(const sk_loss *l, const sk_post_frame *tgt, const float *w,
                             int32_t rows, double *f);
size_t sk_loss_progress_size(const sk_loss *l);   /* 4 doubles a part */
void sk_loss_progress_get(const sk_loss *l, double *v);
void sk_loss_progress_put(sk_loss *l, const double *v, bool lead, double *pending);

#endif
