/* parallel.c — synchronous data-parallel training (parallel.h): worker threads, each with its
 * own network copy and objective, driven step by step by the caller's thread; gradients
 * summed through compute/comm.h, bucket by bucket from the backward pass's hook. */
#include "nnet/parallel.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "nnet/train.h"

enum { JOB_STEP, JOB_STATS };

/* One bucket started from the backward hook: the component whose gradient it is, the
 * top-level component it belongs to (its update waits for all of its buckets), and its host
 * staging offset (SIZE_MAX: reduced in place). */
typedef struct {
    sk_component *c, *top;
    size_t off;
} staged;

typedef struct {
    struct sk_dp *dp;
    int idx;
    sk_comm *c;
    const sk_backend *be;
    sk_nnet *nn;
    sk_loss *loss;
    sk_bmat xb, dy;
    sk_train_batch sub;       /* this worker's rows of the step's batch (views + row_start) */
    /* host staging when the backend's memory is not the comm's (GPU workers, host comm) */
    float *stage;
    size_t stage_cap, stage_used;
    staged *st;
    int n_st, cap_st;
    int hook_status;
    int status;
    pthread_t th;
    bool started, seeded;
    double t_compute, t_comm;
    double *prog, *pend;      /* progress sums to all-reduce; frames of the open blocks */
} worker;

struct sk_dp {
    sk_dp_config cfg;
    int size;                 /* workers in all */
    worker *w;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t job;             /* incremented for every job handed out */
    int kind;                 /* JOB_STEP or JOB_STATS */
    bool need_stats;          /* this step's statistics will be printed */
    int pending;              /* local workers still busy with the current job */
    int hung;                 /* workers in an injected hang (tests) */
    bool quit, failed;
    const sk_mat *x;
    const sk_post_frame *tgt;
    const float *wt;
    const sk_bmat *xdev;      /* sk_dp_step_batch, single worker: the input on its backend */
    const sk_train_batch *batch;   /* sk_dp_step_batch */
    int64_t step;             /* training steps done */
    /* global progress lines (several workers): per objective part the frames of the open
     * block (host estimate, re-synchronised at every reduction), this step's frames, and
     * whether this step ends with a reduction of the progress sums */
    int n_parts;
    double *est, *est_step;
    bool prog_due;
    int fail_rank;            /* SKALD_TEST_FAIL_WORKER */
    int64_t fail_step;
    char fail_mode[16];
};

/* ---------------------------------------------------------------- gradient buckets */

static int start_grad(worker *w, sk_component *c, sk_component *top)
{
    if (c->grad_len == 0 || !c->grad_block)
        return 0;
    if (w->n_st == w->cap_st) {
        w->cap_st = w->cap_st ? 2 * w->cap_st : 16;
        if (!(w->st = realloc(w->st, sizeof *w->st * (size_t)w->cap_st)))
            SK_BUG("out of memory");
    }
    if (w->c->device_memory || w->be->host_memory) {
        w->st[w->n_st++] = (staged){ c, top, SIZE_MAX };
        return sk_comm_start(w->c, c->grad_block, c->grad_len);
    }
    /* stage through the host: download, wait for it, start on the host copy */
    if (w->stage_used + c->grad_len > w->stage_cap)
        SK_BUG("gradient staging buffer too small");
    float *h = w->stage + w->stage_used;
    w->st[w->n_st++] = (staged){ c, top, w->stage_used };
    w->stage_used += c->grad_len;
    w->be->download_raw(w->be, h, c->grad_block, c->grad_len * sizeof(float));
    w->be->sync(w->be);
    return sk_comm_start(w->c, h, c->grad_len);
}

/* Start the all-reduce of c's gradient and of any nested network's (ParallelComponent). */
static int start_tree(worker *w, sk_component *c, sk_component *top)
{
    int st = start_grad(w, c, top);
    for (int j = 0; j < c->n_nested && st == 0; j++)
        for (int i = sk_nnet_num_components(c->nested[j]) - 1; i >= 0 && st == 0; i--) {
            sk_component *d = sk_nnet_component(c->nested[j], i);
            if (d->ops->updatable)
                st = start_tree(w, d, top);
        }
    return st;
}

