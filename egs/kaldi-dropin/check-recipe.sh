#!/bin/bash
# check-recipe.sh — which Kaldi binaries does a Kaldi recipe call, and which of them does skald
# provide? Scans the recipe's shell scripts (run.sh, local/, and the steps/ and utils/ it links
# to) for names of Kaldi binaries.
#
# Usage: egs/kaldi-dropin/check-recipe.sh [--kaldi-root DIR] <recipe-dir> [script ...]
#   --kaldi-root DIR   take the list of Kaldi binaries from DIR/src/*bin/ (default: the list in
#                      kaldi-binaries.txt next to this script)
#   script ...         scan only these scripts (relative to recipe-dir) instead of all of them
#  e.g.: egs/kaldi-dropin/check-recipe.sh ~/kaldi/egs/wsj/s5 steps/nnet/train.sh steps/nnet/decode.sh
# Prints "provided NAME" / "missing  NAME" lines and a summary; exits 1 if any is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
skald=$(cd "$here/../.." && pwd)
kaldi_root=
if [ "${1:-}" = --kaldi-root ]; then kaldi_root=$2; shift 2; fi
[ $# -ge 1 ] || { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 1; }
recipe=$1; shift
[ -d "$recipe" ] || { echo "$0: no such recipe dir: $recipe" >&2; exit 1; }

known=$(mktemp) used=$(mktemp) ours=$(mktemp)
trap 'rm -f "$known" "$used" "$ours"' EXIT
if [ -n "$kaldi_root" ]; then
    ls "$kaldi_root"/src/*bin/ 2>/dev/null | grep -E '^[a-z0-9]+(-[a-z0-9]+)+$' | sort -u > "$known"
    [ -s "$known" ] || { echo "$0: no binaries under $kaldi_root/src/*bin (is Kaldi built?)" >&2; exit 1; }
else
    grep -v '^#' "$here/kaldi-binaries.txt" | sort -u > "$known"
fi
for d in featbin nnetbin bin; do
    for f in "$skald/$d"/*.c; do [ -e "$f" ] && basename "$f" .c; done
done | sort -u > "$ours"

if [ $# -gt 0 ]; then
    files=$(for s in "$@"; do echo "$recipe/$s"; done)
else
    files=$(find -L "$recipe" -maxdepth 4 \( -name '*.sh' -o -name 'run*' -o -name '*.pl' -o -name '*.py' \) -type f 2>/dev/null)
fi
[ -n "$files" ] || { echo "$0: no scripts found in $recipe" >&2; exit 1; }
# Words that look like tool names; comments are dropped first.
echo "$files" | while read -r f; do sed 's/#.*$//' "$f"; done |
    grep -ohE '[a-z0-9]+(-[a-z0-9]+)+' | sort -u | comm -12 - "$known" > "$used"

n_ok=0 n_missing=0
while read -r b; do
    if grep -qx "$b" "$ours"; then echo "provided $b"; n_ok=$((n_ok + 1))
    else echo "missing  $b"; n_missing=$((n_missing + 1)); fi
done < "$used"
echo "# $recipe: $((n_ok + n_missing)) Kaldi binaries called, $n_ok provided by skald, $n_missing missing"
[ $n_missing -eq 0 ]
