/* fst.c — reading and writing OpenFst binary VectorFst/ConstFst (standard arc) into one flat
 * form. Byte layouts: spec/hmm-and-decoding.md §3. Everything is little-endian; we read field
 * by field so no struct padding or host alignment matters. */
#include "fst/fst.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define SYMTAB_MAGIC 2125658996

/* A counting reader: we need the byte position for ConstFst alignment and for messages, and
 * the stream may be a pipe (no ftell). */
typedef struct {
    FILE *f;
    const char *name;
    uint64_t pos;
} rd;

static int rd_bytes(rd *r, void *buf, size_t n, const char *what)
{
    size_t got = fread(buf, 1, n, r->f);
    r->pos += got;
    if (got != n) {
        SK_ERROR("FST file '%s' is truncated: reading %s at byte %llu", r->name, what,
                 (unsigned long long)r->pos);
        return SK_EIO;
    }
    return 0;
}

/* Read n bytes into a new buffer that grows as the data arrives, so that a header announcing
 * more than the file holds fails at the end of the data, not with a huge allocation. */
static void *read_grow(rd *r, size_t n, const char *what)
{
    size_t cap = n < (1u << 20) ? n : (1u << 20), got = 0;
    char *buf = malloc(cap > 0 ? cap : 1);
    while (buf && got < n) {
        if (got == cap) {
            cap = cap * 2 < n ? cap * 2 : n;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                SK_ERROR("FST file '%s': out of memory reading %s", r->name, what);
                return NULL;
            }
            buf = nb;
        }
        size_t k = fread(buf + got, 1, cap - got, r->f);
        got += k;
        r->pos += k;
        if (k == 0) {
            free(buf);
            SK_ERROR("FST file '%s' is truncated: reading %s at byte %llu", r->name, what,
                     (unsigned long long)r->pos);
            return NULL;
        }
    }
    return buf;
}

static int rd_i32(rd *r, int32_t *v, const char *what) { return rd_bytes(r, v, 4, what); }
static int rd_i64(rd *r, int64_t *v, const char *what) { return rd_bytes(r, v, 8, what); }

static int rd_string(rd *r, char *buf, size_t cap, const char *what)
{
    int32_t len;
    if (rd_i32(r, &len, what) < 0)
        return SK_EIO;
    if (len < 0 || (size_t)len >= cap) {
        SK_ERROR("FST file '%s': bad %s (length %d) at byte %llu", r->name, what, len,
                 (unsigned long long)r->pos);
        return SK_EIO;
    }
    if (rd_bytes(r, buf, (size_t)len, what) < 0)
        return SK_EIO;
    buf[len] = '\0';
    return 0;
}

static int rd_skip(rd *r, uint64_t n, const char *what)
{
    char buf[4096];
    while (n > 0) {
        size_t k = n > sizeof buf ? sizeof buf : (size_t)n;
        if (rd_bytes(r, buf, k, what) < 0)
            return SK_EIO;
        n -= k;
    }
    return 0;
}

static int skip_symbols(rd *r)
{
    int32_t magic;
    int64_t avail, size;
    if (rd_i32(r, &magic, "symbol table") < 0)
        return SK_EIO;
    if (magic != SYMTAB_MAGIC) {
        SK_ERROR("FST file '%s': bad symbol table magic number at byte %llu", r->name,
                 (unsigned long long)r->pos);
        return SK_EIO;
    }
    int32_t len;
    if (rd_i32(r, &len, "symbol table name") < 0 || len < 0 || rd_skip(r, (uint64_t)len, "symbol table name") < 0)
        return SK_EIO;
    if (rd_i64(r, &avail, "symbol table") < 0 || rd_i64(r, &size, "symbol table") < 0)
        return SK_EIO;
    if (size < 0) {
        SK_ERROR("FST file '%s': bad symbol table size %lld", r->name, (long long)size);
        return SK_EIO;
    }
    for (int64_t i = 0; i < size; i++) {
        if (rd_i32(r, &len, "symbol") < 0)
            return SK_EIO;
        if (len < 0) {
            SK_ERROR("FST file '%s': bad symbol length at byte %llu", r->name, (unsigned long long)r->pos);
            return SK_EIO;
        }
        if (rd_skip(r, (uint64_t)len + 8, "symbol") < 0)
            return SK_EIO;
    }
    return 0;
}

int sk_fst_skip_symbols(FILE *f, const char *name)
{
    rd r = { f, name, 0 };
    return skip_symbols(&r);
}

