/* decoder.c — Kaldi's FasterDecoder as a plain C token-passing search.
 *
 * Tokens live in one pool with reference counts (a token is kept while a later token points
 * back to it). The active tokens of a frame are a list of states in creation order, with a
 * state -> token map; replacing a state's token keeps its place, as Kaldi's hash list does
 * when buckets never collide. Costs are doubles summed in Kaldi's order
 * ((prev + graph) + acoustic) so that pruning decisions agree bit for bit. */
#include "fst/decoder.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "fst/search.h"

typedef struct {
    double cost;
    int32_t prev;      /* token index or -1 */
    int32_t refc;
    int32_t ilabel, olabel;
    float gw;          /* graph weight of the arc taken */
    int32_t state;     /* arc.nextstate */
} tok;

typedef struct {     /* one frame's active tokens */
    int32_t *states;   /* in list order (rebuilt from nxt when dirty) */
    int32_t n;
    int32_t *tok_of;   /* [num_states], -1 when absent */
    int32_t *nxt;      /* [num_states]: next state in list order, -1 at the end */
    int32_t head;
    bool dirty;
} toklist;

struct sk_faster_decoder {
    const sk_fst *g;
    sk_faster_opts o;
    sk_split_arcs arcs;
    tok *pool;
    int32_t pool_n, pool_cap, free_head;
    toklist cur, next;
    sk_hash_order hash;   /* list order of the frame being built (search.h) */
    int32_t *queue;
    int32_t queue_cap;
    double *tmp;
    int32_t frames;
    float *acrow;
    int32_t acrow_cap;
};

void sk_faster_opts_default(sk_faster_opts *o)
{
    o->beam = 16.0f;
    o->max_active = INT32_MAX;
    o->min_active = 20;
    o->beam_delta = 0.5f;
    o->hash_ratio = 2.0f;
}

void sk_faster_opts_register(sk_opts *po, sk_faster_opts *o)
{
    sk_opts_float(po, "beam", &o->beam, "Pruning beam of the search (wider: slower but fewer "
                                        "search errors).");
    sk_opts_int(po, "max-active", &o->max_active,
                "Most tokens kept active per frame (more: slower, fewer search errors)");
    sk_opts_int(po, "min-active", &o->min_active,
                "Fewest tokens kept active per frame (no pruning below this).");
    sk_opts_float(po, "beam-delta", &o->beam_delta,
                  "Step by which the decoder widens its beam when it adapts it (rarely changed)");
    sk_opts_float(po, "hash-ratio", &o->hash_ratio,
                  "Size of the decoder's hash table relative to the active tokens");
}

int sk_faster_opts_check(const sk_faster_opts *o)
{
    if (!(o->max_active > 1) || !(o->min_active >= 0) || !(o->min_active < o->max_active)) {
        SK_ERROR("Invalid decoder options: need --max-active > 1 and 0 <= --min-active < "
                 "--max-active, got --max-active=%d --min-active=%d", o->max_active, o->min_active);
        return SK_EINVAL;
    }
    if (!(o->beam > 0.0f) || !(o->hash_ratio >= 1.0f) || isnan(o->beam_delta)) {
        SK_ERROR("Invalid decoder options: --beam=%g --hash-ratio=%g --beam-delta=%g",
                 o->beam, o->hash_ratio, o->beam_delta);
        return SK_EINVAL;
    }
    return 0;
}

int32_t *sk_tid2pdf_table(const sk_trans_model *tm)
{
    int32_t n = sk_tm_num_transition_ids(tm);
    int32_t *t = malloc(sizeof(int32_t) * ((size_t)n + 1));
    if (!t) {
        SK_ERROR("out of memory");
        return NULL;
    }
    t[0] = 0;
    for (int32_t i = 1; i <= n; i++)
        t[i] = sk_tm_tid2pdf(tm, i);
    return t;
}

int sk_decodable_check(const sk_decodable *ac, const sk_fst *g)
{
    for (int64_t a = 0; a < g->num_arcs; a++) {
        int32_t t = g->arcs[a].ilabel;
        if (t < 0 || t > ac->num_tids) {
            SK_ERROR("Graph has input label %d but the transition model has only %d "
                     "transition-ids (wrong graph for this model?)", t, ac->num_tids);
            return SK_EINVAL;
        }
    }
    for (int32_t t = 1; t <= ac->num_tids; t++) {
        if (ac->tid2pdf[t] < 0 || ac->tid2pdf[t] >= ac->num_cols) {
            SK_ERROR("Transition-id %d maps to pdf %d but the likelihood matrix has only %d "
                     "columns", t, ac->tid2pdf[t], ac->num_cols);
            return SK_EINVAL;
        }
    }
    return 0;
}

