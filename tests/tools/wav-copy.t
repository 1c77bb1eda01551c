#!/bin/sh
# wav-copy, wav-to-duration, extract-segments: wave archives "KEY RIFF..." as Kaldi writes them.
. "$(dirname "$0")/lib.sh"

MK=$TOP/tests/tools/feat-mkwav

test_expect_success 'wav-copy scp -> ark: "KEY " then the RIFF bytes (no \0B), file copied exactly' '
    $MK samples=1000 >a.wav && $MK samples=500 >b.wav && printf "a a.wav\nb b.wav\n" >w.scp &&
    wav-copy scp:w.scp ark:w.ark 2>err && grep -q "Copied 2 wave files" err &&
    { printf "a "; cat a.wav; printf "b "; cat b.wav; } >exp.ark && cmp exp.ark w.ark
'
test_expect_success 'wav-copy single file mode, and EXTENSIBLE input is written as plain PCM' '
    $MK format=65534 samples=100 >x.wav && $MK samples=100 >p.wav &&
    wav-copy x.wav y.wav && cmp y.wav p.wav
'
test_expect_success 'wav-to-duration: header only by default, --read-entire-file, ark input' '
    $MK samples=8000 >a.wav && $MK rate=8000 samples=12000 >b.wav && printf "a a.wav\nb b.wav\n" >w.scp &&
    wav-to-duration scp:w.scp ark,t:d.txt 2>err && printf "a 0.5 \nb 1.5 \n" >exp && test_cmp exp d.txt &&
    grep -q "Printed duration for 2 audio files." err &&
    grep -q "Mean duration was 1, min and max durations were 0.5, 1.5" err &&
    wav-to-duration --read-entire-file=true scp:w.scp ark,t:d2.txt && test_cmp exp d2.txt &&
    wav-copy scp:w.scp ark:w.ark && wav-to-duration ark:w.ark ark,t:d3.txt && test_cmp exp d3.txt
'
test_expect_success 'extract-segments: cuts, -1 end, overshoot, too short, channel' '
    $MK samples=16000 >a.wav && $MK channels=2 samples=16000 >s.wav && printf "a a.wav\ns s.wav\n" >w.scp &&
    printf "x a 0.1 0.5\ny a 0.8 -1\nz a 0.5 1.2\nq a 0.5 1.8\nr a 0.5 0.55\nc s 0 0.5 1\n" >seg &&
    extract-segments scp:w.scp seg ark:o.ark 2>err &&
    wav-to-duration ark:o.ark ark,t:d.txt && printf "x 0.4 \ny 0.2 \nz 0.5 \nc 0.5 \n" >exp && test_cmp exp d.txt &&
    grep -q "End sample too far out of range 28800 \[length:\] 16000, skipping segment q" err &&
    grep -q "Segment r too short, skipping it." err &&
    grep -q "Successfully processed 4 lines out of 6 in the segments file. " err
'
test_expect_error 'extract-segments: stereo without a channel is fatal' "you must specify the channel" \
    sh -c "$MK channels=2 >s.wav && echo \"s s.wav\" >w.scp && echo \"x s 0 0.5\" >seg && extract-segments scp:w.scp seg ark:o.ark"
test_expect_success 'extract-segments output feeds compute-mfcc-feats (same frames as the cut region)' '
    $MK samples=16000 >a.wav && echo "a a.wav" >w.scp && echo "x a 0 0.5" >seg &&
    extract-segments scp:w.scp seg ark:o.ark && compute-mfcc-feats ark:o.ark ark:f.ark &&
    test "$(feat-to-len ark:f.ark)" = 48
'
test_done
