/* holders.c — table holders for integer vectors, posteriors, scalars and tokens
 * (spec/io.md §7.4-7.9).
 *
 * Binary forms put a size byte before every integer (Kaldi's WriteBasicType), so a vector of n
 * int32 is 5n bytes; they are encoded and decoded through one buffer per object instead of one
 * stdio call per element. Text forms end with "\n": the text readers consume exactly one line.
 */
#include "io/holders.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/kio.h"

static long fpos(FILE *f) { return ftell(f); }

/* ---- line-oriented text parsing ---- */

/* Skip spaces and tabs (and other whitespace except '\n'); return the next char, unread. */
static int skip_blank(FILE *f)
{
    int c;
    while ((c = getc_unlocked(f)) != EOF && c != '\n' &&
           (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'))
        ;
    if (c != EOF)
        ungetc(c, f);
    return c;
}

/* A text object is one line; like getline, a line with no characters at all before end of file
 * is a failure (so "KEY " at the very end of an archive is not an empty object). */
static int expect_line(FILE *f, const char *what)
{
    int c = getc_unlocked(f);
    if (c == EOF) {
        SK_ERROR("Failed to read %s: unexpected end of file at file position %ld", what, ftell(f));
        return SK_EIO;
    }
    ungetc(c, f);
    return 0;
}

static bool is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Read a word (non-whitespace run) on the current line into buf; returns its length, 0 at end
 * of line/file (the '\n' is consumed), -1 if longer than cap-1. */
static int line_word(FILE *f, char *buf, int cap)
{
    int c = skip_blank(f);
    if (c == EOF)
        return 0;
    if (c == '\n') {
        (void)getc_unlocked(f);
        return 0;
    }
    int n = 0;
    while ((c = getc_unlocked(f)) != EOF && !is_ws(c)) {
        if (n >= cap - 1)
            return -1;
        buf[n++] = (char)c;
    }
    if (c != EOF)
        ungetc(c, f);
    buf[n] = 0;
    return n;
}

static bool parse_int32(const char *s, int32_t *out)
{
    char *end;
    if (!*s)
        return false;
    long long v = strtoll(s, &end, 10);
    if (*end || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

/* Append decimal v and a space to p; returns the new end. */
static char *put_int_sp(char *p, int32_t v)
{
    char tmp[12];
    int n = 0;
    uint32_t u = v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    *p++ = ' ';
    return p;
}

static int put(FILE *f, const void *p, size_t n)
{
    return fwrite_unlocked(p, 1, n, f) == n ? 0 : SK_EIO;
}

/* Write n int32 in the binary form "04 xx xx xx xx" each. */
static int write_bin_ints(FILE *f, const int32_t *v, size_t n)
{
    unsigned char buf[5 * 512];
    while (n) {
        size_t k = n < 512 ? n : 512;
        for (size_t i = 0; i < k; i++) {
            buf[5 * i] = 4;
            memcpy(buf + 5 * i + 1, &v[i], 4);
        }
        if (put(f, buf, 5 * k) < 0)
            return SK_EIO;
        v += k;
        n -= k;
    }
    return 0;
}

/* Read n binary int32 into v (allocated by the caller). */
static int read_bin_ints(FILE *f, int32_t *v, size_t n)
{
    unsigned char buf[5 * 512];
    while (n) {
        size_t k = n < 512 ? n : 512;
        if (fread_unlocked(buf, 1, 5 * k, f) != 5 * k) {
            SK_ERROR("Unexpected end of file reading integers at file position %ld", fpos(f));
            return SK_EIO;
        }
        for (size_t i = 0; i < k; i++) {
            if (buf[5 * i] != 4) {
                SK_ERROR("ReadBasicType: did not get expected integer type, %d vs. 4.  You can "
                         "change this code to successfully read it later, if needed.",
                         (int)(signed char)buf[5 * i]);
                return SK_EIO;
            }
            memcpy(&v[i], buf + 5 * i + 1, 4);
        }
        v += k;
        n -= k;
    }
    return 0;
}

/* Write ints as text "a b c " (no newline). */
static int write_text_ints(FILE *f, const int32_t *v, size_t n)
{
    char buf[12 * 256];
    while (n) {
        size_t k = n < 256 ? n : 256;
        char *p = buf;
        for (size_t i = 0; i < k; i++)
            p = put_int_sp(p, v[i]);
        if (put(f, buf, (size_t)(p - buf)) < 0)
            return SK_EIO;
        v += k;
        n -= k;
    }
    return 0;
}

/* ---- int32 vector ---- */

int sk_int32_vec_resize(sk_int32_vec *v, int32_t n)
{
    if (n < 0)
        return SK_EINVAL;
    int32_t *d = realloc(v->data, (size_t)(n ? n : 1) * sizeof *d);
    if (!d)
        return SK_EIO;
    if (n > v->n)
        memset(d + v->n, 0, (size_t)(n - v->n) * sizeof *d);
    v->data = d;
    v->n = n;
    return 0;
}

void sk_int32_vec_release(sk_int32_vec *v)
{
    free(v->data);
    v->data = NULL;
    v->n = 0;
}

static void ivec_init(void *o) { *(sk_int32_vec *)o = (sk_int32_vec){ 0 }; }
static void ivec_release(void *o) { sk_int32_vec_release(o); }

/* Binary size read with growth by chunks, so a corrupt huge count fails at EOF instead of
 * allocating gigabytes up front. */
static int read_bin_int_array(FILE *f, int32_t n, int32_t **out)
{
    int32_t *d = NULL;
    size_t have = 0;
    while (have < (size_t)n) {
        size_t k = (size_t)n - have;
        if (k > (1u << 20))
            k = 1u << 20;
        int32_t *nd = realloc(d, (have + k) * sizeof *d);
        if (!nd) {
            free(d);
            SK_ERROR("Out of memory reading %d integers", n);
            return SK_EIO;
        }
        d = nd;
        if (read_bin_ints(f, d + have, k) < 0) {
            free(d);
            return SK_EIO;
        }
        have += k;
    }
    *out = d;
    return 0;
}

/* Parse one integer at the current position (after blanks): optional sign, digits, then
 * whitespace or end of file must follow. Returns 0, or -1 with the offending word (up to 40
 * characters) in bad. */
static int parse_int_here(FILE *f, int32_t *out, char *bad)
{
    char w[48];
    int n = 0;
    int c = getc_unlocked(f);
    bool neg = false;
    int64_t v = 0;
    bool ok = true;
    if (c == '-' || c == '+') {
        neg = c == '-';
        w[n++] = (char)c;
        c = getc_unlocked(f);
    }
    if (c < '0' || c > '9')
        ok = false;
    while (c >= '0' && c <= '9') {
        if (n < 40)
            w[n++] = (char)c;
        v = v * 10 + (c - '0');
        if (v > (int64_t)INT32_MAX + 1) {
            ok = false;
            v = 0;
        }
        c = getc_unlocked(f);
    }
    if (c != EOF && !is_ws(c))
        ok = false;
    if (!ok) {
        while (c != EOF && !is_ws(c)) {
            if (n < 40)
                w[n++] = (char)c;
            c = getc_unlocked(f);
        }
        w[n] = 0;
        memcpy(bad, w, (size_t)n + 1);
        if (c != EOF)
            ungetc(c, f);
        return -1;
    }
    if (c != EOF)
        ungetc(c, f);
    if (neg)
        v = -v;
    if (v > INT32_MAX) {
        w[n] = 0;
        memcpy(bad, w, (size_t)n + 1);
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

/* Read the text ints of one line into a growing array. */
static int read_line_ints(FILE *f, int32_t **out, int32_t *nout)
{
    size_t cap = 0, n = 0;
    int32_t *d = NULL;
    for (;;) {
        int c = skip_blank(f);
        if (c == EOF)
            break;
        if (c == '\n') {
            (void)getc_unlocked(f);
            break;
        }
        int32_t x;
        char w[48];
        if (parse_int_here(f, &x, w) < 0) {
            SK_ERROR("Failed to read integer vector in text mode: bad integer \"%s\" at file position %ld",
                     w, fpos(f));
            free(d);
            return SK_EIO;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            int32_t *nd = realloc(d, cap * sizeof *nd);
            if (!nd) {
                free(d);
                return SK_EIO;
            }
            d = nd;
        }
        d[n++] = x;
    }
    *out = d;
    *nout = (int32_t)n;
    return 0;
}

static int ivec_read(FILE *f, bool binary, void *o)
{
    sk_int32_vec *v = o;
    if (binary) {
        int32_t n;
        if (sk_read_int32(f, true, &n) < 0)
            return SK_EIO;
        if (n < 0) {
            SK_ERROR("Bad vector size %d at file position %ld", n, fpos(f));
            return SK_EIO;
        }
        if (read_bin_int_array(f, n, &v->data) < 0)
            return SK_EIO;
        v->n = n;
        return 0;
    }
    if (expect_line(f, "integer vector") < 0)
        return SK_EIO;
    return read_line_ints(f, &v->data, &v->n);
}

static int ivec_write(FILE *f, bool binary, const void *o)
{
    const sk_int32_vec *v = o;
    if (binary) {
        if (sk_write_int32(f, true, v->n) < 0)
            return SK_EIO;
        return write_bin_ints(f, v->data, (size_t)v->n);
    }
    if (write_text_ints(f, v->data, (size_t)v->n) < 0)
        return SK_EIO;
    return putc_unlocked('\n', f) == EOF ? SK_EIO : 0;
}

static int ivec_copy(const void *src, void *dst)
{
    const sk_int32_vec *s = src;
    sk_int32_vec *d = dst;
    if (sk_int32_vec_resize(d, s->n) < 0)
        return SK_EIO;
    if (s->n)
        memcpy(d->data, s->data, (size_t)s->n * sizeof *s->data);
    return 0;
}

const sk_holder sk_holder_int32_vec = {
    .name = "int32 vector", .size = sizeof(sk_int32_vec), .init = ivec_init,
    .release = ivec_release, .read = ivec_read, .write = ivec_write, .copy = ivec_copy,
};

/* ---- int32 vector of vectors ---- */

static void vv_init(void *o) { *(sk_int32_vecvec *)o = (sk_int32_vecvec){ 0 }; }
static void vv_release(void *o)
{
    sk_int32_vecvec *v = o;
    for (int32_t i = 0; i < v->n; i++)
        free(v->v[i].data);
    free(v->v);
    v->v = NULL;
    v->n = 0;
}

static int vv_push(sk_int32_vecvec *v, int32_t *cap)
{
    if (v->n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        sk_int32_vec *nv = realloc(v->v, (size_t)*cap * sizeof *nv);
        if (!nv)
            return SK_EIO;
        v->v = nv;
    }
    v->v[v->n++] = (sk_int32_vec){ 0 };
    return 0;
}

static int vv_read(FILE *f, bool binary, void *o)
{
    sk_int32_vecvec *v = o;
    int32_t cap = 0;
    if (binary) {
        int32_t n;
        if (sk_read_int32(f, true, &n) < 0)
            return SK_EIO;
        if (n < 0) {
            SK_ERROR("Bad vector-of-vectors size %d at file position %ld", n, fpos(f));
            return SK_EIO;
        }
        for (int32_t i = 0; i < n; i++) {
            int32_t m;
            if (sk_read_int32(f, true, &m) < 0)
                return SK_EIO;
            if (m < 0) {
                SK_ERROR("Bad inner vector size %d at file position %ld", m, fpos(f));
                return SK_EIO;
            }
            if (vv_push(v, &cap) < 0 || read_bin_int_array(f, m, &v->v[v->n - 1].data) < 0)
                return SK_EIO;
            v->v[v->n - 1].n = m;
        }
        return 0;
    }
    if (expect_line(f, "vector of integer vectors") < 0)
        return SK_EIO;
    bool open = false;   /* an inner vector has been started */
    char w[64];
    int32_t icap = 0;
    for (;;) {
        int len = line_word(f, w, sizeof w);
        if (len == 0)
            break;
        if (!open) {
            if (vv_push(v, &cap) < 0)
                return SK_EIO;
            open = true;
            icap = 0;
        }
        sk_int32_vec *cur = &v->v[v->n - 1];
        if (len == 1 && w[0] == ';') {
            open = false;
            continue;
        }
        int32_t x;
        if (len < 0 || !parse_int32(w, &x)) {
            SK_ERROR("Failed to read vector of integer vectors in text mode: bad token \"%s\" at "
                     "file position %ld", len < 0 ? "(too long)" : w, fpos(f));
            return SK_EIO;
        }
        if (cur->n == icap) {
            icap = icap ? icap * 2 : 8;
            int32_t *nd = realloc(cur->data, (size_t)icap * sizeof *nd);
            if (!nd)
                return SK_EIO;
            cur->data = nd;
        }
        cur->data[cur->n++] = x;
    }
    if (open) {
        SK_ERROR("Failed to read vector of integer vectors in text mode: missing final ';' at "
                 "file position %ld", fpos(f));
        return SK_EIO;
    }
    return 0;
}

static int vv_write(FILE *f, bool binary, const void *o)
{
    const sk_int32_vecvec *v = o;
    if (binary) {
        if (sk_write_int32(f, true, v->n) < 0)
            return SK_EIO;
        for (int32_t i = 0; i < v->n; i++)
            if (sk_write_int32(f, true, v->v[i].n) < 0 ||
                write_bin_ints(f, v->v[i].data, (size_t)v->v[i].n) < 0)
                return SK_EIO;
        return 0;
    }
    for (int32_t i = 0; i < v->n; i++)
        if (write_text_ints(f, v->v[i].data, (size_t)v->v[i].n) < 0 || put(f, "; ", 2) < 0)
            return SK_EIO;
    return putc_unlocked('\n', f) == EOF ? SK_EIO : 0;
}

const sk_holder sk_holder_int32_vecvec = {
    .name = "int32 vector of vectors", .size = sizeof(sk_int32_vecvec), .init = vv_init,
    .release = vv_release, .read = vv_read, .write = vv_write,
};

/* ---- int32 pair vector ---- */

static void pv_init(void *o) { *(sk_int32_pairvec *)o = (sk_int32_pairvec){ 0 }; }
static void pv_release(void *o)
{
    sk_int32_pairvec *v = o;
    free(v->data);
    v->data = NULL;
    v->n = 0;
}

static int pv_read(FILE *f, bool binary, void *o)
{
    sk_int32_pairvec *v = o;
    if (binary) {
        int32_t n;
        if (sk_read_int32(f, true, &n) < 0)
            return SK_EIO;
        if (n < 0 || n > INT32_MAX / 2) {
            SK_ERROR("Bad pair vector size %d at file position %ld", n, fpos(f));
            return SK_EIO;
        }
        if (read_bin_int_array(f, 2 * n, &v->data) < 0)
            return SK_EIO;
        v->n = n;
        return 0;
    }
    int32_t *d;
    int32_t n;
    if (expect_line(f, "pair vector") < 0)
        return SK_EIO;
    /* "a b ; c d": read the words of the line, then check the shape. */
    size_t cap = 0, cnt = 0;
    d = NULL;
    char w[64];
    int since_sep = 0;
    for (;;) {
        int len = line_word(f, w, sizeof w);
        if (len == 0)
            break;
        if (len == 1 && w[0] == ';') {
            if (since_sep != 2)
                goto bad;
            since_sep = 0;
            continue;
        }
        int32_t x;
        if (len < 0 || !parse_int32(w, &x) || since_sep == 2)
            goto bad;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            int32_t *nd = realloc(d, cap * sizeof *nd);
            if (!nd)
                goto bad;
            d = nd;
        }
        d[cnt++] = x;
        since_sep++;
    }
    if (cnt && since_sep != 2)
        goto bad;
    n = (int32_t)(cnt / 2);
    v->data = d;
    v->n = n;
    return 0;
bad:
    free(d);
    SK_ERROR("Failed to read pair vector in text mode at file position %ld", fpos(f));
    return SK_EIO;
}

static int pv_write(FILE *f, bool binary, const void *o)
{
    const sk_int32_pairvec *v = o;
    if (binary) {
        if (sk_write_int32(f, true, v->n) < 0)
            return SK_EIO;
        return write_bin_ints(f, v->data, 2 * (size_t)v->n);
    }
    for (int32_t i = 0; i < v->n; i++) {
        if (write_text_ints(f, v->data + 2 * i, 2) < 0)
            return SK_EIO;
        if (i + 1 < v->n && put(f, "; ", 2) < 0)
            return SK_EIO;
    }
    return putc_unlocked('\n', f) == EOF ? SK_EIO : 0;
}

const sk_holder sk_holder_int32_pairvec = {
    .name = "int32 pair vector", .size = sizeof(sk_int32_pairvec), .init = pv_init,
    .release = pv_release, .read = pv_read, .write = pv_write,
};

/* ---- Posterior ---- */

int sk_post_resize(sk_post *p, int32_t n)
{
    if (n < 0)
        return SK_EINVAL;
    for (int32_t i = n; i < p->n; i++)
        free(p->frames[i].pairs);
    sk_post_frame *fr = realloc(p->frames, (size_t)(n ? n : 1) * sizeof *fr);
    if (!fr)
        return SK_EIO;
    for (int32_t i = p->n; i < n; i++)
        fr[i] = (sk_post_frame){ 0 };
    p->frames = fr;
    p->n = n;
    return 0;
}

int sk_post_frame_add(sk_post_frame *fr, int32_t id, float weight)
{
    /* capacity: the next power of two >= n */
    int32_t n = fr->n;
    if ((n & (n - 1)) == 0) {
        sk_post_pair *np = realloc(fr->pairs, (size_t)(n ? 2 * n : 1) * sizeof *np);
        if (!np)
            return SK_EIO;
        fr->pairs = np;
    }
    fr->pairs[fr->n++] = (sk_post_pair){ id, weight };
    return 0;
}

void sk_post_release(sk_post *p)
{
    for (int32_t i = 0; i < p->n; i++)
        free(p->frames[i].pairs);
    free(p->frames);
    p->frames = NULL;
    p->n = 0;
}

static void post_init(void *o) { *(sk_post *)o = (sk_post){ 0 }; }
static void post_release(void *o) { sk_post_release(o); }

static int post_read_binary(FILE *f, sk_post *p)
{
    int32_t T;
    if (sk_read_int32(f, true, &T) < 0)
        return SK_EIO;
    if (T < 0 || T > 10000000) {
        SK_ERROR("Reading posterior: bad number of frames %d at file position %ld", T, fpos(f));
        return SK_EIO;
    }
    if (sk_post_resize(p, T) < 0)
        return SK_EIO;
    for (int32_t t = 0; t < T; t++) {
        int32_t n;
        if (sk_read_int32(f, true, &n) < 0)
            return SK_EIO;
        if (n < 0) {
            SK_ERROR("Reading posterior: bad number of pairs %d at file position %ld", n, fpos(f));
            return SK_EIO;
        }
        sk_post_frame *fr = &p->frames[t];
        for (int32_t i = 0; i < n; i++) {
            unsigned char b[5];
            int32_t id;
            float w;
            /* fast path: "04 id" "04 float"; a double weight ("08") goes through kio */
            if (fread_unlocked(b, 1, 5, f) != 5 || b[0] != 4) {
                SK_ERROR("Reading posterior: bad id at file position %ld", fpos(f));
                return SK_EIO;
            }
            memcpy(&id, b + 1, 4);
            if (sk_read_float(f, true, &w) < 0)
                return SK_EIO;
            if (sk_post_frame_add(fr, id, w) < 0)
                return SK_EIO;
        }
    }
    return 0;
}

static int post_read_text(FILE *f, sk_post *p)
{
    char w[128];
    int32_t cap = 0;
    if (expect_line(f, "posterior") < 0)
        return SK_EIO;
    for (;;) {
        int len = line_word(f, w, sizeof w);
        if (len == 0)
            return 0;
        if (len != 1 || w[0] != '[') {
            int32_t x;
            if (len > 0 && parse_int32(w, &x))
                SK_ERROR("Reading posterior in text mode: expected '[', got \"%s\" at file position "
                         "%ld (did you provide alignments instead of posteriors?)", w, fpos(f));
            else
                SK_ERROR("Reading posterior in text mode: expected '[', got \"%s\" at file position %ld",
                         len < 0 ? "(too long)" : w, fpos(f));
            return SK_EIO;
        }
        if (p->n == cap) {
            cap = cap ? cap * 2 : 64;
            sk_post_frame *nf = realloc(p->frames, (size_t)cap * sizeof *nf);
            if (!nf)
                return SK_EIO;
            p->frames = nf;
        }
        sk_post_frame *fr = &p->frames[p->n++];
        *fr = (sk_post_frame){ 0 };
        for (;;) {
            len = line_word(f, w, sizeof w);
            if (len == 1 && w[0] == ']')
                break;
            int32_t id;
            float wt;
            if (len <= 0 || !parse_int32(w, &id))
                goto bad;
            len = line_word(f, w, sizeof w);
            if (len <= 0 || !sk_parse_text_float(w, &wt))
                goto bad;
            if (sk_post_frame_add(fr, id, wt) < 0)
                return SK_EIO;
        }
    }
bad:
    SK_ERROR("Reading posterior in text mode: bad (id, weight) pair near \"%s\" at file position %ld",
             w, fpos(f));
    return SK_EIO;
}

static int post_read(FILE *f, bool binary, void *o)
{
    return binary ? post_read_binary(f, o) : post_read_text(f, o);
}

static int post_write(FILE *f, bool binary, const void *o)
{
    const sk_post *p = o;
    if (binary) {
        if (sk_write_int32(f, true, p->n) < 0)
            return SK_EIO;
        for (int32_t t = 0; t < p->n; t++) {
            const sk_post_frame *fr = &p->frames[t];
            if (sk_write_int32(f, true, fr->n) < 0)
                return SK_EIO;
            for (int32_t i = 0; i < fr->n; i++) {
                unsigned char b[10];
                b[0] = 4;
                memcpy(b + 1, &fr->pairs[i].id, 4);
                b[5] = 4;
                memcpy(b + 6, &fr->pairs[i].weight, 4);
                if (put(f, b, 10) < 0)
                    return SK_EIO;
            }
        }
        return 0;
    }
    for (int32_t t = 0; t < p->n; t++) {
        const sk_post_frame *fr = &p->frames[t];
        if (put(f, "[ ", 2) < 0)
            return SK_EIO;
        for (int32_t i = 0; i < fr->n; i++) {
            char b[16], *e = put_int_sp(b, fr->pairs[i].id);
            if (put(f, b, (size_t)(e - b)) < 0 || sk_write_text_float(f, fr->pairs[i].weight) < 0)
                return SK_EIO;
        }
        if (put(f, "] ", 2) < 0)
            return SK_EIO;
    }
    return putc_unlocked('\n', f) == EOF ? SK_EIO : 0;
}

static int post_copy(const void *src, void *dst)
{
    const sk_post *s = src;
    sk_post *d = dst;
    if (sk_post_resize(d, s->n) < 0)
        return SK_EIO;
    for (int32_t t = 0; t < s->n; t++) {
        d->frames[t].n = 0;
        for (int32_t i = 0; i < s->frames[t].n; i++)
            if (sk_post_frame_add(&d->frames[t], s->frames[t].pairs[i].id, s->frames[t].pairs[i].weight) < 0)
                return SK_EIO;
    }
    return 0;
}

const sk_holder sk_holder_post = {
    .name = "posterior", .size = sizeof(sk_post), .init = post_init, .release = post_release,
    .read = post_read, .write = post_write, .copy = post_copy,
};

/* ---- scalars (BasicHolder) ---- */

/* Text: whitespace other than newline, the value, whitespace other than newline, newline. */
static int scalar_text_pre(FILE *f)
{
    int c = skip_blank(f);
    if (c == '\n') {
        SK_ERROR("Found newline but expected basic type.");
        return SK_EIO;
    }
    return 0;
}

static int scalar_text_post(FILE *f)
{
    int c = skip_blank(f);
    if (c != '\n') {
        SK_WARN("BasicHolder::Read, expected newline, got %s%c%s, position %ld", c == EOF ? "EOF" : "'",
                c == EOF ? ' ' : c, c == EOF ? "" : "'", fpos(f));
        return SK_EIO;
    }
    (void)getc_unlocked(f);
    return 0;
}

#define SCALAR_HOLDER(NAME, TYPE, RD, WR, DESC)                                       \
    static void NAME##_init(void *o) { *(TYPE *)o = 0; }                               \
    static void NAME##_release(void *o) { (void)o; }                                   \
    static int NAME##_read(FILE *f, bool binary, void *o)                              \
    {                                                                                  \
        if (binary)                                                                    \
            return RD(f, true, (TYPE *)o);                                             \
        if (scalar_text_pre(f) < 0 || RD(f, false, (TYPE *)o) < 0)                     \
            return SK_EIO;                                                             \
        return scalar_text_post(f);                                                    \
    }                                                                                  \
    static int NAME##_write(FILE *f, bool binary, const void *o)                       \
    {                                                                                  \
        if (WR(f, binary, *(const TYPE *)o) < 0)                                       \
            return SK_EIO;                                                             \
        return (!binary && putc_unlocked('\n', f) == EOF) ? SK_EIO : 0;                \
    }                                                                                  \
    static int NAME##_copy(const void *s, void *d)                                     \
    {                                                                                  \
        *(TYPE *)d = *(const TYPE *)s;                                                 \
        return 0;                                                                      \
    }                                                                                  \
    const sk_holder sk_holder_##NAME = {                                               \
        .name = DESC, .size = sizeof(TYPE), .init = NAME##_init,                       \
        .release = NAME##_release, .read = NAME##_read, .write = NAME##_write,         \
        .copy = NAME##_copy,                                                           \
    };

SCALAR_HOLDER(int32, int32_t, sk_read_int32, sk_write_int32, "int32")
SCALAR_HOLDER(float, float, sk_read_float, sk_write_float, "float")
SCALAR_HOLDER(double, double, sk_read_double, sk_write_double, "double")
SCALAR_HOLDER(bool, bool, sk_read_bool, sk_write_bool, "bool")

/* ---- tokens ---- */

static void tok_init(void *o) { ((sk_token *)o)->s = NULL; }
static void tok_release(void *o)
{
    free(((sk_token *)o)->s);
    ((sk_token *)o)->s = NULL;
}

static bool valid_token(const char *s)
{
    if (!s || !*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (is_ws(*p))
            return false;
    return true;
}

static int tok_read(FILE *f, bool binary, void *o)
{
    (void)binary;
    char buf[SK_TOKEN_MAX + 1];
    int c = skip_blank(f);
    if (c == EOF || c == '\n') {
        SK_WARN("TokenHolder::Read, expected a token, got %s, position %ld",
                c == EOF ? "end of file" : "newline", fpos(f));
        return SK_EIO;
    }
    int len = line_word(f, buf, sizeof buf);
    if (len <= 0) {
        SK_WARN("TokenHolder::Read, token too long at position %ld", fpos(f));
        return SK_EIO;
    }
    c = skip_blank(f);
    if (c != '\n' && c != EOF) {
        SK_WARN("TokenHolder::Read, expected newline, got char '%c', at stream pos %ld", c, fpos(f));
        return SK_EIO;
    }
    (void)getc_unlocked(f);
    ((sk_token *)o)->s = strdup(buf);
    return ((sk_token *)o)->s ? 0 : SK_EIO;
}

static int tok_write(FILE *f, bool binary, const void *o)
{
    (void)binary;
    const char *s = ((const sk_token *)o)->s;
    if (!valid_token(s)) {
        SK_ERROR("TokenHolder::Write, invalid token \"%s\"", s ? s : "");
        return SK_EINVAL;
    }
    if (put(f, s, strlen(s)) < 0 || putc_unlocked('\n', f) == EOF)
        return SK_EIO;
    return 0;
}

static int tok_copy(const void *src, void *dst)
{
    const char *s = ((const sk_token *)src)->s;
    free(((sk_token *)dst)->s);
    ((sk_token *)dst)->s = s ? strdup(s) : NULL;
    return (!s || ((sk_token *)dst)->s) ? 0 : SK_EIO;
}

const sk_holder sk_holder_token = {
    .name = "token", .size = sizeof(sk_token), .init = tok_init, .release = tok_release,
    .read = tok_read, .write = tok_write, .copy = tok_copy, .is_token = true,
};

void sk_token_vec_release(sk_token_vec *t)
{
    for (int32_t i = 0; i < t->n; i++)
        free(t->s[i]);
    free(t->s);
    t->s = NULL;
    t->n = 0;
}

static void tv_init(void *o) { *(sk_token_vec *)o = (sk_token_vec){ 0 }; }
static void tv_release(void *o) { sk_token_vec_release(o); }

static int tv_read(FILE *f, bool binary, void *o)
{
    (void)binary;
    sk_token_vec *t = o;
    int32_t cap = 0;
    char buf[SK_TOKEN_MAX + 1];
    if (expect_line(f, "token vector") < 0)
        return SK_EIO;
    for (;;) {
        int len = line_word(f, buf, sizeof buf);
        if (len == 0)
            return 0;
        if (len < 0) {
            SK_WARN("TokenVectorHolder::Read, token too long at position %ld", fpos(f));
            return SK_EIO;
        }
        if (t->n == cap) {
            cap = cap ? cap * 2 : 16;
            char **ns = realloc(t->s, (size_t)cap * sizeof *ns);
            if (!ns)
                return SK_EIO;
            t->s = ns;
        }
        if (!(t->s[t->n] = strdup(buf)))
            return SK_EIO;
        t->n++;
    }
}

static int tv_write(FILE *f, bool binary, const void *o)
{
    (void)binary;
    const sk_token_vec *t = o;
    for (int32_t i = 0; i < t->n; i++) {
        if (!valid_token(t->s[i])) {
            SK_ERROR("TokenVectorHolder::Write, invalid token \"%s\"", t->s[i] ? t->s[i] : "");
            return SK_EINVAL;
        }
        if (put(f, t->s[i], strlen(t->s[i])) < 0 || putc_unlocked(' ', f) == EOF)
            return SK_EIO;
    }
    return putc_unlocked('\n', f) == EOF ? SK_EIO : 0;
}

const sk_holder sk_holder_token_vec = {
    .name = "token vector", .size = sizeof(sk_token_vec), .init = tv_init, .release = tv_release,
    .read = tv_read, .write = tv_write, .is_token = true,
};
