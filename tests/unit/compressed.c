/* Unit tests for lib/matrix/compressed.c: the worked examples of io.md 7.3, the corner cases
 * (NaN/Inf, x86 INT_MIN, empty form) and random matrices round-tripped with every method.
 * (Byte-identity with Kaldi on real data is checked in tests/conformance/io.t.) */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "matrix/compressed.h"
#include "tap.h"

static char last_line[1024];
static int n_errors;
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR)
        n_errors++;
    snprintf(last_line, sizeof last_line, "%s", line);
}

static float f_of_bytes(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    uint8_t x[4] = { a, b, c, d };
    float f;
    memcpy(&f, x, 4);
    return f;
}

static void fill(sk_mat *m, int32_t rows, int32_t cols, unsigned seed, double scale, double off)
{
    sk_mat_resize(m, rows, cols);
    srand(seed);
    for (int32_t r = 0; r < rows; r++)
        for (int32_t c = 0; c < cols; c++)
            SK_MAT(m, r, c) = (float)(off + scale * (rand() / (double)RAND_MAX - 0.5));
}

static uint8_t *write_mem(const sk_cmat *c, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (sk_cmat_write(f, true, c) < 0)
        TAP_FAIL("sk_cmat_write failed");
    fclose(f);
    return (uint8_t *)buf;
}

static float fmt_roundtrip(float v)
{
    char b[32];
    snprintf(b, sizeof b, "%.7g", v);
    return strtof(b, NULL);
}

