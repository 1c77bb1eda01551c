/* copy-feats — copy feature tables or files, optionally compressing (Kaldi featbin/copy-feats). */
#include <stdio.h>

#include "base/log.h"
#include "base/opts.h"
#include "feat/htk.h"
#include "io/holders.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Copy feature matrices, optionally converting the format (text, binary, compressed).\n"
    "Usage: copy-feats [options] <feature-rspecifier> <feature-wspecifier>\n"
    "or:   copy-feats [options] <feats-rxfilename> <feats-wxfilename>\n"
    "e.g.: copy-feats ark:- ark,scp:foo.ark,foo.scp\n"
    " or: copy-feats ark:foo.ark ark,t:txt.ark\n"
    "See also: copy-matrix, select-feats, subset-feats, paste-feats\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true, htk_in = false, sphinx_in = false, compress = false;
    int32_t method = 1;
    const char *num_frames_wspec = "";
    sk_opts_bool(po, "htk-in", &htk_in, "Read input as HTK features");
    sk_opts_bool(po, "sphinx-in", &sphinx_in, "Read input as Sphinx features (not supported)");
    sk_opts_bool(po, "binary", &binary, "Binary output (ignored when writing an archive)");
    sk_opts_bool(po, "compress", &compress, "Write matrices compressed (table output only)");
    sk_opts_int(po, "compression-method", &method,
                "With --compress=true: compression method number, 1 to 7 (1 auto, 2 speech "
                "features, 3 two-byte auto, 4 two-byte, 5 one-byte auto, 6 one-byte, 7 one-byte "
                "for values in [0,1]).");
    sk_opts_string(po, "write-num-frames", &num_frames_wspec,
                   "Table to receive each utterance's frame count, e.g. 'ark,t:utt2num_frames' "
                   "(table output only; feat-to-len does the same afterwards).");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    if (sphinx_in)
        SK_FATAL("--sphinx-in is not supported by skald's copy-feats");
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);

    if (sk_classify_rspecifier(in, NULL) == SK_SPEC_NONE) {
        /* single files */
        if (compress)
            SK_FATAL("Assertion failed: (!compress && \"Compression not yet supported for "
                     "single files\")");
        if (*num_frames_wspec)
            SK_FATAL("--write-num-frames option not supported when writing/reading single "
                     "files.");
        char rx[4096];   /* sk_printable_* share one static buffer */
        snprintf(rx, sizeof rx, "%s", sk_printable_rx(in));
        sk_mat m;
        sk_mat_init(&m);
        if (sk_read_object(in, &sk_holder_mat, &m) < 0 ||
            sk_write_object(out, binary, &sk_holder_mat, &m) < 0)
            SK_FATAL("Failed to copy features from %s to %s", rx, sk_printable_wx(out));
        SK_LOG("Copied features from %s to %s", rx, sk_printable_wx(out));
        sk_mat_release(&m);
        sk_opts_free(po);
        return 0;
    }

    if (compress && (method < 1 || method > 7))
        SK_FATAL("Invalid --compression-method=%d (must be 1 through 7)", (int)method);
    /* --htk-in (table mode only, as Kaldi): entries are HTK feature files (feat/htk.h). */
    sk_seq_reader *reader = sk_seq_open(in, htk_in ? &sk_holder_htk : &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening features %s", in);
    sk_writer *writer = sk_writer_open(out, compress ? &sk_holder_cmat : &sk_holder_mat);
    if (!writer)
        SK_FATAL("Error opening output %s", out);
    sk_writer *nf_writer = NULL;
    if (*num_frames_wspec && !(nf_writer = sk_writer_open(num_frames_wspec, &sk_holder_int32)))
        SK_FATAL("Error opening --write-num-frames output %s", num_frames_wspec);

    int num_done = 0;
    sk_cmat cm;
    sk_cmat_init(&cm);
    for (; !sk_seq_done(reader); sk_seq_next(reader), num_done++) {
        const char *key = sk_seq_key(reader);
        const void *v = sk_seq_value(reader);
        const sk_mat *m = v && htk_in ? ((const sk_htk *)v)->feats : v;
        if (!m)
            SK_FATAL("Failed to read features for key %s from %s", key, in);
        int st;
        if (compress) {
            st = sk_cmat_compress(m, method, &cm);
            if (st < 0)
                SK_FATAL("Failed to compress features for key %s", key);
            st = sk_writer_write(writer, key, &cm);
        } else {
            st = sk_writer_write(writer, key, m);
        }
        if (st < 0)
            SK_FATAL("Error writing features for key %s to %s", key, out);
        int32_t rows = m->rows;
        if (nf_writer && sk_writer_write(nf_writer, key, &rows) < 0)
            SK_FATAL("Error writing number of frames for key %s", key);
    }
    sk_cmat_release(&cm);
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading features from %s", in);
    if (sk_writer_close(writer) < 0 || (nf_writer && sk_writer_close(nf_writer) < 0))
        SK_FATAL("Error closing output");
    SK_LOG("Copied %d feature matrices.", num_done);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
