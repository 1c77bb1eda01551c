#!/bin/sh
# paste-feats: tables and files, --length-tolerance, missing keys.
. "$(dirname "$0")/lib.sh"

test_expect_success 'pastes columns, trims within tolerance' '
    printf "a [ 1\n 2\n 3 ]\nb [ 5 ]\n" >x && printf "a [ 10 11\n 20 21 ]\nb [ 6 7 ]\n" >y &&
    paste-feats --length-tolerance=1 ark:x ark:y ark,t:o 2>log &&
    printf "a  [\n  1 10 11 \n  2 20 21 ]\nb  [\n  5 6 7 ]\n" >exp && test_cmp exp o &&
    grep -q "Length mismatch 3 vs. 2 for utt a within tolerance 1" log &&
    grep -q "Done 2 utts, errors on 0" log
'
test_expect_success 'length mismatch beyond tolerance and missing key are skipped' '
    printf "a [ 1\n 2\n 3 ]\nb [ 5 ]\nc [ 1 ]\n" >x && printf "a [ 10\n 20 ]\nb [ 6 ]\n" >y &&
    paste-feats ark:x ark:y ark,t:o 2>log &&
    printf "b  [\n  5 6 ]\n" >exp && test_cmp exp o &&
    grep -q "Length mismatch 3 vs. 2 for utt a exceeds tolerance 0" log &&
    grep -q "Missing utt c from input ark:y" log && grep -q "Done 1 utts, errors on 2" log
'
test_expect_success 'nothing pasted: exit status 255 as Kaldi' '
    printf "a [ 1 ]\n" >x && printf "b [ 1 ]\n" >y &&
    { paste-feats ark:x ark:y ark:o 2>/dev/null; test $? = 255; }
'
test_expect_success 'single files' '
    printf "[ 0 1 2\n 3 4 5\n 8 9 10 ]\n" >1.mat && printf "[ 0 1\n 2 3 ]\n" >2.mat &&
    paste-feats --length-tolerance=1 --binary=false 1.mat 2.mat 3.mat 2>log &&
    printf " [\n  0 1 2 0 1 \n  3 4 5 2 3 ]\n" >exp && test_cmp exp 3.mat &&
    grep -q "Wrote appended features to 3.mat" log
'
test_expect_success 'single files with too large a mismatch: exit 1' '
    printf "[ 0\n 1\n 2 ]\n" >1.mat && printf "[ 0 ]\n" >2.mat &&
    { paste-feats 1.mat 2.mat 3.mat 2>/dev/null; test $? = 1; } && test ! -e 3.mat
'
test_done
