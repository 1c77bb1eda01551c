#!/bin/sh
# decode.sh — speed of decode-faster-mapped, latgen-faster-mapped and its -parallel on the digits graph
# (tests/data/decode: 500 utterances, 18,440 frames) at steps/nnet/decode.sh's default beams
# (beam 13, lattice-beam 8, max-active 7000, min-active 200, acwt 0.1). Prints the median of
# RUNS runs of the tool's own "Time taken" (decoding only) and of the process CPU time, with
# real-time factor and frames/s. Kaldi on the same input (conformance/decode/README.md, one
# core, median of 3): decode-faster-mapped 0.25 s, latgen-faster-mapped 0.82 s.
# On a loaded machine the wall figures are meaningless: compare the CPU column.
# Never pass/fail. Usage: sh tests/bench/decode.sh [RUNS]
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
D=$TOP/tests/data/decode
B=$TOP/bin
RUNS=${1:-5}
FRAMES=18440
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench() {  # name kaldi_seconds command...
    name=$1 kaldi=$2
    shift 2
    : >"$TMP/t"; : >"$TMP/c"
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f "%U %S" -o "$TMP/cpu" "$@" 2>"$TMP/log" >/dev/null
        sed -n 's/.*Time taken[^0-9]*\([0-9.e-]*\)s.*/\1/p' "$TMP/log" >>"$TMP/t"
        awk '{print $1 + $2}' "$TMP/cpu" >>"$TMP/c"
        i=$((i + 1))
    done
    t=$(median <"$TMP/t"); c=$(median <"$TMP/c")
    awk -v n="$name" -v t="$t" -v c="$c" -v f=$FRAMES -v k="$kaldi" 'BEGIN {
        printf "%-22s decode %.3f s wall (RTF %.6f, %.0f frames/s)  process CPU %.3f s (%.0f frames/s)  Kaldi %.2f s: %.1fx by wall, %.1fx by CPU\n",
               n, t, t * 100 / f, f / t, c, f / c, k, k / t, k / c }'
}

echo "decode bench: $FRAMES frames, median of $RUNS runs ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
bench decode-faster-mapped 0.25 "$B/decode-faster-mapped" --beam=13.0 --max-active=7000 --acoustic-scale=0.1 \
    "$D/trans.mdl" "$D/HCLG.fst" "ark:$D/loglikes.ark" ark:/dev/null
bench latgen-faster-mapped 0.82 "$B/latgen-faster-mapped" --min-active=200 --max-active=7000 --max-mem=50000000 \
    --beam=13.0 --lattice-beam=8.0 --acoustic-scale=0.1 --allow-partial=true \
    "$D/trans.mdl" "$D/HCLG.fst" "ark:$D/loglikes.ark" "ark:$TMP/lat.ark"
# latgen-faster-mapped-parallel on 1 and 2 threads (same options; Kaldi column: the serial tool
# above). Its "Time taken" is wall time over the whole run, reading included.
for n in 1 2; do
    bench "latgen-parallel -j$n" 0.82 "$B/latgen-faster-mapped-parallel" --num-threads=$n \
        --min-active=200 --max-active=7000 --max-mem=50000000 --beam=13.0 --lattice-beam=8.0 \
        --acoustic-scale=0.1 --allow-partial=true \
        "$D/trans.mdl" "$D/HCLG.fst" "ark:$D/loglikes.ark" "ark:$TMP/lat.ark"
done
