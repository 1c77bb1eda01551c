/* compressed.c — Kaldi's CompressedMatrix (spec/io.md §7.3): bit-exact compression with the
 * seven methods, decompression, and the binary form (CM, CM2, CM3).
 *
 * Every floating-point expression below is written to round exactly where Kaldi's does:
 * float products and sums stay float, the few steps Kaldi does in double are cast explicitly.
 * The build targets x86-64-v2 (no FMA), so nothing is contracted behind our back.
 *
 * Kaldi converts out-of-range floats to int with cvttsd2si, which yields INT_MIN for NaN and
 * for values beyond int32; in C that cast is undefined, so x86_int() spells it out.
 */
#include "matrix/compressed.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/kio.h"

void sk_cmat_init(sk_cmat *c)
{
    memset(c, 0, sizeof *c);
}

void sk_cmat_release(sk_cmat *c)
{
    free(c->data);
    sk_cmat_init(c);
}

int sk_cmat_copy(sk_cmat *dst, const sk_cmat *src)
{
    if (dst == src)
        return 0;
    sk_cmat_release(dst);
    if (src->data_len) {
        dst->data = malloc(src->data_len);
        if (!dst->data) {
            SK_ERROR("Cannot allocate memory to copy a compressed matrix");
            return SK_EIO;
        }
        memcpy(dst->data, src->data, src->data_len);
    }
    dst->format = src->format;
    dst->min_value = src->min_value;
    dst->range = src->range;
    dst->rows = src->rows;
    dst->cols = src->cols;
    dst->data_len = src->data_len;
    return 0;
}

/* (int)d as x86's cvttsd2si computes it: truncation, INT_MIN when there is no valid result. */
static int32_t x86_int(double d)
{
    if (!(d > -2147483649.0 && d < 2147483648.0))   /* also catches NaN */
        return INT32_MIN;
    return (int32_t)d;
}

static size_t payload_len(int format, int32_t rows, int32_t cols)
{
    size_t n = (size_t)rows * (size_t)cols;
    switch (format) {
    case 1: return (size_t)cols * 8 + n;
    case 2: return 2 * n;
    case 3: return n;
    default: return 0;
    }
}

/* --------------------------------------------------------------- decompress */

static inline float u16_to_float(float min, float range, uint16_t u)
{
    return min + ((range * 1.52590218966964e-05f) * (float)u);
}

typedef struct { float p0, p25, p75, p100; } col_pct;

static inline void col_header(const sk_cmat *c, int32_t col, uint16_t h[4])
{
    memcpy(h, c->data + (size_t)col * 8, 8);
}

static inline col_pct col_floats(const sk_cmat *c, const uint16_t h[4])
{
    col_pct p;
    p.p0 = u16_to_float(c->min_value, c->range, h[0]);
    p.p25 = u16_to_float(c->min_value, c->range, h[1]);
    p.p75 = u16_to_float(c->min_value, c->range, h[2]);
    p.p100 = u16_to_float(c->min_value, c->range, h[3]);
    return p;
}

static inline float char_to_float(const col_pct *p, uint8_t v)
{
    if (v <= 64)
        return (float)((double)p->p0 + (double)((p->p25 - p->p0) * (float)v) * (1.0 / 64.0));
    if (v <= 192)
        return (float)((double)p->p25 +
                       (double)((p->p75 - p->p25) * (float)(v - 64)) * (1.0 / 128.0));
    return (float)((double)p->p75 +
                   (double)((p->p100 - p->p75) * (float)(v - 192)) * (1.0 / 63.0));
}

