/* hmm-info — print the sizes of a transition model (scripts awk the "number of pdfs" line). */
#include <stdio.h>

#include "base/log.h"
#include "base/opts.h"
#include "hmm/transition.h"

static const char usage[] =
    "Print the sizes of a transition model (phones, pdfs, transition-ids, ...).\n"
    "Usage:  hmm-info [options] <model-in>\n"
    "e.g.:\n"
    " hmm-info trans.mdl\n";

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 1)
        sk_opts_usage_exit(po);

    sk_trans_model *tm;
    if (sk_trans_model_read_file(sk_opts_arg(po, 1), &tm) < 0)
        sk_fatal_exit();
    printf("number of phones %d\n", (int)sk_tm_num_topo_phones(tm));
    printf("number of pdfs %d\n", (int)sk_tm_num_pdfs(tm));
    printf("number of transition-ids %d\n", (int)sk_tm_num_transition_ids(tm));
    printf("number of transition-states %d\n", (int)sk_tm_num_transition_states(tm));
    if (fflush(stdout) != 0)
        SK_FATAL("Error writing to standard output");
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return 0;
}
