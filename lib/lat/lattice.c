/* lattice.c — Kaldi Lattice / CompactLattice objects: construction, binary and text I/O,
 * conversion, scaling, word insertion penalty, best path.
 *
 * Binary form: an OpenFst VectorFst file. Lattice weights are two floats (graph, acoustic);
 * compact weights add an int32 count and that many int32 transition-ids. The header's
 * property word is carried through and updated with OpenFst's own rules when arcs or final
 * weights change, so a copied or scaled lattice is written byte for byte as Kaldi writes it.
 * Text form: OpenFst's printer (start state first, then the others in order; weights equal
 * to One are not printed), between a newline after the key and an empty line. */
#include "lat/lattice.h"
#include "lat/topo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "fst/fst.h"
#include "io/kio.h"

/* OpenFst property bits we maintain. */
#define P_EXPANDED 0x1ull
#define P_MUTABLE 0x2ull
#define P_ERROR 0x4ull
#define P_ACCEPTOR 0x10000ull
#define P_NOT_ACCEPTOR 0x20000ull
#define P_EPSILONS 0x400000ull
#define P_NO_EPSILONS 0x800000ull
#define P_IEPSILONS 0x1000000ull
#define P_NO_IEPSILONS 0x2000000ull
#define P_OEPSILONS 0x4000000ull
#define P_NO_OEPSILONS 0x8000000ull
#define P_WEIGHTED 0x100000000ull
#define P_UNWEIGHTED 0x200000000ull
#define P_COACCESSIBLE 0x40000000000ull
#define P_NOT_COACCESSIBLE 0x80000000000ull
#define P_STRING 0x100000000000ull
#define P_NOT_STRING 0x200000000000ull
#define P_ALL_TRINARY 0xffffffffffff0000ull
#define SET_ARC_MASK (P_EXPANDED | P_MUTABLE | P_ERROR | P_ACCEPTOR | P_NOT_ACCEPTOR | \
                      P_EPSILONS | P_NO_EPSILONS | P_IEPSILONS | P_NO_IEPSILONS | \
                      P_OEPSILONS | P_NO_OEPSILONS | P_WEIGHTED | P_UNWEIGHTED)
#define SET_FINAL_MASK ((P_ALL_TRINARY | P_EXPANDED | P_MUTABLE | P_ERROR) & \
                        ~(P_WEIGHTED | P_UNWEIGHTED | P_COACCESSIBLE | P_NOT_COACCESSIBLE | \
                          P_STRING | P_NOT_STRING))

static inline bool lw_is_zero(sk_lw w) { return w.g == INFINITY && w.a == INFINITY; }
static inline bool lw_is_one(sk_lw w) { return w.g == 0.0f && w.a == 0.0f; }
static inline bool clw_is_zero(sk_clw w) { return w.g == INFINITY && w.a == INFINITY && w.len == 0; }
static inline bool clw_is_one(sk_clw w) { return w.g == 0.0f && w.a == 0.0f && w.len == 0; }

/* OpenFst's MutableArcIterator::SetValue update of the property word. */
static uint64_t props_set_arc(uint64_t p, int32_t oil, int32_t ool, bool ow_weighted, int32_t il,
                              int32_t ol, bool w_weighted)
{
    if (oil != ool)
        p &= ~P_NOT_ACCEPTOR;
    if (oil == 0) {
        p &= ~P_IEPSILONS;
        if (ool == 0)
            p &= ~P_EPSILONS;
    }
    if (ool == 0)
        p &= ~P_OEPSILONS;
    if (ow_weighted)
        p &= ~P_WEIGHTED;
    if (il != ol) {
        p |= P_NOT_ACCEPTOR;
        p &= ~P_ACCEPTOR;
    }
    if (il == 0) {
        p |= P_IEPSILONS;
        p &= ~P_NO_IEPSILONS;
        if (ol == 0) {
            p |= P_EPSILONS;
            p &= ~P_NO_EPSILONS;
        }
    }
    if (ol == 0) {
        p |= P_OEPSILONS;
        p &= ~P_NO_OEPSILONS;
    }
    if (w_weighted) {
        p |= P_WEIGHTED;
        p &= ~P_UNWEIGHTED;
    }
    return p & SET_ARC_MASK;
}

/* OpenFst's SetFinalProperties. */
static uint64_t props_set_final(uint64_t p, bool old_weighted, bool new_weighted)
{
    if (old_weighted)
        p &= ~P_WEIGHTED;
    if (new_weighted) {
        p |= P_WEIGHTED;
        p &= ~P_UNWEIGHTED;
    }
    return p & (SET_FINAL_MASK | P_WEIGHTED | P_UNWEIGHTED);
}

/* ---- construction ---- */

void sk_lat_init(sk_lat *l)
{
    memset(l, 0, sizeof *l);
    l->start = -1;
}

void sk_lat_release(sk_lat *l)
{
    for (int32_t s = 0; s < l->num_states; s++)
        free(l->states[s].arcs);
    free(l->states);
    sk_lat_init(l);
}

int32_t sk_lat_add_state(sk_lat *l)
{
    if (l->num_states == l->cap) {
        int32_t nc = l->cap ? 2 * l->cap : 16;
        sk_lat_state *ns = realloc(l->states, sizeof *ns * (size_t)nc);
        if (!ns)
            return -1;
        l->states = ns;
        l->cap = nc;
    }
    sk_lat_state *st = &l->states[l->num_states];
    memset(st, 0, sizeof *st);
    st->final = (sk_lw){ INFINITY, INFINITY };
    return l->num_states++;
}