static void grad_ready(void *ctx, sk_component *c)
{
    worker *w = ctx;
    if (w->hook_status == 0)
        w->hook_status = start_tree(w, c, c);
}

/* After the backward pass: take the buckets in order as they complete and update each layer
 * as soon as all of its buckets hold the sums (the update of the top layers overlaps the
 * reduction of the lower ones); then layers without buckets; then the final wait. */
static int reduce_and_update(worker *w, int32_t n_frames)
{
    const sk_train_opts *o = &w->dp->cfg.opts;
    int nc = sk_nnet_num_components(w->nn);
    for (int i = 0; i < w->n_st; i++) {
        staged *e = &w->st[i];
        if (sk_comm_wait_next(w->c) < 0)
            return SK_EIO;
        if (e->off != SIZE_MAX)
            w->be->upload_raw(w->be, e->c->grad_block, w->stage + e->off,
                              e->c->grad_len * sizeof(float));
        if (i + 1 == w->n_st || w->st[i + 1].top != e->top)
            sk_component_update(e->top, o, n_frames);
    }
    for (int i = 0; i < nc; i++) {
        sk_component *c = sk_nnet_component(w->nn, i);
        bool done = false;
        for (int k = 0; k < w->n_st && !done; k++)
            done = w->st[k].top == c;
        if (c->ops->updatable && !done)
            sk_component_update(c, o, n_frames);
    }
    return sk_comm_wait(w->c);
}

static size_t grad_floats(const sk_nnet *nn)
{
    size_t n = 0;
    for (int i = 0; i < sk_nnet_num_components(nn); i++) {
        const sk_component *c = sk_nnet_component(nn, i);
        n += c->grad_len;
        for (int j = 0; j < c->n_nested; j++)
            n += grad_floats(c->nested[j]);
    }
    return n;
}

/* ---------------------------------------------------------------- one worker's step */

static void inject(worker *w)
{
    sk_dp *dp = w->dp;
    if (w->c->rank != dp->fail_rank || dp->step != dp->fail_step)
        return;
    if (!strcmp(dp->fail_mode, "hang")) {
        SK_WARN("worker %d: injected hang at step %lld (SKALD_TEST_FAIL_WORKER)", w->c->rank,
                (long long)dp->step);
        pthread_mutex_lock(&dp->mu);
        dp->hung++;
        pthread_cond_broadcast(&dp->cv);
        pthread_mutex_unlock(&dp->mu);
        for (;;)
            sleep(1000);
    }
    if (!strcmp(dp->fail_mode, "kill")) {
        SK_WARN("worker %d: injected death at step %lld (SKALD_TEST_FAIL_WORKER)", w->c->rank,
                (long long)dp->step);
        raise(SIGKILL);
    }
}

/* A progress report may be due after this step: sum the workers' progress sums (a small
 * all-reduce, only at such steps); global worker 0 prints the line. */
static int worker_progress(worker *w)
{
    if (sk_loss_flush(w->loss) < 0) {
        sk_comm_abort(w->c, "non-finite objective statistics");
        return SK_EIO;
    }
    sk_loss_progress_get(w->loss, w->prog);
    if (sk_comm_allreduce(w->c, w->prog, sk_loss_progress_size(w->loss), SK_COMM_F64) < 0)
        return SK_EIO;
    sk_loss_progress_put(w->loss, w->prog, w->c->rank == 0, w->pend);
    return 0;
}

