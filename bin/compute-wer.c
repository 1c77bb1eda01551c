/* compute-wer — word error rate of hypotheses against references (spec/hmm-and-decoding.md §6):
 * the %WER / %SER / Scored lines that Kaldi's scoring scripts grep. */
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"
#include "lat/wer.h"

static const char usage[] =
    "Word error rate of hypotheses against references (integer or text transcriptions),\n"
    "printed on standard output.\n"
    "\n"
    "Usage: compute-wer [options] <ref-rspecifier> <hyp-rspecifier>\n"
    "E.g.: compute-wer --text --mode=present ark:data/train/text ark:hyp_text\n"
    "See also: align-text, utils/scoring/wer_per_utt_details.pl,\n"
    "utils/scoring/wer_per_spk_details.pl, utils/scoring/wer_ops_details.pl\n";

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    const char *mode = "strict";
    bool dummy = false;
    sk_opts_string(po, "mode", &mode,
                   "How to treat keys missing from the hypotheses: \"present\" scores only keys "
                   "found in both,\n  \"all\" counts a missing hypothesis as empty, \"strict\" "
                   "stops with an error");
    sk_opts_bool(po, "text", &dummy, "Old option, accepted and ignored.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *ref_rspec = sk_opts_arg(po, 1), *hyp_rspec = sk_opts_arg(po, 2);
    if (strcmp(mode, "present") && strcmp(mode, "all") && strcmp(mode, "strict"))
        SK_FATAL("--mode option invalid: expected \"present\"|\"all\"|\"strict\", got %s", mode);

    sk_seq_reader *refs = sk_seq_open(ref_rspec, &sk_holder_token_vec);
    if (!refs)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(ref_rspec));
    sk_ra_reader *hyps = sk_ra_open(hyp_rspec, &sk_holder_token_vec);
    if (!hyps)
        SK_FATAL("Failed to open table for reading: %s", sk_escape(hyp_rspec));

    sk_wer_stats w;
    sk_wer_stats_init(&w);
    for (; !sk_seq_done(refs); sk_seq_next(refs)) {
        const char *key = sk_seq_key(refs);
        const sk_token_vec *ref = sk_seq_value(refs);
        if (!ref)
            SK_FATAL("Failed to read the reference for key %s", key);
        const sk_token_vec *hyp = NULL;
        if (!sk_ra_has_key(hyps, key)) {
            if (sk_ra_failed(hyps))
                SK_FATAL("Cannot go on: the table read for key %s failed", key);
            if (!strcmp(mode, "strict"))
                SK_FATAL("No hypothesis for key %s and strict mode specifier.", key);
            w.num_absent++;
            if (!strcmp(mode, "present"))
                continue;
        } else if (!(hyp = sk_ra_value(hyps, key))) {
            SK_FATAL("Failed to read the hypothesis for key %s", key);
        }
        if (sk_wer_add(&w, (const char *const *)ref->s, ref->n,
                       hyp ? (const char *const *)hyp->s : NULL, hyp ? hyp->n : 0) < 0)
            SK_FATAL("Failed to score key %s", key);
    }
    if (sk_seq_close(refs) < 0)
        SK_FATAL("Error reading %s", sk_escape(ref_rspec));
    if (sk_ra_close(hyps) < 0)
        SK_FATAL("Error reading a table (see above)");
    sk_wer_print(stdout, &w);
    if (fflush(stdout) != 0)
        SK_FATAL("Error writing to standard output");
    sk_opts_free(po);
    return 0;
}
