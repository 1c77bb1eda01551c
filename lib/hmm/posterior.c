/* posterior.c — pdf-level and silence-weighted posteriors.
 *
 * The pdf conversion reproduces the iteration order of the std::unordered_map<int32, float>
 * that Kaldi fills per frame (GCC's libstdc++: identity hash, prime bucket counts starting at
 * 13, a new key going to the front of its bucket or, in an empty bucket, to the front of the
 * node list; rehashing rebuilds the list the same way). Only the order of the pairs depends on
 * this; the values do not.
 */
#include "hmm/posterior.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"

int sk_post_check_tids(const sk_trans_model *tm, const sk_post *post, const char *key)
{
    for (int32_t t = 0; t < post->n; t++)
        for (int32_t j = 0; j < post->frames[t].n; j++) {
            int32_t tid = post->frames[t].pairs[j].id;
            if (!sk_tm_is_valid_tid(tm, tid)) {
                SK_ERROR("Transition-id %d at frame %d of utterance %s is out of range [1, %d] "
                         "(posteriors made with a different model?)", (int)tid, (int)t,
                         key ? key : "", (int)sk_tm_num_transition_ids(tm));
                return SK_EIO;
            }
        }
    return 0;
}

/* ---- a model of libstdc++'s unordered_map node order ---- */

#define NIL (-1)
#define BEFORE_BEGIN (-2)
#define EMPTY (-3)

typedef struct {
    int32_t *key;
    float *val;
    int32_t *next;
    int32_t n, cap;
    int32_t *buckets;       /* per bucket: the node before its first node, or EMPTY */
    int32_t nbuckets;
    int32_t first;          /* _M_before_begin._M_nxt */
    size_t next_resize;
} umap;

static int32_t *next_of(umap *m, int32_t node)
{
    return node == BEFORE_BEGIN ? &m->first : &m->next[node];
}

static int32_t bucket_of(const umap *m, int32_t key)
{
    /* std::hash<int> is the value itself, converted to size_t. */
    return (int32_t)((size_t)(int64_t)key % (size_t)m->nbuckets);
}

/* _Prime_rehash_policy::_M_next_bkt. */
static size_t next_bkt(umap *m, size_t n)
{
    static const unsigned char fast[] = { 2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13 };
    if (n < sizeof fast) {
        if (n == 0)
            return 1;
        m->next_resize = fast[n];
        return fast[n];
    }
    /* The prime list holds every prime in this range; beyond a few hundred it is sparser, but
     * no frame has that many distinct pdfs in practice. */
    for (size_t p = n < 17 ? 17 : n;; p++) {
        bool prime = true;
        for (size_t d = 2; d * d <= p; d++)
            if (p % d == 0) {
                prime = false;
                break;
            }
        if (prime) {
            m->next_resize = p;
            return p;
        }
    }
}

static int rehash(umap *m, size_t nb)
{
    int32_t *b = malloc(sizeof(int32_t) * nb);
    if (!b)
        return SK_EIO;
    for (size_t i = 0; i < nb; i++)
        b[i] = EMPTY;
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = (int32_t)nb;
    int32_t p = m->first, bbegin_bkt = 0;
    m->first = NIL;
    while (p != NIL) {
        int32_t nx = m->next[p], bkt = bucket_of(m, m->key[p]);
        if (b[bkt] == EMPTY) {
            m->next[p] = m->first;
            m->first = p;
            b[bkt] = BEFORE_BEGIN;
            if (m->next[p] != NIL)
                b[bbegin_bkt] = p;
            bbegin_bkt = bkt;
        } else {
            m->next[p] = *next_of(m, b[bkt]);
            *next_of(m, b[bkt]) = p;
        }
        p = nx;
    }
    return 0;
}

static void umap_reset(umap *m)
{
    m->n = 0;
    m->nbuckets = 1;
    m->buckets[0] = EMPTY;
    m->first = NIL;
    m->next_resize = 0;
}

