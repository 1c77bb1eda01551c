/* kio.c — Kaldi's encoding of basic types, tokens and integer vectors (spec/io.md §6).
 *
 * Binary integers are a size byte followed by the little-endian value; floats a size byte (4 or
 * 8) and the IEEE value; text values are printed followed by one space. Reads use the unlocked
 * stdio calls: these functions sit in the inner loop of every table reader.
 */
#include "io/kio.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/log.h"

static long pos_of(FILE *f)
{
    long p = ftell(f);
    return p;
}

static inline int is_ws(int c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int sk_skip_ws(FILE *f)
{
    int c;
    while ((c = getc_unlocked(f)) != EOF && is_ws(c))
        ;
    if (c == EOF)
        return -1;
    ungetc(c, f);
    return c;
}

static int put_bytes(FILE *f, const void *p, size_t n)
{
    return fwrite_unlocked(p, 1, n, f) == n ? 0 : SK_EIO;
}

static int get_bytes(FILE *f, void *p, size_t n)
{
    return fread_unlocked(p, 1, n, f) == n ? 0 : SK_EIO;
}

/* How a character is shown in messages: 'x' if printable, else [character N]. */
static const char *show_char(int c, char *buf)
{
    if (c >= 32 && c < 127)
        snprintf(buf, 24, "'%c'", c);
    else
        snprintf(buf, 24, "[character %d]", c == EOF ? -1 : (int)(signed char)c);
    return buf;
}

/* ---- binary header ---- */

int sk_write_binary_header(FILE *f, bool binary)
{
    if (!binary)
        return 0;
    return put_bytes(f, "\0B", 2);
}

int sk_read_binary_header(FILE *f, bool *binary)
{
    int c = getc_unlocked(f);
    if (c != 0) {
        if (c != EOF)
            ungetc(c, f);
        *binary = false;
        return 0;
    }
    int c2 = getc_unlocked(f);
    if (c2 != 'B') {
        char b[24];
        SK_ERROR("Invalid binary header: expected \\0B, got \\0 followed by %s, at file position %ld",
                 show_char(c2, b), pos_of(f));
        return SK_EIO;
    }
    *binary = true;
    return 0;
}

/* ---- tokens ---- */

static bool token_ok(const char *tok)
{
    if (!tok || !*tok)
        return false;
    for (const char *p = tok; *p; p++)
        if (is_ws((unsigned char)*p))
            return false;
    return true;
}

int sk_write_token(FILE *f, bool binary, const char *tok)
{
    (void)binary;
    if (!token_ok(tok)) {
        SK_ERROR("Invalid token (empty or contains whitespace): \"%s\"", tok ? tok : "");
        return SK_EINVAL;
    }
    size_t n = strlen(tok);
    if (put_bytes(f, tok, n) < 0 || putc_unlocked(' ', f) == EOF)
        return SK_EIO;
    return 0;
}

/* Skip whitespace and read a whitespace-delimited word into buf (at most SK_TOKEN_MAX chars).
 * Returns the length, or -1 at EOF before any character, -2 if too long. The delimiter is not
 * consumed. */
static int read_word(FILE *f, char *buf)
{
    int c;
    while ((c = getc_unlocked(f)) != EOF && is_ws(c))
        ;
    if (c == EOF)
        return -1;
    int n = 0;
    while (c != EOF && !is_ws(c)) {
        if (n >= SK_TOKEN_MAX) {
            buf[n] = 0;
            return -2;
        }
        buf[n++] = (char)c;
        c = getc_unlocked(f);
    }
    buf[n] = 0;
    if (c != EOF)
        ungetc(c, f);
    return n;
}

int sk_read_token(FILE *f, bool binary, char *buf)
{
    (void)binary;
    long start = pos_of(f);
    int n = read_word(f, buf);
    if (n == -1) {
        SK_ERROR("ReadToken, failed to read token at file position %ld", start);
        return SK_EIO;
    }
    if (n == -2) {
        SK_ERROR("ReadToken, token longer than %d characters at file position %ld", SK_TOKEN_MAX, start);
        return SK_EIO;
    }
    int c = getc_unlocked(f);
    if (!is_ws(c)) {
        char b[24];
        SK_ERROR("ReadToken, expected space after token, saw instead %s, at file position %ld",
                 show_char(c, b), pos_of(f));
        return SK_EIO;
    }
    return 0;
}

int sk_expect_token(FILE *f, bool binary, const char *tok)
{
    (void)binary;
    char buf[SK_TOKEN_MAX + 1];
    long start = pos_of(f);
    int n = read_word(f, buf);
    if (n < 0) {
        SK_ERROR("Failed to read token [started at file position %ld], expected %s", start, tok);
        return SK_EIO;
    }
    (void)getc_unlocked(f); /* consumed whatever it is, as Kaldi does */
    if (strcmp(buf, tok) == 0)
        return 0;
    if (tok[0] == '<' && strcmp(buf, tok + 1) == 0)
        return 0;
    SK_ERROR("Expected token \"%s\", got instead \"%s\".", tok, buf);
    return SK_EIO;
}

int sk_peek(FILE *f, bool binary)
{
    if (!binary)
        return sk_skip_ws(f);
    int c = getc_unlocked(f);
    if (c == EOF)
        return -1;
    ungetc(c, f);
    return c;
}

int sk_peek_token(FILE *f, bool binary)
{
    int c = sk_peek(f, binary);
    if (c != '<')
        return c;
    (void)getc_unlocked(f);
    int c2 = getc_unlocked(f);
    if (c2 != EOF)
        ungetc(c2, f);
    /* Put the '<' back; glibc can step back inside its buffer. If it cannot, ExpectToken still
     * accepts "X>" for "<X>" (Kaldi has the same tolerance). */
    ungetc('<', f);
    return c2 == EOF ? -1 : c2;
}

/* ---- integers ---- */

/* Parse a decimal integer the way C++ >> does: skip whitespace, optional sign, digits. */
static int read_text_int64(FILE *f, int64_t lo, int64_t hi, int64_t *out)
{
    int c;
    while ((c = getc_unlocked(f)) != EOF && is_ws(c))
        ;
    bool neg = false;
    if (c == '-' || c == '+') {
        neg = c == '-';
        c = getc_unlocked(f);
    }
    if (c == EOF || c < '0' || c > '9') {
        if (c != EOF)
            ungetc(c, f);
        return SK_EIO;
    }
    uint64_t v = 0;
    bool over = false;
    while (c != EOF && c >= '0' && c <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            over = true;
        else
            v = v * 10 + (uint64_t)(c - '0');
        c = getc_unlocked(f);
    }
    if (c != EOF)
        ungetc(c, f);
    if (over)
        return SK_EIO;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1 || -(int64_t)(v - 1) - 1 < lo)
            return SK_EIO;
        *out = v == 0 ? 0 : -(int64_t)(v - 1) - 1;
    } else {
        if (v > (uint64_t)hi)
            return SK_EIO;
        *out = (int64_t)v;
    }
    return 0;
}

