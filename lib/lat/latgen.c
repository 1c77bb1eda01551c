/* latgen.c — lattice-generating token passing and word-level lattice determinization.
 *
 * Search: tokens of all frames are kept in one array (frame by frame, so a frame's tokens are
 * a contiguous range), each with its best forward cost and a list of links (arcs taken, with
 * graph and scaled acoustic cost) to tokens of the same frame (epsilon input) or of the next
 * frame. Pruning during the search uses Kaldi's cutoffs (adaptive beam, max/min active); the
 * lattice beam is applied exactly once at the end by forward-backward over the trellis, which
 * keeps the same arcs as Kaldi's incremental pruning (that pruning is conservative).
 *
 * Determinization: subset construction on the word labels. A subset is a set of (raw state,
 * residual weight, residual transition-id string); from each subset the epsilon-word closure is
 * explored in topological order keeping the best way into each raw state, word arcs are
 * grouped by word, and each group is normalised by its best weight and the common prefix of
 * its strings (which go on the output arc). Weights are compared as Kaldi's LatticeWeight:
 * by graph + acoustic, ties by graph cost. */
#include "lat/latgen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "fst/search.h"
#include "lat/topo.h"

typedef struct {
    int32_t state;
    int32_t first_link;   /* -1: none */
    double cost;
} ltok;

typedef struct {
    int32_t next_tok;
    int32_t ilabel, olabel;
    float g, a;
    int32_t next;         /* next link of the same token, -1 */
} llink;

struct sk_latgen {
    const sk_fst *g;
    sk_latgen_opts o;
    sk_split_arcs arcs;
    ltok *toks;
    int32_t ntoks, cap_toks;
    llink *links;
    int32_t nlinks, cap_links, free_link;
    int32_t *frame_start;  /* [frames + 2]: tokens of frame f are [frame_start[f], frame_start[f+1]) */
    int32_t cap_frames;
    int32_t frames;
    int32_t *map;          /* state -> token of the frame being built, -1 */
    /* Kaldi's hash-list order of the frame being built (fst/search.h): nxt[] links tokens,
     * keyed by their state; ord[] is the finished order. */
    int32_t *nxt;
    int32_t cap_nxt;
    int32_t head;
    sk_hash_order hash;
    int32_t *ord;
    int32_t nord, cap_ord;
    int32_t *queue;
    int32_t cap_queue;
    double *tmp;
    int32_t cap_tmp;
    float *acrow;
    int32_t cap_acrow;
};

void sk_latgen_opts_default(sk_latgen_opts *o)
{
    sk_faster_opts_default(&o->dec);
    o->dec.min_active = 200;
    o->lattice_beam = 10.0f;
    o->prune_interval = 25;
    o->determinize = true;
    o->max_mem = 50000000;
    o->phone_determinize = o->word_determinize = true;
    o->minimize = false;
}

void sk_latgen_opts_register(sk_opts *po, sk_latgen_opts *o)
{
    sk_faster_opts_register(po, &o->dec);
    sk_opts_float(po, "lattice-beam", &o->lattice_beam,
                  "Beam for what the lattice keeps (wider: bigger lattices, slower)");
    sk_opts_int(po, "prune-interval", &o->prune_interval,
                "Prune the lattice tokens every this many frames");
    sk_opts_bool(po, "determinize-lattice", &o->determinize,
                 "Determinize the raw lattice, so each word sequence keeps only its best "
                 "transition-id sequence.");
    sk_opts_double(po, "max-mem", &o->max_mem,
                   "Rough memory limit of determinization in bytes (actual use can be several "
                   "times more).");
    sk_opts_bool(po, "phone-determinize", &o->phone_determinize,
                 "First determinize on phones and words together (see also --word-determinize)");
    sk_opts_bool(po, "word-determinize", &o->word_determinize,
                 "Then determinize on words alone (see also --phone-determinize)");
    sk_opts_bool(po, "minimize", &o->minimize,
                 "Push and minimize the lattice after determinizing it.");
}

int sk_latgen_opts_check(const sk_latgen_opts *o)
{
    if (sk_faster_opts_check(&o->dec) < 0)
        return SK_EINVAL;
    if (!(o->lattice_beam > 0.0f) || o->prune_interval <= 0 || !(o->max_mem > 0)) {
        SK_ERROR("Invalid lattice options: --lattice-beam=%g --prune-interval=%d --max-mem=%g",
                 o->lattice_beam, o->prune_interval, o->max_mem);
        return SK_EINVAL;
    }
    return 0;
}

static void *grow(void *p, int32_t *cap, int32_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    int32_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc *= 2;
    void *np = realloc(p, elem * (size_t)nc);
    if (!np)
        SK_BUG("out of memory (%d elements of %zu bytes)", nc, elem);
    *cap = nc;
    return np;
}

sk_latgen *sk_latgen_new(const sk_fst *g, const sk_latgen_opts *o)
{
    sk_latgen *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->g = g;
    d->o = *o;
    d->free_link = -1;
    int32_t ns = g->num_states;
    d->map = malloc(sizeof(int32_t) * (size_t)(ns > 0 ? ns : 1));
    d->head = -1;
    if (sk_hash_order_init(&d->hash) < 0 || sk_split_arcs_init(&d->arcs, g) < 0 || !d->map) {
        SK_ERROR("out of memory for a decoder over %d states", ns);
        sk_latgen_free(d);
        return NULL;
    }
    for (int32_t s = 0; s < ns; s++)
        d->map[s] = -1;
    return d;
}

