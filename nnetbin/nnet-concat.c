/* nnet-concat: concatenate nnet1 models into one. */
#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "nnet/nnet.h"

static const char usage[] =
    "Join networks one after the other into one (and choose its format).\n"
    "Usage: nnet-concat [options] <nnet-in1> <...> <nnet-inN> <nnet-out>\n"
    "e.g.:\n"
    " nnet-concat --binary=false nnet.1 nnet.2 nnet.1.2\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_parse(po);
    int n = sk_opts_num_args(po);
    if (n < 3)
        sk_opts_usage_exit(po);
    const sk_backend *be = sk_backend_cpu();
    const char *out = sk_opts_arg(po, n);
    SK_LOG("Reading %s", sk_opts_arg(po, 1));
    sk_nnet *nn = sk_nnet_read_file(sk_opts_arg(po, 1), be);
    if (!nn)
        SK_FATAL("Cannot read %s", sk_opts_arg(po, 1));
    for (int i = 2; i < n; i++) {
        SK_LOG("Concatenating %s", sk_opts_arg(po, i));
        sk_nnet *next = sk_nnet_read_file(sk_opts_arg(po, i), be);
        if (!next)
            SK_FATAL("Cannot read %s", sk_opts_arg(po, i));
        if (sk_nnet_concat(nn, next) < 0)
            SK_FATAL("Cannot concatenate %s", sk_opts_arg(po, i));
        sk_nnet_free(next);
    }
    if (sk_nnet_write_file(nn, out, binary) < 0)
        SK_FATAL("Cannot write %s", out);
    SK_LOG("Written model to %s", out);
    sk_nnet_free(nn);
    sk_opts_free(po);
    return 0;
}
