/* Unit tests for lib/nnet/parallel: N worker threads == one worker with an N-times minibatch
 * (parameters within 1e-5, same objective), every worker's copy identical, for backends whose
 * memory the comm reads directly and for one that must be staged through the host (as GPU
 * workers sharing a GPU are: a CPU backend that says host_memory = false); the ProgressLoss
 * lines and progress vector are global (those of the one worker, printed once). */
#include "base/log.h"
#include "nnet/parallel.h"
#include "nnet/proto.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IN 12
#define OUT 5
#define STEPS 6

static unsigned seed_ = 4242;
static float urand(void)
{
    seed_ = seed_ * 1103515245u + 12345u;
    return ((seed_ >> 8) & 0xffffff) / 16777216.0f;
}

static sk_backend staged;   /* the CPU backend pretending its memory is not the host's */
static int progress_lines;  /* ProgressLoss lines logged (the sink below counts them) */

static void count_sink(int severity, const char *line, void *ctx)
{
    (void)ctx;
    if (strstr(line, "ProgressLoss["))
        progress_lines++;
    else if (severity < 0)
        fprintf(stderr, "%s\n", line);
}

/* The numbers of the report's "progress: [...]" vector (at most max). */
static int progress_vec(const sk_loss *l, double *v, int max)
{
    char *r = sk_loss_report(l), *p = r ? strstr(r, "progress: [") : NULL;
    int n = 0;
    if (p) {
        p += strlen("progress: [");
        char *end;
        for (double x = strtod(p, &end); end != p && n < max; x = strtod(p, &end)) {
            v[n++] = x;
            p = end;
        }
    }
    free(r);
    return n;
}

/* Train STEPS steps of global minibatch g on the same data; returns the dp (caller frees). */
static sk_dp *train(const char *model, int n, const sk_backend *be, int32_t g,
                    const sk_train_opts *o, int64_t report, sk_comm_group **grp)
{
    const sk_backend *bes[8];
    sk_comm *comms[8];
    *grp = n > 1 ? sk_comm_threads_new(n, 30) : NULL;
    for (int r = 0; r < n; r++) {
        bes[r] = be;
        comms[r] = *grp ? sk_comm_group_rank(*grp, r) : NULL;
    }
    sk_dp_config cfg = { .n_local = n, .comm = *grp ? comms : NULL, .be = bes,
                         .model_in = model, .objective = "xent", .train = true, .opts = *o,
                         .minibatch = g / n, .loss_report_frames = report };
    sk_dp *dp = sk_dp_new(&cfg);
    if (!dp)
        return NULL;
    seed_ = 99;
    sk_mat x;
    sk_mat_init(&x);
    sk_mat_resize(&x, g, IN);
    sk_post_pair *pr = calloc((size_t)g, sizeof *pr);
    sk_post_frame *t = calloc((size_t)g, sizeof *t);
    float *w = calloc((size_t)g, sizeof *w);
    for (int s = 0; s < STEPS; s++) {
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < IN; j++)
                SK_MAT(&x, i, j) = 2 * urand() - 1;
            pr[i].id = (int32_t)(urand() * OUT) % OUT;
            pr[i].weight = 1;
            t[i].pairs = &pr[i];
            t[i].n = 1;
            w[i] = i % 3 ? 1.0f : 0.5f;
        }
        if (sk_dp_step(dp, &x, t, w, false) < 0) {
            sk_dp_free(dp);
            dp = NULL;
            break;
        }
    }
    if (dp && sk_dp_finish(dp) < 0) {
        sk_dp_free(dp);
        dp = NULL;
    }
    sk_mat_release(&x);
    free(pr);
    free(t);
    free(w);
    return dp;
}

/* max over parameters of |a - b| / max(1e-3, max |b|) per parameter matrix */
static double pdiff(const sk_nnet *a, const sk_nnet *b)
{
    double worst = 0;
    for (int i = 0; i < sk_nnet_num_components(a); i++) {
        const sk_component *ca = sk_nnet_component(a, i), *cb = sk_nnet_component(b, i);
        for (int k = 0; k < ca->n_params; k++) {
            const sk_bmat *va = &ca->p[k].val, *vb = &cb->p[k].val;
            double m = 1e-3, d = 0;
            for (int r = 0; r < va->rows; r++)
                for (int c = 0; c < va->cols; c++) {
                    double x = va->data[(size_t)r * va->stride + c],
                           y = vb->data[(size_t)r * vb->stride + c];
                    if (fabs(y) > m)
                        m = fabs(y);
                    if (!(fabs(x - y) <= d))
                        d = fabs(x - y);
                }
            if (d / m > worst || d != d)
                worst = d != d ? 1e30 : d / m;
        }
    }
    return worst;
}

