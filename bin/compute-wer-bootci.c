/* compute-wer-bootci — WER with a bootstrap 95% confidence interval, and optionally the
 * probability that a second system improves on the first, as Kaldi's tool. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"
#include "lat/wer.h"

static const char usage[] =
    "Word error rate with a 95% confidence interval from bootstrap resampling of the\n"
    "utterances (Bisani and Ney). References and hypotheses are integer or text\n"
    "transcriptions. Given a second hypothesis table, it also estimates the probability\n"
    "that the second system is better than the first.\n"
    "\n"
    "Usage: compute-wer-bootci [options] <ref-rspecifier> <hyp-rspecifier> [<hyp2-rspecifier>]\n"
    "E.g.: compute-wer-bootci --mode=present ark:data/train/text ark:hyp_text\n"
    "or compute-wer-bootci ark:data/train/text ark:hyp_text ark:hyp_text2\n"
    "See also: compute-wer\n";

typedef struct {
    int32_t *e1, *e2, *w;
    int32_t n, cap;
} edits;

static void push(edits *x, int32_t e1, int32_t e2, int32_t w)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 256;
        x->e1 = realloc(x->e1, sizeof(int32_t) * (size_t)x->cap);
        x->e2 = realloc(x->e2, sizeof(int32_t) * (size_t)x->cap);
        x->w = realloc(x->w, sizeof(int32_t) * (size_t)x->cap);
        if (!x->e1 || !x->e2 || !x->w)
            SK_FATAL("Out of memory");
    }
    x->e1[x->n] = e1;
    x->e2[x->n] = e2;
    x->w[x->n++] = w;
}

static int32_t errors(const sk_token_vec *ref, const sk_token_vec *hyp)
{
    int32_t ins, del, sub;
    int32_t e = sk_edit_distance((const char *const *)ref->s, ref->n,
                                 hyp ? (const char *const *)hyp->s : NULL, hyp ? hyp->n : 0,
                                 &ins, &del, &sub);
    if (e < 0)
        SK_FATAL("Out of memory");
    return e;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    const char *mode = "strict";
    int32_t replications = 10000;
    sk_opts_string(po, "mode", &mode,
                   "How to treat keys missing from the hypotheses: \"present\" scores only keys "
                   "found in both,\n  \"all\" counts a missing hypothesis as empty, \"strict\" "
                   "stops with an error");
    sk_opts_int(po, "replications", &replications, "Bootstrap resamplings used for the interval");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) < 2 || sk_opts_num_args(po) > 3)
        sk_opts_usage_exit(po);
    const char *ref_rspec = sk_opts_arg(po, 1), *hyp_rspec = sk_opts_arg(po, 2),
               *hyp2_rspec = sk_opts_arg_or_empty(po, 3);
    if (strcmp(mode, "present") && strcmp(mode, "all") && strcmp(mode, "strict"))
        SK_FATAL("--mode option invalid: expected \"present\"|\"all\"|\"strict\", got %s", mode);
    if (replications <= 0)
        SK_FATAL("--replications must be positive, got %d", replications);
    bool two = *hyp2_rspec != '\0';

    sk_seq_reader *refs = sk_seq_open(ref_rspec, &sk_holder_token_vec);
    sk_ra_reader *h1 = refs ? sk_ra_open(hyp_rspec, &sk_holder_token_vec) : NULL;
    sk_ra_reader *h2 = two && h1 ? sk_ra_open(hyp2_rspec, &sk_holder_token_vec) : NULL;
    if (!refs || !h1 || (two && !h2))
        SK_FATAL("Failed to open the transcription tables");
    edits x = { NULL, NULL, NULL, 0, 0 };
    for (; !sk_seq_done(refs); sk_seq_next(refs)) {
        const char *key = sk_seq_key(refs);
        const sk_token_vec *ref = sk_seq_value(refs);
        if (!ref)
            SK_FATAL("Failed to read the reference for key %s", key);
        bool has1 = sk_ra_has_key(h1, key), has2 = two && sk_ra_has_key(h2, key);
        if (sk_ra_failed(h1) || (two && sk_ra_failed(h2)))
            SK_FATAL("Cannot go on: reading the hypotheses failed at key %s", key);
        if (!two) {
            if (!has1 && !strcmp(mode, "strict"))
                SK_FATAL("No hypothesis for key %s and strict mode specifier.", key);
            if (!has1 && !strcmp(mode, "present"))
                continue;
            push(&x, errors(ref, has1 ? sk_ra_value(h1, key) : NULL), 0, ref->n);
        } else {
            if ((!has1 || !has2) && !strcmp(mode, "strict"))
                SK_FATAL("No hypothesis for key %s in both transcripts comparison is not possible.", key);
            if ((!has1 || !has2) && !strcmp(mode, "present"))
                continue;
            /* mode all: a missing hypothesis counts every reference word as an error */
            int32_t e1 = has1 ? errors(ref, sk_ra_value(h1, key)) : ref->n;
            int32_t e2 = has2 ? errors(ref, sk_ra_value(h2, key)) : ref->n;
            push(&x, e1, e2, ref->n);
        }
    }
    if (sk_seq_close(refs) < 0)
        SK_FATAL("Error reading %s", sk_escape(ref_rspec));
    if (sk_ra_close(h1) < 0 || (h2 && sk_ra_close(h2) < 0))
        SK_FATAL("Error reading the hypotheses (see above)");

    float mean = 0.0f, interval = 0.0f, mean2 = 0.0f, interval2 = 0.0f, p_improv = 0.0f;
    sk_wer_bootstrap(x.e1, x.w, x.n, replications, &mean, &interval);
    if (two) {
        sk_wer_bootstrap(x.e2, x.w, x.n, replications, &mean2, &interval2);
        p_improv = sk_wer_bootstrap_improvement(x.e1, x.e2, x.n, replications);
    }
    printf("Set1: %%WER %.2f 95%% Conf Interval [ %.2f, %.2f ]\n", (double)(100 * mean),
           (double)(100 * mean - 100 * interval), (double)(100 * mean + 100 * interval));
    if (two) {
        printf("Set2: %%WER %.2f 95%% Conf Interval [ %.2f, %.2f ]\n", (double)(100 * mean2),
               (double)(100 * mean2 - 100 * interval2), (double)(100 * mean2 + 100 * interval2));
        printf("Probability of Set2 improving Set1: %.2f\n", (double)(100 * p_improv));
    }
    free(x.e1);
    free(x.e2);
    free(x.w);
    sk_opts_free(po);
    return 0;
}
