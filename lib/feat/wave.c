/* wave.c — Kaldi's WAV reader/writer (exact accept/refuse rules and messages, spec §1) and a
 * libsndfile path for other audio formats (FLAC, Ogg, AIFF, ...) recognised by their magic. */
#include "feat/wave.h"

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/stream.h"

void sk_wave_init(sk_wave *w)
{
    w->data = NULL;
    w->num_channels = 0;
    w->num_samples = 0;
    w->samp_freq = 0.0f;
}

void sk_wave_release(sk_wave *w)
{
    free(w->data);
    sk_wave_init(w);
}

static int wave_alloc(sk_wave *w, int32_t ch, int64_t n)
{
    free(w->data);
    w->data = NULL;
    w->num_channels = ch;
    w->num_samples = n;
    size_t sz = (size_t)ch * (size_t)n;
    if (sz == 0)
        return 0;
    w->data = malloc(sizeof(float) * sz);
    if (!w->data) {
        SK_ERROR("out of memory for a wave of %d x %lld samples", ch, (long long)n);
        return SK_EIO;
    }
    return 0;
}

int sk_wave_copy(sk_wave *dst, const sk_wave *src)
{
    if (dst == src)
        return 0;
    if (wave_alloc(dst, src->num_channels, src->num_samples) < 0)
        return SK_EIO;
    if (dst->data)
        memcpy(dst->data, src->data, sizeof(float) * src->num_channels * src->num_samples);
    dst->samp_freq = src->samp_freq;
    return 0;
}

int sk_wave_segment(const sk_wave *src, int64_t first, int64_t n, sk_wave *dst)
{
    if (first < 0 || n < 0 || first + n > src->num_samples)
        SK_BUG("segment %lld+%lld out of range %lld", (long long)first, (long long)n,
               (long long)src->num_samples);
    if (wave_alloc(dst, src->num_channels, n) < 0)
        return SK_EIO;
    for (int32_t c = 0; c < src->num_channels; c++)
        memcpy(dst->data + (size_t)c * n, src->data + (size_t)c * src->num_samples + first,
               sizeof(float) * n);
    dst->samp_freq = src->samp_freq;
    return 0;
}

/* ---- Kaldi's RIFF reader ---- */

typedef struct {
    FILE *f;
    bool big;          /* RIFX */
    bool eof;
} rd;

static bool rd_bytes(rd *r, void *buf, size_t n)
{
    if (fread(buf, 1, n, r->f) != n) {
        r->eof = true;
        return false;
    }
    return true;
}

static bool rd_u32(rd *r, uint32_t *v)
{
    unsigned char b[4];
    if (!rd_bytes(r, b, 4))
        return false;
    *v = r->big ? ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3])
                : ((uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0]);
    return true;
}

static bool rd_u16(rd *r, uint16_t *v)
{
    unsigned char b[2];
    if (!rd_bytes(r, b, 2))
        return false;
    *v = r->big ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
    return true;
}

static bool rd_skip(rd *r, uint32_t n)
{
    char buf[4096];
    while (n > 0) {
        size_t k = n < sizeof buf ? n : sizeof buf;
        if (fread(buf, 1, k, r->f) != k) {
            r->eof = true;
            return false;
        }
        n -= (uint32_t)k;
    }
    return true;
}

static const char *tag_str(const char t[4], char out[5])
{
    memcpy(out, t, 4);
    out[4] = 0;
    return out;
}

