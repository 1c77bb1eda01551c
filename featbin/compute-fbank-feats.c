/* compute-fbank-feats — log mel filterbank features from waves (spec/features.md §5). */
#include "feat/program.h"

static const char usage[] =
    "Compute log mel filter-bank features from waves.\n"
    "Usage:  compute-fbank-feats [options...] <wav-rspecifier> <feats-wspecifier>\n"
    "e.g.: compute-fbank-feats --dither=0 scp:wav.scp ark,scp:fbank.ark,fbank.scp\n";

int main(int argc, char **argv)
{
    return sk_compute_feats_main(SK_FEAT_FBANK, usage, argc, argv);
}
