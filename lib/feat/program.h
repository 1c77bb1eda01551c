/* program.h — the body shared by compute-mfcc-feats, compute-fbank-feats and
 * compute-spectrogram-feats (spec/features.md §4.3): options, the loop over the wave table,
 * channel/duration/VTLN handling, subtract-mean, Kaldi or HTK output, utt2dur, the logs.
 *
 *     int main(int argc, char **argv)
 *     { return sk_compute_feats_main(SK_FEAT_MFCC, usage, argc, argv); }
 *
 * Returns the tool's exit status (0 if any utterance succeeded, else 1; SK_EXIT_FATAL = 255
 * after an ERROR that Kaldi treats as fatal; it never exits itself). Bad options and usage
 * errors exit inside sk_opts, as for every tool.
 */
#ifndef SK_FEAT_PROGRAM_H
#define SK_FEAT_PROGRAM_H

#include "feat/compute.h"

int sk_compute_feats_main(sk_feat_type type, const char *usage, int argc, char **argv);

#endif
