#!/bin/sh
# scaling.sh — data-parallel training of the classic Kaldi DNN (440 in, 6 x 2048 sigmoid, 3500
# softmax; 29.06 M parameters, 116 MB of float gradients a step): measured per-step compute and
# all-reduce times of nnet-train-frmshuff (CPU worker threads here; one GPU when there is one),
# and the speed-up they imply for 2, 4 and 8 GPUs on NVLink with the bucketed, overlapped
# all-reduce as implemented (lib/nnet/parallel.c + lib/compute/comm_nccl.c). Prints figures,
# never passes or fails.
#
#   sh tests/bench/scaling.sh                 # defaults below; knobs:
#   BUSBW=350 LAT_US=15 GPU_TFLOPS=40 MEMBW=2500 STEPS=3 sh tests/bench/scaling.sh
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$TOP/nnetbin:$TOP/featbin:$TOP/bin:$TOP/utils:$PATH
BUSBW=${BUSBW:-350}        # NCCL all-reduce bus bandwidth, GB/s (H100 SXM, NVLink 4 + NVSwitch)
LAT_US=${LAT_US:-15}       # fixed cost of one NCCL all-reduce call (one bucket), microseconds
GPU_TFLOPS=${GPU_TFLOPS:-40}  # sustained fp32 GEMM rate assumed when no GPU is measured
MEMBW=${MEMBW:-2500}       # GB/s, for the update (reads/writes parameters and gradients)
SLOW=${SLOW:-0.10}         # compute slow-down while NCCL kernels run beside it (SMs, memory)
STEPS=${STEPS:-2}          # measured steps a minibatch size (CPU: seconds each)
for t in nnet-initialize nnet-train-frmshuff; do
    command -v $t >/dev/null || { echo "scaling: $t is not built; nothing measured"; exit 0; }
done
W=${TMPDIR:-/tmp}/skald-scaling.$$
mkdir -p "$W" && trap 'rm -rf "$W"' EXIT

GPU=0
if "$TOP/tests/gpu/have-gpu" 2>/dev/null &&
   nm "$TOP/nnetbin/nnet-train-frmshuff" 2>/dev/null | grep -q ' T sk_cuda_probe$'; then
    GPU=1
fi
WORKERS=2
[ $GPU = 1 ] && WORKERS=1

# random 440-dim features in utterances of 256 frames, random targets over 3500 pdfs: for each
# minibatch size, STEPS global minibatches (the first includes the allocations)
for MB in 256 1024; do
    python3 - "$W" $MB $(( STEPS * MB * WORKERS )) <<'PY'