static int worker_step(worker *w)
{
    sk_dp *dp = w->dp;
    int rank = w->c ? w->c->rank : 0;
    int32_t mb = dp->cfg.minibatch;
    double t0 = sk_comm_now();
    if (w->c)
        inject(w);
    if (w->c && rank == dp->fail_rank && dp->step == dp->fail_step) {
        char why[160];
        snprintf(why, sizeof why, "injected failure at step %lld (SKALD_TEST_FAIL_WORKER)",
                 (long long)dp->step);
        SK_ERROR("worker %d failed: %s", rank, why);
        sk_comm_abort(w->c, why);
        return SK_EIO;
    }
    if (w->c && !w->seeded) {   /* dropout: a different stream on every worker */
        w->be->seed(w->be, 0x9e3779b97f4a7c15ull + 0x100000001b3ull * (uint64_t)rank);
        w->seeded = true;
    }
    const sk_bmat *xb = &w->xb;
    const sk_train_batch *b = dp->batch;
    if (dp->xdev) {
        xb = dp->xdev;
    } else {
        sk_mat xs = *dp->x;
        xs.data = SK_ROW(dp->x, (int32_t)rank * mb);
        xs.rows = mb;
        w->be->upload(w->be, &w->xb, xs.data, xs.stride);
    }
    const sk_post_frame *tgt = NULL;
    const float *wt = NULL;
    if (b && w->c) {    /* this worker's rows of the batch, its sparse rows rebased to 0 */
        size_t off = (size_t)rank * (size_t)mb;
        int32_t base = b->row_start[off];
        for (int32_t i = 0; i <= mb; i++)
            w->sub.row_start[i] = b->row_start[off + (size_t)i] - base;
        w->sub.rows = mb;
        w->sub.tgt = b->tgt + off;
        w->sub.col = b->col + base;
        w->sub.val = b->val + base;
        w->sub.w = b->w + off;
        /* this worker's weighted frames (host estimate; it only times the device fetches,
         * so the loss is checked for non-finite values as often as with one worker) */
        w->sub.frames = 0;
        for (int32_t i = 0; i < mb; i++) {
            double t = 0;
            for (int32_t k = w->sub.row_start[i]; k < w->sub.row_start[i + 1]; k++)
                t += w->sub.val[k];
            w->sub.frames += (double)w->sub.w[i] * t * t;
        }
        b = &w->sub;
    } else if (!b) {
        tgt = dp->tgt + (size_t)rank * (size_t)mb;
        wt = dp->wt + (size_t)rank * (size_t)mb;
    }
    if (!w->c) {    /* a single worker: the plain step (with its fused fast path) */
        int st = b ? sk_train_step_batch(w->nn, w->loss, xb, b, &w->dy, &dp->cfg.opts,
                                         !dp->cfg.train, dp->need_stats)
                   : sk_train_step(w->nn, w->loss, xb, tgt, wt, &w->dy, &dp->cfg.opts,
                                   !dp->cfg.train, dp->need_stats);
        w->t_compute += sk_comm_now() - t0;
        return st;
    }
    if ((b ? sk_train_forward_batch(w->nn, w->loss, xb, b, &w->dy)
           : sk_train_forward(w->nn, w->loss, xb, tgt, wt, &w->dy)) < 0) {
        SK_ERROR("worker %d failed: the objective could not be computed", rank);
        sk_comm_abort(w->c, "the objective could not be computed");
        return SK_EIO;
    }
    if (!dp->cfg.train) {
        w->t_compute += sk_comm_now() - t0;
        return dp->prog_due ? worker_progress(w) : 0;
    }
    double comm0 = w->c->t_comm;
    w->hook_status = 0;
    w->stage_used = 0;
    w->n_st = 0;
    sk_train_backward(w->nn, &w->dy);
    if (w->hook_status < 0 || reduce_and_update(w, (int32_t)dp->size * mb) < 0)
        return SK_EIO;
    double tc = w->c->t_comm - comm0;
    w->t_comm += tc;
    w->t_compute += sk_comm_now() - t0 - tc;
    return dp->prog_due ? worker_progress(w) : 0;
}

