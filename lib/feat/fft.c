/* fft.c — the real FFT behind every spectral feature.
 *
 * Two engines share one interface. FFTW (r2c, single precision) is planned once per object and
 * executed with fftwf_execute_dft_r2c on the object's own aligned buffers, so objects can be
 * used from different threads. The "kaldi" engine replays Kaldi's split-radix float algorithm
 * exactly as spec/features.md §2.8 spells it out: same operations, same order, float rounding
 * at every step (this file must not be compiled with -ffast-math or FMA contraction; C11 mode
 * keeps GCC's -ffp-contract=off default for ISO C).
 */
/* Hot loops: let GCC vectorise loops with a scalar tail too (-O2 does only the very cheap
 * ones). Element-wise only: sums are never reassociated, so results do not change. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif
#include "feat/fft.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

typedef struct {           /* twiddles of one split-radix block size m (j = 0..m/4-1) */
    float *c1, *p1, *q1, *c3, *p3, *q3;
} sr_table;

struct sk_rfft {
    int32_t n;             /* real size */
    bool kaldi;            /* Kaldi engine (power-of-two n only) */
    /* FFTW */
    fftwf_plan plan;
    float *in;
    fftwf_complex *out;
    /* Kaldi split-radix on n/2 complex points */
    int32_t log2h;         /* log2(n/2) */
    sr_table *tab;         /* tab[L] for L = 4..log2h */
    int32_t *bitrev;       /* permutation of n/2 indices */
    float *re, *im;        /* scratch */
    float rr, ri;          /* unpacking rotation (cosf, sinf of -2pi/n) */
};

static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t wisdom_once = PTHREAD_ONCE_INIT;

/* FFTW plans are made with FFTW_ESTIMATE, which is deterministic (FFTW_MEASURE times candidate
 * plans, so two runs could pick plans that round differently and outputs would change in the
 * last bits from run to run). ESTIMATE alone picks slowish plans; this wisdom, made once with
 * FFTW_PATIENT for the real FFT sizes features use (256, 512, 1024, 2048; fftw 3.3.10, x86-64
 * with AVX), gives the planner the fast plans deterministically: 0.38 us instead of 0.56 us for
 * 512 points. FFTW ignores entries it cannot use (another version, no AVX) and then estimates. */
static const char fft_wisdom[] =
    "(fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf\n"
    "  (fftwf_codelet_hc2cfdftv_16_sse2 0 #x11048 #x11048 #x0 #x3f67885c #x1d118905 #x1b4c027b #x7ecffc87)\n"
    "  (fftwf_codelet_hc2cfdftv_8_sse2 0 #x11048 #x11048 #x0 #xc447d79d #x3bb36c12 #x2e7c8386 #xc241521c)\n"
    "  (fftwf_codelet_r2cf_8 2 #x11048 #x11048 #x0 #xa8e723ad #x5577b756 #x19ace181 #xf0b6f4b2)\n"
    "  (fftwf_codelet_r2cfII_16 2 #x11048 #x11048 #x0 #xe7fc0162 #x17132a32 #x3dd3993f #xb8e0890f)\n"
    "  (fftwf_codelet_t2fv_4_avx 0 #x11048 #x11048 #x0 #xb0bde699 #x3baa1ac0 #xdbbed5b2 #x3b1456c3)\n"
    "  (fftwf_codelet_r2cfII_8 2 #x11048 #x11048 #x0 #x76fa2a50 #xf4668261 #xbf8b003e #xbfa64206)\n"
    "  (fftwf_codelet_r2cf_8 2 #x11048 #x11048 #x0 #xe75b944c #x09ac1906 #x449b29ce #x7b6666b0)\n"
    "  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x1d5f8951 #x83ff8a7f #x97795bcc #x27178c7e)\n"
    "  (fftwf_codelet_r2cf_8 2 #x11048 #x11048 #x0 #xaae37515 #xc366903c #xc804fee2 #x44fc70a7)\n"
    "  (fftwf_codelet_n2fv_32_avx 0 #x11048 #x11048 #x0 #x12d24524 #x289b57fa #x2bd8cbf3 #xaac91103)\n"
    "  (fftwf_codelet_hc2cfdftv_8_sse2 0 #x11048 #x11048 #x0 #x4bb69ce7 #x4599107c #x14ecc846 #x282ba2c3)\n"
    "  (fftwf_codelet_hc2cfdftv_8_sse2 0 #x11048 #x11048 #x0 #x85773c49 #x9a968ccc #xbd37e819 #xac77e6a4)\n"
    "  (fftwf_codelet_r2cf_16 2 #x11048 #x11048 #x0 #x47d0a12e #xc910d204 #x3dc4a7f4 #x4c581c0f)\n"
    "  (fftwf_codelet_n2fv_64_avx 0 #x11048 #x11048 #x0 #xdae94766 #xa548e347 #x8a9a261b #xff2066cd)\n"
    "  (fftwf_codelet_n2fv_64_avx 0 #x11048 #x11048 #x0 #x60f7dd6b #xe5962c71 #x960dc0f4 #x2fbec2ab)\n"
    "  (fftwf_codelet_n2fv_64_avx 0 #x11048 #x11048 #x0 #x03406dff #xc8fa0a2c #x62a9a61e #xa394d874)\n"
    "  (fftwf_codelet_r2cfII_8 2 #x11048 #x11048 #x0 #x9b71d905 #x7d7faf81 #x09c45860 #x2a522386)\n"
    "  (fftwf_codelet_r2cfII_8 2 #x11048 #x11048 #x0 #x23fb2e26 #x3fe4d3f4 #x78d7c0db #xaba9deb1)\n"
    ")\n";

