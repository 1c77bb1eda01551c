/* proto.c — building a network from an nnet-initialize prototype (spec/nnet1.md §2). */
#include "nnet/proto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/stream.h"

float sk_rand_uniform01(void) { return (float)rand() / (float)RAND_MAX; }

float sk_rand_gauss(void)
{
    float u1 = (float)((rand() + 1.0) / (RAND_MAX + 2.0));
    float u2 = (float)((rand() + 1.0) / (RAND_MAX + 2.0));
    return sqrtf(-2.0f * logf(u1)) * cosf((float)(2.0 * M_PI * u2));
}

const char *sk_proto_get(sk_proto_opts *po, const char *tok)
{
    for (int i = 0; i < po->n; i++)
        if (!strcmp(po->tok[i], tok)) {
            po->used[i] = true;
            return po->val[i];
        }
    return NULL;
}

bool sk_proto_float(sk_proto_opts *po, const char *tok, float *v, bool *ok)
{
    const char *s = sk_proto_get(po, tok);
    if (!s)
        return false;
    if (!sk_parse_float(s, v)) {
        SK_ERROR("%s: bad value '%s' for %s", po->marker, s, tok);
        *ok = false;
    }
    return true;
}

bool sk_proto_int(sk_proto_opts *po, const char *tok, int32_t *v, bool *ok)
{
    const char *s = sk_proto_get(po, tok);
    if (!s)
        return false;
    if (!sk_parse_int32(s, v)) {
        SK_ERROR("%s: bad value '%s' for %s", po->marker, s, tok);
        *ok = false;
    }
    return true;
}

/* Split a line into words (in place). */
static int split_words(char *line, char **w, int max)
{
    int n = 0;
    for (char *save = NULL, *p = strtok_r(line, " \t\r", &save); p && n < max;
         p = strtok_r(NULL, " \t\r", &save))
        w[n++] = p;
    return n;
}

static void free_opts(sk_proto_opts *po)
{
    for (int i = 0; i < po->n; i++)
        free(po->val[i]);
}

/* One prototype line -> component appended to nn. */
static int init_line(sk_nnet *nn, const char *line_in)
{
    char *line = strdup(line_in), *w[512];
    if (!line)
        return SK_EIO;
    int nw = split_words(line, w, 512), st = SK_EIO;
    sk_proto_opts po;
    memset(&po, 0, sizeof po);
    if (nw == 0) {
        free(line);
        return 0;
    }
    const sk_component_ops *ops = sk_component_ops_by_marker(w[0]);
    int32_t in_dim, out_dim;
    if (!ops) {
        SK_ERROR("Unknown 'Component' marker : '%s'\n(isn't the model 'too old' or "
                 "incompatible?)", w[0]);
        goto out;
    }
    if (nw < 5 || strcmp(w[1], "<InputDim>") || !sk_parse_int32(w[2], &in_dim) ||
        strcmp(w[3], "<OutputDim>") || !sk_parse_int32(w[4], &out_dim) || in_dim <= 0 ||
        out_dim <= 0) {
        SK_ERROR("Expected '%s <InputDim> N <OutputDim> M ...' in the prototype line: %s",
                 w[0], line_in);
        goto out;
    }
    po.marker = ops->marker;
    for (int i = 5; i < nw;) {
        if (w[i][0] != '<' || po.n == 64) {
            SK_ERROR("Unexpected word '%s' in the prototype line: %s", w[i], line_in);
            goto out;
        }
        po.tok[po.n] = w[i++];
        size_t len = 1;
        int j = i;
        /* a value: words up to the next option token ("</X>" closes a list and is kept) */
        while (j < nw && (w[j][0] != '<' || w[j][1] == '/')) {
            len += strlen(w[j]) + 1;
            if (w[j++][1] == '/' && w[j - 1][0] == '<')
                break;
        }
        char *v = malloc(len);
        if (!v)
            goto out;
        v[0] = 0;
        for (int k = i; k < j; k++) {
            if (k > i)
                strcat(v, " ");
            strcat(v, w[k]);
        }
        po.val[po.n++] = v;
        i = j;
    }
    sk_component *c = sk_component_new(ops, nn->be, in_dim, out_dim);
    if (!c)
        goto out;
    if (sk_component_init_proto(c, &po) < 0) {
        SK_ERROR("Cannot initialise %s from the prototype line: %s", ops->marker, line_in);
        sk_component_free(c);
        goto out;
    }
    for (int i = 0; i < po.n; i++)
        if (!po.used[i]) {
            SK_ERROR("Unknown token %s, a typo in config? (%s)", po.tok[i], ops->marker);
            sk_component_free(c);
            goto out;
        }
    st = sk_nnet_append(nn, c);
out:
    free_opts(&po);
    free(line);
    return st;
}

int sk_nnet_init_proto(sk_nnet *nn, const char *rx)
{
    char *data;
    size_t len;
    if (sk_read_all(rx, &data, &len) < 0)
        return SK_EIO;
    int st = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line && st == 0;
         line = strtok_r(NULL, "\n", &save)) {
        char first[64] = "";
        if (sscanf(line, "%63s", first) != 1)
            continue;
        SK_VLOG(1, "%s", line);
        if (!strcmp(first, "<NnetProto>") || !strcmp(first, "</NnetProto>"))
            continue;
        st = init_line(nn, line);
    }
    free(data);
    if (st == 0 && nn->n == 0)
        SK_WARN("The prototype '%s' has no components", rx);
    return st;
}
