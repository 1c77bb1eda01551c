#!/bin/sh
# scaling.sh — data-parallel training of the classic Kaldi DNN (440 in, 6 x 2048 sigmoid, 3500
# softmax; 29.06 M parameters, 116 MB of float gradients a step): measured per-step compute and
# all-reduce times of nnet-train-frmshuff (CPU worker threads here; one GPU when there is one),
# and the speed-up they imply for 2, 4 and 8 GPUs on NVLink with the bucketed, overlapped
# all-reduce as implemented (lib/nnet/parallel.c + lib/compute/comm_nccl.c). Prints figures,
# never passes or fails. On a GPU the compute time a step is the growth of the training's wall
# clock from STEPS to STEPS + GPU_STEPS steps (the host's own per-step figure only times the
# kernel launches: the GPU runs behind it).
#
#   sh tests/bench/scaling.sh                 # defaults below; knobs:
#   BUSBW=350 LAT_US=15 GPU_TFLOPS=40 MEMBW=2500 STEPS=3 sh tests/bench/scaling.sh
#
# Size knobs (environment; defaults are the network above): FEAT_DIM=440 HIDDEN=2048 LAYERS=6
# OUTPUT=3500, MINIBATCHES="256 1024" (frames a worker a step), UTT_FRAMES=256 (frames an
# utterance of the random data; each run gets whole utterances covering STEPS global
# minibatches). tests/gpu/bench-smoke.t runs it with tiny sizes on the CUDA emulator.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$TOP/nnetbin:$TOP/featbin:$TOP/bin:$TOP/utils:$PATH
BUSBW=${BUSBW:-350}        # NCCL all-reduce bus bandwidth, GB/s (H100 SXM, NVLink 4 + NVSwitch)
LAT_US=${LAT_US:-15}       # fixed cost of one NCCL all-reduce call (one bucket), microseconds
GPU_TFLOPS=${GPU_TFLOPS:-40}  # sustained fp32 GEMM rate assumed when no GPU is measured
MEMBW=${MEMBW:-2500}       # GB/s, for the update (reads/writes parameters and gradients)
SLOW=${SLOW:-0.10}         # compute slow-down while NCCL kernels run beside it (SMs, memory)
STEPS=${STEPS:-2}          # measured steps a minibatch size (CPU: seconds each)
GPU_STEPS=${GPU_STEPS:-200}  # more steps on a GPU: its step time from the wall clock
FEAT_DIM=${FEAT_DIM:-440} HIDDEN=${HIDDEN:-2048} LAYERS=${LAYERS:-6} OUTPUT=${OUTPUT:-3500}
MINIBATCHES=${MINIBATCHES:-256 1024} UTT_FRAMES=${UTT_FRAMES:-256}
for v in FEAT_DIM HIDDEN OUTPUT UTT_FRAMES STEPS GPU_STEPS; do
    eval "x=\$$v"
    case $x in ''|*[!0-9]*|0) echo "scaling: $v=$x is not a positive integer; nothing measured"; exit 0 ;; esac
done
case $LAYERS in ''|*[!0-9]*) echo "scaling: LAYERS=$LAYERS is not an integer; nothing measured"; exit 0 ;; esac
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

