/* transf-to-nnet: wrap a transform matrix (e.g. LDA) as an nnet1 <LinearTransform>. */
#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "io/table.h"
#include "matrix/holders.h"
#include "matrix/matrix.h"
#include "nnet/nnet.h"

static const char usage[] =
    "Wrap a matrix (e.g. an LDA transform) as a network with one <AffineTransform>.\n"
    "Usage:  transf-to-nnet [options] <transf-in> <nnet-out>\n"
    "e.g.:\n"
    " transf-to-nnet --binary=false transf.mat nnet.mdl\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = false;
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    sk_mat m;
    sk_mat_init(&m);
    if (sk_read_object(in, &sk_holder_mat, &m) < 0)
        SK_FATAL("Cannot read the transform %s", in);
    if (m.rows == 0 || m.cols == 0)
        SK_FATAL("The transform %s is empty", in);
    const sk_backend *be = sk_backend_cpu();
    sk_nnet *nn = sk_nnet_new(be);
    sk_component *c = sk_component_new(sk_component_ops_by_type(SK_LINEAR), be, m.cols, m.rows);
    if (!nn || !c)
        SK_FATAL("out of memory");
    be->upload(be, &c->p[0].val, m.data, m.stride);
    if (sk_nnet_append(nn, c) < 0)
        SK_FATAL("internal error building the network");
    if (sk_nnet_write_file(nn, out, binary) < 0)
        SK_FATAL("Cannot write %s", out);
    SK_LOG("Written transform in 'nnet1' model: %s", out);
    sk_mat_release(&m);
    sk_nnet_free(nn);
    sk_opts_free(po);
    return 0;
}
