/* vecops.h — small float kernels shared by the feature modules (internal to lib/feat).
 *
 * Sums use 8 interleaved partial sums (vectorisable; the compiler turns the inner loop into
 * SIMD adds). Kaldi does these sums with BLAS (sdot), whose order is implementation-defined,
 * so no order is "the" Kaldi one; this one is fast and deterministic on every machine.
 */
#ifndef SK_FEAT_VECOPS_H
#define SK_FEAT_VECOPS_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GLIBC__) && !defined(SK_NO_VLOGF)
#include <immintrin.h>
/* glibc's libmvec: 4 logf at once (SSE2 baseline, ifunc-dispatched; <= 4 ulp). Linked through
 * libm's linker script. */
__m128 _ZGVbN4v_logf(__m128 x);
#define SK_HAVE_VLOGF 1
#endif

/* Hot functions get an AVX2 clone picked at load time (glibc ifunc) next to the baseline one.
 * Both do the same float operations in the same order (no FMA contraction in ISO C mode,
 * sums keep their 8-lane order), so results do not depend on the machine. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(SK_NO_CLONES)
#define SK_FEAT_HOT __attribute__((target_clones("avx2", "default")))
#else
#define SK_FEAT_HOT
#endif

static inline float sk_vsum(const float *x, int32_t n)
{
    float a[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    int32_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            a[j] += x[i + j];
    float s = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
    for (; i < n; i++)
        s += x[i];
    return s;
}

static inline float sk_vdot(const float *x, const float *y, int32_t n)
{
    float a[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    int32_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            a[j] += x[i + j] * y[i + j];
    float s = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
    for (; i < n; i++)
        s += x[i] * y[i];
    return s;
}

/* x[i] = log(max(x[i], FLT_EPSILON)). exact: glibc's scalar logf (what Kaldi calls), used with
 * --kaldi-fft; otherwise libmvec's vector logf where available (within 4 ulp). */
static inline void sk_log_floor(float *x, int32_t n, bool exact)
{
    int32_t i = 0;
#ifdef SK_HAVE_VLOGF
    if (!exact) {
        const __m128 eps = _mm_set1_ps(FLT_EPSILON);
        for (; i + 4 <= n; i += 4)
            _mm_storeu_ps(x + i, _ZGVbN4v_logf(_mm_max_ps(_mm_loadu_ps(x + i), eps)));
    }
#else
    (void)exact;
#endif
    for (; i < n; i++)
        x[i] = logf(x[i] > FLT_EPSILON ? x[i] : FLT_EPSILON);
}

#endif
