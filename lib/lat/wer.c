/* wer.c — Levenshtein alignment with Kaldi's error split, and compute-wer's summary lines.
 *
 * The search runs row by row over hypothesis words, keeping for each reference prefix the
 * best (cost, ins, del, sub). Only a diagonal band of cells is computed: cells whose cost plus
 * their distance to the goal diagonal exceed the budget max_d are dropped (sentinel cost), and
 * max_d doubles until the answer fits. The band changes which of several equal-cost
 * alignments is found, so it is part of the contract: it decides the ins/del/sub split. */
#include "lat/wer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

typedef struct {
    int32_t ins, del, sub, cost;
} cell;

#define HUGE_COST (1 << 30)

/* a is a better predecessor than b: cheaper, or as cheap with more substitutions. */
static inline bool better(const cell *a, const cell *b)
{
    return a->cost < b->cost || (a->cost == b->cost && b->sub < a->sub);
}

int32_t sk_edit_distance(const char *const *ref, int32_t nref, const char *const *hyp,
                         int32_t nhyp, int32_t *ins, int32_t *del, int32_t *sub)
{
    cell *e = malloc(sizeof(cell) * ((size_t)nref + 1));
    cell *cur = malloc(sizeof(cell) * ((size_t)nref + 1));
    if (!e || !cur) {
        free(e);
        free(cur);
        SK_ERROR("out of memory aligning %d reference words", nref);
        return -1;
    }
    const long diff = (long)nref - (long)nhyp;
    for (long max_d = 1 + labs(diff);; max_d *= 2) {
        for (int32_t i = 0; i <= nref; i++)
            e[i] = (cell){ 0, i, 0, i };
        bool has_chance = true;
        long first = 0, last = 1 + (max_d + diff) / 2;
        for (long h = 1; h <= nhyp; h++) {
            cur[0] = e[0];
            cur[0].ins++;
            cur[0].cost++;
            if (first > 0)
                cur[first - 1].cost = HUGE_COST;
            long start = first > 1 ? first : 1;
            long stop = last < nref ? last : nref;
            if (stop < first) {
                has_chance = false;
                break;
            }
            const char *hw = hyp[h - 1];
            for (long r = start; r <= stop; r++) {
                if (!strcmp(hw, ref[r - 1])) {
                    cur[r] = e[r - 1];
                    continue;
                }
                const cell *ci = &e[r], *cd = &cur[r - 1], *cs = &e[r - 1];
                if (better(cs, ci) && better(cs, cd)) {
                    cur[r] = *cs;
                    cur[r].sub++;
                } else if (better(cd, ci)) {
                    cur[r] = *cd;
                    cur[r].del++;
                } else {
                    cur[r] = *ci;
                    cur[r].ins++;
                }
                cur[r].cost++;
            }
            const long goal = h + diff;
            /* Cells past the end of the reference do not exist: treat them as dropped. */
            while (first <= last && (first > nref || max_d < cur[first].cost + labs(first - goal)))
                first++;
            while (first <= last && (last > nref || max_d < cur[last].cost + labs(last - goal)))
                last--;
            if (last < nref) {
                cur[last + 1].cost = HUGE_COST;
                last++;
            }
            cell *t = e;
            e = cur;
            cur = t;
        }
        if (has_chance && e[nref].cost <= max_d) {
            *ins = e[nref].ins;
            *del = e[nref].del;
            *sub = e[nref].sub;
            int32_t c = e[nref].cost;
            free(e);
            free(cur);
            return c;
        }
    }
}

void sk_wer_stats_init(sk_wer_stats *w)
{
    memset(w, 0, sizeof *w);
}

int sk_wer_add(sk_wer_stats *w, const char *const *ref, int32_t nref, const char *const *hyp,
               int32_t nhyp)
{
    int32_t ins, del, sub;
    int32_t errs = sk_edit_distance(ref, nref, hyp, nhyp, &ins, &del, &sub);
    if (errs < 0)
        return -1;
    w->num_words += nref;
    w->word_errs += errs;
    w->ins += ins;
    w->del += del;
    w->sub += sub;
    w->num_sent++;
    bool same = nref == nhyp;
    for (int32_t i = 0; same && i < nref; i++)
        same = !strcmp(ref[i], hyp[i]);
    w->sent_errs += !same;
    return 0;
}

