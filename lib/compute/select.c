/* select.c — choosing the backend once per run (Kaldi's --use-gpu). The only place that knows
 * which optional backends were built. */
#include "compute/backend.h"

#include <string.h>

#include "base/log.h"

/* Weak reference: resolves to NULL when the CUDA backend is not linked in (CUDA=0, or before
 * lib/compute/cuda/ provides it). */
extern const sk_backend *sk_backend_cuda(void) __attribute__((weak));

static const sk_backend *cuda_or_null(void)
{
    const sk_backend *be = sk_backend_cuda ? sk_backend_cuda() : NULL;
    if (!be)
        return NULL;
    for (int op = 0; op < SK_OP_COUNT; op++)
        if (!be->supports(be, (sk_op)op)) {
            SK_WARN("The %s backend does not support operation family %d yet; using the CPU",
                    be->name, op);
            return NULL;
        }
    return be;
}

const sk_backend *sk_backend_get(const char *name)
{
    if (!strcmp(name, "cpu"))
        return sk_backend_cpu();
    if (!strcmp(name, "cpu-ref"))
        return sk_backend_cpu_ref();
    if (!strcmp(name, "cuda")) {
        const sk_backend *be = cuda_or_null();
        if (!be)
            SK_ERROR("The CUDA backend is not available (not built, or no usable GPU)");
        return be;
    }
    SK_ERROR("Unknown compute backend '%s' (cpu, cpu-ref, cuda)", name);
    return NULL;
}

const sk_backend *sk_backend_select(const char *use_gpu)
{
    if (!strcmp(use_gpu, "no"))
        return sk_backend_cpu();
    if (!strcmp(use_gpu, "yes") || !strcmp(use_gpu, "optional") || !strcmp(use_gpu, "wait")) {
        const sk_backend *be = cuda_or_null();
        if (be)
            return be;
        if (!strcmp(use_gpu, "yes")) {
            /* Kaldi without CUDA compiled in accepts --use-gpu=yes and runs on the CPU; skald
             * does the same when it was built without CUDA, and fails when CUDA was built
             * but no GPU is usable. */
            if (sk_backend_cuda) {
                SK_ERROR("No CUDA GPU available and --use-gpu=yes");
                return NULL;
            }
        }
        return sk_backend_cpu();
    }
    SK_ERROR("Invalid value --use-gpu=%s, must be one of yes|no|optional|wait", use_gpu);
    return NULL;
}
