/* sparse.c — building a dense backend matrix from sparse host rows (targets from
 * posteriors): written in place on host-memory backends, scattered on the device by the CUDA
 * backend so that only the entries are copied. */
#include "compute/backend.h"

#include <string.h>

#include "base/log.h"
#ifdef SK_HAVE_CUDA
#include "compute/cuda/cuda.h"
#endif

int sk_backend_set_sparse_rows(const sk_backend *be, sk_bmat *t, const int32_t *row_start,
                               const int32_t *col, const float *val)
{
    if (row_start[0] != 0)
        SK_BUG("sk_backend_set_sparse_rows: row_start[0] = %d", row_start[0]);
    for (int32_t r = 0; r < t->rows; r++) {
        if (row_start[r + 1] < row_start[r])
            SK_BUG("sk_backend_set_sparse_rows: row_start decreases at row %d", r);
        for (int32_t i = row_start[r]; i < row_start[r + 1]; i++)
            if (col[i] < 0 || col[i] >= t->cols) {
                SK_ERROR("Out-of-bound Posterior element with index %d, higher than number of "
                         "columns %d (row %d)", col[i], t->cols, r);
                return SK_EINVAL;
            }
    }
#ifdef SK_HAVE_CUDA
    if (!strcmp(be->name, "cuda"))
        return sk_cuda_set_sparse_rows(be, t, row_start, col, val);
#endif
    if (!be->host_memory)
        SK_BUG("sk_backend_set_sparse_rows: no path for backend %s", be->name);
    be->set_const(be, t, 0.0f);
    for (int32_t r = 0; r < t->rows; r++) {
        float *row = t->data + (size_t)r * t->stride;
        for (int32_t i = row_start[r]; i < row_start[r + 1]; i++)
            row[col[i]] = val[i];
    }
    return 0;
}
