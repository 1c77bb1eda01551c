/* Unit tests for lib/feat/fft: both engines against a double-precision DFT. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feat/fft.h"
#include "tap.h"

static void dft(const float *x, int n, double *re, double *im)
{
    for (int k = 0; k <= n / 2; k++) {
        double a = 0, b = 0;
        for (int j = 0; j < n; j++) {
            double t = -2.0 * M_PI * (double)j * k / n;
            a += x[j] * cos(t);
            b += x[j] * sin(t);
        }
        re[k] = a;
        im[k] = b;
    }
}

/* max |packed - exact| relative to the largest magnitude */
static double packed_err(const float *p, const double *re, const double *im, int n)
{
    double big = 0, err = 0;
    for (int k = 0; k <= n / 2; k++)
        big = fmax(big, hypot(re[k], im[k]));
    err = fmax(err, fabs(p[0] - re[0]));
    err = fmax(err, fabs(p[1] - re[n / 2]));
    for (int k = 1; k < n / 2; k++) {
        err = fmax(err, fabs(p[2 * k] - re[k]));
        err = fmax(err, fabs(p[2 * k + 1] - im[k]));
    }
    return err / big;
}

int main(void)
{
    int sizes[] = { 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048 };
    srand(7);
    for (int kaldi = 0; kaldi < 2; kaldi++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            int n = sizes[s];
            char name[96];
            snprintf(name, sizeof name, "%s FFT of size %d matches a double DFT (packed layout)",
                     kaldi ? "kaldi" : "fftw", n);
            TEST(name) {
                float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
                double *re = malloc(sizeof(double) * (n / 2 + 1)), *im = malloc(sizeof(double) * (n / 2 + 1));
                for (int j = 0; j < n; j++)
                    x[j] = (float)(rand() % 2001 - 1000);
                dft(x, n, re, im);
                memcpy(y, x, sizeof(float) * n);
                sk_rfft *f = sk_rfft_new(n, kaldi);
                CHECK(f != NULL);
                sk_rfft_packed(f, y);
                double e = packed_err(y, re, im, n);
                if (!(e < 2e-6))
                    TAP_FAIL("relative error %g", e);
                sk_rfft_free(f);
                free(x); free(y); free(re); free(im);
            }
        }
    TEST("power spectrum equals squared packed output, both engines agree to 1e-5") {
        int n = 512;
        float x[512], y[512], pk[512], pf[512];
        for (int j = 0; j < n; j++)
            x[j] = (float)sin(0.1 * j) * 100.0f + (float)(j % 7);
        sk_rfft *fk = sk_rfft_new(n, true), *ff = sk_rfft_new(n, false);
        memcpy(y, x, sizeof x);
        sk_rfft_packed(fk, y);
        memcpy(pk, x, sizeof x);
        sk_rfft_power(fk, pk, pk);
        CHECK_NEAR(pk[0], y[0] * y[0], 0);
        CHECK_NEAR(pk[n / 2], y[1] * y[1], 0);
        CHECK_NEAR(pk[5], y[10] * y[10] + y[11] * y[11], 0);
        memcpy(pf, x, sizeof x);
        sk_rfft_power(ff, pf, pf);
        double worst = 0, big = 0;
        for (int k = 0; k <= n / 2; k++) big = fmax(big, pk[k]);
        for (int k = 0; k <= n / 2; k++) worst = fmax(worst, fabs(pk[k] - pf[k]) / big);
        CHECK(worst < 1e-5);
        sk_rfft_free(fk);
        sk_rfft_free(ff);
    }
    TEST("non-power-of-two size (400) works through FFTW, also when kaldi is asked") {
        int n = 400;
        float x[400], y[400];
        double re[201], im[201];
        for (int j = 0; j < n; j++) x[j] = (float)((j * 37) % 101 - 50);
        dft(x, n, re, im);
        memcpy(y, x, sizeof x);
        sk_rfft *f = sk_rfft_new(n, true);
        sk_rfft_packed(f, y);
        CHECK(packed_err(y, re, im, n) < 2e-6);
        sk_rfft_free(f);
    }
    TEST("odd and tiny sizes are refused") {
        CHECK(sk_rfft_new(511, false) == NULL);
        CHECK(sk_rfft_new(0, true) == NULL);
    }
    return tap_done();
}
