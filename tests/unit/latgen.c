/* Unit tests for lib/lat/latgen: on random small graphs (built with fstcompile + fstconvert),
 * the lattice decoder's best path equals the Viterbi decoder's, and the determinized lattice
 * holds exactly the word sequences within the lattice beam, each once, with the cost of its
 * best path in the raw lattice (all found by enumerating every path). */
#include "base/log.h"
#include "lat/latgen.h"
#include "tap.h"
#define FSTTEST_SEED 0x9E3779B97F4A7C15ull
#include "fsttest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* word sequence -> best cost, by exhaustive enumeration */
#define MAXSEQ 4096
static char seqs[MAXSEQ][128];
static double seqcost[MAXSEQ];
static int nseq, dup_found;

static void record(const char *key, double c, bool dedupe)
{
    for (int i = 0; i < nseq; i++)
        if (!strcmp(seqs[i], key)) {
            if (!dedupe)
                dup_found = 1;
            if (c < seqcost[i])
                seqcost[i] = c;
            return;
        }
    if (nseq < MAXSEQ) {
        snprintf(seqs[nseq], sizeof seqs[nseq], "%s", key);
        seqcost[nseq++] = c;
    }
}

static void enum_raw(const sk_lat *l, int32_t s, double c, char *key)
{
    const sk_lat_state *st = &l->states[s];
    if (st->final.g != INFINITY)
        record(key, c + st->final.g + st->final.a, true);
    size_t kl = strlen(key);
    for (int32_t k = 0; k < st->narcs; k++) {
        const sk_larc *a = &st->arcs[k];
        if (a->olabel)
            sprintf(key + kl, "%d ", a->olabel);
        enum_raw(l, a->nextstate, c + a->w.g + a->w.a, key);
        key[kl] = '\0';
    }
}

static void enum_clat(const sk_clat *l, int32_t s, double c, char *key)
{
    const sk_clat_state *st = &l->states[s];
    if (st->final.g != INFINITY)
        record(key, c + st->final.g + st->final.a, false);
    size_t kl = strlen(key);
    for (int32_t k = 0; k < st->narcs; k++) {
        const sk_clarc *a = &st->arcs[k];
        sprintf(key + kl, "%d ", a->ilabel);
        enum_clat(l, a->nextstate, c + a->w.g + a->w.a, key);
        key[kl] = '\0';
    }
}

