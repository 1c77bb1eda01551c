/* nnet-train-perutt: one epoch of SGD (or cross-validation) with one utterance a minibatch,
 * in input order, no frame shuffling. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "nnet/loss.h"
#include "nnet/nnet.h"
#include "nnet/train.h"

static const char usage[] =
    "One epoch of SGD training that updates the network after every utterance.\n"
    "Targets are posteriors over pdfs (e.g. from ali-to-post).\n"
    "Usage:  nnet-train-perutt [options] <feature-rspecifier> <targets-rspecifier> "
    "<model-in> [<model-out>]\n"
    "e.g.: nnet-train-perutt scp:feature.scp ark:posterior.ark nnet.init nnet.iter1\n";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define log_info(expr) do { char *s_ = (expr); SK_LOG_LONG(s_ ? s_ : ""); free(s_); } while (0)

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_train_opts to = SK_TRAIN_OPTS_INIT;
    int32_t length_tolerance = 5, rnd_size = 32768, rnd_seed = 777, minibatch = 256;
    bool binary = true, crossvalidate = false, randomize = false;
    const char *feature_transform = "", *objective = "xent", *frame_weights = "",
               *use_gpu = "yes";
    sk_opts_float(po, "learn-rate", &to.learn_rate, "Step size of the gradient update");
    sk_opts_float(po, "momentum", &to.momentum, "Momentum of the gradient update");
    sk_opts_float(po, "l1-penalty", &to.l1_penalty, "L1 regularisation weight");
    sk_opts_float(po, "l2-penalty", &to.l2_penalty, "L2 regularisation weight (weight decay)");
    sk_opts_bool(po, "binary", &binary, "Binary output");
    sk_opts_bool(po, "cross-validate", &crossvalidate,
                 "Only evaluate the objective; no gradient step");
    sk_opts_string(po, "feature-transform", &feature_transform,
                   "Network applied to the features first (nnet1 format)");
    sk_opts_string(po, "objective-function", &objective, "Loss: xent or mse");
    sk_opts_int(po, "length-tolerance", &length_tolerance,
                "Largest length difference in frames between features and targets");
    sk_opts_string(po, "frame-weights", &frame_weights,
                   "Weight of each frame in the gradient (0 drops the frame).");
    sk_opts_string(po, "use-gpu", &use_gpu, "yes, no or optional: use a GPU (needs a CUDA build)");
    /* dummy randomizer options, for compatibility with the standard scripts */
    sk_opts_int(po, "randomizer-size", &rnd_size,
                "Frames held in the shuffling buffer (accepted, has no effect here)");
    sk_opts_int(po, "randomizer-seed", &rnd_seed, "Random seed (accepted, has no effect here)");
    sk_opts_int(po, "minibatch-size", &minibatch,
                "Frames per step (accepted, has no effect here)");
    sk_opts_bool(po, "randomize", &randomize, "Accepted for compatibility; has no effect");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 4 - (crossvalidate ? 1 : 0))
        sk_opts_usage_exit(po);
    const char *feat_rs = sk_opts_arg(po, 1), *tgt_rs = sk_opts_arg(po, 2),
               *model_in = sk_opts_arg(po, 3), *model_out = sk_opts_arg_or_empty(po, 4);
    if (strcmp(objective, "xent") && strcmp(objective, "mse"))
        SK_FATAL("Unknown objective function code : %s", objective);

    const sk_backend *be = sk_backend_select(use_gpu);
    if (!be)
        SK_FATAL("Cannot select a compute backend (--use-gpu=%s)", use_gpu);
    sk_nnet *trans = sk_nnet_new(be);
    if (feature_transform[0]) {
        sk_nnet_free(trans);
        if (!(trans = sk_nnet_read_file(feature_transform, be)))
            SK_FATAL("Cannot read the feature transform %s", feature_transform);
    }
    sk_nnet *nn = sk_nnet_read_file(model_in, be);
    if (!nn || sk_nnet_num_components(nn) == 0)
        SK_FATAL("Cannot read the model %s (or it is empty)", model_in);
    if (sk_nnet_num_components(trans) && sk_nnet_output_dim(trans) != sk_nnet_input_dim(nn))
        SK_FATAL("Dimensionality mismatch! Feature transform output %d, network input %d",
                 sk_nnet_output_dim(trans), sk_nnet_input_dim(nn));
    sk_nnet_set_train(trans, false);
    sk_nnet_set_train(nn, !crossvalidate);

    sk_utt_source_cfg cfg = {
        .feats = feat_rs, .targets = tgt_rs, .frame_weights = frame_weights,
        .transform = trans, .length_tolerance = length_tolerance,
        .input_dim = sk_nnet_num_components(trans) ? sk_nnet_input_dim(trans)
                                                   : sk_nnet_input_dim(nn),
    };
    sk_utt_source *src = sk_utt_source_open(&cfg);
    sk_loss *loss = sk_loss_new(objective, sk_nnet_output_dim(nn), 0);
    if (!src || !loss)
        SK_FATAL("Cannot open the features or targets");

    SK_LOG(crossvalidate ? "CROSS-VALIDATION STARTED" : "TRAINING STARTED");
    double t0 = now();
    int64_t total_frames = 0;
    sk_bmat xb = { NULL, 0, 0, 0 }, dyb = { NULL, 0, 0, 0 };
    sk_utt u;
    int st;
    while ((st = sk_utt_source_next(src, &u)) > 0) {
        if (xb.rows < u.n) {   /* one utterance is one minibatch */
            be->mat_free(be, &xb);
            be->mat_free(be, &dyb);
            if (be->mat_alloc(be, &xb, u.n, u.feats->cols) < 0 ||
                be->mat_alloc(be, &dyb, u.n, sk_nnet_output_dim(nn)) < 0)
                SK_FATAL("Cannot allocate a minibatch of %d frames (%s)", u.n, u.key);
        }
        sk_bmat x = sk_bmat_rows(&xb, 0, u.n), dy = sk_bmat_rows(&dyb, 0, u.n);
        be->upload(be, &x, u.feats->data, u.feats->stride);
        /* the gradient statistics of the last utterance are printed: keep them stored */
        if (sk_train_step(nn, loss, &x, u.tgt, u.w, &dy, &to, crossvalidate, true) < 0)
            SK_FATAL("Training failed on %s", u.key);
        if (total_frames == 0) {
            SK_VLOG(1, "### After %lld frames,", (long long)total_frames);
            if (sk_log_verbose() >= 1) {
                log_info(sk_nnet_info_propagate(nn));
                if (!crossvalidate) {
                    log_info(sk_nnet_info_backprop(nn));
                    log_info(sk_nnet_info_gradient(nn));
                }
            }
        }
        total_frames += u.n;
        int done = sk_utt_source_num_done(src);
        if (done % 5000 == 0) {
            double el = now() - t0;
            SK_VLOG(1, "After %d utterances: time elapsed = %g min; processed %g frames per "
                    "second.", done, el / 60, total_frames / el);
        }
    }
    if (st < 0)
        SK_FATAL("Cannot prepare the training data");
    if (sk_log_verbose() >= 1 && total_frames > 0) {
        SK_VLOG(1, "### After %lld frames,", (long long)total_frames);
        log_info(sk_nnet_info_propagate(nn));
        if (!crossvalidate) {
            log_info(sk_nnet_info_backprop(nn));
            log_info(sk_nnet_info_gradient(nn));
        }
    }
    int num_done = sk_utt_source_num_done(src), num_no_tgt = sk_utt_source_num_no_tgt(src),
        num_other = sk_utt_source_num_other(src);
    if (sk_utt_source_close(src) < 0)
        SK_FATAL("Error reading the features %s", feat_rs);
    if (!crossvalidate) {
        if (sk_nnet_check(nn) < 0)
            SK_FATAL("The trained network has non-finite parameters; not writing %s", model_out);
        if (sk_nnet_write_file(nn, model_out, binary) < 0)
            SK_FATAL("Cannot write the model %s", model_out);
    }
    double el = now() - t0;
    SK_LOG("Done %d files, %d with no tgt_mats, %d with other errors. [%s, %s, %g min, fps%g]",
           num_done, num_no_tgt, num_other, crossvalidate ? "CROSS-VALIDATION" : "TRAINING",
           randomize ? "RANDOMIZED" : "NOT-RANDOMIZED", el / 60, total_frames / el);
    if (!strcmp(objective, "xent"))
        log_info(sk_loss_report_per_class(loss));
    log_info(sk_loss_report(loss));

    be->mat_free(be, &xb);
    be->mat_free(be, &dyb);
    sk_loss_free(loss);
    sk_nnet_free(nn);
    sk_nnet_free(trans);
    sk_opts_free(po);
    return 0;
}
