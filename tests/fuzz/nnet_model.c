/* nnet_model.c — libFuzzer target for the nnet1 model reader (binary and text) and the
 * prototype parser's component initialisation.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
 *       tests/fuzz/nnet_model.c lib/base/[a-z]*.c lib/io/[a-z]*.c lib/matrix/[a-z]*.c \
 *       lib/compute/[a-z]*.c lib/nnet/[a-z]*.c -lopenblas -lm -o fuzz
 *   ASAN_OPTIONS=allocator_may_return_null=1 ./fuzz -max_len=4096 -rss_limit_mb=2048
 *
 * The first byte picks binary or text. A network read successfully is written back, read
 * again, written again: the two writes must be the same bytes; and it is forwarded once on a
 * small input so every component's propagate runs on whatever the reader accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "compute/backend.h"
#include "nnet/nnet.h"

static void quiet(int sev, const char *line, void *ctx) { (void)sev; (void)line; (void)ctx; }

static char *write_mem(const sk_nnet *nn, bool binary, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (sk_nnet_write(nn, f, binary) < 0)
        abort();
    fclose(f);
    return buf;
}

static sk_nnet *read_mem(const void *d, size_t n, bool binary)
{
    sk_nnet *nn = sk_nnet_new(sk_backend_cpu());
    FILE *f = fmemopen((void *)d, n, "r");
    if (!f || sk_nnet_read(nn, f, binary) < 0) {
        if (f)
            fclose(f);
        sk_nnet_free(nn);
        return NULL;
    }
    fclose(f);
    return nn;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_log_set_sink(quiet, NULL);
    if (size < 1)
        return 0;
    bool binary = data[0] & 1;
    sk_nnet *nn = read_mem(data + 1, size - 1, binary);
    if (!nn)
        return 0;
    size_t l1, l2;
    char *w1 = write_mem(nn, binary, &l1);
    sk_nnet *again = read_mem(w1, l1, binary);
    if (!again)
        abort();
    char *w2 = write_mem(again, binary, &l2);
    if (l1 != l2 || memcmp(w1, w2, l1))
        abort();
    if (sk_nnet_num_components(nn) && sk_nnet_check(nn) == 0) {
        const sk_backend *be = sk_backend_cpu();
        sk_bmat x;
        if (be->mat_alloc(be, &x, 3, sk_nnet_input_dim(nn)) == 0) {
            sk_nnet_propagate(nn, &x);
            be->mat_free(be, &x);
        }
    }
    free(w1);
    free(w2);
    sk_nnet_free(again);
    sk_nnet_free(nn);
    return 0;
}