void sk_latgen_free(sk_latgen *d)
{
    if (!d)
        return;
    sk_split_arcs_release(&d->arcs);
    free(d->toks);
    free(d->links);
    free(d->frame_start);
    free(d->map);
    free(d->nxt);
    sk_hash_order_release(&d->hash);
    free(d->ord);
    free(d->queue);
    free(d->tmp);
    free(d->acrow);
    free(d);
}

/* ---- search ---- */

static void list_insert(sk_latgen *d, int32_t t)
{
    d->nxt = grow(d->nxt, &d->cap_nxt, t + 1, sizeof(int32_t));
    sk_hash_order_insert(&d->hash, &d->head, d->nxt, (uint32_t)d->toks[t].state, t);
}

/* ord[] := the list of the frame being built, in order. */
static void list_order(sk_latgen *d, int32_t count)
{
    d->ord = grow(d->ord, &d->cap_ord, count + 1, sizeof(int32_t));
    d->nord = 0;
    for (int32_t t = d->head; t >= 0; t = d->nxt[t])
        d->ord[d->nord++] = t;
}

static void hash_clear(sk_latgen *d)
{
    for (int32_t i = 0; i < d->nord; i++)
        sk_hash_order_forget(&d->hash, (uint32_t)d->toks[d->ord[i]].state);
    sk_hash_order_reset(&d->hash);
    d->head = -1;
}

static int32_t find_or_add(sk_latgen *d, int32_t state, double cost, bool *changed)
{
    int32_t t = d->map[state];
    if (t < 0) {
        d->toks = grow(d->toks, &d->cap_toks, d->ntoks + 1, sizeof(ltok));
        t = d->ntoks++;
        d->toks[t] = (ltok){ state, -1, cost };
        d->map[state] = t;
        list_insert(d, t);
        *changed = true;
    } else if (cost < d->toks[t].cost) {
        d->toks[t].cost = cost;
        *changed = true;
    } else {
        *changed = false;
    }
    return t;
}

static void add_link(sk_latgen *d, int32_t from, int32_t to, int32_t il, int32_t ol, float g, float a)
{
    int32_t l;
    if (d->free_link >= 0) {
        l = d->free_link;
        d->free_link = d->links[l].next;
    } else {
        d->links = grow(d->links, &d->cap_links, d->nlinks + 1, sizeof(llink));
        l = d->nlinks++;
    }
    d->links[l] = (llink){ to, il, ol, g, a, d->toks[from].first_link };
    d->toks[from].first_link = l;
}

static void delete_links(sk_latgen *d, int32_t t)
{
    int32_t l = d->toks[t].first_link;
    while (l >= 0) {
        int32_t nx = d->links[l].next;
        d->links[l].next = d->free_link;
        d->free_link = l;
        l = nx;
    }
    d->toks[t].first_link = -1;
}

/* Kaldi's GetCutoff over the tokens of the current frame, in list order (ord). */
static double get_cutoff(sk_latgen *d, float *adaptive_beam, int32_t *best)
{
    const sk_faster_opts *o = &d->o.dec;
    double bc = INFINITY;
    *best = -1;
    d->tmp = grow(d->tmp, &d->cap_tmp, d->nord + 1, sizeof(double));
    for (int32_t i = 0; i < d->nord; i++) {
        int32_t t = d->ord[i];
        double w = d->toks[t].cost;
        d->tmp[i] = w;
        if (w < bc) {
            bc = w;
            *best = t;
        }
    }
    return sk_search_cutoff(o, d->tmp, d->nord, bc, adaptive_beam);
}

static void process_nonemitting(sk_latgen *d, int32_t b, double cutoff)
{
    int32_t qn = 0;
    list_order(d, d->ntoks - b);
    for (int32_t i = 0; i < d->nord; i++) {
        int32_t t = d->ord[i];
        int32_t s = d->toks[t].state;
        if (d->arcs.eps_start[s + 1] > d->arcs.eps_start[s]) {
            d->queue = grow(d->queue, &d->cap_queue, qn + 1, sizeof(int32_t));
            d->queue[qn++] = t;
        }
    }
    while (qn > 0) {
        int32_t t = d->queue[--qn];
        double c = d->toks[t].cost;
        if (c >= cutoff)
            continue;
        delete_links(d, t);
        int32_t s = d->toks[t].state;
        for (uint32_t a = d->arcs.eps_start[s]; a < d->arcs.eps_start[s + 1]; a++) {
            const sk_arc *arc = &d->arcs.eps[a];
            double tot = c + arc->weight;
            if (tot < cutoff) {
                bool changed;
                int32_t nt = find_or_add(d, arc->nextstate, tot, &changed);
                add_link(d, t, nt, 0, arc->olabel, arc->weight, 0.0f);
                int32_t ns = arc->nextstate;
                if (changed && d->arcs.eps_start[ns + 1] > d->arcs.eps_start[ns]) {
                    d->queue = grow(d->queue, &d->cap_queue, qn + 1, sizeof(int32_t));
                    d->queue[qn++] = nt;
                }
            }
        }
    }
    list_order(d, d->ntoks - b);
}