static int read_all_stream(FILE *f, unsigned char **buf, size_t *len, size_t have_cap)
{
    size_t cap = have_cap > 65536 ? have_cap : 65536, n = 0;
    unsigned char *b = malloc(cap);
    if (!b)
        return SK_EIO;
    for (;;) {
        if (n == cap) {
            unsigned char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return SK_EIO;
            }
            b = nb;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* int16 interleaved frames -> channel-major floats (row c starts at data + c * stride). */
static void convert_samples(const unsigned char *p, int64_t frames, int32_t ch, bool big,
                            float *data, int64_t stride, int64_t at)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (ch == 1 && !big) {
        float *o = data + at;
        for (int64_t i = 0; i < frames; i++) {
            int16_t v;
            memcpy(&v, p + 2 * i, 2);
            o[i] = (float)v;
        }
        return;
    }
#endif
    for (int64_t i = 0; i < frames; i++)
        for (int32_t c = 0; c < ch; c++, p += 2) {
            int16_t v = big ? (int16_t)(p[0] << 8 | p[1]) : (int16_t)(p[1] << 8 | p[0]);
            data[(size_t)c * stride + at + i] = (float)v;
        }
}

#define RD_EOF() do { SK_ERROR("WaveData: unexpected end of file or read error"); return SK_EIO; } while (0)

static int read_sndfile_mem(const unsigned char *buf, size_t len, sk_wave *w, const char *what);

int sk_wave_read(FILE *f, sk_wave *w, bool header_only)
{
    rd r = { f, false, false };
    char tag[4], ts[5];
    if (!rd_bytes(&r, tag, 4))
        RD_EOF();
    if (!memcmp(tag, "RIFX", 4))
        r.big = true;
    else if (memcmp(tag, "RIFF", 4)) {
        /* not Kaldi's format: other formats libsndfile knows, by their magic */
        static const char *magic[] = { "fLaC", "OggS", "FORM", ".snd", "caff", "RF64", "wvpk" };
        for (size_t i = 0; i < sizeof magic / sizeof *magic; i++)
            if (!memcmp(tag, magic[i], 4)) {
                unsigned char *rest;
                size_t n;
                if (read_all_stream(f, &rest, &n, 0) < 0)
                    RD_EOF();
                unsigned char *all = malloc(n + 4);
                if (!all) {
                    free(rest);
                    RD_EOF();
                }
                memcpy(all, tag, 4);
                memcpy(all + 4, rest, n);
                free(rest);
                int st = read_sndfile_mem(all, n + 4, w, tag_str(tag, ts));
                free(all);
                return st;
            }
        SK_ERROR("WaveData: expected RIFF or RIFX, got %s", tag_str(tag, ts));
        return SK_EIO;
    }
    uint32_t riff_size;
    if (!rd_u32(&r, &riff_size) || !rd_bytes(&r, tag, 4))
        RD_EOF();
    if (memcmp(tag, "WAVE", 4)) {
        SK_ERROR("WaveData: expected WAVE, got %s", tag_str(tag, ts));
        return SK_EIO;
    }
    uint32_t riff_used = 4;  /* bytes of the RIFF chunk consumed so far ("WAVE") */
    for (;;) {
        if (!rd_bytes(&r, tag, 4))
            RD_EOF();
        if (!memcmp(tag, "fmt ", 4))
            break;
        uint32_t sz;
        if (!rd_u32(&r, &sz) || !rd_skip(&r, sz))
            RD_EOF();
        riff_used += 8 + sz;
    }
    uint32_t fmt_size, sample_rate, byte_rate;
    uint16_t audio_format, num_channels, block_align, bits;
    if (!rd_u32(&r, &fmt_size) || !rd_u16(&r, &audio_format) || !rd_u16(&r, &num_channels) ||
        !rd_u32(&r, &sample_rate) || !rd_u32(&r, &byte_rate) || !rd_u16(&r, &block_align) ||
        !rd_u16(&r, &bits))
        RD_EOF();
    uint32_t parsed = 16;
    if (audio_format == 1) {
        if (fmt_size < 16) {
            SK_ERROR("WaveData: expect PCM format data to have fmt chunk of at least size 16.");
            return SK_EIO;
        }
    } else if (audio_format == 0xFFFE) {
        uint16_t extra, valid;
        uint32_t mask, guid[4];
        if (!rd_u16(&r, &extra))
            RD_EOF();
        if (fmt_size < 40 || extra < 22) {
            SK_ERROR("WaveData: malformed WAVE_FORMAT_EXTENSIBLE format data.");
            return SK_EIO;
        }
        if (!rd_u16(&r, &valid) || !rd_u32(&r, &mask) || !rd_u32(&r, &guid[0]) ||
            !rd_u32(&r, &guid[1]) || !rd_u32(&r, &guid[2]) || !rd_u32(&r, &guid[3]))
            RD_EOF();
        if (guid[0] != 0x00000001 || guid[1] != 0x00100000 || guid[2] != 0xAA000080 ||
            guid[3] != 0x719B3800) {
            SK_ERROR("WaveData: unsupported WAVE_FORMAT_EXTENSIBLE format.");
            return SK_EIO;
        }
        parsed = 40;
    } else {
        SK_ERROR("WaveData: can read only PCM data, format id in file is: %u", audio_format);
        return SK_EIO;
    }
    if (fmt_size > parsed && !rd_skip(&r, fmt_size - parsed))
        RD_EOF();
    riff_used += 8 + (fmt_size > parsed ? fmt_size : parsed);
    if (num_channels == 0) {
        SK_ERROR("WaveData: no channels present");
        return SK_EIO;
    }
    if (bits != 16) {
        SK_ERROR("WaveData: unsupported bits_per_sample = %u", bits);
        return SK_EIO;
    }
    if (byte_rate != sample_rate * 2u * num_channels) {
        SK_ERROR("Unexpected byte rate %u vs. %u * 2 * %u", byte_rate, sample_rate, num_channels);
        return SK_EIO;
    }
    if (block_align != 2u * num_channels) {
        SK_ERROR("Unexpected block_align: %u vs. %u * 2", block_align, num_channels);
        return SK_EIO;
    }
    for (;;) {
        if (!rd_bytes(&r, tag, 4))
            RD_EOF();
        if (!memcmp(tag, "data", 4))
            break;
        uint32_t sz;
        if (!rd_u32(&r, &sz))
            RD_EOF();
        if (!memcmp(tag, "fact", 4) && sz != 4)
            SK_WARN("Expected fact chunk to be 4 bytes long.");
        if (!rd_skip(&r, sz))
            RD_EOF();
        riff_used += 8 + sz;
    }
    uint32_t data_size;
    if (!rd_u32(&r, &data_size))
        RD_EOF();
    riff_used += 8;
    bool stream_mode = riff_size == 0 || riff_size == 0xFFFFFFFFu || data_size == 0 ||
                       data_size == 0xFFFFFFFFu || data_size == 0x7FFFF000u;
    if (!stream_mode) {
        int64_t expected = (int64_t)riff_size, have = (int64_t)riff_used + data_size;
        if (expected - have > 1 || have - expected > 1)
            SK_WARN("Expected %u bytes in RIFF chunk, but after first data block there will be "
                    "%u + %u bytes (we do not support reading multiple data chunks).",
                    riff_size, riff_used, data_size);
    }
    w->samp_freq = (float)sample_rate;
    if (header_only && !stream_mode) {
        /* position after the data (archives go on with the next key) */
        if (fseeko(f, data_size, SEEK_CUR) != 0)
            rd_skip(&r, data_size);
        free(w->data);
        w->data = NULL;
        w->num_channels = num_channels;
        w->num_samples = data_size / block_align;
        return 0;
    }
    if (stream_mode) {
        unsigned char *buf;
        size_t got;
        if (read_all_stream(f, &buf, &got, 0) < 0) {
            SK_ERROR("out of memory reading wave data");
            return SK_EIO;
        }
        if (got == 0) {
            free(buf);
            SK_ERROR("WaveData: empty file (no data)");
            return SK_EIO;
        }
        int64_t ns = (int64_t)(got / block_align);
        if (wave_alloc(w, num_channels, ns) < 0) {
            free(buf);
            return SK_EIO;
        }
        convert_samples(buf, ns, num_channels, r.big, w->data, ns, 0);
        free(buf);
        w->samp_freq = (float)sample_rate;
        return 0;
    }
    /* Known size: convert chunk by chunk, growing the buffer as data arrives (a header may
     * declare far more data than the file holds; nothing is allocated for data never read).
     * Samples are collected interleaved, so mono needs no second pass. */
    int64_t ns = (int64_t)(data_size / block_align);
    int32_t ch = num_channels;
    enum { CHUNK = 1 << 16 };
    unsigned char buf[CHUNK];
    size_t got = 0, per = (size_t)block_align, pend = 0;
    int64_t done = 0, cap = ns < (1 << 18) ? ns : (1 << 18);
    float *acc = malloc(sizeof(float) * (size_t)(cap > 0 ? cap : 1) * ch);
    if (!acc) {
        SK_ERROR("out of memory reading wave data");
        return SK_EIO;
    }
    while (got < data_size) {
        size_t want = data_size - got < CHUNK - pend ? data_size - got : CHUNK - pend;
        size_t k = fread(buf + pend, 1, want, f);
        got += k;
        size_t have = pend + k;
        int64_t frames = (int64_t)(have / per);
        if (frames > ns - done)
            frames = ns - done;
        if (done + frames > cap) {
            int64_t nc = cap * 2 > done + frames ? cap * 2 : done + frames;
            if (nc > ns)
                nc = ns;
            float *na = realloc(acc, sizeof(float) * (size_t)nc * ch);
            if (!na) {
                free(acc);
                SK_ERROR("out of memory reading wave data");
                return SK_EIO;
            }
            acc = na;
            cap = nc;
        }
        convert_samples(buf, frames * ch, 1, r.big, acc, 0, done * ch);
        done += frames;
        pend = have - (size_t)frames * per;
        if (pend)
            memmove(buf, buf + (size_t)frames * per, pend);
        if (k < want)
            break;
    }
    if (got < data_size)
        SK_WARN("Expected %u bytes of wave data, but read only %zu bytes. Truncated file?",
                data_size, got);
    if (got == 0) {   /* as Kaldi: no bytes at all is an error, a partial block is 0 samples */
        free(acc);
        SK_ERROR("WaveData: empty file (no data)");
        return SK_EIO;
    }
    free(w->data);
    w->data = NULL;
    w->num_channels = ch;
    w->num_samples = done;
    if (ch == 1 || done == 0) {
        w->data = acc;
    } else {
        if (wave_alloc(w, ch, done) < 0) {
            free(acc);
            return SK_EIO;
        }
        for (int64_t i = 0; i < done; i++)
            for (int32_t c = 0; c < ch; c++)
                w->data[(size_t)c * done + i] = acc[(size_t)i * ch + c];
        free(acc);
    }
    w->samp_freq = (float)sample_rate;
    return 0;
}

/* ---- libsndfile on memory ---- */

typedef struct { const unsigned char *buf; sf_count_t len, pos; } memio;

static sf_count_t mio_len(void *u) { return ((memio *)u)->len; }
static sf_count_t mio_seek(sf_count_t off, int whence, void *u)
{
    memio *m = u;
    sf_count_t p = whence == SEEK_SET ? off : whence == SEEK_CUR ? m->pos + off : m->len + off;
    if (p < 0) p = 0;
    if (p > m->len) p = m->len;
    m->pos = p;
    return p;
}
static sf_count_t mio_read(void *dst, sf_count_t n, void *u)
{
    memio *m = u;
    if (n > m->len - m->pos)
        n = m->len - m->pos;
    memcpy(dst, m->buf + m->pos, (size_t)n);
    m->pos += n;
    return n;
}
static sf_count_t mio_write(const void *src, sf_count_t n, void *u) { (void)src; (void)n; (void)u; return 0; }
static sf_count_t mio_tell(void *u) { return ((memio *)u)->pos; }

static int read_sndfile_mem(const unsigned char *buf, size_t len, sk_wave *w, const char *what)
{
    memio m = { buf, (sf_count_t)len, 0 };
    SF_VIRTUAL_IO vio = { mio_len, mio_seek, mio_read, mio_write, mio_tell };
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open_virtual(&vio, SFM_READ, &info, &m);
    if (!sf) {
        SK_ERROR("cannot read audio data (format tag '%s'): %s", what, sf_strerror(NULL));
        return SK_EIO;
    }
    int32_t ch = info.channels;
    if (ch <= 0 || ch > 1024) {
        sf_close(sf);
        SK_ERROR("cannot read audio data (format tag '%s'): %d channels", what, ch);
        return SK_EIO;
    }
    sf_command(sf, SFC_SET_NORM_FLOAT, NULL, SF_FALSE);
    /* read in blocks, growing the buffer with the data actually decoded (the header's frame
     * count is not trusted for the allocation) */
    int64_t ns = 0, cap = 1 << 16;
    float *tmp = malloc(sizeof(float) * (size_t)cap * ch);
    for (;;) {
        if (!tmp) {
            sf_close(sf);
            SK_ERROR("out of memory reading audio data");
            return SK_EIO;
        }
        if (ns == cap) {
            float *nt = realloc(tmp, sizeof(float) * (size_t)cap * 2 * ch);
            if (!nt) {
                free(tmp);
                tmp = NULL;
                continue;
            }
            tmp = nt;
            cap *= 2;
        }
        sf_count_t got = sf_readf_float(sf, tmp + (size_t)ns * ch, cap - ns);
        if (got <= 0)
            break;
        ns += got;
    }
    sf_close(sf);
    /* With normalisation off, integer formats come back as integers of their width; bring
     * every format to the int16 scale Kaldi uses. */
    double scale = 1.0;
    switch (info.format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: scale = 256.0; break;
    case SF_FORMAT_PCM_24: scale = 1.0 / 256.0; break;
    case SF_FORMAT_PCM_32: scale = 1.0 / 65536.0; break;
    case SF_FORMAT_FLOAT: case SF_FORMAT_DOUBLE: case SF_FORMAT_VORBIS: case SF_FORMAT_OPUS:
        scale = 32768.0; break;
    default: scale = 1.0;
    }
    if (ns == 0) {
        free(tmp);
        SK_ERROR("WaveData: empty file (no data)");
        return SK_EIO;
    }
    if (wave_alloc(w, ch, ns) < 0) {
        free(tmp);
        return SK_EIO;
    }
    for (int64_t i = 0; i < ns; i++)
        for (int32_t c = 0; c < ch; c++)
            w->data[(size_t)c * ns + i] = (float)(tmp[(size_t)i * ch + c] * scale);
    free(tmp);
    w->samp_freq = (float)info.samplerate;
    return 0;
}

int sk_wave_read_rx(const char *rx, sk_wave *w)
{
    sk_input *in = sk_input_open(rx);
    if (!in)
        return SK_EIO;
    int st = sk_wave_read(sk_input_file(in), w, false);
    int cst = sk_input_close(in);
    return st < 0 ? st : cst;
}

/* ---- writer ---- */

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = v & 255; p[1] = (v >> 8) & 255; p[2] = (v >> 16) & 255; p[3] = v >> 24;
}
static void put_u16(unsigned char *p, uint16_t v) { p[0] = v & 255; p[1] = v >> 8; }

