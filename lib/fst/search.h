/* search.h — the pieces that the two token-passing searches share: the 1-best decoder
 * (fst/decoder.c) and the lattice generator (lat/latgen.c).
 *
 *   sk_split_arcs   a graph's arcs regrouped per state into emitting (ilabel != 0) and
 *                   epsilon arcs, file order kept within each group;
 *   sk_hash_order   the order in which Kaldi's hash list enumerates the tokens of a frame
 *                   (a state joining a bucket that already holds a token goes right after
 *                   that bucket's last token, else at the end), kept as a linked list;
 *   sk_search_cutoff  Kaldi's GetCutoff (beam, --max-active, --min-active, adaptive beam);
 *   sk_search_ac_row  one frame of negated, scaled log-likelihoods, indexed by pdf.
 *
 * Memory: the init functions allocate (0, or SK_EIO with nothing left allocated); release
 * frees. Nothing here prints except sk_hash_order_resize, which stops with SK_BUG when out of
 * memory (as the searches do for their other growing arrays). */
#ifndef SK_FST_SEARCH_H
#define SK_FST_SEARCH_H

#include <stdint.h>

#include "fst/decoder.h"
#include "fst/fst.h"

typedef struct {
    uint32_t *emit_start, *eps_start;   /* [num_states + 1] offsets into emit / eps */
    sk_arc *emit, *eps;
} sk_split_arcs;

int sk_split_arcs_init(sk_split_arcs *s, const sk_fst *g);
void sk_split_arcs_release(sk_split_arcs *s);

/* Items (states or token indices) are linked through the caller's nxt[item]; the caller's
 * list head is *head. A key (the item's state) picks the bucket. */
typedef struct {
    int32_t *bucket_last;   /* [hsize]: last item of each bucket, -1 */
    uint32_t hsize;
    int32_t tail_bucket;    /* bucket of the list's last item, -1 when empty */
} sk_hash_order;

int sk_hash_order_init(sk_hash_order *h);
void sk_hash_order_release(sk_hash_order *h);
/* Inline: it runs once per token created. */
static inline void sk_hash_order_insert(sk_hash_order *h, int32_t *head, int32_t *nxt,
                                        uint32_t key, int32_t item)
{
    uint32_t b = key % h->hsize;
    int32_t last = h->bucket_last[b];
    if (last < 0) {
        if (h->tail_bucket < 0)
            *head = item;
        else
            nxt[h->bucket_last[h->tail_bucket]] = item;
        nxt[item] = -1;
        h->tail_bucket = (int32_t)b;
    } else {
        nxt[item] = nxt[last];
        nxt[last] = item;
    }
    h->bucket_last[b] = item;
}
/* Emptying the hash: forget each key that was inserted, then reset (the list stays). */
static inline void sk_hash_order_forget(sk_hash_order *h, uint32_t key)
{
    h->bucket_last[key % h->hsize] = -1;
}
static inline void sk_hash_order_reset(sk_hash_order *h) { h->tail_bucket = -1; }
/* Kaldi's PossiblyResizeHash (grows to num_toks * hash_ratio buckets); the hash must be empty. */
void sk_hash_order_resize(sk_hash_order *h, int32_t num_toks, float hash_ratio);

/* costs[0..n) are the frame's token costs (reordered), best their minimum (INFINITY if n is
 * 0). Returns the cutoff and sets *adaptive_beam. */
double sk_search_cutoff(const sk_faster_opts *o, double *costs, int32_t n, double best,
                        float *adaptive_beam);

/* out[c] = -(acoustic_scale * loglike[f][c]) for every column c. */
void sk_search_ac_row(const sk_decodable *ac, int32_t f, float *out);

#endif
