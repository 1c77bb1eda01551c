#!/bin/bash
# prepare_data.sh — Kaldi data dirs for the digits corpus, with the split of the Kaldi system in
# kaldi/ (test = speaker theo, dev = recordings 0-4 of the others, train = the rest).
# Usage: local/prepare_data.sh [--subset N] <corpus-dir> <split-dir> <data-dir>
# --subset N keeps the first N utterances of each set (for quick tests).
set -eu
subset=0
[ "${1:-}" = --subset ] && { subset=$2; shift 2; }
[ $# -eq 3 ] || { echo "usage: $0 [--subset N] <corpus-dir> <split-dir> <data-dir>" >&2; exit 1; }
corpus=$(cd "$1" && pwd) split=$2 data=$3
[ -d "$corpus/recordings" ] || { echo "$0: no recordings in $corpus" >&2; exit 1; }
for set in train dev test; do
    [ -f "$split/$set.list" ] || { echo "$0: missing $split/$set.list" >&2; exit 1; }
    d=$data/$set
    mkdir -p "$d"
    list=$split/$set.list
    if [ "$subset" -gt 0 ]; then
        # an even spread over the list, so every speaker and digit is represented
        list=$(mktemp)
        awk -v n="$subset" '{ a[NR] = $0 } END { step = NR / n; if (step < 1) step = 1;
                for (i = 1; i <= NR && c < n; i += step) { print a[int(i)]; c++ } }' "$split/$set.list" > "$list"
    fi
    # utterance ids are speaker_digit_index; the files are digit_speaker_index.wav
    awk -v c="$corpus" -v t="$corpus/transcripts.txt" '
        BEGIN { while ((getline l < t) > 0) { split(l, f, " "); word[f[1]] = f[2] } }
        { split($1, p, "_"); file = p[2] "_" p[1] "_" p[3];
          if (!(file in word)) { print "no transcript for " file > "/dev/stderr"; exit 1 }
          print $1, c "/recordings/" file ".wav" > "'"$d"'/wav.scp.u";
          print $1, word[file] > "'"$d"'/text.u";
          print $1, p[1] > "'"$d"'/utt2spk.u" }' "$list"
    for f in wav.scp text utt2spk; do sort "$d/$f.u" > "$d/$f"; rm "$d/$f.u"; done
    utils/utt2spk_to_spk2utt.sh < "$d/utt2spk" > "$d/spk2utt"
    [ "$subset" -gt 0 ] && rm -f "$list"
    utils/validate_data_dir.sh --no-feats "$d"
done
