/* nnet-forward: forward features through an nnet1 network (decoding, priors).
 *
 * Reading and checking the features runs ahead of the compute: a producer thread decodes the
 * archive and writes each utterance, in chunks of at most CHUNK frames, into a
 * compute/feeder.h ring (on a GPU: pinned buffers copied on a second stream); the main thread
 * assembles an utterance from its chunks on the backend, forwards it and writes the output.
 * (Without any component to tell the input dimension, the loop reads inline.)
 * SKALD_INPUT_CHUNK=N sets the chunk size (default 4096 frames). */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "compute/feeder.h"
#include "io/table.h"
#include "matrix/holders.h"
#include "matrix/matrix.h"
#include "nnet/nnet.h"

static const char usage[] =
    "Run features through an nnet1 model and write its outputs (posteriors, or with\n"
    "--no-softmax and --class-frame-counts the scaled log-likelihoods a decoder takes).\n"
    "Usage: nnet-forward [options] <nnet1-in> <feature-rspecifier> <feature-wspecifier>\n"
    "e.g.: nnet-forward final.nnet ark:input.ark ark:output.ark\n";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Kaldi's PdfPrior: log of relative counts; entries under the floor are disabled with
 * sqrt(FLT_MAX). Returns a malloc'ed vector of *dim floats. */
static float *read_log_priors(const char *rx, float prior_floor, int32_t *dim)
{
    SK_LOG("Computing pdf-priors from : %s", rx);
    sk_dvec c;
    sk_dvec_init(&c);
    if (sk_read_object(rx, &sk_holder_dvec, &c) < 0)
        SK_FATAL("Cannot read class frame counts from %s", rx);
    double sum = 0;
    for (int32_t i = 0; i < c.dim; i++)
        sum += c.data[i];
    float *lp = malloc(sizeof(float) * ((size_t)c.dim + 1));
    if (!lp)
        SK_FATAL("out of memory");
    int floored = 0;
    for (int32_t i = 0; i < c.dim; i++) {
        double rel = c.data[i] / sum;
        lp[i] = (float)log(rel + 1e-20);
        if (rel < prior_floor) {
            lp[i] = sqrtf(FLT_MAX);
            floored++;
        }
    }
    SK_LOG("Floored %d pdf-priors (hard-set to %g, which disables DNN output when decoding)",
           floored, (double)sqrtf(FLT_MAX));
    *dim = c.dim;
    sk_dvec_release(&c);
    return lp;
}

typedef struct {
    const sk_backend *be;
    sk_nnet *nn;
    sk_writer *wr;
    bool apply_log;
    const float *log_prior;
    int32_t prior_dim;
    float prior_scale;
    int32_t batch_rows;      /* 0: one utterance at a time */
    sk_bmat batch;           /* transformed features of the pending utterances */
    int32_t nb, n_pending, cap_pending;
    char **keys;
    int32_t *rows;
    sk_mat out;
} fwd_state;

static bool nnet_has_splice(const sk_nnet *nn)
{
    for (int i = 0; i < sk_nnet_num_components(nn); i++) {
        const sk_component *c = sk_nnet_component(nn, i);
        if (c->ops->type == SK_SPLICE)
            return true;
        for (int k = 0; k < c->n_nested; k++)
            if (nnet_has_splice(c->nested[k]))
                return true;
    }
    return false;
}


