/* Unit tests for lib/compute/config.c and the GPU side of sk_backend_select: precision names,
 * settings on the CPU backends (accepted, no effect), bad values refused with an ERROR, and
 * Kaldi's --use-gpu behaviour for whichever situation this machine is in (CUDA not built /
 * built without a usable GPU / GPU present: sk_backend_cuda_probe says which). */
#include "compute/backend.h"
#include "tap.h"

#include "base/log.h"
#include "base/opts.h"

static int n_err, n_warn;
static char last[1024];
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR)
        n_err++;
    if (sev == SK_SEV_WARNING)
        n_warn++;
    snprintf(last, sizeof last, "%s", line);
}
static void reset(void) { n_err = n_warn = 0; last[0] = 0; }

int main(void)
{
    sk_log_set_sink(sink, NULL);
    TEST("precision names parse and print; unknown names refused") {
        sk_precision p = SK_PREC_FP32;
        CHECK(sk_precision_parse("bf16", &p) == 0 && p == SK_PREC_BF16);
        CHECK(sk_precision_parse("tf32", &p) == 0 && p == SK_PREC_TF32);
        CHECK(sk_precision_parse("fp32", &p) == 0 && p == SK_PREC_FP32);
        CHECK_STR(sk_precision_name(SK_PREC_TF32), "tf32");
        reset();
        CHECK(sk_precision_parse("fp16", &p) == SK_EINVAL);
        CHECK(n_err == 1 && strstr(last, "Invalid precision 'fp16'"));
    }
    TEST("CPU backend: fp32 only, other precisions warn once; memory fraction checked") {
        const sk_backend *cpu = sk_backend_cpu();
        reset();
        CHECK(sk_backend_set_precision(cpu, SK_PREC_FP32) == 0);
        CHECK_INT(n_warn, 0);
        CHECK(sk_backend_set_precision(cpu, SK_PREC_BF16) == 0);
        CHECK(sk_backend_set_precision(cpu, SK_PREC_TF32) == 0);
        CHECK_INT(n_warn, 1);
        CHECK(sk_backend_precision(cpu) == SK_PREC_FP32);
        CHECK(sk_backend_set_memory_fraction(cpu, 0.5) == 0);
        reset();
        CHECK(sk_backend_set_memory_fraction(cpu, 1.5) == SK_EINVAL);
        CHECK(sk_backend_set_memory_fraction(cpu, -0.1) == SK_EINVAL);
        CHECK_INT(n_err, 2);
    }
    TEST("sk_gpu_opts: --precision and --gpu-memory-fraction registered, parsed, applied") {
        char *argv[] = { "tool", "--precision=bf16", "--gpu-memory-fraction=0.25", "x", NULL };
        sk_opts *po = sk_opts_new("Test\nUsage: tool x\n", 4, argv);
        sk_gpu_opts g = SK_GPU_OPTS_INIT;
        sk_gpu_opts_register(po, &g);
        sk_opts_parse(po);
        CHECK_STR(g.precision, "bf16");
        CHECK_NEAR(g.memory_fraction, 0.25, 0);
        CHECK(sk_gpu_opts_apply(sk_backend_cpu(), &g) == 0);
        g.precision = "half";
        reset();
        CHECK(sk_gpu_opts_apply(sk_backend_cpu(), &g) == SK_EINVAL && n_err == 1);
        g.precision = "fp32";
        g.memory_fraction = 2;
        CHECK(sk_gpu_opts_apply(sk_backend_cpu(), &g) == SK_EINVAL);
        sk_opts_free(po);
    }
    char why[256] = "";
    int probe = sk_backend_cuda_probe(why, sizeof why);
    printf("# CUDA probe: %d (%s)\n", probe, probe == 1 ? "GPU usable" : why);
    TEST("--use-gpu=yes|wait|optional|no as Kaldi's for this machine") {
        reset();
        const sk_backend *y = sk_backend_select("yes"), *w = sk_backend_select("wait");
        int e_yes = n_err;
        reset();
        const sk_backend *o = sk_backend_select("optional");
        int w_opt = n_warn;
        reset();
        const sk_backend *n = sk_backend_select("no");
        CHECK(n == sk_backend_cpu() && n_err == 0 && n_warn == 0);
        if (probe < 0) {         /* CUDA not built: yes runs on the CPU, like Kaldi */
            CHECK(y == sk_backend_cpu() && w == sk_backend_cpu() && o == sk_backend_cpu());
            CHECK(e_yes == 0 && w_opt == 0);
            CHECK(sk_backend_get("cuda") == NULL);
        } else if (probe == 0) { /* built, no GPU: yes/wait fail, optional warns */
            CHECK(y == NULL && w == NULL);
            CHECK_INT(e_yes, 2);
            CHECK(o == sk_backend_cpu());
            CHECK_INT(w_opt, 1);
        } else {                 /* GPU */
            CHECK(y != NULL && !strcmp(y->name, "cuda") && y == w && y == o);
            CHECK(e_yes == 0 && w_opt == 0);
        }
    }
    if (probe != 0)
        printf("ok %d # skip the no-GPU messages: %s\n", ++tap_n,
               probe < 0 ? "CUDA not built (no message by design)" : "a GPU is present");
    else TEST("the messages are Kaldi's") {
        {
            reset();
            sk_backend_select("optional");
            CHECK(strstr(last, "No CUDA GPU detected; running on CPU since --use-gpu=optional "
                               "specified.") != NULL);
            reset();
            sk_backend_select("yes");
            CHECK(strstr(last, "ERROR (") == last && strstr(last, "No CUDA GPU detected!, "
                                                              "diagnostics: ") != NULL);
        }
    }
    sk_log_set_sink(NULL, NULL);
    return tap_done();
}
