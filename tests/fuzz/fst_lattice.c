/* libFuzzer target: OpenFst graphs (standard arc, vector/const) and Kaldi lattices (compact
 * and raw, binary and text) read from arbitrary bytes; what reads back is written again and
 * used (best path, determinization), so a reader that accepts something inconsistent shows
 * up as a crash. The first byte picks the reader.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE tests/fuzz/fst_lattice.c \
 *         lib/fst/fst.c lib/lat/lattice.c lib/lat/latgen.c lib/fst/decoder.c lib/io/kio.c \
 *         lib/base/log.c lib/base/opts.c -o fuzz-fst && ./fuzz-fst -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "fst/fst.h"
#include "lat/latgen.h"
#include "lat/lattice.h"

static void quiet(int sev, const char *line, void *ctx) { (void)sev; (void)line; (void)ctx; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sk_log_set_sink(quiet, NULL);
    int which = data[0] % 5;
    FILE *f = fmemopen((void *)(data + 1), size - 1 > 0 ? size - 1 : 1, "rb");
    if (!f)
        return 0;
    if (size == 1)
        fgetc(f);
    char *out = NULL;
    size_t olen = 0;
    FILE *o = open_memstream(&out, &olen);
    if (which == 0) {
        sk_fst *g = NULL;
        if (sk_fst_read(f, "fuzz", &g) == 0) {
            sk_fst_write(o, g, data[0] & 8);
            sk_fst_free(g);
        }
    } else if (which <= 2) {
        sk_clat c, b;
        sk_clat_init(&c);
        sk_clat_init(&b);
        if (sk_clat_read(f, which == 1, &c) == 0) {
            sk_clat_write(o, true, &c);
            sk_clat_write(o, false, &c);
            sk_clat_scale(&c, 1.0, 0.0, 0.0, 0.1);
            if (sk_clat_shortest_path(&c, &b) == 0) {
                sk_lat l;
                sk_lat_init(&l);
                int32_t *ali, *w, na, nw;
                sk_lw tot;
                if (sk_clat_to_lat(&b, &l) == 0 && sk_lat_linear(&l, &ali, &na, &w, &nw, &tot) == 0) {
                    free(ali);
                    free(w);
                }
                sk_lat_release(&l);
            }
        }
        sk_clat_release(&c);
        sk_clat_release(&b);
    } else {
        sk_lat l;
        sk_clat c;
        sk_lat_init(&l);
        sk_clat_init(&c);
        if (sk_lat_read(f, which == 3, &l) == 0) {
            sk_lat_write(o, true, &l);
            sk_lat_write(o, false, &l);
            sk_lat_determinize(&l, 5.0f, 1e6, &c); /* refuses unsorted input cleanly */
        }
        sk_lat_release(&l);
        sk_clat_release(&c);
    }
    fclose(o);
    free(out);
    fclose(f);
    return 0;
}