void sk_best_path_init(sk_best_path *bp)
{
    memset(bp, 0, sizeof *bp);
}

void sk_best_path_release(sk_best_path *bp)
{
    free(bp->alignment);
    free(bp->words);
    sk_best_path_init(bp);
}

/* ---- token pool ---- */

static int32_t tok_new(sk_faster_decoder *d)
{
    int32_t i;
    if (d->free_head >= 0) {
        i = d->free_head;
        d->free_head = d->pool[i].prev;
    } else {
        if (d->pool_n == d->pool_cap) {
            int32_t nc = d->pool_cap ? d->pool_cap * 2 : 1024;
            tok *np = realloc(d->pool, sizeof(tok) * (size_t)nc);
            if (!np)
                SK_BUG("out of memory for decoder tokens (%d)", nc);
            d->pool = np;
            d->pool_cap = nc;
        }
        i = d->pool_n++;
    }
    d->pool[i].refc = 1;
    return i;
}

static void tok_unref(sk_faster_decoder *d, int32_t i)
{
    while (i >= 0 && --d->pool[i].refc == 0) {
        int32_t p = d->pool[i].prev;
        d->pool[i].prev = d->free_head;
        d->free_head = i;
        i = p;
    }
}

static int toklist_init(toklist *l, int32_t ns)
{
    l->states = malloc(sizeof(int32_t) * (size_t)(ns > 0 ? ns : 1));
    l->tok_of = malloc(sizeof(int32_t) * (size_t)(ns > 0 ? ns : 1));
    l->nxt = malloc(sizeof(int32_t) * (size_t)(ns > 0 ? ns : 1));
    l->n = 0;
    l->head = -1;
    l->dirty = false;
    if (!l->states || !l->tok_of || !l->nxt)
        return SK_EIO;
    for (int32_t s = 0; s < ns; s++)
        l->tok_of[s] = -1;
    return 0;
}

static void list_insert(sk_faster_decoder *d, toklist *l, int32_t s)
{
    sk_hash_order_insert(&d->hash, &l->head, l->nxt, (uint32_t)s, s);
    l->n++;
    l->dirty = true;
}

static void list_order(toklist *l)
{
    if (!l->dirty)
        return;
    int32_t i = 0;
    for (int32_t s = l->head; s >= 0; s = l->nxt[s])
        l->states[i++] = s;
    l->dirty = false;
}

/* Empty the hash (the list itself stays). */
static void hash_clear(sk_faster_decoder *d, toklist *l)
{
    list_order(l);
    for (int32_t i = 0; i < l->n; i++)
        sk_hash_order_forget(&d->hash, (uint32_t)l->states[i]);
    sk_hash_order_reset(&d->hash);
}

/* Drop all tokens of a list. */
static void toklist_clear(sk_faster_decoder *d, toklist *l)
{
    for (int32_t i = 0; i < l->n; i++) {
        int32_t s = l->states[i];
        tok_unref(d, l->tok_of[s]);
        l->tok_of[s] = -1;
    }
    l->n = 0;
    l->head = -1;
    l->dirty = false;
}

sk_faster_decoder *sk_faster_decoder_new(const sk_fst *g, const sk_faster_opts *o)
{
    sk_faster_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->g = g;
    d->o = *o;
    d->free_head = -1;
    int32_t ns = g->num_states;
    d->queue_cap = ns + 16;
    d->queue = malloc(sizeof(int32_t) * (size_t)d->queue_cap);
    d->tmp = malloc(sizeof(double) * (size_t)(ns > 0 ? ns : 1));
    if (sk_hash_order_init(&d->hash) < 0 || sk_split_arcs_init(&d->arcs, g) < 0 || !d->queue ||
        !d->tmp || toklist_init(&d->cur, ns) < 0 || toklist_init(&d->next, ns) < 0) {
        SK_ERROR("out of memory for a decoder over %d states", ns);
        sk_faster_decoder_free(d);
        return NULL;
    }
    return d;
}

void sk_faster_decoder_free(sk_faster_decoder *d)
{
    if (!d)
        return;
    sk_split_arcs_release(&d->arcs);
    free(d->pool);
    free(d->cur.states);
    free(d->cur.tok_of);
    free(d->next.states);
    free(d->next.tok_of);
    free(d->cur.nxt);
    free(d->next.nxt);
    sk_hash_order_release(&d->hash);
    free(d->queue);
    free(d->tmp);
    free(d->acrow);
    free(d);
}

/* Kaldi's GetCutoff over the current list: returns the cutoff, sets the adaptive beam and the
 * best token's state (-1 if none). */
