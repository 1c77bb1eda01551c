/* search.c — shared pieces of the token-passing searches (search.h). */
#include "fst/search.h"

#include <math.h>
#include <stdlib.h>

#include "base/log.h"

int sk_split_arcs_init(sk_split_arcs *s, const sk_fst *g)
{
    int32_t ns = g->num_states;
    size_t na = (size_t)(g->num_arcs > 0 ? g->num_arcs : 1);
    s->emit_start = malloc(sizeof(uint32_t) * ((size_t)ns + 1));
    s->eps_start = malloc(sizeof(uint32_t) * ((size_t)ns + 1));
    s->emit = malloc(sizeof(sk_arc) * na);
    s->eps = malloc(sizeof(sk_arc) * na);
    if (!s->emit_start || !s->eps_start || !s->emit || !s->eps) {
        sk_split_arcs_release(s);
        return SK_EIO;
    }
    uint32_t ne = 0, nz = 0;
    for (int32_t st = 0; st < ns; st++) {
        s->emit_start[st] = ne;
        s->eps_start[st] = nz;
        for (uint32_t a = g->arc_start[st]; a < g->arc_start[st + 1]; a++) {
            if (g->arcs[a].ilabel != 0)
                s->emit[ne++] = g->arcs[a];
            else
                s->eps[nz++] = g->arcs[a];
        }
    }
    s->emit_start[ns] = ne;
    s->eps_start[ns] = nz;
    return 0;
}

void sk_split_arcs_release(sk_split_arcs *s)
{
    free(s->emit_start);
    free(s->eps_start);
    free(s->emit);
    free(s->eps);
    s->emit_start = s->eps_start = NULL;
    s->emit = s->eps = NULL;
}

int sk_hash_order_init(sk_hash_order *h)
{
    h->hsize = 1000;
    h->tail_bucket = -1;
    h->bucket_last = malloc(sizeof(int32_t) * h->hsize);
    if (!h->bucket_last)
        return SK_EIO;
    for (uint32_t i = 0; i < h->hsize; i++)
        h->bucket_last[i] = -1;
    return 0;
}

void sk_hash_order_release(sk_hash_order *h)
{
    free(h->bucket_last);
    h->bucket_last = NULL;
}

void sk_hash_order_resize(sk_hash_order *h, int32_t num_toks, float hash_ratio)
{
    uint32_t nsz = (uint32_t)((float)num_toks * hash_ratio);
    if (nsz <= h->hsize)
        return;
    int32_t *nb = realloc(h->bucket_last, sizeof(int32_t) * nsz);
    if (!nb)
        SK_BUG("out of memory for a hash of %u buckets", nsz);
    for (uint32_t i = 0; i < nsz; i++)
        nb[i] = -1;
    h->bucket_last = nb;
    h->hsize = nsz;
}

/* k-th smallest (0-based) of a[0..n) by quickselect; reorders a. */
static double kth_smallest(double *a, int32_t n, int32_t k)
{
    int32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double piv = a[lo + (hi - lo) / 2];
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < piv)
                i++;
            while (a[j] > piv)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

double sk_search_cutoff(const sk_faster_opts *o, double *costs, int32_t n, double best,
                        float *adaptive_beam)
{
    if (o->max_active == INT32_MAX && o->min_active == 0) {
        *adaptive_beam = o->beam;
        return best + o->beam;
    }
    double beam_cut = best + o->beam, min_cut = INFINITY, max_cut = INFINITY;
    if (n > o->max_active)
        max_cut = kth_smallest(costs, n, o->max_active);
    if (max_cut < beam_cut) {
        *adaptive_beam = (float)(max_cut - best + o->beam_delta);
        return max_cut;
    }
    if (n > o->min_active) {
        if (o->min_active == 0)
            min_cut = best;
        else
            min_cut = kth_smallest(costs, n > o->max_active ? o->max_active : n, o->min_active);
    }
    if (min_cut > beam_cut) {
        *adaptive_beam = (float)(min_cut - best + o->beam_delta);
        return min_cut;
    }
    *adaptive_beam = o->beam;
    return beam_cut;
}

void sk_search_ac_row(const sk_decodable *ac, int32_t f, float *out)
{
    const float *row = ac->loglikes + (size_t)f * ac->stride;
    for (int32_t c = 0; c < ac->num_cols; c++)
        out[c] = -(ac->acoustic_scale * row[c]);
}
