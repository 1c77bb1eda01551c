/* copy-int-vector — copy int32 vectors (alignments): a table to a table, or one file to one
 * file (spec/hmm-and-decoding.md 2.6). */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/kio.h"
#include "io/stream.h"
#include "io/table.h"

static const char usage[] =
    "Copy integer vectors (e.g. alignments), as single files or as tables.\n"
    "\n"
    "Usage: copy-int-vector [options] (vector-in-rspecifier|vector-in-rxfilename) "
    "(vector-out-wspecifier|vector-out-wxfilename)\n"
    " e.g.: copy-int-vector --binary=false foo -\n"
    "   copy-int-vector ark:1.ali ark,t:-\n";

/* One vector in the WriteIntegerVector form ("[ 1 2 3 ]" in text). */
static void copy_file(const char *in_fn, const char *out_fn, bool binary)
{
    bool binary_in;
    sk_input *in = sk_input_open_object(in_fn, &binary_in);
    if (!in)
        SK_FATAL("Error opening input stream %s", sk_printable_rx(in_fn));
    int32_t *v, n;
    if (sk_read_int32_vector(sk_input_file(in), binary_in, &v, &n) < 0)
        SK_FATAL("Failed to read integer vector from %s", sk_printable_rx(in_fn));
    if (sk_input_close(in) < 0)
        SK_FATAL("Error reading %s", sk_printable_rx(in_fn));
    sk_output *out = sk_output_open_object(out_fn, binary, true);
    if (!out)
        SK_FATAL("Error opening output stream %s", sk_printable_wx(out_fn));
    if (sk_write_int32_vector(sk_output_file(out), binary, v, n) < 0) {
        sk_output_abort(out);
        SK_FATAL("Write failure to %s", sk_printable_wx(out_fn));
    }
    if (sk_output_close(out) < 0)
        SK_FATAL("Error closing output stream %s", sk_printable_wx(out_fn));
    free(v);
    SK_LOG("Copied vector to %s", out_fn);
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    sk_opts_bool(po, "binary", &binary, "Binary output (applies to a single output file, not to "
                                        "archives)");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *in_fn = sk_opts_arg(po, 1), *out_fn = sk_opts_arg(po, 2);

    bool in_table = sk_classify_rspecifier(in_fn, NULL) != SK_SPEC_NONE;
    bool out_table = sk_classify_wspecifier(out_fn, NULL) != SK_SPEC_NONE;
    if (in_table != out_table)
        SK_FATAL("Cannot mix archives with regular files (copying vectors)");
    if (!in_table) {
        copy_file(in_fn, out_fn, binary);
        sk_opts_free(po);
        return 0;
    }

    sk_writer *writer = sk_writer_open(out_fn, &sk_holder_int32_vec);
    if (!writer)
        SK_FATAL("Failed to open table for writing: %s", sk_escape(out_fn));
    sk_seq_reader *reader = sk_seq_open(in_fn, &sk_holder_int32_vec);
    if (!reader)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(in_fn));
    int num_done = 0;
    for (; !sk_seq_done(reader); sk_seq_next(reader), num_done++) {
        const sk_int32_vec *v = sk_seq_value(reader);
        if (!v || sk_writer_write(writer, sk_seq_key(reader), v) < 0)
            SK_FATAL("Failed copying the vector for key %s", sk_seq_key(reader));
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading %s", sk_escape(in_fn));
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error writing %s", sk_escape(out_fn));
    SK_LOG("Copied %d vectors of int32.", num_done);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
