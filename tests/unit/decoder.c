/* Unit tests for lib/fst/decoder: the best path of the beam search equals an exhaustive search
 * over all paths on small random graphs (built with fstcompile + fstconvert --fst_type=const),
 * partial tracebacks, dead ends, option checks. */
#include "base/log.h"
#include "fst/decoder.h"
#include "tap.h"
#define FSTTEST_SEED 88172645463325252ull
#include "fsttest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int nerr;
static char lasterr[4096];
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR) {
        nerr++;
        snprintf(lasterr, sizeof lasterr, "%s", line);
    }
}

/* ---- exhaustive search ---- */
static const sk_fst *bg;
static const sk_decodable *bac;
static double best_cost;
static int32_t best_ali[64], cur_ali[64];
static int32_t best_words[64], cur_words[64], best_nw, cur_nw;

static double accost(int32_t f, int32_t tid)
{
    float x = -(bac->acoustic_scale * bac->loglikes[(size_t)f * bac->stride + bac->tid2pdf[tid]]);
    return x;
}

static void dfs(int32_t s, int32_t k, double c)
{
    if (k == bac->num_frames && sk_fst_is_final(bg, s)) {
        double tot = c + bg->final[s];
        if (tot < best_cost) {
            best_cost = tot;
            memcpy(best_ali, cur_ali, sizeof cur_ali);
            memcpy(best_words, cur_words, sizeof cur_words);
            best_nw = cur_nw;
        }
    }
    for (uint32_t a = bg->arc_start[s]; a < bg->arc_start[s + 1]; a++) {
        const sk_arc *arc = &bg->arcs[a];
        if (arc->ilabel != 0 && k == bac->num_frames)
            continue;
        if (arc->olabel)
            cur_words[cur_nw++] = arc->olabel;
        if (arc->ilabel) {
            cur_ali[k] = arc->ilabel;
            dfs(arc->nextstate, k + 1, c + arc->weight + accost(k, arc->ilabel));
        } else {
            dfs(arc->nextstate, k, c + arc->weight);
        }
        if (arc->olabel)
            cur_nw--;
    }
}

/* Random graph: n states, emitting arcs anywhere, epsilon arcs only forward (no eps cycles). */
static void random_graph(char *buf, size_t cap, int32_t n, int32_t ntid)
{
    size_t len = 0;
    for (int32_t s = 0; s < n; s++) {
        int32_t na = 1 + (int32_t)(rnd() % 3);
        for (int32_t k = 0; k < na; k++) {
            bool eps = (rnd() % 4 == 0) && s + 1 < n;
            int32_t dst = eps ? s + 1 + (int32_t)(rnd() % (uint32_t)(n - s - 1)) : (int32_t)(rnd() % (uint32_t)n);
            int32_t il = eps ? 0 : 1 + (int32_t)(rnd() % (uint32_t)ntid);
            int32_t ol = rnd() % 3 == 0 ? 1 + (int32_t)(rnd() % 9) : 0;
            len += (size_t)snprintf(buf + len, cap - len, "%d %d %d %d %.4f\n", s, dst, il, ol, 3.0 * urand());
        }
        if (rnd() % 3 == 0 || s == n - 1)
            len += (size_t)snprintf(buf + len, cap - len, "%d %.4f\n", s, urand());
    }
}

