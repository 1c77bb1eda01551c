/* deltas.c — delta filters built in float as Kaldi's DeltaFeatures. */
#include "feat/deltas.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"

int sk_compute_deltas(const sk_mat *in, int32_t order, int32_t window, sk_mat *out)
{
    if (order < 0 || window <= 0) {
        SK_ERROR("Invalid --delta-order=%d or --delta-window=%d", order, window);
        return SK_EINVAL;
    }
    int32_t T = in->rows, D = in->cols;
    /* filters: s[i] has length 1 + 2*i*window */
    float **s = calloc(order + 1, sizeof(float *));
    if (!s)
        return SK_EIO;
    int st = SK_EIO;
    s[0] = malloc(sizeof(float));
    if (!s[0])
        goto done;
    s[0][0] = 1.0f;
    for (int32_t i = 1; i <= order; i++) {
        int32_t prev_len = 1 + 2 * (i - 1) * window, len = prev_len + 2 * window;
        s[i] = calloc(len, sizeof(float));
        if (!s[i])
            goto done;
        int32_t p = (prev_len - 1) / 2, c = p + window;
        float norm = 0.0f;
        for (int32_t j = -window; j <= window; j++) {
            norm += (float)(j * j);
            for (int32_t k = -p; k <= p; k++)
                s[i][j + k + c] += (float)j * s[i - 1][k + p];
        }
        float inv = 1.0f / norm;
        for (int32_t k = 0; k < len; k++)
            s[i][k] *= inv;
    }
    if (sk_mat_resize(out, T, D * (order + 1)) < 0)
        goto done;
    for (int32_t t = 0; t < T; t++) {
        float *o = SK_ROW(out, t);
        for (int32_t i = 0; i <= order; i++) {
            int32_t m = i * window;
            float *blk = o + i * D;
            for (int32_t j = -m; j <= m; j++) {
                float c = s[i][j + m];
                if (c == 0.0f)
                    continue;
                int32_t src = t + j < 0 ? 0 : t + j >= T ? T - 1 : t + j;
                const float *x = SK_ROW(in, src);
                for (int32_t d = 0; d < D; d++)
                    blk[d] += c * x[d];
            }
        }
    }
    st = 0;
done:
    for (int32_t i = 0; i <= order; i++)
        free(s[i]);
    free(s);
    return st;
}
