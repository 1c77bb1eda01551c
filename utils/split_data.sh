#!/bin/sh
# split_data.sh — split a Kaldi data dir into N parts by speaker, for N parallel jobs:
# <data>/split<N>/<1..N>/ each get the utt2spk, spk2utt, wav.scp, text, feats.scp, cmvn.scp
# (whichever exist) of their speakers, so per-speaker CMVN stays within one job.
# Usage: utils/split_data.sh <data-dir> <num-jobs>
# Speakers are dealt out in order to balance the utterance counts; a part never gets no
# speaker unless there are fewer speakers than jobs (an error).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 <data-dir> <num-jobs>" >&2; exit 1; }
data=$1 nj=$2
case "$nj" in ''|*[!0-9]*|0) echo "$0: bad number of jobs '$nj'" >&2; exit 1 ;; esac
[ -s "$data/utt2spk" ] || { echo "$0: no $data/utt2spk" >&2; exit 1; }
[ -s "$data/spk2utt" ] || { echo "$0: no $data/spk2utt" >&2; exit 1; }
nspk=$(wc -l < "$data/spk2utt")
[ "$nspk" -ge "$nj" ] || { echo "$0: $data has $nspk speakers, fewer than $nj jobs" >&2; exit 1; }
out=$data/split$nj
rm -rf "$out"
for j in $(seq $nj); do mkdir -p "$out/$j"; done
# Greedy: each speaker (largest first) goes to the part with the fewest utterances so far.
awk -v nj="$nj" '{ print NF - 1, $1 }' "$data/spk2utt" | sort -k1,1nr -k2,2 |
    awk -v nj="$nj" '{ best = 1; for (j = 2; j <= nj; j++) if (n[j] < n[best]) best = j;
                       n[best] += $1; print $2, best }' > "$out/spk2job"
for j in $(seq $nj); do
    awk -v j="$j" 'NR == FNR { if ($2 == j) s[$1] = 1; next } ($2 in s)' \
        "$out/spk2job" "$data/utt2spk" > "$out/$j/utt2spk"
    awk -v j="$j" 'NR == FNR { if ($2 == j) s[$1] = 1; next } ($1 in s)' \
        "$out/spk2job" "$data/spk2utt" > "$out/$j/spk2utt"
    for f in wav.scp text feats.scp; do
        [ -f "$data/$f" ] || continue
        awk 'NR == FNR { u[$1] = 1; next } ($1 in u)' "$out/$j/utt2spk" "$data/$f" > "$out/$j/$f"
    done
    if [ -f "$data/cmvn.scp" ]; then
        awk 'NR == FNR { s[$1] = 1; next } ($1 in s)' "$out/$j/spk2utt" "$data/cmvn.scp" > "$out/$j/cmvn.scp"
    fi
done
rm -f "$out/spk2job"
