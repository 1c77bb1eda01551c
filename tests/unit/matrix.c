/* Unit tests for lib/matrix/matrix.c: storage, Kaldi binary/text formats, ranges, BLAS. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "base/log.h"
#include "matrix/matrix.h"

/* Captures ERROR/WARNING lines so that expected failures stay quiet and can be checked. */
static char last_line[1024];
static int n_errors, n_warnings;
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR)
        n_errors++;
    if (sev == SK_SEV_WARNING)
        n_warnings++;
    snprintf(last_line, sizeof last_line, "%s", line);
}

/* Write with fn into memory; returns malloc'ed bytes and their length. */
typedef struct { char *buf; size_t len; FILE *f; } membuf;
static FILE *mem_open(membuf *m) { m->buf = NULL; m->len = 0; m->f = open_memstream(&m->buf, &m->len); return m->f; }
static void mem_close(membuf *m) { fclose(m->f); }
static FILE *rd(const void *buf, size_t len) { return fmemopen((void *)buf, len, "r"); }

static void fill(sk_mat *m, int32_t rows, int32_t cols, unsigned seed)
{
    sk_mat_resize(m, rows, cols);
    srand(seed);
    for (int32_t r = 0; r < rows; r++)
        for (int32_t c = 0; c < cols; c++)
            SK_MAT(m, r, c) = (float)(rand() / (double)RAND_MAX * 20.0 - 10.0);
}

static bool mat_equal(const sk_mat *a, const sk_mat *b)
{
    if (a->rows != b->rows || a->cols != b->cols)
        return false;
    for (int32_t r = 0; r < a->rows; r++)
        if (memcmp(SK_ROW(a, r), SK_ROW(b, r), (size_t)a->cols * sizeof(float)))
            return false;
    return true;
}

static int read_text_mat(const char *text, sk_mat *m)
{
    FILE *f = rd(text, strlen(text));
    int st = sk_mat_read(f, false, m);
    fclose(f);
    return st;
}

