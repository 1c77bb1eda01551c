#!/bin/sh
# Speed of nnet1 training and forward on the CPU (tests/bench: prints figures, never fails).
# Network 440 - 6 x 1024 sigmoid - 2000 softmax (7.74 M parameters, 46.4 MFLOP per training
# frame, 15.5 MFLOP per forward frame; the step skips the first layer's input derivative, so
# its GEMMs are 45.5 MFLOP and the %-of-sgemm figure is ~2% generous), minibatch 256, the
# bundled fbank features spliced +-5 (8237 frames), random targets. Compared with OpenBLAS sgemm 256x1024x1024 on the
# same machine and with Kaldi's 578 frames/s (conformance/nnet1/README.md; same machine kind).
# Usage: tests/bench/train.sh [repeats]   (SKALD_BENCH_THREADS sets OPENBLAS_NUM_THREADS;
#   SKALD_BENCH_OLD=DIR also times DIR/nnet-train-frmshuff and DIR/nnet-forward, an older build,
#   alternately with this tree's in every round). CPU = user + system seconds of the process.
set -e
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$TOP/nnetbin:$PATH
D=$TOP/tests/data/nnet1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
export OPENBLAS_NUM_THREADS=${SKALD_BENCH_THREADS:-2}

{
    echo "<NnetProto>"
    echo "<AffineTransform> <InputDim> 440 <OutputDim> 1024 <BiasMean> -2 <BiasRange> 4 <ParamStddev> 0.1"
    echo "<Sigmoid> <InputDim> 1024 <OutputDim> 1024"
    for i in 2 3 4 5 6; do
        echo "<AffineTransform> <InputDim> 1024 <OutputDim> 1024 <BiasMean> -2 <BiasRange> 4 <ParamStddev> 0.1"
        echo "<Sigmoid> <InputDim> 1024 <OutputDim> 1024"
    done
    echo "<AffineTransform> <InputDim> 1024 <OutputDim> 2000 <BiasMean> 0 <BiasRange> 0 <ParamStddev> 0.1"
    echo "<Softmax> <InputDim> 2000 <OutputDim> 2000"
    echo "</NnetProto>"
} >big.proto
nnet-initialize big.proto big.nnet 2>/dev/null
# random targets: one pdf per frame (frame counts from a splice-only forward pass)
nnet-forward $D/splice.nnet ark:$D/train.feats.ark ark,t:- 2>/dev/null |
    awk 'BEGIN { srand(7) } /\[/ { if (k != "") print k, t; k = $1; t = ""; next }
         { t = t " [ " int(rand() * 2000) " 1 ]" } END { print k, t }' >tgt.txt
# twice the data (16474 frames), keys made unique
awk '{ print "a" $0 } { print "b" $0 }' tgt.txt >tgt2.txt
cat $D/train.feats.ark > feats2.ark
sed 's/^/x/' /dev/null >/dev/null
frames=$(awk '{ n += (NF - 1) / 4 } END { print n * 1 }' tgt.txt)

# sgemm reference
cc -O2 -o sgemm -x c - $(pkg-config --cflags --libs openblas) <<'EOC'
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(void)
{
    int m = 256, n = 1024, k = 1024, reps = 200;
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    for (int i = 0; i < m * k; i++) a[i] = (float)rand() / RAND_MAX;
    for (int i = 0; i < k * n; i++) b[i] = (float)rand() / RAND_MAX;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, a, k, b, k, 0, c, n);
    double t0 = now();
    for (int r = 0; r < reps; r++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, a, k, b, k, 0, c, n);
    double t = now() - t0;
    printf("%.1f\n", 2.0 * m * n * k * reps / t / 1e9);
    return 0;
}
EOC
R=${1:-2}
# one timed run of BIN_DIR's tools: prints "fps cpu_s wall_s ffps fcpu_s"
timed() {
    /usr/bin/time -f "%U %S %e" -o tt "$1/nnet-train-frmshuff" --use-gpu=no --learn-rate=0.008 \
        --minibatch-size=256 --feature-transform=$D/feature_transform.nnet \
        ark:$D/train.feats.ark ark,t:tgt.txt big.nnet out.nnet 2>train.log
    fps=$(sed -n 's/.*processing \([0-9.e+]*\) frames per sec.*/\1/p' train.log)
    tr=$(awk '{ printf "%.2f %.2f", $1 + $2, $3 }' tt)
    /usr/bin/time -f "%U %S %e" -o tt "$1/nnet-forward" --feature-transform=$D/feature_transform.nnet \
        big.nnet ark:$D/train.feats.ark ark:/dev/null 2>fwd.log
    ffps=$(sed -n 's/.*(fps \([0-9.e+]*\)).*/\1/p' fwd.log)
    echo "$fps $tr $ffps $(awk '{ printf "%.2f", $1 + $2 }' tt)"
}
report() {   # label sgemm fps cpu wall ffps fcpu
    awk -v l="$1" -v sg="$2" -v f="$3" -v c="$4" -v w="$5" -v ff="$6" -v fc="$7" 'BEGIN {
        printf "  %s nnet-train-frmshuff 440-6x1024-2000 mb 256: %.0f frames/s = %.1f GFLOP/s = %.0f%% of sgemm; %.2fx Kaldi (578 frames/s); CPU %.2f s, wall %.2f s\n", l, f, f * 46.4e-3, 100 * f * 46.4e-3 / sg, f / 578, c, w
        printf "  %s nnet-forward 440-6x1024-2000: %.0f frames/s = %.1f GFLOP/s = %.0f%% of sgemm; CPU %.2f s\n", l, ff, ff * 15.5e-3, 100 * ff * 15.5e-3 / sg, fc }'
}
for r in $(seq 1 "$R"); do
    s1=$(./sgemm)
    [ -n "$SKALD_BENCH_OLD" ] && old=$(timed "$SKALD_BENCH_OLD")
    new=$(timed "$TOP/nnetbin")
    s2=$(./sgemm)
    sg=$(awk -v a="$s1" -v b="$s2" 'BEGIN { print (a + b) / 2 }')
    echo "round $r: sgemm 256x1024x1024 $s1 / $s2 GFLOP/s ($OPENBLAS_NUM_THREADS threads, before/after)"
    [ -n "$SKALD_BENCH_OLD" ] && report "old:" "$sg" $old
    report "" "$sg" $new
done