static int read_int_binary(FILE *f, int size_byte, void *val, int nbytes)
{
    unsigned char b[9];
    if (get_bytes(f, b, (size_t)nbytes + 1) < 0) {
        SK_ERROR("ReadBasicType: unexpected end of file at file position %ld", pos_of(f));
        return SK_EIO;
    }
    if ((signed char)b[0] != size_byte) {
        SK_ERROR("ReadBasicType: did not get expected integer type, %d vs. %d.  You can change "
                 "this code to successfully read it later, if needed.", (int)(signed char)b[0],
                 size_byte);
        return SK_EIO;
    }
    memcpy(val, b + 1, (size_t)nbytes);
    return 0;
}

/* Binary form of a basic type: its size byte (negative for unsigned), then its n bytes. */
static int put_sized(FILE *f, int size_byte, const void *v, size_t n)
{
    unsigned char b[9];
    b[0] = (unsigned char)size_byte;
    memcpy(b + 1, v, n);
    return put_bytes(f, b, n + 1);
}

/* A text integer in [lo, hi]; what names the type in the error. */
static int read_text_int(FILE *f, int64_t lo, int64_t hi, int64_t *x, const char *what)
{
    if (read_text_int64(f, lo, hi, x) < 0) {
        SK_ERROR("ReadBasicType: failed to read %s at file position %ld", what, pos_of(f));
        return SK_EIO;
    }
    return 0;
}

