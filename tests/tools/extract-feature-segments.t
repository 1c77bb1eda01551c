#!/bin/sh
# extract-feature-segments: frame arithmetic, warnings (conformance: featproc.t).
. "$(dirname "$0")/lib.sh"

test_expect_success 'segment 0.05-0.25 s of 30 frames: rows 5..22 (snip 2 at the end)' '
    perl -e "print \"u  [\n\"; print \"  \$_\n\" for 0..28; print \"  29 ]\n\"" >f.txt &&
    echo "s u 0.05 0.25" >seg &&
    extract-feature-segments ark,t:f.txt seg ark,t:o.txt &&
    test "$(sed -n 2p o.txt | tr -d " ")" = 5 && test "$(tail -n 1 o.txt | tr -d " ]")" = 22
'
test_expect_success '--snip-edges=false, --max-overshoot, --min-segment-length' '
    perl -e "print \"u  [\n\"; print \"  \$_\n\" for 0..28; print \"  29 ]\n\"" >f.txt &&
    echo "s u 0.05 0.25" >seg &&
    extract-feature-segments --snip-edges=false ark,t:f.txt seg ark,t:o.txt && test "$(tail -n 1 o.txt | tr -d " ]")" = 24 &&
    echo "s u 0.1 0.35" >seg2 &&
    extract-feature-segments ark,t:f.txt seg2 ark,t:o2.txt 2>err && grep -q "End sample too far out of range 33" err &&
    extract-feature-segments --max-overshoot=0.1 ark,t:f.txt seg2 ark,t:o3.txt && test "$(tail -n 1 o3.txt | tr -d " ]")" = 29 &&
    echo "s u 0.1 0.2" >seg3 &&
    extract-feature-segments --min-segment-length=0.1 ark,t:f.txt seg3 ark,t:o4.txt 2>err && grep -q "Segment s too short, skipping it." err
'
test_expect_success 'bad lines and missing features are warned about and skipped' '
    printf "u  [\n  1\n  2 ]\n" >f.txt &&
    printf "a u x 1\nb u 0 y\nc u 0 1 z\nd nope 0 1\ne u 0\n" >seg &&
    extract-feature-segments ark,t:f.txt seg ark,t:o.txt 2>err &&
    grep -q "\[bad start\]: a u x 1" err && grep -q "\[bad end\]: b u 0 y" err &&
    grep -q "\[bad channel\]: c u 0 1 z" err && grep -q "Did not find features for utterance nope, skipping segment d" err &&
    grep -q "Invalid line in segments file: e u 0" err &&
    grep -q "Successfully processed 0 lines out of 5 in the segments file. " err
'
test_done
