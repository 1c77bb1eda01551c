/* kio.h — Kaldi's binary/text encoding of basic types and tokens (spec/io.md §6).
 *
 * All functions take the stream and the mode (binary or text). Readers return 0 on success and
 * a negative status on failure, after printing an ERROR line that names the stream position
 * (the stream's name is added by the table layer). Writers return 0 or SK_EIO (write errors
 * are also caught at close).
 *
 *     sk_write_token(f, binary, "<Nnet>");
 *     sk_write_int32(f, binary, dim);
 *     if (sk_expect_token(f, binary, "<Nnet>") < 0) return SK_EIO;
 *     int32_t dim; if (sk_read_int32(f, binary, &dim) < 0) return SK_EIO;
 *
 * Text floats are printed as "%.7g" (Kaldi sets precision 7), each value followed by a space.
 */
#ifndef SK_IO_KIO_H
#define SK_IO_KIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest token the readers accept (tokens longer than this are an error). */
#define SK_TOKEN_MAX 1024

/* "\0B" header: write when binary; read: sets *binary (consumes the two bytes if present). */
int sk_write_binary_header(FILE *f, bool binary);
int sk_read_binary_header(FILE *f, bool *binary);

int sk_write_token(FILE *f, bool binary, const char *tok);
/* Reads a whitespace-delimited token into buf (size SK_TOKEN_MAX+1), consumes one whitespace. */
int sk_read_token(FILE *f, bool binary, char *buf);
/* Reads a token and checks it (Kaldi's ExpectToken; "<X>" also accepts "X>"). */
int sk_expect_token(FILE *f, bool binary, const char *tok);
/* Next token's first char, skipping a leading '<' (text: after whitespace); EOF -> -1.
 * Does not consume the token. */
int sk_peek_token(FILE *f, bool binary);
/* Next character (text: after skipping whitespace), not consumed; EOF -> -1. */
int sk_peek(FILE *f, bool binary);

int sk_write_int32(FILE *f, bool binary, int32_t v);
int sk_read_int32(FILE *f, bool binary, int32_t *v);
int sk_write_int64(FILE *f, bool binary, int64_t v);
int sk_read_int64(FILE *f, bool binary, int64_t *v);
int sk_write_uint16(FILE *f, bool binary, uint16_t v);
int sk_read_uint16(FILE *f, bool binary, uint16_t *v);
int sk_write_float(FILE *f, bool binary, float v);
int sk_read_float(FILE *f, bool binary, float *v);     /* binary accepts a stored double too */
int sk_write_double(FILE *f, bool binary, double v);
int sk_read_double(FILE *f, bool binary, double *v);   /* binary accepts a stored float too */
int sk_write_bool(FILE *f, bool binary, bool v);
int sk_read_bool(FILE *f, bool binary, bool *v);

/* WriteIntegerVector (io.md 6.5): int32 vectors inside objects. *v is malloc'ed (caller frees),
 * *n its length. */
int sk_write_int32_vector(FILE *f, bool binary, const int32_t *v, int32_t n);
int sk_read_int32_vector(FILE *f, bool binary, int32_t **v, int32_t *n);
/* WriteIntegerPairVector: pairs stored interleaved (v[2i], v[2i+1]); n = number of pairs. */
int sk_write_int32_pair_vector(FILE *f, bool binary, const int32_t *v, int32_t n);
int sk_read_int32_pair_vector(FILE *f, bool binary, int32_t **v, int32_t *n);

/* "%.7g" as C++ stream precision 7 prints it (incl. inf, -inf, nan). buf >= 32 bytes. */
char *sk_fmt_float7(double v, char *buf);
/* Print one text number as Kaldi does: "%.7g" then a space. */
int sk_write_text_float(FILE *f, double v);

/* Parse a float/double word as C++ >> does (strtof/strtod semantics, plus inf/nan words). */
bool sk_parse_text_float(const char *s, float *out);
bool sk_parse_text_double(const char *s, double *out);

/* Skip whitespace; return the next char without consuming (-1 at EOF). */
int sk_skip_ws(FILE *f);

/* For readers of objects whose size comes from a header (a corrupt size must not make us
 * allocate gigabytes): sk_stream_plan returns 0 to read `need` bytes directly (small, or a
 * regular file with that many bytes left), 1 to read them with sk_read_bytes (large, stream
 * of unknown size), or SK_EIO (ERROR printed) when the file is too short. sk_read_bytes
 * returns n bytes in a malloc'ed buffer (caller frees) that grows as the data arrives, or
 * NULL (ERROR printed) at end of file. */
int sk_stream_plan(FILE *f, uint64_t need, const char *what);
void *sk_read_bytes(FILE *f, size_t n, const char *what);

#endif
