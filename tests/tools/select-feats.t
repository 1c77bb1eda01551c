#!/bin/sh
# select-feats: ranges, reversed ranges, single indices, errors.
. "$(dirname "$0")/lib.sh"

test_expect_success 'selection 0,4-3,1-2' '
    printf "a [ 0 1 2 3 4\n 10 11 12 13 14 ]\n" >in && select-feats 0,4-3,1-2 ark:in ark,t:o &&
    printf "a  [\n  0 4 3 1 2 \n  10 14 13 11 12 ]\n" >exp && test_cmp exp o
'
test_expect_success 'empty archive: warning, exit 0' '
    : >e && select-feats 0 ark:e ark:o 2>log && grep -q "Empty archive provided." log
'
test_expect_error 'index out of range' 'Invalid selection index: 5' \
    sh -c 'printf "a [ 0 1 2 3 4 ]\n" >in && select-feats 5 ark:in ark:o'
test_expect_error 'range end out of range' 'Invalid range end: 9' \
    sh -c 'printf "a [ 0 1 2 3 4 ]\n" >in && select-feats 1-9 ark:in ark:o'
test_done
