#!/bin/sh
# features.sh — speed of compute-mfcc-feats and compute-fbank-feats (16 kHz, --dither=0) on
# >= 30 minutes of real speech, one thread and N threads. Prints real-time factor and frames/s;
# never fails on speed. The audio is built at bench time with sox from the recordings copied
# into tests/data/feat/wav (nothing is read from outside the project).
#
#   sh tests/bench/features.sh [MINUTES=30] [THREADS=$(nproc)]
#
# Best of 3 runs; wall time and CPU time (user+sys, all threads) are both shown, because the
# machine is shared: on a loaded machine only the CPU-time figure of 1 thread is meaningful.
# Kaldi on this machine kind (one thread, 16 kHz, --dither=0): compute-mfcc-feats 1950x real
# time, compute-fbank-feats 1860x (tests/data/feat/README.md; conformance/README of the project).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MIN=${1:-30}
NT=${2:-$(nproc 2>/dev/null || echo 2)}
B=$TOP/featbin
W=$TOP/tests/data/feat/wav
command -v sox >/dev/null || { echo "features.sh: sox is needed to build the audio" >&2; exit 1; }
T=$(mktemp -d /tmp/skald-bench-feat.XXXXXX)
trap 'rm -rf "$T"' EXIT

# 13.2 s of 16 kHz speech, repeated to >= MIN minutes
sox "$W/kaldi-test.wav" "$W/librispeech-1995-1837-0001.wav" \
    "$W/sense_and_sensibility_01_austen_64kb-0880.wav" "$T/base.wav"
base=$(sox --i -D "$T/base.wav")
reps=$(awk -v b="$base" -v m="$MIN" 'BEGIN { r = int(m * 60 / b); if (r * b < m * 60) r++; print r - 1 }')
sox "$T/base.wav" "$T/long.wav" repeat "$reps"
secs=$(sox --i -D "$T/long.wav")
echo "long.wav" | awk -v s="$secs" '{ printf "audio: %.1f s (%.1f min) of 16 kHz speech\n", s, s / 60 }'
echo "long $T/long.wav" >"$T/long.scp"
# the same audio as 10-second utterances in an archive (a recipe's shape)
awk -v s="$secs" 'BEGIN { for (t = 0; t + 10 <= s; t += 10) printf "seg%05d long %d %d\n", t / 10, t, t + 10 }' >"$T/segments"
"$B/extract-segments" --min-segment-length=0 "scp:$T/long.scp" "$T/segments" "ark:$T/segs.ark" 2>/dev/null
nseg=$(wc -l <"$T/segments")
segsecs=$((nseg * 10))

run() {  # label seconds-of-audio tool args...
    label=$1 audio=$2
    shift 2
    best= bestcpu=
    for i in 1 2 3; do
        /usr/bin/time -f "%e %U %S" -o "$T/time" "$@" 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
        read -r el us sy <"$T/time"
        cpu=$(awk -v u="$us" -v s="$sy" 'BEGIN { print u + s }')
        best=$(awk -v x="$el" -v y="${best:-1e9}" 'BEGIN { print (x < y) ? x : y }')
        bestcpu=$(awk -v x="$cpu" -v y="${bestcpu:-1e9}" 'BEGIN { print (x < y) ? x : y }')
    done
    frames=$(awk -v a="$audio" 'BEGIN { print int((a * 16000 - 400) / 160) + 1 }')
    awk -v l="$label" -v e="$best" -v c="$bestcpu" -v a="$audio" -v f="$frames" \
        'BEGIN { if (e < 0.01) e = 0.01; if (c < 0.01) c = 0.01;
                 printf "%-44s wall %6.2f s %7.0fx RT %8.0f frames/s | cpu %6.2f s %7.0fx RT\n",
                        l, e, a / e, f / e, c, a / c }'
}

for tool in compute-mfcc-feats compute-fbank-feats; do
    for nt in 1 "$NT"; do
        run "$tool 1 file, $nt thread(s)" "$secs" \
            "$B/$tool" --dither=0 --num-threads="$nt" "scp:$T/long.scp" ark:/dev/null
        run "$tool ${nseg} x 10 s ark, $nt thread(s)" "$segsecs" \
            "$B/$tool" --dither=0 --num-threads="$nt" "ark:$T/segs.ark" ark:/dev/null
    done
    run "$tool --kaldi-fft, 1 thread" "$secs" \
        "$B/$tool" --dither=0 --kaldi-fft=true "scp:$T/long.scp" ark:/dev/null
done
