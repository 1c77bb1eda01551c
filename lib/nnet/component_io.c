/* component_io.c — per-type data of nnet1 components in Kaldi's model format (spec §3),
 * prototype initialisation (§2) and the Info()/InfoGradient() texts of nnet-info and the
 * training log. Parameters live in backend memory; they travel through a host sk_mat. */
#include "nnet/component.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/kio.h"
#include "matrix/matrix.h"
#include "nnet/nnet.h"
#include "nnet/proto.h"

/* ------------------------------------------------------------------ params <-> host */

/* Binary FM/DM (matrix) or FV/DV (vector) of exactly rows x cols, read straight into the
 * host buffer h (stride cols). The dims are checked before anything is allocated, so a
 * corrupt header cannot trigger a huge allocation. */
static int read_binary_param(sk_component *c, sk_param *p, FILE *f, bool is_mat, float *h)
{
    char tok[SK_TOKEN_MAX + 1];
    int32_t rows = 1, cols;
    if (sk_read_token(f, true, tok) < 0)
        return SK_EIO;
    bool dbl = tok[0] == 'D';
    if (strcmp(tok + 1, is_mat ? "M" : "V") || (tok[0] != 'F' && tok[0] != 'D')) {
        SK_ERROR("%s: expected the %s %s, found token '%s'", c->ops->marker, p->name,
                 is_mat ? "matrix (FM)" : "vector (FV)", tok);
        return SK_EIO;
    }
    if ((is_mat && sk_read_int32(f, true, &rows) < 0) || sk_read_int32(f, true, &cols) < 0)
        return SK_EIO;
    if (rows != p->val.rows || cols != p->val.cols) {
        SK_ERROR("%s: %s is %dx%d, expected %dx%d", c->ops->marker, p->name, rows, cols,
                 p->val.rows, p->val.cols);
        return SK_EIO;
    }
    size_t n = (size_t)rows * cols;
    if (!dbl) {
        if (fread(h, sizeof(float), n, f) != n)
            goto short_read;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        double d;
        if (fread(&d, sizeof d, 1, f) != 1)
            goto short_read;
        h[i] = (float)d;
    }
    return 0;
short_read:
    SK_ERROR("%s: the %s is truncated", c->ops->marker, p->name);
    return SK_EIO;
}

static int read_param_mat(sk_component *c, int i, FILE *f, bool binary)
{
    sk_mat m;
    sk_mat_init(&m);
    sk_param *p = &c->p[i];
    if (binary) {
        float *h = malloc(sizeof(float) * ((size_t)p->val.rows * p->val.cols + 1));
        int st = h ? read_binary_param(c, p, f, true, h) : SK_EIO;
        if (st == 0)
            c->be->upload(c->be, &p->val, h, p->val.cols);
        free(h);
        return st;
    }
    if (sk_mat_read(f, binary, &m) < 0) {
        SK_ERROR("%s: cannot read the %s matrix", c->ops->marker, p->name);
        sk_mat_release(&m);
        return SK_EIO;
    }
    if (m.rows != p->val.rows || m.cols != p->val.cols) {
        SK_ERROR("%s: %s matrix is %dx%d, expected %dx%d", c->ops->marker, p->name, m.rows,
                 m.cols, p->val.rows, p->val.cols);
        sk_mat_release(&m);
        return SK_EIO;
    }
    c->be->upload(c->be, &p->val, m.data, m.stride);
    sk_mat_release(&m);
    return 0;
}

static int read_param_vec(sk_component *c, int i, FILE *f, bool binary)
{
    sk_vec v;
    sk_vec_init(&v);
    sk_param *p = &c->p[i];
    if (binary) {
        float *h = malloc(sizeof(float) * ((size_t)p->val.cols + 1));
        int st = h ? read_binary_param(c, p, f, false, h) : SK_EIO;
        if (st == 0)
            c->be->upload(c->be, &p->val, h, p->val.cols);
        free(h);
        return st;
    }
    if (sk_vec_read(f, binary, &v) < 0) {
        SK_ERROR("%s: cannot read the %s vector", c->ops->marker, p->name);
        sk_vec_release(&v);
        return SK_EIO;
    }
    if (v.dim != p->val.cols) {
        SK_ERROR("%s: %s vector has dim %d, expected %d", c->ops->marker, p->name, v.dim,
                 p->val.cols);
        sk_vec_release(&v);
        return SK_EIO;
    }
    c->be->upload(c->be, &p->val, v.data, v.dim);
    sk_vec_release(&v);
    return 0;
}