static int read_header(rd *r, sk_fst_header *h)
{
    int32_t magic;
    int c = getc(r->f);
    if (c == EOF)
        return SK_EOF;
    ungetc(c, r->f);
    if (rd_i32(r, &magic, "header") < 0)
        return SK_EIO;
    if (magic != SK_FST_MAGIC) {
        SK_ERROR("FST file '%s' has bad magic number %d (not an OpenFst binary FST)", r->name, magic);
        return SK_EIO;
    }
    if (rd_string(r, h->fst_type, sizeof h->fst_type, "fst type") < 0 ||
        rd_string(r, h->arc_type, sizeof h->arc_type, "arc type") < 0 ||
        rd_i32(r, &h->version, "header") < 0 || rd_i32(r, &h->flags, "header") < 0 ||
        rd_bytes(r, &h->properties, 8, "header") < 0 || rd_i64(r, &h->start, "header") < 0 ||
        rd_i64(r, &h->num_states, "header") < 0 || rd_i64(r, &h->num_arcs, "header") < 0)
        return SK_EIO;
    if (h->num_states < 0 || h->num_states > INT32_MAX || h->start < -1 ||
        h->start >= h->num_states || h->num_arcs < -1) {
        SK_ERROR("FST file '%s' has a corrupt header (start %lld, %lld states, %lld arcs)", r->name,
                 (long long)h->start, (long long)h->num_states, (long long)h->num_arcs);
        return SK_EIO;
    }
    if ((h->flags & SK_FST_FLAG_ISYMS) && skip_symbols(r) < 0)
        return SK_EIO;
    if ((h->flags & SK_FST_FLAG_OSYMS) && skip_symbols(r) < 0)
        return SK_EIO;
    return 0;
}

int sk_fst_read_header(FILE *f, const char *name, sk_fst_header *h)
{
    rd r = { f, name, 0 };
    return read_header(&r, h);
}

static int wr(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : SK_EIO; }

static int wr_string(FILE *f, const char *s)
{
    int32_t len = (int32_t)strlen(s);
    return wr(f, &len, 4) | wr(f, s, (size_t)len);
}

int sk_fst_write_header(FILE *f, const sk_fst_header *h)
{
    int32_t magic = SK_FST_MAGIC;
    int st = wr(f, &magic, 4) | wr_string(f, h->fst_type) | wr_string(f, h->arc_type) |
             wr(f, &h->version, 4) | wr(f, &h->flags, 4) | wr(f, &h->properties, 8) |
             wr(f, &h->start, 8) | wr(f, &h->num_states, 8) | wr(f, &h->num_arcs, 8);
    if (st) {
        SK_ERROR("write error while writing an FST header");
        return SK_EIO;
    }
    return 0;
}

sk_fst *sk_fst_new(int32_t num_states)
{
    sk_fst *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->start = -1;
    g->num_states = num_states;
    g->final = malloc(sizeof(float) * (size_t)(num_states > 0 ? num_states : 1));
    g->arc_start = calloc((size_t)num_states + 1, sizeof(uint32_t));
    if (!g->final || !g->arc_start) {
        sk_fst_free(g);
        SK_ERROR("out of memory for an FST with %d states", num_states);
        return NULL;
    }
    for (int32_t s = 0; s < num_states; s++)
        g->final[s] = INFINITY;
    return g;
}

void sk_fst_free(sk_fst *g)
{
    if (!g)
        return;
    free(g->final);
    free(g->arc_start);
    free(g->arcs);
    free(g);
}

int sk_fst_set_arcs(sk_fst *g, const int32_t *src, const sk_arc *arcs, int64_t n)
{
    if (n > (int64_t)UINT32_MAX - 1) {
        SK_ERROR("too many arcs (%lld)", (long long)n);
        return SK_EINVAL;
    }
    sk_arc *a = malloc(sizeof *a * (size_t)(n > 0 ? n : 1));
    if (!a) {
        SK_ERROR("out of memory for %lld arcs", (long long)n);
        return SK_EIO;
    }
    memset(g->arc_start, 0, sizeof(uint32_t) * ((size_t)g->num_states + 1));
    for (int64_t i = 0; i < n; i++) {
        if (src[i] < 0 || src[i] >= g->num_states || arcs[i].nextstate < 0 ||
            arcs[i].nextstate >= g->num_states) {
            free(a);
            SK_ERROR("arc %lld has a state out of range", (long long)i);
            return SK_EINVAL;
        }
        g->arc_start[src[i] + 1]++;
    }
    for (int32_t s = 0; s < g->num_states; s++)
        g->arc_start[s + 1] += g->arc_start[s];
    uint32_t *fill = malloc(sizeof(uint32_t) * (size_t)(g->num_states > 0 ? g->num_states : 1));
    if (!fill) {
        free(a);
        return SK_EIO;
    }
    memcpy(fill, g->arc_start, sizeof(uint32_t) * (size_t)g->num_states);
    for (int64_t i = 0; i < n; i++)
        a[fill[src[i]]++] = arcs[i];
    free(fill);
    free(g->arcs);
    g->arcs = a;
    g->num_arcs = n;
    return 0;
}

