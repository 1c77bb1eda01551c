/* nnet-initialize: build an nnet1 model from a prototype with random parameters. */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "nnet/nnet.h"
#include "nnet/proto.h"

static const char usage[] =
    "Build an nnet1 network from a prototype file, drawing its initial parameters.\n"
    "Usage:  nnet-initialize [options] <nnet-prototype-in> <nnet-out>\n"
    "e.g.: nnet-initialize --binary=false nnet.proto nnet.init\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    int32_t seed = 777;
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_int(po, "seed", &seed, "Random seed");
    /* verbose 1 unless asked otherwise, as Kaldi's: the prototype lines are logged */
    sk_opts_set_verbose_default(po, 1);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *proto = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);

    srand((unsigned)seed);
    sk_nnet *nn = sk_nnet_new(sk_backend_cpu());
    if (!nn || sk_nnet_init_proto(nn, proto) < 0)
        SK_FATAL("Cannot initialize the network from the prototype %s", proto);
    if (sk_nnet_write_file(nn, out, binary) < 0)
        SK_FATAL("Cannot write %s", out);
    SK_LOG("Written initialized model to %s", out);
    sk_nnet_free(nn);
    sk_opts_free(po);
    return 0;
}
