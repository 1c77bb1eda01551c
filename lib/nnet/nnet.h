/* nnet.h — an nnet1 network: a chain of components (spec/nnet1.md §1), its buffers, and the
 * Kaldi model file format (text and binary, byte-identical to Kaldi's).
 *
 *     sk_nnet *nn = sk_nnet_read_file("final.nnet", sk_backend_cpu());   // NULL: ERROR printed
 *     const sk_bmat *y = sk_nnet_propagate(nn, &x);    // x: backend matrix, in_dim columns
 *     const sk_bmat *dx = sk_nnet_backprop(nn, &dy, false);  // gradients (and dx if asked)
 *     sk_nnet_update(nn, &opts);                        // apply them
 *     sk_nnet_write_file(nn, "out.nnet", true);         // atomic
 *     sk_nnet_free(nn);
 *
 * Ownership: the nnet owns its components (sk_nnet_append takes ownership) and its buffers.
 * Pointers returned by propagate/backprop point at internal buffers valid until the next
 * propagate/backprop. The input given to propagate must stay unchanged until backprop.
 */
#ifndef SK_NNET_NNET_H
#define SK_NNET_NNET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compute/backend.h"
#include "nnet/component.h"

struct sk_nnet {
    const sk_backend *be;
    sk_component **c;
    int n, cap;
    sk_bmat *buf_prop, *buf_diff;   /* owned storage per component output / input diff */
    sk_bmat *prop, *diff;           /* n+1 views for the current minibatch ([0] = input) */
    int32_t rows;
    /* set by a caller that only propagates (nnet-forward, feature transforms): no derivative
     * buffers are allocated, sk_nnet_backprop is a bug */
    bool forward_only;
    /* data-parallel training (lib/nnet/parallel.c): called by sk_nnet_backprop as soon as an
     * updatable component's gradient is complete, to start its all-reduce (NULL: none). */
    void (*grad_ready)(void *ctx, sk_component *c);
    void *grad_ready_ctx;
};

sk_nnet *sk_nnet_new(const sk_backend *be);
void sk_nnet_free(sk_nnet *nn);
/* Append (takes ownership of c, also on failure). Checks that dims chain:
 * "Dimensionality mismatch! Previous layer output:A Current layer input:B". 0 or SK_EINVAL. */
int sk_nnet_append(sk_nnet *nn, sk_component *c);
/* Remove (and free) component i (0-based). */
void sk_nnet_remove(sk_nnet *nn, int i);
/* Move all components of src to the end of dst (src left empty). Checks dims. */
int sk_nnet_concat(sk_nnet *dst, sk_nnet *src);

static inline int sk_nnet_num_components(const sk_nnet *nn) { return nn->n; }
static inline sk_component *sk_nnet_component(const sk_nnet *nn, int i) { return nn->c[i]; }
int32_t sk_nnet_input_dim(const sk_nnet *nn);
int32_t sk_nnet_output_dim(const sk_nnet *nn);
int64_t sk_nnet_num_params(const sk_nnet *nn);

/* Training mode turns dropout on; off (the default) makes dropout the identity. */
void sk_nnet_set_train(sk_nnet *nn, bool train);
/* Set the rate of every <Dropout> (nnet-copy --dropout-rate), logging as Kaldi does. */
void sk_nnet_set_dropout_rate(sk_nnet *nn, float rate);
/* Set the learn-rate coefficients of every updatable component (nnet-set-learnrate). */
void sk_nnet_set_learn_rate_coefs(sk_nnet *nn, float coef, float bias_coef);

/* Forward: returns the output (rows of in x output dim). An empty nnet returns in. NULL when
 * the buffers cannot be allocated (ERROR printed: an utterance too long for the memory). */
const sk_bmat *sk_nnet_propagate(sk_nnet *nn, const sk_bmat *in);
/* Backward from dout (the derivative at the output): computes every updatable component's
 * gradient; returns the input derivative when need_input_diff (else NULL). */
const sk_bmat *sk_nnet_backprop(sk_nnet *nn, const sk_bmat *dout, bool need_input_diff);
/* Backprop with the update fused into the gradient step where that is exact (Affine and
 * Linear components when momentum and L1 are 0): their parameters are stepped during the
 * backward pass (each after its own input derivative is computed, as Kaldi does) and their
 * gradient buffers are not filled. sk_nnet_update must still be called (it updates the other
 * components). Single worker only: data-parallel training needs the gradients. */
const sk_bmat *sk_nnet_backprop_fused(sk_nnet *nn, const sk_bmat *dout, bool need_input_diff,
                                      const sk_train_opts *o);
/* Data-parallel training (issue 7): visit every updatable component's contiguous gradient
 * buffer (backend memory, n floats), in component order, nested networks included, so that
 * an all-reduce can sum them across workers between sk_nnet_backprop and sk_nnet_update. */
void sk_nnet_foreach_grad(sk_nnet *nn, void (*fn)(float *buf, size_t n, void *ctx), void *ctx);
/* Apply the gradients computed by the last backprop. */
void sk_nnet_update(sk_nnet *nn, const sk_train_opts *o);

/* ---- file format (nnet_io.c) ---- */
/* Read a network ("<Nnet>" ... "</Nnet>") from a stream positioned after any "\0B". Appends to
 * nn. 0 or < 0 (ERROR printed, e.g. "Unknown 'Component' marker : '<X>'"). */
int sk_nnet_read(sk_nnet *nn, FILE *f, bool binary);
int sk_nnet_write(const sk_nnet *nn, FILE *f, bool binary);
/* Read a model file (rxfilename: file, pipe, ...); NULL on failure. Checks for inf/nan. */
sk_nnet *sk_nnet_read_file(const char *rxfilename, const sk_backend *be);
/* Write atomically (temporary + rename); 0 or SK_EIO. */
int sk_nnet_write_file(const sk_nnet *nn, const char *wxfilename, bool binary);
/* Check parameters for inf/nan: 0 or SK_EIO (Kaldi's messages). */
int sk_nnet_check(const sk_nnet *nn);

/* Kaldi's Info(), InfoPropagate(), InfoBackPropagate(), InfoGradient() texts; malloc'ed,
 * caller frees. */
char *sk_nnet_info(const sk_nnet *nn);
char *sk_nnet_info_propagate(const sk_nnet *nn);
char *sk_nnet_info_backprop(const sk_nnet *nn);
char *sk_nnet_info_gradient(const sk_nnet *nn);

#endif
