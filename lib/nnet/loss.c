/* loss.c — Xent, Mse and MultiTask objectives with Kaldi's statistics and report texts. */
#include "nnet/loss.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/opts.h"
#include "compute/xent_acc.h"

typedef enum { LOSS_XENT, LOSS_MSE } loss_kind;

typedef struct {
    loss_kind kind;
    int32_t off, dim;          /* column block (multitask) */
    float weight;
    /* xent */
    double *frames, *xent, *ent, *correct;
    /* mse */
    double loss, nframes;
    /* progress */
    double p_frames, p_xent, p_ent, p_loss;
    double *progress;
    int n_progress;
} part;

struct sk_loss {
    int32_t out_dim;
    bool multitask;
    int n;
    part p[16];
    int64_t report_frames;
    /* scratch */
    float *tgt_host, *w_host, *wp;
    int32_t *ids, *ids_tgt;
    int32_t cap_rows;
    sk_bmat tgt_dev;
    sk_bvec w_dev;
    const sk_backend *be;
    double t0, t_last;
    /* sk_loss_eval_batch (single xent): statistics in an accumulator */
    sk_xent_acc *acc;
    const sk_backend *acc_be;
    bool acc_direct;           /* host backend: acc adds straight into p[0]'s arrays */
    double pend_frames;        /* device: frames added since the last fetch (host estimate) */
    bool pend;
    bool defer;                /* progress sums kept, reported by sk_loss_progress_put only */
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int init_part(part *p, loss_kind k, int32_t off, int32_t dim, float weight)
{
    memset(p, 0, sizeof *p);
    p->kind = k;
    p->off = off;
    p->dim = dim;
    p->weight = weight;
    p->frames = calloc((size_t)dim + 1, sizeof(double));
    p->xent = calloc((size_t)dim + 1, sizeof(double));
    p->ent = calloc((size_t)dim + 1, sizeof(double));
    p->correct = calloc((size_t)dim + 1, sizeof(double));
    return p->frames && p->xent && p->ent && p->correct ? 0 : SK_EIO;
}

sk_loss *sk_loss_new(const char *objective, int32_t out_dim, int64_t report_frames)
{
    sk_loss *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->out_dim = out_dim;
    l->report_frames = report_frames;
    l->t0 = l->t_last = now();
    if (!strcmp(objective, "xent") || !strcmp(objective, "mse")) {
        l->n = 1;
        if (init_part(&l->p[0], objective[0] == 'x' ? LOSS_XENT : LOSS_MSE, 0, out_dim, 1.0f) < 0)
            goto fail;
        return l;
    }
    if (strncmp(objective, "multitask", 9)) {
        SK_ERROR("Unknown objective function code : %s", objective);
        goto fail;
    }
    l->multitask = true;
    char *dup = strdup(objective), *save = NULL, *w[64];
    int nw = 0;
    for (char *t = strtok_r(dup, ",:", &save); t && nw < 64; t = strtok_r(NULL, ",:", &save))
        w[nw++] = t;
    int32_t off = 0;
    if (nw < 4 || (nw - 1) % 3) {
        SK_ERROR("Bad multitask objective '%s' (multitask,xent,DIM,W,mse,DIM,W,...)", objective);
        free(dup);
        goto fail;
    }
    for (int i = 1; i + 2 < nw && l->n < 16; i += 3) {
        int32_t dim;
        float wt;
        if ((strcmp(w[i], "xent") && strcmp(w[i], "mse")) || !sk_parse_int32(w[i + 1], &dim) ||
            !sk_parse_float(w[i + 2], &wt) || dim <= 0) {
            SK_ERROR("Bad multitask objective '%s' near '%s'", objective, w[i]);
            free(dup);
            goto fail;
        }
        if (init_part(&l->p[l->n++], w[i][0] == 'x' ? LOSS_XENT : LOSS_MSE, off, dim, wt) < 0) {
            free(dup);
            goto fail;
        }
        off += dim;
    }
    free(dup);
    if (off != out_dim) {
        SK_ERROR("Multitask dims sum to %d, the network output is %d", off, out_dim);
        goto fail;
    }
    return l;
fail:
    sk_loss_free(l);
    return NULL;
}

void sk_loss_free(sk_loss *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++) {
        free(l->p[i].frames);
        free(l->p[i].xent);
        free(l->p[i].ent);
        free(l->p[i].correct);
        free(l->p[i].progress);
    }
    if (l->be) {
        l->be->mat_free(l->be, &l->tgt_dev);
        l->be->vec_free(l->be, &l->w_dev);
    }
    free(l->tgt_host);
    free(l->w_host);
    free(l->wp);
    free(l->ids);
    free(l->ids_tgt);
    sk_xent_acc_free(l->acc);
    free(l);
}

