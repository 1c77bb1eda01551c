/* htk.c — big-endian HTK feature entries, written as Kaldi's HtkMatrixHolder does. */
#include "feat/htk.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = (v >> 16) & 255; p[2] = (v >> 8) & 255; p[3] = v & 255;
}
static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void h_init(void *o)
{
    sk_htk *h = o;
    memset(h, 0, sizeof *h);
    sk_mat_init(&h->own);
}
static void h_release(void *o)
{
    sk_htk *h = o;
    sk_mat_release(&h->own);
    h_init(h);
}

static int h_write(FILE *f, bool binary, const void *o)
{
    const sk_htk *h = o;
    if (!binary) {
        SK_ERROR("Non-binary HTK-format write not supported.");
        return SK_EIO;
    }
    const sk_mat *m = h->feats;
    unsigned char hd[12];
    put_be32(hd, (uint32_t)m->rows);
    put_be32(hd + 4, (uint32_t)h->sample_period);
    uint16_t size = (uint16_t)(sizeof(float) * m->cols);
    hd[8] = size >> 8; hd[9] = size & 255;
    hd[10] = h->sample_kind >> 8; hd[11] = h->sample_kind & 255;
    if (fwrite(hd, 1, 12, f) != 12)
        goto fail;
    for (int32_t r = 0; r < m->rows; r++)
        for (int32_t c = 0; c < m->cols; c++) {
            uint32_t u;
            float v = SK_MAT(m, r, c);
            memcpy(&u, &v, 4);
            unsigned char b[4];
            put_be32(b, u);
            if (fwrite(b, 1, 4, f) != 4)
                goto fail;
        }
    return 0;
fail:
    SK_ERROR("Error writing HTK features");
    return SK_EIO;
}

/* Parameter-kind bits and base kinds that cannot be read as a float matrix (HTK book 5.10.1). */
enum { HTK_COMPRESSED = 02000, HTK_CHECKSUM = 010000, HTK_VQ = 040000 };
enum { HTK_WAVEFORM = 0, HTK_IREFC = 5, HTK_DISCRETE = 10 };

/* Reads one HTK feature file image: 12-byte big-endian header then the big-endian floats
 * (and, with _K, a 2-byte checksum, which is skipped as Kaldi does). Rows are read in chunks so
 * a corrupt nSamples fails on the missing data, not on a huge allocation. */
static int h_read(FILE *f, bool binary, void *o)
{
    (void)binary;
    sk_htk *h = o;
    unsigned char hd[12];
    size_t got = fread(hd, 1, 12, f);
    if (got != 12) {
        SK_ERROR("Could not read header from HTK feature file (got %zu of 12 bytes)", got);
        return SK_EIO;
    }
    int32_t rows = (int32_t)get_be32(hd);
    int32_t period = (int32_t)get_be32(hd + 4);
    int32_t size = (int16_t)(hd[8] << 8 | hd[9]);
    uint16_t kind = (uint16_t)(hd[10] << 8 | hd[11]);
    int base = kind & 077;
    if (kind & (HTK_COMPRESSED | HTK_VQ)) {
        SK_ERROR("Code to read HTK features does not support compressed features, or "
                 "features with VQ (parameter kind 0%o).", (unsigned)kind);
        return SK_EIO;
    }
    if (base == HTK_WAVEFORM || base == HTK_IREFC || base == HTK_DISCRETE) {
        SK_ERROR("Attempting to read HTK features from unsupported type (e.g. waveform or "
                 "discrete features): parameter kind 0%o.", (unsigned)kind);
        return SK_EIO;
    }
    if (rows < 0 || size <= 0 || size % 4) {
        SK_ERROR("Bad HTK header: %d samples of %d bytes (sample size must be 4 * dim > 0)",
                 (int)rows, (int)size);
        return SK_EIO;
    }
    int32_t cols = size / 4;
    int32_t cap = rows < 4096 ? rows : 4096;
    if (sk_mat_resize(&h->own, cap, cols) < 0)
        return SK_EIO;
    unsigned char *buf = malloc((size_t)size);
    if (!buf) {
        SK_ERROR("Out of memory reading HTK features (%d bytes a sample)", (int)size);
        return SK_EIO;
    }
    int st = 0;
    for (int32_t r = 0; r < rows; r++) {
        if (r == cap) {   /* grow by doubling, keeping the rows read so far */
            int32_t ncap = cap > rows / 2 ? rows : 2 * cap;
            if (sk_mat_resize_keep(&h->own, ncap, cols) < 0) {
                st = SK_EIO;
                break;
            }
            cap = ncap;
        }
        if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
            SK_ERROR("Could not read data from HTK feature file: sample %d of %d (%d x %d) "
                     "is truncated", (int)r, (int)rows, (int)rows, (int)cols);
            st = SK_EIO;
            break;
        }
        for (int32_t c = 0; c < cols; c++) {
            uint32_t u = get_be32(buf + 4 * c);
            float v;
            memcpy(&v, &u, 4);
            SK_MAT(&h->own, r, c) = v;
        }
    }
    free(buf);
    if (st < 0)
        return st;
    if (kind & HTK_CHECKSUM) {
        unsigned char crc[2];
        if (fread(crc, 1, 2, f) != 2)
            SK_WARN("Could not read checksum from HTK feature file");
        kind &= (uint16_t)~HTK_CHECKSUM;
    }
    h->sample_period = period;
    h->sample_kind = kind;
    h->feats = &h->own;
    return 0;
}

const sk_holder sk_holder_htk = {
    .name = "HTK features", .size = sizeof(sk_htk), .init = h_init, .release = h_release,
    .read = h_read, .write = h_write, .no_binary_header = true,
};