static int download_mat(const sk_backend *be, const sk_bmat *src, sk_mat *m)
{
    sk_mat_init(m);
    if (sk_mat_resize(m, src->rows, src->cols) < 0)
        return SK_EIO;
    be->download(be, m->data, m->stride, src);
    be->sync(be);
    return 0;
}

static int write_param_mat(const sk_component *c, int i, FILE *f, bool binary)
{
    sk_mat m;
    if (download_mat(c->be, &c->p[i].val, &m) < 0)
        return SK_EIO;
    int st = sk_mat_write(f, binary, &m);
    sk_mat_release(&m);
    return st;
}

static int write_param_vec(const sk_component *c, int i, FILE *f, bool binary)
{
    sk_mat m;
    if (download_mat(c->be, &c->p[i].val, &m) < 0)
        return SK_EIO;
    sk_vec v = { m.data, m.cols, false };
    int st = sk_vec_write(f, binary, &v);
    sk_mat_release(&m);
    return st;
}

static int write_tok_float(FILE *f, bool binary, const char *tok, float v)
{
    return sk_write_token(f, binary, tok) < 0 || sk_write_float(f, binary, v) < 0 ? SK_EIO : 0;
}
static int write_tok_int(FILE *f, bool binary, const char *tok, int32_t v)
{
    return sk_write_token(f, binary, tok) < 0 || sk_write_int32(f, binary, v) < 0 ? SK_EIO : 0;
}
static int nl(FILE *f, bool binary) { return binary || fputc('\n', f) != EOF ? 0 : SK_EIO; }

static int read_tok_float(FILE *f, bool binary, const char *tok, float *v)
{
    if (sk_expect_token(f, binary, tok) < 0 || sk_read_float(f, binary, v) < 0)
        return SK_EIO;
    return 0;
}
static int read_tok_int(FILE *f, bool binary, const char *tok, int32_t *v)
{
    if (sk_expect_token(f, binary, tok) < 0 || sk_read_int32(f, binary, v) < 0)
        return SK_EIO;
    return 0;
}

/* ------------------------------------------------------------------ read */

/* <LearnRateCoef>/<BiasLearnRateCoef>/<MaxNorm> in any order (Affine, Linear, Conv). */
static int read_coefs(sk_component *c, FILE *f, bool binary)
{
    char tok[SK_TOKEN_MAX + 1];
    for (;;) {
        int ch = sk_peek(f, binary);
        if (ch != '<')
            return 0;
        int t = sk_peek_token(f, binary);
        if (t != 'L' && t != 'B' && t != 'M')
            return 0;
        float v;
        if (sk_read_token(f, binary, tok) < 0 || sk_read_float(f, binary, &v) < 0)
            return SK_EIO;
        if (!strcmp(tok, "<LearnRateCoef>"))
            c->p[0].lr_coef = v;
        else if (!strcmp(tok, "<BiasLearnRateCoef>") && c->n_params > 1)
            c->p[1].lr_coef = v;
        else if (!strcmp(tok, "<MaxNorm>"))
            c->max_norm = v;
        else {
            SK_ERROR("%s: unknown token %s", c->ops->marker, tok);
            return SK_EIO;
        }
    }
}

static int read_ivec(sk_component *c, FILE *f, bool binary)
{
    free(c->ivec);
    c->ivec = NULL;
    if (sk_read_int32_vector(f, binary, &c->ivec, &c->n_ivec) < 0) {
        SK_ERROR("%s: cannot read the integer vector", c->ops->marker);
        return SK_EIO;
    }
    c->idx_rows = -1;
    return 0;
}