int sk_cmat_decompress_block(const sk_cmat *c, int32_t r0, int32_t nr, int32_t c0, int32_t nc,
                             sk_mat *m)
{
    if (r0 < 0 || nr < 0 || c0 < 0 || nc < 0 || r0 + nr > c->rows || c0 + nc > c->cols)
        SK_BUG("block [%d+%d, %d+%d] outside %d x %d compressed matrix", (int)r0, (int)nr,
               (int)c0, (int)nc, (int)c->rows, (int)c->cols);
    if (sk_mat_resize(m, nr, nc) < 0)
        return SK_EIO;
    if (nr == 0 || nc == 0)
        return 0;
    if (c->format == 1) {
        const uint8_t *bytes = c->data + (size_t)c->cols * 8;
        for (int32_t j = 0; j < nc; j++) {
            uint16_t h[4];
            col_header(c, c0 + j, h);
            col_pct p = col_floats(c, h);
            /* a per-column table is cheaper than the formula once the column is long */
            const uint8_t *col = bytes + (size_t)(c0 + j) * c->rows + r0;
            if (nr > 256) {
                float tab[256];
                for (int v = 0; v < 256; v++)
                    tab[v] = char_to_float(&p, (uint8_t)v);
                for (int32_t i = 0; i < nr; i++)
                    SK_MAT(m, i, j) = tab[col[i]];
            } else {
                for (int32_t i = 0; i < nr; i++)
                    SK_MAT(m, i, j) = char_to_float(&p, col[i]);
            }
        }
    } else if (c->format == 2) {
        float inc = (float)((double)c->range * (1.0 / 65535.0));
        for (int32_t i = 0; i < nr; i++) {
            const uint8_t *src = c->data + ((size_t)(r0 + i) * c->cols + c0) * 2;
            float *dst = SK_ROW(m, i);
            for (int32_t j = 0; j < nc; j++) {
                uint16_t u;
                memcpy(&u, src + 2 * (size_t)j, 2);
                dst[j] = c->min_value + (float)u * inc;
            }
        }
    } else if (c->format == 3) {
        float inc = (float)((double)c->range * (1.0 / 255.0));
        float tab[256];
        for (int v = 0; v < 256; v++)
            tab[v] = c->min_value + (float)v * inc;
        for (int32_t i = 0; i < nr; i++) {
            const uint8_t *src = c->data + (size_t)(r0 + i) * c->cols + c0;
            float *dst = SK_ROW(m, i);
            for (int32_t j = 0; j < nc; j++)
                dst[j] = tab[src[j]];
        }
    } else {
        SK_BUG("compressed matrix with format %d and size %d x %d", c->format, (int)c->rows,
               (int)c->cols);
    }
    return 0;
}

int sk_cmat_decompress(const sk_cmat *c, sk_mat *m)
{
    return sk_cmat_decompress_block(c, 0, c->rows, 0, c->cols, m);
}

/* ----------------------------------------------------------------- compress */

static inline uint16_t float_to_u16(float min, float range, float x)
{
    float f = (x - min) / range;
    if (f < 0.0f)
        f = 0.0f;
    if (f > 1.0f)
        f = 1.0f;
    return (uint16_t)x86_int((double)(f * 65535.0f) + 0.499);
}

static inline uint8_t float_to_u8(float min, float range, float x)
{
    float f = (x - min) / range;
    if (f < 0.0f)
        f = 0.0f;
    if (f > 1.0f)
        f = 1.0f;
    return (uint8_t)x86_int((double)(f * 255.0f) + 0.499);
}

/* One segment of FloatToChar: low + (int)(f * scale + 0.5), clamped to [low, high]. With no
 * valid int (NaN, huge) x86 gives INT_MIN, and low + INT_MIN clamps to low. */
static inline int seg_code(float f, float scale, int low, int high)
{
    int32_t a = x86_int((double)(f * scale) + 0.5);
    if (a == INT32_MIN)
        return low;
    int64_t v = (int64_t)low + a;
    return v < low ? low : v > high ? high : (int)v;
}

static inline uint8_t float_to_char(const col_pct *p, float x)
{
    if (x < p->p25)
        return (uint8_t)seg_code((x - p->p0) / (p->p25 - p->p0), 64.0f, 0, 64);
    if (x < p->p75)
        return (uint8_t)seg_code((x - p->p25) / (p->p75 - p->p25), 128.0f, 64, 192);
    return (uint8_t)seg_code((x - p->p75) / (p->p100 - p->p75), 63.0f, 192, 255);
}

