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

    return tap_done();
}
