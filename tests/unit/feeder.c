/* Unit tests for lib/compute/feeder: a producer thread submits numbered minibatches of
 * varying size; the consumer gets them in order, with the right rows and contents, while the
 * producer runs ahead by at most the ring depth; NULL after close. CPU backend here; the same
 * protocol on CUDA is checked in tests/gpu/backend_ops.c. */
#include "compute/feeder.h"
#include "tap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static void nap(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* A slow producer: each minibatch after a nap. */
static void *slow_producer(void *arg)
{
    sk_feeder *f = arg;
    for (int k = 0; k < 4; k++) {
        int32_t stride;
        float *h = sk_feeder_host(f, &stride);
        h[0] = (float)k;
        nap(20);
        sk_feeder_submit(f, 1);
    }
    sk_feeder_close(f);
    return NULL;
}

enum { N = 50, ROWS = 16, COLS = 7, DEPTH = 3 };
static atomic_int submitted;

static void *producer(void *arg)
{
    sk_feeder *f = arg;
    for (int k = 0; k < N; k++) {
        int32_t stride;
        float *h = sk_feeder_host(f, &stride);
        int rows = 1 + k % ROWS;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < COLS; c++)
                h[(size_t)r * stride + c] = (float)(k * 1000 + r * 10 + c);
        sk_feeder_submit(f, rows);
        atomic_fetch_add(&submitted, 1);
    }
    sk_feeder_close(f);
    return NULL;
}

int main(void)
{
    const sk_backend *be = sk_backend_cpu();
    TEST("minibatches arrive in order, complete, and the producer stays within the ring") {
        sk_feeder *f = sk_feeder_new(be, ROWS, COLS, DEPTH);
        CHECK(f != NULL);
        pthread_t th;
        pthread_create(&th, NULL, producer, f);
        int k = 0, bad = 0, ahead = 0;
        const sk_bmat *x;
        while ((x = sk_feeder_next(f))) {
            if (x->rows != 1 + k % ROWS || x->cols != COLS)
                bad++;
            for (int r = 0; r < x->rows; r++)
                for (int c = 0; c < COLS; c++)
                    if (x->data[(size_t)r * x->stride + c] != (float)(k * 1000 + r * 10 + c))
                        bad++;
            int s = atomic_load(&submitted);
            if (s - k > ahead)
                ahead = s - k;
            k++;
        }
        pthread_join(th, NULL);
        CHECK_INT(k, N);
        CHECK_INT(bad, 0);
        CHECK(ahead <= DEPTH);
        CHECK(sk_feeder_next(f) == NULL);
        sk_feeder_free(f);
    }
    TEST("an empty stream gives NULL at once") {
        sk_feeder *f = sk_feeder_new(be, 4, 4, 2);
        sk_feeder_close(f);
        CHECK(sk_feeder_next(f) == NULL);
        sk_feeder_free(f);
    }
    TEST("statistics: a slow consumer finds the ring full (the producer ran a whole ring ahead)") {
        atomic_store(&submitted, 0);
        sk_feeder *f = sk_feeder_new(be, ROWS, COLS, DEPTH);
        pthread_t th;
        pthread_create(&th, NULL, producer, f);
        while (atomic_load(&submitted) < DEPTH)
            nap(1);
        nap(50);    /* the producer is now blocked on a full ring */
        sk_feeder_stats st;
        sk_feeder_get_stats(f, &st);
        CHECK_INT(st.max_ready, DEPTH);
        CHECK_INT((int)st.submitted, DEPTH);
        CHECK_INT((int)st.consumer_waits, 0);
        int k = 0;
        while (sk_feeder_next(f))
            k++;
        pthread_join(th, NULL);
        sk_feeder_get_stats(f, &st);
        CHECK_INT(k, N);
        CHECK_INT((int)st.submitted, N);
        CHECK(st.producer_waits >= 1);
        CHECK(st.max_ready <= DEPTH);
        sk_feeder_free(f);
    }
    TEST("statistics: a slow producer makes the consumer wait, and the wait is timed") {
        sk_feeder *f = sk_feeder_new(be, 2, 2, 2);
        pthread_t th;
        pthread_create(&th, NULL, slow_producer, f);
        int k = 0, bad = 0;
        const sk_bmat *x;
        while ((x = sk_feeder_next(f)))
            bad += x->data[0] != (float)k++;
        pthread_join(th, NULL);
        sk_feeder_stats st;
        sk_feeder_get_stats(f, &st);
        CHECK_INT(k, 4);
        CHECK_INT(bad, 0);
        CHECK(st.consumer_waits >= 4);
        CHECK(st.consumer_wait_s >= 0.05);
        CHECK_INT((int)st.producer_waits, 0);
        sk_feeder_free(f);
    }
    return tap_done();
}
