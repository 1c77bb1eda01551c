/* htk.c — big-endian HTK feature entries, written as Kaldi's HtkMatrixHolder does. */
#include "feat/htk.h"

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

static int h_read(FILE *f, bool binary, void *o)
{
    (void)binary;
    sk_htk *h = o;
    unsigned char hd[12];
    if (fread(hd, 1, 12, f) != 12) {
        SK_ERROR("Could not read header from HTK feature file.");
        return SK_EIO;
    }
    int32_t rows = (int32_t)get_be32(hd);
    h->sample_period = (int32_t)get_be32(hd + 4);
    int32_t size = hd[8] << 8 | hd[9];
    h->sample_kind = (uint16_t)(hd[10] << 8 | hd[11]);
    if (rows < 0 || size % 4) {
        SK_ERROR("Bad HTK header: %d samples of %d bytes", rows, size);
        return SK_EIO;
    }
    if (sk_mat_resize(&h->own, rows, size / 4) < 0)
        return SK_EIO;
    for (int32_t r = 0; r < rows; r++)
        for (int32_t c = 0; c < size / 4; c++) {
            unsigned char b[4];
            if (fread(b, 1, 4, f) != 4) {
                SK_ERROR("Could not read data from HTK feature file.");
                return SK_EIO;
            }
            uint32_t u = get_be32(b);
            float v;
            memcpy(&v, &u, 4);
            SK_MAT(&h->own, r, c) = v;
        }
    h->feats = &h->own;
    return 0;
}

const sk_holder sk_holder_htk = {
    .name = "HTK features", .size = sizeof(sk_htk), .init = h_init, .release = h_release,
    .read = h_read, .write = h_write, .no_binary_header = true,
};
