/* wav-to-duration — duration in seconds of each wave (Kaldi's featbin/wav-to-duration). */
#include <math.h>

#include "base/log.h"
#include "base/opts.h"
#include "feat/wave.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Write the length in seconds of each wave to a table of floats.\n"
    "Usage:  wav-to-duration [options...] <wav-rspecifier> <duration-wspecifier>\n"
    "E.g.: wav-to-duration scp:wav.scp ark,t:-\n"
    "See also: wav-copy extract-segments feat-to-len\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool read_entire_file = false;
    sk_opts_bool(po, "read-entire-file", &read_entire_file,
                 "Read each whole wave instead of its header only (useful when a pipe must not "
                 "be closed early).");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    sk_seq_reader *r = sk_seq_open(sk_opts_arg(po, 1),
                                   read_entire_file ? &sk_holder_wave : &sk_holder_wave_info);
    sk_writer *w = r ? sk_writer_open(sk_opts_arg(po, 2), &sk_holder_float) : NULL;
    if (!w)
        sk_fatal_exit();
    double sum = 0.0, mn = INFINITY, mx = 0.0;
    int32_t num_done = 0;
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const sk_wave *wv = sk_seq_value(r);
        if (!wv)
            sk_fatal_exit();
        float d = sk_wave_duration(wv);
        if (sk_writer_write(w, sk_seq_key(r), &d) < 0)
            sk_fatal_exit();
        sum += d;
        mn = fmin(mn, d);
        mx = fmax(mx, d);
        num_done++;
    }
    if (sk_seq_close(r) < 0 || sk_writer_close(w) < 0)
        sk_fatal_exit();
    SK_LOG("Printed duration for %d audio files.", num_done);
    if (num_done > 0)
        SK_LOG("Mean duration was %g, min and max durations were %g, %g", sum / num_done, mn, mx);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