static void ensure(sk_loss *l, const sk_backend *be, int32_t rows)
{
    if (l->cap_rows >= rows && l->be == be)
        return;
    if (l->be) {
        l->be->mat_free(l->be, &l->tgt_dev);
        l->be->vec_free(l->be, &l->w_dev);
    }
    l->be = be;
    free(l->tgt_host);
    free(l->w_host);
    free(l->wp);
    free(l->ids);
    free(l->ids_tgt);
    l->tgt_host = calloc((size_t)rows * l->out_dim, sizeof(float));
    l->ids_tgt = malloc(sizeof(int32_t) * (size_t)rows);
    l->w_host = malloc(sizeof(float) * (size_t)rows);
    l->wp = malloc(sizeof(float) * (size_t)rows);
    l->ids = malloc(sizeof(int32_t) * (size_t)rows);
    if (!l->tgt_host || !l->ids_tgt || !l->w_host || !l->wp || !l->ids ||
        be->mat_alloc(be, &l->tgt_dev, rows, l->out_dim) < 0 || be->vec_alloc(be, &l->w_dev, rows) < 0)
        SK_BUG("out of memory for loss buffers (%d rows)", rows);
    l->cap_rows = rows;
}

/* A complete progress block (frames, loss sums and the total so far): its ProgressLoss line
 * (when print) and its value in the progress vector. */
static void progress_report(sk_loss *l, part *p, double frames, double xe, double en,
                            double total, bool print)
{
    double v = (xe - en) / frames;
    double t = now(), fps = frames / (t - l->t_last);
    l->t_last = t;
    if (print)
        SK_LOG("ProgressLoss[last %dh of %dh]: %g (%s), fps=%g, elapsed %.3gh",
               (int)(frames / 100 / 3600), (int)(total / 100 / 3600), v,
               p->kind == LOSS_XENT ? "Xent" : "Mse", fps, (t - l->t0) / 3600);
    double *q = realloc(p->progress, sizeof(double) * ((size_t)p->n_progress + 1));
    if (q) {
        p->progress = q;
        p->progress[p->n_progress++] = v;
    }
}

static double part_total(const part *p);

static void progress_add(sk_loss *l, part *p, double frames, double loss_num, double ent)
{
    if (l->report_frames <= 0)
        return;
    p->p_frames += frames;
    p->p_xent += loss_num;
    p->p_ent += ent;
    if (!l->defer && p->p_frames > (double)l->report_frames) {
        progress_report(l, p, p->p_frames, p->p_xent, p->p_ent, part_total(p), true);
        p->p_frames = p->p_xent = p->p_ent = 0;
    }
}

/* First maximum of a frame's targets restricted to columns [off, off+dim), relative to off;
 * 0 when the frame has no positive target there (an all-zero block row). */
static int32_t block_argmax(const sk_post_frame *f, int32_t off, int32_t dim)
{
    int32_t best = -1;
    float bw = 0;
    for (int32_t k = 0; k < f->n; k++) {
        int32_t id = f->pairs[k].id - off;
        float w = f->pairs[k].weight;
        if (id < 0 || id >= dim)
            continue;
        for (int32_t j = k + 1; j < f->n; j++)   /* a later pair with the same id overwrites */
            if (f->pairs[j].id == f->pairs[k].id)
                w = f->pairs[j].weight;
        if (w > bw || (w == bw && best >= 0 && id < best) || (best < 0 && w > 0)) {
            best = id;
            bw = w;
        }
    }
    return best < 0 ? 0 : best;
}

