/* component.h — nnet1 components (spec/nnet1.md §3): one ops table per component type.
 *
 * A component owns its parameters in backend memory (sk_bmat; vectors are 1 x n matrices),
 * all allocated on the backend it was created with. Training is split in two phases so that
 * data-parallel training can all-reduce gradients in between (issue 7):
 *
 *     ops->propagate(c, in, out);                 // forward
 *     ops->backprop(c, in, out, dout, din);       // din from dout (old parameters)
 *     ops->gradient(c, in, dout);                 // c->grad <- gradient summed over rows
 *     ... all-reduce c->grad (one contiguous backend buffer per component) ...
 *     sk_component_update(c, &opts, n_frames);    // momentum, L1/L2, step, max-norm
 *
 * Ownership: sk_component_new returns a component owned by the caller (sk_component_free);
 * every buffer inside belongs to it.
 */
#ifndef SK_NNET_COMPONENT_H
#define SK_NNET_COMPONENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compute/backend.h"

typedef enum {
    SK_AFFINE, SK_LINEAR, SK_SIGMOID, SK_TANH, SK_SOFTMAX, SK_HIDDEN_SOFTMAX, SK_BLOCK_SOFTMAX,
    SK_SPLICE, SK_COPY, SK_ADD_SHIFT, SK_RESCALE, SK_DROPOUT, SK_PRELU, SK_LENGTH_NORM,
    SK_CONVOLUTIONAL, SK_MAX_POOLING, SK_AVERAGE_POOLING, SK_PARALLEL, SK_NUM_COMPONENT_TYPES
} sk_component_type;

/* Training hyper-parameters (Kaldi's NnetTrainOptions). */
typedef struct {
    float learn_rate, momentum, l1_penalty, l2_penalty;
} sk_train_opts;
#define SK_TRAIN_OPTS_INIT { 0.008f, 0.0f, 0.0f, 0.0f }

/* One trainable parameter: value, gradient (a view into the component's contiguous gradient
 * buffer, dense: stride == cols), momentum buffer (== grad when momentum is 0, else its own
 * storage, allocated on first use) and learn-rate coefficient. */
typedef struct {
    const char *name;        /* "linearity", "bias", "shift", ... (Info lines) */
    sk_bmat val, grad, corr;
    float lr_coef;
    bool corr_owned;
} sk_param;

#define SK_MAX_PARAMS 4

typedef struct sk_component sk_component;
typedef struct sk_nnet sk_nnet;
typedef struct sk_proto_opts sk_proto_opts;

typedef struct {
    sk_component_type type;
    const char *marker;               /* "<AffineTransform>" */
    bool updatable;
    /* Allocate parameters/state for in_dim/out_dim and type fields already set; 0 or SK_EIO. */
    int (*setup)(sk_component *c);
    void (*propagate)(sk_component *c, const sk_bmat *in, sk_bmat *out);
    /* din from dout (din already has the input's shape), using the parameters as they were
     * in propagate. The network skips it for its first component when nobody needs the
     * input derivative. */
    void (*backprop)(sk_component *c, const sk_bmat *in, const sk_bmat *out,
                     const sk_bmat *dout, sk_bmat *din);
    /* Updatable only: fill the gradient buffers (summed over rows). */
    void (*gradient)(sk_component *c, const sk_bmat *in, const sk_bmat *dout);
    /* Updatable only: apply the update from c->p[*].grad. n = rows of the minibatch. */
    void (*update)(sk_component *c, const sk_train_opts *o, int32_t n);
} sk_component_ops;

/* Per-type I/O (component_io.c, kept apart so the math links without lib/io):
 * read/write the data after the dims (spec §3), initialise from prototype options, and
 * Kaldi's Info()/InfoGradient() text. Return 0 or < 0 (ERROR printed). */
int sk_component_read_data(sk_component *c, FILE *f, bool binary);
int sk_component_write_data(const sk_component *c, FILE *f, bool binary);
int sk_component_init_proto(sk_component *c, sk_proto_opts *po);
/* Append Info() (gradient=false) or InfoGradient() text to buf (size n). */
void sk_component_info(const sk_component *c, bool gradient, char *buf, size_t n);

struct sk_component {
    const sk_component_ops *ops;
    const sk_backend *be;
    int32_t in_dim, out_dim;

    int n_params;
    sk_param p[SK_MAX_PARAMS];
    float *grad_block;          /* backend buffer holding every p[i].grad, contiguous */
    size_t grad_len;            /* floats in grad_block */
    float max_norm;             /* Affine, Convolutional */

    int32_t *ivec, n_ivec;      /* host: splice offsets, copy indices (0-based), block dims */
    float rate;                 /* dropout rate */
    int32_t k[3];               /* conv: patch dim/step/stride; pooling: size/step/stride */
    bool train;                 /* dropout active */
    /* Fused gradient+update (single worker, no momentum, no L1): set by sk_nnet_backprop_fused
     * for Affine/Linear, which then step their parameters inside gradient() and set
     * fused_done so that the update phase skips them. */
    const sk_train_opts *fuse;
    bool fused_done;

    /* scratch (backend memory), reallocated as minibatch sizes grow */
    sk_bmat work[2];
    sk_bvec vwork[2];
    int32_t *idx;               /* backend index buffer */
    size_t idx_cap;
    int32_t idx_rows;           /* rows the index buffer was computed for (splice) */

    sk_nnet **nested;           /* ParallelComponent */
    int n_nested;
    bool copy_warned;
};

/* Look a marker up (case-insensitive, as Kaldi); NULL if it is not one of the implemented
 * types (the caller prints Kaldi's "Unknown 'Component' marker" error). */
const sk_component_ops *sk_component_ops_by_marker(const char *marker);
const sk_component_ops *sk_component_ops_by_type(sk_component_type t);

/* New component of the given type and dims, parameters zero (setup called). NULL on failure
 * (ERROR printed). Free with sk_component_free. */
sk_component *sk_component_new(const sk_component_ops *ops, const sk_backend *be,
                               int32_t in_dim, int32_t out_dim);
void sk_component_free(sk_component *c);

/* Apply the update after gradient(): delegates to ops->update. */
void sk_component_update(sk_component *c, const sk_train_opts *o, int32_t n);
int64_t sk_component_num_params(const sk_component *c);
/* True when c's backprop copies its output derivative unchanged (Softmax, AddShift): the
 * network then passes a view instead of copying (nnet.c). */
bool sk_component_backprop_is_copy(const sk_component *c);
/* Reallocate the type's parameters after in_dim/out_dim/type fields changed (reading). */
int sk_component_setup(sk_component *c);

/* Helpers shared by the component files. */
int sk_component_add_param(sk_component *c, const char *name, int32_t rows, int32_t cols,
                           float lr_coef);
/* Allocate grad_block and point each p[i].grad into it; call after all add_param. */
int sk_component_alloc_grads(sk_component *c);
/* Ensure work[i] holds at least rows x cols (views of it are returned). */
sk_bmat sk_component_work(sk_component *c, int i, int32_t rows, int32_t cols);
sk_bvec sk_component_vwork(sk_component *c, int i, int32_t dim);
int32_t *sk_component_idx(sk_component *c, size_t n);

/* Moment statistics as Kaldi's MomentStatistics prints them (precision 6):
 * " ( min m, max M, mean u, stddev s, skewness k, kurtosis K ) ". Downloads m. */
void sk_moment_stats(const sk_backend *be, const sk_bmat *m, char *buf, size_t n);

#endif
