/* lattice.h — Kaldi lattices (spec/hmm-and-decoding.md §5): raw Lattice (arc weight = graph
 * cost, acoustic cost) and CompactLattice (an acceptor on words whose weights also carry the
 * string of transition-ids), in Kaldi's binary (OpenFst "vector" file, arc types "lattice4" /
 * "compactlattice44") and text forms, byte for byte.
 *
 *     sk_seq_reader *r = sk_seq_open("ark:gunzip -c lat.1.gz|", &sk_holder_clat);
 *     for (; !sk_seq_done(r); sk_seq_next(r)) {
 *         sk_clat *cl = sk_seq_value(r);
 *         sk_clat_scale(cl, 1.0, 0.0, 0.0, 0.1);
 *         ...
 *     }
 *
 * States and arcs are kept as OpenFst keeps them (state order, arc order), and the OpenFst
 * property bits read from a file are carried along and updated on change as OpenFst does, so
 * that copying or scaling a lattice writes the bytes Kaldi writes.
 *
 * Ownership: an sk_clat/sk_lat owns all its arrays (strings of a CompactLattice live in its
 * `ints` pool); release frees them. Functions producing a lattice fill a caller-initialised one.
 */
#ifndef SK_LAT_LATTICE_H
#define SK_LAT_LATTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "io/table.h"

/* ---- raw lattice ---- */

typedef struct { float g, a; } sk_lw;      /* (graph cost, acoustic cost); Zero = (inf, inf) */

typedef struct {
    int32_t ilabel, olabel;
    sk_lw w;
    int32_t nextstate;
} sk_larc;

typedef struct {
    sk_lw final;
    sk_larc *arcs;
    int32_t narcs, cap;
} sk_lat_state;

typedef struct {
    int32_t start;               /* -1 if none */
    int32_t num_states, cap;
    sk_lat_state *states;
    uint64_t props;              /* OpenFst property bits (0: compute on write) */
} sk_lat;

/* ---- compact lattice ---- */

typedef struct {
    float g, a;
    uint32_t off;                /* string = ints[off .. off+len) of the owning lattice */
    int32_t len;
} sk_clw;

typedef struct {
    int32_t ilabel, olabel;      /* equal in Kaldi's lattices (an acceptor) */
    sk_clw w;
    int32_t nextstate;
} sk_clarc;

typedef struct {
    sk_clw final;
    sk_clarc *arcs;
    int32_t narcs, cap;
} sk_clat_state;

typedef struct {
    int32_t start;
    int32_t num_states, cap;
    sk_clat_state *states;
    int32_t *ints;               /* string pool */
    size_t nints, cap_ints;
    uint64_t props;
} sk_clat;

void sk_lat_init(sk_lat *l);
void sk_lat_release(sk_lat *l);
int32_t sk_lat_add_state(sk_lat *l);                  /* final = Zero; -1 on OOM */
int sk_lat_add_arc(sk_lat *l, int32_t s, int32_t il, int32_t ol, float g, float a, int32_t next);

void sk_clat_init(sk_clat *c);
void sk_clat_release(sk_clat *c);
int32_t sk_clat_add_state(sk_clat *c);
/* The string is copied into the pool. */
int sk_clat_add_arc(sk_clat *c, int32_t s, int32_t il, int32_t ol, float g, float a,
                    const int32_t *str, int32_t len, int32_t next);
int sk_clat_set_final(sk_clat *c, int32_t s, float g, float a, const int32_t *str, int32_t len);
static inline const int32_t *sk_clat_str(const sk_clat *c, const sk_clw *w)
{
    return c->ints + w->off;
}
int sk_clat_copy(sk_clat *dst, const sk_clat *src);

/* ---- I/O (the table layer has consumed "\0B" in binary mode) ---- */

int sk_clat_read(FILE *f, bool binary, sk_clat *c);   /* also reads a raw Lattice: error */
int sk_clat_write(FILE *f, bool binary, const sk_clat *c);
int sk_lat_read(FILE *f, bool binary, sk_lat *l);     /* a CompactLattice is converted */
int sk_lat_write(FILE *f, bool binary, const sk_lat *l);

extern const sk_holder sk_holder_clat;   /* CompactLatticeHolder */
extern const sk_holder sk_holder_lat;    /* LatticeHolder */
/* Both are no_binary_header holders: a lattice archive written with sk_writer has no "\0B"
 * before a binary lattice, as Kaldi's (a lattice alone in a file is a plain OpenFst file). */

/* ---- the loop of the lattice-to-lattice tools ----
 * Reads rspec with holder h and writes wspec with the same holder. For each lattice,
 * fn(key, lat, &out, ctx) may change lat (the reader's value) and returns 1 to write *out
 * (preset to lat) under key, 0 to skip the key, or < 0 to stop (ERROR printed by fn).
 * *n_written counts the lattices written. Returns 0, or < 0 with an ERROR naming the key or
 * table that failed. */
typedef int (*sk_lat_map_fn)(const char *key, void *lat, const void **out, void *ctx);
int sk_lat_table_map(const char *rspec, const char *wspec, const sk_holder *h, sk_lat_map_fn fn,
                     void *ctx, int *n_written);

/* ---- operations (Kaldi's lattice-functions) ---- */

/* ConvertLattice: CompactLattice -> Lattice (strings spelled out as chains of arcs). */
int sk_clat_to_lat(const sk_clat *c, sk_lat *l);
/* ScaleLattice with [[lm, ac2lm], [lm2ac, ac]]; identity scale leaves the lattice untouched. */
void sk_clat_scale(sk_clat *c, double lm, double ac2lm, double lm2ac, double ac);
/* The same for a raw lattice. */
void sk_lat_scale(sk_lat *l, double lm, double ac2lm, double lm2ac, double ac);
/* AddWordInsPenToCompactLattice: graph cost += pen on every arc with a word. */
void sk_clat_add_word_ins_pen(sk_clat *c, float pen);
/* CompactLatticeShortestPath: the best path as a linear CompactLattice (out initialised).
 * Returns 0, or -1 when there is none (empty lattice, infinite costs; WARNING printed as
 * Kaldi's). */
int sk_clat_shortest_path(const sk_clat *c, sk_clat *out);
/* GetLinearSymbolSequence of a linear lattice: alignment (non-zero ilabels), words (non-zero
 * olabels) and total weight. Arrays malloc'ed (caller frees). Returns 0 or -1 if not linear. */
int sk_lat_linear(const sk_lat *l, int32_t **ali, int32_t *nali, int32_t **words,
                  int32_t *nwords, sk_lw *tot);

/* Text weight formatting as Kaldi/OpenFst print it ("%g", Infinity, -Infinity, BadNumber). */
char *sk_lat_fmt_float(float v, char *buf);

#endif