/* Sum the objective statistics over all workers; the first local worker keeps them. */
static int worker_stats(worker *w)
{
    inject(w);   /* step == steps trained: the statistics all-reduce (hang/kill; tests) */
    if (sk_loss_flush(w->loss) < 0) {
        sk_comm_abort(w->c, "non-finite objective statistics");
        return SK_EIO;
    }
    size_t n = sk_loss_stats_size(w->loss);
    double *v = malloc(sizeof(double) * (n + 1));
    if (!v) {
        SK_ERROR("out of memory");
        sk_comm_abort(w->c, "out of memory");
        return SK_EIO;
    }
    sk_loss_stats_get(w->loss, v);
    int st = sk_comm_allreduce(w->c, v, n, SK_COMM_F64);
    if (st == 0)
        sk_loss_stats_set(w->loss, v);
    free(v);
    return st;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    sk_dp *dp = w->dp;
    /* a worker whose GPU cannot be made current fails its first job (the others are told) */
    bool bound = sk_comm_bind_backend(w->be) == 0;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&dp->mu);
        while (dp->job == seen && !dp->quit)
            pthread_cond_wait(&dp->cv, &dp->mu);
        if (dp->quit) {
            pthread_mutex_unlock(&dp->mu);
            return NULL;
        }
        seen = dp->job;
        pthread_mutex_unlock(&dp->mu);
        int st;
        if (!bound) {
            SK_ERROR("worker %d failed: cannot make its GPU current", w->c->rank);
            sk_comm_abort(w->c, "cannot make its GPU current");
            st = SK_EIO;
        } else {
            st = dp->kind == JOB_STEP ? worker_step(w) : worker_stats(w);
        }
        pthread_mutex_lock(&dp->mu);
        w->status = st;
        if (st < 0)
            dp->failed = true;
        dp->pending--;
        pthread_cond_broadcast(&dp->cv);
        pthread_mutex_unlock(&dp->mu);
    }
}

/* ---------------------------------------------------------------- the driver */

static void parse_injection(sk_dp *dp)
{
    dp->fail_rank = -1;
    const char *s = getenv("SKALD_TEST_FAIL_WORKER");
    if (!s || !*s)
        return;
    long long step = 0;
    int rank = -1;
    char mode[16] = "fail";
    if (sscanf(s, "%d:%lld:%15s", &rank, &step, mode) < 2)
        SK_WARN("ignoring SKALD_TEST_FAIL_WORKER='%s' (want rank:step[:hang|:kill])", s);
    else {
        dp->fail_rank = rank;
        dp->fail_step = step;
        snprintf(dp->fail_mode, sizeof dp->fail_mode, "%s", mode);
    }
}