static double process_emitting(sk_latgen *d, const sk_decodable *ac, int32_t f)
{
    int32_t b = d->frame_start[f], e = d->frame_start[f + 1];
    for (int32_t t = b; t < e; t++)
        d->map[d->toks[t].state] = -1;
    float adaptive_beam;
    int32_t best;
    (void)e;
    hash_clear(d);
    double cutoff = get_cutoff(d, &adaptive_beam, &best);
    sk_hash_order_resize(&d->hash, d->nord, d->o.dec.hash_ratio);
    double next_cut = INFINITY;
    sk_search_ac_row(ac, f, d->acrow);
    const int32_t *t2p = ac->tid2pdf;
    if (best >= 0) {
        int32_t s = d->toks[best].state;
        double c = d->toks[best].cost;
        for (uint32_t a = d->arcs.emit_start[s]; a < d->arcs.emit_start[s + 1]; a++) {
            double nw = c + d->acrow[t2p[d->arcs.emit[a].ilabel]] + d->arcs.emit[a].weight;
            if (nw + adaptive_beam < next_cut)
                next_cut = nw + adaptive_beam;
        }
    }
    /* ord[] (this frame's order) is only rebuilt by the non-emitting pass that follows */
    const int32_t nord = d->nord, *ord = d->ord;
    for (int32_t i = 0; i < nord; i++) {
        int32_t t = ord[i];
        double c = d->toks[t].cost;
        if (!(c <= cutoff))
            continue;
        int32_t s = d->toks[t].state;
        for (uint32_t a = d->arcs.emit_start[s]; a < d->arcs.emit_start[s + 1]; a++) {
            const sk_arc *arc = &d->arcs.emit[a];
            float acc = d->acrow[t2p[arc->ilabel]];
            double tot = c + acc + arc->weight;
            if (tot >= next_cut)
                continue;
            if (tot + adaptive_beam < next_cut)
                next_cut = tot + adaptive_beam;
            bool changed;
            int32_t nt = find_or_add(d, arc->nextstate, tot, &changed);
            add_link(d, t, nt, arc->ilabel, arc->olabel, arc->weight, acc);
        }
    }
    return next_cut;
}

/* Kaldi's periodic lattice pruning, done over the whole trellis: a link is dropped when the
 * best path through it to the current frontier is more than the lattice beam worse than the
 * best path to the same frontier token (frontier tokens count as reachable at no cost). This
 * only drops what the exact pruning at the end would drop, and keeps memory bounded on long
 * utterances. Tokens left without links (and not on the frontier) are removed and the arrays
 * compacted. */
static void prune_trellis(sk_latgen *d)
{
    int32_t n = d->ntoks, fb = d->frame_start[d->frames];
    double *ext = malloc(sizeof(double) * (size_t)n);
    int32_t *newid = malloc(sizeof(int32_t) * (size_t)n);
    if (!ext || !newid)
        SK_BUG("out of memory");
    double beam = d->o.lattice_beam;
    /* Backward, frame by frame; epsilon links stay within a frame and may point to tokens made
     * earlier, so a frame is relaxed until nothing changes (as Kaldi's PruneForwardLinks). */
    for (int32_t t = 0; t < n; t++)
        ext[t] = t >= fb ? 0.0 : INFINITY;
    for (int32_t f = d->frames - 1; f >= 0; f--) {
        bool changed = true;
        for (int pass = 0; changed && pass < 1000; pass++) {
            changed = false;
            for (int32_t t = d->frame_start[f + 1] - 1; t >= d->frame_start[f]; t--) {
                double e = ext[t];
                for (int32_t l = d->toks[t].first_link; l >= 0; l = d->links[l].next) {
                    const llink *k = &d->links[l];
                    double x = ext[k->next_tok] + (d->toks[t].cost + ((double)k->g + k->a) - d->toks[k->next_tok].cost);
                    if (x < e)
                        e = x;
                }
                if (e < ext[t]) {
                    ext[t] = e;
                    changed = true;
                }
            }
        }
    }
    /* keep tokens within the beam (always the start token and the frontier) */
    int32_t m = 0;
    for (int32_t t = 0; t < n; t++)
        newid[t] = (t == 0 || t >= fb || ext[t] <= beam) ? m++ : -1;
    /* rebuild links in token order, keeping each token's list order */
    llink *nl = malloc(sizeof(llink) * (size_t)(d->nlinks > 0 ? d->nlinks : 1));
    if (!nl)
        SK_BUG("out of memory");
    int32_t nn = 0;
    for (int32_t t = 0; t < n; t++) {
        if (newid[t] < 0)
            continue;
        int32_t first = -1, prev = -1;
        for (int32_t l = d->toks[t].first_link; l >= 0; l = d->links[l].next) {
            const llink *k = &d->links[l];
            int32_t u = k->next_tok;
            if (newid[u] < 0 || ext[u] + (d->toks[t].cost + ((double)k->g + k->a) - d->toks[u].cost) > beam)
                continue;
            nl[nn] = *k;
            nl[nn].next_tok = newid[u];
            nl[nn].next = -1;
            if (prev >= 0)
                nl[prev].next = nn;
            else
                first = nn;
            prev = nn++;
        }
        d->toks[t].first_link = first;
    }
    free(d->links);
    d->links = nl;
    d->nlinks = nn;
    d->cap_links = nn > 0 ? nn : 1;
    d->free_link = -1;
    for (int32_t t = 0; t < n; t++)
        if (newid[t] >= 0)
            d->toks[newid[t]] = d->toks[t];
    for (int32_t f = 0; f <= d->frames + 1; f++) {
        int32_t x = d->frame_start[f];
        while (x < n && newid[x] < 0)
            x++;
        d->frame_start[f] = x < n ? newid[x] : m;
    }
    d->ntoks = m;
    for (int32_t t = d->frame_start[d->frames]; t < m; t++)
        d->map[d->toks[t].state] = t;
    for (int32_t i = 0; i < d->nord; i++)
        d->ord[i] = newid[d->ord[i]];
    free(ext);
    free(newid);
}

