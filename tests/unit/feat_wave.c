/* Unit tests for lib/feat/wave: Kaldi's RIFF rules, truncation at every byte and random header
 * corruption (never a crash, always a clean status), the writer round trip. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "feat/wave.h"
#include "io/stream.h"
#include "tap.h"

static int errors;
static void count_sink(int sev, const char *line, void *ctx)
{
    (void)line; (void)ctx;
    if (sev == SK_SEV_ERROR)
        errors++;
}

static void put16(unsigned char *p, unsigned v) { p[0] = v & 255; p[1] = (v >> 8) & 255; }
static void put32(unsigned char *p, unsigned v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* A 16-bit mono PCM wave of n samples (value i - n/2) in buf (44 + 2n bytes). */
static size_t make_wav(unsigned char *buf, int n, int ch, unsigned rate)
{
    memcpy(buf, "RIFF", 4); put32(buf + 4, 36 + 2 * n * ch); memcpy(buf + 8, "WAVEfmt ", 8);
    put32(buf + 16, 16); put16(buf + 20, 1); put16(buf + 22, ch); put32(buf + 24, rate);
    put32(buf + 28, rate * 2 * ch); put16(buf + 32, 2 * ch); put16(buf + 34, 16);
    memcpy(buf + 36, "data", 4); put32(buf + 40, 2 * n * ch);
    for (int i = 0; i < n * ch; i++)
        put16(buf + 44 + 2 * i, (unsigned)(i - n / 2) & 0xffff);
    return 44 + (size_t)2 * n * ch;
}

static int read_mem(const unsigned char *buf, size_t len, sk_wave *w, bool header_only)
{
    sk_input *in = sk_input_open_mem(buf, len);
    int st = sk_wave_read(sk_input_file(in), w, header_only);
    sk_input_close(in);
    return st;
}

int main(void)
{
    static unsigned char buf[4096], copy[4096];
    TEST("a plain 16-bit wave: samples unscaled, channel-major, rate, duration") {
        size_t len = make_wav(buf, 100, 2, 8000);
        sk_wave w;
        sk_wave_init(&w);
        CHECK_INT(read_mem(buf, len, &w, false), 0);
        CHECK_INT(w.num_channels, 2);
        CHECK_INT(w.num_samples, 100);
        CHECK_NEAR(w.samp_freq, 8000, 0);
        CHECK_NEAR(w.data[0], -50, 0);       /* interleaved values i - 50 */
        CHECK_NEAR(w.data[100], -49, 0);     /* channel 1 = row 1 */
        CHECK_NEAR(sk_wave_duration(&w), 100 / 8000.0, 1e-9);
        sk_wave_release(&w);
    }
    TEST("header only: duration without the samples") {
        size_t len = make_wav(buf, 300, 1, 16000);
        sk_wave w;
        sk_wave_init(&w);
        CHECK_INT(read_mem(buf, len, &w, true), 0);
        CHECK_INT(w.num_samples, 300);
        CHECK(w.data == NULL);
        sk_wave_release(&w);
    }
    sk_log_set_sink(count_sink, NULL);
    TEST("truncation at every byte: a clean status, an ERROR line when refused, never a crash") {
        size_t len = make_wav(buf, 50, 1, 16000);
        for (size_t cut = 0; cut < len; cut++) {
            sk_wave w;
            sk_wave_init(&w);
            errors = 0;
            int st = read_mem(buf, cut, &w, false);
            if (cut < 45) {                   /* header incomplete or no data byte at all */
                if (st >= 0 || errors == 0)
                    TAP_FAIL("cut at %zu: status %d, %d errors", cut, st, errors);
            } else if (st != 0 || w.num_samples != (int64_t)(cut - 44) / 2) {
                TAP_FAIL("cut at %zu: status %d, %lld samples", cut, st, (long long)w.num_samples);
            }
            sk_wave_release(&w);
        }
    }
    TEST("random corruption of the header: status 0 or an ERROR, never a crash") {
        size_t len = make_wav(buf, 50, 1, 16000);
        unsigned s = 12345;
        for (int trial = 0; trial < 3000; trial++) {
            memcpy(copy, buf, len);
            int k = 1 + rand_r(&s) % 4;
            for (int j = 0; j < k; j++)
                copy[rand_r(&s) % 44] = (unsigned char)rand_r(&s);
            sk_wave w;
            sk_wave_init(&w);
            errors = 0;
            int st = read_mem(copy, len, &w, false);
            if (st < 0 && errors == 0)
                TAP_FAIL("trial %d: failure without an ERROR line", trial);
            if (st == 0 && (w.num_channels <= 0 || w.num_samples < 0))
                TAP_FAIL("trial %d: accepted a wave with %d channels", trial, w.num_channels);
            sk_wave_release(&w);
        }
    }
    TEST("fuzz regression (tests/fuzz/wave.c, oom-646c3af7): RIFX header declaring 1.6 GB of data in an 83-byte file") {
        static const unsigned char in[] = {
            0x52, 0x49, 0x46, 0x58, 0x00, 0x00, 0x00, 0xec, 0x57, 0x41, 0x56, 0x45,
            0x66, 0x6d, 0x74, 0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x01,
            0x00, 0x00, 0x3e, 0x80, 0x00, 0x00, 0x7d, 0x00, 0x00, 0x02, 0x00, 0x10,
            0x64, 0x61, 0x74, 0x61, 0x60, 0x00, 0x00, 0x3f, 0xff, 0xf8, 0x00, 0xb1,
            0x01, 0x55, 0x01, 0x6c, 0x03, 0xbe, 0x03, 0xe2, 0x03, 0xe8, 0x03, 0xd1,
            0x03, 0x9c, 0x03, 0x4c, 0x02, 0xf4, 0x02, 0x74, 0x01, 0xe1, 0x01, 0x40,
            0x00, 0x96, 0xff, 0xf9, 0xff, 0x4a, 0xfe, 0xfc, 0x58, 0xfc, 0x28,
        };
        sk_wave w;
        sk_wave_init(&w);
        CHECK_INT(read_mem(in, sizeof in, &w, false), 0);   /* truncated: warning, 19 samples */
        CHECK_INT(w.num_samples, 19);
        sk_wave_release(&w);
    }
    sk_log_set_sink(NULL, NULL);
    TEST("write then read: same samples (truncated toward zero), 44-byte header") {
        sk_wave w = { NULL, 1, 4, 16000.0f }, r;
        float d[4] = { 1.7f, -1.7f, 32767.0f, -32768.0f };
        w.data = d;
        FILE *f = tmpfile();
        CHECK_INT(sk_wave_write(f, &w), 0);
        CHECK_INT(ftell(f), 44 + 8);
        rewind(f);
        sk_wave_init(&r);
        CHECK_INT(sk_wave_read(f, &r, false), 0);
        CHECK_NEAR(r.data[0], 1, 0);
        CHECK_NEAR(r.data[1], -1, 0);
        CHECK_NEAR(r.data[2], 32767, 0);
        CHECK_NEAR(r.data[3], -32768, 0);
        sk_wave_release(&r);
        fclose(f);
        float big = 40000.0f;
        sk_wave c = { &big, 1, 1, 16000.0f };
        f = tmpfile();
        CHECK(sk_wave_write(f, &c) < 0);      /* clipping is an error, as Kaldi */
        fclose(f);
    }
    return tap_done();
}
