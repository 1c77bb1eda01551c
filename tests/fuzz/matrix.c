/* matrix.c — libFuzzer target for the matrix, vector and compressed-matrix readers.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/matrix.c lib/base/[a-z]*.c lib/io/[a-z]*.c lib/matrix/[a-z]*.c -lopenblas -lm -o fuzz
 *   ASAN_OPTIONS=allocator_may_return_null=1 ./fuzz -max_len=4096 -rss_limit_mb=2048
 *
 * The first input byte picks the holder and the mode; the rest is the object. Each object
 * read successfully is also written back (binary and text), read again and, for binary
 * holders, checked to give the same bytes a second time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "matrix/holders.h"

static void quiet(int sev, const char *line, void *ctx) { (void)sev; (void)line; (void)ctx; }

static int read_mem(const sk_holder *h, const uint8_t *d, size_t n, bool binary, void *obj)
{
    FILE *f = fmemopen((void *)d, n, "r");
    if (!f)
        return -1;
    int st = h->read(f, binary, obj);
    fclose(f);
    return st;
}

static char *write_mem(const sk_holder *h, const void *obj, bool binary, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (h->write(f, binary, obj) < 0)
        abort();
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sk_holder *const holders[] = { &sk_holder_mat, &sk_holder_dmat, &sk_holder_vec,
                                                &sk_holder_dvec, &sk_holder_cmat, &sk_holder_gmat };
    sk_log_set_sink(quiet, NULL);
    if (size < 1)
        return 0;
    const sk_holder *h = holders[(data[0] >> 1) % 6];
    bool binary = data[0] & 1;
    void *obj = calloc(1, h->size), *back = calloc(1, h->size);
    h->init(obj);
    h->init(back);
    if (read_mem(h, data + 1, size - 1, binary, obj) == 0) {
        size_t len, len2;
        char *b = write_mem(h, obj, true, &len);
        if (read_mem(h, (const uint8_t *)b, len, true, back) != 0)
            abort();   /* what we wrote must read back */
        char *b2 = write_mem(h, back, true, &len2);
        if (len != len2 || memcmp(b, b2, len))
            abort();   /* binary round trip is stable */
        free(b);
        free(b2);
        char *t = write_mem(h, obj, false, &len);
        /* text must read back, except into a compressed matrix: a corrupt header can decode
         * to NaN/Inf, which text reading then refuses to compress (a clean error) */
        if (read_mem(h, (const uint8_t *)t, len, false, back) != 0 && h != &sk_holder_cmat)
            abort();
        free(t);
        if (h->extract_range) {
            void *r = calloc(1, h->size);
            h->init(r);
            h->extract_range(obj, "0:1,0:0", r);
            h->extract_range(obj, "1:2", r);
            h->release(r);
            free(r);
        }
    }
    h->release(obj);
    h->release(back);
    free(obj);
    free(back);
    return 0;
}
