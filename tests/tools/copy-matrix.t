#!/bin/sh
# copy-matrix: tables and files, --scale, --apply-log/exp/power/softmax-per-row, errors.
. "$(dirname "$0")/lib.sh"

test_expect_success 'file -> file text, Kaldi log line' '
    printf "[ 1 2\n 3 4 ]\n" >m.txt && copy-matrix --binary=false m.txt o.txt 2>log &&
    printf " [\n  1 2 \n  3 4 ]\n" >exp && test_cmp exp o.txt && grep -q "Copied matrix to o.txt" log
'
test_expect_success 'table, --scale=2, log counts matrices' '
    printf "a [ 1 2 ]\nb [ -1 0.5 ]\n" >in && copy-matrix --scale=2 ark:in ark,t:o 2>log &&
    printf "a  [\n  2 4 ]\nb  [\n  -2 1 ]\n" >exp && test_cmp exp o && grep -q "Copied 2 matrices." log
'
test_expect_success '--apply-log floors at 1e-20; --apply-exp inverts it' '
    printf "a [ 1 0 2.718282 ]\n" >in && copy-matrix --apply-log ark:in ark,t:o &&
    printf "a  [\n  0 -46.0517 1 ]\n" >exp && test_cmp exp o &&
    copy-matrix --apply-exp ark:o ark,t:o2 && printf "a  [\n  1 1.000001e-20 2.718282 ]\n" >exp2 && test_cmp exp2 o2
'
test_expect_success '--apply-power and --apply-softmax-per-row' '
    printf "a [ 4 9 ]\n" >in && copy-matrix --apply-power=0.5 ark:in ark,t:o &&
    printf "a  [\n  2 3 ]\n" >exp && test_cmp exp o &&
    printf "a [ 0 0 0 0 ]\n" >in2 && copy-matrix --apply-softmax-per-row ark:in2 ark,t:o2 &&
    printf "a  [\n  0.25 0.25 0.25 0.25 ]\n" >exp2 && test_cmp exp2 o2
'
test_expect_error 'mixing a table and a file' 'Cannot mix archives with regular files' \
    copy-matrix ark:in o.mat
test_expect_error 'two exclusive transforms' 'Only one of apply-log, apply-exp' \
    copy-matrix --apply-log --apply-exp ark:in ark:o
test_expect_error 'sqrt of a negative value' 'square root of negative value' \
    sh -c 'printf "a [ -4 ]\n" >n && copy-matrix --apply-power=0.5 ark:n ark:o'
test_expect_error 'missing input file' 'nothere.mat' copy-matrix nothere.mat o.mat
test_done
