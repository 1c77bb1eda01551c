/* train.h — one training (or cross-validation) step of nnet1 frame-level training, split so
 * that data-parallel training (issue 7) can plug in between the phases:
 *
 *     sk_train_forward(nn, loss, &x, tgt, w, &dy)    forward + objective -> dy
 *     sk_train_backward(nn, &dy)                     gradients into each component's
 *                                                    contiguous grad_block
 *     ... all-reduce every component's grad_block across workers ...
 *     sk_nnet_update(nn, &opts)                      identical update on every worker
 *
 * sk_train_step does all three for one worker. x is a backend matrix (minibatch x input dim);
 * dy is a backend scratch matrix owned by the caller (minibatch x output dim).
 */
#ifndef SK_NNET_TRAIN_H
#define SK_NNET_TRAIN_H

#include <stdbool.h>

#include "nnet/loss.h"
#include "nnet/nnet.h"

int sk_train_forward(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_post_frame *tgt,
                     const float *w, sk_bmat *dy);
void sk_train_backward(sk_nnet *nn, const sk_bmat *dy);
/* forward, and unless cross_validate: backward + update. 0 or < 0 (ERROR printed).
 * need_stats: the caller will print the buffer/gradient statistics of this minibatch (then
 * the gradients are stored and the input derivative computed); otherwise the single-worker
 * fast path fuses the SGD step into the gradient GEMM where that is exact. */
int sk_train_step(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_post_frame *tgt,
                  const float *w, sk_bmat *dy, const sk_train_opts *o, bool cross_validate,
                  bool need_stats);

/* Print a LOG line whose message may exceed the log module's line buffer (per-class reports
 * of large outputs, buffer statistics): same shape as SK_LOG. */
void sk_log_long(const char *func, const char *file, int line, const char *msg);
#define SK_LOG_LONG(msg) sk_log_long(__func__, __FILE__, __LINE__, (msg))

#endif
