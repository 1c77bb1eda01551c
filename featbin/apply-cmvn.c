/* apply-cmvn — apply CMVN statistics to features (spec/features.md §8). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "feat/cmvn.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Normalise features with CMVN statistics: the mean, and with --norm-vars the variance.\n"
    "Statistics are looked up by utterance, or by speaker when --utt2spk is given; a single\n"
    "statistics file applies to every utterance.\n"
    "Usage: apply-cmvn [options] (<cmvn-stats-rspecifier>|<cmvn-stats-rxfilename>) <feats-rspecifier> <feats-wspecifier>\n"
    "e.g.: apply-cmvn --utt2spk=ark:data/train/utt2spk scp:data/train/cmvn.scp scp:data/train/feats.scp ark:-\n";

/* "1:3:5" -> dims; false on a bad list. "" is an empty list. */
static bool parse_dims(const char *s, int32_t **dims, int32_t *n)
{
    *dims = NULL;
    *n = 0;
    if (!*s)
        return true;
    size_t len = strlen(s);
    char *copy = strdup(s);
    int32_t *d = malloc(sizeof(int32_t) * (len + 1));
    bool ok = copy && d;
    for (char *tok = copy, *next; ok && tok; tok = next) {
        next = strchr(tok, ':');
        if (next)
            *next++ = 0;
        ok = sk_parse_int32(tok, &d[*n]);
        (*n)++;
    }
    free(copy);
    if (!ok) {
        free(d);
        return false;
    }
    *dims = d;
    return true;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    const char *utt2spk = "", *skip_dims_str = "";
    bool norm_vars = false, norm_means = true, reverse = false;
    sk_opts_string(po, "utt2spk", &utt2spk,
                   "Table: utterance -> speaker (statistics per speaker)");
    sk_opts_bool(po, "norm-vars", &norm_vars, "Also scale to unit variance.");
    sk_opts_bool(po, "norm-means", &norm_means,
                 "Subtract the mean (false skips it, cheaper than passing neutral statistics).");
    sk_opts_string(po, "skip-dims", &skip_dims_str,
                   "Colon-separated dimensions left unnormalised (e.g. 13:14:15)");
    sk_opts_bool(po, "reverse", &reverse,
                 "Undo the normalisation: map normalised features back to the original scale.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    if (norm_vars && !norm_means)
        SK_FATAL("You cannot normalize the variance but not the mean.");
    const char *cmvn_arg = sk_opts_arg(po, 1), *feat_rspec = sk_opts_arg(po, 2),
               *feat_wspec = sk_opts_arg(po, 3);
    int32_t *skip = NULL, nskip = 0;
    if (!parse_dims(skip_dims_str, &skip, &nskip))
        SK_FATAL("Bad --skip-dims option (should be colon-separated list of integers)");
    int32_t num_done = 0, num_err = 0;

    if (!norm_means) {  /* verbatim copy, compressed input stays compressed */
        sk_seq_reader *r = sk_seq_open(feat_rspec, &sk_holder_gmat);
        sk_writer *w = r ? sk_writer_open(feat_wspec, &sk_holder_gmat) : NULL;
        if (!w)
            sk_fatal_exit();
        for (; !sk_seq_done(r); sk_seq_next(r)) {
            const void *m = sk_seq_value(r);
            if (!m || sk_writer_write(w, sk_seq_key(r), m) < 0)
                sk_fatal_exit();
            num_done++;
        }
        if (sk_seq_close(r) < 0 || sk_writer_close(w) < 0)
            sk_fatal_exit();
        SK_LOG("Copied %d utterances.", num_done);
        return num_done != 0 ? 0 : 1;
    }

    sk_seq_reader *r = sk_seq_open(feat_rspec, &sk_holder_mat);
    if (!r)
        sk_fatal_exit();
    sk_writer *w = sk_writer_open(feat_wspec, &sk_holder_mat);
    if (!w)
        sk_fatal_exit();
    sk_spec spec;
    bool table = sk_classify_rspecifier(cmvn_arg, &spec) != SK_SPEC_NONE;
    if (table)
        sk_spec_release(&spec);
    sk_ra_reader *cr = NULL;
    sk_dmat global, stats;
    sk_dmat_init(&global);
    sk_dmat_init(&stats);
    if (table) {
        if (!(cr = sk_ra_open_mapped(cmvn_arg, utt2spk, &sk_holder_dmat)))
            sk_fatal_exit();
    } else {
        if (*utt2spk)
            SK_FATAL("--utt2spk option not compatible with rxfilename as input (did you forget ark:?)");
        if (sk_read_object(cmvn_arg, &sk_holder_dmat, &global) < 0)
            sk_fatal_exit();
        if (nskip && sk_cmvn_fake_stats(&global, skip, nskip) < 0)
            sk_fatal_exit();
    }
    sk_mat feat;
    sk_mat_init(&feat);
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const char *utt = sk_seq_key(r);
        const sk_dmat *st = &global;
        if (cr) {
            if (!sk_ra_has_key(cr, utt)) {
                if (sk_ra_failed(cr))
                    SK_FATAL("Cannot go on: the table read for key %s failed", utt);
                SK_WARN("No normalization statistics available for key %s, producing no output for this utterance", utt);
                num_err++;
                continue;
            }
            const sk_dmat *v = sk_ra_value(cr, utt);
            if (!v || sk_dmat_copy(&stats, v) < 0)
                sk_fatal_exit();
            if (nskip && sk_cmvn_fake_stats(&stats, skip, nskip) < 0)
                sk_fatal_exit();
            st = &stats;
        }
        const sk_mat *in = sk_seq_value(r);
        if (!in || sk_mat_copy(&feat, in) < 0)
            sk_fatal_exit();
        int rc = reverse ? sk_cmvn_apply_reverse(st, norm_vars, &feat) : sk_cmvn_apply(st, norm_vars, &feat);
        if (rc < 0)
            sk_fatal_exit();
        if (sk_writer_write(w, utt, &feat) < 0)
            sk_fatal_exit();
        num_done++;
    }
    if (sk_seq_close(r) < 0 || sk_writer_close(w) < 0)
        sk_fatal_exit();
    if (cr)
        if (sk_ra_close(cr) < 0)
            SK_FATAL("Error reading a table (see above)");
    if (norm_vars)
        SK_LOG("Applied cepstral mean and variance normalization to %d utterances, errors on %d", num_done, num_err);
    else
        SK_LOG("Applied cepstral mean normalization to %d utterances, errors on %d", num_done, num_err);
    sk_mat_release(&feat);
    sk_dmat_release(&stats);
    sk_dmat_release(&global);
    free(skip);
    sk_opts_free(po);
    return num_done != 0 ? 0 : 1;
}
