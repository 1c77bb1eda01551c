/* matrix.c — float/double matrices and vectors: storage, Kaldi binary/text formats
 * (spec/io.md §7.1-7.2), ranges (§4.2) and the cblas wrappers.
 *
 * Storage: rows are padded to a multiple of 64 bytes so every row starts aligned; the whole
 * block is 64-byte aligned and zeroed. The binary writers/readers move whole rows with
 * fread/fwrite (the hot path of copy-feats); the tokens and the int32 sizes go through kio.
 */
#include "matrix/matrix.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/kio.h"
#include "matrix/compressed.h"

/* ------------------------------------------------------------------ storage */

/* 64-byte aligned block, zeroed unless `zero` is false (readers fill it from the stream: a
 * corrupt header claiming a huge size then fails at EOF without having touched the pages). */
static void *alloc_block(size_t bytes, bool zero)
{
    if (bytes == 0)
        return NULL;
    size_t rounded = (bytes + 63) & ~(size_t)63;
    if (rounded < bytes)
        return NULL;
    void *p = aligned_alloc(64, rounded);
    if (p && zero)
        memset(p, 0, rounded);
    return p;
}

static int32_t pad_stride(int32_t cols, int32_t per64)
{
    return (int32_t)(((int64_t)cols + per64 - 1) / per64 * per64);
}

