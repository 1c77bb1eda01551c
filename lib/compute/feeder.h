/* feeder.h — a ring of input minibatches that lets reading, shuffling and host -> backend
 * copies run ahead of the compute (issue 6: "the GPU never waits for input").
 *
 * One producer thread fills host buffers and submits them; the training thread takes them in
 * order as backend matrices. On the CUDA backend the host buffers are pinned and each copy
 * runs on a second stream: the compute stream waits for it on the device (never the host), and
 * a buffer is refilled only after the compute that read it has passed. On the CPU backends the
 * host buffer IS the backend matrix: no copy at all.
 *
 *     sk_feeder *f = sk_feeder_new(be, minibatch, in_dim, 3);          // 3 minibatches ahead
 *     // producer thread:
 *     for (each minibatch) {
 *         int32_t stride; float *h = sk_feeder_host(f, &stride);      // blocks while all busy
 *         ... write rows (rows <= minibatch) of in_dim floats, stride apart ...
 *         sk_feeder_submit(f, rows);                                   // queue the copy
 *     }
 *     sk_feeder_close(f);                                              // no more input
 *     // training thread:
 *     const sk_bmat *x;
 *     while ((x = sk_feeder_next(f)))                                  // NULL: input done
 *         sk_train_step(nn, loss, x, ...);                             // x valid until next call
 *     sk_feeder_free(f);
 *
 * Only matrices travel through the feeder; per-minibatch host-side data (targets, weights)
 * the producer keeps in a ring of the same depth, indexed by sk_feeder_slot().
 *
 * Ownership: the feeder owns its buffers; sk_feeder_free releases them (after the producer
 * has finished). Errors: sk_feeder_new returns NULL (ERROR printed) when memory runs out.
 */
#ifndef SK_COMPUTE_FEEDER_H
#define SK_COMPUTE_FEEDER_H

#include <stdint.h>

#include "compute/backend.h"

typedef struct sk_feeder sk_feeder;

/* depth >= 2 buffers of rows x cols. */
sk_feeder *sk_feeder_new(const sk_backend *be, int32_t rows, int32_t cols, int depth);
void sk_feeder_free(sk_feeder *f);   /* NULL ok */

/* Producer: the next free host buffer (row stride in *stride floats). */
float *sk_feeder_host(sk_feeder *f, int32_t *stride);
/* Producer: the buffer from sk_feeder_host holds `rows` rows; start its copy. */
void sk_feeder_submit(sk_feeder *f, int32_t rows);
/* Producer: no more minibatches. */
void sk_feeder_close(sk_feeder *f);
/* Producer: index (0..depth-1) of the buffer sk_feeder_host last returned; the consumer's
 * sk_feeder_slot after sk_feeder_next gives the index of the minibatch it got. */
int sk_feeder_slot(const sk_feeder *f, int consumer);

/* Consumer: the next minibatch (rows as submitted) as a backend matrix, in submission order;
 * NULL when closed and drained. The returned matrix stays valid until the next call. */
const sk_bmat *sk_feeder_next(sk_feeder *f);

/* How the pipeline ran (read after the producer has finished): minibatches submitted; times
 * the consumer found no minibatch ready and had to wait (the compute starved: the GPU idle
 * waiting for input) and the seconds it waited; times the producer found no free buffer (it
 * was a whole ring ahead); the most minibatches ever ready ahead of the consumer. */
typedef struct {
    int64_t submitted, consumer_waits, producer_waits;
    double consumer_wait_s;
    int max_ready;
} sk_feeder_stats;
void sk_feeder_get_stats(const sk_feeder *f, sk_feeder_stats *s);

#endif
