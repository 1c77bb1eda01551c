/* ali-to-phones — alignments to phone sequences, per-frame phones, (phone, length) pairs or CTM. */
#include <stdlib.h>

#include "base/log.h"
#include "base/opts.h"
#include "hmm/align.h"
#include "hmm/transition.h"
#include "io/holders.h"
#include "io/stream.h"
#include "io/table.h"

static const char usage[] =
    "Turn transition-id alignments into phone sequences (integer phone ids), or a CTM file.\n"
    "Usage:  ali-to-phones  [options] <model> <alignments-rspecifier> "
    "<phone-transcript-wspecifier|ctm-wxfilename>\n"
    "e.g.: \n"
    " ali-to-phones 1.mdl ark:1.ali ark:-\n"
    "or:\n"
    " ali-to-phones --ctm-output 1.mdl ark:1.ali 1.ctm\n"
    "See also: show-alignments lattice-align-phones, compare-int-vector\n";

int main(int argc, char *argv[])
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    bool per_frame = false, write_lengths = false, ctm_output = false;
    float frame_shift = 0.01f;
    sk_opts_bool(po, "ctm-output", &ctm_output,
                 "Write CTM lines instead of alignments (confidence always 1)");
    sk_opts_float(po, "frame-shift", &frame_shift,
                  "Seconds per frame, for the CTM times");
    sk_opts_bool(po, "per-frame", &per_frame,
                 "Write one phone per frame instead of the phone sequence");
    sk_opts_bool(po, "write-lengths", &write_lengths,
                 "Write each phone with its length in frames");
    sk_opts_parse(po);
    if (per_frame && write_lengths)
        SK_FATAL("Incompatible options: --per-frame and --write-lengths");
    if (sk_opts_num_args(po) != 3)
        sk_opts_usage_exit(po);
    const char *out_spec = sk_opts_arg(po, 3);

    sk_trans_model *tm;
    if (sk_trans_model_read_file(sk_opts_arg(po, 1), &tm) < 0)
        sk_fatal_exit();
    sk_seq_reader *reader = sk_seq_open(sk_opts_arg(po, 2), &sk_holder_int32_vec);
    if (!reader)
        sk_fatal_exit();
    sk_output *ctm = NULL;
    sk_writer *writer = NULL;
    if (ctm_output)
        ctm = sk_output_open(out_spec, false);
    else
        writer = sk_writer_open(out_spec, write_lengths ? &sk_holder_int32_pairvec
                                                        : &sk_holder_int32_vec);
    if (!ctm && !writer)
        sk_fatal_exit();
    /* Kaldi compares the float frame shift with the double 0.01: the default 0.01f is below. */
    int ctm_digits = (double)frame_shift >= 0.01 ? 2 : 3;

    int32_t n_done = 0;
    sk_int32_vec phones = { 0 };
    for (; !sk_seq_done(reader); sk_seq_next(reader)) {
        const char *key = sk_seq_key(reader);
        const sk_int32_vec *ali = sk_seq_value(reader);
        if (!ali)
            SK_FATAL("Failed to read alignment for utterance %s", key);
        int32_t *ends, nseg;
        if (sk_ali_split_to_phones(tm, ali->data, ali->n, key, &ends, &nseg, NULL) < 0)
            sk_fatal_exit();
        int32_t nout = per_frame ? ali->n : write_lengths ? 2 * nseg : nseg;
        if (!ctm && sk_int32_vec_resize(&phones, nout) < 0)
            SK_FATAL("Out of memory for utterance %s", key);
        float phone_start = 0.0f;
        for (int32_t k = 0, start = 0, o = 0; k < nseg; start = ends[k++]) {
            int32_t phone = sk_tm_tid2phone(tm, ali->data[start]), len = ends[k] - start;
            if (ctm) {
                float dur = frame_shift * (float)len;
                fprintf(sk_output_file(ctm), "%s 1 %.*f %.*f %d\n", key, ctm_digits,
                        (double)phone_start, ctm_digits, (double)dur, (int)phone);
                phone_start += dur;
            } else if (write_lengths) {
                phones.data[o++] = phone;
                phones.data[o++] = len;
            } else if (per_frame) {
                for (int32_t j = 0; j < len; j++)
                    phones.data[o++] = phone;
            } else {
                phones.data[o++] = phone;
            }
        }
        free(ends);
        if (writer) {
            int st;
            if (write_lengths) {
                sk_int32_pairvec pv = { phones.data, nseg };
                st = sk_writer_write(writer, key, &pv);
            } else {
                st = sk_writer_write(writer, key, &phones);
            }
            if (st < 0)
                sk_fatal_exit();
        }
        n_done++;
    }
    if (sk_seq_close(reader) < 0 || (writer && sk_writer_close(writer) < 0) ||
        (ctm && sk_output_close(ctm) < 0))
        sk_fatal_exit();
    SK_LOG("Done %d utterances.", (int)n_done);
    sk_int32_vec_release(&phones);
    sk_trans_model_free(tm);
    sk_opts_free(po);
    return 0;
}
