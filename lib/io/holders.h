/* holders.h — table holders for the non-matrix types (spec/io.md §7.4-7.9).
 *
 * Object types (all with init/release semantics; release frees the data):
 *   sk_int32_vec     alignments, word sequences   (BasicVectorHolder<int32>)
 *   sk_int32_vecvec  (BasicVectorVectorHolder<int32>)
 *   sk_int32_pairvec (BasicPairVectorHolder<int32>)
 *   sk_post          Posterior: per frame a list of (id, weight)
 *   int32_t, float, double, bool  (BasicHolder) — the object is the scalar itself
 *   sk_token         one string (TokenHolder); sk_token_vec: strings (TokenVectorHolder)
 */
#ifndef SK_IO_HOLDERS_H
#define SK_IO_HOLDERS_H

#include <stdint.h>

#include "io/table.h"

typedef struct { int32_t *data; int32_t n; } sk_int32_vec;
typedef struct { sk_int32_vec *v; int32_t n; } sk_int32_vecvec;
typedef struct { int32_t *data; int32_t n; } sk_int32_pairvec;   /* data[2i], data[2i+1] */

typedef struct { int32_t id; float weight; } sk_post_pair;
typedef struct { sk_post_pair *pairs; int32_t n; } sk_post_frame;
typedef struct { sk_post_frame *frames; int32_t n; } sk_post;

typedef struct { char *s; } sk_token;
typedef struct { char **s; int32_t n; } sk_token_vec;

extern const sk_holder sk_holder_int32_vec;
extern const sk_holder sk_holder_int32_vecvec;
extern const sk_holder sk_holder_int32_pairvec;
extern const sk_holder sk_holder_post;
extern const sk_holder sk_holder_int32;
extern const sk_holder sk_holder_float;
extern const sk_holder sk_holder_double;
extern const sk_holder sk_holder_bool;
extern const sk_holder sk_holder_token;
extern const sk_holder sk_holder_token_vec;

/* Helpers for building these objects. All return 0 or SK_EIO on allocation failure. */
int sk_int32_vec_resize(sk_int32_vec *v, int32_t n);     /* new elements are 0 */
void sk_int32_vec_release(sk_int32_vec *v);
int sk_post_resize(sk_post *p, int32_t n_frames);         /* new frames are empty */
int sk_post_frame_add(sk_post_frame *fr, int32_t id, float weight);
void sk_post_release(sk_post *p);
void sk_token_vec_release(sk_token_vec *t);

#endif
