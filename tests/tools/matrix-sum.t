#!/bin/sh
# matrix-sum: the three usage types (files -> file as in steps/nnet/make_priors.sh).
. "$(dirname "$0")/lib.sh"

test_expect_success 'type three: files -> file (float sum), Kaldi log line' '
    printf "[ 1 2\n 3 4 ]\n" >1.mat && printf "[ 10 20\n 30 40 ]\n" >2.mat &&
    copy-matrix 2.mat 2.bin &&
    matrix-sum --binary=false 1.mat 2.bin 1.mat sum.mat 2>log &&
    printf " [\n  12 24 \n  36 48 ]\n" >exp && test_cmp exp sum.mat &&
    grep -q "Summed 3 matrices; wrote sum to sum.mat" log
'
test_expect_success 'type three reads double matrices (CMVN stats)' '
    matrix-sum --binary=false $DATA/io/cmvn.global.mat $DATA/io/cmvn.global.mat s.txt &&
    head -c 12 s.txt >got && printf " [\n  3570.27" >exp && test_cmp exp got
'
test_expect_success 'type two: a table summed into one file' '
    printf "a [ 1 2 ]\nb [ 3 4 ]\nc [ ]\n" >in && matrix-sum --binary=false ark:in s.mat 2>log &&
    printf " [\n  4 6 ]\n" >exp && test_cmp exp s.mat &&
    grep -q "Summed 2 matrices, 1 with errors; wrote sum to s.mat" log
'
test_expect_success 'type one: tables key by key with --scale1/--scale2' '
    printf "a [ 1 2 ]\nb [ 3 4 ]\nc [ 0 1 ]\n" >x && printf "a [ 10 20 ]\nc [ 2 2 ]\n" >y &&
    matrix-sum --scale1=2 --scale2=0.5 ark:x ark:y ark,t:o 2>log &&
    printf "a  [\n  7 14 ]\nb  [\n  6 8 ]\nc  [\n  1 3 ]\n" >exp && test_cmp exp o &&
    grep -q "Produced output for 3 utterances; 1 total missing matrices" log
'
test_expect_error 'type three size mismatch' 'size mismatch' \
    sh -c 'printf "[ 1 2 ]\n" >a && printf "[ 1 ]\n" >b && matrix-sum a b c'
test_done
