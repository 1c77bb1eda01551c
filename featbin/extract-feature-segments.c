/* extract-feature-segments — cut feature matrices by a segments file (spec/features.md §15). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "feat/segments.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Cut feature matrices into segments given in seconds. Ranges in scp files\n"
    "(e.g. feats.ark:12[100:199]) now do the same job, usually more simply.\n"
    "Usage:  extract-feature-segments [options...] <feats-rspecifier>  <segments-file> <feats-wspecifier>\n"
    " (each line of segments-file: <new-utterance-id> <input-id> <start-seconds> <end-seconds>)\n"
    "e.g.:  extract-feature-segments scp:feats.scp segments ark:- \n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float min_len = 0.1f, max_overshoot = 0.0f;
    int32_t frame_length = 25, frame_shift = 10;
    bool snip_edges = true;
    sk_opts_float(po, "min-segment-length", &min_len,
                  "Segments shorter than this many seconds are skipped");
    sk_opts_int(po, "frame-length", &frame_length, "Window length, in ms");
    sk_opts_int(po, "frame-shift", &frame_shift, "Step between windows, in ms");
    sk_opts_float(po, "max-overshoot", &max_overshoot,
                  "A segment ending past the features by less than this many seconds is cut "
                  "short; by more, it is skipped.");
    sk_opts_bool(po, "snip-edges", &snip_edges,
                 "Drop the trailing frames whose windows reach past the segment end "
                 "(ceil((frame-length - frame-shift) / frame-shift) of them); use false if the "
                 "features were computed with --snip-edges=false.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    const char *feat_rspec = sk_opts_arg(po, 1), *segments = sk_opts_arg(po, 2),
               *wspec = sk_opts_arg(po, 3);
    int32_t snip = snip_edges ? (int32_t)ceil(1.0 * (frame_length - frame_shift) / frame_shift) : 0;
    sk_ra_reader *fr = sk_ra_open(feat_rspec, &sk_holder_mat);
    sk_writer *w = fr ? sk_writer_open(wspec, &sk_holder_mat) : NULL;
    sk_input *in = w ? sk_input_open(segments) : NULL;
    if (!in)
        sk_fatal_exit();
    FILE *f = sk_input_file(in);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int32_t num_lines = 0, num_success = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        num_lines++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        sk_segment sg;
        if (sk_segment_parse(line, false, &sg)) {
            const char *seg = sg.id, *utt = sg.reco;
            if (!sk_ra_has_key(fr, utt)) {
                if (sk_ra_failed(fr))
                    SK_FATAL("Cannot go on: the table read for key %s failed", utt);
                SK_WARN("Did not find features for utterance %s, skipping segment %s", utt, seg);
            } else {
                const sk_mat *m = sk_ra_value(fr, utt);
                if (!m)
                    sk_fatal_exit();
                int32_t T = m->rows, D = m->cols;
                int32_t sf = (int32_t)round(sg.start * 1000.0 / frame_shift);
                int32_t ef = (int32_t)round(sg.end * 1000.0 / frame_shift) - snip;
                if (sf < 0 || sf >= T) {
                    SK_WARN("Start sample out of range %d [length:] %dx%d, skipping segment %s", sf, T, D, seg);
                } else {
                    bool ok = true;
                    if (ef > T) {
                        if (ef >= T + (int32_t)round(max_overshoot * 1000.0 / frame_shift)) {
                            SK_WARN("End sample too far out of range %d [length:] %dx%d, skipping segment %s",
                                    ef, T, D, seg);
                            ok = false;
                        } else {
                            ef = T;
                        }
                    }
                    if (ok && ef <= sf + (int32_t)round(min_len * 1000.0 / frame_shift)) {
                        SK_WARN("Segment %s too short, skipping it.", seg);
                        ok = false;
                    }
                    if (ok) {
                        sk_mat v = sk_mat_view(m, sf, ef - sf, 0, D);
                        if (sk_writer_write(w, seg, &v) < 0)
                            sk_fatal_exit();
                        num_success++;
                    }
                }
            }
        }
        sk_segment_release(&sg);
    }
    free(line);
    if (sk_input_close(in) < 0 || sk_writer_close(w) < 0)
        sk_fatal_exit();
    if (sk_ra_close(fr) < 0)
        SK_FATAL("Error reading a table (see above)");
    SK_LOG("Successfully processed %d lines out of %d in the segments file. ", num_success, num_lines);
    sk_opts_free(po);
    return 0;
}
