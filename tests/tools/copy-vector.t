#!/bin/sh
# copy-vector: tables and files, --change-dim, double input, errors.
. "$(dirname "$0")/lib.sh"

test_expect_success 'text table -> binary -> text' '
    printf "a [ 1 2 3 ]\nb [ ]\n" >in && copy-vector ark:in ark:b.ark 2>log &&
    copy-vector ark:b.ark ark,t:o && printf "a  [ 1 2 3 ]\nb  [ ]\n" >exp && test_cmp exp o &&
    grep -q "Copied 2 vectors." log
'
test_expect_success 'binary FV bytes' '
    printf "a [ 1 ]\n" >in && copy-vector ark:in ark:b.ark &&
    printf "a \000BFV \004\001\000\000\000\000\000\200\077" >exp && cmp exp b.ark
'
test_expect_success '--change-dim truncates and zero-pads (files and tables)' '
    printf "[ 1 2 3 ]\n" >v && copy-vector --binary=false --change-dim=2 v o 2>log &&
    printf " [ 1 2 ]\n" >exp && test_cmp exp o && grep -q "Copied vector to o" log &&
    printf "a [ 1 ]\n" >in && copy-vector --change-dim=3 ark:in ark,t:o2 2>log2 &&
    printf "a  [ 1 0 0 ]\n" >exp2 && test_cmp exp2 o2 && grep -q "setting dim to 3" log2
'
test_expect_error 'a matrix is not a vector' 'Newline found while reading vector' \
    sh -c 'printf "a [ 1 2\n 3 4 ]\n" >m && copy-vector ark:m ark:o'
test_expect_error 'mixing a table and a file' 'Cannot mix archives with regular files \(copying vectors\)' \
    copy-vector ark:in o
test_done