int main(void)
{
    staged = *sk_backend_cpu();
    staged.name = "cpu-staged";
    staged.host_memory = false;

    char dir[] = "/tmp/skald-parallel-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char proto[128], model[128];
    snprintf(proto, sizeof proto, "%s/proto", dir);
    snprintf(model, sizeof model, "%s/init.nnet", dir);
    FILE *f = fopen(proto, "w");
    fprintf(f, "<NnetProto>\n"
               "<AffineTransform> <InputDim> %d <OutputDim> 16 <BiasMean> 0 <BiasRange> 0.5 <ParamStddev> 0.3\n"
               "<Sigmoid> <InputDim> 16 <OutputDim> 16\n"
               "<AffineTransform> <InputDim> 16 <OutputDim> 16 <BiasMean> 0 <BiasRange> 0.5 <ParamStddev> 0.3\n"
               "<Sigmoid> <InputDim> 16 <OutputDim> 16\n"
               "<AffineTransform> <InputDim> 16 <OutputDim> %d <BiasMean> 0 <BiasRange> 0 <ParamStddev> 0.3\n"
               "<Softmax> <InputDim> %d <OutputDim> %d\n</NnetProto>\n", IN, OUT, OUT, OUT);
    fclose(f);
    sk_nnet *init = sk_nnet_new(sk_backend_cpu());
    if (sk_nnet_init_proto(init, proto) < 0 || sk_nnet_write_file(init, model, true) < 0)
        return 1;

    sk_train_opts plain = { 0.05f, 0.0f, 0.0f, 0.0f }, mom = { 0.02f, 0.7f, 1e-5f, 1e-3f };
    const sk_train_opts *opts[2] = { &plain, &mom };
    for (int oi = 0; oi < 2; oi++)
        for (int n = 2; n <= 4; n++)
            for (int st = 0; st < 2; st++) {
                char name[160];
                snprintf(name, sizeof name, "%d workers x 8 (%s backend, %s) == 1 worker x %d",
                         n, st ? "staged" : "host", oi ? "momentum+L1+L2" : "plain SGD", 8 * n);
                TEST(name) {
                    sk_comm_group *g1, *gn;
                    sk_dp *one = train(model, 1, sk_backend_cpu(), 8 * n, opts[oi], 0, &g1);
                    sk_dp *par = train(model, n, st ? &staged : sk_backend_cpu(), 8 * n,
                                       opts[oi], 0, &gn);
                    CHECK(one && par);
                    if (one && par) {
                        double d = pdiff(sk_dp_nnet(par), sk_dp_nnet(one));
                        if (!(d <= 1e-5))
                            TAP_FAIL("parameters differ by %g (relative)", d);
                        double d0 = pdiff(sk_dp_nnet(one), init);
                        if (!(d0 > 1e-3))
                            TAP_FAIL("training did not move the parameters (%g)", d0);
                        for (int r = 1; r < n; r++)
                            CHECK(pdiff(sk_dp_local_nnet(par, r), sk_dp_nnet(par)) == 0);
                        CHECK_NEAR(sk_loss_avg(sk_dp_loss(par)), sk_loss_avg(sk_dp_loss(one)), 1e-5);
                        CHECK_NEAR(sk_loss_frame_accuracy(sk_dp_loss(par)),
                                   sk_loss_frame_accuracy(sk_dp_loss(one)), 1e-9);
                        double tc, tm;
                        int64_t steps;
                        sk_dp_times(par, &tc, &tm, &steps);
                        CHECK_INT(steps, STEPS);
                    }
                    sk_dp_free(one);
                    sk_dp_free(par);
                    sk_comm_group_free(g1);
                    sk_comm_group_free(gn);
                }
            }
    /* progress blocks of 20 weighted frames (weights 1 and 0.5): 2 workers (13 a step) report
     * every 2nd step; 3 workers (exactly 20 a step: "more than 20" needs 2 steps) likewise;
     * 4 workers (26.5) every step */
    sk_log_set_sink(count_sink, NULL);
    for (int n = 2; n <= 4; n++)
        for (int st = 0; st < 2; st++) {
            char name[160];
            snprintf(name, sizeof name, "%d workers x 8 (%s backend): the ProgressLoss lines and "
                     "progress vector of 1 worker x %d, printed once", n, st ? "staged" : "host",
                     8 * n);
            TEST(name) {
                sk_comm_group *g1, *gn;
                progress_lines = 0;
                sk_dp *one = train(model, 1, sk_backend_cpu(), 8 * n, &plain, 20, &g1);
                int lines_one = progress_lines;
                progress_lines = 0;
                sk_dp *par = train(model, n, st ? &staged : sk_backend_cpu(), 8 * n, &plain, 20,
                                   &gn);
                CHECK(one && par);
                if (one && par) {
                    double a[16], b[16];
                    int na = progress_vec(sk_dp_loss(one), a, 16);
                    int nb = progress_vec(sk_dp_loss(par), b, 16);
                    CHECK_INT(na, n == 4 ? STEPS : STEPS / 2);
                    CHECK_INT(nb, na);
                    CHECK_INT(lines_one, na);
                    CHECK_INT(progress_lines, na);
                    for (int i = 0; i < na && i < nb; i++)
                        CHECK_NEAR(b[i], a[i], 1e-5 * fabs(a[i]));
                }
                sk_dp_free(one);
                sk_dp_free(par);
                sk_comm_group_free(g1);
                sk_comm_group_free(gn);
            }
        }
    sk_log_set_sink(NULL, NULL);
    sk_nnet_free(init);
    unlink(proto);
    unlink(model);
    rmdir(dir);
    return tap_done();
}
