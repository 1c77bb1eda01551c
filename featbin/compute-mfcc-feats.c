/* compute-mfcc-feats — MFCC features from waves (spec/features.md §4). */
#include "feat/program.h"

static const char usage[] =
    "Compute mel-frequency cepstral coefficients from waves.\n"
    "Usage:  compute-mfcc-feats [options...] <wav-rspecifier> <feats-wspecifier>\n"
    "e.g.: compute-mfcc-feats --dither=0 scp:wav.scp ark,scp:mfcc.ark,mfcc.scp\n";

int main(int argc, char **argv)
{
    return sk_compute_feats_main(SK_FEAT_MFCC, usage, argc, argv);
}