static double get_cutoff(sk_faster_decoder *d, float *adaptive_beam, int32_t *best_state)
{
    const toklist *l = &d->cur;
    double best = INFINITY;
    *best_state = -1;
    for (int32_t i = 0; i < l->n; i++) {
        double w = d->pool[l->tok_of[l->states[i]]].cost;
        d->tmp[i] = w;
        if (w < best) {
            best = w;
            *best_state = l->states[i];
        }
    }
    return sk_search_cutoff(&d->o, d->tmp, l->n, best, adaptive_beam);
}

/* Emitting arcs of frame f: cur -> next; returns the cutoff for the non-emitting pass. */
static double process_emitting(sk_faster_decoder *d, const sk_decodable *ac, int32_t f)
{
    float adaptive_beam;
    int32_t best_state;
    hash_clear(d, &d->cur);
    double cutoff = get_cutoff(d, &adaptive_beam, &best_state);
    sk_hash_order_resize(&d->hash, d->cur.n, d->o.hash_ratio);
    double next_cut = INFINITY;
    const int32_t *t2p = ac->tid2pdf;
    const float *acr = d->acrow;
    sk_search_ac_row(ac, f, d->acrow);
    if (best_state >= 0) {
        double c = d->pool[d->cur.tok_of[best_state]].cost;
        for (uint32_t a = d->arcs.emit_start[best_state]; a < d->arcs.emit_start[best_state + 1]; a++) {
            const sk_arc *arc = &d->arcs.emit[a];
            double nw = ((double)arc->weight + c) + (double)acr[t2p[arc->ilabel]];
            if (nw + adaptive_beam < next_cut)
                next_cut = nw + adaptive_beam;
        }
    }
    toklist *nx = &d->next;
    for (int32_t i = 0; i < d->cur.n; i++) {
        int32_t s = d->cur.states[i];
        int32_t ti = d->cur.tok_of[s];
        double c = d->pool[ti].cost;
        if (c < cutoff) {
            for (uint32_t a = d->arcs.emit_start[s]; a < d->arcs.emit_start[s + 1]; a++) {
                const sk_arc *arc = &d->arcs.emit[a];
                double nw = ((double)arc->weight + c) + (double)acr[t2p[arc->ilabel]];
                if (nw < next_cut) {
                    int32_t ns = arc->nextstate;
                    int32_t old = nx->tok_of[ns];
                    if (old < 0 || d->pool[old].cost > nw) {
                        int32_t nt = tok_new(d);
                        tok *t = &d->pool[nt];
                        t->cost = nw;
                        t->prev = ti;
                        t->ilabel = arc->ilabel;
                        t->olabel = arc->olabel;
                        t->gw = arc->weight;
                        t->state = ns;
                        d->pool[ti].refc++;
                        if (old < 0)
                            list_insert(d, nx, ns);
                        else
                            tok_unref(d, old);
                        nx->tok_of[ns] = nt;
                    }
                    if (nw + adaptive_beam < next_cut)
                        next_cut = nw + adaptive_beam;
                }
            }
        }
    }
    toklist_clear(d, &d->cur);
    toklist tmp = d->cur;
    d->cur = d->next;
    d->next = tmp;
    return next_cut;
}

static void process_nonemitting(sk_faster_decoder *d, double cutoff)
{
    toklist *l = &d->cur;
    int32_t qn = 0;
    list_order(l);
    for (int32_t i = 0; i < l->n; i++) {
        if (qn == d->queue_cap) {
            d->queue_cap *= 2;
            d->queue = realloc(d->queue, sizeof(int32_t) * (size_t)d->queue_cap);
            if (!d->queue)
                SK_BUG("out of memory");
        }
        d->queue[qn++] = l->states[i];
    }
    while (qn > 0) {
        int32_t s = d->queue[--qn];
        int32_t ti = l->tok_of[s];
        double c = d->pool[ti].cost;
        if (c > cutoff)
            continue;
        for (uint32_t a = d->arcs.eps_start[s]; a < d->arcs.eps_start[s + 1]; a++) {
            const sk_arc *arc = &d->arcs.eps[a];
            double nw = c + (double)arc->weight;
            if (nw > cutoff)
                continue;
            int32_t ns = arc->nextstate;
            int32_t old = l->tok_of[ns];
            if (old >= 0 && !(d->pool[old].cost > nw))
                continue;
            int32_t nt = tok_new(d);
            tok *t = &d->pool[nt];
            t->cost = nw;
            t->prev = ti;
            t->ilabel = 0;
            t->olabel = arc->olabel;
            t->gw = arc->weight;
            t->state = ns;
            d->pool[ti].refc++;
            if (old < 0)
                list_insert(d, l, ns);
            else
                tok_unref(d, old);
            l->tok_of[ns] = nt;
            if (qn == d->queue_cap) {
                d->queue_cap *= 2;
                d->queue = realloc(d->queue, sizeof(int32_t) * (size_t)d->queue_cap);
                if (!d->queue)
                    SK_BUG("out of memory");
            }
            d->queue[qn++] = ns;
        }
    }
    list_order(l);
}

