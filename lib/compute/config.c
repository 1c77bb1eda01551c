/* config.c — backend-independent settings (GEMM precision, GPU memory cap, GPU probe) that
 * forward to the CUDA backend when it is built in (SK_HAVE_CUDA) and the backend is a CUDA
 * one; on the CPU backends they are accepted and have no effect. */
#include "compute/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
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

void sk_gpu_opts_register(sk_opts *po, sk_gpu_opts *o)
{
    if (!o->precision) {
        const char *e = getenv("SKALD_PRECISION");
        o->precision = e && *e ? e : "fp32";
    }
    if (o->memory_fraction < 0) {
        const char *e = getenv("SKALD_GPU_MEMORY_FRACTION");
        o->memory_fraction = e && *e ? atof(e) : 0;
    }
    sk_opts_string(po, "precision", &o->precision,
                   "GEMM precision on the GPU: fp32 (as the CPU), tf32 (tensor-core TF32 "
                   "inputs), bf16 (bf16 inputs, fp32 accumulation and master weights)");
    sk_opts_double(po, "gpu-memory-fraction", &o->memory_fraction,
                   "Hold at most this fraction of the GPU's memory (0 = no limit), so that "
                   "jobs can share a card");
}

int sk_gpu_opts_apply(const sk_backend *be, const sk_gpu_opts *o)
{
    sk_precision p;
    if (sk_precision_parse(o->precision ? o->precision : "fp32", &p) < 0)
        return SK_EINVAL;
    if (sk_backend_set_memory_fraction(be, o->memory_fraction < 0 ? 0 : o->memory_fraction) < 0)
        return SK_EINVAL;
    return sk_backend_set_precision(be, p);
}