sk_dp *sk_dp_new(const sk_dp_config *cfg)
{
    if (cfg->n_local < 1 || cfg->minibatch < 1 || (cfg->n_local > 1 && !cfg->comm)) {
        SK_ERROR("bad data-parallel configuration: %d local workers, minibatch %d",
                 cfg->n_local, cfg->minibatch);
        return NULL;
    }
    sk_dp *dp = calloc(1, sizeof *dp);
    if (!dp || !(dp->w = calloc((size_t)cfg->n_local, sizeof *dp->w))) {
        free(dp);
        SK_ERROR("out of memory");
        return NULL;
    }
    dp->cfg = *cfg;
    dp->size = cfg->comm ? cfg->comm[0]->size : 1;
    pthread_mutex_init(&dp->mu, NULL);
    pthread_cond_init(&dp->cv, NULL);
    parse_injection(dp);
    /* load the model copies here, one thread, each with its device current */
    for (int r = 0; r < cfg->n_local; r++) {
        worker *w = &dp->w[r];
        w->dp = dp;
        w->idx = r;
        w->c = cfg->comm ? cfg->comm[r] : NULL;
        w->be = cfg->be[r];
        if (sk_comm_bind_backend(w->be) < 0) {
            SK_ERROR("worker %d: cannot make its GPU current", r);
            goto fail;
        }
        if (!(w->nn = sk_nnet_read_file(cfg->model_in, w->be)) ||
            sk_nnet_num_components(w->nn) == 0) {
            SK_ERROR("worker %d: cannot read the model %s (or it is empty)", r, cfg->model_in);
            goto fail;
        }
        sk_nnet_set_train(w->nn, cfg->train);
        int32_t od = sk_nnet_output_dim(w->nn);
        if (!(w->loss = sk_loss_new(cfg->objective, od, cfg->loss_report_frames)))
            goto fail;
        if (dp->size > 1 && cfg->loss_report_frames > 0) {
            sk_loss_progress_defer(w->loss);
            dp->n_parts = sk_loss_num_parts(w->loss);
            w->prog = calloc(sk_loss_progress_size(w->loss), sizeof(double));
            w->pend = calloc((size_t)dp->n_parts, sizeof(double));
            if (r == 0) {
                dp->est = calloc((size_t)dp->n_parts, sizeof(double));
                dp->est_step = calloc((size_t)dp->n_parts, sizeof(double));
            }
            if (!w->prog || !w->pend || !dp->est || !dp->est_step) {
                SK_ERROR("out of memory");
                goto fail;
            }
        }
        if (w->be->mat_alloc(w->be, &w->xb, cfg->minibatch, sk_nnet_input_dim(w->nn)) < 0 ||
            w->be->mat_alloc(w->be, &w->dy, cfg->minibatch, od) < 0)
            goto fail;
        if (w->c) {
            if (!(w->sub.row_start = malloc(sizeof(int32_t) * ((size_t)cfg->minibatch + 1)))) {
                SK_ERROR("out of memory");
                goto fail;
            }
            w->nn->grad_ready = grad_ready;
            w->nn->grad_ready_ctx = w;
            if (!w->c->device_memory && !w->be->host_memory) {
                w->stage_cap = grad_floats(w->nn);
                if (!(w->stage = malloc(sizeof(float) * (w->stage_cap + 1)))) {
                    SK_ERROR("out of memory");
                    goto fail;
                }
            }
        }
    }
    if (sk_comm_bind_backend(cfg->be[0]) < 0)
        goto fail;
    if (cfg->n_local > 1 && cfg->be[0]->host_memory)
        sk_comm_share_cpu(cfg->n_local);
    if (cfg->n_local > 1)
        for (int r = 0; r < cfg->n_local; r++) {
            if (pthread_create(&dp->w[r].th, NULL, worker_main, &dp->w[r]) != 0) {
                SK_ERROR("cannot start worker thread %d", r);
                goto fail;
            }
            dp->w[r].started = true;
        }
    return dp;
fail:
    sk_dp_free(dp);
    return NULL;
}

void sk_dp_free(sk_dp *dp)
{
    if (!dp)
        return;
    pthread_mutex_lock(&dp->mu);
    dp->quit = true;
    pthread_cond_broadcast(&dp->cv);
    pthread_mutex_unlock(&dp->mu);
    for (int r = 0; r < dp->cfg.n_local; r++) {
        worker *w = &dp->w[r];
        if (w->started)
            pthread_join(w->th, NULL);
        if (w->be) {
            (void)sk_comm_bind_backend(w->be);   /* freeing goes on regardless (ERROR printed) */
            w->be->mat_free(w->be, &w->xb);
            w->be->mat_free(w->be, &w->dy);
        }
        sk_nnet_free(w->nn);
        sk_loss_free(w->loss);
        free(w->stage);
        free(w->st);
        free(w->sub.row_start);
        free(w->prog);
        free(w->pend);
    }
    free(dp->est);
    free(dp->est_step);
    pthread_mutex_destroy(&dp->mu);
    pthread_cond_destroy(&dp->cv);
    free(dp->w);
    free(dp);
}

int sk_dp_workers(const sk_dp *dp) { return dp->size; }
int32_t sk_dp_global_minibatch(const sk_dp *dp) { return dp->size * dp->cfg.minibatch; }
sk_nnet *sk_dp_nnet(sk_dp *dp) { return dp->w[0].nn; }
sk_nnet *sk_dp_local_nnet(sk_dp *dp, int r)
{
    if (r < 0 || r >= dp->cfg.n_local)
        SK_BUG("local worker %d out of range", r);
    return dp->w[r].nn;
}
sk_loss *sk_dp_loss(sk_dp *dp) { return dp->w[0].loss; }