int sk_write_int32(FILE *f, bool binary, int32_t v)
{
    if (binary)
        return put_sized(f, 4, &v, 4);
    return fprintf(f, "%" PRId32 " ", v) < 0 ? SK_EIO : 0;
}

int sk_read_int32(FILE *f, bool binary, int32_t *v)
{
    if (binary)
        return read_int_binary(f, 4, v, 4);
    int64_t x;
    if (read_text_int(f, INT32_MIN, INT32_MAX, &x, "int32") < 0)
        return SK_EIO;
    *v = (int32_t)x;
    return 0;
}

int sk_write_int64(FILE *f, bool binary, int64_t v)
{
    if (binary)
        return put_sized(f, 8, &v, 8);
    return fprintf(f, "%" PRId64 " ", v) < 0 ? SK_EIO : 0;
}

int sk_read_int64(FILE *f, bool binary, int64_t *v)
{
    if (binary)
        return read_int_binary(f, 8, v, 8);
    return read_text_int(f, INT64_MIN, INT64_MAX, v, "int64");
}

int sk_write_uint16(FILE *f, bool binary, uint16_t v)
{
    if (binary)
        return put_sized(f, -2, &v, 2);
    return fprintf(f, "%u ", (unsigned)v) < 0 ? SK_EIO : 0;
}

int sk_read_uint16(FILE *f, bool binary, uint16_t *v)
{
    if (binary)
        return read_int_binary(f, -2, v, 2);
    int64_t x;
    if (read_text_int(f, 0, UINT16_MAX, &x, "uint16") < 0)
        return SK_EIO;
    *v = (uint16_t)x;
    return 0;
}

/* ---- floating point ---- */

/* Exact powers of ten representable in a double. */
static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* a * 10^(6-e): one correctly rounded operation on exact operands. */
static double scale7(double a, int e)
{
    return 6 - e >= 0 ? a * pow10_exact[6 - e] : a / pow10_exact[e - 6];
}

/* "%.7g" without printf: text archives print millions of numbers. The 7 significant digits
 * are a * 10^(6-e) rounded to an integer; that product has a relative error below 1e-16, so
 * the rounding is exact unless the fraction is within a hair of .5 (a tie, or nearly one), and
 * those cases, like values outside [1e-16, 1e28] and non-finite ones, go to snprintf.
 * Returns the length written. */
static int fmt7(double v, char *buf)
{
    double a = fabs(v);
    if (!(a >= 1e-16 && a < 1e28))
        return a == 0 ? (signbit(v) ? (memcpy(buf, "-0", 3), 2) : (memcpy(buf, "0", 2), 1))
                      : snprintf(buf, 32, "%.7g", v);
    int e = (int)floor(log10(a));
    if (e < -16)
        e = -16;
    if (e > 27)
        e = 27;
    double s = scale7(a, e);
    /* log10 may be off by one near powers of ten: make 1e6 <= s < 1e7 before rounding. */
    if (s >= 1e7 && e < 27)
        s = scale7(a, ++e);
    else if (s < 1e6 && e > -16)
        s = scale7(a, --e);
    double fl = floor(s);
    double frac = s - fl;
    if (fabs(frac - 0.5) < 1e-6 || s >= 1e7 || s < 1e6)
        return snprintf(buf, 32, "%.7g", v);
    long n = (long)fl + (frac > 0.5);
    if (n >= 10000000) {
        n /= 10;
        e++;
    }
    char dig[8];
    for (int i = 6; i >= 0; i--) {
        dig[i] = (char)('0' + n % 10);
        n /= 10;
    }
    int nd = 7;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    char *p = buf;
    if (v < 0)
        *p++ = '-';
    if (e >= -4 && e < 7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                *p++ = i < nd ? dig[i] : '0';
            if (nd > e + 1) {
                *p++ = '.';
                for (int i = e + 1; i < nd; i++)
                    *p++ = dig[i];
            }
        } else {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -e - 1; i++)
                *p++ = '0';
            for (int i = 0; i < nd; i++)
                *p++ = dig[i];
        }
    } else {
        *p++ = dig[0];
        if (nd > 1) {
            *p++ = '.';
            for (int i = 1; i < nd; i++)
                *p++ = dig[i];
        }
        *p++ = 'e';
        int x = e;
        *p++ = x < 0 ? '-' : '+';
        if (x < 0)
            x = -x;
        if (x >= 100)
            *p++ = (char)('0' + x / 100);
        *p++ = (char)('0' + x / 10 % 10);
        *p++ = (char)('0' + x % 10);
    }
    *p = 0;
    return (int)(p - buf);
}

