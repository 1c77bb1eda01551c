/* comm_threads.c — the all-reduce among worker threads of one process (comm.h).
 *
 * Shared-memory reduce-scatter + all-gather: every bucket is cut into N slices; rank r sums
 * slice r over the N ranks' buffers (in rank order, so the result does not depend on timing)
 * and writes the sum back into all N buffers. A rank reduces its slice of every bucket that
 * all ranks have started as soon as it notices (at its next start() or in wait()), so the
 * reduction of layer k overlaps the backward pass of layer k-1. wait() ends with a barrier,
 * after which no rank touches another's buffers any more.
 */
#include "compute/comm.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

/* OpenBLAS's thread setting, when the BLAS library has it */
extern void openblas_set_num_threads(int n) __attribute__((weak));

#define MAX_BUCKETS 4096
#define CHUNK 2048

typedef struct {
    void **ptr;            /* [N] each rank's buffer (NULL: not arrived) */
    size_t count;
    sk_comm_type type;
    int arrived;
    int done;              /* ranks that have written their slice */
} bucket;

struct sk_comm_group {
    int n;
    double timeout;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bucket *b;
    int nb;                /* buckets opened in this cycle */
    int finished;          /* ranks past their last slice in this cycle */
    uint64_t cycle;
    bool failed;
    int failed_rank;
    char why[512];
    sk_comm *rank;         /* [N] */
    int *cursor;           /* [N] per rank: buckets started this cycle */
    int *reduced;          /* [N] per rank: buckets whose slice this rank has reduced */
    int *waited;           /* [N] per rank: buckets passed by wait_next */
};

double sk_comm_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static struct timespec deadline(double timeout)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double s = timeout > 0 ? timeout : 1e9;
    t.tv_sec += (time_t)s;
    t.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Called with the lock held after a failure was recorded. */
static int report_failure(sk_comm_group *g, int rank)
{
    if (g->failed_rank != rank)
        SK_ERROR("worker %d: stopping, worker %d failed: %s", rank, g->failed_rank, g->why);
    return SK_EIO;
}

/* Called with the lock held: record that `rank` gave up (time-out) and wake everyone. */
static void fail_locked(sk_comm_group *g, int rank, const char *why)
{
    if (!g->failed) {
        g->failed = true;
        g->failed_rank = rank;
        snprintf(g->why, sizeof g->why, "%s", why);
    }
    pthread_cond_broadcast(&g->cv);
}

/* Names of the ranks that have not started bucket i (or not finished, i < 0). */
static void missing(sk_comm_group *g, int i, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    for (int r = 0; r < g->n && len + 12 < n; r++) {
        bool absent = i >= 0 ? g->b[i].ptr[r] == NULL
                    : i == -1 ? g->cursor[r] >= 0 : g->reduced[r] <= -i - 2;
        if (absent)
            len += (size_t)snprintf(buf + len, n - len, "%s%d", len ? "," : "", r);
    }
}

/* Wait (lock held) until cond() or failure/time-out. 0, or SK_EIO with an ERROR. */
static int wait_locked(sk_comm_group *g, int rank, const struct timespec *dl, int bucket_i,
                       bool (*cond)(sk_comm_group *, int, uint64_t), int arg, uint64_t arg2)
{
    while (!cond(g, arg, arg2)) {
        if (g->failed)
            return report_failure(g, rank);
        int e = pthread_cond_timedwait(&g->cv, &g->mu, dl);
        if (e == ETIMEDOUT && !cond(g, arg, arg2) && !g->failed) {
            char who[256], why[400];
            missing(g, bucket_i, who, sizeof who);
            snprintf(why, sizeof why, "all-reduce timed out after %g s waiting for worker(s) %s",
                     g->timeout, who);
            SK_ERROR("worker %d: %s", rank, why);
            fail_locked(g, rank, why);
            return SK_EIO;
        }
    }
    return g->failed ? report_failure(g, rank) : 0;
}

static bool bucket_ready(sk_comm_group *g, int i, uint64_t unused)
{
    (void)unused;
    return i < g->nb && g->b[i].arrived == g->n;
}
static bool bucket_done(sk_comm_group *g, int i, uint64_t unused)
{
    (void)unused;
    return g->b[i].done == g->n;
}
static bool cycle_passed(sk_comm_group *g, int unused, uint64_t cycle)
{
    (void)unused;
    return g->cycle != cycle;
}

