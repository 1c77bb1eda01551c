/* vecops.h — small float kernels shared by the feature modules (internal to lib/feat).
 *
 * Sums use 8 interleaved partial sums (vectorisable; the compiler turns the inner loop into
 * SIMD adds). Kaldi does these sums with BLAS (sdot), whose order is implementation-defined,
 * so no order is "the" Kaldi one; this one is fast and deterministic on every machine.
 */
#ifndef SK_FEAT_VECOPS_H
#define SK_FEAT_VECOPS_H

#include <stdint.h>

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

#endif
