#!/bin/sh
# Speed of the alignment tools on a large archive: the 120 digits alignments of tests/data/ali
# repeated 200 times (24,000 utterances, ~1.1M frames; sequential readers accept repeated
# keys). Prints seconds and frames/second per command; never fails on speed.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
D=$TOP/tests/data/ali
B=$TOP/bin
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
i=0; while [ $i -lt 200 ]; do cat "$D/ali.ark"; i=$((i + 1)); done >"$W/big.ark"
frames=$(( $("$B/ali-to-phones" --per-frame=true "$D/final.mdl" ark:"$D/ali.ark" ark,t:- 2>/dev/null |
    awk '{n += NF - 1} END {print n}') * 200 ))
run() {
    name=$1; shift
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    awk -v n="$name" -v a="$t0" -v b="$t1" -v f="$frames" \
        'BEGIN { s = b - a; printf "%-44s %7.3f s  %12.0f frames/s\n", n, s, f / s }'
}
echo "alignment tools, $frames frames (24000 utterances), binary archive input"
run "ali-to-pdf (binary out)" "$B/ali-to-pdf" "$D/final.mdl" ark:"$W/big.ark" ark:"$W/pdf.ark"
run "ali-to-post (binary out)" "$B/ali-to-post" ark:"$W/pdf.ark" ark:/dev/null
run "ali-to-pdf | ali-to-post (text out)" sh -c "'$B/ali-to-pdf' '$D/final.mdl' ark:'$W/big.ark' ark:- | '$B/ali-to-post' ark:- ark,t:/dev/null"
run "ali-to-phones --per-frame" "$B/ali-to-phones" --per-frame=true "$D/final.mdl" ark:"$W/big.ark" ark:/dev/null
run "ali-to-phones --ctm-output" "$B/ali-to-phones" --ctm-output=true "$D/final.mdl" ark:"$W/big.ark" /dev/null
run "analyze-counts (pdfs, text)" "$B/analyze-counts" --counts-dim=136 ark:"$W/pdf.ark" /dev/null
run "show-alignments" "$B/show-alignments" "$D/phones.txt" "$D/final.mdl" ark:"$W/big.ark"
run "post-to-pdf-post (tid posteriors)" sh -c "'$B/ali-to-post' ark:'$W/big.ark' ark:- | '$B/post-to-pdf-post' '$D/final.mdl' ark:- ark:/dev/null"
t0=$(date +%s.%N)
i=0; while [ $i -lt 100 ]; do "$B/hmm-info" "$D/final.mdl" >/dev/null 2>&1; i=$((i + 1)); done
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%-44s %7.2f ms a run (process start included)\n", "hmm-info final.mdl (671 KB, GMM skipped)", (b - a) * 10 }'
