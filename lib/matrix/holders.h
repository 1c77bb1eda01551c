/* holders.h — table holders for matrices and vectors (see io/table.h).
 *
 *   sk_holder_mat    float matrix (reads FM, DM, CM*; writes FM); ranges supported
 *   sk_holder_dmat   double matrix (reads DM, FM, CM*; writes DM); ranges supported
 *   sk_holder_vec    float vector (FV; reads DV too); ranges supported
 *   sk_holder_dvec   double vector
 *   sk_holder_cmat   compressed matrix, kept compressed (a copy writes the same bytes); a full
 *                    matrix read into it is compressed with method 1 (as Kaldi); no ranges
 *   sk_holder_gmat   "general" matrix: sk_gmat keeps whichever form was read (compressed or
 *                    full) so a copy writes it back unchanged; a range of a compressed one
 *                    decompresses only the block (result full)
 *
 * Note: Kaldi's copy-feats without --compress reads Matrix<float>, i.e. it decompresses and
 * writes FM; featbin/copy-feats does the same (sk_holder_mat), for byte-identical output.
 */
#ifndef SK_MATRIX_HOLDERS_H
#define SK_MATRIX_HOLDERS_H

#include "io/table.h"
#include "matrix/compressed.h"
#include "matrix/matrix.h"

typedef struct { bool compressed; sk_mat full; sk_cmat cm; } sk_gmat;

void sk_gmat_init(sk_gmat *g);
void sk_gmat_release(sk_gmat *g);
/* The matrix as full floats (decompressed if needed); m resized. */
int sk_gmat_to_mat(const sk_gmat *g, sk_mat *m);
int32_t sk_gmat_rows(const sk_gmat *g);
int32_t sk_gmat_cols(const sk_gmat *g);

extern const sk_holder sk_holder_mat;
extern const sk_holder sk_holder_dmat;
extern const sk_holder sk_holder_vec;
extern const sk_holder sk_holder_dvec;
extern const sk_holder sk_holder_cmat;
extern const sk_holder sk_holder_gmat;

/* The loop of the matrix-to-matrix tools: for each matrix of rspec, fn(key, in, out, ctx)
 * fills out (owned by the loop, reused) and returns 1 to write it under key to wspec, 0 to
 * skip the key, or < 0 to stop. Returns 0, or < 0 when a table cannot be opened, read or
 * written or fn failed (ERROR printed by whoever failed). */
typedef int (*sk_mat_map_fn)(const char *key, const sk_mat *in, sk_mat *out, void *ctx);
int sk_mat_table_map(const char *rspec, const char *wspec, sk_mat_map_fn fn, void *ctx);

#endif
