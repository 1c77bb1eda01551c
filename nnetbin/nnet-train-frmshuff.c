/* nnet-train-frmshuff: one epoch of frame-level SGD (or cross-validation) of an nnet1 model
 * on shuffled frames.
 *
 * The input pipeline runs ahead of the training: a producer thread reads and decodes the
 * archives, runs the feature transform (on the CPU backend), fills and shuffles the
 * randomizer and writes each minibatch into a compute/feeder.h ring (on a GPU: pinned buffers
 * copied on a second stream), with its targets and weights in a ring of sk_train_batch of
 * the same depth (SKALD_INPUT_DEPTH minibatches, default 4). The main thread only trains.
 * The "i/o time" of the final line is the share of the run the training spent waiting for
 * input (--verbose=1 adds the pipeline's counts). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "compute/feeder.h"
#include "matrix/matrix.h"
#include "nnet/loss.h"
#include "nnet/nnet.h"
#include "nnet/parallel.h"
#include "nnet/randomizer.h"
#include "nnet/train.h"

static const char usage[] =
    "Train an nnet1 model for one pass over the data (an epoch) by minibatch SGD on\n"
    "frames shuffled in a buffer, or score it (--cross-validate). Targets are posteriors,\n"
    "usually pdf ids from ali-to-pdf | ali-to-post.\n"
    "Data-parallel (synchronous SGD): with --num-threads=N (CPU workers), --num-gpus=N (or a\n"
    "GPU list, e.g. 0,2,3) or started by mpirun (one worker a process; with --num-gpus, one\n"
    "process a node and a worker a GPU, NCCL across nodes), every step takes\n"
    "N x --minibatch-size frames from the one shuffled stream, splits them among the N\n"
    "workers, sums the gradients and applies one identical update: the same as one worker\n"
    "with --minibatch-size N times larger (scale --learn-rate as you would for that).\n"
    "Usage:  nnet-train-frmshuff [options] <feature-rspecifier> <targets-rspecifier> "
    "<model-in> [<model-out>]\n"
    "e.g.: nnet-train-frmshuff scp:feats.scp ark:posterior.ark nnet.init nnet.iter1\n";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The producer thread: everything up to a minibatch on the training backend. */
typedef struct {
    sk_utt_source *src;
    sk_randomizer *rnd;
    sk_feeder *fd;
    sk_train_batch *ring;          /* [depth], indexed by the feeder's slot */
    int32_t gmb, in_dim;
    bool shuffle;
    double t0;
    atomic_int status;             /* < 0: the producer failed (ERROR printed) */
} producer;

static int buffer_utt(producer *p, const sk_utt *u, int64_t n_mb)
{
    if (sk_randomizer_add(p->rnd, u->feats, u->tgt, u->w) < 0) {
        SK_ERROR("Cannot buffer %s", u->key);
        return SK_EIO;
    }
    int done = sk_utt_source_num_done(p->src);
    if (done % 5000 == 0) {
        double el = now() - p->t0;
        SK_VLOG(1, "After %d utterances: time elapsed = %g min; processed %g frames per "
                "second.", done, el / 60, (double)n_mb * p->gmb / el);
    }
    return 0;
}

