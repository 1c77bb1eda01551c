/* extract-segments — cut waves by a segments file into a wave archive (Kaldi's
 * featbin/extract-segments). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "feat/segments.h"
#include "feat/wave.h"
#include "io/stream.h"
#include "io/table.h"

static const char usage[] =
    "Cut pieces out of recordings, writing each as a wave of its own.\n"
    "Usage:  extract-segments [options] <wav-rspecifier> <segments-file> <wav-wspecifier>\n"
    "e.g. extract-segments scp:wav.scp segments ark:- | <some other program>\n"
    " A line of segments-file is\n"
    "<segment-id> <recording-id> <start-time> <end-time>\n"
    "e.g. call-861225-A-0050-0065 call-861225-A 5.0 6.5\n"
    "or, with a channel number (0 left, 1 right) after the times,\n"
    "<segment-id> <recording-id> <start-time> <end-time> <channel>\n"
    "e.g. call-861225-A-0050-0065 call-861225 5.0 6.5 1\n"
    "Times are in seconds; an <end-time> of -1 means the end of the recording.\n"
    "See also: extract-feature-segments, wav-copy, wav-to-duration\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float min_len = 0.1f, max_overshoot = 0.5f;
    sk_opts_float(po, "min-segment-length", &min_len,
                  "Segments shorter than this many seconds are skipped");
    sk_opts_float(po, "max-overshoot", &max_overshoot,
                  "A segment ending past the audio by less than this many seconds is cut short; "
                  "by more, it is skipped.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    sk_ra_reader *rr = sk_ra_open(sk_opts_arg(po, 1), &sk_holder_wave);
    sk_writer *w = rr ? sk_writer_open(sk_opts_arg(po, 3), &sk_holder_wave) : NULL;
    sk_input *in = w ? sk_input_open(sk_opts_arg(po, 2)) : NULL;
    if (!in)
        sk_fatal_exit();
    FILE *f = sk_input_file(in);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int32_t num_lines = 0, num_success = 0;
    sk_wave seg;
    sk_wave_init(&seg);
    while ((len = getline(&line, &cap, f)) >= 0) {
        num_lines++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        sk_segment sg;
        if (!sk_segment_parse(line, true, &sg)) {
            /* warned */
        } else if (!sk_ra_has_key(rr, sg.reco)) {
            if (sk_ra_failed(rr))
                SK_FATAL("Cannot go on: the table read for key %s failed", sg.reco);
            SK_WARN("Could not find recording %s, skipping segment %s", sg.reco, sg.id);
        } else {
            const char *segment = sg.id;
            int32_t channel = sg.channel;
            double start = sg.start, end = sg.end;
            const sk_wave *wv = sk_ra_value(rr, sg.reco);
            if (!wv)
                sk_fatal_exit();
            float sf = wv->samp_freq;
            int64_t ns = wv->num_samples;
            int64_t s0 = (int64_t)(start * sf), s1 = end != -1.0 ? (int64_t)(end * sf) : ns;
            if (s0 >= ns) {
                SK_WARN("Start sample out of range %lld [length:] %lld, skipping segment %s",
                        (long long)s0, (long long)ns, segment);
            } else if (s1 > ns && s1 >= ns + (int64_t)(max_overshoot * sf)) {
                SK_WARN("End sample too far out of range %lld [length:] %lld, skipping segment %s",
                        (long long)s1, (long long)ns, segment);
            } else {
                if (s1 > ns)
                    s1 = ns;
                if (s1 <= s0 + (int64_t)(min_len * sf)) {
                    SK_WARN("Segment %s too short, skipping it.", segment);
                } else if (channel == -1 && wv->num_channels != 1) {
                    SK_FATAL("If your data has multiple channels, you must specify the channel in "
                             "the segments file.  Processing segment %s", segment);
                } else if (channel >= wv->num_channels) {
                    SK_WARN("Invalid channel %d >= %d, processing segment %s", channel,
                            wv->num_channels, segment);
                } else {
                    if (channel == -1)
                        channel = 0;
                    sk_wave one = { wv->data + (size_t)channel * ns, 1, ns, sf };
                    if (sk_wave_segment(&one, s0, s1 - s0, &seg) < 0 ||
                        sk_writer_write(w, segment, &seg) < 0)
                        sk_fatal_exit();
                    num_success++;
                }
            }
        }
        sk_segment_release(&sg);
    }
    free(line);
    sk_wave_release(&seg);
    if (sk_input_close(in) < 0 || sk_writer_close(w) < 0)
        sk_fatal_exit();
    if (sk_ra_close(rr) < 0)
        SK_FATAL("Error reading a table (see above)");
    SK_LOG("Successfully processed %d lines out of %d in the segments file. ", num_success, num_lines);
    sk_opts_free(po);
    return 0;
}