static int check_arcs(const sk_fst *g, const char *name)
{
    for (int64_t i = 0; i < g->num_arcs; i++) {
        int32_t ns = g->arcs[i].nextstate;
        if (ns < 0 || ns >= g->num_states) {
            SK_ERROR("FST file '%s' is corrupt: arc %lld goes to state %d of %d", name,
                     (long long)i, ns, g->num_states);
            return SK_EIO;
        }
    }
    return 0;
}

static int read_vector_body(rd *r, sk_fst *g, int64_t ns)
{
    size_t cap = 1024, n = 0;
    size_t scap = ns < 4096 ? (size_t)ns + 1 : 4096;
    sk_arc *arcs = malloc(cap * sizeof *arcs);
    float *final = malloc(sizeof(float) * scap);
    uint32_t *start = malloc(sizeof(uint32_t) * scap);
    if (!arcs || !final || !start)
        goto fail;
    for (int64_t s = 0; s < ns; s++) {
        int64_t na;
        if ((size_t)s + 1 >= scap) { /* states grow as they are read */
            scap *= 2;
            float *nf = realloc(final, sizeof(float) * scap);
            if (nf)
                final = nf;
            uint32_t *nst = nf ? realloc(start, sizeof(uint32_t) * scap) : NULL;
            if (!nst)
                goto fail;
            start = nst;
        }
        start[s] = (uint32_t)n;
        if (rd_bytes(r, &final[s], 4, "final weight") < 0 || rd_i64(r, &na, "arc count") < 0)
            goto fail;
        if (na < 0 || n + (uint64_t)na >= UINT32_MAX) {
            SK_ERROR("FST file '%s' is corrupt: state %lld has %lld arcs", r->name, (long long)s,
                     (long long)na);
            goto fail;
        }
        for (int64_t k = 0; k < na; k++, n++) {
            if (n == cap) {
                cap *= 2;
                sk_arc *na_ = realloc(arcs, cap * sizeof *arcs);
                if (!na_)
                    goto fail;
                arcs = na_;
            }
            unsigned char b[16];
            if (rd_bytes(r, b, 16, "arc") < 0)
                goto fail;
            memcpy(&arcs[n].ilabel, b, 4);
            memcpy(&arcs[n].olabel, b + 4, 4);
            memcpy(&arcs[n].weight, b + 8, 4);
            memcpy(&arcs[n].nextstate, b + 12, 4);
        }
    }
    start[ns] = (uint32_t)n;
    free(g->final);
    free(g->arc_start);
    g->final = final;
    g->arc_start = start;
    g->num_states = (int32_t)ns;
    g->arcs = arcs;
    g->num_arcs = (int64_t)n;
    /* The header's arc count is not checked: VectorFst writers may leave it 0. */
    return 0;
fail:
    free(arcs);
    free(final);
    free(start);
    return SK_EIO;
}

static int align16(rd *r)
{
    uint64_t pad = (16 - r->pos % 16) % 16;
    return rd_skip(r, pad, "alignment padding");
}

