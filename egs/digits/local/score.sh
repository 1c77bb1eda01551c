#!/bin/bash
# score.sh — WER of decoded lattices over LM weights 4..15 and word insertion penalties 0, 0.5, 1
# (the grid of Kaldi's scoring), one wer_LMWT_WIP file each in the decode dir.
# Usage: local/score.sh <data-dir> <words.txt> <decode-dir>
set -e -o pipefail
[ $# -eq 3 ] || { echo "usage: $0 <data-dir> <words.txt> <decode-dir>" >&2; exit 1; }
data=$1 words=$2 dir=$3
[ -s "$dir/lat.1.gz" ] || { echo "$0: no lattices in $dir" >&2; exit 1; }
mkdir -p "$dir/scoring/log"
cp "$data/text" "$dir/scoring/test_filt.txt"
for wip in 0.0 0.5 1.0; do
    for lmwt in $(seq 4 15); do
        lattice-scale --inv-acoustic-scale=$lmwt "ark:gunzip -c $dir/lat.1.gz |" ark:- 2> "$dir/scoring/log/best_path.$lmwt.$wip.log" |
            lattice-add-penalty --word-ins-penalty=$wip ark:- ark:- 2>> "$dir/scoring/log/best_path.$lmwt.$wip.log" |
            lattice-best-path --word-symbol-table="$words" ark:- ark,t:- 2>> "$dir/scoring/log/best_path.$lmwt.$wip.log" |
            utils/int2sym.pl -f 2- "$words" > "$dir/scoring/$lmwt.$wip.txt"
        compute-wer --text --mode=present "ark:$dir/scoring/test_filt.txt" "ark,p:$dir/scoring/$lmwt.$wip.txt" \
            > "$dir/wer_${lmwt}_${wip}" 2> "$dir/scoring/log/wer.$lmwt.$wip.log"
    done
done