# random FEAT_DIM-dim features in utterances of UTT_FRAMES frames, random targets over OUTPUT
# pdfs: for each minibatch size, an ark with whole utterances for at least STEPS global
# minibatches (the first step includes the allocations; short.MB.scp lists them) and, on a
# GPU, GPU_STEPS more (long.MB.scp lists all): see the GPU step time below.
for MB in $MINIBATCHES; do
    python3 - "$W" $MB $(( STEPS * MB * WORKERS )) $(( (STEPS + GPU * GPU_STEPS) * MB * WORKERS )) \
        $UTT_FRAMES $FEAT_DIM $OUTPUT <<'PY' || {
import random, struct, sys
from array import array
w, mb, short, frames, nf, dim, npdf = sys.argv[1], *map(int, sys.argv[2:])
random.seed(11)
block = array('f', [random.gauss(0, 1) for _ in range(dim * nf)]).tobytes()
nshort = (short + nf - 1) // nf   # whole utterances, rounded up
with open('%s/feats.%d.ark' % (w, mb), 'wb') as ark, open('%s/post.%d.txt' % (w, mb), 'w') as post, \
        open('%s/short.%d.scp' % (w, mb), 'w') as s, open('%s/long.%d.scp' % (w, mb), 'w') as l:
    for u in range(max(nshort, (frames + nf - 1) // nf)):
        ark.write(b'u%05d ' % u)
        line = 'u%05d %s/feats.%d.ark:%d\n' % (u, w, mb, ark.tell())
        ark.write(b'\0BFM \4' + struct.pack('<i', nf) + b'\4' + struct.pack('<i', dim))
        ark.write(block)
        post.write('u%05d ' % u + ' '.join('[ %d 1 ]' % random.randrange(npdf)
                                           for _ in range(nf)) + '\n')
        l.write(line)
        if u < nshort:
            s.write(line)
PY
        echo "scaling: writing the random data failed; nothing measured"; exit 0; }
done
make_nnet_proto.sh $FEAT_DIM $OUTPUT $LAYERS $HIDDEN > "$W/proto" &&
nnet-initialize --binary=true "$W/proto" "$W/init.nnet" 2> "$W/init.log" || {
    echo "scaling: nnet-initialize failed"; tail -n 3 "$W/init.log"; exit 0; }

if [ $GPU = 1 ]; then
    OPTS="--use-gpu=yes"
    if command -v nvidia-smi >/dev/null 2>&1; then
        name=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
    elif [ -f "$TOP/tests/gpu/.emulated" ]; then
        name="the CPU emulator of CUDA (no nvidia-smi; its times mean nothing)"
    else
        name="a GPU (nvidia-smi not found)"
    fi
    echo "measured on: $name, 1 worker"
else
    OPTS="--use-gpu=no --num-threads=$WORKERS"
    echo "measured on: CPU, $(nproc) cores, $WORKERS worker threads (no GPU here)"
fi

echo "network $FEAT_DIM-${LAYERS}x$HIDDEN-$OUTPUT (sigmoid), buckets = one per affine layer" \
    "($(( LAYERS + 1 ))), started as each"
echo "layer's gradient is ready; backward order: output layer first"
train() {  # train MB SCP LOG: one pass, no shuffling
    nnet-train-frmshuff --verbose=1 $OPTS --minibatch-size=$1 --randomize=false \
        scp:$2 ark:$W/post.$1.txt $W/init.nnet $W/out.nnet 2>"$3" || {
        echo "scaling: training failed (minibatch $1):"; tail -n 3 "$3"; return 1; }
}
steps() { sed -n 's/.*Per step (\([0-9]*\) steps.*/\1/p' "$1" | tail -n 1; }
minutes() { sed -n 's/.*, \([0-9.e+-]*\) min, processing.*/\1/p' "$1" | tail -n 1; }
for MB in $MINIBATCHES; do
    train $MB $W/short.$MB.scp $W/log.$MB || continue
    line=$(grep 'Per step' "$W/log.$MB" | sed 's/.*) //')
    echo "minibatch $MB a worker: $line"
    comp=$(echo "$line" | sed -n 's/.*compute \([0-9.]*\) ms.*/\1/p')
    comm=$(echo "$line" | sed -n 's/.*all-reduce \([0-9.]*\) ms.*/\1/p')
    if [ $GPU = 1 ]; then
        # The step's compute time above is host time: the kernels are queued, not waited for
        # (the CUDA emulator, which runs them only when the host waits, shows it). The GPU's
        # time a step is the growth of the wall clock with GPU_STEPS more steps.
        train $MB $W/long.$MB.scp $W/log.long.$MB || continue
        n1=$(steps "$W/log.$MB") n2=$(steps "$W/log.long.$MB")
        m1=$(minutes "$W/log.$MB") m2=$(minutes "$W/log.long.$MB")
        comp=$(awk -v n1="$n1" -v n2="$n2" -v m1="$m1" -v m2="$m2" 'BEGIN {
            if (n2 > n1 && m2 > m1) printf "%.3f", (m2 - m1) * 60000 / (n2 - n1) }')
        echo "  GPU time a step (wall clock, $n1 and $n2 steps; the compute above is launch time):" \
            "${comp:-? (no timings in the logs)} ms"
    fi
    echo "$MB ${comp:-0} ${comm:-0}" >> "$W/measured"
done
[ -s "$W/measured" ] || exit 0

awk -v slow=$SLOW -v busbw=$BUSBW -v lat=$LAT_US -v tflops=$GPU_TFLOPS -v membw=$MEMBW -v gpu=$GPU \
    -v fd=$FEAT_DIM -v hd=$HIDDEN -v nl=$LAYERS -v od=$OUTPUT '
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
    # affine layers in backward order: weights W, biases B (output, hidden, ..., input)
    L = nl + 1
    W[1] = (nl > 0 ? hd : fd) * od; B[1] = od
    for (k = 2; k < L; k++) { W[k] = hd * hd; B[k] = hd }
    if (nl > 0) { W[L] = fd * hd; B[L] = hd }
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
        if (!(comp[i] > 0)) {   # no "Per step" line, or a zero time: nothing to model from
            printf "\nminibatch %d: no per-step compute time in the log; not modelled\n", mb[i]
            continue
        }
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
exit 0
