#!/bin/sh
# Data-parallel training on the GPU (issue 7): one GPU worker, 3 workers sharing the GPU
# (thread all-reduce staged through the host) and the NCCL path with one rank ("--num-gpus=0,")
# each match the CPU result of one worker with the same global minibatch (1e-4 relative, fp32),
# and report the per-step compute and all-reduce times. Skips, saying why, without a GPU,
# without CUDA compiled in, or without the data.
. "$(dirname "$0")/../tools/lib.sh"

D=$DATA/nnet1
why=
if [ ! -f "$D/train.feats.ark" ] || [ ! -f "$D/dnn.init.nnet" ]; then
    why="tests/data/nnet1 is missing (copied by the nnet1 conformance tests)"
elif ! nm "$TOP/nnetbin/nnet-train-frmshuff" 2>/dev/null | grep -q ' T sk_cuda_probe$'; then
    why="CUDA not compiled in (CUDA=0 or no nvcc)"
elif ! "$TOP/tests/gpu/have-gpu"; then
    why="no CUDA device (nvidia-smi lists none)"
fi
if [ -n "$why" ]; then
    echo "1..0 # skip $why"
    exit 0
fi
export SKALD_PRECISION=fp32
COMMON="--verbose=1 --learn-rate=0.008 --feature-transform=$D/feature_transform.nnet ark:$D/train.feats.ark ark:$D/train.post.ark $D/dnn.init.nnet"
W=$TMP_BASE/ref
mkdir -p "$W"
nnet-train-frmshuff --use-gpu=no --minibatch-size=192 $COMMON $W/cpu.192.nnet 2>$W/cpu.192.log
nnet-train-frmshuff --use-gpu=no --minibatch-size=256 $COMMON $W/cpu.256.nnet 2>$W/cpu.256.log
nnet-copy --binary=false $W/cpu.192.nnet $W/cpu.192.txt 2>/dev/null
nnet-copy --binary=false $W/cpu.256.nnet $W/cpu.256.txt 2>/dev/null
export W

show() { grep 'Per step' "$1" | sed 's/.*) /# /'; }

test_expect_success '1 GPU worker == CPU (1e-4)' "
    nnet-train-frmshuff --use-gpu=yes --num-gpus=1 --minibatch-size=256 $COMMON g.nnet 2>g.log &&
    nnet-copy --binary=false g.nnet g.txt 2>/dev/null && numdiff \$W/cpu.256.txt g.txt 1e-4
"
test_expect_success '3 workers sharing the GPU x 64 == CPU 1 worker x 192 (1e-4)' "
    nnet-train-frmshuff --use-gpu=yes --num-gpus=1 --num-threads=3 --minibatch-size=64 $COMMON g.nnet 2>g.log &&
    grep -q 'Data-parallel training: 3 workers (gpu threads), 192 frames a step' g.log &&
    nnet-copy --binary=false g.nnet g.txt 2>/dev/null && numdiff \$W/cpu.192.txt g.txt 1e-4 &&
    show g.log >&2
"
test_expect_success 'NCCL path with one rank (--num-gpus=0,) == CPU (1e-4)' "
    nnet-train-frmshuff --use-gpu=yes --num-gpus=0, --minibatch-size=256 $COMMON g.nnet 2>g.log &&
    grep -q 'Data-parallel training: 1 workers (nccl), 256 frames a step' g.log &&
    nnet-copy --binary=false g.nnet g.txt 2>/dev/null && numdiff \$W/cpu.256.txt g.txt 1e-4 &&
    show g.log >&2
"
test_done