int sk_lat_add_arc(sk_lat *l, int32_t s, int32_t il, int32_t ol, float g, float a, int32_t next)
{
    sk_lat_state *st = &l->states[s];
    if (st->narcs == st->cap) {
        int32_t nc = st->cap ? 2 * st->cap : 2;
        sk_larc *na = realloc(st->arcs, sizeof *na * (size_t)nc);
        if (!na)
            return SK_EIO;
        st->arcs = na;
        st->cap = nc;
    }
    st->arcs[st->narcs++] = (sk_larc){ il, ol, { g, a }, next };
    return 0;
}

void sk_clat_init(sk_clat *c)
{
    memset(c, 0, sizeof *c);
    c->start = -1;
}

void sk_clat_release(sk_clat *c)
{
    for (int32_t s = 0; s < c->num_states; s++)
        free(c->states[s].arcs);
    free(c->states);
    free(c->ints);
    sk_clat_init(c);
}

int32_t sk_clat_add_state(sk_clat *c)
{
    if (c->num_states == c->cap) {
        int32_t nc = c->cap ? 2 * c->cap : 16;
        sk_clat_state *ns = realloc(c->states, sizeof *ns * (size_t)nc);
        if (!ns)
            return -1;
        c->states = ns;
        c->cap = nc;
    }
    sk_clat_state *st = &c->states[c->num_states];
    memset(st, 0, sizeof *st);
    st->final = (sk_clw){ INFINITY, INFINITY, 0, 0 };
    return c->num_states++;
}

static int pool_add(sk_clat *c, const int32_t *str, int32_t len, uint32_t *off)
{
    if (c->nints + (size_t)len > c->cap_ints) {
        size_t nc = c->cap_ints ? c->cap_ints : 256;
        while (c->nints + (size_t)len > nc)
            nc *= 2;
        int32_t *ni = realloc(c->ints, sizeof(int32_t) * nc);
        if (!ni)
            return SK_EIO;
        c->ints = ni;
        c->cap_ints = nc;
    }
    *off = (uint32_t)c->nints;
    if (len)
        memcpy(c->ints + c->nints, str, sizeof(int32_t) * (size_t)len);
    c->nints += (size_t)len;
    return 0;
}

int sk_clat_add_arc(sk_clat *c, int32_t s, int32_t il, int32_t ol, float g, float a,
                    const int32_t *str, int32_t len, int32_t next)
{
    sk_clat_state *st = &c->states[s];
    if (st->narcs == st->cap) {
        int32_t nc = st->cap ? 2 * st->cap : 2;
        sk_clarc *na = realloc(st->arcs, sizeof *na * (size_t)nc);
        if (!na)
            return SK_EIO;
        st->arcs = na;
        st->cap = nc;
    }
    uint32_t off;
    if (pool_add(c, str, len, &off) < 0)
        return SK_EIO;
    st = &c->states[s];
    st->arcs[st->narcs++] = (sk_clarc){ il, ol, { g, a, off, len }, next };
    return 0;
}

int sk_clat_set_final(sk_clat *c, int32_t s, float g, float a, const int32_t *str, int32_t len)
{
    uint32_t off;
    if (pool_add(c, str, len, &off) < 0)
        return SK_EIO;
    c->states[s].final = (sk_clw){ g, a, off, len };
    return 0;
}

int sk_clat_copy(sk_clat *dst, const sk_clat *src)
{
    sk_clat_release(dst);
    dst->start = src->start;
    dst->props = src->props;
    for (int32_t s = 0; s < src->num_states; s++) {
        if (sk_clat_add_state(dst) < 0)
            return SK_EIO;
        const sk_clat_state *st = &src->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            const sk_clarc *a = &st->arcs[k];
            if (sk_clat_add_arc(dst, s, a->ilabel, a->olabel, a->w.g, a->w.a,
                                sk_clat_str(src, &a->w), a->w.len, a->nextstate) < 0)
                return SK_EIO;
        }
        if (sk_clat_set_final(dst, s, st->final.g, st->final.a, sk_clat_str(src, &st->final),
                              st->final.len) < 0)
            return SK_EIO;
    }
    return 0;
}

/* ---- properties of a lattice built in memory: only bits we can vouch for ---- */

static uint64_t clat_props(const sk_clat *c)
{
    if (c->props)
        return c->props;
    bool acc = true, ieps = false, oeps = false, eps = false, weighted = false;
    for (int32_t s = 0; s < c->num_states; s++) {
        const sk_clat_state *st = &c->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            const sk_clarc *a = &st->arcs[k];
            acc &= a->ilabel == a->olabel;
            ieps |= a->ilabel == 0;
            oeps |= a->olabel == 0;
            eps |= a->ilabel == 0 && a->olabel == 0;
            weighted |= !clw_is_zero(a->w) && !clw_is_one(a->w);
        }
        weighted |= !clw_is_zero(st->final) && !clw_is_one(st->final);
    }
    return P_EXPANDED | P_MUTABLE | (acc ? P_ACCEPTOR : P_NOT_ACCEPTOR) |
           (eps ? P_EPSILONS : P_NO_EPSILONS) | (ieps ? P_IEPSILONS : P_NO_IEPSILONS) |
           (oeps ? P_OEPSILONS : P_NO_OEPSILONS) | (weighted ? P_WEIGHTED : P_UNWEIGHTED);
}

static uint64_t lat_props(const sk_lat *l)
{
    if (l->props)
        return l->props;
    bool acc = true, ieps = false, oeps = false, eps = false, weighted = false;
    for (int32_t s = 0; s < l->num_states; s++) {
        const sk_lat_state *st = &l->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            const sk_larc *a = &st->arcs[k];
            acc &= a->ilabel == a->olabel;
            ieps |= a->ilabel == 0;
            oeps |= a->olabel == 0;
            eps |= a->ilabel == 0 && a->olabel == 0;
            weighted |= !lw_is_zero(a->w) && !lw_is_one(a->w);
        }
        weighted |= !lw_is_zero(st->final) && !lw_is_one(st->final);
    }
    return P_EXPANDED | P_MUTABLE | (acc ? P_ACCEPTOR : P_NOT_ACCEPTOR) |
           (eps ? P_EPSILONS : P_NO_EPSILONS) | (ieps ? P_IEPSILONS : P_NO_IEPSILONS) |
           (oeps ? P_OEPSILONS : P_NO_OEPSILONS) | (weighted ? P_WEIGHTED : P_UNWEIGHTED);
}

