/* copy-vector — copy vectors or tables of vectors (Kaldi bin/copy-vector). */
#include "base/log.h"
#include "base/opts.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Copy vectors, as single files or as tables, optionally changing their length.\n"
    "\n"
    "Usage: copy-vector [options] (<vector-in-rspecifier>|<vector-in-rxfilename>) "
    "(<vector-out-wspecifier>|<vector-out-wxfilename>)\n"
    " e.g.: copy-vector --binary=false 1.mat -\n"
    "   copy-vector ark:2.trans ark,t:-\n";

/* Truncate or zero-pad v to dim (dim < 0: unchanged). */
static void change_dim(sk_vec *v, int32_t dim)
{
    if (dim < 0 || dim == v->dim)
        return;
    sk_vec n;
    sk_vec_init(&n);
    if (sk_vec_resize(&n, dim) < 0)
        SK_FATAL("Out of memory");
    for (int32_t i = 0; i < dim && i < v->dim; i++)
        n.data[i] = v->data[i];
    sk_vec_release(v);
    *v = n;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = true;
    int32_t dim = -1;
    sk_opts_bool(po, "binary", &binary,
                 "Binary output (applies to a single output file, not to archives)");
    sk_opts_int(po, "change-dim", &dim, "Cut or zero-extend each vector to this dimension.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    bool in_table = sk_classify_rspecifier(in, NULL) != SK_SPEC_NONE;
    bool out_table = sk_classify_wspecifier(out, NULL) != SK_SPEC_NONE;
    if (in_table != out_table)
        SK_FATAL("Cannot mix archives with regular files (copying vectors)");
    if (!in_table) {
        sk_vec v;
        sk_vec_init(&v);
        if (sk_read_object(in, &sk_holder_vec, &v) < 0)
            SK_FATAL("Failed to read vector from %s", sk_printable_rx(in));
        change_dim(&v, dim);
        if (sk_write_object(out, binary, &sk_holder_vec, &v) < 0)
            SK_FATAL("Failed to write vector to %s", sk_printable_wx(out));
        SK_LOG("Copied vector to %s", out);
        sk_vec_release(&v);
        sk_opts_free(po);
        return 0;
    }
    sk_writer *writer = sk_writer_open(out, &sk_holder_vec);
    if (!writer)
        SK_FATAL("Error opening output %s", out);
    sk_seq_reader *reader = sk_seq_open(in, &sk_holder_vec);
    if (!reader)
        SK_FATAL("Error opening input %s", in);
    int num_done = 0;
    for (; !sk_seq_done(reader); sk_seq_next(reader), num_done++) {
        sk_vec *v = sk_seq_value(reader);
        if (!v)
            SK_FATAL("Failed to read vector for key %s", sk_seq_key(reader));
        change_dim(v, dim);
        if (sk_writer_write(writer, sk_seq_key(reader), v) < 0)
            SK_FATAL("Error writing vector for key %s to %s", sk_seq_key(reader), out);
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading vectors from %s", in);
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error closing output %s", out);
    if (dim < 0)
        SK_LOG("Copied %d vectors.", num_done);
    else
        SK_LOG("Copied %d vectors, setting dim to %d", num_done, (int)dim);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
