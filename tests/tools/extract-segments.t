#!/bin/sh
# extract-segments: cutting waves by a segments file, Kaldi's checks and warnings.
. "$(dirname "$0")/lib.sh"

MK=$TOP/tests/tools/feat-mkwav

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
