/* htk.h — HTK feature files in Kaldi archives (`--output-format=htk`, spec/features.md §4.4).
 *
 * An entry is "KEY " followed directly (no "\0B") by the 12-byte big-endian HTK header
 * (nSamples, samplePeriod, sampleSize, sampleKind) and the floats, big-endian, row by row.
 *
 *     sk_htk h = { .feats = &m, .sample_period = 100000, .sample_kind = 6 | 0100 };
 *     sk_writer_write(w, key, &h);     // with a writer opened on &sk_holder_htk
 *
 * Reading (copy-feats --htk-in; archive entries or plain HTK files through scp) checks the
 * header: sampleSize must be 4 * dim > 0; compressed (_C), VQ (_V), WAVEFORM, IREFC and
 * DISCRETE kinds are ERRORs, as in Kaldi; a _K checksum after the data is skipped and the _K
 * bit cleared. Truncated headers or data are ERRORs (SK_EIO).
 *
 * Ownership: sk_htk only borrows feats (writing); reading allocates h->own, freed by release.
 */
#ifndef SK_FEAT_HTK_H
#define SK_FEAT_HTK_H

#include <stdint.h>

#include "io/table.h"
#include "matrix/matrix.h"

typedef struct {
    const sk_mat *feats;      /* what is written (points to own after a read) */
    int32_t sample_period;    /* 100 ns units */
    uint16_t sample_kind;     /* e.g. 6 = MFCC, 7 = FBANK; 0100 = _E, 020000 = _0 */
    sk_mat own;
} sk_htk;

extern const sk_holder sk_holder_htk;

#endif
