#!/bin/sh
# The input pipeline of nnet-train-frmshuff and nnet-forward (a producer thread reads,
# transforms and shuffles ahead of the compute through compute/feeder.h): results do not depend
# on how far ahead it runs, match the committed Kaldi conformance reports, the pipeline reports
# what it did, and a reader or trainer failure mid-epoch ends the job with an ERROR (no hang).
. "$(dirname "$0")/lib.sh"
D=$DATA/nnet1
FT="--feature-transform=$D/feature_transform.nnet"
TRAIN="--use-gpu=no --randomize=false --learn-rate=0.008 --momentum=0 --minibatch-size=256 $FT"

# the log without its timing figures and line prefixes (warnings from the reader thread may
# interleave differently with the trainer's lines: they are compared as a sorted set)
norm() {
    sed '1d; s/^\([A-Z]*\) ([^ ]*) /\1 /; s/, [0-9.e+-]* min, processing.*//; s/fps=.*//' "$1" |
        grep -v '^WARNING' >"$1.main"
    grep '^WARNING' "$1" | sed 's/^WARNING ([^ ]*) //' | sort >"$1.warn"
}

test_expect_success 'ring depth 2, 4 and 16 give the same model and the same log' "
    for d in 2 4 16; do
        SKALD_INPUT_DEPTH=\$d nnet-train-frmshuff $TRAIN ark:$D/train.feats.ark ark:$D/tr.post.ark \
            $D/dnn.init.nnet m\$d.nnet 2>l\$d || exit 1
        norm l\$d
    done &&
    cmp m2.nnet m4.nnet && cmp m2.nnet m16.nnet &&
    test_cmp l2.main l4.main && test_cmp l2.main l16.main &&
    test_cmp l2.warn l16.warn && test \$(wc -l <l2.warn) = 40
"
test_expect_success 'depth 2: still Kaldi epoch-1 model (1e-3) and its report' "
    SKALD_INPUT_DEPTH=2 nnet-train-frmshuff $TRAIN ark:$D/train.feats.ark ark:$D/train.post.ark \
        $D/dnn.init.nnet e1.nnet 2>log &&
    nnet-copy --binary=false e1.nnet e1.txt 2>/dev/null &&
    nnet-copy --binary=false $D/dnn.epoch1.nnet ref.txt 2>/dev/null && numdiff ref.txt e1.txt 1e-3 &&
    grep -E '^(AvgLoss|FRAME_ACCURACY)' $D/train.epoch1.report >want &&
    grep -E '^(AvgLoss|FRAME_ACCURACY)' log >got && numdiff want got 1e-3
"
test_expect_success 'the pipeline reports its minibatches (--verbose=1) and --use-gpu=no as Kaldi' "
    nnet-train-frmshuff --verbose=1 $TRAIN ark:$D/train.feats.ark ark:$D/train.post.ark \
        $D/dnn.init.nnet o.nnet 2>log &&
    n=\$(sed -n 's/.*Input pipeline: \([0-9]*\) minibatches through 4 buffers.*/\1/p' log) &&
    f=\$(sed -n 's/.*### After \([0-9]*\) frames,\$/\1/p' log | tail -n 1) &&
    test -n \"\$n\" && test \$((n * 256)) = \"\$f\" &&
    if nm \"\$TOP/nnetbin/nnet-train-frmshuff\" | grep -q ' T sk_cuda_probe\$'; then
        grep -q 'Manually selected to compute on CPU\.\$' log
    else
        ! grep -q 'Manually selected' log
    fi
"
test_expect_success '--precision on the CPU: a warning, the same model; multi-worker path too' "
    nnet-train-frmshuff $TRAIN ark:$D/train.feats.ark ark:$D/tr.post.ark $D/dnn.init.nnet a.nnet 2>/dev/null &&
    nnet-train-frmshuff --precision=bf16 --gpu-memory-fraction=0.5 $TRAIN ark:$D/train.feats.ark \
        ark:$D/tr.post.ark $D/dnn.init.nnet b.nnet 2>log &&
    grep -q 'precision=bf16 has no effect on the cpu backend' log && cmp a.nnet b.nnet &&
    SKALD_INPUT_DEPTH=2 nnet-train-frmshuff --num-threads=2 --minibatch-size=128 $FT --use-gpu=no \
        --randomize=false ark:$D/train.feats.ark ark:$D/tr.post.ark $D/dnn.init.nnet p.nnet 2>log &&
    grep -q 'Done 160 files, 40 with no tgt_mats' log && grep -q '^FRAME_ACCURACY >> ' log