/* Sum slice `rank` of bucket b over all ranks, in rank order; write it to every buffer. */
static void reduce_slice(const sk_comm_group *g, const bucket *b, int rank)
{
    size_t lo = b->count * (size_t)rank / (size_t)g->n,
           hi = b->count * (size_t)(rank + 1) / (size_t)g->n;
    if (b->type == SK_COMM_F32) {
        float acc[CHUNK];
        for (size_t s = lo; s < hi; s += CHUNK) {
            size_t m = hi - s < CHUNK ? hi - s : CHUNK;
            memcpy(acc, (float *)b->ptr[0] + s, m * sizeof *acc);
            for (int k = 1; k < g->n; k++) {
                const float *p = (const float *)b->ptr[k] + s;
                for (size_t j = 0; j < m; j++)
                    acc[j] += p[j];
            }
            for (int k = 0; k < g->n; k++)
                memcpy((float *)b->ptr[k] + s, acc, m * sizeof *acc);
        }
    } else {
        double acc[CHUNK / 2];
        for (size_t s = lo; s < hi; s += CHUNK / 2) {
            size_t m = hi - s < CHUNK / 2 ? hi - s : CHUNK / 2;
            memcpy(acc, (double *)b->ptr[0] + s, m * sizeof *acc);
            for (int k = 1; k < g->n; k++) {
                const double *p = (const double *)b->ptr[k] + s;
                for (size_t j = 0; j < m; j++)
                    acc[j] += p[j];
            }
            for (int k = 0; k < g->n; k++)
                memcpy((double *)b->ptr[k] + s, acc, m * sizeof *acc);
        }
    }
}

/* Reduce this rank's slice of every bucket that is ready (lock held on entry and exit;
 * released while summing: a ready bucket's pointers no longer change). */
static void reduce_ready(sk_comm_group *g, int rank)
{
    while (g->reduced[rank] < g->nb && bucket_ready(g, g->reduced[rank], 0) && !g->failed) {
        bucket *b = &g->b[g->reduced[rank]];
        pthread_mutex_unlock(&g->mu);
        reduce_slice(g, b, rank);
        pthread_mutex_lock(&g->mu);
        g->reduced[rank]++;
        if (++b->done == g->n)
            pthread_cond_broadcast(&g->cv);
    }
}

static int start_typed(sk_comm *c, void *buf, size_t count, sk_comm_type t)
{
    sk_comm_group *g = c->impl;
    int r = c->rank, st = 0;
    double t0 = sk_comm_now();
    pthread_mutex_lock(&g->mu);
    if (g->failed) {
        st = report_failure(g, r);
        goto out;
    }
    int i = g->cursor[r];
    if (i >= MAX_BUCKETS)
        SK_BUG("more than %d buckets before a wait", MAX_BUCKETS);
    if (i == g->nb) {       /* first rank to reach bucket i opens it */
        g->b[i].count = count;
        g->b[i].type = t;
        g->b[i].arrived = 0;
        g->b[i].done = 0;
        memset(g->b[i].ptr, 0, sizeof(void *) * (size_t)g->n);
        g->nb++;
    }
    bucket *b = &g->b[i];
    if (b->count != count || b->type != t) {
        char why[200];
        snprintf(why, sizeof why, "bucket %d has %zu elements on worker %d, %zu on another", i,
                 count, r, b->count);
        SK_ERROR("%s", why);
        fail_locked(g, r, why);
        st = SK_EIO;
        goto out;
    }
    b->ptr[r] = buf;
    b->arrived++;
    g->cursor[r]++;
    if (b->arrived == g->n)
        pthread_cond_broadcast(&g->cv);
    reduce_ready(g, r);
out:
    pthread_mutex_unlock(&g->mu);
    c->bytes += (double)count * (t == SK_COMM_F32 ? 4 : 8);
    c->t_comm += sk_comm_now() - t0;
    return st;
}

static int thr_start(sk_comm *c, float *buf, size_t count)
{
    return start_typed(c, buf, count, SK_COMM_F32);
}

static int thr_wait(sk_comm *c)
{
    sk_comm_group *g = c->impl;
    int r = c->rank, st = 0;
    double t0 = sk_comm_now();
    struct timespec dl = deadline(g->timeout);
    pthread_mutex_lock(&g->mu);
    int mine = g->cursor[r];
    while (g->reduced[r] < mine) {
        if ((st = wait_locked(g, r, &dl, g->reduced[r], bucket_ready, g->reduced[r], 0)) < 0)
            goto out;
        reduce_ready(g, r);
    }
    if (g->failed) {
        st = report_failure(g, r);
        goto out;
    }
    /* barrier: every rank has written its slices; then the cycle restarts */
    g->cursor[r] = -1;      /* marks "finished" for the time-out message */
    if (++g->finished == g->n) {
        g->nb = 0;
        g->finished = 0;
        for (int k = 0; k < g->n; k++)
            g->cursor[k] = g->reduced[k] = g->waited[k] = 0;
        g->cycle++;
        pthread_cond_broadcast(&g->cv);
    } else {
        st = wait_locked(g, r, &dl, -1, cycle_passed, 0, g->cycle);
    }
out:
    pthread_mutex_unlock(&g->mu);
    c->t_comm += sk_comm_now() - t0;
    return st;
}

