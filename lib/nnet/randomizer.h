/* randomizer.h — nnet-train-frmshuff's frame buffer (spec/nnet1.md §5): utterances are
 * appended until the buffer holds more than `size` frames, optionally shuffled (features,
 * targets and weights with one permutation), then handed out as minibatches of exactly
 * `minibatch` consecutive rows; a remainder is kept at the front for the next round.
 *
 *     sk_randomizer *r = sk_randomizer_new(32768, 256, feat_dim);
 *     while (more utterances) {
 *         while (!sk_randomizer_full(r) && read(utt)) sk_randomizer_add(r, &feats, post, w);
 *         if (shuffle) sk_randomizer_shuffle(r);
 *         for (; !sk_randomizer_done(r); sk_randomizer_next(r)) {
 *             sk_mat x = sk_randomizer_feats(r);              // view, minibatch x dim
 *             const sk_post_frame *t = sk_randomizer_targets(r);
 *             const float *w = sk_randomizer_weights(r);
 *         }
 *     }
 *
 * Memory is host memory; the randomizer owns copies of everything added (views it returns
 * are valid until the next add/shuffle/next). Shuffling uses C rand() (the caller seeds it
 * with --randomizer-seed; Kaldi's own permutation is not reproducible either).
 */
#ifndef SK_NNET_RANDOMIZER_H
#define SK_NNET_RANDOMIZER_H

#include <stdbool.h>
#include <stdint.h>

#include "io/holders.h"
#include "matrix/matrix.h"

typedef struct sk_randomizer sk_randomizer;

sk_randomizer *sk_randomizer_new(int32_t size, int32_t minibatch, int32_t dim);
void sk_randomizer_free(sk_randomizer *r);
/* Full: read position at the start and more than `size` frames buffered. */
bool sk_randomizer_full(const sk_randomizer *r);
/* Append an utterance: feats rows == number of target frames == weights. Copies. 0 or SK_EIO. */
int sk_randomizer_add(sk_randomizer *r, const sk_mat *feats, const sk_post_frame *tgt,
                      const float *w);
void sk_randomizer_shuffle(sk_randomizer *r);
bool sk_randomizer_done(const sk_randomizer *r);
void sk_randomizer_next(sk_randomizer *r);
sk_mat sk_randomizer_feats(const sk_randomizer *r);
const sk_post_frame *sk_randomizer_targets(const sk_randomizer *r);
const float *sk_randomizer_weights(const sk_randomizer *r);
int32_t sk_randomizer_buffered(const sk_randomizer *r);

#endif
