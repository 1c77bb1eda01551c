/* Unit tests for lib/io/kio: Kaldi's binary and text encoding of basic types and tokens. */
#include "base/log.h"
#include "io/kio.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char last_err[8192];
static int n_err;
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR) {
        snprintf(last_err, sizeof last_err, "%s", line);
        n_err++;
    }
}

/* A memory stream for writing; call done() to get the bytes. */
static char *mbuf;
static size_t mlen;
static FILE *wopen(void) { free(mbuf); mbuf = NULL; mlen = 0; return open_memstream(&mbuf, &mlen); }
static FILE *ropen(const void *p, size_t n) { return fmemopen((void *)p, n, "r"); }

static bool bytes_are(FILE *f, const char *exp, size_t n)
{
    fclose(f);
    if (mlen != n || memcmp(mbuf, exp, n)) {
        printf("# got %zu bytes:", mlen);
        for (size_t i = 0; i < mlen; i++)
            printf(" %02x", (unsigned char)mbuf[i]);
        printf("\n");
        return false;
    }
    return true;
}

static const char *fmt(double v)
{
    static char b[40];
    return sk_fmt_float7(v, b);
}

int main(void)
{
    sk_log_init("kio-test");
    sk_log_set_sink(sink, NULL);

    TEST("int32 binary encoding (size byte + LE)") {
        FILE *f = wopen();
        sk_write_int32(f, true, 5);
        sk_write_int32(f, true, -1);
        CHECK(bytes_are(f, "\x04\x05\0\0\0\x04\xff\xff\xff\xff", 10));
        f = ropen(mbuf, mlen);
        int32_t a = 0, b = 0;
        CHECK_INT(sk_read_int32(f, true, &a), 0);
        CHECK_INT(sk_read_int32(f, true, &b), 0);
        CHECK_INT(a, 5);
        CHECK_INT(b, -1);
        fclose(f);
    }
    TEST("int32 text encoding and parse") {
        FILE *f = wopen();
        sk_write_int32(f, false, -42);
        sk_write_int32(f, false, 7);
        CHECK(bytes_are(f, "-42 7 ", 6));
        f = ropen("  \n -2147483648\t2147483647 ", 27);
        int32_t a, b;
        CHECK_INT(sk_read_int32(f, false, &a), 0);
        CHECK_INT(sk_read_int32(f, false, &b), 0);
        CHECK_INT(a, INT32_MIN);
        CHECK_INT(b, INT32_MAX);
        fclose(f);
        f = ropen(" 2147483648 ", 12);
        n_err = 0;
        CHECK(sk_read_int32(f, false, &a) < 0);
        CHECK_INT(n_err, 1);
        fclose(f);
        f = ropen(" x", 2);
        CHECK(sk_read_int32(f, false, &a) < 0);
        fclose(f);
    }
    TEST("wrong integer size byte gives Kaldi's message") {
        FILE *f = ropen("\xfc\x05\0\0\0", 5);
        int32_t a;
        CHECK(sk_read_int32(f, true, &a) < 0);
        CHECK(strstr(last_err, "did not get expected integer type, -4 vs. 4.  You can change") != NULL);
        fclose(f);
        f = ropen("\x04\x05\0", 3);
        CHECK(sk_read_int32(f, true, &a) < 0);
        fclose(f);
    }
    TEST("uint16 and int64") {
        FILE *f = wopen();
        sk_write_uint16(f, true, 0x1234);
        sk_write_int64(f, true, -2);
        CHECK(bytes_are(f, "\xfe\x34\x12\x08\xfe\xff\xff\xff\xff\xff\xff\xff", 12));
        f = ropen(mbuf, mlen);
        uint16_t u;
        int64_t l;
        CHECK_INT(sk_read_uint16(f, true, &u), 0);
        CHECK_INT(sk_read_int64(f, true, &l), 0);
        CHECK_INT(u, 0x1234);
        CHECK_INT(l, -2);
        fclose(f);
    }
    TEST("float binary: 1.0 is 04 00 00 80 3F; double stored accepted") {
        FILE *f = wopen();
        sk_write_float(f, true, 1.0f);
        CHECK(bytes_are(f, "\x04\0\0\x80\x3f", 5));
        FILE *g = wopen();
        sk_write_double(g, true, 0.1);
        fclose(g);
        g = ropen(mbuf, mlen);
        float x;
        CHECK_INT(sk_read_float(g, true, &x), 0);
        CHECK(x == 0.1f);
        fclose(g);
        g = ropen("\x04\0\0\x80\x3f", 5);
        double d;
        CHECK_INT(sk_read_double(g, true, &d), 0);
        CHECK(d == 1.0);
        fclose(g);
        g = ropen("\x05\0\0\x80\x3f", 5);
        CHECK(sk_read_float(g, true, &x) < 0);
        CHECK(strstr(last_err, "ReadBasicType: expected float, saw 5, at file position") != NULL);
        fclose(g);
    }
    TEST("%.7g formatting as C++ precision 7") {
        CHECK_STR(fmt(9.587979316711426), "9.587979");
        CHECK_STR(fmt(549.6720581054688), "549.6721");
        CHECK_STR(fmt(1e-5), "1e-05");
        CHECK_STR(fmt(12345678.0), "1.234568e+07");
        CHECK_STR(fmt(1234567.0), "1234567");
        CHECK_STR(fmt(0.0001), "0.0001");
        CHECK_STR(fmt(-0.0), "-0");
        CHECK_STR(fmt(INFINITY), "inf");
        CHECK_STR(fmt(-INFINITY), "-inf");
        CHECK_STR(fmt(0.1f), "0.1");
        CHECK_STR(fmt(100), "100");
    }
    TEST("fast %.7g agrees with printf on 300k floats and doubles (ties, boundaries, exponents)") {
        char a[64], b[64];
        long bad = 0;
        uint32_t x = 2463534242u;
        for (int i = 0; i < 300000; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            float f;
            memcpy(&f, &x, 4);
            double d = i % 3 == 0 ? (double)f : i % 3 == 1 ? (double)(x % 20000001) / 8.0
                                                          : (double)(int32_t)x * 1e-9;
            sk_fmt_float7(d, a);
            snprintf(b, sizeof b, "%.7g", d);
            if (strcmp(a, b) && bad++ < 5)
                TAP_FAIL("%a: %s vs printf %s", d, a, b);
        }
        const double edge[] = { 9999999.5, 9999999.4999, 999999.95, 0.00010000005, 1e-16, 1e28,
                                9.9999995e-5, 123456.75, 0.5, 2.5e-7, 1e22, 1e-17, 5e-324 };
        for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
            for (int sg = -1; sg <= 1; sg += 2) {
                sk_fmt_float7(sg * edge[i], a);
                snprintf(b, sizeof b, "%.7g", sg * edge[i]);
                if (strcmp(a, b))
                    TAP_FAIL("%a: %s vs printf %s", sg * edge[i], a, b);
            }
        }
        CHECK_STR(fmt(NAN), "nan");
    }
    TEST("float/double text round trip and words") {
        FILE *f = wopen();
        sk_write_float(f, false, 0.5f);
        sk_write_double(f, false, -3.25);
        CHECK(bytes_are(f, "0.5 -3.25 ", 10));
        f = ropen(" 0.5 -3.25 1e-3\ninf -NaN 1.5]", 29);
        float a;
        double b, c, d, e;
        CHECK_INT(sk_read_float(f, false, &a), 0);
        CHECK_INT(sk_read_double(f, false, &b), 0);
        CHECK_INT(sk_read_double(f, false, &c), 0);
        CHECK_INT(sk_read_double(f, false, &d), 0);
        CHECK_INT(sk_read_double(f, false, &e), 0);
        CHECK(a == 0.5f && b == -3.25 && c == 1e-3 && isinf(d) && isnan(e));
        CHECK_INT(sk_read_float(f, false, &a), 0);
        CHECK(a == 1.5f);
        CHECK_INT(getc(f), ']');
        CHECK(sk_read_float(f, false, &a) < 0);
        fclose(f);
        float x;
        CHECK(sk_parse_text_float("1e39", &x) == false);
        CHECK(sk_parse_text_float("Infinity", &x) && isinf(x));
        CHECK(!sk_parse_text_float("1.5x", &x));
    }
    TEST("bool encoding") {
        FILE *f = wopen();
        sk_write_bool(f, true, true);
        sk_write_bool(f, false, false);
        CHECK(bytes_are(f, "TF ", 3));
        f = ropen("T  F", 4);
        bool a, b;
        CHECK_INT(sk_read_bool(f, true, &a), 0);
        CHECK_INT(sk_read_bool(f, false, &b), 0);
        CHECK(a && !b);
        CHECK(sk_read_bool(f, false, &a) < 0);
        fclose(f);
    }
    TEST("tokens: write, read, expect, peek") {
        FILE *f = wopen();
        sk_write_token(f, true, "<Nnet>");
        CHECK(bytes_are(f, "<Nnet> ", 7));
        f = wopen();
        n_err = 0;
        CHECK(sk_write_token(f, false, "a b") < 0);
        CHECK(sk_write_token(f, false, "") < 0);
        CHECK_INT(n_err, 2);
        fclose(f);
        const char *s = "  <Nnet> <AffineTransform> 3\nFM\tNnet> <X>";
        f = ropen(s, strlen(s));
        char buf[SK_TOKEN_MAX + 1];
        CHECK_INT(sk_peek_token(f, false), 'N');
        CHECK_INT(sk_read_token(f, false, buf), 0);
        CHECK_STR(buf, "<Nnet>");
        CHECK_INT(sk_peek_token(f, false), 'A');
        CHECK_INT(sk_expect_token(f, false, "<AffineTransform>"), 0);
        int32_t n;
        CHECK_INT(sk_read_int32(f, false, &n), 0);
        CHECK_INT(n, 3);
        CHECK_INT(sk_peek(f, false), 'F');
        CHECK_INT(sk_expect_token(f, false, "FM"), 0);
        CHECK_INT(sk_expect_token(f, false, "<Nnet>"), 0);  /* "Nnet>" accepted */
        CHECK(sk_read_token(f, false, buf) < 0);           /* "<X>" followed by EOF */
        CHECK(strstr(last_err, "expected space after token, saw instead [character -1]") != NULL);
        fclose(f);
        f = ropen("Nnet <B>", 8);
        CHECK(sk_expect_token(f, false, "<Nnet>") < 0);
        CHECK(strstr(last_err, "Expected token \"<Nnet>\", got instead \"Nnet\".") != NULL);
        CHECK(sk_expect_token(f, false, "<B>") == 0);
        CHECK(sk_expect_token(f, false, "<C>") < 0);
        CHECK(strstr(last_err, "Failed to read token") != NULL);
        CHECK_INT(sk_peek(f, true), -1);
        fclose(f);
    }
    TEST("binary header") {
        FILE *f = ropen("\0BFM", 4);
        bool b = false;
        CHECK_INT(sk_read_binary_header(f, &b), 0);
        CHECK(b);
        CHECK_INT(getc(f), 'F');
        fclose(f);
        f = ropen(" [", 2);
        CHECK_INT(sk_read_binary_header(f, &b), 0);
        CHECK(!b);
        CHECK_INT(getc(f), ' ');
        fclose(f);
        f = ropen("\0C", 2);
        CHECK(sk_read_binary_header(f, &b) < 0);
        fclose(f);
        f = wopen();
        sk_write_binary_header(f, true);
        sk_write_binary_header(f, false);
        CHECK(bytes_are(f, "\0B", 2));
    }
    TEST("integer vectors (WriteIntegerVector)") {
        int32_t v[2] = { 1, 2 };
        FILE *f = wopen();
        sk_write_int32_vector(f, true, v, 2);
        CHECK(bytes_are(f, "\x04\x02\0\0\0\x01\0\0\0\x02\0\0\0", 13));
        f = ropen(mbuf, mlen);
        int32_t *r, n;
        CHECK_INT(sk_read_int32_vector(f, true, &r, &n), 0);
        CHECK(n == 2 && r[0] == 1 && r[1] == 2);
        free(r);
        fclose(f);
        f = wopen();
        sk_write_int32_vector(f, false, v, 2);
        sk_write_int32_vector(f, false, v, 0);
        CHECK(bytes_are(f, "[ 1 2 ]\n[ ]\n", 12));
        f = ropen(mbuf, mlen);
        CHECK_INT(sk_read_int32_vector(f, false, &r, &n), 0);
        CHECK(n == 2 && r[0] == 1 && r[1] == 2);
        free(r);
        CHECK_INT(sk_read_int32_vector(f, false, &r, &n), 0);
        CHECK_INT(n, 0);
        free(r);
        fclose(f);
        f = ropen("[ 1 x ]", 7);
        CHECK(sk_read_int32_vector(f, false, &r, &n) < 0);
        fclose(f);
        f = ropen("\x04\x05\0\0\0\x01\0\0\0", 9);
        CHECK(sk_read_int32_vector(f, true, &r, &n) < 0);
        fclose(f);        /* A corrupt size (2^31-1 pairs = 16 GB) is refused in a regular file, and read as
         * the bytes come on a stream, which ends first. */
        static const char huge[] = "\x04\xff\xff\xff\x7f\x01\0\0\0";
        f = tmpfile();
        fwrite(huge, 1, 9, f);
        rewind(f);
        CHECK(sk_read_int32_pair_vector(f, true, &r, &n) < 0);
        fclose(f);
        f = ropen(huge, 9);
        CHECK(sk_read_int32_pair_vector(f, true, &r, &n) < 0);
        fclose(f);
    }
    TEST("integer pair vectors") {
        int32_t v[4] = { 1, 2, 3, 4 };
        FILE *f = wopen();
        sk_write_int32_pair_vector(f, false, v, 2);
        CHECK(bytes_are(f, "[ 1,2 3,4 ]\n", 12));
        f = ropen(mbuf, mlen);
        int32_t *r, n;
        CHECK_INT(sk_read_int32_pair_vector(f, false, &r, &n), 0);
        CHECK(n == 2 && r[0] == 1 && r[1] == 2 && r[2] == 3 && r[3] == 4);
        free(r);
        fclose(f);
        f = wopen();
        sk_write_int32_pair_vector(f, true, v, 2);
        fclose(f);
        CHECK_INT(mlen, 5 + 16);
        f = ropen(mbuf, mlen);
        CHECK_INT(sk_read_int32_pair_vector(f, true, &r, &n), 0);
        CHECK(n == 2 && r[3] == 4);
        free(r);
        fclose(f);
    }
    free(mbuf);
    return tap_done();
}
