/* splice.c — context splicing with edge replication. */
#include "feat/splice.h"

#include <string.h>

#include "base/log.h"

int sk_splice_frames(const sk_mat *in, int32_t left, int32_t right, sk_mat *out)
{
    int32_t T = in->rows, D = in->cols;
    if (T == 0 || D == 0) {
        SK_ERROR("SpliceFrames: empty input");
        return SK_EINVAL;
    }
    if (left < 0 || right < 0) {
        SK_ERROR("Invalid context: left %d, right %d", left, right);
        return SK_EINVAL;
    }
    int32_t N = 1 + left + right;
    if (sk_mat_resize(out, T, D * N) < 0)
        return SK_EIO;
    for (int32_t t = 0; t < T; t++) {
        float *o = SK_ROW(out, t);
        for (int32_t j = 0; j < N; j++) {
            int32_t src = t + j - left;
            src = src < 0 ? 0 : src >= T ? T - 1 : src;
            memcpy(o + (size_t)j * D, SK_ROW(in, src), sizeof(float) * D);
        }
    }
    return 0;
}