static int check_ivec(sk_component *c)
{
    sk_component_type t = c->ops->type;
    int64_t s = 0;
    for (int32_t i = 0; i < c->n_ivec; i++) {
        s += c->ivec[i];
        if (t == SK_COPY && (c->ivec[i] < 0 || c->ivec[i] >= c->in_dim)) {
            SK_ERROR("<Copy>: index %d out of range 1..%d", c->ivec[i] + 1, c->in_dim);
            return SK_EIO;
        }
        if (t == SK_BLOCK_SOFTMAX && c->ivec[i] <= 0) {
            SK_ERROR("<BlockSoftmax>: bad block dim %d", c->ivec[i]);
            return SK_EIO;
        }
    }
    if ((t == SK_SPLICE && (int64_t)c->n_ivec * c->in_dim != c->out_dim) ||
        (t == SK_COPY && c->n_ivec != c->out_dim) ||
        (t == SK_BLOCK_SOFTMAX && (s != c->out_dim || c->in_dim != c->out_dim))) {
        SK_ERROR("%s: %d entries do not fit input-dim %d, output-dim %d", c->ops->marker,
                 c->n_ivec, c->in_dim, c->out_dim);
        return SK_EIO;
    }
    return 0;
}

int sk_component_read_data(sk_component *c, FILE *f, bool binary)
{
    switch (c->ops->type) {
    case SK_AFFINE:
        if (read_coefs(c, f, binary) < 0 || read_param_mat(c, 0, f, binary) < 0 ||
            read_param_vec(c, 1, f, binary) < 0)
            return SK_EIO;
        return 0;
    case SK_LINEAR:
        if (read_coefs(c, f, binary) < 0 || read_param_mat(c, 0, f, binary) < 0)
            return SK_EIO;
        return 0;
    case SK_CONVOLUTIONAL:
        if (read_tok_int(f, binary, "<PatchDim>", &c->k[0]) < 0 ||
            read_tok_int(f, binary, "<PatchStep>", &c->k[1]) < 0 ||
            read_tok_int(f, binary, "<PatchStride>", &c->k[2]) < 0)
            return SK_EIO;
        if (sk_component_setup(c) < 0 || read_coefs(c, f, binary) < 0 ||
            sk_expect_token(f, binary, "<Filters>") < 0 || read_param_mat(c, 0, f, binary) < 0 ||
            sk_expect_token(f, binary, "<Bias>") < 0 || read_param_vec(c, 1, f, binary) < 0)
            return SK_EIO;
        return 0;
    case SK_MAX_POOLING:
    case SK_AVERAGE_POOLING:
        if (read_tok_int(f, binary, "<PoolSize>", &c->k[0]) < 0 ||
            read_tok_int(f, binary, "<PoolStep>", &c->k[1]) < 0 ||
            read_tok_int(f, binary, "<PoolStride>", &c->k[2]) < 0)
            return SK_EIO;
        return sk_component_setup(c);
    case SK_ADD_SHIFT:
    case SK_RESCALE:
        if (sk_peek(f, binary) == '<' && sk_peek_token(f, binary) == 'L' &&
            read_tok_float(f, binary, "<LearnRateCoef>", &c->p[0].lr_coef) < 0)
            return SK_EIO;
        return read_param_vec(c, 0, f, binary);
    case SK_PRELU:
        while (sk_peek(f, binary) == '<') {
            int t = sk_peek_token(f, binary);
            if (t == 'A') {
                if (read_tok_float(f, binary, "<AlphaLearnRateCoef>", &c->p[0].lr_coef) < 0)
                    return SK_EIO;
            } else if (t == 'B') {
                if (read_tok_float(f, binary, "<BetaLearnRateCoef>", &c->p[1].lr_coef) < 0)
                    return SK_EIO;
            } else {
                break;
            }
        }
        if (read_param_vec(c, 0, f, binary) < 0 || read_param_vec(c, 1, f, binary) < 0)
            return SK_EIO;
        return 0;
    case SK_DROPOUT: {
        char tok[SK_TOKEN_MAX + 1];
        while (sk_peek(f, binary) == '<') {
            if (sk_read_token(f, binary, tok) < 0)
                return SK_EIO;
            if (!strcmp(tok, "<DropoutRate>")) {
                if (sk_read_float(f, binary, &c->rate) < 0)
                    return SK_EIO;
            } else if (!strcmp(tok, "<DropoutRetention>")) {
                float r;
                if (sk_read_float(f, binary, &r) < 0)
                    return SK_EIO;
                c->rate = 1.0f - r;
            } else if (!strcmp(tok, "<!EndOfComponent>")) {
                break;
            } else {
                SK_ERROR("<Dropout>: unknown token %s", tok);
                return SK_EIO;
            }
        }
        if (!(c->rate >= 0 && c->rate < 1)) {
            SK_ERROR("<Dropout>: the rate must be in [0, 1), got %g", c->rate);
            return SK_EIO;
        }
        return 0;
    }
    case SK_SPLICE:
    case SK_BLOCK_SOFTMAX:
        if (read_ivec(c, f, binary) < 0)
            return SK_EIO;
        return check_ivec(c);
    case SK_COPY:
        if (read_ivec(c, f, binary) < 0)
            return SK_EIO;
        for (int32_t i = 0; i < c->n_ivec; i++)
            c->ivec[i]--;
        return check_ivec(c);
    case SK_PARALLEL: {
        int32_t k;
        if (read_tok_int(f, binary, "<NestedNnetCount>", &k) < 0)
            return SK_EIO;
        if (k <= 0 || k > 1000) {
            SK_ERROR("<ParallelComponent>: bad nested count %d", k);
            return SK_EIO;
        }
        c->nested = calloc((size_t)k, sizeof *c->nested);
        if (!c->nested)
            return SK_EIO;
        int32_t isum = 0, osum = 0;
        for (int32_t i = 0; i < k; i++) {
            int32_t idx;
            if (read_tok_int(f, binary, "<NestedNnet>", &idx) < 0)
                return SK_EIO;
            c->nested[i] = sk_nnet_new(c->be);
            if (!c->nested[i])
                return SK_EIO;
            c->n_nested = i + 1;
            if (sk_nnet_read(c->nested[i], f, binary) < 0)
                return SK_EIO;
            isum += sk_nnet_input_dim(c->nested[i]);
            osum += sk_nnet_output_dim(c->nested[i]);
        }
        if (sk_expect_token(f, binary, "</ParallelComponent>") < 0)
            return SK_EIO;
        if (isum != c->in_dim || osum != c->out_dim) {
            SK_ERROR("<ParallelComponent>: nested nets have dims %d -> %d, component %d -> %d",
                     isum, osum, c->in_dim, c->out_dim);
            return SK_EIO;
        }
        return 0;
    }
    default:
        return 0;   /* activations: no data */
    }
}

