/* select.c — choosing the backend once per run (Kaldi's --use-gpu). The only place that knows
 * which optional backends were built. */
#include "compute/backend.h"

#include <string.h>

#include "base/log.h"

#ifdef SK_HAVE_CUDA
/* A strong reference when CUDA is built: the linker takes an archive member (here the CUDA
 * backend out of libskald.a) only for a strong reference, never for a weak one. */
static bool cuda_built(void) { return true; }
static const sk_backend *cuda_or_null(void) { return sk_backend_cuda(); }
#else
/* Weak reference: resolves to NULL when the CUDA backend is not linked in (CUDA=0). */
extern const sk_backend *sk_backend_cuda(void) __attribute__((weak));
static bool cuda_built(void) { return sk_backend_cuda != NULL; }
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
#endif

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
    if (!strcmp(use_gpu, "no")) {
        /* Kaldi prints this when it was built with CUDA (its SelectGpuId), so do we */
        if (cuda_built())
            SK_LOG("Manually selected to compute on CPU.");
        return sk_backend_cpu();
    }
    if (!strcmp(use_gpu, "yes") || !strcmp(use_gpu, "optional") || !strcmp(use_gpu, "wait")) {
        const sk_backend *be = cuda_or_null();
        if (be)
            return be;
        /* Kaldi without CUDA compiled in accepts --use-gpu=yes and runs on the CPU; skald
         * does the same when it was built without CUDA. With CUDA built, Kaldi's messages:
         * yes|wait fail, optional warns and runs on the CPU. */
        if (cuda_built()) {
            if (strcmp(use_gpu, "optional")) {
                char why[256];
                sk_backend_cuda_probe(why, sizeof why);
                SK_ERROR("No CUDA GPU detected!, diagnostics: %s",
                         why[0] ? why : "the CUDA backend could not start");
                return NULL;
            }
            SK_WARN("No CUDA GPU detected; running on CPU since --use-gpu=optional specified.");
        }
        return sk_backend_cpu();
    }
    SK_ERROR("Invalid value --use-gpu=%s, must be one of yes|no|optional|wait", use_gpu);
    return NULL;
}