int sk_loss_eval(sk_loss *l, const sk_backend *be, const sk_bmat *y, const sk_post_frame *tgt,
                 const float *w, sk_bmat *dy)
{
    int32_t n = y->rows, O = l->out_dim;
    if (y->cols != O) {
        SK_ERROR("Network output has %d columns, the objective expects %d", y->cols, O);
        return SK_EINVAL;
    }
    ensure(l, be, n);
    /* dense targets (PosteriorToMatrix); tgt_host is all zeros between calls (the entries set
     * here are cleared again below), which saves clearing n x O floats per minibatch */
    for (int32_t t = 0; t < n; t++)
        for (int32_t k = 0; k < tgt[t].n; k++) {
            int32_t id = tgt[t].pairs[k].id;
            if (id < 0 || id >= O) {
                SK_ERROR("Out-of-bound Posterior element with index %d, higher than number of "
                         "columns %d", id, O);
                memset(l->tgt_host, 0, sizeof(float) * (size_t)n * O);   /* keep it all-zero */
                return SK_EINVAL;
            }
            l->tgt_host[(size_t)t * O + id] = tgt[t].pairs[k].weight;
        }
    sk_bmat T = sk_bmat_rows(&l->tgt_dev, 0, n);
    be->upload(be, &T, l->tgt_host, O);
    /* target argmax per frame (first maximum of the dense row, as FindRowMaxId) */
    for (int32_t t = 0; t < n; t++) {
        const float *tr = l->tgt_host + (size_t)t * O;
        int32_t best = -1;
        bool dense = tgt[t].n == 0;
        for (int32_t k = 0; k < tgt[t].n; k++) {
            int32_t id = tgt[t].pairs[k].id;
            if (tr[id] <= 0)
                dense = true;   /* a zero/negative entry may lose to an empty column */
            if (best < 0 || tr[id] > tr[best] || (tr[id] == tr[best] && id < best))
                best = id;
        }
        if (dense) {
            best = 0;
            for (int32_t c = 1; c < O; c++)
                if (tr[c] > tr[best])
                    best = c;
        }
        l->ids_tgt[t] = best;
    }
    for (int32_t t = 0; t < n; t++)
        for (int32_t k = 0; k < tgt[t].n; k++)
            l->tgt_host[(size_t)t * O + tgt[t].pairs[k].id] = 0.0f;

    for (int i = 0; i < l->n; i++) {
        part *p = &l->p[i];
        sk_bmat yb = sk_bmat_cols(y, p->off, p->dim), tb = sk_bmat_cols(&T, p->off, p->dim);
        sk_bmat db = sk_bmat_cols(dy, p->off, p->dim);
        /* frame weights; in multitask a frame without a target in this block gets 0 */
        for (int32_t t = 0; t < n; t++) {
            float wt = w[t];
            if (l->multitask) {
                bool has = false;
                for (int32_t k = 0; k < tgt[t].n && !has; k++)
                    has = tgt[t].pairs[k].id >= p->off && tgt[t].pairs[k].id < p->off + p->dim;
                if (!has)
                    wt = 0;
            }
            l->w_host[t] = wt;
        }
        sk_bvec wv = sk_bvec_view(&l->w_dev, 0, n);
        sk_bmat wm = { wv.data, 1, n, n };
        be->upload(be, &wm, l->w_host, n);
        if (p->kind == LOSS_XENT) {
            double fr0 = 0, xe0 = 0, en0 = 0, fr1 = 0, xe1 = 0, en1 = 0;
            for (int32_t c = 0; c < p->dim; c++) {
                fr0 += p->frames[c];
                xe0 += p->xent[c];
                en0 += p->ent[c];
            }
            be->xent(be, &yb, &tb, &wv, &db, p->xent, p->ent, p->frames, l->wp);
            for (int32_t c = 0; c < p->dim; c++) {
                fr1 += p->frames[c];
                xe1 += p->xent[c];
                en1 += p->ent[c];
            }
            if (!isfinite(xe1)) {
                SK_ERROR("Non-finite cross-entropy: the network output contains inf/nan");
                return SK_EIO;
            }
            be->row_max_id(be, &yb, l->ids);
            for (int32_t t = 0; t < n; t++) {
                int32_t best = l->ids_tgt[t] - p->off;
                if (l->multitask)   /* argmax within this block */
                    best = block_argmax(tgt + t, p->off, p->dim);
                if (best >= 0 && l->ids[t] == best)
                    p->correct[best] += l->wp[t];
            }
            progress_add(l, p, fr1 - fr0, xe1 - xe0, en1 - en0);
        } else {
            /* Mse: dy = (y - t) * w; loss += 0.5 * sum(w * ((y - t) w)^2) (Kaldi's double w) */
            be->copy(be, &db, &yb);
            be->axpby(be, -1.0f, &tb, 1.0f, &db);
            be->scale_rows(be, &db, &wv);
            sk_bmat sq = sk_bmat_cols(&T, p->off, p->dim);   /* T no longer needed here */
            be->copy(be, &sq, &db);
            be->mul_elements(be, &sq, &db);
            be->scale_rows(be, &sq, &wv);
            double loss = 0.5 * be->sum(be, &sq);
            double wsum = 0;
            for (int32_t t = 0; t < n; t++)
                wsum += l->w_host[t];
            if (!isfinite(loss)) {
                SK_ERROR("Non-finite MSE: the network output contains inf/nan");
                return SK_EIO;
            }
            p->loss += loss;
            p->nframes += (int64_t)wsum;
            progress_add(l, p, wsum, loss, 0);
        }
        if (p->weight != 1.0f)
            be->affine(be, &db, p->weight, 0.0f);
    }
    return 0;
}