/* One body for float and double: T element type, PER64 elements per 64 bytes. */
#define DEFINE_MAT_STORAGE(P, MT, T, PER64)                                               \
    void P##_init(MT *m) { m->data = NULL; m->rows = m->cols = m->stride = 0; m->owned = false; } \
    void P##_release(MT *m)                                                               \
    {                                                                                     \
        if (m->owned)                                                                     \
            free(m->data);                                                                \
        P##_init(m);                                                                      \
    }                                                                                     \
    static int P##_resize_z(MT *m, int32_t rows, int32_t cols, bool zero)                \
    {                                                                                     \
        if (rows < 0 || cols < 0)                                                         \
            SK_BUG("negative size %d x %d", (int)rows, (int)cols);                       \
        if (rows == 0 || cols == 0) {                                                     \
            P##_release(m);                                                               \
            return 0;                                                                     \
        }                                                                                 \
        int32_t stride = pad_stride(cols, PER64);                                         \
        if (m->owned && m->rows == rows && m->cols == cols && m->stride == stride) {      \
            if (zero)                                                                     \
                memset(m->data, 0, (size_t)rows * stride * sizeof(T));                    \
            return 0;                                                                     \
        }                                                                                 \
        T *d = alloc_block((size_t)rows * stride * sizeof(T), zero);                      \
        if (!d) {                                                                         \
            SK_ERROR("Cannot allocate memory for a %d x %d matrix", (int)rows, (int)cols); \
            return SK_EIO;                                                                \
        }                                                                                 \
        P##_release(m);                                                                   \
        m->data = d; m->rows = rows; m->cols = cols; m->stride = stride; m->owned = true; \
        return 0;                                                                         \
    }                                                                                     \
    int P##_resize(MT *m, int32_t rows, int32_t cols) { return P##_resize_z(m, rows, cols, true); } \
    int P##_copy(MT *dst, const MT *src)                                                  \
    {                                                                                     \
        if (dst == src)                                                                   \
            return 0;                                                                     \
        if (P##_resize(dst, src->rows, src->cols) < 0)                                    \
            return SK_EIO;                                                                \
        for (int32_t r = 0; r < src->rows; r++)                                           \
            memcpy(SK_ROW(dst, r), SK_ROW(src, r), (size_t)src->cols * sizeof(T));        \
        return 0;                                                                         \
    }

DEFINE_MAT_STORAGE(sk_mat, sk_mat, float, 16)
DEFINE_MAT_STORAGE(sk_dmat, sk_dmat, double, 8)

int sk_mat_resize_keep(sk_mat *m, int32_t rows, int32_t cols)
{
    sk_mat n;
    sk_mat_init(&n);
    if (sk_mat_resize(&n, rows, cols) < 0)
        return SK_EIO;
    int32_t kr = rows < m->rows ? rows : m->rows, kc = cols < m->cols ? cols : m->cols;
    for (int32_t r = 0; r < kr; r++)
        memcpy(SK_ROW(&n, r), SK_ROW(m, r), (size_t)kc * sizeof(float));
    sk_mat_release(m);
    *m = n;
    return 0;
}

sk_mat sk_mat_view(const sk_mat *m, int32_t r0, int32_t nr, int32_t c0, int32_t nc)
{
    if (r0 < 0 || nr < 0 || c0 < 0 || nc < 0 || r0 + nr > m->rows || c0 + nc > m->cols)
        SK_BUG("view [%d+%d, %d+%d] outside %d x %d matrix", (int)r0, (int)nr, (int)c0,
               (int)nc, (int)m->rows, (int)m->cols);
    sk_mat v = { NULL, 0, 0, 0, false };
    if (nr == 0 || nc == 0)
        return v;
    v.data = m->data + (size_t)r0 * m->stride + c0;
    v.rows = nr;
    v.cols = nc;
    v.stride = m->stride;
    return v;
}

void sk_mat_set_zero(sk_mat *m)
{
    for (int32_t r = 0; r < m->rows; r++)
        memset(SK_ROW(m, r), 0, (size_t)m->cols * sizeof(float));
}

/* dst (prefix P, element DT) := src converted element by element. */
#define DEFINE_MAT_CONVERT(NAME, P, DMT, DT, SMT, ST)                                      \
    int NAME(DMT *dst, const SMT *src)                                                    \
    {                                                                                     \
        if (P##_resize(dst, src->rows, src->cols) < 0)                                    \
            return SK_EIO;                                                                \
        for (int32_t r = 0; r < src->rows; r++) {                                         \
            const ST *s = SK_ROW(src, r);                                                 \
            DT *d = SK_ROW(dst, r);                                                       \
            for (int32_t c = 0; c < src->cols; c++)                                       \
                d[c] = (DT)s[c];                                                          \
        }                                                                                 \
        return 0;                                                                         \
    }

DEFINE_MAT_CONVERT(sk_mat_from_dmat, sk_mat, sk_mat, float, sk_dmat, double)
DEFINE_MAT_CONVERT(sk_dmat_from_mat, sk_dmat, sk_dmat, double, sk_mat, float)

#define DEFINE_VEC_STORAGE(P, VT, T)                                                      \
    void P##_init(VT *v) { v->data = NULL; v->dim = 0; v->owned = false; }                \
    void P##_release(VT *v)                                                               \
    {                                                                                     \
        if (v->owned)                                                                     \
            free(v->data);                                                                \
        P##_init(v);                                                                      \
    }                                                                                     \
    static int P##_resize_z(VT *v, int32_t dim, bool zero)                                \
    {                                                                                     \
        if (dim < 0)                                                                      \
            SK_BUG("negative vector size %d", (int)dim);                                 \
        if (dim == 0) {                                                                   \
            P##_release(v);                                                               \
            return 0;                                                                     \
        }                                                                                 \
        if (v->owned && v->dim == dim) {                                                  \
            if (zero)                                                                     \
                memset(v->data, 0, (size_t)dim * sizeof(T));                              \
            return 0;                                                                     \
        }                                                                                 \
        T *d = alloc_block((size_t)dim * sizeof(T), zero);                                \
        if (!d) {                                                                         \
            SK_ERROR("Cannot allocate memory for a vector of dimension %d", (int)dim);   \
            return SK_EIO;                                                                \
        }                                                                                 \
        P##_release(v);                                                                   \
        v->data = d; v->dim = dim; v->owned = true;                                       \
        return 0;                                                                         \
    }                                                                                     \
    int P##_resize(VT *v, int32_t dim) { return P##_resize_z(v, dim, true); }          \
    int P##_copy(VT *dst, const VT *src)                                                  \
    {                                                                                     \
        if (dst == src)                                                                   \
            return 0;                                                                     \
        if (P##_resize(dst, src->dim) < 0)                                                \
            return SK_EIO;                                                                \
        if (src->dim)                                                                     \
            memcpy(dst->data, src->data, (size_t)src->dim * sizeof(T));                   \
        return 0;                                                                         \
    }

DEFINE_VEC_STORAGE(sk_vec, sk_vec, float)
DEFINE_VEC_STORAGE(sk_dvec, sk_dvec, double)

/* ------------------------------------------------------------ binary format */

/* Read the header token of a matrix/vector in binary mode: it must be `want` ("FM" ...). */
static int expect_type_token(FILE *f, bool binary, const char *want, const char *what)
{
    char tok[SK_TOKEN_MAX + 1];
    if (sk_read_token(f, binary, tok) < 0) {
        SK_ERROR("Failed to read %s from stream: could not read token, expected %s "
                 "(file position %ld)", what, want, ftell(f));
        return SK_EIO;
    }
    if (strcmp(tok, want) != 0) {
        /* positions only on failure: ftell costs a system call per object */
        long now = ftell(f), start = now < 0 ? -1 : now - (long)strlen(tok) - 1;
        SK_ERROR("Failed to read %s from stream.  : Expected token %s, got %s File position "
                 "at start is %ld, currently %ld", what, want, tok, start, now);
        return SK_EIO;
    }
    return 0;
}

static int read_dims(FILE *f, bool binary, int32_t *rows, int32_t *cols, const char *what)
{
    if (sk_read_int32(f, binary, rows) < 0 || sk_read_int32(f, binary, cols) < 0) {
        SK_ERROR("Failed to read %s dimensions from stream", what);
        return SK_EIO;
    }
    if (*rows < 0 || *cols < 0 || (*rows == 0) != (*cols == 0)) {
        SK_ERROR("Failed to read %s from stream: bad dimensions %d x %d", what, (int)*rows,
                 (int)*cols);
        return SK_EIO;
    }
    return 0;
}

static int read_raw(FILE *f, void *dst, size_t n, size_t size, const char *what)
{
    if (n && fread(dst, size, n, f) != n) {
        SK_ERROR("Failed to read %s from stream: unexpected end of file%s", what,
                 ferror(f) ? " (read error)" : "");
        return SK_EIO;
    }
    return 0;
}

static int write_raw(FILE *f, const void *src, size_t n, size_t size)
{
    if (n && fwrite(src, size, n, f) != n)
        return SK_EIO;
    return 0;
}

/* ------------------------------------------------------------- text format */

/* Text reader state shared by matrices and vectors: one number or word at a time. */
typedef enum { TXT_NUM, TXT_CLOSE, TXT_ROWEND, TXT_ERR } txt_item;

/* A number word ends at whitespace, ']' or ';' (C++ >> would stop at the first character
 * that cannot continue a number; for well-formed input the result is the same). */
static bool ends_word(int c)
{
    return c == EOF || isspace(c) || c == ']' || c == ';';
}

/* Reads a number word (first char c already consumed) and converts it. */
static int read_text_number(FILE *f, int c, bool dbl, double *out, const char *what)
{
    char buf[128];
    size_t n = 0;
    buf[n++] = (char)c;
    for (;;) {
        int d = getc_unlocked(f);
        if (ends_word(d)) {
            if (d != EOF)
                ungetc(d, f);
            break;
        }
        if (n + 1 >= sizeof buf) {
            SK_ERROR("Failed to read %s: number too long in text input", what);
            return SK_EIO;
        }
        buf[n++] = (char)d;
    }
    buf[n] = 0;
    /* the common case, a plain decimal number, goes straight to strtof/strtod */
    char *end;
    if (n && (buf[n - 1] >= '0' && buf[n - 1] <= '9') && (dbl || n < 48)) {
        *out = dbl ? strtod(buf, &end) : (double)strtof(buf, &end);
        if (end == buf + n && !isinf(*out))
            return 0;
    }
    if (dbl) {
        if (!sk_parse_text_double(buf, out)) {
            SK_ERROR("Failed to read %s: bad number '%s' in text input", what, buf);
            return SK_EIO;
        }
    } else {
        float v;
        if (!sk_parse_text_float(buf, &v)) {
            SK_ERROR("Failed to read %s: bad number '%s' in text input", what, buf);
            return SK_EIO;
        }
        *out = v;
    }
    if (isinf(*out) && !strpbrk(buf, "iI")) {   /* overflow: C++ >> fails here */
        SK_ERROR("Failed to read %s: number '%s' out of range", what, buf);
        return SK_EIO;
    }
    return 0;
}

/* A non-numeric word inside [ ]: only inf/infinity/nan are accepted (with a warning). */
static int read_text_word(FILE *f, double *out, const char *what)
{
    char buf[64];
    size_t n = 0;
    for (;;) {
        int d = getc_unlocked(f);
        if (ends_word(d)) {
            if (d != EOF)
                ungetc(d, f);
            break;
        }
        if (n + 1 < sizeof buf)
            buf[n++] = (char)d;
    }
    buf[n] = 0;
    if (!strcasecmp(buf, "inf") || !strcasecmp(buf, "infinity")) {
        SK_WARN("Reading infinite value into %s.", what);
        *out = INFINITY;
        return 0;
    }
    if (!strcasecmp(buf, "nan")) {
        SK_WARN("Reading NaN value into %s.", what);
        *out = NAN;
        return 0;
    }
    SK_ERROR("Failed to read %s: expecting numeric data, got '%s'", what, buf);
    return SK_EIO;
}

/* After ']': consume one "\n" or "\r\n". */
static void eat_close_newline(FILE *f)
{
    int c = getc_unlocked(f);
    if (c == '\r')
        c = getc_unlocked(f);
    if (c != '\n' && c != EOF)
        ungetc(c, f);
}

/* Reads the opening "[" or "[]" of a text matrix/vector. Returns 1 for "[]" (empty), 0 for
 * "[" or < 0 on error. */
static int read_text_open(FILE *f, const char *what)
{
    char tok[SK_TOKEN_MAX + 1];
    int c = sk_skip_ws(f);
    if (c == EOF) {
        SK_ERROR("Failed to read %s: unexpected end of file", what);
        return SK_EIO;
    }
    /* read a whitespace-delimited word, but stop after "[" so "[1" style input parses */
    size_t n = 0;
    c = getc_unlocked(f);
    tok[n++] = (char)c;
    if (c == '[') {
        int d = getc_unlocked(f);
        if (d == ']') {
            eat_close_newline(f);
            return 1;
        }
        if (d != EOF)
            ungetc(d, f);
        return 0;
    }
    while (n < SK_TOKEN_MAX && (c = getc_unlocked(f)) != EOF && !isspace(c))
        tok[n++] = (char)c;
    tok[n] = 0;
    SK_ERROR("Failed to read %s: expected \"[\", got \"%s\"", what, tok);
    return SK_EIO;
}

/* Growable buffer of doubles for text reading. */
typedef struct { double *v; size_t n, cap; } dbuf;

static int dbuf_push(dbuf *b, double x)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        double *nv = realloc(b->v, cap * sizeof(double));
        if (!nv) {
            SK_ERROR("Out of memory reading text matrix");
            return SK_EIO;
        }
        b->v = nv;
        b->cap = cap;
    }
    b->v[b->n++] = x;
    return 0;
}

/* Reads a text matrix body into buf; *rows, *cols set. */
static int read_text_matrix(FILE *f, bool dbl, dbuf *buf, int32_t *rows, int32_t *cols,
                            const char *what)
{
    *rows = *cols = 0;
    int open = read_text_open(f, what);
    if (open < 0)
        return SK_EIO;
    if (open == 1)
        return 0;
    size_t row_len = 0;
    int32_t nrows = 0, ncols = -1;
    for (;;) {
        int c = getc_unlocked(f);
        if (c == EOF) {
            SK_ERROR("Failed to read %s: unexpected end of file (no closing ']')", what);
            return SK_EIO;
        }
        if (c == ']' || c == '\n' || c == ';') {
            if (row_len > 0) {
                if (ncols < 0)
                    ncols = (int32_t)row_len;
                else if ((size_t)ncols != row_len) {
                    SK_ERROR("Failed to read %s: Matrix has inconsistent #cols: %zu vs. %d "
                             "(processing row %d)", what, row_len, (int)ncols, (int)nrows);
                    return SK_EIO;
                }
                if (nrows == INT32_MAX) {
                    SK_ERROR("Failed to read %s: too many rows", what);
                    return SK_EIO;
                }
                nrows++;
                row_len = 0;
            }
            if (c == ']') {
                eat_close_newline(f);
                break;
            }
            continue;
        }
        if (isspace(c))
            continue;
        double x;
        if ((c >= '0' && c <= '9') || c == '-') {
            if (read_text_number(f, c, dbl, &x, what) < 0)
                return SK_EIO;
        } else {
            ungetc(c, f);
            if (read_text_word(f, &x, what) < 0)
                return SK_EIO;
        }
        if (dbuf_push(buf, x) < 0)
            return SK_EIO;
        if (++row_len > INT32_MAX) {
            SK_ERROR("Failed to read %s: row too long", what);
            return SK_EIO;
        }
    }
    *rows = nrows;
    *cols = nrows ? ncols : 0;
    return 0;
}

static int read_text_vector(FILE *f, bool dbl, dbuf *buf, const char *what)
{
    int open = read_text_open(f, what);
    if (open < 0)
        return SK_EIO;
    if (open == 1)
        return 0;
    for (;;) {
        int c = getc_unlocked(f);
        if (c == EOF) {
            SK_ERROR("Failed to read %s: unexpected end of file (no closing ']')", what);
            return SK_EIO;
        }
        if (c == ']') {
            eat_close_newline(f);
            return 0;
        }
        if (c == '\n' || c == '\r') {
            SK_ERROR("Failed to read %s: Newline found while reading vector (maybe it's a "
                     "matrix?)", what);
            return SK_EIO;
        }
        if (isspace(c))
            continue;
        double x;
        if ((c >= '0' && c <= '9') || c == '-') {
            if (read_text_number(f, c, dbl, &x, what) < 0)
                return SK_EIO;
            int d = getc_unlocked(f);
            if (d != EOF)
                ungetc(d, f);
            if (d != ']' && !isspace(d)) {
                SK_ERROR("Failed to read %s: expected whitespace after number, got '%c'",
                         what, d == EOF ? '?' : d);
                return SK_EIO;
            }
        } else {
            ungetc(c, f);
            if (read_text_word(f, &x, what) < 0)
                return SK_EIO;
        }
        if (dbuf_push(buf, x) < 0)
            return SK_EIO;
        if (buf->n > INT32_MAX) {
            SK_ERROR("Failed to read %s: too many elements", what);
            return SK_EIO;
        }
    }
}

/* Text writer: "%.7g " per element, formatted into a line buffer (far faster than one stdio
 * call per number). */
#define DEFINE_WRITE_TEXT_VALUES(NAME, T)                                                  \
    static int NAME(FILE *f, const T *v, int32_t n, char *line, size_t cap)                \
    {                                                                                     \
        size_t len = 0;                                                                   \
        for (int32_t i = 0; i < n; i++) {                                                 \
            if (len + 40 > cap) {                                                         \
                if (fwrite(line, 1, len, f) != len)                                       \
                    return SK_EIO;                                                        \
                len = 0;                                                                  \
            }                                                                             \
            len += strlen(sk_fmt_float7((double)v[i], line + len));                       \
            line[len++] = ' ';                                                            \
        }                                                                                 \
        if (len && fwrite(line, 1, len, f) != len)                                        \
            return SK_EIO;                                                                \
        return 0;                                                                         \
    }

DEFINE_WRITE_TEXT_VALUES(write_text_values_d, double)
DEFINE_WRITE_TEXT_VALUES(write_text_values_f, float)

#define LINE_CAP 8192

/* ------------------------------------------------------- matrix read/write */

#define DEFINE_MAT_WRITE(P, MT, T, TOKEN, VALUES)                                          \
    int P##_write(FILE *f, bool binary, const MT *m)                                       \
    {                                                                                     \
        if (binary) {                                                                     \
            if (sk_write_token(f, true, TOKEN) < 0 || sk_write_int32(f, true, m->rows) < 0 || \
                sk_write_int32(f, true, m->cols) < 0)                                     \
                return SK_EIO;                                                            \
            if (m->stride == m->cols)                                                     \
                return write_raw(f, m->data, (size_t)m->rows * m->cols, sizeof(T));       \
            for (int32_t r = 0; r < m->rows; r++)                                         \
                if (write_raw(f, SK_ROW(m, r), (size_t)m->cols, sizeof(T)) < 0)           \
                    return SK_EIO;                                                        \
            return 0;                                                                     \
        }                                                                                 \
        if (m->cols == 0)                                                                 \
            return fputs(" [ ]\n", f) < 0 ? SK_EIO : 0;                                   \
        char line[LINE_CAP];                                                              \
        if (fputs(" [", f) < 0)                                                           \
            return SK_EIO;                                                                \
        for (int32_t r = 0; r < m->rows; r++) {                                           \
            if (fputs("\n  ", f) < 0 ||                                                   \
                VALUES(f, SK_ROW(m, r), m->cols, line, sizeof line) < 0)                  \
                return SK_EIO;                                                            \
        }                                                                                 \
        return fputs("]\n", f) < 0 ? SK_EIO : 0;                                          \
    }

DEFINE_MAT_WRITE(sk_mat, sk_mat, float, "FM", write_text_values_f)
DEFINE_MAT_WRITE(sk_dmat, sk_dmat, double, "DM", write_text_values_d)

/* Binary body of an FM/DM whose token has been read: into a float matrix. */
/* Body of a large object from a stream of unknown size: bytes first, then into place. */
#define READ_VIA_BUFFER(T, P, m, rows, cols, what)                                          \
    do {                                                                                    \
        T *buf_ = sk_read_bytes(f, (size_t)(rows) * (cols) * sizeof(T), what);              \
        if (!buf_)                                                                          \
            return SK_EIO;                                                                  \
        int st_ = P##_resize_z(m, rows, cols, false);                                       \
        for (int32_t r_ = 0; r_ < (rows) && st_ == 0; r_++)                                 \
            memcpy(SK_ROW(m, r_), buf_ + (size_t)r_ * (cols), (size_t)(cols) * sizeof(T));  \
        free(buf_);                                                                         \
        return st_;                                                                         \
    } while (0)

#define DEFINE_READ_BODY(NAME, P, MT, T)                                                   \
    static int NAME(FILE *f, MT *m, const char *what)                                      \
    {                                                                                     \
        int32_t rows, cols;                                                               \
        if (read_dims(f, true, &rows, &cols, what) < 0)                                   \
            return SK_EIO;                                                                \
        int plan = sk_stream_plan(f, (uint64_t)rows * (uint64_t)cols * sizeof(T), what);  \
        if (plan == 1)                                                                    \
            READ_VIA_BUFFER(T, P, m, rows, cols, what);                                   \
        if (plan < 0 || P##_resize_z(m, rows, cols, false) < 0)                           \
            return SK_EIO;                                                                \
        if (m->stride == cols)                                                            \
            return read_raw(f, m->data, (size_t)rows * cols, sizeof(T), what);            \
        for (int32_t r = 0; r < rows; r++)                                                \
            if (read_raw(f, SK_ROW(m, r), (size_t)cols, sizeof(T), what) < 0)             \
                return SK_EIO;                                                            \
        return 0;                                                                         \
    }

DEFINE_READ_BODY(read_fm_body, sk_mat, sk_mat, float)
DEFINE_READ_BODY(read_dm_body, sk_dmat, sk_dmat, double)

/* Reads a compressed matrix (token not consumed) and decompresses it into m. */
static int read_cm_into(FILE *f, sk_mat *m)
{
    sk_cmat c;
    sk_cmat_init(&c);
    int st = sk_cmat_read(f, true, &c);
    if (st == 0)
        st = sk_cmat_decompress(&c, m);
    sk_cmat_release(&c);
    return st;
}

/* A text matrix (numbers parsed as doubles, then stored as T). */
#define DEFINE_READ_TEXT_MAT(NAME, P, MT, T, DBL)                                          \
    static int NAME(FILE *f, MT *m)                                                       \
    {                                                                                     \
        dbuf b = { NULL, 0, 0 };                                                          \
        int32_t rows, cols;                                                               \
        int st = read_text_matrix(f, DBL, &b, &rows, &cols, "matrix");                    \
        if (st == 0)                                                                      \
            st = P##_resize(m, rows, cols);                                               \
        if (st == 0)                                                                      \
            for (int32_t r = 0; r < rows; r++)                                            \
                for (int32_t c = 0; c < cols; c++)                                        \
                    SK_MAT(m, r, c) = (T)b.v[(size_t)r * cols + c];                       \
        free(b.v);                                                                        \
        return st;                                                                        \
    }

DEFINE_READ_TEXT_MAT(read_text_mat, sk_mat, sk_mat, float, false)
DEFINE_READ_TEXT_MAT(read_text_dmat, sk_dmat, sk_dmat, double, true)

int sk_mat_read(FILE *f, bool binary, sk_mat *m)
{
    static const char what[] = "matrix";
    if (binary) {
        int c = sk_peek(f, true);
        if (c == 'C')
            return read_cm_into(f, m);
        if (c == 'D') {
            sk_dmat d;
            sk_dmat_init(&d);
            int st = expect_type_token(f, true, "DM", what);
            if (st == 0)
                st = read_dm_body(f, &d, what);
            if (st == 0)
                st = sk_mat_from_dmat(m, &d);
            sk_dmat_release(&d);
            return st;
        }
        if (expect_type_token(f, true, "FM", what) < 0)
            return SK_EIO;
        return read_fm_body(f, m, what);
    }
    return read_text_mat(f, m);
}

int sk_dmat_read(FILE *f, bool binary, sk_dmat *m)
{
    static const char what[] = "matrix";
    if (binary) {
        int c = sk_peek(f, true);
        if (c == 'C' || c == 'F') {
            sk_mat t;
            sk_mat_init(&t);
            int st = c == 'C' ? read_cm_into(f, &t) : expect_type_token(f, true, "FM", what);
            if (st == 0 && c == 'F')
                st = read_fm_body(f, &t, what);
            if (st == 0)
                st = sk_dmat_from_mat(m, &t);
            sk_mat_release(&t);
            return st;
        }
        if (expect_type_token(f, true, "DM", what) < 0)
            return SK_EIO;
        return read_dm_body(f, m, what);
    }
    return read_text_dmat(f, m);
}

/* ------------------------------------------------------- vector read/write */

#define DEFINE_VEC_WRITE(P, VT, T, TOKEN, VALUES)                                          \
    int P##_write(FILE *f, bool binary, const VT *v)                                       \
    {                                                                                     \
        if (binary) {                                                                     \
            if (sk_write_token(f, true, TOKEN) < 0 || sk_write_int32(f, true, v->dim) < 0) \
                return SK_EIO;                                                            \
            return write_raw(f, v->data, (size_t)v->dim, sizeof(T));                      \
        }                                                                                 \
        char line[LINE_CAP];                                                              \
        if (fputs(" [ ", f) < 0 || VALUES(f, v->data, v->dim, line, sizeof line) < 0)     \
            return SK_EIO;                                                                \
        return fputs("]\n", f) < 0 ? SK_EIO : 0;                                          \
    }

DEFINE_VEC_WRITE(sk_vec, sk_vec, float, "FV", write_text_values_f)
DEFINE_VEC_WRITE(sk_dvec, sk_dvec, double, "DV", write_text_values_d)

/* After the token: the dimension and the raw elements (elem bytes each) of a binary vector,
 * into a malloc'ed buffer (*data, NULL when dim is 0). */
static int read_vec_raw(FILE *f, size_t elem, int32_t *dim, void **data, const char *what)
{
    *data = NULL;
    if (sk_read_int32(f, true, dim) < 0) {
        SK_ERROR("Failed to read %s dimension from stream", what);
        return SK_EIO;
    }
    if (*dim < 0) {
        SK_ERROR("Failed to read %s from stream: bad dimension %d", what, (int)*dim);
        return SK_EIO;
    }
    if (*dim == 0)
        return 0;
    size_t n = (size_t)*dim * elem;
    int plan = sk_stream_plan(f, n, what);
    if (plan < 0)
        return SK_EIO;
    if (plan == 1)
        return (*data = sk_read_bytes(f, n, what)) ? 0 : SK_EIO;
    if (!(*data = malloc(n))) {
        SK_ERROR("Cannot allocate memory reading %s (%zu bytes)", what, n);
        return SK_EIO;
    }
    if (read_raw(f, *data, (size_t)*dim, elem, what) < 0) {
        free(*data);
        *data = NULL;
        return SK_EIO;
    }
    return 0;
}

/* Binary FV/DV (either precision) into float (dbl false) or double elements at *out. */
static int read_vec_binary(FILE *f, bool want_double, void *vec, const char *what)
{
    int c = sk_peek(f, true);
    bool is_double = c == 'D';
    if (expect_type_token(f, true, is_double ? "DV" : "FV", what) < 0)
        return SK_EIO;
    int32_t dim;
    void *raw;
    if (read_vec_raw(f, is_double ? sizeof(double) : sizeof(float), &dim, &raw, what) < 0)
        return SK_EIO;
    int st;
    if (want_double) {
        sk_dvec *v = vec;
        st = sk_dvec_resize_z(v, dim, false);
        for (int32_t i = 0; st == 0 && i < dim; i++)
            v->data[i] = is_double ? ((double *)raw)[i] : ((float *)raw)[i];
    } else {
        sk_vec *v = vec;
        st = sk_vec_resize_z(v, dim, false);
        for (int32_t i = 0; st == 0 && i < dim; i++)
            v->data[i] = is_double ? (float)((double *)raw)[i] : ((float *)raw)[i];
    }
    free(raw);
    return st;
}

#define DEFINE_VEC_READ(P, VT, T, DBL)                                                     \
    int P##_read(FILE *f, bool binary, VT *v)                                              \
    {                                                                                     \
        static const char what[] = "vector";                                              \
        if (binary)                                                                       \
            return read_vec_binary(f, DBL, v, what);                                      \
        dbuf b = { NULL, 0, 0 };                                                          \
        int st = read_text_vector(f, DBL, &b, what);                                      \
        if (st == 0)                                                                      \
            st = P##_resize(v, (int32_t)b.n);                                             \
        for (size_t i = 0; st == 0 && i < b.n; i++)                                       \
            v->data[i] = (T)b.v[i];                                                       \
        free(b.v);                                                                        \
        return st;                                                                        \
    }

DEFINE_VEC_READ(sk_vec, sk_vec, float, false)
DEFINE_VEC_READ(sk_dvec, sk_dvec, double, true)

/* ------------------------------------------------------------------ ranges */

/* Parses "a:b" into two ints; ":" alone means all (returns 1). 0 on success, -1 bad. */
static int parse_pair(const char *s, size_t len, int32_t *a, int32_t *b)
{
    if (len == 1 && s[0] == ':')
        return 1;
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *colon = strchr(buf, ':');
    if (!colon || strchr(colon + 1, ':'))
        return -1;
    *colon = 0;
    return sk_parse_int32(buf, a) && sk_parse_int32(colon + 1, b) ? 0 : -1;
}

/* Shared by matrices (two halves) and vectors (one). Fills r1..c2; returns 0 or < 0. */
int sk_parse_range(const char *range, int32_t rows, int32_t cols, bool is_matrix,
                   int32_t *r1, int32_t *r2, int32_t *c1, int32_t *c2)
{
    const char *comma = strchr(range, ',');
    size_t len0 = comma ? (size_t)(comma - range) : strlen(range);
    bool ok = len0 > 0;
    int p0 = 1, p1 = 1;
    *r1 = 0; *r2 = rows - 1; *c1 = 0; *c2 = cols - 1;
    if (ok)
        p0 = parse_pair(range, len0, r1, r2);
    if (ok && comma) {
        if (!is_matrix || !comma[1] || strchr(comma + 1, ','))
            ok = false;
        else
            p1 = parse_pair(comma + 1, strlen(comma + 1), c1, c2);
    }
    if (!is_matrix && p0 == 1)
        ok = false;   /* a vector range must be i1:i2 */
    if (p0 < 0 || p1 < 0)
        ok = false;
    if (p0 == 1) { *r1 = 0; *r2 = rows - 1; }
    if (p1 == 1) { *c1 = 0; *c2 = cols - 1; }
    const int32_t tol = 3;
    if (ok)
        ok = *r1 >= 0 && *r1 <= *r2 && (int64_t)*r2 < (int64_t)rows + tol && *r1 < rows &&
             (!is_matrix || (*c1 >= 0 && *c1 <= *c2 && *c2 < cols));
    if (!ok) {
        if (is_matrix)
            SK_ERROR("Invalid range specifier: %s for matrix of size %dx%d", range, (int)rows,
                     (int)cols);
        else
            SK_ERROR("Invalid range specifier: %s for vector of size %d", range, (int)rows);
        return SK_EINVAL;
    }
    if (*r2 >= rows) {
        if (is_matrix)
            SK_WARN("Row range %d:%d goes beyond the number of rows of the matrix %d", (int)*r1,
                    (int)*r2, (int)rows);
        else
            SK_WARN("Range %d:%d goes beyond the vector dimension %d", (int)*r1, (int)*r2,
                    (int)rows);
        *r2 = rows - 1;
    }
    return 0;
}

/* The block is copied into a new matrix first, so dst may be src. */
#define DEFINE_MAT_EXTRACT(P, MT, T)                                                       \
    int P##_extract_range(const MT *src, const char *range, MT *dst)                       \
    {                                                                                     \
        int32_t r1, r2, c1, c2;                                                           \
        if (sk_parse_range(range, src->rows, src->cols, true, &r1, &r2, &c1, &c2) < 0)    \
            return SK_EINVAL;                                                             \
        MT t;                                                                             \
        P##_init(&t);                                                                     \
        if (P##_resize(&t, r2 - r1 + 1, c2 - c1 + 1) < 0)                                 \
            return SK_EIO;                                                                \
        for (int32_t r = r1; r <= r2; r++)                                                \
            memcpy(SK_ROW(&t, r - r1), SK_ROW(src, r) + c1, (size_t)(c2 - c1 + 1) * sizeof(T)); \
        P##_release(dst);                                                                 \
        *dst = t;                                                                         \
        return 0;                                                                         \
    }

#define DEFINE_VEC_EXTRACT(P, VT, T)                                                       \
    int P##_extract_range(const VT *src, const char *range, VT *dst)                       \
    {                                                                                     \
        int32_t i1, i2, c1, c2;                                                           \
        if (sk_parse_range(range, src->dim, 1, false, &i1, &i2, &c1, &c2) < 0)            \
            return SK_EINVAL;                                                             \
        VT t;                                                                             \
        P##_init(&t);                                                                     \
        if (P##_resize(&t, i2 - i1 + 1) < 0)                                              \
            return SK_EIO;                                                                \
        memcpy(t.data, src->data + i1, (size_t)(i2 - i1 + 1) * sizeof(T));                \
        P##_release(dst);                                                                 \
        *dst = t;                                                                         \
        return 0;                                                                         \
    }

DEFINE_MAT_EXTRACT(sk_mat, sk_mat, float)
DEFINE_MAT_EXTRACT(sk_dmat, sk_dmat, double)
DEFINE_VEC_EXTRACT(sk_vec, sk_vec, float)
DEFINE_VEC_EXTRACT(sk_dvec, sk_dvec, double)

/* --------------------------------------------------------- element-wise ops */

static void check_same(int32_t r1, int32_t c1, int32_t r2, int32_t c2, const char *op)
{
    if (r1 != r2 || c1 != c2)
        SK_BUG("%s: size mismatch %d x %d vs %d x %d", op, (int)r1, (int)c1, (int)r2, (int)c2);
}

void sk_mat_copy_from(sk_mat *dst, const sk_mat *src)
{
    check_same(dst->rows, dst->cols, src->rows, src->cols, "sk_mat_copy_from");
    for (int32_t r = 0; r < src->rows; r++)
        memmove(SK_ROW(dst, r), SK_ROW(src, r), (size_t)src->cols * sizeof(float));
}

void sk_mat_scale(sk_mat *m, float alpha)
{
    if (alpha == 1.0f)
        return;
    for (int32_t r = 0; r < m->rows; r++) {
        float *row = SK_ROW(m, r);
        for (int32_t c = 0; c < m->cols; c++)
            row[c] *= alpha;
    }
}

void sk_mat_add_mat(sk_mat *dst, float alpha, const sk_mat *src)
{
    check_same(dst->rows, dst->cols, src->rows, src->cols, "sk_mat_add_mat");
    for (int32_t r = 0; r < src->rows; r++) {
        float *d = SK_ROW(dst, r);
        const float *s = SK_ROW(src, r);
        for (int32_t c = 0; c < src->cols; c++)
            d[c] += alpha * s[c];
    }
}

void sk_dmat_add_mat(sk_dmat *dst, double alpha, const sk_dmat *src)
{
    check_same(dst->rows, dst->cols, src->rows, src->cols, "sk_dmat_add_mat");
    for (int32_t r = 0; r < src->rows; r++) {
        double *d = SK_ROW(dst, r);
        const double *s = SK_ROW(src, r);
        for (int32_t c = 0; c < src->cols; c++)
            d[c] += alpha * s[c];
    }
}

void sk_mat_apply_floor(sk_mat *m, float floor_val)
{
    for (int32_t r = 0; r < m->rows; r++) {
        float *row = SK_ROW(m, r);
        for (int32_t c = 0; c < m->cols; c++)
            if (row[c] < floor_val)
                row[c] = floor_val;
    }
}

int sk_mat_apply_log(sk_mat *m)
{
    for (int32_t r = 0; r < m->rows; r++) {   /* check first: leave m unchanged on error */
        const float *row = SK_ROW(m, r);
        for (int32_t c = 0; c < m->cols; c++)
            if (row[c] < 0.0f) {
                SK_ERROR("Trying to take log of a negative number.");
                return SK_EINVAL;
            }
    }
    for (int32_t r = 0; r < m->rows; r++) {
        float *row = SK_ROW(m, r);
        for (int32_t c = 0; c < m->cols; c++)
            row[c] = logf(row[c]);
    }
    return 0;
}

void sk_mat_apply_exp(sk_mat *m)
{
    for (int32_t r = 0; r < m->rows; r++) {
        float *row = SK_ROW(m, r);
        for (int32_t c = 0; c < m->cols; c++)
            row[c] = expf(row[c]);
    }
}

int sk_mat_apply_pow(sk_mat *m, float power)
{
    if (power == 1.0f)
        return 0;
    if (power == 0.5f)   /* check first: leave m unchanged on error */
        for (int32_t r = 0; r < m->rows; r++)
            for (int32_t c = 0; c < m->cols; c++)
                if (!(SK_MAT(m, r, c) >= 0.0f)) {
                    SK_ERROR("Cannot take square root of negative value %g", SK_MAT(m, r, c));
                    return SK_EINVAL;
                }
    for (int32_t r = 0; r < m->rows; r++) {
        float *row = SK_ROW(m, r);
        for (int32_t c = 0; c < m->cols; c++) {
            if (power == 2.0f) {
                row[c] = row[c] * row[c];
            } else if (power == 0.5f) {
                row[c] = sqrtf(row[c]);
            } else {
                row[c] = powf(row[c], power);
                if (row[c] == HUGE_VALF) {
                    SK_ERROR("Could not raise element %d to power %g: returned value = %g",
                             (int)c, power, row[c]);
                    return SK_EINVAL;
                }
            }
        }
    }
    return 0;
}

void sk_mat_apply_softmax_rows(sk_mat *m)
{
    for (int32_t r = 0; r < m->rows; r++) {
        float *row = SK_ROW(m, r);
        float max = row[0], sum = 0.0f;
        for (int32_t c = 1; c < m->cols; c++)
            if (row[c] > max)
                max = row[c];
        for (int32_t c = 0; c < m->cols; c++)
            sum += (row[c] = expf(row[c] - max));
        float inv = (float)(1.0 / sum);
        for (int32_t c = 0; c < m->cols; c++)
            row[c] *= inv;
    }
}
