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

#include "io/holders.h"
#include "matrix/matrix.h"
#include "nnet/loss.h"
#include "nnet/nnet.h"

/* sk_train_batch (nnet/loss.h): fill by copying a minibatch's targets and weights.
 * 0, or SK_EIO (ERROR printed) when memory runs out. */
int sk_train_batch_set(sk_train_batch *b, const sk_post_frame *tgt, const float *w, int32_t rows);
void sk_train_batch_release(sk_train_batch *b);   /* zeroes b */

/* As sk_train_forward / sk_train_step, the objective taking the batch (sparse targets and
 * device-side statistics for xent: sk_loss_eval_batch). */
int sk_train_forward_batch(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_train_batch *b,
                           sk_bmat *dy);
int sk_train_step_batch(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_train_batch *b,
                        sk_bmat *dy, const sk_train_opts *o, bool cross_validate,
                        bool need_stats);

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

/* ---- utterances for the training tools (Kaldi's checks, order and messages) ----
 *
 *     sk_utt_source *src = sk_utt_source_open(&cfg);    // NULL: ERROR printed
 *     sk_utt u;
 *     while ((st = sk_utt_source_next(src, &u)) > 0) {  // one usable utterance
 *         ... u.key, u.feats (host, transformed, u.n rows), u.tgt, u.w ...
 *     }
 *     if (st < 0) exit(255);                            // read error (ERROR printed)
 *     sk_utt_source_close(src);                         // counts in src stay readable before
 *
 * Per utterance, in feature order: missing targets ("<utt>, missing targets", counted in
 * num_no_tgt), missing frame/utterance weights, utterance weight 0 (silently dropped), longer
 * than max_frames, lengths of features/targets/weights differing by length_tolerance or more
 * ("Length mismatch! ...") are skipped with Kaldi's warnings (num_other); otherwise all are
 * truncated to the shortest. Features must match the input dim and be finite (else < 0).
 * The feature transform runs on the backend. drop_zero_weight removes frames of weight 0
 * (nnet-train-frmshuff). Views in sk_utt are valid until the next call. */
typedef struct {
    const char *feats, *targets, *frame_weights, *utt_weights;   /* rspecifiers ("" = none) */
    sk_nnet *transform;            /* may be empty; borrowed */
    int32_t input_dim;             /* dim the features must have */
    int32_t max_frames;            /* 0 = no limit */
    int32_t length_tolerance;
    bool drop_zero_weight;
} sk_utt_source_cfg;

typedef struct {
    const char *key;
    const sk_mat *feats;           /* transformed features, n rows */
    const sk_post_frame *tgt;      /* n frames */
    const float *w;                /* n weights */
    int32_t n;
} sk_utt;

typedef struct sk_utt_source sk_utt_source;
sk_utt_source *sk_utt_source_open(const sk_utt_source_cfg *cfg);
/* 1: *u holds the next usable utterance; 0: no more; < 0: error (ERROR printed). */
int sk_utt_source_next(sk_utt_source *src, sk_utt *u);
/* Whether the feature reader is exhausted (no sk_utt_source_next would return 1). */
bool sk_utt_source_done(sk_utt_source *src);
int sk_utt_source_num_done(const sk_utt_source *src);
int sk_utt_source_num_no_tgt(const sk_utt_source *src);
int sk_utt_source_num_other(const sk_utt_source *src);
/* Closes the readers; < 0 when the feature archive was corrupt or a pipe failed. */
int sk_utt_source_close(sk_utt_source *src);

/* Print a LOG line whose message may exceed the log module's line buffer (per-class reports
 * of large outputs, buffer statistics): same shape as SK_LOG. */
void sk_log_long(const char *func, const char *file, int line, const char *msg);
#define SK_LOG_LONG(msg) sk_log_long(__func__, __FILE__, __LINE__, (msg))

#endif
