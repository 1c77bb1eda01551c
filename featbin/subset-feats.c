/* subset-feats — copy the first n feature matrices, or those listed/not listed in a file
 * (Kaldi featbin/subset-feats). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/stream.h"
#include "io/table.h"
#include "matrix/holders.h"

static const char usage[] =
    "Copy some of the feature matrices: the first --n, or those whose keys are listed in\n"
    "--include, or all but those listed in --exclude (the last two cannot be combined and\n"
    "make --n irrelevant). For a fixed subset, filtering the scp file (utils/filter_scp.pl)\n"
    "is usually simpler.\n"
    "Usage: subset-feats [options] <in-rspecifier> <out-wspecifier>\n"
    "e.g.: subset-feats --n=10 ark:- ark:-\n"
    "or:  subset-feats --include=include_uttlist ark:- ark:-\n"
    "or:  subset-feats --exclude=exclude_uttlist ark:- ark:-\n"
    "See also extract-feature-segments, select-feats, subsample-feats\n";

/* The first field of every line of rx, sorted for bsearch. */
typedef struct { char *text; char **keys; size_t n; } key_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_key_list(const char *rx, key_list *kl)
{
    size_t len;
    if (sk_read_all(rx, &kl->text, &len) < 0)
        SK_FATAL("Could not read utterance list %s", sk_printable_rx(rx));
    if (len >= 2 && kl->text[0] == '\0' && kl->text[1] == 'B')
        SK_FATAL("Assertion failed: (!binary) reading %s", sk_printable_rx(rx));
    size_t cap = 0;
    kl->keys = NULL;
    kl->n = 0;
    char *p = kl->text, *end = kl->text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        *eol = '\0';
        p += strspn(p, " \t\r");
        size_t klen = strcspn(p, " \t\r");
        if (klen == 0)
            SK_FATAL("Assertion failed: (!split_line.empty() && \"Empty line encountered in "
                     "input from --include option\") in %s", sk_printable_rx(rx));
        p[klen] = '\0';
        if (kl->n == cap) {
            cap = cap ? 2 * cap : 64;
            kl->keys = realloc(kl->keys, cap * sizeof(char *));
            if (!kl->keys)
                SK_FATAL("Out of memory reading %s", sk_printable_rx(rx));
        }
        kl->keys[kl->n++] = p;
        p = eol + 1;
    }
    if (kl->n)
        qsort(kl->keys, kl->n, sizeof(char *), cmp_str);
}

static bool in_list(const key_list *kl, const char *key)
{
    return kl->n && bsearch(&key, kl->keys, kl->n, sizeof(char *), cmp_str) != NULL;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    int32_t n = 10;
    const char *include = "", *exclude = "";
    sk_opts_int(po, "n", &n, "Copy only the first n matrices (negative: all).");
    sk_opts_string(po, "include", &include,
                   "File whose lines start with the utterance ids to keep");
    sk_opts_string(po, "exclude", &exclude,
                   "File whose lines start with the utterance ids to leave out");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    if (n < 0)
        SK_FATAL("Assertion failed: (n >= 0)");
    const char *in = sk_opts_arg(po, 1), *out = sk_opts_arg(po, 2);
    bool use_list = *include || *exclude;
    if (*include && n != 10)
        SK_FATAL("Should not have both --include and --n option!");
    if (*include && *exclude)
        SK_FATAL("should not have both --exclude and --include option!");
    if (*exclude && n != 10)
        SK_FATAL("Should not have both --exclude and --n option!");
    if (!use_list && n == 0)
        SK_FATAL("Invalid option --n=0. Should be at least 1");

    sk_writer *writer = sk_writer_open(out, &sk_holder_mat);
    if (!writer)
        SK_FATAL("Error opening output %s", out);
    sk_seq_reader *reader = sk_seq_open(in, &sk_holder_mat);
    if (!reader)
        SK_FATAL("Error opening features %s", in);
    key_list kl = { NULL, NULL, 0 };
    if (use_list)
        read_key_list(*include ? include : exclude, &kl);

    int32_t k = 0, total = 0;
    for (; !sk_seq_done(reader) && (use_list || k < n); sk_seq_next(reader), total++) {
        const char *key = sk_seq_key(reader);
        if (use_list && in_list(&kl, key) != (*include != '\0'))
            continue;
        const sk_mat *m = sk_seq_value(reader);
        if (!m)
            SK_FATAL("Failed to read features for key %s", key);
        if (sk_writer_write(writer, key, m) < 0)
            SK_FATAL("Error writing features for key %s to %s", key, out);
        k++;
    }
    /* with --n the rest of the input is deliberately not read: close quietly */
    int rst = sk_seq_close(reader);
    if (use_list && rst < 0)
        SK_FATAL("Error reading features from %s", in);
    if (sk_writer_close(writer) < 0)
        SK_FATAL("Error closing output %s", out);
    free(kl.keys);
    free(kl.text);
    sk_opts_free(po);
    if (use_list) {
        SK_LOG(" Wrote %d out of %d utterances.", (int)k, (int)total);
        return k != 0 ? 0 : 1;
    }
    return 0;
}