/* Adds w to key's value, inserting the key as libstdc++ would. */
static int umap_add(umap *m, int32_t key, float w)
{
    for (int32_t i = 0; i < m->n; i++)
        if (m->key[i] == key) {
            m->val[i] += w;
            return 0;
        }
    if (m->n == m->cap) {
        int32_t nc = m->cap ? 2 * m->cap : 16;
        int32_t *k = realloc(m->key, sizeof(int32_t) * (size_t)nc);
        if (k)
            m->key = k;
        float *v = realloc(m->val, sizeof(float) * (size_t)nc);
        if (v)
            m->val = v;
        int32_t *x = realloc(m->next, sizeof(int32_t) * (size_t)nc);
        if (x)
            m->next = x;
        if (!k || !v || !x)
            return SK_EIO;
        m->cap = nc;
    }
    /* _M_need_rehash(n_bkt, n_elt, 1) */
    size_t n_elt = (size_t)m->n;
    if (n_elt + 1 > m->next_resize) {
        size_t min_bkts = n_elt + 1;
        if (m->next_resize == 0 && min_bkts < 11)
            min_bkts = 11;
        if (min_bkts >= (size_t)m->nbuckets) {
            size_t want = min_bkts + 1, grow = (size_t)m->nbuckets * 2;
            if (rehash(m, next_bkt(m, want > grow ? want : grow)) < 0)
                return SK_EIO;
        } else {
            m->next_resize = (size_t)m->nbuckets;
        }
    }
    int32_t node = m->n++;
    m->key[node] = key;
    m->val[node] = w;
    int32_t bkt = bucket_of(m, key);
    if (m->buckets[bkt] != EMPTY) {
        m->next[node] = *next_of(m, m->buckets[bkt]);
        *next_of(m, m->buckets[bkt]) = node;
    } else {
        m->next[node] = m->first;
        m->first = node;
        if (m->next[node] != NIL)
            m->buckets[bucket_of(m, m->key[m->next[node]])] = node;
        m->buckets[bkt] = BEFORE_BEGIN;
    }
    return 0;
}

int sk_post_to_pdf_post(const sk_trans_model *tm, const sk_post *in, sk_post *out,
                        const char *key)
{
    sk_post_release(out);
    if (sk_post_check_tids(tm, in, key) < 0)
        return SK_EIO;
    if (sk_post_resize(out, in->n) < 0)
        return SK_EIO;
    umap m;
    memset(&m, 0, sizeof m);
    int st = 0;
    m.buckets = malloc(sizeof(int32_t));
    if (!m.buckets)
        st = SK_EIO;
    for (int32_t t = 0; t < in->n && st == 0; t++) {
        umap_reset(&m);
        for (int32_t j = 0; j < in->frames[t].n && st == 0; j++)
            st = umap_add(&m, sk_tm_tid2pdf(tm, in->frames[t].pairs[j].id),
                          in->frames[t].pairs[j].weight);
        for (int32_t p = m.first; p != NIL && st == 0; p = m.next[p])
            if (m.val[p] != 0.0f)
                st = sk_post_frame_add(&out->frames[t], m.key[p], m.val[p]);
    }
    free(m.key);
    free(m.val);
    free(m.next);
    free(m.buckets);
    if (st < 0) {
        SK_ERROR("out of memory converting posteriors of utterance %s", key ? key : "");
        sk_post_release(out);
    }
    return st;
}

static bool is_sil(const sk_trans_model *tm, const bool *flags, int32_t nflags, int32_t tid)
{
    int32_t phone = sk_tm_tid2phone(tm, tid);
    return phone >= 0 && phone < nflags && flags[phone];
}

int sk_post_weight_silence(const sk_trans_model *tm, const bool *is_silence, int32_t num_flags,
                           float scale, bool distribute, sk_post *post, const char *key)
{
    if (sk_post_check_tids(tm, post, key) < 0)
        return SK_EIO;
    for (int32_t t = 0; t < post->n; t++) {
        sk_post_frame *fr = &post->frames[t];
        if (!distribute) {
            int32_t k = 0;
            for (int32_t j = 0; j < fr->n; j++) {
                sk_post_pair p = fr->pairs[j];
                if (is_sil(tm, is_silence, num_flags, p.id)) {
                    if (scale == 0.0f)
                        continue;
                    p.weight *= scale;
                }
                fr->pairs[k++] = p;
            }
            fr->n = k;
            continue;
        }
        float sil = 0.0f, nonsil = 0.0f;
        for (int32_t j = 0; j < fr->n; j++) {
            if (is_sil(tm, is_silence, num_flags, fr->pairs[j].id))
                sil += fr->pairs[j].weight;
            else
                nonsil += fr->pairs[j].weight;
        }
        if (!(sil >= 0.0f && nonsil >= 0.0f)) {
            SK_ERROR("Utterance %s, frame %d: negative posteriors cannot be weighted with "
                     "--distribute=true", key ? key : "", (int)t);
            return SK_EIO;
        }
        if (sil + nonsil == 0.0f)
            continue;
        float frame_scale = (sil * scale + nonsil) / (sil + nonsil);
        if (frame_scale == 0.0f)
            fr->n = 0;
        else
            for (int32_t j = 0; j < fr->n; j++)
                fr->pairs[j].weight *= frame_scale;
    }
    return 0;
}