/* Hand the current job to every local worker and wait for them (or the first failure). */
static int run_job(sk_dp *dp, int kind)
{
    dp->kind = kind;
    if (dp->cfg.n_local == 1)
        return kind == JOB_STEP ? worker_step(&dp->w[0]) : worker_stats(&dp->w[0]);
    pthread_mutex_lock(&dp->mu);
    if (dp->failed) {
        pthread_mutex_unlock(&dp->mu);
        return SK_EIO;
    }
    dp->pending = dp->cfg.n_local;
    dp->job++;
    pthread_cond_broadcast(&dp->cv);
    /* a failed worker ends the wait: the others have been told and stop at their next
     * collective; give them a few seconds to leave the library (the caller exits while they
     * might still be inside BLAS otherwise), but not forever (one may hang) */
    while (dp->pending - dp->hung > 0 && !dp->failed)
        pthread_cond_wait(&dp->cv, &dp->mu);
    if (dp->failed) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 5;
        while (dp->pending - dp->hung > 0 &&
               pthread_cond_timedwait(&dp->cv, &dp->mu, &dl) == 0)
            ;
    }
    int st = dp->failed ? SK_EIO : 0;
    pthread_mutex_unlock(&dp->mu);
    return st;
}

/* Before a step: add its frames (every process computes the same from the global batch) to
 * the open blocks; a reduction follows the step when a block may be complete. The margin
 * covers the rounding of the host estimate (the exact sums decide, at the reduction). */
static void plan_progress(sk_dp *dp, const sk_post_frame *tgt, const float *w, int32_t rows)
{
    dp->prog_due = false;
    if (!dp->est)
        return;
    sk_loss_progress_frames(dp->w[0].loss, tgt, w, rows, dp->est_step);
    double due = (double)dp->cfg.loss_report_frames * (1.0 - 1e-3);
    for (int i = 0; i < dp->n_parts; i++) {
        dp->est[i] += dp->est_step[i];
        if (dp->est[i] > due)
            dp->prog_due = true;
    }
}

/* After a step (all workers done): the reduction's exact frames replace the estimate. */
static int end_step(sk_dp *dp, int st)
{
    if (st == 0 && dp->prog_due)
        memcpy(dp->est, dp->w[0].pend, sizeof(double) * (size_t)dp->n_parts);
    return st;
}

int sk_dp_step(sk_dp *dp, const sk_mat *x, const sk_post_frame *tgt, const float *w,
               bool need_stats)
{
    dp->need_stats = need_stats;
    if (x->rows != sk_dp_global_minibatch(dp))
        SK_BUG("sk_dp_step: %d rows, the global minibatch is %d", x->rows,
               sk_dp_global_minibatch(dp));
    dp->x = x;
    dp->tgt = tgt;
    dp->wt = w;
    dp->xdev = NULL;
    dp->batch = NULL;
    plan_progress(dp, tgt, w, x->rows);
    int st = end_step(dp, run_job(dp, JOB_STEP));
    if (dp->cfg.train)
        dp->step++;
    return st;
}

const sk_backend *sk_dp_input_backend(const sk_dp *dp)
{
    return dp->cfg.comm ? sk_backend_cpu() : dp->cfg.be[0];
}

int sk_dp_step_batch(sk_dp *dp, const sk_bmat *x, const sk_train_batch *b)
{
    int32_t gm = sk_dp_global_minibatch(dp);
    if (x->rows != gm || b->rows != gm)
        SK_BUG("sk_dp_step_batch: %d rows (batch %d), the global minibatch is %d", x->rows,
               b->rows, gm);
    dp->need_stats = b->need_stats;
    sk_mat xh = { x->data, x->rows, x->cols, x->stride, false };
    dp->x = &xh;
    dp->xdev = dp->cfg.comm ? NULL : x;
    dp->batch = b;
    plan_progress(dp, b->tgt, b->w, b->rows);
    int st = end_step(dp, run_job(dp, JOB_STEP));
    dp->x = NULL;
    if (dp->cfg.train)
        dp->step++;
    return st;
}

int sk_dp_finish(sk_dp *dp)
{
    if (!dp->cfg.comm)
        return sk_loss_flush(dp->w[0].loss);
    return run_job(dp, JOB_STATS);
}

