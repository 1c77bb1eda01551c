/* Unit tests for lib/compute/feeder: a producer thread submits numbered minibatches of
 * varying size; the consumer gets them in order, with the right rows and contents, while the
 * producer runs ahead by at most the ring depth; NULL after close. CPU backend here; the same
 * protocol on CUDA is checked in tests/gpu/backend_ops.c. */
#include "compute/feeder.h"
#include "tap.h"

#include <pthread.h>
#include <stdatomic.h>

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
    return tap_done();
}
