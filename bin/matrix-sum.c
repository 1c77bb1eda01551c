/* matrix-sum — add matrices: tables key by key, a whole table into one matrix, or single
 * files into one (Kaldi bin/matrix-sum; the last form is what steps/nnet/make_priors.sh uses). */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Sum matrices, in one of three forms.\n"
    "\n"
    "Type one usage:\n"
    " matrix-sum [options] <matrix-in-rspecifier1> [<matrix-in-rspecifier2> <matrix-in-rspecifier3> ...] <matrix-out-wspecifier>\n"
    "  e.g.: matrix-sum ark:1.weights ark:2.weights ark:combine.weights\n"
    "  Sums the matrices of each key across the tables; --scale1 and --scale2 weight the\n"
    "  first two tables.\n"
    "Type two usage (all the matrices of one table into one file):\n"
    " matrix-sum [options] <matrix-in-rspecifier> <matrix-out-wxfilename>\n"
    " e.g.: matrix-sum --binary=false mats.ark sum.mat\n"
    "Type three usage (matrix files into one file):\n"
    " matrix-sum [options] <matrix-in-rxfilename1> <matrix-in-rxfilename2> ... <matrix-out-wxfilename>\n"
    " e.g.: matrix-sum --binary=false 1.mat 2.mat 3.mat sum.mat\n"
    "See also: matrix-sum-rows\n";

static bool is_rspec(const char *s) { return sk_classify_rspecifier(s, NULL) != SK_SPEC_NONE; }