void sk_wer_print(FILE *f, const sk_wer_stats *w)
{
    /* Kaldi: 100.0 * float(errs) / float(words) in double, stored as float, printed fixed 2. */
    float wer = (float)(100.0 * (float)w->word_errs / (float)w->num_words);
    float ser = (float)(100.0 * (float)w->sent_errs / (float)w->num_sent);
    fprintf(f, "%%WER %.2f [ %d / %d, %d ins, %d del, %d sub ]%s\n", (double)wer, w->word_errs,
            w->num_words, w->ins, w->del, w->sub, w->num_absent ? " [PARTIAL]" : "");
    fprintf(f, "%%SER %.2f [ %d / %d ]\n", (double)ser, w->sent_errs, w->num_sent);
    fprintf(f, "Scored %d sentences, %d not present in hyp.\n", w->num_sent, w->num_absent);
}

/* Kaldi's RandInt(0, n - 1) on glibc: rand() % n. */
static inline int32_t rand_index(int32_t n)
{
    return n > 1 ? rand() % n : 0;
}

void sk_wer_bootstrap(const int32_t *errs, const int32_t *words, int32_t n, int32_t replications,
                      float *mean, float *interval)
{
    float acc = 0.0f, acc2 = 0.0f;
    for (int32_t i = 0; i < replications && n > 0; i++) {
        int32_t e = 0, w = 0;
        for (int32_t j = 0; j < n; j++) {
            int32_t k = rand_index(n);
            e += errs[k];
            w += words[k];
        }
        float r = (float)e / (float)w;
        acc += r;
        acc2 += r * r;
    }
    *mean = acc / (float)replications;
    *interval = (float)(1.96 * sqrt(acc2 / (float)replications - *mean * *mean));
}

float sk_wer_bootstrap_improvement(const int32_t *errs1, const int32_t *errs2, int32_t n,
                                   int32_t replications)
{
    int32_t improv = 0;
    for (int32_t i = 0; i < replications && n > 0; i++) {
        int32_t d = 0;
        for (int32_t j = 0; j < n; j++) {
            int32_t k = rand_index(n);
            d += errs1[k] - errs2[k];
        }
        improv += d > 0;
    }
    return (float)improv / (float)replications;
}

int32_t sk_levenshtein_align(const char *const *a, int32_t na, const char *const *b, int32_t nb,
                             const char ***pairs, int32_t *n)
{
    /* Full (na+1) x (nb+1) cost table: sentences are short, and the traceback needs it. */
    size_t w = (size_t)nb + 1;
    int32_t *e = malloc(((size_t)na + 1) * w * sizeof *e);
    const char **out = malloc(((size_t)na + nb + 1) * 2 * sizeof *out);
    if (!e || !out) {
        free(e);
        free(out);
        SK_ERROR("Out of memory aligning %d against %d words", na, nb);
        return -1;
    }
#define E(i, j) e[(size_t)(i) * w + (j)]
    for (int32_t j = 0; j <= nb; j++)
        E(0, j) = j;
    for (int32_t i = 1; i <= na; i++) {
        E(i, 0) = i;
        for (int32_t j = 1; j <= nb; j++) {
            int32_t diag = E(i - 1, j - 1) + (strcmp(a[i - 1], b[j - 1]) != 0);
            int32_t up = E(i - 1, j) + 1, left = E(i, j - 1) + 1;
            int32_t best = diag < up ? diag : up;
            E(i, j) = best < left ? best : left;
        }
    }
    /* Walk back from the end, collecting pairs last-first, then reverse them. */
    int32_t k = 0, i = na, j = nb;
    while (i > 0 || j > 0) {
        int step; /* 0 diagonal, 1 up (a word, no b word), 2 left (b word only) */
        if (i == 0)
            step = 2;
        else if (j == 0)
            step = 1;
        else {
            int32_t diag = E(i - 1, j - 1) + (strcmp(a[i - 1], b[j - 1]) != 0);
            int32_t up = E(i - 1, j) + 1, left = E(i, j - 1) + 1;
            step = diag <= (up < left ? up : left) ? 0 : (up <= left ? 1 : 2);
        }
        out[2 * k] = step == 2 ? NULL : a[i - 1];
        out[2 * k + 1] = step == 1 ? NULL : b[j - 1];
        k++;
        if (step != 2)
            i--;
        if (step != 1)
            j--;
    }
#undef E
    for (int32_t l = 0, r = k - 1; l < r; l++, r--) {
        const char *t0 = out[2 * l], *t1 = out[2 * l + 1];
        out[2 * l] = out[2 * r];
        out[2 * l + 1] = out[2 * r + 1];
        out[2 * r] = t0;
        out[2 * r + 1] = t1;
    }
    int32_t dist = e[(size_t)na * w + nb];
    free(e);
    *pairs = out;
    *n = k;
    return dist;
}
