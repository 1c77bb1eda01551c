/* segments.h — one line of a Kaldi segments file, as extract-segments and
 * extract-feature-segments read it:
 *     <segment-id> <recording-or-utterance-id> <start> <end> [<channel>]
 *
 *     sk_segment s;
 *     if (sk_segment_parse(line, true, &s)) ... s.id, s.reco, s.start, s.end, s.channel
 *
 * On a bad line a Kaldi warning is printed ("Invalid line in segments file [bad start]: ...")
 * and false returned. s.id and s.reco point into s.buf (owned by s; sk_segment_release).
 */
#ifndef SK_FEAT_SEGMENTS_H
#define SK_FEAT_SEGMENTS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char *buf;           /* copy of the line, split in place */
    const char *id, *reco;
    double start, end;   /* seconds; end -1 means "to the end" when allowed */
    int32_t channel;     /* -1 when not given */
} sk_segment;

/* allow_end_minus_one: extract-segments accepts an end of -1 (to the end of the recording). */
bool sk_segment_parse(const char *line, bool allow_end_minus_one, sk_segment *s);
void sk_segment_release(sk_segment *s);

#endif
