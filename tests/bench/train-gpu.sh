#!/bin/sh
# train-gpu.sh — frames/s of nnet-train-frmshuff --use-gpu=yes on the classic Kaldi DNN
# (440 in, 6 x 2048 sigmoid, 3500 softmax; 29.06 M parameters), minibatch 256/1024/4096, in
# each precision (fp32, tf32, bf16), and the share of the GPU's measured GEMM peak that the
# rate implies (6 x parameters FLOPs per training frame: forward, backward, gradient).
# Prints figures, never passes or fails; without a GPU it says "no GPU" and exits 0.
#
#   sh tests/bench/train-gpu.sh            # FRAMES=2000000 by default (10 passes of 200k)
#
# Knobs (environment; defaults are the figures above):
#   FEAT_DIM=440 HIDDEN=2048 LAYERS=6 OUTPUT=3500   the network (input, hidden width and
#                                          count, softmax outputs)
#   UTTS=400 UTT_FRAMES=500                the random utterances written once
#   FRAMES=2000000                         frames a run sees (the utterances listed
#                                          FRAMES / (UTTS x UTT_FRAMES) times, at least once)
#   MINIBATCHES="256 1024 4096"  PRECISIONS="fp32 tf32 bf16"
#   PEAK_N=8192 PEAK_SECONDS=0.5           GEMM peak: best of N^3, (N/2)^3, N/2 x N/4 x N/4,
#                                          each timed this long (tests/gpu/backend_ops.c)
# tests/gpu/bench-smoke.t runs it with tiny sizes on the CUDA emulator.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$TOP/nnetbin:$TOP/featbin:$TOP/bin:$TOP/utils:$PATH
if ! "$TOP/tests/gpu/have-gpu"; then
    echo "train-gpu: no GPU (nvidia-smi lists none); nothing measured"
    exit 0
fi
if ! nm "$TOP/nnetbin/nnet-train-frmshuff" 2>/dev/null | grep -q ' T sk_cuda_probe$'; then
    echo "train-gpu: no GPU backend (skald built with CUDA=0 or without nvcc); nothing measured"
    exit 0
fi
for t in nnet-initialize nnet-train-frmshuff; do
    if ! command -v $t >/dev/null; then
        echo "train-gpu: $t is not built yet; nothing measured"
        exit 0
    fi
done
FEAT_DIM=${FEAT_DIM:-440} HIDDEN=${HIDDEN:-2048} LAYERS=${LAYERS:-6} OUTPUT=${OUTPUT:-3500}
UTTS=${UTTS:-400} UTT_FRAMES=${UTT_FRAMES:-500} FRAMES=${FRAMES:-2000000}
MINIBATCHES=${MINIBATCHES:-256 1024 4096} PRECISIONS=${PRECISIONS:-fp32 tf32 bf16}
PEAK_N=${PEAK_N:-8192} PEAK_SECONDS=${PEAK_SECONDS:-0.5}
for v in FEAT_DIM HIDDEN OUTPUT UTTS UTT_FRAMES FRAMES PEAK_N; do
    eval "x=\$$v"
    case $x in ''|*[!0-9]*|0) echo "train-gpu: $v=$x is not a positive integer; nothing measured"; exit 0 ;; esac
done
case $LAYERS in ''|*[!0-9]*) echo "train-gpu: LAYERS=$LAYERS is not an integer; nothing measured"; exit 0 ;; esac
NET="$FEAT_DIM-${LAYERS}x$HIDDEN-$OUTPUT"

W=${TMPDIR:-/tmp}/skald-train-gpu.$$
mkdir -p "$W" && trap 'rm -rf "$W"' EXIT
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/GPU: /'
elif [ -f "$TOP/tests/gpu/.emulated" ]; then
    echo "GPU: the CPU emulator of CUDA (tests/gpu/emu; no nvidia-smi): the figures mean nothing"
else
    echo "GPU: nvidia-smi not found (the backend names the GPU below: \"The active GPU is\")"
fi