void sk_dp_times(const sk_dp *dp, double *compute, double *comm, int64_t *steps)
{
    double c = 0, m = 0;
    for (int r = 0; r < dp->cfg.n_local; r++) {
        c += dp->w[r].t_compute;
        m += dp->w[r].t_comm;
    }
    int64_t s = dp->step > 0 ? dp->step : 1;
    *compute = c / dp->cfg.n_local / (double)s;
    *comm = m / dp->cfg.n_local / (double)s;
    *steps = dp->step;
}

/* ---------------------------------------------------------------- worker setup */

static void quiet_sink(int severity, const char *line, void *ctx)
{
    (void)ctx;
    if (severity < 0) {
        fflush(stdout);
        fprintf(stderr, "%s\n", line);
        fflush(stderr);
    }
}

static int parse_gpus(const char *s, int **list)
{
    *list = NULL;
    if (!s || !*s || !strcmp(s, "0"))
        return 0;
    int n = 0, cap = 0;
    bool is_list = strchr(s, ',') != NULL;
    char *end;
    if (!is_list) {
        long k = strtol(s, &end, 10);
        if (*end || k < 0 || k > 1024)
            goto bad;
        if (!(*list = calloc((size_t)k + 1, sizeof **list)))
            goto bad;
        for (int i = 0; i < k; i++)
            (*list)[i] = i;
        return (int)k;
    }
    for (const char *p = s; *p;) {
        long d = strtol(p, &end, 10);
        if (end == p || d < 0 || d > 1024 || (*end && *end != ','))
            goto bad;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            int *t = realloc(*list, sizeof *t * (size_t)cap);
            if (!t)
                goto bad;
            *list = t;
        }
        (*list)[n++] = (int)d;
        p = *end ? end + 1 : end;
    }
    return n;
bad:
    free(*list);
    *list = NULL;
    SK_ERROR("Bad --num-gpus='%s': a count or a comma-separated list of GPU ids", s);
    return -1;
}

