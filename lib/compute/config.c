/* config.c — backend-independent settings (GEMM precision, GPU memory cap, GPU probe) that
 * forward to the CUDA backend when it is built in (SK_HAVE_CUDA) and the backend is a CUDA
 * one; on the CPU backends they are accepted and have no effect. */
#include "compute/backend.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#ifdef SK_HAVE_CUDA
#include "compute/cuda/cuda.h"
#endif

static const char *const prec_names[] = { "fp32", "tf32", "bf16" };

int sk_precision_parse(const char *name, sk_precision *p)
{
    for (int i = 0; i < 3; i++)
        if (name && !strcmp(name, prec_names[i])) {
            *p = (sk_precision)i;
            return 0;
        }
    SK_ERROR("Invalid precision '%s', must be one of fp32|tf32|bf16", name ? name : "(null)");
    return SK_EINVAL;
}

const char *sk_precision_name(sk_precision p)
{
    return (unsigned)p < 3 ? prec_names[p] : "?";
}

#ifdef SK_HAVE_CUDA
static bool is_cuda(const sk_backend *be) { return be && !strcmp(be->name, "cuda"); }
#endif

int sk_backend_set_precision(const sk_backend *be, sk_precision p)
{
    if ((unsigned)p > SK_PREC_BF16) {
        SK_ERROR("Invalid precision value %d", (int)p);
        return SK_EINVAL;
    }
#ifdef SK_HAVE_CUDA
    if (is_cuda(be))
        return sk_cuda_set_precision(be, p);
#endif
    static bool warned;
    if (p != SK_PREC_FP32 && !warned) {
        warned = true;
        SK_WARN("--precision=%s has no effect on the %s backend (computing in fp32)",
                sk_precision_name(p), be ? be->name : "(none)");
    }
    return 0;
}

sk_precision sk_backend_precision(const sk_backend *be)
{
#ifdef SK_HAVE_CUDA
    if (is_cuda(be))
        return sk_cuda_precision(be);
#else
    (void)be;
#endif
    return SK_PREC_FP32;
}

int sk_backend_set_memory_fraction(const sk_backend *be, double fraction)
{
    if (!(fraction >= 0 && fraction <= 1)) {
        SK_ERROR("Invalid GPU memory fraction %g, must be in (0, 1] (0: no limit)", fraction);
        return SK_EINVAL;
    }
#ifdef SK_HAVE_CUDA
    if (is_cuda(be))
        return sk_cuda_set_memory_fraction(be, fraction);
#else
    (void)be;
#endif
    return 0;
}

int sk_backend_cuda_probe(char *why, size_t n)
{
#ifdef SK_HAVE_CUDA
    return sk_cuda_probe(why, n);
#else
    if (why && n)
        snprintf(why, n, "CUDA was not compiled in (built with CUDA=0 or without nvcc)");
    return -1;
#endif
}
