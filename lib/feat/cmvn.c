/* cmvn.c — CMVN accumulation and application with the same float/double mix as Kaldi. */
#include "feat/cmvn.h"

#include <math.h>
#include <stdlib.h>

#include "base/log.h"

int sk_cmvn_init(sk_dmat *st, int32_t dim)
{
    return sk_dmat_resize(st, 2, dim + 1);
}

void sk_cmvn_acc(sk_dmat *st, const sk_mat *feats, const float *weights)
{
    int32_t dim = feats->cols;
    double *s0 = st->data, *s1 = st->data + st->stride;
    for (int32_t t = 0; t < feats->rows; t++) {
        float w = weights ? weights[t] : 1.0f;
        if (w == 0.0f)
            continue;
        const float *x = SK_ROW(feats, t);
        for (int32_t d = 0; d < dim; d++) {
            s0[d] += (double)(x[d] * w);
            s1[d] += (double)(x[d] * x[d] * w);
        }
        s0[dim] += w;
    }
}

static int check(const sk_dmat *st, bool norm_vars, const sk_mat *feats, double *count)
{
    if (st->rows > 2 || st->rows < 1 || st->cols != feats->cols + 1) {
        SK_ERROR("Dim mismatch: cmvn %dx%d, feats %dx%d", st->rows, st->cols, feats->rows, feats->cols);
        return SK_EINVAL;
    }
    if (st->rows == 1 && norm_vars) {
        SK_ERROR("You requested variance normalization but no variance stats are supplied.");
        return SK_EINVAL;
    }
    *count = st->data[feats->cols];
    if (*count < 1.0) {
        SK_ERROR("Insufficient stats for cepstral mean and variance normalization: count = %g", *count);
        return SK_EINVAL;
    }
    return 0;
}

static double floored_var(double mean, double s1, double count)
{
    double var = s1 / count - mean * mean, floor = 1.0e-20;
    if (var < floor) {
        SK_WARN("Flooring cepstral variance from %g to %g", var, floor);
        var = floor;
    }
    return var;
}

int sk_cmvn_apply(const sk_dmat *st, bool norm_vars, sk_mat *feats)
{
    double count;
    int r = check(st, norm_vars, feats, &count);
    if (r < 0)
        return r;
    int32_t dim = feats->cols;
    const double *s0 = st->data, *s1 = st->data + st->stride;
    float *off = malloc(sizeof(float) * (dim ? dim : 1)), *scale = malloc(sizeof(float) * (dim ? dim : 1));
    if (!off || !scale) {
        free(off);
        free(scale);
        return SK_EIO;
    }
    if (!norm_vars) {
        float a = (float)(-1.0 / count);
        for (int32_t d = 0; d < dim; d++)
            off[d] = (float)((double)a * s0[d]);
        for (int32_t t = 0; t < feats->rows; t++) {
            float *x = SK_ROW(feats, t);
            for (int32_t d = 0; d < dim; d++)
                x[d] += off[d];
        }
    } else {
        for (int32_t d = 0; d < dim; d++) {
            double mean = s0[d] / count, var = floored_var(mean, s1[d], count);
            double sc = 1.0 / sqrt(var);
            if (sc != sc || 1 / sc == 0.0) {
                SK_ERROR("NaN or infinity in cepstral mean/variance computation");
                free(off);
                free(scale);
                return SK_EINVAL;
            }
            off[d] = (float)(-(mean * sc));
            scale[d] = (float)sc;
        }
        for (int32_t t = 0; t < feats->rows; t++) {
            float *x = SK_ROW(feats, t);
            for (int32_t d = 0; d < dim; d++) {
                x[d] *= scale[d];
                x[d] += off[d];
            }
        }
    }
    free(off);
    free(scale);
    return 0;
}

int sk_cmvn_apply_reverse(const sk_dmat *st, bool norm_vars, sk_mat *feats)
{
    double count;
    int r = check(st, norm_vars, feats, &count);
    if (r < 0)
        return r;
    int32_t dim = feats->cols;
    const double *s0 = st->data, *s1 = st->data + st->stride;
    for (int32_t d = 0; d < dim; d++) {
        double mean = s0[d] / count;
        float off = (float)mean, sc = 1.0f;
        if (norm_vars)
            sc = (float)sqrt(floored_var(mean, s1[d], count));
        for (int32_t t = 0; t < feats->rows; t++) {
            float *x = &SK_MAT(feats, t, d);
            if (norm_vars)
                *x *= sc;
            *x += off;
        }
    }
    return 0;
}

int sk_cmvn_fake_stats(sk_dmat *st, const int32_t *dims, int32_t n)
{
    int32_t dim = st->cols - 1;
    double count = st->data[dim];
    for (int32_t i = 0; i < n; i++) {
        int32_t d = dims[i];
        if (d < 0 || d >= dim) {
            SK_ERROR("Bad --skip-dims: dimension %d out of range [0, %d)", d, dim);
            return SK_EINVAL;
        }
        st->data[d] = 0.0;
        if (st->rows > 1)
            st->data[st->stride + d] = count;
    }
    return 0;
}
