/* feeder.c — the input ring of feeder.h: slot states under one mutex, and on the CUDA backend
 * pinned host buffers with copies on the instance's copy stream (lib/compute/cuda/feed.cu).
 *
 * A slot goes FREE -> FILLING (producer writes the host buffer) -> READY (copy queued) ->
 * USED (the consumer's current minibatch) -> FREE (when the consumer asks for the next one;
 * on CUDA a "consumed" mark is recorded on the compute stream then, and the slot's next copy
 * waits for that mark on the device). Slots are used in ring order by both sides, so
 * minibatches come out in submission order.
 */
#include "compute/feeder.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#ifdef SK_HAVE_CUDA
#include <string.h>

#include "compute/cuda/cuda.h"
#endif

enum { FREE, FILLING, READY, USED };

typedef struct {
    float *host;        /* producer's buffer (== dev.data on host-memory backends) */
    int32_t host_stride;
    sk_bmat dev;
    int32_t rows;       /* rows submitted */
    int state;
    void *copy;         /* sk_cuda_copy, CUDA only */
} slot;

struct sk_feeder {
    const sk_backend *be;
    bool cuda;
    int depth, prod, cons, held, last_prod;
    int32_t cols;
    bool closed;
    slot *s;
    sk_bmat out;        /* the consumer's current view */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sk_feeder_stats st;
    int ready;          /* slots READY now */
};

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void sk_feeder_get_stats(const sk_feeder *f, sk_feeder_stats *s)
{
    pthread_mutex_lock((pthread_mutex_t *)&f->mu);
    *s = f->st;
    pthread_mutex_unlock((pthread_mutex_t *)&f->mu);
}

#ifdef SK_HAVE_CUDA
static bool is_cuda(const sk_backend *be) { return !strcmp(be->name, "cuda"); }
#endif

sk_feeder *sk_feeder_new(const sk_backend *be, int32_t rows, int32_t cols, int depth)
{
    if (depth < 2 || rows <= 0 || cols <= 0)
        SK_BUG("sk_feeder_new: bad depth %d or shape %dx%d", depth, rows, cols);
    sk_feeder *f = calloc(1, sizeof *f);
    if (!f || !(f->s = calloc((size_t)depth, sizeof *f->s))) {
        SK_ERROR("Cannot allocate the input ring");
        free(f);
        return NULL;
    }
    f->be = be;
    f->depth = depth;
    f->cols = cols;
    f->held = -1;
    f->last_prod = -1;
#ifdef SK_HAVE_CUDA
    f->cuda = is_cuda(be);
#endif
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    for (int i = 0; i < depth; i++) {
        slot *s = &f->s[i];
        if (be->mat_alloc(be, &s->dev, rows, cols) < 0) {
            sk_feeder_free(f);
            return NULL;
        }
        if (!f->cuda) {
            if (!be->host_memory)
                SK_BUG("sk_feeder: backend %s has device memory but no copy path", be->name);
            s->host = s->dev.data;
            s->host_stride = s->dev.stride;
            continue;
        }
#ifdef SK_HAVE_CUDA
        s->host_stride = cols;
        s->host = sk_cuda_host_alloc(sizeof(float) * (size_t)rows * cols);
        s->copy = sk_cuda_copy_new(be);
        if (!s->host || !s->copy) {
            sk_feeder_free(f);
            return NULL;
        }
#endif
    }
    return f;
}

void sk_feeder_free(sk_feeder *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->depth; i++) {
        slot *s = &f->s[i];
#ifdef SK_HAVE_CUDA
        if (f->cuda) {
            if (s->copy)
                sk_cuda_copy_free(s->copy);   /* waits for its copy */
            sk_cuda_host_free(s->host);
        }
#endif
        f->be->mat_free(f->be, &s->dev);
    }
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f->s);
    free(f);
}

float *sk_feeder_host(sk_feeder *f, int32_t *stride)
{
    pthread_mutex_lock(&f->mu);
    slot *s = &f->s[f->prod];
    if (s->state != FREE)
        f->st.producer_waits++;
    while (s->state != FREE)
        pthread_cond_wait(&f->cv, &f->mu);
    s->state = FILLING;
    f->last_prod = f->prod;
    pthread_mutex_unlock(&f->mu);
#ifdef SK_HAVE_CUDA
    if (f->cuda)
        sk_cuda_copy_host_sync(s->copy);  /* the last copy out of this buffer is done */
#endif
    *stride = s->host_stride;
    return s->host;
}

void sk_feeder_submit(sk_feeder *f, int32_t rows)
{
    slot *s = &f->s[f->prod];
    if (s->state != FILLING || rows < 0 || rows > s->dev.rows)
        SK_BUG("sk_feeder_submit without sk_feeder_host, or %d rows > %d", rows, s->dev.rows);
    s->rows = rows;
#ifdef SK_HAVE_CUDA
    if (f->cuda) {
        sk_bmat d = sk_bmat_rows(&s->dev, 0, rows);
        sk_cuda_copy_start(s->copy, &d, s->host, s->host_stride);
    }
#endif
    pthread_mutex_lock(&f->mu);
    s->state = READY;
    f->st.submitted++;
    if (++f->ready > f->st.max_ready)
        f->st.max_ready = f->ready;
    f->prod = (f->prod + 1) % f->depth;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void sk_feeder_close(sk_feeder *f)
{
    pthread_mutex_lock(&f->mu);
    f->closed = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

int sk_feeder_slot(const sk_feeder *f, int consumer)
{
    return consumer ? f->held : f->last_prod;
}

const sk_bmat *sk_feeder_next(sk_feeder *f)
{
    pthread_mutex_lock(&f->mu);
    if (f->held >= 0) {
#ifdef SK_HAVE_CUDA
        if (f->cuda)
            sk_cuda_copy_consumed(f->s[f->held].copy);
#endif
        f->s[f->held].state = FREE;
        f->held = -1;
        pthread_cond_broadcast(&f->cv);
    }
    slot *s = &f->s[f->cons];
    if (s->state != READY && !(f->closed && s->state == FREE)) {
        double t0 = mono();
        f->st.consumer_waits++;
        while (s->state != READY && !(f->closed && s->state == FREE))
            pthread_cond_wait(&f->cv, &f->mu);
        f->st.consumer_wait_s += mono() - t0;
    }
    if (s->state != READY) {
        pthread_mutex_unlock(&f->mu);
        return NULL;
    }
    s->state = USED;
    f->ready--;
    f->held = f->cons;
    f->cons = (f->cons + 1) % f->depth;
    pthread_mutex_unlock(&f->mu);
#ifdef SK_HAVE_CUDA
    if (f->cuda)
        sk_cuda_copy_wait(s->copy);
#endif
    f->out = sk_bmat_rows(&s->dev, 0, s->rows);
    return &f->out;
}
