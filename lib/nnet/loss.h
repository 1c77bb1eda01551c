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

#endif
