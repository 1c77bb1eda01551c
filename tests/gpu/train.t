#!/bin/sh
# GPU training against the CPU: one epoch of nnet-train-frmshuff on the bundled nnet1 data
# (tests/data/nnet1, Kaldi's conformance system) from the same initial model with
# --randomize=false, once with --use-gpu=yes and once with --use-gpu=no: parameters within
# 1e-4 relative (fp32), the same frame accuracy to 0.1%; nnet-forward GPU == CPU within 1e-5.
# Skips, saying why, without a GPU, without CUDA compiled in, or without the data.
. "$(dirname "$0")/../tools/lib.sh"

D=$DATA/nnet1
need="train.feats.ark train.post.ark dnn.init.nnet feature_transform.nnet"
missing=
for f in $need; do [ -f "$D/$f" ] || missing="$missing $f"; done
why=
if [ -n "$missing" ]; then
    why="tests/data/nnet1 lacks$missing (copied by the nnet1 conformance tests)"
else
    why=$(gpu_why)
fi
if [ -n "$why" ]; then
    echo "1..0 # skip $why"
    exit 0
fi

train() {  # train USE_GPU OUT: one epoch as Kaldi's conformance run did it
    SKALD_PRECISION=fp32 nnet-train-frmshuff --use-gpu=$1 --randomize=false --learn-rate=0.008 \
        --momentum=0 --minibatch-size=256 --feature-transform=$D/feature_transform.nnet \
        ark:$D/train.feats.ark ark:$D/train.post.ark $D/dnn.init.nnet $2.nnet 2> $2.log
}
acc() { sed -n 's/.*FRAME_ACCURACY >> \([0-9.]*\)% <<.*/\1/p' "$1" | tail -n 1; }

test_expect_success 'one epoch on GPU and CPU: parameters within 1e-4 relative' '
    train yes gpu && train no cpu &&
    grep -q "The active GPU is" gpu.log &&
    nnet-copy --binary=false gpu.nnet gpu.txt 2> /dev/null &&
    nnet-copy --binary=false cpu.nnet cpu.txt 2> /dev/null &&
    numdiff gpu.txt cpu.txt 1e-4
'
test_expect_success 'same frame accuracy to 0.1%, same log layout' '
    train yes gpu && train no cpu &&
    a=$(acc gpu.log) && b=$(acc cpu.log) && test -n "$a" && test -n "$b" &&
    awk -v a="$a" -v b="$b" "BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1) }" &&
    grep -c "ProgressLoss\|AvgLoss\|FRAME_ACCURACY" gpu.log > n.gpu &&
    grep -c "ProgressLoss\|AvgLoss\|FRAME_ACCURACY" cpu.log > n.cpu && test_cmp n.cpu n.gpu
'
test_expect_success 'nnet-forward on GPU == CPU within 1e-5' '
    feats=$D/test.feats.ark; [ -f "$feats" ] || feats=$D/train.feats.ark
    nnet-forward --use-gpu=yes --feature-transform=$D/feature_transform.nnet $D/dnn.init.nnet \
        ark:$feats ark,t:gpu.txt 2> gpu.log &&
    nnet-forward --use-gpu=no --feature-transform=$D/feature_transform.nnet $D/dnn.init.nnet \
        ark:$feats ark,t:cpu.txt 2> cpu.log &&
    numdiff gpu.txt cpu.txt 1e-5
'
test_expect_success 'the GPU run goes through the input pipeline; deferred statistics time progress as the CPU' '
    for g in yes no; do
        SKALD_PRECISION=fp32 SKALD_INPUT_DEPTH=3 nnet-train-frmshuff --verbose=1 --use-gpu=$g \
            --randomize=false --learn-rate=0.008 --minibatch-size=256 --loss-report-frames=3000 \
            --feature-transform=$D/feature_transform.nnet ark:$D/train.feats.ark \
            ark:$D/train.post.ark $D/dnn.init.nnet $g.nnet 2> $g.log || exit 1
    done &&
    grep -q "Input pipeline: [0-9]* minibatches through 3 buffers" yes.log &&
    grep -c "ProgressLoss" yes.log > n.gpu && grep -c "ProgressLoss" no.log > n.cpu &&
    test_cmp n.cpu n.gpu && test "$(cat n.gpu)" = 2 &&
    sed -n "s/^progress: \[\(.*\)\]$/\1/p" yes.log | tr " " "\n" | grep . > p.gpu &&
    sed -n "s/^progress: \[\(.*\)\]$/\1/p" no.log | tr " " "\n" | grep . > p.cpu &&
    numdiff p.cpu p.gpu 1e-4