int sk_latgen_decode(sk_latgen *d, const sk_decodable *ac)
{
    /* reset */
    for (int32_t t = d->frames >= 0 && d->frame_start ? d->frame_start[d->frames] : 0; t < d->ntoks; t++)
        d->map[d->toks[t].state] = -1;
    hash_clear(d);
    d->nord = 0;
    d->ntoks = d->nlinks = 0;
    d->free_link = -1;
    d->frames = 0;
    if (d->g->start < 0) {
        SK_ERROR("the decoding graph has no start state");
        return SK_EINVAL;
    }
    d->acrow = grow(d->acrow, &d->cap_acrow, ac->num_cols + 1, sizeof(float));
    d->frame_start = grow(d->frame_start, &d->cap_frames, ac->num_frames + 2, sizeof(int32_t));
    d->frame_start[0] = 0;
    bool changed;
    find_or_add(d, d->g->start, 0.0, &changed);
    process_nonemitting(d, 0, d->o.dec.beam);
    d->frame_start[1] = d->ntoks;
    for (int32_t f = 0; f < ac->num_frames; f++) {
        double cut = process_emitting(d, ac, f);
        process_nonemitting(d, d->frame_start[f + 1], cut);
        d->frame_start[f + 2] = d->ntoks;
        d->frames++;
        if (d->frames % d->o.prune_interval == 0)
            prune_trellis(d);
    }
    return 0;
}

bool sk_latgen_reached_final(const sk_latgen *d)
{
    for (int32_t t = d->frame_start[d->frames]; t < d->frame_start[d->frames + 1]; t++)
        if (d->toks[t].cost != INFINITY && sk_fst_is_final(d->g, d->toks[t].state))
            return true;
    return false;
}

/* The trellis as a graph for sk_topo_order: tokens are nodes, links are edges. Roots go
 * from the last token back to the first: frames are already in order, and within a frame the
 * reversed finishing order then keeps creation order where the links allow. */
static int32_t trellis_root(const void *ctx, int32_t i)
{
    const sk_latgen *d = ctx;
    return d->frame_start[d->frames + 1] - 1 - i;
}
static int32_t trellis_first(const void *ctx, int32_t node)
{
    const sk_latgen *d = ctx;
    return d->toks[node].first_link;
}
static int32_t trellis_next(const void *ctx, int32_t node, int32_t *cursor)
{
    (void)node;
    const sk_latgen *d = ctx;
    int32_t l = *cursor;
    if (l < 0)
        return -1;
    *cursor = d->links[l].next;
    return d->links[l].next_tok;
}

/* Topological order of tokens (links go to the same or the next frame). NULL on a cycle. */
static int32_t *tok_order(const sk_latgen *d)
{
    static const sk_graph_walk walk = { trellis_root, trellis_first, trellis_next };
    int32_t *order = sk_topo_order(d->ntoks, d->frame_start[d->frames + 1], &walk, d);
    if (!order)
        SK_ERROR("the search trellis has a cycle (epsilon cycle in the graph?)");
    return order;
}

int sk_latgen_output(sk_latgen *d, bool use_final, sk_lat *raw, sk_best_path *bp)
{
    int32_t n = d->ntoks;
    if (n == 0)
        return -1;
    int32_t *order = tok_order(d);
    if (!order)
        return -1;
    double *alpha = malloc(sizeof(double) * (size_t)n), *beta = malloc(sizeof(double) * (size_t)n);
    double *fin = malloc(sizeof(double) * (size_t)n);
    int32_t *newid = malloc(sizeof(int32_t) * (size_t)n);
    if (!alpha || !beta || !fin || !newid)
        SK_BUG("out of memory");
    for (int32_t t = 0; t < n; t++)
        newid[t] = -1;
    bool reached = use_final && sk_latgen_reached_final(d);
    int32_t lb = d->frame_start[d->frames], le = d->frame_start[d->frames + 1];
    for (int32_t t = 0; t < n; t++) {
        alpha[t] = INFINITY;
        fin[t] = INFINITY;
        if (t >= lb && t < le)
            fin[t] = reached ? (double)d->g->final[d->toks[t].state] : 0.0;
    }
    alpha[0] = 0.0;
    for (int32_t i = 0; i < n; i++) {
        int32_t t = order[i];
        if (alpha[t] == INFINITY)
            continue;
        for (int32_t l = d->toks[t].first_link; l >= 0; l = d->links[l].next) {
            const llink *k = &d->links[l];
            double c = alpha[t] + ((double)k->g + k->a);
            if (c < alpha[k->next_tok])
                alpha[k->next_tok] = c;
        }
    }
    for (int32_t i = n - 1; i >= 0; i--) {
        int32_t t = order[i];
        double b = fin[t];
        for (int32_t l = d->toks[t].first_link; l >= 0; l = d->links[l].next) {
            const llink *k = &d->links[l];
            double c = ((double)k->g + k->a) + beta[k->next_tok];
            if (c < b)
                b = c;
        }
        beta[t] = b;
    }
    double best = beta[0];
    int st = 0;
    if (best == INFINITY) {
        st = -1;
        goto done;
    }
    double lim = best + d->o.lattice_beam;
    if (raw) {
        sk_lat_release(raw);
        for (int32_t i = 0; i < n; i++) {
            int32_t t = order[i];
            newid[t] = -1;
            if (alpha[t] + beta[t] <= lim)
                newid[t] = sk_lat_add_state(raw);
        }
        raw->start = newid[0];
        for (int32_t i = 0; i < n; i++) {
            int32_t t = order[i];
            if (newid[t] < 0)
                continue;
            if (fin[t] != INFINITY && alpha[t] + fin[t] <= lim)
                raw->states[newid[t]].final = (sk_lw){ (float)fin[t], 0.0f };
            for (int32_t l = d->toks[t].first_link; l >= 0; l = d->links[l].next) {
                const llink *k = &d->links[l];
                int32_t u = k->next_tok;
                if (newid[u] >= 0 && alpha[t] + ((double)k->g + k->a) + beta[u] <= lim)
                    sk_lat_add_arc(raw, newid[t], k->ilabel, k->olabel, k->g, k->a, newid[u]);
            }
        }
        /* Links were prepended: put each state's arcs back in the order they were made. */
        for (int32_t s = 0; s < raw->num_states; s++) {
            sk_lat_state *ls = &raw->states[s];
            for (int32_t i = 0, j = ls->narcs - 1; i < j; i++, j--) {
                sk_larc x = ls->arcs[i];
                ls->arcs[i] = ls->arcs[j];
                ls->arcs[j] = x;
            }
        }
    }
    if (bp) {
        sk_best_path_release(bp);
        int32_t cap = 64;
        bp->alignment = malloc(sizeof(int32_t) * (size_t)cap);
        bp->words = malloc(sizeof(int32_t) * (size_t)cap);
        float gs = 0.0f, as = 0.0f;
        int32_t t = 0;
        for (;;) {
            const llink *bl = NULL;
            double bc = fin[t];
            for (int32_t l = d->toks[t].first_link; l >= 0; l = d->links[l].next) {
                const llink *k = &d->links[l];
                double c = ((double)k->g + k->a) + beta[k->next_tok];
                if (c < bc || (bl && c == bc)) {
                    bc = c;
                    bl = k;
                }
            }
            if (!bl) {
                if (reached)
                    gs += (float)fin[t];
                break;
            }
            if (bp->num_ali + 1 >= cap || bp->num_words + 1 >= cap) {
                cap *= 2;
                bp->alignment = realloc(bp->alignment, sizeof(int32_t) * (size_t)cap);
                bp->words = realloc(bp->words, sizeof(int32_t) * (size_t)cap);
                if (!bp->alignment || !bp->words)
                    SK_BUG("out of memory");
            }
            if (bl->ilabel)
                bp->alignment[bp->num_ali++] = bl->ilabel;
            if (bl->olabel)
                bp->words[bp->num_words++] = bl->olabel;
            gs += bl->g;
            as += bl->a;
            t = bl->next_tok;
        }
        bp->graph_cost = gs;
        bp->ac_cost = as;
    }
done:
    free(order);
    free(alpha);
    free(beta);
    free(fin);
    free(newid);
    return st;
}

