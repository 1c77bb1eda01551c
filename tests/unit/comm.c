/* Unit tests for lib/compute/comm (thread implementation): bucketed sums equal the rank-order
 * sum exactly on every rank, for 1..5 workers and uneven bucket sizes; doubles; repeated
 * cycles; a failing worker is named by the others; a missing worker makes the others time out
 * naming it. (MPI: tests/tools/nnet-train-parallel.t.) */
#include "compute/comm.h"
#include "base/log.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NB 5
static const size_t sizes[NB] = { 1, 7, 1000, 4099, 3 };

typedef struct {
    sk_comm *c;
    float *buf[NB];
    double stats[3];
    int fail_at;      /* cycle at which this worker aborts (-1 none) */
    int skip_at;      /* cycle at which this worker silently stops (-1 none) */
    int cycles;
    int status;
    int early_bad;    /* elements not yet summed right after their bucket's wait_next */
} worker;

static float val(int rank, int b, size_t i, int cycle)
{
    return (float)((rank * 131 + b * 17 + (int)i * 7 + cycle * 3) % 97) * 0.013f - 0.5f;
}

static void *run(void *arg)
{
    worker *w = arg;
    w->status = 0;
    for (int cy = 0; cy < w->cycles; cy++) {
        if (cy == w->fail_at) {
            sk_comm_abort(w->c, "injected failure");
            w->status = -1;
            return NULL;
        }
        if (cy == w->skip_at)
            return NULL;
        for (int b = 0; b < NB; b++) {
            for (size_t i = 0; i < sizes[b]; i++)
                w->buf[b][i] = val(w->c->rank, b, i, cy);
            if (sk_comm_start(w->c, w->buf[b], sizes[b]) < 0) {
                w->status = -2;
                return NULL;
            }
        }
        for (int b = 0; b < NB; b++) {
            if (sk_comm_wait_next(w->c) < 0) {
                w->status = -5;
                return NULL;
            }
            for (size_t i = 0; i < sizes[b]; i++) {
                float s = val(0, b, i, cy);
                for (int k = 1; k < w->c->size; k++)
                    s += val(k, b, i, cy);
                w->early_bad += w->buf[b][i] != s;
            }
        }
        if (sk_comm_wait(w->c) < 0) {
            w->status = -3;
            return NULL;
        }
    }
    for (int k = 0; k < 3; k++)
        w->stats[k] = 1e-3 * (w->c->rank + 1) * (k + 1);
    if (sk_comm_allreduce(w->c, w->stats, 3, SK_COMM_F64) < 0)
        w->status = -4;
    return NULL;
}

static char logged[8192];
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static void sink(int sev, const char *line, void *ctx)
{
    (void)sev; (void)ctx;
    pthread_mutex_lock(&log_mu);
    size_t n = strlen(logged);
    snprintf(logged + n, sizeof logged - n, "%s\n", line);
    pthread_mutex_unlock(&log_mu);
}

/* Run n workers; returns the workers (caller frees bufs). */
static worker *go(int n, int cycles, int fail_rank, int fail_at, int skip_rank, double timeout,
                  sk_comm_group **gout)
{
    sk_comm_group *g = sk_comm_threads_new(n, timeout);
    worker *w = calloc((size_t)n, sizeof *w);
    pthread_t th[8];
    for (int r = 0; r < n; r++) {
        w[r].c = sk_comm_group_rank(g, r);
        w[r].cycles = cycles;
        w[r].fail_at = r == fail_rank ? fail_at : -1;
        w[r].skip_at = r == skip_rank ? fail_at : -1;
        for (int b = 0; b < NB; b++)
            w[r].buf[b] = calloc(sizes[b], sizeof(float));
        pthread_create(&th[r], NULL, run, &w[r]);
    }
    for (int r = 0; r < n; r++)
        pthread_join(th[r], NULL);
    *gout = g;
    return w;
}