/* Tables in, table out: key by key, the first table read sequentially. */
static int type_one(sk_opts *po, float scale1, float scale2)
{
    int nargs = sk_opts_num_args(po), n_other = nargs - 2;
    const char *in1 = sk_opts_arg(po, 1), *out = sk_opts_arg(po, nargs);
    sk_writer *writer = sk_writer_open(out, &sk_holder_mat);
    if (!writer)
        SK_FATAL("Error opening output %s", out);
    sk_seq_reader *reader = sk_seq_open(in1, &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening %s", in1);
    sk_ra_reader **others = calloc((size_t)n_other + 1, sizeof *others);
    for (int i = 0; i < n_other; i++)
        if (!(others[i] = sk_ra_open(sk_opts_arg(po, i + 2), &sk_holder_mat)))
            SK_FATAL("Error opening %s", sk_opts_arg(po, i + 2));
    int n_utts = 0, n_total = 0, n_success = 0, n_missing = 0;
    sk_mat sum;
    sk_mat_init(&sum);
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_mat *m1 = sk_seq_value(reader);
        if (!m1 || sk_mat_copy(&sum, m1) < 0)
            SK_FATAL("Failed to read matrix for key %s from %s", key, in1);
        n_utts++;
        n_total++;
        sk_mat_scale(&sum, scale1);
        for (int i = 0; i < n_other; i++) {
            const char *rs = sk_opts_arg(po, i + 2);
            if (!sk_ra_has_key(others[i], key)) {
                if (sk_ra_failed(others[i]))
                    SK_FATAL("Cannot go on: the table read for key %s failed", key);
                SK_WARN("No matrix found for utterance %s for system %d, rspecifier: %s", key,
                        i + 2, rs);
                n_missing++;
                continue;
            }
            const sk_mat *m2 = sk_ra_value(others[i], key);
            if (!m2)
                SK_FATAL("Failed to read matrix for key %s from %s", key, rs);
            n_total++;
            if (m2->rows == sum.rows && m2->cols == sum.cols) {
                sk_mat_add_mat(&sum, i == 0 ? scale2 : 1.0f, m2);
            } else {
                SK_WARN("Dimension mismatch for utterance %s : %d by %d for system %d, "
                        "rspecifier: %s vs %d by %d primary matrix, rspecifier:%s", key,
                        (int)m2->rows, (int)m2->cols, i + 2, rs, (int)sum.rows, (int)sum.cols,
                        in1);
            }
        }
        if (sk_writer_write(writer, key, &sum) < 0)
            SK_FATAL("Error writing matrix for key %s to %s", key, out);
        n_success++;
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading %s", in1);
    for (int i = 0; i < n_other; i++)
        if (sk_ra_close(others[i]) < 0)
            SK_FATAL("Error reading a table (see above)");
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error closing output %s", out);
    SK_LOG("Processed %d utterances: with a total of %d matrices across %d different systems",
           n_utts, n_total, nargs - 1);
    SK_LOG("Produced output for %d utterances; %d total missing matrices", n_success, n_missing);
    sk_mat_release(&sum);
    free(others);
    return (n_success != 0 && n_missing < n_success - n_missing) ? 0 : 1;
}

/* One table in, one matrix out: summed in double. */
static int type_two(sk_opts *po, bool binary)
{
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    sk_seq_reader *reader = sk_seq_open(in, &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening %s", in);
    sk_dmat sum, d;
    sk_dmat_init(&sum);
    sk_dmat_init(&d);
    int num_done = 0, num_err = 0;
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_mat *m = sk_seq_value(reader);
        if (!m)
            SK_FATAL("Failed to read matrix for key %s from %s", key, in);
        if (m->rows == 0) {
            SK_WARN("Zero matrix input for key %s", key);
            num_err++;
            continue;
        }
        if (sum.rows == 0 && sk_dmat_resize(&sum, m->rows, m->cols) < 0)
            SK_FATAL("Out of memory");
        if (sum.rows != m->rows || sum.cols != m->cols) {
            SK_WARN("Dimension mismatch for key %s: %d by %d vs. %d by %d", key, (int)m->rows,
                    (int)m->cols, (int)sum.rows, (int)sum.cols);
            num_err++;
            continue;
        }
        if (sk_dmat_from_mat(&d, m) < 0)
            SK_FATAL("Out of memory");
        sk_dmat_add_mat(&sum, 1.0, &d);
        num_done++;
    }
    if (sk_seq_close(reader) < 0)
        SK_FATAL("Error reading %s", in);
    sk_mat f;
    sk_mat_init(&f);
    if (sk_mat_from_dmat(&f, &sum) < 0 || sk_write_object(out, binary, &sk_holder_mat, &f) < 0)
        SK_FATAL("Failed to write %s", sk_printable_wx(out));
    SK_LOG("Summed %d matrices, %d with errors; wrote sum to %s", num_done, num_err,
           sk_printable_wx(out));
    sk_mat_release(&f);
    sk_dmat_release(&sum);
    sk_dmat_release(&d);
    return (num_done > 0 && num_err < num_done) ? 0 : 1;
}

/* Single files in, one file out: summed in float, sizes must agree. */
static int type_three(sk_opts *po, bool binary)
{
    int nargs = sk_opts_num_args(po);
    sk_mat sum, m;
    sk_mat_init(&sum);
    sk_mat_init(&m);
    for (int i = 1; i < nargs; i++) {
        const char *rx = sk_opts_arg(po, i);
        if (is_rspec(rx))
            SK_FATAL("Wrong usage (type 3): if first and last arguments are not tables, the "
                     "intermediate arguments must not be tables.");
        if (sk_read_object(rx, &sk_holder_mat, &m) < 0)
            SK_FATAL("Failed to read matrix from %s", sk_printable_rx(rx));
        if (i == 1 || (sum.rows == 0 && sum.cols == 0)) {
            sk_mat t = sum;
            sum = m;
            m = t;
            continue;
        }
        if (m.rows != sum.rows || m.cols != sum.cols)
            SK_FATAL("Matrix::Read, size mismatch %d, %d vs. %d, %d reading %s", (int)sum.rows,
                     (int)sum.cols, (int)m.rows, (int)m.cols, sk_printable_rx(rx));
        sk_mat_add_mat(&sum, 1.0f, &m);
    }
    const char *out = sk_opts_arg(po, nargs);
    if (sk_write_object(out, binary, &sk_holder_mat, &sum) < 0)
        SK_FATAL("Failed to write %s", sk_printable_wx(out));
    SK_LOG("Summed %d matrices; wrote sum to %s", nargs - 1, sk_printable_wx(out));
    sk_mat_release(&sum);
    sk_mat_release(&m);
    return 0;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    float scale1 = 1.0f, scale2 = 1.0f;
    bool binary = true;
    sk_opts_float(po, "scale1", &scale1, "Factor on the first input (table form only)");
    sk_opts_float(po, "scale2", &scale2, "Factor on the second input (table form only)");
    sk_opts_bool(po, "binary", &binary, "Binary output (applies to the single-file forms of the "
                                        "command only)");
    sk_opts_parse(po);
    int n = sk_opts_num_args(po), status;
    if (n >= 2 && sk_classify_wspecifier(sk_opts_arg(po, n), NULL) != SK_SPEC_NONE) {
        status = type_one(po, scale1, scale2);
    } else if (n == 2 && is_rspec(sk_opts_arg(po, 1))) {
        if (scale1 != 1.0f || scale2 != 1.0f)
            SK_FATAL("Assertion failed: (scale1 == 1.0 && scale2 == 1.0)");
        status = type_two(po, binary);
    } else if (n >= 2 && !is_rspec(sk_opts_arg(po, 1))) {
        if (scale1 != 1.0f || scale2 != 1.0f)
            SK_FATAL("Assertion failed: (scale1 == 1.0 && scale2 == 1.0)");
        status = type_three(po, binary);
    } else {
        sk_opts_usage_exit(po);
    }
    sk_opts_free(po);
    return status;
}