static void import_wisdom(void)
{
    fftwf_import_wisdom_from_string(fft_wisdom);
}

static bool is_pow2(int32_t n) { return n > 0 && (n & (n - 1)) == 0; }

static int build_kaldi(sk_rfft *f)
{
    int32_t h = f->n / 2, L = 0;
    while ((1 << L) < h)
        L++;
    f->log2h = L;
    f->re = malloc(sizeof(float) * h);
    f->im = malloc(sizeof(float) * h);
    f->bitrev = malloc(sizeof(int32_t) * h);
    f->tab = calloc((size_t)L + 1, sizeof(sr_table));
    if (!f->re || !f->im || !f->bitrev || !f->tab)
        return -1;
    for (int32_t j = 0; j < h; j++) {
        int32_t r = 0;
        for (int32_t b = 0; b < L; b++)
            if (j & (1 << b))
                r |= 1 << (L - 1 - b);
        f->bitrev[j] = r;
    }
    for (int32_t l = 4; l <= L; l++) {
        int32_t m = 1 << l, q = m / 4;
        sr_table *t = &f->tab[l];
        float *blk = malloc(sizeof(float) * 6 * q);
        if (!blk)
            return -1;
        t->c1 = blk; t->p1 = blk + q; t->q1 = blk + 2 * q;
        t->c3 = blk + 3 * q; t->p3 = blk + 4 * q; t->q3 = blk + 5 * q;
        for (int32_t j = 0; j < q; j++) {
            float a1 = (float)(j * 2.0 * M_PI / m), a3 = (float)(3.0 * j * 2.0 * M_PI / m);
            float c1 = cosf(a1), s1 = sinf(a1), c3 = cosf(a3), s3 = sinf(a3);
            t->c1[j] = c1; t->p1[j] = -(s1 + c1); t->q1[j] = s1 - c1;
            t->c3[j] = c3; t->p3[j] = -(s3 + c3); t->q3[j] = s3 - c3;
        }
    }
    float theta = (float)(-(2.0 * M_PI / f->n));
    f->rr = cosf(theta);
    f->ri = sinf(theta);
    return 0;
}

sk_rfft *sk_rfft_new(int32_t n, bool kaldi)
{
    if (n < 2 || n % 2) {
        SK_ERROR("FFT size must be even and >= 2, got %d", n);
        return NULL;
    }
    sk_rfft *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->n = n;
    f->kaldi = kaldi && is_pow2(n);
    if (f->kaldi) {
        f->in = fftwf_malloc(sizeof(float) * (n + 16));
        if (!f->in || build_kaldi(f) < 0) {
            SK_ERROR("out of memory making an FFT of size %d", n);
            sk_rfft_free(f);
            return NULL;
        }
        return f;
    }
    f->in = fftwf_malloc(sizeof(float) * (n + 16));
    f->out = fftwf_malloc(sizeof(fftwf_complex) * (n / 2 + 1));
    if (!f->in || !f->out) {
        SK_ERROR("out of memory making an FFT of size %d", n);
        sk_rfft_free(f);
        return NULL;
    }
    pthread_once(&wisdom_once, import_wisdom);
    pthread_mutex_lock(&planner_lock);
    f->plan = fftwf_plan_dft_r2c_1d(n, f->in, f->out, FFTW_ESTIMATE);
    pthread_mutex_unlock(&planner_lock);
    if (!f->plan) {
        SK_ERROR("FFTW could not plan a real FFT of size %d", n);
        sk_rfft_free(f);
        return NULL;
    }
    return f;
}