/* ---- binary ---- */

static int rd(FILE *f, void *p, size_t n, const char *what)
{
    if (fread(p, 1, n, f) != n) {
        SK_ERROR("Error reading lattice: unexpected end of input in %s", what);
        return SK_EIO;
    }
    return 0;
}

static int wr(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : SK_EIO;
}

static int check_header(const sk_fst_header *h, const char *want_arc)
{
    if (strcmp(h->fst_type, "vector")) {
        SK_ERROR("Error reading lattice: FST type '%s' (expected vector)", h->fst_type);
        return SK_EIO;
    }
    if (strcmp(h->arc_type, want_arc)) {
        SK_ERROR("Error reading lattice: arc type '%s' (expected %s)", h->arc_type, want_arc);
        return SK_EIO;
    }
    if (h->version != 2) {
        SK_ERROR("Error reading lattice: unsupported vector FST version %d", h->version);
        return SK_EIO;
    }
    return 0;
}

static int read_clat_body(FILE *f, const sk_fst_header *h, sk_clat *c)
{
    c->start = (int32_t)h->start;
    c->props = h->properties;
    int32_t buf[64];
    int64_t ns = h->num_states;
    /* states are added as they are read (a header may lie about the count) */
    for (int32_t s = 0; s < ns; s++) {
        if (sk_clat_add_state(c) < 0)
            return SK_EIO;
        float gw[2];
        int32_t len;
        int64_t na;
        if (rd(f, gw, 8, "final weight") < 0 || rd(f, &len, 4, "final weight") < 0)
            return SK_EIO;
        if (len < 0 || len > 100000000) {
            SK_ERROR("Error reading lattice: bad string length %d at state %d", len, s);
            return SK_EIO;
        }
        int32_t *str = len <= 64 ? buf : malloc(sizeof(int32_t) * (size_t)len);
        if (!str || rd(f, str, 4 * (size_t)len, "final weight") < 0 ||
            sk_clat_set_final(c, s, gw[0], gw[1], str, len) < 0) {
            if (str != buf)
                free(str);
            return SK_EIO;
        }
        if (str != buf)
            free(str);
        if (rd(f, &na, 8, "arc count") < 0)
            return SK_EIO;
        if (na < 0 || na > 100000000) {
            SK_ERROR("Error reading lattice: bad arc count %lld at state %d", (long long)na, s);
            return SK_EIO;
        }
        for (int64_t k = 0; k < na; k++) {
            int32_t lab[2], next;
            if (rd(f, lab, 8, "arc") < 0 || rd(f, gw, 8, "arc") < 0 || rd(f, &len, 4, "arc") < 0)
                return SK_EIO;
            if (len < 0 || len > 100000000) {
                SK_ERROR("Error reading lattice: bad string length %d at state %d", len, s);
                return SK_EIO;
            }
            str = len <= 64 ? buf : malloc(sizeof(int32_t) * (size_t)len);
            int st = !str || rd(f, str, 4 * (size_t)len, "arc") < 0 || rd(f, &next, 4, "arc") < 0;
            if (!st && (next < 0 || next >= ns)) {
                SK_ERROR("Error reading lattice: arc to state %d of %lld", next, (long long)ns);
                st = 1;
            }
            if (!st)
                st = sk_clat_add_arc(c, s, lab[0], lab[1], gw[0], gw[1], str, len, next) < 0;
            if (str != buf)
                free(str);
            if (st)
                return SK_EIO;
        }
    }
    return 0;
}

static int read_lat_body(FILE *f, const sk_fst_header *h, sk_lat *l)
{
    l->start = (int32_t)h->start;
    l->props = h->properties;
    int64_t ns = h->num_states;
    for (int32_t s = 0; s < ns; s++) {
        int64_t na;
        if (sk_lat_add_state(l) < 0)
            return SK_EIO;
        if (rd(f, &l->states[s].final, 8, "final weight") < 0 || rd(f, &na, 8, "arc count") < 0)
            return SK_EIO;
        if (na < 0 || na > 100000000) {
            SK_ERROR("Error reading lattice: bad arc count %lld at state %d", (long long)na, s);
            return SK_EIO;
        }
        for (int64_t k = 0; k < na; k++) {
            int32_t v[5];
            if (rd(f, v, 20, "arc") < 0)
                return SK_EIO;
            if (v[4] < 0 || v[4] >= ns) {
                SK_ERROR("Error reading lattice: arc to state %d of %lld", v[4], (long long)ns);
                return SK_EIO;
            }
            float g, a;
            memcpy(&g, &v[2], 4);
            memcpy(&a, &v[3], 4);
            if (sk_lat_add_arc(l, s, v[0], v[1], g, a, v[4]) < 0)
                return SK_EIO;
        }
    }
    return 0;
}

static void fill_header(sk_fst_header *h, const char *arc_type, int32_t start, int32_t ns,
                        uint64_t props)
{
    memset(h, 0, sizeof *h);
    strcpy(h->fst_type, "vector");
    strcpy(h->arc_type, arc_type);
    h->version = 2;
    h->flags = 0;
    h->properties = props;
    h->start = start;
    h->num_states = ns;
    h->num_arcs = 0; /* as OpenFst's VectorFst writer leaves it */
}