/* ---- determinization ---- */

typedef struct {
    int32_t state;
    float g, a;
    uint32_t off;       /* string in the scratch pool */
    int32_t len;
} elem;

/* Kaldi's Compare on LatticeWeight: better = smaller g + a, ties by smaller g. */
static inline bool lw_better(float g1, float a1, float g2, float a2)
{
    float f1 = g1 + a1, f2 = g2 + a2;
    return f1 < f2 || (f1 == f2 && g1 < g2);
}

typedef struct {
    int32_t *v;
    size_t n, cap;
} ivec;

/* Room for len + 1 more ints (may move p->v). */
static void ivec_reserve(ivec *p, int32_t len)
{
    size_t need = p->n + (size_t)len + 1;
    if (need <= p->cap)
        return;
    size_t nc = p->cap ? p->cap : 1024;
    while (nc < need)
        nc *= 2;
    int32_t *nv = realloc(p->v, sizeof(int32_t) * nc);
    if (!nv)
        SK_BUG("out of memory");
    p->v = nv;
    p->cap = nc;
}

/* Appends x[0 .. len) (+ extra when non-zero), room reserved; returns the offset. */
static uint32_t ivec_append(ivec *p, const int32_t *x, int32_t len, int32_t extra)
{
    uint32_t off = (uint32_t)p->n;
    if (len)
        memmove(p->v + p->n, x, sizeof(int32_t) * (size_t)len);
    p->n += (size_t)len;
    if (extra)
        p->v[p->n++] = extra;
    return off;
}

static uint32_t ivec_push(ivec *p, const int32_t *x, int32_t len, int32_t extra)
{
    ivec_reserve(p, len);
    return ivec_append(p, x, len, extra);
}

/* Append p[off .. off+len) (+ extra when non-zero) to p itself; returns the new offset. */
static uint32_t ivec_extend(ivec *p, uint32_t off, int32_t len, int32_t extra)
{
    ivec_reserve(p, len);
    return ivec_append(p, p->v + off, len, extra);
}

/* Subset store: each subset serialised as int32 words (state, g bits, a bits, len, ints...). */
typedef struct {
    ivec blob;              /* all serialised subsets */
    uint32_t *start;        /* [n+1] offsets into blob */
    int32_t n, cap;
    int32_t *hash;          /* open addressing, -1 = empty */
    uint32_t hcap;
} subsets;

