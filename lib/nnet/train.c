/* train.c — the training step, phase by phase (see train.h). */
#include "nnet/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/table.h"
#include "matrix/holders.h"

int sk_train_forward(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_post_frame *tgt,
                     const float *w, sk_bmat *dy)
{
    const sk_bmat *y = sk_nnet_propagate(nn, x);
    if (!y)
        return SK_EIO;
    return sk_loss_eval(loss, nn->be, y, tgt, w, dy);
}

void sk_train_backward(sk_nnet *nn, const sk_bmat *dy)
{
    /* the input derivative is computed too: Kaldi's training log shows its statistics */
    sk_nnet_backprop(nn, dy, true);
}

int sk_train_step(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_post_frame *tgt,
                  const float *w, sk_bmat *dy, const sk_train_opts *o, bool cross_validate,
                  bool need_stats)
{
    int st = sk_train_forward(nn, loss, x, tgt, w, dy);
    if (st < 0 || cross_validate)
        return st;
    if (need_stats)
        sk_train_backward(nn, dy);
    else
        sk_nnet_backprop_fused(nn, dy, false, o);
    sk_nnet_update(nn, o);
    return 0;
}

/* ------------------------------------------------------------------ batches */

int sk_train_batch_set(sk_train_batch *b, const sk_post_frame *tgt, const float *w, int32_t rows)
{
    size_t np = 0;
    for (int32_t t = 0; t < rows; t++)
        np += (size_t)tgt[t].n;
    if ((size_t)rows > b->cap_rows) {
        size_t cap = (size_t)rows;
        free(b->tgt);
        free(b->row_start);
        free(b->w);
        b->tgt = malloc(sizeof *b->tgt * cap);
        b->row_start = malloc(sizeof *b->row_start * (cap + 1));
        b->w = malloc(sizeof *b->w * cap);
        b->cap_rows = b->tgt && b->row_start && b->w ? cap : 0;
        if (!b->cap_rows)
            goto oom;
    }
    if (np + 1 > b->cap_pairs) {
        size_t cap = 2 * np + 1;
        free(b->pairs);
        free(b->col);
        free(b->val);
        b->pairs = malloc(sizeof *b->pairs * cap);
        b->col = malloc(sizeof *b->col * cap);
        b->val = malloc(sizeof *b->val * cap);
        b->cap_pairs = b->pairs && b->col && b->val ? cap : 0;
        if (!b->cap_pairs)
            goto oom;
    }
    b->rows = rows;
    b->frames = 0;
    size_t k = 0;
    for (int32_t t = 0; t < rows; t++) {
        const sk_post_frame *f = &tgt[t];
        b->row_start[t] = (int32_t)k;
        b->tgt[t] = (sk_post_frame){ b->pairs + k, f->n };
        double tsum = 0;
        for (int32_t i = 0; i < f->n; i++, k++) {
            b->pairs[k] = f->pairs[i];
            b->col[k] = f->pairs[i].id;
            b->val[k] = f->pairs[i].weight;
            bool later = false;   /* a later pair with the same id overwrites this one */
            for (int32_t j = i + 1; j < f->n && !later; j++)
                later = f->pairs[j].id == f->pairs[i].id;
            if (!later)
                tsum += f->pairs[i].weight;
        }
        b->w[t] = w[t];
        b->frames += (double)w[t] * tsum * tsum;
    }
    b->row_start[rows] = (int32_t)k;
    return 0;
oom:
    SK_ERROR("out of memory for a minibatch of %d frames", rows);
    return SK_EIO;
}

void sk_train_batch_release(sk_train_batch *b)
{
    free(b->tgt);
    free(b->pairs);
    free(b->row_start);
    free(b->col);
    free(b->val);
    free(b->w);
    memset(b, 0, sizeof *b);
}

int sk_train_forward_batch(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_train_batch *b,
                           sk_bmat *dy)
{
    const sk_bmat *y = sk_nnet_propagate(nn, x);
    if (!y)
        return SK_EIO;
    return sk_loss_eval_batch(loss, nn->be, y, b, dy);
}

int sk_train_step_batch(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_train_batch *b,
                        sk_bmat *dy, const sk_train_opts *o, bool cross_validate,
                        bool need_stats)
{
    int st = sk_train_forward_batch(nn, loss, x, b, dy);
    if (st < 0 || cross_validate)
        return st;
    if (need_stats)
        sk_train_backward(nn, dy);
    else
        sk_nnet_backprop_fused(nn, dy, false, o);
    sk_nnet_update(nn, o);
    return 0;
}