static int write_clat_bin(FILE *f, const sk_clat *c)
{
    sk_fst_header h;
    fill_header(&h, "compactlattice44", c->start, c->num_states, clat_props(c));
    if (sk_fst_write_header(f, &h) < 0)
        return SK_EIO;
    int st = 0;
    for (int32_t s = 0; s < c->num_states; s++) {
        const sk_clat_state *cs = &c->states[s];
        int64_t na = cs->narcs;
        st |= wr(f, &cs->final.g, 4) | wr(f, &cs->final.a, 4) | wr(f, &cs->final.len, 4) |
              wr(f, sk_clat_str(c, &cs->final), 4 * (size_t)cs->final.len) | wr(f, &na, 8);
        for (int32_t k = 0; k < cs->narcs; k++) {
            const sk_clarc *a = &cs->arcs[k];
            st |= wr(f, &a->ilabel, 4) | wr(f, &a->olabel, 4) | wr(f, &a->w.g, 4) |
                  wr(f, &a->w.a, 4) | wr(f, &a->w.len, 4) |
                  wr(f, sk_clat_str(c, &a->w), 4 * (size_t)a->w.len) | wr(f, &a->nextstate, 4);
        }
    }
    if (st) {
        SK_ERROR("write error while writing a lattice");
        return SK_EIO;
    }
    return 0;
}

static int write_lat_bin(FILE *f, const sk_lat *l)
{
    sk_fst_header h;
    fill_header(&h, "lattice4", l->start, l->num_states, lat_props(l));
    if (sk_fst_write_header(f, &h) < 0)
        return SK_EIO;
    int st = 0;
    for (int32_t s = 0; s < l->num_states; s++) {
        const sk_lat_state *ls = &l->states[s];
        int64_t na = ls->narcs;
        st |= wr(f, &ls->final, 8) | wr(f, &na, 8);
        for (int32_t k = 0; k < ls->narcs; k++) {
            const sk_larc *a = &ls->arcs[k];
            st |= wr(f, &a->ilabel, 4) | wr(f, &a->olabel, 4) | wr(f, &a->w.g, 4) |
                  wr(f, &a->w.a, 4) | wr(f, &a->nextstate, 4);
        }
    }
    if (st) {
        SK_ERROR("write error while writing a lattice");
        return SK_EIO;
    }
    return 0;
}

/* ---- text ---- */

char *sk_lat_fmt_float(float v, char *buf)
{
    if (v == INFINITY)
        strcpy(buf, "Infinity");
    else if (v == -INFINITY)
        strcpy(buf, "-Infinity");
    else if (v != v)
        strcpy(buf, "BadNumber");
    else
        snprintf(buf, 32, "%g", (double)v);
    return buf;
}

static void put_clw(FILE *f, const sk_clat *c, const sk_clw *w)
{
    char b1[32], b2[32];
    fprintf(f, "\t%s,%s,", sk_lat_fmt_float(w->g, b1), sk_lat_fmt_float(w->a, b2));
    const int32_t *s = sk_clat_str(c, w);
    for (int32_t i = 0; i < w->len; i++)
        fprintf(f, i ? "_%d" : "%d", s[i]);
}

static void put_clat_state(FILE *f, const sk_clat *c, int32_t s)
{
    const sk_clat_state *st = &c->states[s];
    for (int32_t k = 0; k < st->narcs; k++) {
        const sk_clarc *a = &st->arcs[k];
        fprintf(f, "%d\t%d\t%d", s, a->nextstate, a->ilabel);
        if (!clw_is_one(a->w))
            put_clw(f, c, &a->w);
        fputc('\n', f);
    }
    if (!clw_is_zero(st->final) || st->narcs == 0) {
        fprintf(f, "%d", s);
        if (!clw_is_one(st->final))
            put_clw(f, c, &st->final);
        fputc('\n', f);
    }
}

static void put_lat_state(FILE *f, const sk_lat *l, int32_t s)
{
    char b1[32], b2[32];
    const sk_lat_state *st = &l->states[s];
    for (int32_t k = 0; k < st->narcs; k++) {
        const sk_larc *a = &st->arcs[k];
        fprintf(f, "%d\t%d\t%d\t%d", s, a->nextstate, a->ilabel, a->olabel);
        if (!lw_is_one(a->w))
            fprintf(f, "\t%s,%s", sk_lat_fmt_float(a->w.g, b1), sk_lat_fmt_float(a->w.a, b2));
        fputc('\n', f);
    }
    if (!lw_is_zero(st->final) || st->narcs == 0) {
        fprintf(f, "%d", s);
        if (!lw_is_one(st->final))
            fprintf(f, "\t%s,%s", sk_lat_fmt_float(st->final.g, b1), sk_lat_fmt_float(st->final.a, b2));
        fputc('\n', f);
    }
}

/* Reads one text line (without '\n') into a growing buffer; returns its length or -1 at EOF. */
static long get_line(FILE *f, char **buf, size_t *cap)
{
    size_t n = 0;
    int ch;
    while ((ch = getc(f)) != EOF && ch != '\n') {
        if (n + 1 >= *cap) {
            size_t nc = *cap ? 2 * *cap : 256;
            char *nb = realloc(*buf, nc);
            if (!nb)
                return -1;
            *buf = nb;
            *cap = nc;
        }
        (*buf)[n++] = (char)ch;
    }
    if (ch == EOF && n == 0)
        return -1;
    if (!*buf) {
        *buf = malloc(1);
        *cap = 1;
    }
    (*buf)[n] = '\0';
    return (long)n;
}

static bool parse_float(const char *s, float *v)
{
    if (!strcmp(s, "Infinity")) { *v = INFINITY; return true; }
    if (!strcmp(s, "-Infinity")) { *v = -INFINITY; return true; }
    char *end;
    *v = strtof(s, &end);
    return end != s && *end == '\0';
}

