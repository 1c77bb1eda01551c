#!/bin/sh
# feat-to-len: lengths table, or the total on stdout.
. "$(dirname "$0")/lib.sh"

test_expect_success 'table of lengths' '
    printf "a [ 1\n 2\n 3 ]\nb [ 1 2 ]\n" >in && feat-to-len ark:in ark,t:o &&
    printf "a 3 \nb 1 \n" >exp && test_cmp exp o
'
test_expect_success 'one argument: total frames on stdout' '
    printf "a [ 1\n 2\n 3 ]\nb [ 1 2 ]\n" >in && feat-to-len ark:in >o && echo 4 >exp && test_cmp exp o
'
test_expect_error 'corrupt archive' 'error detected closing archive|Error constructing TableReader' \
    sh -c 'printf "a [ 1 2 " >in && feat-to-len ark:in ark,t:o'
test_done
