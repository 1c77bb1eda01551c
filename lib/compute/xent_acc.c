/* xent_acc.c — cross-entropy statistics accumulated in backend memory (xent_acc.h). The CUDA
 * backend computes everything on the device (lib/compute/cuda/reduce.cu); host-memory
 * backends use be->xent and be->row_max_id and keep the sums on the host. */
#include "compute/xent_acc.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#ifdef SK_HAVE_CUDA
#include "compute/cuda/cuda.h"
#endif

struct sk_xent_acc {
    const sk_backend *be;
    int32_t dim;
    bool device;       /* stats live in backend memory (CUDA) */
    double *stats;     /* 4 x dim: xent, ent, frames, correct (device or host) */
    double *zero;      /* host zeros for restarting device stats */
    float *wp;         /* host-memory backends: w' per row */
    int32_t *ids, *tids;
    int32_t cap;
    double *bound[4];  /* host-memory backends: xent, ent, frames, correct of the caller */
};

sk_xent_acc *sk_xent_acc_new(const sk_backend *be, int32_t dim)
{
    sk_xent_acc *a = calloc(1, sizeof *a);
    if (!a) {
        SK_ERROR("Cannot allocate the cross-entropy accumulator");
        return NULL;
    }
    a->be = be;
    a->dim = dim;
#ifdef SK_HAVE_CUDA
    a->device = !strcmp(be->name, "cuda");
#endif
    size_t bytes = sizeof(double) * 4 * ((size_t)dim + 1);
    if (a->device) {
        a->stats = be->alloc(be, bytes);   /* zeroed */
        a->zero = calloc(1, bytes);
    } else {
        a->stats = calloc(1, bytes);
        a->zero = calloc(1, 1);
    }
    if (!a->stats || !a->zero) {
        SK_ERROR("Cannot allocate the cross-entropy accumulator (%zu bytes)", bytes);
        sk_xent_acc_free(a);
        return NULL;
    }
    return a;
}

void sk_xent_acc_free(sk_xent_acc *a)
{
    if (!a)
        return;
    if (a->device)
        a->be->free(a->be, a->stats);
    else
        free(a->stats);
    free(a->zero);
    free(a->wp);
    free(a->ids);
    free(a->tids);
    free(a);
}

void sk_xent_acc_add(sk_xent_acc *a, const sk_bmat *y, const sk_bmat *t, const sk_bvec *w,
                     sk_bmat *dy)
{
    const sk_backend *be = a->be;
    if (y->cols != a->dim)
        SK_BUG("sk_xent_acc_add: %d columns, accumulator has %d", y->cols, a->dim);
#ifdef SK_HAVE_CUDA
    if (a->device) {
        sk_cuda_xent_accumulate(be, y, t, w, dy, a->stats);
        return;
    }
#endif
    int32_t n = y->rows, d = a->dim;
    if (n > a->cap) {
        free(a->wp);
        free(a->ids);
        free(a->tids);
        a->wp = malloc(sizeof(float) * (size_t)n);
        a->ids = malloc(sizeof(int32_t) * (size_t)n);
        a->tids = malloc(sizeof(int32_t) * (size_t)n);
        if (!a->wp || !a->ids || !a->tids)
            SK_BUG("out of memory");
        a->cap = n;
    }
    double *st[4] = { a->stats, a->stats + d, a->stats + 2 * (size_t)d, a->stats + 3 * (size_t)d };
    if (a->bound[0])
        for (int k = 0; k < 4; k++)
            st[k] = a->bound[k];
    be->xent(be, y, t, w, dy, st[0], st[1], st[2], a->wp);
    be->row_max_id(be, y, a->ids);
    be->row_max_id(be, t, a->tids);   /* host memory: the targets' first maximum */
    for (int32_t r = 0; r < n; r++) {
        int32_t best = a->tids[r];
        if (d > 0 && a->ids[r] == best)
            st[3][best] += a->wp[r];
    }
}

bool sk_xent_acc_bind(sk_xent_acc *a, double *xent, double *ent, double *frames,
                      double *correct)
{
    if (!xent || !ent || !frames || !correct)
        SK_BUG("sk_xent_acc_bind: NULL array");
    if (a->device)
        return false;
    a->bound[0] = xent;
    a->bound[1] = ent;
    a->bound[2] = frames;
    a->bound[3] = correct;
    return true;
}

void sk_xent_acc_fetch(sk_xent_acc *a, double *xent, double *ent, double *frames,
                       double *correct)
{
    int32_t d = a->dim;
    size_t bytes = sizeof(double) * 4 * (size_t)d;
    double *h = a->stats;
    if (a->device) {
        h = malloc(bytes + sizeof(double));
        if (!h)
            SK_BUG("out of memory");
        a->be->download_raw(a->be, h, a->stats, bytes);
        a->be->sync(a->be);
        a->be->upload_raw(a->be, a->stats, a->zero, bytes);
    }
    double *out[4] = { xent, ent, frames, correct };
    for (int k = 0; k < 4; k++)
        if (out[k])
            for (int32_t c = 0; c < d; c++)
                out[k][c] += h[(size_t)k * d + c];
    if (a->device)
        free(h);
    else
        memset(a->stats, 0, bytes);
}