void sk_rfft_free(sk_rfft *f)
{
    if (!f)
        return;
    if (f->plan) {
        pthread_mutex_lock(&planner_lock);
        fftwf_destroy_plan(f->plan);
        pthread_mutex_unlock(&planner_lock);
    }
    fftwf_free(f->in);
    fftwf_free(f->out);
    if (f->tab)
        for (int32_t l = 0; l <= f->log2h; l++)
            free(f->tab[l].c1);
    free(f->tab);
    free(f->bitrev);
    free(f->re);
    free(f->im);
    free(f);
}

int32_t sk_rfft_size(const sk_rfft *f) { return f->n; }

float *sk_rfft_buffer(sk_rfft *f) { return f->in; }

/* ---- Kaldi's split-radix complex FFT (spec 2.8), block of 2^L at re+o, im+o ---- */

/* Step 3 for j in [j0, j1): element p (rP, iP) times e^{-2 pi i j/m}, element u (rU, iU) times
 * e^{-6 pi i j/m}, with the table's c, P, Q. The four arrays never overlap. */
static void twiddle_range(const sr_table *t, float *restrict rP, float *restrict iP,
                          float *restrict rU, float *restrict iU, int32_t j0, int32_t j1)
{
    for (int32_t j = j0; j < j1; j++) {
        float rp = rP[j], ip = iP[j];
        float tt = t->c1[j] * (rp + ip);
        rP[j] = t->q1[j] * ip + tt;
        iP[j] = t->p1[j] * rp + tt;
        float ru = rU[j], iu = iU[j];
        float t3 = t->c3[j] * (ru + iu);
        rU[j] = t->q3[j] * iu + t3;
        iU[j] = t->p3[j] * ru + t3;
    }
}

static void sr_block(const sk_rfft *f, float *re, float *im, int32_t L)
{
    if (L == 0)
        return;
    if (L == 1) {
        float a = re[0], b = re[1];
        re[0] = a + b; re[1] = a - b;
        a = im[0]; b = im[1];
        im[0] = a + b; im[1] = a - b;
        return;
    }
    if (L == 2) {
        float t;
        t = re[0]; re[0] = t + re[2]; re[2] = t - re[2];
        t = re[1]; re[1] = t + re[3]; re[3] = t - re[3];
        t = re[0]; re[0] = t + re[1]; re[1] = t - re[1];
        t = im[0]; im[0] = t + im[2]; im[2] = t - im[2];
        t = im[1]; im[1] = t + im[3]; im[3] = t - im[3];
        t = im[0]; im[0] = t + im[1]; im[1] = t - im[1];
        float r2 = re[2], i2 = im[2], r3 = re[3], i3 = im[3];
        re[2] = r2 + i3; im[2] = i2 - r3;
        re[3] = r2 - i3; im[3] = i2 + r3;
        return;
    }
    int32_t m = 1 << L, h = m / 2, q = m / 4, e = m / 8;
    for (int32_t j = 0; j < h; j++) {
        float a = re[j], b = re[j + h];
        re[j] = a + b; re[j + h] = a - b;
        a = im[j]; b = im[j + h];
        im[j] = a + b; im[j + h] = a - b;
    }
    for (int32_t j = 0; j < q; j++) {
        int32_t p = h + j, u = h + q + j;
        float rp = re[p], ip = im[p], ru = re[u], iu = im[u];
        re[p] = rp + iu; im[p] = ip - ru;
        re[u] = rp - iu; im[u] = ip + ru;
    }
    /* j = e (the 45-degree twiddle) is special; the other j use the tables. The loops are
     * split around it so that they vectorise (element-wise: same operations per element). */
    {
        int32_t p = h + e, u = h + q + e;
        const float k = 0.70710677f;
        float rp = re[p], ip = im[p];
        re[p] = k * (rp + ip); im[p] = k * (ip - rp);
        float ru = re[u], iu = im[u];
        re[u] = k * (iu - ru); im[u] = (-k) * (ru + iu);
    }
    if (L >= 4) {
        const sr_table *t = &f->tab[L];
        twiddle_range(t, re + h, im + h, re + h + q, im + h + q, 1, e);
        twiddle_range(t, re + h, im + h, re + h + q, im + h + q, e + 1, q);
    }
    sr_block(f, re, im, L - 1);
    sr_block(f, re + h, im + h, L - 2);
    sr_block(f, re + h + q, im + h + q, L - 2);
}

