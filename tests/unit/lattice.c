/* Unit tests for lib/lat/lattice on Kaldi's own lattices (tests/data/decode/lat.1.gz, made by
 * latgen-faster-mapped): binary read + write is byte-identical, text output equals Kaldi's
 * lattice-copy ark,t output, text read back gives the same lattice, best paths after
 * lattice-scale / lattice-add-penalty equal lattice-best-path's at LM weights 7, 10, 13, 17,
 * and conversion to a raw Lattice round-trips. The archive framing ("key " + lattice, no
 * "\0B") is done here by hand, and once with sk_writer + sk_holder_clat. */
#include "base/log.h"
#include "io/table.h"
#include "lat/lattice.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXLAT 600
static char *keys[MAXLAT];
static sk_clat lats[MAXLAT];
static int nlat;

static const char *data(const char *name)
{
    static char path[512];
    const char *top = getenv("TOP");
    snprintf(path, sizeof path, "%s/tests/data/decode/%s", top ? top : ".", name);
    return path;
}

static char *run_slurp(const char *cmd, size_t *len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *b = malloc(cap);
    size_t k;
    while ((k = fread(b + n, 1, cap - n, p)) > 0) {
        n += k;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    pclose(p);
    *len = n;
    return b;
}

static int read_key(FILE *f, char *key, size_t cap)
{
    size_t n = 0;
    int ch;
    while ((ch = getc(f)) != EOF && ch != ' ')
        if (n + 1 < cap)
            key[n++] = (char)ch;
    key[n] = '\0';
    return ch == EOF ? -1 : 0;
}

/* Map word-id lines "key w1 w2 ..." of a Kaldi int table file. */
static char *expected_line(const char *file, const char *key)
{
    static char buf[100000];
    static char line[4096];
    FILE *f = fopen(data(file), "r");
    if (!f)
        return NULL;
    size_t kl = strlen(key);
    char *res = NULL;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, key, kl) && line[kl] == ' ') {
            snprintf(buf, sizeof buf, "%s", line);
            res = buf;
            break;
        }
    }
    fclose(f);
    return res;
}

static int best_words_line(const sk_clat *in, double inv_ac, float wip, char *out, size_t cap,
                           int32_t *nframes)
{
    sk_clat c, bp;
    sk_lat l;
    sk_clat_init(&c);
    sk_clat_init(&bp);
    sk_lat_init(&l);
    sk_clat_copy(&c, in);
    sk_clat_scale(&c, 1.0, 0.0, 0.0, 1.0 / inv_ac);
    sk_clat_add_word_ins_pen(&c, wip);
    int st = sk_clat_shortest_path(&c, &bp);
    int32_t *ali = NULL, *w = NULL, na = 0, nw = 0;
    sk_lw tot;
    if (st == 0)
        st = sk_clat_to_lat(&bp, &l);
    if (st == 0)
        st = sk_lat_linear(&l, &ali, &na, &w, &nw, &tot);
    size_t len = 0;
    out[0] = '\0';
    for (int32_t i = 0; st == 0 && i < nw; i++)
        len += (size_t)snprintf(out + len, cap - len, "%d ", w[i]);
    *nframes = na;
    free(ali);
    free(w);
    sk_clat_release(&c);
    sk_clat_release(&bp);
    sk_lat_release(&l);
    return st;
}