static uint64_t hash_words(const int32_t *w, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint32_t)w[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static void subsets_rehash(subsets *S, uint32_t ncap)
{
    free(S->hash);
    S->hash = malloc(sizeof(int32_t) * ncap);
    if (!S->hash)
        SK_BUG("out of memory");
    for (uint32_t i = 0; i < ncap; i++)
        S->hash[i] = -1;
    S->hcap = ncap;
    for (int32_t k = 0; k < S->n; k++) {
        const int32_t *w = S->blob.v + S->start[k];
        size_t len = S->start[k + 1] - S->start[k];
        uint32_t h = (uint32_t)hash_words(w, len) & (ncap - 1);
        while (S->hash[h] >= 0)
            h = (h + 1) & (ncap - 1);
        S->hash[h] = k;
    }
}

/* Find or add the serialised subset w[0..len); *added says which. */
static int32_t subsets_find(subsets *S, const int32_t *w, size_t len, bool *added)
{
    if ((uint32_t)(S->n + 1) * 2 > S->hcap)
        subsets_rehash(S, S->hcap ? S->hcap * 2 : 1024);
    uint32_t h = (uint32_t)hash_words(w, len) & (S->hcap - 1);
    while (S->hash[h] >= 0) {
        int32_t k = S->hash[h];
        size_t kl = S->start[k + 1] - S->start[k];
        if (kl == len && !memcmp(S->blob.v + S->start[k], w, sizeof(int32_t) * len)) {
            *added = false;
            return k;
        }
        h = (h + 1) & (S->hcap - 1);
    }
    if (S->n + 2 > S->cap) {
        S->cap = S->cap ? 2 * S->cap : 256;
        S->start = realloc(S->start, sizeof(uint32_t) * (size_t)S->cap);
        if (!S->start)
            SK_BUG("out of memory");
    }
    if (S->n == 0)
        S->start[0] = 0;
    ivec_push(&S->blob, w, (int32_t)len, 0);
    S->start[S->n + 1] = (uint32_t)S->blob.n;
    S->hash[h] = S->n;
    *added = true;
    return S->n++;
}

static int cmp_elem_state(const void *x, const void *y)
{
    const elem *a = x, *b = y;
    return (a->state > b->state) - (a->state < b->state);
}

typedef struct {
    int32_t label;
    elem e;
} labelled;

static int cmp_labelled(const void *x, const void *y)
{
    const labelled *a = x, *b = y;
    if (a->label != b->label)
        return (a->label > b->label) - (a->label < b->label);
    return (a->e.state > b->e.state) - (a->e.state < b->e.state);
}

/* Binary min-heap of raw state ids. */
static void heap_push(int32_t *h, int32_t *n, int32_t v)
{
    int32_t i = (*n)++;
    h[i] = v;
    while (i > 0 && h[(i - 1) / 2] > h[i]) {
        int32_t p = (i - 1) / 2, x = h[p];
        h[p] = h[i];
        h[i] = x;
        i = p;
    }
}

static int32_t heap_pop(int32_t *h, int32_t *n)
{
    int32_t top = h[0];
    h[0] = h[--(*n)];
    int32_t i = 0;
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && h[l] < h[m])
            m = l;
        if (r < *n && h[r] < h[m])
            m = r;
        if (m == i)
            break;
        int32_t x = h[m];
        h[m] = h[i];
        h[i] = x;
        i = m;
    }
    return top;
}

/* Exact forward-backward pruning of a raw lattice in place (state ids must be topological). */
static void prune_raw(sk_lat *l, double beam)
{
    int32_t n = l->num_states;
    double *al = malloc(sizeof(double) * (size_t)n), *be = malloc(sizeof(double) * (size_t)n);
    if (!al || !be)
        SK_BUG("out of memory");
    for (int32_t s = 0; s < n; s++)
        al[s] = INFINITY;
    al[l->start] = 0;
    for (int32_t s = 0; s < n; s++)
        for (int32_t k = 0; k < l->states[s].narcs; k++) {
            const sk_larc *a = &l->states[s].arcs[k];
            double c = al[s] + ((double)a->w.g + a->w.a);
            if (c < al[a->nextstate])
                al[a->nextstate] = c;
        }
    for (int32_t s = n - 1; s >= 0; s--) {
        const sk_lat_state *st = &l->states[s];
        double b = st->final.g == INFINITY ? INFINITY : (double)st->final.g + st->final.a;
        for (int32_t k = 0; k < st->narcs; k++) {
            double c = ((double)st->arcs[k].w.g + st->arcs[k].w.a) + be[st->arcs[k].nextstate];
            if (c < b)
                b = c;
        }
        be[s] = b;
    }
    double lim = be[l->start] + beam;
    for (int32_t s = 0; s < n; s++) {
        sk_lat_state *st = &l->states[s];
        int32_t m = 0;
        for (int32_t k = 0; k < st->narcs; k++) {
            const sk_larc *a = &st->arcs[k];
            if (al[s] + ((double)a->w.g + a->w.a) + be[a->nextstate] <= lim)
                st->arcs[m++] = *a;
        }
        st->narcs = m;
        if (st->final.g != INFINITY && al[s] + ((double)st->final.g + st->final.a) > lim)
            st->final = (sk_lw){ INFINITY, INFINITY };
    }
    free(al);
    free(be);
}

/* Prune a compact lattice to `beam` and drop states off the surviving paths; states keep
 * their relative order (start first). */