/* ------------------------------------------------------------------ write */

int sk_component_write_data(const sk_component *c, FILE *f, bool binary)
{
    int st = 0;
    switch (c->ops->type) {
    case SK_AFFINE:
        st |= write_tok_float(f, binary, "<LearnRateCoef>", c->p[0].lr_coef);
        st |= write_tok_float(f, binary, "<BiasLearnRateCoef>", c->p[1].lr_coef);
        st |= write_tok_float(f, binary, "<MaxNorm>", c->max_norm);
        st |= nl(f, binary);
        st |= write_param_mat(c, 0, f, binary);
        st |= write_param_vec(c, 1, f, binary);
        break;
    case SK_LINEAR:
        st |= write_tok_float(f, binary, "<LearnRateCoef>", c->p[0].lr_coef);
        st |= nl(f, binary);
        st |= write_param_mat(c, 0, f, binary);
        break;
    case SK_CONVOLUTIONAL:
        st |= write_tok_int(f, binary, "<PatchDim>", c->k[0]);
        st |= write_tok_int(f, binary, "<PatchStep>", c->k[1]);
        st |= write_tok_int(f, binary, "<PatchStride>", c->k[2]);
        st |= nl(f, binary);
        st |= write_tok_float(f, binary, "<LearnRateCoef>", c->p[0].lr_coef);
        st |= write_tok_float(f, binary, "<BiasLearnRateCoef>", c->p[1].lr_coef);
        st |= write_tok_float(f, binary, "<MaxNorm>", c->max_norm);
        st |= nl(f, binary);
        st |= sk_write_token(f, binary, "<Filters>");
        st |= nl(f, binary);
        st |= write_param_mat(c, 0, f, binary);
        st |= sk_write_token(f, binary, "<Bias>");
        st |= nl(f, binary);
        st |= write_param_vec(c, 1, f, binary);
        break;
    case SK_MAX_POOLING:
    case SK_AVERAGE_POOLING:
        st |= write_tok_int(f, binary, "<PoolSize>", c->k[0]);
        st |= write_tok_int(f, binary, "<PoolStep>", c->k[1]);
        st |= write_tok_int(f, binary, "<PoolStride>", c->k[2]);
        break;
    case SK_ADD_SHIFT:
    case SK_RESCALE:
        st |= write_tok_float(f, binary, "<LearnRateCoef>", c->p[0].lr_coef);
        st |= write_param_vec(c, 0, f, binary);
        break;
    case SK_PRELU:
        st |= write_tok_float(f, binary, "<AlphaLearnRateCoef>", c->p[0].lr_coef);
        st |= write_tok_float(f, binary, "<BetaLearnRateCoef>", c->p[1].lr_coef);
        st |= nl(f, binary);
        st |= write_param_vec(c, 0, f, binary);
        st |= write_param_vec(c, 1, f, binary);
        break;
    case SK_DROPOUT:
        st |= write_tok_float(f, binary, "<DropoutRate>", c->rate);
        break;
    case SK_SPLICE:
    case SK_BLOCK_SOFTMAX:
        st |= sk_write_int32_vector(f, binary, c->ivec, c->n_ivec);
        break;
    case SK_COPY: {
        int32_t *v = malloc(sizeof(int32_t) * ((size_t)c->n_ivec + 1));
        if (!v)
            return SK_EIO;
        for (int32_t i = 0; i < c->n_ivec; i++)
            v[i] = c->ivec[i] + 1;
        st |= sk_write_int32_vector(f, binary, v, c->n_ivec);
        free(v);
        break;
    }
    case SK_PARALLEL:
        st |= write_tok_int(f, binary, "<NestedNnetCount>", c->n_nested);
        st |= nl(f, binary);
        for (int i = 0; i < c->n_nested; i++) {
            st |= write_tok_int(f, binary, "<NestedNnet>", i + 1);
            st |= nl(f, binary);
            st |= sk_nnet_write(c->nested[i], f, binary);
        }
        st |= sk_write_token(f, binary, "</ParallelComponent>");
        break;
    default:
        break;
    }
    return st ? SK_EIO : 0;
}