/* ------------------------------------------------------------------ batches */

static double sum(const double *v, int32_t n);

/* Statistics added (before - after sums of the four arrays): finite check and progress. */
static int xent_progress(sk_loss *l, part *p, const double before[3])
{
    double fr1 = sum(p->frames, p->dim), xe1 = sum(p->xent, p->dim), en1 = sum(p->ent, p->dim);
    if (!isfinite(xe1)) {
        SK_ERROR("Non-finite cross-entropy: the network output contains inf/nan");
        return SK_EIO;
    }
    progress_add(l, p, fr1 - before[0], xe1 - before[1], en1 - before[2]);
    return 0;
}

int sk_loss_flush(sk_loss *l)
{
    if (!l->pend)
        return 0;
    part *p = &l->p[0];
    double before[3] = { sum(p->frames, p->dim), sum(p->xent, p->dim), sum(p->ent, p->dim) };
    sk_xent_acc_fetch(l->acc, p->xent, p->ent, p->frames, p->correct);
    l->pend = false;
    l->pend_frames = 0;
    return xent_progress(l, p, before);
}

int sk_loss_eval_batch(sk_loss *l, const sk_backend *be, const sk_bmat *y,
                       const sk_train_batch *b, sk_bmat *dy)
{
    part *p = &l->p[0];
    if (l->multitask || p->kind != LOSS_XENT)
        return sk_loss_eval(l, be, y, b->tgt, b->w, dy);
    int32_t n = y->rows, O = l->out_dim;
    if (y->cols != O || b->rows != n) {
        SK_ERROR("Network output has %d columns and %d rows, the objective expects %d columns "
                 "and %d rows", y->cols, y->rows, O, b->rows);
        return SK_EINVAL;
    }
    ensure(l, be, n);
    if (l->acc && l->acc_be != be) {
        if (sk_loss_flush(l) < 0)
            return SK_EIO;
        sk_xent_acc_free(l->acc);
        l->acc = NULL;
    }
    if (!l->acc) {
        if (!(l->acc = sk_xent_acc_new(be, O)))
            return SK_EIO;
        l->acc_be = be;
        l->acc_direct = sk_xent_acc_bind(l->acc, p->xent, p->ent, p->frames, p->correct);
    }
    sk_bmat T = sk_bmat_rows(&l->tgt_dev, 0, n);
    int st = sk_backend_set_sparse_rows(be, &T, b->row_start, b->col, b->val);
    if (st < 0)
        return st;
    sk_bvec wv = sk_bvec_view(&l->w_dev, 0, n);
    sk_bmat wm = { wv.data, 1, n, n };
    be->upload(be, &wm, b->w, n);
    if (l->acc_direct) {
        double before[3] = { sum(p->frames, p->dim), sum(p->xent, p->dim), sum(p->ent, p->dim) };
        sk_xent_acc_add(l->acc, y, &T, &wv, dy);
        return xent_progress(l, p, before);
    }
    sk_xent_acc_add(l->acc, y, &T, &wv, dy);
    l->pend = true;
    l->pend_frames += b->frames;
    /* fetch (a device sync) only when a progress report may be due; the exact frame count
     * comes with the fetch, the host estimate only times it (1% margin for rounding) */
    if (!l->defer && l->report_frames > 0 &&
        p->p_frames + l->pend_frames >= 0.99 * (double)l->report_frames)
        return sk_loss_flush(l);
    return 0;
}

/* ------------------------------------------------------------------ reports */


static double sum(const double *v, int32_t n)
{
    double s = 0;
    for (int32_t i = 0; i < n; i++)
        s += v[i];
    return s;
}

