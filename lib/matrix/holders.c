/* holders.c — table holders (io/table.h) for float/double matrices and vectors, compressed
 * matrices and the "general" matrix that keeps whichever form it read. Thin adapters over
 * matrix.c and compressed.c.
 */
#include "matrix/holders.h"

#include <string.h>

#include "base/log.h"
#include "io/kio.h"

/* ---- float/double matrices and vectors ---- */

#define ADAPT_STORAGE(P, T)                                                               \
    static void P##_h_init(void *o) { P##_init((T *)o); }                                 \
    static void P##_h_release(void *o) { P##_release((T *)o); }                           \
    static int P##_h_read(FILE *f, bool b, void *o) { return P##_read(f, b, (T *)o); }    \
    static int P##_h_write(FILE *f, bool b, const void *o) { return P##_write(f, b, (const T *)o); } \
    static int P##_h_range(const void *s, const char *r, void *d)                         \
    {                                                                                     \
        return P##_extract_range((const T *)s, r, (T *)d);                                \
    }                                                                                     \
    static int P##_h_copy(const void *s, void *d) { return P##_copy((T *)d, (const T *)s); }

ADAPT_STORAGE(sk_mat, sk_mat)
ADAPT_STORAGE(sk_dmat, sk_dmat)
ADAPT_STORAGE(sk_vec, sk_vec)
ADAPT_STORAGE(sk_dvec, sk_dvec)

const sk_holder sk_holder_mat = {
    .name = "matrix", .size = sizeof(sk_mat), .init = sk_mat_h_init,
    .release = sk_mat_h_release, .read = sk_mat_h_read, .write = sk_mat_h_write,
    .extract_range = sk_mat_h_range, .copy = sk_mat_h_copy,
};
const sk_holder sk_holder_dmat = {
    .name = "matrix", .size = sizeof(sk_dmat), .init = sk_dmat_h_init,
    .release = sk_dmat_h_release, .read = sk_dmat_h_read, .write = sk_dmat_h_write,
    .extract_range = sk_dmat_h_range, .copy = sk_dmat_h_copy,
};
const sk_holder sk_holder_vec = {
    .name = "vector", .size = sizeof(sk_vec), .init = sk_vec_h_init,
    .release = sk_vec_h_release, .read = sk_vec_h_read, .write = sk_vec_h_write,
    .extract_range = sk_vec_h_range, .copy = sk_vec_h_copy,
};
const sk_holder sk_holder_dvec = {
    .name = "vector", .size = sizeof(sk_dvec), .init = sk_dvec_h_init,
    .release = sk_dvec_h_release, .read = sk_dvec_h_read, .write = sk_dvec_h_write,
    .extract_range = sk_dvec_h_range, .copy = sk_dvec_h_copy,
};

/* ---- compressed matrix, kept compressed ---- */

static void cmat_init(void *o) { sk_cmat_init(o); }
static void cmat_release(void *o) { sk_cmat_release(o); }

static int cmat_read(FILE *f, bool binary, void *o)
{
    /* A full matrix (text, or binary FM/DM) is read and compressed with method 1, as Kaldi's
     * CompressedMatrix::Read does. */
    if (binary && sk_peek(f, true) != 'C') {
        sk_mat m;
        sk_mat_init(&m);
        int st = sk_mat_read(f, true, &m);
        if (st == 0)
            st = sk_cmat_compress(&m, 1, o);
        sk_mat_release(&m);
        return st;
    }
    return sk_cmat_read(f, binary, o);
}

static int cmat_write(FILE *f, bool binary, const void *o) { return sk_cmat_write(f, binary, o); }
static int cmat_copy(const void *s, void *d) { return sk_cmat_copy(d, s); }

const sk_holder sk_holder_cmat = {
    .name = "compressed matrix", .size = sizeof(sk_cmat), .init = cmat_init,
    .release = cmat_release, .read = cmat_read, .write = cmat_write, .copy = cmat_copy,
};

/* ---- general matrix ---- */

void sk_gmat_init(sk_gmat *g)
{
    g->compressed = false;
    sk_mat_init(&g->full);
    sk_cmat_init(&g->cm);
}

