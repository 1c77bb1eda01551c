/* train.c — the training step, phase by phase (see train.h). */
#include "nnet/train.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"

int sk_train_forward(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_post_frame *tgt,
                     const float *w, sk_bmat *dy)
{
    const sk_bmat *y = sk_nnet_propagate(nn, x);
    if (!y)
        return SK_EIO;
    return sk_loss_eval(loss, nn->be, y, tgt, w, dy);
}

void sk_train_backward(sk_nnet *nn, const sk_bmat *dy)
{
    /* the input derivative is computed too: Kaldi's training log shows its statistics */
    sk_nnet_backprop(nn, dy, true);
}

int sk_train_step(sk_nnet *nn, sk_loss *loss, const sk_bmat *x, const sk_post_frame *tgt,
                  const float *w, sk_bmat *dy, const sk_train_opts *o, bool cross_validate,
                  bool need_stats)
{
    int st = sk_train_forward(nn, loss, x, tgt, w, dy);
    if (st < 0 || cross_validate)
        return st;
    if (need_stats)
        sk_train_backward(nn, dy);
    else
        sk_nnet_backprop_fused(nn, dy, false, o);
    sk_nnet_update(nn, o);
    return 0;
}

void sk_log_long(const char *func, const char *file, int line, const char *msg)
{
    if (strlen(msg) < 6000) {
        sk_log_msg(SK_SEV_LOG, func, file, line, "%s", msg);
        return;
    }
    const char *fbase = strrchr(file, '/');
    fbase = fbase ? fbase + 1 : file;
    fflush(stdout);
    fprintf(stderr, "LOG (%s[skald]:%s():%s:%d) %s\n", sk_log_program(), func, fbase, line, msg);
    fflush(stderr);
}