/* Frames counted so far (the "of Nh" of a progress line). */
static double part_total(const part *p)
{
    return p->kind == LOSS_XENT ? sum(p->frames, p->dim) : p->nframes;
}

static double part_avg(const part *p)
{
    if (p->kind == LOSS_MSE)
        return p->loss / p->nframes;
    return (sum(p->xent, p->dim) - sum(p->ent, p->dim)) / sum(p->frames, p->dim);
}

static void part_report(const part *p, sk_strbuf *b)
{
    if (p->kind == LOSS_XENT) {
        double fr = sum(p->frames, p->dim), xe = sum(p->xent, p->dim), en = sum(p->ent, p->dim);
        sk_strbuf_addf(b, "AvgLoss: %g (Xent), [AvgXent: %g, AvgTargetEnt: %g]\n", (xe - en) / fr,
               xe / fr, en / fr);
        sk_strbuf_addf(b, "progress: [");
        for (int i = 0; i < p->n_progress; i++)
            sk_strbuf_addf(b, "%g ", (float)p->progress[i]);
        sk_strbuf_addf(b, "]\n");
        sk_strbuf_addf(b, "FRAME_ACCURACY >> %g%% <<\n", 100.0 * sum(p->correct, p->dim) / fr);
    } else {
        sk_strbuf_addf(b, "AvgLoss: %g (Mse), [RMS %g, frames %g]\n", p->loss / p->nframes,
               sqrt(p->loss / p->nframes / p->dim), p->nframes);
        sk_strbuf_addf(b, "progress: [");
        for (int i = 0; i < p->n_progress; i++)
            sk_strbuf_addf(b, "%g ", (float)p->progress[i]);
        sk_strbuf_addf(b, "]\n");
    }
}

char *sk_loss_report(const sk_loss *l)
{
    sk_strbuf b = SK_STRBUF_INIT;
    if (!l->multitask) {
        part_report(&l->p[0], &b);
    } else {
        sk_strbuf_addf(&b, "MultiTaskLoss, with %d parallel loss functions.\n", l->n);
        double tot = 0;
        for (int i = 0; i < l->n; i++) {
            sk_strbuf_addf(&b, "Loss %d, ", i + 1);
            part_report(&l->p[i], &b);
            double v = part_avg(&l->p[i]);
            if (!isfinite(v)) {
                SK_WARN("Loss %d has a non-finite value %g, replaced by 0", i + 1, v);
                v = 0;
            }
            tot += l->p[i].weight * v;
        }
        sk_strbuf_addf(&b, "Loss (OVERALL), AvgLoss: %g (MultiTaskLoss), weights ", tot);
        for (int i = 0; i < l->n; i++)
            sk_strbuf_addf(&b, "%g ", l->p[i].weight);
        sk_strbuf_addf(&b, ", values ");
        for (int i = 0; i < l->n; i++)
            sk_strbuf_addf(&b, "%g ", part_avg(&l->p[i]));
        sk_strbuf_addf(&b, "\n");
    }
    return b.s;
}

static void vec_text(sk_strbuf *b, const double *v, int32_t n)
{
    sk_strbuf_addf(b, " [ ");
    for (int32_t i = 0; i < n; i++)
        sk_strbuf_addf(b, "%g ", v[i]);
    sk_strbuf_addf(b, "]\n");
}

char *sk_loss_report_per_class(const sk_loss *l)
{
    sk_strbuf b = SK_STRBUF_INIT;
    const part *p = &l->p[0];
    if (l->multitask || p->kind != LOSS_XENT) {
        sk_strbuf_addf(&b, "%s", "");
        return b.s;
    }
    double *v = malloc(sizeof(double) * ((size_t)p->dim + 1));
    if (!v)
        return b.s;
    sk_strbuf_addf(&b, "PER-CLASS PERFORMANCE:\n@@@ Frames per-class:");
    vec_text(&b, p->frames, p->dim);
    for (int32_t c = 0; c < p->dim; c++)
        v[c] = (p->xent[c] - p->ent[c]) * (1.0 / (p->frames[c] + 0.5));
    sk_strbuf_addf(&b, "@@@ Loss per-class:");
    vec_text(&b, v, p->dim);
    for (int32_t c = 0; c < p->dim; c++)
        v[c] = 100.0 * (p->correct[c] * (1.0 / (p->frames[c] + 0.5)));
    sk_strbuf_addf(&b, "@@@ Frame-accuracy per-class:");
    vec_text(&b, v, p->dim);
    free(v);
    return b.s;
}

