/* nnet-copy: copy an nnet1 model, converting format or removing components. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "nnet/nnet.h"

static const char usage[] =
    "Copy a network, optionally cutting components off either end or changing its format.\n"
    "Usage:  nnet-copy [options] <model-in> <model-out>\n"
    "e.g.:\n"
    " nnet-copy --binary=false nnet.mdl nnet_txt.mdl\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    int32_t remove_first = 0, remove_last = 0, remove_first_l = 0, remove_last_l = 0;
    float dropout_rate = -1.0f;
    const char *from_parallel = "";
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_int(po, "remove-first-components", &remove_first,
                "Drop the first N components");
    sk_opts_int(po, "remove-last-components", &remove_last,
                "Drop the last N components");
    sk_opts_int(po, "remove-first-layers", &remove_first_l,
                "Old name of --remove-first-components");
    sk_opts_int(po, "remove-last-layers", &remove_last_l, "Old name of --remove-last-components");
    sk_opts_float(po, "dropout-rate", &dropout_rate,
                  "Dropout probability to set (-1.0 leaves it unchanged).");
    sk_opts_string(po, "from-parallel-component", &from_parallel,
                   "Take out a branch of a <ParallelComponent>: 'K' is branch K of the first "
                   "such component, 'C:K' branch K of component C (1-based).");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    if (remove_first_l)
        remove_first = remove_first_l;
    if (remove_last_l)
        remove_last = remove_last_l;
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);

    const sk_backend *be = sk_backend_cpu();
    sk_nnet *nn = sk_nnet_read_file(in, be);
    if (!nn)
        SK_FATAL("Cannot read the model %s", in);

    if (from_parallel[0]) {
        int32_t comp = -1, net = 0;
        const char *colon = strchr(from_parallel, ':');
        if (colon) {
            char buf[32];
            snprintf(buf, sizeof buf, "%.*s", (int)(colon - from_parallel), from_parallel);
            if (!sk_parse_int32(buf, &comp) || !sk_parse_int32(colon + 1, &net))
                SK_FATAL("Bad --from-parallel-component=%s", from_parallel);
            comp -= 1;
        } else {
            if (!sk_parse_int32(from_parallel, &net))
                SK_FATAL("Bad --from-parallel-component=%s", from_parallel);
            for (int i = 0; i < sk_nnet_num_components(nn) && comp < 0; i++)
                if (sk_nnet_component(nn, i)->ops->type == SK_PARALLEL)
                    comp = i;
        }
        if (comp < 0 || comp >= sk_nnet_num_components(nn) ||
            sk_nnet_component(nn, comp)->ops->type != SK_PARALLEL)
            SK_FATAL("No <ParallelComponent> found for --from-parallel-component=%s",
                     from_parallel);
        sk_component *pc = sk_nnet_component(nn, comp);
        if (net < 1 || net > pc->n_nested)
            SK_FATAL("Nested network %d out of range 1..%d", net, pc->n_nested);
        sk_nnet *sub = pc->nested[net - 1];
        pc->nested[net - 1] = sk_nnet_new(be);
        sk_nnet_free(nn);
        nn = sub;
    }
    if (remove_first + remove_last > sk_nnet_num_components(nn))
        SK_FATAL("Cannot remove %d components from a network of %d", remove_first + remove_last,
                 sk_nnet_num_components(nn));
    for (int i = 0; i < remove_first; i++)
        sk_nnet_remove(nn, 0);
    for (int i = 0; i < remove_last; i++)
        sk_nnet_remove(nn, sk_nnet_num_components(nn) - 1);
    if (dropout_rate != -1.0f) {
        if (!(dropout_rate >= 0 && dropout_rate < 1))
            SK_FATAL("--dropout-rate=%g must be in [0, 1) (or -1 to keep)", dropout_rate);
        sk_nnet_set_dropout_rate(nn, dropout_rate);
    }

    if (sk_nnet_write_file(nn, out, binary) < 0)
        SK_FATAL("Cannot write the model %s", out);
    SK_LOG("Written 'nnet1' to %s", out);
    sk_nnet_free(nn);
    sk_opts_free(po);
    return 0;
}
