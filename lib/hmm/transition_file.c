/* transition_file.c — reading and writing a TransitionModel as a whole object file (a final.mdl
 * or a transition model alone), kept apart from transition.c so that code reading models from
 * memory does not pull in the stream layer.
 */
#include "hmm/transition.h"

#include "base/log.h"
#include "io/stream.h"

int sk_trans_model_read_file(const char *rxfilename, sk_trans_model **tm)
{
    bool binary;
    *tm = NULL;
    sk_input *in = sk_input_open_object(rxfilename, &binary);
    if (!in)
        return SK_EIO;
    FILE *f = sk_input_file(in);
    int st = sk_trans_model_read(f, binary, tm);
    if (st < 0)
        SK_ERROR("Failed to read transition model from %s", sk_printable_rx(rxfilename));
    /* The acoustic model after it is not needed; a pipe is drained so that its command
     * finishes normally instead of dying of SIGPIPE. */
    sk_rx_kind kind = sk_classify_rxfilename(rxfilename);
    if (st == 0 && (kind == SK_RX_PIPE || kind == SK_RX_STDIN)) {
        char buf[65536];
        while (fread(buf, 1, sizeof buf, f) > 0) {
        }
    }
    if (sk_input_close(in) < 0 && st == 0) {
        st = SK_EIO;
    }
    if (st < 0) {
        sk_trans_model_free(*tm);
        *tm = NULL;
    }
    return st;
}

int sk_trans_model_write_file(const char *wxfilename, bool binary, const sk_trans_model *tm)
{
    sk_output *out = sk_output_open_object(wxfilename, binary, true);
    if (!out)
        return SK_EIO;
    if (sk_trans_model_write(sk_output_file(out), binary, tm) < 0) {
        SK_ERROR("Failed to write transition model to %s", sk_printable_wx(wxfilename));
        sk_output_abort(out);
        return SK_EIO;
    }
    return sk_output_close(out);
}