static bool parse_int(const char *s, int32_t *v)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s || *end || x < INT32_MIN || x > INT32_MAX)
        return false;
    *v = (int32_t)x;
    return true;
}

/* "g,a" or "g,a,t1_t2": returns the number of ints in str (into *ints), or -1. */
static int parse_weight(char *s, float *g, float *a, int32_t **ints, int32_t *cap, bool compact)
{
    char *c1 = strchr(s, ',');
    if (!c1)
        return -1;
    *c1 = '\0';
    char *rest = c1 + 1, *c2 = strchr(rest, ',');
    if (compact) {
        if (!c2)
            return -1;
        *c2 = '\0';
    } else if (c2) {
        return -1;
    }
    if (!parse_float(s, g) || !parse_float(rest, a))
        return -1;
    int n = 0;
    if (compact && c2[1]) {
        char *save;
        for (char *t = strtok_r(c2 + 1, "_", &save); t; t = strtok_r(NULL, "_", &save)) {
            if (n == *cap) {
                *cap = *cap ? 2 * *cap : 64;
                int32_t *ni = realloc(*ints, sizeof(int32_t) * (size_t)*cap);
                if (!ni)
                    return -1;
                *ints = ni;
            }
            if (!parse_int(t, &(*ints)[n++]))
                return -1;
        }
    }
    return n;
}

static int ensure_states(sk_clat *c, sk_lat *l, int32_t s)
{
    if (s < 0 || s > 100000000)
        return SK_EIO;
    while ((c ? c->num_states : l->num_states) <= s)
        if ((c ? sk_clat_add_state(c) : sk_lat_add_state(l)) < 0)
            return SK_EIO;
    return 0;
}

/* Text lattice: one of c/l is non-NULL. */
static int read_text(FILE *f, sk_clat *c, sk_lat *l)
{
    char *line = NULL;
    size_t cap = 0;
    int32_t *ints = NULL, icap = 0;
    int st = 0, lineno = 0;
    /* The key line's remainder (normally just the newline after "key "). */
    int ch;
    while ((ch = getc(f)) == ' ' || ch == '\t' || ch == '\r')
        ;
    if (ch != '\n' && ch != EOF)
        ungetc(ch, f);
    long n;
    while ((n = get_line(f, &line, &cap)) >= 0) {
        char *fld[8];
        int nf = 0;
        char *save;
        for (char *t = strtok_r(line, " \t\r", &save); t && nf < 8; t = strtok_r(NULL, " \t\r", &save))
            fld[nf++] = t;
        if (nf == 0)
            break; /* the empty line ends the lattice */
        lineno++;
        int32_t s, d, il, ol;
        float g = 0.0f, a = 0.0f;
        int ns = 0;
        bool ok = parse_int(fld[0], &s) && ensure_states(c, l, s) == 0;
        if (ok && lineno == 1) {
            if (c)
                c->start = s;
            else
                l->start = s;
        }
        if (!ok) {
        } else if (nf <= 2) { /* final state */
            if (nf == 2)
                ok = (ns = parse_weight(fld[1], &g, &a, &ints, &icap, c != NULL)) >= 0;
            if (ok)
                ok = c ? sk_clat_set_final(c, s, g, a, ints, ns) == 0
                       : (l->states[s].final = (sk_lw){ g, a }, true);
        } else if (c && (nf == 3 || nf == 4)) {
            ok = parse_int(fld[1], &d) && parse_int(fld[2], &il) && ensure_states(c, l, d) == 0;
            if (ok && nf == 4)
                ok = (ns = parse_weight(fld[3], &g, &a, &ints, &icap, true)) >= 0;
            if (ok)
                ok = sk_clat_add_arc(c, s, il, il, g, a, ints, ns, d) == 0;
        } else if (!c && (nf == 4 || nf == 5)) {
            ok = parse_int(fld[1], &d) && parse_int(fld[2], &il) && parse_int(fld[3], &ol) &&
                 ensure_states(c, l, d) == 0;
            if (ok && nf == 5)
                ok = parse_weight(fld[4], &g, &a, &ints, &icap, false) >= 0;
            if (ok)
                ok = sk_lat_add_arc(l, s, il, ol, g, a, d) == 0;
        } else {
            ok = false;
        }
        if (!ok) {
            SK_ERROR("Error reading %s in text form: bad line %d of the lattice",
                     c ? "compact lattice" : "lattice", lineno);
            st = SK_EIO;
            break;
        }
    }
    free(line);
    free(ints);
    if (st == 0 && lineno == 0 && n < 0) {
        SK_ERROR("Error reading lattice in text form: unexpected end of input");
        st = SK_EIO;
    }
    return st;
}

/* ---- public I/O ---- */

/* Kaldi writes lattices in archives without the "\0B" marker: a binary lattice is recognised
 * by the first byte of the OpenFst magic number, a text one starts with whitespace. */
static bool looks_binary(FILE *f)
{
    int ch = getc(f);
    if (ch != EOF)
        ungetc(ch, f);
    return ch == 0xD6;
}

int sk_clat_read(FILE *f, bool binary, sk_clat *c)
{
    sk_clat_release(c);
    if (!binary && !looks_binary(f))
        return read_text(f, c, NULL);
    sk_fst_header h;
    int st = sk_fst_read_header(f, "lattice", &h);
    if (st == SK_EOF) {
        SK_ERROR("Error reading compact lattice: unexpected end of input");
        return SK_EIO;
    }
    if (st < 0)
        return SK_EIO;
    if (!strcmp(h.arc_type, "lattice4")) {
        SK_ERROR("Reading a raw Lattice as a CompactLattice is not supported (determinize it "
                 "first)");
        return SK_EIO;
    }
    if (check_header(&h, "compactlattice44") < 0 || read_clat_body(f, &h, c) < 0) {
        sk_clat_release(c);
        return SK_EIO;
    }
    return 0;
}

