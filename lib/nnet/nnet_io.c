/* nnet_io.c — the nnet1 model file (spec/nnet1.md §1): reading (markers case-insensitive,
 * optional "<!EndOfComponent>", dims checked), writing byte-identical to Kaldi, the inf/nan
 * check, and the Info texts printed by nnet-info and nnet-train-frmshuff. */
#include "nnet/nnet.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "io/kio.h"
#include "io/stream.h"

int sk_nnet_read(sk_nnet *nn, FILE *f, bool binary)
{
    char tok[SK_TOKEN_MAX + 1];
    for (;;) {
        if (sk_peek(f, binary) == -1)
            return 0;
        if (sk_read_token(f, binary, tok) < 0)
            return SK_EIO;
        if (!strcmp(tok, "<Nnet>")) {
            if (sk_read_token(f, binary, tok) < 0)
                return SK_EIO;
        }
        if (!strcmp(tok, "</Nnet>"))
            return 0;
        const sk_component_ops *ops = sk_component_ops_by_marker(tok);
        if (!ops) {
            SK_ERROR("Unknown 'Component' marker : '%s'\n(isn't the model 'too old' or "
                     "incompatible?)", tok);
            return SK_EIO;
        }
        int32_t out_dim, in_dim;
        if (sk_read_int32(f, binary, &out_dim) < 0 || sk_read_int32(f, binary, &in_dim) < 0) {
            SK_ERROR("Cannot read the dimensions of component %s", tok);
            return SK_EIO;
        }
        /* a corrupt header must not trigger a giant allocation: 2^28 weights (1 GB) is far
         * beyond any nnet1 layer */
        if (out_dim < 0 || in_dim < 0 || out_dim > (1 << 24) || in_dim > (1 << 24) ||
            (int64_t)out_dim * in_dim > ((int64_t)1 << 28)) {
            SK_ERROR("Bad dimensions of component %s: output %d, input %d", tok, out_dim, in_dim);
            return SK_EIO;
        }
        sk_component *c = sk_component_new(ops, nn->be, in_dim, out_dim);
        if (!c)
            return SK_EIO;
        if (sk_component_read_data(c, f, binary) < 0) {
            SK_ERROR("Cannot read component %s (component %d of the network)", ops->marker,
                     nn->n + 1);
            sk_component_free(c);
            return SK_EIO;
        }
        if (sk_nnet_append(nn, c) < 0)
            return SK_EINVAL;
        if (sk_peek(f, binary) == '<' && sk_peek_token(f, binary) == '!' &&
            sk_expect_token(f, binary, "<!EndOfComponent>") < 0)
            return SK_EIO;
    }
}

int sk_nnet_write(const sk_nnet *nn, FILE *f, bool binary)
{
    int st = sk_write_token(f, binary, "<Nnet>");
    if (!binary)
        st |= fputc('\n', f) == EOF;
    for (int i = 0; i < nn->n; i++) {
        const sk_component *c = nn->c[i];
        st |= sk_write_token(f, binary, c->ops->marker);
        st |= sk_write_int32(f, binary, c->out_dim);
        st |= sk_write_int32(f, binary, c->in_dim);
        if (!binary)
            st |= fputc('\n', f) == EOF;
        st |= sk_component_write_data(c, f, binary);
        st |= sk_write_token(f, binary, "<!EndOfComponent>");
        if (!binary)
            st |= fputc('\n', f) == EOF;
    }
    st |= sk_write_token(f, binary, "</Nnet>");
    if (!binary)
        st |= fputc('\n', f) == EOF;
    return st ? SK_EIO : 0;
}

/* No inf or NaN (exponent bits all set) in v: an integer OR over the elements, which the
 * vectoriser takes (the per-element messages of check_mat only when this fails). */
__attribute__((optimize("O3")))
static bool all_finite(const float *v, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &v[i], sizeof b);
        bad |= (uint32_t)((b & 0x7f800000u) == 0x7f800000u);
    }
    return !bad;
}

static int check_mat(const sk_backend *be, const sk_bmat *m)
{
    size_t n = (size_t)m->rows * m->cols;
    if (!n)
        return 0;
    float *h = malloc(n * sizeof(float));
    if (!h)
        return SK_EIO;
    be->download(be, h, m->cols, m);
    be->sync(be);
    int st = 0;
    if (all_finite(h, n)) {
        free(h);
        return 0;
    }
    for (size_t i = 0; i < n && !st; i++) {
        if (isinf(h[i])) {
            SK_ERROR("'inf' in network parameters (weight explosion, need lower learning rate?)");
            st = SK_EIO;
        } else if (isnan(h[i])) {
            SK_ERROR("'nan' in network parameters (need lower learning rate?)");
            st = SK_EIO;
        }
    }
    free(h);
    return st;
}

