#!/bin/sh
# wav-to-duration: header-only and full reads, logs.
. "$(dirname "$0")/lib.sh"

MK=$TOP/tests/tools/feat-mkwav

test_expect_success 'wav-to-duration: header only by default, --read-entire-file, ark input' '
    $MK samples=8000 >a.wav && $MK rate=8000 samples=12000 >b.wav && printf "a a.wav\nb b.wav\n" >w.scp &&
    wav-to-duration scp:w.scp ark,t:d.txt 2>err && printf "a 0.5 \nb 1.5 \n" >exp && test_cmp exp d.txt &&
    grep -q "Printed duration for 2 audio files." err &&
    grep -q "Mean duration was 1, min and max durations were 0.5, 1.5" err &&
    wav-to-duration --read-entire-file=true scp:w.scp ark,t:d2.txt && test_cmp exp d2.txt &&
    wav-copy scp:w.scp ark:w.ark && wav-to-duration ark:w.ark ark,t:d3.txt && test_cmp exp d3.txt
'
test_done