static int prune_clat(sk_clat *c, double beam)
{
    int32_t n = c->num_states;
    if (n == 0)
        return 0;
    /* Output states are created breadth-first; arcs may still go backwards in id, so find a
     * topological order first. */
    int32_t *order = malloc(sizeof(int32_t) * (size_t)n), *stack = malloc(sizeof(int32_t) * (size_t)n),
            *it = malloc(sizeof(int32_t) * (size_t)n);
    int8_t *color = calloc((size_t)n, 1);
    double *al = malloc(sizeof(double) * (size_t)n), *be = malloc(sizeof(double) * (size_t)n);
    int32_t *newid = calloc((size_t)n, sizeof(int32_t));
    if (!order || !stack || !it || !color || !al || !be || !newid)
        SK_BUG("out of memory");
    int32_t pos = n;
    for (int32_t r = n - 1; r >= 0; r--) {
        if (color[r])
            continue;
        int32_t sp = 0;
        stack[sp] = r;
        it[sp++] = 0;
        color[r] = 1;
        while (sp > 0) {
            int32_t s = stack[sp - 1];
            if (it[sp - 1] < c->states[s].narcs) {
                int32_t t = c->states[s].arcs[it[sp - 1]++].nextstate;
                if (!color[t]) {
                    color[t] = 1;
                    stack[sp] = t;
                    it[sp++] = 0;
                }
            } else {
                color[s] = 2;
                order[--pos] = s;
                sp--;
            }
        }
    }
    for (int32_t s = 0; s < n; s++)
        al[s] = INFINITY;
    al[c->start] = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t s = order[i];
        for (int32_t k = 0; k < c->states[s].narcs; k++) {
            const sk_clarc *a = &c->states[s].arcs[k];
            double x = al[s] + ((double)a->w.g + a->w.a);
            if (x < al[a->nextstate])
                al[a->nextstate] = x;
        }
    }
    for (int32_t i = n - 1; i >= 0; i--) {
        int32_t s = order[i];
        const sk_clat_state *st = &c->states[s];
        double b = st->final.g == INFINITY ? INFINITY : (double)st->final.g + st->final.a;
        for (int32_t k = 0; k < st->narcs; k++) {
            double x = ((double)st->arcs[k].w.g + st->arcs[k].w.a) + be[st->arcs[k].nextstate];
            if (x < b)
                b = x;
        }
        be[s] = b;
    }
    double lim = be[c->start] + beam;
    int32_t m = 0;
    for (int32_t s = 0; s < n; s++)
        newid[s] = -1;
    for (int32_t s = 0; s < n; s++)
        if (al[s] + be[s] <= lim)
            newid[s] = m++;
    sk_clat out;
    sk_clat_init(&out);
    out.start = newid[c->start];
    for (int32_t s = 0; s < m; s++)
        sk_clat_add_state(&out);
    for (int32_t s = 0; s < n; s++) {
        if (newid[s] < 0)
            continue;
        const sk_clat_state *st = &c->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            const sk_clarc *a = &st->arcs[k];
            if (newid[a->nextstate] >= 0 &&
                al[s] + ((double)a->w.g + a->w.a) + be[a->nextstate] <= lim)
                sk_clat_add_arc(&out, newid[s], a->ilabel, a->olabel, a->w.g, a->w.a,
                                sk_clat_str(c, &a->w), a->w.len, newid[a->nextstate]);
        }
        if (st->final.g != INFINITY && al[s] + ((double)st->final.g + st->final.a) <= lim)
            sk_clat_set_final(&out, newid[s], st->final.g, st->final.a, sk_clat_str(c, &st->final),
                              st->final.len);
    }
    sk_clat_release(c);
    *c = out;
    free(order);
    free(stack);
    free(it);
    free(color);
    free(al);
    free(be);
    free(newid);
    return 0;
}