int sk_nnet_check(const sk_nnet *nn)
{
    for (int i = 0; i < nn->n; i++) {
        const sk_component *c = nn->c[i];
        for (int k = 0; k < c->n_params; k++)
            if (check_mat(nn->be, &c->p[k].val) < 0)
                return SK_EIO;
        for (int k = 0; k < c->n_nested; k++)
            if (sk_nnet_check(c->nested[k]) < 0)
                return SK_EIO;
    }
    return 0;
}

sk_nnet *sk_nnet_read_file(const char *rx, const sk_backend *be)
{
    bool binary;
    sk_input *in = sk_input_open_object(rx, &binary);
    if (!in)
        return NULL;
    sk_nnet *nn = sk_nnet_new(be);
    int st = nn ? sk_nnet_read(nn, sk_input_file(in), binary) : SK_EIO;
    if (sk_input_close(in) < 0)
        st = SK_EIO;
    if (st < 0) {
        SK_ERROR("Failed to read the nnet1 model from %s", sk_printable_rx(rx));
        sk_nnet_free(nn);
        return NULL;
    }
    if (nn->n == 0)
        SK_WARN("The network '%s' is empty.", rx);
    if (sk_nnet_check(nn) < 0) {
        sk_nnet_free(nn);
        return NULL;
    }
    return nn;
}

int sk_nnet_write_file(const sk_nnet *nn, const char *wx, bool binary)
{
    sk_output *out = sk_output_open_object(wx, binary, true);
    if (!out)
        return SK_EIO;
    if (sk_nnet_write(nn, sk_output_file(out), binary) < 0) {
        SK_ERROR("Failed to write the nnet1 model to %s", sk_printable_wx(wx));
        sk_output_abort(out);
        return SK_EIO;
    }
    return sk_output_close(out);
}

/* ------------------------------------------------------------------ info */


#define INFO_MAX 65536

char *sk_nnet_info(const sk_nnet *nn)
{
    sk_strbuf b = SK_STRBUF_INIT;
    sk_strbuf_addf(&b, "num-components %d\ninput-dim %d\noutput-dim %d\n", nn->n, sk_nnet_input_dim(nn),
           sk_nnet_output_dim(nn));
    sk_strbuf_addf(&b, "number-of-parameters %g millions\n", (float)sk_nnet_num_params(nn) / 1e6f);
    char *info = malloc(INFO_MAX);
    for (int i = 0; i < nn->n && info; i++) {
        const sk_component *c = nn->c[i];
        info[0] = 0;
        sk_component_info(c, false, info, INFO_MAX);
        sk_strbuf_addf(&b, "component %d : %s, input-dim %d, output-dim %d, %s\n", i + 1, c->ops->marker,
               c->in_dim, c->out_dim, info);
    }
    free(info);
    if (!b.s)
        b.s = calloc(1, 1);
    return b.s;
}

char *sk_nnet_info_gradient(const sk_nnet *nn)
{
    sk_strbuf b = SK_STRBUF_INIT;
    sk_strbuf_addf(&b, "\n### GRADIENT STATS :\n");
    char *info = malloc(INFO_MAX);
    for (int i = 0; i < nn->n && info; i++) {
        info[0] = 0;
        sk_component_info(nn->c[i], true, info, INFO_MAX);
        sk_strbuf_addf(&b, "Component %d : %s, %s\n", i + 1, nn->c[i]->ops->marker, info);
    }
    free(info);
    sk_strbuf_addf(&b, "### END GRADIENT\n");
    return b.s;
}

char *sk_nnet_info_propagate(const sk_nnet *nn)
{
    sk_strbuf b = SK_STRBUF_INIT;
    char st[256];
    sk_strbuf_addf(&b, "\n### FORWARD PROPAGATION BUFFER CONTENT :\n");
    for (int i = 0; i <= nn->n && nn->prop; i++) {
        sk_moment_stats(nn->be, &nn->prop[i], st, sizeof st);
        if (i == 0)
            sk_strbuf_addf(&b, "[0] output of <Input> %s\n", st);
        else
            sk_strbuf_addf(&b, "[%d] output of %s%s\n", i, nn->c[i - 1]->ops->marker, st);
    }
    sk_strbuf_addf(&b, "### END FORWARD\n");
    return b.s;
}

char *sk_nnet_info_backprop(const sk_nnet *nn)
{
    sk_strbuf b = SK_STRBUF_INIT;
    char st[256];
    sk_strbuf_addf(&b, "\n### BACKWARD PROPAGATION BUFFER CONTENT :\n");
    for (int i = 0; i <= nn->n && nn->diff; i++) {
        sk_moment_stats(nn->be, &nn->diff[i], st, sizeof st);
        if (i == 0)
            sk_strbuf_addf(&b, "[0] diff of <Input> %s\n", st);
        else
            sk_strbuf_addf(&b, "[%d] diff-output of %s%s\n", i, nn->c[i - 1]->ops->marker, st);
    }
    sk_strbuf_addf(&b, "### END BACKWARD\n\n");
    return b.s;
}