int main(void)
{
    sk_log_init("lattice-test");
    char cmd[1024];
    size_t blen = 0, tlen = 0;
    snprintf(cmd, sizeof cmd, "gunzip -c %s", data("lat.1.gz"));
    char *bin = run_slurp(cmd, &blen);
    snprintf(cmd, sizeof cmd, "gunzip -c %s", data("lat.txt.gz"));
    char *txt = run_slurp(cmd, &tlen);

    TEST("reads all 500 binary compact lattices of Kaldi's lat.1.gz") {
        FILE *f = fmemopen(bin, blen, "rb");
        char key[256];
        int bad = 0;
        while (nlat < MAXLAT && read_key(f, key, sizeof key) == 0) {
            sk_clat_init(&lats[nlat]);
            /* no "\0B": Kaldi's lattice holders detect the binary form by the FST magic */
            if (sk_clat_read(f, false, &lats[nlat]) < 0) {
                bad++;
                break;
            }
            keys[nlat++] = strdup(key);
        }
        fclose(f);
        CHECK_INT(bad, 0);
        CHECK_INT(nlat, 500);
    }
    TEST("binary write is byte-identical to Kaldi's") {
        char *out = NULL;
        size_t olen = 0;
        FILE *f = open_memstream(&out, &olen);
        for (int i = 0; i < nlat; i++) {
            fprintf(f, "%s ", keys[i]);
            CHECK_INT(sk_clat_write(f, true, &lats[i]), 0);
        }
        fclose(f);
        CHECK_INT(olen, blen);
        CHECK(olen == blen && !memcmp(out, bin, blen));
        free(out);
    }
    TEST("sk_writer with the lattice holder writes Kaldi's archive (no \\0B)") {
        char path[] = "/tmp/skald-lat-XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0);
        close(fd);
        char wspec[64];
        snprintf(wspec, sizeof wspec, "ark:%s", path);
        sk_writer *w = sk_writer_open(wspec, &sk_holder_clat);
        CHECK(w != NULL);
        for (int i = 0; w && i < nlat; i++)
            CHECK_INT(sk_writer_write(w, keys[i], &lats[i]), 0);
        CHECK_INT(sk_writer_close(w), 0);
        snprintf(cmd, sizeof cmd, "cat %s", path);
        size_t olen = 0;
        char *out = run_slurp(cmd, &olen);
        CHECK_INT(olen, blen);
        CHECK(out && olen == blen && !memcmp(out, bin, blen));
        free(out);
        sk_seq_reader *r = sk_seq_open(wspec, &sk_holder_clat);
        int n = 0;
        for (; r && !sk_seq_done(r); sk_seq_next(r))
            n += sk_seq_value(r) != NULL;
        CHECK(r && sk_seq_close(r) == 0);
        CHECK_INT(n, nlat);
        unlink(path);
    }
    TEST("text write equals Kaldi's lattice-copy ark,t output") {
        char *out = NULL;
        size_t olen = 0;
        FILE *f = open_memstream(&out, &olen);
        for (int i = 0; i < nlat; i++) {
            fprintf(f, "%s ", keys[i]);
            sk_clat_write(f, false, &lats[i]);
        }
        fclose(f);
        CHECK_INT(olen, tlen);
        CHECK(olen == tlen && !memcmp(out, txt, tlen));
        free(out);
    }
    TEST("text read and written again gives Kaldi's text back") {
        FILE *f = fmemopen(txt, tlen, "rb");
        char key[256];
        char *out = NULL;
        size_t olen = 0;
        FILE *o = open_memstream(&out, &olen);
        int bad = 0, n = 0;
        while (read_key(f, key, sizeof key) == 0) {
            sk_clat c;
            sk_clat_init(&c);
            if (sk_clat_read(f, false, &c) < 0) {
                bad++;
                break;
            }
            fprintf(o, "%s ", key);
            sk_clat_write(o, false, &c);
            bad += c.num_states != lats[n].num_states;
            sk_clat_release(&c);
            n++;
        }
        fclose(f);
        fclose(o);
        CHECK_INT(bad, 0);
        CHECK_INT(n, nlat);
        CHECK(olen == tlen && !memcmp(out, txt, tlen));
        free(out);
    }
    const int lmwt[4] = { 7, 10, 13, 17 };
    for (int k = 0; k < 4; k++) {
        char name[128], file[64];
        snprintf(name, sizeof name, "best path words at LM weight %d equal lattice-best-path's", lmwt[k]);
        snprintf(file, sizeof file, "best.lmwt%d.int", lmwt[k]);
        TEST(name) {
            int bad = 0;
            int64_t frames = 0;
            for (int i = 0; i < nlat; i++) {
                char line[4096], want[8400];
                int32_t nf;
                CHECK_INT(best_words_line(&lats[i], lmwt[k], 0.0f, line, sizeof line, &nf), 0);
                frames += nf;
                snprintf(want, sizeof want, "%s %s\n", keys[i], line);
                const char *exp = expected_line(file, keys[i]);
                if (!exp || strcmp(exp, want)) {
                    if (!bad)
                        TAP_FAIL("%s: got '%s' expected '%s'", keys[i], want, exp ? exp : "(none)");
                    bad++;
                }
            }
            CHECK_INT(bad, 0);
            CHECK_INT(frames, 18440);
        }
    }
    TEST("word insertion penalty 1.0 at LM weight 10 equals Kaldi's") {
        int bad = 0;
        for (int i = 0; i < nlat; i++) {
            char line[4096], want[8400];
            int32_t nf;
            best_words_line(&lats[i], 10, 1.0f, line, sizeof line, &nf);
            snprintf(want, sizeof want, "%s %s\n", keys[i], line);
            const char *exp = expected_line("best.lmwt10.wip1.int", keys[i]);
            bad += !exp || strcmp(exp, want);
        }
        CHECK_INT(bad, 0);
    }
    TEST("compact -> raw lattice: text form and linear sequence of a 1-best") {
        sk_clat c;
        sk_clat_init(&c);
        int32_t s0 = sk_clat_add_state(&c), s1 = sk_clat_add_state(&c);
        int32_t str1[3] = { 4, 5, 6 }, str2[2] = { 7, 8 };
        c.start = s0;
        sk_clat_add_arc(&c, s0, 11, 11, 1.5f, -2.0f, str1, 3, s1);
        sk_clat_set_final(&c, s1, 0.25f, 0.0f, str2, 2);
        sk_lat l;
        sk_lat_init(&l);
        CHECK_INT(sk_clat_to_lat(&c, &l), 0);
        CHECK_INT(l.num_states, 6);
        int32_t *ali, *w, na, nw;
        sk_lw tot;
        CHECK_INT(sk_lat_linear(&l, &ali, &na, &w, &nw, &tot), 0);
        CHECK_INT(na, 5);
        CHECK_INT(ali[0], 4);
        CHECK_INT(ali[4], 8);
        CHECK_INT(nw, 1);
        CHECK_INT(w[0], 11);
        CHECK_NEAR(tot.g, 1.75, 1e-6);
        CHECK_NEAR(tot.a, -2.0, 1e-6);
        free(ali);
        free(w);
        char *out = NULL;
        size_t ol = 0;
        FILE *f = open_memstream(&out, &ol);
        sk_lat_write(f, false, &l);
        fclose(f);
        CHECK_STR(out, "\n0\t2\t4\t11\t1.5,-2\n1\t4\t7\t0\t0.25,0\n2\t3\t5\t0\n3\t1\t6\t0\n"
                       "4\t5\t8\t0\n5\n\n");
        free(out);
        sk_lat_release(&l);
        sk_clat_release(&c);
    }
    TEST("fuzz regressions (tests/fuzz/fst_lattice.c): lying headers are errors, not crashes") {
        /* a header announcing 2^29 states on a 100-byte input: must fail at the end of the data
         * without allocating for all of them (found as an out-of-memory) */
        unsigned char hdr[200];
        memcpy(hdr, bin + 9, 100); /* first lattice, after "theo_0_0 " */
        int64_t ns = (int64_t)1 << 29;
        memcpy(hdr + 58, &ns, 8);   /* num_states field of the compactlattice44 header */
        FILE *f = fmemopen(hdr, 100, "rb");
        sk_clat c;
        sk_clat_init(&c);
        CHECK(sk_clat_read(f, true, &c) < 0);
        fclose(f);
        /* start state 0 with 0 states (found as a crash when printing) */
        ns = 0;
        memcpy(hdr, bin + 9, 100);
        memcpy(hdr + 58, &ns, 8);
        f = fmemopen(hdr, 100, "rb");
        CHECK(sk_clat_read(f, true, &c) < 0);
        fclose(f);
        sk_clat_release(&c);
    }
    for (int i = 0; i < nlat; i++) {
        sk_clat_release(&lats[i]);
        free(keys[i]);
    }
    free(bin);
    free(txt);
    return tap_done();
}