/* ------------------------------------------------------------------ prototypes */

static void rand_gauss_param(sk_component *c, int i, float stddev)
{
    sk_mat m;
    if (sk_mat_init(&m), sk_mat_resize(&m, c->p[i].val.rows, c->p[i].val.cols) < 0)
        SK_BUG("out of memory");
    for (int32_t r = 0; r < m.rows; r++)
        for (int32_t k = 0; k < m.cols; k++)
            SK_MAT(&m, r, k) = sk_rand_gauss() * stddev;
    c->be->upload(c->be, &c->p[i].val, m.data, m.stride);
    sk_mat_release(&m);
}
static void rand_uniform_param(sk_component *c, int i, float mean, float range)
{
    sk_mat m;
    if (sk_mat_init(&m), sk_mat_resize(&m, c->p[i].val.rows, c->p[i].val.cols) < 0)
        SK_BUG("out of memory");
    for (int32_t r = 0; r < m.rows; r++)
        for (int32_t k = 0; k < m.cols; k++)
            SK_MAT(&m, r, k) = sk_rand_uniform01() * range + (mean - range / 2);
    c->be->upload(c->be, &c->p[i].val, m.data, m.stride);
    sk_mat_release(&m);
}
static void const_param(sk_component *c, int i, float v)
{
    c->be->set_const(c->be, &c->p[i].val, v);
}

/* "-5:5", "1:2:9", "3" (several words) -> ints. */
static int build_vector(sk_component *c, const char *s)
{
    char *dup = strdup(s), *save = NULL;
    if (!dup)
        return SK_EIO;
    for (char *w = strtok_r(dup, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (!strcmp(w, "</BuildVector>"))
            break;
        int32_t a[3];
        int n = 0;
        char *save2 = NULL;
        for (char *p = strtok_r(w, ":", &save2); p && n < 3; p = strtok_r(NULL, ":", &save2))
            a[n++] = (int32_t)strtol(p, NULL, 10);
        int32_t lo = a[0], step = n == 3 ? a[1] : 1, hi = n == 1 ? a[0] : a[n - 1];
        if (n == 0 || step == 0 || (step > 0 && lo > hi) || (step < 0 && lo < hi)) {
            SK_ERROR("Error parsing <BuildVector>: '%s'", s);
            free(dup);
            return SK_EIO;
        }
        for (int32_t v = lo; step > 0 ? v <= hi : v >= hi; v += step) {
            int32_t *p = realloc(c->ivec, sizeof(int32_t) * ((size_t)c->n_ivec + 1));
            if (!p) {
                free(dup);
                return SK_EIO;
            }
            c->ivec = p;
            c->ivec[c->n_ivec++] = v;
        }
    }
    free(dup);
    return 0;
}
/* "[ -2 -1 0 1 2 ]" or "100,200" / "100:200" -> ints. */
static int read_vector_words(sk_component *c, const char *s)
{
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '[' || *p == ']' || *p == ',' || *p == ':')
            p++;
        if (!*p)
            break;
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) {
            SK_ERROR("%s: cannot parse integer list '%s'", c->ops->marker, s);
            return SK_EIO;
        }
        int32_t *q = realloc(c->ivec, sizeof(int32_t) * ((size_t)c->n_ivec + 1));
        if (!q)
            return SK_EIO;
        c->ivec = q;
        c->ivec[c->n_ivec++] = (int32_t)v;
        p = end;
    }
    return 0;
}

