/* compute-spectrogram-feats — log power spectra from waves (spec/features.md §6). */
#include "feat/program.h"

static const char usage[] =
    "Compute log power spectra from waves.\n"
    "Usage:  compute-spectrogram-feats [options...] <wav-rspecifier> <feats-wspecifier>\n"
    "e.g.: compute-spectrogram-feats --dither=0 scp:wav.scp ark,scp:spec.ark,spec.scp\n";

int main(int argc, char **argv)
{
    return sk_compute_feats_main(SK_FEAT_SPECTROGRAM, usage, argc, argv);
}
