/* compressed.h — Kaldi's CompressedMatrix: CM, CM2, CM3 (spec/io.md §7.3), bit-exact.
 *
 * Methods as copy-feats --compression-method: 1 auto, 2 speech-feature (CM), 3 two-byte-auto
 * (CM2), 4 two-byte-signed-integer (CM2), 5 one-byte-auto (CM3), 6 one-byte-unsigned-integer
 * (CM3), 7 one-byte-zero-one (CM3).
 *
 * The compressed bytes are kept exactly as Kaldi writes them, so reading and writing back a
 * compressed matrix is byte-identical.
 *
 *     sk_cmat c; sk_cmat_init(&c);
 *     if (sk_cmat_compress(&feats, 2, &c) < 0) ...;   // ERROR printed
 *     sk_cmat_write(f, true, &c);
 *     sk_cmat_release(&c);
 *
 * Ownership: an sk_cmat owns `data` (malloc'ed by compress/read/copy, freed by release; these
 * functions release what the sk_cmat held before). sk_cmat_decompress* resize the caller's
 * sk_mat. Exactness: compression rounds as Kaldi on x86 (no FMA; float->int conversions that
 * overflow or see NaN give INT_MIN, io.md 7.3.2), decompression is bit-exact (7.3.1).
 */
#ifndef SK_MATRIX_COMPRESSED_H
#define SK_MATRIX_COMPRESSED_H

#include <stdint.h>
#include <stdio.h>

#include "matrix/matrix.h"

typedef struct {
    int format;           /* 1 = CM, 2 = CM2, 3 = CM3; 0 = empty */
    float min_value, range;
    int32_t rows, cols;
    uint8_t *data;        /* payload after the 16-byte header (malloc'ed) */
    size_t data_len;
} sk_cmat;

void sk_cmat_init(sk_cmat *c);
void sk_cmat_release(sk_cmat *c);
/* dst (initialised) becomes a copy of src; 0 or SK_EIO. */
int sk_cmat_copy(sk_cmat *dst, const sk_cmat *src);
/* Compress with a method 1..7. NaN/Inf with methods 1,2,3,5 is an error (Kaldi's message). */
int sk_cmat_compress(const sk_mat *m, int method, sk_cmat *c);
/* Decompress all of c into m (resized), or the block rows [r0, r0+nr) x cols [c0, c0+nc). */
int sk_cmat_decompress(const sk_cmat *c, sk_mat *m);
int sk_cmat_decompress_block(const sk_cmat *c, int32_t r0, int32_t nr, int32_t c0, int32_t nc,
                             sk_mat *m);
/* Binary form; text mode writes the decompressed matrix as a text FM, and text reading reads
 * a text matrix and compresses it with method 1 (as Kaldi). The reader expects the token
 * (CM/CM2/CM3) not yet consumed. The empty form (format 0) is written as "CM " + 20 bytes
 * like Kaldi; the reader also consumes the 4 trailing zero bytes Kaldi's own reader leaves. */
int sk_cmat_read(FILE *f, bool binary, sk_cmat *c);
int sk_cmat_write(FILE *f, bool binary, const sk_cmat *c);

#endif