import random, struct, sys
from array import array
w, mb, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(11)
nf, dim = 256, 440
block = array('f', [random.gauss(0, 1) for _ in range(dim * nf)]).tobytes()
with open('%s/feats.%d.ark' % (w, mb), 'wb') as ark, open('%s/post.%d.txt' % (w, mb), 'w') as post:
    for u in range(frames // nf):
        ark.write(b'u%04d \0BFM \4' % u + struct.pack('<i', nf) + b'\4' + struct.pack('<i', dim))
        ark.write(block)
        post.write('u%04d ' % u + ' '.join('[ %d 1 ]' % random.randrange(3500)
                                           for _ in range(nf)) + '\n')
PY
done
make_nnet_proto.sh 440 3500 6 2048 > "$W/proto" &&
nnet-initialize --binary=true "$W/proto" "$W/init.nnet" 2> "$W/init.log" || {
    echo "scaling: nnet-initialize failed"; tail -n 3 "$W/init.log"; exit 0; }

if [ $GPU = 1 ]; then
    OPTS="--use-gpu=yes"
    echo "measured on: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1), 1 worker"
else
    OPTS="--use-gpu=no --num-threads=$WORKERS"
    echo "measured on: CPU, $(nproc) cores, $WORKERS worker threads (no GPU here)"
fi

echo "network 440-6x2048-3500 (sigmoid), buckets = one per affine layer (7), started as each"
echo "layer's gradient is ready; backward order: output layer first"
for MB in 256 1024; do
    nnet-train-frmshuff --verbose=1 $OPTS --minibatch-size=$MB --randomize=false \
        ark:$W/feats.$MB.ark ark:$W/post.$MB.txt $W/init.nnet $W/out.nnet 2>"$W/log.$MB" || {
        echo "scaling: training failed (minibatch $MB):"; tail -n 3 "$W/log.$MB"; continue; }
    line=$(grep 'Per step' "$W/log.$MB" | sed 's/.*) //')
    echo "minibatch $MB a worker: $line"
    comp=$(echo "$line" | sed -n 's/.*compute \([0-9.]*\) ms.*/\1/p')
    comm=$(echo "$line" | sed -n 's/.*all-reduce \([0-9.]*\) ms.*/\1/p')
    echo "$MB $comp $comm" >> "$W/measured"
done
[ -s "$W/measured" ] || exit 0

awk -v slow=$SLOW -v busbw=$BUSBW -v lat=$LAT_US -v tflops=$GPU_TFLOPS -v membw=$MEMBW -v gpu=$GPU '
function model(mb, tstep_ms,   k, fwd, bwd, upd, t, cend, n, b, tn, t1, ex, flop) {
    # per-step compute split by GEMM FLOPs: forward 2*W, backward 4*W a frame per layer
    flop = 6 * P * mb
    fwd = tstep_ms * (2 * P * mb / flop) * (1 - updshare)
    upd = tstep_ms * updshare
    t1 = tstep_ms
    printf "  %-26s %8.3f ms/step (forward %.3f, backward %.3f, update %.3f)\n", \
        "1 GPU", t1, fwd, t1 - fwd - upd, upd
    for (n = 2; n <= 8; n *= 2) {
        t = fwd; cend = 0; busy = 0
        for (k = 1; k <= L; k++) {        # backward order: output layer first
            t += (tstep_ms - fwd - upd) * W[k] / P
            b = 4 * (W[k] + B[k])          # bytes of this bucket
            s = (t > cend ? t : cend)
            d = lat / 1000 + 2 * (n - 1) / n * b / (busbw * 1e9) * 1000
            cend = s + d
            busy += d
            ce[k] = cend
        }
        # updates on the compute stream after the backward pass, layer k once its bucket is in
        u = t
        for (k = 1; k <= L; k++)
            u = (u > ce[k] ? u : ce[k]) + upd * (W[k] + B[k]) / G
        tn = u + slow * busy              # overlapped compute runs slower while NCCL runs
        ex = u - t - upd; if (ex < 1e-9) ex = 0
        printf "  %d GPUs x %-4d frames  all-reduce %.3f ms (exposed %.3f): speed-up %.2fx; %.2fx with contention\n", \
            n, mb, busy, ex, n * t1 / u, n * t1 / tn
    }
}
BEGIN {
    # affine layers in backward order: weights W, biases B
    L = 7; W[1] = 2048 * 3500; B[1] = 3500
    for (k = 2; k <= 6; k++) { W[k] = 2048 * 2048; B[k] = 2048 }
    W[7] = 440 * 2048; B[7] = 2048
    P = 0; G = 0
    for (k = 1; k <= L; k++) { P += W[k]; G += W[k] + B[k] }
    printf "\nmodel assumptions: ring all-reduce time = %d us + 2(N-1)/N x bucket bytes / %g GB/s\n", lat, busbw
    printf "  (NCCL bus bandwidth, NVLink); buckets reduced one after another on a communication\n"
    printf "  stream while the backward pass continues; compute slowed by %g%% of the time the\n", 100 * slow
    printf "  NCCL kernels run (the SMs and memory bandwidth they take);\n"
    printf "  each layer updated (compute stream, after the backward pass) as soon as its bucket\n"
    printf "  is summed; compute split by GEMM FLOPs\n"
    printf "  (6 x %d FLOP a frame); gradients %.1f MB a step.\n", P, 4 * G / 1e6
}
{ mb[NR] = $1; comp[NR] = $2; comm[NR] = $3 }
END {
    for (i = 1; i <= NR; i++) {
        # update: memory-bound, 5 passes over 4-byte parameters (read w, g, m; write w, m)
        if (gpu) {
            printf "\nminibatch %d a GPU, measured GPU compute %.3f ms/step:\n", mb[i], comp[i]
            tu = 5 * 4 * G / (membw * 1e9) * 1000
            updshare = tu < comp[i] / 2 ? tu / comp[i] : 0.5
            model(mb[i], comp[i])
        } else {
            printf "\nminibatch %d a worker, CPU measured: compute %.1f ms/step, thread all-reduce %.1f ms (%.1f%%)\n", \
                mb[i], comp[i], comm[i], 100 * comm[i] / comp[i]
            tg = 6 * P * mb[i] / (tflops * 1e12) * 1000
            tu = 5 * 4 * G / (membw * 1e9) * 1000
            updshare = tu / (tg + tu)
            printf " GPU compute assumed (no GPU here): %g TFLOP/s sustained GEMM -> %.3f ms + update %.3f ms:\n", \
                tflops, tg, tu
            model(mb[i], tg + tu)
        }
    }
    printf "\ngoal: >= 3.9x on 4 GPUs and >= 7.6x on 8 (issue 7)\n"
}' "$W/measured"