char *sk_fmt_float7(double v, char *buf)
{
    /* C++ ostream with precision 7 (neither fixed nor scientific) prints as "%.7g". */
    fmt7(v, buf);
    return buf;
}

int sk_write_text_float(FILE *f, double v)
{
    char buf[40];
    int n = fmt7(v, buf);
    buf[n++] = ' ';
    return put_bytes(f, buf, (size_t)n);
}

static bool parse_special(const char *s, double *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (!strcasecmp(p, "inf") || !strcasecmp(p, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (!strcasecmp(p, "nan")) {
        *out = neg ? -NAN : NAN;
        return true;
    }
    return false;
}

bool sk_parse_text_float(const char *s, float *out)
{
    double d;
    if (!s || !*s)
        return false;
    if (parse_special(s, &d)) {
        *out = (float)d;
        return true;
    }
    char *end;
    errno = 0;
    float v = strtof(s, &end);
    if (end == s || *end)
        return false;
    if (errno == ERANGE && (isinf(v)))
        return false;
    *out = v;
    return true;
}

bool sk_parse_text_double(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    if (parse_special(s, out))
        return true;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end)
        return false;
    if (errno == ERANGE && isinf(v))
        return false;
    *out = v;
    return true;
}

/* Read the characters of a text number (digits, sign, point, exponent, inf/nan letters) after
 * skipping whitespace; the first other character is left unread. */
static int read_number_word(FILE *f, char *buf, size_t size)
{
    int c;
    while ((c = getc_unlocked(f)) != EOF && is_ws(c))
        ;
    size_t n = 0;
    while (c != EOF && (isdigit(c) || strchr("+-.eEinfatyINFATYx", c))) {
        if (n + 1 >= size)
            return -1;
        buf[n++] = (char)c;
        c = getc_unlocked(f);
    }
    buf[n] = 0;
    if (c != EOF)
        ungetc(c, f);
    return n ? 0 : -1;
}

static int read_real_binary(FILE *f, double *d, float *fl, bool want_float)
{
    int sz = getc_unlocked(f);
    if (sz == 4) {
        float x;
        if (get_bytes(f, &x, 4) < 0)
            goto eof;
        if (want_float) *fl = x; else *d = x;
        return 0;
    }
    if (sz == 8) {
        double x;
        if (get_bytes(f, &x, 8) < 0)
            goto eof;
        if (want_float) *fl = (float)x; else *d = x;
        return 0;
    }
    if (sz == EOF)
        goto eof;
    SK_ERROR("ReadBasicType: expected %s, saw %d, at file position %ld",
             want_float ? "float" : "double", (int)(signed char)sz, pos_of(f));
    return SK_EIO;
eof:
    SK_ERROR("ReadBasicType: unexpected end of file reading %s at file position %ld",
             want_float ? "float" : "double", pos_of(f));
    return SK_EIO;
}

/* A float or double: binary is the size byte then the raw bytes; text is the shortest form. */
static int write_real(FILE *f, bool binary, const void *v, unsigned char size, double text)
{
    if (binary)
        return put_sized(f, size, v, size);
    return sk_write_text_float(f, text);
}

/* Into *fl when fl is given, else into *d. */
static int read_real(FILE *f, bool binary, double *d, float *fl)
{
    bool want_float = fl != NULL;
    if (binary)
        return read_real_binary(f, d, fl, want_float);
    char buf[64];
    if (read_number_word(f, buf, sizeof buf) < 0 ||
        !(want_float ? sk_parse_text_float(buf, fl) : sk_parse_text_double(buf, d))) {
        SK_ERROR("ReadBasicType: failed to read %s at file position %ld",
                 want_float ? "float" : "double", pos_of(f));
        return SK_EIO;
    }
    return 0;
}

int sk_write_float(FILE *f, bool binary, float v) { return write_real(f, binary, &v, 4, v); }
int sk_read_float(FILE *f, bool binary, float *v) { return read_real(f, binary, NULL, v); }
int sk_write_double(FILE *f, bool binary, double v) { return write_real(f, binary, &v, 8, v); }
int sk_read_double(FILE *f, bool binary, double *v) { return read_real(f, binary, v, NULL); }

/* ---- bool ---- */

int sk_write_bool(FILE *f, bool binary, bool v)
{
    if (putc_unlocked(v ? 'T' : 'F', f) == EOF)
        return SK_EIO;
    if (!binary && putc_unlocked(' ', f) == EOF)
        return SK_EIO;
    return 0;
}

int sk_read_bool(FILE *f, bool binary, bool *v)
{
    int c = binary ? getc_unlocked(f) : (sk_skip_ws(f), getc_unlocked(f));
    if (c == 'T' || c == 'F') {
        *v = c == 'T';
        return 0;
    }
    char b[24];
    SK_ERROR("Read failure in ReadBasicType<bool>, file position is %ld, next char is %s",
             pos_of(f), show_char(c, b));
    return SK_EIO;
}

/* ---- integer vectors inside objects (WriteIntegerVector) ---- */

static int write_ivec(FILE *f, bool binary, const int32_t *v, int32_t n, bool pairs)
{
    int32_t nelem = pairs ? 2 * n : n;
    if (binary) {
        unsigned char hdr[5];
        hdr[0] = 4;
        memcpy(hdr + 1, &n, 4);
        if (put_bytes(f, hdr, 5) < 0)
            return SK_EIO;
        if (nelem > 0 && put_bytes(f, v, (size_t)nelem * 4) < 0)
            return SK_EIO;
        return 0;
    }
    if (put_bytes(f, "[ ", 2) < 0)
        return SK_EIO;
    for (int32_t i = 0; i < n; i++) {
        int r = pairs ? fprintf(f, "%" PRId32 ",%" PRId32 " ", v[2 * i], v[2 * i + 1])
                      : fprintf(f, "%" PRId32 " ", v[i]);
        if (r < 0)
            return SK_EIO;
    }
    return put_bytes(f, "]\n", 2);
}

int sk_write_int32_vector(FILE *f, bool binary, const int32_t *v, int32_t n)
{
    return write_ivec(f, binary, v, n, false);
}

int sk_write_int32_pair_vector(FILE *f, bool binary, const int32_t *v, int32_t n)
{
    return write_ivec(f, binary, v, n, true);
}

static int read_ivec(FILE *f, bool binary, int32_t **out, int32_t *nout, bool pairs)
{
    const char *what = pairs ? "ReadIntegerPairVector" : "ReadIntegerVector";
    *out = NULL;
    *nout = 0;
    if (binary) {
        int sz = getc_unlocked(f);
        if (sz != 4) {
            SK_ERROR("%s: expected to see type of size 4, saw instead %d, at file position %ld",
                     what, sz == EOF ? -1 : (int)(signed char)sz, pos_of(f));
            return SK_EIO;
        }
        int32_t n;
        if (get_bytes(f, &n, 4) < 0 || n < 0) {
            SK_ERROR("%s: bad or missing vector size at file position %ld", what, pos_of(f));
            return SK_EIO;
        }
        size_t nelem = (size_t)n * (pairs ? 2 : 1);
        /* A corrupt size must not become a huge allocation: check it against the bytes left
         * in a file, or let the buffer grow with the data on a pipe. */
        int plan = sk_stream_plan(f, nelem * 4, what);
        if (plan < 0)
            return SK_EIO;
        if (plan == 1) {
            if (!(*out = sk_read_bytes(f, nelem * 4, what)))
                return SK_EIO;
            *nout = n;
            return 0;
        }
        int32_t *v = malloc(nelem ? nelem * 4 : 1);
        if (!v) {
            SK_ERROR("%s: cannot allocate %d elements", what, n);
            return SK_EIO;
        }
        if (nelem && get_bytes(f, v, nelem * 4) < 0) {
            free(v);
            SK_ERROR("%s: unexpected end of file at file position %ld", what, pos_of(f));
            return SK_EIO;
        }
        *out = v;
        *nout = n;
        return 0;
    }
    if (sk_skip_ws(f) != '[') {
        SK_ERROR("%s: expected to see [, at file position %ld", what, pos_of(f));
        return SK_EIO;
    }
    (void)getc_unlocked(f);
    size_t cap = 16, nelem = 0;
    int32_t *v = malloc(cap * 4);
    if (!v)
        return SK_EIO;
    for (;;) {
        int c = sk_skip_ws(f);
        if (c == ']') {
            (void)getc_unlocked(f);
            break;
        }
        int64_t x, y = 0;
        if (c < 0 || read_text_int64(f, INT32_MIN, INT32_MAX, &x) < 0)
            goto bad;
        if (pairs) {
            if (getc_unlocked(f) != ',' || read_text_int64(f, INT32_MIN, INT32_MAX, &y) < 0)
                goto bad;
        }
        if (nelem + 2 > cap) {
            cap *= 2;
            int32_t *nv = realloc(v, cap * 4);
            if (!nv)
                goto bad;
            v = nv;
        }
        v[nelem++] = (int32_t)x;
        if (pairs)
            v[nelem++] = (int32_t)y;
    }
    *out = v;
    *nout = (int32_t)(pairs ? nelem / 2 : nelem);
    return 0;
bad:
    free(v);
    SK_ERROR("%s: read failure at file position %ld", what, pos_of(f));
    return SK_EIO;
}

int sk_read_int32_vector(FILE *f, bool binary, int32_t **v, int32_t *n)
{
    return read_ivec(f, binary, v, n, false);
}

int sk_read_int32_pair_vector(FILE *f, bool binary, int32_t **v, int32_t *n)
{
    return read_ivec(f, binary, v, n, true);
}

/* ------------------------------------------- sizes read from a header */

#define BIG_OBJECT ((uint64_t)1 << 24)   /* 16 MB */

int sk_stream_plan(FILE *f, uint64_t need, const char *what)
{
    struct stat st;
    int fd = fileno(f);
    long pos;
    if (need < BIG_OBJECT)   /* small objects: not worth two system calls */
        return 0;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (pos = ftell(f)) < 0)
        return 1;
    if ((uint64_t)st.st_size >= (uint64_t)pos && need <= (uint64_t)st.st_size - (uint64_t)pos)
        return 0;
    SK_ERROR("Failed to read %s from stream: unexpected end of file (%llu bytes needed, "
             "file position %ld of %lld)", what, (unsigned long long)need, pos,
             (long long)st.st_size);
    return SK_EIO;
}

void *sk_read_bytes(FILE *f, size_t n, const char *what)
{
    size_t cap = n < BIG_OBJECT ? n : (size_t)BIG_OBJECT, got = 0;
    char *buf = malloc(cap ? cap : 1);
    while (buf && got < n) {
        if (got == cap) {
            cap = cap > n / 2 ? n : cap * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t k = fread(buf + got, 1, cap - got, f);
        got += k;
        if (k == 0) {
            SK_ERROR("Failed to read %s from stream: unexpected end of file after %zu of %zu "
                     "bytes", what, got, n);
            free(buf);
            return NULL;
        }
    }
    if (!buf)
        SK_ERROR("Cannot allocate memory reading %s (%zu bytes)", what, n);
    return buf;
}