static void *produce(void *arg)
{
    producer *p = arg;
    bool exhausted = false, have_next = false;
    int64_t n_mb = 0;
    sk_utt next;   /* one utterance read ahead (valid until the source is read again) */
    while (!exhausted) {
        if (have_next && buffer_utt(p, &next, n_mb) < 0) {
            atomic_store(&p->status, SK_EIO);
            goto out;
        }
        have_next = false;
        while (!sk_randomizer_full(p->rnd)) {
            sk_utt u;
            int st = sk_utt_source_next(p->src, &u);
            if (st < 0) {
                SK_ERROR("Cannot prepare the training data");
                atomic_store(&p->status, st);
                goto out;
            }
            if (st == 0) {
                exhausted = true;
                break;
            }
            if (buffer_utt(p, &u, n_mb) < 0) {
                atomic_store(&p->status, SK_EIO);
                goto out;
            }
        }
        /* Read one utterance ahead: knowing the input is used up before this buffer's last
         * minibatch goes out lets that minibatch carry the closing statistics (Kaldi's reader
         * knows it is Done() right after its last utterance). */
        if (!exhausted) {
            int st = sk_utt_source_next(p->src, &next);
            if (st < 0) {
                SK_ERROR("Cannot prepare the training data");
                atomic_store(&p->status, st);
                goto out;
            }
            exhausted = st == 0;
            have_next = st > 0;
        }
        if (p->shuffle)
            sk_randomizer_shuffle(p->rnd);
        for (; !sk_randomizer_done(p->rnd); sk_randomizer_next(p->rnd)) {
            sk_mat xm = sk_randomizer_feats(p->rnd);
            int32_t stride;
            float *h = sk_feeder_host(p->fd, &stride);
            sk_train_batch *b = &p->ring[sk_feeder_slot(p->fd, 0)];
            if (sk_train_batch_set(b, sk_randomizer_targets(p->rnd),
                                   sk_randomizer_weights(p->rnd), p->gmb) < 0) {
                atomic_store(&p->status, SK_EIO);
                sk_feeder_submit(p->fd, 0);   /* the consumer stops at an empty minibatch */
                goto out;
            }
            for (int32_t r = 0; r < xm.rows; r++)
                memcpy(h + (size_t)r * stride, SK_ROW(&xm, r), sizeof(float) * (size_t)xm.cols);
            /* statistics are printed for the first and the last minibatch */
            b->need_stats = n_mb == 0 || (exhausted && sk_randomizer_buffered(p->rnd) < 2 * p->gmb);
            sk_feeder_submit(p->fd, p->gmb);
            n_mb++;
        }
    }
out:
    sk_feeder_close(p->fd);
    return NULL;
}

/* Fail: under mpirun end the whole job (the other ranks would wait for this one). */
#define par_fatal(ps, ...) do { \
        if ((ps)->mpi) { SK_ERROR(__VA_ARGS__); sk_comm_fatal((ps)->mpi); } \
        SK_FATAL(__VA_ARGS__); } while (0)