int main(void)
{
    sk_log_init("latgen-test");
    snprintf(dir, sizeof dir, "/tmp/skald-lat-XXXXXX");
    if (!mkdtemp(dir) || system("command -v fstcompile >/dev/null && command -v fstconvert >/dev/null")) {
        printf("Bail out! need a temp dir and the OpenFst tools (Debian libfst-tools)\n");
        return 1;
    }
    int32_t tid2pdf[6] = { 0, 0, 1, 2, 0, 1 };
    TEST("lattice best path = Viterbi; determinized lattice = best path of every word sequence in beam") {
        int bad = 0, checked = 0, multi = 0;
        for (int trial = 0; trial < 60; trial++) {
            char text[8192];
            size_t len = 0;
            int32_t n = 3 + (int32_t)(rnd() % 4);
            for (int32_t s = 0; s < n; s++) {
                int32_t na = 1 + (int32_t)(rnd() % 3);
                for (int32_t k = 0; k < na; k++) {
                    bool eps = rnd() % 4 == 0 && s + 1 < n;
                    int32_t dst = eps ? s + 1 + (int32_t)(rnd() % (uint32_t)(n - s - 1)) : (int32_t)(rnd() % (uint32_t)n);
                    len += (size_t)snprintf(text + len, sizeof text - len, "%d %d %d %d %.3f\n", s, dst,
                                            eps ? 0 : 1 + (int)(rnd() % 5), rnd() % 2 ? 1 + (int)(rnd() % 4) : 0,
                                            2.0 * urand());
                }
                if (s == n - 1 || rnd() % 3 == 0)
                    len += (size_t)snprintf(text + len, sizeof text - len, "%d %.3f\n", s, urand());
            }
            sk_fst *g = compile(text);
            if (!g) {
                TAP_FAIL("fstcompile failed");
                break;
            }
            int32_t T = 2 + (int32_t)(rnd() % 4);
            float ll[6 * 3];
            for (int i = 0; i < T * 3; i++)
                ll[i] = (float)(-10.0 * urand());
            sk_decodable ac = { ll, T, 3, 3, tid2pdf, 5, 0.5f };
            sk_latgen_opts o;
            sk_latgen_opts_default(&o);
            o.lattice_beam = 3.0f;
            o.prune_interval = 1 + trial % 3; /* exercise the periodic pruning */
            sk_latgen *d = sk_latgen_new(g, &o);
            sk_latgen_decode(d, &ac);
            sk_faster_opts fo;
            sk_faster_opts_default(&fo);
            sk_faster_decoder *fd = sk_faster_decoder_new(g, &fo);
            sk_faster_decode(fd, &ac);
            sk_best_path b1, b2;
            sk_best_path_init(&b1);
            sk_best_path_init(&b2);
            bool fin = sk_latgen_reached_final(d);
            if (fin != sk_faster_reached_final(fd))
                bad++;
            sk_lat raw;
            sk_lat_init(&raw);
            if (fin && sk_latgen_output(d, true, &raw, &b1) == 0 && sk_faster_best_path(fd, true, &b2)) {
                checked++;
                double c1 = (double)b1.graph_cost + b1.ac_cost, c2 = (double)b2.graph_cost + b2.ac_cost;
                if (fabs(c1 - c2) > 1e-4 || b1.num_ali != b2.num_ali ||
                    memcmp(b1.alignment, b2.alignment, sizeof(int32_t) * (size_t)b1.num_ali)) {
                    TAP_FAIL("trial %d: best path cost %g vs Viterbi %g", trial, c1, c2);
                    bad++;
                }
                char key[256] = "";
                nseq = 0;
                enum_raw(&raw, raw.start, 0.0, key);
                static char all[MAXSEQ][128];
                static double allc[MAXSEQ];
                int na = nseq;
                double best = INFINITY;
                for (int i = 0; i < na; i++) {
                    strcpy(all[i], seqs[i]);
                    allc[i] = seqcost[i];
                    best = fmin(best, seqcost[i]);
                }
                sk_clat cl;
                sk_clat_init(&cl);
                CHECK(sk_lat_determinize(&raw, o.lattice_beam, 1e9, &cl) == 0);
                nseq = 0;
                dup_found = 0;
                key[0] = '\0';
                if (cl.start >= 0)
                    enum_clat(&cl, cl.start, 0.0, key);
                /* every sequence within the beam is there, with its best cost; anything else
                 * (arc pruning can leave combinations outside the beam, as in Kaldi) still
                 * carries the best cost of that sequence */
                int ok = !dup_found, inbeam = 0;
                for (int i = 0; ok && i < na; i++) {
                    int found = -1;
                    for (int j = 0; j < nseq; j++)
                        if (!strcmp(seqs[j], all[i]))
                            found = j;
                    if (allc[i] <= best + o.lattice_beam - 1e-4) {
                        inbeam++;
                        ok = found >= 0;
                    }
                    if (found >= 0 && fabs(seqcost[found] - allc[i]) > 1e-3)
                        ok = 0;
                }
                multi += inbeam > 1;
                for (int j = 0; ok && j < nseq; j++) {
                    int found = 0;
                    for (int i = 0; i < na; i++)
                        found |= !strcmp(seqs[j], all[i]);
                    ok = found;
                }
                if (!ok) {
                    TAP_FAIL("trial %d: determinized lattice (%d sequences, dup %d) does not match "
                             "the raw lattice (%d in beam)\n%s", trial, nseq, dup_found, inbeam, text);
                    bad++;
                }
                sk_clat_release(&cl);
            }
            sk_lat_release(&raw);
            sk_best_path_release(&b1);
            sk_best_path_release(&b2);
            sk_latgen_free(d);
            sk_faster_decoder_free(fd);
            sk_fst_free(g);
        }
        CHECK_INT(bad, 0);
        CHECK(checked > 20);
        CHECK(multi > 5); /* lattices with several word sequences were really tested */
        printf("# %d graphs checked, %d with several word sequences\n", checked, multi);
    }
    TEST("with pruning (max-active 50) on 3000-state graphs both decoders keep the same tokens") {
        int bad = 0;
        for (int trial = 0; trial < 5; trial++) {
            int32_t n = 3000, T = 30;
            int32_t *src = malloc(sizeof(int32_t) * (size_t)n * 4);
            sk_arc *arcs = malloc(sizeof(sk_arc) * (size_t)n * 4);
            int64_t na = 0;
            for (int32_t st = 0; st < n; st++) {
                for (int k = 0; k < 3; k++) {
                    src[na] = st;
                    arcs[na++] = (sk_arc){ 1 + (int32_t)(rnd() % 5), (int32_t)(rnd() % 4),
                                           (float)(2.0 * urand()), (int32_t)(rnd() % (uint32_t)n) };
                }
                if (st + 1 < n && rnd() % 3 == 0) {
                    src[na] = st;
                    arcs[na++] = (sk_arc){ 0, 0, (float)urand(), st + 1 };
                }
            }
            sk_fst *g = sk_fst_new(n);
            sk_fst_set_arcs(g, src, arcs, na);
            g->start = 0;
            for (int32_t st = 0; st < n; st++)
                if (rnd() % 4 == 0)
                    g->final[st] = (float)urand();
            float ll[30 * 3];
            for (int i = 0; i < T * 3; i++)
                ll[i] = (float)(-10.0 * urand());
            sk_decodable ac = { ll, T, 3, 3, tid2pdf, 5, 0.5f };
            sk_latgen_opts o;
            sk_latgen_opts_default(&o);
            o.dec.max_active = 50;
            o.dec.min_active = 20;
            o.dec.beam = 10.0f;
            sk_latgen *d = sk_latgen_new(g, &o);
            sk_faster_decoder *fd = sk_faster_decoder_new(g, &o.dec);
            sk_best_path b1, b2;
            sk_best_path_init(&b1);
            sk_best_path_init(&b2);
            for (int rep = 0; rep < 2; rep++) {
                sk_latgen_decode(d, &ac);
                sk_faster_decode(fd, &ac);
                bool f1 = sk_latgen_reached_final(d), f2 = sk_faster_reached_final(fd);
                int r1 = sk_latgen_output(d, true, NULL, &b1);
                bool r2 = sk_faster_best_path(fd, true, &b2);
                if (f1 != f2 || (r1 == 0) != r2 ||
                    (r2 && (b1.num_ali != b2.num_ali ||
                            memcmp(b1.alignment, b2.alignment, sizeof(int32_t) * (size_t)b1.num_ali) ||
                            fabs((double)b1.graph_cost + b1.ac_cost - b2.graph_cost - b2.ac_cost) > 1e-3))) {
                    TAP_FAIL("trial %d: lattice decoder and Viterbi decoder disagree", trial);
                    bad++;
                }
            }
            sk_best_path_release(&b1);
            sk_best_path_release(&b2);
            sk_latgen_free(d);
            sk_faster_decoder_free(fd);
            sk_fst_free(g);
            free(src);
            free(arcs);
        }
        CHECK_INT(bad, 0);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