static int init_affine_like(sk_component *c, sk_proto_opts *po, bool conv)
{
    float stddev = 0.1f, bmean = -2.0f, brange = 2.0f;
    bool ok = true;
    sk_proto_float(po, "<ParamStddev>", &stddev, &ok);
    sk_proto_float(po, "<BiasMean>", &bmean, &ok);
    sk_proto_float(po, "<BiasRange>", &brange, &ok);
    if (conv) {
        sk_proto_int(po, "<PatchDim>", &c->k[0], &ok);
        sk_proto_int(po, "<PatchStep>", &c->k[1], &ok);
        sk_proto_int(po, "<PatchStride>", &c->k[2], &ok);
        if (!ok || sk_component_setup(c) < 0)
            return SK_EIO;
        int32_t np = 1 + (c->k[2] - c->k[0]) / c->k[1];
        SK_LOG("num_splice %d", c->in_dim / c->k[2]);
        SK_LOG("num_patches %d", np);
        SK_LOG("filter_dim %d", c->in_dim / c->k[2] * c->k[0]);
        SK_LOG("num_filters %d", c->out_dim / np);
    }
    sk_proto_float(po, "<LearnRateCoef>", &c->p[0].lr_coef, &ok);
    sk_proto_float(po, "<BiasLearnRateCoef>", &c->p[1].lr_coef, &ok);
    sk_proto_float(po, "<MaxNorm>", &c->max_norm, &ok);
    if (!ok)
        return SK_EIO;
    rand_gauss_param(c, 0, stddev);
    rand_uniform_param(c, 1, bmean, brange);
    return 0;
}