# UTTS utterances x UTT_FRAMES frames of random FEAT_DIM-dim features (binary ark), listed
# PASSES times under distinct keys by an scp so that a run sees about FRAMES frames; random
# targets over OUTPUT pdfs.
PASSES=$(( FRAMES / (UTTS * UTT_FRAMES) )); [ $PASSES -ge 1 ] || PASSES=1
python3 - "$W" $PASSES $UTTS $UTT_FRAMES $FEAT_DIM $OUTPUT <<'PY' || {
import random, struct, sys
from array import array
w, passes, nu, nf, dim, npdf = sys.argv[1], *map(int, sys.argv[2:])
random.seed(7)
block = array('f', [random.gauss(0, 1) for _ in range(dim * 977)]).tobytes()
need = nf * dim * 4
with open(w + '/feats.ark', 'wb') as ark:
    offs = []
    for u in range(nu):
        ark.write(b'u%04d ' % u)
        offs.append(ark.tell())
        ark.write(b'\0BFM \4' + struct.pack('<i', nf) + b'\4' + struct.pack('<i', dim))
        start = 4 * ((u * 4099) % (len(block) // 4))  # whole floats
        data = (block[start:] + block * (need // len(block) + 2))[:need]
        ark.write(data)
with open(w + '/feats.scp', 'w') as scp, open(w + '/post.txt', 'w') as post:
    for p in range(passes):
        for u in range(nu):
            key = 'p%02d_u%04d' % (p, u)
            scp.write('%s %s/feats.ark:%d\n' % (key, w, offs[u]))
            post.write(key + ' ' + ' '.join('[ %d 1 ]' % random.randrange(npdf)
                                            for _ in range(nf)) + '\n')
PY
    echo "train-gpu: writing the random data failed; nothing measured"; exit 0; }
make_nnet_proto.sh $FEAT_DIM $OUTPUT $LAYERS $HIDDEN > "$W/proto" &&
nnet-initialize --binary=true "$W/proto" "$W/init.nnet" 2> "$W/init.log" || {
    echo "train-gpu: nnet-initialize failed:"; tail -n 3 "$W/init.log"; exit 0; }

# weights and biases of the affine layers (input -> hidden x LAYERS -> output)
if [ $LAYERS -gt 0 ]; then
    PARAMS=$(( FEAT_DIM * HIDDEN + HIDDEN + (LAYERS - 1) * (HIDDEN * HIDDEN + HIDDEN) +
               HIDDEN * OUTPUT + OUTPUT ))
else
    PARAMS=$(( FEAT_DIM * OUTPUT + OUTPUT ))
fi
"$TOP/tests/gpu/backend_ops.bin.t" --gemm-peak $PEAK_N $PEAK_SECONDS > "$W/peak" 2>&1 ||
    echo "  (the GEMM peak measurement failed: exit $?)"
sed 's/^/  /' "$W/peak"
grep -q '^gemm-peak ' "$W/peak" || echo "  (no gemm-peak line: the % GEMM peak column is ?)"
echo "network $NET sigmoid, $PARAMS parameters, $(( 6 * PARAMS )) FLOP per frame," \
    "$(( PASSES * UTTS * UTT_FRAMES )) frames a run"
printf '%-6s %9s %14s %12s %14s %16s\n' prec minibatch frames/s TFLOP/s "% GEMM peak" "input wait"
for prec in $PRECISIONS; do
    peak=$(awk -v p=$prec '$1 == "gemm-peak" && $2 == p { print $3 }' "$W/peak")
    for mb in $MINIBATCHES; do
        SKALD_PRECISION=$prec nnet-train-frmshuff --verbose=1 --use-gpu=yes --minibatch-size=$mb \
            --learn-rate=0.0001 scp:"$W/feats.scp" ark:"$W/post.txt" "$W/init.nnet" \
            "$W/out.nnet" 2> "$W/train.log"
        st=$?
        fps=$(sed -n 's/.*processing \([0-9.e+]*\) frames per sec.*/\1/p' "$W/train.log" | tail -n 1)
        if [ $st -ne 0 ] || [ -z "$fps" ]; then
            printf '%-6s %9s   failed (exit %s): %s\n' $prec $mb $st \
                "$(grep -m1 'ERROR\|FATAL' "$W/train.log" || tail -n 1 "$W/train.log")"
            continue
        fi
        # the input pipeline: how often and how long the training waited for a minibatch
        # (the first fill of the randomizer included: the GPU has nothing to do before it)
        wait=$(sed -n 's/.*the training waited for input \([0-9]*\) times (\([0-9.]*\) s).*/\1x \2s/p' \
            "$W/train.log" | tail -n 1)
        awk -v p=$prec -v mb=$mb -v f="$fps" -v n=$PARAMS -v pk="${peak:-0}" -v w="${wait:-?}" 'BEGIN {
            tf = f * 6 * n / 1e12
            share = pk > 0 ? sprintf("%.1f%%", 100 * tf / pk) : "?"
            tfs = sprintf(tf >= 1 ? "%.1f" : "%.3g", tf)   # not 0.0 for tiny networks
            printf "%-6s %9d %14.0f %12s %14s %16s\n", p, mb, f, tfs, share, w }'
    done
done
exit 0