void sk_log_long(const char *func, const char *file, int line, const char *msg)
{
    if (strlen(msg) < 6000) {
        sk_log_msg(SK_SEV_LOG, func, file, line, "%s", msg);
        return;
    }
    const char *fbase = strrchr(file, '/');
    fbase = fbase ? fbase + 1 : file;
    fflush(stdout);
    fprintf(stderr, "LOG (%s[skald]:%s():%s:%d) %s\n", sk_log_program(), func, fbase, line, msg);
    fflush(stderr);
}

/* ------------------------------------------------------------------ utterance source */

struct sk_utt_source {
    sk_utt_source_cfg cfg;
    sk_seq_reader *feats;
    sk_ra_reader *targets, *fw, *uw;
    const sk_backend *be;
    sk_bmat fin;              /* backend input buffer */
    sk_mat fm;                /* host copy of the transformed features */
    float *w;
    sk_post_frame *t;
    size_t cap;
    bool started;
    int num_done, num_no_tgt, num_other;
};

sk_utt_source *sk_utt_source_open(const sk_utt_source_cfg *cfg)
{
    sk_utt_source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->be = cfg->transform->be;
    sk_mat_init(&s->fm);
    s->feats = sk_seq_open(cfg->feats, &sk_holder_mat);
    s->targets = s->feats ? sk_ra_open(cfg->targets, &sk_holder_post) : NULL;
    if (!s->feats || !s->targets)
        goto fail;
    if (cfg->frame_weights && cfg->frame_weights[0] &&
        !(s->fw = sk_ra_open(cfg->frame_weights, &sk_holder_vec)))
        goto fail;
    if (cfg->utt_weights && cfg->utt_weights[0] &&
        !(s->uw = sk_ra_open(cfg->utt_weights, &sk_holder_float)))
        goto fail;
    return s;
fail:
    sk_utt_source_close(s);
    return NULL;
}

bool sk_utt_source_done(sk_utt_source *s) { return sk_seq_done(s->feats); }
int sk_utt_source_num_done(const sk_utt_source *s) { return s->num_done; }
int sk_utt_source_num_no_tgt(const sk_utt_source *s) { return s->num_no_tgt; }
int sk_utt_source_num_other(const sk_utt_source *s) { return s->num_other; }

static int grow(sk_utt_source *s, size_t n)
{
    if (n + 1 <= s->cap)
        return 0;
    size_t cap = 2 * (n + 1);
    float *w = realloc(s->w, sizeof *w * cap);
    if (w)
        s->w = w;
    sk_post_frame *t = realloc(s->t, sizeof *t * cap);
    if (t)
        s->t = t;
    if (!w || !t) {
        SK_ERROR("out of memory");
        return SK_EIO;
    }
    s->cap = cap;
    return 0;
}