static int read_const_body(rd *r, const sk_fst_header *h, sk_fst *g)
{
    bool aligned = h->version == 1 || (h->flags & SK_FST_FLAG_ALIGNED);
    if (h->num_arcs < 0 || h->num_arcs >= UINT32_MAX) {
        SK_ERROR("FST file '%s' has a bad arc count %lld", r->name, (long long)h->num_arcs);
        return SK_EIO;
    }
    if (aligned && align16(r) < 0)
        return SK_EIO;
    size_t ns = (size_t)h->num_states;
    unsigned char *st = read_grow(r, 20 * ns, "states");
    if (!st)
        return SK_EIO;
    sk_fst *full = sk_fst_new((int32_t)ns); /* safe now: the states were really there */
    if (!full) {
        free(st);
        return SK_EIO;
    }
    free(g->final);
    free(g->arc_start);
    g->final = full->final;
    g->arc_start = full->arc_start;
    g->num_states = (int32_t)ns;
    free(full);
    uint32_t expect = 0;
    for (size_t s = 0; s < ns; s++) {
        uint32_t pos, narcs;
        memcpy(&g->final[s], st + 20 * s, 4);
        memcpy(&pos, st + 20 * s + 4, 4);
        memcpy(&narcs, st + 20 * s + 8, 4);
        if (pos != expect || (uint64_t)pos + narcs > (uint64_t)h->num_arcs) {
            SK_ERROR("FST file '%s' is corrupt: state %zu has arcs %u..%u of %lld", r->name, s,
                     pos, pos + narcs, (long long)h->num_arcs);
            free(st);
            return SK_EIO;
        }
        g->arc_start[s] = pos;
        expect = pos + narcs;
    }
    free(st);
    g->arc_start[ns] = expect;
    if (expect != (uint64_t)h->num_arcs) {
        SK_ERROR("FST file '%s' is corrupt: states cover %u arcs, header says %lld", r->name,
                 expect, (long long)h->num_arcs);
        return SK_EIO;
    }
    if (aligned && align16(r) < 0)
        return SK_EIO;
    size_t na = (size_t)h->num_arcs;
    _Static_assert(sizeof(sk_arc) == 16, "sk_arc must match the 16-byte ConstFst arc");
    g->arcs = read_grow(r, 16 * na, "arcs");
    if (!g->arcs)
        return SK_EIO;
    g->num_arcs = (int64_t)na;
    return 0;
}

int sk_fst_read(FILE *f, const char *name, sk_fst **out)
{
    rd r = { f, name, 0 };
    sk_fst_header h;
    *out = NULL;
    int st = read_header(&r, &h);
    if (st == SK_EOF) {
        SK_ERROR("FST file '%s' is empty", name);
        return SK_EIO;
    }
    if (st < 0)
        return st;
    if (strcmp(h.arc_type, "standard")) {
        SK_ERROR("FST with arc type %s is not supported (reading '%s'; need \"standard\")",
                 h.arc_type, name);
        return SK_EIO;
    }
    bool is_const = !strcmp(h.fst_type, "const");
    if (!is_const && strcmp(h.fst_type, "vector")) {
        SK_ERROR("FST file '%s' has fst type '%s'; only vector and const are supported", name,
                 h.fst_type);
        return SK_EIO;
    }
    if ((!is_const && h.version != 2) || (is_const && h.version != 1 && h.version != 2)) {
        SK_ERROR("FST file '%s': unsupported %s FST version %d", name, h.fst_type, h.version);
        return SK_EIO;
    }
    sk_fst *g = sk_fst_new(0); /* the readers size it as the data arrives */
    if (!g)
        return SK_EIO;
    g->start = (int32_t)h.start;
    st = is_const ? read_const_body(&r, &h, g) : read_vector_body(&r, g, h.num_states);
    if (st == 0)
        st = check_arcs(g, name);
    if (st < 0) {
        sk_fst_free(g);
        return SK_EIO;
    }
    *out = g;
    return 0;
}

int sk_fst_write(FILE *f, const sk_fst *g, bool as_const)
{
    sk_fst_header h;
    memset(&h, 0, sizeof h);
    strcpy(h.fst_type, as_const ? "const" : "vector");
    strcpy(h.arc_type, "standard");
    h.version = 2;
    h.flags = 0;
    h.properties = as_const ? 1 : 3; /* kExpanded (| kMutable for vector); others unknown */
    h.start = g->start;
    h.num_states = g->num_states;
    h.num_arcs = g->num_arcs;
    if (sk_fst_write_header(f, &h) < 0)
        return SK_EIO;
    int st = 0;
    if (as_const) {
        for (int32_t s = 0; s < g->num_states; s++) {
            uint32_t rec[5];
            memcpy(&rec[0], &g->final[s], 4);
            rec[1] = g->arc_start[s];
            rec[2] = g->arc_start[s + 1] - g->arc_start[s];
            rec[3] = rec[4] = 0;
            for (uint32_t a = g->arc_start[s]; a < g->arc_start[s + 1]; a++) {
                rec[3] += g->arcs[a].ilabel == 0;
                rec[4] += g->arcs[a].olabel == 0;
            }
            st |= wr(f, rec, 20);
        }
        st |= wr(f, g->arcs, 16 * (size_t)g->num_arcs);
    } else {
        for (int32_t s = 0; s < g->num_states; s++) {
            int64_t na = g->arc_start[s + 1] - g->arc_start[s];
            st |= wr(f, &g->final[s], 4) | wr(f, &na, 8);
            st |= wr(f, g->arcs + g->arc_start[s], 16 * (size_t)na);
        }
    }
    if (st) {
        SK_ERROR("write error while writing an FST");
        return SK_EIO;
    }
    return 0;
}
