#!/bin/sh
# validate_data_dir.sh — check a Kaldi data dir: wav.scp, text, utt2spk, spk2utt present,
# sorted (C order), with the same utterances; feats.scp and cmvn.scp too unless --no-feats.
# Usage: utils/validate_data_dir.sh [--no-feats] [--no-text] <data-dir>
# Prints what is wrong and exits 1; prints nothing and exits 0 when the dir is good.
set -u
feats=1 text=1
while [ $# -gt 1 ]; do
    case "$1" in
    --no-feats) feats=0 ;;
    --no-text) text=0 ;;
    *) echo "$0: unknown option $1" >&2; exit 1 ;;
    esac
    shift
done
[ $# -eq 1 ] || { echo "usage: $0 [--no-feats] [--no-text] <data-dir>" >&2; exit 1; }
d=$1
[ -d "$d" ] || { echo "$0: no such data dir: $d" >&2; exit 1; }
files="wav.scp utt2spk spk2utt"
[ $text = 1 ] && files="$files text"
[ $feats = 1 ] && files="$files feats.scp cmvn.scp"
for f in $files; do
    [ -s "$d/$f" ] || { echo "$0: $d/$f is missing or empty" >&2; exit 1; }
done
for f in wav.scp utt2spk $( [ $text = 1 ] && echo text ) $( [ $feats = 1 ] && echo feats.scp ); do
    cut -d' ' -f1 "$d/$f" | LC_ALL=C sort -c 2>/dev/null ||
        { echo "$0: $d/$f is not sorted (C order) or has duplicate keys" >&2; exit 1; }
done
tmp=$(mktemp)
cut -d' ' -f1 "$d/utt2spk" > "$tmp"
for f in wav.scp $( [ $text = 1 ] && echo text ) $( [ $feats = 1 ] && echo feats.scp ); do
    if ! cut -d' ' -f1 "$d/$f" | cmp -s - "$tmp"; then
        rm -f "$tmp"
        echo "$0: $d/$f and $d/utt2spk list different utterances" >&2; exit 1
    fi
done
rm -f "$tmp"
exit 0
