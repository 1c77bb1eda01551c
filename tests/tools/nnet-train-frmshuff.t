#!/bin/sh
# nnet-train-frmshuff: training drives cross-validation accuracy well above chance on the
# bundled conformance features; bad inputs give Kaldi's warnings/errors, never a crash.
. "$(dirname "$0")/lib.sh"
D=$DATA/nnet1
FT="--feature-transform=$D/feature_transform.nnet"

small_model() {
    printf '<NnetProto>\n<AffineTransform> <InputDim> 3 <OutputDim> 4\n<Sigmoid> <InputDim> 4 <OutputDim> 4\n<AffineTransform> <InputDim> 4 <OutputDim> 2\n<Softmax> <InputDim> 2 <OutputDim> 2\n</NnetProto>\n' >p &&
    nnet-initialize p m.nnet 2>/dev/null &&
    printf 'u1  [\n 1 2 3\n 4 5 6 ]\nu2  [\n 1 2 3 ]\n' >f.txt &&
    printf 'u1 [ 0 1 ] [ 1 1 ]\n' >t.txt
}

# 160 utterances train, 40 cross-validate (tr.post.ark / cv.post.ark split the targets);
# chance (the most frequent pdf) is 3.4% of the frames.
test_expect_success 'four shuffled epochs lift cv frame accuracy above 20% (chance 3.4%)' "
    nnet-initialize --seed=1 $D/dnn.proto m0.nnet 2>/dev/null &&
    m=m0.nnet && for e in 1 2 3 4; do
        nnet-train-frmshuff --use-gpu=no --learn-rate=0.008 $FT ark:$D/train.feats.ark ark:$D/tr.post.ark \
            \$m m\$e.nnet 2>tr.log || exit 1
        m=m\$e.nnet
    done &&
    grep -q 'Done 160 files, 40 with no tgt_mats, 0 with other errors. \[TRAINING, RANDOMIZED' tr.log &&
    nnet-train-frmshuff --use-gpu=no --cross-validate=true $FT ark:$D/train.feats.ark ark:$D/cv.post.ark \$m 2>cv.log &&
    acc=\$(sed -n 's/^FRAME_ACCURACY >> \([0-9.]*\)% <<\$/\1/p' cv.log) && echo \"cv accuracy \$acc\" &&
    awk -v a=\"\$acc\" 'BEGIN { exit !(a > 20) }'
"
test_expect_success 'progress reports every --loss-report-frames, listed in the report' "
    nnet-train-frmshuff --use-gpu=no --randomize=false --loss-report-frames=3000 $FT \
        ark:$D/train.feats.ark ark:$D/train.post.ark $D/dnn.init.nnet o.nnet 2>log &&
    test \$(grep -c 'ProgressLoss\[last 0h of 0h\]: [0-9.]* (Xent), fps=' log) = 2 &&
    grep -q '^progress: \[[0-9.]* [0-9.]* \]\$' log
"
test_expect_success 'per-utterance weights: weight 0 drops the utterance, missing one warns' '
    small_model && printf "u1 0\n" >uw.txt && printf "u1 [ 0 1 ] [ 1 1 ]\nu2 [ 1 1 ]\n" >t2.txt &&
    nnet-train-frmshuff --use-gpu=no --utt-weights=ark,t:uw.txt --minibatch-size=1 ark,t:f.txt ark,t:t2.txt m.nnet o.nnet 2>err &&
    grep -q "u2, missing per-utterance weight" err &&
    grep -q "Done 0 files, 0 with no tgt_mats, 1 with other errors" err
'
test_expect_success 'missing targets: warning, counted, utterance skipped' '
    small_model && nnet-train-frmshuff --use-gpu=no --minibatch-size=1 ark,t:f.txt ark,t:t.txt m.nnet o.nnet 2>err &&
    grep -q "^WARNING .* u2, missing targets" err &&
    grep -q "Done 1 files, 1 with no tgt_mats, 0 with other errors" err && test -s o.nnet
'
test_expect_success 'length mismatch beyond tolerance: warning, other errors' '
    small_model && printf "u1 [ 0 1 ] [ 1 1 ]\nu2 [ 0 1 ] [ 0 1 ] [ 0 1 ] [ 0 1 ] [ 0 1 ] [ 0 1 ]\n" >t2.txt &&
    nnet-train-frmshuff --use-gpu=no --minibatch-size=1 ark,t:f.txt ark,t:t2.txt m.nnet o.nnet 2>err &&
    grep -q "^WARNING .* Length mismatch! Targets 6, features 1, u2" err &&
    grep -q "Done 1 files, 0 with no tgt_mats, 1 with other errors" err
'
test_expect_success 'utterance too long: warning and skip' '
    small_model && nnet-train-frmshuff --use-gpu=no --max-frames=1 --minibatch-size=1 ark,t:f.txt ark,t:t.txt m.nnet o.nnet 2>err &&
    grep -q "Utterance too long, skipping! u1 (length 2, max_frames 1)" err
'
test_expect_success 'per-frame weights: zero-weight frames removed' '
    small_model && printf "u1 [ 0 1 ]\n" >w.txt &&
    nnet-train-frmshuff --use-gpu=no --frame-weights=ark,t:w.txt --minibatch-size=1 ark,t:f.txt ark,t:t.txt m.nnet o.nnet 2>err &&
    grep -q "@@@ Frames per-class: \[ 0 1 \]" err