int main(void)
{
    sk_log_init("decoder-test");
    sk_log_set_sink(sink, NULL);
    snprintf(dir, sizeof dir, "/tmp/skald-dec-XXXXXX");
    if (!mkdtemp(dir) || system("command -v fstcompile >/dev/null && command -v fstconvert >/dev/null")) {
        printf("Bail out! need a temp dir and the OpenFst tools (Debian libfst-tools)\n");
        return 1;
    }
    int32_t tid2pdf[8] = { 0, 0, 1, 2, 1, 3, 2, 0 };
    const int32_t ntid = 7, npdf = 4;

    TEST("options: max-active below min-active is an error, not an abort") {
        sk_faster_opts o;
        sk_faster_opts_default(&o);
        CHECK_INT(sk_faster_opts_check(&o), 0);
        o.max_active = 10;
        nerr = 0;
        CHECK(sk_faster_opts_check(&o) < 0);
        CHECK_INT(nerr, 1);
        CHECK(strstr(lasterr, "--max-active=10 --min-active=20") != NULL);
        o.max_active = 1;
        o.min_active = 0;
        CHECK(sk_faster_opts_check(&o) < 0);
    }

    TEST("best path equals exhaustive search on 120 random graphs (const FSTs from fstcompile)") {
        int bad = 0, finals = 0;
        for (int trial = 0; trial < 120; trial++) {
            char text[8192];
            int32_t n = 2 + (int32_t)(rnd() % 5);
            random_graph(text, sizeof text, n, ntid);
            sk_fst *g = compile(text);
            if (!g) {
                TAP_FAIL("compile failed:\n%s", text);
                break;
            }
            int32_t T = 1 + (int32_t)(rnd() % 6);
            float ll[6 * 4];
            for (int i = 0; i < T * npdf; i++)
                ll[i] = (float)(-20.0 * urand());
            sk_decodable ac = { ll, T, npdf, npdf, tid2pdf, ntid, 0.1f + (float)urand() };
            CHECK_INT(sk_decodable_check(&ac, g), 0);
            bg = g;
            bac = &ac;
            best_cost = INFINITY;
            cur_nw = 0;
            dfs(g->start, 0, 0.0);
            for (int pass = 0; pass < 2; pass++) {
                /* pass 0: no pruning at all; pass 1: Kaldi's defaults (beam 16, min-active 20) */
                sk_faster_opts o;
                sk_faster_opts_default(&o);
                if (pass == 0) {
                    o.beam = 1e30f;
                    o.min_active = 0;
                }
                sk_faster_decoder *d = sk_faster_decoder_new(g, &o);
                CHECK_INT(sk_faster_decode(d, &ac), 0);
                sk_best_path bp;
                sk_best_path_init(&bp);
                bool ok = sk_faster_best_path(d, true, &bp);
                bool fin = sk_faster_reached_final(d);
                if (best_cost == INFINITY) {
                    if (fin) {
                        TAP_FAIL("trial %d: decoder reached final, exhaustive search did not", trial);
                        bad++;
                    }
                } else {
                    finals += pass == 0;
                    double c = (double)bp.graph_cost + bp.ac_cost;
                    int same = ok && fin && bp.num_ali == T && fabs(c - best_cost) < 1e-4 &&
                               !memcmp(bp.alignment, best_ali, sizeof(int32_t) * (size_t)T) &&
                               bp.num_words == best_nw &&
                               !memcmp(bp.words, best_words, sizeof(int32_t) * (size_t)best_nw);
                    if (!same) {
                        bad++;
                        TAP_FAIL("trial %d pass %d: cost %g vs exhaustive %g\n%s", trial, pass, c,
                                 best_cost, text);
                    }
                }
                sk_best_path_release(&bp);
                sk_faster_decoder_free(d);
            }
            sk_fst_free(g);
        }
        CHECK_INT(bad, 0);
        CHECK(finals > 40); /* the comparison really ran on many graphs */
    }

    TEST("graphs larger than the hash (2000-3000 states): no-pruning search equals dynamic programming") {
        int bad = 0;
        for (int trial = 0; trial < 4; trial++) {
            int32_t n = 2000 + (int32_t)(rnd() % 1000), T = 6;
            int32_t *src = malloc(sizeof(int32_t) * (size_t)n * 3);
            sk_arc *arcs = malloc(sizeof(sk_arc) * (size_t)n * 3);
            int64_t na = 0;
            for (int32_t st = 0; st < n; st++) {
                for (int k = 0; k < 2; k++) {
                    src[na] = st;
                    arcs[na++] = (sk_arc){ 1 + (int32_t)(rnd() % (uint32_t)ntid), (int32_t)(rnd() % 5),
                                           (float)(3.0 * urand()), (int32_t)(rnd() % (uint32_t)n) };
                }
                if (st + 1 < n && rnd() % 3 == 0) {
                    src[na] = st;
                    arcs[na++] = (sk_arc){ 0, 1, (float)urand(), st + 1 + (int32_t)(rnd() % (uint32_t)(n - st - 1 > 50 ? 50 : n - st - 1)) };
                }
            }
            sk_fst *g = sk_fst_new(n);
            sk_fst_set_arcs(g, src, arcs, na);
            g->start = 0;
            for (int32_t st = 0; st < n; st++)
                if (rnd() % 5 == 0)
                    g->final[st] = (float)urand();
            float ll[6 * 4];
            for (int i = 0; i < T * npdf; i++)
                ll[i] = (float)(-20.0 * urand());
            sk_decodable ac = { ll, T, npdf, npdf, tid2pdf, ntid, 0.5f };
            /* reference: frame-synchronous dynamic programming over all states */
            double *dist = malloc(sizeof(double) * (size_t)n), *nd = malloc(sizeof(double) * (size_t)n);
            for (int32_t st = 0; st < n; st++)
                dist[st] = INFINITY;
            dist[0] = 0;
            for (int f = 0; f <= T; f++) {
                for (int32_t st = 0; st < n; st++) /* epsilon arcs go forward: one pass */
                    for (uint32_t a = g->arc_start[st]; a < g->arc_start[st + 1]; a++)
                        if (!g->arcs[a].ilabel && dist[st] + g->arcs[a].weight < dist[g->arcs[a].nextstate])
                            dist[g->arcs[a].nextstate] = dist[st] + g->arcs[a].weight;
                if (f == T)
                    break;
                for (int32_t st = 0; st < n; st++)
                    nd[st] = INFINITY;
                for (int32_t st = 0; st < n; st++)
                    for (uint32_t a = g->arc_start[st]; a < g->arc_start[st + 1]; a++) {
                        const sk_arc *arc = &g->arcs[a];
                        if (!arc->ilabel)
                            continue;
                        float acc = -(ac.acoustic_scale * ll[f * npdf + tid2pdf[arc->ilabel]]);
                        double c = dist[st] + arc->weight + acc;
                        if (c < nd[arc->nextstate])
                            nd[arc->nextstate] = c;
                    }
                memcpy(dist, nd, sizeof(double) * (size_t)n);
            }
            double ref = INFINITY;
            for (int32_t st = 0; st < n; st++)
                if (dist[st] + g->final[st] < ref)
                    ref = dist[st] + g->final[st];
            sk_faster_opts o;
            sk_faster_opts_default(&o);
            o.beam = 1e30f;
            o.min_active = 0;
            sk_faster_decoder *d = sk_faster_decoder_new(g, &o);
            sk_best_path bp;
            sk_best_path_init(&bp);
            for (int rep = 0; rep < 2; rep++) { /* twice: the hash keeps its size between utterances */
                sk_faster_decode(d, &ac);
                bool ok = sk_faster_best_path(d, true, &bp);
                double c = (double)bp.graph_cost + bp.ac_cost;
                if (ref != INFINITY && (!ok || fabs(c - ref) > 1e-3 * fmax(1.0, fabs(ref)))) {
                    TAP_FAIL("trial %d: decoder %g, dynamic programming %g", trial, c, ref);
                    bad++;
                }
            }
            sk_best_path_release(&bp);
            sk_faster_decoder_free(d);
            sk_fst_free(g);
            free(src);
            free(arcs);
            free(dist);
            free(nd);
        }
        CHECK_INT(bad, 0);
    }

    TEST("no final state: partial traceback of the best token") {
        sk_fst *g = compile("0 1 1 5 0.5\n1 1 2 0 0.25\n");
        float ll[3 * 4] = { 0 };
        sk_decodable ac = { ll, 3, 4, 4, tid2pdf, ntid, 0.1f };
        sk_faster_opts o;
        sk_faster_opts_default(&o);
        sk_faster_decoder *d = sk_faster_decoder_new(g, &o);
        sk_faster_decode(d, &ac);
        CHECK(!sk_faster_reached_final(d));
        sk_best_path bp;
        sk_best_path_init(&bp);
        CHECK(sk_faster_best_path(d, true, &bp));
        CHECK_INT(bp.num_ali, 3);
        CHECK_INT(bp.alignment[0], 1);
        CHECK_INT(bp.alignment[2], 2);
        CHECK_INT(bp.num_words, 1);
        CHECK_INT(bp.words[0], 5);
        CHECK_NEAR(bp.graph_cost, 1.0, 1e-6);
        sk_best_path_release(&bp);
        sk_faster_decoder_free(d);
        sk_fst_free(g);
    }

    TEST("dead end: no surviving token gives no path") {
        sk_fst *g = compile("0 1 1 5 0.5\n1\n");
        float ll[3 * 4] = { 0 };
        sk_decodable ac = { ll, 3, 4, 4, tid2pdf, ntid, 0.1f };
        sk_faster_opts o;
        sk_faster_opts_default(&o);
        sk_faster_decoder *d = sk_faster_decoder_new(g, &o);
        sk_faster_decode(d, &ac);
        sk_best_path bp;
        sk_best_path_init(&bp);
        CHECK(!sk_faster_reached_final(d));
        CHECK(!sk_faster_best_path(d, true, &bp));
        sk_faster_decoder_free(d);
        sk_fst_free(g);
    }

    TEST("graph labels beyond the model, pdfs beyond the matrix: errors") {
        sk_fst *g = compile("0 1 9 5 0.5\n1\n");
        float ll[4] = { 0 };
        sk_decodable ac = { ll, 1, 4, 4, tid2pdf, ntid, 0.1f };
        nerr = 0;
        CHECK(sk_decodable_check(&ac, g) < 0);
        CHECK(strstr(lasterr, "input label 9") != NULL);
        sk_fst_free(g);
        g = compile("0 1 5 5 0.5\n1\n");
        sk_decodable narrow = { ll, 1, 3, 4, tid2pdf, ntid, 0.1f };
        CHECK(sk_decodable_check(&narrow, g) < 0);
        CHECK(strstr(lasterr, "only 3 columns") != NULL);
        sk_fst_free(g);
    }

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
