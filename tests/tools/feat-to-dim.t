#!/bin/sh
# feat-to-dim: first dimension to a wxfilename, or a table of dimensions.
. "$(dirname "$0")/lib.sh"

test_expect_success 'prints the dimension of the first matrix' '
    printf "a [ 1 2 3 ]\nb [ 1 2 ]\n" >in && feat-to-dim ark:in - >o && echo 3 >exp && test_cmp exp o
'
test_expect_success 'table output' '
    printf "a [ 1 2 3 ]\nb [ 1 2 ]\n" >in && feat-to-dim ark:in ark,t:o &&
    printf "a 3 \nb 2 \n" >exp && test_cmp exp o
'
test_expect_success 'works on a pipe (as steps/nnet/train.sh uses it)' '
    printf "a [ 1 2 3 4 ]\n" >in && feat-to-dim "ark:copy-feats ark:in ark:- |" - >o &&
    echo 4 >exp && test_cmp exp o
'
test_expect_error 'empty input' 'Could not read any features \(empty archive\?\)' \
    sh -c ': >e && feat-to-dim ark:e -'
test_done
