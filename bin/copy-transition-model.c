/* copy-transition-model — copy the transition model out of a model file (text or binary). */
#include "base/log.h"
#include "base/opts.h"
#include "hmm/transition.h"

static const char usage[] =
    "Copy the transition model at the head of a model file (e.g. to keep it apart from\n"
    "the acoustic model, or to change its format).\n"
    "Usage:  copy-transition-model [options] <transition-model or model file> "
    "<transition-model-out>\n"
    "e.g.: \n"
    " copy-transition-model --binary=false 1.mdl 1.txt\n";

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    sk_opts_bool(po, "binary", &binary, "Binary output.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);

    sk_trans_model *tm;
    if (sk_trans_model_read_file(sk_opts_arg(po, 1), &tm) < 0 ||
        sk_trans_model_write_file(sk_opts_arg(po, 2), binary, tm) < 0)
        sk_fatal_exit();
    SK_LOG("Copied transition model.");
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return 0;
}
