#!/bin/sh
# nnet1 against Kaldi's own outputs (tests/data/nnet1, copied from conformance/nnet1):
# model files byte-identical in both formats, nnet-forward within 1e-4, the --randomize=false
# epoch from dnn.init.nnet within 1e-3 of Kaldi's parameters with the same AvgLoss and
# FRAME_ACCURACY (plain and momentum + L2), cross-validation report, nnet-info, cmvn-to-nnet,
# nnet-concat, nnet-initialize of the splice prototype.
. "$(dirname "$0")/../tools/lib.sh"
D=$DATA/nnet1

for m in dnn.init dnn.epoch1 dnn.epoch1.mom; do
    test_expect_success "$m: binary read/write is byte-identical" "
        nnet-copy $D/$m.nnet out.nnet && cmp $D/$m.nnet out.nnet
    "
    # text keeps 7 digits (as Kaldi's), so text -> binary -> text is the fixed point
    test_expect_success "$m: text -> binary -> text is identical, values within 1e-6" "
        nnet-copy --binary=false $D/$m.nnet out.txt &&
        nnet-copy out.txt back.nnet && nnet-copy --binary=false back.nnet again.txt &&
        cmp out.txt again.txt && nnet-copy back.nnet back2.nnet && cmp back.nnet back2.nnet
    "
done

for m in splice.nnet cmvn.nnet feature_transform.nnet; do
    test_expect_success "$m (Kaldi text): text read/write identical, binary round trip" "
        nnet-copy --binary=false $D/$m out.txt && cmp $D/$m out.txt &&
        nnet-copy $D/$m out.bin && nnet-copy --binary=false out.bin again.txt &&
        cmp $D/$m again.txt
    "
done

test_expect_success 'nnet-initialize builds the splice transform as Kaldi' '
    nnet-initialize --binary=false $D/splice.proto splice.nnet 2>err &&
    cmp $D/splice.nnet splice.nnet &&
    grep -q "^VLOG\[1\] .*<Splice> <InputDim> 40 <OutputDim> 440 <BuildVector> -5:5 </BuildVector>" err &&
    grep -q "Written initialized model to splice.nnet" err
'
# Kaldi draws with C rand() after srand(seed); with glibc's rand() the stream is the same.
test_expect_success 'nnet-initialize --seed=777 reproduces dnn.init.nnet byte for byte' '
    nnet-initialize --seed=777 $D/dnn.proto init.nnet 2>err && cmp $D/dnn.init.nnet init.nnet &&
    grep -q "^VLOG\[1\] .*) <NnetProto>$" err
'
test_expect_success 'cmvn-to-nnet reproduces cmvn.nnet byte for byte' '
    cmvn-to-nnet --binary=false $D/cmvn-g.stats cmvn.nnet && cmp $D/cmvn.nnet cmvn.nnet
'
test_expect_success 'nnet-concat reproduces feature_transform.nnet (input from a pipe)' '
    nnet-concat --binary=false "cat $D/splice.nnet |" $D/cmvn.nnet ft.nnet 2>err &&
    cmp $D/feature_transform.nnet ft.nnet && grep -q "Concatenating $D/cmvn.nnet" err
'
test_expect_success 'nnet-info: same text as Kaldi (statistics within 1e-3)' '
    nnet-info $D/dnn.epoch1.nnet >info.txt 2>err &&
    tr -d , <$D/info.epoch1.txt >ref && tr -d , <info.txt >got && numdiff ref got 1e-3 &&
    grep -q "Printed info about" err
'

FT="--feature-transform=$D/feature_transform.nnet"
for v in softmax: nosoftmax:--no-softmax=true log:--apply-log=true \
         prior:--no-softmax=true,--class-frame-counts=$D/counts.txt; do
    name=${v%%:*} opts=$(echo "${v#*:}" | tr , ' ')
    test_expect_success "nnet-forward ($name) within 1e-4 of Kaldi" "
        nnet-forward $FT $opts $D/dnn.epoch1.nnet ark:$D/test.feats.ark ark,t:out.txt 2>err &&
        gunzip -c $D/forward.$name.txt.gz >ref.txt && numdiff ref.txt out.txt 1e-4 &&
        grep -q 'Done 2 files in' err
    "
done

# Compare the three report lines of a training log with Kaldi's (3 significant digits).
cat >"$TMP_BASE/report.sh" <<'EOS'
#!/bin/sh
# report.sh KALDI_REPORT LOG: AvgLoss / FRAME_ACCURACY equal to 3 significant digits.
ex() { sed -n -e 's/.*AvgLoss: \([^ ]*\) .*/\1/p' -e 's/^FRAME_ACCURACY >> \([^%]*\)%.*/\1/p' "$1"; }
want=$(ex "$1")
got=$(ex "$2")
w=$(echo $want | awk '{printf "%.3g %.3g", $1, $2}')
g=$(echo $got | awk '{printf "%.3g %.3g", $1, $2}')
echo "kaldi: $w  skald: $g"
[ -n "$w" ] && [ "$w" = "$g" ]
EOS
chmod +x "$TMP_BASE/report.sh"
R=$TMP_BASE/report.sh

test_expect_success 'epoch (--randomize=false, lr 0.008): parameters within 1e-3, same report' "
    nnet-train-frmshuff --use-gpu=no --randomize=false --learn-rate=0.008 --momentum=0 --minibatch-size=256 \
        $FT ark:$D/train.feats.ark ark:$D/train.post.ark $D/dnn.init.nnet e1.nnet 2>log &&
    nnet-copy --binary=false e1.nnet e1.txt && nnet-copy --binary=false $D/dnn.epoch1.nnet ref.txt &&
    numdiff ref.txt e1.txt 1e-3 && $R $D/train.epoch1.report log &&
    grep -q 'Done 200 files, 0 with no tgt_mats, 0 with other errors. \[TRAINING, NOT-RANDOMIZED' log &&
    grep -q ') ### After 8192 frames,$' log && grep -q '^FRAME_ACCURACY >> ' log
"
test_expect_success 'epoch with momentum 0.9, L2 1e-5, minibatch 128: within 1e-3, same report' "
    nnet-train-frmshuff --use-gpu=no --randomize=false --learn-rate=0.004 --momentum=0.9 --l2-penalty=1e-5 \
        --minibatch-size=128 $FT ark:$D/train.feats.ark ark:$D/train.post.ark $D/dnn.init.nnet \
        e1m.nnet 2>log &&
    nnet-copy --binary=false e1m.nnet e1m.txt &&
    nnet-copy --binary=false $D/dnn.epoch1.mom.nnet ref.txt &&
    numdiff ref.txt e1m.txt 1e-3 && $R $D/train.epoch1.mom.report log
"
test_expect_success 'cross-validation of dnn.epoch1.nnet: same report, no model written' "
    nnet-train-frmshuff --use-gpu=no --cross-validate=true --randomize=false $FT ark:$D/train.feats.ark \
        ark:$D/train.post.ark $D/dnn.epoch1.nnet 2>log &&
    $R $D/cv.epoch1.report log &&
    grep -q 'CROSS-VALIDATION STARTED' log &&
    grep -q '\[CROSS-VALIDATION, NOT-RANDOMIZED' log && ! ls *.nnet 2>/dev/null
"
test_done