int sk_lat_read(FILE *f, bool binary, sk_lat *l)
{
    sk_lat_release(l);
    if (!binary && !looks_binary(f))
        return read_text(f, NULL, l);
    sk_fst_header h;
    int st = sk_fst_read_header(f, "lattice", &h);
    if (st == SK_EOF) {
        SK_ERROR("Error reading lattice: unexpected end of input");
        return SK_EIO;
    }
    if (st < 0)
        return SK_EIO;
    if (!strcmp(h.arc_type, "compactlattice44")) {
        sk_clat c;
        sk_clat_init(&c);
        st = check_header(&h, "compactlattice44") < 0 || read_clat_body(f, &h, &c) < 0 ||
             sk_clat_to_lat(&c, l) < 0;
        sk_clat_release(&c);
        return st ? SK_EIO : 0;
    }
    if (check_header(&h, "lattice4") < 0 || read_lat_body(f, &h, l) < 0) {
        sk_lat_release(l);
        return SK_EIO;
    }
    return 0;
}

int sk_clat_write(FILE *f, bool binary, const sk_clat *c)
{
    if (binary)
        return write_clat_bin(f, c);
    fputc('\n', f);
    if (c->start >= 0) {
        put_clat_state(f, c, c->start);
        for (int32_t s = 0; s < c->num_states; s++)
            if (s != c->start)
                put_clat_state(f, c, s);
    }
    fputc('\n', f);
    return ferror(f) ? SK_EIO : 0;
}

int sk_lat_write(FILE *f, bool binary, const sk_lat *l)
{
    if (binary)
        return write_lat_bin(f, l);
    fputc('\n', f);
    if (l->start >= 0) {
        put_lat_state(f, l, l->start);
        for (int32_t s = 0; s < l->num_states; s++)
            if (s != l->start)
                put_lat_state(f, l, s);
    }
    fputc('\n', f);
    return ferror(f) ? SK_EIO : 0;
}

/* ---- holders ---- */

static void h_clat_init(void *o) { sk_clat_init(o); }
static void h_clat_release(void *o) { sk_clat_release(o); }
static int h_clat_read(FILE *f, bool b, void *o) { return sk_clat_read(f, b, o); }
static int h_clat_write(FILE *f, bool b, const void *o) { return sk_clat_write(f, b, o); }
static int h_clat_copy(const void *s, void *d) { return sk_clat_copy(d, s); }
static void h_lat_init(void *o) { sk_lat_init(o); }
static void h_lat_release(void *o) { sk_lat_release(o); }
static int h_lat_read(FILE *f, bool b, void *o) { return sk_lat_read(f, b, o); }
static int h_lat_write(FILE *f, bool b, const void *o) { return sk_lat_write(f, b, o); }

/* Kaldi's lattice holders write no "\0B": a binary lattice starts with the OpenFst magic. */
const sk_holder sk_holder_clat = {
    .name = "compact lattice", .size = sizeof(sk_clat), .init = h_clat_init,
    .release = h_clat_release, .read = h_clat_read, .write = h_clat_write, .copy = h_clat_copy,
    .no_binary_header = true,
};
const sk_holder sk_holder_lat = {
    .name = "lattice", .size = sizeof(sk_lat), .init = h_lat_init, .release = h_lat_release,
    .read = h_lat_read, .write = h_lat_write, .no_binary_header = true,
};

/* ---- table loop ---- */

int sk_lat_table_map(const char *rspec, const char *wspec, const sk_holder *h, sk_lat_map_fn fn,
                     void *ctx, int *n_written)
{
    *n_written = 0;
    sk_seq_reader *r = sk_seq_open(rspec, h);
    if (!r) {
        SK_ERROR("Failed to open table for reading: %s", sk_escape(rspec));
        return SK_EIO;
    }
    sk_writer *w = sk_writer_open(wspec, h);
    if (!w) {
        SK_ERROR("Failed to open table for writing: %s", sk_escape(wspec));
        sk_seq_close(r);
        return SK_EIO;
    }
    int st = 0;
    for (; !sk_seq_done(r); sk_seq_next(r)) {
        const char *key = sk_seq_key(r);
        void *lat = sk_seq_value(r);
        if (!lat) {
            SK_ERROR("Failed to read lattice for key %s", key);
            st = SK_EIO;
            break;
        }
        const void *out = lat;
        int k = fn ? fn(key, lat, &out, ctx) : 1;
        if (k < 0) {
            st = k;
            break;
        }
        if (k == 0)
            continue;
        if (sk_writer_write(w, key, out) < 0) {
            SK_ERROR("Failed to write lattice for key %s", key);
            st = SK_EIO;
            break;
        }
        (*n_written)++;
    }
    if (sk_seq_close(r) < 0 && st == 0) {
        SK_ERROR("Error reading %s", sk_escape(rspec));
        st = SK_EIO;
    }
    if (sk_writer_close(w) < 0 && st == 0) {
        SK_ERROR("Error closing %s", sk_escape(wspec));
        st = SK_EIO;
    }
    return st;
}

/* ---- operations ---- */