'
test_expect_success '--precision=bf16 (the option, not the environment) changes the GPU result' '
    train yes gpu &&
    nnet-train-frmshuff --precision=bf16 --use-gpu=yes --randomize=false --learn-rate=0.008 \
        --momentum=0 --minibatch-size=256 --feature-transform=$D/feature_transform.nnet \
        ark:$D/train.feats.ark ark:$D/train.post.ark $D/dnn.init.nnet b.nnet 2> b.log &&
    ! cmp -s gpu.nnet b.nnet &&
    a=$(acc gpu.log) && b=$(acc b.log) &&
    awk -v a="$a" -v b="$b" "BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 2) }"
'
test_expect_success 'nnet-forward on GPU: utterances fed in 7-frame chunks == whole' '
    feats=$D/test.feats.ark; [ -f "$feats" ] || feats=$D/train.feats.ark
    nnet-forward --use-gpu=yes --feature-transform=$D/feature_transform.nnet $D/dnn.init.nnet \
        ark:$feats ark,t:a.txt 2> /dev/null &&
    SKALD_INPUT_CHUNK=7 nnet-forward --use-gpu=yes --feature-transform=$D/feature_transform.nnet \
        $D/dnn.init.nnet ark:$feats ark,t:b.txt 2> /dev/null &&
    numdiff a.txt b.txt 1e-6
'
test_expect_success 'cuda-gpu-available: finds the GPU, its test computation passes, exit 0' '
    cuda-gpu-available > out 2>&1 &&
    grep -q "HURRAY, WE GOT A CUDA GPU" out && grep -q "^### Test OK!" out
'
test_expect_success 'GPU memory exhausted (--gpu-memory-fraction): ERROR with the sizes, old model kept' '
    echo previous > out.nnet &&
    test_must_fail nnet-train-frmshuff --use-gpu=yes --gpu-memory-fraction=0.000001 \
        --randomize=false --learn-rate=0.008 --minibatch-size=256 \
        --feature-transform=$D/feature_transform.nnet ark:$D/train.feats.ark \
        ark:$D/train.post.ark $D/dnn.init.nnet out.nnet 2> err &&
    grep -q "^ERROR (.*Cannot allocate [0-9]* bytes on GPU 0 (over the memory limit): this process holds [0-9]* bytes, its limit is [0-9]* bytes (memory fraction 1e-06)" err &&
    test "$(cat out.nnet)" = previous
'
if [ -f "$TOP/tests/gpu/.emulated" ]; then
    test_expect_success 'emulator: a device too small for the model: ERROR naming the size and free memory' '
        echo previous > out.nnet &&
        SKALD_EMU_MEM_MB=1 test_must_fail nnet-train-frmshuff --use-gpu=yes --randomize=false \
            --learn-rate=0.008 --minibatch-size=256 \
            --feature-transform=$D/feature_transform.nnet ark:$D/train.feats.ark \
            ark:$D/train.post.ark $D/dnn.init.nnet out.nnet 2> err &&
        grep -q "^ERROR (.*Cannot allocate [0-9]* bytes on GPU 0 (out of memory): this process holds [0-9]* bytes; device free [0-9]* MiB of 1 MiB" err &&
        test "$(cat out.nnet)" = previous
    '
else
    test_skip 'device too small for the model' 'needs the emulator (SKALD_EMU_MEM_MB sets its size)'
fi
for p in tf32 bf16; do
    test_expect_success "one epoch in $p trains (frame accuracy within 2% of fp32 CPU)" '
        train no cpu &&
        SKALD_PRECISION='$p' nnet-train-frmshuff --use-gpu=yes --randomize=false \
            --learn-rate=0.008 --momentum=0 --minibatch-size=256 \
            --feature-transform=$D/feature_transform.nnet ark:$D/train.feats.ark \
            ark:$D/train.post.ark $D/dnn.init.nnet p.nnet 2> p.log &&
        grep -q "precision '$p'" p.log &&
        a=$(acc p.log) && b=$(acc cpu.log) &&
        awk -v a="$a" -v b="$b" "BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 2) }"
    '
done
test_done