/* Rearranges v[0..n) so that v[k] is the k-th smallest, smaller or equal ones before it and
 * larger or equal ones after (like std::nth_element), and returns it. Quickselect with a
 * median-of-three pivot and a three-way split done by two branch-free passes (columns of
 * decompressed features have many equal values); short ranges by insertion sort. */
static float nth_element(float *v, int32_t n, int32_t k)
{
    int32_t lo = 0, hi = n;   /* the range [lo, hi) still holds position k */
    while (hi - lo > 16) {
        int32_t mid = lo + (hi - lo) / 2;
        float a = v[lo], b = v[mid], c = v[hi - 1];
        float p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int32_t lt = lo;   /* [lo, lt) < p */
        for (int32_t i = lo; i < hi; i++) {
            float x = v[i];
            v[i] = v[lt];
            v[lt] = x;
            lt += x < p;
        }
        if (k < lt) {
            hi = lt;
            continue;
        }
        int32_t eq = lt;   /* [lt, eq) == p */
        for (int32_t i = lt; i < hi; i++) {
            float x = v[i];
            v[i] = v[eq];
            v[eq] = x;
            eq += x == p;
        }
        if (k < eq)
            return p;
        lo = eq;
    }
    for (int32_t i = lo + 1; i < hi; i++) {
        float x = v[i];
        int32_t j = i - 1;
        while (j >= lo && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    return v[k];
}

static float min_of(const float *v, int32_t n)
{
    float m = v[0];
    for (int32_t i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

static float max_of(const float *v, int32_t n)
{
    float m = v[0];
    for (int32_t i = 1; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

static inline uint16_t u16_min(int a, int b) { return (uint16_t)(a < b ? a : b); }
static inline uint16_t u16_max(int a, int b) { return (uint16_t)(a > b ? a : b); }

/* Percentile header of one column (values in col[0..n), reordered). */
static void column_header(float min, float range, float *col, int32_t n, uint16_t h[4])
{
    if (n >= 5) {
        /* exact order statistics s[0], s[q], s[3q], s[n-1] without a full sort */
        int32_t q = n / 4;
        float v0 = min_of(col, n), v100 = max_of(col, n);
        float v75 = nth_element(col, n, 3 * q);
        float v25 = nth_element(col, 3 * q, q);   /* the q-th smallest lies below position 3q */
        h[0] = u16_min(float_to_u16(min, range, v0), 65532);
        h[1] = u16_min(u16_max(float_to_u16(min, range, v25), h[0] + 1), 65533);
        h[2] = u16_min(u16_max(float_to_u16(min, range, v75), h[1] + 1), 65534);
        h[3] = u16_max(float_to_u16(min, range, v100), h[2] + 1);
    } else {
        for (int32_t i = 1; i < n; i++)   /* n <= 4: sort completely */
            for (int32_t j = i; j > 0 && col[j - 1] > col[j]; j--) {
                float t = col[j];
                col[j] = col[j - 1];
                col[j - 1] = t;
            }
        h[0] = u16_min(float_to_u16(min, range, col[0]), 65532);
        h[1] = n > 1 ? u16_min(u16_max(float_to_u16(min, range, col[1]), h[0] + 1), 65533)
                     : (uint16_t)(h[0] + 1);
        h[2] = n > 2 ? u16_min(u16_max(float_to_u16(min, range, col[2]), h[1] + 1), 65534)
                     : (uint16_t)(h[1] + 1);
        h[3] = n > 3 ? u16_max(float_to_u16(min, range, col[3]), h[2] + 1)
                     : (uint16_t)(h[2] + 1);
    }
}

int sk_cmat_compress(const sk_mat *m, int method, sk_cmat *c)
{
    if (method < 1 || method > 7) {
        SK_ERROR("Invalid compression method %d (must be 1..7)", method);
        return SK_EINVAL;
    }
    sk_cmat_release(c);
    if (m->rows == 0 || m->cols == 0)
        return 0;   /* the empty form */
    if (method == 1)
        method = m->rows > 8 ? 2 : 3;
    int format = method == 2 ? 1 : (method == 3 || method == 4) ? 2 : 3;
    float min, range;
    if (method == 2 || method == 3 || method == 5) {
        float lo = SK_MAT(m, 0, 0), hi = lo;
        for (int32_t r = 0; r < m->rows; r++) {
            const float *row = SK_ROW(m, r);
            for (int32_t j = 0; j < m->cols; j++) {
                if (!isfinite(row[j])) {
                    SK_ERROR("Cannot compress a matrix with Nan's or Inf's");
                    return SK_EINVAL;
                }
                if (row[j] < lo)
                    lo = row[j];
                if (row[j] > hi)
                    hi = row[j];
            }
        }
        if (hi == lo)
            hi = (float)(lo + (1.0 + fabs(lo)));
        min = lo;
        range = hi - lo;
    } else if (method == 4) {
        min = -32768.0f;
        range = 65535.0f;
    } else if (method == 6) {
        min = 0.0f;
        range = 255.0f;
    } else {
        min = 0.0f;
        range = 1.0f;
    }
    size_t len = payload_len(format, m->rows, m->cols);
    uint8_t *data = malloc(len);
    if (!data) {
        SK_ERROR("Cannot allocate memory to compress a %d x %d matrix", (int)m->rows,
                 (int)m->cols);
        return SK_EIO;
    }
    c->format = format;
    c->min_value = min;
    c->range = range;
    c->rows = m->rows;
    c->cols = m->cols;
    c->data = data;
    c->data_len = len;
    if (format == 1) {
        float *col = malloc((size_t)m->rows * sizeof(float));
        if (!col) {
            sk_cmat_release(c);
            SK_ERROR("Cannot allocate memory to compress a %d x %d matrix", (int)m->rows,
                     (int)m->cols);
            return SK_EIO;
        }
        uint8_t *bytes = data + (size_t)m->cols * 8;
        for (int32_t j = 0; j < m->cols; j++) {
            for (int32_t i = 0; i < m->rows; i++)
                col[i] = SK_MAT(m, i, j);
            uint16_t h[4];
            column_header(min, range, col, m->rows, h);
            memcpy(data + (size_t)j * 8, h, 8);
            col_pct p = col_floats(c, h);
            uint8_t *out = bytes + (size_t)j * m->rows;
            for (int32_t i = 0; i < m->rows; i++)
                out[i] = float_to_char(&p, SK_MAT(m, i, j));
        }
        free(col);
    } else if (format == 2) {
        for (int32_t i = 0; i < m->rows; i++) {
            const float *row = SK_ROW(m, i);
            uint8_t *out = data + (size_t)i * m->cols * 2;
            for (int32_t j = 0; j < m->cols; j++) {
                uint16_t u = float_to_u16(min, range, row[j]);
                memcpy(out + 2 * (size_t)j, &u, 2);
            }
        }
    } else {
        for (int32_t i = 0; i < m->rows; i++) {
            const float *row = SK_ROW(m, i);
            uint8_t *out = data + (size_t)i * m->cols;
            for (int32_t j = 0; j < m->cols; j++)
                out[j] = float_to_u8(min, range, row[j]);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- read/write */

static const char *format_token(int format)
{
    return format == 2 ? "CM2" : format == 3 ? "CM3" : "CM";
}

int sk_cmat_write(FILE *f, bool binary, const sk_cmat *c)
{
    if (!binary) {
        sk_mat m;
        sk_mat_init(&m);
        int st = c->format ? sk_cmat_decompress(c, &m) : 0;
        if (st == 0)
            st = sk_mat_write(f, false, &m);
        sk_mat_release(&m);
        return st;
    }
    if (sk_write_token(f, true, format_token(c->format)) < 0)
        return SK_EIO;
    if (c->format == 0) {
        /* Kaldi writes a whole 20-byte header here (format field included); see io.md 7.3 */
        static const uint8_t empty[20] = { 1 };
        return fwrite(empty, 1, sizeof empty, f) == sizeof empty ? 0 : SK_EIO;
    }
    uint8_t hdr[16];
    memcpy(hdr, &c->min_value, 4);
    memcpy(hdr + 4, &c->range, 4);
    memcpy(hdr + 8, &c->rows, 4);
    memcpy(hdr + 12, &c->cols, 4);
    if (fwrite(hdr, 1, 16, f) != 16)
        return SK_EIO;
    return fwrite(c->data, 1, c->data_len, f) == c->data_len ? 0 : SK_EIO;
}

int sk_cmat_read(FILE *f, bool binary, sk_cmat *c)
{
    sk_cmat_release(c);
    if (!binary) {
        /* text has no compressed form: read a matrix and compress it (method 1, as Kaldi) */
        sk_mat m;
        sk_mat_init(&m);
        int st = sk_mat_read(f, false, &m);
        if (st == 0)
            st = sk_cmat_compress(&m, 1, c);
        sk_mat_release(&m);
        return st;
    }
    char tok[SK_TOKEN_MAX + 1];
    if (sk_read_token(f, true, tok) < 0) {
        SK_ERROR("Failed to read compressed matrix: could not read token (position %ld)",
                 ftell(f));
        return SK_EIO;
    }
    int format = !strcmp(tok, "CM") ? 1 : !strcmp(tok, "CM2") ? 2 : !strcmp(tok, "CM3") ? 3 : 0;
    if (!format) {
        SK_ERROR("Failed to read compressed matrix: expected token CM, CM2 or CM3, got '%s' "
                 "(position %ld)", tok, ftell(f));
        return SK_EIO;
    }
    uint8_t hdr[16];
    if (fread(hdr, 1, 16, f) != 16) {
        SK_ERROR("Failed to read compressed matrix header: unexpected end of file");
        return SK_EIO;
    }
    int32_t rows, cols;
    memcpy(&c->min_value, hdr, 4);
    memcpy(&c->range, hdr + 4, 4);
    memcpy(&rows, hdr + 8, 4);
    memcpy(&cols, hdr + 12, 4);
    if (cols == 0 || rows == 0) {
        /* The empty form: Kaldi wrote 20 bytes and reads 16; the last 4 are zeros. Consume
         * them when present so the next key is intact (Kaldi would leave them). */
        uint8_t rest[4];
        size_t n = fread(rest, 1, 4, f);
        if (n != 0 && (n != 4 || rest[0] || rest[1] || rest[2] || rest[3])) {
            SK_ERROR("Failed to read compressed matrix: bad empty-matrix header");
            return SK_EIO;
        }
        sk_cmat_init(c);
        return 0;
    }
    if (rows < 0 || cols < 0 || (int64_t)rows * cols > ((int64_t)1 << 40)) {
        SK_ERROR("Failed to read compressed matrix: bad size %d x %d", (int)rows, (int)cols);
        return SK_EIO;
    }
    size_t len = payload_len(format, rows, cols);
    int plan = sk_stream_plan(f, len, "compressed matrix");
    if (plan < 0)
        return SK_EIO;
    uint8_t *data = plan == 1 ? sk_read_bytes(f, len, "compressed matrix") : malloc(len);
    if (!data) {
        if (plan == 0)
            SK_ERROR("Cannot allocate memory for a %d x %d compressed matrix", (int)rows,
                     (int)cols);
        return SK_EIO;
    }
    if (plan == 0 && fread(data, 1, len, f) != len) {
        free(data);
        SK_ERROR("Failed to read compressed matrix data (%d x %d): unexpected end of file",
                 (int)rows, (int)cols);
        return SK_EIO;
    }
    c->format = format;
    c->rows = rows;
    c->cols = cols;
    c->data = data;
    c->data_len = len;
    return 0;
}
