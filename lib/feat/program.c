/* program.c — compute-{mfcc,fbank,spectrogram}-feats: table plumbing around feat/compute. */
#include "feat/program.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "feat/htk.h"
#include "feat/wave.h"
#include "io/holders.h"
#include "io/table.h"
#include "matrix/holders.h"
#include "matrix/matrix.h"

static void subtract_mean(float *x, int32_t rows, int32_t cols)
{
    if (rows == 0)
        return;
    float *mean = calloc(cols, sizeof(float));
    if (!mean)
        return;
    for (int32_t r = 0; r < rows; r++)
        for (int32_t c = 0; c < cols; c++)
            mean[c] += x[(size_t)r * cols + c];
    float s = 1.0f / rows;
    for (int32_t c = 0; c < cols; c++)
        mean[c] *= s;
    for (int32_t r = 0; r < rows; r++)
        for (int32_t c = 0; c < cols; c++)
            x[(size_t)r * cols + c] -= mean[c];
    free(mean);
}

int sk_compute_feats_main(sk_feat_type type, const char *usage, int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_feat_opts fo;
    sk_feat_opts_default(&fo, type);
    sk_feat_opts_register(po, &fo);
    const char *output_format = "kaldi", *utt2spk = "", *vtln_map = "", *utt2dur = "";
    bool sub_mean = false;
    float vtln_warp = 1.0f, min_duration = 0.0f;
    int32_t channel = -1;
    sk_opts_string(po, "output-format", &output_format, "Output file format: kaldi or htk");
    sk_opts_bool(po, "subtract-mean", &sub_mean,
                 "Subtract each matrix's own mean (cepstral mean subtraction; apply-cmvn is the "
                 "usual way).");
    if (type != SK_FEAT_SPECTROGRAM) {
        sk_opts_float(po, "vtln-warp", &vtln_warp,
                      "VTLN warp factor for all input (when there is no --vtln-map)");
        sk_opts_string(po, "vtln-map", &vtln_map,
                       "Table of VTLN warp factors by utterance or speaker");
        sk_opts_string(po, "utt2spk", &utt2spk,
                       "Table: utterance -> speaker, for VTLN warps given per speaker");
    }
    sk_opts_int(po, "channel", &channel,
                "Which channel to take: -1 requires mono input, 0 is left, 1 is right");
    sk_opts_float(po, "min-duration", &min_duration,
                  "Skip recordings shorter than this many seconds.");
    sk_opts_string(po, "write-utt2dur", &utt2dur,
                   "Table to receive each utterance's length in seconds, e.g. 'ark,t:utt2dur'.");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) != 2)
        sk_opts_usage_exit(po);
    const char *wav_rspec = sk_opts_arg(po, 1), *out_wspec = sk_opts_arg(po, 2);

    /* Library code does not exit: a fatal condition prints its ERROR and jumps to out, and the
     * tool's main returns SK_EXIT_FATAL (255) as a Kaldi binary does. */
    int status = SK_EXIT_FATAL;
    int32_t num_utts = 0, num_success = 0;
    sk_feat_computer *comp = NULL;
    sk_seq_reader *reader = NULL;
    sk_writer *writer = NULL, *dur_writer = NULL;
    sk_ra_reader *vtln = NULL;
    bool htk = false;
    if (!strcmp(output_format, "htk")) {
        htk = true;
    } else if (strcmp(output_format, "kaldi")) {
        SK_ERROR("Invalid output_format string %s", output_format);
        goto out;
    }
    if ((type == SK_FEAT_MFCC && *utt2spk && !*vtln_map) ||
        (type == SK_FEAT_FBANK && *utt2spk && *vtln_map)) {   /* fbank: Kaldi's inverted check */
        SK_ERROR("The --utt2spk option is only needed if the --vtln-map option is used.");
        goto out;
    }
    if (!(comp = sk_feat_computer_new(&fo)))
        goto out;
    int32_t dim = sk_feat_dim(comp);
    if (!(reader = sk_seq_open(wav_rspec, &sk_holder_wave)) ||
        !(writer = sk_writer_open(out_wspec, htk ? &sk_holder_htk : &sk_holder_mat)))
        goto out;
    if (*utt2dur && !(dur_writer = sk_writer_open(utt2dur, &sk_holder_double)))
        goto out;
    if (*vtln_map &&
        !(vtln = sk_ra_open_mapped(vtln_map, type == SK_FEAT_MFCC ? utt2spk : "", &sk_holder_float)))
        goto out;

    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        num_utts++;
        const char *utt = sk_seq_key(reader);
        const sk_wave *wave = sk_seq_value(reader);
        if (!wave)
            goto out;
        float dur = sk_wave_duration(wave);
        if (dur < min_duration) {
            SK_WARN("File: %s is too short (%g sec): producing no output.", utt, dur);
            continue;
        }
        int32_t num_chan = wave->num_channels, this_chan = channel;
        if (channel == -1) {
            this_chan = 0;
            if (num_chan != 1)
                SK_WARN("Channel not specified but you have data with %d channels; defaulting to zero",
                        num_chan);
        } else if (this_chan >= num_chan || this_chan < 0) {
            SK_WARN("File with id %s has %d channels but you specified channel %d, producing no output.",
                    utt, num_chan, channel);
            continue;
        }
        float warp = vtln_warp;
        if (vtln) {
            if (!sk_ra_has_key(vtln, utt)) {
                if (sk_ra_failed(vtln))
                    goto out;
                SK_WARN("No vtln-map entry for utterance-id (or speaker-id) %s", utt);
                continue;
            }
            const float *v = sk_ra_value(vtln, utt);
            if (!v)
                goto out;
            warp = *v;
        }
        float *feats;
        int32_t rows;
        if (sk_feat_compute(comp, wave->data + (size_t)this_chan * wave->num_samples,
                            wave->num_samples, wave->samp_freq, warp, &feats, &rows) < 0) {
            SK_WARN("Failed to compute features for utterance %s", utt);
            continue;
        }
        if (sub_mean)
            subtract_mean(feats, rows, dim);
        sk_mat m = { feats, rows, rows ? dim : 0, rows ? dim : 0, false };
        int st;
        if (htk) {
            uint16_t kind;
            int32_t period = 100000;
            if (type == SK_FEAT_SPECTROGRAM) {
                kind = 7 | 020000;
                period = (int32_t)(fo.frame.frame_shift_ms * 10000);
            } else {
                bool e = type == SK_FEAT_MFCC ? fo.mfcc.use_energy : fo.fbank.use_energy;
                kind = (uint16_t)((type == SK_FEAT_MFCC ? 6 : 7) | (e ? 0100 : 020000));
            }
            sk_htk h = { &m, period, kind, { NULL, 0, 0, 0, false } };
            st = sk_writer_write(writer, utt, &h);
        } else {
            st = sk_writer_write(writer, utt, &m);
        }
        free(feats);
        if (st < 0)
            goto out;
        if (dur_writer) {
            double d = dur;
            if (sk_writer_write(dur_writer, utt, &d) < 0)
                goto out;
        }
        if (num_utts % 10 == 0)
            SK_LOG("Processed %d utterances", num_utts);
        SK_VLOG(2, "Processed features for key %s", utt);
        num_success++;
    }
    int cr = sk_seq_close(reader), cw = sk_writer_close(writer);
    int cd = dur_writer ? sk_writer_close(dur_writer) : 0;
    reader = NULL;
    writer = dur_writer = NULL;
    if (cr < 0 || cw < 0 || cd < 0)
        goto out;
    SK_LOG(" Done %d out of %d utterances.", num_success, num_utts);
    status = num_success != 0 ? 0 : 1;
out:
    if (reader)
        sk_seq_close(reader);
    if (writer)
        sk_writer_close(writer);
    if (dur_writer)
        sk_writer_close(dur_writer);
    if (vtln && sk_ra_close(vtln) < 0)
        status = SK_EXIT_FATAL;
    sk_feat_computer_free(comp);
    sk_opts_free(po);
    return status;
}
