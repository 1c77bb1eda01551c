/* align-text — word-by-word alignment of two texts with the same keys (what
 * steps/score_kaldi.sh feeds to utils/scoring/wer_per_utt_details.pl). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/table.h"
#include "lat/wer.h"

static const char usage[] =
    "Align the words of two texts, utterance by utterance, along a minimal edit-distance path.\n"
    "Each output line lists the aligned pairs, a word of text 1 then a word of text 2, with\n"
    "the special symbol standing for a missing word and the separator between pairs:\n"
    "  utt1 ONE ONE ; TWO <eps> ; THREE FOUR\n"
    "\n"
    "Usage: align-text [options] <text1-rspecifier> <text2-rspecifier> <alignment-wspecifier>\n"
    "e.g.: align-text ark:data/test/text ark:hyp.txt ark,t:alignment.txt\n";

/* Words must be printable and must not be the symbols used in the output. */
static void check_words(const sk_token_vec *t, const char *key, const char *which,
                        const char *special, const char *sep)
{
    for (int32_t i = 0; i < t->n; i++) {
        if (!strcmp(t->s[i], special) || !strcmp(t->s[i], sep))
            SK_FATAL("In %s, the utterance %s contains the word '%s', which is the "
                     "--special-symbol or the --separator; choose other symbols", which, key,
                     t->s[i]);
        for (const unsigned char *c = (const unsigned char *)t->s[i]; *c; c++)
            if (*c < 128 && !isgraph(*c))
                SK_FATAL("In %s, the utterance %s contains unprintable characters (is the text "
                         "encoded correctly?)", which, key);
    }
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    const char *special = "<eps>", *sep = ";";
    sk_opts_string(po, "special-symbol", &special,
                   "Written where one text has no word against the other's (must not occur "
                   "in the texts)");
    sk_opts_string(po, "separator", &sep,
                   "Written between aligned pairs (must not occur in the texts)");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    const char *r1 = sk_opts_arg(po, 1), *r2 = sk_opts_arg(po, 2), *wspec = sk_opts_arg(po, 3);

    sk_seq_reader *text1 = sk_seq_open(r1, &sk_holder_token_vec);
    sk_ra_reader *text2 = text1 ? sk_ra_open(r2, &sk_holder_token_vec) : NULL;
    sk_writer *out = text2 ? sk_writer_open(wspec, &sk_holder_token_vec) : NULL;
    if (!out)
        SK_FATAL("Cannot open the tables %s, %s, %s", sk_escape(r1), sk_escape(r2),
                 sk_escape(wspec));

    int32_t done = 0, failed = 0;
    for (; !sk_seq_done(text1); sk_seq_next(text1)) {
        const char *key = sk_seq_key(text1);
        const sk_token_vec *a = sk_seq_value(text1);
        if (!a)
            SK_FATAL("Cannot read utterance %s of %s", key, sk_escape(r1));
        if (!sk_ra_has_key(text2, key)) {
            if (sk_ra_failed(text2))
                SK_FATAL("Cannot go on: reading %s failed", sk_escape(r2));
            SK_WARN("Key %s is in %s, but not in %s", key, r1, r2);
            failed++;
            continue;
        }
        const sk_token_vec *b = sk_ra_value(text2, key);
        if (!b)
            SK_FATAL("Cannot read utterance %s of %s", key, sk_escape(r2));
        check_words(a, key, "text1", special, sep);
        check_words(b, key, "text2", special, sep);

        const char **pairs;
        int32_t n;
        if (sk_levenshtein_align((const char *const *)a->s, a->n, (const char *const *)b->s,
                                 b->n, &pairs, &n) < 0)
            SK_FATAL("Cannot align utterance %s", key);
        /* pair, separator, pair, ...: 3n - 1 words */
        sk_token_vec line = { malloc((size_t)(3 * n + 1) * sizeof(char *)), 0 };
        if (!line.s)
            SK_FATAL("Out of memory");
        for (int32_t i = 0; i < n; i++) {
            if (i > 0)
                line.s[line.n++] = (char *)sep;
            line.s[line.n++] = (char *)(pairs[2 * i] ? pairs[2 * i] : special);
            line.s[line.n++] = (char *)(pairs[2 * i + 1] ? pairs[2 * i + 1] : special);
        }
        if (sk_writer_write(out, key, &line) < 0)
            SK_FATAL("Error writing the alignment of %s", key);
        free(line.s);
        free(pairs);
        done++;
    }
    if (sk_seq_close(text1) < 0)
        SK_FATAL("Error reading %s", sk_escape(r1));
    if (sk_ra_close(text2) < 0)
        SK_FATAL("Error reading a table (see above)");
    if (sk_writer_close(out) < 0)
        SK_FATAL("Error writing %s", sk_escape(wspec));
    SK_LOG("Done %d sentences, failed for %d", done, failed);
    sk_opts_free(po);
    return done != 0 ? 0 : 1;
}
