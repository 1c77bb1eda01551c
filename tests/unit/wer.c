/* Unit tests for lib/lat/wer: edit distance splits, summary lines, and Kaldi's compute-wer
 * outputs on the stored conformance cases (tests/data/decode: ref.txt against Kaldi's best
 * paths and against hand-edited hypotheses, modes present and all). */
#include "base/log.h"
#include "lat/wer.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* A text table "key w1 w2 ...": lines split in place. */
typedef struct {
    char *key;
    char **w;
    int32_t n;
} sent;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    b[n] = '\0';
    fclose(f);
    return b;
}

static int load(const char *path, sent **out, char **buf)
{
    *buf = slurp(path);
    if (!*buf)
        return -1;
    int cap = 1024, n = 0;
    sent *s = calloc((size_t)cap, sizeof *s);
    for (char *line = strtok(*buf, "\n"); line; line = strtok(NULL, "\n")) {
        sent *x = &s[n++];
        x->w = malloc(sizeof(char *) * 256);
        char *save;
        x->key = strtok_r(line, " ", &save);
        for (char *t = strtok_r(NULL, " ", &save); t; t = strtok_r(NULL, " ", &save))
            x->w[x->n++] = t;
    }
    *out = s;
    return n;
}

static const char *data(const char *name)
{
    static char path[512];
    const char *top = getenv("TOP");
    snprintf(path, sizeof path, "%s/tests/data/decode/%s", top ? top : ".", name);
    return path;
}

/* Score like compute-wer; mode 0 present, 1 all. */
static void score(const char *hypfile, int mode, char *out, size_t cap)
{
    sent *r, *h;
    char *rb, *hb;
    int nr = load(data("ref.txt"), &r, &rb), nh = load(data(hypfile), &h, &hb);
    sk_wer_stats w;
    sk_wer_stats_init(&w);
    for (int i = 0; i < nr; i++) {
        sent *hs = NULL;
        for (int j = 0; j < nh; j++)
            if (!strcmp(h[j].key, r[i].key))
                hs = &h[j];
        if (!hs) {
            w.num_absent++;
            if (mode == 0)
                continue;
        }
        sk_wer_add(&w, (const char *const *)r[i].w, r[i].n,
                   hs ? (const char *const *)hs->w : NULL, hs ? hs->n : 0);
    }
    FILE *f = fmemopen(out, cap, "w");
    sk_wer_print(f, &w);
    fclose(f);
    for (int i = 0; i < nr; i++)
        free(r[i].w);
    for (int i = 0; i < nh; i++)
        free(h[i].w);
    free(r);
    free(h);
    free(rb);
    free(hb);
}

static void check_split(const char *rs, const char *hs, int ins, int del, int sub)
{
    char rb[256], hb[256];
    const char *r[32], *h[32];
    int nr = 0, nh = 0;
    snprintf(rb, sizeof rb, "%s", rs);
    snprintf(hb, sizeof hb, "%s", hs);
    for (char *t = strtok(rb, " "); t; t = strtok(NULL, " "))
        r[nr++] = t;
    for (char *t = strtok(hb, " "); t; t = strtok(NULL, " "))
        h[nh++] = t;
    int32_t i, d, s;
    int32_t c = sk_edit_distance(r, nr, h, nh, &i, &d, &s);
    if (i != ins || d != del || s != sub || c != ins + del + sub)
        TAP_FAIL("'%s' vs '%s': %d ins %d del %d sub, expected %d %d %d", rs, hs, i, d, s, ins, del, sub);
}

int main(void)
{
    sk_log_init("wer-test");
    TEST("edit distance splits") {
        check_split("a b c", "a b c", 0, 0, 0);
        check_split("a b c", "", 0, 3, 0);
        check_split("", "a b", 2, 0, 0);
        check_split("a b c", "a x c", 0, 0, 1);
        check_split("a b c", "a c", 0, 1, 0);
        check_split("a b", "a x b", 1, 0, 0);
        check_split("a b c d e", "x y z w v", 0, 0, 5);
        check_split("a b c d", "b c d e", 1, 1, 0);
        check_split("a", "b c", 1, 0, 1);
    }
    TEST("summary lines: Kaldi's formatting") {
        char out[512];
        sk_wer_stats w;
        sk_wer_stats_init(&w);
        w.num_words = 3;
        w.word_errs = 1;
        w.sub = 1;
        w.num_sent = 3;
        w.sent_errs = 1;
        FILE *f = fmemopen(out, sizeof out, "w");
        sk_wer_print(f, &w);
        fclose(f);
        CHECK_STR(out, "%WER 33.33 [ 1 / 3, 0 ins, 0 del, 1 sub ]\n%SER 33.33 [ 1 / 3 ]\n"
                       "Scored 3 sentences, 0 not present in hyp.\n");
    }
    const char *cases[][3] = {
        { "best.lmwt7.txt", "0", "wer.lmwt7.txt" },   { "best.lmwt10.txt", "0", "wer.lmwt10.txt" },
        { "best.lmwt13.txt", "0", "wer.lmwt13.txt" }, { "best.lmwt17.txt", "0", "wer.lmwt17.txt" },
        { "hyp.edited.txt", "0", "wer.edited.present.txt" },
        { "hyp.edited.txt", "1", "wer.edited.all.txt" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char name[128];
        snprintf(name, sizeof name, "Kaldi's %s from %s", cases[k][2], cases[k][0]);
        TEST(name) {
            char out[1024];
            char *want = slurp(data(cases[k][2]));
            CHECK(want != NULL);
            score(cases[k][0], atoi(cases[k][1]), out, sizeof out);
            if (want)
                CHECK_STR(out, want);
            free(want);
        }
    }
    return tap_done();
}
