#!/bin/sh
# io.sh — copy-feats throughput (MB/s of input archive) on a generated ~200 MB fbank archive:
# binary copy, compression (methods 1=CM and 3=CM2), decompression, text output.
# Prints figures only (never pass/fail). The archive lives in a temporary directory under
# ${TMPDIR:-/tmp} and is deleted at the end.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CF=$TOP/featbin/copy-feats
SRC=$TOP/tests/data/io/src.ark
W=$(mktemp -d "${TMPDIR:-/tmp}/skald-bench-io.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

# 6144 copies of the 4-utterance, 40-dim conformance archive (keys repeat; sequential
# copying does not care): 6144 * 33864 bytes = 208 MB.
cp "$SRC" "$W/a"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cat "$W/a" "$W/a" >"$W/b"; mv "$W/b" "$W/a"; done
head -c $((2048 * 33864)) "$W/a" >"$W/c"
cat "$W/a" "$W/c" >"$W/big.ark"
rm -f "$W/a" "$W/c"
MB=$(awk -v b="$(wc -c <"$W/big.ark")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "input: $W/big.ark, $MB MB, $((6144 * 4)) matrices of 40 columns"

# Wall time and CPU time (user+sys) of each command: on a shared, busy machine the CPU figure
# is the steadier one.
run() {   # run NAME INPUT_MB CMD...
    name=$1 mb=$2
    shift 2
    cat "$W/big.ark" >/dev/null   # warm the page cache
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %U %S" -o "$W/t" "$@" 2>/dev/null
    else   # no GNU time (package "time"): wall clock only, CPU shown as wall
        t0=$(date +%s.%N); "$@" 2>/dev/null; t1=$(date +%s.%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a, b - a, 0 }' >"$W/t"
    fi
    awk -v n="$name" -v mb="$mb" '{ cpu = $2 + $3; if (cpu <= 0) cpu = 0.005
        printf "%-38s wall %6.2f s %7.1f MB/s   cpu %6.2f s %7.1f MB/s\n", n, $1, mb / $1, cpu, mb / cpu }' "$W/t"
    rm -f "$W/out"
}
run "baseline: cp of the archive" "$MB" cp "$W/big.ark" "$W/out"
run "binary copy (FM -> FM)" "$MB" "$CF" ark:"$W/big.ark" ark:"$W/out"
run "compress --compression-method=1 (CM)" "$MB" "$CF" --compress=true ark:"$W/big.ark" ark:"$W/out"
run "compress --compression-method=3 (CM2)" "$MB" "$CF" --compress=true --compression-method=3 ark:"$W/big.ark" ark:"$W/out"
"$CF" --compress=true ark:"$W/big.ark" ark:"$W/big.cm.ark" 2>/dev/null
run "decompress CM -> FM, MB of FM" "$MB" "$CF" ark:"$W/big.cm.ark" ark:"$W/out"
run "text output (ark,t), MB of binary" "$MB" "$CF" ark:"$W/big.ark" ark,t:"$W/big.txt"
TMB=$(awk -v b="$(wc -c <"$W/big.txt")" 'BEGIN { printf "%.1f", b / 1e6 }')
run "text input ($TMB MB of text)" "$TMB" "$CF" ark:"$W/big.txt" ark:"$W/out"
