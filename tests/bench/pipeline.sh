#!/bin/sh
# pipeline.sh — the input pipeline of nnet-train-frmshuff (producer thread + feeder ring) on the
# bundled nnet1 data (8237 frames, read 4 times through an scp): frames/s and how long the
# training waited for input, for a small network (where reading and the feature transform
# cost about as much as the compute) and the conformance DNN, at ring depths 2, 4 and 8.
# The wait includes the first fill of the randomizer, which nothing can overlap.
# Prints figures, never passes or fails.   Usage: tests/bench/pipeline.sh
set -e
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$TOP/nnetbin:$TOP/featbin:$TOP/bin:$PATH
D=$TOP/tests/data/nnet1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
copy-feats ark:$D/train.feats.ark ark,scp:f.ark,f1.scp 2>/dev/null
copy-post ark:$D/train.post.ark ark,t:p1.txt 2>/dev/null
for k in a b c d; do sed "s/^/$k/" f1.scp; done >f.scp
for k in a b c d; do sed "s/^/$k/" p1.txt; done >p.txt
printf '<NnetProto>\n<AffineTransform> <InputDim> 440 <OutputDim> 256\n<Sigmoid> <InputDim> 256 <OutputDim> 256\n<AffineTransform> <InputDim> 256 <OutputDim> 136\n<Softmax> <InputDim> 136 <OutputDim> 136\n</NnetProto>\n' >small.proto
nnet-initialize small.proto small.nnet 2>/dev/null
printf '%-10s %6s %10s %12s %22s\n' network depth frames/s "wall (s)" "waited for input"
for net in small.nnet $D/dnn.init.nnet; do
    for depth in 2 4 8; do
        SKALD_INPUT_DEPTH=$depth nnet-train-frmshuff --verbose=1 --use-gpu=no --learn-rate=0.008 \
            --randomizer-size=8192 --feature-transform=$D/feature_transform.nnet scp:f.scp ark:p.txt \
            $net o.nnet 2>log
        fps=$(sed -n 's/.*processing \([0-9.e+]*\) frames per sec.*/\1/p' log)
        min=$(sed -n 's/.*RANDOMIZED, \([0-9.e+-]*\) min,.*/\1/p' log)
        wait=$(sed -n 's/.*the training waited for input \([0-9]*\) times (\([0-9.]*\) s).*/\1x \2 s/p' log)
        awk -v n=$(basename $net .nnet) -v d=$depth -v f="$fps" -v m="$min" -v w="$wait" 'BEGIN {
            printf "%-10s %6d %10.0f %12.3f %22s\n", n, d, f, m * 60, w }'
    done
done
