/* nnet-train-frmshuff: one epoch of frame-level SGD (or cross-validation) of an nnet1 model
 * on shuffled frames. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/opts.h"
#include "compute/backend.h"
#include "io/holders.h"
#include "io/table.h"
#include "matrix/holders.h"
#include "matrix/matrix.h"
#include "nnet/loss.h"
#include "nnet/nnet.h"
#include "nnet/randomizer.h"
#include "nnet/train.h"

static const char usage[] =
    "Perform one iteration (epoch) of Neural Network training with\n"
    "mini-batch Stochastic Gradient Descent. The training targets\n"
    "are usually pdf-posteriors, prepared by ali-to-post.\n"
    "Usage:  nnet-train-frmshuff [options] <feature-rspecifier> <targets-rspecifier> "
    "<model-in> [<model-out>]\n"
    "e.g.: nnet-train-frmshuff scp:feats.scp ark:posterior.ark nnet.init nnet.iter1\n";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

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
    sk_opts_float(po, "learn-rate", &to.learn_rate, "Learning rate");
    sk_opts_float(po, "momentum", &to.momentum, "Momentum");
    sk_opts_float(po, "l1-penalty", &to.l1_penalty, "L1 penalty (promote sparsity)");
    sk_opts_float(po, "l2-penalty", &to.l2_penalty, "L2 penalty (weight decay)");
    sk_opts_int(po, "randomizer-size", &rnd_size, "Capacity of randomizer in frames");
    sk_opts_int(po, "randomizer-seed", &rnd_seed, "Seed of random number generator");
    sk_opts_int(po, "minibatch-size", &minibatch, "Size of a minibatch");
    sk_opts_int(po, "loss-report-frames", &loss_report_frames,
                "Report loss per blocks of N frames (0 = no reports)");
    sk_opts_bool(po, "binary", &binary, "Write output in binary mode");
    sk_opts_bool(po, "cross-validate", &crossvalidate,
                 "Perform cross-validation (don't back-propagate)");
    sk_opts_bool(po, "randomize", &randomize,
                 "Perform the frame-level shuffling within the Cache::");
    sk_opts_string(po, "feature-transform", &feature_transform,
                   "Feature transform in Nnet format");
    sk_opts_string(po, "objective-function", &objective,
                   "Objective function : xent|mse|multitask,<type1>,<dim1>,<weight1>,...");
    sk_opts_int(po, "max-frames", &max_frames,
                "Maximum number of frames an utterance can have (skipped if longer)");
    sk_opts_int(po, "length-tolerance", &length_tolerance,
                "Allowed length mismatch of features/targets/weights (in frames, we truncate "
                "to the shortest)");
    sk_opts_string(po, "frame-weights", &frame_weights, "Per-frame weights, used to re-scale gradients.");
    sk_opts_string(po, "utt-weights", &utt_weights, "Per-utterance weights, used to re-scale frame-weights.");
    sk_opts_string(po, "use-gpu", &use_gpu, "yes|no|optional, only has effect if compiled with CUDA");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 3 + (crossvalidate ? 0 : 1))
        sk_opts_usage_exit(po);
    const char *feat_rs = sk_opts_arg(po, 1), *tgt_rs = sk_opts_arg(po, 2),
               *model_in = sk_opts_arg(po, 3), *model_out = sk_opts_arg_or_empty(po, 4);
    if (minibatch <= 0 || rnd_size <= 0)
        SK_FATAL("--minibatch-size and --randomizer-size must be positive");

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
    sk_nnet_set_train(nn, !crossvalidate);   /* dropout only when training */

    sk_seq_reader *feats = sk_seq_open(feat_rs, &sk_holder_mat);
    if (!feats)
        SK_FATAL("Cannot open the features %s", feat_rs);
    sk_ra_reader *targets = sk_ra_open(tgt_rs, &sk_holder_post);
    if (!targets)
        SK_FATAL("Cannot open the targets %s", tgt_rs);
    sk_ra_reader *fw = NULL, *uw = NULL;
    if (frame_weights[0] && !(fw = sk_ra_open(frame_weights, &sk_holder_vec)))
        SK_FATAL("Cannot open the frame weights %s", frame_weights);
    if (utt_weights[0] && !(uw = sk_ra_open(utt_weights, &sk_holder_float)))
        SK_FATAL("Cannot open the utterance weights %s", utt_weights);

    SK_LOG("Seeding by srand with : %d", rnd_seed);
    srand((unsigned)rnd_seed);
    sk_loss *loss = sk_loss_new(objective, sk_nnet_output_dim(nn), loss_report_frames);
    if (!loss)
        SK_FATAL("Bad --objective-function=%s", objective);
    int32_t in_dim = sk_nnet_input_dim(nn), out_dim = sk_nnet_output_dim(nn);
    sk_randomizer *rnd = sk_randomizer_new(rnd_size, minibatch, in_dim);
    sk_bmat xb, dy, fin = { NULL, 0, 0, 0 };
    if (!rnd || be->mat_alloc(be, &xb, minibatch, in_dim) < 0 ||
        be->mat_alloc(be, &dy, minibatch, out_dim) < 0)
        SK_FATAL("out of memory");

    SK_LOG(crossvalidate ? "CROSS-VALIDATION STARTED" : "TRAINING STARTED");
    double t0 = now(), t_io = 0;
    int64_t total_frames = 0;
    int num_done = 0, num_no_tgt = 0, num_other = 0;
    sk_mat fm;
    sk_mat_init(&fm);
    float *wbuf = NULL;
    sk_post_frame *tbuf = NULL;
    size_t wcap = 0;

    while (!sk_seq_done(feats)) {
        double ti = now();
        for (; !sk_seq_done(feats) && !sk_randomizer_full(rnd); sk_seq_next(feats)) {
            const char *utt = sk_seq_key(feats);
            SK_VLOG(3, "Reading %s", utt);
            if (!sk_ra_has_key(targets, utt)) {
                SK_WARN("%s, missing targets", utt);
                num_no_tgt++;
                continue;
            }
            if (fw && !sk_ra_has_key(fw, utt)) {
                SK_WARN("%s, missing per-frame weights", utt);
                num_other++;
                continue;
            }
            if (uw && !sk_ra_has_key(uw, utt)) {
                SK_WARN("%s, missing per-utterance weight", utt);
                num_other++;
                continue;
            }
            const sk_mat *mat = sk_seq_value(feats);
            const sk_post *post = sk_ra_value(targets, utt);
            if (!mat || !post)
                SK_FATAL("Cannot read features or targets of %s", utt);
            const sk_vec *fwv = fw ? sk_ra_value(fw, utt) : NULL;
            if (fw && !fwv)
                SK_FATAL("Cannot read frame weights of %s", utt);
            int32_t nw = fwv ? fwv->dim : mat->rows;
            if ((size_t)nw + 1 > wcap || (size_t)mat->rows + 1 > wcap) {
                wcap = 2 * ((size_t)(nw > mat->rows ? nw : mat->rows) + 1);
                wbuf = realloc(wbuf, sizeof *wbuf * wcap);
                tbuf = realloc(tbuf, sizeof *tbuf * wcap);
                if (!wbuf || !tbuf)
                    SK_FATAL("out of memory");
            }
            for (int32_t i = 0; i < nw; i++)
                wbuf[i] = fwv ? fwv->data[i] : 1.0f;
            if (uw) {
                const float *u = sk_ra_value(uw, utt);
                if (!u || !(*u >= 0))
                    SK_FATAL("Bad per-utterance weight for %s", utt);
                if (*u == 0)
                    continue;
                for (int32_t i = 0; i < nw; i++)
                    wbuf[i] *= *u;
            }
            if (mat->rows > max_frames) {
                SK_WARN("Utterance too long, skipping! %s (length %d, max_frames %d)", utt,
                        mat->rows, max_frames);
                num_other++;
                continue;
            }
            int32_t lmin = mat->rows, lmax = mat->rows;
            if (post->n < lmin) lmin = post->n;
            if (post->n > lmax) lmax = post->n;
            if (nw < lmin) lmin = nw;
            if (nw > lmax) lmax = nw;
            if (!(lmax - lmin < length_tolerance)) {
                SK_WARN("Length mismatch! Targets %d, features %d, %s", post->n, mat->rows, utt);
                num_other++;
                continue;
            }
            if (mat->cols != (sk_nnet_num_components(trans) ? sk_nnet_input_dim(trans) : in_dim))
                SK_FATAL("Dimensionality mismatch! Features of %s have dim %d, expected %d", utt,
                         mat->cols, sk_nnet_num_components(trans) ? sk_nnet_input_dim(trans) : in_dim);
            for (int32_t r = 0; r < lmin; r++)
                for (int32_t c = 0; c < mat->cols; c++)
                    if (!isfinite(SK_MAT(mat, r, c)))
                        SK_FATAL("NaN or inf found in features for %s", utt);
            /* feature transform (on the backend), back to host for the randomizer */
            if (fin.rows < lmin || fin.cols != mat->cols) {
                be->mat_free(be, &fin);
                if (be->mat_alloc(be, &fin, lmin, mat->cols) < 0)
                    SK_FATAL("out of memory");
            }
            sk_bmat x = sk_bmat_rows(&fin, 0, lmin);
            be->upload(be, &x, mat->data, mat->stride);
            const sk_bmat *y = sk_nnet_propagate(trans, &x);
            if (!y)
                SK_FATAL("Cannot forward %s (%d frames) through the feature transform", utt, lmin);
            if (sk_mat_resize(&fm, lmin, y->cols) < 0)
                SK_FATAL("out of memory");
            be->download(be, fm.data, fm.stride, y);
            be->sync(be);
            /* drop frames with zero weight */
            int32_t keep = 0;
            for (int32_t r = 0; r < lmin; r++) {
                if (!(wbuf[r] >= 0))
                    SK_FATAL("Negative frame weight in %s", utt);
                if (wbuf[r] == 0)
                    continue;
                if (keep != r)
                    memcpy(SK_ROW(&fm, keep), SK_ROW(&fm, r), sizeof(float) * fm.cols);
                tbuf[keep] = post->frames[r];
                wbuf[keep] = wbuf[r];
                keep++;
            }
            if (keep == 0)
                continue;
            fm.rows = keep;
            if (sk_randomizer_add(rnd, &fm, tbuf, wbuf) < 0)
                SK_FATAL("Cannot buffer %s", utt);
            num_done++;
            if (num_done % 5000 == 0) {
                double el = now() - t0;
                SK_VLOG(1, "After %d utterances: time elapsed = %g min; processed %g frames per "
                        "second.", num_done, el / 60, total_frames / el);
            }
        }
        t_io += now() - ti;
        if (!crossvalidate && randomize)
            sk_randomizer_shuffle(rnd);
        for (; !sk_randomizer_done(rnd); sk_randomizer_next(rnd)) {
            sk_mat xm = sk_randomizer_feats(rnd);
            be->upload(be, &xb, xm.data, xm.stride);
            /* statistics are printed for the first and the last minibatch */
            bool last = sk_seq_done(feats) && sk_randomizer_buffered(rnd) < 2 * minibatch;
            if (sk_train_step(nn, loss, &xb, sk_randomizer_targets(rnd), sk_randomizer_weights(rnd),
                              &dy, &to, crossvalidate, total_frames == 0 || last) < 0)
                SK_FATAL("Training failed after %lld frames", (long long)total_frames);
            if (total_frames == 0) {
                SK_LOG("### After %lld frames,", (long long)total_frames);
                log_info(sk_nnet_info_propagate(nn));
                if (!crossvalidate) {
                    log_info(sk_nnet_info_backprop(nn));
                    log_info(sk_nnet_info_gradient(nn));
                }
            }
            total_frames += minibatch;
        }
    }
    if (sk_seq_close(feats) < 0)
        SK_FATAL("Error reading the features %s", feat_rs);
    SK_LOG("### After %lld frames,", (long long)total_frames);
    if (total_frames > 0) {
        log_info(sk_nnet_info_propagate(nn));
        if (!crossvalidate) {
            log_info(sk_nnet_info_backprop(nn));
            log_info(sk_nnet_info_gradient(nn));
        }
    }
    if (!crossvalidate) {
        if (sk_nnet_check(nn) < 0)
            SK_FATAL("The trained network has non-finite parameters; not writing %s", model_out);
        if (sk_nnet_write_file(nn, model_out, binary) < 0)
            SK_FATAL("Cannot write the model %s", model_out);
    }
    double el = now() - t0;
    SK_LOG("Done %d files, %d with no tgt_mats, %d with other errors. [%s, %s, %g min, "
           "processing %g frames per sec; i/o time %g%%]", num_done, num_no_tgt, num_other,
           crossvalidate ? "CROSS-VALIDATION" : "TRAINING",
           randomize ? "RANDOMIZED" : "NOT-RANDOMIZED", el / 60, total_frames / el,
           100. * t_io / el);
    if (!strcmp(objective, "xent"))
        log_info(sk_loss_report_per_class(loss));
    log_info(sk_loss_report(loss));

    sk_mat_release(&fm);
    free(wbuf);
    free(tbuf);
    be->mat_free(be, &xb);
    be->mat_free(be, &dy);
    be->mat_free(be, &fin);
    sk_randomizer_free(rnd);
    sk_loss_free(loss);
    sk_ra_close(targets);
    if (fw)
        sk_ra_close(fw);
    if (uw)
        sk_ra_close(uw);
    sk_nnet_free(nn);
    sk_nnet_free(trans);
    sk_opts_free(po);
    return 0;
}
