#!/bin/sh
# compute-spectrogram-feats: dims and each option's effect.
. "$(dirname "$0")/lib.sh"

MK=$TOP/tests/tools/feat-mkwav
dims() { echo "$(feat-to-len ark:$1 ark,t:- | awk "{print \$2; exit}") $(feat-to-dim ark:$1 -)"; }
col() { sed -n "${2}p" "$1" | awk "{print \$$3}"; }

test_expect_success 'defaults: 257 bins at 16 kHz, 129 at 8 kHz' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-spectrogram-feats scp:w.scp ark:o.ark && test "$(dims o.ark)" = "98 257" &&
    $MK rate=8000 samples=8000 >b.wav && echo "u b.wav" >b.scp &&
    compute-spectrogram-feats --sample-frequency=8000 scp:b.scp ark:o.ark && test "$(dims o.ark)" = "98 129"
'
test_expect_success '--return-raw-fft gives the packed FFT (dim 512); --raw-energy changes column 0 only' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-spectrogram-feats --return-raw-fft=true scp:w.scp ark:o.ark && test "$(dims o.ark)" = "98 512" &&
    compute-spectrogram-feats --dither=0 scp:w.scp ark,t:a.txt &&
    compute-spectrogram-feats --dither=0 --raw-energy=false scp:w.scp ark,t:b.txt &&
    test "$(col a.txt 2 1)" != "$(col b.txt 2 1)" && test "$(col a.txt 2 9)" = "$(col b.txt 2 9)"
'
test_expect_success '--output-format=htk: kind 7|_0, period from --frame-shift' '
    $MK >a.wav && echo "u a.wav" >w.scp &&
    compute-spectrogram-feats --frame-shift=20 --output-format=htk scp:w.scp ark:o.htk &&
    test "$(head -c 14 o.htk | od -An -tx1 | tr -d " \n")" = "75200000003100030d4004042007"
'
test_expect_success 'no mel or VTLN options exist for this tool' '
    test_must_fail compute-spectrogram-feats --num-mel-bins=40 scp:/dev/null ark:/dev/null 2>err &&
    test_must_fail compute-spectrogram-feats --vtln-warp=0.9 scp:/dev/null ark:/dev/null
'
test_done