int main(void)
{
    sk_log_set_sink(sink, NULL);

    TEST("io.md 7.3.1 worked example: CM byte 0x7c of column 0 -> 9.587979316711426") {
        sk_cmat c; sk_cmat_init(&c);
        c.format = 1; c.rows = 1; c.cols = 1;
        c.min_value = f_of_bytes(0x69, 0xdc, 0x03, 0x41);
        c.range = f_of_bytes(0xb6, 0x8f, 0x82, 0x41);
        CHECK(c.min_value == 8.241311073303223f && c.range == 16.320171356201172f);
        static const uint8_t payload[9] = { 0x00, 0x00, 0x0e, 0x0b, 0x89, 0x20, 0xa1, 0x26, 0x7c };
        c.data = malloc(9); memcpy(c.data, payload, 9); c.data_len = 9;
        sk_mat m; sk_mat_init(&m);
        CHECK_INT(sk_cmat_decompress(&c, &m), 0);
        CHECK(m.rows == 1 && m.cols == 1 && SK_MAT(&m, 0, 0) == 9.587979316711426f);
        /* CM2 with the same header: uint16 5408 -> 9.588064 */
        c.format = 2; c.data[0] = 0x20; c.data[1] = 0x15; c.data_len = 2;
        CHECK_INT(sk_cmat_decompress(&c, &m), 0);
        CHECK(fmt_roundtrip(SK_MAT(&m, 0, 0)) == 9.588064f);
        sk_cmat_release(&c); sk_mat_release(&m);
    }

    TEST("io.md 7.3.2 worked example: CM and CM2 codes of element 9.587979") {
        /* a 28-row column whose order statistics s[0], s[7], s[21], s[27] are the spec's */
        sk_mat m; sk_mat_init(&m); sk_mat_resize(&m, 28, 1);
        float lo = 8.241311073303223f, p25 = 8.946065902709961f, p75 = 10.315481185913086f;
        float hi = 8.241311073303223f + 16.320171356201172f;   /* global max gives the range */
        for (int i = 0; i < 28; i++)
            SK_MAT(&m, i, 0) = i < 7 ? lo : i < 21 ? p25 : i < 27 ? p75 : 10.70397f;
        SK_MAT(&m, 0, 0) = 9.587979316711426f;  /* element [0][0] */
        SK_MAT(&m, 8, 0) = lo;                  /* keep 7 values below p25 */
        sk_mat two; sk_mat_init(&two); sk_mat_resize(&two, 28, 2);
        for (int i = 0; i < 28; i++) { SK_MAT(&two, i, 0) = SK_MAT(&m, i, 0); SK_MAT(&two, i, 1) = lo; }
        SK_MAT(&two, 5, 1) = hi;
        sk_cmat c; sk_cmat_init(&c);
        CHECK_INT(sk_cmat_compress(&two, 2, &c), 0);
        CHECK(c.format == 1 && c.min_value == lo && c.range == 16.320171356201172f);
        uint16_t h[4]; memcpy(h, c.data, 8);
        CHECK(h[0] == 0 && h[1] == 2830 && h[2] == 8329);
        CHECK_INT(c.data[16 + 0], 124);
        CHECK_INT(sk_cmat_compress(&two, 3, &c), 0);
        uint16_t u; memcpy(&u, c.data, 2);
        CHECK_INT(u, 5408);
        sk_cmat_release(&c); sk_mat_release(&m); sk_mat_release(&two);
    }

    TEST("method 1 picks CM for > 8 rows, CM2 otherwise; 4/6/7 use fixed headers") {
        sk_mat m; sk_mat_init(&m); sk_cmat c; sk_cmat_init(&c);
        fill(&m, 9, 3, 1, 10, 0);
        CHECK_INT(sk_cmat_compress(&m, 1, &c), 0);
        CHECK_INT(c.format, 1);
        fill(&m, 8, 3, 1, 10, 0);
        CHECK_INT(sk_cmat_compress(&m, 1, &c), 0);
        CHECK_INT(c.format, 2);
        CHECK_INT(sk_cmat_compress(&m, 4, &c), 0);
        CHECK(c.format == 2 && c.min_value == -32768.0f && c.range == 65535.0f);
        CHECK_INT(sk_cmat_compress(&m, 6, &c), 0);
        CHECK(c.format == 3 && c.min_value == 0.0f && c.range == 255.0f);
        CHECK_INT(sk_cmat_compress(&m, 7, &c), 0);
        CHECK(c.format == 3 && c.min_value == 0.0f && c.range == 1.0f);
        n_errors = 0;
        CHECK(sk_cmat_compress(&m, 8, &c) < 0);
        CHECK(sk_cmat_compress(&m, 0, &c) < 0);
        CHECK_INT(n_errors, 2);
        sk_cmat_release(&c); sk_mat_release(&m);
    }

    TEST("integer methods are exact on integers; constant matrix range is 1+|min|") {
        sk_mat m, d; sk_mat_init(&m); sk_mat_init(&d); sk_cmat c; sk_cmat_init(&c);
        sk_mat_resize(&m, 4, 5);
        for (int i = 0; i < 20; i++) SK_MAT(&m, i / 5, i % 5) = (float)(i * 13 % 256);
        CHECK_INT(sk_cmat_compress(&m, 6, &c), 0);
        CHECK_INT(sk_cmat_decompress(&c, &d), 0);
        for (int i = 0; i < 20; i++) CHECK(SK_MAT(&d, i / 5, i % 5) == SK_MAT(&m, i / 5, i % 5));
        for (int i = 0; i < 20; i++) SK_MAT(&m, i / 5, i % 5) = (float)(i * 997 - 9000);
        CHECK_INT(sk_cmat_compress(&m, 4, &c), 0);
        CHECK_INT(sk_cmat_decompress(&c, &d), 0);
        for (int i = 0; i < 20; i++) CHECK(SK_MAT(&d, i / 5, i % 5) == SK_MAT(&m, i / 5, i % 5));
        for (int i = 0; i < 20; i++) SK_MAT(&m, i / 5, i % 5) = -3.5f;
        CHECK_INT(sk_cmat_compress(&m, 5, &c), 0);
        CHECK(c.min_value == -3.5f && c.range == 4.5f);
        CHECK_INT(sk_cmat_decompress(&c, &d), 0);
        CHECK(SK_MAT(&d, 3, 4) == -3.5f);
        sk_cmat_release(&c); sk_mat_release(&m); sk_mat_release(&d);
    }

    TEST("NaN/Inf: error for methods 1,2,3,5; clamp/zero for 4,6,7") {
        sk_mat m, d; sk_mat_init(&m); sk_mat_init(&d); sk_cmat c; sk_cmat_init(&c);
        fill(&m, 10, 2, 2, 1, 0.5);
        SK_MAT(&m, 3, 1) = NAN;
        int methods[4] = { 1, 2, 3, 5 };
        n_errors = 0;
        for (int i = 0; i < 4; i++) CHECK(sk_cmat_compress(&m, methods[i], &c) < 0);
        CHECK_INT(n_errors, 4);
        CHECK(strstr(last_line, "Cannot compress a matrix with Nan's or Inf's") != NULL);
        CHECK_INT(sk_cmat_compress(&m, 7, &c), 0);
        CHECK_INT(c.data[3 * 2 + 1], 0);               /* NaN -> INT_MIN -> 0 */
        SK_MAT(&m, 3, 1) = INFINITY; SK_MAT(&m, 4, 1) = -INFINITY;
        CHECK(sk_cmat_compress(&m, 2, &c) < 0);
        CHECK_INT(sk_cmat_compress(&m, 4, &c), 0);
        uint16_t u; memcpy(&u, c.data + (3 * 2 + 1) * 2, 2);
        CHECK_INT(u, 65535);
        memcpy(&u, c.data + (4 * 2 + 1) * 2, 2);
        CHECK_INT(u, 0);
        sk_cmat_release(&c); sk_mat_release(&m); sk_mat_release(&d);
    }

    TEST("CM corner case: P25 == P75 == P100 near 40000 gives code 192 (NaN -> INT_MIN)") {
        sk_mat m, d; sk_mat_init(&m); sk_mat_init(&d); sk_cmat c; sk_cmat_init(&c);
        sk_mat_resize(&m, 8, 2);
        for (int i = 0; i < 8; i++) { SK_MAT(&m, i, 0) = 40000.0f; SK_MAT(&m, i, 1) = 40000.0f; }
        SK_MAT(&m, 0, 0) = 39999.99609375f;      /* global min */
        SK_MAT(&m, 0, 1) = 40000.00390625f;      /* global max: range 0.0078125 */
        CHECK_INT(sk_cmat_compress(&m, 2, &c), 0);
        CHECK(c.range == 0.0078125f);
        uint16_t h[4]; memcpy(h, c.data, 8);
        CHECK(h[0] == 0 && h[1] == 32767 && h[2] == 32768 && h[3] == 32769);
        const uint8_t *col0 = c.data + 16;
        CHECK_INT(col0[0], 0);
        for (int i = 1; i < 8; i++) CHECK_INT(col0[i], 192);
        CHECK_INT(sk_cmat_decompress(&c, &d), 0);
        CHECK(SK_MAT(&d, 5, 0) == 40000.0f);
        sk_cmat_release(&c); sk_mat_release(&m); sk_mat_release(&d);
    }

    TEST("empty matrix: 'CM ' + 20 bytes, read back empty and fully consumed") {
        sk_mat m; sk_mat_init(&m); sk_cmat c, r; sk_cmat_init(&c); sk_cmat_init(&r);
        CHECK_INT(sk_cmat_compress(&m, 2, &c), 0);
        CHECK_INT(c.format, 0);
        size_t len; uint8_t *b = write_mem(&c, &len);
        static const uint8_t want[23] = { 'C', 'M', ' ', 1 };
        CHECK(len == 23 && memcmp(b, want, 23) == 0);
        FILE *f = fmemopen(b, len, "r");
        CHECK_INT(sk_cmat_read(f, true, &r), 0);
        CHECK(r.format == 0 && r.rows == 0 && fgetc(f) == EOF);
        fclose(f);
        f = fmemopen(b, len, "r");
        fill(&m, 2, 2, 1, 1, 0);
        CHECK_INT(sk_mat_read(f, true, &m), 0);
        CHECK(m.rows == 0 && m.cols == 0);
        fclose(f);
        free(b); sk_cmat_release(&c); sk_cmat_release(&r); sk_mat_release(&m);
    }

    TEST("random matrices, methods 2-7: error bounds, byte-identical rewrite, blocks") {
        static const int32_t shapes[][2] = { { 1, 1 }, { 2, 3 }, { 3, 7 }, { 4, 2 }, { 5, 5 },
                                             { 9, 13 }, { 100, 40 }, { 300, 3 } };
        sk_mat m, d, blk; sk_mat_init(&m); sk_mat_init(&d); sk_mat_init(&blk);
        sk_cmat c, r; sk_cmat_init(&c); sk_cmat_init(&r);
        unsigned seed = 100;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int method = 2; method <= 7; method++) {
                bool fixed = method == 4 || method == 6 || method == 7;
                double scale = method == 4 ? 60000 : method == 6 ? 250 : method == 7 ? 1 : 40;
                double off = method == 6 ? 127 : method == 7 ? 0.5 : -3;
                fill(&m, shapes[s][0], shapes[s][1], seed++, scale, off);
                CHECK_INT(sk_cmat_compress(&m, method, &c), 0);
                CHECK_INT(sk_cmat_decompress(&c, &d), 0);
                double step = method == 2 ? c.range / 64.0
                            : c.format == 2 ? c.range / 65535.0 : c.range / 255.0;
                double worst = 0;
                for (int32_t i = 0; i < m.rows; i++)
                    for (int32_t j = 0; j < m.cols; j++)
                        worst = fmax(worst, fabs(SK_MAT(&d, i, j) - SK_MAT(&m, i, j)));
                /* CM: half a segment step of the widest column segment is below range/64 */
                if (!(worst <= step * (fixed || method != 2 ? 0.51 : 1.0) + 1e-6 * fabs(off + scale)))
                    TAP_FAIL("shape %dx%d method %d: error %g > step %g", (int)m.rows,
                             (int)m.cols, method, worst, step);
                size_t len; uint8_t *b = write_mem(&c, &len);
                FILE *f = fmemopen(b, len, "r");
                CHECK_INT(sk_cmat_read(f, true, &r), 0);
                fclose(f);
                size_t len2; uint8_t *b2 = write_mem(&r, &len2);
                CHECK(len == len2 && memcmp(b, b2, len) == 0);
                free(b); free(b2);
                int32_t r0 = m.rows / 3, nr = m.rows - r0, c0 = m.cols / 2, nc = m.cols - c0;
                CHECK_INT(sk_cmat_decompress_block(&r, r0, nr, c0, nc, &blk), 0);
                for (int32_t i = 0; i < nr; i++)
                    if (memcmp(SK_ROW(&blk, i), SK_ROW(&d, r0 + i) + c0, (size_t)nc * 4))
                        TAP_FAIL("block row %d differs (method %d)", (int)i, method);
            }
        sk_mat_release(&m); sk_mat_release(&d); sk_mat_release(&blk);
        sk_cmat_release(&c); sk_cmat_release(&r);
    }

    TEST("CM headers do not depend on row order (selection vs full sort), many ties") {
        sk_mat m, p; sk_mat_init(&m); sk_mat_init(&p);
        sk_cmat a, b; sk_cmat_init(&a); sk_cmat_init(&b);
        static const int32_t rows[] = { 5, 6, 7, 8, 9, 17, 28, 64, 65, 300, 1001 };
        for (size_t s = 0; s < sizeof rows / sizeof rows[0]; s++) {
            int32_t n = rows[s];
            sk_mat_resize(&m, n, 4);
            sk_mat_resize(&p, n, 4);
            srand((unsigned)n);
            for (int32_t i = 0; i < n; i++) {
                SK_MAT(&m, i, 0) = (float)(rand() % 1000) * 0.01f;   /* many ties */
                SK_MAT(&m, i, 1) = (float)(rand() % 3);               /* three values */
                SK_MAT(&m, i, 2) = 1.5f;                              /* constant */
                SK_MAT(&m, i, 3) = (float)(rand() / (double)RAND_MAX);
            }
            for (int32_t i = 0; i < n; i++)   /* rows reversed and rotated */
                for (int j = 0; j < 4; j++)
                    SK_MAT(&p, (n - 1 - i + n / 3) % n, j) = SK_MAT(&m, i, j);
            CHECK_INT(sk_cmat_compress(&m, 2, &a), 0);
            CHECK_INT(sk_cmat_compress(&p, 2, &b), 0);
            if (memcmp(a.data, b.data, 32))
                TAP_FAIL("column headers differ for %d rows", (int)n);
            /* and the headers are those of the fully sorted column */
            float *col = malloc((size_t)n * sizeof(float));
            for (int32_t i = 0; i < n; i++) col[i] = SK_MAT(&m, i, 0);
            for (int32_t i = 1; i < n; i++)
                for (int32_t j = i; j > 0 && col[j - 1] > col[j]; j--) {
                    float t = col[j]; col[j] = col[j - 1]; col[j - 1] = t;
                }
            sk_mat q; sk_mat_init(&q); sk_mat_resize(&q, 4, 1);
            int32_t k = n / 4;
            SK_MAT(&q, 0, 0) = col[0]; SK_MAT(&q, 1, 0) = col[k];
            SK_MAT(&q, 2, 0) = col[3 * k]; SK_MAT(&q, 3, 0) = col[n - 1];
            /* the uint16 codes of the four order statistics under a's global header */
            uint16_t h[4]; memcpy(h, a.data, 8);
            float inc = a.range * 1.52590218966964e-05f;
            for (int t = 0; t < 4; t++) {
                float v = SK_MAT(&q, t, 0);
                float f = (v - a.min_value) / a.range;
                int code = (int)((double)(f * 65535.0f) + 0.499);
                (void)inc;
                if (t == 0 && h[0] != (code < 65532 ? code : 65532))
                    TAP_FAIL("p0 %d vs %d (rows %d)", h[0], code, (int)n);
                if (t == 3 && h[3] < code)
                    TAP_FAIL("p100 %d < %d (rows %d)", h[3], code, (int)n);
                if ((t == 1 || t == 2) && h[t] != code && h[t] != h[t - 1] + 1)
                    TAP_FAIL("p%d %d vs %d (rows %d)", t == 1 ? 25 : 75, h[t], code, (int)n);
            }
            sk_mat_release(&q);
            free(col);
        }
        sk_mat_release(&m); sk_mat_release(&p); sk_cmat_release(&a); sk_cmat_release(&b);
    }

    TEST("bad input: unknown token, truncated header, truncated data") {
        sk_mat m; sk_mat_init(&m); sk_cmat c; sk_cmat_init(&c);
        fill(&m, 10, 4, 7, 5, 0);
        sk_cmat_compress(&m, 2, &c);
        size_t len; uint8_t *b = write_mem(&c, &len);
        n_errors = 0;
        FILE *f = fmemopen(b, len - 1, "r");
        CHECK(sk_cmat_read(f, true, &c) < 0);
        fclose(f);
        f = fmemopen(b, 12, "r");
        CHECK(sk_cmat_read(f, true, &c) < 0);
        fclose(f);
        b[1] = 'X';
        f = fmemopen(b, len, "r");
        CHECK(sk_cmat_read(f, true, &c) < 0);
        fclose(f);
        CHECK_INT(n_errors, 3);
        free(b); sk_cmat_release(&c); sk_mat_release(&m);
    }

    return tap_done();
}
