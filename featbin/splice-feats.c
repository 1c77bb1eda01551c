/* splice-feats — splice neighbouring frames together (spec/features.md §10). */
#include "base/log.h"
#include "base/opts.h"
#include "feat/splice.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Stack each frame with its neighbouring frames (context for LDA or a network).\n"
    "Usage: splice-feats [options] <feature-rspecifier> <feature-wspecifier>\n"
    "e.g.: splice-feats scp:feats.scp ark:-\n";

typedef struct { int32_t left, right; } splice_cfg;

static int splice(const char *key, const sk_mat *in, sk_mat *out, void *ctx)
{
    (void)key;
    const splice_cfg *c = ctx;
    return sk_splice_frames(in, c->left, c->right, out) < 0 ? SK_EIO : 1;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    splice_cfg c = { .left = 4, .right = 4 };
    sk_opts_int(po, "left-context", &c.left, "Frames of past context to append");
    sk_opts_int(po, "right-context", &c.right, "Frames of future context to append");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    if (sk_mat_table_map(sk_opts_arg(po, 1), sk_opts_arg(po, 2), splice, &c) < 0)
        sk_fatal_exit();
    sk_opts_free(po);
    return 0;
}