void sk_srfft_complex(const sk_rfft *f, float *re, float *im)
{
    int32_t L = f->log2h, h = 1 << L;
    sr_block(f, re, im, L);
    if (L > 1)
        for (int32_t j = 0; j < h; j++) {
            int32_t r = f->bitrev[j];
            if (r > j) {
                float t = re[j]; re[j] = re[r]; re[r] = t;
                t = im[j]; im[j] = im[r]; im[r] = t;
            }
        }
}

static void kaldi_packed(sk_rfft *f, float *data)
{
    int32_t n = f->n / 2;
    float *re = f->re, *im = f->im;
    for (int32_t j = 0; j < n; j++) {
        re[j] = data[2 * j];
        im[j] = data[2 * j + 1];
    }
    sk_srfft_complex(f, re, im);
    /* unpack B (n complex) into the spectrum of the 2n real points */
    float wr = 1.0f, wi = 0.0f;
    const float rr = f->rr, ri = f->ri;
    for (int32_t k = 1; 2 * k <= n; k++) {
        int32_t k2 = n - k;
        float nwr = wr * rr - wi * ri, nwi = wr * ri + wi * rr;
        wr = nwr; wi = nwi;
        float bkr = re[k], bki = im[k], bk2r = re[k2], bk2i = im[k2];
        float cr = 0.5f * (bkr + bk2r), ci = 0.5f * (bki - bk2i);
        float dr = 0.5f * (bki + bk2i), di = -0.5f * (bkr - bk2r);
        data[2 * k] = cr + (wr * dr - wi * di);
        data[2 * k + 1] = ci + (wr * di + wi * dr);
        if (k2 != k) {
            data[2 * k2] = cr + ((-wr) * dr - wi * (-di));
            data[2 * k2 + 1] = -ci + ((-wr) * (-di) + wi * dr);
        }
    }
    float r0 = re[0], i0 = im[0];
    data[0] = r0 + i0;
    data[1] = r0 - i0;
}

void sk_rfft_packed(sk_rfft *f, float *data)
{
    if (f->kaldi) {
        kaldi_packed(f, data);
        return;
    }
    int32_t n = f->n, h = n / 2;
    if (data != f->in)
        memcpy(f->in, data, sizeof(float) * n);
    fftwf_execute_dft_r2c(f->plan, f->in, f->out);
    data[0] = f->out[0][0];
    data[1] = f->out[h][0];
    for (int32_t k = 1; k < h; k++) {
        data[2 * k] = f->out[k][0];
        data[2 * k + 1] = f->out[k][1];
    }
}

void sk_rfft_power(sk_rfft *f, float *data, float *power)
{
    int32_t h = f->n / 2;
    if (f->kaldi) {
        kaldi_packed(f, data);
        float p0 = data[0] * data[0], pn = data[1] * data[1];
        for (int32_t k = 1; k < h; k++) {
            float a = data[2 * k] * data[2 * k], b = data[2 * k + 1] * data[2 * k + 1];
            power[k] = a + b;
        }
        power[0] = p0;
        power[h] = pn;
        return;
    }
    if (data != f->in)
        memcpy(f->in, data, sizeof(float) * f->n);
    fftwf_execute_dft_r2c(f->plan, f->in, f->out);
    const fftwf_complex *o = f->out;
    for (int32_t k = 0; k <= h; k++) {
        float a = o[k][0] * o[k][0], b = o[k][1] * o[k][1];
        power[k] = a + b;
    }
}
