/* Unit tests for lib/fst/fst: OpenFst binary files written by the OpenFst tools (fstcompile,
 * fstconvert from Debian libfst-tools), header errors, round trips. */
#include "base/log.h"
#include "fst/fst.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
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

static int sh(const char *fmt, const char *a)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, fmt, dir, a, dir, a);
    return system(cmd);
}

static int readf(const char *name, sk_fst **g)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -100;
    int st = sk_fst_read(f, name, g);
    fclose(f);
    return st;
}

/* 0 -1:10/0.5-> 1 ; 0 -2:0/1.25-> 2 ; 1 -0:11/0-> 2 ; 2 final 0.75 ; 1 final */
static const char *graph_txt =
    "0 1 1 10 0.5\n0 2 2 0 1.25\n1 2 0 11\n2 0.75\n1\n";

static void check_graph(const sk_fst *g)
{
    CHECK_INT(g->num_states, 3);
    CHECK_INT(g->num_arcs, 3);
    CHECK_INT(g->start, 0);
    CHECK_INT(g->arc_start[0], 0);
    CHECK_INT(g->arc_start[1], 2);
    CHECK_INT(g->arc_start[3], 3);
    CHECK_INT(g->arcs[0].ilabel, 1);
    CHECK_INT(g->arcs[0].olabel, 10);
    CHECK_NEAR(g->arcs[0].weight, 0.5, 0);
    CHECK_INT(g->arcs[1].nextstate, 2);
    CHECK_NEAR(g->arcs[1].weight, 1.25, 0);
    CHECK_INT(g->arcs[2].ilabel, 0);
    CHECK_INT(g->arcs[2].olabel, 11);
    CHECK(!sk_fst_is_final(g, 0));
    CHECK(sk_fst_is_final(g, 1));
    CHECK_NEAR(g->final[1], 0.0, 0);
    CHECK_NEAR(g->final[2], 0.75, 0);
}

int main(void)
{
    sk_log_init("fst-test");
    sk_log_set_sink(sink, NULL);
    snprintf(dir, sizeof dir, "/tmp/skald-fst-XXXXXX");
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    int have_tools = system("command -v fstcompile >/dev/null && command -v fstconvert >/dev/null") == 0;
    if (!have_tools) {
        printf("Bail out! OpenFst tools (fstcompile, fstconvert: Debian libfst-tools) missing\n");
        return 1;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/g.txt", dir);
    FILE *f = fopen(path, "w");
    fputs(graph_txt, f);
    fclose(f);
    sh("fstcompile %s/g.txt%s > %s/g.vec%s", "");
    sh("fstconvert --fst_type=const %s/g.vec%s > %s/g.const%s", "");
    sh("fstcompile --arc_type=log %s/g.txt%s > %s/g.log%s", "");
    /* symbol tables attached */
    snprintf(path, sizeof path, "%s/syms.txt", dir);
    f = fopen(path, "w");
    fputs("<eps> 0\na 1\nb 2\nc 10\nd 11\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/gs.txt", dir);
    f = fopen(path, "w");
    fputs("0 1 a c 0.5\n0 2 b <eps> 1.25\n1 2 <eps> d\n2 0.75\n1\n", f);
    fclose(f);
    {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "fstcompile --isymbols=%s/syms.txt --osymbols=%s/syms.txt "
                 "--keep_isymbols --keep_osymbols %s/gs.txt > %s/g.syms", dir, dir, dir, dir);
        if (system(cmd) != 0)
            printf("# fstcompile with symbols failed\n");
    }

    sk_fst *g = NULL;
    TEST("reads a VectorFst written by fstcompile") {
        CHECK_INT(readf("g.vec", &g), 0);
        if (g) check_graph(g);
        sk_fst_free(g);
        g = NULL;
    }
    TEST("reads a ConstFst written by fstconvert --fst_type=const") {
        CHECK_INT(readf("g.const", &g), 0);
        if (g) check_graph(g);
        sk_fst_free(g);
        g = NULL;
    }
    TEST("reads an FST with input and output symbol tables") {
        CHECK_INT(readf("g.syms", &g), 0);
        if (g) check_graph(g);
        sk_fst_free(g);
        g = NULL;
    }
    TEST("arc type log is refused with Kaldi's message") {
        nerr = 0;
        CHECK(readf("g.log", &g) < 0);
        CHECK(g == NULL);
        CHECK_INT(nerr, 1);
        CHECK(strstr(lasterr, "FST with arc type log is not supported") != NULL);
    }
    TEST("wrong magic number") {
        snprintf(path, sizeof path, "%s/bad", dir);
        f = fopen(path, "w");
        fputs("this is not an fst at all, just some text........................", f);
        fclose(f);
        nerr = 0;
        CHECK(readf("bad", &g) < 0);
        CHECK(strstr(lasterr, "bad magic number") != NULL);
    }
    TEST("truncated files are refused at every length") {
        char src[256];
        snprintf(src, sizeof src, "%s/g.const", dir);
        FILE *in = fopen(src, "rb");
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf, in);
        fclose(in);
        int bad = 0;
        for (size_t len = 1; len < n; len++) {
            snprintf(path, sizeof path, "%s/trunc", dir);
            f = fopen(path, "wb");
            fwrite(buf, 1, len, f);
            fclose(f);
            nerr = 0;
            g = NULL;
            if (readf("trunc", &g) >= 0 || g != NULL || nerr == 0)
                bad++;
        }
        CHECK_INT(bad, 0);
        CHECK(strstr(lasterr, "truncated") != NULL);
    }
    TEST("a header announcing 2^30 states is refused at the end of the data (fuzz regression)") {
        char src[256];
        snprintf(src, sizeof src, "%s/g.const", dir);
        FILE *in = fopen(src, "rb");
        unsigned char buf[4096];
        size_t n = fread(buf, 1, sizeof buf, in);
        fclose(in);
        int64_t ns = (int64_t)1 << 30;
        memcpy(buf + 49, &ns, 8); /* magic 4, "const" 4+5, "standard" 4+8, version 4, flags 4, props 8, start 8 */
        snprintf(path, sizeof path, "%s/huge", dir);
        f = fopen(path, "wb");
        fwrite(buf, 1, n, f);
        fclose(f);
        nerr = 0;
        g = NULL;
        CHECK(readf("huge", &g) < 0);
        CHECK(strstr(lasterr, "truncated") != NULL);
    }
    TEST("empty input is an error, not a crash") {
        snprintf(path, sizeof path, "%s/empty", dir);
        f = fopen(path, "wb");
        fclose(f);
        nerr = 0;
        CHECK(readf("empty", &g) < 0);
        CHECK_INT(nerr, 1);
    }
    TEST("write vector and const: fstprint agrees and we read them back") {
        CHECK_INT(readf("g.vec", &g), 0);
        const char *names[2] = { "w.vec", "w.const" };
        for (int k = 0; k < 2 && g; k++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[k]);
            f = fopen(path, "wb");
            CHECK_INT(sk_fst_write(f, g, k == 1), 0);
            fclose(f);
            sk_fst *h = NULL;
            CHECK_INT(readf(names[k], &h), 0);
            if (h) check_graph(h);
            sk_fst_free(h);
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "fstprint %s/%s > %s/p1 && fstprint %s/g.vec > %s/p2 && cmp -s %s/p1 %s/p2",
                     dir, names[k], dir, dir, dir, dir, dir);
            CHECK_INT(system(cmd), 0);
        }
        sk_fst_free(g);
        g = NULL;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
