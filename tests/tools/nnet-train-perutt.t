#!/bin/sh
# nnet-train-perutt: one utterance a minibatch, in order.
. "$(dirname "$0")/lib.sh"
D=$DATA/nnet1

test_expect_success 'one utterance: same update as frmshuff with that minibatch, unshuffled' '
    printf "<AffineTransform> <InputDim> 3 <OutputDim> 4\n<Sigmoid> <InputDim> 4 <OutputDim> 4\n<AffineTransform> <InputDim> 4 <OutputDim> 2\n<Softmax> <InputDim> 2 <OutputDim> 2\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null &&
    printf "u1  [\n 1 2 3\n 4 5 6\n 0 1 0 ]\n" >f.txt && printf "u1 [ 0 1 ] [ 1 1 ] [ 1 1 ]\n" >t.txt &&
    nnet-train-perutt --use-gpu=no --learn-rate=0.1 ark,t:f.txt ark,t:t.txt m.nnet a.nnet 2>err &&
    grep -q "Done 1 files, 0 with no tgt_mats, 0 with other errors. \[TRAINING, NOT-RANDOMIZED" err &&
    nnet-train-frmshuff --use-gpu=no --learn-rate=0.1 --randomize=false --minibatch-size=3 \
        ark,t:f.txt ark,t:t.txt m.nnet b.nnet 2>/dev/null &&
    nnet-copy --binary=false a.nnet a.txt 2>/dev/null && nnet-copy --binary=false b.nnet b.txt 2>/dev/null &&
    numdiff a.txt b.txt 1e-6 && ! cmp -s a.nnet m.nnet
'
test_expect_success 'cross-validation report on the digits features' "
    nnet-train-perutt --use-gpu=no --cross-validate=true --feature-transform=$D/feature_transform.nnet \
        ark:$D/train.feats.ark ark:$D/cv.post.ark $D/dnn.epoch1.nnet 2>err &&
    grep -q 'Done 40 files, 160 with no tgt_mats, 0 with other errors. \[CROSS-VALIDATION' err &&
    grep -q '^FRAME_ACCURACY >> [0-9.]*% <<' err && grep -q 'AvgLoss: [0-9.]* (Xent)' err
"
test_expect_error 'unknown objective' 'Unknown objective function code : multitask' sh -c '
    printf "<Sigmoid> <InputDim> 2 <OutputDim> 2\n" >p && nnet-initialize p m.nnet 2>/dev/null &&
    nnet-train-perutt --objective-function=multitask ark:/dev/null ark:/dev/null m.nnet o.nnet'
test_done