int sk_wave_write(FILE *f, const sk_wave *w)
{
    int32_t ch = w->num_channels;
    int64_t ns = w->num_samples;
    uint64_t bytes = (uint64_t)ns * ch * 2;
    if (ch <= 0 || w->samp_freq <= 0 || bytes + 36 > 0xFFFFFFFFu) {
        SK_ERROR("WaveData::Write: cannot write a wave with %d channels, %lld samples at %g Hz",
                 ch, (long long)ns, w->samp_freq);
        return SK_EIO;
    }
    unsigned char h[44];
    uint32_t rate = (uint32_t)w->samp_freq;
    memcpy(h, "RIFF", 4); put_u32(h + 4, (uint32_t)(36 + bytes)); memcpy(h + 8, "WAVE", 4);
    memcpy(h + 12, "fmt ", 4); put_u32(h + 16, 16); put_u16(h + 20, 1); put_u16(h + 22, (uint16_t)ch);
    put_u32(h + 24, rate); put_u32(h + 28, rate * 2 * ch); put_u16(h + 32, (uint16_t)(2 * ch));
    put_u16(h + 34, 16); memcpy(h + 36, "data", 4); put_u32(h + 40, (uint32_t)bytes);
    if (fwrite(h, 1, 44, f) != 44)
        goto werr;
    unsigned char buf[4096];
    size_t k = 0;
    for (int64_t i = 0; i < ns; i++)
        for (int32_t c = 0; c < ch; c++) {
            double v = trunc(w->data[(size_t)c * ns + i]);
            if (v > 32767.0 || v < -32768.0) {
                SK_ERROR("WaveData::Write: clipping detected.");
                return SK_EIO;
            }
            put_u16(buf + k, (uint16_t)(int16_t)v);
            k += 2;
            if (k == sizeof buf) {
                if (fwrite(buf, 1, k, f) != k)
                    goto werr;
                k = 0;
            }
        }
    if (k && fwrite(buf, 1, k, f) != k)
        goto werr;
    return 0;
werr:
    SK_ERROR("WaveData::Write: write failure");
    return SK_EIO;
}

