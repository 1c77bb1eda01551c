/* analyze-counts — count the values of int32 vector tables (pdf counts for priors, phone
 * histograms), optionally weighted per frame or per utterance. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "hmm/symtab.h"
#include "io/holders.h"
#include "io/kio.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"
#include "matrix/matrix.h"

static const char usage[] =
    "Count how often each integer occurs in a table of integer vectors (e.g. pdf counts\n"
    "from alignments, for the priors of a network). With --verbose=1 it also logs the\n"
    "frequencies and a histogram.\n"
    "\n"
    "Usage: analyze-counts [options] <alignments-rspecifier> <counts-wxfilname>\n"
    "e.g.: \n"
    " analyze-counts ark:1.ali prior.counts\n"
    " Phone counts:\n"
    " ali-to-phone --per-frame=true ark:1.ali ark:- | analyze-counts --verbose=1 ark:- - >/dev/null\n";

/* Labels above this are refused rather than sizing a counts vector of gigabytes. */
#define MAX_LABEL 100000000

/* Counts indexed by label, growing as labels appear. */
static double *counts;
static int32_t dim;

static void grow_to(int32_t n)
{
    if (n <= dim)
        return;
    double *c = realloc(counts, sizeof(double) * (size_t)n);
    if (!c)
        SK_FATAL("Out of memory for %d counts", (int)n);
    memset(c + dim, 0, sizeof(double) * (size_t)(n - dim));
    counts = c;
    dim = n;
}

