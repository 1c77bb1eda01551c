/* Unit tests for lib/compute/sparse: sk_backend_set_sparse_rows on the CPU backends — old
 * contents cleared, entries placed, a repeated column keeps the later value (Kaldi's
 * PosteriorToMatrix), empty rows stay zero, an out-of-range column is an ERROR. The CUDA
 * path is compared with this one in tests/gpu/backend_ops.c. */
#include "compute/backend.h"
#include "tap.h"

#include "base/log.h"

static int n_err;
static char last[512];
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR) {
        n_err++;
        snprintf(last, sizeof last, "%s", line);
    }
}

int main(void)
{
    for (int k = 0; k < 2; k++) {
        const sk_backend *be = k ? sk_backend_cpu_ref() : sk_backend_cpu();
        TEST(k ? "cpu-ref: entries, overwrite order, empty rows, old contents cleared"
               : "cpu: entries, overwrite order, empty rows, old contents cleared") {
            sk_bmat t;
            be->mat_alloc(be, &t, 4, 6);
            be->set_const(be, &t, 9.0f);
            int32_t start[5] = { 0, 2, 2, 5, 6 };
            int32_t col[6] = { 1, 4, 0, 3, 0, 5 };
            float val[6] = { 0.25f, 0.75f, 0.5f, 1.0f, 0.125f, 1.0f };
            CHECK(sk_backend_set_sparse_rows(be, &t, start, col, val) == 0);
            float want[4][6] = { { 0, 0.25f, 0, 0, 0.75f, 0 }, { 0 },
                                 { 0.125f, 0, 0, 1.0f, 0, 0 }, { 0, 0, 0, 0, 0, 1.0f } };
            int bad = 0;
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 6; c++)
                    bad += t.data[(size_t)r * t.stride + c] != want[r][c];
            CHECK_INT(bad, 0);
            be->mat_free(be, &t);
        }
    }
    TEST("a column out of range: ERROR naming it, SK_EINVAL") {
        const sk_backend *be = sk_backend_cpu();
        sk_bmat t;
        be->mat_alloc(be, &t, 2, 3);
        int32_t start[3] = { 0, 1, 2 }, col[2] = { 1, 3 };
        float val[2] = { 1, 1 };
        sk_log_set_sink(sink, NULL);
        int rc = sk_backend_set_sparse_rows(be, &t, start, col, val);
        sk_log_set_sink(NULL, NULL);
        CHECK(rc == SK_EINVAL);
        CHECK_INT(n_err, 1);
        CHECK(strstr(last, "index 3, higher than number of columns 3 (row 1)") != NULL);
        be->mat_free(be, &t);
    }
    return tap_done();
}