int sk_dp_setup_init(sk_dp_setup *ps, int num_threads, const char *num_gpus,
                     const char *use_gpu, double timeout)
{
    memset(ps, 0, sizeof *ps);
    int *gpus = NULL, ngpu = parse_gpus(num_gpus, &gpus);
    if (ngpu < 0)
        return SK_EINVAL;
    if (num_threads < 1) {
        SK_ERROR("--num-threads must be at least 1, got %d", num_threads);
        goto fail;
    }
    if (ngpu > 0 && !strcmp(use_gpu, "no")) {
        SK_ERROR("--num-gpus=%s contradicts --use-gpu=no", num_gpus);
        goto fail;
    }
    if (ngpu > 1 && num_threads > 1) {
        SK_ERROR("--num-threads=%d with %d GPUs: give one or the other (several workers share "
                 "a GPU only with --num-gpus=1)", num_threads, ngpu);
        goto fail;
    }
    /* a list (with a comma, even "0,") always means NCCL, also for one GPU */
    bool nccl = ngpu > 1 || (ngpu == 1 && strchr(num_gpus, ',') && num_threads == 1);
    ps->n_local = nccl ? ngpu : num_threads;
    ps->be = calloc((size_t)ps->n_local, sizeof *ps->be);
    ps->own_be = calloc((size_t)ps->n_local, sizeof *ps->own_be);
    ps->comm = calloc((size_t)ps->n_local, sizeof *ps->comm);
    if (!ps->be || !ps->own_be || !ps->comm) {
        SK_ERROR("out of memory");
        goto fail;
    }
    ps->size = ps->n_local;

    if (sk_comm_mpi_launched()) {
        if (num_threads > 1) {
            SK_ERROR("Under mpirun every process is one worker, or one a GPU with --num-gpus: "
                     "--num-threads must be 1");
            goto fail;
        }
        if (!(ps->mpi = sk_comm_mpi_new(timeout)))
            goto fail;
        ps->rank = ps->mpi->rank * ps->n_local;
        ps->size = ps->mpi->size * ps->n_local;
        if (ps->mpi->rank > 0)
            sk_log_set_sink(quiet_sink, NULL);
        if (nccl) {     /* one process a node, a worker thread a GPU */
            for (int r = 0; r < ps->n_local; r++) {
                if (!(ps->be[r] = sk_comm_gpu_backend(gpus[r])))
                    goto fail;
                ps->own_be[r] = true;
            }
            if (!(ps->group = sk_comm_nccl_mpi_group_new(ps->mpi, ps->n_local, ps->be, timeout)))
                goto fail;
            ps->kind = "nccl-mpi";
            ps->main_be = ps->be[0];
        } else {        /* one worker a process: its GPU (local rank), or the CPU */
            const char *lr = getenv("OMPI_COMM_WORLD_LOCAL_RANK");
            int dev = ngpu == 1 ? gpus[0] : lr ? atoi(lr) : 0;
            if (ngpu > 0 || strcmp(use_gpu, "no")) {
                ps->be[0] = sk_comm_gpu_backend(dev);
                if (!ps->be[0] && (ngpu > 0 || !strcmp(use_gpu, "yes")))
                    goto fail;
            }
            if (ps->be[0]) {
                ps->own_be[0] = true;
                if (!(ps->proc = sk_comm_nccl_mpi_new(ps->mpi, ps->be[0], timeout)))
                    goto fail;
                ps->comm[0] = ps->proc;
                ps->kind = "nccl-mpi";
            } else {
                ps->be[0] = sk_backend_cpu();
                ps->comm[0] = ps->mpi;
                ps->kind = "mpi";
            }
            ps->main_be = ps->be[0];
        }
    } else if (ngpu > 0) {
        for (int r = 0; r < ps->n_local; r++) {
            if (!(ps->be[r] = sk_comm_gpu_backend(nccl ? gpus[r] : gpus[0])))
                goto fail;
            ps->own_be[r] = true;
        }
        ps->main_be = ps->be[0];
        if (nccl) {
            if (!(ps->group = sk_comm_nccl_new(ngpu, ps->be, timeout)))
                goto fail;
            ps->kind = "nccl";
        } else if (ps->n_local > 1) {
            if (!(ps->group = sk_comm_threads_new(ps->n_local, timeout)))
                goto fail;
            ps->kind = "gpu threads";
        }
    } else {
        if (!(ps->main_be = sk_backend_select(use_gpu)))
            goto fail;
        for (int r = 0; r < ps->n_local; r++) {
            if (ps->main_be->host_memory || r == 0) {
                ps->be[r] = ps->main_be;
            } else {
                if (!(ps->be[r] = sk_comm_gpu_backend(0)))
                    goto fail;
                ps->own_be[r] = true;
            }
        }
        if (ps->n_local > 1 && !(ps->group = sk_comm_threads_new(ps->n_local, timeout)))
            goto fail;
        ps->kind = ps->main_be->host_memory ? "cpu threads" : "gpu threads";
    }
    if (ps->group)
        for (int r = 0; r < ps->n_local; r++)
            ps->comm[r] = sk_comm_group_rank(ps->group, r);
    if (!ps->comm[0]) {     /* a single worker: no all-reduce at all */
        free(ps->comm);
        ps->comm = NULL;
    }
    free(gpus);
    return 0;
fail:
    free(gpus);
    sk_dp_setup_free(ps);
    return SK_EIO;
}

void sk_dp_setup_free(sk_dp_setup *ps)
{
    sk_comm_group_free(ps->group);
    if (ps->proc)
        sk_comm_free(ps->proc);
    for (int r = 0; ps->be && r < ps->n_local; r++)
        if (ps->own_be && ps->own_be[r])
            sk_comm_gpu_backend_free(ps->be[r]);
    if (ps->mpi)
        sk_comm_free(ps->mpi);
    free(ps->be);
    free(ps->own_be);
    free(ps->comm);
    memset(ps, 0, sizeof *ps);
}

size_t sk_dp_grad_floats(const sk_dp *dp) { return grad_floats(dp->w[0].nn); }