double sk_loss_avg(const sk_loss *l)
{
    if (!l->multitask)
        return part_avg(&l->p[0]);
    double tot = 0;
    for (int i = 0; i < l->n; i++)
        tot += l->p[i].weight * part_avg(&l->p[i]);
    return tot;
}

double sk_loss_frame_accuracy(const sk_loss *l)
{
    const part *p = &l->p[0];
    if (p->kind != LOSS_XENT)
        return NAN;
    return 100.0 * sum(p->correct, p->dim) / sum(p->frames, p->dim);
}

/* ---------------------------------------------------------------- data-parallel statistics */

size_t sk_loss_stats_size(const sk_loss *l)
{
    size_t n = 0;
    for (int i = 0; i < l->n; i++)
        n += 4 * ((size_t)l->p[i].dim + 1) + 2;
    return n;
}

static void stats_copy(sk_loss *l, double *v, bool get)
{
    size_t k = 0;
    for (int i = 0; i < l->n; i++) {
        part *p = &l->p[i];
        double *arr[4] = { p->frames, p->xent, p->ent, p->correct };
        size_t m = ((size_t)p->dim + 1) * sizeof(double);
        for (int a = 0; a < 4; a++, k += (size_t)p->dim + 1)
            memcpy(get ? v + k : arr[a], get ? arr[a] : v + k, m);
        if (get) {
            v[k++] = p->loss;
            v[k++] = p->nframes;
        } else {
            p->loss = v[k++];
            p->nframes = v[k++];
        }
    }
}

void sk_loss_stats_get(const sk_loss *l, double *v) { stats_copy((sk_loss *)l, v, true); }
void sk_loss_stats_set(sk_loss *l, const double *v) { stats_copy(l, (double *)v, false); }

/* ---------------------------------------------------------------- data-parallel progress */

void sk_loss_progress_defer(sk_loss *l) { l->defer = true; }
int sk_loss_num_parts(const sk_loss *l) { return l->n; }

void sk_loss_progress_frames(const sk_loss *l, const sk_post_frame *tgt, const float *w,
                             int32_t rows, double *f)
{
    for (int i = 0; i < l->n; i++)
        f[i] = 0;
    for (int32_t t = 0; t < rows; t++)
        for (int i = 0; i < l->n; i++) {
            const part *p = &l->p[i];
            const sk_post_frame *r = &tgt[t];
            double ts = 0;   /* the row's target sum inside the block (dense: last pair wins) */
            bool has = false;
            for (int32_t k = 0; k < r->n; k++) {
                int32_t id = r->pairs[k].id;
                if (id < p->off || id >= p->off + p->dim)
                    continue;
                has = true;
                bool later = false;
                for (int32_t j = k + 1; j < r->n && !later; j++)
                    later = r->pairs[j].id == id;
                if (!later)
                    ts += r->pairs[k].weight;
            }
            double wt = l->multitask && !has ? 0.0 : (double)w[t];
            f[i] += p->kind == LOSS_XENT ? wt * ts * ts : wt;
        }
}

size_t sk_loss_progress_size(const sk_loss *l) { return 4 * (size_t)l->n; }

void sk_loss_progress_get(const sk_loss *l, double *v)
{
    for (int i = 0; i < l->n; i++) {
        const part *p = &l->p[i];
        v[4 * i] = p->p_frames;
        v[4 * i + 1] = p->p_xent;
        v[4 * i + 2] = p->p_ent;
        v[4 * i + 3] = part_total(p);
    }
}

void sk_loss_progress_put(sk_loss *l, const double *v, bool lead, double *pending)
{
    for (int i = 0; i < l->n; i++) {
        part *p = &l->p[i];
        const double *s = v + 4 * i;
        pending[i] = 0;
        p->p_frames = p->p_xent = p->p_ent = 0;
        if (l->report_frames <= 0)
            continue;
        if (s[0] > (double)l->report_frames) {
            progress_report(l, p, s[0], s[1], s[2], s[3], lead);
        } else {
            pending[i] = s[0];
            if (lead) {     /* the block goes on: one worker carries its sums */
                p->p_frames = s[0];
                p->p_xent = s[1];
                p->p_ent = s[2];
            }
        }
    }
}
