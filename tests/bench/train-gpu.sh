#!/bin/sh
# train-gpu.sh — frames/s of nnet-train-frmshuff --use-gpu=yes on the classic Kaldi DNN
# (440 in, 6 x 2048 sigmoid, 3500 softmax; 29.06 M parameters), minibatch 256/1024/4096, in
# each precision (fp32, tf32, bf16), and the share of the GPU's measured GEMM peak that the
# rate implies (6 x parameters FLOPs per training frame: forward, backward, gradient).
# Prints figures, never passes or fails; without a GPU it says "no GPU" and exits 0.
#
#   sh tests/bench/train-gpu.sh            # FRAMES=2000000 by default (10 passes of 200k)
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
W=${TMPDIR:-/tmp}/skald-train-gpu.$$
mkdir -p "$W" && trap 'rm -rf "$W"' EXIT
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/GPU: /'

# 400 utterances x 500 frames of random 440-dim features (binary ark), listed 10 times
# under distinct keys by an scp so that a run sees 2M frames; random targets over 3500 pdfs.
PASSES=$(( ${FRAMES:-2000000} / 200000 )); [ $PASSES -ge 1 ] || PASSES=1
python3 - "$W" $PASSES <<'PY'
import random, struct, sys
from array import array
w, passes = sys.argv[1], int(sys.argv[2])
random.seed(7)
block = array('f', [random.gauss(0, 1) for _ in range(440 * 977)]).tobytes()
nu, nf, dim = 400, 500, 440
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
            post.write(key + ' ' + ' '.join('[ %d 1 ]' % random.randrange(3500)
                                            for _ in range(nf)) + '\n')
PY
make_nnet_proto.sh 440 3500 6 2048 > "$W/proto" &&
nnet-initialize --binary=true "$W/proto" "$W/init.nnet" 2> "$W/init.log" || {
    echo "train-gpu: nnet-initialize failed:"; tail -n 3 "$W/init.log"; exit 0; }

PARAMS=$(( 440 * 2048 + 2048 + 5 * (2048 * 2048 + 2048) + 2048 * 3500 + 3500 ))
"$TOP/tests/gpu/backend_ops.bin.t" --gemm-peak > "$W/peak" 2>&1
sed 's/^/  /' "$W/peak"
echo "network 440-6x2048-3500 sigmoid, $PARAMS parameters, $(( 6 * PARAMS )) FLOP per frame"
printf '%-6s %9s %14s %12s %14s %16s\n' prec minibatch frames/s TFLOP/s "% GEMM peak" "input wait"
for prec in fp32 tf32 bf16; do
    peak=$(awk -v p=$prec '$1 == "gemm-peak" && $2 == p { print $3 }' "$W/peak")
    for mb in 256 1024 4096; do
        SKALD_PRECISION=$prec nnet-train-frmshuff --verbose=1 --use-gpu=yes --minibatch-size=$mb \
            --learn-rate=0.0001 scp:"$W/feats.scp" ark:"$W/post.txt" "$W/init.nnet" \
            "$W/out.nnet" 2> "$W/train.log"
        st=$?
        fps=$(sed -n 's/.*processing \([0-9.e+]*\) frames per sec.*/\1/p' "$W/train.log" | tail -n 1)
        if [ $st -ne 0 ] || [ -z "$fps" ]; then
            printf '%-6s %9s   failed (exit %s): %s\n' $prec $mb $st "$(grep -m1 ERROR "$W/train.log")"
            continue
        fi
        # the input pipeline: how often and how long the training waited for a minibatch
        # (the first fill of the randomizer included: the GPU has nothing to do before it)
        wait=$(sed -n 's/.*the training waited for input \([0-9]*\) times (\([0-9.]*\) s).*/\1x \2s/p' \
            "$W/train.log" | tail -n 1)
        awk -v p=$prec -v mb=$mb -v f="$fps" -v n=$PARAMS -v pk="${peak:-0}" -v w="${wait:-?}" 'BEGIN {
            tf = f * 6 * n / 1e12
            share = pk > 0 ? sprintf("%.1f%%", 100 * tf / pk) : "?"
            printf "%-6s %9d %14.0f %12.1f %13s %16s\n", p, mb, f, tf, share, w }'
    done
done