int sk_utt_source_next(sk_utt_source *s, sk_utt *u)
{
    const sk_utt_source_cfg *cfg = &s->cfg;
    const sk_backend *be = s->be;
    if (s->started)
        sk_seq_next(s->feats);
    s->started = true;
    for (; !sk_seq_done(s->feats); sk_seq_next(s->feats)) {
        const char *utt = sk_seq_key(s->feats);
        SK_VLOG(3, "Reading %s", utt);
        if (!sk_ra_has_key(s->targets, utt) && sk_ra_failed(s->targets)) {
            SK_ERROR("Cannot go on after an error reading the targets (at %s)", utt);
            return SK_EIO;
        }
        if ((s->fw && sk_ra_failed(s->fw)) || (s->uw && sk_ra_failed(s->uw))) {
            SK_ERROR("Cannot go on after an error reading the weights (at %s)", utt);
            return SK_EIO;
        }
        if (!sk_ra_has_key(s->targets, utt)) {
            SK_WARN("%s, missing targets", utt);
            s->num_no_tgt++;
            continue;
        }
        if (s->fw && !sk_ra_has_key(s->fw, utt)) {
            SK_WARN("%s, missing per-frame weights", utt);
            s->num_other++;
            continue;
        }
        if (s->uw && !sk_ra_has_key(s->uw, utt)) {
            SK_WARN("%s, missing per-utterance weight", utt);
            s->num_other++;
            continue;
        }
        const sk_mat *mat = sk_seq_value(s->feats);
        const sk_post *post = sk_ra_value(s->targets, utt);
        const sk_vec *fwv = s->fw ? sk_ra_value(s->fw, utt) : NULL;
        if (!mat || !post || (s->fw && !fwv)) {
            SK_ERROR("Cannot read the features, targets or weights of %s", utt);
            return SK_EIO;
        }
        int32_t nw = fwv ? fwv->dim : mat->rows;
        if (grow(s, (size_t)(nw > mat->rows ? nw : mat->rows)) < 0)
            return SK_EIO;
        for (int32_t i = 0; i < nw; i++)
            s->w[i] = fwv ? fwv->data[i] : 1.0f;
        if (s->uw) {
            const float *uwt = sk_ra_value(s->uw, utt);
            if (!uwt || !(*uwt >= 0)) {
                SK_ERROR("Bad per-utterance weight for %s", utt);
                return SK_EIO;
            }
            if (*uwt == 0)
                continue;
            for (int32_t i = 0; i < nw; i++)
                s->w[i] *= *uwt;
        }
        if (cfg->max_frames > 0 && mat->rows > cfg->max_frames) {
            SK_WARN("Utterance too long, skipping! %s (length %d, max_frames %d)", utt,
                    mat->rows, cfg->max_frames);
            s->num_other++;
            continue;
        }
        int32_t lmin = mat->rows, lmax = mat->rows;
        lmin = post->n < lmin ? post->n : lmin;
        lmax = post->n > lmax ? post->n : lmax;
        lmin = nw < lmin ? nw : lmin;
        lmax = nw > lmax ? nw : lmax;
        if (!(lmax - lmin < cfg->length_tolerance)) {
            SK_WARN("Length mismatch! Targets %d, features %d, %s", post->n, mat->rows, utt);
            s->num_other++;
            continue;
        }
        if (mat->cols != cfg->input_dim) {
            SK_ERROR("Dimensionality mismatch! Features of %s have dim %d, expected %d", utt,
                     mat->cols, cfg->input_dim);
            return SK_EINVAL;
        }
        for (int32_t r = 0; r < lmin; r++)
            for (int32_t c = 0; c < mat->cols; c++)
                if (!isfinite(SK_MAT(mat, r, c))) {
                    SK_ERROR("NaN or inf found in features for %s", utt);
                    return SK_EINVAL;
                }
        /* feature transform on the backend, back to the host */
        if (s->fin.rows < lmin || s->fin.cols != mat->cols) {
            be->mat_free(be, &s->fin);
            if (be->mat_alloc(be, &s->fin, lmin, mat->cols) < 0)
                return SK_EIO;
        }
        sk_bmat x = sk_bmat_rows(&s->fin, 0, lmin);
        be->upload(be, &x, mat->data, mat->stride);
        const sk_bmat *y = sk_nnet_propagate(cfg->transform, &x);
        if (!y || sk_mat_resize(&s->fm, lmin, y->cols) < 0) {
            SK_ERROR("Cannot forward %s (%d frames) through the feature transform", utt, lmin);
            return SK_EIO;
        }
        be->download(be, s->fm.data, s->fm.stride, y);
        be->sync(be);
        int32_t keep = 0;
        for (int32_t r = 0; r < lmin; r++) {
            if (!(s->w[r] >= 0)) {
                SK_ERROR("Negative or NaN frame weight in %s", utt);
                return SK_EINVAL;
            }
            if (cfg->drop_zero_weight && s->w[r] == 0)
                continue;
            if (keep != r)
                memcpy(SK_ROW(&s->fm, keep), SK_ROW(&s->fm, r), sizeof(float) * s->fm.cols);
            s->t[keep] = post->frames[r];
            s->w[keep] = s->w[r];
            keep++;
        }
        if (keep == 0)
            continue;
        s->fm.rows = keep;
        s->num_done++;
        u->key = utt;
        u->feats = &s->fm;
        u->tgt = s->t;
        u->w = s->w;
        u->n = keep;
        return 1;
    }
    return 0;
}

int sk_utt_source_close(sk_utt_source *s)
{
    if (!s)
        return 0;
    int st = 0;
    if (s->feats && sk_seq_close(s->feats) < 0)
        st = SK_EIO;
    if (s->targets && sk_ra_close(s->targets) < 0)
        st = SK_EIO;
    if (s->fw && sk_ra_close(s->fw) < 0)
        st = SK_EIO;
    if (s->uw && sk_ra_close(s->uw) < 0)
        st = SK_EIO;
    if (s->be)
        s->be->mat_free(s->be, &s->fin);
    sk_mat_release(&s->fm);
    free(s->w);
    free(s->t);
    free(s);
    return st;
}
