/* Unit tests for lib/matrix/holders.c: the holder tables behave like their types. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "matrix/holders.h"
#include "tap.h"

static void sink(int sev, const char *line, void *ctx) { (void)sev; (void)line; (void)ctx; }

static void fill(sk_mat *m, int32_t rows, int32_t cols)
{
    sk_mat_resize(m, rows, cols);
    for (int32_t r = 0; r < rows; r++)
        for (int32_t c = 0; c < cols; c++)
            SK_MAT(m, r, c) = (float)(r * 0.37 - c * 1.5 + (r * c % 7));
}

/* write obj with holder h into memory */
static char *hwrite(const sk_holder *h, const void *obj, bool binary, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (h->write(f, binary, obj) < 0)
        TAP_FAIL("%s write failed", h->name);
    fclose(f);
    return buf;
}

static int hread(const sk_holder *h, const char *buf, size_t len, bool binary, void *obj)
{
    FILE *f = fmemopen((void *)buf, len, "r");
    int st = h->read(f, binary, obj);
    fclose(f);
    return st;
}

int main(void)
{
    sk_log_set_sink(sink, NULL);

    TEST("gmat keeps a compressed matrix compressed: rewrite is byte-identical") {
        sk_mat m; sk_mat_init(&m); fill(&m, 20, 6);
        sk_cmat c; sk_cmat_init(&c); sk_cmat_compress(&m, 2, &c);
        size_t len, len2;
        char *b = hwrite(&sk_holder_cmat, &c, true, &len);
        sk_gmat g; sk_holder_gmat.init(&g);
        CHECK_INT(hread(&sk_holder_gmat, b, len, true, &g), 0);
        CHECK(g.compressed && sk_gmat_rows(&g) == 20 && sk_gmat_cols(&g) == 6);
        char *b2 = hwrite(&sk_holder_gmat, &g, true, &len2);
        CHECK(len == len2 && memcmp(b, b2, len) == 0);
        sk_gmat g2; sk_holder_gmat.init(&g2);
        CHECK_INT(sk_holder_gmat.copy(&g, &g2), 0);
        CHECK(g2.compressed && g2.cm.data_len == g.cm.data_len);
        /* a range decompresses only the block, giving a full matrix */
        sk_mat full; sk_mat_init(&full); sk_cmat_decompress(&c, &full);
        CHECK_INT(sk_holder_gmat.extract_range(&g, "2:5,1:3", &g2), 0);
        CHECK(!g2.compressed && g2.full.rows == 4 && g2.full.cols == 3);
        CHECK(SK_MAT(&g2.full, 3, 2) == SK_MAT(&full, 5, 3));
        CHECK(sk_holder_gmat.extract_range(&g, "2:5,1:6", &g2) < 0);
        /* the float-matrix holder decompresses on reading */
        sk_mat r; sk_holder_mat.init(&r);
        CHECK_INT(hread(&sk_holder_mat, b, len, true, &r), 0);
        CHECK(r.rows == 20 && SK_MAT(&r, 19, 5) == SK_MAT(&full, 19, 5));
        free(b); free(b2);
        sk_holder_gmat.release(&g); sk_holder_gmat.release(&g2); sk_holder_mat.release(&r);
        sk_mat_release(&m); sk_mat_release(&full); sk_cmat_release(&c);
    }

    TEST("gmat of a full matrix writes FM; text mode of a compressed one writes text") {
        sk_mat m; sk_mat_init(&m); fill(&m, 3, 2);
        size_t len;
        char *b = hwrite(&sk_holder_mat, &m, true, &len);
        sk_gmat g; sk_gmat_init(&g);
        CHECK_INT(hread(&sk_holder_gmat, b, len, true, &g), 0);
        CHECK(!g.compressed && g.full.rows == 3);
        free(b);
        b = hwrite(&sk_holder_gmat, &g, false, &len);
        CHECK(strncmp(b, " [\n  0 -1.5 \n", 13) == 0);
        free(b);
        sk_cmat_compress(&m, 6, &g.cm);
        g.compressed = true;
        b = hwrite(&sk_holder_gmat, &g, false, &len);
        CHECK(b[0] == ' ' && b[1] == '[');
        free(b);
        sk_gmat_release(&g); sk_mat_release(&m);
    }

    TEST("cmat holder compresses a full matrix (method 1); no ranges") {
        sk_mat m; sk_mat_init(&m); fill(&m, 12, 4);
        size_t len;
        char *b = hwrite(&sk_holder_mat, &m, true, &len);
        sk_cmat c; sk_cmat_init(&c);
        CHECK_INT(hread(&sk_holder_cmat, b, len, true, &c), 0);
        CHECK(c.format == 1 && c.rows == 12);
        CHECK(sk_holder_cmat.extract_range == NULL);
        free(b);
        sk_cmat_release(&c); sk_mat_release(&m);
    }

    TEST("double matrix and vector holders: read, range, copy") {
        sk_dmat d; sk_dmat_init(&d); sk_dmat_resize(&d, 2, 3);
        SK_MAT(&d, 1, 2) = 549.672040939331;
        size_t len;
        char *b = hwrite(&sk_holder_dmat, &d, true, &len);
        CHECK(b[0] == 'D' && b[1] == 'M');
        sk_dmat e; sk_dmat_init(&e);
        CHECK_INT(hread(&sk_holder_dmat, b, len, true, &e), 0);
        CHECK(SK_MAT(&e, 1, 2) == 549.672040939331);
        CHECK_INT(sk_holder_dmat.extract_range(&e, "1:1,2:2", &d), 0);
        CHECK(d.rows == 1 && d.cols == 1 && SK_MAT(&d, 0, 0) == 549.672040939331);
        free(b);
        sk_vec v, w; sk_vec_init(&v); sk_vec_init(&w); sk_vec_resize(&v, 4);
        v.data[3] = 2.5f;
        b = hwrite(&sk_holder_vec, &v, false, &len);
        CHECK_STR(b, " [ 0 0 0 2.5 ]\n");
        CHECK_INT(hread(&sk_holder_vec, b, len, false, &w), 0);
        CHECK(w.dim == 4 && w.data[3] == 2.5f);
        CHECK_INT(sk_holder_vec.extract_range(&w, "2:3", &v), 0);
        CHECK(v.dim == 2 && v.data[1] == 2.5f);
        sk_dvec dv, dw; sk_dvec_init(&dv); sk_dvec_init(&dw);
        CHECK_INT(hread(&sk_holder_dvec, b, len, false, &dv), 0);
        CHECK_INT(sk_holder_dvec.copy(&dv, &dw), 0);
        CHECK(dw.dim == 4 && dw.data[3] == 2.5);
        free(b);
        sk_dmat_release(&d); sk_dmat_release(&e); sk_vec_release(&v); sk_vec_release(&w);
        sk_dvec_release(&dv); sk_dvec_release(&dw);
    }

    TEST("truncation at every byte fails cleanly; random corruption never crashes") {
        sk_mat m; sk_mat_init(&m); fill(&m, 11, 5);
        sk_dmat d; sk_dmat_init(&d); sk_dmat_from_mat(&d, &m);
        sk_vec v; sk_vec_init(&v); sk_vec_resize(&v, 7);
        sk_cmat c1, c2, c3; sk_cmat_init(&c1); sk_cmat_init(&c2); sk_cmat_init(&c3);
        sk_cmat_compress(&m, 2, &c1); sk_cmat_compress(&m, 3, &c2); sk_cmat_compress(&m, 5, &c3);
        struct { const sk_holder *h; const void *obj; bool binary; const sk_holder *rd; } cases[] = {
            { &sk_holder_mat, &m, true, &sk_holder_mat }, { &sk_holder_mat, &m, false, &sk_holder_mat },
            { &sk_holder_dmat, &d, true, &sk_holder_dmat }, { &sk_holder_dmat, &d, false, &sk_holder_mat },
            { &sk_holder_vec, &v, true, &sk_holder_vec }, { &sk_holder_vec, &v, false, &sk_holder_vec },
            { &sk_holder_cmat, &c1, true, &sk_holder_mat }, { &sk_holder_cmat, &c2, true, &sk_holder_gmat },
            { &sk_holder_cmat, &c3, true, &sk_holder_cmat },
        };
        unsigned seed = 7;
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            size_t len;
            char *b = hwrite(cases[k].h, cases[k].obj, cases[k].binary, &len);
            const sk_holder *rd = cases[k].rd;
            void *obj = calloc(1, rd->size);
            rd->init(obj);
            CHECK_INT(hread(rd, b, len, cases[k].binary, obj), 0);
            /* text: dropping the final newline still parses; anything shorter must fail */
            size_t min_ok = cases[k].binary ? len : len - 1;
            for (size_t l = 0; l < min_ok; l++)
                if (hread(rd, b, l, cases[k].binary, obj) == 0)
                    TAP_FAIL("case %zu: a prefix of %zu of %zu bytes was accepted", k, l, len);
            char *cp = malloc(len);
            for (int it = 0; it < 300; it++) {
                memcpy(cp, b, len);
                for (int flips = 0; flips < 3; flips++)
                    cp[rand_r(&seed) % len] = (char)rand_r(&seed);
                hread(rd, cp, len, cases[k].binary, obj);   /* must return, any status */
            }
            rd->release(obj);
            free(obj); free(cp); free(b);
        }
        /* a header claiming 2^30 x 2^30 floats fails at EOF without touching the memory */
        static const char huge[] = "FM \x04\x00\x00\x00\x40\x04\x00\x00\x00\x40xxxx";
        sk_mat r; sk_mat_init(&r);
        CHECK(hread(&sk_holder_mat, huge, sizeof huge - 1, true, &r) < 0);
        static const char hugecm[] = "CM2 \0\0\0\0\0\0\x80\x3f\x00\x00\x00\x40\x00\x00\x00\x40xx";
        CHECK(hread(&sk_holder_mat, hugecm, sizeof hugecm - 1, true, &r) < 0);
        sk_mat_release(&r);
        sk_mat_release(&m); sk_dmat_release(&d); sk_vec_release(&v);
        sk_cmat_release(&c1); sk_cmat_release(&c2); sk_cmat_release(&c3);
    }

    TEST("large objects from streams of unknown size: read through a growing buffer") {
        sk_mat m, r; sk_mat_init(&m); sk_mat_init(&r);
        fill(&m, 4500, 1000);   /* 18 MB: above the 16 MB direct-read limit */
        size_t len;
        char *b = hwrite(&sk_holder_mat, &m, true, &len);
        CHECK_INT(hread(&sk_holder_mat, b, len, true, &r), 0);   /* memory stream: no size */
        CHECK(r.rows == 4500 && r.cols == 1000 && SK_MAT(&r, 4499, 999) == SK_MAT(&m, 4499, 999));
        CHECK(SK_MAT(&r, 1234, 567) == SK_MAT(&m, 1234, 567));
        CHECK(hread(&sk_holder_mat, b, len - 100, true, &r) < 0);
        free(b);
        sk_vec v, w; sk_vec_init(&v); sk_vec_init(&w); sk_vec_resize(&v, 5000000);
        v.data[4999999] = 3.0f;
        b = hwrite(&sk_holder_vec, &v, true, &len);
        CHECK_INT(hread(&sk_holder_vec, b, len, true, &w), 0);
        CHECK(w.dim == 5000000 && w.data[4999999] == 3.0f);
        CHECK(hread(&sk_holder_vec, b, len - 1, true, &w) < 0);
        free(b);
        sk_cmat c, d; sk_cmat_init(&c); sk_cmat_init(&d);
        sk_cmat_compress(&m, 6, &c);   /* 4.5 MB payload: direct; CM2 of 9 MB too */
        sk_mat big; sk_mat_init(&big); fill(&big, 9000, 1000);
        sk_cmat_compress(&big, 4, &c);   /* CM2: 18 MB payload */
        b = hwrite(&sk_holder_cmat, &c, true, &len);
        CHECK_INT(hread(&sk_holder_cmat, b, len, true, &d), 0);
        CHECK(d.data_len == c.data_len && memcmp(d.data, c.data, c.data_len) == 0);
        CHECK(hread(&sk_holder_cmat, b, len - 7, true, &d) < 0);
        free(b);
        sk_cmat_release(&c); sk_cmat_release(&d); sk_mat_release(&big);
        sk_vec_release(&v); sk_vec_release(&w);
        sk_mat_release(&m); sk_mat_release(&r);
    }

    return tap_done();
}