typedef struct { double count; int32_t id; } entry;

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The sorted count table Kaldi prints at --verbose >= 1 or with a symbol table. */
static void print_table(const sk_symtab *syms)
{
    entry *e = malloc(sizeof(entry) * (dim ? (size_t)dim : 1));
    char *text = NULL;
    size_t len = 0;
    FILE *os = open_memstream(&text, &len);
    if (!e || !os)
        SK_FATAL("Out of memory");
    double sum = 0.0;
    for (int32_t i = 0; i < dim; i++) {
        e[i].count = counts[i];
        e[i].id = i;
        sum += counts[i];
    }
    qsort(e, (size_t)dim, sizeof *e, cmp_entry);
    fprintf(os, "Printing...\n### The sorted count table,\ncount\t(norm),\tid\t(symbol):\n");
    for (int32_t i = 0; i < dim; i++) {
        fprintf(os, "%g\t(%g),\t%d\t", e[i].count, (double)(float)e[i].count / sum, (int)e[i].id);
        if (syms) {
            const char *s = sk_symtab_find(syms, e[i].id);
            fprintf(os, "(%s)", s ? s : "");
        }
        fputc('\n', os);
    }
    float hours = (float)sum / 100 / 3600;
    fprintf(os, "\n#total %g (%gh)\n", sum, (double)hours);
    fclose(os);
    SK_LOG("%s", text);
    free(text);
    free(e);
}

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool binary = false;
    const char *symbol_table = "", *frame_weights = "", *utt_weights = "";
    int32_t counts_dim = 0;
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_string(po, "symbol-table", &symbol_table,
                   "Symbol table, to print names next to the counts");
    sk_opts_int(po, "counts-dim", &counts_dim,
                "Length of the counts vector (otherwise one past the largest id seen).");
    sk_opts_string(po, "frame-weights", &frame_weights,
                   "Weight of each frame in the counts.");
    sk_opts_string(po, "utt-weights", &utt_weights,
                   "Weight of each utterance in the counts.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *wx = sk_opts_arg(po, 2);
    if (counts_dim < 0)
        SK_FATAL("Invalid --counts-dim=%d: must be >= 0", (int)counts_dim);

    sk_seq_reader *reader = sk_seq_open(sk_opts_arg(po, 1), &sk_holder_int32_vec);
    sk_ra_reader *fw = *frame_weights ? sk_ra_open(frame_weights, &sk_holder_vec) : NULL;
    sk_ra_reader *uw = *utt_weights ? sk_ra_open(utt_weights, &sk_holder_float) : NULL;
    if (!reader || (*frame_weights && !fw) || (*utt_weights && !uw))
        sk_fatal_exit();
    grow_to(counts_dim);

    int32_t num_done = 0, num_other_error = 0;
    bool warned_dim = false;
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_int32_vec *ali = sk_seq_value(reader);
        if (!ali)
            SK_FATAL("Failed to read int32 vector for key %s", key);
        float utt_w = 1.0f;
        if (uw) {
            if (!sk_ra_has_key(uw, key)) {
                if (sk_ra_failed(uw))
                    SK_FATAL("Cannot go on: the table read for key %s failed", key);
                SK_WARN("%s, missing per-utterance weight", key);
                num_other_error++;
                continue;
            }
            const float *w = sk_ra_value(uw, key);
            if (!w)
                sk_fatal_exit();
            utt_w = *w;
        }
        const sk_vec *frame_w = NULL;
        if (fw) {
            if (!sk_ra_has_key(fw, key)) {
                if (sk_ra_failed(fw))
                    SK_FATAL("Cannot go on: the table read for key %s failed", key);
                SK_WARN("%s, missing per-frame weights", key);
                num_other_error++;
                continue;
            }
            frame_w = sk_ra_value(fw, key);
            if (!frame_w)
                sk_fatal_exit();
            if (frame_w->dim != ali->n)
                SK_FATAL("Per-frame weights for %s have dimension %d, but the vector has %d "
                         "elements", key, (int)frame_w->dim, (int)ali->n);
        }
        for (int32_t i = 0; i < ali->n; i++) {
            int32_t v = ali->data[i];
            if (v < 0 || v >= MAX_LABEL)
                SK_FATAL("%s value %d at position %d of %s: cannot be counted",
                         v < 0 ? "Negative" : "Too large a", (int)v, (int)i, key);
            if (v >= dim) {
                if (counts_dim > 0 && !warned_dim) {
                    SK_WARN("Value %d at position %d of %s is >= --counts-dim=%d: the counts "
                            "grow beyond it (as in Kaldi); do the alignments match the model?",
                            (int)v, (int)i, key, (int)counts_dim);
                    warned_dim = true;
                }
                grow_to(v + 1);
            }
            /* double arithmetic, as Kaldi: 1.0 * utt_w * frame_w(i) */
            counts[v] += frame_w ? 1.0 * utt_w * frame_w->data[i] : 1.0 * utt_w;
        }
        num_done++;
    }
    if (sk_seq_close(reader) < 0)
        sk_fatal_exit();

    for (int32_t i = 0; i < dim; i++)
        if (counts[i] == 0.0)
            SK_WARN("Zero count for label %d, this is suspicious.", (int)i);

    /* A half-frame is added to every count so that no prior is zero in decoding. */
    sk_dvec out = { malloc(sizeof(double) * (dim ? (size_t)dim : 1)), dim, false };
    if (!out.data)
        SK_FATAL("Out of memory");
    for (int32_t i = 0; i < dim; i++)
        out.data[i] = counts[i] + 0.5;
    sk_output *o = sk_output_open_object(wx, binary, true);
    if (!o)
        sk_fatal_exit();
    if (sk_dvec_write(sk_output_file(o), binary, &out) < 0) {
        sk_output_abort(o);
        SK_FATAL("Failed to write counts to %s", wx);
    }
    if (sk_output_close(o) < 0)
        sk_fatal_exit();

    if (*symbol_table || sk_log_verbose() >= 1) {
        sk_symtab *syms = NULL;
        if (*symbol_table && !(syms = sk_symtab_read(symbol_table)))
            SK_FATAL("Could not read symbol table from file %s", symbol_table);
        print_table(syms);
        sk_symtab_free(syms);
    }
    SK_LOG("Summed %d int32 vectors to counts, skipped %d vectors.", (int)num_done,
           (int)num_other_error);
    SK_LOG("Counts written to %s", wx);
    free(out.data);
    free(counts);
    if (fw && sk_ra_close(fw) < 0)
        SK_FATAL("Error reading a table (see above)");
    if (uw && sk_ra_close(uw) < 0)
        SK_FATAL("Error reading a table (see above)");
    sk_opts_free(po);
    return 0;
}