/* ---- holders ----
 * As Kaldi's WaveHolder, the RIFF bytes follow "KEY " directly (no "\0B"). */

static void h_init(void *o) { sk_wave_init(o); }
static void h_release(void *o) { sk_wave_release(o); }
static int h_read(FILE *f, bool binary, void *o)
{
    (void)binary;
    int st = sk_wave_read(f, o, false);
    if (st < 0)
        SK_WARN("Exception caught in WaveHolder::Read(). kaldi::KaldiFatalError");
    return st;
}
static int h_read_info(FILE *f, bool binary, void *o)
{
    (void)binary;
    int st = sk_wave_read(f, o, true);
    if (st < 0)
        SK_WARN("Exception caught in WaveInfoHolder::Read(). kaldi::KaldiFatalError");
    return st;
}
static int h_write(FILE *f, bool binary, const void *o)
{
    (void)binary;
    return sk_wave_write(f, o);
}
static int h_copy(const void *src, void *dst) { return sk_wave_copy(dst, src); }

const sk_holder sk_holder_wave = {
    .name = "wave", .size = sizeof(sk_wave), .init = h_init, .release = h_release,
    .read = h_read, .write = h_write, .copy = h_copy, .no_binary_header = true,
};
const sk_holder sk_holder_wave_info = {
    .name = "wave info", .size = sizeof(sk_wave), .init = h_init, .release = h_release,
    .read = h_read_info, .write = h_write, .copy = h_copy, .no_binary_header = true,
};
