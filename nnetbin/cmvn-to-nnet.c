/* cmvn-to-nnet: turn global CMVN statistics into an <AddShift> + <Rescale> nnet1 model. */
#include <math.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "io/table.h"
#include "matrix/holders.h"
#include "matrix/matrix.h"
#include "nnet/nnet.h"

static const char usage[] =
    "Turn CMVN statistics into a network of <AddShift> and <Rescale> that applies them.\n"
    "Usage:  cmvn-to-nnet [options] <transf-in> <nnet-out>\n"
    "e.g.:\n"
    " cmvn-to-nnet --binary=false transf.mat nnet.mdl\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = false;
    float std_dev = 1.0f, var_floor = 1e-10f, lr_coef = 0.0f;
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_float(po, "std-dev", &std_dev, "Standard deviation the output is scaled to.");
    sk_opts_float(po, "var-floor", &var_floor,
                  "Lower bound on the variance, which limits the <Rescale> factors.");
    sk_opts_float(po, "learn-rate-coef", &lr_coef,
                  "Learning-rate factor given to the new components.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);

    sk_dmat st;
    sk_dmat_init(&st);
    if (sk_read_object(in, &sk_holder_dmat, &st) < 0)
        SK_FATAL("Cannot read CMVN statistics from %s", in);
    if (st.rows != 2 || st.cols < 2)
        SK_FATAL("CMVN statistics in %s must be 2 x (dim+1), got %d x %d", in, st.rows, st.cols);
    int32_t dim = st.cols - 1;
    double count = st.data[dim];
    if (!(count >= 1.0))
        SK_FATAL("CMVN statistics in %s have a frame count of %g", in, count);
    float *shift = malloc(sizeof(float) * (size_t)dim), *scale = malloc(sizeof(float) * (size_t)dim);
    if (!shift || !scale)
        SK_FATAL("out of memory");
    for (int32_t d = 0; d < dim; d++) {
        float mean = (float)(st.data[d] / count);
        float var = (float)(st.data[st.stride + d] / count - mean * mean);
        if (var <= var_floor) {
            SK_WARN("Very small variance %g flooring to %g", var, var_floor);
            var = var_floor;
        }
        shift[d] = -mean;
        scale[d] = (float)(std_dev / sqrt((double)var));
    }
    const sk_backend *be = sk_backend_cpu();
    sk_nnet *nn = sk_nnet_new(be);
    sk_component *a = sk_component_new(sk_component_ops_by_type(SK_ADD_SHIFT), be, dim, dim);
    sk_component *r = sk_component_new(sk_component_ops_by_type(SK_RESCALE), be, dim, dim);
    if (!nn || !a || !r)
        SK_FATAL("out of memory");
    be->upload(be, &a->p[0].val, shift, dim);
    be->upload(be, &r->p[0].val, scale, dim);
    a->p[0].lr_coef = r->p[0].lr_coef = lr_coef;
    if (sk_nnet_append(nn, a) < 0 || sk_nnet_append(nn, r) < 0)
        SK_FATAL("internal error building the network");
    if (sk_nnet_write_file(nn, out, binary) < 0)
        SK_FATAL("Cannot write %s", out);
    SK_LOG("Written cmvn in 'nnet1' model to: %s", out);
    free(shift);
    free(scale);
    sk_dmat_release(&st);
    sk_nnet_free(nn);
    sk_opts_free(po);
    return 0;
}
