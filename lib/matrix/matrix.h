/* matrix.h — float and double matrices and vectors, row-major, on OpenBLAS.
 *
 * Invariants (public structs, like git's strbuf): element (r, c) is data[r * stride + c];
 * stride >= cols; an owning matrix has `owned` set and its data came from sk_mat_resize
 * (64-byte aligned, rows padded so stride is a multiple of 16 floats / 8 doubles). A view
 * (sk_mat_view) borrows data and must not be released. An empty matrix has data NULL, rows
 * and cols 0.
 *
 *     sk_mat m; sk_mat_init(&m);
 *     sk_mat_resize(&m, 10, 40);          // zeroed
 *     SK_MAT(&m, 3, 5) = 1.0f;
 *     sk_mat_release(&m);
 *
 * Ownership: sk_mat/sk_dmat/sk_vec/sk_dvec own their data when `owned`; resize, copy and the
 * readers (re)allocate it, release frees it. Functions that fill a matrix (readers, copy,
 * extract_range, from_dmat) resize their destination, which must be initialised and must not
 * be a view.
 *
 * Reading/writing in Kaldi's formats (spec/io.md §7.1-7.2): sk_mat_read accepts FM, DM (with
 * conversion) and compressed CM/CM2/CM3 (decompressed exactly); sk_mat_write writes FM.
 */
#ifndef SK_MATRIX_MATRIX_H
#define SK_MATRIX_MATRIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct { float *data; int32_t rows, cols, stride; bool owned; } sk_mat;
typedef struct { double *data; int32_t rows, cols, stride; bool owned; } sk_dmat;
typedef struct { float *data; int32_t dim; bool owned; } sk_vec;
typedef struct { double *data; int32_t dim; bool owned; } sk_dvec;

#define SK_MAT(m, r, c) ((m)->data[(size_t)(r) * (m)->stride + (c)])
#define SK_ROW(m, r) ((m)->data + (size_t)(r) * (m)->stride)

void sk_mat_init(sk_mat *m);
/* Resize to rows x cols, contents zeroed. Returns 0 or SK_EIO (out of memory, ERROR printed). */
int sk_mat_resize(sk_mat *m, int32_t rows, int32_t cols);
/* Resize keeping the top-left contents that fit; new elements zero. */
int sk_mat_resize_keep(sk_mat *m, int32_t rows, int32_t cols);
void sk_mat_release(sk_mat *m);
int sk_mat_copy(sk_mat *dst, const sk_mat *src);     /* dst resized */
sk_mat sk_mat_view(const sk_mat *m, int32_t r0, int32_t nr, int32_t c0, int32_t nc);
void sk_mat_set_zero(sk_mat *m);

void sk_dmat_init(sk_dmat *m);
int sk_dmat_resize(sk_dmat *m, int32_t rows, int32_t cols);
void sk_dmat_release(sk_dmat *m);
int sk_dmat_copy(sk_dmat *dst, const sk_dmat *src);
int sk_mat_from_dmat(sk_mat *dst, const sk_dmat *src);
int sk_dmat_from_mat(sk_dmat *dst, const sk_mat *src);

void sk_vec_init(sk_vec *v);
int sk_vec_resize(sk_vec *v, int32_t dim);
void sk_vec_release(sk_vec *v);
int sk_vec_copy(sk_vec *dst, const sk_vec *src);
void sk_dvec_init(sk_dvec *v);
int sk_dvec_resize(sk_dvec *v, int32_t dim);
void sk_dvec_release(sk_dvec *v);
int sk_dvec_copy(sk_dvec *dst, const sk_dvec *src);

/* Kaldi formats. Readers: m must be initialised; it is resized. Return 0 or < 0 (ERROR). */
int sk_mat_read(FILE *f, bool binary, sk_mat *m);
int sk_mat_write(FILE *f, bool binary, const sk_mat *m);
int sk_dmat_read(FILE *f, bool binary, sk_dmat *m);
int sk_dmat_write(FILE *f, bool binary, const sk_dmat *m);
int sk_vec_read(FILE *f, bool binary, sk_vec *v);
int sk_vec_write(FILE *f, bool binary, const sk_vec *v);
int sk_dvec_read(FILE *f, bool binary, sk_dvec *v);
int sk_dvec_write(FILE *f, bool binary, const sk_dvec *v);

/* Ranges "r1:r2" / "r1:r2,c1:c2" (io.md 4.2): dst = the sub-block of src. */
int sk_mat_extract_range(const sk_mat *src, const char *range, sk_mat *dst);
int sk_dmat_extract_range(const sk_dmat *src, const char *range, sk_dmat *dst);
int sk_vec_extract_range(const sk_vec *src, const char *range, sk_vec *dst);
int sk_dvec_extract_range(const sk_dvec *src, const char *range, sk_dvec *dst);
/* Parse and check a range against a rows x cols matrix (is_matrix) or a vector of dimension
 * `rows` (cols ignored): on success the inclusive bounds, clipped to the object (with
 * Kaldi's warning for up to 3 rows past the end); else ERROR and SK_EINVAL. dst may be src
 * in the extract functions. */
int sk_parse_range(const char *range, int32_t rows, int32_t cols, bool is_matrix,
                   int32_t *r1, int32_t *r2, int32_t *c1, int32_t *c2);

/* ---- element-wise operations (as Kaldi's MatrixBase methods; work on views too) ---- */
/* dst = src; both the same size (dst may be a view into a larger matrix). */
void sk_mat_copy_from(sk_mat *dst, const sk_mat *src);
void sk_mat_scale(sk_mat *m, float alpha);
/* dst += alpha * src (same size). */
void sk_mat_add_mat(sk_mat *dst, float alpha, const sk_mat *src);
void sk_dmat_add_mat(sk_dmat *dst, double alpha, const sk_dmat *src);
void sk_mat_apply_floor(sk_mat *m, float floor_val);
/* logf of each element; a negative element is an error (ERROR printed, SK_EINVAL). */
int sk_mat_apply_log(sk_mat *m);
void sk_mat_apply_exp(sk_mat *m);
/* x^power (2: x*x, 0.5: sqrt, error on a negative; else powf, error on HUGE_VAL). */
int sk_mat_apply_pow(sk_mat *m, float power);
/* Each row replaced by its softmax (max subtracted, float sum, scaled by 1/sum). */
void sk_mat_apply_softmax_rows(sk_mat *m);

/* ---- BLAS-backed arithmetic (float) ---- */
/* C = alpha * op(A) * op(B) + beta * C; C must already have the right size. */
void sk_gemm(bool trans_a, bool trans_b, float alpha, const sk_mat *a, const sk_mat *b,
             float beta, sk_mat *c);
/* y = alpha * op(A) x + beta y */
void sk_gemv(bool trans_a, float alpha, const sk_mat *a, const float *x, float beta, float *y);
float sk_dot(int32_t n, const float *x, const float *y);

#endif
