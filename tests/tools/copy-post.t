#!/bin/sh
# copy-post: copy and --scale, text/binary, bad input.
. "$(dirname "$0")/lib.sh"

test_expect_success 'text -> binary -> text round trip' '
    printf "u1 [ 12 1 ] [ 3 0.6 5 0.4 ] \nu2 \n" >in.txt &&
    copy-post ark:in.txt ark:out.ark 2>log &&
    grep -q "Done copying 2 posteriors." log &&
    copy-post ark:out.ark ark,t:back.txt &&
    test_cmp in.txt back.txt
'
test_expect_success '--scale multiplies the weights' '
    printf "u1 [ 12 1 ] [ 3 0.6 5 0.4 ] \n" >in.txt &&
    copy-post --scale=0.5 ark:in.txt ark,t:out.txt &&
    printf "u1 [ 12 0.5 ] [ 3 0.3 5 0.2 ] \n" >exp.txt &&
    test_cmp exp.txt out.txt
'
test_expect_success 'binary bytes (io.md 7.4)' '
    printf "u [ 0 1 ] \n" >in.txt &&
    copy-post ark:in.txt ark:out.ark &&
    printf "u \000B\004\001\000\000\000\004\001\000\000\000\004\000\000\000\000\004\000\000\200\077" >exp.ark &&
    cmp exp.ark out.ark
'
test_expect_error 'alignments given instead of posteriors' 'did you provide alignments instead of posteriors' \
    sh -c 'printf "u 1 2 3\n" > a.txt && copy-post ark:a.txt ark:o.ark'
test_expect_error 'truncated binary archive' 'error detected closing archive' \
    sh -c 'printf "u [ 0 1 ] \nv [ 1 1 ] \n" | copy-post ark:- ark:t.ark && head -c 30 t.ark > tr.ark && copy-post ark:tr.ark ark:o.ark'
test_expect_error 'bad scale value' 'Invalid floating-point option' copy-post --scale=abc ark:a ark:b
test_done
