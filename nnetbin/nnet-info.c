/* nnet-info: print the structure and parameter statistics of an nnet1 model. */
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "nnet/nnet.h"

static const char usage[] =
    "Print a network's components, dimensions and statistics of its parameters on\n"
    "standard output.\n"
    "Usage:  nnet-info [options] <nnet-in>\n"
    "e.g.:\n"
    " nnet-info 1.nnet\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 1)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1);
    sk_nnet *nn = sk_nnet_read_file(in, sk_backend_cpu());
    if (!nn)
        SK_FATAL("Cannot read the model %s", in);
    char *info = sk_nnet_info(nn);
    fputs(info ? info : "", stdout);
    fflush(stdout);
    if (ferror(stdout))
        SK_FATAL("Write error on standard output");
    free(info);
    SK_LOG("Printed info about %s", in);
    sk_nnet_free(nn);
    sk_opts_free(po);
    return 0;
}
