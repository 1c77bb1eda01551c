/* randomizer.c — the frame buffer of nnet-train-frmshuff (Kaldi's Matrix/Posterior/Vector
 * randomizers kept in one object so the three stay aligned). */
#include "nnet/randomizer.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"

struct sk_randomizer {
    int32_t size, mb, dim;
    sk_mat feats;               /* capacity rows; rows [begin, end) are live */
    sk_post_frame *tgt;
    float *w;
    int32_t cap, begin, end;
};

sk_randomizer *sk_randomizer_new(int32_t size, int32_t minibatch, int32_t dim)
{
    sk_randomizer *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->size = size;
    r->mb = minibatch;
    r->dim = dim;
    sk_mat_init(&r->feats);
    return r;
}

static void free_frames(sk_randomizer *r, int32_t a, int32_t b)
{
    for (int32_t i = a; i < b; i++) {
        free(r->tgt[i].pairs);
        r->tgt[i].pairs = NULL;
        r->tgt[i].n = 0;
    }
}

void sk_randomizer_free(sk_randomizer *r)
{
    if (!r)
        return;
    free_frames(r, 0, r->end);
    sk_mat_release(&r->feats);
    free(r->tgt);
    free(r->w);
    free(r);
}

bool sk_randomizer_full(const sk_randomizer *r) { return r->begin == 0 && r->end > r->size; }
bool sk_randomizer_done(const sk_randomizer *r) { return r->end - r->begin < r->mb; }
void sk_randomizer_next(sk_randomizer *r) { r->begin += r->mb; }
int32_t sk_randomizer_buffered(const sk_randomizer *r) { return r->end - r->begin; }

sk_mat sk_randomizer_feats(const sk_randomizer *r)
{
    return sk_mat_view(&r->feats, r->begin, r->mb, 0, r->dim);
}
const sk_post_frame *sk_randomizer_targets(const sk_randomizer *r) { return r->tgt + r->begin; }
const float *sk_randomizer_weights(const sk_randomizer *r) { return r->w + r->begin; }

static int grow(sk_randomizer *r, int32_t need)
{
    if (need <= r->cap)
        return 0;
    int32_t cap = r->cap ? r->cap : 1024;
    while (cap < need)
        cap *= 2;
    if (sk_mat_resize_keep(&r->feats, cap, r->dim) < 0)
        return SK_EIO;
    sk_post_frame *t = realloc(r->tgt, sizeof *t * (size_t)cap);
    if (!t)
        return SK_EIO;
    memset(t + r->cap, 0, sizeof *t * (size_t)(cap - r->cap));
    r->tgt = t;
    float *w = realloc(r->w, sizeof *w * (size_t)cap);
    if (!w)
        return SK_EIO;
    r->w = w;
    r->cap = cap;
    return 0;
}

int sk_randomizer_add(sk_randomizer *r, const sk_mat *feats, const sk_post_frame *tgt,
                      const float *w)
{
    if (feats->cols != r->dim) {
        SK_ERROR("Randomizer holds %d-dimensional frames, got %d", r->dim, feats->cols);
        return SK_EINVAL;
    }
    if (r->begin > 0) {   /* move the remainder to the front */
        int32_t n = r->end - r->begin;
        free_frames(r, 0, r->begin);
        for (int32_t i = 0; i < n; i++)
            memcpy(SK_ROW(&r->feats, i), SK_ROW(&r->feats, r->begin + i), sizeof(float) * r->dim);
        memmove(r->tgt, r->tgt + r->begin, sizeof *r->tgt * (size_t)n);
        memset(r->tgt + n, 0, sizeof *r->tgt * (size_t)(r->end - n));
        memmove(r->w, r->w + r->begin, sizeof *r->w * (size_t)n);
        r->begin = 0;
        r->end = n;
    }
    if (grow(r, r->end + feats->rows) < 0) {
        SK_ERROR("Out of memory in the frame randomizer");
        return SK_EIO;
    }
    for (int32_t i = 0; i < feats->rows; i++) {
        int32_t k = r->end + i;
        memcpy(SK_ROW(&r->feats, k), SK_ROW(feats, i), sizeof(float) * r->dim);
        r->tgt[k].n = tgt[i].n;
        r->tgt[k].pairs = NULL;
        if (tgt[i].n) {
            r->tgt[k].pairs = malloc(sizeof(sk_post_pair) * (size_t)tgt[i].n);
            if (!r->tgt[k].pairs)
                return SK_EIO;
            memcpy(r->tgt[k].pairs, tgt[i].pairs, sizeof(sk_post_pair) * (size_t)tgt[i].n);
        }
        r->w[k] = w[i];
    }
    r->end += feats->rows;
    return 0;
}

void sk_randomizer_shuffle(sk_randomizer *r)
{
    int32_t n = r->end - r->begin;
    if (n < 2)
        return;
    int32_t *perm = malloc(sizeof(int32_t) * (size_t)n);
    sk_mat tmp;
    sk_mat_init(&tmp);
    sk_post_frame *t = malloc(sizeof *t * (size_t)n);
    float *w = malloc(sizeof *w * (size_t)n);
    if (!perm || !t || !w || sk_mat_resize(&tmp, n, r->dim) < 0)
        SK_BUG("out of memory shuffling %d frames", n);
    for (int32_t i = 0; i < n; i++)
        perm[i] = i;
    for (int32_t i = n - 1; i > 0; i--) {   /* Fisher-Yates */
        int32_t j = (int32_t)(((uint64_t)rand() * ((uint64_t)RAND_MAX + 1) + (uint64_t)rand()) %
                              (uint64_t)(i + 1));
        int32_t s = perm[i];
        perm[i] = perm[j];
        perm[j] = s;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t src = r->begin + perm[i];
        memcpy(SK_ROW(&tmp, i), SK_ROW(&r->feats, src), sizeof(float) * r->dim);
        t[i] = r->tgt[src];
        w[i] = r->w[src];
    }
    for (int32_t i = 0; i < n; i++)
        memcpy(SK_ROW(&r->feats, r->begin + i), SK_ROW(&tmp, i), sizeof(float) * r->dim);
    memcpy(r->tgt + r->begin, t, sizeof *t * (size_t)n);
    memcpy(r->w + r->begin, w, sizeof *w * (size_t)n);
    sk_mat_release(&tmp);
    free(perm);
    free(t);
    free(w);
}
