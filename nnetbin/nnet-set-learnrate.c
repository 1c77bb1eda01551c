/* nnet-set-learnrate: set learn-rate coefficients of chosen components of an nnet1 model. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "nnet/nnet.h"

static const char usage[] =
    "Change the learning-rate factors of chosen components of an nnet1 network.\n"
    "Usage: nnet-set-learnrate --components=<csl> --coef=<float> <nnet-in> <nnet-out>\n"
    "e.g.: nnet-set-learnrate --components=1:3:5 --coef=0.5 --bias-coef=0.1 nnet-in nnet-out\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    const char *components = "";
    float coef = 1.0f, weight_coef = 1.0f, bias_coef = 1.0f;
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_string(po, "components", &components,
                   "Colon-separated 1-based indices of the components to change, numbered as "
                   "nnet-info prints them (e.g. 1:3:5)");
    sk_opts_float(po, "coef", &coef, "Learning-rate factor applied to weights and biases alike.");
    sk_opts_float(po, "weight-coef", &weight_coef,
                  "Learning-rate factor for weights, multiplied with --coef.");
    sk_opts_float(po, "bias-coef", &bias_coef,
                  "Learning-rate factor for biases, multiplied with --coef.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    sk_nnet *nn = sk_nnet_read_file(in, sk_backend_cpu());
    if (!nn)
        SK_FATAL("Cannot read the model %s", in);
    int n = sk_nnet_num_components(nn);
    bool *sel = calloc((size_t)n + 1, sizeof(bool));
    if (!sel)
        SK_FATAL("out of memory");
    if (components[0]) {
        char *dup = strdup(components), *save = NULL;
        for (char *t = strtok_r(dup, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
            int32_t k;
            if (!sk_parse_int32(t, &k) || k < 1 || k > n)
                SK_FATAL("Bad component index '%s' in --components=%s (network has %d)", t,
                         components, n);
            sel[k - 1] = true;
        }
        free(dup);
    } else {
        for (int i = 0; i < n; i++)
            sel[i] = true;
    }
    for (int i = 0; i < n; i++) {
        sk_component *c = sk_nnet_component(nn, i);
        if (!sel[i] || !c->ops->updatable)
            continue;
        for (int k = 0; k < c->n_params; k++) {
            bool bias = k == 1 && (c->ops->type == SK_AFFINE || c->ops->type == SK_CONVOLUTIONAL ||
                                   c->ops->type == SK_PRELU);
            c->p[k].lr_coef = coef * (bias ? bias_coef : weight_coef);
        }
    }
    if (sk_nnet_write_file(nn, out, binary) < 0)
        SK_FATAL("Cannot write %s", out);
    free(sel);
    sk_nnet_free(nn);
    sk_opts_free(po);
    return 0;
}