static void done(worker *w, int n, sk_comm_group *g)
{
    for (int r = 0; r < n; r++)
        for (int b = 0; b < NB; b++)
            free(w[r].buf[b]);
    free(w);
    sk_comm_group_free(g);
}

int main(void)
{
    for (int n = 1; n <= 5; n++) {
        char name[100];
        snprintf(name, sizeof name, "%d worker(s): every bucket holds the rank-order sum on every rank (wait_next, wait)", n);
        TEST(name) {
            sk_comm_group *g;
            worker *w = go(n, 3, -1, -1, -1, 30, &g);
            int bad = 0;
            for (int r = 0; r < n; r++) {
                CHECK_INT(w[r].status, 0);
                for (int b = 0; b < NB; b++)
                    for (size_t i = 0; i < sizes[b]; i++) {
                        float s = val(0, b, i, 2);
                        for (int k = 1; k < n; k++)
                            s += val(k, b, i, 2);
                        if (w[r].buf[b][i] != s)
                            bad++;
                    }
                for (int k = 0; k < 3; k++)
                    CHECK_NEAR(w[r].stats[k], 1e-3 * (k + 1) * n * (n + 1) / 2, 1e-15);
            }
            CHECK_INT(bad, 0);
            for (int r = 0; r < n; r++) {
                CHECK(w[r].c->bytes > 0);
                CHECK_INT(w[r].early_bad, 0);   /* wait_next: that bucket is final already */
            }
            done(w, n, g);
        }
    }

    TEST("a failing worker stops the others with an ERROR naming it") {
        logged[0] = 0;
        sk_log_set_sink(sink, NULL);
        sk_comm_group *g;
        double t0 = sk_comm_now();
        worker *w = go(3, 4, 2, 1, -1, 30, &g);
        sk_log_set_sink(NULL, NULL);
        CHECK(sk_comm_now() - t0 < 5);
        CHECK_INT(w[2].status, -1);
        CHECK(w[0].status < 0);
        CHECK(w[1].status < 0);
        CHECK(strstr(logged, "worker 0: stopping, worker 2 failed: injected failure") != NULL);
        CHECK(strstr(logged, "worker 1: stopping, worker 2 failed: injected failure") != NULL);
        done(w, 3, g);
    }

    TEST("a worker that stops arriving makes the others time out naming it") {
        logged[0] = 0;
        sk_log_set_sink(sink, NULL);
        sk_comm_group *g;
        double t0 = sk_comm_now();
        worker *w = go(4, 4, -1, 2, 1, 0.3, &g);
        sk_log_set_sink(NULL, NULL);
        double el = sk_comm_now() - t0;
        CHECK(el < 5);
        CHECK(el >= 0.3);
        CHECK(w[0].status < 0 && w[2].status < 0 && w[3].status < 0);
        CHECK(strstr(logged, "timed out after 0.3 s waiting for worker(s) 1") != NULL);
        if (tap_cur_fail)
            printf("# log:\n%s", logged);
        done(w, 4, g);
    }

    TEST("bucket size mismatch between workers is an error, not a crash") {
        logged[0] = 0;
        sk_log_set_sink(sink, NULL);
        sk_comm_group *g = sk_comm_threads_new(2, 1.0);
        float a[4] = { 0 }, b[5] = { 0 };
        int s0 = sk_comm_start(sk_comm_group_rank(g, 0), a, 4);
        int s1 = sk_comm_start(sk_comm_group_rank(g, 1), b, 5);
        sk_log_set_sink(NULL, NULL);
        CHECK_INT(s0, 0);
        CHECK(s1 < 0);
        CHECK(strstr(logged, "bucket 0 has 5 elements on worker 1, 4 on another") != NULL);
        sk_comm_group_free(g);
    }

    TEST("MPI is not detected outside mpirun") {
        unsetenv("OMPI_COMM_WORLD_SIZE");
        CHECK(!sk_comm_mpi_launched());
    }
    return tap_done();
}