/* Forward the pending batch, post-process each utterance on the host, write them. */
static void fwd_flush(fwd_state *st)
{
    if (st->n_pending == 0)
        return;
    const sk_backend *be = st->be;
    sk_bmat x = sk_bmat_rows(&st->batch, 0, st->nb);
    const sk_bmat *y = sk_nnet_propagate(st->nn, &x);
    if (!y)
        SK_FATAL("Cannot forward %d frames (out of memory)", st->nb);
    /* the host output matrix is kept between batches (no zeroing, no page faults each time) */
    if (st->out.rows < y->rows || st->out.cols != y->cols) {
        int32_t cap = st->batch_rows > y->rows ? st->batch_rows : y->rows;
        if (sk_mat_resize(&st->out, cap, y->cols) < 0)
            SK_FATAL("out of memory");
    }
    be->download(be, st->out.data, st->out.stride, y);
    be->sync(be);
    if (st->log_prior && st->prior_dim != y->cols)
        SK_FATAL("Dimensionality mismatch! class-frame-counts have %d, network output %d",
                 st->prior_dim, y->cols);
    int32_t r0 = 0;
    for (int32_t u = 0; u < st->n_pending; u++) {
        sk_mat o = sk_mat_view(&st->out, r0, st->rows[u], 0, st->out.cols);
        const char *key = st->keys[u];
        if (st->apply_log) {
            float mn = INFINITY, mx = -INFINITY;
            for (int32_t r = 0; r < o.rows; r++)
                for (int32_t c = 0; c < o.cols; c++) {
                    float v = SK_MAT(&o, r, c);
                    mn = v < mn ? v : mn;
                    mx = v > mx ? v : mx;
                }
            if (mn < 0 || mx > 1)
                SK_WARN("Applying 'log()' to data which don't seem to be probabilities,%s", key);
            for (int32_t r = 0; r < o.rows; r++)
                for (int32_t c = 0; c < o.cols; c++)
                    SK_MAT(&o, r, c) = logf(SK_MAT(&o, r, c) + 1e-20f);
        }
        if (st->log_prior)
            for (int32_t r = 0; r < o.rows; r++)
                for (int32_t c = 0; c < o.cols; c++)
                    SK_MAT(&o, r, c) -= st->prior_scale * st->log_prior[c];
        for (int32_t r = 0; r < o.rows; r++)
            for (int32_t c = 0; c < o.cols; c++)
                if (!isfinite(SK_MAT(&o, r, c)) && !st->log_prior)
                    SK_FATAL("NaN or inf found in nn-output for %s", key);
        if (sk_writer_write(st->wr, key, &o) < 0)
            SK_FATAL("Cannot write the output for %s", key);
        free(st->keys[u]);
        r0 += st->rows[u];
    }
    st->n_pending = 0;
    st->nb = 0;
}

/* Queue one transformed utterance (y: backend rows x dim). */
static void fwd_add(fwd_state *st, const char *key, const sk_bmat *y)
{
    const sk_backend *be = st->be;
    if (st->n_pending && st->nb + y->rows > st->batch_rows)
        fwd_flush(st);
    if (st->batch.rows < st->nb + y->rows || st->batch.cols != y->cols) {
        int32_t cap = st->batch_rows > y->rows ? st->batch_rows : y->rows;
        be->mat_free(be, &st->batch);
        if (be->mat_alloc(be, &st->batch, cap, y->cols) < 0)
            SK_FATAL("out of memory");
    }
    sk_bmat dst = sk_bmat_rows(&st->batch, st->nb, y->rows);
    be->copy(be, &dst, y);
    if (st->n_pending == st->cap_pending) {
        st->cap_pending = st->cap_pending ? 2 * st->cap_pending : 64;
        st->keys = realloc(st->keys, sizeof *st->keys * (size_t)st->cap_pending);
        st->rows = realloc(st->rows, sizeof *st->rows * (size_t)st->cap_pending);
        if (!st->keys || !st->rows)
            SK_FATAL("out of memory");
    }
    st->keys[st->n_pending] = strdup(key);
    st->rows[st->n_pending++] = y->rows;
    st->nb += y->rows;
    if (st->batch_rows == 0)
        fwd_flush(st);
}

enum { DEPTH = 4 };
static int32_t CHUNK = 4096;   /* SKALD_INPUT_CHUNK (tests: utterances across chunks) */

/* What travels with each chunk of the feeder (indexed by its slot). */
typedef struct {
    char *key;            /* owned */
    int32_t total, off;   /* the utterance's frames; this chunk's first frame */
} chunk_info;

typedef struct {
    sk_seq_reader *rd;
    sk_feeder *fd;
    chunk_info *info;     /* [DEPTH] */
    int32_t in_dim;
    atomic_int status;    /* < 0: failed (ERROR printed) */
} reader;

