/* cuda-gpu-available: say whether a CUDA GPU is usable (steps/nnet/train.sh runs it before
 * training unless --skip-cuda-check). Exit status as Kaldi's: 0 GPU found and a small
 * computation on it agrees with the CPU; 1 CUDA not compiled in; 255 no GPU or a broken
 * CUDA setup. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"

static const char usage[] =
    "Exit 0 if a usable GPU is there, 1 if not (printing why).\n"
    "Usage:  cuda-gpu-available\n"
    "e.g.:\n"
    " cuda-gpu-available || exit 1\n";

/* Row softmax of a 100 x 100 random matrix on the GPU, checked against the CPU backend:
 * catches a binary built for the wrong compute capability ("invalid device function"). */
static int test_computation(const sk_backend *gpu)
{
    const sk_backend *cpu = sk_backend_cpu();
    enum { N = 100 };
    static float h[N * N], g[N * N];
    unsigned s = 1;
    for (int i = 0; i < N * N; i++) {
        s = s * 1103515245u + 12345u;
        h[i] = (float)((s >> 8) & 0xffff) / 8192.0f - 4.0f;
    }
    sk_bmat a, b;
    if (gpu->mat_alloc(gpu, &a, N, N) < 0 || cpu->mat_alloc(cpu, &b, N, N) < 0)
        return -1;
    gpu->upload(gpu, &a, h, N);
    gpu->softmax(gpu, &a, &a);
    gpu->download(gpu, g, N, &a);
    gpu->sync(gpu);
    cpu->upload(cpu, &b, h, N);
    cpu->softmax(cpu, &b, &b);
    double worst = 0;
    for (int r = 0; r < N; r++)
        for (int c = 0; c < N; c++) {
            double d = fabs(g[r * N + c] - b.data[(size_t)r * b.stride + c]);
            if (!(d <= worst))
                worst = isnan(d) ? INFINITY : d;
        }
    gpu->mat_free(gpu, &a);
    cpu->mat_free(cpu, &b);
    if (!(worst < 1e-5)) {
        SK_ERROR("Softmax on the GPU differs from the CPU by %g", worst);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 0)
        sk_opts_usage_exit(po);

    char host[100] = "UNKNOWN-HOSTNAME";
    if (gethostname(host, sizeof host))
        SK_WARN("Cannot get hostname");
    host[sizeof host - 1] = 0;
    SK_LOG("\n\n### IS CUDA GPU AVAILABLE? '%s' ###", host);

    char why[256];
    int avail = sk_backend_cuda_probe(why, sizeof why);
    if (avail < 0) {
        fprintf(stderr, "### CUDA WAS NOT COMPILED IN! ###\n"
                        "To support CUDA, you must run 'configure' on a machine that has the "
                        "CUDA compiler 'nvcc' available.");
        sk_opts_free(po);
        return 1;
    }
    const sk_backend *gpu = avail > 0 ? sk_backend_get("cuda") : NULL;
    if (!gpu) {
        SK_ERROR("No CUDA GPU detected!, diagnostics: %s", avail > 0 ? "cannot start" : why);
        SK_LOG("...\n"
               "### WE DID NOT GET A CUDA GPU!!! ###\n"
               "### If your system has a 'free' CUDA GPU, try re-installing latest 'CUDA "
               "toolkit' from NVidia (this updates GPU drivers too).\n"
               "### Otherwise 'nvidia-smi' shows the status of GPUs:\n"
               "### - The versions should match ('NVIDIA-SMI' and 'Driver Version'), "
               "otherwise reboot or reload kernel module,\n"
               "### - The GPU should be unused (no 'process' in list, low 'memory-usage' "
               "(<100MB), low 'gpu-fan' (<30%%)),\n"
               "### - You should see your GPU (burnt GPUs may disappear from the list until "
               "reboot),");
        sk_opts_free(po);
        return SK_EXIT_FATAL;
    }
    fprintf(stderr, "### HURRAY, WE GOT A CUDA GPU FOR COMPUTATION!!! ##\n\n");
    fprintf(stderr, "### Testing CUDA setup with a small computation "
                    "(setup = cuda-toolkit + gpu-driver + skald):\n");
    if (test_computation(gpu) < 0) {
        SK_LOG("...\n"
               "### The CUDA setup is wrong! (\"invalid device function\" == problem with "
               "'compute capability' in compiled skald)\n"
               "### Before posting the error, please try following:\n"
               "### 1) update skald & cuda-toolkit (& GPU driver),\n"
               "### 2) re-compile skald by 'make clean; make' (CUDA_ARCH= for your GPU),\n"
               "###\n"
               "### If the problem persists, please send us your:\n"
               "### - GPU model name, cuda-toolkit version, driver version (run nvidia-smi)");
        sk_opts_free(po);
        return SK_EXIT_FATAL;
    }
    fprintf(stderr, "### Test OK!\n");
    sk_opts_free(po);
    return 0;
}
