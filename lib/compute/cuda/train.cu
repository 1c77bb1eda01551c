/* train.cu — training-only ops: the dropout mask generator and Kaldi's L1 step.
 *
 * Dropout draws u in [0, 1) from a counter-based generator: element n of the stream
 * (n = calls so far * their sizes + r * cols + c) is splitmix64(seed + (n + 1) * golden), the
 * same mixing function the CPU backend steps sequentially. Every element is independent of
 * the others, so any thread can compute its own; the stream differs from the CPU's (Kaldi's
 * random streams need not be reproduced), the law does not.
 */
#include "compute/cuda/common.cuh"

__device__ __forceinline__ uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct dropout_fn {
    sk_bmat m; uint64_t seed, base; float rate, scale;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        uint64_t n = base + (uint64_t)r * (uint64_t)m.cols + (uint64_t)c;
        uint64_t h = mix64(seed + (n + 1) * 0x9e3779b97f4a7c15ull);
        float u = (float)(h >> 40) * (1.0f / 16777216.0f);
        AT(m, r, c) = (u - rate > 0) ? scale : 0.0f;
    }
};
static void cu_dropout_mask(const sk_backend *be, sk_bmat *mask, float rate, float scale)
{
    sk_cuda_ctx *x = CTX(be);
    sk_launch_map(x, mask->rows, mask->cols,
                  dropout_fn{ *mask, x->seed, x->counter, rate, scale });
    x->counter += (uint64_t)mask->rows * (uint64_t)mask->cols;
}

static void cu_seed(const sk_backend *be, uint64_t seed)
{
    sk_cuda_ctx *x = CTX(be);
    x->seed = seed;
    x->counter = 0;
}

/* as = sign(w) a; after = w - lr g - as; a sign change zeroes w and g, else w -= as */
struct l1_fn {
    sk_bmat w, g; float lr, a;
    __device__ void operator()(int32_t r, int32_t c) const
    {
        float &wv = AT(w, r, c), &gv = AT(g, r, c);
        float as = wv < 0 ? -a : a;
        /* rounded step by step as the CPU does (no FMA contraction): the sign test below
         * must not flip on a borderline element */
        float after = __fsub_rn(__fsub_rn(wv, __fmul_rn(lr, gv)), as);
        if ((after > 0) != (wv > 0)) {
            wv = 0;
            gv = 0;
        } else {
            wv -= as;
        }
    }
};
static void cu_l1_update(const sk_backend *be, sk_bmat *w, sk_bmat *g, float lr, float a)
{
    SAME(w, g);
    sk_launch_map(CTX(be), w->rows, w->cols, l1_fn{ *w, *g, lr, a });
}

void sk_cuda_register_train(sk_backend *be)
{
    be->dropout_mask = cu_dropout_mask;
    be->seed = cu_seed;
    be->l1_update = cu_l1_update;
}