int sk_component_init_proto(sk_component *c, sk_proto_opts *po)
{
    bool ok = true;
    const char *s;
    switch (c->ops->type) {
    case SK_AFFINE:
        return init_affine_like(c, po, false);
    case SK_CONVOLUTIONAL:
        return init_affine_like(c, po, true);
    case SK_LINEAR: {
        float stddev = 0.1f;
        sk_proto_float(po, "<ParamStddev>", &stddev, &ok);
        sk_proto_float(po, "<LearnRateCoef>", &c->p[0].lr_coef, &ok);
        if (!ok)
            return SK_EIO;
        if ((s = sk_proto_get(po, "<ReadMatrix>"))) {
            sk_mat m;
            sk_mat_init(&m);
            bool binary;
            FILE *f = fopen(s, "rb");
            int st = !f || sk_read_binary_header(f, &binary) < 0 || sk_mat_read(f, binary, &m) < 0;
            if (f)
                fclose(f);
            if (st || m.rows != c->out_dim || m.cols != c->in_dim) {
                SK_ERROR("<LinearTransform>: cannot load a %dx%d matrix from '%s'", c->out_dim,
                         c->in_dim, s);
                sk_mat_release(&m);
                return SK_EIO;
            }
            c->be->upload(c->be, &c->p[0].val, m.data, m.stride);
            sk_mat_release(&m);
            SK_LOG("Loaded <LinearTransform> matrix from file : %s", s);
        } else {
            rand_gauss_param(c, 0, stddev);
        }
        return 0;
    }
    case SK_MAX_POOLING:
    case SK_AVERAGE_POOLING:
        sk_proto_int(po, "<PoolSize>", &c->k[0], &ok);
        sk_proto_int(po, "<PoolStep>", &c->k[1], &ok);
        sk_proto_int(po, "<PoolStride>", &c->k[2], &ok);
        return ok ? sk_component_setup(c) : SK_EIO;
    case SK_ADD_SHIFT:
    case SK_RESCALE: {
        float v = 0.0f;
        sk_proto_float(po, "<InitParam>", &v, &ok);
        sk_proto_float(po, "<LearnRateCoef>", &c->p[0].lr_coef, &ok);
        if (!ok)
            return SK_EIO;
        const_param(c, 0, v);
        return 0;
    }
    case SK_PRELU: {
        float a = 1.0f, b = 0.0f;
        sk_proto_float(po, "<Alpha>", &a, &ok);
        sk_proto_float(po, "<Beta>", &b, &ok);
        sk_proto_float(po, "<AlphaLearnRateCoef>", &c->p[0].lr_coef, &ok);
        sk_proto_float(po, "<BetaLearnRateCoef>", &c->p[1].lr_coef, &ok);
        if (!ok)
            return SK_EIO;
        const_param(c, 0, a);
        const_param(c, 1, b);
        return 0;
    }
    case SK_DROPOUT:
        sk_proto_float(po, "<DropoutRate>", &c->rate, &ok);
        if (ok && !(c->rate >= 0 && c->rate < 1)) {
            SK_ERROR("<Dropout>: the rate must be in [0, 1), got %g", c->rate);
            ok = false;
        }
        return ok ? 0 : SK_EIO;
    case SK_SPLICE:
    case SK_COPY:
        if ((s = sk_proto_get(po, "<ReadVector>")) && read_vector_words(c, s) < 0)
            return SK_EIO;
        if ((s = sk_proto_get(po, "<BuildVector>")) && build_vector(c, s) < 0)
            return SK_EIO;
        if (c->ops->type == SK_COPY)
            for (int32_t i = 0; i < c->n_ivec; i++)
                c->ivec[i]--;
        return check_ivec(c);
    case SK_BLOCK_SOFTMAX:
        if ((s = sk_proto_get(po, "<BlockDims>")) && read_vector_words(c, s) < 0)
            return SK_EIO;
        return check_ivec(c);
    case SK_PARALLEL: {
        const char *files = sk_proto_get(po, "<NestedNnet>");
        if (!files)
            files = sk_proto_get(po, "<NestedNnetFilename>");
        const char *protos = sk_proto_get(po, "<NestedNnetProto>");
        const char *list = files ? files : protos;
        if (!list) {
            SK_ERROR("<ParallelComponent>: missing <NestedNnet> or <NestedNnetProto>");
            return SK_EIO;
        }
        char *dup = strdup(list), *save = NULL;
        int32_t isum = 0, osum = 0;
        for (char *w = strtok_r(dup, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            if (w[0] == '<')
                break;
            sk_nnet **p = realloc(c->nested, sizeof *p * ((size_t)c->n_nested + 1));
            if (!p)
                break;
            c->nested = p;
            sk_nnet *nn = files ? sk_nnet_read_file(w, c->be) : sk_nnet_new(c->be);
            if (nn && !files && sk_nnet_init_proto(nn, w) < 0) {
                sk_nnet_free(nn);
                nn = NULL;
            }
            if (!nn) {
                free(dup);
                return SK_EIO;
            }
            c->nested[c->n_nested++] = nn;
            isum += sk_nnet_input_dim(nn);
            osum += sk_nnet_output_dim(nn);
        }
        free(dup);
        if (isum != c->in_dim || osum != c->out_dim) {
            SK_ERROR("<ParallelComponent>: nested nets have dims %d -> %d, component %d -> %d",
                     isum, osum, c->in_dim, c->out_dim);
            return SK_EIO;
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ info */

/* Kaldi's MomentStatistics: float element arithmetic and Kaldi's VectorBase<float>::Sum,
 * which is a BLAS dot product with a stride-0 vector of ones, so the printed digits agree. */
static float fsum(const float *v, size_t n)
{
    const float one = 1.0f;
    return cblas_sdot((int)n, v, 1, &one, 0);
}

__attribute__((optimize("O3")))   /* vectorised element passes; same arithmetic */
void sk_moment_stats(const sk_backend *be, const sk_bmat *src, char *buf, size_t n)
{
    size_t cnt = (size_t)src->rows * src->cols;
    float *v = malloc(sizeof(float) * (cnt + 1)), *aux = malloc(sizeof(float) * (cnt + 1));
    if (!v || !aux || cnt == 0) {
        free(v);
        free(aux);
        snprintf(buf, n, " ( min nan, max nan, mean nan, stddev nan, skewness nan, kurtosis nan ) ");
        return;
    }
    be->download(be, v, src->cols, src);
    be->sync(be);
    float mn = v[0], mx = v[0];
    for (size_t i = 0; i < cnt; i++) {
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    int dim = (int)cnt;
    float mean = fsum(v, cnt) / dim;
    for (size_t i = 0; i < cnt; i++) {
        v[i] -= mean;          /* v: no-mean copy */
        aux[i] = v[i] * v[i];
    }
    float var = fsum(aux, cnt) / dim;
    for (size_t i = 0; i < cnt; i++)
        aux[i] *= v[i];
    float skew = (float)(fsum(aux, cnt) / pow(var, 1.5) / dim);
    for (size_t i = 0; i < cnt; i++)
        aux[i] *= v[i];
    float kurt = fsum(aux, cnt) / (var * var) / dim - 3.0f;
    free(v);
    free(aux);
    snprintf(buf, n, " ( min %g, max %g, mean %g, stddev %g, skewness %g, kurtosis %g ) ", mn, mx,
             mean, sqrtf(var), skew, kurt);
}

static void cat(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t n, const char *fmt, ...)
{
    size_t l = strlen(buf);
    if (l + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + l, n - l, fmt, ap);
    va_end(ap);
}

void sk_component_info(const sk_component *c, bool gradient, char *buf, size_t n)
{
    char st[256];
    const char *sfx = gradient ? "_grad" : "";
    switch (c->ops->type) {
    case SK_AFFINE:
    case SK_LINEAR:
    case SK_CONVOLUTIONAL:
        sk_moment_stats(c->be, gradient ? &c->p[0].corr : &c->p[0].val, st, sizeof st);
        cat(buf, n, "\n  %s%s%s, lr-coef %g", c->ops->type == SK_CONVOLUTIONAL ? "filters" :
            "linearity", sfx, st, c->p[0].lr_coef);
        if (c->ops->type != SK_LINEAR) {
            cat(buf, n, ", max-norm %g", c->max_norm);
            sk_moment_stats(c->be, gradient ? &c->p[1].corr : &c->p[1].val, st, sizeof st);
            cat(buf, n, "\n  bias%s%s, lr-coef %g", sfx, st, c->p[1].lr_coef);
        }
        break;
    case SK_PRELU:
        for (int i = 0; i < 2; i++) {
            sk_moment_stats(c->be, gradient ? &c->p[i].corr : &c->p[i].val, st, sizeof st);
            cat(buf, n, "\n  %s%s%s, %s-lr-coef %g", c->p[i].name, sfx, st, c->p[i].name,
                c->p[i].lr_coef);
        }
        break;
    case SK_ADD_SHIFT:
    case SK_RESCALE:
        for (int i = 0; i < c->n_params; i++) {
            sk_moment_stats(c->be, gradient ? &c->p[i].grad : &c->p[i].val, st, sizeof st);
            cat(buf, n, "\n  %s%s%s, lr-coef %g", c->p[i].name, sfx, st, c->p[i].lr_coef);
        }
        break;
    case SK_DROPOUT:
        if (!gradient)
            cat(buf, n, "<DropoutRate> %g", c->rate);
        break;
    case SK_SPLICE:
        if (!gradient) {
            cat(buf, n, "\n  frame_offsets [ ");
            for (int32_t i = 0; i < c->n_ivec; i++)
                cat(buf, n, "%d ", c->ivec[i]);
            cat(buf, n, "]");
        }
        break;
    case SK_BLOCK_SOFTMAX:
        if (!gradient) {
            cat(buf, n, "\n  softmax-dims ");
            for (int32_t i = 0; i < c->n_ivec; i++)
                cat(buf, n, "%d ", c->ivec[i]);
        }
        break;
    case SK_PARALLEL:
        for (int i = 0; i < c->n_nested; i++) {
            char *s = gradient ? sk_nnet_info_gradient(c->nested[i]) : sk_nnet_info(c->nested[i]);
            cat(buf, n, "\nnested_%s #%d {\n%s}", gradient ? "gradient" : "network", i + 1,
                s ? s : "");
            free(s);
        }
        break;
    default:
        break;
    }
}