int sk_clat_to_lat(const sk_clat *c, sk_lat *l)
{
    sk_lat_release(l);
    for (int32_t s = 0; s < c->num_states; s++)
        if (sk_lat_add_state(l) < 0)
            return SK_EIO;
    l->start = c->start;
    for (int32_t s = 0; s < c->num_states; s++) {
        const sk_clat_state *cs = &c->states[s];
        if (!clw_is_zero(cs->final)) {
            const int32_t *str = sk_clat_str(c, &cs->final);
            int32_t cur = s;
            for (int32_t n = 0; n < cs->final.len; n++) {
                int32_t nx = sk_lat_add_state(l);
                if (nx < 0)
                    return SK_EIO;
                float g = n == 0 ? cs->final.g : 0.0f, a = n == 0 ? cs->final.a : 0.0f;
                if (sk_lat_add_arc(l, cur, str[n], 0, g, a, nx) < 0)
                    return SK_EIO;
                cur = nx;
            }
            l->states[cur].final = cs->final.len > 0 ? (sk_lw){ 0.0f, 0.0f }
                                                      : (sk_lw){ cs->final.g, cs->final.a };
        }
        for (int32_t k = 0; k < cs->narcs; k++) {
            const sk_clarc *a = &cs->arcs[k];
            const int32_t *str = sk_clat_str(c, &a->w);
            int32_t len = a->w.len, cur = s;
            for (int32_t n = 0; n + 1 < len; n++) {
                int32_t nx = sk_lat_add_state(l);
                if (nx < 0)
                    return SK_EIO;
                if (sk_lat_add_arc(l, cur, str[n], n == 0 ? a->ilabel : 0, n == 0 ? a->w.g : 0.0f,
                                   n == 0 ? a->w.a : 0.0f, nx) < 0)
                    return SK_EIO;
                cur = nx;
            }
            bool one = len <= 1;
            if (sk_lat_add_arc(l, cur, len > 0 ? str[len - 1] : 0, one ? a->ilabel : 0,
                               one ? a->w.g : 0.0f, one ? a->w.a : 0.0f, a->nextstate) < 0)
                return SK_EIO;
        }
    }
    return 0;
}

static inline void scale_w(float *g, float *a, double lm, double ac2lm, double lm2ac, double ac)
{
    if (*g == INFINITY) {
        *g = *a = INFINITY; /* Zero stays Zero (no inf * 0 NaNs) */
        return;
    }
    double g0 = *g, a0 = *a;
    *g = (float)(lm * g0 + ac2lm * a0);
    *a = (float)(lm2ac * g0 + ac * a0);
}

void sk_clat_scale(sk_clat *c, double lm, double ac2lm, double lm2ac, double ac)
{
    if (lm == 1.0 && ac2lm == 0.0 && lm2ac == 0.0 && ac == 1.0)
        return;
    uint64_t p = c->props;
    for (int32_t s = 0; s < c->num_states; s++) {
        sk_clat_state *st = &c->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            sk_clarc *a = &st->arcs[k];
            bool ow = !clw_is_zero(a->w) && !clw_is_one(a->w);
            scale_w(&a->w.g, &a->w.a, lm, ac2lm, lm2ac, ac);
            bool nw = !clw_is_zero(a->w) && !clw_is_one(a->w);
            if (p)
                p = props_set_arc(p, a->ilabel, a->olabel, ow, a->ilabel, a->olabel, nw);
        }
        if (!clw_is_zero(st->final)) {
            bool ow = !clw_is_one(st->final);
            scale_w(&st->final.g, &st->final.a, lm, ac2lm, lm2ac, ac);
            bool nw = !clw_is_zero(st->final) && !clw_is_one(st->final);
            if (p)
                p = props_set_final(p, ow, nw);
        }
    }
    c->props = p;
}

void sk_lat_scale(sk_lat *l, double lm, double ac2lm, double lm2ac, double ac)
{
    if (lm == 1.0 && ac2lm == 0.0 && lm2ac == 0.0 && ac == 1.0)
        return;
    uint64_t p = l->props;
    for (int32_t s = 0; s < l->num_states; s++) {
        sk_lat_state *st = &l->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            sk_larc *a = &st->arcs[k];
            bool ow = !lw_is_zero(a->w) && !lw_is_one(a->w);
            scale_w(&a->w.g, &a->w.a, lm, ac2lm, lm2ac, ac);
            bool nw = !lw_is_zero(a->w) && !lw_is_one(a->w);
            if (p)
                p = props_set_arc(p, a->ilabel, a->olabel, ow, a->ilabel, a->olabel, nw);
        }
        if (!lw_is_zero(st->final)) {
            bool ow = !lw_is_one(st->final);
            scale_w(&st->final.g, &st->final.a, lm, ac2lm, lm2ac, ac);
            bool nw = !lw_is_zero(st->final) && !lw_is_one(st->final);
            if (p)
                p = props_set_final(p, ow, nw);
        }
    }
    l->props = p;
}

void sk_clat_add_word_ins_pen(sk_clat *c, float pen)
{
    uint64_t p = c->props;
    for (int32_t s = 0; s < c->num_states; s++) {
        sk_clat_state *st = &c->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            sk_clarc *a = &st->arcs[k];
            if (a->ilabel == 0)
                continue;
            bool ow = !clw_is_zero(a->w) && !clw_is_one(a->w);
            a->w.g = a->w.g + pen;
            bool nw = !clw_is_zero(a->w) && !clw_is_one(a->w);
            if (p)
                p = props_set_arc(p, a->ilabel, a->olabel, ow, a->ilabel, a->olabel, nw);
        }
    }
    c->props = p;
}

/* The states of a compact lattice: the start state's tree first, then 0..n-1. */
static int32_t clat_root(const void *ctx, int32_t i)
{
    const sk_clat *c = ctx;
    return i == 0 ? c->start : i - 1;
}
static int32_t clat_first(const void *ctx, int32_t node)
{
    (void)ctx;
    (void)node;
    return 0;
}
static int32_t clat_next(const void *ctx, int32_t node, int32_t *cursor)
{
    const sk_clat *c = ctx;
    return *cursor < c->states[node].narcs ? c->states[node].arcs[(*cursor)++].nextstate : -1;
}

