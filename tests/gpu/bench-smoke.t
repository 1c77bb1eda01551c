#!/bin/sh
# The GPU benchmarks run end to end before a GPU session relies on them: tests/bench/train-gpu.sh
# and tests/bench/scaling.sh with tiny sizes (440-2x64-50, a few thousand frames, minibatch 64
# and 256, every precision, a small quick GEMM peak) exit 0 and print every row with numbers:
# frames/s > 0 and no failed row, the gemm-peak lines, compute and all-reduce times a step and
# the modelled speed-ups for 2, 4 and 8 GPUs. The figures themselves are not judged (on the CUDA
# emulator they mean nothing). Skips, saying why, without a GPU or CUDA compiled in.
. "$(dirname "$0")/../tools/lib.sh"

why=$(gpu_why)
if [ -z "$why" ] && ! command -v python3 >/dev/null; then
    why="no python3 (the benchmarks write their random data with it)"
fi
if [ -n "$why" ]; then
    echo "1..0 # skip $why"
    exit 0
fi
# tiny sizes; the scripts' own temporary directories go under this test's
export FEAT_DIM=440 HIDDEN=64 LAYERS=2 OUTPUT=50 MINIBATCHES="64 256" TMPDIR=$TMP_BASE
R=$TMP_BASE/out
mkdir -p "$R"
export R

test_expect_success 'train-gpu.sh with tiny sizes exits 0' '
    UTTS=10 UTT_FRAMES=300 FRAMES=3000 PRECISIONS="fp32 tf32 bf16" PEAK_N=128 PEAK_SECONDS=0.02 \
        sh "$TOP/tests/bench/train-gpu.sh" > "$R/train-gpu.out" 2>&1
    st=$?; cat "$R/train-gpu.out"; test $st = 0
'
test_expect_success 'train-gpu.sh: GPU line, network line, a gemm-peak > 0 per precision' '
    grep "^GPU: " "$R/train-gpu.out" &&
    grep "^network 440-2x64-50 sigmoid, 35634 parameters, 213804 FLOP per frame, 3000 frames" \
        "$R/train-gpu.out" &&
    for p in fp32 tf32 bf16; do
        awk -v p=$p "\$1 == \"gemm-peak\" && \$2 == p && \$3 > 0 { n++ } END { exit n != 1 }" \
            "$R/train-gpu.out" || { echo "no gemm-peak $p line"; exit 1; }
    done
'
test_expect_success 'train-gpu.sh: a row per precision and minibatch, frames/s > 0, none failed' '
    ! grep -i "failed\|ERROR\|not found" "$R/train-gpu.out" &&
    grep -q "^prec  *minibatch  *frames/s  *TFLOP/s  *% GEMM peak  *input wait$" "$R/train-gpu.out" &&
    for p in fp32 tf32 bf16; do
        for mb in 64 256; do
            awk -v p=$p -v mb=$mb "\$1 == p && \$2 == mb && \$3 + 0 > 0 && \$4 + 0 > 0 &&
                \$5 ~ /^[0-9.]+%\$/ && \$6 ~ /^[0-9]+x\$/ && \$7 ~ /^[0-9.]+s\$/ { n++ }
                END { exit n != 1 }" "$R/train-gpu.out" || { echo "no good row $p $mb"; exit 1; }
        done
    done &&
    test $(grep -c "^[a-z0-9]*  *[0-9][0-9]*  *[0-9]" "$R/train-gpu.out") = 6
'
test_expect_success 'scaling.sh with tiny sizes exits 0' '
    STEPS=2 GPU_STEPS=40 UTT_FRAMES=100 sh "$TOP/tests/bench/scaling.sh" > "$R/scaling.out" 2>&1
    st=$?; cat "$R/scaling.out"; test $st = 0
'
test_expect_success 'scaling.sh: compute and all-reduce times a step for each minibatch' '
    ! grep -i "failed\|ERROR\|not found\|not modelled" "$R/scaling.out" &&
    grep "^measured on: .*, 1 worker$" "$R/scaling.out" &&
    grep "^network 440-2x64-50 (sigmoid), buckets = one per affine layer (3)" "$R/scaling.out" &&
    for mb in 64 256; do
        grep "^minibatch $mb a worker: Per step ([0-9]* steps, 1 worker(s)): compute [0-9.]* ms (forward, backward, update), all-reduce [0-9.]* ms blocked" \
            "$R/scaling.out" &&
        t=$(sed -n "/^minibatch $mb a worker/{n;s/^  GPU time a step (wall clock, [0-9]* and [0-9]* steps; .*): \([0-9.]*\) ms\$/\1/p;}" \
            "$R/scaling.out") &&
        awk -v t="$t" "BEGIN { exit !(t + 0 > 0) }" &&
        grep "^minibatch $mb a GPU, measured GPU compute $t ms/step:\$" "$R/scaling.out" ||
        { echo "minibatch $mb: times missing"; exit 1; }
    done
'
test_expect_success 'scaling.sh: modelled all-reduce and speed-up for 2, 4 and 8 GPUs' '
    for mb in 64 256; do
        for n in 2 4 8; do
            awk -v n=$n -v mb=$mb "\$1 == n && \$2 == \"GPUs\" && \$4 == mb && \$5 == \"frames\" &&
                \$6 == \"all-reduce\" && \$7 + 0 > 0 && \$11 == \"speed-up\" &&
                \$12 ~ /^[0-9.]+x;\$/ && \$12 + 0 > 0 && \$13 ~ /^[0-9.]+x\$/ && \$13 + 0 > 0 { k++ }
                END { exit k != 1 }" "$R/scaling.out" ||
            { echo "no speed-up line for $n GPUs, minibatch $mb"; exit 1; }
        done
    done &&
    grep "^goal: " "$R/scaling.out"
'
test_done
