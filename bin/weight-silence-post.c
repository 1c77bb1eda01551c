/* weight-silence-post — scale (or drop) the posteriors of silence phones. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "hmm/posterior.h"
#include "hmm/transition.h"
#include "io/holders.h"
#include "io/table.h"

static const char usage[] =
    "Scale the posteriors of silence phones by a weight.\n"
    "Usage:  weight-silence-post [options] <silence-weight> <silence-phones> "
    "<model> <posteriors-rspecifier> <posteriors-wspecifier>\n"
    "e.g.:\n"
    " weight-silence-post 0.0 1:2:3 1.mdl ark:1.post ark:nosil.post\n";

/* "1:2:3" -> flags[phone] = true; false on a malformed list (Kaldi's SplitStringToIntegers). */
static bool parse_phones(const char *s, bool **flags, int32_t *n)
{
    *flags = NULL;
    *n = 0;
    if (!*s)
        return true;
    char *copy = strdup(s), *save = NULL;
    bool ok = copy != NULL;
    for (char *p = copy; ok; p = NULL) {
        char *tok = strtok_r(p, ":", &save);
        if (!tok)
            break;
        int32_t phone;
        if (!sk_parse_int32(tok, &phone) || phone < 0 || phone > (1 << 24)) {
            ok = false;
            break;
        }
        if (phone >= *n) {
            bool *f = realloc(*flags, (size_t)phone + 1);
            if (!f) {
                ok = false;
                break;
            }
            memset(f + *n, 0, (size_t)(phone + 1 - *n));
            *flags = f;
            *n = phone + 1;
        }
        (*flags)[phone] = true;
    }
    /* empty fields ("1::2", "1:") are errors, as in Kaldi */
    if (ok && (s[0] == ':' || s[strlen(s) - 1] == ':' || strstr(s, "::")))
        ok = false;
    free(copy);
    return ok;
}

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool distribute = false;
    sk_opts_bool(po, "distribute", &distribute,
                 "Scale whole frames instead of single entries: every entry of a frame is "
                 "multiplied by silence-weight times the frame's silence mass plus the "
                 "non-silence mass");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 5)
        sk_opts_usage_exit(po);
    const char *weight_str = sk_opts_arg(po, 1), *phones_str = sk_opts_arg(po, 2);

    float silence_weight;
    if (!sk_parse_float(weight_str, &silence_weight))
        SK_FATAL("Invalid silence-weight parameter: expected float, got \"%s\"", weight_str);
    bool *is_sil;
    int32_t num_flags;
    if (!parse_phones(phones_str, &is_sil, &num_flags))
        SK_FATAL("Invalid silence-phones string %s", phones_str);
    if (num_flags == 0)
        SK_WARN("No silence phones, this will have no effect");

    sk_trans_model *tm;
    if (sk_trans_model_read_file(sk_opts_arg(po, 3), &tm) < 0)
        sk_fatal_exit();
    sk_seq_reader *reader = sk_seq_open(sk_opts_arg(po, 4), &sk_holder_post);
    sk_writer *writer = sk_writer_open(sk_opts_arg(po, 5), &sk_holder_post);
    if (!reader || !writer)
        sk_fatal_exit();

    int32_t num_posteriors = 0;
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        sk_post *post = sk_seq_value(reader);
        if (!post)
            SK_FATAL("Failed to read posteriors for utterance %s", key);
        num_posteriors++;
        /* the reader's value is ours to modify until the next sk_seq_next */
        if (sk_post_weight_silence(tm, is_sil, num_flags, silence_weight, distribute, post, key) < 0 ||
            sk_writer_write(writer, key, post) < 0)
            sk_fatal_exit();
    }
    if (sk_seq_close(reader) < 0 || sk_writer_close(writer) < 0)
        sk_fatal_exit();
    SK_LOG("Done %d posteriors.", (int)num_posteriors);
    free(is_sil);
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return num_posteriors != 0 ? 0 : 1;
}