static int thr_wait_next(sk_comm *c)
{
    sk_comm_group *g = c->impl;
    int r = c->rank, st = 0;
    double t0 = sk_comm_now();
    struct timespec dl = deadline(g->timeout);
    pthread_mutex_lock(&g->mu);
    int k = g->waited[r];
    if (k >= g->cursor[r])
        SK_BUG("wait_next: no bucket left to wait for");
    while (g->reduced[r] <= k) {
        if ((st = wait_locked(g, r, &dl, g->reduced[r], bucket_ready, g->reduced[r], 0)) < 0)
            goto out;
        reduce_ready(g, r);
    }
    if ((st = wait_locked(g, r, &dl, -k - 2, bucket_done, k, 0)) < 0)
        goto out;
    g->waited[r]++;
out:
    pthread_mutex_unlock(&g->mu);
    c->t_comm += sk_comm_now() - t0;
    return st;
}

static int thr_allreduce(sk_comm *c, void *buf, size_t count, sk_comm_type t)
{
    int st = start_typed(c, buf, count, t);
    return st < 0 ? st : thr_wait(c);
}

static void thr_abort(sk_comm *c, const char *why)
{
    sk_comm_group *g = c->impl;
    pthread_mutex_lock(&g->mu);
    fail_locked(g, c->rank, why);
    pthread_mutex_unlock(&g->mu);
}

static void thr_free(sk_comm *c) { (void)c; }   /* the group owns everything */

static const sk_comm_ops thread_ops = { thr_start, thr_wait, thr_wait_next, thr_allreduce,
                                        thr_abort, thr_free };

sk_comm_group *sk_comm_threads_new(int n, double timeout)
{
    if (n < 1) {
        SK_ERROR("number of workers must be positive, got %d", n);
        return NULL;
    }
    sk_comm_group *g = calloc(1, sizeof *g);
    if (!g)
        goto oom;
    g->n = n;
    g->timeout = timeout;
    g->b = calloc(MAX_BUCKETS, sizeof *g->b);
    g->rank = calloc((size_t)n, sizeof *g->rank);
    g->cursor = calloc((size_t)n, sizeof *g->cursor);
    g->reduced = calloc((size_t)n, sizeof *g->reduced);
    g->waited = calloc((size_t)n, sizeof *g->waited);
    void **ptrs = calloc((size_t)MAX_BUCKETS * (size_t)n, sizeof *ptrs);
    if (!g->b || !g->rank || !g->cursor || !g->reduced || !g->waited || !ptrs) {
        free(ptrs);
        free(g->waited);
        free(g->b);
        free(g->rank);
        free(g->cursor);
        free(g->reduced);
        free(g);
        goto oom;
    }
    for (int i = 0; i < MAX_BUCKETS; i++)
        g->b[i].ptr = ptrs + (size_t)i * (size_t)n;
    pthread_mutex_init(&g->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    for (int r = 0; r < n; r++) {
        sk_comm *c = &g->rank[r];
        c->kind = "threads";
        c->rank = r;
        c->size = n;
        c->timeout = timeout;
        c->ops = &thread_ops;
        c->impl = g;
    }
    return g;
oom:
    SK_ERROR("out of memory creating a group of %d workers", n);
    return NULL;
}

sk_comm *sk_comm_group_rank(sk_comm_group *g, int rank)
{
    if (rank < 0 || rank >= g->n)
        SK_BUG("rank %d out of range (%d workers)", rank, g->n);
    return &g->rank[rank];
}

int sk_comm_group_size(const sk_comm_group *g) { return g->n; }

void sk_comm_group_free(sk_comm_group *g)
{
    if (!g)
        return;
    if (g->rank && g->rank[0].ops != &thread_ops)
        for (int r = 0; r < g->n; r++)
            g->rank[r].ops->free(&g->rank[r]);
    if (g->b) {
        free(g->b[0].ptr);
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->cv);
    }
    free(g->b);
    free(g->rank);
    free(g->cursor);
    free(g->reduced);
    free(g->waited);
    free(g);
}

void sk_comm_share_cpu(int n)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int per = n > 0 && cores > n ? (int)(cores / n) : 1;
    if (openblas_set_num_threads)
        openblas_set_num_threads(per);
}

void sk_comm_free(sk_comm *c)
{
    if (c)
        c->ops->free(c);
}