int sk_faster_decode(sk_faster_decoder *d, const sk_decodable *ac)
{
    hash_clear(d, &d->cur);
    toklist_clear(d, &d->cur);
    toklist_clear(d, &d->next);
    d->frames = 0;
    if (d->g->start < 0) {
        SK_ERROR("the decoding graph has no start state");
        return SK_EINVAL;
    }
    if (ac->num_cols > d->acrow_cap) {
        free(d->acrow);
        d->acrow = malloc(sizeof(float) * (size_t)ac->num_cols);
        if (!d->acrow) {
            d->acrow_cap = 0;
            SK_ERROR("out of memory");
            return SK_EIO;
        }
        d->acrow_cap = ac->num_cols;
    }
    int32_t t0 = tok_new(d);
    tok *t = &d->pool[t0];
    t->cost = 0.0;
    t->prev = -1;
    t->ilabel = t->olabel = 0;
    t->gw = 0.0f;
    t->state = d->g->start;
    list_insert(d, &d->cur, d->g->start);
    d->cur.tok_of[d->g->start] = t0;
    process_nonemitting(d, FLT_MAX);
    for (int32_t f = 0; f < ac->num_frames; f++) {
        double cut = process_emitting(d, ac, f);
        process_nonemitting(d, cut);
        d->frames++;
    }
    return 0;
}

int32_t sk_faster_num_frames(const sk_faster_decoder *d)
{
    return d->frames;
}

bool sk_faster_reached_final(const sk_faster_decoder *d)
{
    for (int32_t i = 0; i < d->cur.n; i++) {
        int32_t s = d->cur.states[i];
        if (d->pool[d->cur.tok_of[s]].cost != INFINITY && sk_fst_is_final(d->g, s))
            return true;
    }
    return false;
}

bool sk_faster_best_path(const sk_faster_decoder *d, bool use_final, sk_best_path *bp)
{
    sk_best_path_release(bp);
    bool is_final = sk_faster_reached_final(d);
    int32_t best = -1;
    if (!is_final) {
        for (int32_t i = 0; i < d->cur.n; i++) {
            int32_t ti = d->cur.tok_of[d->cur.states[i]];
            if (best < 0 || d->pool[best].cost > d->pool[ti].cost)
                best = ti;
        }
    } else {
        double bc = INFINITY;
        for (int32_t i = 0; i < d->cur.n; i++) {
            int32_t s = d->cur.states[i];
            int32_t ti = d->cur.tok_of[s];
            double c = d->pool[ti].cost + (double)d->g->final[s];
            if (c < bc && c != INFINITY) {
                bc = c;
                best = ti;
            }
        }
    }
    if (best < 0)
        return false;
    int32_t len = 0;
    for (int32_t ti = best; d->pool[ti].prev >= 0; ti = d->pool[ti].prev)
        len++;
    bp->alignment = malloc(sizeof(int32_t) * (size_t)(len + 1));
    bp->words = malloc(sizeof(int32_t) * (size_t)(len + 1));
    if (!bp->alignment || !bp->words)
        SK_BUG("out of memory");
    /* Walk back, then reverse; costs are summed forwards as Kaldi's path weight is. */
    int32_t *path = malloc(sizeof(int32_t) * (size_t)(len + 1));
    if (!path)
        SK_BUG("out of memory");
    int32_t k = len;
    for (int32_t ti = best; d->pool[ti].prev >= 0; ti = d->pool[ti].prev)
        path[--k] = ti;
    float gsum = 0.0f, asum = 0.0f;
    for (int32_t i = 0; i < len; i++) {
        const tok *t = &d->pool[path[i]];
        float tot = (float)(t->cost - d->pool[t->prev].cost);
        float gc = t->gw, acc = tot - gc;
        gsum += gc;
        asum += acc;
        if (t->ilabel)
            bp->alignment[bp->num_ali++] = t->ilabel;
        if (t->olabel)
            bp->words[bp->num_words++] = t->olabel;
    }
    free(path);
    if (is_final && use_final)
        gsum += d->g->final[d->pool[best].state];
    bp->graph_cost = gsum;
    bp->ac_cost = asum;
    return true;
}