int main(void)
{
    sk_log_set_sink(sink, NULL);

    TEST("resize zeroes, pads stride to 16 floats, aligns to 64 bytes") {
        sk_mat m; sk_mat_init(&m);
        CHECK_INT(sk_mat_resize(&m, 3, 5), 0);
        CHECK_INT(m.stride, 16);
        CHECK(((uintptr_t)m.data & 63) == 0);
        CHECK(m.owned);
        int nz = 0;
        for (int r = 0; r < 3; r++) for (int c = 0; c < 5; c++) nz += SK_MAT(&m, r, c) != 0.0f;
        CHECK_INT(nz, 0);
        SK_MAT(&m, 2, 4) = 7.0f;
        CHECK_INT(sk_mat_resize_keep(&m, 4, 17), 0);
        CHECK_INT(m.stride, 32);
        CHECK(SK_MAT(&m, 2, 4) == 7.0f && SK_MAT(&m, 3, 16) == 0.0f);
        CHECK_INT(sk_mat_resize(&m, 0, 0), 0);
        CHECK(m.data == NULL && m.rows == 0 && m.cols == 0);
        sk_mat_release(&m);
    }

    TEST("view shares data; copy is deep") {
        sk_mat m, c; sk_mat_init(&m); sk_mat_init(&c);
        fill(&m, 6, 7, 1);
        sk_mat v = sk_mat_view(&m, 2, 3, 1, 4);
        CHECK(!v.owned && v.rows == 3 && v.cols == 4);
        CHECK(SK_MAT(&v, 0, 0) == SK_MAT(&m, 2, 1));
        CHECK_INT(sk_mat_copy(&c, &v), 0);
        SK_MAT(&m, 2, 1) = 99.0f;
        CHECK(SK_MAT(&v, 0, 0) == 99.0f && SK_MAT(&c, 0, 0) != 99.0f);
        sk_mat_release(&m); sk_mat_release(&c);
    }

    TEST("binary FM: exact bytes of the 2x3 example") {
        sk_mat m; sk_mat_init(&m);
        sk_mat_resize(&m, 2, 3);
        for (int i = 0; i < 6; i++) SK_MAT(&m, i / 3, i % 3) = (float)(i + 1);
        membuf mb; mem_open(&mb);
        CHECK_INT(sk_mat_write(mb.f, true, &m), 0);
        mem_close(&mb);
        static const unsigned char head[] = { 'F', 'M', ' ', 4, 2, 0, 0, 0, 4, 3, 0, 0, 0 };
        CHECK_INT(mb.len, sizeof head + 24);
        CHECK(memcmp(mb.buf, head, sizeof head) == 0);
        float one; memcpy(&one, mb.buf + sizeof head, 4);
        CHECK(one == 1.0f);
        free(mb.buf);
        sk_mat_release(&m);
    }

    TEST("binary FM/DM/FV/DV round trip, with precision conversion") {
        sk_mat m, back; sk_dmat d, dback; sk_mat_init(&m); sk_mat_init(&back);
        sk_dmat_init(&d); sk_dmat_init(&dback);
        fill(&m, 13, 21, 2);
        membuf mb; mem_open(&mb);
        CHECK_INT(sk_mat_write(mb.f, true, &m), 0);
        mem_close(&mb);
        FILE *f = rd(mb.buf, mb.len);
        CHECK_INT(sk_mat_read(f, true, &back), 0);
        CHECK(fgetc(f) == EOF);
        fclose(f);
        CHECK(mat_equal(&m, &back));
        f = rd(mb.buf, mb.len);                 /* FM read as double */
        CHECK_INT(sk_dmat_read(f, true, &d), 0);
        fclose(f);
        CHECK(d.rows == 13 && d.cols == 21 && SK_MAT(&d, 5, 6) == (double)SK_MAT(&m, 5, 6));
        free(mb.buf);
        SK_MAT(&d, 0, 0) = 549.672040939331;       /* io.md 7.1: DM read as float rounds */
        mem_open(&mb);
        CHECK_INT(sk_dmat_write(mb.f, true, &d), 0);
        mem_close(&mb);
        CHECK(mb.buf[0] == 'D' && mb.buf[1] == 'M' && mb.len == 13 + 13 * 21 * 8);
        f = rd(mb.buf, mb.len);
        CHECK_INT(sk_mat_read(f, true, &back), 0);
        fclose(f);
        CHECK(SK_MAT(&back, 0, 0) == (float)549.672040939331);
        CHECK(SK_MAT(&back, 12, 20) == SK_MAT(&m, 12, 20));
        f = rd(mb.buf, mb.len);
        CHECK_INT(sk_dmat_read(f, true, &dback), 0);
        fclose(f);
        CHECK(SK_MAT(&dback, 0, 0) == 549.672040939331);
        free(mb.buf);

        sk_vec v, vb; sk_dvec dv; sk_vec_init(&v); sk_vec_init(&vb); sk_dvec_init(&dv);
        sk_vec_resize(&v, 5);
        for (int i = 0; i < 5; i++) v.data[i] = 0.1f * (float)i - 0.2f;
        mem_open(&mb);
        CHECK_INT(sk_vec_write(mb.f, true, &v), 0);
        mem_close(&mb);
        CHECK(mb.len == 3 + 5 + 20 && memcmp(mb.buf, "FV \x04\x05\0\0\0", 8) == 0);
        f = rd(mb.buf, mb.len);
        CHECK_INT(sk_dvec_read(f, true, &dv), 0);
        fclose(f);
        CHECK(dv.dim == 5 && dv.data[3] == (double)v.data[3]);
        free(mb.buf);
        mem_open(&mb);
        CHECK_INT(sk_dvec_write(mb.f, true, &dv), 0);
        mem_close(&mb);
        f = rd(mb.buf, mb.len);
        CHECK_INT(sk_vec_read(f, true, &vb), 0);
        fclose(f);
        CHECK(vb.dim == 5 && memcmp(vb.data, v.data, 20) == 0);
        free(mb.buf);
        sk_vec_release(&v); sk_vec_release(&vb); sk_dvec_release(&dv);
        sk_mat_release(&m); sk_mat_release(&back); sk_dmat_release(&d); sk_dmat_release(&dback);
    }

    TEST("text write: identity, empty, vector, %.7g") {
        sk_mat m; sk_mat_init(&m);
        sk_mat_resize(&m, 2, 2);
        SK_MAT(&m, 0, 0) = 1; SK_MAT(&m, 1, 1) = 1;
        membuf mb; mem_open(&mb);
        sk_mat_write(mb.f, false, &m);
        mem_close(&mb);
        CHECK_STR(mb.buf, " [\n  1 0 \n  0 1 ]\n");
        free(mb.buf);
        sk_mat_release(&m);
        mem_open(&mb);
        sk_mat_write(mb.f, false, &m);
        mem_close(&mb);
        CHECK_STR(mb.buf, " [ ]\n");
        free(mb.buf);
        sk_vec v; sk_vec_init(&v); sk_vec_resize(&v, 3);
        v.data[0] = 9.587979316711426f; v.data[1] = -0.5f; v.data[2] = 1e-20f;
        mem_open(&mb);
        sk_vec_write(mb.f, false, &v);
        mem_close(&mb);
        CHECK_STR(mb.buf, " [ 9.587979 -0.5 1e-20 ]\n");
        free(mb.buf);
        sk_vec_release(&v);
    }

    TEST("text read: rows, ';', inf/nan words, trailing newline consumed") {
        sk_mat m; sk_mat_init(&m);
        const char *t = " [\n  1 2.5 -3 \n  4 5 6 ]\nnext";
        FILE *f = rd(t, strlen(t));
        CHECK_INT(sk_mat_read(f, false, &m), 0);
        CHECK(m.rows == 2 && m.cols == 3 && SK_MAT(&m, 0, 1) == 2.5f && SK_MAT(&m, 1, 2) == 6.0f);
        CHECK(fgetc(f) == 'n');
        fclose(f);
        n_warnings = 0;
        CHECK_INT(read_text_mat("[ 1 inf ; NaN -2 ]", &m), 0);
        CHECK(m.rows == 2 && isinf(SK_MAT(&m, 0, 1)) && isnan(SK_MAT(&m, 1, 0)));
        CHECK_INT(n_warnings, 2);
        CHECK_INT(read_text_mat("[]", &m), 0);
        CHECK(m.rows == 0 && m.cols == 0);
        CHECK_INT(read_text_mat(" [ ]\n", &m), 0);
        CHECK(m.rows == 0);
        sk_dmat d; sk_dmat_init(&d);
        f = rd(" [\n  549.672040939331 ]\n", 23);
        CHECK_INT(sk_dmat_read(f, false, &d), 0);
        fclose(f);
        CHECK(d.rows == 1 && SK_MAT(&d, 0, 0) == 549.672040939331);
        sk_dmat_release(&d);
        sk_mat_release(&m);
    }

    TEST("text round trip keeps %.7g values") {
        sk_mat m, b; sk_mat_init(&m); sk_mat_init(&b);
        fill(&m, 5, 9, 3);
        membuf mb; mem_open(&mb);
        sk_mat_write(mb.f, false, &m);
        mem_close(&mb);
        CHECK_INT(read_text_mat(mb.buf, &b), 0);
        CHECK(b.rows == 5 && b.cols == 9);
        for (int r = 0; r < 5; r++) for (int c = 0; c < 9; c++)
            CHECK_NEAR(SK_MAT(&b, r, c), SK_MAT(&m, r, c), 1e-5);
        free(mb.buf);
        sk_mat_release(&m); sk_mat_release(&b);
    }

    TEST("text vector read; newline inside is an error") {
        sk_vec v; sk_vec_init(&v);
        const char *t = " [ 1 2 -3.5 ]\n";
        FILE *f = rd(t, strlen(t));
        CHECK_INT(sk_vec_read(f, false, &v), 0);
        CHECK(fgetc(f) == EOF);
        fclose(f);
        CHECK(v.dim == 3 && v.data[2] == -3.5f);
        n_errors = 0;
        f = rd(" [ 1 2\n 3 ]\n", 12);
        CHECK(sk_vec_read(f, false, &v) < 0);
        fclose(f);
        CHECK_INT(n_errors, 1);
        CHECK(strstr(last_line, "Newline found while reading vector") != NULL);
        sk_vec_release(&v);
    }

    TEST("bad input: inconsistent cols, bad word, no '[', truncated, wrong token") {
        sk_mat m; sk_mat_init(&m);
        n_errors = 0;
        CHECK(read_text_mat("[ 1 2\n 3 ]", &m) < 0);
        CHECK(strstr(last_line, "inconsistent #cols") != NULL);
        CHECK(read_text_mat("[ 1 abc ]", &m) < 0);
        CHECK(read_text_mat("garbage", &m) < 0);
        CHECK(read_text_mat("[ 1 2 ", &m) < 0);
        CHECK(read_text_mat("[ 1e999 ]", &m) < 0);
        CHECK_INT(n_errors, 5);
        sk_mat src; sk_mat_init(&src); fill(&src, 4, 4, 4);
        membuf mb; mem_open(&mb);
        sk_mat_write(mb.f, true, &src);
        mem_close(&mb);
        FILE *f = rd(mb.buf, mb.len - 3);              /* truncated */
        CHECK(sk_mat_read(f, true, &m) < 0);
        fclose(f);
        mb.buf[1] = 'V';                               /* "FV" where FM expected */
        f = rd(mb.buf, mb.len);
        CHECK(sk_mat_read(f, true, &m) < 0);
        fclose(f);
        CHECK(strstr(last_line, "Expected token FM, got FV") != NULL);
        f = rd(mb.buf, mb.len);                        /* a vector reader rejects it too */
        sk_vec v; sk_vec_init(&v);
        mb.buf[1] = 'M';
        CHECK(sk_vec_read(f, true, &v) < 0);
        fclose(f);
        free(mb.buf);
        sk_mat_release(&src); sk_mat_release(&m);
    }

    TEST("ranges: rows, cols, ':' halves, 3-row tolerance, invalid") {
        sk_mat m, d; sk_mat_init(&m); sk_mat_init(&d);
        fill(&m, 10, 6, 5);
        CHECK_INT(sk_mat_extract_range(&m, "3:7", &d), 0);
        CHECK(d.rows == 5 && d.cols == 6 && SK_MAT(&d, 0, 0) == SK_MAT(&m, 3, 0));
        CHECK_INT(sk_mat_extract_range(&m, ":,2:5", &d), 0);
        CHECK(d.rows == 10 && d.cols == 4 && SK_MAT(&d, 9, 3) == SK_MAT(&m, 9, 5));
        CHECK_INT(sk_mat_extract_range(&m, "1:4,0:3", &d), 0);
        CHECK(d.rows == 4 && d.cols == 4 && SK_MAT(&d, 3, 3) == SK_MAT(&m, 4, 3));
        n_warnings = 0;
        CHECK_INT(sk_mat_extract_range(&m, "8:12", &d), 0);
        CHECK(d.rows == 2 && n_warnings == 1);
        CHECK(strstr(last_line, "Row range 8:12 goes beyond the number of rows of the matrix 10"));
        n_errors = 0;
        CHECK(sk_mat_extract_range(&m, "8:13", &d) < 0);
        CHECK(strstr(last_line, "Invalid range specifier: 8:13 for matrix of size 10x6"));
        CHECK(sk_mat_extract_range(&m, "5:4", &d) < 0);
        CHECK(sk_mat_extract_range(&m, "0:1,0:6", &d) < 0);
        CHECK(sk_mat_extract_range(&m, "a:b", &d) < 0);
        CHECK(sk_mat_extract_range(&m, "0:1,", &d) < 0);
        CHECK(sk_mat_extract_range(&m, "10:11", &d) < 0);
        CHECK_INT(n_errors, 6);
        CHECK_INT(sk_mat_extract_range(&m, "2:3", &m), 0);   /* in place */
        CHECK(m.rows == 2);
        sk_vec v, w; sk_vec_init(&v); sk_vec_init(&w);
        sk_vec_resize(&v, 5);
        for (int i = 0; i < 5; i++) v.data[i] = (float)i;
        CHECK_INT(sk_vec_extract_range(&v, "1:3", &w), 0);
        CHECK(w.dim == 3 && w.data[0] == 1.0f && w.data[2] == 3.0f);
        CHECK(sk_vec_extract_range(&v, "1:3,0:0", &w) < 0);
        CHECK(strstr(last_line, "for vector of size 5"));
        sk_vec_release(&v); sk_vec_release(&w);
        sk_mat_release(&m); sk_mat_release(&d);
    }

    TEST("gemm/gemv/dot agree with naive loops (all transposes)") {
        sk_mat a, b, c; sk_mat_init(&a); sk_mat_init(&b); sk_mat_init(&c);
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int M = 7, N = 5, K = 19;
                fill(&a, ta ? K : M, ta ? M : K, 10 + ta);
                fill(&b, tb ? N : K, tb ? K : N, 20 + tb);
                fill(&c, M, N, 30);
                sk_mat c0; sk_mat_init(&c0); sk_mat_copy(&c0, &c);
                sk_gemm(ta, tb, 0.5f, &a, &b, 2.0f, &c);
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++) {
                        double s = 0;
                        for (int k = 0; k < K; k++)
                            s += (double)(ta ? SK_MAT(&a, k, i) : SK_MAT(&a, i, k)) *
                                 (tb ? SK_MAT(&b, j, k) : SK_MAT(&b, k, j));
                        CHECK_NEAR(SK_MAT(&c, i, j), 0.5 * s + 2.0 * SK_MAT(&c0, i, j), 1e-3);
                    }
                sk_mat_release(&c0);
            }
        fill(&a, 6, 4, 40);
        float x[6] = { 1, 2, 3, 4, 5, 6 }, y[6] = { 0 };
        sk_gemv(false, 1.0f, &a, x, 0.0f, y);
        double s = 0;
        for (int k = 0; k < 4; k++) s += SK_MAT(&a, 1, k) * x[k];
        CHECK_NEAR(y[1], s, 1e-4);
        sk_gemv(true, 1.0f, &a, x, 0.0f, y);
        s = 0;
        for (int k = 0; k < 6; k++) s += SK_MAT(&a, k, 2) * x[k];
        CHECK_NEAR(y[2], s, 1e-4);
        CHECK_NEAR(sk_dot(6, x, x), 91.0, 1e-5);
        sk_mat_release(&a); sk_mat_release(&b); sk_mat_release(&c);
    }

    TEST("element-wise: scale, add, floor, log, exp, pow, softmax, copy_from view") {
        sk_mat m, n; sk_mat_init(&m); sk_mat_init(&n);
        sk_mat_resize(&m, 2, 3);
        float v[6] = { 1, 4, 0.25f, -1, 2, 9 };
        for (int i = 0; i < 6; i++) SK_MAT(&m, i / 3, i % 3) = v[i];
        sk_mat_copy(&n, &m);
        sk_mat_scale(&n, 2.0f);
        CHECK(SK_MAT(&n, 1, 0) == -2.0f);
        sk_mat_add_mat(&n, -1.0f, &m);
        CHECK(SK_MAT(&n, 0, 1) == 4.0f && SK_MAT(&n, 1, 2) == 9.0f);
        n_errors = 0;
        CHECK(sk_mat_apply_pow(&n, 0.5f) < 0);          /* sqrt of -1 */
        CHECK_INT(n_errors, 1);
        sk_mat_apply_floor(&n, 0.0f);
        CHECK_INT(sk_mat_apply_pow(&n, 0.5f), 0);
        CHECK(SK_MAT(&n, 0, 1) == 2.0f && SK_MAT(&n, 1, 2) == 3.0f && SK_MAT(&n, 1, 0) == 0.0f);
        CHECK_INT(sk_mat_apply_pow(&n, 2.0f), 0);
        CHECK(SK_MAT(&n, 1, 2) == 9.0f);
        CHECK_INT(sk_mat_apply_pow(&n, 1.5f), 0);
        CHECK(SK_MAT(&n, 1, 2) == 27.0f);
        CHECK(sk_mat_apply_log(&m) < 0);                 /* -1; m unchanged */
        CHECK(SK_MAT(&m, 0, 1) == 4.0f);
        sk_mat_apply_floor(&m, 1e-20f);
        CHECK_INT(sk_mat_apply_log(&m), 0);
        CHECK(SK_MAT(&m, 0, 0) == 0.0f && SK_MAT(&m, 0, 1) == logf(4.0f));
        sk_mat_apply_exp(&m);
        CHECK_NEAR(SK_MAT(&m, 0, 1), 4.0, 1e-6);
        sk_mat_apply_softmax_rows(&m);
        CHECK_NEAR(SK_MAT(&m, 0, 0) + SK_MAT(&m, 0, 1) + SK_MAT(&m, 0, 2), 1.0, 1e-6);
        CHECK_NEAR(SK_MAT(&m, 1, 2) / SK_MAT(&m, 1, 1), exp(7.0), 1e-2);
        sk_mat big; sk_mat_init(&big); sk_mat_resize(&big, 4, 8);
        sk_mat view = sk_mat_view(&big, 1, 2, 4, 3);
        sk_mat_copy_from(&view, &n);
        CHECK(SK_MAT(&big, 2, 6) == 27.0f && SK_MAT(&big, 0, 0) == 0.0f);
        sk_mat_release(&m); sk_mat_release(&n); sk_mat_release(&big);
    }

    return tap_done();
}