'
test_expect_success 'mse objective prints the Mse report' '
    small_model && nnet-train-frmshuff --use-gpu=no --objective-function=mse --minibatch-size=1 ark,t:f.txt ark,t:t.txt m.nnet o.nnet 2>err &&
    grep -q "AvgLoss: .* (Mse), \[RMS .*, frames 2\]" err
'
test_expect_success 'cross-validation takes no model-out (usage otherwise)' '
    small_model && test_must_fail nnet-train-frmshuff --use-gpu=no --cross-validate=true ark,t:f.txt ark,t:t.txt m.nnet o.nnet 2>err &&
    grep -q "^Usage:" err && test ! -e o.nnet
'
test_expect_error 'NaN in features' 'NaN or inf found in features for u1' sh -c '
    printf "<NnetProto>\n<AffineTransform> <InputDim> 3 <OutputDim> 2\n<Softmax> <InputDim> 2 <OutputDim> 2\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null && printf "u1  [\n 1 2 3\n 4 nan 6 ]\n" >f.txt &&
    printf "u1 [ 0 1 ] [ 1 1 ]\n" >t.txt &&
    nnet-train-frmshuff --use-gpu=no --minibatch-size=1 ark,t:f.txt ark,t:t.txt m.nnet o.nnet'
test_expect_error 'features of the wrong dimension' 'Dimensionality mismatch' sh -c '
    printf "<NnetProto>\n<AffineTransform> <InputDim> 4 <OutputDim> 2\n<Softmax> <InputDim> 2 <OutputDim> 2\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null && printf "u1  [\n 1 2 3\n 4 5 6 ]\n" >f.txt &&
    printf "u1 [ 0 1 ] [ 1 1 ]\n" >t.txt &&
    nnet-train-frmshuff --use-gpu=no --minibatch-size=1 ark,t:f.txt ark,t:t.txt m.nnet o.nnet'
test_expect_error 'target index beyond the network output' 'Out-of-bound Posterior element with index 7, higher than number of columns 2' sh -c '
    printf "<NnetProto>\n<AffineTransform> <InputDim> 3 <OutputDim> 2\n<Softmax> <InputDim> 2 <OutputDim> 2\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null && printf "u1  [\n 1 2 3\n 4 5 6 ]\n" >f.txt &&
    printf "u1 [ 0 1 ] [ 7 1 ]\n" >t.txt &&
    nnet-train-frmshuff --use-gpu=no --minibatch-size=1 ark,t:f.txt ark,t:t.txt m.nnet o.nnet'
test_expect_error 'unknown objective function' 'Unknown objective function code : foo' sh -c '
    printf "<NnetProto>\n<AffineTransform> <InputDim> 3 <OutputDim> 2\n" >p &&
    nnet-initialize p m.nnet 2>/dev/null && printf "u1  [\n 1 2 3 ]\n" >f.txt && printf "u1 [ 0 1 ]\n" >t.txt &&
    nnet-train-frmshuff --use-gpu=no --objective-function=foo ark,t:f.txt ark,t:t.txt m.nnet o.nnet'
test_expect_success 'a failed run leaves an existing model-out intact' '
    small_model && echo old >o.nnet && printf "u1 [ 0 1 ] [ 9 1 ]\n" >bad.txt &&
    test_must_fail nnet-train-frmshuff --use-gpu=no --minibatch-size=1 ark,t:f.txt ark,t:bad.txt m.nnet o.nnet 2>err &&
    test "$(cat o.nnet)" = old && ! ls o.nnet.tmp.* 2>/dev/null
'
test_expect_error 'a randomizer smaller than one step is refused (it would never fill a minibatch)' \
    "randomizer-size=100 is smaller than a step of 256 frames" \
    nnet-train-frmshuff --use-gpu=no --cross-validate=true --randomizer-size=100 \
        --feature-transform=$D/feature_transform.nnet ark:$D/train.feats.ark ark:$D/train.post.ark $D/dnn.epoch1.nnet
test_expect_success 'closing statistics are the last minibatch'"'"'s even when the last utterance fills the buffer' '
    copy-feats ark:$D/train.feats.ark ark,t:- 2>/dev/null | awk "/\\[/ { n++ } n <= 4" > f4.txt &&
    frames=$(feat-to-len ark,t:f4.txt ark,t:- 2>/dev/null | awk "{ s += \$2 } END { print s }") &&
    for r in $((frames - 1)) 10000; do
        nnet-train-frmshuff --use-gpu=no --randomize=false --minibatch-size=16 --randomizer-size=$r \
            --feature-transform=$D/feature_transform.nnet ark,t:f4.txt ark:$D/train.post.ark \
            $D/dnn.init.nnet o$r.nnet 2> log$r || exit 1
        sed -n "/After $frames frames/,\$p" log$r | grep -v "min,\|^nnet-train" > stats$r
    done &&
    test -s stats10000 && grep -q "GRADIENT STATS" stats10000 &&
    test_cmp stats10000 stats$((frames - 1))
'
test_done