"
test_expect_error 'an unknown --precision is refused' 'Invalid precision .fp8.' \
    nnet-train-frmshuff --use-gpu=no --precision=fp8 ark:$D/train.feats.ark ark:$D/train.post.ark \
        $D/dnn.init.nnet o.nnet
test_expect_error 'archive truncated: ERROR, exit, no hang' \
    'Reading the training data failed|Error reading the training data' sh -c "
    head -c 300000 $D/train.feats.ark >t.ark &&
    SKALD_INPUT_DEPTH=2 timeout 60 nnet-train-frmshuff $TRAIN ark:t.ark ark:$D/train.post.ark \
        $D/dnn.init.nnet o.nnet; st=\$?; test \$st -ne 124 && exit \$st"
test_expect_error 'reader error mid-epoch (bad utterance after training started): ERROR, exit' \
    'Reading the training data failed after [1-9][0-9]* frames' sh -c "
    k=\$(copy-post ark:$D/train.post.ark ark,t:- 2>/dev/null | tail -n 1 | cut -d' ' -f1) &&
    n=\$(copy-post ark:$D/train.post.ark ark,t:- 2>/dev/null | tail -n 1 | tr -cd '[' | wc -c) &&
    awk -v k=\$k -v n=\$n 'BEGIN { printf \"%s  [\\n\", k
        for (i = 0; i < n; i++) printf \" 1 2 3%s\\n\", i == n - 1 ? \" ]\" : \"\" }' >bad.txt &&
    copy-feats ark,t:bad.txt ark:bad.ark 2>/dev/null && cat $D/train.feats.ark bad.ark >all.ark &&
    SKALD_INPUT_DEPTH=2 timeout 60 nnet-train-frmshuff $TRAIN --randomizer-size=1000 --minibatch-size=64 \
        ark:all.ark ark:$D/train.post.ark $D/dnn.init.nnet o.nnet; st=\$?; test \$st -ne 124 && exit \$st"
test_expect_error 'bad target in the first minibatch: the step fails while the reader waits' \
    'Out-of-bound Posterior element with index 9999' sh -c "
    copy-post ark:$D/train.post.ark ark,t:p.txt 2>/dev/null &&
    sed '1s/\[ [0-9]* /[ 9999 /' p.txt >q.txt && grep -q '9999' q.txt &&
    SKALD_INPUT_DEPTH=2 timeout 60 nnet-train-frmshuff $TRAIN --minibatch-size=16 ark:$D/train.feats.ark \
        ark,t:q.txt $D/dnn.init.nnet o.nnet; st=\$?; test \$st -ne 124 && exit \$st"
test_expect_success 'nnet-forward: utterances split across 7-frame chunks == whole (4096)' "
    nnet-forward --use-gpu=no $FT $D/dnn.init.nnet ark:$D/test.feats.ark ark:a.ark 2>/dev/null &&
    SKALD_INPUT_CHUNK=7 nnet-forward --use-gpu=no $FT $D/dnn.init.nnet ark:$D/test.feats.ark \
        ark:b.ark 2>/dev/null && cmp a.ark b.ark &&
    SKALD_INPUT_CHUNK=1 nnet-forward --use-gpu=no --verbose=1 $FT $D/dnn.init.nnet \
        ark:$D/test.feats.ark ark:c.ark 2>log && cmp a.ark c.ark &&
    n=\$(feat-to-len ark:$D/test.feats.ark ark,t:- 2>/dev/null | awk '{ s += \$2 } END { print s }') &&
    grep -q \"Input pipeline: \$n chunks\" log
"
test_expect_error 'nnet-forward: archive truncated: ERROR, exit, no hang' \
    'Reading the features .* failed|Error reading the features' sh -c "
    head -c 9000 $D/test.feats.ark >t.ark &&
    SKALD_INPUT_CHUNK=5 timeout 60 nnet-forward --use-gpu=no $FT $D/dnn.init.nnet ark:t.ark ark:o.ark;
    st=\$?; test \$st -ne 124 && exit \$st"
test_done