/* Log a malloc'ed text (Info, reports) and free it; a macro so the line says main(). */
#define log_info(expr) do { char *s_ = (expr); SK_LOG_LONG(s_ ? s_ : ""); free(s_); } while (0)

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_train_opts to = SK_TRAIN_OPTS_INIT;
    int32_t rnd_size = 32768, rnd_seed = 777, minibatch = 256, loss_report_frames = 1800000;
    int32_t max_frames = 360000, length_tolerance = 5;
    bool binary = true, crossvalidate = false, randomize = true;
    const char *feature_transform = "", *objective = "xent", *frame_weights = "",
               *utt_weights = "", *use_gpu = "yes";
    sk_opts_float(po, "learn-rate", &to.learn_rate, "Step size of the SGD update (per frame: gradients are summed over a minibatch)");
    sk_opts_float(po, "momentum", &to.momentum, "Fraction of the previous update added to the current one");
    sk_opts_float(po, "l1-penalty", &to.l1_penalty, "L1 regularisation per frame (pushes weights to zero)");
    sk_opts_float(po, "l2-penalty", &to.l2_penalty, "L2 regularisation per frame (weight decay)");
    sk_opts_int(po, "randomizer-size", &rnd_size, "Frames held in the shuffling buffer");
    sk_opts_int(po, "randomizer-seed", &rnd_seed, "Seed of the frame shuffling");
    sk_opts_int(po, "minibatch-size", &minibatch, "Frames in one SGD step (a worker's share when data-parallel)");
    sk_opts_int(po, "loss-report-frames", &loss_report_frames,
                "Report loss per blocks of N frames (0 = no reports)");
    sk_opts_bool(po, "binary", &binary, "Write the model in binary");
    sk_opts_bool(po, "cross-validate", &crossvalidate,
                 "Only evaluate the objective on the data; no training, no model written");
    sk_opts_bool(po, "randomize", &randomize,
                 "Shuffle frames inside the randomizer buffer (false: keep the input order)");
    sk_opts_string(po, "feature-transform", &feature_transform,
                   "An nnet applied to the features before the trained model (not trained)");
    sk_opts_string(po, "objective-function", &objective,
                   "xent, mse, or multitask,<type1>,<dim1>,<weight1>,... (objectives of output blocks)");
    sk_opts_int(po, "max-frames", &max_frames,
                "Longer utterances are skipped");
    sk_opts_int(po, "length-tolerance", &length_tolerance,
                "Frames by which features, targets and weights may differ in length (all are "
                "cut to the shortest)");
    sk_opts_string(po, "frame-weights", &frame_weights, "Table of per-frame weight vectors scaling each frame's gradient");
    sk_opts_string(po, "utt-weights", &utt_weights, "Table of per-utterance weights scaling all frames of an utterance");
    sk_opts_string(po, "use-gpu", &use_gpu, "Compute on a GPU: yes (required), no, or optional (when one is there)");
    int32_t num_threads = 1;
    const char *num_gpus = "0";
    float comm_timeout = 300;
    sk_opts_int(po, "num-threads", &num_threads,
                "Data-parallel CPU workers (threads); the step takes num-threads x "
                "minibatch-size frames (with --num-gpus=1: workers sharing the GPU)");
    sk_opts_string(po, "num-gpus", &num_gpus,
                   "Data-parallel GPU workers: a count (GPUs 0..N-1) or a list (0,2,3); 0 = none; "
                   "the step takes N x minibatch-size frames");
    sk_opts_float(po, "comm-timeout", &comm_timeout,
                  "Seconds a worker waits for the others in the gradient all-reduce before the "
                  "job fails");
    sk_gpu_opts gpu = SK_GPU_OPTS_INIT;
    sk_gpu_opts_register(po, &gpu);
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3 + (crossvalidate ? 0 : 1))
        sk_opts_usage_exit(po);
    const char *feat_rs = sk_opts_arg(po, 1), *tgt_rs = sk_opts_arg(po, 2),
               *model_in = sk_opts_arg(po, 3), *model_out = sk_opts_arg_or_empty(po, 4);
    if (minibatch <= 0 || rnd_size <= 0)
        SK_FATAL("--minibatch-size and --randomizer-size must be positive");

    sk_dp_setup ps;
    if (sk_dp_setup_init(&ps, num_threads, num_gpus, use_gpu, comm_timeout) < 0)
        SK_FATAL("Cannot set up the training workers (--num-threads=%d --num-gpus=%s "
                 "--use-gpu=%s)", num_threads, num_gpus, use_gpu);
    for (int r = 0; r < ps.n_local; r++)
        if (sk_gpu_opts_apply(ps.be[r], &gpu) < 0)
            par_fatal(&ps, "Bad --precision=%s or --gpu-memory-fraction=%g", gpu.precision,
                      gpu.memory_fraction);
    const sk_backend *be = ps.main_be;
    /* the feature transform runs in the producer thread, on the CPU backend (a GPU backend
     * serves one thread: the training's) */
    const sk_backend *tbe = sk_backend_cpu();
    sk_nnet *trans = sk_nnet_new(tbe);
    if (feature_transform[0]) {
        sk_nnet_free(trans);
        if (!(trans = sk_nnet_read_file(feature_transform, tbe)))
            SK_FATAL("Cannot read the feature transform %s", feature_transform);
    }
    sk_dp_config dc = { .n_local = ps.n_local, .comm = ps.comm, .be = ps.be,
                        .model_in = model_in, .objective = objective,
                        .loss_report_frames = loss_report_frames, .train = !crossvalidate,
                        .opts = to, .minibatch = minibatch };
    sk_dp *dp = sk_dp_new(&dc);
    if (!dp)
        par_fatal(&ps, "Cannot set up the training workers (model %s)", model_in);
    if (sk_comm_bind_backend(be) < 0)
        par_fatal(&ps, "Cannot make the first worker's GPU current");
    sk_nnet *nn = sk_dp_nnet(dp);
    int32_t global_mb = sk_dp_global_minibatch(dp);
    /* A buffer smaller than one step would never hold a whole minibatch (Kaldi loops forever). */
    if (rnd_size < global_mb)
        par_fatal(&ps, "--randomizer-size=%d is smaller than a step of %d frames "
                  "(--minibatch-size x workers); make it at least that", rnd_size, global_mb);
    if (ps.comm)
        SK_LOG("Data-parallel training: %d workers (%s), %d frames a step (%d a worker)",
               sk_dp_workers(dp), ps.kind, global_mb, minibatch);
    if (sk_nnet_num_components(trans) && sk_nnet_output_dim(trans) != sk_nnet_input_dim(nn))
        SK_FATAL("Dimensionality mismatch! Feature transform output %d, network input %d",
                 sk_nnet_output_dim(trans), sk_nnet_input_dim(nn));
    sk_nnet_set_train(trans, false);
    trans->forward_only = true;   /* no derivative buffers */

    sk_utt_source_cfg cfg = {
        .feats = feat_rs, .targets = tgt_rs, .frame_weights = frame_weights,
        .utt_weights = utt_weights, .transform = trans, .max_frames = max_frames,
        .length_tolerance = length_tolerance, .drop_zero_weight = true,
        .input_dim = sk_nnet_num_components(trans) ? sk_nnet_input_dim(trans)
                                                   : sk_nnet_input_dim(nn),
    };
    sk_utt_source *src = sk_utt_source_open(&cfg);
    if (!src)
        par_fatal(&ps, "Cannot open the features, targets or weights");

    SK_LOG("Seeding by srand with : %d", rnd_seed);
    srand((unsigned)rnd_seed);
    sk_loss *loss = sk_dp_loss(dp);
    int32_t in_dim = sk_nnet_input_dim(nn);
    sk_randomizer *rnd = sk_randomizer_new(rnd_size, global_mb, in_dim);
    if (!rnd)
        SK_FATAL("out of memory");

    const char *dstr = getenv("SKALD_INPUT_DEPTH");
    int depth = dstr && *dstr ? atoi(dstr) : 4;
    if (depth < 2 || depth > 64)
        SK_FATAL("SKALD_INPUT_DEPTH=%s: want 2..64 minibatches", dstr);
    sk_feeder *fd = sk_feeder_new(sk_dp_input_backend(dp), global_mb, in_dim, depth);
    sk_train_batch *ring = calloc((size_t)depth, sizeof *ring);
    if (!fd || !ring)
        par_fatal(&ps, "Cannot allocate the input pipeline (%d minibatches of %d x %d)", depth,
                  global_mb, in_dim);

    SK_LOG(crossvalidate ? "CROSS-VALIDATION STARTED" : "TRAINING STARTED");
    double t0 = now();
    int64_t total_frames = 0;
    producer prod = { .src = src, .rnd = rnd, .fd = fd, .ring = ring, .gmb = global_mb,
                      .in_dim = in_dim, .shuffle = !crossvalidate && randomize, .t0 = t0 };
    atomic_init(&prod.status, 0);
    pthread_t pth;
    if (pthread_create(&pth, NULL, produce, &prod) != 0)
        par_fatal(&ps, "Cannot start the input thread");
    const sk_bmat *x;
    while ((x = sk_feeder_next(fd)) && atomic_load(&prod.status) == 0) {
        const sk_train_batch *b = &ring[sk_feeder_slot(fd, 1)];
        if (x->rows == 0)
            break;
        if (sk_dp_step_batch(dp, x, b) < 0)
            par_fatal(&ps, "Training failed after %lld frames", (long long)total_frames);
        if (total_frames == 0) {
            SK_LOG("### After %lld frames,", (long long)total_frames);
            log_info(sk_nnet_info_propagate(nn));
            if (!crossvalidate) {
                log_info(sk_nnet_info_backprop(nn));
                log_info(sk_nnet_info_gradient(nn));
            }
        }
        total_frames += global_mb;
    }
    if (atomic_load(&prod.status) < 0) {    /* the producer stopped: let it leave, then fail */
        while (sk_feeder_next(fd))
            ;
        pthread_join(pth, NULL);
        par_fatal(&ps, "Reading the training data failed after %lld frames (features %s, "
                  "targets %s)", (long long)total_frames, feat_rs, tgt_rs);
    }
    pthread_join(pth, NULL);
    sk_feeder_stats fs;
    sk_feeder_get_stats(fd, &fs);
    double t_io = fs.consumer_wait_s;
    SK_VLOG(1, "Input pipeline: %lld minibatches through %d buffers; the training waited for "
            "input %lld times (%.3f s), the reader for a free buffer %lld times; at most %d "
            "minibatches ready ahead", (long long)fs.submitted, depth,
            (long long)fs.consumer_waits, fs.consumer_wait_s, (long long)fs.producer_waits,
            fs.max_ready);
    int num_done = sk_utt_source_num_done(src), num_no_tgt = sk_utt_source_num_no_tgt(src),
        num_other = sk_utt_source_num_other(src);
    if (sk_utt_source_close(src) < 0)
        par_fatal(&ps, "Error reading the training data (features %s, targets %s%s%s%s%s)",
                  feat_rs, tgt_rs, *frame_weights ? ", frame weights " : "", frame_weights,
                  *utt_weights ? ", utterance weights " : "", utt_weights);
    if (sk_dp_finish(dp) < 0)
        par_fatal(&ps, "Cannot sum the statistics of the workers");
    SK_LOG("### After %lld frames,", (long long)total_frames);
    if (total_frames > 0) {
        log_info(sk_nnet_info_propagate(nn));
        if (!crossvalidate) {
            log_info(sk_nnet_info_backprop(nn));
            log_info(sk_nnet_info_gradient(nn));
        }
    }
    if (!crossvalidate && ps.rank == 0) {
        if (sk_nnet_check(nn) < 0)
            par_fatal(&ps, "The trained network has non-finite parameters; not writing %s",
                      model_out);
        if (sk_nnet_write_file(nn, model_out, binary) < 0)
            par_fatal(&ps, "Cannot write the model %s", model_out);
    }
    double el = now() - t0;
    {
        double tc, tm;
        int64_t steps;
        sk_dp_times(dp, &tc, &tm, &steps);
        SK_VLOG(1, "Per step (%lld steps, %d worker(s)): compute %.3f ms (forward, backward, "
                "update), all-reduce %.3f ms blocked, %.2f MB of gradients", (long long)steps,
                sk_dp_workers(dp), 1e3 * tc, 1e3 * tm, 4e-6 * (double)sk_dp_grad_floats(dp));
        if (be && !be->host_memory)
            SK_VLOG(1, "(On a GPU that compute time is the host's: kernels run asynchronously, "
                    "so it is their launch time; tests/bench/scaling.sh times the device.)");
    }
    SK_LOG("Done %d files, %d with no tgt_mats, %d with other errors. [%s, %s, %g min, "
           "processing %g frames per sec; i/o time %g%%]", num_done, num_no_tgt, num_other,
           crossvalidate ? "CROSS-VALIDATION" : "TRAINING",
           randomize ? "RANDOMIZED" : "NOT-RANDOMIZED", el / 60, total_frames / el,
           100. * t_io / el);
    if (!strcmp(objective, "xent"))
        log_info(sk_loss_report_per_class(loss));
    log_info(sk_loss_report(loss));

    sk_feeder_free(fd);
    for (int i = 0; i < depth; i++)
        sk_train_batch_release(&ring[i]);
    free(ring);
    sk_randomizer_free(rnd);
    sk_nnet_free(trans);
    sk_dp_free(dp);
    sk_dp_setup_free(&ps);
    sk_opts_free(po);
    return 0;
}
