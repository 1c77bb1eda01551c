/* holders.h — table holders for matrices and vectors (see io/table.h).
 *
 *   sk_holder_mat    float matrix (reads FM, DM, CM*; writes FM); ranges supported
 *   sk_holder_dmat   double matrix (reads DM, FM, CM*; writes DM); ranges supported
 *   sk_holder_vec    float vector (FV; reads DV too); ranges supported
 *   sk_holder_dvec   double vector
 *   sk_holder_cmat   compressed matrix, kept compressed (copy-feats of compressed data writes
 *                    the same bytes); reading an FM/DM into it is an error
 *   sk_holder_gmat   "general" matrix: sk_gmat keeps whichever form was read (compressed or
 *                    full) so a copy writes it back unchanged
 */
#ifndef SK_MATRIX_HOLDERS_H
#define SK_MATRIX_HOLDERS_H

#include "io/table.h"
#include "matrix/compressed.h"
#include "matrix/matrix.h"

typedef struct { bool compressed; sk_mat full; sk_cmat cm; } sk_gmat;

extern const sk_holder sk_holder_mat;
extern const sk_holder sk_holder_dmat;
extern const sk_holder sk_holder_vec;
extern const sk_holder sk_holder_dvec;
extern const sk_holder sk_holder_cmat;
extern const sk_holder sk_holder_gmat;

#endif