/* One attempt; returns 0, or 1 when max_mem was exceeded. */
static int determinize_once(const sk_lat *raw, double max_mem, sk_clat *out)
{
    int32_t n = raw->num_states;
    subsets S = { { NULL, 0, 0 }, NULL, 0, 0, NULL, 0 };
    ivec pool = { NULL, 0, 0 };       /* strings of the subset being expanded */
    ivec ser = { NULL, 0, 0 };        /* serialisation scratch */
    elem *dist = malloc(sizeof(elem) * (size_t)(n > 0 ? n : 1));
    int32_t *stamp = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
    int32_t *heap = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
    labelled *cand = NULL;
    int32_t ncand = 0, capcand = 0;
    elem *grp = NULL;
    int32_t capgrp = 0;
    int ret = 0;
    if (!dist || !stamp || !heap)
        SK_BUG("out of memory");
    for (int32_t s = 0; s < n; s++)
        stamp[s] = -1;
    sk_clat_release(out);
    /* start subset: {(start, 0, 0, "")} */
    int32_t w0[4] = { raw->start, 0, 0, 0 };
    bool added;
    subsets_find(&S, w0, 4, &added);
    sk_clat_add_state(out);
    out->start = 0;
    for (int32_t q = 0; q < S.n; q++) {
        if ((double)S.blob.n * 4 + (double)out->nints * 4 + (double)S.n * 64 > max_mem) {
            ret = 1;
            break;
        }
        pool.n = 0;
        ncand = 0;
        int32_t hn = 0;
        /* seed the closure with the subset's elements */
        uint32_t p = S.start[q], e = S.start[q + 1];
        while (p < e) {
            const int32_t *w = S.blob.v + p;
            elem x;
            x.state = w[0];
            memcpy(&x.g, &w[1], 4);
            memcpy(&x.a, &w[2], 4);
            x.len = w[3];
            x.off = ivec_push(&pool, w + 4, x.len, 0);
            p += 4 + (uint32_t)x.len;
            dist[x.state] = x;
            stamp[x.state] = q;
            heap_push(heap, &hn, x.state);
        }
        float fg = INFINITY, fa = INFINITY;
        uint32_t foff = 0;
        int32_t flen = 0;
        bool have_final = false;
        while (hn > 0) {
            if ((double)(pool.n + S.blob.n + out->nints) * 4 + (double)ncand * sizeof(labelled) > max_mem) {
                ret = 1;
                break;
            }
            int32_t u = heap_pop(heap, &hn);
            elem du = dist[u];
            const sk_lat_state *st = &raw->states[u];
            if (st->final.g != INFINITY) {
                float g = du.g + st->final.g, a = du.a + st->final.a;
                if (!have_final || lw_better(g, a, fg, fa)) {
                    fg = g;
                    fa = a;
                    foff = du.off;
                    flen = du.len;
                    have_final = true;
                }
            }
            for (int32_t k = 0; k < st->narcs; k++) {
                const sk_larc *arc = &st->arcs[k];
                float g = du.g + arc->w.g, a = du.a + arc->w.a;
                if (arc->olabel == 0) {
                    int32_t v = arc->nextstate;
                    if (stamp[v] == q && !lw_better(g, a, dist[v].g, dist[v].a))
                        continue;
                    elem nv = { v, g, a, 0, du.len + (arc->ilabel != 0) };
                    nv.off = ivec_extend(&pool, du.off, du.len, arc->ilabel);
                    if (stamp[v] != q)
                        heap_push(heap, &hn, v);
                    stamp[v] = q;
                    dist[v] = nv;
                } else {
                    if (ncand == capcand) {
                        capcand = capcand ? 2 * capcand : 256;
                        cand = realloc(cand, sizeof(labelled) * (size_t)capcand);
                        if (!cand)
                            SK_BUG("out of memory");
                    }
                    elem nv = { arc->nextstate, g, a, 0, du.len + (arc->ilabel != 0) };
                    nv.off = ivec_extend(&pool, du.off, du.len, arc->ilabel);
                    cand[ncand++] = (labelled){ arc->olabel, nv };
                }
            }
        }
        if (ret)
            break;
        if (have_final)
            sk_clat_set_final(out, q, fg, fa, pool.v + foff, flen);
        /* group the word arcs by label, then destination state */
        if (ncand > 1)
            qsort(cand, (size_t)ncand, sizeof(labelled), cmp_labelled);
        for (int32_t i = 0; i < ncand;) {
            int32_t j = i, lab = cand[i].label, ng = 0;
            while (j < ncand && cand[j].label == lab)
                j++;
            if (j - i > capgrp) {
                capgrp = j - i;
                grp = realloc(grp, sizeof(elem) * (size_t)capgrp);
                if (!grp)
                    SK_BUG("out of memory");
            }
            /* one element per destination state: the best */
            for (int32_t k = i; k < j; k++) {
                const elem *x = &cand[k].e;
                if (ng > 0 && grp[ng - 1].state == x->state) {
                    if (lw_better(x->g, x->a, grp[ng - 1].g, grp[ng - 1].a))
                        grp[ng - 1] = *x;
                } else {
                    grp[ng++] = *x;
                }
            }
            qsort(grp, (size_t)ng, sizeof(elem), cmp_elem_state);
            int32_t bi = 0;
            for (int32_t k = 1; k < ng; k++)
                if (lw_better(grp[k].g, grp[k].a, grp[bi].g, grp[bi].a))
                    bi = k;
            float bg = grp[bi].g, ba = grp[bi].a;
            int32_t pre = grp[0].len;
            for (int32_t k = 1; k < ng; k++) {
                int32_t m = 0, lim = pre < grp[k].len ? pre : grp[k].len;
                while (m < lim && pool.v[grp[0].off + m] == pool.v[grp[k].off + m])
                    m++;
                pre = m;
            }
            ser.n = 0;
            for (int32_t k = 0; k < ng; k++) {
                float rg = grp[k].g - bg, ra = grp[k].a - ba;
                int32_t hdr[4];
                hdr[0] = grp[k].state;
                memcpy(&hdr[1], &rg, 4);
                memcpy(&hdr[2], &ra, 4);
                hdr[3] = grp[k].len - pre;
                ivec_push(&ser, hdr, 4, 0);
                ivec_push(&ser, pool.v + grp[k].off + pre, grp[k].len - pre, 0);
            }
            int32_t dest = subsets_find(&S, ser.v, ser.n, &added);
            if (added)
                sk_clat_add_state(out);
            sk_clat_add_arc(out, q, lab, lab, bg, ba, pool.v + grp[0].off, pre, dest);
            i = j;
        }
    }
    free(S.blob.v);
    free(S.start);
    free(S.hash);
    free(pool.v);
    free(ser.v);
    free(dist);
    free(stamp);
    free(heap);
    free(cand);
    free(grp);
    return ret;
}

int sk_lat_determinize(const sk_lat *raw_in, float beam, double max_mem, sk_clat *out)
{
    sk_clat_release(out);
    if (raw_in->start < 0 || raw_in->num_states == 0)
        return 0;
    for (int32_t s = 0; s < raw_in->num_states; s++)
        for (int32_t k = 0; k < raw_in->states[s].narcs; k++)
            if (raw_in->states[s].arcs[k].nextstate <= s) {
                SK_ERROR("lattice determinization needs a topologically sorted acyclic lattice");
                return SK_EINVAL;
            }
    sk_lat raw = *raw_in; /* shallow: pruning copies below when needed */
    sk_lat pruned;
    sk_lat_init(&pruned);
    double cur = beam;
    int ret = 0;
    const sk_lat *in = &raw;
    for (int attempt = 0;; attempt++) {
        int st = determinize_once(in, max_mem, out);
        if (st == 0)
            break;
        cur *= 0.75;
        ret = 1;
        if (attempt >= 20) {
            SK_WARN("Determinization ran out of memory even with beam %g", cur);
            break;
        }
        /* copy the raw lattice and prune it harder */
        sk_lat_release(&pruned);
        for (int32_t s = 0; s < raw.num_states; s++) {
            sk_lat_add_state(&pruned);
            pruned.states[s].final = raw.states[s].final;
            for (int32_t k = 0; k < raw.states[s].narcs; k++) {
                const sk_larc *a = &raw.states[s].arcs[k];
                sk_lat_add_arc(&pruned, s, a->ilabel, a->olabel, a->w.g, a->w.a, a->nextstate);
            }
        }
        pruned.start = raw.start;
        prune_raw(&pruned, cur);
        in = &pruned;
        SK_WARN("Determinization used more than --max-mem=%g; pruning the raw lattice with "
                "beam %g and redoing determinization", max_mem, cur);
    }
    sk_lat_release(&pruned);
    prune_clat(out, cur);
    return ret;
}
