#!/bin/sh
# Table I/O throughput of the non-matrix holders: copy-int-vector and copy-post on a large
# alignment archive (the conformance alignments repeated under new keys), binary and text,
# plus ark,scp output and scp input. Prints MB/s of input; never fails on speed.
set -e
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$TOP/bin:$PATH
D=$TOP/tests/data/io-ali
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
REP=${REP:-300}

# big.txt: REP copies of ali.txt with distinct keys; big.ark its binary form
awk -v rep="$REP" '{ lines[NR] = $0 } END { for (r = 0; r < rep; r++) for (i = 1; i <= NR; i++) { sub(/^[^ ]+/, "r" r "_&", lines[i]); print lines[i]; sub(/^r[0-9]+_/, "", lines[i]) } }' \
    "$D/ali.txt" > "$T/big.txt"
copy-int-vector --print-args=false ark:"$T/big.txt" ark:"$T/big.ark" 2>/dev/null
copy-int-vector --print-args=false ark:"$T/big.ark" ark,scp:"$T/big2.ark","$T/big2.scp" 2>/dev/null

run() { # label input-file command...  (wall time, and CPU time: the machine is shared)
    label=$1 in=$2; shift 2
    bytes=$(wc -c < "$in")
    s0=$(date +%s.%N)
    c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
    "$@" 2>/dev/null
    c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
    s1=$(date +%s.%N)
    tck=$(getconf CLK_TCK)
    awk -v l="$label" -v b="$bytes" -v s="$s0" -v e="$s1" -v c="$((c1 - c0))" -v k="$tck" \
        'BEGIN { t = e - s; u = c / k; if (u <= 0) u = 1 / k;
                 printf "%-40s %6.1f MB  wall %6.3f s %7.1f MB/s   cpu %6.2f s %7.1f MB/s\n", l, b / 1e6, t, b / 1e6 / t, u, b / 1e6 / u }'
}

echo "copy-int-vector / copy-post throughput ($REP x 120 utterances)"
run "int32 vectors binary -> binary" "$T/big.ark" copy-int-vector --print-args=false ark:"$T/big.ark" ark:/dev/null
run "int32 vectors binary -> text" "$T/big.ark" copy-int-vector --print-args=false ark:"$T/big.ark" ark,t:/dev/null
run "int32 vectors text -> binary" "$T/big.txt" copy-int-vector --print-args=false ark:"$T/big.txt" ark:/dev/null
run "int32 vectors scp (offsets) -> binary" "$T/big2.ark" copy-int-vector --print-args=false scp:"$T/big2.scp" ark:/dev/null
run "int32 vectors gunzip pipe -> binary" "$T/big.ark" copy-int-vector --print-args=false "ark:gzip -c $T/big.ark | gunzip -c |" ark:/dev/null

# posteriors: REP copies of ali-to-post.txt
awk -v rep="$REP" '{ lines[NR] = $0 } END { for (r = 0; r < rep; r++) for (i = 1; i <= NR; i++) { sub(/^[^ ]+/, "r" r "_&", lines[i]); print lines[i]; sub(/^r[0-9]+_/, "", lines[i]) } }' \
    "$D/ali-to-post.txt" > "$T/post.txt"
copy-post --print-args=false ark:"$T/post.txt" ark:"$T/post.ark" 2>/dev/null
run "posteriors binary -> binary" "$T/post.ark" copy-post --print-args=false ark:"$T/post.ark" ark:/dev/null
run "posteriors binary -> text" "$T/post.ark" copy-post --print-args=false ark:"$T/post.ark" ark,t:/dev/null
run "posteriors text -> binary" "$T/post.txt" copy-post --print-args=false ark:"$T/post.txt" ark:/dev/null
