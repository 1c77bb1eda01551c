/* xent_acc.h — cross-entropy statistics kept in backend memory, so that a training step does
 * not stop the GPU to hand them to the host (be->xent and be->row_max_id are synchronous).
 *
 *     sk_xent_acc *a = sk_xent_acc_new(be, out_dim);
 *     for (each minibatch) {
 *         sk_xent_acc_add(a, &y, &t, &w, &dy);       // dY now; statistics accumulate, no sync
 *         if (time to report) {
 *             sk_xent_acc_fetch(a, xent, ent, frames, correct);   // += into host doubles; sync
 *             ... ProgressLoss from the fetched increments ...
 *         }
 *     }
 *     sk_xent_acc_fetch(a, ...); sk_xent_acc_free(a);
 *
 * Per class c (same meaning as be->xent and nnet-train-frmshuff's frame accuracy):
 *   w'[i] = w[i] Σ_j T[i][j];  dY = (Y - T) ⊙ w' (rows);
 *   xent[c] += -Σ_i w'[i] T[i][c] log(Y[i][c] + 1e-20);  ent[c] += -Σ_i w'[i] T[i][c] log(T[i][c] + 1e-20);
 *   frames[c] += Σ_i w'[i] T[i][c];
 *   correct[c] += Σ_i w'[i] [argmax_j T[i][j] == c and argmax_j Y[i][j] == c]   (first maxima).
 * Y, T, dY: rows x dim (column views allowed); w: rows. On the CPU backends this is be->xent
 * and be->row_max_id behind the same interface.
 *
 * Ownership: sk_xent_acc_new allocates (NULL + ERROR when memory runs out); sk_xent_acc_free.
 */
#ifndef SK_COMPUTE_XENT_ACC_H
#define SK_COMPUTE_XENT_ACC_H

#include "compute/backend.h"

typedef struct sk_xent_acc sk_xent_acc;

sk_xent_acc *sk_xent_acc_new(const sk_backend *be, int32_t dim);
void sk_xent_acc_free(sk_xent_acc *a);   /* NULL ok */
void sk_xent_acc_add(sk_xent_acc *a, const sk_bmat *y, const sk_bmat *t, const sk_bvec *w,
                     sk_bmat *dy);
/* Adds the statistics gathered since the last fetch to the four host arrays (dim each; any
 * may be NULL) and restarts them from zero. Synchronous. */
void sk_xent_acc_fetch(sk_xent_acc *a, double *xent, double *ent, double *frames,
                       double *correct);
/* Optional: the caller's host arrays (dim each, all four non-NULL) that the statistics end up
 * in. On host-memory backends sk_xent_acc_add then accumulates straight into them (the exact
 * summation order of be->xent, so results equal a loop of be->xent calls bit for bit) and
 * sk_xent_acc_fetch has nothing left to add; on the GPU they change nothing (fetch adds into
 * the arrays it is given). Returns whether add writes the arrays directly (the caller may
 * then read them after every add without a fetch). The arrays stay the caller's. */
bool sk_xent_acc_bind(sk_xent_acc *a, double *xent, double *ent, double *frames,
                      double *correct);

#endif
