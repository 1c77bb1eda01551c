/* wav-copy — copy wave archives/files (Kaldi's featbin/wav-copy). */
#include "base/log.h"
#include "base/opts.h"
#include "feat/wave.h"
#include "io/stream.h"
#include "io/table.h"

static const char usage[] =
    "Copy waves, between archives or single files.\n"
    "\n"
    "Usage:  wav-copy [options] <wav-rspecifier> <wav-wspecifier>\n"
    "  or:   wav-copy [options] <wav-rxfilename> <wav-wxfilename>\n"
    "e.g. wav-copy scp:wav.scp ark:-\n"
    "     wav-copy wav.ark:123456 -\n"
    "See also: wav-to-duration extract-segments\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    sk_spec spec;
    if (sk_classify_rspecifier(in, &spec) == SK_SPEC_NONE) {
        sk_wave w;
        sk_wave_init(&w);
        if (sk_wave_read_rx(in, &w) < 0)
            sk_fatal_exit();
        sk_output *o = sk_output_open(out, false);
        if (!o || sk_wave_write(sk_output_file(o), &w) < 0 || sk_output_close(o) < 0)
            sk_fatal_exit();
        sk_wave_release(&w);
        SK_LOG("Copied wave file from %s to %s", sk_printable_rx(in), sk_printable_wx(out));
        sk_opts_free(po);
        return 0;
    }
    sk_spec_release(&spec);
    sk_seq_reader *r = sk_seq_open(in, &sk_holder_wave);
    sk_writer *w = r ? sk_writer_open(out, &sk_holder_wave) : NULL;
    if (!w)
        sk_fatal_exit();
    int32_t num_done = 0;
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const sk_wave *wv = sk_seq_value(r);
        if (!wv || sk_writer_write(w, sk_seq_key(r), wv) < 0)
            sk_fatal_exit();
        num_done++;
    }
    if (sk_seq_close(r) < 0 || sk_writer_close(w) < 0)
        sk_fatal_exit();
    SK_LOG("Copied %d wave files", num_done);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
