/* compute-cmvn-stats — CMVN statistics per utterance, per speaker or global (spec §7). */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "feat/cmvn.h"
#include "io/holders.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Accumulate the statistics for CMVN (counts, sums, sums of squares).\n"
    "Written to a table they are per utterance, or per speaker with --spk2utt; written to a\n"
    "single file they cover all the input.\n"
    "Usage: compute-cmvn-stats  [options] <feats-rspecifier> (<stats-wspecifier>|<stats-wxfilename>)\n"
    "e.g.: compute-cmvn-stats --spk2utt=ark:data/train/spk2utt"
    " scp:data/train/feats.scp ark,scp:/foo/bar/cmvn.ark,data/train/cmvn.scp\n";

/* Accumulate feats (with weights from wr when given) into st; false on a weights problem. */
static bool acc(sk_dmat *st, const sk_mat *feats, const char *utt, sk_ra_reader *wr)
{
    if (st->rows == 0 && sk_cmvn_init(st, feats->cols) < 0)
        sk_fatal_exit();
    if (st->cols != feats->cols + 1)
        SK_FATAL("Dimension mismatch for utterance %s: stats have dim %d, features %d", utt,
                 st->cols - 1, feats->cols);
    const float *w = NULL;
    if (wr) {
        if (!sk_ra_has_key(wr, utt)) {
            if (sk_ra_failed(wr))
                SK_FATAL("Cannot go on: the table read for key %s failed", utt);
            SK_WARN("No weights available for utterance %s", utt);
            return false;
        }
        const sk_vec *v = sk_ra_value(wr, utt);
        if (!v)
            sk_fatal_exit();
        if (v->dim != feats->rows) {
            SK_WARN("Weights for utterance %s have wrong dimension %d vs. %d", utt, v->dim, feats->rows);
            return false;
        }
        w = v->data;
    }
    sk_cmvn_acc(st, feats, w);
    return true;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    const char *spk2utt = "", *weights = "";
    bool binary = true;
    sk_opts_string(po, "spk2utt", &spk2utt,
                   "Table: speaker -> its utterances (statistics per speaker)");
    sk_opts_bool(po, "binary", &binary, "Binary output (only for global statistics written to "
                                        "one file)");
    sk_opts_string(po, "weights", &weights,
                   "Table of per-frame weight vectors, one per utterance.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *feat_rspec = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    sk_spec spec;
    bool table_out = sk_classify_wspecifier(out, &spec) != SK_SPEC_NONE;
    if (table_out)
        sk_spec_release(&spec);
    sk_ra_reader *wr = NULL;
    if (*weights && !(wr = sk_ra_open(weights, &sk_holder_vec)))
        sk_fatal_exit();
    int32_t num_done = 0, num_err = 0;
    sk_dmat st;
    sk_dmat_init(&st);
    if (table_out) {
        sk_writer *w = sk_writer_open(out, &sk_holder_dmat);
        if (!w)
            sk_fatal_exit();
        if (*spk2utt) {
            sk_seq_reader *sr = sk_seq_open(spk2utt, &sk_holder_token_vec);
            sk_ra_reader *fr = sr ? sk_ra_open(feat_rspec, &sk_holder_mat) : NULL;
            if (!sr || !fr)
                sk_fatal_exit();
            for (; !sk_seq_done(sr); sk_seq_next(sr)) {
                const char *spk = sk_seq_key(sr);
                const sk_token_vec *utts = sk_seq_value(sr);
                if (!utts)
                    sk_fatal_exit();
                sk_dmat_release(&st);
                for (int32_t i = 0; i < utts->n; i++) {
                    const char *u = utts->s[i];
                    if (!sk_ra_has_key(fr, u)) {
                        if (sk_ra_failed(fr))
                            SK_FATAL("Cannot go on: the table read for key %s failed", u);
                        SK_WARN("Did not find features for utterance %s", u);
                        num_err++;
                        continue;
                    }
                    const sk_mat *m = sk_ra_value(fr, u);
                    if (!m)
                        sk_fatal_exit();
                    if (!acc(&st, m, u, wr)) {
                        num_err++;
                        continue;
                    }
                    num_done++;
                }
                if (st.rows == 0) {
                    SK_WARN("No stats accumulated for speaker %s", spk);
                } else if (sk_writer_write(w, spk, &st) < 0) {
                    sk_fatal_exit();
                }
            }
            if (sk_seq_close(sr) < 0 || sk_ra_close(fr) < 0)
                sk_fatal_exit();
        } else {
            sk_seq_reader *fr = sk_seq_open(feat_rspec, &sk_holder_mat);
            if (!fr)
                sk_fatal_exit();
            for (; !sk_seq_done(fr); sk_seq_next(fr)) {
                const char *u = sk_seq_key(fr);
                const sk_mat *m = sk_seq_value(fr);
                if (!m)
                    sk_fatal_exit();
                sk_dmat_release(&st);
                if (!acc(&st, m, u, wr)) {
                    num_err++;
                    continue;
                }
                if (sk_writer_write(w, u, &st) < 0)
                    sk_fatal_exit();
                num_done++;
            }
            if (sk_seq_close(fr) < 0)
                sk_fatal_exit();
        }
        if (sk_writer_close(w) < 0)
            sk_fatal_exit();
    } else {
        if (*spk2utt)
            SK_FATAL("--spk2utt option not compatible with wxfilename as output (did you forget ark:?)");
        sk_seq_reader *fr = sk_seq_open(feat_rspec, &sk_holder_mat);
        if (!fr)
            sk_fatal_exit();
        for (; !sk_seq_done(fr); sk_seq_next(fr)) {
            const char *u = sk_seq_key(fr);
            const sk_mat *m = sk_seq_value(fr);
            if (!m)
                sk_fatal_exit();
            if (!acc(&st, m, u, wr)) {
                num_err++;
                continue;
            }
            num_done++;
        }
        if (sk_seq_close(fr) < 0)
            sk_fatal_exit();
        sk_mat fst;
        sk_mat_init(&fst);
        if (sk_mat_from_dmat(&fst, &st) < 0 || sk_write_object(out, binary, &sk_holder_mat, &fst) < 0)
            sk_fatal_exit();
        sk_mat_release(&fst);
        SK_LOG("Wrote global CMVN stats to %s", sk_printable_wx(out));
    }
    if (wr && sk_ra_close(wr) < 0)
        SK_FATAL("Error reading a table (see above)");
    sk_dmat_release(&st);
    SK_LOG("Done accumulating CMVN stats for %d utterances; %d had errors.", num_done, num_err);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