/* A topological order of the states (DFS finishing order, reversed), or NULL with a cycle. */
static int32_t *top_order(const sk_clat *c)
{
    static const sk_graph_walk walk = { clat_root, clat_first, clat_next };
    return sk_topo_order(c->num_states, c->num_states + 1, &walk, c);
}

int sk_clat_shortest_path(const sk_clat *c, sk_clat *out)
{
    sk_clat_release(out);
    int32_t n = c->num_states;
    if (n == 0 || c->start < 0) {
        SK_WARN("Failure in best-path algorithm for lattice (infinite costs?)");
        return -1;
    }
    /* Kaldi needs a topologically sorted lattice; state ids are renumbered when not. */
    bool sorted = c->start == 0;
    for (int32_t s = 0; sorted && s < n; s++)
        for (int32_t k = 0; sorted && k < c->states[s].narcs; k++)
            sorted = c->states[s].arcs[k].nextstate > s;
    int32_t *order = NULL;
    if (!sorted) {
        order = top_order(c);
        if (!order) {
            SK_WARN("Could not topologically sort lattice: this probably means it has bad "
                    "properties e.g. epsilon cycles.");
            return -1;
        }
    }
    double *cost = malloc(sizeof(double) * ((size_t)n + 1));
    int32_t *pred = malloc(sizeof(int32_t) * ((size_t)n + 1));
    int32_t *path = malloc(sizeof(int32_t) * ((size_t)n + 1));
    if (!cost || !pred || !path) {
        free(cost); free(pred); free(path); free(order);
        SK_ERROR("out of memory");
        return -1;
    }
    for (int32_t s = 0; s <= n; s++) {
        cost[s] = INFINITY;
        pred[s] = -1;
    }
    const int32_t super = n;
    cost[c->start] = 0.0;
    for (int32_t i = 0; i < n; i++) {
        int32_t s = order ? order[i] : i;
        double my = cost[s];
        const sk_clat_state *st = &c->states[s];
        for (int32_t k = 0; k < st->narcs; k++) {
            const sk_clarc *a = &st->arcs[k];
            double nc = my + ((double)a->w.g + (double)a->w.a);
            if (nc < cost[a->nextstate]) {
                cost[a->nextstate] = nc;
                pred[a->nextstate] = s;
            }
        }
        double tf = my + ((double)st->final.g + (double)st->final.a);
        if (tf < cost[super]) {
            cost[super] = tf;
            pred[super] = s;
        }
    }
    int32_t np = 0, cur = super;
    while (cur != c->start) {
        int32_t p = pred[cur];
        if (p < 0 || np > n) {
            free(cost); free(pred); free(path); free(order);
            SK_WARN("Failure in best-path algorithm for lattice (infinite costs?)");
            return -1;
        }
        path[np++] = p;
        cur = p;
    }
    int st = 0;
    for (int32_t i = 0; i < np && !st; i++)
        st = sk_clat_add_state(out) < 0;
    out->start = 0;
    for (int32_t i = 0; i < np && !st; i++) {
        int32_t s = path[np - 1 - i];
        if (i + 1 < np) {
            int32_t t = path[np - 2 - i];
            const sk_clarc *best = NULL;
            for (int32_t k = 0; k < c->states[s].narcs; k++) {
                const sk_clarc *a = &c->states[s].arcs[k];
                if (a->nextstate == t &&
                    (!best || (double)a->w.g + a->w.a < (double)best->w.g + best->w.a))
                    best = a;
            }
            if (!best)
                SK_BUG("no arc between consecutive best-path states");
            st = sk_clat_add_arc(out, i, best->ilabel, best->olabel, best->w.g, best->w.a,
                                 sk_clat_str(c, &best->w), best->w.len, i + 1) < 0;
        } else {
            const sk_clw *fw = &c->states[s].final;
            st = sk_clat_set_final(out, i, fw->g, fw->a, sk_clat_str(c, fw), fw->len) < 0;
        }
    }
    free(cost);
    free(pred);
    free(path);
    free(order);
    return st ? -1 : 0;
}

int sk_lat_linear(const sk_lat *l, int32_t **ali, int32_t *nali, int32_t **words,
                  int32_t *nwords, sk_lw *tot)
{
    *ali = *words = NULL;
    *nali = *nwords = 0;
    float g = 0.0f, a = 0.0f;
    if (l->start < 0) {
        *tot = (sk_lw){ INFINITY, INFINITY };
        return 0;
    }
    int32_t cap = 64;
    *ali = malloc(sizeof(int32_t) * (size_t)cap);
    *words = malloc(sizeof(int32_t) * (size_t)cap);
    int32_t s = l->start, steps = 0;
    while (*ali && *words) {
        const sk_lat_state *st = &l->states[s];
        if (!lw_is_zero(st->final)) {
            if (st->narcs != 0)
                break;
            tot->g = st->final.g + g;
            tot->a = st->final.a + a;
            return 0;
        }
        if (st->narcs != 1 || steps++ > l->num_states)
            break;
        const sk_larc *arc = &st->arcs[0];
        g = arc->w.g + g;
        a = arc->w.a + a;
        if (*nali + 1 >= cap || *nwords + 1 >= cap) {
            cap *= 2;
            int32_t *x = realloc(*ali, sizeof(int32_t) * (size_t)cap);
            int32_t *y = x ? realloc(*words, sizeof(int32_t) * (size_t)cap) : NULL;
            if (x)
                *ali = x;
            if (y)
                *words = y;
            if (!x || !y)
                break;
        }
        if (arc->ilabel)
            (*ali)[(*nali)++] = arc->ilabel;
        if (arc->olabel)
            (*words)[(*nwords)++] = arc->olabel;
        s = arc->nextstate;
    }
    free(*ali);
    free(*words);
    *ali = *words = NULL;
    *nali = *nwords = 0;
    return -1;
}
