/* fst.h — OpenFst binary files (spec/hmm-and-decoding.md §3): VectorFst and ConstFst with the
 * standard arc (tropical float weight, int32 labels), and text symbol tables (words.txt).
 *
 * A graph is read once into one flat, read-only form whatever its file type: the arcs of state
 * s are arcs[arc_start[s] .. arc_start[s+1]), in file order; final[s] is +inf for a non-final
 * state.
 *
 *     sk_fst *g;
 *     if (sk_fst_read_file("HCLG.fst", &g) < 0) SK_FATAL(...);   // ERROR already printed
 *     for (uint32_t a = g->arc_start[s]; a < g->arc_start[s + 1]; a++) ... g->arcs[a] ...
 *     sk_fst_free(g);
 *
 * Errors (return SK_EIO, ERROR printed with the file name): wrong magic, arc type other than
 * "standard" ("FST with arc type X is not supported."), fst type other than vector/const,
 * bad version, truncated file, out-of-range next states.
 *
 * Ownership: readers allocate *fst; sk_fst_free frees it. sk_fst_header strings are
 * fixed-size buffers inside the struct.
 */
#ifndef SK_FST_FST_H
#define SK_FST_FST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SK_FST_MAGIC 2125659606
#define SK_FST_FLAG_ISYMS 1
#define SK_FST_FLAG_OSYMS 2
#define SK_FST_FLAG_ALIGNED 4

typedef struct {
    int32_t ilabel, olabel;
    float weight;
    int32_t nextstate;
} sk_arc;

typedef struct {
    char fst_type[64];
    char arc_type[64];
    int32_t version;
    int32_t flags;
    uint64_t properties;
    int64_t start, num_states, num_arcs;
} sk_fst_header;

typedef struct {
    int32_t start;          /* -1: empty FST */
    int32_t num_states;
    int64_t num_arcs;
    float *final;           /* [num_states], +inf = not final */
    uint32_t *arc_start;    /* [num_states + 1] */
    sk_arc *arcs;           /* [num_arcs] */
} sk_fst;

/* Header: reads it (and skips any symbol tables the flags announce). `name` is used in
 * messages. Returns 0, SK_EOF at a clean end of input before the first byte, or SK_EIO. */
int sk_fst_read_header(FILE *f, const char *name, sk_fst_header *h);
/* Writes a header (no symbol tables). Returns 0 or SK_EIO. */
int sk_fst_write_header(FILE *f, const sk_fst_header *h);
/* Skip an OpenFst binary SymbolTable. */
int sk_fst_skip_symbols(FILE *f, const char *name);

/* Read a standard-arc VectorFst or ConstFst from a stream (header included). */
int sk_fst_read(FILE *f, const char *name, sk_fst **fst);
/* Read from an rxfilename (file, pipe, "-"). */
int sk_fst_read_file(const char *rxfilename, sk_fst **fst);
/* Write as "vector" (version 2) or "const" (version 2, unaligned), standard arc, no symbols. */
int sk_fst_write(FILE *f, const sk_fst *fst, bool as_const);

/* Build: an FST with n states, no arcs, not final, start -1 (then fill arcs via sk_fst_set_arcs). */
sk_fst *sk_fst_new(int32_t num_states);
/* Replace all arcs: arcs sorted stably by source state (src[i] is the source of arcs[i]). */
int sk_fst_set_arcs(sk_fst *fst, const int32_t *src, const sk_arc *arcs, int64_t n);
void sk_fst_free(sk_fst *fst);

static inline bool sk_fst_is_final(const sk_fst *fst, int32_t s)
{
    return fst->final[s] != __builtin_inff();
}

#endif