static void *read_ahead(void *arg)
{
    reader *p = arg;
    for (; !sk_seq_done(p->rd); sk_seq_next(p->rd)) {
        const char *key = sk_seq_key(p->rd);
        const sk_mat *m = sk_seq_value(p->rd);
        if (!m) {
            SK_ERROR("Cannot read features for %s", key);
            goto fail;
        }
        for (int32_t r = 0; r < m->rows; r++)
            for (int32_t c = 0; c < m->cols; c++)
                if (!isfinite(SK_MAT(m, r, c))) {
                    SK_ERROR("NaN or inf found in features for %s", key);
                    goto fail;
                }
        if (m->cols != p->in_dim) {
            SK_ERROR("Dimensionality mismatch! Features of %s have dim %d, the network input "
                     "is %d", key, m->cols, p->in_dim);
            goto fail;
        }
        int32_t off = 0;
        do {
            int32_t n = m->rows - off < CHUNK ? m->rows - off : CHUNK, stride;
            float *h = sk_feeder_host(p->fd, &stride);
            chunk_info *ci = &p->info[sk_feeder_slot(p->fd, 0)];
            free(ci->key);
            ci->key = strdup(key);
            ci->total = m->rows;
            ci->off = off;
            for (int32_t r = 0; r < n; r++)
                memcpy(h + (size_t)r * stride, SK_ROW(m, off + r), sizeof(float) * (size_t)m->cols);
            sk_feeder_submit(p->fd, n);
            if (!ci->key) {
                SK_ERROR("out of memory");
                goto fail;
            }
            off += n;
        } while (off < m->rows);
    }
    if (sk_seq_close(p->rd) < 0) {
        p->rd = NULL;
        SK_ERROR("Error reading the features");
        goto fail;
    }
    p->rd = NULL;
    sk_feeder_close(p->fd);
    return NULL;
fail:
    atomic_store(&p->status, SK_EIO);
    sk_feeder_close(p->fd);
    return NULL;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    const char *feature_transform = "", *class_frame_counts = "", *use_gpu = "no";
    bool no_softmax = false, apply_log = false;
    float prior_scale = 1.0f, prior_floor = 1e-10f;
    sk_opts_string(po, "feature-transform", &feature_transform,
                   "An nnet applied to the features before the model (e.g. splicing and CMVN)");
    sk_opts_bool(po, "no-softmax", &no_softmax,
                 "Drop a final Softmax component and write the activations before it "
                 "(for decoding: same best path, cheaper)");
    sk_opts_bool(po, "apply-log", &apply_log, "Write the natural log of the outputs");
    sk_opts_string(po, "use-gpu", &use_gpu,
                   "Compute on a GPU: yes (required), no, or optional (when one is there)");
    sk_opts_string(po, "class-frame-counts", &class_frame_counts,
                   "Per-pdf frame counts (a text or binary vector); their log relative frequencies "
                   "are subtracted from the outputs");
    sk_opts_float(po, "prior-scale", &prior_scale,
                  "Multiplier of the log priors before they are subtracted");
    sk_opts_float(po, "prior-floor", &prior_floor,
                  "Priors below this relative frequency are not subtracted (those outputs get a very low value)");
    sk_gpu_opts gpu = SK_GPU_OPTS_INIT;
    sk_gpu_opts_register(po, &gpu);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    const char *model = sk_opts_arg(po, 1), *feat_rs = sk_opts_arg(po, 2),
               *feat_ws = sk_opts_arg(po, 3);
    if (apply_log && no_softmax)
        SK_FATAL("Cannot use both --apply-log=true --no-softmax=true, use only one of the two!");

    const sk_backend *be = sk_backend_select(use_gpu);
    if (!be)
        SK_FATAL("Cannot select a compute backend (--use-gpu=%s)", use_gpu);
    if (sk_gpu_opts_apply(be, &gpu) < 0)
        SK_FATAL("Bad --precision=%s or --gpu-memory-fraction=%g", gpu.precision,
                 gpu.memory_fraction);
    sk_nnet *trans = sk_nnet_new(be);
    if (feature_transform[0]) {
        sk_nnet_free(trans);
        if (!(trans = sk_nnet_read_file(feature_transform, be)))
            SK_FATAL("Cannot read the feature transform %s", feature_transform);
    }
    sk_nnet *nn = sk_nnet_read_file(model, be);
    if (!nn)
        SK_FATAL("Cannot read the model %s", model);
    if (no_softmax) {
        int n = sk_nnet_num_components(nn);
        sk_component_type t = n ? sk_nnet_component(nn, n - 1)->ops->type : SK_AFFINE;
        if (n && (t == SK_SOFTMAX || t == SK_BLOCK_SOFTMAX)) {
            SK_LOG("Removing %s from the nnet %s", sk_nnet_component(nn, n - 1)->ops->marker,
                   model);
            sk_nnet_remove(nn, n - 1);
        } else {
            SK_WARN("Last component 'NOT-REMOVED' by --no-softmax=true, the component was %s",
                    n ? sk_nnet_component(nn, n - 1)->ops->marker : "(none)");
        }
    }
    if (sk_nnet_num_components(trans) && sk_nnet_num_components(nn) &&
        sk_nnet_output_dim(trans) != sk_nnet_input_dim(nn))
        SK_FATAL("Dimensionality mismatch! Feature transform output %d, network input %d",
                 sk_nnet_output_dim(trans), sk_nnet_input_dim(nn));
    sk_nnet_set_train(trans, false);
    sk_nnet_set_train(nn, false);   /* dropout off */
    trans->forward_only = nn->forward_only = true;   /* no derivative buffers */

    float *log_prior = NULL;
    int32_t prior_dim = 0;
    if (class_frame_counts[0])
        log_prior = read_log_priors(class_frame_counts, prior_floor, &prior_dim);

    sk_seq_reader *rd = sk_seq_open(feat_rs, &sk_holder_mat);
    if (!rd)
        SK_FATAL("Cannot open the features %s", feat_rs);
    sk_writer *wr = sk_writer_open(feat_ws, &sk_holder_mat);
    if (!wr)
        SK_FATAL("Cannot open the output %s", feat_ws);

    /* Utterances go through the feature transform one by one (it splices frames); when the
     * network itself is frame-independent (no <Splice> inside) several utterances are then
     * forwarded as one batch, which keeps the GEMMs efficient for short utterances. */
    fwd_state st = { .be = be, .nn = nn, .wr = wr, .apply_log = apply_log,
                     .log_prior = log_prior, .prior_dim = prior_dim, .prior_scale = prior_scale,
                     .batch_rows = nnet_has_splice(nn) ? 0 : 1024 };
    sk_mat_init(&st.out);
    double t0 = now();
    int64_t frames = 0;
    int num_done = 0;
    sk_bmat xin = { NULL, 0, 0, 0 };
    int32_t in_dim = sk_nnet_num_components(trans) ? sk_nnet_input_dim(trans)
                   : sk_nnet_num_components(nn) ? sk_nnet_input_dim(nn) : 0;
    const char *chs = getenv("SKALD_INPUT_CHUNK");
    if (chs && *chs && (CHUNK = atoi(chs)) < 1)
        SK_FATAL("SKALD_INPUT_CHUNK=%s: want a positive number of frames", chs);
    if (in_dim > 0) {
        reader rp = { .rd = rd, .in_dim = in_dim };
        atomic_init(&rp.status, 0);
        rp.fd = sk_feeder_new(be, CHUNK, in_dim, DEPTH);
        rp.info = calloc(DEPTH, sizeof *rp.info);
        if (!rp.fd || !rp.info)
            SK_FATAL("Cannot allocate the input pipeline");
        pthread_t th;
        if (pthread_create(&th, NULL, read_ahead, &rp) != 0)
            SK_FATAL("Cannot start the input thread");
        const sk_bmat *xc;
        while ((xc = sk_feeder_next(rp.fd)) && atomic_load(&rp.status) == 0) {
            const chunk_info *ci = &rp.info[sk_feeder_slot(rp.fd, 1)];
            if (ci->off == 0 && (xin.rows < ci->total || xin.cols != in_dim)) {
                be->mat_free(be, &xin);
                if (be->mat_alloc(be, &xin, ci->total, in_dim) < 0)
                    SK_FATAL("out of memory for %s (%d frames)", ci->key, ci->total);
            }
            sk_bmat dst = sk_bmat_rows(&xin, ci->off, xc->rows);
            be->copy(be, &dst, xc);
            if (ci->off + xc->rows < ci->total)
                continue;
            sk_bmat x = sk_bmat_rows(&xin, 0, ci->total);
            const sk_bmat *y = sk_nnet_propagate(trans, &x);
            if (!y)
                SK_FATAL("Cannot forward %s (%d frames) through the feature transform",
                         ci->key, ci->total);
            fwd_add(&st, ci->key, y);
            frames += ci->total;
            num_done++;
        }
        if (atomic_load(&rp.status) < 0) {
            while (sk_feeder_next(rp.fd))
                ;
            pthread_join(th, NULL);
            SK_FATAL("Reading the features %s failed after %d utterances", feat_rs, num_done);
        }
        pthread_join(th, NULL);
        sk_feeder_stats fs;
        sk_feeder_get_stats(rp.fd, &fs);
        SK_VLOG(1, "Input pipeline: %lld chunks through %d buffers; the compute waited for input "
                "%lld times (%.3f s), the reader for a free buffer %lld times", (long long)fs.submitted,
                DEPTH, (long long)fs.consumer_waits, fs.consumer_wait_s, (long long)fs.producer_waits);
        sk_feeder_free(rp.fd);
        for (int i = 0; i < DEPTH; i++)
            free(rp.info[i].key);
        free(rp.info);
        rd = NULL;   /* closed by the reader thread */
    }
    for (; rd && !sk_seq_done(rd); sk_seq_next(rd)) {
        const char *key = sk_seq_key(rd);
        const sk_mat *m = sk_seq_value(rd);
        if (!m)
            SK_FATAL("Cannot read features for %s", key);
        for (int32_t r = 0; r < m->rows; r++)
            for (int32_t c = 0; c < m->cols; c++)
                if (!isfinite(SK_MAT(m, r, c)))
                    SK_FATAL("NaN or inf found in features for %s", key);
        int32_t in_dim = sk_nnet_num_components(trans) ? sk_nnet_input_dim(trans)
                                                       : sk_nnet_input_dim(nn);
        if (m->cols != in_dim && (sk_nnet_num_components(trans) || sk_nnet_num_components(nn)))
            SK_FATAL("Dimensionality mismatch! Features of %s have dim %d, the network "
                     "input is %d", key, m->cols, in_dim);
        if (xin.rows < m->rows || xin.cols != m->cols) {
            be->mat_free(be, &xin);
            if (be->mat_alloc(be, &xin, m->rows, m->cols) < 0)
                SK_FATAL("out of memory");
        }
        sk_bmat x = sk_bmat_rows(&xin, 0, m->rows);
        be->upload(be, &x, m->data, m->stride);
        const sk_bmat *y = sk_nnet_propagate(trans, &x);
        if (!y)
            SK_FATAL("Cannot forward %s (%d frames) through the feature transform", key, m->rows);
        fwd_add(&st, key, y);
        frames += m->rows;
        num_done++;
    }
    fwd_flush(&st);
    if (rd && sk_seq_close(rd) < 0)
        SK_FATAL("Error reading the features %s", feat_rs);
    if (sk_writer_close(wr) < 0)
        SK_FATAL("Error writing %s", feat_ws);
    double el = now() - t0;
    SK_LOG("Done %d files in %gmin, (fps %g)", num_done, el / 60, el > 0 ? frames / el : 0.0);
    sk_mat_release(&st.out);
    be->mat_free(be, &st.batch);
    free(st.keys);
    free(st.rows);
    be->mat_free(be, &xin);
    free(log_prior);
    sk_nnet_free(nn);
    sk_nnet_free(trans);
    sk_opts_free(po);
    return 0;
}
