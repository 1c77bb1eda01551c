/* libFuzzer target: archives of every io holder, read sequentially, by random access, and as
 * a single object. The first input byte picks the holder and the reader; the rest is the file.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE tests/fuzz/io_archive.c \
 *         lib/io/kio.c lib/io/stream.c lib/io/table.c lib/io/holders.c lib/base/log.c \
 *         lib/base/opts.c -o fuzz-io && ./fuzz-io -max_total_time=60
 *
 * The data goes through a memfd so that the table layer sees an ordinary file name.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/log.h"
#include "io/holders.h"
#include "io/table.h"

static void quiet(int sev, const char *line, void *ctx) { (void)sev; (void)line; (void)ctx; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sk_holder *holders[] = {
        &sk_holder_int32_vec, &sk_holder_int32_vecvec, &sk_holder_int32_pairvec, &sk_holder_post,
        &sk_holder_int32, &sk_holder_float, &sk_holder_double, &sk_holder_bool, &sk_holder_token,
        &sk_holder_token_vec,
    };
    if (size < 1)
        return 0;
    sk_log_set_sink(quiet, NULL);
    const sk_holder *h = holders[data[0] % 10];
    int mode = (data[0] / 10) % 4;
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
        close(fd);
        return 0;
    }
    char name[64], spec[96];
    snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
    if (mode == 0 || mode == 1) {
        snprintf(spec, sizeof spec, mode ? "ark,p:%s" : "ark:%s", name);
        sk_seq_reader *r = sk_seq_open(spec, h);
        for (; r && !sk_seq_done(r); sk_seq_next(r))
            (void)sk_seq_value(r);
        sk_seq_close(r);
    } else if (mode == 2) {
        snprintf(spec, sizeof spec, "ark,s:%s", name);
        sk_ra_reader *r = sk_ra_open(spec, h);
        if (r) {
            (void)sk_ra_has_key(r, "b");
            (void)sk_ra_value_quiet(r, "zzzz");
            sk_ra_close(r);
        }
    } else {
        char obj[256] = { 0 };
        if (h->size <= sizeof obj) {
            h->init(obj);
            sk_read_object(name, h, obj);
            h->release(obj);
        }
    }
    close(fd);
    return 0;
}