void sk_gmat_release(sk_gmat *g)
{
    sk_mat_release(&g->full);
    sk_cmat_release(&g->cm);
    g->compressed = false;
}

int sk_gmat_to_mat(const sk_gmat *g, sk_mat *m)
{
    return g->compressed ? sk_cmat_decompress(&g->cm, m) : sk_mat_copy(m, &g->full);
}

int32_t sk_gmat_rows(const sk_gmat *g) { return g->compressed ? g->cm.rows : g->full.rows; }
int32_t sk_gmat_cols(const sk_gmat *g) { return g->compressed ? g->cm.cols : g->full.cols; }

static void gmat_init(void *o) { sk_gmat_init(o); }
static void gmat_release(void *o) { sk_gmat_release(o); }

static int gmat_read(FILE *f, bool binary, void *o)
{
    sk_gmat *g = o;
    sk_gmat_release(g);
    if (binary && sk_peek(f, true) == 'C') {
        g->compressed = true;
        return sk_cmat_read(f, true, &g->cm);
    }
    return sk_mat_read(f, binary, &g->full);
}

static int gmat_write(FILE *f, bool binary, const void *o)
{
    const sk_gmat *g = o;
    return g->compressed ? sk_cmat_write(f, binary, &g->cm) : sk_mat_write(f, binary, &g->full);
}

/* A range of a compressed matrix decompresses only the sub-block; the result is full. */
static int gmat_range(const void *s, const char *range, void *d)
{
    const sk_gmat *src = s;
    sk_gmat *dst = d;
    if (!src->compressed) {
        int st = sk_mat_extract_range(&src->full, range, &dst->full);
        if (st == 0 && dst != src) {
            sk_cmat_release(&dst->cm);
            dst->compressed = false;
        }
        return st;
    }
    int32_t r1, r2, c1, c2;
    if (sk_parse_range(range, src->cm.rows, src->cm.cols, true, &r1, &r2, &c1, &c2) < 0)
        return SK_EINVAL;
    sk_mat m;
    sk_mat_init(&m);
    if (sk_cmat_decompress_block(&src->cm, r1, r2 - r1 + 1, c1, c2 - c1 + 1, &m) < 0)
        return SK_EIO;
    sk_gmat_release(dst);
    dst->full = m;
    return 0;
}

static int gmat_copy(const void *s, void *d)
{
    const sk_gmat *src = s;
    sk_gmat *dst = d;
    if (src == dst)
        return 0;
    sk_gmat_release(dst);
    dst->compressed = src->compressed;
    return src->compressed ? sk_cmat_copy(&dst->cm, &src->cm) : sk_mat_copy(&dst->full, &src->full);
}

const sk_holder sk_holder_gmat = {
    .name = "matrix", .size = sizeof(sk_gmat), .init = gmat_init, .release = gmat_release,
    .read = gmat_read, .write = gmat_write, .extract_range = gmat_range, .copy = gmat_copy,
};

/* ---- table loop ---- */

int sk_mat_table_map(const char *rspec, const char *wspec, sk_mat_map_fn fn, void *ctx)
{
    sk_seq_reader *r = sk_seq_open(rspec, &sk_holder_mat);
    if (!r)
        return SK_EIO;
    sk_writer *w = sk_writer_open(wspec, &sk_holder_mat);
    if (!w) {
        sk_seq_close(r);
        return SK_EIO;
    }
    sk_mat out;
    sk_mat_init(&out);
    int st = 0;
    for (; st == 0 && !sk_seq_done(r); sk_seq_next(r)) {
        const char *key = sk_seq_key(r);
        const sk_mat *in = sk_seq_value(r);
        int k = in ? fn(key, in, &out, ctx) : SK_EIO;
        if (k < 0 || (k > 0 && sk_writer_write(w, key, &out) < 0))
            st = SK_EIO;
    }
    sk_mat_release(&out);
    if (sk_seq_close(r) < 0)
        st = SK_EIO;
    if (sk_writer_close(w) < 0)
        st = SK_EIO;
    return st;
}
